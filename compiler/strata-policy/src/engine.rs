//! The engine: resolve the configuration, compute the facts, make one pass over the resources
//! dispatching each to the enabled rules for its type and kind, run the model-level rules once,
//! then the user policies.

use crate::config::PolicyConfig;
use crate::facts::Facts;
use crate::registry::{rules, Applies, Check, Rule};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use strata_base::{Applicability, Diagnostic, Edit, FileId, Fix, Severity, SourceMap, Span};
use strata_graph::ResourceGraph;
use strata_model::{Model, Resource, ResourceId, ResourceSchema, Schemas, Value};

/// What a rule sees.
pub struct Cx<'a> {
    pub model: &'a Model,
    pub schemas: &'a Schemas,
    pub graph: &'a ResourceGraph,
    pub facts: &'a Facts,
    /// The rule's options from `[rules]`.
    pub options: &'a BTreeMap<String, Value>,
    /// Usage assumptions of the cost estimate.
    pub usage: &'a crate::cost::UsageAssumptions,
    /// The source texts, when the caller has them: [`fix`] then attaches the edit it describes.
    pub sources: Option<&'a SourceMap>,
    /// The spans [`Cx::span_at`] gave, the paths asked for and where the part is written when
    /// that is outside the declaration: a finding at one of them is about that path (its
    /// call-site argument is looked up by it, the part outside gets a label).
    pub(crate) asked: &'a RefCell<Vec<Asked>>,
}

/// Model-level rules see the same context.
pub type ModelCx<'a> = Cx<'a>;

impl<'a> Cx<'a> {
    pub fn kind(&self, r: &Resource) -> &'static str {
        self.facts.kind(r.id)
    }
    pub fn is_prod(&self, r: &Resource) -> bool {
        self.facts.is_prod(r.id)
    }
    /// The environment is known and is not production.
    pub fn is_non_prod(&self, r: &Resource) -> bool {
        self.facts.is_non_prod(r.id)
    }
    pub fn is_public(&self, r: &Resource) -> bool {
        self.facts.public.contains(r.id)
    }
    pub fn schema(&self, r: &Resource) -> Option<&'a ResourceSchema> {
        self.schemas.get(&r.ty)
    }
    pub fn resource(&self, id: ResourceId) -> Option<&'a Resource> {
        self.model.resources.get(id.0 as usize)
    }
    /// The portable resource `r` was lowered from, if it is in the model.
    pub fn origin(&self, r: &Resource) -> Option<&'a Resource> {
        self.facts
            .origin
            .get(r.id.0 as usize)
            .copied()
            .flatten()
            .and_then(|o| self.resource(o))
    }
    /// Whether the user can write `prop` on `r`: its schema declares it (or the schema is
    /// unknown, as in hand-built models). Rules only ask for settings that exist.
    pub fn can_set(&self, r: &Resource, prop: &str) -> bool {
        self.schema(r).is_none_or(|s| s.fields.contains_key(prop))
    }
    /// Where `prop` of `r` is written; for a lowered resource whose property has no span of its
    /// own, where the first of `origin_props` is written in the portable resource; else the
    /// resource's name.
    pub fn span_of(&self, r: &Resource, prop: &str, origin_props: &[&str]) -> Span {
        if let Some(s) = r.prop_spans.get(prop) {
            return *s;
        }
        if let Some(o) = self.origin(r) {
            if let Some(s) = origin_props.iter().find_map(|p| o.prop_spans.get(*p)) {
                return *s;
            }
        }
        r.name_span
    }
    /// Where the part of `r` at `path` is written (`ingress[2]`, `env.API_KEY`,
    /// `policy.Statement[0]`; built with `strata_model::sites::{index, key}`): the deepest
    /// written part on the path, else as [`Cx::span_of`] for its top-level property.
    /// A part written outside the declaration (in a `let` the property names) is labelled
    /// as a second span, the finding staying in the declaration (where suppressions apply).
    pub fn span_at(&self, r: &Resource, path: &str, origin_props: &[&str]) -> Span {
        let part = self.model.sites.get(r.id).and_then(|s| s.value_span(path));
        let inside =
            |s: Span| s.file == r.span.file && r.span.start <= s.start && s.end <= r.span.end;
        let (span, outside) = match part {
            Some(s) if inside(s) => (s, None),
            other => (
                self.span_of(r, crate::reads::top_of(path), origin_props),
                other,
            ),
        };
        self.asked.borrow_mut().push(Asked {
            span,
            path: path.to_string(),
            outside,
        });
        span
    }
    pub fn option_i64(&self, key: &str) -> Option<i64> {
        self.options.get(key).and_then(Value::as_i64)
    }
    pub fn option_f64(&self, key: &str) -> Option<f64> {
        self.options.get(key).and_then(Value::as_f64)
    }
    pub fn option_strs(&self, key: &str) -> Option<Vec<&'a str>> {
        self.options
            .get(key)
            .and_then(Value::as_list)
            .map(|l| l.iter().filter_map(Value::as_str).collect())
    }
    pub fn option_ints(&self, key: &str) -> Option<Vec<i64>> {
        self.options
            .get(key)
            .and_then(Value::as_list)
            .map(|l| l.iter().filter_map(Value::as_i64).collect())
    }
}

