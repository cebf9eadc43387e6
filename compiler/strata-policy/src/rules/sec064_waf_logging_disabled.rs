use super::prelude::*;

rule! {
    /// ## What it checks
    /// A web application firewall that keeps no request logs: `logging` unset on
    /// `aws.wafv2.WebACL`, or a web ACL (`cfn.AWS.WAFv2.WebACL`, `tf.aws_wafv2_web_acl`) that no
    /// logging configuration (`cfn.AWS.WAFv2.LoggingConfiguration`,
    /// `tf.aws_wafv2_web_acl_logging_configuration`) references. The web ACL of a public
    /// portable `Service` or of a portable `LoadBalancer` on AWS logs unless the access logs are
    /// turned off (`access_logs = false`), which is then the fix.
    ///
    /// ## Why it matters
    /// Sampled requests and metrics say that rules matched, not which client sent what; the
    /// request logs are the record of blocked attacks and of false positives to tune. Checkov:
    /// `CKV2_AWS_31`.
    ///
    /// ## Example
    /// ```strata
    /// resource waf: aws.wafv2.WebACL { scope = "REGIONAL" }
    /// ```
    ///
    /// ## Fix
    /// WAF writes only to log groups named `aws-waf-logs-*`:
    /// ```strata
    /// resource waf_logs: aws.logs.LogGroup { log_group_name = "aws-waf-logs-api", retention = 365d }
    /// resource waf: aws.wafv2.WebACL { scope = "REGIONAL", logging = { log_group = waf_logs } }
    /// ```
    pub static RULE = {
        code: "SEC064",
        name: "waf-logging-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const NO_LOGS: &str = "no request logs";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.wafv2.WebACL", "logging", Is::Unset, NO_LOGS),
    // A web ACL's logging is a resource of its own that points at it (`LOGGING`).
    read("cfn.AWS.WAFv2.WebACL", "", Is::Unset, NO_LOGS),
    read("tf.aws_wafv2_web_acl", "", Is::Unset, NO_LOGS),
];

/// The logging configuration types: one that references the web ACL turns its logs on.
const LOGGING: &[&str] = &[
    "cfn.AWS.WAFv2.LoggingConfiguration",
    "tf.aws_wafv2_web_acl_logging_configuration",
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    if cx.graph.dependents(r.id).iter().any(|(d, _)| {
        cx.resource(*d)
            .is_some_and(|x| LOGGING.contains(&x.ty.as_str()))
    }) {
        return;
    }
    let origin = cx.origin(r).map(|o| o.ty.as_str());
    let help = match (r.ty.as_str(), origin) {
        (_, Some("portable.LoadBalancer")) => fix(cx, r, "access_logs = true"),
        (_, Some("portable.Service")) => Help::from(format!(
            "turn the access logs of `{}` back on: `access_logs = true` in its `public` (the web ACL's request logs go to a log group `aws-waf-logs-STACK-NAME`)",
            cx.origin(r).map_or(r.name.as_str(), |o| o.name.as_str())
        )),
        ("cfn.AWS.WAFv2.WebACL", _) => Help::from(format!(
            "declare its logging: `resource {}_logging: cfn.AWS.WAFv2.LoggingConfiguration {{ ResourceArn = {}.Arn, LogDestinationConfigs = [<a log group named aws-waf-logs-*>.Arn] }}`",
            ident(&r.name),
            r.name
        )),
        ("tf.aws_wafv2_web_acl", _) => Help::from(format!(
            "declare its logging: `resource {}_logging: tf.aws_wafv2_web_acl_logging_configuration {{ resource_arn = {}.arn, log_destination_configs = [<a log group named aws-waf-logs-*>.arn] }}`",
            ident(&r.name),
            r.name
        )),
        _ => fix(cx, r, "logging = { log_group = <a log group named aws-waf-logs-*> }"),
    };
    out.at(
        r,
        hit.prop(),
        format!("web ACL `{}` keeps no request logs", r.name),
    )
    .label(NO_LOGS)
    .help(help);
}
