use super::prelude::*;

rule! {
    /// ## What it checks
    /// A resource that only makes sense when something uses it — a KMS key, a secret, a
    /// certificate, a target group — that no resource references; and a security group,
    /// firewall or IAM resource that has no edge at all. A binding that grants a role to
    /// principals outside the program (a Kubernetes RoleBinding for a group, a project IAM
    /// member) is its own use and is not reported.
    ///
    /// ## Why it matters
    /// Orphans cost money (a KMS key is billed monthly), widen the attack surface (an unused
    /// role that can still be assumed, a secret nobody rotates) and usually mean a reference was
    /// forgotten: the bucket that should use the key encrypts with the default key instead.
    ///
    /// ## Example
    /// ```strata
    /// resource key: aws.kms.Key { rotation = true }
    /// resource uploads: aws.s3.Bucket { versioning = true }   // forgot `encryption = key`
    /// ```
    ///
    /// ## Fix
    /// Reference it where it was meant to be used, or delete it:
    /// ```strata
    /// resource key: aws.kms.Key { rotation = true }
    /// resource uploads: aws.s3.Bucket { versioning = true, encryption = key }
    /// ```
    pub static RULE = {
        code: "GRAPH005",
        name: "orphan-resource",
        category: Graph,
        severity: Info,
        applies: Applies::All,
        check: Check::Model(check),
    }
}

/// Grants to principals outside the program (people, groups, a project's members): a binding
/// is its own use, with nothing in the program to reference it.
const GRANTS: &[&str] = &[
    "kube.rbac.v1.RoleBinding",
    "kube.rbac.v1.ClusterRoleBinding",
    "tf.kubernetes_role_binding",
    "tf.kubernetes_role_binding_v1",
    "tf.kubernetes_cluster_role_binding",
    "tf.kubernetes_cluster_role_binding_v1",
    "tf.google_project_iam_member",
    "tf.google_project_iam_binding",
    "tf.azurerm_role_assignment",
];

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let f = cx.facts;
    for r in &cx.model.resources {
        if f.superseded.contains(r.id)
            || r.lowered_from.is_some()
            || GRANTS.contains(&r.ty.as_str())
        {
            continue;
        }
        let kind = f.kind(r.id);
        let orphan = match kind {
            KEY | SECRET | CERTIFICATE | TARGET_GROUP => cx.graph.dependents(r.id).is_empty(),
            FIREWALL | IAM => {
                cx.graph.dependents(r.id).is_empty() && cx.graph.dependencies(r.id).is_empty()
            }
            _ => false,
        };
        if orphan {
            out.report(
                r.name_span,
                format!("{kind} `{}` is not used by any resource", r.name),
            )
            .label("nothing references this")
            .help(format!(
                "reference `{}` where it is meant to be used, or delete it",
                r.name
            ));
        }
    }
}
