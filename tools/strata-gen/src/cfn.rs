//! CloudFormation: every resource type of the registry schemas cfn-lint ships for us-east-1
//! (`cfnlint/data/schemas/providers/us-east-1.json` names each type's schema file under
//! `resources/`). Names stay CloudFormation's: `AWS::S3::Bucket` → `cfn.AWS.S3.Bucket`,
//! properties `BucketName`, attributes `Arn` (`readOnlyProperties`, read with `Fn::GetAtt`).

use crate::common::{doc_text, usable_pattern};
use crate::Output;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use strata_stdlib::generated::{GenField, GenTy, GenType};

const DOC: usize = 300;
const FIELD_DOC: usize = 200;

pub fn strata_name(cfn: &str) -> String {
    format!("cfn.{}", cfn.replace("::", "."))
}

/// The page of the CloudFormation template reference for a type.
fn doc_url(cfn: &str) -> Option<String> {
    let parts: Vec<&str> = cfn.split("::").collect();
    match parts.as_slice() {
        ["AWS", service, res] => {
            Some(format!("https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-{}-{}.html", service.to_lowercase(), res.to_lowercase()))
        }
        _ => None,
    }
}

pub fn generate(src: &Path) -> Result<Vec<Output>, String> {
    let base = src.join("cfnlint/data/schemas");
    let index_path = base.join("providers/us-east-1.json");
    let index: BTreeMap<String, String> = read_json(&index_path).and_then(|j| {
        serde_json::from_value(j).map_err(|e| format!("{}: {e}", index_path.display()))
    })?;
    // Every schema first: relationships name other types' properties.
    let mut schemas: BTreeMap<String, Json> = BTreeMap::new();
    for (ty, hash) in &index {
        let p = base.join("resources").join(format!("{hash}.json"));
        schemas.insert(ty.clone(), read_json(&p)?);
    }
    let mut types = Vec::new();
    for (ty, schema) in &schemas {
        types.push(convert(ty, schema, &schemas));
    }
    Ok(vec![Output {
        file: "cfn.jsonl".into(),
        source: "cfn-lint".into(),
        types,
    }])
}

fn read_json(p: &Path) -> Result<Json, String> {
    let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
}

/// `/properties/A/B` → `["A", "B"]`.
fn pointer(p: &str) -> Vec<String> {
    p.trim_start_matches("/properties/")
        .split('/')
        .filter(|s| !s.is_empty() && *s != "*")
        .map(str::to_string)
        .collect()
}

