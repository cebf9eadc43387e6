//! Provider resources → target programs, by the `schema."..."."<target>"` entries of the
//! lowering tables.

use crate::codes as c;
use crate::ctx;
use crate::engine::{engine, Engine, Entry, OutPart, OutSpec, OutSrc};
use crate::lx::LVal;
use crate::names;
use handlebars::Context;
use rayon::prelude::*;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use strata_base::{Diagnostic, Span};
use strata_model::{
    Model, Provider, Resource, ResourceId, Schemas, TPart, TRef, TValue, Target, TargetOutput,
    TargetParam, TargetProgram, TargetResource, Value,
};

/// The targets a provider's resources are written to.
pub fn targets_of(p: Provider) -> &'static [Target] {
    match p {
        Provider::Aws => &[Target::CloudFormation, Target::Terraform],
        Provider::Gcp => &[Target::DeploymentManager, Target::Terraform],
        Provider::Azure => &[Target::Terraform],
        Provider::Kubernetes => &[Target::Kubernetes],
        Provider::Portable | Provider::None => &[],
    }
}

/// The targets a resource is written to: a generated type's own target, else its provider's.
pub fn resource_targets(r: &Resource) -> &'static [Target] {
    match strata_stdlib::generated::family_of(&r.ty).map(|f| f.target) {
        Some(Target::CloudFormation) => &[Target::CloudFormation],
        Some(Target::Terraform) => &[Target::Terraform],
        Some(Target::Kubernetes) => &[Target::Kubernetes],
        Some(Target::DeploymentManager) => &[Target::DeploymentManager],
        None => targets_of(r.provider),
    }
}

/// The template context of a resource: its names, properties, merged tags and stack.
pub(crate) fn resource_json(model: &Model, r: &Resource) -> Json {
    resource_json_in(model, r, stack_json(model.stack_of(r)))
}

/// [`resource_json`] with the context of its stack already built (`stack_json`): the same for
/// every resource of the stack, so built once and copied.
fn resource_json_in(model: &Model, r: &Resource, stack_cx: Json) -> Json {
    let mut o = Map::with_capacity(6);
    o.insert("name".into(), Json::String(r.name.clone()));
    o.insert(
        "names".into(),
        serde_json::json!({ "pascal": names::pascal(&r.name), "snake": names::snake(&r.name), "kebab": names::kebab(&r.name) }),
    );
    let props = ctx::record_to_ctx(&r.props);
    let stack = model.stack_of(r);
    let mut tags = Map::new();
    if let Some(s) = stack {
        for (k, v) in &s.tags {
            tags.insert(ctx::escape_key(k), Json::String(v.clone()));
        }
    }
    if let Some(Json::Object(t)) = props.get("tags") {
        for (k, v) in t {
            tags.insert(k.clone(), v.clone());
        }
    }
    o.insert("props".into(), props);
    o.insert("tags".into(), Json::Object(tags));
    o.insert("stack".into(), stack_cx);
    o.insert(
        "env".into(),
        model.env.clone().map_or(Json::Null, Json::String),
    );
    Json::Object(o)
}

/// The stack as templates see it (`stack.name`, `stack.config.region`; its tags are merged
/// into the resource's `tags`). Every resource's context holds a copy, so it stays small.
pub(crate) fn stack_json(s: Option<&strata_model::Stack>) -> Json {
    match s {
        Some(s) => {
            serde_json::json!({ "name": s.name, "config": ctx::record_to_ctx(&s.provider_config) })
        }
        None => serde_json::json!({ "name": "main", "config": {} }),
    }
}

/// One target resource about to be produced.
struct Planned<'e> {
    entry: &'e Entry,
    /// Position among the repetitions of an `each` entry.
    index: Option<usize>,
    /// The context with `item`/`index` for `each` entries.
    own_cx: Option<Context>,
    /// Label (Terraform) or logical name.
    name: String,
}

impl Planned<'_> {
    /// How other resources of the document refer to it (Terraform: `TYPE.LABEL`).
    fn full_name(&self, target: Target) -> String {
        match target {
            Target::Terraform => format!("{}.{}", self.entry.ty, self.name),
            _ => self.name.clone(),
        }
    }
}

struct Plan<'e> {
    entries: &'e [Entry],
    planned: Vec<Planned<'e>>,
}

/// Errors of one resource, gathered while rendering it.
struct Sink<'m> {
    r: &'m Resource,
    diags: Vec<Diagnostic>,
}

impl Sink<'_> {
    fn mapping_error(&mut self, target: Target, msg: impl std::fmt::Display) {
        self.diags.push(
            Diagnostic::error(c::MAPPING, format!("cannot write `{}` ({}) to {}: {msg}", self.r.name, self.r.ty, target.dir_name()), self.r.name_span)
                .with_help("this is a bug in the standard library's lowering tables (stdlib/lower); please report it"),
        );
    }
}

pub fn to_targets(
    model: &Model,
    schemas: &Schemas,
    targets: Option<&[Target]>,
) -> (Vec<TargetProgram>, Vec<Diagnostic>) {
    to_targets_with(engine(), model, schemas, targets)
}

/// [`to_targets`], one stack at a time: `each` receives the programs of one stack (one per
/// target, in target order), stacks in model order, and may drop them before the next stack
/// is lowered. Only that stack's template contexts and programs are alive at once, so peak
/// memory follows the largest stack, not the project. Returns the diagnostics (sorted, the
/// same as [`to_targets`]'s).
pub fn to_targets_each(
    model: &Model,
    schemas: &Schemas,
    targets: Option<&[Target]>,
    each: &mut dyn FnMut(Vec<TargetProgram>),
) -> Vec<Diagnostic> {
    to_targets_each_with(engine(), model, schemas, targets, each)
}

pub(crate) fn to_targets_with(
    eng: &Engine,
    model: &Model,
    schemas: &Schemas,
    targets: Option<&[Target]>,
) -> (Vec<TargetProgram>, Vec<Diagnostic>) {
    let mut programs = Vec::new();
    let diags = to_targets_each_with(eng, model, schemas, targets, &mut |ps| programs.extend(ps));
    (programs, diags)
}

/// A table keyed `"<type>.<property>"` (`kms_key_users`, ...), indexed by type: a resource
/// finds its entries with one lookup of its type instead of formatting a key per property
/// (which, for every property of every resource, was a measurable part of lowering at 40,000
/// resources). A key splits at each of its dots, so a property name holding a dot is found
/// exactly as the formatted key found it.
struct ByType<'t> {
    types: std::collections::HashMap<&'t str, std::collections::HashMap<&'t str, &'t Json>>,
}

