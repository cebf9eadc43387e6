use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes cluster whose API server is reachable from the whole internet: EKS with
    /// `endpoint_public = true` and no `public_cidrs` other than `0.0.0.0/0`,
    /// GKE without a private endpoint and without `master_authorized_networks`, AKS without
    /// `private_cluster` and without `api_server_authorized_ip_ranges`.
    ///
    /// ## Why it matters
    /// The API server is the keys to every workload and secret in the cluster; exposing it to
    /// the internet leaves only authentication between attackers and the cluster, and API
    /// server vulnerabilities do happen. Checkov: `CKV_AWS_39`, `CKV_AWS_38`, `CKV_GCP_18`,
    /// `CKV_AZURE_6`.
    ///
    /// ## Example
    /// ```strata
    /// resource eks: aws.eks.Cluster { endpoint_public = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource eks: aws.eks.Cluster { endpoint_public = false, endpoint_private = true }
    /// ```
    pub static RULE = {
        code: "SEC070",
        name: "cluster-public-endpoint",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[CLUSTER]),
        check: Check::Resource(check),
    }
}

fn restricted(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(v) => {
            let c = cidrs(v);
            let records = v
                .as_list()
                .map(|l| {
                    l.iter()
                        .filter_map(|x| x.get_path("cidr").or_else(|| x.get_path("cidr_block")))
                        .flat_map(cidrs)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            let all: Vec<&str> = c.into_iter().chain(records).collect();
            !all.is_empty() && !all.iter().any(|x| is_anywhere(x))
        }
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, public)) = first_bool(
        r,
        &[
            "endpoint_public",
            "endpoint_public_access",
            "public_endpoint",
            "public_api",
        ],
    ) {
        if public
            && !restricted(
                first(
                    r,
                    &[
                        "public_cidrs",
                        "public_access_cidrs",
                        "authorized_networks",
                        "master_authorized_networks",
                    ],
                )
                .map(|(_, v)| v),
            )
        {
            out.at(
                r,
                p,
                format!(
                    "the API server of cluster `{}` is open to the internet",
                    r.name
                ),
            )
            .label("public API endpoint")
            .help(fix(cx, r, &format!("{p} = false")));
        }
        return;
    }
    if let Some((p, private)) = first_bool(
        r,
        &[
            "private_cluster",
            "private_endpoint",
            "enable_private_endpoint",
            "private_cluster_enabled",
        ],
    ) {
        if !private
            && !restricted(
                first(
                    r,
                    &[
                        "master_authorized_networks",
                        "authorized_networks",
                        "api_server_authorized_ip_ranges",
                    ],
                )
                .map(|(_, v)| v),
            )
        {
            out.at(
                r,
                p,
                format!(
                    "the API server of cluster `{}` is open to the internet",
                    r.name
                ),
            )
            .label("public API endpoint")
            .help(fix(cx, r, &format!("{p} = true")));
        }
    }
}
