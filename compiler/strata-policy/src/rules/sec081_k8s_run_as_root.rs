use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes namespace whose Pod Security level is `baseline` (it admits containers
    /// running as root and escalating privileges), or a container that may run as root:
    /// `run_as_user = 0`, or — where the container's schema has the setting —
    /// `run_as_non_root` not `true`. The stdlib's `k8s.*` containers always run as a non-root
    /// user (`run_as_user` is at least 1).
    ///
    /// ## Why it matters
    /// Root in the container is root on the node's kernel interface: a container escape or a
    /// mounted host path is then a node compromise. Pod Security Standards (restricted)
    /// require non-root. Checkov: `CKV_K8S_6`, `CKV_K8S_40`, `CKV_K8S_23`.
    ///
    /// ## Example
    /// ```strata
    /// resource shop: k8s.Namespace { pod_security = "baseline" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource shop: k8s.Namespace { pod_security = "restricted" }
    /// ```
    pub static RULE = {
        code: "SEC081",
        name: "k8s-runs-as-root",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[WORKLOAD, NAMESPACE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if cx.kind(r) == NAMESPACE {
        if get_str(r, "pod_security").is_some_and(|l| l == "baseline") {
            out.at(
                r,
                "pod_security",
                format!("namespace `{}` admits pods running as root", r.name),
            )
            .label("Pod Security level `baseline`")
            .help(fix(cx, r, "pod_security = \"restricted\""));
        }
        return;
    }
    let can_say = container_can_set(cx, r, &["security_context", "run_as_non_root"]);
    for c in containers(r) {
        if c.security("run_as_user").and_then(Value::as_i64) == Some(0) {
            out.report(
                c.span("run_as_user"),
                format!("{} runs as root (`run_as_user = 0`)", c.label()),
            )
            .label("UID 0")
            .help("write `security_context = { run_as_non_root = true, run_as_user = 10001 }`");
            continue;
        }
        if can_say && !c.security("run_as_non_root").is_some_and(Value::is_true) {
            out.report(
                c.span("run_as_non_root"),
                format!("{} may run as root", c.label()),
            )
            .label("run_as_non_root is not true")
            .help("write `security_context = { run_as_non_root = true, run_as_user = 10001 }`");
        }
    }
}
