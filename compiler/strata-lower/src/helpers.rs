//! Template helpers. Every helper computes a JSON value: used as a subexpression
//! (`{{json (default props.name "x")}}`) it passes the value on; used at the top level
//! (`{{gib props.storage}}`) it writes the value as JSON text. Templates therefore never
//! write user data without going through a helper, so the output is always valid JSON.

use crate::ctx::{self, marker};
use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason, ScopedJson,
};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;
use std::sync::Arc;
use strata_base::units::Dimension;

pub type Tables = BTreeMap<String, Json>;
type Fun = fn(&[&Json], &Tables) -> Result<Json, String>;

struct ValueHelper {
    f: Fun,
    tables: Arc<Tables>,
}

impl HelperDef for ValueHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let args: Vec<&Json> = h.params().iter().map(|p| p.value()).collect();
        (self.f)(&args, &self.tables)
            .map(ScopedJson::Derived)
            .map_err(|e| RenderErrorReason::Other(format!("helper `{}`: {e}", h.name())).into())
    }

    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        cx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let v = self.call_inner(h, r, cx, rc)?;
        let text = serde_json::to_string(v.as_json())
            .map_err(|e| RenderErrorReason::Other(e.to_string()))?;
        out.write(&text)?;
        Ok(())
    }
}

/// `json`: the hot path of every template, written without cloning its argument.
struct JsonHelper;

impl HelperDef for JsonHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        Ok(ScopedJson::Derived(
            h.param(0).map_or(Json::Null, |p| p.value().clone()),
        ))
    }

    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let text = match h.param(0) {
            Some(p) => serde_json::to_string(p.value())
                .map_err(|e| RenderErrorReason::Other(e.to_string()))?,
            None => "null".to_string(),
        };
        out.write(&text)?;
        Ok(())
    }
}

/// Every helper, by name. `README.md` of the stdlib documents them.
pub const HELPERS: &[(&str, Fun)] = &[
    ("json", json),
    ("default", default),
    ("concat", concat),
    ("join", join),
    ("entry", entry),
    ("lowered", lowered),
    ("ref", ref_attr),
    ("refs", refs),
    ("param", param),
    ("block", block),
    ("blocks", blocks),
    ("jsonencode", jsonencode),
    ("bytes", |a, _| unit(a, Dimension::Size, 1.0)),
    ("kib", |a, _| unit(a, Dimension::Size, 1024.0)),
    ("mib", |a, _| unit(a, Dimension::Size, 1048576.0)),
    ("gib", |a, _| unit(a, Dimension::Size, 1073741824.0)),
    ("gb", |a, _| unit(a, Dimension::Size, 1e9)),
    ("milliseconds", |a, _| unit(a, Dimension::Duration, 0.001)),
    ("seconds", |a, _| unit(a, Dimension::Duration, 1.0)),
    ("minutes", |a, _| unit(a, Dimension::Duration, 60.0)),
    ("hours", |a, _| unit(a, Dimension::Duration, 3600.0)),
    ("days", |a, _| unit(a, Dimension::Duration, 86400.0)),
    ("duration_s", duration_s),
    ("k8s_size", k8s_size),
    ("k8s_cpu", k8s_cpu),
    ("qty", qty),
    ("table", table),
    ("round_up", round_up),
    ("lower", |a, _| map_str(a, |s| s.to_lowercase())),
    ("upper", |a, _| map_str(a, |s| s.to_uppercase())),
    ("kebab", |a, _| map_str(a, crate::names::kebab)),
    ("snake", |a, _| map_str(a, crate::names::snake)),
    ("pascal", |a, _| map_str(a, crate::names::pascal)),
    ("truncate", truncate),
    ("cfn_tags", cfn_tags),
    ("tag_map", tag_map),
    ("gcp_labels", gcp_labels),
    ("merge", merge),
    ("list", |a, _| {
        Ok(Json::Array(a.iter().map(|v| (*v).clone()).collect()))
    }),
    ("obj", |a, _| {
        // `obj "k1" v1 "k2" v2`: a record (for a partial's context).
        let mut m = serde_json::Map::new();
        for kv in a.chunks(2) {
            if let [k, v] = kv {
                let k = k.as_str().ok_or("`obj` keys are strings")?;
                m.insert(k.to_string(), (*v).clone());
            }
        }
        Ok(Json::Object(m))
    }),
    ("compact", compact),
    ("has", |a, _| {
        Ok(Json::Bool(a.first().is_some_and(|v| ctx::truthy(v))))
    }),
    ("is_null", |a, _| {
        Ok(Json::Bool(matches!(a.first(), None | Some(Json::Null))))
    }),
    ("add", |a, _| arith(a, |x, y| x + y)),
    ("sub", |a, _| arith(a, |x, y| x - y)),
    ("mul", |a, _| arith(a, |x, y| x * y)),
    ("div", |a, _| {
        arith(a, |x, y| if y == 0.0 { f64::NAN } else { x / y })
    }),
    ("str", to_str),
    ("cidrsubnet", cidrsubnet),
    ("map_entries", map_entries),
    ("index_of", index_of),
    ("json_string", json_string),
    ("split_part", split_part),
    ("alnum", |a, _| {
        map_str(a, |s| {
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        })
    }),
];

