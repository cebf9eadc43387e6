//! Deployment Manager: the base types (`compute.v1.network`) of the APIs Deployment Manager
//! supports, from the Google API discovery documents google-api-python-client ships
//! (`googleapiclient/discovery_cache/documents/<api>.<version>.json`).
//!
//! A base type is a collection of the API that can be created (an `insert` or `create`
//! method), nested ones included, named by the collection in the singular: `networks` →
//! `dm.compute.v1.network`, `projects.zones.clusters.nodePools` → `dm.container.v1.nodePool`.
//! Where two collections of an API have the same singular, one is the base type ([`rank`]).
//! `props` are the request body's fields but the output-only ones, plus the method's path and
//! query parameters (`zone`, `region`, sqladmin's `instance` required; `predefinedAcl`,
//! `uniqueWriterIdentity` optional), which Deployment Manager takes as properties; the project
//! is the deployment's and is left out, and `name` is never required (Deployment Manager uses
//! the resource's name). `attrs` are the output-only fields of the resource as read back (the
//! `get` method's response), plus `selfLink`, `id` and `name`: what `$(ref.NAME.FIELD)` reads.
//!
//! 64-bit integers (`format: int64`/`uint64`) are strings in Google's JSON; numbers are accepted too.

use crate::common::{doc_text, usable_pattern};
use crate::Output;
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;
use std::path::Path;
use strata_stdlib::generated::{GenField, GenTy, GenType};

const DOC: usize = 300;
const FIELD_DOC: usize = 200;

/// An API Deployment Manager has base types for.
struct Api {
    name: &'static str,
    version: &'static str,
    /// The REST reference: the page of a collection is this followed by its path
    /// (`projects.zones.clusters`); `None`: the API's `documentationLink`.
    rest: Option<&'static str>,
    /// The reference has pages for nested collections (`projects.topics`) too.
    nested_pages: bool,
}

/// Deployment Manager's "Supported resource types", by API and version.
const APIS: &[Api] = &[
    Api { name: "compute", version: "v1", rest: Some("https://cloud.google.com/compute/docs/reference/rest/v1/"), nested_pages: true },
    // Deployment Manager also has the beta API's types (`compute.beta.instance`), for the
    // fields that are not in v1 yet.
    Api { name: "compute", version: "beta", rest: Some("https://cloud.google.com/compute/docs/reference/rest/beta/"), nested_pages: true },
    Api { name: "storage", version: "v1", rest: Some("https://cloud.google.com/storage/docs/json_api/v1/"), nested_pages: false },
    Api { name: "sqladmin", version: "v1beta4", rest: Some("https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1beta4/"), nested_pages: true },
    Api { name: "pubsub", version: "v1", rest: Some("https://cloud.google.com/pubsub/docs/reference/rest/v1/"), nested_pages: true },
    Api { name: "container", version: "v1", rest: Some("https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/"), nested_pages: true },
    Api { name: "iam", version: "v1", rest: Some("https://cloud.google.com/iam/docs/reference/rest/v1/"), nested_pages: true },
    Api { name: "dns", version: "v1", rest: Some("https://cloud.google.com/dns/docs/reference/v1/"), nested_pages: true },
    Api { name: "bigquery", version: "v2", rest: Some("https://cloud.google.com/bigquery/docs/reference/rest/v2/"), nested_pages: true },
    Api { name: "runtimeconfig", version: "v1beta1", rest: Some("https://cloud.google.com/deployment-manager/runtime-configurator/reference/rest/v1beta1/"), nested_pages: true },
    Api { name: "logging", version: "v2", rest: Some("https://cloud.google.com/logging/docs/reference/v2/rest/v2/"), nested_pages: true },
    Api { name: "spanner", version: "v1", rest: Some("https://cloud.google.com/spanner/docs/reference/rest/v1/"), nested_pages: true },
    Api { name: "cloudresourcemanager", version: "v1", rest: Some("https://cloud.google.com/resource-manager/reference/rest/v1/"), nested_pages: true },
];

/// Base types Deployment Manager documents under another name than the singular of their
/// collection: (API, collection path, name).
const RENAMED: &[(&str, &str, &str)] =
    &[("iam", "projects.serviceAccounts.keys", "serviceAccountKey")];

/// Where collections of one API have the same singular, the one Deployment Manager's base type
/// creates: (API, collection path). Otherwise the rule of [`rank`] picks.
const PREFERRED: &[(&str, &str)] = &[
    // container.v1.cluster and .nodePool take `zone` (and `clusterId`): the zonal collections,
    // not projects.locations.*.
    ("container", "projects.zones.clusters"),
    ("container", "projects.zones.clusters.nodePools"),
];

