//! Portable resources → provider resources, by the `portable."..."."<provider>"` entries of
//! the lowering tables.
//!
//! The portable resources stay in the model (policies match `deny path(internet ~> Postgres)`
//! through them); the provider resources are appended with `lowered_from` pointing at them,
//! and every reference to a portable resource elsewhere (other resources, outputs,
//! `depends_on`) is rewritten to what its `out` stands for in the lowering.

use crate::codes as c;
use crate::ctx;
use crate::engine::{engine, Engine, Entry, OutPart, OutSpec, OutSrc, PortableLowering};
use crate::intent;
use crate::targets::resource_json;
use handlebars::Context;
use rayon::prelude::*;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};
use strata_base::{did_you_mean, Diagnostic, Span};
use strata_model::check::{check_value, RefTypes};
use strata_model::{
    FieldSchema, Model, Provider, Quantity, Ref, Resource, ResourceId, Schemas, StrPart, Ty, Value,
};

struct Rendered<'e> {
    entry: &'e Entry,
    index: Option<usize>,
    suffix: Option<String>,
    props: Json,
}

/// Fill the defaults of nested record fields (top-level defaults are filled separately).
fn fill_nested(v: &mut Value, ty: &Ty) {
    match (v, ty.resolved()) {
        (v @ Value::Record(_), Ty::Record(fields)) => fill_record(v, fields),
        (Value::List(l), Ty::List(elem)) => {
            l.make_mut().iter_mut().for_each(|x| fill_nested(x, elem))
        }
        (Value::Record(m), Ty::Map(elem)) => {
            m.make_mut().values_mut().for_each(|x| fill_nested(x, elem))
        }
        (v, Ty::Union(ts)) => {
            // The record alternative, if the value is a record: the one its fields select
            // among several (`Ty::pick_record`), else the first.
            let picked = match &*v {
                Value::Record(m) => {
                    let written: Vec<&str> = m.keys().map(String::as_str).collect();
                    match ty.pick_record(&written) {
                        Some(strata_model::RecordPick::Record(fs)) => Some(fs),
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(fs) = picked {
                fill_record(v, fs);
            } else if let Some(t) = ts
                .iter()
                .find(|t| matches!((&*v, t.resolved()), (Value::Record(_), Ty::Record(_))))
            {
                fill_nested(v, t);
            }
        }
        _ => {}
    }
}

/// `fill_nested` of a record value with these fields.
fn fill_record(
    v: &mut Value,
    fields: &std::collections::BTreeMap<String, strata_model::FieldSchema>,
) {
    let Value::Record(m) = v else { return };
    let mut m = m.make_mut();
    for (k, f) in fields {
        match m.get_mut(k) {
            Some(x) => fill_nested(x, &f.ty),
            None => {
                if let Some(d) = &f.default {
                    m.insert(k.clone(), d.clone());
                }
            }
        }
    }
}

pub fn lower_portable(model: Model, schemas: &Schemas) -> (Model, Vec<Diagnostic>) {
    lower_portable_with(engine(), model, schemas)
}

pub(crate) fn lower_portable_with(
    eng: &Engine,
    mut model: Model,
    schemas: &Schemas,
) -> (Model, Vec<Diagnostic>) {
    let mut diags: Vec<Diagnostic> = eng
        .errors
        .iter()
        .map(|e| {
            Diagnostic::error(
                c::MAPPING,
                format!("invalid lowering table: {e}"),
                Span::default(),
            )
        })
        .collect();
    if !model
        .resources
        .iter()
        .any(|r| r.provider == Provider::Portable)
    {
        return (model, diags);
    }

    add_implicit(&mut model, schemas, eng, &mut diags);

    // Render every lowering (in parallel); each portable resource independently.
    let portable: Vec<ResourceId> = model
        .resources
        .iter()
        .filter(|r| r.provider == Provider::Portable)
        .map(|r| r.id)
        .collect();
    let referrers = referrers(&model);
    #[allow(clippy::type_complexity)]
    let rendered: Vec<(
        ResourceId,
        Option<&PortableLowering>,
        Result<Vec<Rendered>, Vec<Diagnostic>>,
        Vec<Diagnostic>,
        Option<Json>,
    )> = portable
        .par_iter()
        .map(|&id| {
            let r = model.resource(id);
            if strata_base::memory::over_budget() {
                return (
                    id,
                    None,
                    Err(vec![crate::codes::out_of_memory(
                        model.stack_of(r).map_or(r.name_span, |s| s.span),
                    )]),
                    Vec::new(),
                    None,
                );
            }
            match lowering_of(&model, r, eng) {
                Ok(None) => (id, None, Ok(Vec::new()), Vec::new(), None),
                Ok(Some(l)) => {
                    let (intent, notes) = match model.stack_of(r) {
                        Some(stack) if intent::is_workload(&r.ty) => {
                            let (j, d) = intent::intent(&model, r, stack.provider, &eng.tables);
                            (Some(j), d)
                        }
                        _ => (None, Vec::new()),
                    };
                    let (out, warnings) = render(
                        eng,
                        &model,
                        r,
                        l,
                        referrers.get(&id.0).map_or(&[][..], Vec::as_slice),
                        intent.clone(),
                    );
                    let mut notes = notes;
                    notes.extend(warnings);
                    (id, Some(l), out, notes, intent)
                }
                Err(d) => (id, None, Err(vec![d]), Vec::new(), None),
            }
        })
        .collect();

    // Assign ids and names, in the order of the portable resources.
    let mut new_ids: HashMap<(u32, String, Option<usize>), ResourceId> = HashMap::new();
    let mut pending: Vec<(ResourceId, ResourceId, &Rendered)> = Vec::new();
    let mut next = model.resources.len() as u32;
    let mut lowerings: Vec<(ResourceId, &PortableLowering)> = Vec::new();
    // A workload's intent, for its out specs (`{{#if intent.vpc}}…`).
    let intents: HashMap<u32, &Json> = rendered
        .iter()
        .filter_map(|(pid, _, _, _, i)| i.as_ref().map(|i| (pid.0, i)))
        .collect();
    for (pid, l, res, notes, _) in &rendered {
        diags.extend(notes.iter().cloned());
        match res {
            Err(d) => diags.extend(d.iter().cloned()),
            Ok(list) => {
                if let Some(l) = l {
                    lowerings.push((*pid, l));
                }
                for rd in list {
                    let id = ResourceId(next);
                    next += 1;
                    new_ids.insert((pid.0, rd.entry.key.clone(), rd.index), id);
                    pending.push((*pid, id, rd));
                }
            }
        }
    }
    let mut names: Vec<String> = Vec::with_capacity(pending.len());
    for (pid, _, rd) in &pending {
        let base = &model.resource(*pid).name;
        let mut n = if rd.entry.key == "main" {
            base.clone()
        } else {
            format!("{base}.{}", rd.entry.key)
        };
        if let Some(s) = &rd.suffix {
            n.push('_');
            n.push_str(s);
        }
        names.push(n);
    }
    let name_of = |model: &Model, id: ResourceId| -> String {
        let i = id.0 as usize;
        if i < model.resources.len() {
            model.resources[i].name.clone()
        } else {
            names
                .get(i - model.resources.len())
                .cloned()
                .unwrap_or_default()
        }
    };

    // Build the provider resources.
    let mut created = Vec::with_capacity(pending.len());
    for (pid, id, rd) in &pending {
        let p = model.resource(*pid);
        let mut err = None;
        let mut extra_deps = Vec::new();
        let mut stack = p.stack;
        let props = {
            let mut cv = ToValue {
                pid: *pid,
                new_ids: &new_ids,
                name_of: &|x| name_of(&model, x),
                err: &mut err,
            };
            let mut json = rd.props.clone();
            if let Some(Json::Array(deps)) =
                json.as_object_mut().and_then(|o| o.remove("$depends_on"))
            {
                for d in &deps {
                    if let Some(Value::Ref(r)) = cv.value(d) {
                        extra_deps.push((r.resource, p.name_span));
                    }
                }
            }
            // `"$stack_of": REF`: the resource belongs to the stack of the referenced (declared)
            // resource, not to the portable one's (a Kubernetes service's IAM role, in the stack
            // of the cluster's OIDC provider).
            if let Some(x) = json.as_object_mut().and_then(|o| o.remove("$stack_of")) {
                if let Some(Value::Ref(r)) = cv.value(&x) {
                    if let Some(home) = model.resources.get(r.resource.0 as usize) {
                        stack = home.stack;
                    }
                }
            }
            match cv.value(&json) {
                Some(Value::Record(m)) => m.into_inner(),
                _ => BTreeMap::new(),
            }
        };
        if let Some(e) = err {
            diags.push(mapping_error(p, &rd.entry.ty, e));
        }
        let schema = schemas.get(&rd.entry.ty);
        let provider = schema
            .map(|s| s.provider)
            .or_else(|| rd.entry.ty.split('.').next().and_then(Provider::parse))
            .unwrap_or(Provider::None);
        let mut props = props;
        match schema {
            Some(s) => {
                for (k, f) in &s.fields {
                    match props.get_mut(k) {
                        Some(v) => fill_nested(v, &f.ty),
                        None => {
                            if let Some(d) = &f.default {
                                props.insert(k.clone(), d.clone());
                            }
                        }
                    }
                }
            }
            None => diags.push(mapping_error(
                p,
                &rd.entry.ty,
                format!("unknown schema `{}`", rd.entry.ty),
            )),
        }
        let prop_spans = guess_spans(p, &props);
        let mut depends_on = if rd.entry.key == "main" && rd.index.is_none() {
            p.depends_on.clone()
        } else {
            Vec::new()
        };
        depends_on.extend(extra_deps);
        created.push(Resource {
            id: *id,
            name: names[(id.0 as usize) - model.resources.len()].clone(),
            ty: rd.entry.ty.clone(),
            provider,
            props,
            prop_spans,
            depends_on,
            name_span: p.name_span,
            span: p.span,
            stack,
            lowered_from: Some(*pid),
            existing: false,
            doc: None,
            retention: p.retention,
        });
    }

    // What each out of each portable resource stands for.
    let mut outs: HashMap<(u32, String), Value> = HashMap::new();
    for (pid, l) in &lowerings {
        let p = model.resource(*pid);
        let mut data = resource_json(&model, p);
        if let (Json::Object(o), Some(i)) = (&mut data, intents.get(&pid.0)) {
            o.insert("intent".into(), (*i).clone());
        }
        let cx = Context::from(data);
        for e in &l.entries {
            for (name, spec) in &e.outs {
                let v = match spec {
                    OutSpec::One(src) => {
                        eval_src(eng, src, e, *pid, &new_ids, &cx, &|x| name_of(&model, x))
                    }
                    OutSpec::Many(list) => list
                        .iter()
                        .map(|s| eval_src(eng, s, e, *pid, &new_ids, &cx, &|x| name_of(&model, x)))
                        .collect::<Result<Vec<_>, _>>()
                        .map(Value::list),
                };
                match v {
                    Ok(v) => {
                        outs.insert((pid.0, name.clone()), v);
                    }
                    Err(msg) => diags.push(mapping_error(p, &p.ty, format!("out `{name}`: {msg}"))),
                }
            }
        }
        if !outs.contains_key(&(pid.0, "ref".to_string())) {
            if let Some(id) = new_ids.get(&(
                pid.0,
                l.entries.first().map_or(String::new(), |e| e.key.clone()),
                None,
            )) {
                outs.insert(
                    (pid.0, "ref".into()),
                    Value::Ref(Ref {
                        resource: *id,
                        name: name_of(&model, *id),
                        attr: None,
                    }),
                );
            }
        }
    }

    model.resources.extend(created);

    // Rewrite references to portable resources.
    let is_portable: Vec<bool> = model
        .resources
        .iter()
        .map(|r| r.provider == Provider::Portable)
        .collect();
    let lowered_ok: Vec<bool> = {
        let mut v = vec![false; model.resources.len()];
        for (pid, _) in &lowerings {
            v[pid.0 as usize] = true;
        }
        v
    };
    let primary: HashMap<u32, ResourceId> = lowerings
        .iter()
        .filter_map(|(pid, l)| {
            l.entries
                .first()
                .and_then(|e| new_ids.get(&(pid.0, e.key.clone(), None)))
                .map(|id| (pid.0, *id))
        })
        .collect();
    let secret_values: Vec<bool> = model
        .resources
        .iter()
        .map(|r| r.ty == intent::SECRET_VALUE.0)
        .collect();
    let rw = Rewrite {
        outs: &outs,
        is_portable: &is_portable,
        lowered: &lowered_ok,
        secret_values: &secret_values,
    };
    let mut rewrite_diags = Vec::new();
    for r in model.resources.iter_mut() {
        if r.provider == Provider::Portable {
            continue;
        }
        let spans = r.prop_spans.clone();
        let name_span = r.name_span;
        for (k, v) in r.props.iter_mut() {
            let span = spans.get(k).copied().unwrap_or(name_span);
            rewrite(v, &rw, span, &mut rewrite_diags);
        }
        for (dep, _) in r.depends_on.iter_mut() {
            if let Some(p) = primary.get(&dep.0) {
                *dep = *p;
            }
        }
    }
    for o in model.outputs.iter_mut() {
        rewrite(&mut o.value, &rw, o.span, &mut rewrite_diags);
    }
    diags.extend(rewrite_diags);

    // Check what lowering produced against the provider schemas.
    let checks: Vec<Diagnostic> = model.resources[model.resources.len() - pending.len()..]
        .par_iter()
        .flat_map_iter(|r| check_lowered(&model, schemas, r))
        .collect();
    diags.extend(checks);
    diags.sort_by_key(|d| d.sort_key());
    diags.dedup();
    merge_stack_settings(&mut diags);
    (model, diags)
}

fn mapping_error(p: &Resource, ty: &str, msg: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        c::MAPPING,
        format!("cannot lower `{}` ({}) to `{ty}`: {msg}", p.name, p.ty),
        p.name_span,
    )
    .with_help(
        "this is a bug in the standard library's lowering tables (stdlib/lower); please report it",
    )
}

/// The lowering for a portable resource's stack provider.
#[allow(clippy::result_large_err)]
fn lowering_of<'e>(
    model: &Model,
    r: &Resource,
    eng: &'e Engine,
) -> Result<Option<&'e PortableLowering>, Diagnostic> {
    let Some(stack) = model.stack_of(r) else {
        return Ok(None);
    };
    if matches!(stack.provider, Provider::None | Provider::Portable) {
        return Ok(None);
    }
    match eng.portable.get(&(r.ty.clone(), stack.provider)) {
        Some(l) => Ok(Some(l)),
        None => {
            let mut supported: Vec<&str> = eng
                .portable
                .keys()
                .filter(|(t, _)| *t == r.ty)
                .map(|(_, p)| p.as_str())
                .collect();
            supported.sort();
            let help = if supported.is_empty() {
                format!(
                    "`{}` has no lowering to any provider yet; use provider types directly",
                    r.ty
                )
            } else {
                format!(
                    "`{}` can be lowered to {}; put it in such a stack, or use {} types directly",
                    r.ty,
                    supported.join(", "),
                    stack.provider.as_str()
                )
            };
            let why = NO_LOWERING_WHY
                .iter()
                .find(|(t, p, _)| *t == r.ty && *p == stack.provider.as_str())
                .map(|(_, _, why)| *why);
            let mut d = Diagnostic::error(
                c::NO_LOWERING,
                format!(
                    "`{}` ({}) cannot be lowered to {} (stack `{}`)",
                    r.name,
                    r.ty,
                    stack.provider.as_str(),
                    stack.name
                ),
                r.name_span,
            )
            .with_label(format!(
                "no {} lowering for this type",
                stack.provider.as_str()
            ))
            .with_secondary(stack.span, "the stack's provider is chosen here")
            .with_help(help);
            if let Some(why) = why {
                d = d.with_note(why);
            }
            Err(d)
        }
    }
}

