//! The generated layer: every resource type of the four targets, typed from the official
//! schemas (CloudFormation registry schemas, Terraform provider schemas, Kubernetes OpenAPI,
//! Google API discovery documents) by `tools/strata-gen`, committed under `generated/` with
//! the manifest of the pinned sources, and embedded here compressed in blocks.
//!
//! Loading is lazy: the name index is static data; a type's block is decompressed and its line
//! parsed the first time a program names it, then kept for the life of the process.

pub mod crd;
pub mod format;

pub use format::{GenField, GenTy, GenType};

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use strata_model::{FieldSchema, Provider, ResourceSchema, Target, Ty, Value};

mod index {
    include!(concat!(env!("OUT_DIR"), "/generated_index.rs"));
}

/// A family of the generated layer: the import name and the target its types are written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Family {
    /// `cfn`, `tf`, `kube`, `dm`: the package a program imports.
    pub name: &'static str,
    pub target: Target,
    /// What it covers, for `strata schema list` and the docs.
    pub title: &'static str,
}

/// The four families, in the order the documentation lists them.
pub const FAMILIES: &[Family] = &[
    Family {
        name: "cfn",
        target: Target::CloudFormation,
        title: "AWS CloudFormation resource types (registry schemas)",
    },
    Family {
        name: "tf",
        target: Target::Terraform,
        title: "Terraform resources of the aws, google, azurerm and kubernetes providers",
    },
    Family {
        name: "kube",
        target: Target::Kubernetes,
        title: "Kubernetes built-in kinds (OpenAPI)",
    },
    Family {
        name: "dm",
        target: Target::DeploymentManager,
        title: "Deployment Manager base types (Google API discovery documents)",
    },
];

/// The family a qualified type name belongs to (`cfn.AWS.S3.Bucket` → `cfn`).
pub fn family_of(name: &str) -> Option<&'static Family> {
    let first = name.split('.').next()?;
    FAMILIES.iter().find(|f| f.name == first)
}

/// Whether `name` is a package of the generated layer (`cfn`, `tf`, `kube`, `dm`).
pub fn is_family(name: &str) -> bool {
    FAMILIES.iter().any(|f| f.name == name)
}

fn find(
    table: &'static [(&'static str, u32, u32, u32)],
    name: &str,
) -> Option<&'static (&'static str, u32, u32, u32)> {
    table
        .binary_search_by(|e| e.0.cmp(name))
        .ok()
        .map(|i| &table[i])
}

/// Whether the generated layer has a resource type of this name.
pub fn exists(name: &str) -> bool {
    find(index::TYPES, name).is_some()
        || UNTYPED.iter().any(|u| u.name == name)
        || project_type(name).is_some()
}

/// Types the project adds to the generated layer (its Kubernetes CRDs), by name. Set by the
/// driver before each analysis (`set_project_types`); consulted before the embedded layer.
fn project_types() -> &'static std::sync::RwLock<BTreeMap<String, Arc<GenType>>> {
    static CELL: OnceLock<std::sync::RwLock<BTreeMap<String, Arc<GenType>>>> = OnceLock::new();
    CELL.get_or_init(Default::default)
}

fn project_type(name: &str) -> Option<Arc<GenType>> {
    project_types()
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(name)
        .cloned()
}

/// Replace the project's own types (its CRDs' kinds). A process serving several projects (the
/// language server) sets them before analysing each.
pub fn set_project_types(types: Vec<GenType>) {
    let mut map = project_types()
        .write()
        .unwrap_or_else(PoisonError::into_inner);
    map.clear();
    for t in types {
        map.insert(t.name.clone(), Arc::new(t));
    }
}

/// The names of the project's own types, sorted.
pub fn project_type_names() -> Vec<String> {
    project_types()
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .keys()
        .cloned()
        .collect()
}