/// Where a rule reports. Code and severity are filled in from the rule and the configuration.
pub struct Sink<'a> {
    code: &'static str,
    severity: Severity,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub fn new(code: &'static str, severity: Severity, out: &'a mut Vec<Diagnostic>) -> Sink<'a> {
        Sink {
            code,
            severity,
            out,
        }
    }
    /// Report at a span; returns the diagnostic to add a label, help and notes.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.out
            .push(Diagnostic::new(self.code, self.severity, message, span));
        let n = self.out.len() - 1;
        &mut self.out[n]
    }
    /// Report at a property of a resource (where it is written, else the resource's name).
    pub fn at(&mut self, r: &Resource, prop: &str, message: impl Into<String>) -> &mut Diagnostic {
        self.report(r.prop_span(prop), message)
    }
    pub fn severity(&self) -> Severity {
        self.severity
    }
}

/// Chainable setters on a reported diagnostic.
pub trait DiagExt {
    fn label(&mut self, text: impl Into<String>) -> &mut Self;
    /// The help line; a [`Help`] from [`fix`] also attaches its structured fix.
    fn help(&mut self, text: impl Into<Help>) -> &mut Self;
    fn note(&mut self, text: impl Into<String>) -> &mut Self;
    fn secondary(&mut self, span: Span, text: impl Into<String>) -> &mut Self;
}

impl DiagExt for Diagnostic {
    fn label(&mut self, text: impl Into<String>) -> &mut Self {
        self.primary.message = text.into();
        self
    }
    fn help(&mut self, text: impl Into<Help>) -> &mut Self {
        let help = text.into();
        self.help = Some(help.text);
        // A cost fix changes what runs (a smaller instance, no standby, objects moved to a
        // colder storage class): offered in the editor, never applied by `check --fix`.
        let cost = self.code.starts_with("COST");
        self.fixes.extend(help.fix.map(|mut f| {
            if cost {
                f.applicability = Applicability::MaybeIncorrect;
            }
            f
        }));
        self
    }
    fn note(&mut self, text: impl Into<String>) -> &mut Self {
        self.notes.push(text.into());
        self
    }
    fn secondary(&mut self, span: Span, text: impl Into<String>) -> &mut Self {
        self.secondary.push(strata_base::Label::new(span, text));
        self
    }
}

/// A help line, with the structured fix it describes when that is known exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Help {
    pub text: String,
    pub fix: Option<Fix>,
}

impl From<String> for Help {
    fn from(text: String) -> Help {
        Help { text, fix: None }
    }
}

impl From<&str> for Help {
    fn from(text: &str) -> Help {
        Help::from(text.to_string())
    }
}

impl From<&String> for Help {
    fn from(text: &String) -> Help {
        Help::from(text.clone())
    }
}

