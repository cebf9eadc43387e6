//! The last step: evaluated resources, stacks, params, outputs and policies → [`Model`], in a
//! deterministic order (declaration order, instances expanded in place), references renumbered.

use crate::db::{Db, Slot, SymKind};
use std::collections::BTreeMap;
use strata_base::Diagnostic;
use strata_model::{Model, OutputValue, ParamValue, Provider, Ref, Resource, ResourceId, Value};

pub(crate) fn assemble(db: &mut Db) -> Model {
    let stacks = db.eval_stacks();
    let mut policies = db.eval_policies();

    // Root params and outputs (scope 1 is the project root when there is one).
    let root = if db.scopes.len() > 1 { 1 } else { 0 };
    let mut params = Vec::new();
    let mut names: Vec<(String, usize)> = db.scopes[root]
        .names
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    names.sort_by_key(|(_, s)| db.syms[*s].def_span);
    for (name, s) in names {
        if let SymKind::Param(p) = &db.syms[s].kind {
            let p = *p;
            let ty =
                p.ty.as_ref()
                    .and_then(|t| db.resolve_type(t, root))
                    .unwrap_or(strata_model::Ty::Any);
            if let Slot::Done(Some(v)) = &db.syms[s].slot {
                let v = v.clone();
                if db.materialise(&v, p.name.span, || format!("parameter `{name}`")) {
                    params.push(ParamValue {
                        name,
                        ty,
                        value: v,
                        doc: p.doc.clone(),
                        span: p.name.span,
                    });
                }
            }
        }
    }
    let mut outputs = Vec::new();
    let outs = db.scopes[root].outputs.clone();
    for o in outs {
        let ty = o.ty.as_ref().and_then(|t| db.resolve_type(t, root));
        let mut locals = Vec::new();
        let v = db
            .eval(&o.value, root, &mut locals, ty.as_ref())
            .filter(|v| db.materialise(v, o.value.span, || format!("output `{}`", o.name.name)));
        if let Some(v) = v {
            outputs.push(OutputValue {
                name: o.name.name.clone(),
                value: v,
                doc: o.doc.clone(),
                span: o.name.span,
            });
        }
    }

    // Deterministic order and new ids.
    let mut order: Vec<usize> = (0..db.resources.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (&db.resources[a], &db.resources[b]);
        ra.order
            .cmp(&rb.order)
            .then_with(|| ra.key.cmp(&rb.key))
            .then_with(|| ra.name.cmp(&rb.name))
    });
    let mut remap = vec![0u32; db.resources.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old] = new as u32;
    }

    // Stack of each resource: explicit, inherited, by provider, or the only one.
    let mut resources = Vec::with_capacity(order.len());
    let mut sites = strata_model::Sites::default();
    for &old in &order {
        let ev = db.resources[old].evaluated.take().unwrap_or_default();
        let info = &db.resources[old];
        let schema = db.schemas.get(&info.schema);
        let provider = schema.map(|s| s.provider).unwrap_or(Provider::None);
        let stack = ev.stack.or_else(|| {
            let matching: Vec<usize> = stacks
                .iter()
                .enumerate()
                .filter(|(_, s)| s.provider == provider)
                .map(|(i, _)| i)
                .collect();
            match (matching.len(), stacks.len()) {
                (1, _) => Some(matching[0]),
                (_, 1) => Some(0),
                _ => None,
            }
        });
        if stack.is_none() && provider == Provider::Portable {
            let why = if stacks.is_empty() {
                "no `stack` declares a provider"
            } else {
                "several stacks could hold it"
            };
            db.diags.push(
                Diagnostic::error(
                    "E2010",
                    format!("portable resource `{}` has no stack: {why}", info.name),
                    info.decl.name.span,
                )
                .with_label("which cloud should this become?")
                .with_help(if stacks.is_empty() {
                    "add `stack main { provider = aws { region = \"us-east-1\" } }`".to_string()
                } else {
                    format!(
                        "add `stack = {}` to the resource (or to its module instance)",
                        stacks[0].name
                    )
                }),
            );
        }
        // What later stages write out in full: each property within the limits, all of them
        // within the budget. A property over them is left out (it was reported).
        let mut props = ev.props;
        let (name, name_span) = (info.name.clone(), info.decl.name.span);
        let spans = &ev.spans;
        props.retain(|k, v| {
            db.materialise(v, spans.get(k).copied().unwrap_or(name_span), || {
                format!("property `{k}` of `{name}`")
            })
        });
        let info = &db.resources[old];
        for v in props.values_mut() {
            renumber(v, &remap);
        }
        let mut depends_on: Vec<(ResourceId, strata_base::Span)> = ev
            .depends_on
            .iter()
            .map(|(r, s)| (ResourceId(remap[*r as usize]), *s))
            .collect();
        depends_on.dedup();
        let retention = match (ev.on_delete, ev.on_replace) {
            (None, None) => None,
            (d, r) => {
                let on_delete = d.map_or(strata_model::Removal::Delete, |(x, _)| x);
                Some(strata_model::Retention {
                    on_delete,
                    on_replace: r.map_or(on_delete, |(x, _)| x),
                    span: d.or(r).map(|(_, s)| s).unwrap_or(info.decl.name.span),
                })
            }
        };
        sites.insert(ResourceId(remap[old]), ev.sites);
        let mut prop_spans = ev.spans;
        prop_spans.remove("depends_on");
        prop_spans.remove("stack");
        prop_spans.remove("on_delete");
        prop_spans.remove("on_replace");
        resources.push(Resource {
            id: ResourceId(remap[old]),
            name: info.name.clone(),
            ty: info
                .schema
                .strip_prefix(strata_stdlib::generated::EXISTING)
                .unwrap_or(&info.schema)
                .to_string(),
            existing: info.decl.existing.is_some(),
            provider,
            props,
            prop_spans,
            depends_on,
            name_span: info.decl.name.span,
            span: info.decl.span,
            stack,
            lowered_from: None,
            retention,
            doc: info.decl.doc.clone(),
        });
    }
    for p in &mut params {
        renumber(&mut p.value, &remap);
    }
    for o in &mut outputs {
        renumber(&mut o.value, &remap);
    }
    for p in &mut policies {
        for v in &mut p.violations {
            v.resource = ResourceId(remap[v.resource.0 as usize]);
        }
        p.violations.sort_by_key(|v| v.resource);
    }
    let env = db
        .overrides
        .get("env")
        .and_then(|v| v.as_str().map(str::to_string))
        .or_else(|| {
            params
                .iter()
                .find(|p| p.name == "env")
                .and_then(|p| p.value.as_str().map(str::to_string))
        });
    Model {
        env,
        resources,
        stacks,
        params,
        outputs,
        policies,
        sites,
    }
}

fn renumber(v: &mut Value, remap: &[u32]) {
    v.rewrite_refs(&mut |r: &mut Ref| r.resource = ResourceId(remap[r.resource.0 as usize]));
}

#[allow(dead_code)]
fn _unused(_: BTreeMap<(), ()>) {}