/// The one untyped form of each family, for what no schema knows (CloudFormation custom
/// resources and third-party registry types, Terraform resources of other providers, custom
/// resources of a cluster without their CRD, Deployment Manager type providers): the target's
/// type name is a property, the body is not checked, any attribute can be read. A program that
/// uses one gets an info diagnostic (E2014).
pub struct Untyped {
    pub name: &'static str,
    pub target: Target,
    /// The property that names the target type (`Type`, `type`; Kubernetes: `apiVersion` + `kind`).
    pub type_prop: &'static str,
    /// The property holding the untyped body (Kubernetes: its other top-level fields).
    pub body_prop: &'static str,
    pub doc: &'static str,
}

pub const UNTYPED: &[Untyped] = &[
    Untyped {
        name: "cfn.Untyped",
        target: Target::CloudFormation,
        type_prop: "Type",
        body_prop: "Properties",
        doc: "A CloudFormation resource no registry schema describes (a custom resource `Custom::Name` with its `ServiceToken`, a third-party type): `Type` and `Properties` as written in a template. Attributes are read with `Fn::GetAtt` under any name.",
    },
    Untyped {
        name: "tf.Untyped",
        target: Target::Terraform,
        type_prop: "type",
        body_prop: "body",
        doc: "A Terraform resource of a provider the generated layer does not cover (`random_password`, `cloudflare_record`): its `type` and the arguments as `body` (records are written as attributes, not blocks). Any attribute can be read.",
    },
    Untyped {
        name: "kube.Untyped",
        target: Target::Kubernetes,
        type_prop: "kind",
        body_prop: "body",
        doc: "A Kubernetes object of a kind no schema describes (a custom resource whose CRD is not listed in strata.toml): `apiVersion`, `kind`, `metadata`, and its other top-level fields as `body`.",
    },
    Untyped {
        name: "dm.Untyped",
        target: Target::DeploymentManager,
        type_prop: "type",
        body_prop: "properties",
        doc: "A Deployment Manager resource of a type provider or an API without a base type (`gcp-types/run-v1:namespaces.services`): its `type` and `properties`. Any output field can be read.",
    },
];

/// The untyped form of a family, if `name` is one (`cfn.Untyped`).
pub fn untyped(name: &str) -> Option<&'static Untyped> {
    UNTYPED.iter().find(|u| u.name == name)
}

fn untyped_schema(u: &Untyped) -> ResourceSchema {
    let field = |ty: Ty, required: bool, doc: &str| FieldSchema {
        ty,
        required,
        default: None,
        doc: Some(doc.to_string()),
        span: strata_base::Span::default(),
    };
    let mut fields = BTreeMap::new();
    let any_map = Ty::Map(Box::new(Ty::Any));
    match u.target {
        Target::Kubernetes => {
            fields.insert(
                "apiVersion".to_string(),
                field(
                    Ty::string(),
                    true,
                    "The object's API version (`acme.io/v1`).",
                ),
            );
            fields.insert(
                "kind".to_string(),
                field(Ty::string(), true, "The object's kind."),
            );
            fields.insert(
                "metadata".to_string(),
                field(
                    any_map.clone(),
                    false,
                    "The object's metadata; its name defaults to the resource's.",
                ),
            );
            fields.insert(
                "body".to_string(),
                field(
                    any_map,
                    false,
                    "The object's other top-level fields (`spec`, ...), written as given.",
                ),
            );
        }
        _ => {
            fields.insert(
                u.type_prop.to_string(),
                field(
                    Ty::string(),
                    true,
                    "The target's type name, written as given.",
                ),
            );
            fields.insert(
                u.body_prop.to_string(),
                field(any_map, false, "The body, written as given (not checked)."),
            );
        }
    }
    let mut attrs = BTreeMap::new();
    attrs.insert(
        "generated".to_string(),
        Value::str(u.name.split('.').next().unwrap_or_default().to_string()),
    );
    attrs.insert(
        "target".to_string(),
        Value::str(u.target.dir_name().to_string()),
    );
    attrs.insert("untyped".to_string(), Value::Bool(true));
    ResourceSchema {
        name: u.name.to_string(),
        provider: provider_of(u.name),
        doc: Some(u.doc.to_string()),
        fields,
        outputs: BTreeMap::new(),
        attrs,
        span: strata_base::Span::default(),
    }
}