impl std::fmt::Display for Help {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Help text for a fix written on `r`: the exact line, and, for a lowered resource, where the
/// line belongs. When the line goes into a resource's own body and the sources are at hand, the
/// help carries the edit too (see [`property_fix`]).
pub fn fix(cx: &Cx<'_>, r: &Resource, line: &str) -> Help {
    let (text, target) = fix_text(cx, r, line);
    let fix = match (target, cx.sources) {
        (Some(t), Some(sources)) => property_fix(sources, t, line).map(|mut f| {
            // The portable resource `r` is lowered from: same field name, but its own type.
            if t.id != r.id {
                f.applicability = Applicability::MaybeIncorrect;
            }
            f
        }),
        _ => None,
    };
    Help { text, fix }
}

/// The edit that writes `line` (`prop = value`) in the declaration of `r`: replaces the field
/// `prop = ...` when it is written, else adds the line at the end of the body. `None` when the
/// line has a placeholder (`<a KMS key>`), is not one field, or the declaration cannot be read
/// back. Machine-applicable when the change stays in this one declaration and replaces no
/// expression that depends on something else (`multi_az = prod` differs per environment).
pub fn property_fix(sources: &SourceMap, r: &Resource, line: &str) -> Option<Fix> {
    use strata_syntax::ast::{ExprKind, Item};
    if line.contains('<') || line.contains('\n') {
        return None;
    }
    let (prop, _) = line.split_once('=')?;
    let prop = prop.trim();
    let probe = format!("resource probe: Probe {{\n  {line}\n}}\n");
    let (pt, pd) = strata_syntax::parse(FileId(0), &probe);
    let one_field = matches!(pt.items.as_slice(), [Item::Resource(p)] if p.body.len() == 1 && p.body[0].name.name == prop && !p.body[0].quoted);
    if !pd.is_empty() || !one_field {
        return None;
    }
    let file = sources.try_get(r.span.file)?;
    let text: &str = &file.text;
    let (a, b) = (r.span.start as usize, r.span.end as usize);
    let decl = text.get(a..b)?;
    let (tree, diags) = strata_syntax::parse(FileId(0), decl);
    let [Item::Resource(res)] = tree.items.as_slice() else {
        return None;
    };
    if !diags.is_empty() || res.name.name != r.name.rsplit('.').next().unwrap_or(&r.name) {
        return None;
    }
    let at = |s: Span| Span::new(r.span.file, a + s.start as usize, a + s.end as usize);
    // In a module or a loop the declaration makes several resources: look before applying.
    let shared = res.for_each.is_some() || r.name.contains(['.', '[']);
    let title = format!("Set `{line}` in `{}`", r.name);
    if let Some(existing) = res.body.iter().find(|f| f.name.name == prop) {
        let literal = matches!(
            existing.value.kind,
            ExprKind::Null
                | ExprKind::Bool(_)
                | ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::Quantity { .. }
                | ExprKind::Cidr(_)
        ) || matches!(&existing.value.kind, ExprKind::Str(parts) if parts.len() <= 1);
        let applicability = if literal && !shared {
            Applicability::MachineApplicable
        } else {
            Applicability::MaybeIncorrect
        };
        return Some(Fix::replace(title, at(existing.span), line, applicability));
    }
    // Add the field before the closing brace of the body.
    let close = b.checked_sub(1)?;
    if text.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let ty_end = a + res.ty.span.end as usize;
    let open = text.get(ty_end..close)?.find('{')? + ty_end;
    let inner = text.get(open + 1..close)?;
    let (span, replacement) = if inner.contains('\n') {
        // One field per line: indent like the last field, or two more than the resource.
        let line_start = text[..close].rfind('\n').map_or(0, |i| i + 1);
        let item_start = text[..a].rfind('\n').map_or(0, |i| i + 1);
        let item_indent: String = text[item_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let last_indent = res.body.last().and_then(|f| {
            let before = text.get(..a + f.span.start as usize)?;
            let ls = before.rfind('\n').map_or(0, |i| i + 1);
            Some(before[ls..].to_string()).filter(|i| i.chars().all(|c| c == ' ' || c == '\t'))
        });
        let indent = last_indent.unwrap_or_else(|| format!("{item_indent}  "));
        if text[line_start..close].trim().is_empty() {
            (
                Span::new(r.span.file, line_start, line_start),
                format!("{indent}{line}\n"),
            )
        } else {
            (
                Span::new(r.span.file, close, close),
                format!("\n{indent}{line}\n{item_indent}"),
            )
        }
    } else if inner.trim().is_empty() {
        (Span::new(r.span.file, open + 1, close), format!(" {line} "))
    } else {
        let last_end = a + res.body.last()?.span.end as usize;
        (
            Span::new(r.span.file, last_end, last_end),
            format!(", {line}"),
        )
    };
    Some(Fix {
        title,
        edits: vec![Edit { span, replacement }],
        applicability: if shared {
            Applicability::MaybeIncorrect
        } else {
            Applicability::MachineApplicable
        },
    })
}

/// The help text of [`fix`], and the resource whose body the line goes in when it names one.
fn fix_text<'a>(cx: &Cx<'a>, r: &'a Resource, line: &str) -> (String, Option<&'a Resource>) {
    // `backups.point_in_time = true` is not Strata syntax: say where the field goes.
    if let Some((lhs, rhs)) = line.split_once(" = ") {
        if let Some((outer, field)) = lhs.rsplit_once('.') {
            if !lhs.contains(' ') {
                return (
                    format!(
                        "write `{field} = {rhs}` inside `{outer} = {{ ... }}` of `{}`",
                        r.name
                    ),
                    None,
                );
            }
        }
    }
    match cx.origin(r) {
        Some(o) => {
            let field = line.split([' ', '.', '=']).next().unwrap_or(line);
            // The portable type may have the setting inside a record field (`backups.point_in_time`).
            if let Some(outer) = cx.schemas.get(&o.ty).filter(|s| !s.fields.contains_key(field)).and_then(|s| {
                s.fields.iter().find(|(_, f)| matches!(f.ty.resolved(), strata_model::Ty::Record(inner) if inner.contains_key(field))).map(|(k, _)| k.clone())
            }) {
                return (
                    format!("write `{line}` inside `{outer} = {{ ... }}` of `{}`", o.name),
                    None,
                );
            }
            if cx
                .schemas
                .get(&o.ty)
                .is_none_or(|s| s.fields.contains_key(field))
            {
                let text = if o.name == r.name {
                    format!("write `{line}` in `{}`", o.name)
                } else {
                    format!(
                        "write `{line}` in `{}` (`{}` is lowered from it)",
                        o.name, r.name
                    )
                };
                (text, Some(o))
            } else {
                (format!("`{}` (`{}`) has no such setting: declare the `{}` yourself instead of `{}` to write `{line}`", o.name, o.ty, r.ty, o.name), None)
            }
        }
        None => (format!("write `{line}` in `{}`", r.name), Some(r)),
    }
}

/// A type of a project's own schemas (not the stdlib's, not the generated layer's).
fn is_project_type(ty: &str) -> bool {
    let root = ty.split('.').next().unwrap_or("");
    !strata_stdlib::PACKAGES.contains(&root) && !strata_stdlib::generated::is_family(root)
}

/// The kind of a type from its schema's `@kind`, else from its name.
fn kind_of_type(schemas: &Schemas, ty: &str) -> &'static str {
    schemas
        .get(ty)
        .and_then(|s| s.attr_str("kind"))
        .map(crate::facts::canonical_kind)
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| crate::facts::kind_from_type(ty))
}

