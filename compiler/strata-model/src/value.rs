use crate::ResourceId;
use std::collections::BTreeMap;
use std::fmt;
use strata_base::units::Dimension;

/// An evaluated value. Records and maps are both `Record` (sorted keys: deterministic output).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Quantity(Quantity),
    /// A CIDR block as written (`10.0.0.0/16`), validated by the checker.
    Cidr(String),
    List(Vec<Value>),
    Record(BTreeMap<String, Value>),
    /// A reference to another resource or one of its attributes.
    Ref(Ref),
    /// A string that contains references: `"postgres://${db.address}:5432"`.
    Interp(Vec<StrPart>),
}

/// A number with a dimension, normalised to the dimension's base unit (bytes, seconds,
/// USD/month, USD). `unit` is the unit it was written in, for display and re-emission.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub dimension: Dimension,
    pub unit: String,
}

impl Quantity {
    /// The value expressed in `unit` (which must be of the same dimension).
    pub fn in_unit(&self, unit: &str) -> Option<f64> {
        let u = strata_base::units::unit(unit)?;
        (u.dimension == self.dimension).then(|| self.value / u.factor)
    }
    pub fn bytes(&self) -> Option<f64> {
        (self.dimension == Dimension::Size).then_some(self.value)
    }
    pub fn seconds(&self) -> Option<f64> {
        (self.dimension == Dimension::Duration).then_some(self.value)
    }
}

/// A reference to a resource (`attr == None`: the resource itself — its id, ARN or name as the
/// target format defines) or to one of its output attributes (`db.url`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref {
    pub resource: ResourceId,
    /// The referenced resource's qualified name, for messages.
    pub name: String,
    pub attr: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Lit(String),
    Ref(Ref),
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) | Value::Interp(_) => "string",
            Value::Quantity(q) => q.dimension.name(),
            Value::Cidr(_) => "Cidr",
            Value::List(_) => "list",
            Value::Record(_) => "record",
            Value::Ref(_) => "reference",
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Quantity(q) => Some(q.value),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
    pub fn as_record(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Record(r) => Some(r),
            _ => None,
        }
    }
    pub fn as_ref(&self) -> Option<&Ref> {
        match self {
            Value::Ref(r) => Some(r),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// `true` for `true`; `false` for everything else (null, false, non-bools).
    pub fn is_true(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
    /// Field of a record, by dotted path (`backups.retention`).
    pub fn get_path(&self, path: &str) -> Option<&Value> {
        let mut cur = self;
        for seg in path.split('.') {
            cur = cur.as_record()?.get(seg)?;
        }
        Some(cur)
    }

    /// Call `f` on every reference inside this value.
    pub fn visit_refs(&self, f: &mut dyn FnMut(&Ref)) {
        match self {
            Value::Ref(r) => f(r),
            Value::List(l) => l.iter().for_each(|v| v.visit_refs(f)),
            Value::Record(m) => m.values().for_each(|v| v.visit_refs(f)),
            Value::Interp(parts) => parts.iter().for_each(|p| {
                if let StrPart::Ref(r) = p {
                    f(r)
                }
            }),
            _ => {}
        }
    }

    /// Plain JSON for values without references (refs are rendered as `"${name.attr}"`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) | Value::Cidr(s) => J::String(s.clone()),
            Value::Quantity(q) => serde_json::Number::from_f64(q.value)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::List(l) => J::Array(l.iter().map(Value::to_json).collect()),
            Value::Record(m) => {
                J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Ref(r) => J::String(format!("${{{}}}", r)),
            Value::Interp(_) => J::String(self.to_string()),
        }
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.attr {
            Some(a) => write!(f, "{}.{}", self.name, a),
            None => write!(f, "{}", self.name),
        }
    }
}

impl Quantity {
    /// The largest unit of this dimension in which the value is a whole number (falling back to
    /// the unit it was written in): `86400 s` shows as `1d`, `1073741824 B` as `1 GiB`.
    pub fn pretty(&self) -> String {
        let mut best: Option<&strata_base::units::Unit> = None;
        for u in strata_base::units::UNITS
            .iter()
            .filter(|u| u.dimension == self.dimension)
        {
            let v = self.value / u.factor;
            if (v - v.round()).abs() < 1e-9
                && v.abs() >= 1.0
                && best.is_none_or(|b| u.factor > b.factor)
            {
                best = Some(u);
            }
        }
        match best {
            Some(u) => fmt_in(self.value, u),
            None => self.to_string(),
        }
    }
}

fn fmt_in(value: f64, u: &strata_base::units::Unit) -> String {
    let v = value / u.factor;
    let num = if (v - v.round()).abs() < 1e-9 && v.abs() < 1e15 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v}")
    };
    // Durations are written glued (`30d`, `250ms`), the others with a space (`100 GiB`).
    if u.dimension == Dimension::Duration {
        format!("{num}{}", u.name)
    } else {
        format!("{num} {}", u.name)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = strata_base::units::unit(&self.unit).filter(|u| u.dimension == self.dimension);
        match unit {
            Some(u) => write!(f, "{}", fmt_in(self.value, u)),
            None => write!(f, "{} {}", self.value, self.dimension.base_unit()),
        }
    }
}

/// Strata-syntax rendering of a value (used in messages and hover).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Quantity(q) => write!(f, "{q}"),
            Value::Cidr(c) => write!(f, "{c}"),
            Value::List(l) => {
                write!(f, "[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Value::Record(m) => {
                write!(f, "{{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ",")?;
                    }
                    write!(f, " {k} = {v}")?;
                }
                write!(f, " }}")
            }
            Value::Ref(r) => write!(f, "{r}"),
            Value::Interp(parts) => {
                write!(f, "\"")?;
                for p in parts {
                    match p {
                        StrPart::Lit(s) => write!(f, "{}", s.escape_debug())?,
                        StrPart::Ref(r) => write!(f, "${{{r}}}")?,
                    }
                }
                write!(f, "\"")
            }
        }
    }
}
