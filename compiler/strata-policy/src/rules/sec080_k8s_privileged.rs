use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes namespace whose Pod Security level is `privileged` (it admits privileged
    /// containers, host namespaces and host paths), or a container that asks for
    /// `privileged = true` in its `security_context` (workloads of schemas that have one;
    /// the stdlib's `k8s.*` containers cannot).
    ///
    /// ## Why it matters
    /// A privileged container has every capability and all host devices: escaping to the node
    /// is trivial, and from the node to every other pod on it. Pod Security Standards
    /// (baseline and restricted) forbid it. Checkov: `CKV_K8S_16`.
    ///
    /// ## Example
    /// ```strata
    /// resource tools: k8s.Namespace { pod_security = "privileged" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource tools: k8s.Namespace { pod_security = "restricted" }
    /// ```
    pub static RULE = {
        code: "SEC080",
        name: "k8s-privileged-container",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[WORKLOAD, NAMESPACE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if cx.kind(r) == NAMESPACE {
        if get_str(r, "pod_security").is_some_and(|l| l == "privileged") {
            out.at(
                r,
                "pod_security",
                format!("namespace `{}` admits privileged pods", r.name),
            )
            .label("Pod Security level `privileged`")
            .help(fix(cx, r, "pod_security = \"restricted\""));
        }
        return;
    }
    for c in containers(r) {
        if c.security("privileged").is_some_and(Value::is_true) {
            out.report(c.span("privileged"), format!("{} runs privileged", c.label())).label("privileged container").help("write `security_context = { privileged = false }` (and grant only the capabilities it needs)");
        }
    }
}
