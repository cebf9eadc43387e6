use super::prelude::*;

rule! {
    /// ## What it checks
    /// A database that accepts connections without TLS: `require_tls = false` on
    /// `azure.postgres.FlexibleServer`, a Cloud SQL `ssl_mode` that allows unencrypted connections
    /// (`gcp.sql.DatabaseInstance`; on `tf.google_sql_database_instance` and
    /// `dm.sqladmin.v1beta4.instance` also when unset, the default), or a minimum TLS version below
    /// 1.2 (`tf.azurerm_mssql_server`); an OpenSearch or Elasticsearch domain that does not
    /// enforce HTTPS, whose nodes talk unencrypted (`DomainEndpointOptions.EnforceHTTPS`,
    /// `NodeToNodeEncryptionOptions`; `domain_endpoint_options.enforce_https`,
    /// `node_to_node_encryption`: off unless written), or whose TLS policy accepts TLS 1.0.
    ///
    /// ## Why it matters
    /// Credentials and query results then cross the network in clear text, readable by
    /// anything on the path. Checkov: `CKV_GCP_6`, `CKV_AWS_6` and `CKV_AWS_83` (OpenSearch).
    ///
    /// ## Example
    /// ```strata
    /// resource sql: gcp.sql.DatabaseInstance { tier = "db-custom-2-7680", ssl_mode = "ALLOW_UNENCRYPTED_AND_ENCRYPTED" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource sql: gcp.sql.DatabaseInstance { tier = "db-custom-2-7680", ssl_mode = "ENCRYPTED_ONLY" }
    /// ```
    pub static RULE = {
        code: "SEC016",
        name: "database-tls-not-enforced",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const NOT_REQUIRED: &str = "TLS not required";
const UNENCRYPTED: &str = "unencrypted connections allowed";
const OLD_TLS: &str = "TLS older than 1.2";
const NODES_PLAIN: &str = "node-to-node encryption off";

fn weak(v: &Value) -> bool {
    v.as_str()
        .is_some_and(super::sec005_storage_insecure_transport::weak_tls)
}

/// An OpenSearch TLS policy accepting TLS older than 1.2 (`stdlib/policies/tls.toml`).
fn weak_search(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| super::tls::weak(super::tls::Family::OpenSearch, s))
}

/// Cloud SQL's `ssl_mode` values that require TLS.
const ENCRYPTED: &[&str] = &["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"];

#[rustfmt::skip]
static READS: &[Read] = &[
    read("azure.postgres.FlexibleServer", "require_tls", Is::False, NOT_REQUIRED),
    read("gcp.sql.DatabaseInstance", "ssl_mode", Is::NoneOf(ENCRYPTED), UNENCRYPTED),
    // Cloud SQL accepts unencrypted connections unless `ssl_mode` says otherwise.
    read("tf.google_sql_database_instance", "settings.ip_configuration.ssl_mode", Is::NoneOfOrUnset(ENCRYPTED), UNENCRYPTED),
    read("dm.sqladmin.v1beta4.instance", "settings.ipConfiguration.sslMode", Is::NoneOfOrUnset(ENCRYPTED), UNENCRYPTED),
    read("tf.azurerm_mssql_server", "minimum_tls_version", Is::Test(weak), OLD_TLS),
    // OpenSearch (and legacy Elasticsearch) domains answer plain HTTP and let their nodes talk
    // in clear unless told otherwise.
    read("cfn.AWS.OpenSearchService.Domain", "DomainEndpointOptions.EnforceHTTPS", Is::FalseOrUnset, NOT_REQUIRED),
    read("cfn.AWS.OpenSearchService.Domain", "NodeToNodeEncryptionOptions.Enabled", Is::FalseOrUnset, NODES_PLAIN),
    read("cfn.AWS.OpenSearchService.Domain", "DomainEndpointOptions.TLSSecurityPolicy", Is::Test(weak_search), OLD_TLS),
    read("cfn.AWS.Elasticsearch.Domain", "DomainEndpointOptions.EnforceHTTPS", Is::FalseOrUnset, NOT_REQUIRED),
    read("cfn.AWS.Elasticsearch.Domain", "NodeToNodeEncryptionOptions.Enabled", Is::FalseOrUnset, NODES_PLAIN),
    read("tf.aws_opensearch_domain", "domain_endpoint_options.enforce_https", Is::FalseOrUnset, NOT_REQUIRED),
    read("tf.aws_opensearch_domain", "node_to_node_encryption.enabled", Is::FalseOrUnset, NODES_PLAIN),
    read("tf.aws_opensearch_domain", "domain_endpoint_options.tls_security_policy", Is::Test(weak_search), OLD_TLS),
    read("tf.aws_elasticsearch_domain", "domain_endpoint_options.enforce_https", Is::FalseOrUnset, NOT_REQUIRED),
    read("tf.aws_elasticsearch_domain", "node_to_node_encryption.enabled", Is::FalseOrUnset, NODES_PLAIN),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // Each fault once: plain HTTP accepted, nodes talking in the clear and an old TLS version
    // are three settings to change (an OpenSearch domain can have all three).
    for hit in distinct_faults(READS, r) {
        report(cx, r, &hit, out);
    }
}

fn report(cx: &Cx<'_>, r: &Resource, hit: &crate::reads::Hit<'_, '_>, out: &mut Sink<'_>) {
    let p = hit.path();
    match hit.what() {
        NOT_REQUIRED => {
            out.at(
                r,
                hit.prop(),
                format!("database `{}` accepts unencrypted connections", r.name),
            )
            .label(NOT_REQUIRED)
            .help(fix(cx, r, &format!("{p} = true")));
        }
        UNENCRYPTED => {
            out.at(
                r,
                hit.prop(),
                format!("database `{}` accepts unencrypted connections", r.name),
            )
            .label(format!("`{}`", hit.shown()))
            .help(fix(cx, r, &format!("{p} = \"ENCRYPTED_ONLY\"")));
        }
        NODES_PLAIN => {
            out.at(
                r,
                hit.prop(),
                format!("the nodes of `{}` exchange data unencrypted", r.name),
            )
            .label(NODES_PLAIN)
            .help(fix(cx, r, &format!("{p} = true")));
        }
        _ => {
            let to = if p.to_ascii_lowercase().contains("tls_security_policy")
                || p.contains("TLSSecurityPolicy")
            {
                "\"Policy-Min-TLS-1-2-PFS-2023-10\""
            } else {
                "\"1.2\""
            };
            out.at(
                r,
                hit.prop(),
                format!("database `{}` accepts `{}`", r.name, hit.shown()),
            )
            .label(OLD_TLS)
            .help(fix(cx, r, &format!("{p} = {to}")));
        }
    }
}
