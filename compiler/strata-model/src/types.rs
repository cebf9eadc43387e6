use crate::value::Value;
use std::collections::BTreeMap;
use std::fmt;
use strata_base::units::Dimension;
use strata_base::Span;

/// Which cloud (or none) a resource type belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Aws,
    Gcp,
    Azure,
    Kubernetes,
    /// Cloud-agnostic (`portable.*`): lowered to the stack's provider before emission.
    Portable,
    /// User schemas with no provider.
    #[default]
    None,
}

impl Provider {
    pub fn parse(s: &str) -> Option<Provider> {
        Some(match s {
            "aws" => Provider::Aws,
            "gcp" => Provider::Gcp,
            "azure" => Provider::Azure,
            "k8s" | "kubernetes" => Provider::Kubernetes,
            "portable" => Provider::Portable,
            "none" => Provider::None,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Gcp => "gcp",
            Provider::Azure => "azure",
            Provider::Kubernetes => "kubernetes",
            Provider::Portable => "portable",
            Provider::None => "none",
        }
    }
}

/// A resolved type.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Any,
    Null,
    Bool,
    Int {
        min: Option<i64>,
        max: Option<i64>,
    },
    Float {
        min: Option<f64>,
        max: Option<f64>,
    },
    Str {
        pattern: Option<String>,
        min_len: Option<usize>,
        max_len: Option<usize>,
    },
    Quantity {
        dimension: Dimension,
        min: Option<f64>,
        max: Option<f64>,
    },
    Cidr,
    /// Exactly this value (`"dev"`, `3`).
    Literal(Value),
    Union(Vec<Ty>),
    List(Box<Ty>),
    Map(Box<Ty>),
    Record(BTreeMap<String, FieldSchema>),
    /// A reference to a resource of this schema (`None`: any resource).
    Ref(Option<String>),
    /// A user- or stdlib-named type, kept for messages: `Replicas` = `int(1..20)`.
    Named(String, Box<Ty>),
}

impl Ty {
    pub fn string() -> Ty {
        Ty::Str {
            pattern: None,
            min_len: None,
            max_len: None,
        }
    }
    pub fn int() -> Ty {
        Ty::Int {
            min: None,
            max: None,
        }
    }
    /// Strip `Named` wrappers.
    pub fn resolved(&self) -> &Ty {
        match self {
            Ty::Named(_, t) => t.resolved(),
            t => t,
        }
    }
    /// The allowed literal values if this type is a union of literals.
    pub fn literal_values(&self) -> Option<Vec<&Value>> {
        match self.resolved() {
            Ty::Literal(v) => Some(vec![v]),
            Ty::Union(ts) => {
                let mut out = Vec::new();
                for t in ts {
                    out.extend(t.literal_values()?);
                }
                Some(out)
            }
            _ => None,
        }
    }
}

/// Which alternative of a union of record types a record literal is (`Ty::pick_record`).
#[derive(Debug, PartialEq)]
pub enum RecordPick<'t> {
    /// This alternative: the first one whose fields include every field written and whose
    /// required fields are all written (else the only one whose fields include those written).
    Record(&'t BTreeMap<String, FieldSchema>),
    /// No alternative has this field.
    Unknown(String),
    /// No alternative has both of these fields.
    Conflict(String, String),
    /// Several alternatives have the fields written, and each lacks a required one.
    Missing,
}

/// A record alternative of a union: the name it was declared under (or its shape) and its fields.
pub type RecordAlternative<'t> = (String, &'t BTreeMap<String, FieldSchema>);

