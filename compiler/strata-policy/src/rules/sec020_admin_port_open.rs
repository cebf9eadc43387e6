use super::net::{inbound, open_source};
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A security group, firewall or network security group rule that allows SSH (22) or RDP
    /// (3389) — or the ports of the option `ports` — from anywhere (`0.0.0.0/0` or `::/0`).
    ///
    /// ## Why it matters
    /// Administrative ports open to the internet are brute-forced continuously and are the
    /// entry point of many breaches. Use a bastion, Session Manager / IAP tunnels, or a VPN,
    /// and allow only their addresses. Checkov: `CKV_AWS_24`, `CKV_AWS_25`, `CKV_GCP_2`,
    /// `CKV_GCP_3`, `CKV_AZURE_9`, `CKV_AZURE_10`.
    ///
    /// ## Example
    /// ```strata
    /// resource sg: aws.ec2.SecurityGroup { ingress = [{ port = 22, cidr = 0.0.0.0/0 }] }
    /// ```
    ///
    /// ## Fix
    /// Allow only the bastion or VPN range:
    /// ```strata
    /// resource sg: aws.ec2.SecurityGroup { ingress = [{ port = 22, cidr = 10.20.0.0/24 }] }
    /// ```
    pub static RULE = {
        code: "SEC020",
        name: "admin-port-open",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: super::net::reads,
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let ports = cx.option_ints("ports").unwrap_or_else(|| vec![22, 3389]);
    for rule in inbound(r) {
        let Some(src) = open_source(&rule) else {
            continue;
        };
        if rule.ports.is_none() {
            continue; // every port: SEC022 reports it
        }
        if let Some(p) = ports.iter().find(|&&p| covers(&rule.ports, p)) {
            let what = match p {
                22 => "SSH (22)".to_string(),
                3389 => "RDP (3389)".to_string(),
                p => format!("port {p}"),
            };
            out.report(cx.span_at(r, &rule.path, &[]), format!("`{}` allows {what} from `{src}`", r.name))
                .label("administrative port open to the internet")
                .help(format!("allow only a bastion or VPN range instead of `{src}` (e.g. `cidr = 10.0.0.0/24`), or reach the hosts through Session Manager or IAP"));
            return;
        }
    }
}
