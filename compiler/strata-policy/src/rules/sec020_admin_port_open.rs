use super::net::{inbound, openings, Inbound};
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A security group, firewall or network security group rule that allows SSH (22) or RDP
    /// (3389) — or the ports of the option `ports` — from anywhere (`0.0.0.0/0` or `::/0`, in any
    /// spelling), by itself or together with other rules of the group whose ranges add up to
    /// every address (`0.0.0.0/1` and `128.0.0.0/1`). Each such rule is reported. A Kubernetes
    /// Service of type `LoadBalancer` (`k8s.Service`, `kube.core.v1.Service`) is such a rule for
    /// each of its ports: its cloud load balancer admits `loadBalancerSourceRanges`, everyone
    /// when none is written, unless an annotation makes it internal (AWS, GKE, AKS).
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
    let rules = inbound(r);
    // Every port (no `ports`) is SEC022's.
    let opens = |rule: &Inbound<'_>| -> Vec<i64> {
        match rule.ports {
            None => Vec::new(),
            Some(_) => ports
                .iter()
                .copied()
                .filter(|&p| covers(&rule.ports, p))
                .collect(),
        }
    };
    for o in openings(&rules, opens) {
        let what = match o.key {
            22 => "SSH (22)".to_string(),
            3389 => "RDP (3389)".to_string(),
            p => format!("port {p}"),
        };
        let d = out
            .report(cx.span_at(r, &o.rule.path, &[]), format!("`{}` allows {what} from `{}`", r.name, o.src))
            .label(if o.also.is_empty() { "administrative port open to the internet" } else { "administrative port open to part of the internet here…" })
            .help(super::net::lb_help(r).unwrap_or_else(|| format!("allow only a bastion or VPN range instead of `{}` (e.g. `cidr = 10.0.0.0/24`), or reach the hosts through Session Manager or IAP", o.src)));
        for a in &o.also {
            d.secondary(
                cx.span_at(r, &a.path, &[]),
                "…and the rest of it here: together, every address",
            );
        }
    }
}
