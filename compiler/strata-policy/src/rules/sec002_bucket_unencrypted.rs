use super::prelude::*;

rule! {
    /// ## What it checks
    /// An S3 bucket that is not encrypted with a customer-managed KMS key: `aws.s3.Bucket` without
    /// `encryption`, `cfn.AWS.S3.Bucket` without a `KMSMasterKeyID` in its `BucketEncryption`, a
    /// `tf.aws_s3_bucket_server_side_encryption_configuration` without `kms_master_key_id`.
    ///
    /// A bucket that receives S3 server access logs or load balancer access logs (another
    /// bucket's `logging`, a load balancer's `access_logs`) is not flagged: AWS delivers those
    /// logs only to buckets encrypted with S3-managed keys (SSE-S3), so SSE-S3 is what such a
    /// bucket must have. Nor is the flow-log bucket a `portable.Network` creates (`flow_logs`):
    /// the portable type has no key setting, its lowering chooses SSE-S3 (the log delivery
    /// service writes there with no key policy to admit it), and flow logs hold addresses, ports
    /// and byte counts, not data; declare the VPC and its log bucket yourself to use a key.
    ///
    /// Cloud Storage and Azure Storage always encrypt with provider-managed keys and are not
    /// flagged.
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
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const NO_KEY: &str = "no KMS key";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.s3.Bucket", "encryption", Is::Unset, NO_KEY),
    read("cfn.AWS.S3.Bucket", "BucketEncryption.ServerSideEncryptionConfiguration[].ServerSideEncryptionByDefault.KMSMasterKeyID", Is::Unset, NO_KEY),
    // Terraform writes a bucket's encryption as a resource of its own.
    read("tf.aws_s3_bucket_server_side_encryption_configuration", "rule[].apply_server_side_encryption_by_default.kms_master_key_id", Is::Unset, NO_KEY),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    // S3 server access logs and ELB access logs are delivered only to SSE-S3 buckets.
    if matches!(log_sink(cx, r), Some(LogSink::SseS3Only)) {
        return;
    }
    // The flow-log bucket of a portable network: SSE-S3 by the lowering's choice (see above).
    if r.ty == "aws.s3.Bucket"
        && cx.origin(r).is_some_and(|o| o.ty == "portable.Network")
        && log_sink(cx, r).is_some()
    {
        return;
    }
    let field = hit.path().rsplit('.').next().unwrap_or(hit.path());
    let help = if hit.path() == hit.prop() {
        fix(cx, r, &format!("{} = <a KMS key resource>", hit.path()))
    } else {
        Help::from(format!(
            "write `{field} = <a KMS key ARN>` in `{}` of `{}` (SSE-KMS with a customer-managed key)",
            hit.prop(),
            r.name
        ))
    };
    out.at(
        r,
        hit.prop(),
        format!(
            "bucket `{}` is not encrypted with a customer-managed key",
            r.name
        ),
    )
    .label(hit.what())
    .help(help);
}
