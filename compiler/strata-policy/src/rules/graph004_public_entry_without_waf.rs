use super::prelude::*;
use strata_model::ResourceId;

rule! {
    /// ## What it checks
    /// A public load balancer, CDN distribution or API gateway — or a Cloud Run service that
    /// takes internet traffic itself (`ingress = "all"`, no load balancer in front) — with no
    /// web application firewall attached: no WAF resource (AWS WAFv2 web ACL, Cloud Armor
    /// policy, Azure WAF policy) within two dependency steps of it, in either direction (a web
    /// ACL listing the load balancer, a distribution's `waf`, a backend service's security
    /// policy). A public `portable.Service` on GCP is such a Cloud Run service: its `waf`
    /// setting cannot be honoured there without a load balancer. An API Gateway HTTP or
    /// WebSocket API cannot take a web ACL itself: the help says how to put one in front. A
    /// private REST API (`PRIVATE` endpoint) is not an internet entry point.
    ///
    /// ## Why it matters
    /// The entry point is where injection, credential stuffing, scanners and layer-7 floods
    /// arrive. Managed WAF rule sets block the common attacks before they reach the
    /// application. Checkov's `CKV2_AWS_28` and `CKV_AWS_68` ask for the same.
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
    /// Attach a web ACL (its default managed rule groups cover the OWASP top risks):
    /// ```strata
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource b: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.2.0/24, zone = "eu-west-1b" }
    /// resource web_sg: aws.ec2.SecurityGroup { vpc = vpc, ingress = [{ port = 443, cidr = 0.0.0.0/0 }] }
    /// resource lb: aws.elbv2.LoadBalancer { subnets = [a, b], security_groups = [web_sg] }
    /// resource lb_waf: aws.wafv2.WebACL { load_balancers = [lb] }
    /// ```
    pub static RULE = {
        code: "GRAPH004",
        name: "public-entry-without-waf",
        category: Graph,
        severity: Warning,
        applies: Applies::All,
        check: Check::Model(check),
    }
}

fn has_waf_near(cx: &Cx<'_>, id: ResourceId) -> bool {
    let f = cx.facts;
    let near = |x: ResourceId| -> Vec<ResourceId> {
        cx.graph
            .dependencies(x)
            .into_iter()
            .chain(cx.graph.dependents(x))
            .map(|(n, _)| n)
            .collect()
    };
    for n in near(id) {
        if f.kind(n) == WAF {
            return true;
        }
        if near(n).into_iter().any(|m| f.kind(m) == WAF) {
            return true;
        }
    }
    false
}

/// An API Gateway v2 API (HTTP or WebSocket), which AWS WAF cannot protect directly: WAF
/// associates with REST API stages, not with these.
fn http_api(r: &Resource) -> bool {
    matches!(
        r.ty.as_str(),
        "cfn.AWS.ApiGatewayV2.Api" | "tf.aws_apigatewayv2_api"
    )
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let f = cx.facts;
    for id in f.public.iter() {
        let Some(r) = cx.resource(id) else { continue };
        // Cloud Run answers on its own URL; Cloud Armor only attaches to a load balancer's
        // backend service, so a public service without one has no WAF whatever it asks for.
        let cloud_run = r.ty == "gcp.run.Service";
        if !(matches!(f.kind(id), LOADBALANCER | CDN | API_GATEWAY) || cloud_run) {
            continue;
        }
        // Network load balancers pass TCP through; a WAF cannot be attached to them.
        if r.prop("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("network") || t.eq_ignore_ascii_case("gateway"))
        {
            continue;
        }
        if has_waf_near(cx, id) {
            continue;
        }
        let help = if cloud_run {
            format!("Cloud Armor needs a load balancer: route `{}` through a `LoadBalancer` (`route = {{ via = lb }}`; its Cloud Armor policy guards every routed service), or put a `gcp.compute.HttpsLoadBalancer` in front", f.origin.get(id.0 as usize).copied().flatten().and_then(|o| cx.resource(o)).map_or(r.name.as_str(), |o| o.name.as_str()))
        } else if r.ty.starts_with("gcp.") {
            format!("attach a Cloud Armor policy: declare a `gcp.compute.SecurityPolicy` and set `security_policy` on the backend service behind `{}`", r.name)
        } else if r.ty.starts_with("azure.") {
            format!(
                "attach a WAF policy to `{}` (an Application Gateway or Front Door WAF policy)",
                r.name
            )
        } else if f.kind(id) == API_GATEWAY && http_api(r) {
            format!("AWS WAF cannot be attached to an API Gateway HTTP or WebSocket API: serve `{}` through a CloudFront distribution that has a web ACL (`waf` of `aws.cloudfront.Distribution`), or make it a REST API (`cfn.AWS.ApiGateway.RestApi`), whose stages take one", r.name)
        } else if f.kind(id) == API_GATEWAY {
            format!("associate a `REGIONAL` web ACL with the stages of `{}`: `cfn.AWS.WAFv2.WebACLAssociation {{ ResourceArn = <the stage's ARN>, WebACLArn = <the web ACL's ARN> }}` (Terraform: `tf.aws_wafv2_web_acl_association`)", r.name)
        } else if f.kind(id) == CDN {
            format!("declare `resource {}_waf: aws.wafv2.WebACL {{ scope = \"CLOUDFRONT\" }}` and write `waf = {}_waf` in `{}`", ident(&r.name), ident(&r.name), r.name)
        } else {
            format!(
                "attach a web ACL: `resource {}_waf: aws.wafv2.WebACL {{ load_balancers = [{}] }}`",
                ident(&r.name),
                r.name
            )
        };
        out.report(
            r.name_span,
            format!(
                "public {} `{}` has no web application firewall",
                f.kind(id),
                r.name
            ),
        )
        .label("internet entry point without a WAF")
        .help(help);
    }
}
