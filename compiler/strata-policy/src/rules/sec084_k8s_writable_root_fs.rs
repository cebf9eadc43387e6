use super::prelude::*;

rule! {
    /// ## What it checks
    /// A container whose root filesystem is writable: a Kubernetes container without
    /// `read_only_root_filesystem = true`, an ECS container with `read_only_root = false`.
    ///
    /// ## Why it matters
    /// A writable root filesystem lets an intruder drop tools and persist changes to binaries.
    /// Mount `emptyDir` volumes for the paths the application writes. Checkov: `CKV_K8S_22`.
    ///
    /// ## Example
    /// ```strata
    /// resource web: k8s.Deployment { containers = [{ name = "web", image = "nginx:1.27" }] }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource web: k8s.Deployment {
    ///   containers = [{ name = "web", image = "nginx:1.27", security_context = { read_only_root_filesystem = true } }]
    /// }
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

fn check(_cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for c in containers(r) {
        if !c.security("read_only_root_filesystem").or_else(|| c.get("read_only_root")).is_some_and(Value::is_true) {
            let help = if r.ty.starts_with("k8s.") {
                "write `security_context = { read_only_root_filesystem = true }` and mount an `emptyDir` where the application writes".to_string()
            } else {
                format!("write `read_only_root = true` in {} and mount a volume where the application writes", c.label())
            };
            out.report(c.span("read_only_root_filesystem"), format!("{} has a writable root filesystem", c.label())).label("writable root filesystem").help(help);
        }
    }
}
