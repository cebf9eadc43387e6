use super::prelude::*;

rule! {
    /// ## What it checks
    /// An ElastiCache replication group without encryption at rest: `at_rest_encryption = false` on
    /// `aws.elasticache.ReplicationGroup`, `AtRestEncryptionEnabled` false or unset on
    /// `cfn.AWS.ElastiCache.ReplicationGroup`, `at_rest_encryption_enabled` not `"true"` on
    /// `tf.aws_elasticache_replication_group`.
    ///
    /// ## Why it matters
    /// Snapshots and swap of an unencrypted cache hold the cached data — sessions, tokens,
    /// personal data — in clear. Checkov: `CKV_AWS_29`.
    ///
    /// ## Example
    /// ```strata
    /// resource cache: aws.elasticache.ReplicationGroup { at_rest_encryption = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource cache: aws.elasticache.ReplicationGroup { at_rest_encryption = true }
    /// ```
    pub static RULE = {
        code: "SEC052",
        name: "cache-no-encryption-at-rest",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "encryption at rest off";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.elasticache.ReplicationGroup", "at_rest_encryption", Is::False, OFF),
    read("cfn.AWS.ElastiCache.ReplicationGroup", "AtRestEncryptionEnabled", Is::FalseOrUnset, OFF),
    // A string in the Terraform provider (`"true"`).
    read("tf.aws_elasticache_replication_group", "at_rest_encryption_enabled", Is::NoneOfOrUnset(&["true"]), OFF),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let on = if r.ty.starts_with("tf.") {
        "\"true\""
    } else {
        "true"
    };
    out.at(
        r,
        hit.prop(),
        format!("cache `{}` is not encrypted at rest", r.name),
    )
    .label(hit.what())
    .help(fix(cx, r, &format!("{} = {on}", hit.path())));
}
