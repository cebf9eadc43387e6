use super::prelude::*;

rule! {
    /// ## What it checks
    /// An encryption key without automatic rotation: an AWS KMS key with `rotation = false`,
    /// a Cloud KMS key without a `rotation_period` (or one longer than 90 days), an Azure Key
    /// Vault key without a rotation policy.
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
        applies: Applies::Kinds(&[KEY]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // A Cloud KMS key ring only groups keys: it has no material and nothing to rotate.
    if r.ty == "gcp.kms.KeyRing" {
        return;
    }
    // Asymmetric and HMAC keys cannot rotate automatically on AWS.
    if get_str(r, "key_spec").is_some_and(|s| s != "SYMMETRIC_DEFAULT") {
        return;
    }
    if let Some((p, false)) =
        first_bool(r, &["rotation", "enable_key_rotation", "rotation_enabled"])
    {
        out.at(r, p, format!("key `{}` is never rotated", r.name))
            .label("rotation off")
            .help(fix(cx, r, &format!("{p} = true")));
        return;
    }
    if r.ty.starts_with("gcp.") || r.ty.starts_with("azure.") {
        let period = first(r, &["rotation_period", "rotation_policy", "rotation"]);
        match period {
            None => {
                out.at(
                    r,
                    "rotation_period",
                    format!("key `{}` has no rotation period", r.name),
                )
                .label("no rotation")
                .help(fix(cx, r, "rotation_period = 90d"));
            }
            Some((p, v)) => {
                let secs = match v {
                    Value::Str(s) => s.strip_suffix('s').and_then(|n| n.parse::<f64>().ok()),
                    v => seconds(v, 86400.0),
                };
                if let Some(secs) = secs {
                    if secs > 90.0 * 86400.0 {
                        out.at(
                            r,
                            p,
                            format!(
                                "key `{}` rotates every {:.0} days, more than 90",
                                r.name,
                                secs / 86400.0
                            ),
                        )
                        .label("rotation period above 90 days")
                        .help(fix(cx, r, &format!("{p} = 90d")));
                    }
                }
            }
        }
    }
}