pub fn register(hb: &mut Handlebars<'static>, tables: Arc<Tables>) {
    for (name, f) in HELPERS {
        hb.register_helper(
            name,
            Box::new(ValueHelper {
                f: *f,
                tables: tables.clone(),
            }),
        );
    }
    hb.register_helper("json", Box::new(JsonHelper));
}

fn arg<'a>(a: &[&'a Json], i: usize) -> &'a Json {
    static NULL: Json = Json::Null;
    a.get(i).copied().unwrap_or(&NULL)
}

fn num(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(Json::Number)
            .unwrap_or(Json::Null)
    }
}

fn json(a: &[&Json], _: &Tables) -> Result<Json, String> {
    Ok(arg(a, 0).clone())
}

/// The first argument that is not null.
fn default(a: &[&Json], _: &Tables) -> Result<Json, String> {
    Ok(a.iter()
        .find(|v| !v.is_null())
        .map(|v| (*v).clone())
        .unwrap_or(Json::Null))
}

/// Text of a scalar for concatenation; `None` for a reference or interpolation.
fn scalar_text(v: &Json) -> Result<Option<String>, String> {
    Ok(match v {
        Json::Null => Some(String::new()),
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(match n.as_i64() {
            Some(i) => i.to_string(),
            None => n.to_string(),
        }),
        Json::Bool(b) => Some(b.to_string()),
        _ => match ctx::as_marker(v) {
            Some(("$ref" | "$interp" | "$entry" | "$lowered" | "$param" | "$split", _)) => None,
            _ => return Err(format!("cannot put {v} into a string")),
        },
    })
}

fn push_part(parts: &mut Vec<Json>, v: &Json) -> Result<(), String> {
    if let Some(s) = scalar_text(v)? {
        if s.is_empty() {
            return Ok(());
        }
        if let Some(Json::String(last)) = parts.last_mut() {
            last.push_str(&s);
        } else {
            parts.push(Json::String(s));
        }
        return Ok(());
    }
    match ctx::as_marker(v) {
        Some(("$interp", Json::Array(inner))) => {
            for p in inner {
                push_part(parts, p)?;
            }
        }
        _ => parts.push(v.clone()),
    }
    Ok(())
}

fn parts_to_value(parts: Vec<Json>) -> Json {
    match parts.len() {
        0 => Json::String(String::new()),
        1 if parts[0].is_string() => parts.into_iter().next().unwrap_or(Json::Null),
        _ => marker("$interp", Json::Array(parts)),
    }
}

/// Concatenate strings, numbers and references into a string (an interpolation if any part is
/// a reference). Null parts count as empty.
fn concat(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let mut parts = Vec::new();
    for v in a {
        push_part(&mut parts, v)?;
    }
    Ok(parts_to_value(parts))
}

/// `join SEP LIST`.
fn join(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let sep = arg(a, 0);
    let Some(items) = arg(a, 1).as_array() else {
        return Ok(Json::Null);
    };
    let mut parts = Vec::new();
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            push_part(&mut parts, sep)?;
        }
        push_part(&mut parts, v)?;
    }
    Ok(parts_to_value(parts))
}

/// `entry KEY [INDEX] [ATTR]`: another resource of the same target mapping.
fn entry(a: &[&Json], _: &Tables) -> Result<Json, String> {
    sibling("$entry", a)
}

/// `lowered KEY [INDEX] [ATTR]`: another resource of the same portable lowering.
fn lowered(a: &[&Json], _: &Tables) -> Result<Json, String> {
    sibling("$lowered", a)
}

