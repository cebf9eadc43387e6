use super::net::{inbound, openings, Inbound};
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A firewall rule that allows a database, cache or search port from anywhere: PostgreSQL
    /// 5432, MySQL 3306, SQL Server 1433, Oracle 1521, Redis 6379, Memcached 11211, MongoDB
    /// 27017, Elasticsearch 9200/9300, Cassandra 9042, Redshift 5439, Kafka 9092 — by itself or
    /// together with other rules of the group whose ranges add up to every address. Each such
    /// rule is reported. A Kubernetes Service of type `LoadBalancer` (`k8s.Service`,
    /// `kube.core.v1.Service`) is such a rule for each of its ports: its cloud load balancer
    /// admits `loadBalancerSourceRanges`, everyone when none is written, unless an annotation
    /// makes it internal (AWS, GKE, AKS).
    ///
    /// ## Why it matters
    /// Data services exposed to the internet are found by scanners within minutes; Redis and
    /// Memcached in particular often run without authentication. Checkov: `CKV_GCP_88` (MySQL);
    /// tfsec: `aws-vpc-no-public-ingress-sgr`.
    ///
    /// ## Example
    /// ```strata
    /// resource db_sg: aws.ec2.SecurityGroup { ingress = [{ port = 5432, cidr = 0.0.0.0/0 }] }
    /// ```
    ///
    /// ## Fix
    /// Allow only the application's security group or subnet:
    /// ```strata
    /// resource db_sg: aws.ec2.SecurityGroup { ingress = [{ port = 5432, cidr = 10.0.1.0/24 }] }
    /// ```
    pub static RULE = {
        code: "SEC021",
        name: "data-port-open",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: super::net::reads,
        check: Check::Resource(check),
    }
}

const PORTS: &[(i64, &str)] = &[
    (5432, "PostgreSQL"),
    (3306, "MySQL"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (6379, "Redis"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
    (9200, "Elasticsearch"),
    (9300, "Elasticsearch"),
    (9042, "Cassandra"),
    (5439, "Redshift"),
    (9092, "Kafka"),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let rules = inbound(r);
    // Every port (no `ports`) is SEC022's.
    let opens = |rule: &Inbound<'_>| -> Vec<i64> {
        match rule.ports {
            None => Vec::new(),
            Some(_) => PORTS
                .iter()
                .map(|&(p, _)| p)
                .filter(|&p| covers(&rule.ports, p))
                .collect(),
        }
    };
    for o in openings(&rules, opens) {
        let what = PORTS
            .iter()
            .find(|(p, _)| *p == o.key)
            .map_or("a data port", |(_, w)| w);
        let d = out
            .report(cx.span_at(r, &o.rule.path, &[]), format!("`{}` allows {what} ({}) from `{}`", r.name, o.key, o.src))
            .label(if o.also.is_empty() { "data port open to the internet" } else { "data port open to part of the internet here…" })
            .help(super::net::lb_help(r).unwrap_or_else(|| format!("allow only the application's subnet or security group instead of `{}` (e.g. `cidr = 10.0.1.0/24`)", o.src)));
        for a in &o.also {
            d.secondary(
                cx.span_at(r, &a.path, &[]),
                "…and the rest of it here: together, every address",
            );
        }
    }
}
