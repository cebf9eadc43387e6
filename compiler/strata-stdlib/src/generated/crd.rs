//! Kubernetes custom resources typed from the project's CRD files (`[kubernetes] crds` in
//! strata.toml), the way cdk8s imports them: every served version of every
//! `CustomResourceDefinition` becomes `kube.<group>.<version>.<Kind>` like a built-in kind
//! (`cert-manager.io` v1 `Certificate` → `kube.cert_manager.v1.Certificate`), typed from its
//! `openAPIV3Schema`.

use super::{GenField, GenTy, GenType};
use serde_json::Value as Json;
use std::collections::BTreeMap;

const DOC: usize = 300;

/// The package segment of an API group: its first label, `-` written `_`.
pub fn group_segment(group: &str) -> String {
    group.split('.').next().unwrap_or(group).replace('-', "_")
}

fn text(s: Option<&Json>) -> Option<String> {
    let s = s?
        .as_str()?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if s.is_empty() {
        return None;
    }
    Some(if s.chars().count() > DOC {
        format!("{}…", s.chars().take(DOC).collect::<String>())
    } else {
        s
    })
}

/// The kinds one YAML/JSON document defines, or why it is not a usable CRD. Documents of
/// other kinds yield nothing.
pub fn types_of(doc: &Json) -> Result<Vec<GenType>, String> {
    if doc.get("kind").and_then(Json::as_str) != Some("CustomResourceDefinition") {
        return Ok(Vec::new());
    }
    let spec = doc
        .get("spec")
        .ok_or("a CustomResourceDefinition without `spec`")?;
    let group = spec
        .get("group")
        .and_then(Json::as_str)
        .ok_or("`spec.group` is missing")?;
    let kind = spec
        .get("names")
        .and_then(|n| n.get("kind"))
        .and_then(Json::as_str)
        .ok_or("`spec.names.kind` is missing")?;
    if !kind.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        || !kind.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(format!("kind `{kind}` is not a name"));
    }
    let namespaced = spec.get("scope").and_then(Json::as_str) != Some("Cluster");
    let versions = spec
        .get("versions")
        .and_then(Json::as_array)
        .ok_or("`spec.versions` is missing (apiextensions.k8s.io/v1 CRDs list their versions)")?;
    let mut out = Vec::new();
    for v in versions {
        if v.get("served").and_then(Json::as_bool) == Some(false) {
            continue;
        }
        let Some(version) = v.get("name").and_then(Json::as_str) else {
            continue;
        };
        if !version.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!("version `{version}` is not a name"));
        }
        let schema = v.get("schema").and_then(|s| s.get("openAPIV3Schema"));
        let mut props = BTreeMap::new();
        let top = schema
            .and_then(|s| s.get("properties"))
            .and_then(Json::as_object);
        let required: Vec<&str> = schema
            .and_then(|s| s.get("required"))
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        match top {
            Some(fields) => {
                for (k, s) in fields {
                    if matches!(k.as_str(), "apiVersion" | "kind" | "metadata" | "status") {
                        continue;
                    }
                    let mut f = GenField::new(ty(s, 0));
                    f.req = required.contains(&k.as_str());
                    f.doc = text(s.get("description"));
                    props.insert(k.clone(), f);
                }
            }
            // No schema (or `x-kubernetes-preserve-unknown-fields`): a free-form `spec`.
            None => {
                props.insert("spec".to_string(), GenField::new(GenTy::Any));
            }
        }
        props.insert(
            "metadata".to_string(),
            GenField {
                doc: Some("The object's metadata; its name defaults to the resource's.".into()),
                ..GenField::new(metadata())
            },
        );
        let target = format!("{group}/{version}/{kind}");
        out.push(GenType {
            name: format!("kube.{}.{version}.{kind}", group_segment(group)),
            target,
            doc: text(schema.and_then(|s| s.get("description"))).or_else(|| {
                Some(format!(
                    "The custom resource `{kind}` of `{group}/{version}` (from the project's CRD)."
                ))
            }),
            url: None,
            props,
            attrs: BTreeMap::new(),
            defs: BTreeMap::new(),
            ids: vec!["metadata.name".to_string()],
            data: false,
            namespaced,
        });
    }
    Ok(out)
}

fn metadata() -> GenTy {
    let s = || {
        GenField::new(GenTy::Str {
            pattern: None,
            min_len: None,
            max_len: None,
        })
    };
    let m = || {
        GenField::new(GenTy::Map(Box::new(GenTy::Str {
            pattern: None,
            min_len: None,
            max_len: None,
        })))
    };
    GenTy::Obj(
        [
            ("name".to_string(), s()),
            ("namespace".to_string(), s()),
            ("labels".to_string(), m()),
            ("annotations".to_string(), m()),
        ]
        .into_iter()
        .collect(),
    )
}

