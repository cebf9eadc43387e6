use super::prelude::*;

rule! {
    /// ## What it checks
    /// A public entry point serving plain HTTP: a listener of an internet-facing load balancer on
    /// `HTTP` that does not redirect to HTTPS (`aws.elbv2.Listener` with `redirect_https`,
    /// `cfn.AWS.ElasticLoadBalancingV2.Listener` and `tf.aws_lb_listener` whose default action is not
    /// a redirect), or a Kubernetes ingress without TLS (no `spec.tls` on
    /// `kube.networking.v1.Ingress` or `tf.kubernetes_ingress_v1`). The stdlib's `k8s.Ingress`
    /// always writes a `tls` section (its secret defaults to `NAME-tls`) and is not reported.
    /// An Azure App Service app (`tf.azurerm_{linux,windows}_{web,function}_app`) without
    /// `https_only` (off unless written) or with `site_config.ftps_state = "AllAllowed"` (plain
    /// FTP deployments), and a container app whose ingress allows insecure connections.
    ///
    /// ## Why it matters
    /// Cookies, tokens and form posts travel in clear text and can be altered on the way.
    /// Serve HTTPS and redirect port 80 to it. Checkov: `CKV_AWS_2`, `CKV2_AWS_20`,
    /// `CKV_AZURE_14`, `CKV_AZURE_70` (HTTPS only), `CKV_AZURE_78` (FTP).
    ///
    /// ## Example
    /// ```strata
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource b: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.2.0/24, zone = "eu-west-1b" }
    /// resource web_sg: aws.ec2.SecurityGroup { vpc = vpc, ingress = [{ port = 443, cidr = 0.0.0.0/0 }] }
    /// resource lb: aws.elbv2.LoadBalancer { subnets = [a, b], security_groups = [web_sg] }
    /// resource http: aws.elbv2.Listener { load_balancer = lb, port = 80, protocol = "HTTP", fixed_status = 404 }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource b: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.2.0/24, zone = "eu-west-1b" }
    /// resource web_sg: aws.ec2.SecurityGroup { vpc = vpc, ingress = [{ port = 443, cidr = 0.0.0.0/0 }] }
    /// resource lb: aws.elbv2.LoadBalancer { subnets = [a, b], security_groups = [web_sg] }
    /// resource http: aws.elbv2.Listener { load_balancer = lb, port = 80, protocol = "HTTP", redirect_https = true }
    /// ```
    pub static RULE = {
        code: "SEC060",
        name: "plain-http-endpoint",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const HTTP: &str = "HTTP listener";
const NO_TLS: &str = "TLS turned off";
/// An App Service app answering plain HTTP (`https_only` is off unless written).
const PLAIN_APP: &str = "HTTPS not required";
/// An App Service app accepting plain FTP for deployments (credentials in clear).
const FTP: &str = "plain FTP allowed";
/// A container app's ingress accepting plain HTTP.
const INSECURE: &str = "insecure connections allowed";
/// A listener's redirect to HTTPS: a flag, or the type of its default actions.
const REDIRECT: &str = "redirect";
const ACTION: &str = "action type";
/// The load balancer a listener belongs to (an internal one may serve plain HTTP).
const LB: &str = "load balancer";

fn empty(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.trim().is_empty()) || v.as_list().is_some_and(|l| l.is_empty())
}

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.elbv2.Listener", "protocol", Is::OneOf(&["HTTP"]), HTTP),
    part("aws.elbv2.Listener", "redirect_https", REDIRECT),
    part("aws.elbv2.Listener", "load_balancer", LB),
    read("cfn.AWS.ElasticLoadBalancingV2.Listener", "Protocol", Is::OneOf(&["HTTP"]), HTTP),
    part("cfn.AWS.ElasticLoadBalancingV2.Listener", "DefaultActions[].Type", ACTION),
    part("cfn.AWS.ElasticLoadBalancingV2.Listener", "LoadBalancerArn", LB),
    read("tf.aws_lb_listener", "protocol", Is::OneOf(&["HTTP"]), HTTP),
    part("tf.aws_lb_listener", "default_action[].type", ACTION),
    part("tf.aws_lb_listener", "load_balancer_arn", LB),
    // API ingresses without a `tls` section serve plain HTTP (the stdlib's `k8s.Ingress`
    // always writes one).
    read("kube.networking.v1.Ingress", "spec.tls", Is::Unset, NO_TLS),
    read("kube.networking.v1.Ingress", "spec.tls", Is::Test(empty), NO_TLS),
    read("tf.kubernetes_ingress_v1", "spec.tls", Is::Unset, NO_TLS),
    read("tf.kubernetes_ingress_v1", "spec.tls", Is::Test(empty), NO_TLS),
    // Azure App Service apps answer plain HTTP unless `https_only` is written.
    read("tf.azurerm_linux_web_app", "https_only", Is::FalseOrUnset, PLAIN_APP),
    read("tf.azurerm_windows_web_app", "https_only", Is::FalseOrUnset, PLAIN_APP),
    read("tf.azurerm_linux_function_app", "https_only", Is::FalseOrUnset, PLAIN_APP),
    read("tf.azurerm_windows_function_app", "https_only", Is::FalseOrUnset, PLAIN_APP),
    read("tf.azurerm_linux_web_app", "site_config.ftps_state", Is::OneOf(&["AllAllowed"]), FTP),
    read("tf.azurerm_windows_web_app", "site_config.ftps_state", Is::OneOf(&["AllAllowed"]), FTP),
    read("tf.azurerm_linux_function_app", "site_config.ftps_state", Is::OneOf(&["AllAllowed"]), FTP),
    read("tf.azurerm_windows_function_app", "site_config.ftps_state", Is::OneOf(&["AllAllowed"]), FTP),
    read("tf.azurerm_container_app", "ingress.allow_insecure_connections", Is::True, INSECURE),
];

