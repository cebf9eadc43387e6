use super::prelude::*;

rule! {
    /// ## What it checks
    /// An S3 bucket, Azure storage account or portable `ObjectStore` that does not encrypt
    /// with a customer-managed KMS key (`encryption` unset or turned off). Cloud Storage always
    /// encrypts and is only flagged when `encryption = false` is written.
    ///
    /// ## Why it matters
    /// A customer-managed key puts access to the data under a key policy you control and
    /// audit, lets you revoke access by disabling the key, and is what most compliance
    /// frameworks ask for. Checkov: `CKV_AWS_145`.
    ///
    /// ## Example
    /// ```strata
    /// resource uploads: aws.s3.Bucket { versioning = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource key: aws.kms.Key { rotation = true }
    /// resource uploads: aws.s3.Bucket { versioning = true, encryption = key }
    /// ```
    pub static RULE = {
        code: "SEC002",
        name: "bucket-unencrypted",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[BUCKET]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    match first(
        r,
        &["encryption", "kms_key", "encryption_key", "default_kms_key"],
    ) {
        Some((p, Value::Bool(false))) => {
            out.at(r, p, format!("bucket `{}` is not encrypted", r.name))
                .label("encryption turned off")
                .help(fix(cx, r, &format!("{p} = <a KMS key>")));
        }
        Some(_) => {}
        None if r.ty.starts_with("gcp.") => {}
        None => {
            out.at(
                r,
                "encryption",
                format!(
                    "bucket `{}` is not encrypted with a customer-managed key",
                    r.name
                ),
            )
            .label("no KMS key")
            .help(fix(cx, r, "encryption = <a KMS key resource>"));
        }
    }
}
