//! Strata values as template context (JSON with *marker objects*), and the markers templates
//! write back.
//!
//! A marker is a JSON object with exactly one key starting with `$`:
//!
//! | marker | meaning |
//! | --- | --- |
//! | `{"$ref": [ID, ATTR\|null]}` | a Strata reference (`key`, `db.url`) |
//! | `{"$interp": [PART, ...]}` | a string with references; parts are strings or `$ref` markers |
//! | `{"$q": [VALUE, DIMENSION, UNIT]}` | a quantity (value in the dimension's base unit) |
//! | `{"$entry": [KEY, INDEX\|null, ATTR\|null]}` | another target resource of the same mapping |
//! | `{"$lowered": [KEY, INDEX\|null, ATTR\|null]}` | another provider resource of the same lowering |
//! | `{"$param": NAME}` | a target parameter |
//! | `{"$split": [REF, SEP, INDEX]}` | field INDEX of the referenced value split at SEP (`split_part`); also a part of `$interp` |
//! | `{"$block": {...}}`, `{"$blocks": [...]}` | Terraform nested block(s) |
//! | `{"$json": VALUE}` | a value Terraform wants JSON-encoded |
//! | `{"$null": true}` | an explicit `null` (other nulls mean "not set" and are dropped) |
//!
//! Keys of user data that start with `$` are escaped as `$$...` in the context so they can
//! never be taken for markers; conversion back removes the escape.

use serde_json::{Map, Value as Json};
use strata_base::units::Dimension;
use strata_model::{Quantity, StrPart, Value};

/// Convert an evaluated value to template context.
pub fn to_ctx(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        Value::Str(s) | Value::Cidr(s) => Json::String(s.to_string()),
        Value::Quantity(q) => quantity_marker(q),
        Value::List(l) => Json::Array(l.iter().map(to_ctx).collect()),
        Value::Record(m) => record_to_ctx(m),
        Value::Ref(r) => ref_marker(r.resource.0, r.attr.as_deref()),
        Value::Interp(parts) => {
            let parts = parts
                .iter()
                .map(|p| match p {
                    StrPart::Lit(s) => Json::String(s.clone()),
                    StrPart::Ref(r) => ref_marker(r.resource.0, r.attr.as_deref()),
                })
                .collect();
            marker("$interp", Json::Array(parts))
        }
    }
}

/// A record (a resource's properties) as template context, without copying it first.
pub fn record_to_ctx(m: &std::collections::BTreeMap<String, Value>) -> Json {
    let mut o = Map::with_capacity(m.len());
    for (k, v) in m {
        o.insert(escape_key(k), to_ctx(v));
    }
    Json::Object(o)
}

pub fn marker(key: &str, v: Json) -> Json {
    let mut o = Map::with_capacity(1);
    o.insert(key.to_string(), v);
    Json::Object(o)
}

pub fn ref_marker(id: u32, attr: Option<&str>) -> Json {
    marker(
        "$ref",
        Json::Array(vec![
            Json::from(id),
            attr.map_or(Json::Null, |a| Json::String(a.to_string())),
        ]),
    )
}

pub fn quantity_marker(q: &Quantity) -> Json {
    let v = serde_json::Number::from_f64(q.value)
        .map(Json::Number)
        .unwrap_or(Json::Null);
    marker(
        "$q",
        Json::Array(vec![
            v,
            Json::String(q.dimension.name().to_string()),
            Json::String(q.unit.clone()),
        ]),
    )
}

pub fn escape_key(k: &str) -> String {
    if k.starts_with('$') {
        format!("${k}")
    } else {
        k.to_string()
    }
}

/// The key back from the context form (`$$x` → `$x`).
pub fn unescape_key(k: &str) -> &str {
    if k.starts_with("$$") {
        &k[1..]
    } else {
        k
    }
}

