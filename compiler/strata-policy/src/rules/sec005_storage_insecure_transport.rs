use super::prelude::*;

rule! {
    /// ## What it checks
    /// A storage account that accepts plain HTTP or TLS older than 1.2: `https_only = false` on
    /// `azure.storage.Account`, `https_traffic_only_enabled = false` or a `min_tls_version` below
    /// `TLS1_2` on `tf.azurerm_storage_account`.
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
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

pub(crate) fn weak_tls(v: &str) -> bool {
    use super::tls::{min_version, Family, TLS12};
    if let Some(r) = min_version(Family::Azure, v) {
        return r < TLS12;
    }
    let v = v.to_ascii_uppercase().replace(['.', '_', '-', ' '], "");
    v.ends_with("10") || v.ends_with("11") || v == "TLS1" || v.contains("SSL")
}

fn weak(v: &Value) -> bool {
    v.as_str().is_some_and(weak_tls)
}

const HTTP: &str = "HTTP allowed";
const OLD_TLS: &str = "TLS older than 1.2";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("azure.storage.Account", "https_only", Is::False, HTTP),
    read("tf.azurerm_storage_account", "https_traffic_only_enabled", Is::False, HTTP),
    read("tf.azurerm_storage_account", "min_tls_version", Is::Test(weak), OLD_TLS),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // Plain HTTP and an old TLS version are two settings to change: each is reported.
    for hit in distinct_faults(READS, r) {
        report(cx, r, &hit, out);
    }
}

fn report(cx: &Cx<'_>, r: &Resource, hit: &crate::reads::Hit<'_, '_>, out: &mut Sink<'_>) {
    let p = hit.path();
    if hit.what() == HTTP {
        out.at(r, p, format!("`{}` accepts plain HTTP", r.name))
            .label(HTTP)
            .help(fix(cx, r, &format!("{p} = true")));
    } else {
        out.at(r, p, format!("`{}` accepts `{}`", r.name, hit.shown()))
            .label(OLD_TLS)
            .help(fix(cx, r, &format!("{p} = \"TLS1_2\"")));
    }
}