fn str_list(j: Option<&Json>) -> Vec<String> {
    j.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn convert(ty: &str, schema: &Json, all: &BTreeMap<String, Json>) -> GenType {
    let empty = Map::new();
    let props = schema
        .get("properties")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let read_only: Vec<Vec<String>> = str_list(schema.get("readOnlyProperties"))
        .iter()
        .map(|p| pointer(p))
        .collect();
    let top_read_only: BTreeSet<String> = read_only
        .iter()
        .filter(|p| p.len() == 1)
        .map(|p| p[0].clone())
        .collect();
    let create_only: BTreeSet<String> = str_list(schema.get("createOnlyProperties"))
        .iter()
        .map(|p| pointer(p))
        .filter(|p| p.len() == 1)
        .map(|p| p[0].clone())
        .collect();
    let write_only: BTreeSet<String> = str_list(schema.get("writeOnlyProperties"))
        .iter()
        .map(|p| pointer(p))
        .filter(|p| p.len() == 1)
        .map(|p| p[0].clone())
        .collect();
    let deprecated: BTreeSet<String> = str_list(schema.get("deprecatedProperties"))
        .iter()
        .map(|p| pointer(p))
        .filter(|p| p.len() == 1)
        .map(|p| p[0].clone())
        .collect();
    let required: BTreeSet<String> = str_list(schema.get("required")).into_iter().collect();
    let cx = Cx { all };

    let mut out_props = BTreeMap::new();
    for (name, p) in props {
        if top_read_only.contains(name) {
            continue;
        }
        let mut f = GenField::new(cx.ty(p));
        f.req = required.contains(name);
        f.doc = p
            .get("description")
            .and_then(Json::as_str)
            .and_then(|d| doc_text(d, FIELD_DOC));
        f.create_only = create_only.contains(name);
        f.write_only = write_only.contains(name);
        f.deprecated = deprecated.contains(name);
        f.sensitive = f.write_only && sensitive_name(name);
        out_props.insert(name.clone(), f);
    }

    // Attributes: every read-only property, nested ones (`Endpoint/Address`) as records.
    let mut attrs: BTreeMap<String, GenField> = BTreeMap::new();
    for path in &read_only {
        let Some(first) = path.first() else { continue };
        let Some(p) = props.get(first) else { continue };
        if path.len() == 1 {
            let mut f = GenField::new(cx.ty(p));
            f.doc = p
                .get("description")
                .and_then(Json::as_str)
                .and_then(|d| doc_text(d, FIELD_DOC));
            attrs.insert(first.clone(), f);
        } else {
            // A nested read-only value (`Endpoint.Address`): the attribute is the record of them.
            let entry = attrs
                .entry(first.clone())
                .or_insert_with(|| GenField::new(GenTy::Obj(BTreeMap::new())));
            if let GenTy::Obj(fields) = &mut entry.ty {
                let leaf = resolve_path(schema, p, &path[1..]);
                let mut node = fields;
                for (i, seg) in path[1..].iter().enumerate() {
                    if i + 2 == path.len() {
                        node.insert(
                            seg.clone(),
                            GenField::new(leaf.as_ref().map(|l| cx.ty(l)).unwrap_or(GenTy::Str {
                                pattern: None,
                                min_len: None,
                                max_len: None,
                            })),
                        );
                        break;
                    }
                    let next = node
                        .entry(seg.clone())
                        .or_insert_with(|| GenField::new(GenTy::Obj(BTreeMap::new())));
                    match &mut next.ty {
                        GenTy::Obj(f) => node = f,
                        _ => break,
                    }
                }
            }
        }
    }

    let mut defs = BTreeMap::new();
    if let Some(d) = schema.get("definitions").and_then(Json::as_object) {
        for (name, s) in d {
            defs.insert(name.clone(), cx.ty(s));
        }
    }
    let ids = str_list(schema.get("primaryIdentifier"))
        .iter()
        .map(|p| pointer(p).join("."))
        .collect();
    GenType {
        name: strata_name(ty),
        target: ty.to_string(),
        doc: schema
            .get("description")
            .and_then(Json::as_str)
            .and_then(|d| doc_text(d, DOC)),
        url: doc_url(ty),
        props: out_props,
        attrs,
        defs,
        ids,
        data: false,
        namespaced: false,
    }
}

/// The schema of a nested property (`/properties/Endpoint/Address`), following `$ref`s.
fn resolve_path<'a>(schema: &'a Json, start: &'a Json, rest: &[String]) -> Option<&'a Json> {
    let mut cur = start;
    for seg in rest {
        cur = deref(schema, cur);
        cur = cur.get("properties")?.get(seg)?;
    }
    Some(cur)
}

fn deref<'a>(schema: &'a Json, node: &'a Json) -> &'a Json {
    let mut cur = node;
    for _ in 0..8 {
        match cur
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|r| r.strip_prefix("#/definitions/"))
        {
            Some(name) => match schema.get("definitions").and_then(|d| d.get(name)) {
                Some(d) => cur = d,
                None => break,
            },
            None => break,
        }
    }
    cur
}

/// Names of write-only properties that hold secrets (passwords, keys, tokens).
fn sensitive_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "password",
        "secret",
        "token",
        "privatekey",
        "passphrase",
        "credential",
    ]
    .iter()
    .any(|k| n.contains(k))
}

struct Cx<'a> {
    all: &'a BTreeMap<String, Json>,
}

