use super::prelude::*;
use super::tls::{min_version, weak, Family};

rule! {
    /// ## What it checks
    /// A TLS endpoint that accepts TLS older than 1.2: a load balancer listener with an old security
    /// policy (`ssl_policy`/`SslPolicy` of `aws.elbv2.Listener`,
    /// `cfn.AWS.ElasticLoadBalancingV2.Listener`, `tf.aws_lb_listener`), a Google load balancer or
    /// SSL policy with a minimum below `TLS_1_2` (`gcp.compute.HttpsLoadBalancer`,
    /// `tf.google_compute_ssl_policy`, whose default is TLS 1.0), or a CloudFront distribution with
    /// an old minimum protocol version, or an Azure App Service app whose
    /// `site_config.minimum_tls_version` is below 1.2. Policies are judged by the providers' published tables
    /// (`stdlib/policies/tls.toml`, with its sources): `ELBSecurityPolicy-TLS13-1-0-2021-06` and
    /// `ELBSecurityPolicy-FS-2018-06` accept TLS 1.0 although their names look recent.
    ///
    /// ## Why it matters
    /// TLS 1.0 and 1.1 are deprecated (RFC 8996) and allow downgrade attacks; PCI DSS forbids
    /// them. Checkov: `CKV_AWS_103`, `CKV_AWS_174`, `CKV_GCP_15`.
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

fn weak_gcp(v: &Value) -> bool {
    v.as_str().is_some_and(|p| weak(Family::Gcp, p))
}

const POLICY: &str = "weak TLS policy";
const VERSION: &str = "weak minimum TLS version";

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
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let p = hit.path();
    let good = match (hit.what(), r.ty.as_str()) {
        (POLICY, _) => "ELBSecurityPolicy-TLS13-1-2-2021-06",
        (_, t) if t.contains("cloudfront") || t.contains("CloudFront") => "TLSv1.2_2021",
        (_, t) if t.starts_with("tf.azurerm_") => "1.2",
        _ => "TLS_1_2",
    };
    let shown = hit.shown();
    let family = match (hit.what(), r.ty.as_str()) {
        (POLICY, _) => Family::Elb,
        (_, t) if t.contains("cloudfront") || t.contains("CloudFront") => Family::CloudFront,
        (_, t) if t.starts_with("tf.azurerm_") => Family::Azure,
        _ => Family::Gcp,
    };
    let accepts = min_version(family, &shown).map_or("TLS older than 1.2", super::tls::shown);
    out.at(
        r,
        hit.prop(),
        format!("`{}` accepts {accepts} (`{shown}`)", r.name),
    )
    .label(hit.what())
    .help(fix(cx, r, &format!("{p} = \"{good}\"")));
}
