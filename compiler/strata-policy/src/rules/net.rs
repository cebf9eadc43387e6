//! Reading firewall rules out of security groups, firewall resources and network security
//! groups, whatever their shape: a list of rule records (`ingress`, `rules`,
//! `security_rules`, `allow`), or a resource that is itself one rule.

use super::util::*;
use strata_model::{Resource, Value};

/// One inbound rule.
pub struct Inbound<'r> {
    /// `None`: every port.
    pub ports: Option<Vec<(i64, i64)>>,
    pub sources: Vec<&'r str>,
    /// The top-level property it is written in.
    pub prop: &'static str,
}

fn get_in<'r>(
    rec: Option<&'r std::collections::BTreeMap<String, Value>>,
    r: &'r Resource,
    key: &str,
) -> Option<&'r Value> {
    match rec {
        Some(m) => m.get(key),
        None => r.prop(key),
    }
}

fn rule_of<'r>(
    rec: Option<&'r std::collections::BTreeMap<String, Value>>,
    r: &'r Resource,
    prop: &'static str,
) -> Option<Inbound<'r>> {
    let g = |k: &str| get_in(rec, r, k);
    // Direction and action.
    for k in ["direction", "type", "rule_type"] {
        if let Some(d) = g(k).and_then(Value::as_str) {
            let d = d.to_ascii_lowercase();
            if d == "egress" || d == "outbound" {
                return None;
            }
        }
    }
    if let Some(a) = g("access").or_else(|| g("action")).and_then(Value::as_str) {
        if a.eq_ignore_ascii_case("deny") {
            return None;
        }
    }
    // Sources (rule level, else the firewall's `source_ranges`).
    let mut sources = Vec::new();
    for k in [
        "cidr",
        "cidrs",
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "cidr_ipv4",
        "cidr_ipv6",
        "source_ranges",
        "source_address_prefix",
        "source_address_prefixes",
        "sources",
        "source",
        "from",
    ] {
        if let Some(v) = g(k) {
            sources.extend(cidrs(v));
        }
    }
    if sources.is_empty() && rec.is_some() {
        for k in ["source_ranges", "source_cidrs"] {
            if let Some(v) = r.prop(k) {
                sources.extend(cidrs(v));
            }
        }
    }
    // Protocol: all protocols means all ports.
    let all_proto = g("protocol")
        .and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_i64().map(|i| i.to_string()))
        })
        .is_some_and(|p| matches!(p.to_ascii_lowercase().as_str(), "-1" | "all" | "*"));
    if g("protocol")
        .and_then(Value::as_str)
        .is_some_and(|p| p.eq_ignore_ascii_case("icmp") || p.eq_ignore_ascii_case("icmpv6"))
    {
        return None;
    }
    let ports = if all_proto {
        None
    } else if let (Some(a), Some(b)) = (
        g("from_port").and_then(Value::as_i64),
        g("to_port").and_then(Value::as_i64),
    ) {
        if a == -1 || (a == 0 && b == 65535) || (a == 0 && b == 0 && g("protocol").is_none()) {
            None
        } else {
            Some(vec![(a, b)])
        }
    } else {
        let pv = [
            "port",
            "ports",
            "port_range",
            "destination_port_range",
            "destination_port_ranges",
            "to_port",
        ]
        .iter()
        .find_map(|k| g(k));
        match pv {
            // An empty port list (GCP firewalls) allows every port of the protocol.
            Some(Value::List(l)) if l.is_empty() => None,
            Some(v) => port_ranges(Some(v)),
            None => None,
        }
    };
    Some(Inbound {
        ports,
        sources,
        prop,
    })
}

/// Every inbound rule of a firewall-like resource.
pub fn inbound(r: &Resource) -> Vec<Inbound<'_>> {
    let mut out = Vec::new();
    let mut listed = false;
    for prop in [
        "ingress",
        "ingress_rules",
        "rules",
        "security_rules",
        "allow",
        "inbound_rules",
    ] {
        if let Some(list) = r.prop(prop).and_then(Value::as_list) {
            listed = true;
            for item in list {
                if let Some(m) = item.as_record() {
                    out.extend(rule_of(Some(m), r, prop));
                }
            }
        }
    }
    if !listed {
        // The resource is one rule (a security group rule, an NSG rule, a GCP firewall with
        // top-level ports).
        let prop = [
            "port",
            "ports",
            "from_port",
            "destination_port_range",
            "cidr",
            "cidr_ipv4",
            "source_ranges",
            "source_address_prefix",
        ]
        .into_iter()
        .find(|p| r.prop(p).is_some())
        .unwrap_or("ports");
        out.extend(rule_of(None, r, prop));
    }
    out
}

/// The first open-to-the-world source of a rule.
pub fn open_source<'r>(rule: &Inbound<'r>) -> Option<&'r str> {
    rule.sources.iter().copied().find(|s| is_anywhere(s))
}
