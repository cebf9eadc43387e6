use super::prelude::*;

rule! {
    /// ## What it checks
    /// An object storage bucket without versioning: `versioning = false` on the curated buckets, a
    /// `cfn.AWS.S3.Bucket` whose `VersioningConfiguration.Status` is not `Enabled` (or unset), a
    /// `tf.aws_s3_bucket_versioning` not `Enabled`, a `tf.google_storage_bucket`,
    /// `dm.storage.v1.bucket` or `tf.azurerm_storage_account` (blob versioning) without it.
    ///
    /// ## Why it matters
    /// Without versions, an overwrite or delete — by a bug, a compromised credential or
    /// ransomware — destroys the data for good. Versioning (with a lifecycle rule expiring old
    /// versions) is the cheapest recovery mechanism. Checkov: `CKV_AWS_21`, `CKV_GCP_78`.
    ///
    /// ## Example
    /// ```strata
    /// resource uploads: aws.s3.Bucket { versioning = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource uploads: aws.s3.Bucket { versioning = true }
    /// ```
    pub static RULE = {
        code: "SEC003",
        name: "bucket-versioning-disabled",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "no versioning";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.s3.Bucket", "versioning", Is::False, OFF),
    read("gcp.storage.Bucket", "versioning", Is::False, OFF),
    read("azure.storage.Account", "versioning", Is::False, OFF),
    read("cfn.AWS.S3.Bucket", "VersioningConfiguration.Status", Is::NoneOfOrUnset(&["Enabled"]), OFF),
    // Terraform: the bucket's versioning is a resource of its own (the inline block is deprecated).
    read("tf.aws_s3_bucket", "versioning.enabled", Is::False, OFF),
    read("tf.aws_s3_bucket_versioning", "versioning_configuration.status", Is::NoneOf(&["Enabled"]), OFF),
    read("tf.google_storage_bucket", "versioning.enabled", Is::FalseOrUnset, OFF),
    read("tf.azurerm_storage_account", "blob_properties.versioning_enabled", Is::FalseOrUnset, OFF),
    read("dm.storage.v1.bucket", "versioning.enabled", Is::FalseOrUnset, OFF),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let on = match hit.value.and_then(Value::as_str) {
        Some(_) => "\"Enabled\"",
        None if hit.path().ends_with("Status") || hit.path().ends_with("status") => "\"Enabled\"",
        None => "true",
    };
    out.at(
        r,
        hit.prop(),
        format!("bucket `{}` is not versioned", r.name),
    )
    .label(hit.what())
    .help(fix(cx, r, &format!("{} = {on}", hit.path())));
}
