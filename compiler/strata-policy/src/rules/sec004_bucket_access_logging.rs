use super::prelude::*;

rule! {
    /// ## What it checks
    /// An S3 or Cloud Storage bucket without server access logging: `logging` unset on
    /// `aws.s3.Bucket` and `gcp.storage.Bucket`, `LoggingConfiguration` on `cfn.AWS.S3.Bucket`,
    /// `logging` on `tf.google_storage_bucket` and `dm.storage.v1.bucket`. A bucket others log
    /// into (another bucket's `logging`, a load balancer's `access_logs`, CloudFront's `logging`)
    /// is not asked to log itself: its own logs would land in a second log bucket, and so on.
    /// A `portable.ObjectStore` logs by default (`access_logs`: on AWS and GCP a log bucket is
    /// created with it); one with `access_logs = false` is reported, and the fix names that.
    ///
    /// ## Why it matters
    /// Access logs are how you find out who read or deleted what after an incident; without
    /// them a leak cannot be scoped. Checkov: `CKV_AWS_18`, `CKV_GCP_62`.
    ///
    /// ## Example
    /// ```strata
    /// resource uploads: aws.s3.Bucket { versioning = true }
    /// ```
    ///
    /// ## Fix
    /// Send the logs to a separate bucket:
    /// ```strata
    /// resource logs: aws.s3.Bucket { versioning = true }
    /// resource uploads: aws.s3.Bucket { logging = { bucket = logs, prefix = "uploads/" } }
    /// ```
    pub static RULE = {
        code: "SEC004",
        name: "bucket-access-logging-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const NO_LOGS: &str = "no access logs";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.s3.Bucket", "logging", Is::Unset, NO_LOGS),
    read("gcp.storage.Bucket", "logging", Is::Unset, NO_LOGS),
    read("cfn.AWS.S3.Bucket", "LoggingConfiguration", Is::Unset, NO_LOGS),
    read("tf.google_storage_bucket", "logging", Is::Unset, NO_LOGS),
    read("dm.storage.v1.bucket", "logging", Is::Unset, NO_LOGS),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    // A bucket that other resources log into is the log bucket itself: don't ask it to log.
    if log_sink(cx, r).is_some() {
        return;
    }
    // A portable store lowered with its `access_logs` turned off (on AWS and GCP the lowering
    // sets `logging` when it is on, so a portable store reaches here only with it off).
    let portable = cx
        .origin(r)
        .and_then(|o| o.props.get("access_logs"))
        .is_some_and(|v| v.as_bool() == Some(false));
    let line = match r.ty.as_str() {
        _ if portable => "access_logs = true",
        "cfn.AWS.S3.Bucket" => "LoggingConfiguration = { DestinationBucketName = <a log bucket>, LogFilePrefix = \"...\" }",
        "tf.google_storage_bucket" => "logging = { log_bucket = <a log bucket> }",
        "dm.storage.v1.bucket" => "logging = { logBucket = <a log bucket> }",
        _ => "logging = { bucket = <a log bucket>, prefix = \"...\" }",
    };
    out.at(
        r,
        hit.prop(),
        format!("bucket `{}` has no access logging", r.name),
    )
    .label(hit.what())
    .help(fix(cx, r, line));
}
