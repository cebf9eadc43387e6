use super::prelude::*;

rule! {
    /// ## What it checks
    /// A cache that accepts unencrypted connections: ElastiCache `transit_encryption = false`,
    /// Memorystore `transit_encryption_mode = "DISABLED"`, Azure Cache with the non-TLS port
    /// enabled or a minimum TLS version below 1.2, a portable cache with `tls = false`.
    ///
    /// ## Why it matters
    /// Session tokens, cached query results and the cache's own auth token then cross the
    /// network in clear text. Checkov: `CKV_AWS_30`, `CKV_GCP_97`, `CKV_AZURE_91`.
    ///
    /// ## Example
    /// ```strata
    /// resource cache: aws.elasticache.ReplicationGroup { transit_encryption = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource cache: aws.elasticache.ReplicationGroup { transit_encryption = true }
    /// ```
    pub static RULE = {
        code: "SEC051",
        name: "cache-no-encryption-in-transit",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[CACHE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, false)) = first_bool(
        r,
        &[
            "transit_encryption",
            "transit_encryption_enabled",
            "tls",
            "encryption_in_transit",
        ],
    ) {
        out.at(
            r,
            p,
            format!("cache `{}` accepts unencrypted connections", r.name),
        )
        .label("no TLS")
        .help(fix(cx, r, &format!("{p} = true")));
        return;
    }
    if let Some((p, true)) = first_bool(
        r,
        &[
            "non_ssl_port",
            "non_ssl_port_enabled",
            "enable_non_ssl_port",
        ],
    ) {
        out.at(r, p, format!("cache `{}` opens its non-TLS port", r.name))
            .label("plain-text port")
            .help(fix(cx, r, &format!("{p} = false")));
        return;
    }
    if let Some((p, v)) = first_str(
        r,
        &[
            "transit_encryption_mode",
            "minimum_tls_version",
            "min_tls_version",
        ],
    ) {
        let bad = if p == "transit_encryption_mode" {
            v.eq_ignore_ascii_case("DISABLED")
        } else {
            super::sec005_storage_insecure_transport::weak_tls(v)
        };
        if bad {
            let good = if p == "transit_encryption_mode" {
                "SERVER_AUTHENTICATION"
            } else {
                "1.2"
            };
            out.at(
                r,
                p,
                format!(
                    "cache `{}` accepts unencrypted or weakly encrypted connections",
                    r.name
                ),
            )
            .label(format!("`{v}`"))
            .help(fix(cx, r, &format!("{p} = \"{good}\"")));
        }
    }
}
