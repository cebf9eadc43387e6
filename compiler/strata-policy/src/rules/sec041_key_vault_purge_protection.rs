use super::prelude::*;

rule! {
    /// ## What it checks
    /// An Azure Key Vault without purge protection (`purge_protection = false`) or with soft
    /// delete shorter than 7 days, and an AWS KMS key or GCP key whose deletion waiting period
    /// is shorter than the rule's `min_days` option (default 7).
    ///
    /// ## Why it matters
    /// Deleting a key makes every piece of data encrypted with it unreadable. A waiting period
    /// (AWS pending window, Azure purge protection) is the chance to notice and cancel a
    /// malicious or mistaken deletion. Checkov: `CKV_AZURE_42`, `CKV_AZURE_110`.
    ///
    /// ## Example
    /// ```strata
    /// resource vault: azure.keyvault.Vault { purge_protection = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource vault: azure.keyvault.Vault { purge_protection = true }
    /// ```
    pub static RULE = {
        code: "SEC041",
        name: "key-deletion-unprotected",
        category: Security,
        severity: Warning,
        applies: Applies::Types(&["azure.keyvault.Vault", "azure.keyvault.KeyVault", "aws.kms.Key", "gcp.kms.CryptoKey"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, false)) = first_bool(r, &["purge_protection", "purge_protection_enabled"]) {
        out.at(
            r,
            p,
            format!("key vault `{}` can be purged immediately", r.name),
        )
        .label("purge protection off")
        .help(fix(cx, r, &format!("{p} = true")));
        return;
    }
    let min = cx.option_f64("min_days").unwrap_or(7.0);
    for p in [
        "pending_window",
        "deletion_window",
        "soft_delete_retention",
        "destroy_scheduled_duration",
    ] {
        if let Some(secs) = get(r, p).and_then(|v| seconds(v, 86400.0)) {
            if secs < min * 86400.0 {
                out.at(
                    r,
                    p,
                    format!(
                        "key `{}` is destroyed {:.0} day(s) after deletion, less than {min}",
                        r.name,
                        secs / 86400.0
                    ),
                )
                .label("short deletion window")
                .help(fix(cx, r, &format!("{p} = 30d")));
            }
            return;
        }
    }
}
