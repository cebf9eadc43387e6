use super::prelude::*;

rule! {
    /// ## What it checks
    /// A cache that accepts unencrypted connections: ElastiCache without in-transit encryption
    /// (`transit_encryption = false`; `TransitEncryptionEnabled`/`transit_encryption_enabled` false
    /// or unset), Memorystore with `transit_encryption_mode` `DISABLED` (or unset in Terraform), an
    /// Azure Cache for Redis with its non-TLS port open or a minimum TLS version below 1.2.
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
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const NO_TLS: &str = "no TLS";
const PLAIN_PORT: &str = "plain-text port";
const OLD_TLS: &str = "TLS older than 1.2";

fn weak(v: &Value) -> bool {
    v.as_str()
        .is_some_and(super::sec005_storage_insecure_transport::weak_tls)
}

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.elasticache.ReplicationGroup", "transit_encryption", Is::False, NO_TLS),
    read("gcp.redis.Instance", "transit_encryption_mode", Is::OneOf(&["DISABLED"]), NO_TLS),
    read("azure.redis.Cache", "non_ssl_port", Is::True, PLAIN_PORT),
    read("cfn.AWS.ElastiCache.ReplicationGroup", "TransitEncryptionEnabled", Is::FalseOrUnset, NO_TLS),
    read("tf.aws_elasticache_replication_group", "transit_encryption_enabled", Is::FalseOrUnset, NO_TLS),
    read("tf.google_redis_instance", "transit_encryption_mode", Is::NoneOfOrUnset(&["SERVER_AUTHENTICATION"]), NO_TLS),
    read("tf.azurerm_redis_cache", "non_ssl_port_enabled", Is::True, PLAIN_PORT),
    read("tf.azurerm_redis_cache", "minimum_tls_version", Is::Test(weak), OLD_TLS),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // A plain port and an old TLS version are two settings to change: each is reported.
    for hit in distinct_faults(READS, r) {
        report(cx, r, &hit, out);
    }
}

fn report(cx: &Cx<'_>, r: &Resource, hit: &crate::reads::Hit<'_, '_>, out: &mut Sink<'_>) {
    let p = hit.path();
    let (message, line) = match hit.what() {
        PLAIN_PORT => ("opens its non-TLS port", format!("{p} = false")),
        OLD_TLS => ("accepts TLS older than 1.2", format!("{p} = \"1.2\"")),
        _ if p.ends_with("mode") => (
            "accepts unencrypted connections",
            format!("{p} = \"SERVER_AUTHENTICATION\""),
        ),
        _ => ("accepts unencrypted connections", format!("{p} = true")),
    };
    out.at(r, hit.prop(), format!("cache `{}` {message}", r.name))
        .label(hit.what())
        .help(fix(cx, r, &line));
}
