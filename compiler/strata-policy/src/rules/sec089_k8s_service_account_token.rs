use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes service account that mounts its API token into every pod that uses it:
    /// `automount_token = true` on `k8s.ServiceAccount`; `automountServiceAccountToken` on
    /// `kube.core.v1.ServiceAccount` and `automount_service_account_token` on
    /// `tf.kubernetes_service_account`, true or unset (Kubernetes mounts it by default).
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
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const MOUNTED: &str = "token automounted";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("k8s.ServiceAccount", "automount_token", Is::True, MOUNTED),
    // Kubernetes mounts the token unless told not to.
    read("kube.core.v1.ServiceAccount", "automountServiceAccountToken", Is::TrueOrUnset, MOUNTED),
    read("tf.kubernetes_service_account_v1", "automount_service_account_token", Is::TrueOrUnset, MOUNTED),
    read("tf.kubernetes_service_account", "automount_service_account_token", Is::TrueOrUnset, MOUNTED),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    out.at(
        r,
        hit.prop(),
        format!(
            "service account `{}` mounts its API token into every pod",
            r.name
        ),
    )
    .label(MOUNTED)
    .help(fix(cx, r, &format!("{} = false", hit.path())));
}