/// Why a portable type has no lowering to a provider, where it is not a gap but a fact.
const NO_LOWERING_WHY: &[(&str, &str, &str)] = &[(
    "portable.Key",
    "kubernetes",
    "Kubernetes has no key service: a customer-managed key belongs to a cloud (AWS KMS, Cloud KMS, Key Vault); declare the key, and the stores it encrypts, in a cloud stack",
)];

/// Create the per-stack resources that lowerings ask for (`implicit`) where a property is unset.
fn add_implicit(model: &mut Model, schemas: &Schemas, eng: &Engine, diags: &mut Vec<Diagnostic>) {
    let mut made: BTreeMap<(Option<usize>, String), ResourceId> = BTreeMap::new();
    let n0 = model.resources.len();
    for i in 0..n0 {
        let r = &model.resources[i];
        if r.provider != Provider::Portable {
            continue;
        }
        let Ok(Some(l)) = lowering_of(model, r, eng) else {
            continue;
        };
        let stack = r.stack.or(if model.stacks.len() == 1 {
            Some(0)
        } else {
            None
        });
        let wanted: Vec<(String, String)> = l
            .implicit
            .iter()
            .filter(|(prop, _)| matches!(r.props.get(*prop), None | Some(Value::Null)))
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect();
        for (prop, ty) in wanted {
            // The stack's own resources of that type: one is the default; several, the program
            // must say which (L0013); none, one is created with the stack.
            let declared: Vec<ResourceId> = model.resources[..n0]
                .iter()
                .filter(|x| {
                    x.ty == ty
                        && x.lowered_from.is_none()
                        && x.id != model.resources[i].id
                        && x.stack.or(if model.stacks.len() == 1 {
                            Some(0)
                        } else {
                            None
                        }) == stack
                })
                .map(|x| x.id)
                .collect();
            if declared.len() > 1 {
                let r = &model.resources[i];
                let names: Vec<String> = declared
                    .iter()
                    .map(|id| format!("`{}`", model.resource(*id).name))
                    .collect();
                let mut d = Diagnostic::error(
                    c::AMBIGUOUS_DEFAULT,
                    format!(
                        "`{}` sets no `{prop}`, and its stack has {} resources of type `{ty}`: {}",
                        r.name,
                        declared.len(),
                        names.join(", ")
                    ),
                    r.name_span,
                )
                .with_label(format!("which `{prop}`?"))
                .with_help(format!(
                    "say which: `{prop} = {}`",
                    model.resource(declared[0]).name
                ));
                for id in &declared {
                    let x = model.resource(*id);
                    d = d.with_secondary(x.name_span, format!("`{}` is one", x.name));
                }
                diags.push(d);
                continue;
            }
            let id = match declared
                .first()
                .copied()
                .or(made.get(&(stack, ty.clone())).copied())
            {
                Some(id) => id,
                None => {
                    let Some(schema) = schemas.get(&ty) else {
                        diags.push(mapping_error(
                            &model.resources[i],
                            &ty,
                            format!("implicit resource type `{ty}` is unknown"),
                        ));
                        continue;
                    };
                    let last = ty.rsplit('.').next().unwrap_or("resource");
                    let base = format!("default_{}", crate::names::snake(last).to_lowercase());
                    let mut name = base.clone();
                    let mut k = 2;
                    while model.resources.iter().any(|x| x.name == name) {
                        name = format!("{base}_{k}");
                        k += 1;
                    }
                    let props: BTreeMap<String, Value> = schema
                        .fields
                        .iter()
                        .filter_map(|(k, f)| f.default.clone().map(|d| (k.clone(), d)))
                        .collect();
                    let span = stack
                        .and_then(|s| model.stacks.get(s))
                        .map_or(model.resources[i].name_span, |s| s.span);
                    let id = ResourceId(model.resources.len() as u32);
                    model.resources.push(Resource {
                        id,
                        name,
                        ty: ty.clone(),
                        provider: Provider::Portable,
                        props,
                        prop_spans: BTreeMap::new(),
                        depends_on: Vec::new(),
                        name_span: span,
                        span,
                        stack,
                        lowered_from: None,
                        existing: false,
                        retention: None,
                        doc: Some(format!("Created by lowering: the default `{ty}` of the stack, for resources that set no `{prop}`.")),
                    });
                    made.insert((stack, ty.clone()), id);
                    id
                }
            };
            let name = model.resources[id.0 as usize].name.clone();
            model.resources[i].props.insert(
                prop,
                Value::Ref(Ref {
                    resource: id,
                    name,
                    attr: None,
                }),
            );
        }
    }
}

