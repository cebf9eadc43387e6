//! Checking an evaluated [`Value`] against a [`Ty`]. Used by semantics for values it cannot
//! check structurally (results of names, calls, operators) and by lowering for the provider
//! resources it produces.

use crate::types::{FieldSchema, Ty};
use crate::value::{StrPart, Value};
use crate::Ref;
use std::collections::BTreeMap;
use strata_base::units::Dimension;

/// One way a value does not fit a type. `path` locates it inside the value (`lifecycle[0].after`).
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    pub path: String,
    pub kind: MismatchKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MismatchKind {
    /// Wrong kind of value (`"yes"` for a bool).
    WrongType {
        expected: String,
        found: String,
    },
    /// A quantity of the wrong dimension (`30 GiB` for a duration) or a bare number for a quantity.
    Unit {
        expected: Dimension,
        found: Option<Dimension>,
    },
    /// A number or quantity outside its range.
    OutOfRange {
        value: String,
        range: String,
    },
    /// A value outside the allowed set (union of literals).
    NotAllowed {
        value: String,
        allowed: Vec<String>,
    },
    /// A string not matching the pattern or length constraints.
    Pattern {
        value: String,
        constraint: String,
    },
    MissingField {
        field: String,
    },
    UnknownField {
        field: String,
        candidates: Vec<String>,
    },
    /// A reference to a resource of the wrong type.
    WrongRef {
        expected: String,
        found: String,
    },
    InvalidCidr {
        value: String,
    },
}

impl MismatchKind {
    /// The diagnostic code semantics reports for this kind of mismatch.
    pub fn code(&self) -> &'static str {
        match self {
            MismatchKind::WrongType { .. } | MismatchKind::WrongRef { .. } => "E2002",
            MismatchKind::Unit { .. } => "E2003",
            MismatchKind::MissingField { .. } => "E2004",
            MismatchKind::OutOfRange { .. }
            | MismatchKind::NotAllowed { .. }
            | MismatchKind::Pattern { .. } => "E2005",
            MismatchKind::UnknownField { .. } => "E2001",
            MismatchKind::InvalidCidr { .. } => "E2011",
        }
    }
    pub fn message(&self) -> String {
        match self {
            MismatchKind::WrongType { expected, found } => {
                format!("expected {expected}, found {found}")
            }
            MismatchKind::Unit {
                expected,
                found: Some(found),
            } => {
                format!("expected a {}, found a {}", expected.name(), found.name())
            }
            MismatchKind::Unit {
                expected,
                found: None,
            } => format!(
                "expected a {} (a number with a unit), found a plain number",
                expected.name()
            ),
            MismatchKind::OutOfRange { value, range } => format!("{value} is out of range {range}"),
            MismatchKind::NotAllowed { value, allowed } => format!(
                "{value} is not one of the allowed values: {}",
                allowed.join(", ")
            ),
            MismatchKind::Pattern { value, constraint } => {
                format!("{value} does not satisfy {constraint}")
            }
            MismatchKind::MissingField { field } => format!("missing required property `{field}`"),
            MismatchKind::UnknownField { field, .. } => format!("unknown property `{field}`"),
            MismatchKind::WrongRef { expected, found } => {
                format!("expected a reference to {expected}, found a reference to {found}")
            }
            MismatchKind::InvalidCidr { value } => format!("{value:?} is not a valid CIDR block"),
        }
    }
}

/// What a reference points at, for checking refs: the schema name of the resource, and the
/// type of the attribute if the reference names one.
pub trait RefTypes {
    /// Schema name of the referenced resource (`aws.kms.Key`).
    fn resource_type(&self, r: &Ref) -> Option<String>;
    /// Type of `r.attr` (an `out` field), if the ref names an attribute.
    fn attr_type(&self, r: &Ref) -> Option<Ty>;
    /// Whether a resource of schema `found` may stand where `expected` is asked for
    /// (equal, or `found` is lowered to / declared compatible with `expected`).
    fn compatible(&self, expected: &str, found: &str) -> bool {
        expected == found
    }
    /// Whether a reference to the whole resource stands for its identifier where a string is
    /// expected (resources of the generated layer: CloudFormation `Ref`, Terraform `id`, a
    /// Kubernetes object's or a Google resource's name).
    fn identity(&self, _r: &Ref) -> bool {
        false
    }
}

