use super::pods;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A container of a long-running Kubernetes workload (a Deployment, StatefulSet, DaemonSet,
    /// ReplicaSet or ReplicationController: `k8s.*`, `kube.*`, `tf.kubernetes_*`) without a
    /// liveness probe. Init containers, Jobs, CronJobs and bare Pods are not checked: they run to
    /// completion, or nothing restarts them.
    ///
    /// ## Why it matters
    /// Kubernetes restarts a container whose process exits, but not one that is alive and stuck
    /// (deadlocked, hung on a socket, a loop that stopped polling): without a probe it holds its
    /// place and does nothing until someone notices. Probes need not be HTTP: a process that
    /// serves nothing, such as a queue worker, is checked with a command (`exec`), commonly a
    /// heartbeat file its loop touches. Checkov: `CKV_K8S_8`.
    ///
    /// ## Example
    /// ```strata
    /// resource worker: k8s.Deployment {
    ///   scratch = ["/tmp"]
    ///   containers = [{ image = "ghcr.io/acme/worker:1.4.2", command = ["worker", "--queue", "jobs"] }]
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource worker: k8s.Deployment {
    ///   scratch = ["/tmp"]
    ///   containers = [{
    ///     image = "ghcr.io/acme/worker:1.4.2"
    ///     command = ["worker", "--queue", "jobs"]
    ///     // The worker's loop touches /tmp/heartbeat after each poll.
    ///     liveness = { command = ["sh", "-c", "find /tmp/heartbeat -mmin -2 | grep -q ."], period = 30s }
    ///   }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC091",
        name: "k8s-no-liveness-probe",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || pods::reads_main("SEC091", LONG_RUNNING, |v| v.liveness),
        check: Check::Resource(check),
    }
}

/// The workloads whose containers run until stopped, and are restarted in place.
const LONG_RUNNING: &[&str] = &[
    "k8s.Deployment",
    "k8s.StatefulSet",
    "kube.apps.v1.Deployment",
    "kube.apps.v1.StatefulSet",
    "kube.apps.v1.DaemonSet",
    "kube.apps.v1.ReplicaSet",
    "kube.core.v1.ReplicationController",
    "tf.kubernetes_deployment",
    "tf.kubernetes_deployment_v1",
    "tf.kubernetes_stateful_set",
    "tf.kubernetes_stateful_set_v1",
    "tf.kubernetes_daemonset",
    "tf.kubernetes_daemon_set_v1",
    "tf.kubernetes_replication_controller",
    "tf.kubernetes_replication_controller_v1",
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !LONG_RUNNING.contains(&r.ty.as_str()) {
        return;
    }
    for c in pods::containers(r).into_iter().filter(|c| c.main) {
        let Some(field) = c.v.liveness else {
            continue;
        };
        if c.get(|v| v.liveness).is_some() {
            continue;
        }
        let help = match field {
            // Lowered from a portable `Service`: a worker, which gets probes from its command only.
            "liveness" if r.lowered_from.is_some() => "a worker (no `port`, `public` or `route`) is probed only with `health_command = [...]`: a command that exits 0 when it is healthy (for a worker, that its loop still runs)".to_string(),
            "liveness" => "add `liveness = { path = \"/healthz\" }` (HTTP), `{ command = [...] }` (a command that exits 0 when healthy: for a worker, a heartbeat file its loop touches) or `{ tcp_port = PORT }`".to_string(),
            "liveness_probe" => "add a `liveness_probe` to the container: `http_get`, `exec` (a command that exits 0 when healthy: for a worker, a heartbeat file its loop touches) or `tcp_socket`".to_string(),
            f => format!("add `{f}` to the container: `httpGet`, `exec` (a command that exits 0 when healthy: for a worker, a heartbeat file its loop touches) or `tcpSocket`"),
        };
        out.report(
            c.span(cx, |v| v.liveness, &[]),
            format!("{} has no liveness probe", c.label()),
        )
        .label("not restarted when it hangs")
        .help(help);
    }
}
