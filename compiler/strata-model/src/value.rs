use crate::shared::Shared;
use crate::text::Text;
use crate::ResourceId;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use strata_base::units::Dimension;

/// An evaluated value. Records and maps are both `Record` (sorted keys: deterministic output).
///
/// Lists and records are [`Shared`]: cloning a value is O(1) whatever its size, so
/// `let b = [a, a]` holds `a` twice without copying it, and each knows its fully expanded
/// [`Size`] (what writing it out in full would take) in O(1) — limits are checked on that
/// before anything is materialised.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Text),
    Quantity(Quantity),
    /// A CIDR block as written (`10.0.0.0/16`), validated by the checker.
    Cidr(Text),
    List(Shared<Vec<Value>>),
    Record(Shared<BTreeMap<String, Value>>),
    /// A reference to another resource or one of its attributes.
    Ref(Ref),
    /// A string that contains references: `"postgres://${db.address}:5432"`.
    Interp(Shared<Vec<StrPart>>),
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

/// The size of a value written out in full, every shared part counted at each place it
/// appears. Saturating: a value built by doubling 64 times does not wrap around.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Size {
    /// List elements and record entries, at every depth.
    pub elements: u64,
    /// Bytes of text: strings, CIDR blocks, record keys, the literal parts of interpolations
    /// and the names of references.
    pub bytes: u64,
    /// References (`Ref` values and the references inside interpolations).
    pub refs: u64,
}

impl Size {
    pub const ZERO: Size = Size {
        elements: 0,
        bytes: 0,
        refs: 0,
    };
    /// `n` bytes of text.
    pub const fn text(n: usize) -> Size {
        Size {
            elements: 0,
            bytes: n as u64,
            refs: 0,
        }
    }
    /// `n` list elements or record entries (their contents not included).
    pub const fn elements(n: usize) -> Size {
        Size {
            elements: n as u64,
            bytes: 0,
            refs: 0,
        }
    }
    pub fn saturating_add(self, o: Size) -> Size {
        Size {
            elements: self.elements.saturating_add(o.elements),
            bytes: self.bytes.saturating_add(o.bytes),
            refs: self.refs.saturating_add(o.refs),
        }
    }
}

impl std::ops::Add for Size {
    type Output = Size;
    fn add(self, o: Size) -> Size {
        self.saturating_add(o)
    }
}

impl std::ops::AddAssign for Size {
    fn add_assign(&mut self, o: Size) {
        *self = self.saturating_add(o);
    }
}

impl std::iter::Sum for Size {
    fn sum<I: Iterator<Item = Size>>(iter: I) -> Size {
        iter.fold(Size::ZERO, Size::saturating_add)
    }
}

/// Containers that know their [`Size`] (computed once, when a [`Shared`] is built, from the
/// sizes of the elements, which are known already: O(length), not O(expanded size)).
pub trait Measure {
    fn measure(&self) -> Size;
}

impl Measure for Vec<Value> {
    fn measure(&self) -> Size {
        Size::elements(self.len()) + self.iter().map(Value::size).sum()
    }
}

impl Measure for Vec<StrPart> {
    fn measure(&self) -> Size {
        self.iter().map(StrPart::size).sum()
    }
}

impl Measure for BTreeMap<String, Value> {
    fn measure(&self) -> Size {
        Size::elements(self.len())
            + self
                .iter()
                .map(|(k, v)| Size::text(k.len()) + v.size())
                .sum()
    }
}

impl Ref {
    /// What a reference weighs in a [`Size`]: its name and attribute.
    fn size(&self) -> Size {
        Size {
            elements: 0,
            bytes: (self.name.len() + self.attr.as_ref().map_or(0, |a| a.len() + 1)) as u64,
            refs: 1,
        }
    }
}

impl StrPart {
    pub fn size(&self) -> Size {
        match self {
            StrPart::Lit(s) => Size::text(s.len()),
            StrPart::Ref(r) => r.size(),
        }
    }
}