/// For each portable resource, the declared resources whose properties refer to it, in model
/// order, with the top-level property that does (`route` for `route = { via = lb }`).
fn referrers(model: &Model) -> HashMap<u32, Vec<(ResourceId, String)>> {
    let mut out: HashMap<u32, Vec<(ResourceId, String)>> = HashMap::new();
    for r in model.resources.iter().filter(|r| r.lowered_from.is_none()) {
        for (k, v) in &r.props {
            v.visit_refs(&mut |x| {
                if x.resource != r.id
                    && model
                        .resources
                        .get(x.resource.0 as usize)
                        .is_some_and(|t| t.provider == Provider::Portable)
                {
                    let list = out.entry(x.resource.0).or_default();
                    if !list.iter().any(|(id, via)| *id == r.id && via == k) {
                        list.push((r.id, k.clone()));
                    }
                }
            });
        }
    }
    out
}

/// The template context of a portable resource: [`resource_json`] plus `referrers`, the
/// resources that refer to it (`[{ name, names, type, self, via, props }]`; `self` is a
/// reference, so `{{ref self "url"}}` reads one of the referrer's outs). A load balancer's
/// lowering lists the services that route through it this way, without a reference cycle.
fn portable_context(
    model: &Model,
    r: &Resource,
    referrers: &[(ResourceId, String)],
    intent: Option<Json>,
) -> Json {
    let mut data = resource_json(model, r);
    let list: Vec<Json> = referrers
        .iter()
        .map(|(id, via)| {
            let x = model.resource(*id);
            serde_json::json!({
                "name": x.name,
                "names": { "pascal": crate::names::pascal(&x.name), "snake": crate::names::snake(&x.name), "kebab": crate::names::kebab(&x.name) },
                "type": x.ty,
                "self": ctx::ref_marker(x.id.0, None),
                "via": via,
                "props": ctx::record_to_ctx(&x.props),
            })
        })
        .collect();
    if let Json::Object(o) = &mut data {
        o.insert("referrers".into(), Json::Array(list));
        o.insert("clients".into(), intent::clients(model, referrers));
        if let Some(i) = intent {
            o.insert("intent".into(), i);
        }
    }
    data
}

