//! Inbound firewall rules, read from the shapes declared here per type: a list of rule
//! records (`ingress`, `SecurityGroupIngress`, `security_rule`, `allow`), or a resource that is
//! itself one rule (`cfn.AWS.EC2.SecurityGroupIngress`, `tf.aws_security_group_rule`).
//! SEC020, SEC021 and SEC022 read through this module; their reads are [`reads`].

use super::util::*;
use crate::reads::{intern, part, values, values_in, Read};
use std::sync::OnceLock;
use strata_model::{Resource, Value};

/// A part of a firewall rule.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Part {
    /// The first port of a range (`from_port`, `FromPort`); `-1` is every port.
    FromPort,
    /// The last port of a range.
    ToPort,
    /// Ports: a number, a string (`"22"`, `"8000-8100"`, `"*"`), or a list of them. An empty
    /// list means every port of the protocol.
    Ports,
    /// The protocol: `-1`, `all` or `*` is every protocol (and every port, unless ports are
    /// listed); ICMP has no ports.
    Protocol,
    /// Source address ranges.
    Source,
    /// Direction: `egress`/`outbound` rules are skipped.
    Direction,
    /// Action: `deny` rules are skipped.
    Action,
}

/// Where a part is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum At {
    /// In each rule (an item of the list, or the resource when it is one rule).
    Rule,
    /// In the resource, for all its rules (GCP firewalls: `source_ranges`, `direction`).
    Resource,
}

/// How a type writes its inbound rules.
pub struct Shape {
    pub ty: &'static str,
    /// The list of inbound rules; empty when the resource is one rule.
    pub list: &'static str,
    pub parts: &'static [(Part, At, &'static str)],
}

use At::{Resource as Res, Rule as R};
use Part::*;

/// Every firewall-like type the rules read, and how.
#[rustfmt::skip]
pub static SHAPES: &[Shape] = &[
    Shape { ty: "aws.ec2.SecurityGroup", list: "ingress", parts: &[(Ports, R, "port"), (FromPort, R, "from_port"), (ToPort, R, "to_port"), (Protocol, R, "protocol"), (Source, R, "cidr")] },
    Shape { ty: "gcp.compute.Firewall", list: "", parts: &[(Ports, R, "ports"), (Protocol, R, "protocol"), (Source, R, "source_ranges"), (Direction, R, "direction"), (Action, R, "action")] },
    Shape { ty: "azure.network.NetworkSecurityGroup", list: "security_rules", parts: &[(Ports, R, "destination_port_range"), (Protocol, R, "protocol"), (Source, R, "source_address_prefix"), (Direction, R, "direction"), (Action, R, "access")] },
    Shape { ty: "cfn.AWS.EC2.SecurityGroup", list: "SecurityGroupIngress", parts: &[(FromPort, R, "FromPort"), (ToPort, R, "ToPort"), (Protocol, R, "IpProtocol"), (Source, R, "CidrIp"), (Source, R, "CidrIpv6")] },
    Shape { ty: "cfn.AWS.EC2.SecurityGroupIngress", list: "", parts: &[(FromPort, R, "FromPort"), (ToPort, R, "ToPort"), (Protocol, R, "IpProtocol"), (Source, R, "CidrIp"), (Source, R, "CidrIpv6")] },
    Shape { ty: "tf.aws_security_group", list: "ingress", parts: &[(FromPort, R, "from_port"), (ToPort, R, "to_port"), (Protocol, R, "protocol"), (Source, R, "cidr_blocks"), (Source, R, "ipv6_cidr_blocks")] },
    Shape { ty: "tf.aws_security_group_rule", list: "", parts: &[(FromPort, R, "from_port"), (ToPort, R, "to_port"), (Protocol, R, "protocol"), (Source, R, "cidr_blocks"), (Source, R, "ipv6_cidr_blocks"), (Direction, R, "type")] },
    Shape { ty: "tf.aws_vpc_security_group_ingress_rule", list: "", parts: &[(FromPort, R, "from_port"), (ToPort, R, "to_port"), (Protocol, R, "ip_protocol"), (Source, R, "cidr_ipv4"), (Source, R, "cidr_ipv6")] },
    Shape { ty: "tf.google_compute_firewall", list: "allow", parts: &[(Ports, R, "ports"), (Protocol, R, "protocol"), (Source, Res, "source_ranges"), (Direction, Res, "direction")] },
    Shape { ty: "dm.compute.v1.firewall", list: "allowed", parts: &[(Ports, R, "ports"), (Protocol, R, "IPProtocol"), (Source, Res, "sourceRanges"), (Direction, Res, "direction")] },
    Shape { ty: "tf.azurerm_network_security_group", list: "security_rule", parts: &[(Ports, R, "destination_port_range"), (Ports, R, "destination_port_ranges"), (Protocol, R, "protocol"), (Source, R, "source_address_prefix"), (Source, R, "source_address_prefixes"), (Direction, R, "direction"), (Action, R, "access")] },
    Shape { ty: "tf.azurerm_network_security_rule", list: "", parts: &[(Ports, R, "destination_port_range"), (Ports, R, "destination_port_ranges"), (Protocol, R, "protocol"), (Source, R, "source_address_prefix"), (Source, R, "source_address_prefixes"), (Direction, R, "direction"), (Action, R, "access")] },
];

