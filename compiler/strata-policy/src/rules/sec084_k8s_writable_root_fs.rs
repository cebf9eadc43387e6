use super::pods;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A container whose root filesystem is writable: `read_only_root = false` in the stdlib's
    /// `k8s.*` workloads and `aws.ecs.TaskDefinition`, `securityContext.readOnlyRootFilesystem` not
    /// `true` in a `kube.*` workload (`security_context.read_only_root_filesystem` in
    /// `tf.kubernetes_*`), `ReadonlyRootFilesystem` not `true` in `cfn.AWS.ECS.TaskDefinition`.
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
        applies: Applies::Reads,
        reads: || pods::reads("SEC084", &[|v| v.read_only_root], &[]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for c in pods::containers(r) {
        if c.get(|v| v.read_only_root).is_some_and(Value::is_true) {
            continue;
        }
        let field = c.v.read_only_root.unwrap_or("read_only_root");
        out.report(
            c.span(cx, |v| v.read_only_root, &[]),
            format!("{} has a writable root filesystem", c.label()),
        )
        .label("writable root filesystem")
        .help(format!(
            "write `{field} = true` in {} and mount a volume where the application writes",
            c.label()
        ));
    }
}