impl Value {
    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Shared::new(items))
    }
    /// A string value.
    pub fn str(text: impl Into<Text>) -> Value {
        Value::Str(text.into())
    }
    /// A CIDR block value.
    pub fn cidr(text: impl Into<Text>) -> Value {
        Value::Cidr(text.into())
    }
    /// A string with references (`"${db.url}/x"`).
    pub fn interp(parts: Vec<StrPart>) -> Value {
        Value::Interp(Shared::new(parts))
    }
    /// A record (or map) value.
    pub fn record(fields: BTreeMap<String, Value>) -> Value {
        Value::Record(Shared::new(fields))
    }

    /// The size of this value written out in full (O(1): lists and records know theirs).
    pub fn size(&self) -> Size {
        match self {
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Quantity(_) => {
                Size::ZERO
            }
            Value::Str(s) | Value::Cidr(s) => Size::text(s.len()),
            Value::List(l) => l.size(),
            Value::Record(m) => m.size(),
            Value::Ref(r) => r.size(),
            Value::Interp(parts) => parts.size(),
        }
    }

    /// At most `max` characters of the [`Display`](fmt::Display) rendering (then `…`): for
    /// messages and hovers, in time bounded by `max` whatever the size of the value.
    pub fn preview(&self, max: usize) -> String {
        struct Bounded {
            out: String,
            left: usize,
            cut: bool,
        }
        impl fmt::Write for Bounded {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                for c in s.chars() {
                    if self.left == 0 {
                        self.cut = true;
                        return Err(fmt::Error);
                    }
                    self.out.push(c);
                    self.left -= 1;
                }
                Ok(())
            }
        }
        let mut w = Bounded {
            out: String::new(),
            left: max,
            cut: false,
        };
        let _ = self.write_to(&mut w, max.saturating_add(1));
        if w.cut {
            w.out.push('…');
        }
        w.out
    }

    /// Call `f` on every reference inside this value, visiting each shared part once: a part
    /// that appears at several places is visited at the first only.
    pub fn visit_refs_once(&self, f: &mut dyn FnMut(&Ref)) {
        self.visit_refs_once_into(f, &mut HashSet::new());
    }

    fn visit_refs_once_into(&self, f: &mut dyn FnMut(&Ref), seen: &mut HashSet<usize>) {
        if self.size().refs == 0 {
            return;
        }
        match self {
            Value::Ref(r) => f(r),
            Value::List(l) if seen.insert(l.addr()) => {
                l.iter().for_each(|v| v.visit_refs_once_into(f, seen))
            }
            Value::Record(m) if seen.insert(m.addr()) => {
                m.values().for_each(|v| v.visit_refs_once_into(f, seen))
            }
            Value::Interp(parts) => parts.iter().for_each(|p| {
                if let StrPart::Ref(r) = p {
                    f(r)
                }
            }),
            _ => {}
        }
    }

    /// Change every reference inside this value with `f`, keeping shared parts shared: a part
    /// that appears at several places is rewritten once, and parts without references are
    /// not touched.
    pub fn rewrite_refs(&mut self, f: &mut dyn FnMut(&mut Ref)) {
        self.rewrite_refs_into(f, &mut HashMap::new());
    }

    /// `memo`: address of a rewritten part → (the part, kept alive so that its address is not
    /// reused meanwhile; what it became).
    fn rewrite_refs_into(
        &mut self,
        f: &mut dyn FnMut(&mut Ref),
        memo: &mut HashMap<usize, (Value, Value)>,
    ) {
        if self.size().refs == 0 {
            return;
        }
        let key = match self {
            Value::Ref(r) => return f(r),
            Value::Interp(parts) => {
                for p in parts.make_mut().iter_mut() {
                    if let StrPart::Ref(r) = p {
                        f(r)
                    }
                }
                return;
            }
            Value::List(l) => l.addr(),
            Value::Record(m) => m.addr(),
            _ => return,
        };
        if let Some((_, done)) = memo.get(&key) {
            *self = done.clone();
            return;
        }
        let original = self.clone();
        match self {
            Value::List(l) => l
                .make_mut()
                .iter_mut()
                .for_each(|v| v.rewrite_refs_into(f, memo)),
            Value::Record(m) => m
                .make_mut()
                .values_mut()
                .for_each(|v| v.rewrite_refs_into(f, memo)),
            _ => {}
        }
        memo.insert(key, (original, self.clone()));
    }

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

    /// Call `f` on every reference inside this value, at every place a shared part appears
    /// (see [`Value::visit_refs_once`]).
    pub fn visit_refs(&self, f: &mut dyn FnMut(&Ref)) {
        if self.size().refs == 0 {
            return;
        }
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
            Value::Str(s) | Value::Cidr(s) => J::String(s.to_string()),
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
        self.write_to(f, usize::MAX)
    }
}

impl Value {
    /// The [`Display`](fmt::Display) rendering, with each string cut to `max_chars` characters
    /// (so that a preview never scans more of a long string than it shows).
    fn write_to(&self, f: &mut dyn fmt::Write, max_chars: usize) -> fmt::Result {
        let cut =
            |s: &str| -> usize { s.char_indices().nth(max_chars).map_or(s.len(), |(i, _)| i) };
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => write!(f, "{:?}", &s[..cut(s)]),
            Value::Quantity(q) => write!(f, "{q}"),
            Value::Cidr(c) => write!(f, "{}", &c[..cut(c)]),
            Value::List(l) => {
                write!(f, "[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    v.write_to(f, max_chars)?;
                }
                write!(f, "]")
            }
            Value::Record(m) => {
                write!(f, "{{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ",")?;
                    }
                    write!(f, " {} = ", &k[..cut(k)])?;
                    v.write_to(f, max_chars)?;
                }
                write!(f, " }}")
            }
            Value::Ref(r) => write!(f, "{r}"),
            Value::Interp(parts) => {
                write!(f, "\"")?;
                for p in parts.iter() {
                    match p {
                        StrPart::Lit(s) => write!(f, "{}", s[..cut(s)].escape_debug())?,
                        StrPart::Ref(r) => write!(f, "${{{r}}}")?,
                    }
                }
                write!(f, "\"")
            }
        }
    }
}