/// The parameters that name the project, which is the deployment's.
const PROJECT_PARAMS: &[&str] = &["project", "projectId"];

/// Optional parameters Deployment Manager sets itself (request ids for retries).
const MANAGED_PARAMS: &[&str] = &["requestId", "clientOperationId"];

/// Fields the service sets in every Google API, whether or not the document says so (the
/// storage API does not): the resource's URL, its numeric id, the type tag (`compute#network`).
const ALWAYS_OUTPUT: &[&str] = &["selfLink", "id", "kind"];

pub fn generate(src: &Path) -> Result<Vec<Output>, String> {
    let dir = src.join("googleapiclient/discovery_cache/documents");
    let mut types = Vec::new();
    for api in APIS {
        let p = dir.join(format!("{}.{}.json", api.name, api.version));
        let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let doc: Json = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
        types.extend(convert_api(api, &doc));
    }
    types.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(vec![Output {
        file: "dm.jsonl".into(),
        source: "google-api-python-client".into(),
        types,
    }])
}

/// The singular of a collection name: `networks` → `network`, `sslPolicies` → `sslPolicy`,
/// `addresses` → `address`, `globalPublicDelegatedPrefixes` → `globalPublicDelegatedPrefix`,
/// `anywhereCaches` → `anywhereCache`. The inverse of the plural Deployment Manager (and
/// tests/validators/dm_check.py) forms from a base type.
pub fn singular(plural: &str) -> String {
    if let Some(stem) = plural.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for es in ["sses", "xes", "zes", "shes"] {
        if plural.ends_with(es) {
            return plural[..plural.len() - 2].to_string();
        }
    }
    plural.strip_suffix('s').unwrap_or(plural).to_string()
}

/// A creatable collection: its path (`projects.zones.clusters`) and its create method.
struct Collection<'a> {
    path: Vec<String>,
    node: &'a Json,
    method: &'a Json,
}

fn collections<'a>(node: &'a Json, path: &mut Vec<String>, out: &mut Vec<Collection<'a>>) {
    let Some(res) = node.get("resources").and_then(Json::as_object) else {
        return;
    };
    for (name, child) in res {
        path.push(name.clone());
        let methods = child.get("methods");
        if let Some(m) = methods.and_then(|m| m.get("insert").or_else(|| m.get("create"))) {
            out.push(Collection {
                path: path.clone(),
                node: child,
                method: m,
            });
        }
        collections(child, path, out);
        path.pop();
    }
}

/// Among collections of the same singular, the best comes first: the preferred, then those
/// under `projects` (a deployment creates project resources; the organization, folder and
/// billing-account variants need another parent), then top-level ones, then fewer segments.
fn rank(api: &str, path: &str) -> (bool, u8, usize, String) {
    let preferred = PREFERRED.contains(&(api, path));
    let class = if path.starts_with("projects.") {
        0
    } else if !path.contains('.') {
        1
    } else {
        2
    };
    (
        !preferred,
        class,
        path.matches('.').count(),
        path.to_string(),
    )
}

/// The base types of one API, by name: the collection each is created in.
fn base_types<'a>(api: &Api, doc: &'a Json) -> BTreeMap<String, Collection<'a>> {
    let mut all = Vec::new();
    collections(doc, &mut Vec::new(), &mut all);
    let mut chosen: BTreeMap<String, Collection<'a>> = BTreeMap::new();
    for c in all {
        let path = c.path.join(".");
        let name = RENAMED
            .iter()
            .find(|(a, p, _)| *a == api.name && *p == path)
            .map(|(_, _, n)| n.to_string())
            .unwrap_or_else(|| singular(c.path.last().map(String::as_str).unwrap_or_default()));
        match chosen.get(&name) {
            Some(old) if rank(api.name, &old.path.join(".")) <= rank(api.name, &path) => {}
            _ => {
                chosen.insert(name, c);
            }
        }
    }
    chosen
}

fn convert_api(api: &Api, doc: &Json) -> Vec<GenType> {
    let empty = Map::new();
    let schemas = doc
        .get("schemas")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let doc_link = doc.get("documentationLink").and_then(Json::as_str);
    let mut out = Vec::new();
    for (name, c) in base_types(api, doc) {
        out.push(convert(api, &name, &c, schemas, doc_link));
    }
    out
}

fn schema_ref(j: Option<&Json>) -> Option<&str> {
    j.and_then(|j| j.get("$ref")).and_then(Json::as_str)
}

