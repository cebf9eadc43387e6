//! Test support (feature `testkit`): build a [`Model`] by hand together with a synthetic Strata
//! source text, so every property, `depends_on` element, budget and policy has a real span, and
//! render diagnostics inline under the lines they point at (the form snapshots are reviewed in).
//!
//! ```text
//! let mut f = Fixture::new();
//! f.stack("shop", Provider::Aws, |s| { s.set("region", "us-east-1"); s.budget(600.0); });
//! f.resource("key", "aws.kms.Key", |r| { r.set("rotation", false); });
//! f.resource("bucket", "aws.s3.Bucket", |r| { r.set("encryption", refer("key")); });
//! let (model, sources) = f.finish();
//! ```
//! Panics on misuse (unknown resource names): it is for tests only.

use std::collections::BTreeMap;
use std::fmt::Write;
use strata_base::units::{unit, Dimension};
use strata_base::{Diagnostic, FileId, Severity, SourceMap, Span};
use strata_model::{
    Model, PathRule, Provider, Quantity, Ref, Resource, ResourceId, Stack, StrPart, UserPolicy,
    Value, Violation,
};

/// Anything a property can be set to.
pub trait IntoValue {
    fn into_value(self) -> Value;
}
impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}
impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}
impl IntoValue for i64 {
    fn into_value(self) -> Value {
        Value::Int(self)
    }
}
impl IntoValue for i32 {
    fn into_value(self) -> Value {
        Value::Int(self as i64)
    }
}
impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Float(self)
    }
}
impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::str(self.to_string())
    }
}
impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::str(self)
    }
}
impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}

/// A quantity: `qty(100.0, "GiB")`, `qty(30.0, "d")`.
pub fn qty(n: f64, unit_name: &str) -> Value {
    let u = unit(unit_name).unwrap_or_else(|| panic!("unknown unit {unit_name}"));
    Value::Quantity(Quantity {
        value: n * u.factor,
        dimension: u.dimension,
        unit: unit_name.to_string(),
    })
}
/// A size in GiB.
pub fn gib(n: f64) -> Value {
    qty(n, "GiB")
}
/// A duration in days.
pub fn days(n: f64) -> Value {
    qty(n, "d")
}
/// A CIDR literal.
pub fn cidr(s: &str) -> Value {
    Value::cidr(s.to_string())
}
/// A record (or map) from pairs.
pub fn rec<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Record(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}
/// A list of values.
pub fn list<const N: usize>(items: [Value; N]) -> Value {
    Value::list(items.into())
}
/// Shorthand for any value.
pub fn v(x: impl IntoValue) -> Value {
    x.into_value()
}
/// A reference to a resource by name (resolved when the fixture is finished).
pub fn refer(name: &str) -> Value {
    Value::Ref(Ref {
        resource: ResourceId(u32::MAX),
        name: name.to_string(),
        attr: None,
    })
}
/// A reference to an attribute of a resource: `refer_attr("db", "url")` is `db.url`.
pub fn refer_attr(name: &str, attr: &str) -> Value {
    Value::Ref(Ref {
        resource: ResourceId(u32::MAX),
        name: name.to_string(),
        attr: Some(attr.to_string()),
    })
}
/// An interpolated string: `interp(["postgres://", "@db.address", ":5432"])` — parts starting
/// with `@` are references (`@name` or `@name.attr`).
pub fn interp<const N: usize>(parts: [&str; N]) -> Value {
    Value::Interp(
        parts
            .into_iter()
            .map(|p| match p.strip_prefix('@') {
                Some(r) => {
                    let (name, attr) = match r.split_once('.') {
                        Some((n, a)) => (n, Some(a.to_string())),
                        None => (r, None),
                    };
                    StrPart::Ref(Ref {
                        resource: ResourceId(u32::MAX),
                        name: name.to_string(),
                        attr,
                    })
                }
                None => StrPart::Lit(p.to_string()),
            })
            .collect(),
    )
}

/// Builder of one resource (see [`Fixture::resource`]).
pub struct ResourceBuilder {
    props: Vec<(String, Value, Option<String>)>,
    depends_on: Vec<String>,
    stack: Option<usize>,
    lowered_from: Option<String>,
    doc: Option<String>,
}