impl Ty {
    /// The record types of a union (through names and nested unions), in order.
    pub fn record_alternatives(&self) -> Vec<RecordAlternative<'_>> {
        fn walk<'t>(t: &'t Ty, name: Option<&str>, out: &mut Vec<RecordAlternative<'t>>) {
            match t {
                Ty::Named(n, inner) => walk(inner, Some(n), out),
                Ty::Union(ts) => ts.iter().for_each(|t| walk(t, None, out)),
                Ty::Record(fs) => {
                    out.push((name.map_or_else(|| t.to_string(), str::to_string), fs))
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(self, None, &mut out);
        out
    }

    /// For a record with the fields `written`, expected to be of a union of two or more record
    /// types (and no map), the alternative its fields select; `None` for any other type. The
    /// values of a union are not tagged: the fields written say which alternative a record is
    /// (`{ command = [...] }` a `K8sExecProbe`, `{ path = "/" }` a `K8sHttpProbe`).
    pub fn pick_record(&self, written: &[&str]) -> Option<RecordPick<'_>> {
        fn has_map(t: &Ty) -> bool {
            match t.resolved() {
                Ty::Map(_) => true,
                Ty::Union(ts) => ts.iter().any(has_map),
                _ => false,
            }
        }
        let alts = self.record_alternatives();
        if alts.len() < 2 || has_map(self) {
            return None;
        }
        let holds =
            |fs: &BTreeMap<String, FieldSchema>| written.iter().all(|w| fs.contains_key(*w));
        let containing: Vec<_> = alts.iter().filter(|(_, fs)| holds(fs)).collect();
        if containing.is_empty() {
            if let Some(w) = written
                .iter()
                .find(|w| !alts.iter().any(|(_, fs)| fs.contains_key(**w)))
            {
                return Some(RecordPick::Unknown(w.to_string()));
            }
            for (i, a) in written.iter().enumerate() {
                for b in &written[i + 1..] {
                    if !alts
                        .iter()
                        .any(|(_, fs)| fs.contains_key(*a) && fs.contains_key(*b))
                    {
                        return Some(RecordPick::Conflict(a.to_string(), b.to_string()));
                    }
                }
            }
            // Every two fields fit some alternative, all of them none: as the first would.
            return Some(RecordPick::Record(alts[0].1));
        }
        let complete = containing.iter().find(|(_, fs)| {
            fs.iter()
                .all(|(k, f)| !f.required || written.contains(&k.as_str()))
        });
        match (complete, containing.as_slice()) {
            (Some((_, fs)), _) | (None, [(_, fs)]) => Some(RecordPick::Record(fs)),
            (None, _) => Some(RecordPick::Missing),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn bounds<T: fmt::Display>(
            f: &mut fmt::Formatter<'_>,
            name: &str,
            lo: &Option<T>,
            hi: &Option<T>,
        ) -> fmt::Result {
            write!(f, "{name}")?;
            if lo.is_some() || hi.is_some() {
                write!(f, "(")?;
                if let Some(l) = lo {
                    write!(f, "{l}")?;
                }
                write!(f, "..")?;
                if let Some(h) = hi {
                    write!(f, "{h}")?;
                }
                write!(f, ")")?;
            }
            Ok(())
        }
        match self {
            Ty::Any => write!(f, "any"),
            Ty::Null => write!(f, "null"),
            Ty::Bool => write!(f, "bool"),
            Ty::Int { min, max } => bounds(f, "int", min, max),
            Ty::Float { min, max } => bounds(f, "float", min, max),
            Ty::Str { pattern, .. } => match pattern {
                Some(p) => write!(f, "string(pattern = {p:?})"),
                None => write!(f, "string"),
            },
            Ty::Quantity { dimension, .. } => write!(f, "{}", dimension.name()),
            Ty::Cidr => write!(f, "Cidr"),
            Ty::Literal(v) => write!(f, "{v}"),
            Ty::Union(ts) => {
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        write!(f, " | ")?;
                    }
                    write!(f, "{t}")?;
                }
                Ok(())
            }
            Ty::List(t) => write!(f, "list<{t}>"),
            Ty::Map(t) => write!(f, "map<{t}>"),
            Ty::Record(fields) => {
                write!(f, "{{")?;
                for (i, (k, fs)) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ",")?;
                    }
                    write!(f, " {k}{}: {}", if fs.required { "" } else { "?" }, fs.ty)?;
                }
                write!(f, " }}")
            }
            Ty::Ref(Some(t)) => write!(f, "ref<{t}>"),
            Ty::Ref(None) => write!(f, "ref<any>"),
            Ty::Named(n, _) => write!(f, "{n}"),
        }
    }
}

/// A field of a schema or record type.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSchema {
    pub ty: Ty,
    /// Must be set: not optional and no default.
    pub required: bool,
    pub default: Option<Value>,
    pub doc: Option<String>,
    /// Where the field is declared (in the stdlib or the project).
    pub span: Span,
}

/// A resource type: its settable properties and the attributes (`out`) it exposes.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceSchema {
    /// Qualified name: `aws.s3.Bucket`, `portable.Postgres`.
    pub name: String,
    pub provider: Provider,
    pub doc: Option<String>,
    pub fields: BTreeMap<String, FieldSchema>,
    pub outputs: BTreeMap<String, FieldSchema>,
    /// `@key = value` annotations of the schema (e.g. `@kind = "database"`).
    pub attrs: BTreeMap<String, Value>,
    pub span: Span,
}

impl ResourceSchema {
    pub fn attr_str(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).and_then(Value::as_str)
    }
    /// The type of an attribute, also nested (`Endpoint.Address` of a generated type whose
    /// attribute `Endpoint` is a record).
    pub fn out_type(&self, path: &str) -> Option<&Ty> {
        let mut segs = path.split('.');
        let mut t = &self.outputs.get(segs.next()?)?.ty;
        for seg in segs {
            match t.resolved() {
                Ty::Record(fields) => t = &fields.get(seg)?.ty,
                _ => return None,
            }
        }
        Some(t)
    }
    /// A type of the generated layer (`cfn.*`, `tf.*`, `kube.*`, `dm.*`).
    pub fn is_generated(&self) -> bool {
        self.attrs.contains_key("generated")
    }
}

/// Every resource schema known to a compilation (stdlib and project), by qualified name.
/// Shared: the language server keeps the stdlib's schemas from one revision to the next, and the
/// generated layer's are loaded once per process.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schemas {
    pub map: BTreeMap<String, std::sync::Arc<ResourceSchema>>,
}

impl Schemas {
    pub fn get(&self, name: &str) -> Option<&ResourceSchema> {
        self.map.get(name).map(|s| &**s)
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}