fn sibling(name: &str, a: &[&Json]) -> Result<Json, String> {
    let key = arg(a, 0)
        .as_str()
        .ok_or("the first argument must be an entry key")?;
    let (index, attr) = match (arg(a, 1), arg(a, 2)) {
        (Json::Number(n), at) => (n.as_u64().map(Json::from).unwrap_or(Json::Null), at.clone()),
        (Json::String(s), _) => (Json::Null, Json::String(s.clone())),
        (Json::Null, at) => (Json::Null, at.clone()),
        (other, _) => return Err(format!("expected an index or an attribute, found {other}")),
    };
    Ok(marker(
        name,
        Json::Array(vec![Json::String(key.to_string()), index, attr]),
    ))
}

fn set_attr(v: &Json, attr: &Json) -> Json {
    match ctx::as_marker(v) {
        Some(("$ref", Json::Array(p))) => {
            let id = p.first().cloned().unwrap_or(Json::Null);
            marker("$ref", Json::Array(vec![id, attr.clone()]))
        }
        Some(("$entry" | "$lowered", Json::Array(p))) => {
            let name = if ctx::as_marker(v).is_some_and(|(k, _)| k == "$entry") {
                "$entry"
            } else {
                "$lowered"
            };
            marker(
                name,
                Json::Array(vec![
                    p.first().cloned().unwrap_or(Json::Null),
                    p.get(1).cloned().unwrap_or(Json::Null),
                    attr.clone(),
                ]),
            )
        }
        _ => v.clone(),
    }
}

/// `ref VALUE ATTR`: a reference to a resource, as its attribute ATTR (`ref props.key "arn"`).
/// Anything else (null, a string) is returned unchanged.
fn ref_attr(a: &[&Json], _: &Tables) -> Result<Json, String> {
    Ok(set_attr(arg(a, 0), arg(a, 1)))
}

/// `refs LIST ATTR`: `ref` over a list.
fn refs(a: &[&Json], _: &Tables) -> Result<Json, String> {
    match arg(a, 0) {
        Json::Array(l) => Ok(Json::Array(
            l.iter().map(|v| set_attr(v, arg(a, 1))).collect(),
        )),
        Json::Null => Ok(Json::Null),
        other => Ok(set_attr(other, arg(a, 1))),
    }
}

fn param(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let name = arg(a, 0).as_str().ok_or("expected a parameter name")?;
    Ok(marker("$param", Json::String(name.to_string())))
}

/// A Terraform nested block; null when the argument is null.
fn block(a: &[&Json], _: &Tables) -> Result<Json, String> {
    match arg(a, 0) {
        Json::Null => Ok(Json::Null),
        Json::Object(_) => Ok(marker("$block", arg(a, 0).clone())),
        other => Err(format!("a block must be an object, found {other}")),
    }
}

/// Terraform nested blocks, one per element; null when empty.
fn blocks(a: &[&Json], _: &Tables) -> Result<Json, String> {
    match arg(a, 0) {
        Json::Null => Ok(Json::Null),
        Json::Array(l) if l.is_empty() => Ok(Json::Null),
        Json::Array(_) => Ok(marker("$blocks", arg(a, 0).clone())),
        other => Err(format!("blocks must be a list of objects, found {other}")),
    }
}

fn jsonencode(a: &[&Json], _: &Tables) -> Result<Json, String> {
    match arg(a, 0) {
        Json::Null => Ok(Json::Null),
        v => Ok(marker("$json", v.clone())),
    }
}

fn quantity(v: &Json, dim: Dimension) -> Result<Option<f64>, String> {
    if v.is_null() {
        return Ok(None);
    }
    match ctx::as_marker(v).and_then(|(k, p)| (k == "$q").then(|| ctx::quantity_parts(p)).flatten())
    {
        Some((x, d, _)) if d == dim => Ok(Some(x)),
        Some((_, d, _)) => Err(format!("expected a {}, found a {}", dim.name(), d.name())),
        None => Err(format!("expected a {}, found {v}", dim.name())),
    }
}

/// A quantity in a unit, rounded up to a whole number (storage is allocated, and retention
/// kept, in whole units).
fn unit(a: &[&Json], dim: Dimension, factor: f64) -> Result<Json, String> {
    Ok(match quantity(arg(a, 0), dim)? {
        Some(x) => num((x / factor - 1e-9).ceil().max(0.0)),
        None => Json::Null,
    })
}