/// Accepts every reference (for callers without a model at hand).
pub struct AnyRefs;
impl RefTypes for AnyRefs {
    fn resource_type(&self, _: &Ref) -> Option<String> {
        None
    }
    fn attr_type(&self, _: &Ref) -> Option<Ty> {
        None
    }
}

/// Check `value` against `ty`; returns every mismatch (empty = fits).
pub fn check_value(value: &Value, ty: &Ty, refs: &dyn RefTypes) -> Vec<Mismatch> {
    let mut out = Vec::new();
    check_into(value, ty, refs, &mut String::new(), &mut out);
    out
}

/// Whether `value` fits `ty` (no mismatches).
pub fn fits(value: &Value, ty: &Ty, refs: &dyn RefTypes) -> bool {
    check_value(value, ty, refs).is_empty()
}

/// Most mismatches one check reports: a million-element list of the wrong type is one mistake,
/// not a million diagnostics.
pub const MAX_MISMATCHES: usize = 100;

fn push(out: &mut Vec<Mismatch>, path: &str, kind: MismatchKind) {
    if out.len() < MAX_MISMATCHES {
        out.push(Mismatch {
            path: path.to_string(),
            kind,
        });
    }
}

/// Valid IPv4 or IPv6 CIDR block.
pub fn valid_cidr(s: &str) -> bool {
    let Some((addr, len)) = s.split_once('/') else {
        return false;
    };
    let Ok(len) = len.parse::<u8>() else {
        return false;
    };
    if len.to_string() != s.split_once('/').map(|x| x.1).unwrap_or("") {
        return false;
    }
    if let Ok(a) = addr.parse::<std::net::Ipv4Addr>() {
        let _ = a;
        return len <= 32;
    }
    if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        return len <= 128;
    }
    false
}

/// Whether the property at `path` holds a credential (`password`, `MasterUserPassword`,
/// `api_token`, `env.DB_SECRET`): a diagnostic about its value must not repeat the value.
pub fn secret_path(path: &str) -> bool {
    let last = path
        .rsplit(['.', '['])
        .find(|s| !s.is_empty() && !s.starts_with(']'))
        .unwrap_or(path)
        .trim_matches(|c| c == '"' || c == ']')
        .to_ascii_lowercase()
        .replace(['_', '-'], "");
    [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "privatekey",
        "accesskey",
        "credential",
        "authkey",
        "passphrase",
    ]
    .iter()
    .any(|k| last.contains(k))
}

/// A string value as a diagnostic shows it: its text, or only its length at a credential's
/// path.
fn describe_at(v: &Value, path: &str) -> String {
    match v {
        Value::Str(s) if secret_path(path) => {
            format!("the value ({} characters, not shown)", s.chars().count())
        }
        _ => describe(v),
    }
}

