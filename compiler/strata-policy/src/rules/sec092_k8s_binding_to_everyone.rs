use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes role binding whose subjects are everyone who can reach the API server: the
    /// user `system:anonymous`, the group `system:unauthenticated` (requests without
    /// credentials), or the group `system:authenticated` (every identity the cluster accepts —
    /// on GKE any Google account, on EKS any IAM principal mapped in). Read on
    /// `kube.rbac.v1.RoleBinding`/`ClusterRoleBinding` (`subjects`) and
    /// `tf.kubernetes_role_binding`/`tf.kubernetes_cluster_role_binding` and their `_v1` forms
    /// (`subject`). The bindings Kubernetes itself creates for these groups refer to
    /// `system:` roles (`system:public-info-viewer`, `system:discovery`, `system:basic-user`)
    /// and are left out. Each such subject is a finding.
    ///
    /// ## Why it matters
    /// Whatever the role allows, the whole network (or every account of the identity provider)
    /// gets: `view` bound to `system:unauthenticated` hands every ConfigMap and workload to an
    /// anonymous caller, `cluster-admin` bound to `system:authenticated` hands the cluster to
    /// anyone with a Google account (GKE's documentation: "avoid binding roles to
    /// system:authenticated"). The CIS Kubernetes Benchmark's RBAC section asks for it.
    ///
    /// ## Example
    /// ```strata
    /// import kube
    /// resource anyone_views: kube.rbac.v1.ClusterRoleBinding {
    ///   roleRef  = { apiGroup = "rbac.authorization.k8s.io", kind = "ClusterRole", name = "view" }
    ///   subjects = [{ kind = "Group", name = "system:unauthenticated", apiGroup = "rbac.authorization.k8s.io" }]
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// import kube
    /// resource ops_views: kube.rbac.v1.ClusterRoleBinding {
    ///   roleRef  = { apiGroup = "rbac.authorization.k8s.io", kind = "ClusterRole", name = "view" }
    ///   subjects = [{ kind = "Group", name = "ops@example.org", apiGroup = "rbac.authorization.k8s.io" }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC092",
        name: "k8s-binding-to-everyone",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const SUBJECTS: &str = "subjects";
const ROLE: &str = "role";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("kube.rbac.v1.RoleBinding", "subjects[].name", SUBJECTS),
    part("kube.rbac.v1.RoleBinding", "roleRef.name", ROLE),
    part("kube.rbac.v1.ClusterRoleBinding", "subjects[].name", SUBJECTS),
    part("kube.rbac.v1.ClusterRoleBinding", "roleRef.name", ROLE),
    part("tf.kubernetes_role_binding", "subject[].name", SUBJECTS),
    part("tf.kubernetes_role_binding", "role_ref.name", ROLE),
    part("tf.kubernetes_role_binding_v1", "subject[].name", SUBJECTS),
    part("tf.kubernetes_role_binding_v1", "role_ref.name", ROLE),
    part("tf.kubernetes_cluster_role_binding", "subject[].name", SUBJECTS),
    part("tf.kubernetes_cluster_role_binding", "role_ref.name", ROLE),
    part("tf.kubernetes_cluster_role_binding_v1", "subject[].name", SUBJECTS),
    part("tf.kubernetes_cluster_role_binding_v1", "role_ref.name", ROLE),
];

/// The subjects that are everyone, and who they are.
const EVERYONE: &[(&str, &str)] = &[
    ("system:anonymous", "every request without credentials"),
    (
        "system:unauthenticated",
        "every request without credentials",
    ),
    ("system:authenticated", "every identity the cluster accepts"),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let role = first_part(READS, r, ROLE)
        .and_then(|(_, v)| v.as_str())
        .unwrap_or("");
    // Kubernetes' own bindings of these groups name `system:` roles.
    if role.starts_with("system:") {
        return;
    }
    for x in READS.iter().filter(|x| x.ty == r.ty && x.what == SUBJECTS) {
        for (at, v) in crate::reads::located(r, x.path) {
            let Some(name) = v.as_str().map(str::trim) else {
                continue;
            };
            let Some((_, who)) = EVERYONE.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            out.report(
                cx.span_at(r, &at, &[]),
                format!("`{}` binds `{role}` to `{name}`", r.name),
            )
            .label(*who)
            .help("bind the role to the groups, users or service accounts that need it (an identity provider group, `kind = \"ServiceAccount\"` with its namespace)");
        }
    }
}
