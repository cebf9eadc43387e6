use super::prelude::*;

rule! {
    /// ## What it checks
    /// A container whose root filesystem is writable: `read_only_root = false` (the stdlib's
    /// Kubernetes and ECS containers), or no `read_only_root_filesystem = true` in the
    /// `security_context` of containers of other schemas.
    ///
    /// ## Why it matters
    /// A writable root filesystem lets an intruder drop tools and persist changes to binaries.
    /// Mount `emptyDir` volumes for the paths the application writes. Checkov: `CKV_K8S_22`.
    ///
    /// ## Example
    /// ```strata
    /// resource web: k8s.Deployment { containers = [{ name = "web", image = "nginx:1.27", read_only_root = false }] }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource web: k8s.Deployment { containers = [{ name = "web", image = "nginx:1.27", read_only_root = true }] }
    /// ```
    pub static RULE = {
        code: "SEC084",
        name: "k8s-writable-root-filesystem",
        category: Security,
        severity: Info,
        applies: Applies::Kinds(&[WORKLOAD]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !container_can_set(
        cx,
        r,
        &[
            "read_only_root",
            "read_only_root_filesystem",
            "security_context",
        ],
    ) {
        return;
    }
    for c in containers(r) {
        if !c
            .security("read_only_root_filesystem")
            .or_else(|| c.get("read_only_root"))
            .is_some_and(Value::is_true)
        {
            let help = if container_fields(cx, r).is_some_and(|f| f.contains("read_only_root")) {
                format!("write `read_only_root = true` in {} and mount a volume where the application writes", c.label())
            } else if r.ty.starts_with("k8s.") {
                "write `security_context = { read_only_root_filesystem = true }` and mount an `emptyDir` where the application writes".to_string()
            } else {
                format!("write `read_only_root = true` in {} and mount a volume where the application writes", c.label())
            };
            out.report(
                c.span("read_only_root_filesystem"),
                format!("{} has a writable root filesystem", c.label()),
            )
            .label("writable root filesystem")
            .help(help);
        }
    }
}
