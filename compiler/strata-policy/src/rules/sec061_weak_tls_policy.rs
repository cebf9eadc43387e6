use super::prelude::*;

rule! {
    /// ## What it checks
    /// A TLS endpoint that still accepts TLS 1.0 or 1.1: an ALB/NLB listener whose
    /// `ssl_policy` allows them (`ELBSecurityPolicy-2016-08`, `...-TLS-1-0-...`,
    /// `...-TLS-1-1-...`), a CloudFront distribution with `minimum_protocol_version` below
    /// `TLSv1.2_2021`, a GCP SSL policy with `min_tls_version` `TLS_1_0`/`TLS_1_1`.
    ///
    /// ## Why it matters
    /// TLS 1.0 and 1.1 are deprecated (RFC 8996) and allow downgrade attacks; PCI DSS forbids
    /// them. Checkov: `CKV_AWS_103`, `CKV_AWS_174`, `CKV_GCP_15`.
    ///
    /// ## Example
    /// ```strata
    /// resource https: aws.elbv2.Listener { protocol = "HTTPS", ssl_policy = "ELBSecurityPolicy-2016-08" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource https: aws.elbv2.Listener { protocol = "HTTPS", ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" }
    /// ```
    pub static RULE = {
        code: "SEC061",
        name: "weak-tls-policy",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[LOADBALANCER, CDN, API_GATEWAY]),
        check: Check::Resource(check),
    }
}

fn weak_policy(p: &str) -> bool {
    let u = p.to_ascii_uppercase();
    u == "ELBSECURITYPOLICY-2016-08"
        || u.contains("TLS-1-0")
        || u.contains("TLS-1-1")
        || u.contains("2015-05")
        || u.contains("2015-03")
        || u.contains("2015-02")
        || u.starts_with("ELBSECURITYPOLICY-2011")
        || u.starts_with("ELBSECURITYPOLICY-2014")
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, v)) = first_str(r, &["ssl_policy", "security_policy_tls"]) {
        if weak_policy(v) {
            out.at(
                r,
                p,
                format!("`{}` accepts TLS older than 1.2 (`{v}`)", r.name),
            )
            .label("weak TLS policy")
            .help(fix(
                cx,
                r,
                &format!("{p} = \"ELBSecurityPolicy-TLS13-1-2-2021-06\""),
            ));
        }
        return;
    }
    if let Some((p, v)) = first_str(
        r,
        &[
            "minimum_protocol_version",
            "min_tls_version",
            "minimum_tls_version",
        ],
    ) {
        let bad = v.starts_with("SSLv3")
            || v.starts_with("TLSv1_")
            || v == "TLSv1"
            || v.starts_with("TLSv1.1")
            || v.starts_with("TLSv1_2016")
            || super::sec005_storage_insecure_transport::weak_tls(v);
        if bad {
            let good = if p == "minimum_protocol_version" {
                "TLSv1.2_2021"
            } else {
                "TLS_1_2"
            };
            out.at(
                r,
                p,
                format!("`{}` accepts TLS older than 1.2 (`{v}`)", r.name),
            )
            .label("weak minimum TLS version")
            .help(fix(cx, r, &format!("{p} = \"{good}\"")));
        }
    }
}