impl ResourceBuilder {
    /// Set a property (written in the source text).
    pub fn set(&mut self, name: &str, value: impl IntoValue) -> &mut Self {
        self.props
            .push((name.to_string(), value.into_value(), None));
        self
    }
    /// Set a property without writing it (a schema default: no span of its own).
    pub fn default(&mut self, name: &str, value: impl IntoValue) -> &mut Self {
        self.props
            .push((name.to_string(), value.into_value(), Some(String::new())));
        self
    }
    /// For a lowered resource: set a property whose span is that of `origin_prop` of the
    /// portable resource it was lowered from.
    pub fn set_from(&mut self, name: &str, value: impl IntoValue, origin_prop: &str) -> &mut Self {
        self.props.push((
            name.to_string(),
            value.into_value(),
            Some(origin_prop.to_string()),
        ));
        self
    }
    pub fn depends_on(&mut self, name: &str) -> &mut Self {
        self.depends_on.push(name.to_string());
        self
    }
    /// Put the resource in the stack with this index.
    pub fn stack(&mut self, index: usize) -> &mut Self {
        self.stack = Some(index);
        self
    }
    /// Mark the resource as produced by lowering the (earlier declared) resource `origin`. It is
    /// not written in the source text; its spans are the origin's.
    pub fn lowered_from(&mut self, origin: &str) -> &mut Self {
        self.lowered_from = Some(origin.to_string());
        self
    }
    pub fn doc(&mut self, doc: &str) -> &mut Self {
        self.doc = Some(doc.to_string());
        self
    }
}

/// Builder of one stack.
pub struct StackBuilder {
    config: BTreeMap<String, Value>,
    budget: Option<f64>,
    tags: BTreeMap<String, String>,
}

impl StackBuilder {
    /// A provider setting (`region`, `project`, ...).
    pub fn set(&mut self, name: &str, value: impl IntoValue) -> &mut Self {
        self.config.insert(name.to_string(), value.into_value());
        self
    }
    /// Monthly budget in USD.
    pub fn budget(&mut self, usd: f64) -> &mut Self {
        self.budget = Some(usd);
        self
    }
    pub fn tag(&mut self, k: &str, v: &str) -> &mut Self {
        self.tags.insert(k.to_string(), v.to_string());
        self
    }
}

/// A model under construction plus its source text.
pub struct Fixture {
    file_name: String,
    text: String,
    model: Model,
    names: BTreeMap<String, ResourceId>,
    /// Pending violations of user policies: (policy index, resource name, message).
    violations: Vec<(usize, String, String)>,
    /// `depends_on` names of each resource, resolved in `finish`.
    pending_deps: Vec<Vec<String>>,
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

const FILE: FileId = FileId(0);

fn span(start: usize, end: usize) -> Span {
    Span::new(FILE, start, end)
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::named("main.strata")
    }
    pub fn named(file_name: &str) -> Fixture {
        Fixture {
            file_name: file_name.to_string(),
            text: String::new(),
            model: Model::default(),
            names: BTreeMap::new(),
            violations: Vec::new(),
            pending_deps: Vec::new(),
        }
    }
    /// The environment (`--env`), also written as a `param env`.
    pub fn env(&mut self, env: &str) -> &mut Self {
        let _ = writeln!(self.text, "param env = {env:?}");
        self.model.env = Some(env.to_string());
        self
    }
    /// Add a stack; returns its index.
    pub fn stack(
        &mut self,
        name: &str,
        provider: Provider,
        f: impl FnOnce(&mut StackBuilder),
    ) -> usize {
        let mut b = StackBuilder {
            config: BTreeMap::new(),
            budget: None,
            tags: BTreeMap::new(),
        };
        f(&mut b);
        let start = self.text.len();
        let _ = writeln!(self.text, "stack {name} {{");
        let cfg = Value::record(b.config.clone());
        let pname = match provider {
            Provider::Kubernetes => "kubernetes",
            p => p.as_str(),
        };
        let _ = writeln!(self.text, "  provider = {pname} {cfg}");
        let mut budget_span = None;
        if let Some(budget) = b.budget {
            self.text.push_str("  ");
            let s = self.text.len();
            let _ = write!(self.text, "budget = {budget} USD/month");
            budget_span = Some(span(s, self.text.len()));
            self.text.push('\n');
        }
        self.text.push_str("}\n");
        self.model.stacks.push(Stack {
            name: name.to_string(),
            provider,
            provider_config: b.config,
            budget: b.budget,
            budget_span,
            tags: b.tags,
            span: span(start, self.text.len() - 1),
            backend: None,
        });
        self.model.stacks.len() - 1
    }