fn convert(
    api: &Api,
    name: &str,
    c: &Collection,
    schemas: &Map<String, Json>,
    doc_link: Option<&str>,
) -> GenType {
    let method_id = c
        .method
        .get("id")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let cx = Cx {
        schemas,
        method: method_id,
    };
    let body = schema_ref(c.method.get("request")).and_then(|r| schemas.get(r));
    // The resource as Deployment Manager reads it back (`$(ref.NAME.FIELD)`).
    let read = schema_ref(
        c.node
            .get("methods")
            .and_then(|m| m.get("get"))
            .and_then(|g| g.get("response")),
    )
    .and_then(|r| schemas.get(r))
    .or(body);

    let mut props = BTreeMap::new();
    if let Some(ps) = body
        .and_then(|b| b.get("properties"))
        .and_then(Json::as_object)
    {
        for (k, p) in ps {
            if output_only(p) || ALWAYS_OUTPUT.contains(&k.as_str()) {
                continue;
            }
            let mut f = cx.field(p);
            // Deployment Manager names the resource after the deployment's resource when the
            // body leaves `name` out.
            if k == "name" {
                f.req = false;
            }
            props.insert(k.clone(), f);
        }
    }
    // The method's parameters are properties too: the required ones (`zone`, `region`, the
    // parent's name) must be set; the optional ones (`predefinedAcl`, `uniqueWriterIdentity`,
    // a resource id) may be. Not the project, nor what Deployment Manager sets itself.
    if let Some(params) = c.method.get("parameters").and_then(Json::as_object) {
        for (k, p) in params {
            if PROJECT_PARAMS.contains(&k.as_str())
                || MANAGED_PARAMS.contains(&k.as_str())
                || names_project(p)
                || k.contains('.')
            {
                continue;
            }
            let required = p.get("required") == Some(&Json::Bool(true)) && k != "name";
            match props.get_mut(k) {
                // Needed for the request's path, whatever the body's field says.
                Some(f) if required => {
                    f.req = true;
                    f.deprecated = false;
                }
                Some(_) => {}
                None => {
                    let mut f = cx.field(p);
                    f.req = required;
                    props.insert(k.clone(), f);
                }
            }
        }
    }

    let mut attrs = BTreeMap::new();
    if let Some(ps) = read
        .and_then(|b| b.get("properties"))
        .and_then(Json::as_object)
    {
        for (k, p) in ps {
            if output_only(p) || matches!(k.as_str(), "selfLink" | "id" | "name" | "kind") {
                let mut f = cx.field(p);
                f.req = false;
                attrs.insert(k.clone(), f);
            }
        }
    }

    let mut defs = BTreeMap::new();
    let mut todo = Vec::new();
    props
        .values()
        .chain(attrs.values())
        .for_each(|f| refs(&f.ty, &mut todo));
    while let Some(d) = todo.pop() {
        if defs.contains_key(&d) {
            continue;
        }
        let t = schemas.get(&d).map(|s| cx.ty(s)).unwrap_or(GenTy::Any);
        refs(&t, &mut todo);
        defs.insert(d, t);
    }

    let path = c.path.join(".");
    let url = match api.rest {
        Some(base) if api.nested_pages || c.path.len() == 1 => Some(format!("{base}{path}")),
        _ => doc_link.map(str::to_string),
    };
    let description = [read, body, Some(c.method)]
        .into_iter()
        .flatten()
        .find_map(|s| {
            s.get("description")
                .and_then(Json::as_str)
                .and_then(|d| doc_text(d, DOC))
        });
    GenType {
        name: format!("dm.{}.{}.{name}", api.name, api.version),
        target: format!("{}.{}.{name}", api.name, api.version),
        doc: description,
        url,
        props,
        attrs,
        defs,
        ids: vec!["name".into()],
        data: false,
        namespaced: false,
    }
}

/// A parameter whose value is only the project (`parent: projects/{project}`).
fn names_project(p: &Json) -> bool {
    p.get("pattern").and_then(Json::as_str) == Some("^projects/[^/]+$")
}

/// Set by the service, never by the request: `readOnly`, or a description that says so, first
/// (`[Output Only] …`, `Output only. …`, also after `Optional.`) or last (`… (output only).`,
/// `… Output only.`, `… Read-only.`).
pub fn output_only(p: &Json) -> bool {
    if p.get("readOnly") == Some(&Json::Bool(true)) {
        return true;
    }
    let full = p
        .get("description")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .trim();
    let d = full
        .strip_prefix("Optional.")
        .map(str::trim_start)
        .unwrap_or(full);
    let d = d.strip_prefix('[').unwrap_or(d);
    if d.get(..11)
        .is_some_and(|s| s.eq_ignore_ascii_case("output only"))
    {
        return true;
    }
    let lower = full.to_ascii_lowercase();
    [
        "(output only)",
        "(output only).",
        " output only.",
        " read-only.",
    ]
    .iter()
    .any(|end| lower.ends_with(end))
}