/// An enabled rule with its resolved severity and options.
struct Enabled<'c> {
    rule: &'static Rule,
    severity: Severity,
    options: &'c BTreeMap<String, Value>,
}

/// A model rule's finding on a resource a module instance creates (or on what it is lowered
/// to) gets the call-site labels of [`call_site_labels`], as a per-resource rule's does. The
/// resource is the innermost module-created one whose declaration holds the finding; the
/// instances of one module share their declarations' spans, so among those the one the
/// message names (a finding naming none of them gets no label rather than a wrong one).
fn model_call_site_labels(model: &Model, asked: &[Asked], found: &mut [Diagnostic]) {
    if model.sites.is_empty() || found.is_empty() {
        return;
    }
    let created: Vec<&Resource> = model
        .sites
        .iter()
        .filter(|(_, s)| s.call.is_some())
        .filter_map(|(id, _)| model.resources.get(id.0 as usize))
        .collect();
    if created.is_empty() {
        return;
    }
    for d in found.iter_mut() {
        let at = d.primary.span;
        let mut holders: Vec<&Resource> = created
            .iter()
            .copied()
            .filter(|r| r.span.file == at.file && r.span.start <= at.start && at.end <= r.span.end)
            .collect();
        let Some(inner) = holders.iter().map(|r| r.span.end - r.span.start).min() else {
            continue;
        };
        holders.retain(|r| r.span.end - r.span.start == inner);
        let owner = match holders.as_slice() {
            [one] => *one,
            _ => match holders
                .iter()
                .find(|r| d.message.contains(&format!("`{}`", r.name)))
            {
                Some(r) => *r,
                None => continue,
            },
        };
        call_site_labels(model, owner, asked, std::slice::from_mut(d));
    }
}