fn render<'e>(
    eng: &'e Engine,
    model: &Model,
    r: &Resource,
    l: &'e PortableLowering,
    referrers: &[(ResourceId, String)],
    intent: Option<Json>,
) -> (Result<Vec<Rendered<'e>>, Vec<Diagnostic>>, Vec<Diagnostic>) {
    let cx = Context::from(portable_context(model, r, referrers, intent));
    let mut out = Vec::new();
    let mut diags = Vec::new();
    let mut warnings = Vec::new();
    for e in &l.entries {
        match eng.applies(e, cx.data(), &cx) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(err) => {
                diags.push(mapping_error(r, &e.ty, format!("entry `{}`: {err}", e.key)));
                continue;
            }
        }
        if let Some(why) = &e.notice {
            warnings.push(provider_cannot(r, e, why));
            continue;
        }
        if e.each.is_some() {
            for (i, (item, suffix)) in Engine::each_items(e, cx.data()).into_iter().enumerate() {
                let mut data = cx.data().clone();
                if let Json::Object(o) = &mut data {
                    o.insert("item".into(), item);
                    o.insert("index".into(), Json::from(i));
                }
                match eng.body_json(e.map.as_deref(), &e.body_tpl, &Context::from(data)) {
                    Ok(props) => out.push(Rendered {
                        entry: e,
                        index: Some(i),
                        suffix: Some(suffix),
                        props,
                    }),
                    Err(err) => {
                        diags.push(mapping_error(r, &e.ty, format!("entry `{}`: {err}", e.key)))
                    }
                }
            }
        } else {
            match eng.body_json(e.map.as_deref(), &e.body_tpl, &cx) {
                Ok(props) => out.push(Rendered {
                    entry: e,
                    index: None,
                    suffix: None,
                    props,
                }),
                Err(err) => {
                    diags.push(mapping_error(r, &e.ty, format!("entry `{}`: {err}", e.key)))
                }
            }
        }
    }
    let out = if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    };
    (out, warnings)
}

