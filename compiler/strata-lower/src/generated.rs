//! Lowering of the generated layer (`cfn.*`, `tf.*`, `kube.*`, `dm.*`): mechanical. A
//! resource of a generated type is one resource of its own target, its properties written
//! under the target's own names. The only translation is what the target's syntax needs:
//! Terraform nested blocks (`$block`/`$blocks`), a Kubernetes object's `apiVersion`, `kind` and
//! `metadata`, Kubernetes quantities (`512 MiB` → `512Mi`), relationship properties given a
//! whole resource (`KmsKeyId = key` → `Fn::GetAtt key.Arn`), and stack tags merged into
//! `Tags`/`tags`.

use crate::ctx;
use crate::engine::Entry;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock, PoisonError};
use strata_model::{Model, Resource, StrPart, TRef, Target, Value};
use strata_stdlib::generated::{self as gen, GenField, GenTy, GenType};

/// The target type an untyped resource names (`Custom::Seed`, `random_password`,
/// `acme.io/v1/Widget`, `gcp-types/run-v1:namespaces.services`).
pub(crate) fn untyped_target(r: &Resource) -> Option<String> {
    let u = gen::untyped(&r.ty)?;
    let s = |k: &str| r.props.get(k).and_then(Value::as_str).map(str::to_string);
    match u.target {
        Target::Kubernetes => Some(format!("{}/{}", s("apiVersion")?, s("kind")?)),
        _ => s(u.type_prop),
    }
}

/// The entries (one) of a generated type for its target, built once per process (per target
/// type for the untyped forms).
pub(crate) fn entries(r: &Resource, target: Target) -> Option<&'static [Entry]> {
    let (ty, existing) = (r.ty.as_str(), r.existing);
    let family = gen::family_of(ty)?;
    if family.target != target {
        return None;
    }
    let untyped = gen::untyped(ty).map(|_| untyped_target(r).unwrap_or_default());
    type Key = (String, bool, Option<String>);
    static CACHE: OnceLock<Mutex<HashMap<Key, &'static [Entry]>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (ty.to_string(), existing, untyped.clone());
    if let Some(e) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return Some(e);
    }
    // An existing Terraform resource is a data source (`data.aws_s3_bucket`).
    let ty_name = match untyped {
        Some(t) => t,
        None if existing && target == Target::Terraform => {
            format!("data.{}", gen::get_data(ty)?.target)
        }
        None => gen::get(ty)?.target.clone(),
    };
    let entry = Entry {
        key: "main".into(),
        ty: ty_name,
        when: None,
        each: None,
        name_tpl: None,
        body_tpl: String::new(),
        map: None,
        body_src: String::new(),
        unchecked_keys: Vec::new(),
        refuse: None,
        notice: None,
        outs: BTreeMap::new(),
        params: Vec::new(),
        type_unique: true,
        file: format!("generated/{}", family.name),
        generated: true,
    };
    let leaked: &'static [Entry] = Box::leak(vec![entry].into_boxed_slice());
    cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, leaked);
    Some(leaked)
}