/// A duration as Google's `"3600s"`.
fn duration_s(a: &[&Json], _: &Tables) -> Result<Json, String> {
    Ok(match quantity(arg(a, 0), Dimension::Duration)? {
        Some(x) => Json::String(format!("{}s", (x - 1e-9).ceil().max(0.0) as i64)),
        None => Json::Null,
    })
}

/// A size as a Kubernetes quantity: `512Mi`, `2Gi`.
fn k8s_size(a: &[&Json], _: &Tables) -> Result<Json, String> {
    Ok(match quantity(arg(a, 0), Dimension::Size)? {
        Some(x) => {
            let gi = 1073741824.0;
            let mi = 1048576.0;
            if x >= gi && (x / gi).fract() == 0.0 {
                Json::String(format!("{}Gi", (x / gi) as i64))
            } else {
                Json::String(format!("{}Mi", (x / mi).ceil() as i64))
            }
        }
        None => Json::Null,
    })
}

/// CPUs as a Kubernetes quantity: `0.25` → `250m`, `2` → `2`.
fn k8s_cpu(a: &[&Json], _: &Tables) -> Result<Json, String> {
    Ok(match arg(a, 0).as_f64() {
        Some(c) if c.fract() == 0.0 => Json::String(format!("{}", c as i64)),
        Some(c) => Json::String(format!("{}m", (c * 1000.0).round() as i64)),
        None => Json::Null,
    })
}

/// `qty NUMBER UNIT`: a quantity (`qty 20 "GiB"`).
fn qty(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let n = arg(a, 0).as_f64().ok_or("expected a number")?;
    let u = arg(a, 1).as_str().ok_or("expected a unit")?;
    let unit = strata_base::units::unit(u).ok_or_else(|| format!("unknown unit `{u}`"))?;
    let q = strata_model::Quantity {
        value: n * unit.factor,
        dimension: unit.dimension,
        unit: u.to_string(),
    };
    Ok(ctx::quantity_marker(&q))
}

/// `table NAME KEY`: the value of KEY in the lookup table NAME (null if absent).
fn table(a: &[&Json], t: &Tables) -> Result<Json, String> {
    let name = arg(a, 0).as_str().ok_or("expected a table name")?;
    let tab = t.get(name).ok_or_else(|| format!("no table `{name}`"))?;
    let key = match arg(a, 1) {
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Null => return Ok(Json::Null),
        other => return Err(format!("cannot look {other} up")),
    };
    Ok(tab.get(&key).cloned().unwrap_or(Json::Null))
}

/// `round_up NUMBER TABLE`: the smallest value of the list TABLE that is ≥ NUMBER (its largest
/// if none is).
fn round_up(a: &[&Json], t: &Tables) -> Result<Json, String> {
    let Some(x) = arg(a, 0).as_f64() else {
        return Ok(Json::Null);
    };
    let name = arg(a, 1).as_str().ok_or("expected a table name")?;
    let list = t
        .get(name)
        .and_then(Json::as_array)
        .ok_or_else(|| format!("no list table `{name}`"))?;
    let vals: Vec<f64> = list.iter().filter_map(Json::as_f64).collect();
    let pick = vals
        .iter()
        .copied()
        .filter(|v| *v >= x)
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))));
    Ok(pick
        .or_else(|| {
            vals.iter()
                .copied()
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
        })
        .map(num)
        .unwrap_or(Json::Null))
}

fn map_str(a: &[&Json], f: impl Fn(&str) -> String) -> Result<Json, String> {
    Ok(match arg(a, 0) {
        Json::String(s) => Json::String(f(s)),
        Json::Null => Json::Null,
        other => other.clone(),
    })
}

/// `truncate S N`: at most N characters.
fn truncate(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let n = arg(a, 1).as_u64().unwrap_or(u64::MAX) as usize;
    map_str(a, |s| {
        let t: String = s.chars().take(n).collect();
        t.trim_end_matches(['-', '_', '.']).to_string()
    })
}

/// CloudFormation `Tags`: `[{Key, Value}]` sorted by key; null when there are none.
fn cfn_tags(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let Some(m) = arg(a, 0).as_object() else {
        return Ok(Json::Null);
    };
    if m.is_empty() {
        return Ok(Json::Null);
    }
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    Ok(Json::Array(
        keys.into_iter()
            .map(|k| {
                let mut o = Map::new();
                o.insert("Key".into(), Json::String(ctx::unescape_key(k).to_string()));
                o.insert("Value".into(), m[k].clone());
                Json::Object(o)
            })
            .collect(),
    ))
}

