//! Kubernetes: every built-in kind one can `kubectl apply`, from the OpenAPI definitions that
//! kubernetes-validate ships for the pinned Kubernetes version
//! (`kubernetes-json-schema/v<version>-local/_definitions.json`, JSON-schema `$defs`).
//!
//! A kind is a definition with `x-kubernetes-group-version-kind`, minus the lists, the
//! apimachinery envelopes and the request-only kinds ([`NOT_APPLIED`]). Names follow the API:
//! `apps/v1` `Deployment` → `kube.apps.v1.Deployment`, the core group is `core`
//! (`kube.core.v1.ConfigMap`), other groups go by their first label (`rbac.authorization.k8s.io`
//! → `rbac`). `props` are the top-level fields but `apiVersion` and `kind` (the emitter writes
//! them from the type) and `status` (written by the cluster); `metadata` is required, because
//! the emitter needs `metadata.name` to name the object. `defs` are the definitions reachable
//! from the kind, keyed by their full name (`io.k8s.api.core.v1.PodSpec`).

use crate::common::doc_text;
use crate::Output;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use strata_stdlib::generated::{GenField, GenTy, GenType};

const DOC: usize = 300;
const FIELD_DOC: usize = 200;
const REF_PREFIX: &str = "#/$defs/";

/// Kinds that carry `x-kubernetes-group-version-kind` but are not objects one applies
/// (besides every `*List` kind, excluded by name).
const NOT_APPLIED: &[&str] = &[
    // apimachinery meta kinds: API discovery documents and request/response envelopes.
    "APIGroup",
    "APIResourceList",
    "APIVersions",
    "DeleteOptions",
    "Status",
    "WatchEvent",
    // Request-only kinds: POSTed to a subresource or a review endpoint, never stored.
    "Binding",                  // pods/binding
    "Eviction",                 // pods/eviction
    "Scale",                    // */scale
    "TokenRequest",             // serviceaccounts/token
    "TokenReview",              // authentication.k8s.io
    "SelfSubjectReview",        // authentication.k8s.io
    "SubjectAccessReview",      // authorization.k8s.io
    "LocalSubjectAccessReview", // authorization.k8s.io
    "SelfSubjectAccessReview",  // authorization.k8s.io
    "SelfSubjectRulesReview",   // authorization.k8s.io
];

/// The cluster-scoped kinds (`kubectl api-resources --namespaced=false`), by API group (`""`
/// for core); every other kind is namespaced. The definitions do not say which is which.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "ComponentStatus"),
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "MutatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("internal.apiserver.k8s.io", "StorageVersion"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("node.k8s.io", "RuntimeClass"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("resource.k8s.io", "DeviceClass"),
    ("resource.k8s.io", "DeviceTaintRule"),
    ("resource.k8s.io", "ResourceSlice"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
    ("storagemigration.k8s.io", "StorageVersionMigration"),
];

/// Definitions that are not typed by their schema: `IntOrString` and `Quantity` have shapes of
/// their own, and the free-form ones (embedded objects, arbitrary JSON, a CRD's OpenAPI
/// schema) are anything.
fn special(def: &str) -> Option<GenTy> {
    Some(match def {
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString" => GenTy::IntOrString,
        "io.k8s.apimachinery.pkg.api.resource.Quantity" => GenTy::Quantity,
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time"
        | "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime" => str_ty(),
        "io.k8s.apimachinery.pkg.runtime.RawExtension"
        | "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"
        | "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
        | "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON"
        | "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"
        | "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray"
        | "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool"
        | "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray" => {
            GenTy::Any
        }
        _ => return None,
    })
}

fn str_ty() -> GenTy {
    GenTy::Str {
        pattern: None,
        min_len: None,
        max_len: None,
    }
}

/// The Strata name of an API group: `core` for the core group, else its first label.
pub fn group_short(group: &str) -> &str {
    if group.is_empty() {
        "core"
    } else {
        group.split('.').next().unwrap_or(group)
    }
}

pub fn generate(src: &Path, version: &str) -> Result<Vec<Output>, String> {
    let p = src.join(format!(
        "kubernetes_validate/kubernetes-json-schema/v{version}-local/_definitions.json"
    ));
    let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    let json: Json = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
    let defs = json
        .get("$defs")
        .and_then(Json::as_object)
        .ok_or_else(|| format!("{}: no `$defs`", p.display()))?;
    let minor = version.split('.').take(2).collect::<Vec<_>>().join(".");
    let types = convert_all(defs, &minor)?;
    Ok(vec![Output {
        file: "kube.jsonl".into(),
        source: "kubernetes-validate".into(),
        types,
    }])
}

