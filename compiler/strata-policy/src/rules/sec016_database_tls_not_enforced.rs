use super::prelude::*;

rule! {
    /// ## What it checks
    /// A database that accepts unencrypted client connections: Cloud SQL `require_ssl = false`
    /// or `ssl_mode = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"`, Azure `require_secure_transport =
    /// false`, or a minimum TLS version below 1.2.
    ///
    /// ## Why it matters
    /// Credentials and query results then cross the network in clear text, readable by
    /// anything on the path. Checkov: `CKV_GCP_6`.
    ///
    /// ## Example
    /// ```strata
    /// resource sql: gcp.sql.DatabaseInstance { require_ssl = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource sql: gcp.sql.DatabaseInstance { ssl_mode = "ENCRYPTED_ONLY" }
    /// ```
    pub static RULE = {
        code: "SEC016",
        name: "database-tls-not-enforced",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[DATABASE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, false)) = first_bool(
        r,
        &[
            "require_ssl",
            "require_tls",
            "require_secure_transport",
            "ssl_enforcement",
            "tls",
        ],
    ) {
        out.at(
            r,
            p,
            format!("database `{}` accepts unencrypted connections", r.name),
        )
        .label("TLS not required")
        .help(fix(cx, r, &format!("{p} = true")));
        return;
    }
    if let Some((p, v)) = first_str(r, &["ssl_mode"]) {
        if v.to_ascii_uppercase().contains("ALLOW_UNENCRYPTED") {
            out.at(
                r,
                p,
                format!("database `{}` accepts unencrypted connections", r.name),
            )
            .label(format!("`{v}`"))
            .help(fix(cx, r, &format!("{p} = \"ENCRYPTED_ONLY\"")));
            return;
        }
    }
    if let Some((p, v)) = first_str(r, &["min_tls_version", "minimal_tls_version"]) {
        if super::sec005_storage_insecure_transport::weak_tls(v) {
            out.at(r, p, format!("database `{}` accepts `{v}`", r.name))
                .label("TLS older than 1.2")
                .help(fix(cx, r, &format!("{p} = \"TLS1_2\"")));
        }
    }
}