/// A Kubernetes Service of type `LoadBalancer`: the cloud's load balancer admits
/// `loadBalancerSourceRanges` (everyone when none is written) on each of its ports, unless an
/// annotation makes it internal. The curated `k8s.Service` has no source ranges: open to all.
pub struct LbService {
    pub ty: &'static str,
    pub kind: &'static str,
    pub ports: &'static str,
    pub port: &'static str,
    /// Empty when the type cannot write any.
    pub sources: &'static str,
    pub annotations: &'static str,
}

#[rustfmt::skip]
pub static LB_SERVICES: &[LbService] = &[
    LbService { ty: "kube.core.v1.Service", kind: "spec.type", ports: "spec.ports", port: "port", sources: "spec.loadBalancerSourceRanges", annotations: "metadata.annotations" },
    LbService { ty: "k8s.Service", kind: "type", ports: "ports", port: "port", sources: "", annotations: "annotations" },
];

/// Annotations (key, value) that make a cloud's load balancer for a Service internal: AWS
/// Load Balancer Controller and the in-tree provider, GKE, AKS.
const INTERNAL: &[(&str, &str)] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        "internal",
    ),
    ("networking.gke.io/load-balancer-type", "internal"),
    ("cloud.google.com/load-balancer-type", "internal"),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        "true",
    ),
];

/// The help for an open `LoadBalancer` Service, `None` for other types.
pub fn lb_help(r: &Resource) -> Option<String> {
    let l = LB_SERVICES.iter().find(|l| l.ty == r.ty)?;
    let ranges = if l.sources.is_empty() {
        String::new()
    } else {
        format!(", or admit only known ranges with `{}`", l.sources)
    };
    Some(format!(
        "keep the Service `ClusterIP` and reach it from inside the cluster, or make its load balancer internal (an annotation in `{}`: `networking.gke.io/load-balancer-type = \"Internal\"`, `service.beta.kubernetes.io/aws-load-balancer-scheme = \"internal\"`, `service.beta.kubernetes.io/azure-load-balancer-internal = \"true\"`){ranges}",
        l.annotations
    ))
}

/// The inbound rules of a `LoadBalancer` Service: one per port.
fn lb_service<'r>(l: &LbService, r: &'r Resource) -> Vec<Inbound<'r>> {
    let lb = values(r, l.kind)
        .first()
        .and_then(|v| v.as_str())
        .is_some_and(|k| k == "LoadBalancer");
    let internal = values(r, l.annotations)
        .first()
        .and_then(|v| v.as_record())
        .is_some_and(|m| {
            INTERNAL.iter().any(|(k, v)| {
                m.get(*k)
                    .and_then(Value::as_str)
                    .is_some_and(|x| x.trim().eq_ignore_ascii_case(v))
            })
        });
    if !lb || internal {
        return Vec::new();
    }
    let mut sources: Vec<&'r str> = if l.sources.is_empty() {
        Vec::new()
    } else {
        values(r, l.sources).into_iter().flat_map(cidrs).collect()
    };
    if sources.is_empty() {
        sources.push("0.0.0.0/0");
    }
    let items = values(r, l.ports)
        .first()
        .and_then(|v| v.as_list())
        .unwrap_or(&[]);
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let port = values_in(item, l.port).first().and_then(|v| v.as_i64())?;
            Some(Inbound {
                ports: Some(vec![(port, port)]),
                sources: sources.clone(),
                path: strata_model::sites::index(l.ports, i),
            })
        })
        .collect()
}

