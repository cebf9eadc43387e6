use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes container without CPU and memory limits (`resources.limits.cpu`,
    /// `resources.limits.memory`, or flat `cpu_limit`/`memory_limit`; `cpu` and `memory` count
    /// as limits, as the stdlib's `k8s.*` containers use them).
    ///
    /// ## Why it matters
    /// One runaway or compromised container can starve every other pod on the node (a noisy
    /// neighbour, or a cryptominer). Limits also make scheduling and cost predictable.
    /// Checkov: `CKV_K8S_11`, `CKV_K8S_13`.
    ///
    /// ## Example
    /// ```strata
    /// resource web: k8s.Deployment { containers = [{ name = "web", image = "nginx:1.27" }] }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource web: k8s.Deployment {
    ///   containers = [{ name = "web", image = "nginx:1.27", resources = { limits = { cpu = "500m", memory = "512Mi" } } }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC083",
        name: "k8s-no-resource-limits",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[WORKLOAD]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // Only containers that can state limits (ECS task definitions size the task instead).
    if !container_can_set(
        cx,
        r,
        &[
            "resources",
            "limits",
            "cpu",
            "cpu_limit",
            "memory",
            "memory_limit",
        ],
    ) {
        return;
    }
    for c in containers(r) {
        let has = |what: &str| {
            c.get(&format!("resources.limits.{what}"))
                .or_else(|| c.get(&format!("limits.{what}")))
                .or_else(|| c.get(&format!("{what}_limit")))
                .or_else(|| c.get(what))
                .is_some_and(|v| !v.is_null())
        };
        let missing: Vec<&str> = ["cpu", "memory"].into_iter().filter(|w| !has(w)).collect();
        if !missing.is_empty() {
            out.report(c.span("resources"), format!("{} has no {} limit", c.label(), missing.join(" or ")))
                .label("unbounded resources")
                .help("write `resources = { limits = { cpu = \"500m\", memory = \"512Mi\" }, requests = { cpu = \"250m\", memory = \"256Mi\" } }`");
        }
    }
}
