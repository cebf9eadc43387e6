use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes RBAC role that grants every verb (`verbs = ["*"]`) or every resource
    /// (`resources = ["*"]`) in one of its rules: `rules` of `kube.rbac.v1.Role` and
    /// `kube.rbac.v1.ClusterRole`, `rule` of `tf.kubernetes_role`, `tf.kubernetes_cluster_role`
    /// and their `_v1` forms.
    ///
    /// ## Why it matters
    /// A wildcard grants what the workload never uses — reading every Secret, creating pods that
    /// mount the node, binding itself more roles — and everything a future API version adds. A
    /// cluster role with `*` on `*` is `cluster-admin` under another name. Least privilege lists
    /// the verbs and resources used. Checkov: `CKV_K8S_49`.
    ///
    /// ## Example
    /// ```strata
    /// import kube
    /// resource deployer: kube.rbac.v1.ClusterRole {
    ///   rules = [{ apiGroups = ["apps"], resources = ["*"], verbs = ["*"] }]
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// import kube
    /// resource deployer: kube.rbac.v1.ClusterRole {
    ///   rules = [{ apiGroups = ["apps"], resources = ["deployments"], verbs = ["get", "list", "patch"] }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC090",
        name: "k8s-rbac-wildcard",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const VERBS: &str = "every verb";
const RESOURCES: &str = "every resource";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("kube.rbac.v1.Role", "rules[].verbs[]", VERBS),
    part("kube.rbac.v1.Role", "rules[].resources[]", RESOURCES),
    part("kube.rbac.v1.ClusterRole", "rules[].verbs[]", VERBS),
    part("kube.rbac.v1.ClusterRole", "rules[].resources[]", RESOURCES),
    part("tf.kubernetes_role", "rule[].verbs[]", VERBS),
    part("tf.kubernetes_role", "rule[].resources[]", RESOURCES),
    part("tf.kubernetes_role_v1", "rule[].verbs[]", VERBS),
    part("tf.kubernetes_role_v1", "rule[].resources[]", RESOURCES),
    part("tf.kubernetes_cluster_role", "rule[].verbs[]", VERBS),
    part("tf.kubernetes_cluster_role", "rule[].resources[]", RESOURCES),
    part("tf.kubernetes_cluster_role_v1", "rule[].verbs[]", VERBS),
    part("tf.kubernetes_cluster_role_v1", "rule[].resources[]", RESOURCES),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // The first wildcard of the role, verbs before resources: one finding per role.
    for what in [VERBS, RESOURCES] {
        for x in READS.iter().filter(|x| x.ty == r.ty && x.what == what) {
            let Some((at, _)) = crate::reads::located(r, x.path)
                .into_iter()
                .find(|(_, v)| v.as_str().is_some_and(|s| s.trim() == "*"))
            else {
                continue;
            };
            let field = x
                .path
                .rsplit('.')
                .next()
                .unwrap_or("")
                .trim_end_matches("[]");
            out.report(
                cx.span_at(r, &at, &[]),
                format!("role `{}` grants {what}", r.name),
            )
            .label(format!("`*` in `{field}`"))
            .help(if what == VERBS {
                "list the verbs the workload uses, e.g. `verbs = [\"get\", \"list\", \"watch\"]`"
            } else {
                "list the resources the workload uses, e.g. `resources = [\"deployments\", \"configmaps\"]`"
            });
            return;
        }
    }
}