/// The shape of a type.
pub fn shape(ty: &str) -> Option<&'static Shape> {
    SHAPES.iter().find(|s| s.ty == ty)
}

/// The paths the shapes read (SEC022's reads: a Service lists its ports, so it never opens
/// every port).
pub fn shape_reads() -> &'static [Read] {
    static READS: OnceLock<Vec<Read>> = OnceLock::new();
    READS.get_or_init(|| reads_of(false))
}

/// The paths the shapes and the `LoadBalancer` Services read (the reads of SEC020 and SEC021).
pub fn reads() -> &'static [Read] {
    static READS: OnceLock<Vec<Read>> = OnceLock::new();
    READS.get_or_init(|| reads_of(true))
}

fn reads_of(services: bool) -> Vec<Read> {
    let mut out = Vec::new();
    for s in SHAPES {
        for &(p, at, field) in s.parts {
            let path = match (at, s.list.is_empty()) {
                (At::Rule, false) => intern(format!("{}[].{field}", s.list)),
                _ => field,
            };
            out.push(part(s.ty, path, role(p)));
        }
    }
    for l in LB_SERVICES.iter().filter(|_| services) {
        out.push(part(l.ty, l.kind, "service type"));
        out.push(part(
            l.ty,
            intern(format!("{}[].{}", l.ports, l.port)),
            "ports",
        ));
        if !l.sources.is_empty() {
            out.push(part(l.ty, l.sources, "source"));
        }
        out.push(part(l.ty, l.annotations, "annotations"));
    }
    out
}

fn role(p: Part) -> &'static str {
    match p {
        FromPort => "from port",
        ToPort => "to port",
        Ports => "ports",
        Protocol => "protocol",
        Source => "source",
        Direction => "direction",
        Action => "action",
    }
}

/// One inbound rule.
pub struct Inbound<'r> {
    /// `None`: every port.
    pub ports: Option<Vec<(i64, i64)>>,
    pub sources: Vec<&'r str>,
    /// Where it is written: the list element (`ingress[2]`) or, for a resource that is one
    /// rule, the top-level property (see `Cx::span_at`).
    pub path: String,
}

/// The values of a part: in the rule record (or the resource, for a one-rule resource), or in
/// the resource for [`At::Resource`].
fn get<'r>(s: &Shape, r: &'r Resource, item: Option<&'r Value>, p: Part) -> Vec<&'r Value> {
    let mut out = Vec::new();
    for &(q, at, field) in s.parts {
        if q != p {
            continue;
        }
        match (at, item) {
            (At::Rule, Some(item)) => out.extend(values_in(item, field)),
            _ => out.extend(values(r, field)),
        }
    }
    out
}

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::to_string)
        .or_else(|| v.as_i64().map(|i| i.to_string()))
}

fn rule_of<'r>(
    s: &Shape,
    r: &'r Resource,
    item: Option<&'r Value>,
    path: String,
) -> Option<Inbound<'r>> {
    let g = |p: Part| get(s, r, item, p);
    if g(Direction).iter().filter_map(|v| v.as_str()).any(|d| {
        let d = d.to_ascii_lowercase();
        d == "egress" || d == "outbound"
    }) {
        return None;
    }
    if g(Action)
        .iter()
        .filter_map(|v| v.as_str())
        .any(|a| a.eq_ignore_ascii_case("deny"))
    {
        return None;
    }
    let sources: Vec<&str> = g(Source).into_iter().flat_map(cidrs).collect();
    let protocol = g(Protocol).first().and_then(|v| text(v));
    let proto = protocol.as_deref().map(str::to_ascii_lowercase);
    if matches!(proto.as_deref(), Some("icmp" | "icmpv6" | "1" | "58")) {
        return None;
    }
    let all_proto = matches!(
        proto.as_deref().map(str::trim),
        Some("-1" | "all" | "*" | "any")
    );
    // Ports written as numbers or as strings of numbers (`"22"`).
    let port = |v: &Value| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok());
    let from = g(FromPort).first().and_then(|v| port(v));
    let to = g(ToPort).first().and_then(|v| port(v));
    let listed = g(Ports).into_iter().next();
    let ports = if all_proto {
        // Every protocol is every port, unless ports are listed (Azure: `*` with a port range).
        match listed {
            Some(v) if v.as_list().is_none_or(|l| !l.is_empty()) => port_ranges(Some(v)),
            _ => None,
        }
    } else if let (Some(a), Some(b)) = (from, to.or(from)) {
        if a == -1 || (a <= 0 && b >= 65535) || (a == 0 && b == 0 && protocol.is_none()) {
            None
        } else {
            Some(vec![(a, b)])
        }
    } else {
        match listed {
            // An empty port list (GCP firewalls) allows every port of the protocol.
            Some(v) if v.as_list().is_some_and(|l| l.is_empty()) => None,
            Some(v) => port_ranges(Some(v)),
            None => None,
        }
    };
    Some(Inbound {
        ports,
        sources,
        path,
    })
}

