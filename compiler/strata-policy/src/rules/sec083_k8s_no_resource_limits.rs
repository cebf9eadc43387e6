use super::pods;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes container without a CPU or memory limit (`resources.limits` in the pod spec of
    /// a `kube.*` or `tf.kubernetes_*` workload). The stdlib's `k8s.*` containers always have limits
    /// (`cpu`, `memory`).
    ///
    /// ## Why it matters
    /// One runaway or compromised container can starve every other pod on the node (a noisy
    /// neighbour, or a cryptominer). Limits also make scheduling and cost predictable.
    /// Checkov: `CKV_K8S_11`, `CKV_K8S_13`.
    ///
    /// ## Example
    /// ```strata
    /// resource web: kube.apps.v1.Deployment {
    ///   metadata = { name = "web" }
    ///   spec = {
    ///     selector = { matchLabels = { app = "web" } }
    ///     template = {
    ///       metadata = { labels = { app = "web" } }
    ///       spec = { containers = [{ name = "web", image = "nginx:1.27" }] }
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource web: kube.apps.v1.Deployment {
    ///   metadata = { name = "web" }
    ///   spec = {
    ///     selector = { matchLabels = { app = "web" } }
    ///     template = {
    ///       metadata = { labels = { app = "web" } }
    ///       spec = { containers = [{ name = "web", image = "nginx:1.27", resources = { limits = { cpu = "500m", memory = "512Mi" } } }] }
    ///     }
    ///   }
    /// }
    /// ```
    pub static RULE = {
        code: "SEC083",
        name: "k8s-no-resource-limits",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || pods::reads("SEC083", &[|v| v.limits_cpu, |v| v.limits_memory], &[]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for c in pods::containers(r) {
        let mut missing = Vec::new();
        if c.can(|v| v.limits_cpu) && c.get(|v| v.limits_cpu).is_none() {
            missing.push("CPU");
        }
        if c.can(|v| v.limits_memory) && c.get(|v| v.limits_memory).is_none() {
            missing.push("memory");
        }
        if missing.is_empty() {
            continue;
        }
        let limits =
            c.v.limits_cpu
                .and_then(|p| p.rsplit_once('.'))
                .map_or("limits", |(l, _)| l);
        out.report(
            c.span(cx, |v| v.limits_cpu, &[]),
            format!("{} has no {} limit", c.label(), missing.join(" or ")),
        )
        .label("unbounded resources")
        .help(format!(
            "write `{limits} = {{ cpu = \"500m\", memory = \"512Mi\" }}` in the container"
        ));
    }
}