/// A map, or null when empty (Terraform `tags`, Kubernetes labels).
fn tag_map(a: &[&Json], _: &Tables) -> Result<Json, String> {
    Ok(match arg(a, 0) {
        Json::Object(m) if !m.is_empty() => arg(a, 0).clone(),
        _ => Json::Null,
    })
}

/// Google labels: keys and values lowercased, characters other than `[a-z0-9_-]` replaced by
/// `_`, at most 63 characters; null when empty.
fn gcp_labels(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let Some(m) = arg(a, 0).as_object() else {
        return Ok(Json::Null);
    };
    if m.is_empty() {
        return Ok(Json::Null);
    }
    let clean = |s: &str| -> String {
        s.to_lowercase()
            .chars()
            .map(|c| {
                if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(63)
            .collect()
    };
    let mut out = Map::new();
    for (k, v) in m {
        let mut key = clean(ctx::unescape_key(k));
        if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
            key.insert(0, 'x');
        }
        let val = match v {
            Json::String(s) => Json::String(clean(s)),
            other => other.clone(),
        };
        out.insert(key, val);
    }
    Ok(Json::Object(out))
}

/// Objects merged left to right (null arguments skipped).
fn merge(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let mut out = Map::new();
    for v in a {
        match v {
            Json::Object(o) => {
                for (k, x) in o {
                    out.insert(k.clone(), x.clone());
                }
            }
            Json::Null => {}
            other => return Err(format!("cannot merge {other}")),
        }
    }
    Ok(Json::Object(out))
}

/// A list without its null elements; null when nothing is left.
fn compact(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let items: Vec<Json> = match arg(a, 0) {
        Json::Array(l) => l.iter().filter(|v| !v.is_null()).cloned().collect(),
        _ => a
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| (*v).clone())
            .collect(),
    };
    Ok(if items.is_empty() {
        Json::Null
    } else {
        Json::Array(items)
    })
}

fn arith(a: &[&Json], f: impl Fn(f64, f64) -> f64) -> Result<Json, String> {
    match (arg(a, 0).as_f64(), arg(a, 1).as_f64()) {
        (Some(x), Some(y)) => Ok(num(f(x, y))),
        _ => Ok(Json::Null),
    }
}

/// A scalar as a string (`str 5432` → `"5432"`).
fn to_str(a: &[&Json], _: &Tables) -> Result<Json, String> {
    Ok(match arg(a, 0) {
        Json::Null => Json::Null,
        v => match scalar_text(v)? {
            Some(s) => Json::String(s),
            None => v.clone(),
        },
    })
}

/// `cidrsubnet PREFIX NEWBITS NETNUM`, as in Terraform (IPv4).
fn cidrsubnet(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let prefix = arg(a, 0).as_str().ok_or("expected a CIDR block")?;
    let newbits = arg(a, 1).as_u64().ok_or("expected newbits")? as u32;
    let netnum = arg(a, 2).as_u64().ok_or("expected netnum")?;
    let (addr, len) = prefix.split_once('/').ok_or("expected a CIDR block")?;
    let addr: std::net::Ipv4Addr = addr
        .parse()
        .map_err(|_| format!("`{prefix}` is not an IPv4 CIDR block"))?;
    let len: u32 = len
        .parse()
        .map_err(|_| format!("`{prefix}` is not an IPv4 CIDR block"))?;
    let new_len = len + newbits;
    if new_len > 32 || netnum >= (1u64 << newbits) {
        return Err(format!(
            "cannot take subnet {netnum} of {newbits} more bits from {prefix}"
        ));
    }
    let base = u32::from(addr) & if len == 0 { 0 } else { u32::MAX << (32 - len) };
    let net = base | ((netnum as u32) << (32 - new_len));
    Ok(Json::String(format!(
        "{}/{}",
        std::net::Ipv4Addr::from(net),
        new_len
    )))
}

/// A map as a list of `{key, value}` sorted by key (for maps whose keys become list items).
fn map_entries(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let Some(m) = arg(a, 0).as_object() else {
        return Ok(Json::Array(Vec::new()));
    };
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    Ok(Json::Array(
        keys.into_iter()
            .map(|k| serde_json::json!({ "key": ctx::unescape_key(k), "value": m[k] }))
            .collect(),
    ))
}

