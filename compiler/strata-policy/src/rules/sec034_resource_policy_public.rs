use super::iam::{statements_at, Form, Statement};
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A resource-based policy that lets any principal in: an `Allow` statement whose principal
    /// is `*` (`Principal = "*"`, `{ AWS = "*" }`, `arn:aws:iam::*:root`, or `principals = { aws
    /// = ["*"] }`) or that uses `NotPrincipal`, with no condition that narrows who the caller is
    /// (`aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOwner`, `aws:PrincipalOrgID`,
    /// `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceVpc`,
    /// `aws:SourceVpce`, `aws:SourceOrgID`, `aws:SourceIp`, `kms:CallerAccount` with an
    /// `...Equals`/`...Like`/`IpAddress` operator and a value that is not `*`). Read in KMS key
    /// policies (`aws.kms.Key` `policy`, `cfn.AWS.KMS.Key` `KeyPolicy`, `tf.aws_kms_key`,
    /// `tf.aws_kms_key_policy`), S3 bucket policies (`aws.s3.BucketPolicy`,
    /// `cfn.AWS.S3.BucketPolicy`, `tf.aws_s3_bucket_policy`), SQS and SNS policies
    /// (`cfn.AWS.SQS.QueuePolicy`, `cfn.AWS.SNS.TopicPolicy`, their inline forms,
    /// `tf.aws_sqs_queue_policy`, `tf.aws_sns_topic_policy`, the `policy` of `tf.aws_sqs_queue`
    /// and `tf.aws_sns_topic`), Secrets Manager resource policies
    /// (`cfn.AWS.SecretsManager.ResourcePolicy`, `tf.aws_secretsmanager_secret_policy`) and ECR
    /// repository policies (`cfn.AWS.ECR.Repository` `RepositoryPolicyText`,
    /// `tf.aws_ecr_repository_policy`). Terraform policies are JSON strings; references
    /// interpolated into them count as specific values.
    ///
    /// ## Why it matters
    /// A resource policy is evaluated for callers from every AWS account: with the principal
    /// `*` anyone can decrypt with the key, read the bucket, send to the queue or pull the
    /// images. Service integrations (an S3 event notification to a queue, CloudFront reading a
    /// bucket) name the service and restrict it with `aws:SourceArn`. Checkov: `CKV_AWS_33`,
    /// `CKV_AWS_70`, `CKV_AWS_168`, `CKV_AWS_169`, `CKV_AWS_32`.
    ///
    /// ## Example
    /// ```strata
    /// resource key: aws.kms.Key {
    ///   policy = [{ actions = ["kms:Decrypt"], principals = { aws = ["*"] } }]
    /// }
    /// ```
    ///
    /// ## Fix
    /// Name the principal, or restrict the wildcard by a condition on the caller:
    /// ```strata
    /// resource key: aws.kms.Key {
    ///   policy = [{
    ///     actions    = ["kms:Decrypt"]
    ///     principals = { aws = ["*"] }
    ///     conditions = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    ///   }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC034",
        name: "resource-policy-public",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || &READS_TABLE,
        check: Check::Resource(check),
    }
}