/// The target name of a generated Kubernetes object: its `metadata.name` when written as text.
pub(crate) fn kube_name(r: &Resource) -> Option<String> {
    match r.props.get("metadata")?.as_record()?.get("name")? {
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

/// How the document refers to an `existing` resource it does not hold (CloudFormation,
/// Kubernetes, Deployment Manager): by the values that identify it, written where they are used.
pub(crate) fn existing_value(r: &Resource, attr: Option<&str>) -> Result<Value, String> {
    let lookup = |path: &str| -> Option<Value> {
        let mut segs = path.split('.');
        let mut cur = r.props.get(segs.next()?)?;
        for s in segs {
            cur = cur.as_record()?.get(s)?;
        }
        Some(cur.clone())
    };
    match attr {
        Some(a) => lookup(a).ok_or_else(|| format!("existing resource `{}` is referred to as `{}.{a}`: give its value on the declaration (`{a} = ...`), since nothing is looked up", r.name, r.name)),
        None => {
            if r.ty.starts_with("kube.") {
                return lookup("metadata.name").ok_or_else(|| format!("existing resource `{}` has no `metadata.name`", r.name));
            }
            let ids = gen::get(&r.ty).map(|g| g.ids.clone()).unwrap_or_default();
            ids.iter()
                .map(String::as_str)
                .chain(std::iter::once("name"))
                .find_map(lookup)
                .ok_or_else(|| format!("existing resource `{}` has no identifier to write", r.name))
        }
    }
}

/// How another resource of the same document refers to a generated resource (`attr: None`:
/// the resource itself — CloudFormation `Ref`, Terraform `id`, Deployment Manager `name`,
/// Kubernetes the object's name).
pub(crate) fn tref(
    ty: &str,
    full_name: String,
    target: Target,
    attr: Option<&str>,
) -> Result<TRef, String> {
    let attr = match (target, attr) {
        (Target::CloudFormation, a) => a.map(str::to_string),
        (Target::Terraform, None) => Some("id".to_string()),
        (Target::Terraform, Some(a)) => Some(terraform_path(ty, a)),
        (Target::DeploymentManager, None) => Some("name".to_string()),
        (Target::DeploymentManager, Some(a)) => Some(a.to_string()),
        (Target::Kubernetes, None) => None,
        (Target::Kubernetes, Some(a)) => return Err(format!("a Kubernetes object has no attribute `{a}` to read; refer to the object itself (its name)")),
    };
    Ok(TRef {
        resource: full_name,
        attr,
        param: false,
    })
}

/// `a.b` of a Terraform resource: a nested block holding at most one item is read as `a[0].b`.
fn terraform_path(ty: &str, attr: &str) -> String {
    let Some(g) = gen::get(ty) else {
        return attr.to_string();
    };
    let mut out = String::new();
    let mut fields: Option<&BTreeMap<String, GenField>> = Some(&g.attrs);
    for (i, seg) in attr.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(seg);
        let next = fields.and_then(|f| f.get(seg)).map(|f| &f.ty);
        fields = match next {
            Some(GenTy::Block { list, body }) => {
                if !*list {
                    out.push_str("[0]");
                }
                Some(body)
            }
            Some(GenTy::Obj(body)) => Some(body),
            _ => None,
        };
    }
    out
}

/// The body of a generated resource as template JSON (with reference markers), ready for the
/// same conversion the lowering tables' output goes through.
/// The body of an untyped resource: its body property as written.
fn untyped_body(model: &Model, r: &Resource, u: &gen::Untyped, name: &str) -> Json {
    let record = |v: Option<&Value>| -> Map<String, Json> {
        match v.map(ctx::to_ctx) {
            Some(Json::Object(o)) => o,
            _ => Map::new(),
        }
    };
    let mut o = record(r.props.get(u.body_prop));
    if u.target == Target::Kubernetes {
        let mut meta = record(r.props.get("metadata"));
        meta.entry("name")
            .or_insert_with(|| Json::String(name.to_string()));
        if !meta.contains_key("namespace") {
            if let Some(Value::Str(ns)) = model
                .stack_of(r)
                .and_then(|s| s.provider_config.get("namespace"))
            {
                meta.insert("namespace".into(), Json::String(ns.to_string()));
            }
        }
        let mut full = Map::new();
        for k in ["apiVersion", "kind"] {
            full.insert(
                k.into(),
                r.props.get(k).map(ctx::to_ctx).unwrap_or(Json::Null),
            );
        }
        full.insert("metadata".into(), Json::Object(meta));
        full.extend(o);
        o = full;
    }
    Json::Object(o)
}

pub(crate) fn body(model: &Model, r: &Resource, target: Target, name: &str) -> Json {
    if let Some(u) = gen::untyped(&r.ty) {
        return untyped_body(model, r, u, name);
    }
    let g = if r.existing {
        gen::get_data(&r.ty)
    } else {
        gen::get(&r.ty)
    };
    let Some(g) = g else {
        return Json::Object(Map::new());
    };
    let w = Writer { g: &g, target };
    let mut o = Map::new();
    for (k, v) in &r.props {
        let f = g.props.get(k);
        o.insert(ctx::escape_key(k), w.value(v, f.map(|f| &f.ty)));
    }
    let stack = model.stack_of(r);
    let stack_tags: Vec<(&String, &String)> =
        stack.map(|s| s.tags.iter().collect()).unwrap_or_default();
    match target {
        Target::CloudFormation => merge_cfn_tags(&g, &mut o, &stack_tags),
        Target::Terraform => {
            // The AWS provider applies the stack's tags as `default_tags`; the others get them
            // on every resource that takes `tags`/`labels` as a map.
            if !r.ty.starts_with("tf.aws_") {
                for key in ["tags", "labels"] {
                    if matches!(g.props.get(key).map(|f| &f.ty), Some(GenTy::Map(_))) {
                        merge_map(&mut o, key, &stack_tags, key == "labels");
                    }
                }
            }
        }
        Target::Kubernetes => {
            let (api, kind) = g
                .target
                .rsplit_once('/')
                .unwrap_or(("v1", g.target.as_str()));
            let mut meta = match o.remove("metadata") {
                Some(Json::Object(m)) => m,
                _ => Map::new(),
            };
            meta.entry("name")
                .or_insert_with(|| Json::String(name.to_string()));
            if g.namespaced && !meta.contains_key("namespace") {
                if let Some(Value::Str(ns)) = stack.and_then(|s| s.provider_config.get("namespace"))
                {
                    meta.insert("namespace".into(), Json::String(ns.to_string()));
                }
            }
            let mut full = Map::new();
            full.insert("apiVersion".into(), Json::String(api.to_string()));
            full.insert("kind".into(), Json::String(kind.to_string()));
            full.insert("metadata".into(), Json::Object(meta));
            full.extend(o);
            return Json::Object(full);
        }
        Target::DeploymentManager => {
            for key in ["labels"] {
                if matches!(g.props.get(key).map(|f| &f.ty), Some(GenTy::Map(_))) {
                    merge_map(&mut o, key, &stack_tags, true);
                }
            }
        }
    }
    Json::Object(o)
}

/// Stack tags into a CloudFormation `Tags` property: a list of `{Key, Value}` (most types) or
/// a map (a few), the resource's own tags winning.
fn merge_cfn_tags(g: &GenType, o: &mut Map<String, Json>, stack_tags: &[(&String, &String)]) {
    if stack_tags.is_empty() {
        return;
    }
    let Some(f) = g.props.get("Tags") else { return };
    let shape = resolve(g, &f.ty);
    match shape {
        Some(GenTy::List(_)) => {
            let mut list = match o.remove("Tags") {
                Some(Json::Array(a)) => a,
                _ => Vec::new(),
            };
            let present: Vec<String> = list
                .iter()
                .filter_map(|t| t.get("Key").and_then(Json::as_str).map(str::to_string))
                .collect();
            for (k, v) in stack_tags {
                if !present.iter().any(|p| p == *k) {
                    list.push(serde_json::json!({ "Key": k, "Value": v }));
                }
            }
            list.sort_by(|a, b| {
                a.get("Key")
                    .and_then(Json::as_str)
                    .cmp(&b.get("Key").and_then(Json::as_str))
            });
            o.insert("Tags".into(), Json::Array(list));
        }
        Some(GenTy::Map(_)) | Some(GenTy::Any) => merge_map(o, "Tags", stack_tags, false),
        _ => {}
    }
}

fn merge_map(o: &mut Map<String, Json>, key: &str, stack_tags: &[(&String, &String)], label: bool) {
    if stack_tags.is_empty() {
        return;
    }
    let mut m = match o.remove(key) {
        Some(Json::Object(m)) => m,
        _ => Map::new(),
    };
    for (k, v) in stack_tags {
        // GCP labels: lowercase letters, digits, `_` and `-`.
        let (k, v) = if label {
            (label_text(k), label_text(v))
        } else {
            (k.to_string(), v.to_string())
        };
        m.entry(ctx::escape_key(&k)).or_insert(Json::String(v));
    }
    o.insert(key.to_string(), Json::Object(m));
}

fn label_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(63)
        .collect()
}