fn describe(v: &Value) -> String {
    // A preview: the value may be large (written out in full, or shared many times over).
    let s = v.preview(61);
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn check_into(
    value: &Value,
    ty: &Ty,
    refs: &dyn RefTypes,
    path: &mut String,
    out: &mut Vec<Mismatch>,
) {
    // A reference to an attribute stands for a value of the attribute's type.
    if let Value::Ref(r) = value {
        if r.attr.is_some() {
            if let Some(at) = refs.attr_type(r) {
                if !ty_accepts_ty(ty.resolved(), at.resolved()) {
                    push(
                        out,
                        path,
                        MismatchKind::WrongType {
                            expected: ty.to_string(),
                            found: format!("{} (`{}`)", at, r),
                        },
                    );
                }
            }
            return;
        }
    }
    match ty {
        Ty::Any => {}
        Ty::Named(_, inner) => {
            let before = out.len();
            check_into(value, inner, refs, path, out);
            // Keep the user's name for the type in wrong-type messages.
            for m in &mut out[before..] {
                if let MismatchKind::WrongType { expected, .. } = &mut m.kind {
                    if m.path == *path {
                        *expected = ty.to_string();
                    }
                }
            }
        }
        Ty::Null => {
            if !value.is_null() {
                push(
                    out,
                    path,
                    MismatchKind::WrongType {
                        expected: "null".into(),
                        found: value.type_name().into(),
                    },
                );
            }
        }
        Ty::Bool => {
            if !matches!(value, Value::Bool(_)) {
                push(
                    out,
                    path,
                    MismatchKind::WrongType {
                        expected: "bool".into(),
                        found: found_name(value),
                    },
                );
            }
        }
        Ty::Int { min, max } => match value {
            Value::Int(i) => {
                if min.is_some_and(|m| *i < m) || max.is_some_and(|m| *i > m) {
                    push(
                        out,
                        path,
                        MismatchKind::OutOfRange {
                            value: i.to_string(),
                            range: range_text(min, max),
                        },
                    );
                }
            }
            Value::Quantity(q) => push(
                out,
                path,
                MismatchKind::WrongType {
                    expected: "int".into(),
                    found: q.dimension.name().into(),
                },
            ),
            _ => push(
                out,
                path,
                MismatchKind::WrongType {
                    expected: ty.to_string(),
                    found: found_name(value),
                },
            ),
        },
        Ty::Float { min, max } => match value {
            Value::Int(_) | Value::Float(_) => {
                let f = value.as_f64().unwrap_or(0.0);
                if min.is_some_and(|m| f < m) || max.is_some_and(|m| f > m) {
                    push(
                        out,
                        path,
                        MismatchKind::OutOfRange {
                            value: describe(value),
                            range: range_text(min, max),
                        },
                    );
                }
            }
            _ => push(
                out,
                path,
                MismatchKind::WrongType {
                    expected: "number".into(),
                    found: found_name(value),
                },
            ),
        },
        Ty::Str {
            pattern,
            min_len,
            max_len,
        } => match value {
            Value::Str(s) => {
                let n = s.chars().count();
                if min_len.is_some_and(|m| n < m) || max_len.is_some_and(|m| n > m) {
                    let c = match (min_len, max_len) {
                        (Some(a), Some(b)) => format!("a length between {a} and {b}"),
                        (Some(a), None) => format!("a length of at least {a}"),
                        (None, Some(b)) => format!("a length of at most {b}"),
                        _ => String::new(),
                    };
                    push(
                        out,
                        path,
                        MismatchKind::Pattern {
                            value: describe_at(value, path),
                            constraint: c,
                        },
                    );
                }
                if let Some(p) = pattern {
                    match regex_lite_match(p, s) {
                        Some(true) | None => {}
                        Some(false) => push(
                            out,
                            path,
                            MismatchKind::Pattern {
                                value: describe_at(value, path),
                                constraint: format!("pattern {p:?}"),
                            },
                        ),
                    }
                }
            }
            Value::Interp(_) => {}
            Value::Ref(r) if r.attr.is_none() && refs.identity(r) => {}
            _ => push(
                out,
                path,
                MismatchKind::WrongType {
                    expected: "string".into(),
                    found: found_name(value),
                },
            ),
        },
        Ty::Quantity {
            dimension,
            min,
            max,
        } => match value {
            Value::Quantity(q) if q.dimension == *dimension => {
                if min.is_some_and(|m| q.value < m) || max.is_some_and(|m| q.value > m) {
                    let show = |x: &Option<f64>| {
                        x.map(|v| {
                            crate::Quantity {
                                value: v,
                                dimension: *dimension,
                                unit: q.unit.clone(),
                            }
                            .pretty()
                        })
                        .unwrap_or_default()
                    };
                    push(
                        out,
                        path,
                        MismatchKind::OutOfRange {
                            value: q.to_string(),
                            range: format!("{}..{}", show(min), show(max)),
                        },
                    );
                }
            }
            Value::Quantity(q) => push(
                out,
                path,
                MismatchKind::Unit {
                    expected: *dimension,
                    found: Some(q.dimension),
                },
            ),
            Value::Int(_) | Value::Float(_) => push(
                out,
                path,
                MismatchKind::Unit {
                    expected: *dimension,
                    found: None,
                },
            ),
            _ => push(
                out,
                path,
                MismatchKind::WrongType {
                    expected: dimension.name().into(),
                    found: found_name(value),
                },
            ),
        },
        Ty::Cidr => match value {
            Value::Cidr(c) => {
                if !valid_cidr(c) {
                    push(
                        out,
                        path,
                        MismatchKind::InvalidCidr {
                            value: c.to_string(),
                        },
                    );
                }
            }
            Value::Str(s) => {
                if !valid_cidr(s) {
                    push(
                        out,
                        path,
                        MismatchKind::InvalidCidr {
                            value: s.to_string(),
                        },
                    );
                }
            }
            _ => push(
                out,
                path,
                MismatchKind::WrongType {
                    expected: "Cidr".into(),
                    found: found_name(value),
                },
            ),
        },
        Ty::Literal(l) => {
            if !literal_eq(l, value) {
                push(
                    out,
                    path,
                    MismatchKind::NotAllowed {
                        value: describe_at(value, path),
                        allowed: vec![l.to_string()],
                    },
                );
            }
        }
        Ty::Union(ts) => {
            let mut best: Option<Vec<Mismatch>> = None;
            for t in ts {
                let mut sub = Vec::new();
                check_into(value, t, refs, path, &mut sub);
                if sub.is_empty() {
                    return;
                }
                if best.as_ref().is_none_or(|b| sub.len() < b.len()) {
                    best = Some(sub);
                }
            }
            if let Some(lits) = ty.literal_values() {
                push(
                    out,
                    path,
                    MismatchKind::NotAllowed {
                        value: describe_at(value, path),
                        allowed: lits.iter().map(|v| v.to_string()).collect(),
                    },
                );
            } else if let Some(b) = best {
                // Structured unions: report as a plain type mismatch unless one alternative
                // matched the shape (same value kind), then its finer errors.
                let same_kind = ts.iter().any(|t| same_shape(value, t.resolved()));
                if same_kind {
                    out.extend(b.into_iter().take(MAX_MISMATCHES.saturating_sub(out.len())));
                } else {
                    push(
                        out,
                        path,
                        MismatchKind::WrongType {
                            expected: ty.to_string(),
                            found: found_name(value),
                        },
                    );
                }
            }
        }
        Ty::List(elem) => match value {
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    check_into(v, elem, refs, path, out);
                    path.truncate(len);
                }
            }
            _ => push(
                out,
                path,
                MismatchKind::WrongType {
                    expected: ty.to_string(),
                    found: found_name(value),
                },
            ),
        },
        Ty::Map(elem) => match value {
            Value::Record(m) => {
                for (k, v) in m {
                    let len = path.len();
                    path.push_str(&format!("[{k:?}]"));
                    check_into(v, elem, refs, path, out);
                    path.truncate(len);
                }
            }
            _ => push(
                out,
                path,
                MismatchKind::WrongType {
                    expected: ty.to_string(),
                    found: found_name(value),
                },
            ),
        },
        Ty::Record(fields) => match value {
            Value::Record(m) => check_record(m, fields, refs, path, out),
            _ => push(
                out,
                path,
                MismatchKind::WrongType {
                    expected: "a record".into(),
                    found: found_name(value),
                },
            ),
        },
        Ty::Ref(expected) => match value {
            Value::Ref(r) => {
                if let (Some(exp), Some(found)) = (expected, refs.resource_type(r)) {
                    if !refs.compatible(exp, &found) {
                        push(
                            out,
                            path,
                            MismatchKind::WrongRef {
                                expected: exp.clone(),
                                found,
                            },
                        );
                    }
                }
            }
            _ => push(
                out,
                path,
                MismatchKind::WrongType {
                    expected: ty.to_string(),
                    found: found_name(value),
                },
            ),
        },
    }
}

