use super::net::{inbound, open_source};
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A firewall rule that allows every port (or every protocol) from anywhere.
    ///
    /// ## Why it matters
    /// Everything listening on the hosts becomes reachable from the internet, including
    /// services never meant to be exposed (metrics, debug endpoints, databases). tfsec: `aws-vpc-no-public-ingress-sg`.
    ///
    /// ## Example
    /// ```strata
    /// resource sg: aws.ec2.SecurityGroup { ingress = [{ protocol = "-1", cidr = 0.0.0.0/0 }] }
    /// ```
    ///
    /// ## Fix
    /// Open only the ports the service needs:
    /// ```strata
    /// resource sg: aws.ec2.SecurityGroup { ingress = [{ port = 443, cidr = 0.0.0.0/0 }] }
    /// ```
    pub static RULE = {
        code: "SEC022",
        name: "all-ports-open",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: super::net::reads,
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for rule in inbound(r) {
        let Some(src) = open_source(&rule) else {
            continue;
        };
        let all = match &rule.ports {
            None => true,
            Some(rs) => rs.iter().any(|&(a, b)| a <= 1 && b >= 65535),
        };
        if all {
            out.report(
                cx.span_at(r, &rule.path, &[]),
                format!("`{}` allows every port from `{src}`", r.name),
            )
            .label("all ports open to the internet")
            .help(
                "allow only the ports the service needs, e.g. `{ port = 443, cidr = 0.0.0.0/0 }`",
            );
            return;
        }
    }
}