impl<'t> ByType<'t> {
    fn new(table: &'t Map<String, Json>) -> ByType<'t> {
        let mut types: std::collections::HashMap<&str, std::collections::HashMap<&str, &Json>> =
            std::collections::HashMap::new();
        for (key, v) in table {
            for (i, _) in key.match_indices('.') {
                types
                    .entry(&key[..i])
                    .or_default()
                    .entry(&key[i + 1..])
                    .or_insert(v);
            }
        }
        ByType { types }
    }

    /// The entries of type `ty`, by property name.
    fn of(&self, ty: &str) -> Option<&std::collections::HashMap<&'t str, &'t Json>> {
        self.types.get(ty)
    }
}

/// The template contexts of the resources of one stack, looked up by resource id.
pub(crate) struct Contexts {
    /// Per resource id: its position in `list`, `u32::MAX` when it is not in the stack.
    slot: Vec<u32>,
    list: Vec<Option<Context>>,
}

impl Contexts {
    fn get(&self, id: ResourceId) -> Option<&Context> {
        let &s = self.slot.get(id.0 as usize)?;
        self.list.get(s as usize).and_then(Option::as_ref)
    }
}

fn to_targets_each_with(
    eng: &Engine,
    model: &Model,
    schemas: &Schemas,
    targets: Option<&[Target]>,
    each: &mut dyn FnMut(Vec<TargetProgram>),
) -> Vec<Diagnostic> {
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
    let wanted = |t: Target| match targets {
        None => true,
        Some(ts) => ts.contains(&t),
    };

    // Group resources by (stack, target), in model order.
    let mut groups: BTreeMap<(usize, Target), Vec<ResourceId>> = BTreeMap::new();
    let mut used = vec![false; model.resources.len()];
    for r in &model.resources {
        let ts = resource_targets(r);
        if let (Some(f), Some(requested)) = (strata_stdlib::generated::family_of(&r.ty), targets) {
            if !requested.contains(&f.target) {
                diags.push(
                    Diagnostic::error(c::TARGET_CANNOT_HOLD, format!("`{}` has type `{}`, which only {} can hold", r.name, r.ty, f.target.dir_name()), r.name_span)
                        .with_label(format!("not written to {}", requested.iter().map(|t| t.dir_name()).collect::<Vec<_>>().join(", ")))
                        .with_help(format!("add `{}` to `--target`, or use a curated type (`aws.*`, `gcp.*`, ...) that reaches the targets you need", f.target.dir_name())),
                );
                continue;
            }
        }
        if r.provider == Provider::None && ts.is_empty() {
            diags.push(
                Diagnostic::warning(c::NOT_EMITTED, format!("`{}` has type `{}`, which belongs to no provider: it is not written to any target", r.name, r.ty), r.name_span)
                    .with_help("add `@provider = \"aws\"` (or gcp, azure, k8s) to the schema and a mapping in stdlib/lower, or use a stdlib type"),
            );
            continue;
        }
        if ts.is_empty() {
            continue;
        }
        let stack = match r.stack.filter(|&s| s < model.stacks.len()) {
            Some(s) => s,
            None if model.stacks.len() <= 1 => 0,
            None => {
                diags.push(
                    Diagnostic::error(
                        c::NO_STACK,
                        format!("`{}` belongs to no stack", r.name),
                        r.name_span,
                    )
                    .with_label("which stack deploys this?")
                    .with_help(format!(
                        "add `stack = {}` to the resource",
                        model.stacks.first().map_or("main", |s| s.name.as_str())
                    )),
                );
                continue;
            }
        };
        for &t in ts {
            if wanted(t) {
                groups.entry((stack, t)).or_default().push(r.id);
                used[r.id.0 as usize] = true;
            }
        }
    }

    // The AWS services that use each KMS key (`key_services` of its context), from the
    // `kms_key_users` table: a key whose policy is not written admits exactly those.
    let key_users = eng.tables.get("kms_key_users");
    let mut key_services: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    if let Some(Json::Object(users)) = key_users {
        let users = ByType::new(users);
        for r in &model.resources {
            let Some(props) = users.of(&r.ty) else {
                continue;
            };
            for (k, v) in &r.props {
                let Some(kind) = props.get(k.as_str()).and_then(|j| j.as_str()) else {
                    continue;
                };
                v.visit_refs(&mut |x| {
                    key_services
                        .entry(x.resource.0)
                        .or_default()
                        .insert(kind.to_string());
                });
            }
        }
    }

    // The second hop, `kms_key_publishers`: a service that publishes to an encrypted resource
    // (a CloudWatch alarm notifying an SNS topic) uses the key of that resource's `encryption`.
    if let Some(Json::Object(publishers)) = eng.tables.get("kms_key_publishers") {
        let publishers = ByType::new(publishers);
        for r in &model.resources {
            let Some(props) = publishers.of(&r.ty) else {
                continue;
            };
            for (k, v) in &r.props {
                let Some(kind) = props.get(k.as_str()).and_then(|j| j.as_str()) else {
                    continue;
                };
                v.visit_refs(&mut |x| {
                    let Some(target) = model.resources.get(x.resource.0 as usize) else {
                        return;
                    };
                    if let Some(enc) = target.props.get("encryption") {
                        enc.visit_refs(&mut |key| {
                            key_services
                                .entry(key.resource.0)
                                .or_default()
                                .insert(kind.to_string());
                        });
                    }
                });
            }
        }
    }

    let stack_of = |r: &Resource| {
        r.stack
            .filter(|&s| s < model.stacks.len())
            .or((model.stacks.len() <= 1).then_some(0))
    };
    // The Google services whose service agents use each Cloud KMS key (`key_agent.SERVICE` of
    // its context), from the `gcp_key_agents` table (stdlib/lower/gcp/kms.toml): the key's
    // Terraform grants each agent `roles/cloudkms.cryptoKeyEncrypterDecrypter` on that key.
    // A value is one service or a list of them (a Cloud Function's key is used by Cloud
    // Functions, Artifact Registry and Cloud Storage). A user of another stack is not counted:
    // its reference to the key is already error L0003 (one document cannot name another's key).
    let mut key_agents: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    // Generated (`tf.*`) users of a key, whose mechanical lowering has no `$depends_on`: their
    // Terraform waits for the key's grants through `wait_for_key_grants`.
    let mut generated_key_users: KeyUsers = BTreeMap::new();
    if let Some(Json::Object(agents)) = eng.tables.get("gcp_key_agents") {
        let agents = ByType::new(agents);
        for r in &model.resources {
            let Some(props) = agents.of(&r.ty) else {
                continue;
            };
            for (k, v) in &r.props {
                let services: Vec<&str> = match props.get(k.as_str()) {
                    Some(Json::String(s)) => vec![s.as_str()],
                    Some(Json::Array(l)) => l.iter().filter_map(Json::as_str).collect(),
                    _ => continue,
                };
                v.visit_refs(&mut |x| {
                    let is_key = model
                        .resources
                        .get(x.resource.0 as usize)
                        .is_some_and(|k| k.ty == "gcp.kms.CryptoKey" && stack_of(k) == stack_of(r));
                    if is_key {
                        let set = key_agents.entry(x.resource.0).or_default();
                        set.extend(services.iter().map(|s| s.to_string()));
                        if r.ty.starts_with("tf.") {
                            let uses = generated_key_users.entry(r.id.0).or_default();
                            uses.extend(services.iter().map(|s| (x.resource.0, s.to_string())));
                        }
                    }
                });
            }
        }
    }
    // Deployment Manager cannot name a service agent (its e-mail holds the project *number*,
    // which a config cannot read): the key says so once, with the commands that grant it.
    if wanted(Target::DeploymentManager) {
        for (&id, services) in &key_agents {
            let key = model.resource(ResourceId(id));
            let in_dm = groups.iter().any(|((_, t), ids)| {
                *t == Target::DeploymentManager && ids.contains(&ResourceId(id))
            });
            if in_dm {
                diags.push(key_agents_in_dm(model, key, services));
            }
        }
    }

    // Deployment Manager cannot read a Memorystore AUTH string (the API returns it from
    // `getAuthString` only): a secret that should hold one (`redis_auth`, a portable Cache's)
    // says so, with the commands that add it as the secret's first version.
    if wanted(Target::DeploymentManager) {
        for r in &model.resources {
            if r.ty != "gcp.secretmanager.Secret" {
                continue;
            }
            let Some(redis) = r.props.get("redis_auth").and_then(Value::as_ref) else {
                continue;
            };
            let in_dm = groups
                .iter()
                .any(|((_, t), ids)| *t == Target::DeploymentManager && ids.contains(&r.id));
            if in_dm {
                diags.push(redis_auth_in_dm(model, r, model.resource(redis.resource)));
            }
        }
    }

    // The topics that deliver to each queue (`sqs_queue_publishers`: a topic whose
    // subscriptions name the queue), as references to their ARNs (`sns_topics` of the queue's
    // context): the queue's policy admits exactly those.
    // A topic of another stack cannot be admitted by reference (the queue's document cannot
    // name it, and the subscription already names the queue): the way out is the queue's own
    // `subscribe_to`, by ARN, which holds both the subscription and the policy.
    let mut queue_topics: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    if let Some(Json::Object(publishers)) = eng.tables.get("sqs_queue_publishers") {
        let publishers = ByType::new(publishers);
        for r in &model.resources {
            let Some(props) = publishers.of(&r.ty) else {
                continue;
            };
            for (k, v) in &r.props {
                if !props.contains_key(k.as_str()) {
                    continue;
                }
                let mut across = Vec::new();
                v.visit_refs(&mut |x| {
                    let Some(q) = model.resources.get(x.resource.0 as usize) else {
                        return;
                    };
                    if q.ty != "aws.sqs.Queue" {
                        return;
                    }
                    if stack_of(q) == stack_of(r) {
                        queue_topics.entry(x.resource.0).or_default().insert(r.id.0);
                    } else if !across.contains(&x.resource.0) {
                        across.push(x.resource.0);
                    }
                });
                for q in across {
                    let q = model.resource(ResourceId(q));
                    let stack = |x: &Resource| {
                        stack_of(x)
                            .and_then(|s| model.stacks.get(s))
                            .map_or("?", |s| s.name.as_str())
                    };
                    diags.push(
                        Diagnostic::error(
                            c::CROSS_STACK,
                            format!(
                                "topic `{}` (stack `{}`) delivers to queue `{}` of stack `{}`",
                                r.name,
                                stack(r),
                                q.name,
                                stack(q)
                            ),
                            r.prop_span(k),
                        )
                        .with_label("a subscription to a queue of another stack")
                        .with_secondary(q.name_span, "its policy must admit the topic")
                        .with_help(format!(
                            "the subscription needs the queue's ARN and the queue's policy the topic's, and a reference cannot cross stacks: remove this subscription and write `subscribe_to = [{{ topic = \"arn:aws:sns:REGION:ACCOUNT:{}\" }}]` on `{}` (the subscription and the policy are then created in the queue's stack; deploy `{}` first), or put both in one stack",
                            r.props
                                .get("topic_name")
                                .and_then(Value::as_str)
                                .unwrap_or("TOPIC"),
                            q.name,
                            stack(r)
                        )),
                    );
                }
            }
        }
    }
    // Topics of other stacks a queue subscribes itself to (`subscribe_to`, by ARN): admitted by
    // its policy, and by its key (SNS encrypts what it delivers with the queue's key).
    let mut queue_arns: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for r in model.resources.iter().filter(|r| r.ty == "aws.sqs.Queue") {
        let arns: Vec<String> = r
            .props
            .get("subscribe_to")
            .and_then(Value::as_list)
            .unwrap_or(&[])
            .iter()
            .filter_map(|s| s.as_record()?.get("topic")?.as_str().map(str::to_string))
            .collect();
        if arns.is_empty() {
            continue;
        }
        if let Some(enc) = r.props.get("encryption") {
            enc.visit_refs(&mut |key| {
                key_services
                    .entry(key.resource.0)
                    .or_default()
                    .insert("sns".to_string());
            });
        }
        queue_arns.insert(r.id.0, arns);
    }

    // Stack by stack: the contexts of its resources (shared by its targets), its programs,
    // handed to `each`, then dropped.
    let mut by_stack: BTreeMap<usize, Vec<(Target, &Vec<ResourceId>)>> = BTreeMap::new();
    for ((stack, target), ids) in &groups {
        by_stack.entry(*stack).or_default().push((*target, ids));
    }
    // The outputs some program holds (by the name it was written under).
    let mut placed_outputs: BTreeSet<String> = BTreeSet::new();
    let mut any_program = false;
    let mut contexts = Contexts {
        slot: vec![u32::MAX; model.resources.len()],
        list: Vec::new(),
    };
    for (&stack, progs) in &by_stack {
        let mut members: Vec<ResourceId> = progs
            .iter()
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        members.sort();
        members.dedup();
        for (i, &id) in members.iter().enumerate() {
            contexts.slot[id.0 as usize] = i as u32;
        }
        let this_stack = model.stacks.get(stack);
        let stack_cx = stack_json(this_stack);
        let built: Vec<Option<Context>> = members
            .par_iter()
            .map(|&id| {
                let r = model.resource(id);
                (!strata_base::memory::over_budget()).then(|| {
                    let own = model.stack_of(r);
                    let mut j = if own.map(std::ptr::from_ref) == this_stack.map(std::ptr::from_ref)
                    {
                        resource_json_in(model, r, stack_cx.clone())
                    } else {
                        resource_json(model, r)
                    };
                    if let (Some(set), Json::Object(o)) = (key_services.get(&r.id.0), &mut j) {
                        let list = set.iter().map(|s| Json::String(s.clone())).collect();
                        o.insert("key_services".into(), Json::Array(list));
                    }
                    if let (Some(set), Json::Object(o)) = (key_agents.get(&r.id.0), &mut j) {
                        // `key_agent.SERVICE`: the `when` of that service's grant entry.
                        let each: Map<String, Json> =
                            set.iter().map(|s| (s.clone(), Json::Bool(true))).collect();
                        o.insert("key_agent".into(), Json::Object(each));
                        // Every agent but Cloud Storage's is found through the project.
                        let project = set.iter().any(|s| s != "storage");
                        o.insert("key_agent_project".into(), Json::Bool(project));
                    }
                    let topics = queue_topics.get(&r.id.0);
                    let arns = queue_arns.get(&r.id.0);
                    if let (true, Json::Object(o)) = (topics.is_some() || arns.is_some(), &mut j) {
                        let list = topics
                            .into_iter()
                            .flatten()
                            .map(|t| crate::ctx::ref_marker(*t, Some("arn")))
                            .chain(arns.into_iter().flatten().map(|a| Json::String(a.clone())))
                            .collect();
                        o.insert("sns_topics".into(), Json::Array(list));
                    }
                    Context::from(j)
                })
            })
            .collect();
        contexts.list = built;
        if strata_base::memory::over_budget() {
            // Stop before rendering: the contexts alone took the budget.
            let at = model.stacks.first().map_or_else(
                || {
                    model
                        .resources
                        .first()
                        .map(|r| r.name_span)
                        .unwrap_or_default()
                },
                |s| s.span,
            );
            diags.push(c::out_of_memory(at));
            diags.sort_by_key(|d| d.sort_key());
            diags.dedup();
            return diags;
        }

        let results: Vec<(TargetProgram, Vec<Diagnostic>)> = progs
            .par_iter()
            .map(|(target, ids)| {
                let programs = build_program(eng, model, schemas, &contexts, stack, *target, ids);
                let (mut program, diags) = programs;
                if *target == Target::Terraform && !generated_key_users.is_empty() {
                    wait_for_key_grants(model, &generated_key_users, &mut program.resources);
                }
                (program, diags)
            })
            .collect();
        let mut programs = Vec::with_capacity(results.len());
        for (p, d) in results {
            for o in &p.outputs {
                placed_outputs.insert(o.name.clone());
            }
            programs.push(p);
            diags.extend(d);
        }
        any_program = true;
        each(programs);
        for &id in &members {
            contexts.slot[id.0 as usize] = u32::MAX;
        }
        contexts.list = Vec::new();
    }

    // Outputs that no program could hold.
    for o in &model.outputs {
        let mut refs = Vec::new();
        o.value.visit_refs(&mut |r| refs.push(r.resource));
        if refs.is_empty() || !any_program {
            continue;
        }
        let placed =
            placed_outputs.contains(&o.name) || placed_outputs.contains(&names::pascal(&o.name));
        let emitted_somewhere = refs
            .iter()
            .all(|id| used.get(id.0 as usize).copied().unwrap_or(false));
        if !placed && emitted_somewhere && targets.is_none() {
            diags.push(
                Diagnostic::error(c::CROSS_STACK, format!("output `{}` refers to resources of different stacks or targets", o.name), o.span)
                    .with_help("an output belongs to one deployment document; split it into one output per stack"),
            );
        }
    }

    diags.sort_by_key(|d| d.sort_key());
    diags.dedup();
    diags
}

/// Per generated resource (by id): the (key id, service) pairs of the Cloud KMS keys it uses.
type KeyUsers = BTreeMap<u32, BTreeSet<(u32, String)>>;

/// A generated `tf.google_*` resource that names a `gcp.kms.CryptoKey` waits for the key's
/// grant to its service's agent (`KEY_agent_SERVICE`, lower/gcp/kms.toml), as the curated
/// types do with `$depends_on`.
fn wait_for_key_grants(model: &Model, users: &KeyUsers, resources: &mut [TargetResource]) {
    const GRANT: &str = "google_kms_crypto_key_iam_member";
    let grants: BTreeSet<String> = resources
        .iter()
        .filter(|tr| tr.ty == GRANT)
        .map(|tr| tr.name.clone())
        .collect();
    for tr in resources.iter_mut() {
        let Some(uses) = tr.source.and_then(|id| users.get(&id.0)) else {
            continue;
        };
        for (key, service) in uses {
            let Some(key) = model.resources.get(*key as usize) else {
                continue;
            };
            let label = format!("{}_agent_{service}", names::snake(&key.name));
            let dep = format!("{GRANT}.{label}");
            if grants.contains(&label) && !tr.depends_on.contains(&dep) {
                tr.depends_on.push(dep);
            }
        }
    }
}

/// What a service agent of the `gcp_key_agents` table is called, for messages.
fn agent_label(service: &str) -> &str {
    match service {
        "storage" => "Cloud Storage",
        "pubsub" => "Pub/Sub",
        "sql" => "Cloud SQL",
        "artifactregistry" => "Artifact Registry",
        "secretmanager" => "Secret Manager",
        "redis" => "Memorystore for Redis",
        "container" => "GKE",
        "compute" => "Compute Engine",
        "run" => "Cloud Run",
        "cloudfunctions" => "Cloud Functions",
        "logging" => "Cloud Logging",
        other => other,
    }
}

/// The e-mail domain of a service agent (`service-PROJECT_NUMBER@DOMAIN`), for messages.
fn agent_domain(service: &str) -> Option<&str> {
    Some(match service {
        "storage" => "gs-project-accounts.iam.gserviceaccount.com",
        "pubsub" => "gcp-sa-pubsub.iam.gserviceaccount.com",
        "sql" => "gcp-sa-cloud-sql.iam.gserviceaccount.com",
        "artifactregistry" => "gcp-sa-artifactregistry.iam.gserviceaccount.com",
        "secretmanager" => "gcp-sa-secretmanager.iam.gserviceaccount.com",
        "redis" => "cloud-redis.iam.gserviceaccount.com",
        "container" => "container-engine-robot.iam.gserviceaccount.com",
        "compute" => "compute-system.iam.gserviceaccount.com",
        "run" => "serverless-robot-prod.iam.gserviceaccount.com",
        "cloudfunctions" => "gcf-admin-robot.iam.gserviceaccount.com",
        _ => return None,
    })
}

/// A string setting of the provider of `r`'s stack (`project`, `region`).
fn stack_config(model: &Model, r: &Resource, name: &str) -> Option<String> {
    model
        .stack_of(r)
        .and_then(|s| s.provider_config.get(name))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// L0017 at a Cloud KMS key that services use, lowered to Deployment Manager: the grants of
/// their agents are not written there; the help gives the commands that make them.
fn key_agents_in_dm(model: &Model, key: &Resource, services: &BTreeSet<String>) -> Diagnostic {
    let config = |name: &str| stack_config(model, key, name);
    let project = config("project").unwrap_or_else(|| "PROJECT".to_string());
    let key_name = key
        .props
        .get("key_name")
        .and_then(Value::as_str)
        .map_or_else(|| names::kebab(&key.name), str::to_string);
    let ring = key
        .props
        .get("key_ring")
        .and_then(Value::as_ref)
        .and_then(|x| model.resources.get(x.resource.0 as usize));
    let ring_name = ring.map_or_else(
        || "RING".to_string(),
        |r| {
            r.props
                .get("ring_name")
                .and_then(Value::as_str)
                .map_or_else(|| names::kebab(&r.name), str::to_string)
        },
    );
    let location = ring
        .and_then(|r| r.props.get("location").and_then(Value::as_str))
        .map(str::to_string)
        .or_else(|| config("region"))
        .unwrap_or_else(|| "LOCATION".to_string());
    let id = format!(
        "projects/{project}/locations/{location}/keyRings/{ring_name}/cryptoKeys/{key_name}"
    );
    let labels: Vec<&str> = services.iter().map(|s| agent_label(s)).collect();
    let mut commands = Vec::new();
    for s in services {
        match (s.as_str(), agent_domain(s)) {
            ("storage", _) => commands.push(format!(
                "`gcloud storage service-agent --project {project} --authorize-cmek {id}`"
            )),
            (_, Some(domain)) => commands.push(format!(
                "`gcloud kms keys add-iam-policy-binding {id} --member serviceAccount:service-PROJECT_NUMBER@{domain} --role roles/cloudkms.cryptoKeyEncrypterDecrypter`"
            )),
            (_, None) => commands.push(format!(
                "`gcloud kms keys add-iam-policy-binding {id} --member serviceAccount:$(gcloud logging settings describe --project {project} --format 'value(kmsServiceAccountId)') --role roles/cloudkms.cryptoKeyEncrypterDecrypter`"
            )),
        }
    }
    Diagnostic::info(
        c::KEY_AGENTS_NOT_GRANTED,
        format!(
            "the service {} of {} {} `roles/cloudkms.cryptoKeyEncrypterDecrypter` on `{}`, which Deployment Manager cannot grant",
            if labels.len() == 1 { "agent" } else { "agents" },
            labels.join(", "),
            if labels.len() == 1 { "needs" } else { "need" },
            key.name
        ),
        key.name_span,
    )
    .with_label("grant its users' service agents before the first deployment")
    .with_help(format!(
        "a service agent's e-mail holds the project number, which a Deployment Manager config cannot read; once per project, before deploying: {} (PROJECT_NUMBER: `gcloud projects describe {project} --format 'value(projectNumber)'`); the Terraform of this stack makes these grants itself",
        commands.join("; ")
    ))
}

/// L0019 at a secret that should hold a Memorystore instance's AUTH string (`redis_auth`),
/// lowered to Deployment Manager, which cannot read it: the help gives the commands that add it.
fn redis_auth_in_dm(model: &Model, secret: &Resource, redis: &Resource) -> Diagnostic {
    let config = |name: &str| stack_config(model, secret, name);
    let project = config("project").unwrap_or_else(|| "PROJECT".to_string());
    let prop = |r: &Resource, k: &str| r.props.get(k).and_then(Value::as_str).map(str::to_string);
    let secret_name = prop(secret, "secret_name").unwrap_or_else(|| names::kebab(&secret.name));
    let instance = prop(redis, "instance_name").unwrap_or_else(|| names::kebab(&redis.name));
    let region = prop(redis, "region")
        .or_else(|| config("region"))
        .unwrap_or_else(|| "REGION".to_string());
    // The program's own resource (the portable Cache) is where the team reads it.
    let origin = secret.lowered_from.map_or(secret, |o| model.resource(o));
    Diagnostic::info(
        c::REDIS_AUTH_BY_HAND,
        format!(
            "the secret `{secret_name}` of `{}` gets no version from Deployment Manager, which cannot read the Memorystore AUTH string",
            origin.name
        ),
        origin.name_span,
    )
    .with_label("add the AUTH string as the secret's first version after the deployment")
    .with_help(format!(
        "Cloud Run starts no revision whose secret has no version; after the deployment creates the instance and the secret, and before the services and functions that reference the cache: `gcloud redis instances get-auth-string {instance} --region {region} --project {project} --format 'value(authString)' | gcloud secrets versions add {secret_name} --data-file=- --project {project}`, then deploy again; the Terraform of this stack writes the version itself"
    ))
}

fn build_program(
    eng: &Engine,
    model: &Model,
    schemas: &Schemas,
    contexts: &Contexts,
    stack: usize,
    target: Target,
    ids: &[ResourceId],
) -> (TargetProgram, Vec<Diagnostic>) {
    let stack_ref = model.stacks.get(stack);
    let stack_name = stack_ref.map_or_else(|| "main".to_string(), |s| s.name.clone());

    // 1. Plan: which entries, and their names.
    let plans: Vec<(ResourceId, Result<Plan, Vec<Diagnostic>>)> = ids
        .par_iter()
        .map(|&id| {
            let r = model.resource(id);
            let cx = contexts.get(id);
            (id, plan(eng, r, cx, target))
        })
        .collect();
    let mut diags = Vec::new();
    let mut by_id: Vec<Option<&Plan>> = vec![None; model.resources.len()];
    for (id, p) in &plans {
        match p {
            Ok(p) => by_id[id.0 as usize] = Some(p),
            Err(d) => diags.extend(d.iter().cloned()),
        }
    }

    // 2. Render bodies.
    let rendered: Vec<(Vec<TargetResource>, Vec<TargetParam>, Vec<Diagnostic>)> = plans
        .par_iter()
        .filter_map(|(id, p)| p.as_ref().ok().map(|p| (*id, p)))
        .map(|(id, p)| render_resource(eng, model, contexts, &by_id, target, id, p))
        .collect();
    let mut resources = Vec::new();
    let mut params: BTreeMap<String, TargetParam> = BTreeMap::new();
    for (rs, ps, d) in rendered {
        resources.extend(rs);
        for p in ps {
            params.entry(p.name.clone()).or_insert(p);
        }
        diags.extend(d);
    }

    retention(model, target, &mut resources, &mut diags);
    if target == Target::Terraform {
        scaled_services_keep_their_count(model, &mut resources);
    }
    if target == Target::Terraform {
        if let Some(Json::Object(apis)) = eng.tables.get("gcp_apis") {
            let agents = match eng.tables.get("gcp_agent_apis") {
                Some(Json::Object(a)) => a.clone(),
                _ => Map::new(),
            };
            enable_gcp_apis(apis, &agents, &mut resources);
        }
    }

    // Duplicate names (two Strata names that map to one target name).
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, tr) in resources.iter().enumerate() {
        let key = match target {
            Target::Terraform => format!("{}.{}", tr.ty, tr.name),
            // Kubernetes names are unique per kind *and namespace*.
            Target::Kubernetes => {
                let ns = match tr.body.get("metadata") {
                    Some(TValue::Map(m)) => match m.get("namespace") {
                        Some(TValue::Str(ns)) => ns.as_str(),
                        _ => "",
                    },
                    _ => "",
                };
                format!("{} {}/{}", tr.ty, ns, tr.name)
            }
            _ => tr.name.clone(),
        };
        if let Some(&j) = seen.get(&key) {
            let (a, b) = (resources[j].source, tr.source);
            if a != b {
                let ra = a.map(|x| model.resource(x));
                let rb = b.map(|x| model.resource(x));
                if let (Some(ra), Some(rb)) = (ra, rb) {
                    diags.push(
                        Diagnostic::error(
                            c::DUPLICATE_NAME,
                            format!(
                                "`{}` and `{}` both become `{}` in {}",
                                ra.name,
                                rb.name,
                                tr.name,
                                target.dir_name()
                            ),
                            rb.name_span,
                        )
                        .with_secondary(ra.name_span, "this one has the same target name")
                        .with_help("rename one of them"),
                    );
                }
            }
        } else {
            seen.insert(key, i);
        }
    }

    // 3. Outputs whose references are all in this program.
    let mut outputs = Vec::new();
    for o in &model.outputs {
        let mut refs = Vec::new();
        o.value.visit_refs(&mut |r| refs.push(r.resource));
        if !refs
            .iter()
            .all(|id| by_id.get(id.0 as usize).is_some_and(Option::is_some))
        {
            continue;
        }
        let r = refs.first().map(|id| model.resource(*id));
        let mut sink = Sink {
            r: r.unwrap_or(&DUMMY),
            diags: Vec::new(),
        };
        let j = ctx::to_ctx(&o.value);
        let cv = Conv {
            eng,
            model,
            contexts,
            by_id: &by_id,
            target,
            current: None,
        };
        let mut value = cv.tvalue(&j, &mut sink).unwrap_or(TValue::Null);
        diags.extend(sink.diags);
        // CloudFormation outputs are strings: a list-valued attribute (a hosted zone's name
        // servers) is written comma-separated, as `Fn::Join`.
        if target == Target::CloudFormation
            && matches!(value, TValue::Ref(_))
            && is_list_out(model, schemas, &o.value)
        {
            let list = std::mem::replace(&mut value, TValue::Null);
            value = TValue::Map(
                [(
                    "Fn::Join".to_string(),
                    TValue::List(vec![TValue::Str(",".into()), list]),
                )]
                .into_iter()
                .collect(),
            );
        }
        let name = if target == Target::CloudFormation {
            names::pascal(&o.name)
        } else {
            o.name.clone()
        };
        outputs.push(TargetOutput {
            name,
            value,
            description: o.doc.clone(),
        });
    }

    // 4. Provider settings.
    let mut providers = BTreeMap::new();
    let present: BTreeSet<Provider> = ids.iter().map(|id| model.resource(*id).provider).collect();
    for p in present {
        if let Some(ps) = eng.providers.get(&(p, target)) {
            let sj =
                serde_json::json!({ "stack": stack_json(stack_ref.filter(|s| s.provider == p)) });
            match eng.body_json(ps.map.as_deref(), &ps.body_tpl, &Context::from(sj)) {
                Ok(Json::Object(o)) => {
                    let mut m = strata_model::TMap::new();
                    for (k, v) in &o {
                        if let Some(v) = plain(v) {
                            m.insert(k.clone(), v);
                        }
                    }
                    providers.insert(ps.name.clone(), m);
                }
                Ok(_) => {}
                Err(e) => diags.push(Diagnostic::error(
                    c::MAPPING,
                    format!(
                        "provider settings of {} for {}: {e}",
                        p.as_str(),
                        target.dir_name()
                    ),
                    stack_ref.map_or(Span::default(), |s| s.span),
                )),
            }
        }
    }

    let description = Some(match &model.env {
        Some(env) => format!("Strata stack `{stack_name}` (environment `{env}`)"),
        None => format!("Strata stack `{stack_name}`"),
    });
    // 5. Terraform state backend of the stack.
    let backend = match (target, stack_ref.and_then(|s| s.backend.as_ref())) {
        (Target::Terraform, Some(b)) => Some(strata_model::TargetBackend {
            kind: b.kind.clone(),
            settings: backend_settings(&b.kind, &b.settings),
        }),
        _ => None,
    };
    let program = TargetProgram {
        target,
        stack: stack_name,
        description,
        providers,
        params: params.into_values().collect(),
        resources,
        outputs,
        backend,
    };
    (program, diags)
}

/// The nested blocks of Terraform's backends (every other record is an object attribute, as
/// `assume_role = { role_arn = "..." }` of `s3`).
const BACKEND_BLOCKS: [(&str, &str); 1] = [("remote", "workspaces")];

/// The settings of a backend as target values: plain values as they are, records as objects or
/// (see [`BACKEND_BLOCKS`]) nested blocks, nulls (unset optionals) left out.
fn backend_settings(kind: &str, settings: &BTreeMap<String, Value>) -> strata_model::TMap {
    fn value(v: &Value) -> Option<TValue> {
        if let Some(s) = v.as_str() {
            Some(TValue::Str(s.to_string()))
        } else if let Some(b) = v.as_bool() {
            Some(TValue::Bool(b))
        } else if let Some(r) = v.as_record() {
            let mut m = strata_model::TMap::new();
            for (k, v) in r {
                if let Some(t) = value(v) {
                    m.insert(k.clone(), t);
                }
            }
            Some(TValue::Map(m))
        } else if let Some(l) = v.as_list() {
            Some(TValue::List(l.iter().filter_map(value).collect()))
        } else if let Value::Int(i) = v {
            Some(TValue::Int(*i))
        } else {
            v.as_f64().map(TValue::Float)
        }
    }
    let mut m = strata_model::TMap::new();
    for (k, v) in settings {
        match value(v) {
            Some(TValue::Map(b)) if BACKEND_BLOCKS.contains(&(kind, k.as_str())) => {
                m.insert(k.clone(), TValue::Blocks(vec![b]));
            }
            Some(t) => {
                m.insert(k.clone(), t);
            }
            None => {}
        }
    }
    m
}

/// Whether a value is a reference to an `out` whose type is a list.
fn is_list_out(model: &Model, schemas: &Schemas, v: &Value) -> bool {
    let Value::Ref(r) = v else { return false };
    let Some(attr) = &r.attr else { return false };
    let Some(res) = model.resources.get(r.resource.0 as usize) else {
        return false;
    };
    schemas
        .get(&res.ty)
        .and_then(|s| s.outputs.get(attr))
        .is_some_and(|f| matches!(f.ty.resolved(), strata_model::Ty::List(_)))
}

static DUMMY: Resource = Resource {
    id: ResourceId(u32::MAX),
    name: String::new(),
    ty: String::new(),
    provider: Provider::None,
    props: BTreeMap::new(),
    prop_spans: BTreeMap::new(),
    depends_on: Vec::new(),
    name_span: Span {
        file: strata_base::FileId(0),
        start: 0,
        end: 0,
    },
    span: Span {
        file: strata_base::FileId(0),
        start: 0,
        end: 0,
    },
    stack: None,
    lowered_from: None,
    retention: None,
    existing: false,
    doc: None,
};

/// Plain JSON (provider settings) with `$block` markers.
fn plain(v: &Json) -> Option<TValue> {
    Some(match v {
        Json::Null => return None,
        Json::Object(_) => match ctx::as_marker(v) {
            Some(("$block", Json::Object(o))) => TValue::Blocks(vec![o
                .iter()
                .filter_map(|(k, v)| plain(v).map(|x| (k.clone(), x)))
                .collect()]),
            _ => TValue::Map(
                v.as_object()
                    .map(|o| {
                        o.iter()
                            .filter_map(|(k, v)| plain(v).map(|x| (k.clone(), x)))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
        },
        Json::Array(a) => TValue::List(a.iter().filter_map(plain).collect()),
        other => crate::engine::json_to_plain_tvalue(other),
    })
}

fn plan<'e>(
    eng: &'e Engine,
    r: &Resource,
    cx: Option<&Context>,
    target: Target,
) -> Result<Plan<'e>, Vec<Diagnostic>> {
    let entries = if r.existing {
        crate::generated::entries(r, target)
    } else {
        eng.targets
            .get(&(r.ty.clone(), target))
            .map(Vec::as_slice)
            .or_else(|| crate::generated::entries(r, target))
    };
    let Some(entries) = entries else {
        return Err(vec![Diagnostic::error(c::NO_MAPPING, format!("`{}` ({}) has no mapping to {}", r.name, r.ty, target.dir_name()), r.name_span)
            .with_help(format!("{} resources are written to {}; add a `[[schema.\"{}\".{}]]` entry in stdlib/lower (see stdlib/README.md)", r.provider.as_str(), target.dir_name(), r.ty, target.dir_name()))]);
    };
    let Some(cx) = cx else { return Err(Vec::new()) };
    // An existing resource outside Terraform creates nothing: it is only referred to.
    if r.existing && target != Target::Terraform {
        return Ok(Plan {
            entries,
            planned: Vec::new(),
        });
    }
    let mut sink = Sink {
        r,
        diags: Vec::new(),
    };
    let mut planned = Vec::new();
    for e in entries {
        match eng.applies(e, cx.data(), cx) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(err) => {
                sink.mapping_error(target, format!("entry `{}`: {err}", e.key));
                continue;
            }
        }
        if let Some(why) = &e.refuse {
            // At the property the entry's `when` names (`props.kubernetes_accounts`).
            let span = match &e.when {
                Some(crate::engine::Cond::Path { path, .. }) => path
                    .strip_prefix("props.")
                    .map_or(r.name_span, |p| r.prop_span(p)),
                _ => r.name_span,
            };
            sink.diags.push(
                Diagnostic::error(
                    c::TARGET_CANNOT_HOLD,
                    format!("`{}` ({}) cannot be written to {} as it is: {why}", r.name, r.ty, target.dir_name()),
                    span,
                )
                .with_label(format!("not expressible in {}", target.dir_name()))
                .with_help(format!("leave {} out of this stack's targets (`--target`, `[compile] targets`), or drop the setting and do it by hand", target.dir_name())),
            );
            continue;
        }
        if e.each.is_some() {
            for (i, (item, suffix)) in Engine::each_items(e, cx.data()).into_iter().enumerate() {
                let mut data = cx.data().clone();
                if let Json::Object(o) = &mut data {
                    o.insert("item".into(), item);
                    o.insert("index".into(), Json::from(i));
                }
                let own = Context::from(data);
                let name = entry_name(eng, r, e, Some(&suffix), &own, target, &mut sink);
                planned.push(Planned {
                    entry: e,
                    index: Some(i),
                    own_cx: Some(own),
                    name,
                });
            }
        } else {
            let name = entry_name(eng, r, e, None, cx, target, &mut sink);
            planned.push(Planned {
                entry: e,
                index: None,
                own_cx: None,
                name,
            });
        }
    }
    if sink.diags.is_empty() {
        Ok(Plan { entries, planned })
    } else {
        Err(sink.diags)
    }
}

fn entry_name(
    eng: &Engine,
    r: &Resource,
    e: &Entry,
    suffix: Option<&str>,
    cx: &Context,
    target: Target,
    sink: &mut Sink,
) -> String {
    if e.generated && target == Target::Kubernetes {
        if let Some(n) = crate::generated::kube_name(r) {
            return n;
        }
    }
    if let Some(t) = &e.name_tpl {
        match eng.render_text(t, cx) {
            Ok(s) if !s.trim().is_empty() => return s.trim().to_string(),
            Ok(_) => {}
            Err(err) => sink.mapping_error(target, format!("name of entry `{}`: {err}", e.key)),
        }
    }
    let main = e.key == "main";
    match target {
        Target::CloudFormation => {
            let mut n = names::pascal(&r.name);
            if !main {
                n.push_str(&names::pascal(&e.key));
            }
            if let Some(s) = suffix {
                n.push_str(&names::pascal(s));
            }
            n
        }
        Target::Terraform => {
            let mut n = names::snake(&r.name);
            if !e.type_unique && !main {
                n.push('_');
                n.push_str(&names::snake(&e.key));
            }
            if let Some(s) = suffix {
                n.push('_');
                n.push_str(names::snake(s).trim_start_matches('_'));
            }
            n
        }
        Target::DeploymentManager | Target::Kubernetes => {
            let mut n = names::kebab(&r.name);
            if !main && (target == Target::DeploymentManager || !e.type_unique) {
                n.push('-');
                n.push_str(&names::kebab(&e.key));
            }
            if let Some(s) = suffix {
                n.push('-');
                n.push_str(&names::kebab(s));
            }
            n
        }
    }
}

fn render_resource(
    eng: &Engine,
    model: &Model,
    contexts: &Contexts,
    by_id: &[Option<&Plan>],
    target: Target,
    id: ResourceId,
    plan: &Plan,
) -> (Vec<TargetResource>, Vec<TargetParam>, Vec<Diagnostic>) {
    let r = model.resource(id);
    if strata_base::memory::over_budget() {
        let at = model.stack_of(r).map_or(r.name_span, |s| s.span);
        return (
            Vec::new(),
            Vec::new(),
            vec![crate::codes::out_of_memory(at)],
        );
    }
    let mut sink = Sink {
        r,
        diags: Vec::new(),
    };
    let Some(base_cx) = contexts.get(id) else {
        return (Vec::new(), Vec::new(), Vec::new());
    };
    let cv = Conv {
        eng,
        model,
        contexts,
        by_id,
        target,
        current: Some((id, plan)),
    };
    let mut out = Vec::with_capacity(plan.planned.len());
    let mut params = Vec::new();
    for (k, p) in plan.planned.iter().enumerate() {
        let cx = p.own_cx.as_ref().unwrap_or(base_cx);
        let rendered = if p.entry.generated {
            Ok(LVal::Own(crate::generated::body(model, r, target, &p.name)))
        } else {
            eng.body_val(p.entry.map.as_deref(), &p.entry.body_tpl, cx)
        };
        let mut body = match rendered {
            Ok(j) => j,
            Err(e) => {
                sink.mapping_error(target, format!("entry `{}`: {e}", p.entry.key));
                continue;
            }
        };
        // `"$depends_on": [...]`: extra dependencies (references whose out is missing are skipped).
        let mut extra_deps = Vec::new();
        if let Some(deps) = take_member(&mut body, "$depends_on").and_then(lval_items) {
            for d in deps {
                let mut quiet = Sink {
                    r,
                    diags: Vec::new(),
                };
                // A reference, or a list of them (an out over a repeated entry, `${KEY[*]}`).
                let refs = match cv.tvalue_lv(d, &mut quiet) {
                    Some(TValue::Ref(t)) => vec![t],
                    Some(TValue::List(l)) => l
                        .iter()
                        .filter_map(|x| match x {
                            TValue::Ref(t) => Some(t.clone()),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                if quiet.diags.is_empty() {
                    extra_deps.extend(refs.into_iter().filter(|t| !t.param).map(|t| t.resource));
                }
            }
        }
        // The entry's parameters that its body uses (`param("NAME")`): a parameter of a setting
        // the resource does not have is not declared (a required Terraform variable nobody reads).
        if !p.entry.params.is_empty() {
            let mut used = std::collections::BTreeSet::new();
            params_used_lv(&body, &mut used);
            params.extend(
                p.entry
                    .params
                    .iter()
                    .filter(|q| used.contains(q.name.as_str()))
                    .cloned(),
            );
        }
        let body = match cv.tvalue_lv(body, &mut sink) {
            Some(TValue::Map(m)) => m,
            None | Some(TValue::Null) => strata_model::TMap::new(),
            Some(_) => {
                sink.mapping_error(
                    target,
                    format!("entry `{}`: the body is not an object", p.entry.key),
                );
                continue;
            }
        };
        let mut depends_on = if k == 0 {
            explicit_deps(model, by_id, target, r, &mut sink)
        } else {
            Vec::new()
        };
        for d in extra_deps {
            if !depends_on.contains(&d) {
                depends_on.push(d);
            }
        }
        out.push(TargetResource {
            name: p.name.clone(),
            ty: p.entry.ty.clone(),
            body,
            depends_on,
            source: Some(id),
            retention: r.retention,
        });
    }
    (out, params, sink.diags)
}

/// CloudFormation types that accept `DeletionPolicy: Snapshot` / `UpdateReplacePolicy: Snapshot`.
const CFN_SNAPSHOT: &[&str] = &[
    "AWS::DocDB::DBCluster",
    "AWS::EC2::Volume",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
];

/// Take member `key` out of an evaluated body.
fn take_member<'a>(v: &mut LVal<'a>, key: &str) -> Option<LVal<'a>> {
    match v {
        LVal::Obj(m) => m.remove(key),
        LVal::Own(Json::Object(o)) => o.remove(key).map(LVal::Own),
        LVal::Ref(Json::Object(o)) if o.contains_key(key) => {
            let mut o = o.clone();
            let taken = o.remove(key).map(LVal::Own);
            *v = LVal::Own(Json::Object(o));
            taken
        }
        _ => None,
    }
}

/// The elements of an evaluated list (`None` if it is not one).
fn lval_items(v: LVal) -> Option<Vec<LVal>> {
    match v {
        LVal::Arr(a) => Some(a),
        LVal::Ref(Json::Array(a)) => Some(a.iter().map(LVal::Ref).collect()),
        LVal::Own(Json::Array(a)) => Some(a.into_iter().map(LVal::Own).collect()),
        _ => None,
    }
}

/// [`params_used`] of an evaluated body.
fn params_used_lv<'j>(v: &'j LVal, out: &mut std::collections::BTreeSet<&'j str>) {
    match v {
        LVal::Ref(j) => params_used(j, out),
        LVal::Own(j) => params_used(j, out),
        LVal::Arr(a) => {
            for x in a {
                params_used_lv(x, out);
            }
        }
        LVal::Obj(m) => {
            if let (1, Some((_, LVal::Ref(Json::String(n)) | LVal::Own(Json::String(n))))) =
                (m.len(), m.iter().find(|(k, _)| *k == "$param"))
            {
                out.insert(n.as_str());
            }
            for (_, x) in m.iter() {
                params_used_lv(x, out);
            }
        }
    }
}

/// The names of the target parameters a rendered body refers to (`{"$param": NAME}`).
fn params_used<'j>(j: &'j Json, out: &mut std::collections::BTreeSet<&'j str>) {
    match j {
        Json::Object(o) => {
            if let (1, Some(Json::String(n))) = (o.len(), o.get("$param")) {
                out.insert(n.as_str());
            }
            for v in o.values() {
                params_used(v, out);
            }
        }
        Json::Array(l) => {
            for v in l {
                params_used(v, out);
            }
        }
        _ => {}
    }
}

