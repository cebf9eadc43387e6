use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes container with `privileged = true` (in its `security_context`).
    ///
    /// ## Why it matters
    /// A privileged container has every capability and all host devices: escaping to the node
    /// is trivial, and from the node to every other pod on it. Pod Security Standards
    /// (baseline) forbid it. Checkov: `CKV_K8S_16`.
    ///
    /// ## Example
    /// ```strata
    /// resource web: k8s.Deployment { containers = [{ name = "web", image = "nginx:1.27", security_context = { privileged = true } }] }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource web: k8s.Deployment { containers = [{ name = "web", image = "nginx:1.27", security_context = { privileged = false } }] }
    /// ```
    pub static RULE = {
        code: "SEC080",
        name: "k8s-privileged-container",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[WORKLOAD]),
        check: Check::Resource(check),
    }
}

fn check(_cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !r.ty.starts_with("k8s.") {
        return; // ECS task definitions are workloads too, without these settings
    }
    for c in containers(r) {
        if c.security("privileged").is_some_and(Value::is_true) {
            out.report(c.span("privileged"), format!("{} runs privileged", c.label())).label("privileged container").help("write `security_context = { privileged = false }` (and grant only the capabilities it needs)");
        }
    }
}