/// Whether the generated layer has a Terraform data source of this name (`tf.aws_s3_bucket`).
pub fn data_exists(name: &str) -> bool {
    find(index::DATA, name).is_some()
}

/// Every generated resource type name, sorted; only those of `family` when given.
pub fn names(family: Option<&str>) -> impl Iterator<Item = &'static str> + '_ {
    index::TYPES
        .iter()
        .map(|e| e.0)
        .filter(move |n| family.is_none_or(|f| n.split('.').next() == Some(f)))
}

/// Every Terraform data source name (`tf.aws_s3_bucket`), sorted.
pub fn data_names() -> impl Iterator<Item = &'static str> {
    index::DATA.iter().map(|e| e.0)
}

/// Number of generated resource types (all families).
pub fn count() -> usize {
    index::TYPES.len()
}

/// A decompressed block of the generated layer, decompressed once (`None`: corrupt).
type Block = OnceLock<Option<Arc<Vec<u8>>>>;

fn block(i: u32) -> Option<Arc<Vec<u8>>> {
    static CACHE: OnceLock<Vec<Block>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| (0..index::BLOCKS.len()).map(|_| OnceLock::new()).collect());
    cache
        .get(i as usize)?
        .get_or_init(|| {
            let (off, len) = index::BLOCKS.get(i as usize).copied()?;
            let packed = index::BLOB.get(off as usize..(off + len) as usize)?;
            miniz_oxide::inflate::decompress_to_vec(packed)
                .ok()
                .map(Arc::new)
        })
        .clone()
}

fn parse(entry: &(&'static str, u32, u32, u32)) -> Option<GenType> {
    let (_, b, off, len) = *entry;
    let data = block(b)?;
    let line = data.get(off as usize..(off + len) as usize)?;
    serde_json::from_slice(line).ok()
}

type Cache<T> = Mutex<HashMap<(bool, String), Option<Arc<T>>>>;

fn cached<T>(
    cache: &'static OnceLock<Cache<T>>,
    data: bool,
    name: &str,
    make: impl FnOnce() -> Option<T>,
) -> Option<Arc<T>> {
    let cache = cache.get_or_init(Default::default);
    if let Some(hit) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&(data, name.to_string()))
    {
        return hit.clone();
    }
    let made = make().map(Arc::new);
    cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert((data, name.to_string()), made.clone());
    made
}

/// The generated type `name`, parsed on first use.
pub fn get(name: &str) -> Option<Arc<GenType>> {
    if let Some(t) = project_type(name) {
        return Some(t);
    }
    static CACHE: OnceLock<Cache<GenType>> = OnceLock::new();
    cached(&CACHE, false, name, || {
        find(index::TYPES, name).and_then(parse)
    })
}

/// The Terraform data source `name` (`tf.aws_s3_bucket`), parsed on first use.
pub fn get_data(name: &str) -> Option<Arc<GenType>> {
    static CACHE: OnceLock<Cache<GenType>> = OnceLock::new();
    cached(&CACHE, true, name, || {
        find(index::DATA, name).and_then(parse)
    })
}

/// The generated type `name` as a resource schema the type checker reads.
pub fn schema(name: &str) -> Option<Arc<ResourceSchema>> {
    if let Some(t) = project_type(name) {
        return Some(Arc::new(to_schema(&t)));
    }
    static CACHE: OnceLock<Cache<ResourceSchema>> = OnceLock::new();
    cached(&CACHE, false, name, || match untyped(name) {
        Some(u) => Some(untyped_schema(u)),
        None => get(name).map(|g| to_schema(&g)),
    })
}

/// The Terraform data source `name` as a resource schema (for `existing` resources).
pub fn data_schema(name: &str) -> Option<Arc<ResourceSchema>> {
    static CACHE: OnceLock<Cache<ResourceSchema>> = OnceLock::new();
    cached(&CACHE, true, name, || get_data(name).map(|g| to_schema(&g)))
}

/// The prefix of the schema an `existing` resource is checked against (`existing:tf.aws_s3_bucket`).
pub const EXISTING: &str = "existing:";