/// The `Def` names a type refers to (not following them).
fn refs(t: &GenTy, out: &mut Vec<String>) {
    match t {
        GenTy::Def(n) => out.push(n.clone()),
        GenTy::List(i) | GenTy::Map(i) => refs(i, out),
        GenTy::Obj(fs) | GenTy::Block { body: fs, .. } => {
            fs.values().for_each(|f| refs(&f.ty, out))
        }
        GenTy::Union(ts) => ts.iter().for_each(|t| refs(t, out)),
        _ => {}
    }
}

struct Cx<'a> {
    schemas: &'a Map<String, Json>,
    /// The create method (`compute.networks.insert`): fields `annotations.required` for it are
    /// required.
    method: &'a str,
}

impl Cx<'_> {
    fn field(&self, p: &Json) -> GenField {
        let mut f = GenField::new(self.ty(p));
        let desc = p.get("description").and_then(Json::as_str);
        f.doc = desc.and_then(|d| doc_text(d, FIELD_DOC));
        let annotated = p
            .get("annotations")
            .and_then(|a| a.get("required"))
            .and_then(Json::as_array)
            .is_some_and(|a| a.iter().any(|m| m.as_str() == Some(self.method)));
        f.req = annotated || desc.is_some_and(|d| d.starts_with("Required."));
        f.deprecated = p.get("deprecated") == Some(&Json::Bool(true));
        f
    }

    fn ty(&self, s: &Json) -> GenTy {
        let Some(o) = s.as_object() else {
            return GenTy::Any;
        };
        if let Some(r) = o.get("$ref").and_then(Json::as_str) {
            return if self.schemas.contains_key(r) {
                GenTy::Def(r.to_string())
            } else {
                GenTy::Any
            };
        }
        let bound = |k: &str| {
            o.get(k).and_then(|v| {
                v.as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .or_else(|| v.as_i64())
            })
        };
        let default = if o.contains_key("properties") {
            "object"
        } else {
            "any"
        };
        match o.get("type").and_then(Json::as_str).unwrap_or(default) {
            "string" => match o.get("enum").and_then(Json::as_array) {
                Some(e) if !e.is_empty() && e.iter().all(Json::is_string) => GenTy::Enum(
                    e.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect(),
                ),
                // `int64`/`uint64`: Google's JSON writes 64-bit integers as strings and accepts
                // numbers, so both are allowed (`sizeGb = 10` as well as `"10"`).
                _ if matches!(
                    o.get("format").and_then(Json::as_str),
                    Some("int64" | "uint64")
                ) =>
                {
                    GenTy::Union(vec![
                        GenTy::Int {
                            min: None,
                            max: None,
                        },
                        GenTy::Str {
                            pattern: None,
                            min_len: None,
                            max_len: None,
                        },
                    ])
                }
                _ => GenTy::Str {
                    pattern: o
                        .get("pattern")
                        .and_then(Json::as_str)
                        .and_then(usable_pattern),
                    min_len: None,
                    max_len: None,
                },
            },
            "integer" => {
                let unsigned = o.get("format").and_then(Json::as_str) == Some("uint32");
                GenTy::Int {
                    min: bound("minimum").or(unsigned.then_some(0)),
                    max: bound("maximum"),
                }
            }
            "number" => GenTy::Num {
                min: None,
                max: None,
            },
            "boolean" => GenTy::Bool,
            "array" => GenTy::List(Box::new(
                o.get("items").map(|i| self.ty(i)).unwrap_or(GenTy::Any),
            )),
            "object" => {
                if let Some(ps) = o
                    .get("properties")
                    .and_then(Json::as_object)
                    .filter(|p| !p.is_empty())
                {
                    return GenTy::Obj(
                        ps.iter().map(|(k, p)| (k.clone(), self.field(p))).collect(),
                    );
                }
                match o.get("additionalProperties") {
                    Some(ap @ Json::Object(_)) => GenTy::Map(Box::new(self.ty(ap))),
                    _ => GenTy::Any,
                }
            }
            _ => GenTy::Any,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const COMPUTE: Api = Api {
        name: "compute",
        version: "v1",
        rest: Some("https://cloud.google.com/compute/docs/reference/rest/v1/"),
        nested_pages: true,
    };

    fn compute() -> Json {
        json!({
            "documentationLink": "https://cloud.google.com/compute/",
            "resources": {
                "networks": {
                    "methods": {
                        "insert": {
                            "id": "compute.networks.insert",
                            "parameters": {
                                "project": { "location": "path", "required": true, "type": "string" },
                                "requestId": { "location": "query", "type": "string" }
                            },
                            "request": { "$ref": "Network" }
                        },
                        "get": { "id": "compute.networks.get", "response": { "$ref": "Network" } }
                    }
                },
                "sslPolicies": { "methods": { "insert": { "id": "compute.sslPolicies.insert", "request": { "$ref": "SslPolicy" } } } },
                "addresses": {
                    "methods": {
                        "insert": {
                            "id": "compute.addresses.insert",
                            "parameters": {
                                "project": { "location": "path", "required": true, "type": "string" },
                                "region": { "location": "path", "required": true, "type": "string", "pattern": "[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?", "description": "Name of the region." },
                                "requestId": { "location": "query", "type": "string" },
                                "validateOnly": { "location": "query", "type": "boolean" }
                            },
                            "request": { "$ref": "Address" }
                        }
                    }
                },
                "globalAddresses": { "methods": { "insert": { "id": "compute.globalAddresses.insert", "request": { "$ref": "Address" } } } },
                "regionOperations": { "methods": { "get": { "id": "compute.regionOperations.get" } } }
            },
            "schemas": {
                "Network": {
                    "id": "Network",
                    "description": "Represents a VPC Network resource.",
                    "properties": {
                        "name": { "type": "string", "annotations": { "required": ["compute.networks.insert"] } },
                        "autoCreateSubnetworks": { "type": "boolean" },
                        "mtu": { "type": "integer", "format": "int32" },
                        "id": { "type": "string", "format": "uint64", "readOnly": true, "description": "Output only. [Output Only] The unique identifier." },
                        "gatewayIPv4": { "type": "string", "description": "[Output Only] The gateway address." },
                        "selfLink": { "type": "string", "description": "[Output Only] Server-defined URL for the resource." },
                        "routingConfig": { "$ref": "NetworkRoutingConfig" },
                        "peerings": { "type": "array", "readOnly": true, "items": { "$ref": "NetworkPeering" } },
                        "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                        "params": { "type": "any" }
                    }
                },
                "NetworkRoutingConfig": {
                    "id": "NetworkRoutingConfig",
                    "properties": {
                        "routingMode": { "type": "string", "enum": ["GLOBAL", "REGIONAL"] },
                        "bgpAlwaysCompareMed": { "type": "boolean", "deprecated": true },
                        "count": { "type": "integer", "format": "uint32" },
                        "size": { "type": "string", "format": "int64" },
                        "weight": { "type": "number", "format": "double" }
                    }
                },
                "NetworkPeering": { "id": "NetworkPeering", "properties": { "name": { "type": "string" } } },
                "Unreached": { "id": "Unreached", "properties": { "x": { "type": "string" } } },
                "SslPolicy": { "id": "SslPolicy", "properties": { "name": { "type": "string" } } },
                "Address": { "id": "Address", "properties": { "name": { "type": "string" }, "address": { "type": "string" }, "kind": { "type": "string", "description": "Output only. Type of the resource." } } }
            }
        })
    }

    fn by_name(types: Vec<GenType>) -> BTreeMap<String, GenType> {
        types.into_iter().map(|t| (t.name.clone(), t)).collect()
    }

    #[test]
    fn singulars() {
        for (p, s) in [
            ("networks", "network"),
            ("sslPolicies", "sslPolicy"),
            ("addresses", "address"),
            ("globalAddresses", "globalAddress"),
            (
                "globalPublicDelegatedPrefixes",
                "globalPublicDelegatedPrefix",
            ),
            ("anywhereCaches", "anywhereCache"),
            ("instances", "instance"),
            ("targetHttpsProxies", "targetHttpsProxy"),
            ("nodePools", "nodePool"),
            ("keys", "key"),
            ("savedQueries", "savedQuery"),
            ("changes", "change"),
        ] {
            assert_eq!(singular(p), s);
            assert_eq!(plural(s), p, "dm_check.py's plural of {s}");
        }
    }

    /// tests/validators/dm_check.py's `plural`: how a base type names its collection.
    fn plural(word: &str) -> String {
        if word.ends_with('y') && !["ay", "ey", "oy", "uy"].iter().any(|e| word.ends_with(e)) {
            return format!("{}ies", &word[..word.len() - 1]);
        }
        if ["s", "x", "ch", "sh"].iter().any(|e| word.ends_with(e)) {
            return format!("{word}es");
        }
        format!("{word}s")
    }

    #[test]
    fn types_props_attrs_and_defs() {
        let t = by_name(convert_api(&COMPUTE, &compute()));
        assert_eq!(
            t.keys().collect::<Vec<_>>(),
            [
                "dm.compute.v1.address",
                "dm.compute.v1.globalAddress",
                "dm.compute.v1.network",
                "dm.compute.v1.sslPolicy"
            ]
        );
        let n = &t["dm.compute.v1.network"];
        assert_eq!(n.target, "compute.v1.network");
        assert_eq!(n.doc.as_deref(), Some("Represents a VPC Network resource."));
        assert_eq!(
            n.url.as_deref(),
            Some("https://cloud.google.com/compute/docs/reference/rest/v1/networks")
        );
        assert_eq!(n.ids, ["name"]);
        // Output-only fields (readOnly or by their description) are not settable...
        assert_eq!(
            n.props.keys().collect::<Vec<_>>(),
            [
                "autoCreateSubnetworks",
                "labels",
                "mtu",
                "name",
                "params",
                "routingConfig"
            ]
        );
        // ... they are attributes, with selfLink, id and name.
        assert_eq!(
            n.attrs.keys().collect::<Vec<_>>(),
            ["gatewayIPv4", "id", "name", "peerings", "selfLink"]
        );
        // `id` is a uint64: a number or its string form.
        assert_eq!(
            n.attrs["id"].ty,
            GenTy::Union(vec![
                GenTy::Int {
                    min: None,
                    max: None
                },
                GenTy::Str {
                    pattern: None,
                    min_len: None,
                    max_len: None
                }
            ])
        );
        // `name` is required by the API, but Deployment Manager fills it in from the resource.
        assert!(!n.props["name"].req);
        assert!(n.props.values().all(|f| !f.req));
        assert_eq!(
            n.props["labels"].ty,
            GenTy::Map(Box::new(GenTy::Str {
                pattern: None,
                min_len: None,
                max_len: None
            }))
        );
        assert_eq!(n.props["params"].ty, GenTy::Any);
        assert_eq!(
            n.props["mtu"].ty,
            GenTy::Int {
                min: None,
                max: None
            }
        );
        // Reachable defs only, from props and attrs.
        assert_eq!(
            n.defs.keys().collect::<Vec<_>>(),
            ["NetworkPeering", "NetworkRoutingConfig"]
        );
        let GenTy::Obj(rc) = &n.defs["NetworkRoutingConfig"] else {
            panic!()
        };
        assert_eq!(
            rc["routingMode"].ty,
            GenTy::Enum(vec!["GLOBAL".into(), "REGIONAL".into()])
        );
        assert!(rc["bgpAlwaysCompareMed"].deprecated);
        assert_eq!(
            rc["count"].ty,
            GenTy::Int {
                min: Some(0),
                max: None
            }
        );
        assert_eq!(
            rc["size"].ty,
            GenTy::Union(vec![
                GenTy::Int {
                    min: None,
                    max: None
                },
                GenTy::Str {
                    pattern: None,
                    min_len: None,
                    max_len: None
                }
            ])
        );
        assert_eq!(
            rc["weight"].ty,
            GenTy::Num {
                min: None,
                max: None
            }
        );
    }

    #[test]
    fn required_path_params_are_props_but_the_project() {
        let t = by_name(convert_api(&COMPUTE, &compute()));
        let a = &t["dm.compute.v1.address"];
        // Optional parameters may be set, but not the request id Deployment Manager sets.
        assert_eq!(
            a.props.keys().collect::<Vec<_>>(),
            ["address", "name", "region", "validateOnly"]
        );
        assert!(a.props["region"].req && !a.props["validateOnly"].req);
        assert_eq!(a.props["validateOnly"].ty, GenTy::Bool);
        assert_eq!(
            a.props["region"].doc.as_deref(),
            Some("Name of the region.")
        );
        assert!(matches!(
            &a.props["region"].ty,
            GenTy::Str {
                pattern: Some(_),
                ..
            }
        ));
        assert_eq!(a.attrs.keys().collect::<Vec<_>>(), ["kind", "name"]);
        assert!(!t["dm.compute.v1.globalAddress"]
            .props
            .contains_key("region"));
    }

    #[test]
    fn nested_collections_and_clashes() {
        let doc = json!({
            "resources": {
                "projects": {
                    "resources": {
                        "locations": { "resources": { "clusters": {
                            "methods": { "create": { "id": "container.projects.locations.clusters.create", "request": { "$ref": "CreateClusterRequest" }, "parameters": { "parent": { "required": true, "type": "string", "location": "path" } } } },
                            "resources": { "nodePools": { "methods": { "create": { "id": "l.np", "request": { "$ref": "CreateNodePoolRequest" } } } } }
                        } } },
                        "zones": { "resources": { "clusters": {
                            "methods": {
                                "create": { "id": "container.projects.zones.clusters.create", "request": { "$ref": "CreateClusterRequest" }, "parameters": {
                                    "projectId": { "required": true, "type": "string", "location": "path" },
                                    "zone": { "required": true, "type": "string", "location": "path" }
                                } },
                                "get": { "response": { "$ref": "Cluster" } }
                            },
                            "resources": { "nodePools": { "methods": { "create": { "id": "z.np", "request": { "$ref": "CreateNodePoolRequest" }, "parameters": { "clusterId": { "required": true, "type": "string", "location": "path" } } } } } }
                        } } },
                        "sinks": { "methods": { "create": { "id": "p.sinks", "request": { "$ref": "LogSink" }, "parameters": { "parent": { "required": true, "type": "string", "location": "path", "pattern": "^projects/[^/]+$" } } } } }
                    }
                },
                "sinks": { "methods": { "create": { "id": "sinks", "request": { "$ref": "LogSink" } } } },
                "organizations": { "resources": { "sinks": { "methods": { "create": { "id": "o.sinks", "request": { "$ref": "LogSink" } } } } } }
            },
            "schemas": {
                "CreateClusterRequest": { "id": "CreateClusterRequest", "properties": { "cluster": { "$ref": "Cluster", "description": "Required. A cluster resource." } } },
                "CreateNodePoolRequest": { "id": "CreateNodePoolRequest", "properties": { "nodePool": { "$ref": "NodePool" } } },
                "Cluster": { "id": "Cluster", "description": "A Google Kubernetes Engine cluster.", "properties": { "name": { "type": "string" }, "endpoint": { "type": "string", "readOnly": true }, "selfLink": { "type": "string", "readOnly": true } } },
                "NodePool": { "id": "NodePool", "properties": { "name": { "type": "string" } } },
                "LogSink": { "id": "LogSink", "properties": { "name": { "type": "string" } } }
            }
        });
        let api = Api {
            name: "container",
            version: "v1",
            rest: Some("https://x/"),
            nested_pages: true,
        };
        let chosen = base_types(&api, &doc);
        let paths: BTreeMap<&str, String> = chosen
            .iter()
            .map(|(k, c)| (k.as_str(), c.path.join(".")))
            .collect();
        assert_eq!(paths["cluster"], "projects.zones.clusters");
        assert_eq!(paths["nodePool"], "projects.zones.clusters.nodePools");
        // Project-scoped first, then top-level, then the rest.
        assert_eq!(paths["sink"], "projects.sinks");
        let t = by_name(convert_api(&api, &doc));
        let c = &t["dm.container.v1.cluster"];
        assert_eq!(c.props.keys().collect::<Vec<_>>(), ["cluster", "zone"]);
        assert!(c.props["cluster"].req && c.props["zone"].req);
        // Attributes of the resource read back, not of the request wrapper.
        assert_eq!(
            c.attrs.keys().collect::<Vec<_>>(),
            ["endpoint", "name", "selfLink"]
        );
        assert_eq!(
            c.doc.as_deref(),
            Some("A Google Kubernetes Engine cluster.")
        );
        assert_eq!(c.url.as_deref(), Some("https://x/projects.zones.clusters"));
        assert_eq!(
            t["dm.container.v1.nodePool"]
                .props
                .keys()
                .collect::<Vec<_>>(),
            ["clusterId", "nodePool"]
        );
        // `parent: projects/{project}` is the project too.
        assert!(t["dm.container.v1.sink"].props.keys().eq(["name"]));
    }

    #[test]
    fn output_only_by_flag_or_description() {
        assert!(output_only(&json!({ "readOnly": true })));
        assert!(output_only(
            &json!({ "description": "[Output Only] Creation timestamp." })
        ));
        assert!(output_only(
            &json!({ "description": "Output only. The state." })
        ));
        assert!(output_only(
            &json!({ "description": "Optional. Output only. Replication status." })
        ));
        assert!(output_only(
            &json!({ "description": "Unique identifier; defined by the server (output only)." })
        ));
        assert!(output_only(
            &json!({ "description": "The time, in RFC3339 text format. Output only." })
        ));
        assert!(output_only(
            &json!({ "description": "Creation time. Read-only." })
        ));
        assert!(!output_only(
            &json!({ "description": "Example: `tokyo-rain-123` Read-only after creation." })
        ));
        assert!(!output_only(
            &json!({ "description": "This field is output only for HA VPN tunnels." })
        ));
        assert!(!output_only(
            &json!({ "description": "An optional description." })
        ));
        assert!(!output_only(&json!({})));
    }

    /// Deployment Manager's documented base types: `KNOWN` of tests/validators/dm_check.py, by
    /// API (the `deploymentmanager` virtual types are not collections).
    fn known() -> BTreeMap<String, Vec<String>> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/validators/dm_check.py");
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let start = text.find("KNOWN = {").expect("dm_check.py has KNOWN");
        let block = &text[start..start + text[start..].find("\n}\n").expect("KNOWN ends")];
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut api = String::new();
        let mut rest = block;
        while let Some(open) = rest.find('"') {
            let Some(close) = rest[open + 1..].find('"') else {
                break;
            };
            let word = &rest[open + 1..open + 1 + close];
            rest = &rest[open + close + 2..];
            if rest.trim_start().starts_with(':') {
                api = word.to_string();
            } else if api != "deploymentmanager" {
                out.entry(api.clone()).or_default().push(word.to_string());
            }
        }
        out
    }

    #[test]
    fn known_is_read_from_dm_check() {
        let k = known();
        assert!(k["compute"].contains(&"network".to_string()) && k["compute"].len() > 30);
        assert_eq!(k["container"], ["cluster", "nodePool"]);
        assert!(!k.contains_key("deploymentmanager"));
        assert_eq!(k.len(), 12);
    }

    fn real_src() -> Option<std::path::PathBuf> {
        let cache = std::env::var_os("STRATA_GEN_CACHE")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| std::path::PathBuf::from(h).join(".cache/strata-gen"))
            })?;
        let src = cache.join("src/google-api-python-client");
        src.join("googleapiclient/discovery_cache/documents/compute.v1.json")
            .exists()
            .then_some(src)
    }

    #[test]
    fn documented_base_types_come_out() {
        let Some(src) = real_src() else {
            eprintln!(
                "skipped: the discovery documents are not fetched (tools/strata-gen/fetch.sh)"
            );
            return;
        };
        let out = generate(&src).unwrap();
        let types = by_name(out.into_iter().flat_map(|o| o.types).collect());
        let known = known();
        for (api, names) in &known {
            let version = APIS
                .iter()
                .find(|a| a.name == api)
                .map(|a| a.version)
                .unwrap_or_else(|| panic!("dm_check.py knows API {api}, APIS does not"));
            for n in names {
                let name = format!("dm.{api}.{version}.{n}");
                assert!(types.contains_key(&name), "{name} is not generated");
            }
        }
        // Every other type names a creatable collection in the plural, as dm_check.py checks.
        let dir = src.join("googleapiclient/discovery_cache/documents");
        for api in APIS {
            let doc: Json = serde_json::from_str(
                &std::fs::read_to_string(dir.join(format!("{}.{}.json", api.name, api.version)))
                    .unwrap(),
            )
            .unwrap();
            let mut all = Vec::new();
            collections(&doc, &mut Vec::new(), &mut all);
            let known = known.get(api.name).cloned().unwrap_or_default();
            for t in types.values().filter(|t| {
                t.name
                    .starts_with(&format!("dm.{}.{}.", api.name, api.version))
            }) {
                let short = t.name.rsplit('.').next().unwrap();
                assert!(
                    known.iter().any(|k| k == short)
                        || all
                            .iter()
                            .any(|c| c.path.last().map(String::as_str)
                                == Some(plural(short).as_str())),
                    "{}: no creatable collection {}",
                    t.name,
                    plural(short)
                );
            }
        }
        let net = &types["dm.compute.v1.network"];
        assert!(
            net.attrs.contains_key("selfLink")
                && !net.props.contains_key("selfLink")
                && !net.props.contains_key("id")
        );
        let bucket = &types["dm.storage.v1.bucket"];
        assert!(
            bucket.attrs.contains_key("selfLink")
                && !bucket.props.contains_key("selfLink")
                && !bucket.props.contains_key("kind")
        );
        assert!(
            bucket.props.contains_key("predefinedAcl") && !bucket.props.contains_key("project")
        );
        assert!(types["dm.logging.v2.sink"]
            .props
            .contains_key("uniqueWriterIdentity"));
        let db = &types["dm.sqladmin.v1beta4.database"];
        assert!(db.props["instance"].req);
        let np = &types["dm.container.v1.nodePool"];
        assert!(
            np.props["zone"].req && np.props["clusterId"].req && np.props.contains_key("nodePool")
        );
    }
}
