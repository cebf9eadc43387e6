use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Redis cache that accepts commands without authentication: Memorystore
    /// `auth_enabled = false`, a portable cache or other schema with `auth = false`, and an
    /// ElastiCache replication group (declared, or lowered from a portable `Cache` on AWS) with
    /// no AUTH token and no user group (`auth_token`, `user_groups` unset) — which is every one
    /// the stdlib can write today: its `aws.elasticache.ReplicationGroup` has no AUTH setting, so
    /// the emitted template has no `AuthToken` (Checkov `CKV_AWS_31` fails on it).
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
    /// ```
    /// On ElastiCache, set the AUTH token or user group where the schema has the setting;
    /// until the stdlib's schema has one, keep the cache in private subnets behind a security
    /// group and accept the finding with its reason (`// strata-ignore SEC053: ...`, scoped
    /// with `[aws]` in a source shared with other clouds).
    pub static RULE = {
        code: "SEC053",
        name: "cache-no-auth",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[CACHE]),
        check: Check::Resource(check),
    }
}

/// The ElastiCache settings that turn Redis AUTH on (a token, or RBAC user groups).
const ELASTICACHE_AUTH: [&str; 4] = [
    "auth_token",
    "auth_token_secret",
    "user_groups",
    "user_group_ids",
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, false)) = first_bool(
        r,
        &["auth_enabled", "auth", "auth_token_enabled", "require_auth"],
    ) {
        out.at(
            r,
            p,
            format!("cache `{}` accepts commands without authentication", r.name),
        )
        .label("no AUTH")
        .help(fix(cx, r, &format!("{p} = true")));
        return;
    }
    if r.ty != "aws.elasticache.ReplicationGroup" {
        return;
    }
    let set = |p: &str| {
        get(r, p).is_some_and(|v| {
            !matches!(v, Value::Null | Value::Bool(false))
                && !v.as_list().is_some_and(|l| l.is_empty())
        })
    };
    if ELASTICACHE_AUTH.iter().any(|p| set(p)) {
        return;
    }
    let settable = ELASTICACHE_AUTH.into_iter().find(|p| cx.can_set(r, p));
    let span = cx.span_of(r, settable.unwrap_or("auth_token"), &[]);
    let d = out
        .report(
            span,
            format!("cache `{}` accepts commands without authentication", r.name),
        )
        .label("no AUTH token or user group");
    match settable {
        Some(p) => {
            d.help(fix(cx, r, &format!("{p} = <a Secrets Manager secret>")));
        }
        None => {
            d.help(format!("the stdlib's `{}` cannot set an AUTH token yet: keep `{}` in private subnets behind a security group and accept this with its reason (`// strata-ignore SEC053: ...`)", r.ty, cx.origin(r).map_or(r.name.as_str(), |o| o.name.as_str())));
        }
    }
    if get_bool(r, "transit_encryption") == Some(false) {
        d.note("ElastiCache accepts an AUTH token only with `transit_encryption = true`");
    }
}
