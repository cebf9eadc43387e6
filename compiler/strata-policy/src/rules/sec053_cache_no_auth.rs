use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Redis cache that accepts commands without authentication: Memorystore
    /// `auth_enabled = false`, ElastiCache `auth = false`, or a portable cache with
    /// `auth = false`.
    ///
    /// ## Why it matters
    /// Any process that can reach the cache can read every key, and `CONFIG`/`EVAL` give it a
    /// foothold; network isolation alone fails with the first SSRF. Checkov: `CKV_GCP_95`,
    /// `CKV_AWS_31`.
    ///
    /// ## Example
    /// ```strata
    /// resource cache: gcp.redis.Instance { auth_enabled = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource cache: gcp.redis.Instance { auth_enabled = true }
    /// ```
    pub static RULE = {
        code: "SEC053",
        name: "cache-no-auth",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[CACHE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, false)) = first_bool(r, &["auth_enabled", "auth", "auth_token_enabled", "require_auth"]) {
        out.at(r, p, format!("cache `{}` accepts commands without authentication", r.name)).label("no AUTH").help(fix(cx, r, &format!("{p} = true")));
    }
}
