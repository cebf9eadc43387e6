use super::prelude::*;

rule! {
    /// ## What it checks
    /// Administrator access granted to a workload identity: an AWS role with the
    /// `AdministratorAccess` (or `PowerUserAccess`, `IAMFullAccess`) managed policy
    /// (`aws.iam.Role` `managed_policies`, `cfn.AWS.IAM.Role` `ManagedPolicyArns`, `tf.aws_iam_role`,
    /// `tf.aws_iam_role_policy_attachment`), a GCP service account with or bound to `roles/owner` or
    /// `roles/editor` (`gcp.iam.ServiceAccount` `roles`, `tf.google_project_iam_member`/`_binding`), an
    /// Azure `Owner` or `Contributor` assignment to a service principal
    /// (`azure.authorization.RoleAssignment`, `tf.azurerm_role_assignment`), or a Kubernetes binding
    /// of `cluster-admin` to a service account (`kube.rbac.v1.ClusterRoleBinding`/`RoleBinding`,
    /// `tf.kubernetes_cluster_role_binding`).
    ///
    /// ## Why it matters
    /// Workloads run untrusted input; when one is compromised its identity's permissions are
    /// the attacker's. Administrator on a workload turns an application bug into an account
    /// takeover. Checkov: `CKV_AWS_274`.
    ///
    /// ## Example
    /// ```strata
    /// resource api_role: aws.iam.Role {
    ///   assumed_by       = { service = ["ecs-tasks.amazonaws.com"] }
    ///   managed_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]
    /// }
    /// ```
    ///
    /// ## Fix
    /// Grant the specific actions the service uses:
    /// ```strata
    /// resource uploads: aws.s3.Bucket {}
    /// resource api_role: aws.iam.Role {
    ///   assumed_by = { service = ["ecs-tasks.amazonaws.com"] }
    ///   policies   = { uploads = [{ actions = ["s3:GetObject"], resources = ["${uploads.arn}/*"] }] }
    /// }
    /// ```
    pub static RULE = {
        code: "SEC032",
        name: "iam-admin-on-workload",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const AWS_ADMIN: &[&str] = &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];
const GCP_ADMIN: &[&str] = &["roles/owner", "roles/editor", "roles/iam.securityAdmin"];
const AZURE_ADMIN: &[&str] = &["Owner", "Contributor", "User Access Administrator"];

/// Managed policy ARNs attached to a role.
const POLICY: &str = "managed policy";
/// Project roles of a service account.
const ACCOUNT_ROLES: &str = "roles of the account";
/// The role a binding grants, and to whom.
const ROLE: &str = "role";
const MEMBER: &str = "member";
const SUBJECT_KIND: &str = "subject kind";
const PRINCIPAL_TYPE: &str = "principal type";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("aws.iam.Role", "managed_policies[]", POLICY),
    part("cfn.AWS.IAM.Role", "ManagedPolicyArns[]", POLICY),
    part("tf.aws_iam_role", "managed_policy_arns[]", POLICY),
    part("tf.aws_iam_role_policy_attachment", "policy_arn", POLICY),
    part("gcp.iam.ServiceAccount", "roles[]", ACCOUNT_ROLES),
    part("tf.google_project_iam_member", "role", ROLE),
    part("tf.google_project_iam_member", "member", MEMBER),
    part("tf.google_project_iam_binding", "role", ROLE),
    part("tf.google_project_iam_binding", "members[]", MEMBER),
    part("azure.authorization.RoleAssignment", "role", ROLE),
    part("azure.authorization.RoleAssignment", "principal_type", PRINCIPAL_TYPE),
    part("tf.azurerm_role_assignment", "role_definition_name", ROLE),
    part("tf.azurerm_role_assignment", "principal_type", PRINCIPAL_TYPE),
    part("kube.rbac.v1.ClusterRoleBinding", "roleRef.name", ROLE),
    part("kube.rbac.v1.ClusterRoleBinding", "subjects[].kind", SUBJECT_KIND),
    part("kube.rbac.v1.RoleBinding", "roleRef.name", ROLE),
    part("kube.rbac.v1.RoleBinding", "subjects[].kind", SUBJECT_KIND),
    part("tf.kubernetes_cluster_role_binding", "role_ref.name", ROLE),
    part("tf.kubernetes_cluster_role_binding", "subject[].kind", SUBJECT_KIND),
    part("tf.kubernetes_cluster_role_binding_v1", "role_ref.name", ROLE),
    part("tf.kubernetes_cluster_role_binding_v1", "subject[].kind", SUBJECT_KIND),
    part("tf.kubernetes_role_binding_v1", "role_ref.name", ROLE),
    part("tf.kubernetes_role_binding_v1", "subject[].kind", SUBJECT_KIND),
];

/// The string values of the parts `what` of `r`, with the path they are at.
fn strs<'r>(r: &'r Resource, what: &str) -> Vec<(&'static str, &'r str)> {
    READS
        .iter()
        .filter(|x| x.ty == r.ty && x.what == what)
        .flat_map(|x| {
            crate::reads::values(r, x.path)
                .into_iter()
                .filter_map(move |v| v.as_str().map(|s| (x.path, s)))
        })
        .collect()
}

fn check(_cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, a)) = strs(r, POLICY).into_iter().find(|(_, a)| {
        AWS_ADMIN
            .iter()
            .any(|n| a.ends_with(&format!("policy/{n}")) || a == n)
    }) {
        out.at(r, top(p), format!("`{}` has the administrator policy `{a}`", r.name))
            .label("administrator access on a workload role")
            .help("replace the managed policy with statements listing the actions and resources the workload uses");
        return;
    }
    if let Some((p, role)) = strs(r, ACCOUNT_ROLES)
        .into_iter()
        .find(|(_, x)| GCP_ADMIN.contains(x))
    {
        out.at(r, top(p), format!("service account `{}` has `{role}`", r.name))
            .label("administrator role")
            .help(format!("replace `{role}` with the narrow roles the workload needs (e.g. `roles/storage.objectUser`, `roles/cloudsql.client`)"));
        return;
    }
    let Some((p, role)) = strs(r, ROLE).into_iter().next() else {
        return;
    };
    let admin = GCP_ADMIN.contains(&role) || AZURE_ADMIN.contains(&role) || role == "cluster-admin";
    let members = strs(r, MEMBER);
    let kinds = strs(r, SUBJECT_KIND);
    let types = strs(r, PRINCIPAL_TYPE);
    // A workload identity: a service account or service principal, or no one named (a
    // binding completed elsewhere).
    let to_workload = members
        .iter()
        .any(|(_, m)| m.starts_with("serviceAccount:"))
        || kinds.iter().any(|(_, k)| *k == "ServiceAccount")
        || types.iter().any(|(_, t)| *t == "ServicePrincipal")
        || (members.is_empty() && kinds.is_empty() && types.is_empty());
    if admin && to_workload {
        out.at(r, top(p), format!("`{}` grants `{role}` to a workload identity", r.name))
            .label("administrator role")
            .help(format!("grant a narrower role than `{role}` (e.g. `roles/storage.objectUser` on one bucket, or a Kubernetes Role limited to one namespace)"));
    }
}