fn check_record(
    m: &BTreeMap<String, Value>,
    fields: &BTreeMap<String, FieldSchema>,
    refs: &dyn RefTypes,
    path: &mut String,
    out: &mut Vec<Mismatch>,
) {
    for (k, v) in m {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(k);
        match fields.get(k) {
            Some(f) => {
                if !v.is_null() || f.required {
                    check_into(v, &f.ty, refs, path, out);
                }
            }
            None => push(
                out,
                path,
                MismatchKind::UnknownField {
                    field: k.clone(),
                    candidates: fields.keys().cloned().collect(),
                },
            ),
        }
        path.truncate(len);
    }
    for (k, f) in fields {
        if f.required && !m.contains_key(k) {
            push(out, path, MismatchKind::MissingField { field: k.clone() });
        }
    }
}

fn same_shape(v: &Value, t: &Ty) -> bool {
    matches!(
        (v, t),
        (Value::Record(_), Ty::Record(_) | Ty::Map(_))
            | (Value::List(_), Ty::List(_))
            | (Value::Quantity(_), Ty::Quantity { .. })
            | (Value::Str(_), Ty::Str { .. })
            | (Value::Int(_), Ty::Int { .. })
    )
}

fn literal_eq(l: &Value, v: &Value) -> bool {
    match (l, v) {
        (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => (*a as f64) == *b,
        _ => l == v,
    }
}

fn found_name(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Str(_) | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
            format!("{} {}", v.type_name(), describe(v))
        }
        Value::Quantity(q) => format!("{} {}", q.dimension.name(), q),
        Value::Ref(r) => format!("a reference to `{r}`"),
        Value::Interp(parts) if parts.iter().any(|p| matches!(p, StrPart::Ref(_))) => {
            "string".into()
        }
        _ => v.type_name().into(),
    }
}