/// A `notice` entry that applies: the provider cannot do what the resource asks (a customer key
/// for a store that takes none on this cloud); at the property its `when` names. Info, not a
/// warning: a program shared by several clouds cannot do otherwise, and the other clouds
/// still use the setting.
fn provider_cannot(r: &Resource, e: &Entry, why: &str) -> Diagnostic {
    let prop = match &e.when {
        Some(crate::engine::Cond::Path { path, .. }) => path.strip_prefix("props."),
        _ => None,
    };
    let span = prop.map_or(r.name_span, |p| r.prop_span(p));
    let label = prop.map_or_else(
        || "not lowered on this cloud".to_string(),
        |p| format!("`{p}` is not lowered on this cloud"),
    );
    Diagnostic::info(
        c::NOT_ON_PROVIDER,
        format!("`{}` ({}): {why}", r.name, r.ty),
        span,
    )
    .with_label(label)
    .with_help("the resource is written without it on this cloud (the provider's own keys); the other clouds of a shared program still use it. A customer key here needs the provider's own type (stdlib/README.md, `portable.Key`)")
}

/// Rendered JSON → Strata value.
struct ToValue<'a> {
    pid: ResourceId,
    new_ids: &'a HashMap<(u32, String, Option<usize>), ResourceId>,
    name_of: &'a dyn Fn(ResourceId) -> String,
    err: &'a mut Option<String>,
}

