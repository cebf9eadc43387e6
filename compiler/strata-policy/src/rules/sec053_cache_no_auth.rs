use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Redis cache that accepts commands without authentication: Memorystore with
    /// `auth_enabled = false` (false or unset in `tf.google_redis_instance`), an ElastiCache
    /// replication group without an AUTH token or user groups (`AuthToken`/`UserGroupIds` of
    /// `cfn.AWS.ElastiCache.ReplicationGroup`, `auth_token`/`user_group_ids` of
    /// `tf.aws_elasticache_replication_group`, `auth_token` of the stdlib's
    /// `aws.elasticache.ReplicationGroup`). A portable `Cache` has AUTH unless it says
    /// `auth = false` (AWS: a token generated into Secrets Manager and injected into the
    /// services that reference the cache; GCP: Memorystore AUTH).
    ///
    /// ## Why it matters
    /// Any process that can reach the cache can read every key, and `CONFIG`/`EVAL` give it a
    /// foothold; network isolation alone fails with the first SSRF. Checkov: `CKV_GCP_95`,
    /// `CKV_AWS_31`.
    ///
    /// ## Example
    /// ```strata
    /// resource cache: gcp.redis.Instance { auth_enabled = false }
    /// resource sessions: aws.elasticache.ReplicationGroup { node_type = "cache.t4g.small" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource cache: gcp.redis.Instance { auth_enabled = true }
    /// resource token: aws.secretsmanager.Secret { generate = { length = 64, exclude_punctuation = true } }
    /// resource sessions: aws.elasticache.ReplicationGroup { node_type = "cache.t4g.small", auth_token = token }
    /// ```
    /// On ElastiCache, set the AUTH token from a secret (or user groups, where the schema has
    /// them); on a portable `Cache`, leave `auth` on (the finding is at its `auth = false`).
    pub static RULE = {
        code: "SEC053",
        name: "cache-no-auth",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "no AUTH";
const NO_TOKEN: &str = "no AUTH token or user group";
const GROUPS: &str = "user groups";
const TRANSIT: &str = "transit encryption";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("gcp.redis.Instance", "auth_enabled", Is::False, OFF),
    read("tf.google_redis_instance", "auth_enabled", Is::FalseOrUnset, OFF),
    read("cfn.AWS.ElastiCache.ReplicationGroup", "AuthToken", Is::Unset, NO_TOKEN),
    part("cfn.AWS.ElastiCache.ReplicationGroup", "UserGroupIds[]", GROUPS),
    part("cfn.AWS.ElastiCache.ReplicationGroup", "TransitEncryptionEnabled", TRANSIT),
    read("tf.aws_elasticache_replication_group", "auth_token", Is::Unset, NO_TOKEN),
    part("tf.aws_elasticache_replication_group", "user_group_ids[]", GROUPS),
    part("tf.aws_elasticache_replication_group", "transit_encryption_enabled", TRANSIT),
    read("aws.elasticache.ReplicationGroup", "auth_token", Is::Unset, NO_TOKEN),
    part("aws.elasticache.ReplicationGroup", "transit_encryption", TRANSIT),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if part_set(READS, r, GROUPS) {
        return;
    }
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let message = format!("cache `{}` accepts commands without authentication", r.name);
    let transit_off =
        first_part(READS, r, TRANSIT).is_some_and(|(_, v)| v.as_bool() == Some(false));
    // Lowered from a portable `Cache` with `auth = false`: the fix is on the portable resource.
    let portable = cx.origin(r).filter(|o| o.ty == "portable.Cache");
    let groups = READS.iter().any(|x| x.ty == r.ty && x.what == GROUPS);
    let d = match (hit.what(), portable) {
        (_, Some(o)) => out
            .report(cx.span_of(o, "auth", &[]), message)
            .label("authentication turned off")
            .help(fix(cx, o, "auth = true")),
        (OFF, None) => out.at(r, hit.prop(), message).label(OFF).help(fix(
            cx,
            r,
            &format!("{} = true", hit.path()),
        )),
        _ => out.at(r, hit.prop(), message).label(NO_TOKEN).help(format!(
            "set `{}` from a secret{} in `{}`",
            hit.path(),
            if groups { ", or user groups," } else { "" },
            r.name
        )),
    };
    if transit_off && hit.what() != OFF {
        let transit = READS
            .iter()
            .find(|x| x.ty == r.ty && x.what == TRANSIT)
            .map_or("transit_encryption", |x| x.path);
        d.note(format!(
            "ElastiCache accepts an AUTH token only with `{transit} = true`"
        ));
    }
}