fn range_text<T: std::fmt::Display>(min: &Option<T>, max: &Option<T>) -> String {
    format!(
        "{}..{}",
        min.as_ref().map(|m| m.to_string()).unwrap_or_default(),
        max.as_ref().map(|m| m.to_string()).unwrap_or_default()
    )
}

/// Whether every value of type `found` is a value of type `expected` (coarse, for attribute refs).
fn ty_accepts_ty(expected: &Ty, found: &Ty) -> bool {
    match (expected, found) {
        (Ty::Any, _) | (_, Ty::Any) => true,
        (Ty::Union(ts), f) => ts.iter().any(|t| ty_accepts_ty(t.resolved(), f)),
        (Ty::Str { .. }, Ty::Str { .. }) => true,
        (Ty::Str { .. }, Ty::Literal(Value::Str(_))) => true,
        (Ty::Int { .. }, Ty::Int { .. }) => true,
        (Ty::Float { .. }, Ty::Int { .. } | Ty::Float { .. }) => true,
        (Ty::Bool, Ty::Bool) => true,
        (Ty::Cidr, Ty::Cidr | Ty::Str { .. }) => true,
        (Ty::Quantity { dimension: a, .. }, Ty::Quantity { dimension: b, .. }) => a == b,
        (Ty::List(a), Ty::List(b)) | (Ty::Map(a), Ty::Map(b)) => {
            ty_accepts_ty(a.resolved(), b.resolved())
        }
        (Ty::Ref(_), Ty::Ref(_)) => true,
        (Ty::Literal(_), Ty::Str { .. }) => true, // cannot know statically; accept
        (e, f) => e == f,
    }
}

/// Regex match through a tiny cache; `None` when the pattern itself is invalid (reported when
/// the type is declared, not here).
fn regex_lite_match(pattern: &str, s: &str) -> Option<bool> {
    crate::pattern::is_match(pattern, s)
}