/// The schema of an `existing` resource of type `name`: what identifies it and what can be read
/// from it. Terraform: the data source of the same name. CloudFormation: the primary
/// identifier (required) and, optionally, the attributes the program will read (known values,
/// since CloudFormation cannot look them up). Kubernetes: `metadata` with the name (and
/// namespace). Deployment Manager: `name` and the attributes, as for CloudFormation.
/// `Err` says why there is none.
pub fn existing_schema(name: &str) -> Result<ResourceSchema, String> {
    let family =
        family_of(name).ok_or_else(|| format!("`{name}` is not a type of the generated layer"))?;
    let mut s = if family.name == "tf" {
        match data_schema(name) {
            Some(s) => (*s).clone(),
            None => {
                return Err(format!(
                    "the Terraform provider has no data source `{}`",
                    name.trim_start_matches("tf.")
                ))
            }
        }
    } else {
        let base = schema(name).ok_or_else(|| format!("unknown type `{name}`"))?;
        let mut s = (*base).clone();
        let id_field = |doc: &str| FieldSchema {
            ty: Ty::string(),
            required: true,
            default: None,
            doc: Some(doc.to_string()),
            span: strata_base::Span::default(),
        };
        let mut fields: BTreeMap<String, FieldSchema> = BTreeMap::new();
        match family.name {
            "kube" => {
                let mut meta = BTreeMap::new();
                meta.insert("name".to_string(), id_field("The object's name."));
                meta.insert(
                    "namespace".to_string(),
                    FieldSchema {
                        required: false,
                        ..id_field(
                            "Its namespace (namespaced kinds); the stack's namespace when omitted.",
                        )
                    },
                );
                fields.insert(
                    "metadata".to_string(),
                    FieldSchema {
                        ty: Ty::Record(meta),
                        ..id_field("The existing object's name and namespace.")
                    },
                );
                s.outputs = BTreeMap::new();
            }
            _ => {
                for (k, f) in &base.outputs {
                    fields.insert(
                        k.clone(),
                        FieldSchema {
                            required: false,
                            doc: Some(format!(
                                "Its value, if the program reads `{k}` (nothing is looked up)."
                            )),
                            ..f.clone()
                        },
                    );
                }
                let ids: Vec<String> = get(name).map(|g| g.ids.clone()).unwrap_or_default();
                let ids = if ids.is_empty() {
                    vec!["name".to_string()]
                } else {
                    ids
                };
                for id in ids.iter().filter(|i| !i.contains('.')) {
                    let mut f = base
                        .fields
                        .get(id)
                        .or_else(|| base.outputs.get(id))
                        .cloned()
                        .unwrap_or_else(|| id_field("The identifier."));
                    f.required = true;
                    fields.insert(id.clone(), f);
                }
            }
        }
        s.fields = fields;
        s
    };
    s.name = format!("{EXISTING}{name}");
    s.attrs.insert("existing".to_string(), Value::Bool(true));
    Ok(s)
}

/// The cloud a generated type belongs to (for stacks and policy rules).
pub fn provider_of(name: &str) -> Provider {
    let Some(f) = family_of(name) else {
        return Provider::None;
    };
    match f.name {
        "cfn" => Provider::Aws,
        "kube" => Provider::Kubernetes,
        "dm" => Provider::Gcp,
        _ => {
            let t = name.strip_prefix("tf.").unwrap_or("");
            if t.starts_with("aws_") {
                Provider::Aws
            } else if t.starts_with("google_") {
                Provider::Gcp
            } else if t.starts_with("azurerm_") {
                Provider::Azure
            } else if t.starts_with("kubernetes_") {
                Provider::Kubernetes
            } else {
                Provider::None
            }
        }
    }
}