fn redirects(r: &Resource) -> bool {
    first_part(READS, r, REDIRECT).is_some_and(|(_, v)| v.is_true())
        || READS
            .iter()
            .filter(|x| x.ty == r.ty && x.what == ACTION)
            .flat_map(|x| crate::reads::values(r, x.path))
            .any(|v| {
                v.as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("redirect"))
            })
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    if matches!(hit.what(), PLAIN_APP | FTP | INSECURE) {
        let (message, line) = match hit.what() {
            PLAIN_APP => (
                format!("app `{}` serves plain HTTP", r.name),
                "https_only = true".to_string(),
            ),
            FTP => (
                format!("app `{}` accepts deployments over plain FTP", r.name),
                "site_config.ftps_state = \"Disabled\"".to_string(),
            ),
            _ => (
                format!("container app `{}` serves plain HTTP", r.name),
                "ingress.allow_insecure_connections = false".to_string(),
            ),
        };
        out.at(r, hit.prop(), message)
            .label(hit.what())
            .help(fix(cx, r, &line));
        return;
    }
    if hit.what() == NO_TLS {
        let line = match r.ty.as_str() {
            "tf.kubernetes_ingress_v1" => "tls = [{ hosts = [\"...\"], secret_name = \"...\" }]",
            _ => "tls = [{ hosts = [\"...\"], secretName = \"...\" }]",
        };
        let line = if hit.path().contains('.') {
            format!("{}.{line}", crate::reads::top_of(hit.path()))
        } else {
            line.to_string()
        };
        out.at(
            r,
            hit.prop(),
            format!("ingress `{}` serves plain HTTP", r.name),
        )
        .label(if hit.value.is_none() {
            "no TLS"
        } else {
            NO_TLS
        })
        .help(fix(cx, r, &line));
        return;
    }
    // Only entry points reachable from the internet: a listener of an internal load balancer
    // (plain HTTP inside the network) is not flagged.
    let lb_public = match first_part(READS, r, LB).and_then(|(_, v)| v.as_ref()) {
        Some(x) => cx.facts.public.contains(x.resource),
        None => true,
    };
    if !lb_public || redirects(r) {
        return;
    }
    let line = match r.ty.as_str() {
        "aws.elbv2.Listener" => "redirect_https = true".to_string(),
        "cfn.AWS.ElasticLoadBalancingV2.Listener" => "DefaultActions = [{ Type = \"redirect\", RedirectConfig = { Protocol = \"HTTPS\", Port = \"443\", StatusCode = \"HTTP_301\" } }]".to_string(),
        _ => "default_action = [{ type = \"redirect\", redirect = { protocol = \"HTTPS\", port = \"443\", status_code = \"HTTP_301\" } }]".to_string(),
    };
    out.at(
        r,
        hit.prop(),
        format!(
            "`{}` serves plain HTTP without redirecting to HTTPS",
            r.name
        ),
    )
    .label(HTTP)
    .help(fix(cx, r, &line));
}