/// What a rule asked [`Cx::span_at`] for.
pub(crate) struct Asked {
    span: Span,
    path: String,
    outside: Option<Span>,
}

/// A part of the value written outside the declaration gets a secondary label there. And a finding on a resource a module instance creates (or on what such a resource is lowered
/// to) gets a secondary label where the user's code caused it: the argument of the outermost
/// call that supplied the value the finding points at, else that call itself.
fn call_site_labels(model: &Model, r: &Resource, asked: &[Asked], found: &mut [Diagnostic]) {
    for d in found.iter_mut() {
        let at = d.primary.span;
        if let Some(o) = asked.iter().find(|a| a.span == at).and_then(|a| a.outside) {
            if !d.secondary.iter().any(|l| l.span == o) {
                d.secondary.push(strata_base::Label::new(
                    o,
                    format!("written here, used by `{}`", r.name),
                ));
            }
        }
    }
    let owner = match model.sites.get(r.id) {
        Some(s) => Some((r, s)),
        None => r
            .lowered_from
            .and_then(|o| model.resources.get(o.0 as usize))
            .and_then(|o| model.sites.get(o.id).map(|s| (o, s))),
    };
    let Some((owner, sites)) = owner else { return };
    let Some(call) = sites.call else { return };
    let instance = owner.name.split('.').next().unwrap_or(&owner.name);
    for d in found {
        let at = d.primary.span;
        // The path the rule asked for when it is the same resource (a lowered resource's
        // paths are its own, not its origin's), else the part or property written there.
        let path = asked
            .iter()
            .filter(|_| owner.id == r.id)
            .find(|a| a.span == at)
            .map(|a| a.path.as_str())
            .or_else(|| sites.path_at(at))
            .or_else(|| {
                owner
                    .prop_spans
                    .iter()
                    .find(|(_, s)| **s == at)
                    .map(|(k, _)| k.as_str())
            });
        let args = path.map(|p| sites.arg_spans(p)).unwrap_or_default();
        let labels: Vec<(Span, String)> = if args.is_empty() {
            vec![(
                call,
                format!("`{}` is created by this module instance", owner.name),
            )]
        } else {
            args.into_iter()
                .map(|s| {
                    (
                        s,
                        format!("the value comes from this argument of `{instance}`"),
                    )
                })
                .collect()
        };
        for (span, text) in labels {
            if span != at && !d.secondary.iter().any(|l| l.span == span) {
                d.secondary.push(strata_base::Label::new(span, text));
            }
        }
    }
}

