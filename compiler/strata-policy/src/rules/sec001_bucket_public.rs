use super::prelude::*;

rule! {
    /// ## What it checks
    /// An object storage bucket that anyone on the internet can read or list: an S3 bucket with
    /// a public ACL or its public access block turned off, a Cloud Storage bucket open to
    /// `allUsers` or without public access prevention, an Azure storage account that allows
    /// public blob access, or a portable `ObjectStore` with `public = true` — curated types and
    /// their CloudFormation, Terraform and Deployment Manager forms (`cfn.AWS.S3.Bucket`,
    /// `tf.aws_s3_bucket_public_access_block`, `tf.aws_s3_bucket_acl`,
    /// `tf.google_storage_bucket`, `tf.google_storage_bucket_iam_member`,
    /// `tf.azurerm_storage_account`, `dm.storage.v1.bucket`, ...).
    ///
    /// ## Why it matters
    /// Public buckets are the most common source of cloud data leaks: backups, exports and user
    /// uploads end up indexed by scanners within hours. Checkov: `CKV_AWS_20`, `CKV_AWS_53`–`CKV_AWS_56`, `CKV2_AWS_6`,
    /// `CKV_GCP_28`, `CKV_GCP_114`, `CKV_AZURE_190`.
    ///
    /// ## Example
    /// ```strata
    /// resource uploads: aws.s3.Bucket { block_public_access = false }
    /// ```
    ///
    /// ## Fix
    /// Keep the bucket private and serve public files through a CDN with origin access:
    /// ```strata
    /// resource uploads: aws.s3.Bucket { block_public_access = true }
    /// ```
    pub static RULE = {
        code: "SEC001",
        name: "bucket-public",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const PUBLIC: &str = "public access";
const ACL: &str = "public ACL";
const MEMBERS: &str = "public members";
const BLOCK_OFF: &str = "public access block off";
const PREVENTION: &str = "public access prevention not enforced";

const ALL_USERS: Is = Is::OneOf(&["allUsers", "allAuthenticatedUsers"]);
const GCS_PUBLIC_ACL: Is = Is::OneOf(&["publicRead", "publicReadWrite", "authenticatedRead"]);
const S3_PUBLIC_ACL: Is = Is::OneOf(&["public-read", "public-read-write", "authenticated-read"]);
const NOT_ENFORCED: Is = Is::NoneOfOrUnset(&["enforced"]);

/// An S3 grantee that is everyone (`http://acs.amazonaws.com/groups/global/AllUsers`).
fn all_users_uri(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|u| u.ends_with("/AllUsers") || u.ends_with("/AuthenticatedUsers"))
}

/// A Cloud Storage ACL entry (`READER:allUsers`) that is everyone.
fn all_users_entry(v: &Value) -> bool {
    v.as_str().is_some_and(|e| {
        let who = e.rsplit(':').next().unwrap_or(e);
        who == "allUsers" || who == "allAuthenticatedUsers"
    })
}

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.s3.Bucket", "block_public_access", Is::False, BLOCK_OFF),
    read("cfn.AWS.S3.Bucket", "AccessControl", Is::OneOf(&["PublicRead", "PublicReadWrite", "AuthenticatedRead"]), ACL),
    read("cfn.AWS.S3.Bucket", "PublicAccessBlockConfiguration.BlockPublicAcls", Is::False, BLOCK_OFF),
    read("cfn.AWS.S3.Bucket", "PublicAccessBlockConfiguration.BlockPublicPolicy", Is::False, BLOCK_OFF),
    read("cfn.AWS.S3.Bucket", "PublicAccessBlockConfiguration.IgnorePublicAcls", Is::False, BLOCK_OFF),
    read("cfn.AWS.S3.Bucket", "PublicAccessBlockConfiguration.RestrictPublicBuckets", Is::False, BLOCK_OFF),
    read("tf.aws_s3_bucket", "acl", S3_PUBLIC_ACL, ACL),
    read("tf.aws_s3_bucket", "grant[].uri", Is::Test(all_users_uri), MEMBERS),
    read("tf.aws_s3_bucket_acl", "acl", S3_PUBLIC_ACL, ACL),
    read("tf.aws_s3_bucket_acl", "access_control_policy.grant[].grantee.uri", Is::Test(all_users_uri), MEMBERS),
    // Terraform's public access block: every setting defaults to `false`.
    read("tf.aws_s3_bucket_public_access_block", "block_public_acls", Is::FalseOrUnset, BLOCK_OFF),
    read("tf.aws_s3_bucket_public_access_block", "block_public_policy", Is::FalseOrUnset, BLOCK_OFF),
    read("tf.aws_s3_bucket_public_access_block", "ignore_public_acls", Is::FalseOrUnset, BLOCK_OFF),
    read("tf.aws_s3_bucket_public_access_block", "restrict_public_buckets", Is::FalseOrUnset, BLOCK_OFF),
    read("gcp.storage.Bucket", "public_access_prevention", Is::NoneOf(&["enforced"]), PREVENTION),
    read("tf.google_storage_bucket", "public_access_prevention", NOT_ENFORCED, PREVENTION),
    read("tf.google_storage_bucket_iam_member", "member", ALL_USERS, MEMBERS),
    read("tf.google_storage_bucket_iam_binding", "members[]", ALL_USERS, MEMBERS),
    read("tf.google_storage_bucket_access_control", "entity", ALL_USERS, MEMBERS),
    read("tf.google_storage_bucket_acl", "predefined_acl", GCS_PUBLIC_ACL, ACL),
    read("tf.google_storage_bucket_acl", "role_entity[]", Is::Test(all_users_entry), MEMBERS),
    read("dm.storage.v1.bucket", "acl[].entity", ALL_USERS, MEMBERS),
    read("dm.storage.v1.bucket", "defaultObjectAcl[].entity", ALL_USERS, MEMBERS),
    read("dm.storage.v1.bucket", "predefinedAcl", GCS_PUBLIC_ACL, ACL),
    read("dm.storage.v1.bucket", "iamConfiguration.publicAccessPrevention", NOT_ENFORCED, PREVENTION),
    read("azure.storage.Account", "allow_blob_public_access", Is::True, PUBLIC),
    read("tf.azurerm_storage_account", "allow_nested_items_to_be_public", Is::True, PUBLIC),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let (p, prop) = (hit.path(), hit.prop());
    let d = match hit.what() {
        PUBLIC => out
            .at(
                r,
                prop,
                format!("bucket `{}` is readable by anyone on the internet", r.name),
            )
            .help(fix(cx, r, &format!("{p} = false"))),
        ACL => {
            let private = if r.ty.starts_with("cfn.") {
                "Private"
            } else {
                "private"
            };
            out.at(
                r,
                prop,
                format!("bucket `{}` has the public ACL `{}`", r.name, hit.shown()),
            )
            .help(fix(cx, r, &format!("{p} = \"{private}\"")))
        }
        MEMBERS => out
            .at(
                r,
                prop,
                format!(
                    "bucket `{}` grants access to everyone (`{}`)",
                    r.name,
                    hit.shown()
                ),
            )
            .help(format!(
                "remove `{}` from `{prop}` of `{}`",
                hit.shown(),
                r.name
            )),
        BLOCK_OFF => out
            .at(
                r,
                prop,
                format!("bucket `{}` has its public access block turned off", r.name),
            )
            .help(fix(cx, r, &format!("{p} = true"))),
        _ => out
            .at(
                r,
                prop,
                format!(
                    "bucket `{}` does not enforce public access prevention",
                    r.name
                ),
            )
            .help(fix(cx, r, &format!("{p} = \"enforced\""))),
    };
    d.label(hit.what());
}
