use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Route 53 hosted zone with `query_logs` (`aws.route53.HostedZone`) in a stack whose
    /// region is not us-east-1.
    ///
    /// ## Why it matters
    /// Route 53 writes query logs only to CloudWatch Logs log groups in us-east-1, whatever
    /// region the zone's stack deploys to; the log group (and its resource policy) are created
    /// in the stack's region, so creating the query logging configuration fails and the deploy
    /// rolls back.
    ///
    /// ## Example
    /// ```strata
    /// stack app { provider = aws { region = "eu-west-1" } }
    /// resource dns_logs: aws.logs.LogGroup { log_group_name = "/aws/route53/example.com" }
    /// resource zone: aws.route53.HostedZone { domain = "example.com", query_logs = dns_logs }
    /// ```
    ///
    /// ## Fix
    /// Declare the zone and its log group in a stack in us-east-1 (Route 53 is global: the
    /// zone serves every region):
    /// ```strata
    /// stack dns { provider = aws { region = "us-east-1" } }
    /// resource dns_logs: aws.logs.LogGroup { stack = dns, log_group_name = "/aws/route53/example.com" }
    /// resource zone: aws.route53.HostedZone { stack = dns, domain = "example.com", query_logs = dns_logs }
    /// ```
    pub static RULE = {
        code: "DEP006",
        name: "route53-query-logs-region",
        category: Deploy,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const LOGGED: &str = "query logs";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.route53.HostedZone", "query_logs", Is::Test(is_set), LOGGED),
];

/// Any value: the zone logs its queries.
fn is_set(_: &Value) -> bool {
    true
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let Some(region) = cx.facts.region(r.id) else {
        return;
    };
    if region == "us-east-1" {
        return;
    }
    out.at(
        r,
        hit.prop(),
        format!(
            "zone `{}` logs queries from {region}: Route 53 writes query logs only to log groups in us-east-1",
            r.name
        ),
    )
    .label(LOGGED)
    .help(Help::from(
        "declare the zone and its log group in a stack whose region is us-east-1 (the zone serves every region)".to_string(),
    ));
}