/// One kind of a definition: its group, version and kind.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

/// Every applicable kind of the definitions, with the name of its definition.
pub fn kinds(defs: &Map<String, Json>) -> Vec<(Gvk, String)> {
    let mut out = Vec::new();
    for (name, d) in defs {
        let Some(gvks) = d
            .get("x-kubernetes-group-version-kind")
            .and_then(Json::as_array)
        else {
            continue;
        };
        for g in gvks {
            let field = |k: &str| {
                g.get(k)
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let gvk = Gvk {
                group: field("group"),
                version: field("version"),
                kind: field("kind"),
            };
            if gvk.kind.is_empty()
                || gvk.version.is_empty()
                || gvk.kind.ends_with("List")
                || NOT_APPLIED.contains(&gvk.kind.as_str())
            {
                continue;
            }
            out.push((gvk, name.clone()));
        }
    }
    out.sort();
    out
}

/// `kube.apps.v1.Deployment`.
pub fn strata_name(gvk: &Gvk) -> String {
    format!(
        "kube.{}.{}.{}",
        group_short(&gvk.group),
        gvk.version,
        gvk.kind
    )
}

/// `apps/v1/Deployment`, `v1/ConfigMap`: the apiVersion and kind the emitter writes.
fn target(gvk: &Gvk) -> String {
    if gvk.group.is_empty() {
        format!("{}/{}", gvk.version, gvk.kind)
    } else {
        format!("{}/{}/{}", gvk.group, gvk.version, gvk.kind)
    }
}

/// The kind's section of the API reference: `#deployment-v1-apps`, `#configmap-v1-core`,
/// `#role-v1-rbac-authorization-k8s-io` (the page spells the whole group, dots as dashes).
fn doc_url(gvk: &Gvk, minor: &str) -> String {
    let group = if gvk.group.is_empty() {
        "core".to_string()
    } else {
        gvk.group.replace('.', "-")
    };
    format!(
        "https://kubernetes.io/docs/reference/generated/kubernetes-api/v{minor}/#{}-{}-{group}",
        gvk.kind.to_lowercase(),
        gvk.version
    )
}

fn is_cluster_scoped(gvk: &Gvk) -> bool {
    CLUSTER_SCOPED
        .iter()
        .any(|(g, k)| *g == gvk.group && *k == gvk.kind)
}

fn convert_all(defs: &Map<String, Json>, minor: &str) -> Result<Vec<GenType>, String> {
    let kinds = kinds(defs);
    // Two groups with the same first label would get the same Strata package.
    let mut shorts: BTreeMap<&str, &str> = BTreeMap::new();
    for (gvk, _) in &kinds {
        let short = group_short(&gvk.group);
        if let Some(other) = shorts.insert(short, &gvk.group) {
            if other != gvk.group {
                return Err(format!(
                    "API groups {other:?} and {:?} would both be named kube.{short}",
                    gvk.group
                ));
            }
        }
    }
    let mut cx = Cx {
        defs,
        memo: BTreeMap::new(),
    };
    let mut types = Vec::new();
    for (gvk, def) in &kinds {
        types.push(cx.kind(gvk, def, minor));
    }
    types.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(types)
}

struct Cx<'a> {
    defs: &'a Map<String, Json>,
    /// Converted definitions (each is converted once, then copied into every kind using it).
    memo: BTreeMap<String, GenTy>,
}