/// If `v` is a marker, its name and payload.
pub fn as_marker(v: &Json) -> Option<(&str, &Json)> {
    match v {
        Json::Object(o) => as_marker_of(o),
        _ => None,
    }
}

/// If the object `o` is a marker, its name and payload.
pub fn as_marker_of(o: &serde_json::Map<String, Json>) -> Option<(&str, &Json)> {
    if o.len() != 1 {
        return None;
    }
    let (k, v) = o.iter().next()?;
    (k.starts_with('$') && !k.starts_with("$$")).then_some((k.as_str(), v))
}

/// A reference marker's resource id and attribute.
pub fn ref_parts(payload: &Json) -> Option<(u32, Option<&str>)> {
    let a = payload.as_array()?;
    let id = a.first()?.as_u64()? as u32;
    let attr = a.get(1).and_then(Json::as_str);
    Some((id, attr))
}

/// `[KEY, INDEX|null, ATTR|null]` of `$entry`/`$lowered`.
pub fn sibling_parts(payload: &Json) -> Option<(&str, Option<usize>, Option<&str>)> {
    let a = payload.as_array()?;
    let key = a.first()?.as_str()?;
    let index = a.get(1).and_then(Json::as_u64).map(|i| i as usize);
    let attr = a.get(2).and_then(Json::as_str);
    Some((key, index, attr))
}

pub fn dimension_from_name(s: &str) -> Option<Dimension> {
    [
        Dimension::Size,
        Dimension::Duration,
        Dimension::MoneyRate,
        Dimension::Money,
    ]
    .into_iter()
    .find(|d| d.name() == s)
}

/// A quantity marker's value in base units and its dimension.
pub fn quantity_parts(payload: &Json) -> Option<(f64, Dimension, String)> {
    let a = payload.as_array()?;
    let v = a.first()?.as_f64()?;
    let d = dimension_from_name(a.get(1)?.as_str()?)?;
    let unit = a
        .get(2)
        .and_then(Json::as_str)
        .unwrap_or(d.base_unit())
        .to_string();
    Some((v, d, unit))
}

/// Handlebars-style truthiness (used by `when`).
pub fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Json::String(s) => !s.is_empty() && s != "false",
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
    }
}

/// Look a dotted path up in a context (`props.dead_letter.max_receives`).
pub fn lookup<'a>(root: &'a Json, path: &str) -> Option<&'a Json> {
    let mut cur = root;
    for seg in path.split('.') {
        cur = match cur {
            Json::Object(o) => o.get(seg)?,
            Json::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use strata_model::{Ref, ResourceId};

    #[test]
    fn markers_round_trip_and_user_dollar_keys_are_escaped() {
        let mut m = BTreeMap::new();
        m.insert("$weird".to_string(), Value::Int(1));
        m.insert(
            "key".to_string(),
            Value::Ref(Ref {
                resource: ResourceId(3),
                name: "k".into(),
                attr: Some("arn".into()),
            }),
        );
        let j = to_ctx(&Value::record(m));
        assert_eq!(j["$$weird"], Json::from(1));
        assert_eq!(as_marker(&j["key"]).map(|(k, _)| k), Some("$ref"));
        assert_eq!(
            ref_parts(as_marker(&j["key"]).unwrap().1),
            Some((3, Some("arn")))
        );
        assert!(as_marker(&j).is_none());
        assert_eq!(unescape_key("$$weird"), "$weird");
    }

    #[test]
    fn lookup_and_truthiness() {
        let j: Json = serde_json::json!({"a": {"b": [1, 0]}, "e": {}});
        assert_eq!(lookup(&j, "a.b.0"), Some(&Json::from(1)));
        assert!(truthy(lookup(&j, "a.b.0").unwrap()));
        assert!(!truthy(lookup(&j, "a.b.1").unwrap()));
        assert!(!truthy(lookup(&j, "e").unwrap()));
        assert!(lookup(&j, "a.x").is_none());
    }
}