    /// Add a resource; returns its id. Resources without an explicit `stack` go in stack 0 when
    /// there is one.
    pub fn resource(
        &mut self,
        name: &str,
        ty: &str,
        f: impl FnOnce(&mut ResourceBuilder),
    ) -> ResourceId {
        let mut b = ResourceBuilder {
            props: Vec::new(),
            depends_on: Vec::new(),
            stack: None,
            lowered_from: None,
            doc: None,
        };
        f(&mut b);
        let id = ResourceId(self.model.resources.len() as u32);
        let provider = ty
            .split('.')
            .next()
            .and_then(Provider::parse)
            .unwrap_or_default();
        let stack = b.stack.or(if self.model.stacks.is_empty() {
            None
        } else {
            Some(0)
        });
        let mut props = BTreeMap::new();
        let mut prop_spans = BTreeMap::new();
        let mut depends_on = Vec::new();
        let (name_span, whole, lowered_from) = if let Some(origin) = &b.lowered_from {
            let oid = *self
                .names
                .get(origin)
                .unwrap_or_else(|| panic!("unknown origin resource {origin}"));
            let o = &self.model.resources[oid.0 as usize];
            let (ns, ws) = (o.name_span, o.span);
            for (k, v, from) in &b.props {
                props.insert(k.clone(), v.clone());
                if let Some(sp) = from
                    .as_deref()
                    .filter(|f| !f.is_empty())
                    .and_then(|f| o.prop_spans.get(f))
                {
                    prop_spans.insert(k.clone(), *sp);
                }
            }
            for d in &b.depends_on {
                depends_on.push((ResourceId(u32::MAX), ns, d.clone()));
            }
            (ns, ws, Some(oid))
        } else {
            if let Some(doc) = &b.doc {
                let _ = writeln!(self.text, "/// {doc}");
            }
            let start = self.text.len();
            self.text.push_str("resource ");
            let ns = span(self.text.len(), self.text.len() + name.len());
            let _ = writeln!(self.text, "{name}: {ty} {{");
            for (k, v, from) in &b.props {
                props.insert(k.clone(), v.clone());
                if from.is_some() {
                    continue;
                }
                self.text.push_str("  ");
                let s = self.text.len();
                let key = if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    k.clone()
                } else {
                    format!("{k:?}")
                };
                let _ = write!(self.text, "{key} = {v}");
                prop_spans.insert(k.clone(), span(s, self.text.len()));
                self.text.push('\n');
            }
            if !b.depends_on.is_empty() {
                self.text.push_str("  depends_on = [");
                for (i, d) in b.depends_on.iter().enumerate() {
                    if i > 0 {
                        self.text.push_str(", ");
                    }
                    let s = self.text.len();
                    self.text.push_str(d);
                    depends_on.push((ResourceId(u32::MAX), span(s, self.text.len()), d.clone()));
                }
                self.text.push_str("]\n");
            }
            self.text.push_str("}\n");
            (ns, span(start, self.text.len() - 1), None)
        };
        self.model.resources.push(Resource {
            id,
            name: name.to_string(),
            ty: ty.to_string(),
            provider,
            props,
            prop_spans,
            depends_on: depends_on.iter().map(|(id, s, _)| (*id, *s)).collect(),
            name_span,
            span: whole,
            stack,
            lowered_from,
            existing: false,
            doc: b.doc,
        });
        self.pending_deps
            .push(depends_on.into_iter().map(|(_, _, d)| d).collect());
        self.names.insert(name.to_string(), id);
        id
    }

    /// A user policy with `deny path(from ~> to)` rules; returns its index.
    pub fn policy(
        &mut self,
        title: &str,
        code: &str,
        severity: Severity,
        paths: &[(&str, &str)],
    ) -> usize {
        let start = self.text.len();
        let _ = writeln!(self.text, "policy {title:?} {{");
        let _ = writeln!(self.text, "  severity = {:?}", severity.as_str());
        let mut path_rules = Vec::new();
        for (from, to) in paths {
            self.text.push_str("  ");
            let s = self.text.len();
            let _ = write!(self.text, "deny path({from} ~> {to})");
            path_rules.push(PathRule {
                from: from.to_string(),
                to: to.to_string(),
                span: span(s, self.text.len()),
            });
            self.text.push('\n');
        }
        self.text.push_str("}\n");
        self.model.policies.push(UserPolicy {
            title: title.to_string(),
            code: code.to_string(),
            severity,
            span: span(start, self.text.len() - 1),
            path_rules,
            violations: Vec::new(),
        });
        self.model.policies.len() - 1
    }

    /// A violation of a resource condition of policy `policy` (as semantics reports them),
    /// at the resource's name.
    pub fn violation(&mut self, policy: usize, resource: &str, message: &str) -> &mut Self {
        self.violations
            .push((policy, resource.to_string(), message.to_string()));
        self
    }

    /// Append raw text (comments, for suppression tests) to the source.
    pub fn raw(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Resolve names and return the model and the source map holding the synthetic file.
    pub fn finish(mut self) -> (Model, SourceMap) {
        let names = self.names.clone();
        let resolve = |r: &mut Ref| {
            r.resource = *names
                .get(&r.name)
                .unwrap_or_else(|| panic!("reference to unknown resource {}", r.name));
        };
        fn walk(v: &mut Value, f: &dyn Fn(&mut Ref)) {
            match v {
                Value::Ref(r) => f(r),
                Value::List(l) => l.make_mut().iter_mut().for_each(|x| walk(x, f)),
                Value::Record(m) => m.make_mut().values_mut().for_each(|x| walk(x, f)),
                Value::Interp(parts) => parts.make_mut().iter_mut().for_each(|p| {
                    if let StrPart::Ref(r) = p {
                        f(r)
                    }
                }),
                _ => {}
            }
        }
        let pending = std::mem::take(&mut self.pending_deps);
        for r in &mut self.model.resources {
            for v in r.props.values_mut() {
                walk(v, &resolve);
            }
            let deps = &pending[r.id.0 as usize];
            for ((id, _), name) in r.depends_on.iter_mut().zip(deps) {
                *id = *names
                    .get(name)
                    .unwrap_or_else(|| panic!("depends_on unknown resource {name}"));
            }
        }
        for (p, res, msg) in std::mem::take(&mut self.violations) {
            let id = *names
                .get(&res)
                .unwrap_or_else(|| panic!("violation on unknown resource {res}"));
            let sp = self.model.resources[id.0 as usize].name_span;
            self.model.policies[p].violations.push(Violation {
                resource: id,
                message: msg,
                span: sp,
            });
        }
        let mut sources = SourceMap::new();
        sources.add(self.file_name.clone(), self.text.clone(), false);
        (self.model, sources)
    }
}