impl Cx<'_> {
    fn kind(&mut self, gvk: &Gvk, def: &str, minor: &str) -> GenType {
        let schema = &self.defs[def];
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let mut props = BTreeMap::new();
        if let Some(ps) = schema.get("properties").and_then(Json::as_object) {
            for (name, p) in ps {
                if matches!(name.as_str(), "apiVersion" | "kind" | "status") {
                    continue;
                }
                let mut f = field(p, required.contains(name.as_str()), self.defs);
                if name == "metadata" {
                    f.req = true;
                    f.doc = Some(format!(
                        "{} Required by Strata: the object is named by `metadata.name`.",
                        f.doc.as_deref().unwrap_or("Standard object's metadata.")
                    ));
                }
                props.insert(name.clone(), f);
            }
        }
        // The definitions reachable from the fields, converted once each.
        let mut defs = BTreeMap::new();
        let mut todo: Vec<String> = Vec::new();
        for f in props.values() {
            refs(&f.ty, &mut todo);
        }
        while let Some(name) = todo.pop() {
            if defs.contains_key(&name) {
                continue;
            }
            let t = self.def(&name);
            refs(&t, &mut todo);
            defs.insert(name, t);
        }
        GenType {
            name: strata_name(gvk),
            target: target(gvk),
            doc: schema
                .get("description")
                .and_then(Json::as_str)
                .and_then(|d| doc_text(d, DOC)),
            url: Some(doc_url(gvk, minor)),
            props,
            attrs: BTreeMap::new(),
            defs,
            ids: vec!["metadata.name".into()],
            data: false,
            namespaced: !is_cluster_scoped(gvk),
        }
    }

    fn def(&mut self, name: &str) -> GenTy {
        if let Some(t) = self.memo.get(name) {
            return t.clone();
        }
        let t = match self.defs.get(name) {
            Some(s) => ty(s, self.defs),
            None => GenTy::Any,
        };
        self.memo.insert(name.to_string(), t.clone());
        t
    }
}

