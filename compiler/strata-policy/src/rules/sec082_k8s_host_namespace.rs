use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes pod that shares the node's network, process or IPC namespace
    /// (`host_network`, `host_pid` or `host_ipc` set to `true`) — for workload schemas that
    /// have these settings; the stdlib's `k8s.*` workloads cannot ask for them, and a
    /// namespace that admits them is reported by `SEC080`.
    ///
    /// ## Why it matters
    /// Host namespaces let the pod see and reach every process and socket of the node,
    /// bypassing network policies. Pod Security Standards (baseline) forbid them. Checkov:
    /// `CKV_K8S_17`, `CKV_K8S_18`, `CKV_K8S_19`.
    ///
    /// ## Example
    /// ```strata
    /// resource agent: k8s.DaemonSet { host_network = true, containers = [{ name = "agent", image = "agent:2.1" }] }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource agent: k8s.DaemonSet { host_network = false, containers = [{ name = "agent", image = "agent:2.1" }] }
    /// ```
    pub static RULE = {
        code: "SEC082",
        name: "k8s-host-namespace",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[WORKLOAD]),
        check: Check::Resource(check),
    }
}

fn check(_cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for p in [
        "host_network",
        "host_pid",
        "host_ipc",
        "pod.host_network",
        "pod.host_pid",
        "pod.host_ipc",
    ] {
        if is_true(r, p) {
            let field = p.rsplit('.').next().unwrap_or(p);
            out.at(
                r,
                top(p),
                format!(
                    "pod `{}` shares the node's {} namespace",
                    r.name,
                    &field["host_".len()..]
                ),
            )
            .label(format!("`{field} = true`"))
            .help(format!("write `{field} = false` in `{}`", r.name));
        }
    }
}