/// Convert a generated type into the schema form the checker uses. Recursive definitions are
/// typed down to their first repetition; a value nested deeper is accepted as is (`any`).
pub fn to_schema(g: &GenType) -> ResourceSchema {
    let mut cx = Conv {
        defs: &g.defs,
        stack: Vec::new(),
        cache: HashMap::new(),
    };
    let mut fields: BTreeMap<String, FieldSchema> = g
        .props
        .iter()
        .map(|(k, f)| (k.clone(), cx.field(f)))
        .collect();
    // A Kubernetes object's name defaults to the resource's own name (kebab-case).
    if g.name.starts_with("kube.") {
        if let Some(m) = fields.get_mut("metadata") {
            m.required = false;
        }
    }
    let outputs = g
        .attrs
        .iter()
        .map(|(k, f)| (k.clone(), cx.field(f)))
        .collect();
    let family = family_of(&g.name);
    let mut attrs = BTreeMap::new();
    if let Some(f) = family {
        attrs.insert("generated".to_string(), Value::str(f.name.to_string()));
        attrs.insert(
            "target".to_string(),
            Value::str(f.target.dir_name().to_string()),
        );
    }
    attrs.insert("target_type".to_string(), Value::str(g.target.clone()));
    if g.data {
        attrs.insert("data".to_string(), Value::Bool(true));
    }
    let mut doc = g.doc.clone().unwrap_or_default();
    if let Some(url) = &g.url {
        if !doc.is_empty() {
            doc.push_str("\n\n");
        }
        doc.push_str(&format!("[{}]({url})", g.target));
    }
    ResourceSchema {
        name: g.name.clone(),
        provider: provider_of(&g.name),
        doc: (!doc.is_empty()).then_some(doc),
        fields,
        outputs,
        attrs,
        span: strata_base::Span::default(),
    }
}

struct Conv<'a> {
    defs: &'a BTreeMap<String, GenTy>,
    stack: Vec<&'a str>,
    cache: HashMap<&'a str, Ty>,
}

impl<'a> Conv<'a> {
    fn field(&mut self, f: &'a GenField) -> FieldSchema {
        let mut doc = f.doc.clone().unwrap_or_default();
        let mut notes = Vec::new();
        if f.create_only {
            notes.push("changing it replaces the resource");
        }
        if f.write_only {
            notes.push("write-only");
        }
        if f.sensitive {
            notes.push("sensitive");
        }
        if f.computed {
            notes.push("computed by the provider when omitted");
        }
        if f.deprecated {
            notes.push("deprecated");
        }
        if !notes.is_empty() {
            if !doc.is_empty() {
                doc.push(' ');
            }
            doc.push_str(&format!("({})", notes.join("; ")));
        }
        FieldSchema {
            ty: self.ty(&f.ty),
            required: f.req,
            default: None,
            doc: (!doc.is_empty()).then_some(doc),
            span: strata_base::Span::default(),
        }
    }

    fn record(&mut self, body: &'a BTreeMap<String, GenField>) -> Ty {
        Ty::Record(
            body.iter()
                .map(|(k, f)| (k.clone(), self.field(f)))
                .collect(),
        )
    }