/// A `Def` followed to its shape.
fn resolve<'g>(g: &'g GenType, t: &'g GenTy) -> Option<&'g GenTy> {
    let mut cur = t;
    for _ in 0..16 {
        match cur {
            GenTy::Def(name) => cur = g.defs.get(name)?,
            other => return Some(other),
        }
    }
    None
}

struct Writer<'g> {
    g: &'g GenType,
    target: Target,
}

impl Writer<'_> {
    fn value(&self, v: &Value, t: Option<&GenTy>) -> Json {
        let shape = t.and_then(|t| resolve(self.g, t));
        match (v, shape) {
            (Value::Null, _) => Json::Null,
            // A whole resource where a relationship names one of its attributes.
            (Value::Ref(r), Some(GenTy::Rel { attr: Some(a), .. })) if r.attr.is_none() => {
                ctx::ref_marker(r.resource.0, Some(a))
            }
            (Value::Quantity(q), Some(GenTy::Quantity)) => Json::String(kube_quantity(q)),
            (Value::Record(m), Some(GenTy::Block { list: false, body }))
                if self.target == Target::Terraform =>
            {
                ctx::marker("$block", self.record(m, Some(body)))
            }
            (Value::List(items), Some(GenTy::Block { list: true, body }))
                if self.target == Target::Terraform =>
            {
                let blocks: Vec<Json> = items
                    .iter()
                    .map(|i| self.block_item(i, body))
                    .filter(|j| !j.is_null())
                    .collect();
                if blocks.is_empty() {
                    Json::Null
                } else {
                    ctx::marker("$blocks", Json::Array(blocks))
                }
            }
            (Value::Record(_) | Value::List(_), Some(GenTy::OpenBlock))
                if self.target == Target::Terraform =>
            {
                self.open_block(v)
            }
            (Value::Record(m), Some(GenTy::Obj(fields))) if self.target == Target::Terraform => {
                self.tf_object(m, fields)
            }
            (Value::Record(m), Some(GenTy::Obj(fields) | GenTy::Block { body: fields, .. })) => {
                self.record(m, Some(fields))
            }
            (Value::Record(m), Some(GenTy::Map(inner))) => {
                let mut o = Map::with_capacity(m.len());
                for (k, x) in m {
                    o.insert(ctx::escape_key(k), self.value(x, Some(inner)));
                }
                Json::Object(o)
            }
            (Value::Record(m), _) => self.record(m, None),
            (Value::List(items), Some(GenTy::List(inner))) => {
                Json::Array(items.iter().map(|x| self.value(x, Some(inner))).collect())
            }
            (Value::List(items), _) => {
                Json::Array(items.iter().map(|x| self.value(x, None)).collect())
            }
            (Value::Interp(parts), _) => {
                // Keep the parts (references become the target's interpolation).
                let parts = parts
                    .iter()
                    .map(|p| match p {
                        StrPart::Lit(s) => Json::String(s.clone()),
                        StrPart::Ref(r) => ctx::ref_marker(r.resource.0, r.attr.as_deref()),
                    })
                    .collect();
                ctx::marker("$interp", Json::Array(parts))
            }
            (Value::Quantity(q), _) => Json::String(q.to_string()),
            _ => ctx::to_ctx(v),
        }
    }

    fn block_item(&self, v: &Value, body: &BTreeMap<String, GenField>) -> Json {
        match v {
            Value::Record(m) => self.record(m, Some(body)),
            other => self.value(other, None),
        }
    }

    fn record(
        &self,
        m: &BTreeMap<String, Value>,
        fields: Option<&BTreeMap<String, GenField>>,
    ) -> Json {
        let mut o = Map::with_capacity(m.len());
        for (k, x) in m {
            let t = fields.and_then(|f| f.get(k)).map(|f| &f.ty);
            o.insert(ctx::escape_key(k), self.value(x, t));
        }
        Json::Object(o)
    }

    /// An untyped Terraform block: a record is one block, a list of records several blocks,
    /// and the records and lists of records inside are blocks too (wafv2 statements).
    fn open_block(&self, v: &Value) -> Json {
        let body = |m: &BTreeMap<String, Value>| -> Json {
            let mut o = Map::with_capacity(m.len());
            for (k, x) in m {
                let j = match x {
                    Value::Record(_) => self.open_block(x),
                    Value::List(items)
                        if !items.is_empty()
                            && items.iter().all(|i| matches!(i, Value::Record(_))) =>
                    {
                        self.open_block(x)
                    }
                    other => self.value(other, None),
                };
                o.insert(ctx::escape_key(k), j);
            }
            Json::Object(o)
        };
        match v {
            Value::Record(m) => ctx::marker("$block", body(m)),
            Value::List(items) => {
                let blocks: Vec<Json> = items
                    .iter()
                    .filter_map(|i| i.as_record())
                    .map(body)
                    .collect();
                ctx::marker("$blocks", Json::Array(blocks))
            }
            other => self.value(other, None),
        }
    }

    /// A Terraform object attribute (`ingress = [{ ... }]`, nested attributes): every field is
    /// written, `null` where unset — attributes-as-blocks require them all.
    fn tf_object(&self, m: &BTreeMap<String, Value>, fields: &BTreeMap<String, GenField>) -> Json {
        let mut o = match self.record(m, Some(fields)) {
            Json::Object(o) => o,
            other => return other,
        };
        for k in fields.keys() {
            let key = ctx::escape_key(k);
            if o.get(&key).is_none_or(Json::is_null) {
                o.insert(key, ctx::marker("$null", Json::Bool(true)));
            }
        }
        Json::Object(o)
    }
}

/// A size as a Kubernetes quantity: binary suffixes when exact (`512Mi`, `2Gi`), else bytes.
fn kube_quantity(q: &strata_model::Quantity) -> String {
    if q.dimension != strata_base::units::Dimension::Size {
        return q.to_string();
    }
    let bytes = q.value;
    for (suffix, factor) in [
        ("Ei", 1u64 << 60),
        ("Pi", 1 << 50),
        ("Ti", 1 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ] {
        let f = factor as f64;
        if bytes >= f && (bytes / f).fract() == 0.0 {
            return format!("{}{suffix}", (bytes / f) as u64);
        }
    }
    format!("{}", bytes.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_become_binary_quantities() {
        let q = |v: f64| strata_model::Quantity {
            value: v,
            dimension: strata_base::units::Dimension::Size,
            unit: "MiB".into(),
        };
        assert_eq!(kube_quantity(&q(512.0 * 1048576.0)), "512Mi");
        assert_eq!(kube_quantity(&q(2.0 * 1073741824.0)), "2Gi");
        assert_eq!(kube_quantity(&q(1500.0)), "1500");
    }
}