/// An OpenAPI v3 (structural) schema as a shape; nesting beyond 64 levels is free-form.
fn ty(s: &Json, depth: usize) -> GenTy {
    if depth > 64 {
        return GenTy::Any;
    }
    let flag = |k: &str| s.get(k).and_then(Json::as_bool) == Some(true);
    if flag("x-kubernetes-int-or-string") {
        return GenTy::IntOrString;
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = s.get(key).and_then(Json::as_array) {
            if s.get("type").is_none() {
                let ts: Vec<GenTy> = alts.iter().map(|a| ty(a, depth + 1)).collect();
                return if ts.contains(&GenTy::Any) || ts.is_empty() {
                    GenTy::Any
                } else {
                    GenTy::Union(ts)
                };
            }
        }
    }
    match s.get("type").and_then(Json::as_str) {
        Some("string") => match s.get("enum").and_then(Json::as_array) {
            Some(e) if !e.is_empty() && e.iter().all(Json::is_string) => GenTy::Enum(
                e.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect(),
            ),
            _ => GenTy::Str {
                pattern: s
                    .get("pattern")
                    .and_then(Json::as_str)
                    .filter(|p| strata_model::pattern::validate(p).is_ok())
                    .map(str::to_string),
                min_len: s
                    .get("minLength")
                    .and_then(Json::as_u64)
                    .map(|x| x.min(u32::MAX as u64) as u32),
                max_len: s
                    .get("maxLength")
                    .and_then(Json::as_u64)
                    .map(|x| x.min(u32::MAX as u64) as u32),
            },
        },
        Some("integer") => GenTy::Int {
            min: s.get("minimum").and_then(Json::as_i64),
            max: s.get("maximum").and_then(Json::as_i64),
        },
        Some("number") => GenTy::Num {
            min: s.get("minimum").and_then(Json::as_f64),
            max: s.get("maximum").and_then(Json::as_f64),
        },
        Some("boolean") => GenTy::Bool,
        Some("array") => GenTy::List(Box::new(
            s.get("items")
                .map(|i| ty(i, depth + 1))
                .unwrap_or(GenTy::Any),
        )),
        Some("object") => {
            if flag("x-kubernetes-preserve-unknown-fields") && s.get("properties").is_none() {
                return GenTy::Any;
            }
            if let Some(fields) = s.get("properties").and_then(Json::as_object) {
                if flag("x-kubernetes-preserve-unknown-fields") {
                    return GenTy::Any;
                }
                let required: Vec<&str> = s
                    .get("required")
                    .and_then(Json::as_array)
                    .map(|a| a.iter().filter_map(Json::as_str).collect())
                    .unwrap_or_default();
                return GenTy::Obj(
                    fields
                        .iter()
                        .map(|(k, v)| {
                            let mut f = GenField::new(ty(v, depth + 1));
                            f.req = required.contains(&k.as_str());
                            f.doc = text(v.get("description"));
                            (k.clone(), f)
                        })
                        .collect(),
                );
            }
            match s.get("additionalProperties") {
                Some(a @ Json::Object(_)) => GenTy::Map(Box::new(ty(a, depth + 1))),
                _ => GenTy::Any,
            }
        }
        _ => GenTy::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crd_becomes_one_type_per_served_version() {
        let crd: Json = serde_json::json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "certificates.cert-manager.io"},
            "spec": {
                "group": "cert-manager.io",
                "names": {"kind": "Certificate", "plural": "certificates"},
                "scope": "Namespaced",
                "versions": [
                    {"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
                            "spec": {"type": "object", "required": ["secretName"], "properties": {
                                "secretName": {"type": "string"},
                                "duration": {"type": "string"},
                                "dnsNames": {"type": "array", "items": {"type": "string"}},
                                "usages": {"type": "array", "items": {"type": "string", "enum": ["server auth", "client auth"]}},
                                "port": {"x-kubernetes-int-or-string": true},
                                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                            }},
                            "status": {"type": "object"}
                        }
                    }}},
                    {"name": "v1alpha1", "served": false}
                ]
            }
        });
        let types = types_of(&crd).unwrap_or_default();
        assert_eq!(types.len(), 1);
        let t = &types[0];
        assert_eq!(t.name, "kube.cert_manager.v1.Certificate");
        assert_eq!(t.target, "cert-manager.io/v1/Certificate");
        assert!(t.namespaced);
        assert!(!t.props.contains_key("status") && t.props.contains_key("metadata"));
        let GenTy::Obj(spec) = &t.props["spec"].ty else {
            panic!("{:?}", t.props["spec"])
        };
        assert!(spec["secretName"].req && !spec["duration"].req);
        assert_eq!(spec["port"].ty, GenTy::IntOrString);
        assert_eq!(spec["extra"].ty, GenTy::Any);
        assert!(types_of(&serde_json::json!({"kind": "ConfigMap"}))
            .unwrap_or_default()
            .is_empty());
        assert!(
            types_of(&serde_json::json!({"kind": "CustomResourceDefinition", "spec": {}})).is_err()
        );
    }
}