/// Where each type keeps its resource policy.
#[rustfmt::skip]
static DOCS: &[(&str, &str, Form)] = &[
    ("aws.kms.Key", "policy[]", Form::Statements),
    ("aws.s3.BucketPolicy", "statements[]", Form::Statements),
    ("cfn.AWS.KMS.Key", "KeyPolicy", Form::Document),
    ("cfn.AWS.S3.BucketPolicy", "PolicyDocument", Form::Document),
    ("cfn.AWS.SQS.QueuePolicy", "PolicyDocument", Form::Document),
    ("cfn.AWS.SQS.QueueInlinePolicy", "PolicyDocument", Form::Document),
    ("cfn.AWS.SNS.TopicPolicy", "PolicyDocument", Form::Document),
    ("cfn.AWS.SNS.TopicInlinePolicy", "PolicyDocument", Form::Document),
    ("cfn.AWS.SecretsManager.ResourcePolicy", "ResourcePolicy", Form::Document),
    ("cfn.AWS.ECR.Repository", "RepositoryPolicyText", Form::Document),
    ("tf.aws_kms_key", "policy", Form::Document),
    ("tf.aws_kms_key_policy", "policy", Form::Document),
    ("tf.aws_s3_bucket_policy", "policy", Form::Document),
    ("tf.aws_sqs_queue", "policy", Form::Document),
    ("tf.aws_sqs_queue_policy", "policy", Form::Document),
    ("tf.aws_sns_topic", "policy", Form::Document),
    ("tf.aws_sns_topic_policy", "policy", Form::Document),
    ("tf.aws_secretsmanager_secret", "policy", Form::Document),
    ("tf.aws_secretsmanager_secret_policy", "policy", Form::Document),
    ("tf.aws_ecr_repository_policy", "policy", Form::Document),
];

static READS_TABLE: std::sync::LazyLock<Vec<Read>> = std::sync::LazyLock::new(|| {
    DOCS.iter()
        .map(|(ty, path, _)| part(ty, path, "resource policy"))
        .collect()
});

/// Condition keys that narrow who the caller is (or where it calls from).
const NARROWING: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceip",
    "aws:userid",
    "kms:calleraccount",
];

/// Whether a principal is everyone.
pub(crate) fn everyone(p: &str) -> bool {
    let p = p.trim();
    p == "*" || p == "arn:aws:iam::*:root"
}

/// Whether a condition narrows the caller: a narrowing key, a positive operator, no `*` value.
pub(crate) fn narrowed(s: &Statement) -> bool {
    s.conditions().iter().any(|(op, key, vals)| {
        let op = op.to_ascii_lowercase();
        let op = op
            .trim_start_matches("forallvalues:")
            .trim_start_matches("foranyvalue:");
        let positive = !op.contains("not")
            && !op.contains("ifexists")
            && (op.ends_with("equals") || op.ends_with("like") || op == "ipaddress");
        positive
            && NARROWING.contains(&key.to_ascii_lowercase().as_str())
            && !vals.is_empty()
            && vals.iter().all(|v| !v.trim().is_empty() && v.trim() != "*")
    })
}

/// The first statement of `r`'s resource policy that lets anyone in.
fn open(r: &Resource) -> Option<(Statement, &'static str)> {
    for (_, path, form) in DOCS.iter().filter(|(ty, _, _)| *ty == r.ty) {
        for s in statements_at(r, path, *form) {
            if !s.allows() || narrowed(&s) {
                continue;
            }
            if s.principals().iter().any(|p| everyone(p)) {
                return Some((s, "principal `*`"));
            }
            if s.not_principal() {
                return Some((s, "`NotPrincipal` with `Allow`"));
            }
        }
    }
    None
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some((s, label)) = open(r) else { return };
    let t = r.ty.to_ascii_lowercase();
    let what = [
        ("kms", "key"),
        ("s3", "bucket"),
        ("sqs", "queue"),
        ("sns", "topic"),
        ("secretsmanager", "secret"),
        ("ecr", "repository"),
    ]
    .iter()
    .find(|(k, _)| t.contains(k))
    .map_or("resource", |(_, w)| w);
    let actions = s.actions();
    let act = if actions.is_empty() {
        String::new()
    } else {
        format!(" ({})", actions.join(", "))
    };
    let curated = r.ty.starts_with("aws.");
    let example = if curated {
        "conditions = { StringEquals = { \"aws:PrincipalOrgID\" = \"o-...\" } }"
    } else {
        "Condition = { StringEquals = { \"aws:SourceArn\" = ... } }"
    };
    out.report(
        cx.span_at(r, &s.path, &[]),
        format!("the policy of {what} `{}` lets any AWS principal in{act}", r.name),
    )
    .label(label)
    .help(format!(
        "name the principals (an account, a role, a service), or narrow `*` with a condition on the caller: `{example}`"
    ));
}