/// Render diagnostics inline: each source line, followed by a marker line for every label that
/// starts on it (`^^^` primary, `---` secondary), then the help. Diagnostics are sorted.
/// Diagnostics whose file is not in `sources` are listed at the end.
pub fn render_inline(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by_key(|d| d.sort_key());
    let mut out = String::new();
    for file in sources.files() {
        if file.is_stdlib {
            continue;
        }
        // (line index) -> marker lines
        let mut marks: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let mut any = false;
        for d in &sorted {
            let mut labels = vec![(&d.primary, true)];
            labels.extend(d.secondary.iter().map(|l| (l, false)));
            for (l, primary) in labels {
                if l.span.file != file.id {
                    continue;
                }
                any = true;
                let lc = file.line_col(l.span.start);
                let line_text = file.text.lines().nth(lc.line as usize - 1).unwrap_or("");
                let end_col = if file.line_col(l.span.end).line == lc.line {
                    file.line_col(l.span.end).column
                } else {
                    line_text.chars().count() as u32 + 1
                };
                let width = (end_col.saturating_sub(lc.column)).max(1) as usize;
                let pad = " ".repeat(lc.column as usize - 1);
                let m = if primary {
                    let mut s = format!(
                        "{pad}{} {}[{}]: {}",
                        "^".repeat(width),
                        d.severity.as_str(),
                        d.code,
                        d.message
                    );
                    if !l.message.is_empty() {
                        let _ = write!(s, " ({})", l.message);
                    }
                    if let Some(h) = &d.help {
                        let _ = write!(s, "\n{pad}= help: {h}");
                    }
                    for n in &d.notes {
                        let _ = write!(s, "\n{pad}= note: {n}");
                    }
                    s
                } else {
                    format!("{pad}{} {} [{}]", "-".repeat(width), l.message, d.code)
                };
                marks.entry(lc.line as usize - 1).or_default().push(m);
            }
        }
        if !any {
            continue;
        }
        let _ = writeln!(out, "--- {}", file.name);
        for (i, line) in file.text.lines().enumerate() {
            let _ = writeln!(out, "{line}");
            if let Some(ms) = marks.get(&i) {
                for m in ms {
                    let _ = writeln!(out, "{m}");
                }
            }
        }
    }
    for d in &sorted {
        if sources.try_get(d.primary.span.file).is_none() {
            let _ = writeln!(
                out,
                "{}[{}]: {} (no source)",
                d.severity.as_str(),
                d.code,
                d.message
            );
        }
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

/// The dimension of a quantity value, for assertions.
pub fn dimension(v: &Value) -> Option<Dimension> {
    match v {
        Value::Quantity(q) => Some(q.dimension),
        _ => None,
    }
}
