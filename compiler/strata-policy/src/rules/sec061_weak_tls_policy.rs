use super::prelude::*;
use super::tls::{min_version, weak, Family};
use crate::reads::{located, values};

rule! {
    /// ## What it checks
    /// A TLS endpoint that accepts TLS older than 1.2: a load balancer listener with an old security
    /// policy (`ssl_policy`/`SslPolicy` of `aws.elbv2.Listener`,
    /// `cfn.AWS.ElasticLoadBalancingV2.Listener`, `tf.aws_lb_listener`), a Google load balancer or
    /// SSL policy with a minimum below `TLS_1_2` (`gcp.compute.HttpsLoadBalancer`,
    /// `tf.google_compute_ssl_policy`, whose default is TLS 1.0), or a CloudFront distribution with
    /// an old minimum protocol version, or an Azure App Service app whose
    /// `site_config.minimum_tls_version` is below 1.2, an API Gateway custom domain with the
    /// `TLS_1_0` security policy, or a CloudFront custom origin whose `OriginSSLProtocols` /
    /// `origin_ssl_protocols` list a protocol older than TLS 1.2 (reported at that element). An
    /// HTTPS or TLS listener of the generated layer that names no policy gets
    /// `ELBSecurityPolicy-2016-08` from CloudFormation, the API and Terraform, and is reported as
    /// such. Each weak setting of a resource is its own finding. Policies are judged by the providers' published tables
    /// (`stdlib/policies/tls.toml`, with its sources): `ELBSecurityPolicy-TLS13-1-0-2021-06` and
    /// `ELBSecurityPolicy-FS-2018-06` accept TLS 1.0 although their names look recent.
    ///
    /// ## Why it matters
    /// TLS 1.0 and 1.1 are deprecated (RFC 8996) and allow downgrade attacks; PCI DSS forbids
    /// them. Checkov: `CKV_AWS_103`, `CKV_AWS_174`, `CKV_GCP_15`, `CKV_AWS_206` (API Gateway domains), `CKV2_AWS_54` (origins: checkov flags only `SSLv3`).
    ///
    /// ## Example
    /// ```strata
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource b: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.2.0/24, zone = "eu-west-1b" }
    /// resource web_sg: aws.ec2.SecurityGroup { vpc = vpc, ingress = [{ port = 443, cidr = 0.0.0.0/0 }] }
    /// resource lb: aws.elbv2.LoadBalancer { subnets = [a, b], security_groups = [web_sg] }
    /// resource https: aws.elbv2.Listener { load_balancer = lb, port = 443, protocol = "HTTPS", certificate = "arn:aws:acm:eu-west-1:111122223333:certificate/abc", fixed_status = 404, ssl_policy = "ELBSecurityPolicy-2016-08" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource b: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.2.0/24, zone = "eu-west-1b" }
    /// resource web_sg: aws.ec2.SecurityGroup { vpc = vpc, ingress = [{ port = 443, cidr = 0.0.0.0/0 }] }
    /// resource lb: aws.elbv2.LoadBalancer { subnets = [a, b], security_groups = [web_sg] }
    /// resource https: aws.elbv2.Listener { load_balancer = lb, port = 443, protocol = "HTTPS", certificate = "arn:aws:acm:eu-west-1:111122223333:certificate/abc", fixed_status = 404, ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" }
    /// ```
    pub static RULE = {
        code: "SEC061",
        name: "weak-tls-policy",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

fn weak_elb(v: &Value) -> bool {
    v.as_str().is_some_and(|p| weak(Family::Elb, p))
}

fn weak_cloudfront(v: &Value) -> bool {
    v.as_str().is_some_and(|p| weak(Family::CloudFront, p))
}

fn weak_azure(v: &Value) -> bool {
    v.as_str().is_some_and(|p| weak(Family::Azure, p))
}

fn weak_apigateway(v: &Value) -> bool {
    v.as_str().is_some_and(|p| weak(Family::ApiGateway, p))
}

fn weak_gcp(v: &Value) -> bool {
    v.as_str().is_some_and(|p| weak(Family::Gcp, p))
}

const POLICY: &str = "weak TLS policy";
const VERSION: &str = "weak minimum TLS version";
const ORIGIN: &str = "origin protocol older than TLS 1.2";
const DOMAIN: &str = "weak custom domain security policy";
/// A listener's protocol: HTTPS and TLS listeners without a policy get ELB's default.
const PROTOCOL: &str = "protocol";
/// What CloudFormation, the API and the Terraform provider give an HTTPS or TLS listener that
/// names no policy (`stdlib/policies/tls.toml` cites it).
const ELB_DEFAULT: &str = "ELBSecurityPolicy-2016-08";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.elbv2.Listener", "ssl_policy", Is::Test(weak_elb), POLICY),
    read("cfn.AWS.ElasticLoadBalancingV2.Listener", "SslPolicy", Is::Test(weak_elb), POLICY),
    read("tf.aws_lb_listener", "ssl_policy", Is::Test(weak_elb), POLICY),
    read("gcp.compute.HttpsLoadBalancer", "min_tls_version", Is::Test(weak_gcp), VERSION),
    read("cfn.AWS.CloudFront.Distribution", "DistributionConfig.ViewerCertificate.MinimumProtocolVersion", Is::Test(weak_cloudfront), VERSION),
    read("tf.aws_cloudfront_distribution", "viewer_certificate.minimum_protocol_version", Is::Test(weak_cloudfront), VERSION),
    // Google's SSL policies accept TLS 1.0 unless told otherwise.
    read("tf.google_compute_ssl_policy", "min_tls_version", Is::NoneOfOrUnset(&["TLS_1_2", "TLS_1_3"]), VERSION),
    // Azure App Service apps (the default is TLS 1.2; an older one is the fault).
    read("tf.azurerm_linux_web_app", "site_config.minimum_tls_version", Is::Test(weak_azure), VERSION),
    read("tf.azurerm_windows_web_app", "site_config.minimum_tls_version", Is::Test(weak_azure), VERSION),
    read("tf.azurerm_linux_function_app", "site_config.minimum_tls_version", Is::Test(weak_azure), VERSION),
    read("tf.azurerm_windows_function_app", "site_config.minimum_tls_version", Is::Test(weak_azure), VERSION),
    // Between CloudFront and a custom origin: a protocol older than TLS 1.2 in the list lets
    // CloudFront fall back to it.
    read("cfn.AWS.CloudFront.Distribution", "DistributionConfig.Origins[].CustomOriginConfig.OriginSSLProtocols[]", Is::Test(weak_cloudfront), ORIGIN),
    read("tf.aws_cloudfront_distribution", "origin[].custom_origin_config.origin_ssl_protocols[]", Is::Test(weak_cloudfront), ORIGIN),
    // API Gateway custom domain names.
    read("cfn.AWS.ApiGateway.DomainName", "SecurityPolicy", Is::Test(weak_apigateway), DOMAIN),
    read("cfn.AWS.ApiGatewayV2.DomainName", "DomainNameConfigurations[].SecurityPolicy", Is::Test(weak_apigateway), DOMAIN),
    read("tf.aws_api_gateway_domain_name", "security_policy", Is::Test(weak_apigateway), DOMAIN),
    read("tf.aws_apigatewayv2_domain_name", "domain_name_configuration.security_policy", Is::Test(weak_apigateway), DOMAIN),
    part("cfn.AWS.ElasticLoadBalancingV2.Listener", "Protocol", PROTOCOL),
    part("tf.aws_lb_listener", "protocol", PROTOCOL),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // Each weak setting is its own fault (a distribution's viewer minimum and an origin's
    // protocols are two fixes), reported once per property.
    let mut seen: Vec<&str> = Vec::new();
    for hit in faults(READS, r) {
        if seen.contains(&hit.path()) {
            continue;
        }
        seen.push(hit.path());
        let shown = hit.shown();
        let (family, good) = match (hit.what(), r.ty.as_str()) {
            (POLICY, _) => (Family::Elb, "ELBSecurityPolicy-TLS13-1-2-2021-06"),
            (DOMAIN, _) => (Family::ApiGateway, "TLS_1_2"),
            (ORIGIN, _) => (Family::CloudFront, "TLSv1.2"),
            (_, t) if t.contains("cloudfront") || t.contains("CloudFront") => {
                (Family::CloudFront, "TLSv1.2_2021")
            }
            (_, t) if t.starts_with("tf.azurerm_") => (Family::Azure, "1.2"),
            _ => (Family::Gcp, "TLS_1_2"),
        };
        let accepts = min_version(family, &shown).map_or("TLS older than 1.2", super::tls::shown);
        let p = hit.path();
        if p.contains("[]") {
            // One element of a list: point at it, and say what to write there.
            let at = located(r, p)
                .into_iter()
                .find(|(_, v)| hit.value.is_some_and(|h| std::ptr::eq(h, *v)))
                .map_or_else(
                    || cx.span_at(r, hit.prop(), &[]),
                    |(at, _)| cx.span_at(r, &at, &[]),
                );
            let message = if hit.what() == ORIGIN {
                format!(
                    "`{}` lets CloudFront reach its origin over {accepts} (`{shown}`)",
                    r.name
                )
            } else {
                format!("`{}` accepts {accepts} (`{shown}`)", r.name)
            };
            let list = p.trim_end_matches("[]").replace("[]", "");
            out.report(at, message)
                .label(hit.what())
                .help(if hit.what() == ORIGIN {
                    format!(
                        "keep only `{good}` in `{list}` of `{}` (the origin must accept TLS 1.2)",
                        r.name
                    )
                } else {
                    format!("write `{good}` (or newer) in `{list}` of `{}`", r.name)
                });
            continue;
        }
        out.at(
            r,
            hit.prop(),
            format!("`{}` accepts {accepts} (`{shown}`)", r.name),
        )
        .label(hit.what())
        .help(fix(cx, r, &format!("{p} = \"{good}\"")));
    }
    // An HTTPS or TLS listener that names no policy gets ELB's default, which accepts TLS 1.0.
    let secure = first_part(READS, r, PROTOCOL)
        .and_then(|(_, v)| v.as_str())
        .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS") || p.eq_ignore_ascii_case("TLS"));
    let policy = if r.ty == "tf.aws_lb_listener" {
        "ssl_policy"
    } else {
        "SslPolicy"
    };
    if secure
        && r.ty != "aws.elbv2.Listener"
        && READS.iter().any(|x| x.ty == r.ty && x.what == POLICY)
        && values(r, policy).is_empty()
    {
        out.at(
            r,
            first_part(READS, r, PROTOCOL).map_or(policy, |(p, _)| p),
            format!(
                "`{}` accepts TLS 1.0: no policy is written, so it gets `{ELB_DEFAULT}`",
                r.name
            ),
        )
        .label("no TLS policy: ELB's default")
        .help(fix(
            cx,
            r,
            &format!("{policy} = \"ELBSecurityPolicy-TLS13-1-2-2021-06\""),
        ));
    }
}
