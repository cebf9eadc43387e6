use super::prelude::*;

rule! {
    /// ## What it checks
    /// A key or key vault whose deletion cannot be undone in time: a Key Vault without purge
    /// protection (`purge_protection = false` on `azure.keyvault.Vault`, `purge_protection_enabled`
    /// false or unset on `tf.azurerm_key_vault`), or a deletion window shorter than the option
    /// `min_days` (default 7): `pending_window`/`PendingWindowInDays`/`deletion_window_in_days` of
    /// AWS keys, `destroy_scheduled_duration` of Cloud KMS keys, the soft-delete retention of Key
    /// Vaults.
    ///
    /// ## Why it matters
    /// Deleting a key makes every piece of data encrypted with it unreadable. A waiting period
    /// (AWS pending window, Azure purge protection) is the chance to notice and cancel a
    /// malicious or mistaken deletion. Checkov: `CKV_AZURE_42`, `CKV_AZURE_110`.
    ///
    /// ## Example
    /// ```strata
    /// resource vault: azure.keyvault.Vault { tenant_id = "00000000-0000-0000-0000-000000000000", purge_protection = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource vault: azure.keyvault.Vault { tenant_id = "00000000-0000-0000-0000-000000000000", purge_protection = true }
    /// ```
    pub static RULE = {
        code: "SEC041",
        name: "key-deletion-unprotected",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "purge protection off";
const WINDOW: &str = "deletion window";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("azure.keyvault.Vault", "purge_protection", Is::False, OFF),
    read("tf.azurerm_key_vault", "purge_protection_enabled", Is::FalseOrUnset, OFF),
    part("azure.keyvault.Vault", "soft_delete_retention", WINDOW),
    part("tf.azurerm_key_vault", "soft_delete_retention_days", WINDOW),
    part("aws.kms.Key", "pending_window", WINDOW),
    part("cfn.AWS.KMS.Key", "PendingWindowInDays", WINDOW),
    part("tf.aws_kms_key", "deletion_window_in_days", WINDOW),
    part("gcp.kms.CryptoKey", "destroy_scheduled_duration", WINDOW),
    part("tf.google_kms_crypto_key", "destroy_scheduled_duration", WINDOW),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some(hit) = first_fault(READS, r) {
        out.at(
            r,
            hit.prop(),
            format!("key vault `{}` can be purged immediately", r.name),
        )
        .label(hit.what())
        .help(fix(cx, r, &format!("{} = true", hit.path())));
        return;
    }
    let min = cx.option_f64("min_days").unwrap_or(7.0);
    let Some((p, v)) = first_part(READS, r, WINDOW) else {
        return;
    };
    let Some(secs) = duration_secs(v, 86400.0) else {
        return;
    };
    if secs < min * 86400.0 {
        let line = match v {
            Value::Str(_) => format!("{p} = \"{}s\"", 30 * 86400),
            Value::Quantity(_) => format!("{p} = 30d"),
            _ => format!("{p} = 30"),
        };
        out.at(
            r,
            top(p),
            format!(
                "key `{}` is destroyed {:.0} day(s) after deletion, less than {min}",
                r.name,
                secs / 86400.0
            ),
        )
        .label("short deletion window")
        .help(fix(cx, r, &line));
    }
}
