//! The schema check of structured bodies: every literal object key of a `map` must be a
//! property of the entry's type — the target type in the generated layer (CloudFormation,
//! Terraform, Kubernetes, Deployment Manager), followed into nested objects, blocks and lists
//! where the schema describes them — and a literal value must fit the property's type.

use crate::lx::KeyUse;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::Arc;
use strata_model::Target;
use strata_stdlib::generated::{self as gen, GenField, GenTy, GenType};

/// The generated type a target entry writes (`AWS::S3::Bucket` → `cfn.AWS.S3.Bucket`), if the
/// generated layer has it.
pub fn gen_type(target: Target, ty: &str) -> Option<Arc<GenType>> {
    match target {
        Target::CloudFormation => gen::get(&format!("cfn.{}", ty.replace("::", "."))),
        // A data source (`data.aws_caller_identity`) is checked against the data source's
        // schema.
        Target::Terraform => match ty.strip_prefix("data.") {
            Some(d) => gen::get_data(&format!("tf.{d}")),
            None => gen::get(&format!("tf.{ty}")),
        },
        Target::DeploymentManager => gen::get(&format!("dm.{ty}")),
        Target::Kubernetes => {
            let kind = ty.rsplit('/').next()?;
            gen::names(Some("kube"))
                .filter(|n| n.ends_with(&format!(".{kind}")))
                .filter_map(gen::get)
                .find(|g| g.target == ty)
        }
    }
}

/// Keys a body may hold besides the type's properties.
fn meta_key(target: Target, key: &str) -> bool {
    key.starts_with('$')
        || match target {
            Target::Kubernetes => matches!(key, "apiVersion" | "kind"),
            Target::Terraform => matches!(key, "lifecycle" | "depends_on" | "provider"),
            _ => false,
        }
}

