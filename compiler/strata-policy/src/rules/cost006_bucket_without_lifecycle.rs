use super::prelude::*;

rule! {
    /// ## What it checks
    /// An object storage bucket with no lifecycle rules: `lifecycle` empty on `aws.s3.Bucket` and
    /// `gcp.storage.Bucket`, no `LifecycleConfiguration` on `cfn.AWS.S3.Bucket`, no `lifecycle_rule`
    /// on `tf.google_storage_bucket`, no `lifecycle` on `dm.storage.v1.bucket`.
    ///
    /// ## Why it matters
    /// Without lifecycle rules every object (and, with versioning, every old version) stays in
    /// the most expensive storage class forever. Moving objects to an archive class after a
    /// few months and expiring old versions typically cuts storage cost by half or more.
    ///
    /// ## Example
    /// ```strata
    /// resource uploads: aws.s3.Bucket { versioning = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource uploads: aws.s3.Bucket {
    ///   versioning = true
    ///   lifecycle  = [{ after = 90d, storage_class = "GLACIER" }]
    /// }
    /// ```
    pub static RULE = {
        code: "COST006",
        name: "bucket-without-lifecycle",
        category: Cost,
        severity: Info,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const NONE: &str = "objects stay in the standard storage class forever";

fn empty(v: &Value) -> bool {
    v.as_list().is_some_and(|l| l.is_empty())
}

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.s3.Bucket", "lifecycle", Is::Test(empty), NONE),
    read("gcp.storage.Bucket", "lifecycle", Is::Test(empty), NONE),
    read("cfn.AWS.S3.Bucket", "LifecycleConfiguration", Is::Unset, NONE),
    read("tf.google_storage_bucket", "lifecycle_rule", Is::Unset, NONE),
    read("tf.google_storage_bucket", "lifecycle_rule", Is::Test(empty), NONE),
    read("dm.storage.v1.bucket", "lifecycle", Is::Unset, NONE),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    // A lowered bucket: the portable type's lifecycle rules.
    let ty = if cx.origin(r).is_some() {
        ""
    } else {
        r.ty.as_str()
    };
    let line = match ty {
        "cfn.AWS.S3.Bucket" => "LifecycleConfiguration = { Rules = [{ Status = \"Enabled\", Transitions = [{ StorageClass = \"GLACIER\", TransitionInDays = 90 }] }] }",
        "tf.google_storage_bucket" => "lifecycle_rule = [{ action = { type = \"SetStorageClass\", storage_class = \"ARCHIVE\" }, condition = { age = 90 } }]",
        "dm.storage.v1.bucket" => "lifecycle = { rule = [{ action = { type = \"SetStorageClass\", storageClass = \"ARCHIVE\" }, condition = { age = 90 } }] }",
        "gcp.storage.Bucket" => "lifecycle = [{ action = \"SetStorageClass\", age = 90d, storage_class = \"ARCHIVE\" }]",
        _ => "lifecycle = [{ after = 90d, storage_class = \"GLACIER\" }]",
    };
    out.at(
        r,
        hit.prop(),
        format!("bucket `{}` has no lifecycle rules", r.name),
    )
    .label(NONE)
    .help(fix(cx, r, line));
}
