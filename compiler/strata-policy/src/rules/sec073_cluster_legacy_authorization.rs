use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes cluster whose API authorizes requests without RBAC: legacy ABAC turned on in
    /// GKE (`enable_legacy_abac = true` on `tf.google_container_cluster`, `cluster.legacyAbac.enabled` on
    /// `dm.container.v1.cluster`), Kubernetes RBAC turned off in AKS
    /// (`role_based_access_control_enabled = false` on `tf.azurerm_kubernetes_cluster`).
    ///
    /// ## Why it matters
    /// Legacy ABAC grants through static policy files that Kubernetes RBAC roles cannot narrow:
    /// on GKE it gives every service account broad rights over the cluster API, and an AKS
    /// cluster without RBAC lets any authenticated identity act as an administrator. Checkov:
    /// `CKV_GCP_7`, `CKV_AZURE_5`.
    ///
    /// ## Example
    /// ```strata
    /// import tf
    /// resource gke: tf.google_container_cluster { name = "main", location = "europe-west1", initial_node_count = 1, enable_legacy_abac = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// import tf
    /// resource gke: tf.google_container_cluster { name = "main", location = "europe-west1", initial_node_count = 1, enable_legacy_abac = false }
    /// ```
    pub static RULE = {
        code: "SEC073",
        name: "cluster-legacy-authorization",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const ABAC: &str = "legacy ABAC on";
const NO_RBAC: &str = "Kubernetes RBAC off";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("tf.google_container_cluster", "enable_legacy_abac", Is::True, ABAC),
    read("dm.container.v1.cluster", "cluster.legacyAbac.enabled", Is::True, ABAC),
    read("tf.azurerm_kubernetes_cluster", "role_based_access_control_enabled", Is::False, NO_RBAC),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let (message, line) = if hit.what() == ABAC {
        (
            format!("cluster `{}` authorizes with legacy ABAC", r.name),
            format!("{} = false", hit.path()),
        )
    } else {
        (
            format!("cluster `{}` has Kubernetes RBAC turned off", r.name),
            format!("{} = true", hit.path()),
        )
    };
    out.at(r, hit.prop(), message)
        .label(hit.what())
        .help(fix(cx, r, &line));
}
