use super::prelude::*;

rule! {
    /// ## What it checks
    /// An internet-facing load balancer, CDN or Google backend service that keeps no access logs:
    /// `access_logs` unset on `aws.elbv2.LoadBalancer`, no `access_logs.s3.enabled` attribute on
    /// `cfn.AWS.ElasticLoadBalancingV2.LoadBalancer`, `access_logs.enabled` not true on `tf.aws_lb`;
    /// `logging` unset on `aws.cloudfront.Distribution` (`Logging`/`logging_config` on the
    /// CloudFormation and Terraform distributions); `log_config.enable` not true on
    /// `tf.google_compute_backend_service`. The load balancer of a public portable `Service` on
    /// AWS keeps access logs unless its `public` says `access_logs = false`.
    ///
    /// ## Why it matters
    /// Entry-point logs are the first thing incident response asks for: which client sent
    /// which request, when. Checkov: `CKV_AWS_91`, `CKV_AWS_86`.
    ///
    /// ## Example
    /// ```strata
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource b: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.2.0/24, zone = "eu-west-1b" }
    /// resource web_sg: aws.ec2.SecurityGroup { vpc = vpc, ingress = [{ port = 443, cidr = 0.0.0.0/0 }] }
    /// resource lb: aws.elbv2.LoadBalancer { subnets = [a, b], security_groups = [web_sg] }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource b: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.2.0/24, zone = "eu-west-1b" }
    /// resource web_sg: aws.ec2.SecurityGroup { vpc = vpc, ingress = [{ port = 443, cidr = 0.0.0.0/0 }] }
    /// resource logs: aws.s3.Bucket {}
    /// resource lb: aws.elbv2.LoadBalancer { subnets = [a, b], security_groups = [web_sg], access_logs = { bucket = logs } }
    /// ```
    pub static RULE = {
        code: "SEC063",
        name: "entry-access-logs-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const NO_LOGS: &str = "no access logs";
/// Load balancer attributes (`{ Key, Value }`), one of which turns logging on.
const ATTRIBUTES: &str = "attributes";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.elbv2.LoadBalancer", "access_logs", Is::Unset, NO_LOGS),
    read("aws.cloudfront.Distribution", "logging", Is::Unset, NO_LOGS),
    part("cfn.AWS.ElasticLoadBalancingV2.LoadBalancer", "LoadBalancerAttributes[]", ATTRIBUTES),
    read("tf.aws_lb", "access_logs.enabled", Is::FalseOrUnset, NO_LOGS),
    read("cfn.AWS.CloudFront.Distribution", "DistributionConfig.Logging", Is::Unset, NO_LOGS),
    read("tf.aws_cloudfront_distribution", "logging_config", Is::Unset, NO_LOGS),
    read("tf.google_compute_backend_service", "log_config.enable", Is::FalseOrUnset, NO_LOGS),
];

/// The load balancers checked only when they face the internet.
const FACING: &[&str] = &[
    "aws.elbv2.LoadBalancer",
    "cfn.AWS.ElasticLoadBalancingV2.LoadBalancer",
    "tf.aws_lb",
];

/// Whether the `{ Key = "access_logs.s3.enabled", Value = "true" }` attribute is set.
fn logging_attribute(r: &Resource) -> bool {
    crate::reads::values(r, "LoadBalancerAttributes[]")
        .iter()
        .any(|a| {
            crate::reads::value_in(a, "Key").and_then(Value::as_str)
                == Some("access_logs.s3.enabled")
                && crate::reads::value_in(a, "Value").and_then(Value::as_str) == Some("true")
        })
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // Load balancers only when they face the internet.
    if FACING.contains(&r.ty.as_str()) && !cx.is_public(r) {
        return;
    }
    // The load balancer of a public portable `Service` (AWS): on unless `public.access_logs`
    // turns it off.
    if let Some(o) = cx.origin(r).filter(|o| o.ty == "portable.Service") {
        if first_fault(READS, r).is_some() {
            out.report(
                cx.span_of(o, "public", &[]),
                format!("`{}` keeps no access logs", r.name),
            )
            .label(NO_LOGS)
            .help(format!(
                "remove `access_logs = false` from `public` in `{}` (the load balancer's access logs are on by default)",
                o.name
            ));
        }
        return;
    }
    let (prop, line) = if r.ty == "cfn.AWS.ElasticLoadBalancingV2.LoadBalancer" {
        if logging_attribute(r) {
            return;
        }
        ("LoadBalancerAttributes", "LoadBalancerAttributes = [{ Key = \"access_logs.s3.enabled\", Value = \"true\" }, { Key = \"access_logs.s3.bucket\", Value = <a log bucket> }]".to_string())
    } else {
        let Some(hit) = first_fault(READS, r) else {
            return;
        };
        let line = match r.ty.as_str() {
            "tf.aws_lb" => "access_logs = { bucket = <a log bucket>, enabled = true }".to_string(),
            "cfn.AWS.CloudFront.Distribution" => {
                "Logging = { Bucket = <a log bucket domain> }".to_string()
            }
            "tf.aws_cloudfront_distribution" => {
                "logging_config = { bucket = <a log bucket domain> }".to_string()
            }
            "tf.google_compute_backend_service" => "log_config = { enable = true }".to_string(),
            _ => format!("{} = {{ bucket = <a log bucket> }}", hit.path()),
        };
        (hit.prop(), line)
    };
    out.at(r, prop, format!("`{}` keeps no access logs", r.name))
        .label(NO_LOGS)
        .help(fix(cx, r, &line));
}
