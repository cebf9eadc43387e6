use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes container that may run as root: `run_as_non_root` not set to `true` (on
    /// the container or the pod), or `run_as_user = 0`.
    ///
    /// ## Why it matters
    /// Root in the container is root on the node's kernel interface: a container escape or a
    /// mounted host path is then a node compromise. Pod Security Standards (restricted)
    /// require non-root. Checkov: `CKV_K8S_6`, `CKV_K8S_40`, `CKV_K8S_23`.
    ///
    /// ## Example
    /// ```strata
    /// resource web: k8s.Deployment { containers = [{ name = "web", image = "nginx:1.27" }] }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource web: k8s.Deployment {
    ///   containers = [{ name = "web", image = "nginx:1.27", security_context = { run_as_non_root = true, run_as_user = 10001 } }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC081",
        name: "k8s-runs-as-root",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[WORKLOAD]),
        check: Check::Resource(check),
    }
}

fn check(_cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !r.ty.starts_with("k8s.") {
        return; // ECS task definitions are workloads too, without these settings
    }
    for c in containers(r) {
        if c.security("run_as_user").and_then(Value::as_i64) == Some(0) {
            out.report(c.span("run_as_user"), format!("{} runs as root (`run_as_user = 0`)", c.label())).label("UID 0").help("write `security_context = { run_as_non_root = true, run_as_user = 10001 }`");
            continue;
        }
        if !c.security("run_as_non_root").is_some_and(Value::is_true) {
            out.report(c.span("run_as_non_root"), format!("{} may run as root", c.label())).label("run_as_non_root is not true").help("write `security_context = { run_as_non_root = true, run_as_user = 10001 }`");
        }
    }
}