enum Shape<'a> {
    Fields(&'a BTreeMap<String, GenField>),
    Ty(&'a GenTy),
    Free,
}

fn resolve<'a>(g: &'a GenType, mut t: &'a GenTy) -> Shape<'a> {
    for _ in 0..16 {
        match t {
            GenTy::Obj(m) => return Shape::Fields(m),
            GenTy::Block { body, .. } => return Shape::Fields(body),
            GenTy::Def(n) => match g.defs.get(n) {
                Some(d) => t = d,
                None => return Shape::Free,
            },
            _ => return Shape::Ty(t),
        }
    }
    Shape::Free
}

fn step<'a>(g: &'a GenType, at: Shape<'a>, seg: &str) -> Shape<'a> {
    match seg {
        "$block" | "$blocks" => at,
        "$json" => Shape::Free,
        "[]" => match at {
            Shape::Ty(GenTy::List(t)) => match resolve(g, t) {
                Shape::Ty(t) => Shape::Ty(t),
                s => s,
            },
            Shape::Fields(f) => Shape::Fields(f), // a list of blocks
            _ => Shape::Free,
        },
        k => match at {
            Shape::Fields(f) => match f.get(k) {
                Some(field) => match resolve(g, &field.ty) {
                    Shape::Ty(t @ GenTy::List(_)) => Shape::Ty(t),
                    s => s,
                },
                None => Shape::Free, // reported at its own key
            },
            _ => Shape::Free,
        },
    }
}

fn fits(t: &GenTy, v: &Json) -> bool {
    match (t, v) {
        (GenTy::Bool, Json::Bool(_)) => true,
        (GenTy::Int { .. }, Json::Number(n)) => n.is_i64() || n.is_u64(),
        (GenTy::Num { .. }, Json::Number(_)) => true,
        (GenTy::Str { .. } | GenTy::Rel { .. }, Json::String(_)) => true,
        (GenTy::Enum(e), Json::String(s)) => e.iter().any(|x| x == s),
        (GenTy::IntOrString, Json::Number(_) | Json::String(_)) => true,
        (GenTy::Quantity, Json::Number(_) | Json::String(_)) => true,
        (GenTy::Bool | GenTy::Int { .. } | GenTy::Num { .. } | GenTy::Str { .. }, _) => false,
        (GenTy::Enum(_) | GenTy::Rel { .. } | GenTy::IntOrString | GenTy::Quantity, _) => false,
        _ => true,
    }
}

/// The keys an entry's map writes (less its `unchecked_keys`), counted as checked; `None` when
/// there is nothing to check: a `body` template (noted as `what` in `templates`) or a map that
/// does not parse (reported by `Engine::compile_all`).
fn entry_keys(
    eng: &crate::engine::Engine,
    e: &crate::engine::Entry,
    r: &mut Report,
    what: impl FnOnce() -> String,
) -> Option<Vec<crate::lx::KeyUse>> {
    let Some(map) = &e.map else {
        // A `refuse` or `notice` entry has no body: nothing to check.
        if e.refuse.is_none() && e.notice.is_none() {
            r.templates.push(what());
        }
        return None;
    };
    let map = map.get().ok()?;
    let mut keys = Vec::new();
    crate::lx::keys(map, &eng.fragments, &mut keys);
    keys.retain(|(at, k, _)| !(at.is_empty() && e.unchecked_keys.contains(k)));
    r.checked += 1;
    Some(keys)
}

/// Problems of a body's keys against the generated type `g`.
pub fn check(target: Target, g: &GenType, keys: &[KeyUse]) -> Vec<String> {
    let mut problems = Vec::new();
    for (at, key, lit) in keys {
        if at.is_empty() && meta_key(target, key) || key.starts_with('$') {
            continue;
        }
        let mut shape = Shape::Fields(&g.props);
        for seg in at {
            shape = step(g, shape, seg);
        }
        let Shape::Fields(f) = shape else { continue };
        let shown = if at.is_empty() {
            format!("`{key}`")
        } else {
            format!("`{key}` (in {})", at.join("."))
        };
        match f.get(key) {
            None => {
                let near = strata_base::did_you_mean(key, f.keys().map(String::as_str))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                problems.push(format!("{shown} is not a property of {}{near}", g.target));
            }
            Some(field) => {
                if let Some(v) = lit {
                    let t = match resolve(g, &field.ty) {
                        Shape::Ty(t) => t,
                        _ => continue,
                    };
                    if !fits(t, v) {
                        problems.push(format!(
                            "{shown} of {} is {t:?}; {v} does not fit",
                            g.target
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// What checking every structured body of an engine found.
#[derive(Debug, Default)]
pub struct Report {
    /// Wrong keys and literals, with where they are.
    pub problems: Vec<String>,
    /// Bodies checked.
    pub checked: usize,
    /// Target types the generated layer does not have (their bodies' keys are not checked).
    pub unchecked: Vec<String>,
    /// Entries whose body is still a `body` template (not checked at all).
    pub templates: Vec<String>,
}

/// Check every structured body of `eng`: target entries against the generated layer, portable
/// entries' top-level keys against `fields` (the properties of a provider schema).
pub(crate) fn check_engine(
    eng: &crate::engine::Engine,
    fields: &dyn Fn(&str) -> Option<std::collections::BTreeSet<String>>,
) -> Report {
    let mut r = Report::default();
    let mut targets: Vec<_> = eng.targets.iter().collect();
    targets.sort_by(|a, b| a.0.cmp(b.0));
    for ((schema, target), entries) in targets {
        for e in entries {
            let Some(keys) = entry_keys(eng, e, &mut r, || {
                format!("{}: {schema} → {}", e.file, target.dir_name())
            }) else {
                continue;
            };
            match gen_type(*target, &e.ty) {
                Some(g) => {
                    for p in check(*target, &g, &keys) {
                        r.problems.push(format!(
                            "{}: {schema} → {} (entry `{}`): {p}",
                            e.file,
                            target.dir_name(),
                            e.key
                        ));
                    }
                }
                None => r
                    .unchecked
                    .push(format!("{} ({})", e.ty, target.dir_name())),
            }
        }
    }
    let mut portable: Vec<_> = eng.portable.iter().collect();
    portable.sort_by(|a, b| a.0.cmp(b.0));
    for ((ty, provider), l) in portable {
        for e in &l.entries {
            let Some(keys) = entry_keys(eng, e, &mut r, || {
                format!("{}: {ty} → {}", e.file, provider.as_str())
            }) else {
                continue;
            };
            let Some(f) = fields(&e.ty) else {
                r.unchecked.push(e.ty.clone());
                continue;
            };
            for (at, key, _) in keys.iter().filter(|k| k.0.is_empty()) {
                debug_assert!(at.is_empty());
                if !key.starts_with('$') && !f.contains(key) {
                    let near = strata_base::did_you_mean(key, f.iter().map(String::as_str))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    r.problems.push(format!(
                        "{}: {ty} → {} (entry `{}`): `{key}` is not a property of {}{near}",
                        e.file,
                        provider.as_str(),
                        e.key,
                        e.ty
                    ));
                }
            }
        }
    }
    for ((p, t), ps) in &eng.providers {
        if ps.map.is_none() {
            r.templates.push(format!(
                "provider settings {} → {}",
                p.as_str(),
                t.dir_name()
            ));
        }
    }
    r.unchecked.sort();
    r.unchecked.dedup();
    r.templates.sort();
    r
}
