use super::prelude::*;

rule! {
    /// ## What it checks
    /// Administrator access granted to a workload identity: an AWS role with the
    /// `AdministratorAccess` (or `PowerUserAccess`, `IAMFullAccess`) managed policy, a GCP
    /// binding of `roles/owner` or `roles/editor` to a service account, an Azure `Owner` or
    /// `Contributor` assignment, or a Kubernetes binding of `cluster-admin`.
    ///
    /// ## Why it matters
    /// Workloads run untrusted input; when one is compromised its identity's permissions are
    /// the attacker's. Administrator on a workload turns an application bug into an account
    /// takeover. Checkov: `CKV_AWS_274`.
    ///
    /// ## Example
    /// ```strata
    /// resource api_role: aws.iam.Role { managed_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"] }
    /// ```
    ///
    /// ## Fix
    /// Grant the specific actions the service uses:
    /// ```strata
    /// resource api_role: aws.iam.Role {
    ///   statements = [{ effect = "Allow", actions = ["s3:GetObject"], resources = ["${uploads.arn}/*"] }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC032",
        name: "iam-admin-on-workload",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[IAM]),
        check: Check::Resource(check),
    }
}

fn cx_kind_identity(r: &Resource) -> bool {
    r.ty.ends_with("ServiceAccount")
}

const AWS_ADMIN: &[&str] = &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];
const GCP_ADMIN: &[&str] = &["roles/owner", "roles/editor", "roles/iam.securityAdmin"];
const AZURE_ADMIN: &[&str] = &["Owner", "Contributor", "User Access Administrator"];

fn check(_cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for p in [
        "managed_policies",
        "managed_policy_arns",
        "policy_arns",
        "policy_arn",
    ] {
        if let Some(v) = r.prop(p) {
            if let Some(a) = strings(v).into_iter().find(|a| {
                AWS_ADMIN
                    .iter()
                    .any(|n| a.ends_with(&format!("policy/{n}")) || a == n)
            }) {
                out.at(r, p, format!("`{}` has the administrator policy `{a}`", r.name))
                    .label("administrator access on a workload role")
                    .help("replace the managed policy with statements listing the actions and resources the workload uses");
                return;
            }
        }
    }
    // A service account with project roles (`gcp.iam.ServiceAccount { roles = [...] }`).
    if let Some(roles) = r.prop("roles").filter(|_| cx_kind_identity(r)) {
        if let Some(role) = strings(roles).into_iter().find(|x| GCP_ADMIN.contains(x)) {
            out.at(r, "roles", format!("service account `{}` has `{role}`", r.name))
                .label("administrator role")
                .help(format!("replace `{role}` with the narrow roles the workload needs (e.g. `roles/storage.objectUser`, `roles/cloudsql.client`)"));
            return;
        }
    }
    let role = ["role", "role_definition_name", "role_ref", "cluster_role"]
        .iter()
        .find_map(|p| get_str(r, p).map(|v| (*p, v)));
    let Some((p, role)) = role else { return };
    let members: Vec<&str> = ["member", "members", "principal", "subjects", "principal_id"]
        .iter()
        .filter_map(|m| r.prop(m))
        .flat_map(strings)
        .collect();
    let subject_sa = r
        .prop("subjects")
        .and_then(Value::as_list)
        .is_some_and(|l| {
            l.iter()
                .any(|s| s.get_path("kind").and_then(Value::as_str) == Some("ServiceAccount"))
        });
    let to_workload = members.iter().any(|m| m.starts_with("serviceAccount:"))
        || subject_sa
        || members.is_empty();
    let admin = GCP_ADMIN.contains(&role) || AZURE_ADMIN.contains(&role) || role == "cluster-admin";
    if admin && to_workload {
        out.at(r, p, format!("`{}` grants `{role}` to a workload identity", r.name))
            .label("administrator role")
            .help(format!("grant a narrower role than `{role}` (e.g. `roles/storage.objectUser` on one bucket, or a Kubernetes Role limited to one namespace)"));
    }
}