impl Cx<'_> {
    fn ty(&self, s: &Json) -> GenTy {
        let Some(o) = s.as_object() else {
            return GenTy::Any;
        };
        if let Some(r) = o.get("$ref").and_then(Json::as_str) {
            return match r.strip_prefix("#/definitions/") {
                Some(name) => GenTy::Def(name.to_string()),
                None => GenTy::Any,
            };
        }
        if let Some(rel) = o.get("relationshipRef") {
            if let Some(t) = self.relationship(rel) {
                return t;
            }
        }
        let types: Vec<&str> = match o.get("type") {
            Some(Json::String(t)) => vec![t.as_str()],
            Some(Json::Array(a)) => a
                .iter()
                .filter_map(Json::as_str)
                .filter(|t| *t != "null")
                .collect(),
            _ => Vec::new(),
        };
        if types.len() > 1 {
            // `["object", "string"]` (a policy document as JSON or text) and the like.
            if types.contains(&"object") || types.contains(&"array") {
                return GenTy::Any;
            }
            let mut alts: Vec<GenTy> = Vec::new();
            for t in types {
                let one = self.one(t, o);
                if !alts.contains(&one) {
                    alts.push(one);
                }
            }
            return GenTy::Union(alts);
        }
        if let Some(t) = types.first() {
            return self.one(t, o);
        }
        // No `type`: alternatives, or an object by its properties.
        if o.contains_key("properties") {
            return self.one("object", o);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(alts) = o.get(key).and_then(Json::as_array) {
                let mut out: Vec<GenTy> = Vec::new();
                for a in alts {
                    let t = self.ty(a);
                    if t == GenTy::Any {
                        return GenTy::Any;
                    }
                    if !out.contains(&t) {
                        out.push(t);
                    }
                }
                return match out.len() {
                    0 => GenTy::Any,
                    1 => out.pop().unwrap_or(GenTy::Any),
                    _ => GenTy::Union(out),
                };
            }
        }
        if let Some(e) = o.get("enum").and_then(Json::as_array) {
            let vals: Vec<String> = e
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect();
            if vals.len() == e.len() && !vals.is_empty() {
                return GenTy::Enum(vals);
            }
        }
        GenTy::Any
    }

    fn one(&self, t: &str, o: &Map<String, Json>) -> GenTy {
        match t {
            "string" => {
                if let Some(c) = o.get("const").and_then(Json::as_str) {
                    return GenTy::Enum(vec![c.to_string()]);
                }
                if let Some(e) = o.get("enum").and_then(Json::as_array) {
                    let vals: Vec<String> = e
                        .iter()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect();
                    // `enumCaseInsensitive` and the like: only an exact, all-string list is an enum.
                    if vals.len() == e.len()
                        && !vals.is_empty()
                        && !o.contains_key("enumCaseInsensitive")
                    {
                        return GenTy::Enum(vals);
                    }
                }
                GenTy::Str {
                    pattern: o
                        .get("pattern")
                        .and_then(Json::as_str)
                        .and_then(usable_pattern),
                    min_len: o
                        .get("minLength")
                        .and_then(Json::as_u64)
                        .map(|x| x.min(u32::MAX as u64) as u32),
                    max_len: o
                        .get("maxLength")
                        .and_then(Json::as_u64)
                        .map(|x| x.min(u32::MAX as u64) as u32),
                }
            }
            "integer" => GenTy::Int {
                min: o.get("minimum").and_then(as_i64),
                max: o.get("maximum").and_then(as_i64),
            },
            "number" => GenTy::Num {
                min: o.get("minimum").and_then(Json::as_f64),
                max: o.get("maximum").and_then(Json::as_f64),
            },
            "boolean" => GenTy::Bool,
            "array" => GenTy::List(Box::new(
                o.get("items").map(|i| self.ty(i)).unwrap_or(GenTy::Any),
            )),
            "object" => {
                if let Some(props) = o.get("properties").and_then(Json::as_object) {
                    if props.is_empty() {
                        return GenTy::Any;
                    }
                    let required: BTreeSet<String> =
                        str_list(o.get("required")).into_iter().collect();
                    // An object that also allows other keys is free-form beyond the named ones.
                    if o.get("additionalProperties")
                        .is_some_and(|a| a != &Json::Bool(false))
                    {
                        return GenTy::Any;
                    }
                    let mut fields = BTreeMap::new();
                    for (k, v) in props {
                        let mut f = GenField::new(self.ty(v));
                        f.req = required.contains(k);
                        f.doc = v
                            .get("description")
                            .and_then(Json::as_str)
                            .and_then(|d| doc_text(d, FIELD_DOC));
                        fields.insert(k.clone(), f);
                    }
                    return GenTy::Obj(fields);
                }
                // A map: `patternProperties` (one value shape) or typed `additionalProperties`.
                if let Some(pp) = o.get("patternProperties").and_then(Json::as_object) {
                    let vals: Vec<GenTy> = pp.values().map(|v| self.ty(v)).collect();
                    if let Some(first) = vals.first() {
                        if vals.iter().all(|v| v == first) {
                            return GenTy::Map(Box::new(first.clone()));
                        }
                    }
                    return GenTy::Map(Box::new(GenTy::Any));
                }
                if let Some(ap @ Json::Object(_)) = o.get("additionalProperties") {
                    return GenTy::Map(Box::new(self.ty(ap)));
                }
                GenTy::Any
            }
            _ => GenTy::Any,
        }
    }

    /// `relationshipRef: {typeName, propertyPath}`: a string naming a resource of another type.
    fn relationship(&self, rel: &Json) -> Option<GenTy> {
        let ty = rel.get("typeName").and_then(Json::as_str)?;
        let path = pointer(rel.get("propertyPath").and_then(Json::as_str)?);
        let target = self.all.get(ty)?;
        let primary: Vec<Vec<String>> = str_list(target.get("primaryIdentifier"))
            .iter()
            .map(|p| pointer(p))
            .collect();
        // The primary identifier is what `Ref` returns; anything else is `Fn::GetAtt`.
        let attr = if primary.len() == 1 && primary[0] == path {
            None
        } else {
            Some(path.join("."))
        };
        if let Some(a) = &attr {
            let read_only: Vec<String> = str_list(target.get("readOnlyProperties"))
                .iter()
                .map(|p| pointer(p).join("."))
                .collect();
            if !read_only.contains(a) {
                return None;
            }
        }
        Some(GenTy::Rel {
            ty: strata_name(ty),
            attr,
        })
    }
}

fn as_i64(j: &Json) -> Option<i64> {
    j.as_i64().or_else(|| {
        j.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}