/// The Google APIs of a Terraform program (the `gcp_apis` table, stdlib/lower/gcp/_apis.toml):
/// one `google_project_service` per service its `google_*` resources need, sorted by service
/// and written first, and a `depends_on` from each resource to the services it needs. A
/// `google_project_service` the program declares itself for a service is used instead of a
/// new one. A resource whose `member` names a Google service agent (`...@DOMAIN`, a key of
/// `agents`, the `gcp_agent_apis` table) also needs the API whose enablement creates that agent:
/// a grant to Memorystore's agent before `redis.googleapis.com` is on names an account that
/// does not exist yet, and Google refuses it.
fn enable_gcp_apis(
    apis: &Map<String, Json>,
    agents: &Map<String, Json>,
    resources: &mut Vec<TargetResource>,
) {
    const TY: &str = "google_project_service";
    let needs = |tr: &TargetResource| -> Vec<String> {
        let mut out: Vec<String> = apis
            .iter()
            .filter(|(k, _)| tr.ty.starts_with(k.as_str()))
            .max_by_key(|(k, _)| k.len())
            .and_then(|(_, v)| v.as_array())
            .map(|l| {
                l.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let member = match tr.body.get("member") {
            Some(TValue::Str(s)) => s.clone(),
            Some(TValue::Interp(parts)) => parts
                .iter()
                .filter_map(|p| match p {
                    TPart::Lit(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect(),
            _ => String::new(),
        };
        for (domain, svc) in agents {
            if let Some(svc) = svc.as_str() {
                if member.contains(&format!("@{domain}")) && !out.iter().any(|s| s == svc) {
                    out.push(svc.to_string());
                }
            }
        }
        out
    };
    // Services the program enables itself, by the label of their resource.
    let mut declared: BTreeMap<String, String> = BTreeMap::new();
    for tr in resources.iter().filter(|tr| tr.ty == TY) {
        if let Some(TValue::Str(s)) = tr.body.get("service") {
            declared
                .entry(s.to_string())
                .or_insert_with(|| format!("{TY}.{}", tr.name));
        }
    }
    let labels: BTreeSet<String> = resources
        .iter()
        .filter(|tr| tr.ty == TY)
        .map(|tr| tr.name.clone())
        .collect();
    let mut wanted: BTreeMap<String, String> = BTreeMap::new();
    for tr in resources.iter_mut() {
        if tr.ty == TY || !tr.ty.starts_with("google_") {
            continue;
        }
        for svc in needs(tr) {
            let svc = svc.as_str();
            let dep = match (declared.get(svc), wanted.get(svc)) {
                (Some(d), _) => d.clone(),
                (None, Some(label)) => format!("{TY}.{label}"),
                (None, None) => {
                    let mut label = svc.split('.').next().unwrap_or(svc).replace('-', "_");
                    label.insert_str(0, "api_");
                    while labels.contains(&label) {
                        label.push('_');
                    }
                    let full = format!("{TY}.{label}");
                    wanted.insert(svc.to_string(), label);
                    full
                }
            };
            if !tr.depends_on.contains(&dep) {
                tr.depends_on.push(dep);
            }
        }
    }
    if wanted.is_empty() {
        return;
    }
    let services: Vec<TargetResource> = wanted
        .into_iter()
        .map(|(svc, label)| {
            let mut body = strata_model::TMap::new();
            body.insert("disable_on_destroy".to_string(), TValue::Bool(false));
            body.insert("service".to_string(), TValue::Str(svc));
            TargetResource {
                name: label,
                ty: TY.to_string(),
                body,
                depends_on: Vec::new(),
                source: None,
                retention: None,
            }
        })
        .collect();
    resources.splice(0..0, services);
}

/// An ECS service that Application Auto Scaling scales (an `aws.ecs.ServiceScaling` names it):
/// Terraform ignores changes of `desired_count`, which would otherwise set the task count back
/// to the written value on every `terraform apply` — scaling a loaded service in. (CloudFormation
/// changes `DesiredCount` only when the template's value changes.)
fn scaled_services_keep_their_count(model: &Model, resources: &mut [TargetResource]) {
    let scaled: BTreeSet<u32> = model
        .resources
        .iter()
        .filter(|r| r.ty == "aws.ecs.ServiceScaling")
        .filter_map(|r| r.props.get("service").and_then(Value::as_ref))
        .map(|x| x.resource.0)
        .collect();
    if scaled.is_empty() {
        return;
    }
    for tr in resources.iter_mut() {
        if tr.ty != "aws_ecs_service" || !tr.source.is_some_and(|id| scaled.contains(&id.0)) {
            continue;
        }
        let ignore = TValue::List(vec![TValue::Str("desired_count".to_string())]);
        match tr.body.get_mut("lifecycle") {
            Some(TValue::Blocks(bs)) if !bs.is_empty() => {
                bs[0].insert("ignore_changes".to_string(), ignore);
            }
            _ => {
                let mut block = strata_model::TMap::new();
                block.insert("ignore_changes".to_string(), ignore);
                tr.body
                    .insert("lifecycle".to_string(), TValue::Blocks(vec![block]));
            }
        }
    }
}

/// `on_delete` / `on_replace` as each target takes them. CloudFormation: `snapshot` on the
/// resources of a declaration whose type can be snapshotted (`Delete` on the others: the
/// snapshot keeps the data), an error when none can. Terraform: every resource lowered from
/// the declaration gets `prevent_destroy` (the emitter). Kubernetes and Deployment Manager
/// have no per-object setting: a warning, and nothing is written.
fn retention(
    model: &Model,
    target: Target,
    resources: &mut [TargetResource],
    diags: &mut Vec<Diagnostic>,
) {
    use strata_model::Removal;
    let origin = |tr: &TargetResource| {
        let id = tr.source?;
        let r = model.resources.get(id.0 as usize)?;
        Some(r.lowered_from.unwrap_or(id))
    };
    // Declarations with a retention, and whether one of their resources took `Snapshot`.
    let mut seen: BTreeMap<ResourceId, bool> = BTreeMap::new();
    for tr in resources.iter_mut() {
        let Some(o) = origin(tr) else { continue };
        let Some(ret) = tr.retention.as_mut() else {
            continue;
        };
        match target {
            Target::CloudFormation => {
                let can = CFN_SNAPSHOT.contains(&tr.ty.as_str());
                for p in [&mut ret.on_delete, &mut ret.on_replace] {
                    if *p == Removal::Snapshot && !can {
                        *p = Removal::Delete;
                    }
                }
                let took = seen.entry(o).or_insert(false);
                *took |= can;
            }
            Target::Terraform => {
                // `lifecycle { prevent_destroy = true }`: Terraform refuses a plan that
                // destroys or replaces it. A data source is never destroyed.
                let keeps = ret.keeps();
                if keeps && !tr.ty.starts_with("data.") {
                    let mut block = strata_model::TMap::new();
                    block.insert("prevent_destroy".to_string(), TValue::Bool(true));
                    match tr.body.get_mut("lifecycle") {
                        Some(TValue::Blocks(bs)) if !bs.is_empty() => {
                            bs[0].insert("prevent_destroy".to_string(), TValue::Bool(true));
                        }
                        _ => {
                            tr.body
                                .insert("lifecycle".to_string(), TValue::Blocks(vec![block]));
                        }
                    }
                }
            }
            Target::Kubernetes | Target::DeploymentManager => {
                seen.insert(o, false);
                tr.retention = None;
            }
        }
    }
    for (o, took) in seen {
        let r = model.resource(o);
        let Some(ret) = r.retention else { continue };
        match target {
            Target::CloudFormation => {
                let snap = [ret.on_delete, ret.on_replace].contains(&Removal::Snapshot);
                if snap && !took {
                    diags.push(
                        Diagnostic::error(
                            c::RETENTION,
                            format!(
                                "`{}` ({}) cannot be snapshotted in CloudFormation",
                                r.name, r.ty
                            ),
                            ret.span,
                        )
                        .with_label("\"snapshot\" is for databases, caches and volumes")
                        .with_help("write \"retain\" to keep the object itself"),
                    );
                }
            }
            Target::Kubernetes | Target::DeploymentManager if ret.keeps() => {
                let how = if target == Target::Kubernetes {
                    "Kubernetes objects have no deletion policy: `kubectl delete` and pruning remove them"
                } else {
                    "Deployment Manager sets it per deployment, not per resource"
                };
                diags.push(
                    Diagnostic::warning(
                        c::RETENTION,
                        format!("`{}`'s `on_delete`/`on_replace` is not written to {}", r.name, target.dir_name()),
                        ret.span,
                    )
                    .with_label(how)
                    .with_help(if target == Target::Kubernetes {
                        "keep the data in a PersistentVolume whose StorageClass has `reclaimPolicy: Retain`"
                    } else {
                        "delete the deployment with `gcloud deployment-manager deployments delete --delete-policy=ABANDON`, or compile to Terraform"
                    }),
                );
            }
            _ => {}
        }
    }
}

/// `depends_on` edges the properties do not already imply.
fn explicit_deps(
    model: &Model,
    by_id: &[Option<&Plan>],
    target: Target,
    r: &Resource,
    sink: &mut Sink,
) -> Vec<String> {
    if r.depends_on.is_empty() {
        return Vec::new();
    }
    let referenced: BTreeSet<ResourceId> = r
        .references()
        .into_iter()
        .map(|(x, _)| x.resource)
        .collect();
    let mut out = Vec::new();
    for (dep, span) in &r.depends_on {
        if referenced.contains(dep) {
            continue;
        }
        match by_id
            .get(dep.0 as usize)
            .copied()
            .flatten()
            .and_then(|p| p.planned.first())
        {
            Some(p) => {
                let n = p.full_name(target);
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            None => {
                let name = model
                    .resources
                    .get(dep.0 as usize)
                    .map_or("?", |d| d.name.as_str());
                sink.diags.push(
                    Diagnostic::error(c::CROSS_STACK, format!("`{}` depends on `{name}`, which is not in the same {} document", r.name, target.dir_name()), *span)
                        .with_help("resources can only depend on resources of the same stack and provider; deploy the stacks in order instead"),
                );
            }
        }
    }
    out
}

/// Conversion of rendered JSON into target values, resolving markers.
struct Conv<'a, 'p> {
    eng: &'a Engine,
    model: &'a Model,
    contexts: &'a Contexts,
    by_id: &'a [Option<&'p Plan<'p>>],
    target: Target,
    current: Option<(ResourceId, &'p Plan<'p>)>,
}

impl Conv<'_, '_> {
    fn tvalue(&self, j: &Json, sink: &mut Sink) -> Option<TValue> {
        Some(match j {
            Json::Null => return None,
            Json::Bool(b) => TValue::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => TValue::Int(i),
                None => TValue::Float(n.as_f64().unwrap_or(0.0)),
            },
            Json::String(s) => TValue::Str(s.clone()),
            Json::Array(a) => TValue::List(a.iter().filter_map(|v| self.tvalue(v, sink)).collect()),
            Json::Object(o) => match ctx::as_marker(j) {
                Some((m, payload)) => return self.marker(m, payload, sink),
                None => TValue::Map(
                    o.iter()
                        .filter_map(|(k, v)| {
                            self.tvalue(v, sink)
                                .map(|x| (ctx::unescape_key(k).to_string(), x))
                        })
                        .collect(),
                ),
            },
        })
    }

    /// [`Conv::tvalue`] of an owned value: strings and keys are moved, not copied.
    fn tvalue_owned(&self, j: Json, sink: &mut Sink) -> Option<TValue> {
        Some(match j {
            Json::String(s) => TValue::Str(s),
            Json::Array(a) => TValue::List(
                a.into_iter()
                    .filter_map(|v| self.tvalue_owned(v, sink))
                    .collect(),
            ),
            Json::Object(o) => {
                if let Some((m, payload)) = ctx::as_marker_of(&o) {
                    return self.marker(m, payload, sink);
                }
                TValue::Map(
                    o.into_iter()
                        .filter_map(|(k, v)| {
                            let k = if k.starts_with("$$") {
                                ctx::unescape_key(&k).to_string()
                            } else {
                                k
                            };
                            self.tvalue_owned(v, sink).map(|x| (k, x))
                        })
                        .collect(),
                )
            }
            other => return self.tvalue(&other, sink),
        })
    }

    /// [`Conv::tvalue`] of an evaluated body: what it borrows is copied once, into the
    /// target value; what it built is moved.
    fn tvalue_lv(&self, v: LVal, sink: &mut Sink) -> Option<TValue> {
        match v {
            LVal::Ref(j) => self.tvalue(j, sink),
            LVal::Own(j) => self.tvalue_owned(j, sink),
            LVal::Arr(a) => Some(TValue::List(
                a.into_iter()
                    .filter_map(|x| self.tvalue_lv(x, sink))
                    .collect(),
            )),
            LVal::Obj(m) => {
                let mut list = m.into_list();
                if let [(k, _)] = list.as_slice() {
                    if k.starts_with('$') && !k.starts_with("$$") {
                        let (k, payload) = list.pop()?;
                        return self.marker_lv(&k, payload, sink);
                    }
                }
                Some(TValue::Map(
                    list.into_iter()
                        .filter_map(|(k, v)| {
                            let x = self.tvalue_lv(v, sink)?;
                            let k = match k.strip_prefix("$$") {
                                Some(_) => ctx::unescape_key(&k).to_string(),
                                None => k.into_owned(),
                            };
                            Some((k, x))
                        })
                        .collect(),
                ))
            }
        }
    }

    /// [`Conv::marker`] with an evaluated payload: the markers bodies write as literals
    /// (`"$block"`, `"$blocks"`, `"$json"`) convert it directly.
    fn marker_lv(&self, m: &str, payload: LVal, sink: &mut Sink) -> Option<TValue> {
        match m {
            "$block" => match self.tvalue_lv(payload, sink) {
                Some(TValue::Map(m)) => Some(TValue::Blocks(vec![m])),
                _ => None,
            },
            "$blocks" => {
                let items: Vec<strata_model::TMap> = lval_items(payload)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|v| match self.tvalue_lv(v, sink) {
                        Some(TValue::Map(m)) => Some(m),
                        _ => None,
                    })
                    .collect();
                (!items.is_empty()).then_some(TValue::Blocks(items))
            }
            "$json" => self
                .tvalue_lv(payload, sink)
                .map(|v| TValue::Json(Box::new(v))),
            _ => self.marker(m, &payload.into_json(), sink),
        }
    }

    fn marker(&self, m: &str, payload: &Json, sink: &mut Sink) -> Option<TValue> {
        match m {
            "$ref" => {
                let Some((id, attr)) = ctx::ref_parts(payload) else {
                    sink.mapping_error(self.target, format!("malformed reference {payload}"));
                    return None;
                };
                self.resolve_ref(ResourceId(id), attr, sink)
            }
            "$entry" => {
                let Some((key, index, attr)) = ctx::sibling_parts(payload) else {
                    sink.mapping_error(self.target, format!("malformed entry reference {payload}"));
                    return None;
                };
                let (_, plan) = self.current?;
                match plan
                    .planned
                    .iter()
                    .find(|p| p.entry.key == key && p.index == index)
                {
                    Some(p) => Some(TValue::Ref(Box::new(TRef {
                        resource: p.full_name(self.target),
                        attr: attr.map(str::to_string),
                        param: false,
                    }))),
                    None => {
                        sink.mapping_error(
                            self.target,
                            format!("refers to entry `{key}`, which is not produced"),
                        );
                        None
                    }
                }
            }
            "$param" => Some(TValue::Ref(Box::new(TRef {
                resource: payload.as_str().unwrap_or_default().to_string(),
                attr: None,
                param: true,
            }))),
            "$interp" => {
                let mut parts: Vec<TPart> = Vec::new();
                for p in payload.as_array().map(Vec::as_slice).unwrap_or_default() {
                    match p {
                        Json::String(s) => push_lit(&mut parts, s),
                        other => match self.tvalue(other, sink) {
                            Some(TValue::Ref(r)) => parts.push(TPart::Ref(*r)),
                            Some(TValue::Str(s)) => push_lit(&mut parts, &s),
                            Some(TValue::Int(i)) => push_lit(&mut parts, &i.to_string()),
                            Some(TValue::Interp(ps)) => {
                                for x in ps {
                                    match x {
                                        TPart::Lit(s) => push_lit(&mut parts, &s),
                                        r => parts.push(r),
                                    }
                                }
                            }
                            None => {}
                            Some(_) => sink.mapping_error(
                                self.target,
                                "a list or map cannot be part of a string",
                            ),
                        },
                    }
                }
                Some(simplify(parts))
            }
            "$split" => {
                let (of, sep, index) = match payload.as_array().map(Vec::as_slice) {
                    Some([of, Json::String(sep), Json::Number(n)]) => (of, sep, n.as_u64()),
                    _ => (&Json::Null, &String::new(), None),
                };
                match (
                    self.tvalue(of, sink),
                    u32::try_from(index.unwrap_or(u64::MAX)),
                ) {
                    (Some(TValue::Ref(r)), Ok(index)) if !sep.is_empty() => {
                        Some(TValue::Interp(vec![TPart::Split {
                            of: *r,
                            sep: sep.clone(),
                            index,
                        }]))
                    }
                    (None, _) => None,
                    _ => {
                        sink.mapping_error(
                            self.target,
                            format!("malformed `split_part` {payload} (a reference, a separator, an index)"),
                        );
                        None
                    }
                }
            }
            "$block" => match self.tvalue(payload, sink) {
                Some(TValue::Map(m)) => Some(TValue::Blocks(vec![m])),
                _ => None,
            },
            "$blocks" => {
                let items: Vec<strata_model::TMap> = payload
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|v| match self.tvalue(v, sink) {
                        Some(TValue::Map(m)) => Some(m),
                        _ => None,
                    })
                    .collect();
                (!items.is_empty()).then_some(TValue::Blocks(items))
            }
            "$json" => self
                .tvalue(payload, sink)
                .map(|v| TValue::Json(Box::new(v))),
            // An explicit `null` (Terraform attributes-as-blocks need every field written).
            "$null" => Some(TValue::Null),
            "$q" => {
                sink.mapping_error(
                    self.target,
                    "a quantity is written without a unit conversion (use `gib`, `seconds`, ...)",
                );
                None
            }
            other => {
                sink.mapping_error(
                    self.target,
                    format!("marker `{other}` is not allowed in a target body"),
                );
                None
            }
        }
    }

    /// A Strata reference as this target refers to it, by the referenced resource's outs.
    fn resolve_ref(&self, id: ResourceId, attr: Option<&str>, sink: &mut Sink) -> Option<TValue> {
        let Some(plan) = self.by_id.get(id.0 as usize).copied().flatten() else {
            let name = self
                .model
                .resources
                .get(id.0 as usize)
                .map_or("?", |r| r.name.as_str());
            let span = sink
                .r
                .prop_spans
                .values()
                .next()
                .copied()
                .unwrap_or(sink.r.name_span);
            let span = prop_span_referencing(sink.r, id).unwrap_or(span);
            sink.diags.push(
                Diagnostic::error(c::CROSS_STACK, format!("`{}` refers to `{name}`, which is not in the same {} document", sink.r.name, self.target.dir_name()), span)
                    .with_label("reference to another stack or provider")
                    .with_help("a deployment document can only refer to its own resources; pass the value as a literal, or move both resources into one stack"),
            );
            return None;
        };
        let referenced = self.model.resource(id);
        if referenced.existing && self.target != Target::Terraform {
            return match crate::generated::existing_value(referenced, attr) {
                Ok(v) => self.tvalue(&ctx::to_ctx(&v), sink),
                Err(msg) => {
                    let span = prop_span_referencing(sink.r, id).unwrap_or(sink.r.name_span);
                    sink.diags.push(Diagnostic::error(c::MAPPING, msg, span).with_help("existing resources are named by literal values in CloudFormation, Kubernetes and Deployment Manager"));
                    None
                }
            };
        }
        if let Some(e) = plan.entries.first().filter(|e| e.generated) {
            let ty = &self.model.resource(id).ty;
            let full = plan
                .planned
                .first()
                .map(|p| p.full_name(self.target))
                .unwrap_or_default();
            return match crate::generated::tref(ty, full, self.target, attr) {
                Ok(t) => Some(TValue::Ref(Box::new(t))),
                Err(msg) => {
                    let _ = e;
                    sink.mapping_error(self.target, msg);
                    None
                }
            };
        }
        let key = attr.unwrap_or("ref");
        // Which entry declares this out?
        let found = plan
            .entries
            .iter()
            .find_map(|e| e.outs.get(key).map(|s| (e, s)));
        let (owner, spec) = match found {
            Some(x) => x,
            None if attr.is_none() => {
                let default = match self.target {
                    Target::Terraform => "${self.id}",
                    Target::DeploymentManager => "${self.name}",
                    _ => "${self}",
                };
                let parts = crate::engine::parse_out(default).unwrap_or_default();
                return self.eval_parts(&parts, &plan.entries[0], plan, sink);
            }
            None => {
                let r = self.model.resource(id);
                sink.mapping_error(
                    self.target,
                    format!(
                        "the mapping of `{}` has no out `{key}` (referenced as `{}.{key}`)",
                        r.ty, r.name
                    ),
                );
                return None;
            }
        };
        match spec {
            OutSpec::One(src) => self.eval_src(src, owner, id, plan, sink),
            OutSpec::Many(list) => Some(TValue::List(
                list.iter()
                    .filter_map(|s| self.eval_src(s, owner, id, plan, sink))
                    .collect(),
            )),
        }
    }

    fn eval_src(
        &self,
        src: &OutSrc,
        owner: &Entry,
        id: ResourceId,
        plan: &Plan,
        sink: &mut Sink,
    ) -> Option<TValue> {
        match src {
            OutSrc::Static(parts) => self.eval_parts(parts, owner, plan, sink),
            OutSrc::Template(t) => {
                let cx = self.contexts.get(id)?;
                match self
                    .eng
                    .render_text(t, cx)
                    .map_err(|e| e.to_string())
                    .and_then(|s| crate::engine::parse_out(&s))
                {
                    Ok(parts) => self.eval_parts(&parts, owner, plan, sink),
                    Err(e) => {
                        sink.mapping_error(self.target, format!("out template: {e}"));
                        None
                    }
                }
            }
        }
    }

    fn eval_parts(
        &self,
        parts: &[OutPart],
        owner: &Entry,
        plan: &Plan,
        sink: &mut Sink,
    ) -> Option<TValue> {
        let mut out: Vec<TPart> = Vec::new();
        for p in parts {
            match p {
                OutPart::Lit(s) => push_lit(&mut out, s),
                OutPart::Ref { key, attr, all } => {
                    let key = if key == "self" {
                        owner.key.as_str()
                    } else {
                        key.as_str()
                    };
                    let matches: Vec<&Planned> =
                        plan.planned.iter().filter(|x| x.entry.key == key).collect();
                    let tref = |x: &Planned| TRef {
                        resource: x.full_name(self.target),
                        attr: attr.clone(),
                        param: false,
                    };
                    if *all {
                        if parts.len() != 1 {
                            sink.mapping_error(self.target, "`[*]` must be the whole out spec");
                            return None;
                        }
                        return Some(TValue::List(
                            matches
                                .into_iter()
                                .map(|x| TValue::Ref(Box::new(tref(x))))
                                .collect(),
                        ));
                    }
                    match matches.first() {
                        Some(x) if x.index.is_none() => out.push(TPart::Ref(tref(x))),
                        _ => {
                            sink.mapping_error(self.target, format!("an out refers to entry `{key}`, which is not produced (or is repeated)"));
                            return None;
                        }
                    }
                }
            }
        }
        Some(simplify(out))
    }
}

fn prop_span_referencing(r: &Resource, id: ResourceId) -> Option<Span> {
    r.props.iter().find_map(|(k, v)| {
        let mut hit = false;
        v.visit_refs(&mut |x| hit |= x.resource == id);
        hit.then(|| r.prop_span(k))
    })
}

fn push_lit(parts: &mut Vec<TPart>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(TPart::Lit(last)) = parts.last_mut() {
        last.push_str(s);
    } else {
        parts.push(TPart::Lit(s.to_string()));
    }
}

/// One reference alone is that reference; only literals are a string.
fn simplify(mut parts: Vec<TPart>) -> TValue {
    if parts.len() > 1 {
        return TValue::Interp(parts);
    }
    match parts.pop() {
        None => TValue::Str(String::new()),
        Some(TPart::Lit(s)) => TValue::Str(s),
        Some(TPart::Ref(r)) => TValue::Ref(Box::new(r)),
        Some(p @ TPart::Split { .. }) => TValue::Interp(vec![p]),
    }
}

#[cfg(test)]
mod tests {
    //! The lowering engine on a toy table: 1→N entries, `when`, `each`, blocks, JSON values,
    //! interpolations, outs, explicit dependencies and cross-document references.
    use super::*;
    use crate::engine::Engine;
    use std::collections::BTreeMap;
    use strata_model::{Ref, Stack, StrPart, Value};

    const TABLE: &str = r#"
[provider.aws.terraform]
name = "aws"
map = '''{"region": stack.config.region, "default_tags": {"$block": {"tags": {"team": "x"}}}}'''

[[schema."t.Thing".terraform]]
type = "t_thing"
outs = { ref = "${self.id}", arn = "${self.arn}", url = "https://${self.host}/{{props.path}}" }
map = '''{"name": props.name, "size_gib": gib(props.size), "policy": {"$json": {"Resource": ref(props.peer, "arn")}}, "missing": props.nothing, "label": concat("x-", ref(props.peer, "arn"), "-y")}'''

[[schema."t.Thing".terraform]]
key = "extra"
type = "t_thing_extra"
when = "props.flag"
map = '''{"thing": entry("main", "id"), "opts": {"$block": {"on": true}}}'''

[[schema."t.Thing".terraform]]
key = "item"
type = "t_item"
each = "props.items"
map = '''{"thing": entry("main", "id"), "value": item, "n": index}'''
"#;

    fn span() -> strata_base::Span {
        strata_base::Span::default()
    }

    fn res(
        id: u32,
        name: &str,
        stack: usize,
        props: Vec<(&str, Value)>,
        deps: Vec<u32>,
    ) -> Resource {
        Resource {
            id: ResourceId(id),
            name: name.into(),
            ty: "t.Thing".into(),
            provider: Provider::Aws,
            props: props.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            prop_spans: BTreeMap::new(),
            depends_on: deps.into_iter().map(|d| (ResourceId(d), span())).collect(),
            name_span: span(),
            span: span(),
            stack: Some(stack),
            lowered_from: None,
            retention: None,
            existing: false,
            doc: None,
        }
    }

    fn model() -> Model {
        let stack = |n: &str| Stack {
            name: n.into(),
            provider: Provider::Aws,
            provider_config: [("region".to_string(), Value::Str("eu-west-1".into()))]
                .into_iter()
                .collect(),
            budget: None,
            budget_span: None,
            tags: BTreeMap::new(),
            span: span(),
            backend: None,
        };
        let r = |id: u32, n: &str, attr: Option<&str>| {
            Value::Ref(Ref {
                resource: ResourceId(id),
                name: n.into(),
                attr: attr.map(str::to_string),
            })
        };
        let gib = Value::Quantity(strata_model::Quantity {
            value: 1.5 * 1073741824.0,
            dimension: strata_base::units::Dimension::Size,
            unit: "GiB".into(),
        });
        Model {
            stacks: vec![stack("one"), stack("two")],
            resources: vec![
                res(
                    0,
                    "a",
                    0,
                    vec![
                        ("name", Value::Str("alpha".into())),
                        ("path", Value::Str("p".into())),
                    ],
                    vec![],
                ),
                res(
                    1,
                    "b.c",
                    0,
                    vec![
                        ("peer", r(0, "a", None)),
                        ("size", gib),
                        ("flag", Value::Bool(true)),
                        (
                            "items",
                            Value::list(vec![Value::Str("x".into()), Value::Str("y".into())]),
                        ),
                    ],
                    vec![0],
                ),
                res(
                    2,
                    "d",
                    0,
                    vec![
                        ("peer", r(0, "a", None)),
                        (
                            "path",
                            Value::interp(vec![
                                StrPart::Lit("u=".into()),
                                StrPart::Ref(Ref {
                                    resource: ResourceId(0),
                                    name: "a".into(),
                                    attr: Some("url".into()),
                                }),
                            ]),
                        ),
                    ],
                    vec![1],
                ),
                res(3, "e", 1, vec![("peer", r(0, "a", None))], vec![]),
            ],
            ..Model::default()
        }
    }

    #[test]
    fn stack_by_stack_gives_each_stack_once_and_the_same_programs() {
        let eng = Engine::from_files(&[("t.toml".into(), TABLE.into())]);
        let targets = Some(&[Target::Terraform][..]);
        let (all, all_diags) = to_targets_with(&eng, &model(), &Schemas::default(), targets);
        let mut calls: Vec<Vec<TargetProgram>> = Vec::new();
        let diags = to_targets_each_with(&eng, &model(), &Schemas::default(), targets, &mut |ps| {
            calls.push(ps)
        });
        // One call per stack, in model order, each with that stack's programs only.
        let stacks: Vec<Vec<&str>> = calls
            .iter()
            .map(|ps| ps.iter().map(|p| p.stack.as_str()).collect())
            .collect();
        assert_eq!(stacks, vec![vec!["one"], vec!["two"]]);
        assert_eq!(calls.concat(), all);
        assert_eq!(diags, all_diags);
        assert!(!all.is_empty() && !diags.is_empty());
    }

    #[test]
    fn renders_entries_markers_and_references() {
        let eng = Engine::from_files(&[("t.toml".into(), TABLE.into())]);
        assert!(eng.errors.is_empty(), "{:?}", eng.errors);
        let (programs, diags) = to_targets_with(
            &eng,
            &model(),
            &Schemas::default(),
            Some(&[Target::Terraform]),
        );
        // `e` (stack two) refers to `a` (stack one): one cross-document error.
        assert_eq!(
            diags.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
            vec![c::CROSS_STACK],
            "{diags:#?}"
        );
        assert_eq!(programs.len(), 2);
        let p = &programs[0];
        let names: Vec<String> = p
            .resources
            .iter()
            .map(|r| format!("{}.{}", r.ty, r.name))
            .collect();
        assert_eq!(
            names,
            [
                "t_thing.a",
                "t_thing.b_c",
                "t_thing_extra.b_c",
                "t_item.b_c_item_x",
                "t_item.b_c_item_y",
                "t_thing.d"
            ]
        );
        let b = &p.resources[1];
        assert_eq!(b.body.get("size_gib"), Some(&TValue::Int(2)));
        assert!(!b.body.contains_key("missing"));
        let arn = TRef {
            resource: "t_thing.a".into(),
            attr: Some("arn".into()),
            param: false,
        };
        let mut m = strata_model::TMap::new();
        m.insert("Resource".to_string(), TValue::Ref(Box::new(arn.clone())));
        assert_eq!(
            b.body.get("policy"),
            Some(&TValue::Json(Box::new(TValue::Map(m))))
        );
        assert_eq!(
            b.body.get("label"),
            Some(&TValue::Interp(vec![
                TPart::Lit("x-".into()),
                TPart::Ref(arn),
                TPart::Lit("-y".into())
            ]))
        );
        // `b.c` depends on `a` through a reference: no explicit edge. `d` depends on `b.c` explicitly.
        assert!(b.depends_on.is_empty());
        assert_eq!(p.resources[5].depends_on, vec!["t_thing.b_c".to_string()]);
        let extra = &p.resources[2];
        assert_eq!(
            extra.body.get("opts"),
            Some(&TValue::Blocks(vec![[(
                "on".to_string(),
                TValue::Bool(true)
            )]
            .into_iter()
            .collect()]))
        );
        assert_eq!(p.resources[4].body.get("n"), Some(&TValue::Int(1)));
        assert_eq!(p.resources[5].body.get("name"), None);
        assert_eq!(
            p.providers.get("aws").and_then(|m| m.get("region")),
            Some(&TValue::Str("eu-west-1".into()))
        );
        assert!(matches!(
            p.providers.get("aws").and_then(|m| m.get("default_tags")),
            Some(TValue::Blocks(_))
        ));
    }

    /// An entry's parameter is declared only in the programs whose resources use it: `b.c` (stack
    /// one) sets `flag`, `e` (stack two) does not; `never` is used by no body.
    #[test]
    fn parameters_are_declared_where_a_body_uses_them() {
        let table = r#"
[[schema."t.Thing".terraform]]
type = "t_thing"
params = [{ name = "who", type = "string", description = "asked" }, { name = "never", type = "string" }]
map = '''{"name": props.name, "who": if props.flag { param("who") } else { null }}'''
"#;
        let eng = Engine::from_files(&[("t.toml".into(), table.into())]);
        assert!(eng.errors.is_empty(), "{:?}", eng.errors);
        let (programs, _) = to_targets_with(
            &eng,
            &model(),
            &Schemas::default(),
            Some(&[Target::Terraform]),
        );
        let declared: Vec<Vec<&str>> = programs
            .iter()
            .map(|p| p.params.iter().map(|q| q.name.as_str()).collect())
            .collect();
        assert_eq!(declared, vec![vec!["who"], vec![]]);
        let b = &programs[0].resources[1];
        assert!(matches!(b.body.get("who"), Some(TValue::Ref(r)) if r.param));
    }

    #[test]
    fn outs_render_templates_and_splice_into_interpolations() {
        let eng = Engine::from_files(&[("t.toml".into(), {
            let t = TABLE.replace(
                r#""label": concat("x-", ref(props.peer, "arn"), "-y")"#,
                r#""label": props.path"#,
            );
            assert_ne!(t, TABLE);
            t
        })]);
        let (programs, _) = to_targets_with(
            &eng,
            &model(),
            &Schemas::default(),
            Some(&[Target::Terraform]),
        );
        let d = &programs[0].resources[5];
        let host = TRef {
            resource: "t_thing.a".into(),
            attr: Some("host".into()),
            param: false,
        };
        assert_eq!(
            d.body.get("label"),
            Some(&TValue::Interp(vec![
                TPart::Lit("u=https://".into()),
                TPart::Ref(host),
                TPart::Lit("/p".into())
            ]))
        );
    }

    #[test]
    fn broken_templates_become_diagnostics() {
        let bad = TABLE.replace(r#"{"name": props.name,"#, r#"{"name": nope(props.name),"#);
        assert_ne!(bad, TABLE);
        let eng = Engine::from_files(&[("t.toml".into(), bad)]);
        let (_, diags) = to_targets_with(
            &eng,
            &model(),
            &Schemas::default(),
            Some(&[Target::Terraform]),
        );
        assert!(
            diags
                .iter()
                .any(|d| d.code == c::MAPPING && d.message.contains("nope")),
            "{diags:#?}"
        );
    }

    #[test]
    fn output_is_the_same_whatever_the_thread_count() {
        let eng = Engine::from_files(&[("t.toml".into(), TABLE.into())]);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .map(|p| {
                p.install(|| {
                    to_targets_with(
                        &eng,
                        &model(),
                        &Schemas::default(),
                        Some(&[Target::Terraform]),
                    )
                })
            });
        let four = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .map(|p| {
                p.install(|| {
                    to_targets_with(
                        &eng,
                        &model(),
                        &Schemas::default(),
                        Some(&[Target::Terraform]),
                    )
                })
            });
        match (one, four) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            _ => panic!("thread pools"),
        }
    }
}
