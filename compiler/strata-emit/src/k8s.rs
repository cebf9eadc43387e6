//! Kubernetes manifests (YAML).
//!
//! File layout: one file per stack, `kubernetes/<stack>.yaml`, holding every object of the
//! stack as its own YAML document (separated by `---`), ordered by kind in install order
//! (Namespace, quotas, service accounts, secrets, config maps, storage, RBAC, services,
//! workloads, autoscalers, ingresses; the order Helm uses), the program's order otherwise. One
//! `kubectl apply -f kubernetes/<stack>.yaml` creates a stack with its namespaces first; a
//! whole-directory apply works too since each file is self-contained.
//!
//! Each object: `TargetResource.ty` is `GROUP/VERSION/KIND` or `v1/KIND`; `apiVersion`, `kind`
//! and `metadata.name` are filled from `ty` and `name` when the body lacks them (and must agree
//! when it has them). Keys are written `apiVersion`, `kind`, `metadata` first, the rest sorted.
//!
//! Values: manifests have no references or parameters. A reference to another object of the
//! stack without an attribute is written as that object's name (what Kubernetes objects use to
//! point at each other); a parameter reference is written as the parameter's default value; any
//! other reference is refused (X0006). `TValue::Json` becomes a JSON-encoded string (annotation
//! and ConfigMap values are strings). Stack outputs have no equivalent and are not written.

use crate::codes;
use crate::common::{node, param_default, scalar_text, At, Cx, Leaves};
use crate::node::{write_yaml_document, Node};
use crate::{EmitOptions, EmittedFile};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashSet;
use strata_base::Diagnostic;
use strata_model::{TPart, TRef, TValue, TargetProgram, TargetResource};

/// Install order of kinds (Helm's `InstallOrder`); unknown kinds go last.
const INSTALL_ORDER: [&str; 35] = [
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
];

fn split_ty(ty: &str) -> Option<(&str, &str)> {
    let (api, kind) = ty.rsplit_once('/')?;
    if api.is_empty()
        || kind.is_empty()
        || !kind.bytes().all(|c| c.is_ascii_alphanumeric())
        || api.chars().any(char::is_whitespace)
    {
        return None;
    }
    Some((api, kind))
}

pub(crate) fn emit(p: &TargetProgram, opts: &EmitOptions) -> (Vec<EmittedFile>, Vec<Diagnostic>) {
    let path = format!("kubernetes/{}.yaml", p.stack);
    let cx = Cx::new(p, opts, path.clone());
    cx.check_stack_name();
    let names: HashSet<&str> = p.resources.iter().map(|r| r.name.as_str()).collect();

    // Identity: kind (with group), namespace, name.
    let ids: Vec<String> = p
        .resources
        .iter()
        .map(|r| {
            let ns = match r.body.get("metadata") {
                Some(TValue::Map(m)) => match m.get("namespace") {
                    Some(TValue::Str(s)) => s.clone(),
                    _ => String::new(),
                },
                _ => String::new(),
            };
            format!("{} {}/{}", r.ty, ns, r.name)
        })
        .collect();
    cx.check_unique(
        "object",
        ids.iter().enumerate().map(|(i, s)| (i, s.as_str())),
    );

    let mut docs: Vec<(usize, usize, String)> = p
        .resources
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let rank = split_ty(&r.ty)
                .and_then(|(_, k)| INSTALL_ORDER.iter().position(|x| *x == k))
                .unwrap_or(INSTALL_ORDER.len());
            let node = object(&cx, &names, i, r);
            let mut s = String::new();
            write_yaml_document(&mut s, &node);
            (rank, i, s)
        })
        .collect();
    docs.sort_by_key(|(rank, i, _)| (*rank, *i));

    let mut out = String::with_capacity(docs.iter().map(|d| d.2.len() + 4).sum());
    for (k, (_, _, d)) in docs.iter().enumerate() {
        if k > 0 {
            out.push_str("---\n");
        }
        out.push_str(d);
    }
    (
        vec![EmittedFile {
            path,
            contents: out,
        }],
        cx.into_diags(),
    )
}