impl ToValue<'_> {
    fn fail(&mut self, msg: String) {
        if self.err.is_none() {
            *self.err = Some(msg);
        }
    }

    fn value(&mut self, j: &Json) -> Option<Value> {
        Some(match j {
            Json::Null => return None,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => {
                    let f = n.as_f64().unwrap_or(0.0);
                    if f.fract() == 0.0 && f.abs() < 9e15 {
                        Value::Int(f as i64)
                    } else {
                        Value::Float(f)
                    }
                }
            },
            Json::String(s) => Value::str(s.as_str()),
            Json::Array(a) => Value::List(a.iter().filter_map(|v| self.value(v)).collect()),
            Json::Object(o) => match ctx::as_marker(j) {
                Some((m, payload)) => return self.marker(m, payload),
                None => Value::Record(
                    o.iter()
                        .filter_map(|(k, v)| {
                            self.value(v).map(|x| (ctx::unescape_key(k).to_string(), x))
                        })
                        .collect(),
                ),
            },
        })
    }

    fn marker(&mut self, m: &str, payload: &Json) -> Option<Value> {
        match m {
            "$ref" => {
                let (id, attr) = ctx::ref_parts(payload)?;
                let id = ResourceId(id);
                Some(Value::Ref(Ref {
                    resource: id,
                    name: (self.name_of)(id),
                    attr: attr.map(str::to_string),
                }))
            }
            "$lowered" => {
                let (key, index, attr) = ctx::sibling_parts(payload)?;
                match self.new_ids.get(&(self.pid.0, key.to_string(), index)) {
                    Some(id) => Some(Value::Ref(Ref {
                        resource: *id,
                        name: (self.name_of)(*id),
                        attr: attr.map(str::to_string),
                    })),
                    None => {
                        self.fail(format!(
                            "refers to lowered resource `{key}`, which is not produced"
                        ));
                        None
                    }
                }
            }
            "$q" => {
                let (v, d, unit) = ctx::quantity_parts(payload)?;
                Some(Value::Quantity(Quantity {
                    value: v,
                    dimension: d,
                    unit,
                }))
            }
            "$interp" => {
                let mut parts = Vec::new();
                for p in payload.as_array()? {
                    match self.value(p) {
                        Some(Value::Str(s)) => parts.push(StrPart::Lit(s.to_string())),
                        Some(Value::Ref(r)) => parts.push(StrPart::Ref(r)),
                        Some(Value::Int(i)) => parts.push(StrPart::Lit(i.to_string())),
                        Some(Value::Interp(ps)) => parts.extend(ps.iter().cloned()),
                        None => {}
                        Some(other) => {
                            self.fail(format!("{} cannot be part of a string", other.type_name()))
                        }
                    }
                }
                Some(Value::interp(parts))
            }
            other => {
                self.fail(format!(
                    "marker `{other}` is not allowed in portable lowering"
                ));
                None
            }
        }
    }
}

fn eval_src(
    eng: &Engine,
    src: &OutSrc,
    owner: &Entry,
    pid: ResourceId,
    new_ids: &HashMap<(u32, String, Option<usize>), ResourceId>,
    cx: &Context,
    name_of: &dyn Fn(ResourceId) -> String,
) -> Result<Value, String> {
    let parts = match src {
        OutSrc::Static(p) => p.clone(),
        OutSrc::Template(t) => crate::engine::parse_out(&eng.render_text(t, cx)?)?,
    };
    let mut out: Vec<StrPart> = Vec::new();
    for p in &parts {
        match p {
            OutPart::Lit(s) => out.push(StrPart::Lit(s.clone())),
            OutPart::Ref { key, attr, all } => {
                let key = if key == "self" {
                    owner.key.as_str()
                } else {
                    key.as_str()
                };
                let mk = |id: ResourceId| Ref {
                    resource: id,
                    name: name_of(id),
                    attr: attr.clone(),
                };
                if *all {
                    let mut ids: Vec<(usize, ResourceId)> = new_ids
                        .iter()
                        .filter(|((p, k, i), _)| *p == pid.0 && k == key && i.is_some())
                        .map(|((_, _, i), id)| (i.unwrap_or(0), *id))
                        .collect();
                    ids.sort();
                    return Ok(Value::List(
                        ids.into_iter().map(|(_, id)| Value::Ref(mk(id))).collect(),
                    ));
                }
                match new_ids.get(&(pid.0, key.to_string(), None)) {
                    Some(id) => out.push(StrPart::Ref(mk(*id))),
                    None => {
                        return Err(format!(
                            "refers to lowered resource `{key}`, which is not produced"
                        ))
                    }
                }
            }
        }
    }
    Ok(match out.as_slice() {
        [] => Value::str(String::new()),
        [StrPart::Ref(r)] => Value::Ref(r.clone()),
        _ if out.iter().all(|p| matches!(p, StrPart::Lit(_))) => Value::Str(
            out.iter()
                .map(|p| {
                    if let StrPart::Lit(s) = p {
                        s.as_str()
                    } else {
                        ""
                    }
                })
                .collect(),
        ),
        _ => Value::interp(out),
    })
}

/// Replace references to portable resources by what their outs stand for.
struct Rewrite<'a> {
    outs: &'a HashMap<(u32, String), Value>,
    is_portable: &'a [bool],
    lowered: &'a [bool],
    /// Resources whose `value` out is a secret's value (never written as text).
    secret_values: &'a [bool],
}