/// Run every enabled rule and the user policies. Diagnostics come back sorted.
pub fn run(
    model: &Model,
    schemas: &Schemas,
    graph: &ResourceGraph,
    config: &PolicyConfig,
    sources: Option<&SourceMap>,
) -> Vec<Diagnostic> {
    let facts = Facts::compute(model, schemas);
    let enabled: Vec<Enabled<'_>> = rules()
        .iter()
        .filter_map(|&rule| {
            let r = config.resolve(rule);
            r.severity.map(|severity| Enabled {
                rule,
                severity,
                options: r.options,
            })
        })
        .collect();

    // Dispatch tables: type → rules, kind → rules, and rules for every resource.
    let mut by_type: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_kind: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut for_all: Vec<usize> = Vec::new();
    let mut model_rules: Vec<usize> = Vec::new();
    for (i, e) in enabled.iter().enumerate() {
        match (e.rule.check, e.rule.applies) {
            (Check::Resource(_), Applies::Types(ts)) => ts
                .iter()
                .for_each(|t| by_type.entry(*t).or_default().push(i)),
            (Check::Resource(_), Applies::Kinds(ks)) => ks
                .iter()
                .for_each(|k| by_kind.entry(*k).or_default().push(i)),
            (Check::Resource(_), Applies::All) => for_all.push(i),
            (Check::Resource(_), Applies::Reads) => {
                let mut types: Vec<&str> = (e.rule.reads)().iter().map(|x| x.ty).collect();
                types.sort_unstable();
                types.dedup();
                for t in types {
                    by_type.entry(t).or_default().push(i);
                }
            }
            (Check::Model(_), _) => model_rules.push(i),
            (Check::Builtin, _) => {}
        }
    }

    // A project's own schema with `@kind` is read like a stdlib type of that kind: for each
    // rule, the first such type of its reads whose read properties the schema declares.
    let mut as_stdlib: HashMap<(usize, &str), &'static str> = HashMap::new();
    for r in &model.resources {
        if !is_project_type(&r.ty) || facts.superseded.contains(r.id) {
            continue;
        }
        let kind = facts.kind(r.id);
        let Some(schema) = schemas.get(&r.ty).filter(|_| !kind.is_empty()) else {
            continue;
        };
        for (i, e) in enabled.iter().enumerate() {
            if as_stdlib.contains_key(&(i, r.ty.as_str()))
                || !matches!(
                    (e.rule.check, e.rule.applies),
                    (Check::Resource(_), Applies::Reads)
                )
            {
                continue;
            }
            let reads = (e.rule.reads)();
            let like = reads.iter().map(|x| x.ty).find(|t| {
                let tops: Vec<&str> = reads
                    .iter()
                    .filter(|x| x.ty == *t && !x.path.is_empty())
                    .map(|x| crate::reads::top_of(x.path))
                    .collect();
                strata_stdlib::PACKAGES.contains(&t.split('.').next().unwrap_or(""))
                    && kind_of_type(schemas, t) == kind
                    && !tops.is_empty()
                    && tops.iter().all(|p| schema.fields.contains_key(*p))
            });
            if let Some(t) = like {
                as_stdlib.insert((i, r.ty.as_str()), t);
            }
        }
    }

    // Resources, then model rules, in parallel; each produces its own findings in a fixed
    // order and the result is sorted below, so the output does not depend on scheduling.
    use rayon::prelude::*;
    let empty: Vec<usize> = Vec::new();
    let per_resource: Vec<Vec<Diagnostic>> = model
        .resources
        .par_iter()
        .filter(|r| !facts.superseded.contains(r.id))
        .map(|r| {
            let mut found = Vec::new();
            let asked = RefCell::new(Vec::new());
            let kind = facts.kind(r.id);
            let t = by_type.get(r.ty.as_str()).unwrap_or(&empty);
            // Rules applied by kind read curated property names; a generated type is reached
            // only through the reads a rule declares for it (`Applies::Reads`).
            let k = if kind.is_empty() || strata_stdlib::generated::family_of(&r.ty).is_some() {
                &empty
            } else {
                by_kind.get(kind).unwrap_or(&empty)
            };
            // Rules that read a project type like a stdlib one, with the resource seen as that
            // type (its name, properties and spans unchanged).
            let mut like: Vec<(usize, Resource)> = Vec::new();
            if is_project_type(&r.ty) {
                for i in 0..enabled.len() {
                    if let Some(t) = as_stdlib.get(&(i, r.ty.as_str())) {
                        let mut view = r.clone();
                        view.ty = (*t).to_string();
                        like.push((i, view));
                    }
                }
            }
            let direct = t
                .iter()
                .chain(k.iter())
                .chain(for_all.iter())
                .map(|&i| (i, r));
            let viewed = like.iter().map(|(i, v)| (*i, v));
            for (i, r) in direct.chain(viewed) {
                let e = &enabled[i];
                if let Check::Resource(f) = e.rule.check {
                    let cx = Cx {
                        model,
                        schemas,
                        graph,
                        facts: &facts,
                        options: e.options,
                        usage: &config.usage,
                        sources,
                        asked: &asked,
                    };
                    let mut sink = Sink::new(e.rule.code, e.severity, &mut found);
                    f(&cx, r, &mut sink);
                }
            }
            call_site_labels(model, r, &asked.borrow(), &mut found);
            found
        })
        .collect();
    let per_model_rule: Vec<Vec<Diagnostic>> = model_rules
        .par_iter()
        .map(|&i| {
            let mut found = Vec::new();
            let asked = RefCell::new(Vec::new());
            let e = &enabled[i];
            if let Check::Model(f) = e.rule.check {
                let cx = Cx {
                    model,
                    schemas,
                    graph,
                    facts: &facts,
                    options: e.options,
                    usage: &config.usage,
                    sources,
                    asked: &asked,
                };
                let mut sink = Sink::new(e.rule.code, e.severity, &mut found);
                f(&cx, &mut sink);
            }
            model_call_site_labels(model, &asked.borrow(), &mut found);
            found
        })
        .collect();
    let mut out: Vec<Diagnostic> = per_resource
        .into_iter()
        .chain(per_model_rule)
        .flatten()
        .collect();
    let unknown_endpoint = enabled
        .iter()
        .find(|e| e.rule.code == crate::rules::pol004_unknown_path_endpoint::RULE.code)
        .map(|e| e.severity);
    out.extend(crate::user::check(
        model,
        graph,
        &facts,
        unknown_endpoint,
        schemas,
    ));
    out.sort_by_cached_key(|d| d.sort_key());
    out.dedup();
    fold_loop_instances(&mut out);
    out
}

