//! Helpers shared by rules: reading properties, ports and CIDRs, path labels.

use crate::engine::{Cx, DiagExt};
use strata_base::Diagnostic;
use strata_graph::EdgeKind;
use strata_model::{Resource, ResourceId, Value};

/// The value at a dotted path (`backups.retention`).
pub fn get<'r>(r: &'r Resource, path: &str) -> Option<&'r Value> {
    let (head, rest) = match path.split_once('.') {
        Some((h, t)) => (h, Some(t)),
        None => (path, None),
    };
    let v = r.prop(head)?;
    match rest {
        Some(t) => v.get_path(t),
        None => Some(v),
    }
}

/// The string at a path.
pub fn get_str<'r>(r: &'r Resource, path: &str) -> Option<&'r str> {
    get(r, path).and_then(Value::as_str)
}

/// `Some(b)` when the path holds a bool.
pub fn get_bool(r: &Resource, path: &str) -> Option<bool> {
    get(r, path).and_then(Value::as_bool)
}

/// True when the property is set to `false`, or absent/null (not enabled).
pub fn not_true(r: &Resource, path: &str) -> bool {
    !get(r, path).is_some_and(Value::is_true)
}

/// True when the property is explicitly `true`.
pub fn is_true(r: &Resource, path: &str) -> bool {
    get(r, path).is_some_and(Value::is_true)
}

/// Absent or null.
pub fn unset(r: &Resource, path: &str) -> bool {
    get(r, path).is_none_or(Value::is_null)
}

/// A duration in seconds (quantities) or a plain number taken as `unit_seconds` units.
pub fn seconds(v: &Value, unit_seconds: f64) -> Option<f64> {
    match v {
        Value::Quantity(q) => q.seconds(),
        v => v.as_f64().map(|n| n * unit_seconds),
    }
}

/// Secondary labels for each edge along a path (edges may point either way).
pub fn push_path_labels(cx: &Cx<'_>, d: &mut Diagnostic, path: &[ResourceId]) {
    let name = |id: ResourceId| cx.resource(id).map_or("?", |r| r.name.as_str());
    for w in path.windows(2) {
        if let Some((a, b, e)) = crate::reach::edge_between(cx.graph, cx.facts, w[0], w[1]) {
            let verb = if e.kind == EdgeKind::Reference { "references" } else { "depends on" };
            d.secondary(e.span, format!("`{}` {verb} `{}` here", name(a), name(b)));
        }
    }
}

/// Whether a CIDR (IPv4 or IPv6) is "anywhere".
pub fn is_anywhere(cidr: &str) -> bool {
    matches!(cidr.trim(), "0.0.0.0/0" | "::/0" | "*" | "0.0.0.0" | "Internet" | "internet" | "any" | "Any")
}

/// The CIDR strings in a value (a CIDR, a string, or a list of them).
pub fn cidrs(v: &Value) -> Vec<&str> {
    match v {
        Value::Cidr(s) | Value::Str(s) => vec![s.as_str()],
        Value::List(l) => l.iter().flat_map(cidrs).collect(),
        _ => Vec::new(),
    }
}

/// A port range from `from_port`/`to_port`, `port`, `ports` (numbers, "80", "8000-8100",
/// lists). `None` = all ports.
pub fn port_ranges(v: Option<&Value>) -> Option<Vec<(i64, i64)>> {
    let v = v?;
    let mut out = Vec::new();
    fn one(v: &Value, out: &mut Vec<(i64, i64)>) -> bool {
        match v {
            Value::Int(p) => {
                out.push((*p, *p));
                true
            }
            Value::Str(s) => {
                let s = s.trim();
                if s == "*" || s.eq_ignore_ascii_case("all") {
                    return false;
                }
                match s.split_once('-') {
                    Some((a, b)) => match (a.trim().parse(), b.trim().parse()) {
                        (Ok(a), Ok(b)) => {
                            out.push((a, b));
                            true
                        }
                        _ => true,
                    },
                    None => {
                        if let Ok(p) = s.parse() {
                            out.push((p, p));
                        }
                        true
                    }
                }
            }
            Value::List(l) => l.iter().all(|x| one(x, out)),
            Value::Record(m) => {
                let from = m.get("from").or_else(|| m.get("from_port")).and_then(Value::as_i64);
                let to = m.get("to").or_else(|| m.get("to_port")).and_then(Value::as_i64);
                match (from, to) {
                    (Some(a), Some(b)) => out.push((a, b)),
                    (Some(a), None) | (None, Some(a)) => out.push((a, a)),
                    _ => return false,
                }
                true
            }
            _ => true,
        }
    }
    if one(v, &mut out) {
        Some(out)
    } else {
        None
    }
}

/// Whether the ranges (`None` = all ports) include `port`.
pub fn covers(ranges: &Option<Vec<(i64, i64)>>, port: i64) -> bool {
    match ranges {
        None => true,
        Some(rs) => rs.iter().any(|&(a, b)| a == -1 || (a <= port && port <= b)),
    }
}

/// A resource name as it can be written in an identifier (for help text).
pub fn ident(name: &str) -> String {
    name.replace(['.', '[', ']', '"', '-', ' '], "_").trim_matches('_').to_string()
}