    fn ty(&mut self, t: &'a GenTy) -> Ty {
        match t {
            GenTy::Any => Ty::Any,
            // One block (a record) or several (a list of records), content untyped.
            GenTy::OpenBlock => Ty::Named(
                "block".into(),
                Box::new(Ty::Union(vec![
                    Ty::Map(Box::new(Ty::Any)),
                    Ty::List(Box::new(Ty::Map(Box::new(Ty::Any)))),
                ])),
            ),
            GenTy::Bool => Ty::Bool,
            GenTy::Int { min, max } => Ty::Int {
                min: *min,
                max: *max,
            },
            GenTy::Num { min, max } => Ty::Float {
                min: *min,
                max: *max,
            },
            GenTy::Str {
                pattern,
                min_len,
                max_len,
            } => Ty::Str {
                pattern: pattern.clone(),
                min_len: min_len.map(|x| x as usize),
                max_len: max_len.map(|x| x as usize),
            },
            GenTy::Enum(vals) => {
                let mut lits: Vec<Ty> = vals
                    .iter()
                    .map(|v| Ty::Literal(Value::str(v.clone())))
                    .collect();
                if lits.len() == 1 {
                    lits.pop().unwrap_or(Ty::Any)
                } else {
                    Ty::Union(lits)
                }
            }
            GenTy::List(inner) => Ty::List(Box::new(self.ty(inner))),
            GenTy::Map(inner) => Ty::Map(Box::new(self.ty(inner))),
            GenTy::Obj(fields) => self.record(fields),
            GenTy::Block { list, body } => {
                let r = self.record(body);
                if *list {
                    Ty::List(Box::new(r))
                } else {
                    r
                }
            }
            GenTy::Union(ts) => Ty::Union(ts.iter().map(|t| self.ty(t)).collect()),
            GenTy::Rel { ty, .. } => Ty::Union(vec![Ty::string(), Ty::Ref(Some(ty.clone()))]),
            GenTy::IntOrString => Ty::Named(
                "IntOrString".into(),
                Box::new(Ty::Union(vec![Ty::int(), Ty::string()])),
            ),
            GenTy::Quantity => Ty::Named(
                "Quantity".into(),
                Box::new(Ty::Union(vec![
                    Ty::string(),
                    Ty::int(),
                    Ty::Float {
                        min: None,
                        max: None,
                    },
                    Ty::Quantity {
                        dimension: strata_base::units::Dimension::Size,
                        min: None,
                        max: None,
                    },
                ])),
            ),
            GenTy::Def(name) => {
                if let Some(t) = self.cache.get(name.as_str()) {
                    return t.clone();
                }
                if self.stack.contains(&name.as_str()) {
                    return Ty::Any;
                }
                let Some(def) = self.defs.get(name) else {
                    return Ty::Any;
                };
                self.stack.push(name);
                let inner = self.ty(def);
                self.stack.pop();
                let short = name.rsplit('.').next().unwrap_or(name).to_string();
                let t = Ty::Named(short, Box::new(inner));
                // Only cache shapes built outside a cycle (inside, a repetition was cut).
                if self.stack.is_empty() {
                    self.cache.insert(name, t.clone());
                }
                t
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_cuts_recursion_and_types_shapes() {
        let mut defs = BTreeMap::new();
        let mut stmt = BTreeMap::new();
        stmt.insert(
            "And".to_string(),
            GenField::new(GenTy::List(Box::new(GenTy::Def("Statement".into())))),
        );
        stmt.insert(
            "Op".to_string(),
            GenField::new(GenTy::Enum(vec!["a".into(), "b".into()])),
        );
        defs.insert("Statement".to_string(), GenTy::Obj(stmt));
        let mut props = BTreeMap::new();
        props.insert(
            "Statement".to_string(),
            GenField {
                req: true,
                ..GenField::new(GenTy::Def("Statement".into()))
            },
        );
        props.insert(
            "KeyId".to_string(),
            GenField::new(GenTy::Rel {
                ty: "cfn.AWS.KMS.Key".into(),
                attr: Some("Arn".into()),
            }),
        );
        let g = GenType {
            name: "cfn.X.Y.Z".into(),
            target: "X::Y::Z".into(),
            doc: Some("A thing.".into()),
            url: Some("https://example.com".into()),
            props,
            attrs: BTreeMap::new(),
            defs,
            ids: vec![],
            data: false,
            namespaced: false,
        };
        let s = to_schema(&g);
        assert_eq!(s.provider, Provider::Aws);
        assert!(s.fields["Statement"].required);
        let shown = s.fields["Statement"].ty.resolved().to_string();
        assert_eq!(shown, "{ And?: list<any>, Op?: \"a\" | \"b\" }");
        assert_eq!(
            s.fields["KeyId"].ty.to_string(),
            "string | ref<cfn.AWS.KMS.Key>"
        );
        assert_eq!(s.attr_str("target"), Some("cloudformation"));
    }

    #[test]
    fn the_index_is_sorted_and_every_entry_parses() {
        assert!(index::TYPES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(index::DATA.windows(2).all(|w| w[0].0 < w[1].0));
        // A sample (every 97th type) parses and names itself; the full parse is the generator's test.
        for e in index::TYPES.iter().step_by(97) {
            let g = parse(e).unwrap_or_else(|| panic!("{} does not parse", e.0));
            assert_eq!(g.name, e.0);
        }
    }
}