fn rewrite(v: &mut Value, rw: &Rewrite, span: Span, diags: &mut Vec<Diagnostic>) {
    let Rewrite {
        outs,
        is_portable,
        lowered,
        secret_values,
    } = *rw;
    if v.size().refs == 0 {
        return; // nothing to rewrite: leave shared parts shared
    }
    let lookup = |r: &Ref, diags: &mut Vec<Diagnostic>| -> Option<Value> {
        let i = r.resource.0 as usize;
        if !is_portable.get(i).copied().unwrap_or(false)
            || !lowered.get(i).copied().unwrap_or(false)
        {
            return None;
        }
        let key = r.attr.clone().unwrap_or_else(|| "ref".into());
        if secret_values.get(i).copied().unwrap_or(false) && key == intent::SECRET_VALUE.1 {
            diags.push(
                Diagnostic::error(
                    c::SECRET_AS_TEXT,
                    format!("`{r}` is a secret's value: it cannot be written here"),
                    span,
                )
                .with_label("the value would be written into the templates as text")
                .with_help("use it as the whole value of an environment variable of a Service (AWS, GCP, Azure, Kubernetes) or of a Function on GCP or Azure (`KEY = secret.value`: the platform injects it at run time; Lambda cannot), or pass `secret.name` and read it with the cloud's SDK"),
            );
            // Nothing is written in its place (the compile fails): no second error about it.
            return Some(Value::str(""));
        }
        match outs.get(&(r.resource.0, key.clone())) {
            Some(v) => Some(v.clone()),
            None => {
                diags.push(
                    Diagnostic::error(c::MAPPING, format!("`{}` has no lowered value for `{key}`", r.name), span)
                        .with_help("this is a bug in the standard library's lowering tables (stdlib/lower); please report it"),
                );
                None
            }
        }
    };
    match v {
        Value::Ref(r) => {
            if let Some(x) = lookup(r, diags) {
                *v = x;
            }
        }
        Value::List(l) => l
            .make_mut()
            .iter_mut()
            .for_each(|x| rewrite(x, rw, span, diags)),
        Value::Record(m) => m
            .make_mut()
            .values_mut()
            .for_each(|x| rewrite(x, rw, span, diags)),
        Value::Interp(parts) => {
            let mut out = Vec::with_capacity(parts.len());
            for p in parts.iter().cloned() {
                match p {
                    StrPart::Ref(r) => match lookup(&r, diags) {
                        Some(Value::Str(s)) => out.push(StrPart::Lit(s.to_string())),
                        Some(Value::Ref(x)) => out.push(StrPart::Ref(x)),
                        Some(Value::Interp(ps)) => out.extend(ps.iter().cloned()),
                        Some(Value::Int(i)) => out.push(StrPart::Lit(i.to_string())),
                        Some(_) => {
                            diags.push(Diagnostic::error(
                                c::LOWERED_INVALID,
                                format!("`{r}` is a list or record and cannot be part of a string"),
                                span,
                            ));
                            out.push(StrPart::Ref(r));
                        }
                        None => out.push(StrPart::Ref(r)),
                    },
                    lit => out.push(lit),
                }
            }
            *parts = out.into();
        }
        _ => {}
    }
}

/// For each lowered property, the span of the portable property it most likely came from.
fn guess_spans(p: &Resource, props: &BTreeMap<String, Value>) -> BTreeMap<String, Span> {
    let mut out = BTreeMap::new();
    for (k, v) in props {
        if let Some(s) = p.prop_spans.get(k) {
            out.insert(k.clone(), *s);
            continue;
        }
        if matches!(v, Value::Bool(_) | Value::Null) {
            continue;
        }
        let hit = p
            .props
            .iter()
            .find(|(pk, pv)| p.prop_spans.contains_key(*pk) && related(v, pv));
        if let Some((pk, _)) = hit {
            out.insert(k.clone(), p.prop_span(pk));
        }
    }
    out
}

fn related(lowered: &Value, portable: &Value) -> bool {
    if lowered == portable {
        return true;
    }
    match (lowered, portable) {
        (Value::Ref(a), Value::Ref(b)) => a.resource == b.resource,
        (Value::Int(a), Value::Quantity(q)) => {
            let days = q.value / 86400.0;
            let gib = q.value / 1073741824.0;
            (*a as f64 - days).abs() < 1.0
                || (*a as f64 - gib).abs() < 1.0
                || (*a as f64 - q.value).abs() < 1.0
        }
        (_, Value::Record(m)) => m.values().any(|x| x == lowered),
        (_, Value::List(l)) => l.iter().any(|x| x == lowered),
        _ => false,
    }
}

struct ModelRefs<'a> {
    model: &'a Model,
    schemas: &'a Schemas,
}

impl RefTypes for ModelRefs<'_> {
    fn resource_type(&self, r: &Ref) -> Option<String> {
        self.model
            .resources
            .get(r.resource.0 as usize)
            .map(|x| x.ty.clone())
    }
    fn attr_type(&self, r: &Ref) -> Option<Ty> {
        let res = self.model.resources.get(r.resource.0 as usize)?;
        self.schemas
            .get(&res.ty)?
            .outputs
            .get(r.attr.as_deref()?)
            .map(|f| f.ty.clone())
    }
    fn compatible(&self, expected: &str, found: &str) -> bool {
        if expected == found {
            return true;
        }
        let Some(s) = self.schemas.get(found) else {
            return false;
        };
        match s.attrs.get("satisfies") {
            Some(Value::List(l)) => l.iter().any(|v| v.as_str() == Some(expected)),
            Some(Value::Str(x)) => x == expected,
            _ => false,
        }
    }
}

