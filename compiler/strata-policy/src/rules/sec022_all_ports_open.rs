use super::net::{inbound, openings, Inbound};
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A firewall rule that allows every port (or every protocol) from anywhere, by itself or
    /// together with other rules of the group whose ranges add up to every address. Each such
    /// rule is reported.
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
        reads: super::net::shape_reads,
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let rules = inbound(r);
    let opens = |rule: &Inbound<'_>| -> Vec<()> {
        let all = match &rule.ports {
            None => true,
            Some(rs) => rs.iter().any(|&(a, b)| a <= 1 && b >= 65535),
        };
        if all {
            vec![()]
        } else {
            Vec::new()
        }
    };
    for o in openings(&rules, opens) {
        let d = out
            .report(
                cx.span_at(r, &o.rule.path, &[]),
                format!("`{}` allows every port from `{}`", r.name, o.src),
            )
            .label(if o.also.is_empty() {
                "all ports open to the internet"
            } else {
                "all ports open to part of the internet here…"
            })
            .help(
                "allow only the ports the service needs, e.g. `{ port = 443, cidr = 0.0.0.0/0 }`",
            );
        for a in &o.also {
            d.secondary(
                cx.span_at(r, &a.path, &[]),
                "…and the rest of it here: together, every address",
            );
        }
    }
}
