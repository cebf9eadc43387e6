//! The oldest TLS version a provider's named TLS policy accepts, from the providers' published
//! tables (`stdlib/policies/tls.toml`, which cites them). A name the table does not list is
//! judged by the version its family writes in the name, else not at all.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A TLS version as a rank: SSL 3 is 0, TLS 1.0 is 10, ... TLS 1.3 is 13.
pub type Rank = u8;

/// TLS 1.2: what every rule asks for at least.
pub const TLS12: Rank = 12;

/// Where a policy name comes from.
#[derive(Clone, Copy, Debug)]
pub enum Family {
    /// AWS Elastic Load Balancing security policies (`ELBSecurityPolicy-...`).
    Elb,
    /// CloudFront minimum protocol versions (`TLSv1.2_2021`).
    CloudFront,
    /// Google SSL policies' `min_tls_version` (`TLS_1_2`).
    Gcp,
    /// Azure minimum TLS versions (`TLS1_2`, `1.2`).
    Azure,
    /// Amazon OpenSearch Service domain TLS policies (`Policy-Min-TLS-1-2-2019-07`).
    OpenSearch,
    /// Amazon API Gateway custom domain security policies (`TLS_1_2`,
    /// `SecurityPolicy_TLS13_1_2_2021_06`).
    ApiGateway,
}

impl Family {
    fn key(self) -> &'static str {
        match self {
            Family::Elb => "elb",
            Family::CloudFront => "cloudfront",
            Family::Gcp => "gcp",
            Family::Azure => "azure",
            Family::OpenSearch => "opensearch",
            Family::ApiGateway => "apigateway",
        }
    }
}

fn rank_of(v: &str) -> Option<Rank> {
    match v {
        "ssl3" => Some(0),
        "1.0" => Some(10),
        "1.1" => Some(11),
        "1.2" => Some(12),
        "1.3" => Some(13),
        _ => None,
    }
}

type Table = BTreeMap<String, BTreeMap<String, String>>;

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        strata_stdlib::file("policies/tls.toml")
            .and_then(|f| toml::from_str(f.text).ok())
            .unwrap_or_default()
    })
}

/// The oldest version `name` accepts, when it is known.
pub fn min_version(family: Family, name: &str) -> Option<Rank> {
    let name = name.trim();
    if let Some(r) = table().get(family.key()).and_then(|t| {
        t.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| rank_of(v))
    }) {
        return Some(r);
    }
    // Newer policies of a listed family write their minimum in the name.
    let u = name.to_ascii_uppercase();
    match family {
        Family::Elb => ["-TLS13-1-", "-TLS-1-", "-FS-1-"].iter().find_map(|f| {
            let i = u.find(f)? + f.len();
            let d = u[i..].chars().next()?.to_digit(10)?;
            Some(10 + d as Rank)
        }),
        Family::CloudFront => {
            let rest = u.strip_prefix("TLSV1")?;
            match rest.chars().next()? {
                '.' => rest[1..]
                    .chars()
                    .next()?
                    .to_digit(10)
                    .map(|d| 10 + d as Rank),
                '_' => Some(10),
                _ => None,
            }
        }
        // `Policy-Min-TLS-1-2-...`.
        Family::OpenSearch => {
            let rest = u.strip_prefix("POLICY-MIN-TLS-1-")?;
            rest.chars().next()?.to_digit(10).map(|d| 10 + d as Rank)
        }
        // `SecurityPolicy_TLS13_1_2_...`: the minimum after the family.
        Family::ApiGateway => {
            let rest = u.strip_prefix("SECURITYPOLICY_TLS1")?;
            let rest = rest.get(1..)?.strip_prefix("_1_")?;
            rest.chars().next()?.to_digit(10).map(|d| 10 + d as Rank)
        }
        Family::Gcp | Family::Azure => None,
    }
}

/// Whether `name` accepts a version older than TLS 1.2 (unknown names are not judged).
pub fn weak(family: Family, name: &str) -> bool {
    min_version(family, name).is_some_and(|r| r < TLS12)
}

/// The version of a rank as people write it.
pub fn shown(r: Rank) -> &'static str {
    match r {
        0 => "SSL 3.0",
        10 => "TLS 1.0",
        11 => "TLS 1.1",
        12 => "TLS 1.2",
        _ => "TLS 1.3",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_read_and_names_are_judged() {
        assert!(!table().is_empty());
        assert_eq!(
            min_version(Family::Elb, "ELBSecurityPolicy-TLS13-1-0-2021-06"),
            Some(10)
        );
        assert_eq!(
            min_version(Family::Elb, "ELBSecurityPolicy-FS-2018-06"),
            Some(10)
        );
        assert_eq!(
            min_version(Family::Elb, "ELBSecurityPolicy-2016-08"),
            Some(10)
        );
        assert_eq!(
            min_version(Family::Elb, "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"),
            Some(12)
        );
        // A future policy of a known family.
        assert_eq!(
            min_version(Family::Elb, "ELBSecurityPolicy-TLS13-1-1-PQ-2030-01"),
            Some(11)
        );
        assert_eq!(min_version(Family::Elb, "MyCustomPolicy"), None);
        assert_eq!(min_version(Family::CloudFront, "TLSv1_2016"), Some(10));
        assert_eq!(min_version(Family::CloudFront, "TLSv1.2_2021"), Some(12));
        assert_eq!(min_version(Family::CloudFront, "TLSv1.2_2030"), Some(12));
        assert!(weak(Family::Gcp, "TLS_1_1"));
        assert!(!weak(Family::Gcp, "TLS_1_2"));
        assert!(weak(Family::Azure, "TLS1_0"));
        assert!(weak(Family::ApiGateway, "TLS_1_0"));
        assert!(!weak(Family::ApiGateway, "TLS_1_2"));
        assert_eq!(
            min_version(Family::ApiGateway, "SecurityPolicy_TLS13_1_3_2025_09"),
            Some(13)
        );
        assert_eq!(
            min_version(Family::ApiGateway, "SecurityPolicy_TLS13_1_2_2021_06"),
            Some(12)
        );
        // CloudFront origins name protocols, not policies.
        assert!(weak(Family::CloudFront, "TLSv1.1"));
        assert!(!weak(Family::CloudFront, "TLSv1.2"));
    }
}