/// `name` with each instance key of a loop (`db["a"]`, `x[0]["b"]`) replaced by `[…]`.
fn without_instance_keys(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    let mut prev: Option<char> = None;
    while let Some(c) = chars.next() {
        let after_name = prev.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == ']');
        if c == '[' && after_name {
            // Skip to the matching `]`, across quoted keys.
            let mut quoted = false;
            for d in chars.by_ref() {
                match d {
                    '"' => quoted = !quoted,
                    ']' if !quoted => break,
                    _ => {}
                }
            }
            out.push_str("[…]");
            prev = Some(']');
            continue;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// One finding per fault: the instances of one loop (`resource db[i in ["a", "b"]]`) that break
/// a rule at the same place of the source are one finding, at that place, naming the other
/// instances in a note — not one finding per instance on the same line. Instances whose
/// findings differ (another message, another severity or call-site label) stay apart.
fn fold_loop_instances(out: &mut Vec<Diagnostic>) {
    if out.len() < 2 {
        return;
    }
    let key = |d: &Diagnostic| {
        (
            d.code.clone(),
            d.primary.span,
            d.severity,
            without_instance_keys(&d.message),
            d.secondary
                .iter()
                .map(|l| (l.span, without_instance_keys(&l.message)))
                .collect::<Vec<_>>(),
        )
    };
    let mut first_of: HashMap<_, usize> = HashMap::new();
    let mut also: Vec<Vec<String>> = vec![Vec::new(); out.len()];
    let mut keep = vec![true; out.len()];
    for (i, d) in out.iter().enumerate() {
        if !d.message.contains('[') {
            continue;
        }
        let k = key(d);
        match first_of.get(&k) {
            Some(&f) if out[f].message != d.message => {
                keep[i] = false;
                also[f].push(instance_named(&d.message));
            }
            Some(_) => {}
            None => {
                first_of.insert(k, i);
            }
        }
    }
    if keep.iter().all(|k| *k) {
        return;
    }
    let mut i = 0;
    out.retain_mut(|d| {
        let k = keep[i];
        if !also[i].is_empty() {
            d.notes.push(format!("the same in {}", also[i].join(", ")));
        }
        i += 1;
        k
    });
}

/// The first backquoted name with an instance key in `message` (`db["b"]`), else the message.
fn instance_named(message: &str) -> String {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .find(|s| s.contains('['))
        .map_or_else(|| message.to_string(), |s| format!("`{s}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_model::Provider;

    #[test]
    fn instance_keys_are_stripped_from_names_only() {
        assert_eq!(
            without_instance_keys("`db[\"a\"]` has a literal value in `password`"),
            "`db[…]` has a literal value in `password`"
        );
        assert_eq!(
            without_instance_keys("`x[0][\"b]c\"]` allows `[::]/0`"),
            "`x[…][…]` allows `[::]/0`"
        );
    }

    #[test]
    fn loop_instances_with_the_same_finding_fold_into_one() {
        let span = |s: u32| strata_base::Span {
            file: strata_base::FileId(0),
            start: s,
            end: s + 2,
        };
        let d = |name: &str, at: u32| {
            Diagnostic::error("SEC095", format!("`{name}` has a literal value"), span(at))
        };
        let mut out = vec![
            d("db[\"a\"]", 10),
            d("db[\"b\"]", 10),
            d("db[\"c\"]", 10),
            d("other[\"a\"]", 40),
            d("lone", 50),
        ];
        fold_loop_instances(&mut out);
        let got: Vec<(&str, &[String])> = out
            .iter()
            .map(|d| (d.message.as_str(), d.notes.as_slice()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "`db[\"a\"]` has a literal value",
                    &["the same in `db[\"b\"]`, `db[\"c\"]`".to_string()][..]
                ),
                ("`other[\"a\"]` has a literal value", &[][..]),
                ("`lone` has a literal value", &[][..]),
            ]
        );
        // Another place in the source is another fault.
        let mut apart = vec![d("db[\"a\"]", 10), d("db[\"b\"]", 20)];
        fold_loop_instances(&mut apart);
        assert_eq!(apart.len(), 2);
    }

    /// Apply the fix that writes `line` into the resource `name` of `text` (declared at the
    /// top of the file): the new text and the applicability.
    fn apply(text: &str, name: &str, line: &str) -> Option<(String, Applicability)> {
        let mut sources = SourceMap::new();
        let file = sources.add("main.strata", text, false);
        let (tree, _) = strata_syntax::parse(file, text);
        let decl = tree.items.iter().find_map(|i| match i {
            strata_syntax::ast::Item::Resource(r)
                if r.name.name == name.rsplit('.').next().unwrap_or(name) =>
            {
                Some(r)
            }
            _ => None,
        })?;
        let r = Resource {
            id: ResourceId(0),
            name: name.to_string(),
            ty: "T".into(),
            provider: Provider::Aws,
            props: BTreeMap::new(),
            prop_spans: BTreeMap::new(),
            depends_on: Vec::new(),
            name_span: decl.name.span,
            span: decl.span,
            stack: None,
            lowered_from: None,
            retention: None,
            existing: false,
            doc: None,
        };
        let fix = property_fix(&sources, &r, line)?;
        let mut out = text.to_string();
        for e in fix.edits.iter().rev() {
            out.replace_range(e.span.range(), &e.replacement);
        }
        Some((out, fix.applicability))
    }

    const M: Applicability = Applicability::MachineApplicable;
    const MAYBE: Applicability = Applicability::MaybeIncorrect;

    #[test]
    fn replaces_a_literal_field_or_adds_the_line() {
        let t = "resource db: Postgres {\n  multi_az = false\n  storage = 20 GiB\n}\n";
        assert_eq!(
            apply(t, "db", "multi_az = true"),
            Some((t.replace("multi_az = false", "multi_az = true"), M))
        );
        let t = "resource b: Bucket {\n  versioning = true\n}\n";
        assert_eq!(
            apply(t, "b", "lifecycle = [{ after = 90d, storage_class = \"GLACIER\" }]"),
            Some((
                "resource b: Bucket {\n  versioning = true\n  lifecycle = [{ after = 90d, storage_class = \"GLACIER\" }]\n}\n".into(),
                M
            ))
        );
        let t = "resource b: Bucket { versioning = true }\n";
        assert_eq!(
            apply(t, "b", "x = 1"),
            Some((
                "resource b: Bucket { versioning = true, x = 1 }\n".into(),
                M
            ))
        );
        let t = "resource b: Bucket {}\n";
        assert_eq!(
            apply(t, "b", "x = 1"),
            Some(("resource b: Bucket { x = 1 }\n".into(), M))
        );
        let t = "resource b: Bucket { a = 1\n}\n";
        assert_eq!(
            apply(t, "b", "x = 1"),
            Some(("resource b: Bucket { a = 1\n  x = 1\n}\n".into(), M))
        );
        let t = "let p = 1\n  resource b: Bucket {\n  }\n";
        assert_eq!(
            apply(t, "b", "x = 1"),
            Some((
                "let p = 1\n  resource b: Bucket {\n    x = 1\n  }\n".into(),
                M
            ))
        );
    }

    #[test]
    fn uncertain_fixes_are_maybe_incorrect_or_absent() {
        // An expression that differs per environment: offered, not applied by --fix.
        let t = "resource db: Postgres {\n  multi_az = prod\n}\n";
        assert_eq!(
            apply(t, "db", "multi_az = true").map(|(_, a)| a),
            Some(MAYBE)
        );
        // A declaration that makes several resources (a module's, a loop's).
        let t = "resource db: Postgres {\n  multi_az = false\n}\n";
        assert_eq!(
            apply(t, "main.db", "multi_az = true").map(|(_, a)| a),
            Some(MAYBE)
        );
        // Placeholders and lines that are not one field: nothing.
        assert_eq!(apply(t, "db", "kms_key = <a KMS key>"), None);
        assert_eq!(apply(t, "db", "class = "), None);
        assert_eq!(apply(t, "db", "a = 1\nb = 2"), None);
    }
}