/// `json_string VALUE [VARS]`: a value as JSON text, in a string (CloudFormation properties
/// that take JSON as a string). With `VARS` (an object of names to strings, references or
/// interpolations), every `${NAME}` in the text, NAME one of its keys, is replaced by that
/// value, in keys as in values: the way to put a reference where JSON allows no computed value
/// (an IAM condition keyed by an EKS cluster's OIDC issuer). The result is an interpolation
/// when a value is a reference. The value itself may hold no reference; its null members are
/// left out.
fn json_string(a: &[&Json], _: &Tables) -> Result<Json, String> {
    fn has_marker(v: &Json) -> bool {
        ctx::as_marker(v).is_some()
            || v.as_array().is_some_and(|l| l.iter().any(has_marker))
            || v.as_object().is_some_and(|o| o.values().any(has_marker))
    }
    let text = match arg(a, 0) {
        Json::Null => return Ok(Json::Null),
        v if has_marker(v) => {
            return Err(
                "a value with references cannot be written as JSON text (pass them as `${NAME}` variables)"
                    .into(),
            )
        }
        v => without_nulls(v).to_string(),
    };
    let vars = match arg(a, 1) {
        Json::Null => return Ok(Json::String(text)),
        Json::Object(o) => o,
        other => {
            return Err(format!(
                "the variables of `json_string` must be an object, not {other}"
            ))
        }
    };
    let mut parts = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let var = after
            .find('}')
            .and_then(|end| vars.get(&after[..end]).map(|v| (end, v)));
        let Some((end, v)) = var else {
            push_part(&mut parts, &Json::String(rest[..start + 2].to_string()))?;
            rest = after;
            continue;
        };
        push_part(&mut parts, &Json::String(rest[..start].to_string()))?;
        match v {
            // Inside a JSON string: the text as JSON escapes it, without its quotes.
            Json::String(s) => {
                let quoted = Json::String(s.clone()).to_string();
                push_part(
                    &mut parts,
                    &Json::String(quoted[1..quoted.len() - 1].to_string()),
                )?;
            }
            other => push_part(&mut parts, other)?,
        }
        rest = &after[end + 1..];
    }
    push_part(&mut parts, &Json::String(rest.to_string()))?;
    Ok(parts_to_value(parts))
}

