use super::prelude::*;

rule! {
    /// ## What it checks
    /// An EKS cluster without the `api` or `audit` control-plane logs (`log_types` empty), or a
    /// GKE cluster with `logging_service = "none"`.
    ///
    /// ## Why it matters
    /// The API server audit log records who did what in the cluster — the evidence of
    /// privilege escalation and of secrets read. Checkov: `CKV_AWS_37`, `CKV_GCP_1`.
    ///
    /// ## Example
    /// ```strata
    /// resource eks: aws.eks.Cluster { version = "1.30", log_types = [] }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource eks: aws.eks.Cluster { version = "1.30", log_types = ["api", "audit", "authenticator"] }
    /// ```
    pub static RULE = {
        code: "SEC072",
        name: "cluster-audit-logging-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Types(&["aws.eks.Cluster", "gcp.container.Cluster"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if r.ty.starts_with("gcp.") {
        if let Some((p, v)) = first_str(r, &["logging_service"]) {
            if v.eq_ignore_ascii_case("none") {
                out.at(r, p, format!("cluster `{}` sends no logs", r.name))
                    .label("logging off")
                    .help(fix(
                        cx,
                        r,
                        &format!("{p} = \"logging.googleapis.com/kubernetes\""),
                    ));
            }
        }
        return;
    }
    let logged = match first(
        r,
        &[
            "logging",
            "enabled_log_types",
            "enabled_cluster_log_types",
            "log_types",
        ],
    ) {
        Some((_, Value::List(l))) => l
            .iter()
            .any(|t| t.as_str().is_some_and(|s| s == "audit" || s == "api")),
        Some((_, Value::Bool(b))) => *b,
        Some(_) => true,
        None => false,
    };
    if !logged {
        let Some(p) = ["log_types", "logging", "enabled_log_types"]
            .into_iter()
            .find(|p| cx.can_set(r, p))
        else {
            return;
        };
        out.at(
            r,
            p,
            format!("cluster `{}` keeps no API server audit log", r.name),
        )
        .label("no control-plane logs")
        .help(fix(
            cx,
            r,
            &format!("{p} = [\"api\", \"audit\", \"authenticator\"]"),
        ));
    }
}
