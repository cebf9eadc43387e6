use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes cluster that does not encrypt Secrets with a KMS key: EKS without
    /// `secrets_key` (envelope encryption), GKE without `database_encryption`.
    ///
    /// ## Why it matters
    /// Kubernetes Secrets are only base64 in etcd; envelope encryption with a key you control
    /// protects them in backups and snapshots of the control plane. Checkov: `CKV_AWS_58`.
    ///
    /// ## Example
    /// ```strata
    /// resource eks: aws.eks.Cluster { version = "1.30" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource eks: aws.eks.Cluster { version = "1.30", secrets_key = key }
    /// ```
    pub static RULE = {
        code: "SEC071",
        name: "cluster-secrets-unencrypted",
        category: Security,
        severity: Warning,
        applies: Applies::Types(&["aws.eks.Cluster", "gcp.container.Cluster"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let names = [
        "secrets_key",
        "secrets_encryption",
        "encryption_config",
        "database_encryption",
        "secrets_kms_key",
    ];
    match first(r, &names) {
        Some((p, Value::Bool(false))) => {
            out.at(
                r,
                p,
                format!(
                    "cluster `{}` stores Secrets without envelope encryption",
                    r.name
                ),
            )
            .label("no secrets encryption")
            .help(fix(cx, r, &format!("{p} = <a KMS key>")));
        }
        Some(_) => {}
        None => {
            let Some(p) = names.into_iter().find(|p| cx.can_set(r, p)) else {
                return;
            };
            out.at(
                r,
                p,
                format!(
                    "cluster `{}` stores Secrets without envelope encryption",
                    r.name
                ),
            )
            .label("no secrets encryption")
            .help(fix(cx, r, &format!("{p} = <a KMS key>")));
        }
    }
}
