use super::prelude::*;

rule! {
    /// ## What it checks
    /// A KMS key that is never rotated, or rotated less often than every 90 days: `rotation = false`
    /// on `aws.kms.Key`, `EnableKeyRotation` false or unset on `cfn.AWS.KMS.Key`,
    /// `enable_key_rotation` false or unset on `tf.aws_kms_key` (symmetric keys only: asymmetric and
    /// HMAC keys cannot rotate automatically); a Cloud KMS or Key Vault key without a rotation
    /// period or with one above 90 days (`rotation_period` on `gcp.kms.CryptoKey`,
    /// `azure.keyvault.Key` and `tf.google_kms_crypto_key`, the automatic rotation policy of
    /// `tf.azurerm_key_vault_key`).
    ///
    /// ## Why it matters
    /// Rotation limits how much data one key version protects and how long a leaked version
    /// stays useful; CIS AWS 3.8 and CIS GCP 1.10 require it. Checkov: `CKV_AWS_7`,
    /// `CKV_GCP_43`.
    ///
    /// ## Example
    /// ```strata
    /// resource key: aws.kms.Key { rotation = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource key: aws.kms.Key { rotation = true }
    /// ```
    pub static RULE = {
        code: "SEC040",
        name: "key-rotation-disabled",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "rotation off";
/// The key's kind: only symmetric encryption keys rotate automatically.
const SPEC: &str = "key spec";
const PERIOD: &str = "rotation period";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.kms.Key", "rotation", Is::False, OFF),
    part("aws.kms.Key", "key_spec", SPEC),
    // CloudFormation and Terraform do not rotate unless told to.
    read("cfn.AWS.KMS.Key", "EnableKeyRotation", Is::FalseOrUnset, OFF),
    part("cfn.AWS.KMS.Key", "KeySpec", SPEC),
    read("tf.aws_kms_key", "enable_key_rotation", Is::FalseOrUnset, OFF),
    part("tf.aws_kms_key", "customer_master_key_spec", SPEC),
    part("gcp.kms.CryptoKey", "rotation_period", PERIOD),
    part("gcp.kms.CryptoKey", "purpose", SPEC),
    part("azure.keyvault.Key", "rotation_period", PERIOD),
    part("tf.google_kms_crypto_key", "rotation_period", PERIOD),
    part("tf.google_kms_crypto_key", "purpose", SPEC),
    part("tf.azurerm_key_vault_key", "rotation_policy.automatic.time_after_creation", PERIOD),
];

/// Specs of keys that rotate: AWS symmetric keys, Cloud KMS encryption keys.
const ROTATING: &[&str] = &["SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // Asymmetric, HMAC and signing keys cannot rotate automatically.
    if first_part(READS, r, SPEC)
        .and_then(|(_, v)| v.as_str())
        .is_some_and(|s| !ROTATING.contains(&s))
    {
        return;
    }
    if let Some(hit) = first_fault(READS, r) {
        out.at(r, hit.prop(), format!("key `{}` is never rotated", r.name))
            .label(hit.what())
            .help(fix(cx, r, &format!("{} = true", hit.path())));
        return;
    }
    let Some(path) = READS
        .iter()
        .find(|x| x.ty == r.ty && x.what == PERIOD)
        .map(|x| x.path)
    else {
        return;
    };
    let days_line = |days: u32| match r.ty.split('.').next() {
        Some("tf") if r.ty.starts_with("tf.google") => format!("{path} = \"{}s\"", days * 86400),
        Some("tf") => format!("{path} = \"P{days}D\""),
        _ => format!("{path} = {days}d"),
    };
    match first_part(READS, r, PERIOD) {
        None => {
            out.at(
                r,
                top(path),
                format!("key `{}` has no rotation period", r.name),
            )
            .label("no rotation")
            .help(fix(cx, r, &days_line(90)));
        }
        Some((p, v)) => {
            if let Some(secs) = duration_secs(v, 86400.0).filter(|s| *s > 90.0 * 86400.0) {
                out.at(
                    r,
                    top(p),
                    format!(
                        "key `{}` rotates every {:.0} days, more than 90",
                        r.name,
                        secs / 86400.0
                    ),
                )
                .label("rotation period above 90 days")
                .help(fix(cx, r, &days_line(90)));
            }
        }
    }
}