/// Every inbound rule of a firewall-like resource (none for a type without a shape).
pub fn inbound(r: &Resource) -> Vec<Inbound<'_>> {
    if let Some(l) = LB_SERVICES.iter().find(|l| l.ty == r.ty) {
        return lb_service(l, r);
    }
    let Some(s) = shape(&r.ty) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if s.list.is_empty() {
        // The resource is one rule: point at the first part written.
        let prop = s
            .parts
            .iter()
            .map(|&(_, _, f)| crate::reads::top_of(f))
            .find(|p| r.prop(p).is_some())
            .unwrap_or("");
        out.extend(rule_of(s, r, None, prop.to_string()));
    } else {
        let items = r.prop(s.list).and_then(Value::as_list).unwrap_or(&[]);
        for (i, item) in items.iter().enumerate() {
            if item.as_record().is_some() {
                let path = strata_model::sites::index(s.list, i);
                out.extend(rule_of(s, r, Some(item), path));
            }
        }
    }
    out
}

/// The first open-to-the-world source of a rule.
pub fn open_source<'r>(rule: &Inbound<'r>) -> Option<&'r str> {
    rule.sources
        .iter()
        .copied()
        .find(|s| is_anywhere(s))
        .or_else(|| {
            set_is_anywhere(&rule.sources)
                .then(|| rule.sources.first().copied())
                .flatten()
        })
}

/// Where inbound rules open something (a port, every port) to anywhere: each rule that does it
/// alone, in order; then, for what no rule opened alone, the rules whose sources together cover
/// every address (`0.0.0.0/1` in one rule, `128.0.0.0/1` in another). `keys` gives what a rule
/// opens (its source aside), the first key being the one reported.
pub struct Opening<'a, 'r, K> {
    pub key: K,
    /// The source as shown: the open range, or the ranges of the set joined.
    pub src: String,
    /// The rule that carries the finding.
    pub rule: &'a Inbound<'r>,
    /// The other rules of a set (empty for a rule open by itself).
    pub also: Vec<&'a Inbound<'r>>,
}

pub fn openings<'a, 'r, K: Ord + Copy>(
    rules: &'a [Inbound<'r>],
    keys: impl Fn(&Inbound<'r>) -> Vec<K>,
) -> Vec<Opening<'a, 'r, K>> {
    let mut out = Vec::new();
    let mut opened = std::collections::BTreeSet::new();
    let mut seen = Vec::new();
    for rule in rules {
        let ks = keys(rule);
        for &k in &ks {
            if !seen.contains(&k) {
                seen.push(k);
            }
        }
        if let (Some(src), Some(&k)) = (open_source(rule), ks.first()) {
            opened.extend(ks.iter().copied());
            out.push(Opening {
                key: k,
                src: src.to_string(),
                rule,
                also: Vec::new(),
            });
        }
    }
    for k in seen {
        if opened.contains(&k) {
            continue;
        }
        let set: Vec<&Inbound<'r>> = rules.iter().filter(|r| keys(r).contains(&k)).collect();
        let sources: Vec<&str> = set.iter().flat_map(|r| r.sources.iter().copied()).collect();
        if set.len() > 1 && set_is_anywhere(&sources) {
            let mut shown: Vec<&str> = Vec::new();
            for s in sources {
                if !shown.contains(&s) {
                    shown.push(s);
                }
            }
            out.push(Opening {
                key: k,
                src: shown.join("`, `"),
                rule: set[0],
                also: set[1..].to_vec(),
            });
        }
    }
    out
}
