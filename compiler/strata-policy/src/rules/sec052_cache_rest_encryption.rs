use super::prelude::*;

rule! {
    /// ## What it checks
    /// An ElastiCache replication group or portable cache with `at_rest_encryption = false`.
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
        applies: Applies::Kinds(&[CACHE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, false)) = first_bool(
        r,
        &[
            "at_rest_encryption",
            "at_rest_encryption_enabled",
            "encryption_at_rest",
            "encrypted",
        ],
    ) {
        out.at(r, p, format!("cache `{}` is not encrypted at rest", r.name))
            .label("encryption at rest off")
            .help(fix(cx, r, &format!("{p} = true")));
    }
}
