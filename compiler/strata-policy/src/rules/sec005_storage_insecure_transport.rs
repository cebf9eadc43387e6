use super::prelude::*;

rule! {
    /// ## What it checks
    /// A storage account or bucket that accepts plain HTTP or TLS older than 1.2:
    /// `https_only = false`, `enforce_tls = false`, or `min_tls_version` below `TLS1_2`.
    ///
    /// ## Why it matters
    /// Data and shared-key signatures sent over plain HTTP or obsolete TLS can be read or
    /// replayed on the network path. Checkov: `CKV_AZURE_3`, `CKV_AZURE_44`.
    ///
    /// ## Example
    /// ```strata
    /// resource files: azure.storage.Account { https_only = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource files: azure.storage.Account { https_only = true, min_tls_version = "TLS1_2" }
    /// ```
    pub static RULE = {
        code: "SEC005",
        name: "storage-insecure-transport",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[BUCKET]),
        check: Check::Resource(check),
    }
}

pub(crate) fn weak_tls(v: &str) -> bool {
    let v = v.to_ascii_uppercase().replace(['.', '_', '-', ' '], "");
    v.ends_with("10") || v.ends_with("11") || v == "TLS1" || v.contains("SSL")
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, false)) = first_bool(
        r,
        &[
            "https_only",
            "enforce_tls",
            "require_tls",
            "secure_transport",
        ],
    ) {
        out.at(r, p, format!("`{}` accepts plain HTTP", r.name))
            .label("HTTP allowed")
            .help(fix(cx, r, &format!("{p} = true")));
        return;
    }
    if let Some((p, v)) = first_str(r, &["min_tls_version", "minimum_tls_version"]) {
        if weak_tls(v) {
            out.at(r, p, format!("`{}` accepts `{v}`", r.name))
                .label("TLS older than 1.2")
                .help(fix(cx, r, &format!("{p} = \"TLS1_2\"")));
        }
    }
}