/// Settings of a stack's provider (the prelude's `type aws`, `type azure`, ...) that lowerings
/// copy into target properties (`stack.config.tenant_id`) and the stack may leave unset.
/// `stack_settings_are_prelude_fields` (tests/stdlib.rs) checks each is a field of the prelude.
pub const STACK_SETTINGS: &[(&str, &str)] = &[
    ("aws", "accounts"),
    ("aws", "profile"),
    ("azure", "resource_group"),
    ("azure", "subscription_id"),
    ("azure", "tenant_id"),
    ("gcp", "zone"),
];

/// A required target property left unset because the stack does not set the provider setting
/// of the same name (`tenant_id`): reported once per stack (`merge_stack_settings`), at the
/// stack, naming the resource — not as a fault of the resource, which has no such property.
fn missing_stack_setting(
    model: &Model,
    origin: &Resource,
    r: &Resource,
    path: &str,
    field: &str,
) -> Option<Diagnostic> {
    let full = if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    };
    let stack = model.stack_of(origin)?;
    let p = stack.provider.as_str();
    if !STACK_SETTINGS.contains(&(p, field)) || stack.provider_config.contains_key(field) {
        return None;
    }
    Some(
        Diagnostic::error(
            c::STACK_SETTING,
            format!("stack `{}` sets no `{field}`", stack.name),
            stack.span,
        )
        .with_label(format!("`{p}` settings without `{field}`"))
        .with_secondary(
            origin.name_span,
            format!("`{}` needs it (its {}, at `{full}`)", origin.name, r.ty),
        )
        .with_help(format!(
            "write `{field} = ...` in `provider = {p} {{ ... }}` of `{}`",
            stack.name
        )),
    )
}

/// One `L0014` per stack and setting: the resources that need it become labels of the first.
fn merge_stack_settings(diags: &mut Vec<Diagnostic>) {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    for d in diags.drain(..) {
        if d.code == c::STACK_SETTING {
            if let Some(first) = out.iter_mut().find(|x| {
                x.code == c::STACK_SETTING
                    && x.message == d.message
                    && x.primary.span == d.primary.span
            }) {
                for l in d.secondary {
                    if !first.secondary.iter().any(|x| x.span == l.span) {
                        first.secondary.push(l);
                    }
                }
                continue;
            }
        }
        out.push(d);
    }
    for d in out.iter_mut().filter(|d| d.code == c::STACK_SETTING) {
        d.secondary
            .sort_by_key(|l| (l.span.file, l.span.start, l.span.end));
    }
    *diags = out;
}

fn check_lowered(model: &Model, schemas: &Schemas, r: &Resource) -> Vec<Diagnostic> {
    let Some(schema) = schemas.get(&r.ty) else {
        return Vec::new();
    };
    let origin = r.lowered_from.map(|o| model.resource(o));
    let fields: BTreeMap<String, FieldSchema> = schema.fields.clone();
    let ty = Ty::Record(fields);
    let ms = check_value(
        &Value::record(r.props.clone()),
        &ty,
        &ModelRefs { model, schemas },
    );
    ms.into_iter()
        .map(|m| {
            if let (Some(o), strata_model::check::MismatchKind::MissingField { field }) =
                (origin, &m.kind)
            {
                if let Some(d) = missing_stack_setting(model, o, r, &m.path, field) {
                    return d;
                }
            }
            let first = m.path.split(['.', '[']).next().unwrap_or("");
            let span = r.prop_span(first);
            let from = origin.map_or(String::new(), |o| {
                format!("`{}` ({}) is lowered to ", o.name, o.ty)
            });
            let at = if m.path.is_empty() {
                String::new()
            } else {
                format!(", at `{}`", m.path)
            };
            let mut d = Diagnostic::error(
                c::LOWERED_INVALID,
                format!("{from}`{}` ({}){at}: {}", r.name, r.ty, m.kind.message()),
                span,
            );
            if let strata_model::check::MismatchKind::UnknownField { field, candidates } = &m.kind {
                if let Some(s) = did_you_mean(field, candidates.iter().map(String::as_str)) {
                    d = d.with_note(format!("`{}` has `{s}`", r.ty));
                }
            }
            d.with_label(format!("{} does not accept this", r.ty))
                .with_help(match origin {
                    Some(o) => format!(
                    "change the value on `{}`, or declare a `{}` directly to control every setting",
                    o.name, r.ty
                ),
                    None => "change the value".to_string(),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// Each entry of [`super::STACK_SETTINGS`] is an optional field of the prelude's settings type
    /// of its provider (`type azure = { ... tenant_id?: ... }`).
    #[test]
    fn stack_settings_are_prelude_fields() {
        let prelude = include_str!("../../../stdlib/prelude.strata");
        for (provider, field) in super::STACK_SETTINGS {
            let start = prelude
                .find(&format!("\ntype {provider} = {{"))
                .unwrap_or_else(|| panic!("no `type {provider}` in the prelude"));
            let body = &prelude[start..];
            let body = &body[..body.find("\n}").unwrap_or(body.len())];
            assert!(
                body.contains(&format!("\n  {field}?:")),
                "`{field}` is not an optional field of the prelude's `type {provider}`"
            );
        }
    }
}
