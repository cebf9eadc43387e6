use super::pods;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A pod that shares a namespace of its node: `hostNetwork`, `hostPID` or `hostIPC` set to
    /// `true` in the pod spec of a `kube.*` workload, or `host_network`, `host_pid`, `host_ipc` in a
    /// `tf.kubernetes_*` one; or that mounts the node's file system (a `hostPath` volume,
    /// `host_path` in Terraform).
    ///
    /// ## Why it matters
    /// Host namespaces let the pod see and reach every process and socket of the node,
    /// bypassing network policies; a `hostPath` volume reads and writes the node's files (its
    /// kubelet credentials, the container runtime's socket). Pod Security Standards (baseline)
    /// forbid both. Checkov: `CKV_K8S_17`, `CKV_K8S_18`, `CKV_K8S_19`.
    ///
    /// ## Example
    /// ```strata
    /// resource agent: kube.apps.v1.DaemonSet {
    ///   metadata = { name = "agent" }
    ///   spec = {
    ///     selector = { matchLabels = { app = "agent" } }
    ///     template = {
    ///       metadata = { labels = { app = "agent" } }
    ///       spec = { hostNetwork = true, containers = [{ name = "agent", image = "ghcr.io/acme/agent:2.1" }] }
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource agent: kube.apps.v1.DaemonSet {
    ///   metadata = { name = "agent" }
    ///   spec = {
    ///     selector = { matchLabels = { app = "agent" } }
    ///     template = {
    ///       metadata = { labels = { app = "agent" } }
    ///       spec = { hostNetwork = false, containers = [{ name = "agent", image = "ghcr.io/acme/agent:2.1" }] }
    ///     }
    ///   }
    /// }
    /// ```
    pub static RULE = {
        code: "SEC082",
        name: "k8s-host-namespace",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || pods::reads("SEC082", &[], &[|v| v.host_network, |v| v.host_pid, |v| v.host_ipc, |v| v.host_path]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(c) = pods::containers(r).into_iter().next() else {
        return;
    };
    for (f, what) in [
        (
            pods::Field::from(|v: &pods::Vocab| v.host_network),
            "network",
        ),
        (|v: &pods::Vocab| v.host_pid, "PID"),
        (|v: &pods::Vocab| v.host_ipc, "IPC"),
    ] {
        if c.pod(f).is_some_and(Value::is_true) {
            let field = f(c.v).unwrap_or("host");
            out.report(
                c.pod_span(cx, f),
                format!("pod `{}` shares the node's {what} namespace", r.name),
            )
            .label(format!("`{field} = true`"))
            .help(format!("write `{field} = false` in `{}`", r.name));
        }
    }
    // A `hostPath` volume: the node's file system inside the pod.
    if let Some((at, v)) = c
        .pod_located(|v: &pods::Vocab| v.host_path)
        .into_iter()
        .next()
    {
        let path = v.as_str().unwrap_or("?");
        out.report(
            cx.span_at(r, &at, &[]),
            format!("pod `{}` mounts the node's file system at `{path}`", r.name),
        )
        .label("hostPath volume")
        .help("use an `emptyDir`, a ConfigMap, a Secret or a PersistentVolumeClaim; a node agent that must read the node belongs in a DaemonSet with `// strata-ignore SEC082: reason`");
    }
}