fn field(p: &Json, req: bool, defs: &Map<String, Json>) -> GenField {
    let mut f = GenField::new(ty(p, defs));
    f.req = req;
    let desc = p.get("description").and_then(Json::as_str);
    f.doc = desc.and_then(|d| doc_text(d, FIELD_DOC));
    f.deprecated = desc.is_some_and(|d| d.starts_with("Deprecated") || d.starts_with("DEPRECATED"));
    f
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

/// The shape of a schema. `$ref`s stay references (`Def`), except to the definitions of
/// [`special`] and to the ones that are not records (`Time` is a string): those are inlined.
fn ty(s: &Json, defs: &Map<String, Json>) -> GenTy {
    ty_at(s, defs, 0)
}

fn ty_at(s: &Json, defs: &Map<String, Json>, depth: usize) -> GenTy {
    let Some(o) = s.as_object() else {
        return GenTy::Any;
    };
    if let Some(r) = o.get("$ref").and_then(Json::as_str) {
        let Some(name) = r.strip_prefix(REF_PREFIX) else {
            return GenTy::Any;
        };
        if let Some(t) = special(name) {
            return t;
        }
        return match defs.get(name) {
            Some(d) if d.get("properties").is_none() && depth < 8 => ty_at(d, defs, depth + 1),
            Some(_) => GenTy::Def(name.to_string()),
            None => GenTy::Any,
        };
    }
    // `["string", "null"]`: a nullable string is a string that may be left out.
    let types: Vec<&str> = match o.get("type") {
        Some(Json::String(t)) => vec![t.as_str()],
        Some(Json::Array(a)) => a
            .iter()
            .filter_map(Json::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    };
    let t = match types.as_slice() {
        [t] => *t,
        [] if o.contains_key("properties") => "object",
        [] => {
            // `oneOf` alternatives (only `IntOrString` and `Quantity` use them, handled above).
            if let Some(alts) = o.get("oneOf").and_then(Json::as_array) {
                let mut out: Vec<GenTy> = Vec::new();
                for a in alts {
                    let t = ty_at(a, defs, depth + 1);
                    if t == GenTy::Any {
                        return GenTy::Any;
                    }
                    if !out.contains(&t) {
                        out.push(t);
                    }
                }
                return if out.len() == 1 {
                    out.pop().unwrap_or(GenTy::Any)
                } else {
                    GenTy::Union(out)
                };
            }
            return GenTy::Any;
        }
        _ => return GenTy::Any,
    };
    match t {
        "string" => match o.get("enum").and_then(Json::as_array) {
            Some(e) if !e.is_empty() && e.iter().all(Json::is_string) => GenTy::Enum(
                e.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect(),
            ),
            _ => str_ty(),
        },
        "integer" => GenTy::Int {
            min: None,
            max: None,
        },
        "number" => GenTy::Num {
            min: None,
            max: None,
        },
        "boolean" => GenTy::Bool,
        "array" => GenTy::List(Box::new(
            o.get("items")
                .map(|i| ty_at(i, defs, depth + 1))
                .unwrap_or(GenTy::Any),
        )),
        "object" => {
            if let Some(props) = o
                .get("properties")
                .and_then(Json::as_object)
                .filter(|p| !p.is_empty())
            {
                let required: BTreeSet<&str> = o
                    .get("required")
                    .and_then(Json::as_array)
                    .map(|a| a.iter().filter_map(Json::as_str).collect())
                    .unwrap_or_default();
                let fields = props
                    .iter()
                    .map(|(k, v)| (k.clone(), field(v, required.contains(k.as_str()), defs)))
                    .collect();
                return GenTy::Obj(fields);
            }
            match o.get("additionalProperties") {
                Some(ap @ Json::Object(_)) => GenTy::Map(Box::new(ty_at(ap, defs, depth + 1))),
                _ => GenTy::Any,
            }
        }
        _ => GenTy::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defs(j: Json) -> Map<String, Json> {
        j.as_object().cloned().unwrap_or_default()
    }

    fn gvk(group: &str, version: &str, kind: &str) -> Json {
        json!([{ "group": group, "version": version, "kind": kind }])
    }

    fn sample() -> Map<String, Json> {
        defs(json!({
            "io.k8s.api.apps.v1.Deployment": {
                "description": "Deployment enables declarative updates for Pods and ReplicaSets.",
                "properties": {
                    "apiVersion": { "type": ["string", "null"], "enum": ["apps/v1"] },
                    "kind": { "type": ["string", "null"], "enum": ["Deployment"] },
                    "metadata": { "$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "description": "Standard object's metadata." },
                    "spec": { "$ref": "#/$defs/io.k8s.api.apps.v1.DeploymentSpec", "description": "Specification." },
                    "status": { "$ref": "#/$defs/io.k8s.api.apps.v1.DeploymentStatus" }
                },
                "type": ["object", "null"],
                "x-kubernetes-group-version-kind": gvk("apps", "v1", "Deployment")
            },
            "io.k8s.api.apps.v1.DeploymentList": {
                "properties": { "items": { "type": "array", "items": { "$ref": "#/$defs/io.k8s.api.apps.v1.Deployment" } } },
                "x-kubernetes-group-version-kind": gvk("apps", "v1", "DeploymentList")
            },
            "io.k8s.api.apps.v1.DeploymentSpec": {
                "properties": {
                    "replicas": { "type": ["integer", "null"], "format": "int32" },
                    "strategy": { "$ref": "#/$defs/io.k8s.api.apps.v1.RollingUpdateDeployment" },
                    "resources": { "additionalProperties": { "$ref": "#/$defs/io.k8s.apimachinery.pkg.api.resource.Quantity" }, "type": ["object", "null"] },
                    "paused": { "type": "boolean", "description": "Deprecated: do not use." },
                    "selector": { "type": ["string", "null"] }
                },
                "required": ["selector"],
                "type": ["object", "null"]
            },
            "io.k8s.api.apps.v1.RollingUpdateDeployment": {
                "properties": {
                    "maxSurge": { "$ref": "#/$defs/io.k8s.apimachinery.pkg.util.intstr.IntOrString" },
                    "since": { "$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.Time" }
                },
                "type": ["object", "null"]
            },
            "io.k8s.api.apps.v1.DeploymentStatus": { "properties": { "replicas": { "type": "integer" } } },
            "io.k8s.api.apps.v1.Unused": { "properties": { "x": { "type": "string" } } },
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
                "properties": {
                    "name": { "type": ["string", "null"] },
                    "labels": { "additionalProperties": { "type": ["string", "null"] }, "type": ["object", "null"] }
                },
                "type": ["object", "null"]
            },
            "io.k8s.apimachinery.pkg.apis.meta.v1.Time": { "format": "date-time", "type": ["string", "null"] },
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { "oneOf": [{ "type": ["string", "null"] }, { "type": ["integer", "null"] }] },
            "io.k8s.apimachinery.pkg.api.resource.Quantity": { "oneOf": [{ "type": ["string", "null"] }, { "type": ["number", "null"] }] },
            "io.k8s.api.core.v1.ConfigMap": {
                "properties": {
                    "metadata": { "$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" },
                    "data": { "additionalProperties": { "type": ["string", "null"] }, "type": ["object", "null"] }
                },
                "x-kubernetes-group-version-kind": gvk("", "v1", "ConfigMap")
            },
            "io.k8s.api.core.v1.Namespace": { "properties": {}, "x-kubernetes-group-version-kind": gvk("", "v1", "Namespace") },
            "io.k8s.api.core.v1.Binding": { "properties": {}, "x-kubernetes-group-version-kind": gvk("", "v1", "Binding") },
            "io.k8s.api.rbac.v1.Role": { "properties": {}, "x-kubernetes-group-version-kind": gvk("rbac.authorization.k8s.io", "v1", "Role") },
            "io.k8s.api.authorization.v1.SelfSubjectAccessReview": { "properties": {}, "x-kubernetes-group-version-kind": gvk("authorization.k8s.io", "v1", "SelfSubjectAccessReview") },
            "io.k8s.apimachinery.pkg.apis.meta.v1.Status": { "properties": {}, "x-kubernetes-group-version-kind": gvk("", "v1", "Status") }
        }))
    }

    fn by_name(types: &[GenType]) -> BTreeMap<&str, &GenType> {
        types.iter().map(|t| (t.name.as_str(), t)).collect()
    }

    #[test]
    fn groups_are_named_by_their_first_label() {
        assert_eq!(group_short(""), "core");
        assert_eq!(group_short("apps"), "apps");
        assert_eq!(group_short("rbac.authorization.k8s.io"), "rbac");
        assert_eq!(group_short("networking.k8s.io"), "networking");
        let types = convert_all(&sample(), "1.33").unwrap();
        let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "kube.apps.v1.Deployment",
                "kube.core.v1.ConfigMap",
                "kube.core.v1.Namespace",
                "kube.rbac.v1.Role"
            ]
        );
        let t = by_name(&types);
        assert_eq!(t["kube.apps.v1.Deployment"].target, "apps/v1/Deployment");
        assert_eq!(t["kube.core.v1.ConfigMap"].target, "v1/ConfigMap");
        assert_eq!(t["kube.apps.v1.Deployment"].url.as_deref(), Some("https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.33/#deployment-v1-apps"));
        assert_eq!(t["kube.core.v1.ConfigMap"].url.as_deref(), Some("https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.33/#configmap-v1-core"));
        assert_eq!(t["kube.rbac.v1.Role"].url.as_deref(), Some("https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.33/#role-v1-rbac-authorization-k8s-io"));
        assert!(t["kube.core.v1.ConfigMap"].namespaced && t["kube.rbac.v1.Role"].namespaced);
        assert!(!t["kube.core.v1.Namespace"].namespaced);
        assert_eq!(t["kube.core.v1.ConfigMap"].ids, ["metadata.name"]);
    }

    #[test]
    fn colliding_group_names_are_an_error() {
        let d = defs(json!({
            "a.X": { "properties": {}, "x-kubernetes-group-version-kind": gvk("storage.k8s.io", "v1", "X") },
            "b.Y": { "properties": {}, "x-kubernetes-group-version-kind": gvk("storage.example.com", "v1", "Y") }
        }));
        let e = convert_all(&d, "1.33").unwrap_err();
        assert!(e.contains("kube.storage"), "{e}");
    }

    #[test]
    fn lists_meta_and_request_only_kinds_are_left_out() {
        let names: Vec<String> = kinds(&sample())
            .iter()
            .map(|(g, _)| g.kind.clone())
            .collect();
        for gone in [
            "DeploymentList",
            "Binding",
            "SelfSubjectAccessReview",
            "Status",
        ] {
            assert!(!names.contains(&gone.to_string()), "{gone} in {names:?}");
        }
    }

    #[test]
    fn props_drop_api_version_kind_and_status_and_require_metadata() {
        let types = convert_all(&sample(), "1.33").unwrap();
        let d = by_name(&types)["kube.apps.v1.Deployment"];
        assert_eq!(d.props.keys().collect::<Vec<_>>(), ["metadata", "spec"]);
        assert!(d.props["metadata"].req);
        assert!(d.props["metadata"]
            .doc
            .as_deref()
            .is_some_and(|s| s.contains("metadata.name")));
        assert!(!d.props["spec"].req);
        assert_eq!(
            d.props["spec"].ty,
            GenTy::Def("io.k8s.api.apps.v1.DeploymentSpec".into())
        );
        assert_eq!(
            d.doc.as_deref(),
            Some("Deployment enables declarative updates for Pods and ReplicaSets.")
        );
    }

    #[test]
    fn special_shapes_and_reachable_defs() {
        let types = convert_all(&sample(), "1.33").unwrap();
        let d = by_name(&types)["kube.apps.v1.Deployment"];
        // Only what the props reach: not the status, not unrelated definitions, and not the
        // shapes that are inlined (IntOrString, Quantity, Time).
        assert_eq!(
            d.defs.keys().collect::<Vec<_>>(),
            [
                "io.k8s.api.apps.v1.DeploymentSpec",
                "io.k8s.api.apps.v1.RollingUpdateDeployment",
                "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
            ]
        );
        let GenTy::Obj(spec) = &d.defs["io.k8s.api.apps.v1.DeploymentSpec"] else {
            panic!("{:?}", d.defs)
        };
        assert_eq!(
            spec["replicas"].ty,
            GenTy::Int {
                min: None,
                max: None
            }
        );
        assert_eq!(spec["resources"].ty, GenTy::Map(Box::new(GenTy::Quantity)));
        assert_eq!(spec["selector"].ty, str_ty());
        assert!(spec["selector"].req && !spec["replicas"].req);
        assert!(spec["paused"].deprecated);
        let GenTy::Obj(ru) = &d.defs["io.k8s.api.apps.v1.RollingUpdateDeployment"] else {
            panic!()
        };
        assert_eq!(ru["maxSurge"].ty, GenTy::IntOrString);
        assert_eq!(ru["since"].ty, str_ty());
        let GenTy::Obj(meta) = &d.defs["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] else {
            panic!()
        };
        assert_eq!(meta["labels"].ty, GenTy::Map(Box::new(str_ty())));
    }

    #[test]
    fn free_form_and_enums() {
        let d = defs(json!({
            "io.k8s.apimachinery.pkg.runtime.RawExtension": { "type": ["object", "null"] },
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps": { "properties": { "x": { "type": "string" } } }
        }));
        assert_eq!(
            ty(
                &json!({ "$ref": "#/$defs/io.k8s.apimachinery.pkg.runtime.RawExtension" }),
                &d
            ),
            GenTy::Any
        );
        assert_eq!(
            ty(
                &json!({ "$ref": "#/$defs/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps" }),
                &d
            ),
            GenTy::Any
        );
        assert_eq!(
            ty(
                &json!({ "type": ["string", "null"], "enum": ["A", "B"] }),
                &d
            ),
            GenTy::Enum(vec!["A".into(), "B".into()])
        );
        assert_eq!(ty(&json!({ "type": ["object", "null"] }), &d), GenTy::Any);
    }

    /// The pinned definitions, when fetched (`tools/strata-gen/fetch.sh`; CI fetches them).
    fn real() -> Option<Map<String, Json>> {
        let home = std::env::var_os("STRATA_GEN_CACHE")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| std::path::PathBuf::from(h).join(".cache/strata-gen"))
            })?;
        let p = home.join("src/kubernetes-validate/kubernetes_validate/kubernetes-json-schema/v1.33.0-local/_definitions.json");
        let text = std::fs::read_to_string(p).ok()?;
        serde_json::from_str::<Json>(&text)
            .ok()?
            .get("$defs")?
            .as_object()
            .cloned()
    }

    #[test]
    fn lists_name_real_kinds() {
        let Some(d) = real() else {
            eprintln!(
                "skipped: the Kubernetes definitions are not fetched (tools/strata-gen/fetch.sh)"
            );
            return;
        };
        let mut all: BTreeSet<(String, String)> = BTreeSet::new();
        for v in d.values() {
            for g in v
                .get("x-kubernetes-group-version-kind")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                all.insert((
                    g["group"].as_str().unwrap_or_default().into(),
                    g["kind"].as_str().unwrap_or_default().into(),
                ));
            }
        }
        for (g, k) in CLUSTER_SCOPED {
            assert!(
                all.contains(&(g.to_string(), k.to_string())),
                "cluster-scoped {g}/{k} is not a kind of the definitions"
            );
        }
        for k in NOT_APPLIED {
            assert!(
                all.iter().any(|(_, kind)| kind == k),
                "excluded kind {k} is not a kind of the definitions"
            );
        }
        let types = convert_all(&d, "1.33").unwrap();
        let t = by_name(&types);
        for n in [
            "kube.apps.v1.Deployment",
            "kube.core.v1.ConfigMap",
            "kube.rbac.v1.Role",
            "kube.batch.v1.CronJob",
            "kube.policy.v1.PodDisruptionBudget",
            "kube.core.v1.PersistentVolumeClaim",
        ] {
            assert!(t.contains_key(n), "{n} missing");
        }
        assert!(!t["kube.rbac.v1.ClusterRole"].namespaced && t["kube.rbac.v1.Role"].namespaced);
        // Every Def of every kind is among its defs.
        for ty in &types {
            let mut r = Vec::new();
            ty.props.values().for_each(|f| refs(&f.ty, &mut r));
            ty.defs.values().for_each(|t| refs(t, &mut r));
            for n in r {
                assert!(
                    ty.defs.contains_key(&n),
                    "{}: {n} is not among its defs",
                    ty.name
                );
            }
        }
    }
}
