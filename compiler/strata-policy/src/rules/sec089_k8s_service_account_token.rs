use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes service account that mounts its API token into every pod using it
    /// (`automount_token = true`).
    ///
    /// ## Why it matters
    /// Most applications never call the Kubernetes API; a mounted token lets anyone who
    /// compromises the pod do so with the account's permissions. Mount it only in the pods
    /// that need it. Checkov: `CKV_K8S_38`.
    ///
    /// ## Example
    /// ```strata
    /// resource web_sa: k8s.ServiceAccount { automount_token = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource web_sa: k8s.ServiceAccount { automount_token = false }
    /// ```
    pub static RULE = {
        code: "SEC089",
        name: "k8s-service-account-token-mounted",
        category: Security,
        severity: Info,
        applies: Applies::Types(&["k8s.ServiceAccount"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, true)) = first_bool(r, &["automount_token", "automount_service_account_token"])
    {
        out.at(
            r,
            p,
            format!(
                "service account `{}` mounts its API token into every pod",
                r.name
            ),
        )
        .label("token automounted")
        .help(fix(cx, r, &format!("{p} = false")));
    }
}