/// The value with its objects' null members left out (as the lowering leaves them out of a
/// target's document).
fn without_nulls(v: &Json) -> Json {
    match v {
        Json::Object(o) => Json::Object(
            o.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (ctx::unescape_key(k).to_string(), without_nulls(x)))
                .collect(),
        ),
        Json::Array(l) => Json::Array(l.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// `split_part VALUE SEP INDEX`: field INDEX of VALUE split at every SEP (as CloudFormation's
/// `Fn::Split` and Terraform's `split`). A reference becomes a `$split` marker, which the emitters
/// compute at deploy time (CloudFormation `Fn::Select`/`Fn::Split`, Terraform
/// `element(split(...))`); a string is split now.
fn split_part(a: &[&Json], _: &Tables) -> Result<Json, String> {
    let sep = match arg(a, 1) {
        Json::String(s) if !s.is_empty() => s,
        other => return Err(format!("`split_part` needs a separator, not {other}")),
    };
    let index = arg(a, 2)
        .as_u64()
        .ok_or_else(|| format!("`split_part` needs an index, not {}", arg(a, 2)))?;
    match arg(a, 0) {
        Json::Null => Ok(Json::Null),
        Json::String(s) => s
            .split(sep.as_str())
            .nth(index as usize)
            .map(|p| Json::String(p.to_string()))
            .ok_or_else(|| format!("`{s}` has no field {index} when split at `{sep}`")),
        v if matches!(ctx::as_marker(v), Some(("$ref" | "$entry" | "$lowered", _))) => Ok(marker(
            "$split",
            Json::Array(vec![
                v.clone(),
                Json::String(sep.clone()),
                Json::from(index),
            ]),
        )),
        other => Err(format!(
            "`split_part` takes a string or a reference, not {other}"
        )),
    }
}

/// `index_of LIST VALUE`: position of VALUE in LIST (null if absent).
fn index_of(a: &[&Json], _: &Tables) -> Result<Json, String> {
    Ok(arg(a, 0)
        .as_array()
        .and_then(|l| l.iter().position(|v| v == arg(a, 1)))
        .map(Json::from)
        .unwrap_or(Json::Null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(name: &str, args: &[Json]) -> Result<Json, String> {
        let mut t = Tables::new();
        t.insert("sizes".into(), json!([1, 3, 7, 30]));
        t.insert("cls".into(), json!({"small": "db.t4g.small"}));
        let f = HELPERS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
            .expect("helper");
        let refs: Vec<&Json> = args.iter().collect();
        f(&refs, &t)
    }

    fn q(v: f64, d: &str) -> Json {
        json!({"$q": [v, d, "x"]})
    }

    #[test]
    fn units_round_up_to_whole_units() {
        assert_eq!(
            call("gib", &[q(100.0 * 1073741824.0, "Size")]).unwrap(),
            json!(100)
        );
        assert_eq!(
            call("gib", &[q(1.5 * 1073741824.0, "Size")]).unwrap(),
            json!(2)
        );
        assert_eq!(
            call("days", &[q(36.0 * 3600.0, "Duration")]).unwrap(),
            json!(2)
        );
        assert_eq!(call("seconds", &[Json::Null]).unwrap(), Json::Null);
        // `1s` and `300ms` as milliseconds (0.3 s is not exact in binary).
        assert_eq!(
            call("milliseconds", &[q(1.0, "Duration")]).unwrap(),
            json!(1000)
        );
        assert_eq!(
            call("milliseconds", &[q(0.3, "Duration")]).unwrap(),
            json!(300)
        );
        assert!(call("gib", &[q(1.0, "Duration")]).is_err());
        assert!(call("gib", &[json!(5)]).is_err());
        assert_eq!(
            call("duration_s", &[q(600.0, "Duration")]).unwrap(),
            json!("600s")
        );
        assert_eq!(
            call("k8s_size", &[q(512.0 * 1048576.0, "Size")]).unwrap(),
            json!("512Mi")
        );
        assert_eq!(
            call("k8s_size", &[q(2.0 * 1073741824.0, "Size")]).unwrap(),
            json!("2Gi")
        );
        assert_eq!(call("k8s_cpu", &[json!(0.25)]).unwrap(), json!("250m"));
        assert_eq!(call("k8s_cpu", &[json!(2)]).unwrap(), json!("2"));
    }

    #[test]
    fn json_string_puts_variables_into_keys_and_values() {
        // Without variables: the text, null members left out, references refused.
        assert_eq!(
            call("json_string", &[json!({"a": 1, "b": null})]).unwrap(),
            json!("{\"a\":1}")
        );
        assert!(call("json_string", &[json!({"a": {"$ref": [1, "arn"]}})]).is_err());
        // `${NAME}` of a variable, in a key and a value; other `${` stay as they are.
        let r = json!({"$ref": [4, "arn"]});
        let s = json!({"$split": [r.clone(), "oidc-provider/", 1]});
        let v = call(
            "json_string",
            &[
                json!({"P": "${Provider}", "${Issuer}:sub": "x", "y": "${Other}"}),
                json!({"Provider": r.clone(), "Issuer": s.clone(), "Q": "a\"b"}),
            ],
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"$interp": ["{\"P\":\"", r, "\",\"", s, ":sub\":\"x\",\"y\":\"${Other}\"}"]})
        );
        // A string variable is escaped as JSON text.
        assert_eq!(
            call("json_string", &[json!(["${Q}"]), json!({"Q": "a\"b"})]).unwrap(),
            json!("[\"a\\\"b\"]")
        );
        assert!(call("json_string", &[json!({}), json!("x")]).is_err());
    }

    #[test]
    fn split_part_of_strings_now_and_of_references_later() {
        assert_eq!(
            call(
                "split_part",
                &[
                    json!("arn:aws:iam::1:oidc-provider/oidc.eks/id/X"),
                    json!("oidc-provider/"),
                    json!(1)
                ]
            )
            .unwrap(),
            json!("oidc.eks/id/X")
        );
        assert!(call("split_part", &[json!("a"), json!("/"), json!(1)]).is_err());
        assert!(call("split_part", &[json!("a/b"), json!(""), json!(1)]).is_err());
        let r = json!({"$ref": [4, "arn"]});
        assert_eq!(
            call("split_part", &[r.clone(), json!("/"), json!(1)]).unwrap(),
            json!({"$split": [r.clone(), "/", 1]})
        );
        // A part of a string: concatenation keeps it.
        assert_eq!(
            call(
                "concat",
                &[
                    call("split_part", &[r.clone(), json!("/"), json!(1)]).unwrap(),
                    json!(":sub")
                ]
            )
            .unwrap(),
            json!({"$interp": [{"$split": [r, "/", 1]}, ":sub"]})
        );
    }

    #[test]
    fn concat_keeps_references() {
        assert_eq!(
            call("concat", &[json!("a"), json!(1), Json::Null, json!("b")]).unwrap(),
            json!("a1b")
        );
        let r = json!({"$ref": [4, "arn"]});
        assert_eq!(
            call("concat", &[r.clone(), json!("/*")]).unwrap(),
            json!({"$interp": [r, "/*"]})
        );
        let i = json!({"$interp": ["x", {"$ref": [1, null]}]});
        assert_eq!(
            call("concat", &[json!("p-"), i]).unwrap(),
            json!({"$interp": ["p-x", {"$ref": [1, null]}]})
        );
        assert!(call("concat", &[json!({"a": 1})]).is_err());
        assert_eq!(
            call("join", &[json!(","), json!(["a", "b"])]).unwrap(),
            json!("a,b")
        );
    }

    #[test]
    fn references_and_siblings() {
        assert_eq!(
            call("ref", &[json!({"$ref": [2, null]}), json!("arn")]).unwrap(),
            json!({"$ref": [2, "arn"]})
        );
        assert_eq!(
            call("ref", &[Json::Null, json!("arn")]).unwrap(),
            Json::Null
        );
        assert_eq!(
            call("refs", &[json!([{"$ref": [2, null]}]), json!("id")]).unwrap(),
            json!([{"$ref": [2, "id"]}])
        );
        assert_eq!(
            call("entry", &[json!("bucket"), json!("id")]).unwrap(),
            json!({"$entry": ["bucket", null, "id"]})
        );
        assert_eq!(
            call("lowered", &[json!("sub"), json!(1)]).unwrap(),
            json!({"$lowered": ["sub", 1, null]})
        );
        assert_eq!(
            call("ref", &[json!({"$lowered": ["sub", 1, null]}), json!("id")]).unwrap(),
            json!({"$lowered": ["sub", 1, "id"]})
        );
    }

    #[test]
    fn tables_tags_and_cidrs() {
        assert_eq!(
            call("table", &[json!("cls"), json!("small")]).unwrap(),
            json!("db.t4g.small")
        );
        assert_eq!(
            call("table", &[json!("cls"), json!("huge")]).unwrap(),
            Json::Null
        );
        assert!(call("table", &[json!("nope"), json!("x")]).is_err());
        assert_eq!(
            call("round_up", &[json!(5), json!("sizes")]).unwrap(),
            json!(7)
        );
        assert_eq!(
            call("round_up", &[json!(99), json!("sizes")]).unwrap(),
            json!(30)
        );
        assert_eq!(
            call("cfn_tags", &[json!({"b": "2", "a": "1"})]).unwrap(),
            json!([{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        );
        assert_eq!(call("cfn_tags", &[json!({})]).unwrap(), Json::Null);
        assert_eq!(
            call("gcp_labels", &[json!({"Cost Center": "R&D"})]).unwrap(),
            json!({"cost_center": "r_d"})
        );
        assert_eq!(
            call("cidrsubnet", &[json!("10.0.0.0/16"), json!(8), json!(2)]).unwrap(),
            json!("10.0.2.0/24")
        );
        assert_eq!(
            call("cidrsubnet", &[json!("10.0.0.0/16"), json!(4), json!(15)]).unwrap(),
            json!("10.0.240.0/20")
        );
        assert!(call("cidrsubnet", &[json!("10.0.0.0/16"), json!(2), json!(4)]).is_err());
        assert_eq!(
            call(
                "merge",
                &[json!({"a": 1}), Json::Null, json!({"a": 2, "b": 3})]
            )
            .unwrap(),
            json!({"a": 2, "b": 3})
        );
        assert_eq!(
            call("compact", &[json!([1, null, 2])]).unwrap(),
            json!([1, 2])
        );
        assert_eq!(
            call("default", &[Json::Null, json!("x")]).unwrap(),
            json!("x")
        );
        assert_eq!(call("blocks", &[json!([])]).unwrap(), Json::Null);
        assert_eq!(call("str", &[json!(5432)]).unwrap(), json!("5432"));
        assert_eq!(
            call("truncate", &[json!("abcdef-gh"), json!(7)]).unwrap(),
            json!("abcdef")
        );
    }
}