fn object<'a>(cx: &Cx<'a>, names: &HashSet<&str>, i: usize, r: &'a TargetResource) -> Node<'a> {
    let root = At::Root("");
    let Some((api, kind)) = split_ty(&r.ty) else {
        cx.error(
            codes::INVALID_NAME,
            i,
            root,
            format!("`{}` is not `GROUP/VERSION/KIND` or `v1/KIND`", r.ty),
            "",
        );
        return Node::map();
    };
    let mut n = Node::map();
    let check = |key: &str, expected: &str| match r.body.get(key) {
        Some(TValue::Str(s)) if s != expected => cx.error(
            codes::UNSUPPORTED,
            i,
            root.key(key),
            format!("`{s}` disagrees with the object's type `{}`", r.ty),
            "",
        ),
        Some(TValue::Str(_)) | None => {}
        Some(_) => cx.error(codes::UNSUPPORTED, i, root.key(key), "must be a string", ""),
    };
    check("apiVersion", api);
    check("kind", kind);
    n.push("apiVersion", Node::str(api));
    n.push("kind", Node::str(kind));

    let mut meta: Vec<(Cow<str>, Node)> = Vec::new();
    let at_meta = root.key("metadata");
    match r.body.get("metadata") {
        Some(TValue::Map(m)) => {
            match m.get("name") {
                Some(TValue::Str(s)) if *s != r.name => cx.error(
                    codes::UNSUPPORTED,
                    i,
                    at_meta.key("name"),
                    format!("`{s}` disagrees with the object's name `{}`", r.name),
                    "",
                ),
                _ => {}
            }
            if !m.contains_key("name") {
                meta.push(("name".into(), Node::str(r.name.as_str())));
            }
            for (k, v) in m {
                meta.push((
                    Cow::Borrowed(k.as_str()),
                    value(cx, names, i, at_meta.key(k), v),
                ));
            }
            meta.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Some(_) => cx.error(codes::UNSUPPORTED, i, at_meta, "must be a map", ""),
        None => meta.push(("name".into(), Node::str(r.name.as_str()))),
    }
    n.push("metadata", Node::Map(meta));
    for (k, v) in &r.body {
        if matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
            continue;
        }
        n.push(k.as_str(), value(cx, names, i, root.key(k), v));
    }
    n
}

fn value<'a>(cx: &Cx<'a>, names: &HashSet<&str>, i: usize, at: At, v: &'a TValue) -> Node<'a> {
    node(cx, i, at, v, &K8s { cx, names, i })
}

/// Kubernetes' leaves: references as the referenced object's name, parameters by their
/// default, JSON values as compact JSON text.
struct K8s<'c, 'p> {
    cx: &'c Cx<'p>,
    names: &'c HashSet<&'c str>,
    i: usize,
}

impl<'a> Leaves<'a> for K8s<'_, 'a> {
    fn str(&self, _at: At, s: &'a str) -> Node<'a> {
        Node::str(s)
    }

    fn other(&self, at: At, v: &'a TValue) -> Node<'a> {
        let (cx, names, i) = (self.cx, self.names, self.i);
        match v {
            TValue::Ref(r) if r.param => match param_default(cx, &r.resource) {
                Some(d) => value(cx, names, i, at, d),
                None => {
                    param_error(cx, i, at, r);
                    Node::Null
                }
            },
            TValue::Ref(r) => Node::str(object_name(cx, names, i, at, r)),
            TValue::Interp(parts) => {
                let mut s = String::new();
                for p in parts {
                    match p {
                        TPart::Lit(l) => s.push_str(l),
                        TPart::Ref(r) if r.param => {
                            match param_default(cx, &r.resource).and_then(scalar_text) {
                                Some(t) => s.push_str(&t),
                                None => param_error(cx, i, at, r),
                            }
                        }
                        TPart::Ref(r) => s.push_str(&object_name(cx, names, i, at, r)),
                        TPart::Split { of, .. } => cx.error(
                            codes::UNSUPPORTED,
                            i,
                            at,
                            format!("a part of `{}` cannot be computed in a Kubernetes manifest", of.resource),
                            "a manifest holds values, not expressions; write the value in another target",
                        ),
                    }
                }
                Node::str(s)
            }
            TValue::Json(inner) => {
                let mut s = String::new();
                compact_json(cx, names, i, at, inner, &mut s);
                Node::str(s)
            }
            _ => node(cx, i, at, v, self),
        }
    }
}

/// Compact JSON text of a value (keys sorted, references resolved as in [`value`]).
fn compact_json(cx: &Cx, names: &HashSet<&str>, i: usize, at: At, v: &TValue, out: &mut String) {
    let node = value(cx, names, i, at, v);
    let json = to_json(&node);
    out.push_str(&json.to_string());
}

fn to_json(n: &Node) -> serde_json::Value {
    match n {
        Node::Null => serde_json::Value::Null,
        Node::Bool(b) => serde_json::Value::Bool(*b),
        Node::Int(i) => serde_json::Value::from(*i),
        Node::Float(f) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Node::Str(s) => serde_json::Value::String(s.to_string()),
        Node::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Node::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        ),
    }
}

fn param_error(cx: &Cx, i: usize, at: At, r: &TRef) {
    cx.error(codes::UNSUPPORTED, i, at, format!("parameter `{}` has no default (scalar) value, and Kubernetes manifests have no parameters", r.resource), "give the parameter a value for this environment");
}

fn object_name(cx: &Cx, names: &HashSet<&str>, i: usize, at: At, r: &TRef) -> String {
    if !names.contains(r.resource.as_str()) {
        cx.error(
            codes::UNKNOWN_REF,
            i,
            at,
            format!(
                "refers to `{}`, which is not an object of this stack",
                r.resource
            ),
            "",
        );
    }
    if let Some(a) = &r.attr {
        if a != "name" && a != "metadata.name" {
            cx.error(
                codes::UNSUPPORTED,
                i,
                at,
                format!(
                    "a manifest cannot refer to `{}.{a}`; only an object's name can be written",
                    r.resource
                ),
                "refer to the object itself (its name)",
            );
        }
    }
    r.resource.clone()
}
