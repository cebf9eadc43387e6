//! The semantic database of one compilation: scopes, symbols, schemas and the resources being
//! instantiated. Evaluation is lazy and memoised: a name is evaluated when first needed, and a
//! name met again while it is being evaluated is a cycle (E1007).

use std::collections::{BTreeMap, HashMap};
use strata_base::{Diagnostic, Span};
use strata_model::{Provider, Schemas, Size, Ty, Value};
use strata_syntax::ast;

pub(crate) type ScopeId = usize;
pub(crate) type SymId = usize;

/// Local bindings (loop variables, policy binders), innermost last.
pub(crate) type Locals = Vec<(String, Value)>;

#[derive(Clone, Debug)]
pub(crate) enum Slot {
    Todo,
    InProgress,
    /// Evaluated; `None` if evaluation failed (already reported).
    Done(Option<Value>),
}

pub(crate) struct ArgSrc<'a> {
    pub expr: &'a ast::Expr,
    pub scope: ScopeId,
    pub locals: Locals,
}

pub(crate) enum SymKind<'a> {
    Param(&'a ast::Param),
    /// A module parameter, with the argument the instance passes (if any).
    ModuleParam(&'a ast::Param, Option<ArgSrc<'a>>),
    Let(&'a ast::Let),
    Type(&'a ast::TypeDecl),
    Module(&'a ast::ModuleDecl),
    Resource(&'a ast::Resource),
    Instance(&'a ast::ModuleInstance),
    Stack(usize),
    /// `import "./x" as alias`: the unit's root scope.
    FileImport(ScopeId),
    /// `import aws`
    Package(String),
    /// `import portable.{Postgres}`: the qualified name it stands for.
    Imported(String),
}

pub(crate) struct Sym<'a> {
    pub kind: SymKind<'a>,
    pub scope: ScopeId,
    pub def_span: Span,
    pub slot: Slot,
}

pub(crate) struct Scope<'a> {
    /// Lexical parent: where names not found here are looked up.
    pub parent: Option<ScopeId>,
    pub names: HashMap<String, SymId>,
    /// Prefix of resource names declared here (`blog.` inside instance `blog`).
    pub prefix: String,
    /// Stack inherited by resources declared here (set by a module instance's `stack = ...`).
    pub stack: Option<usize>,
    /// Outputs of a module instance scope, in order.
    pub outputs: Vec<&'a ast::Output>,
    /// Sort key of the instance chain (for deterministic resource order).
    pub order: Vec<(u32, u32)>,
    /// True for the stdlib scope: qualified schema names resolve without an import.
    pub is_stdlib: bool,
    /// Unit this scope belongs to (0 stdlib, 1 root, then imports).
    pub unit: usize,
    /// In a module instance: the outermost instance of the chain (its name at the call).
    pub call: Option<Span>,
}

/// A resource being instantiated.
pub(crate) struct ResourceInfo<'a> {
    pub name: String,
    pub schema: String,
    pub decl: &'a ast::Resource,
    pub scope: ScopeId,
    pub locals: Locals,
    pub order: Vec<(u32, u32)>,
    pub key: Option<String>,
    pub props: Slot,
    pub evaluated: Option<EvaluatedProps>,
    pub stack_hint: Option<usize>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct EvaluatedProps {
    pub props: BTreeMap<String, Value>,
    pub spans: BTreeMap<String, Span>,
    pub depends_on: Vec<(u32, Span)>,
    pub stack: Option<usize>,
    /// `on_delete` / `on_replace`, when written (and valid).
    pub on_delete: Option<(strata_model::Removal, Span)>,
    pub on_replace: Option<(strata_model::Removal, Span)>,
    /// Where the elements and entries below the properties were written, and the call-site
    /// arguments that supplied them (`crate::sites`).
    pub sites: strata_model::ResourceSites,
}

pub(crate) struct StackInfo<'a> {
    pub decl: &'a ast::Stack,
    pub scope: ScopeId,
    pub provider: Provider,
}

pub(crate) struct Db<'a> {
    pub scopes: Vec<Scope<'a>>,
    pub syms: Vec<Sym<'a>>,
    pub schemas: Schemas,
    pub resources: Vec<ResourceInfo<'a>>,
    pub stacks: Vec<StackInfo<'a>>,
    /// Module instances in instantiation order, with their scope (for outputs and policies).
    pub instances: Vec<ScopeId>,
    /// Whether going over the limit of module instances was reported.
    pub out_of_instances: bool,
    /// Policies with the scope they are evaluated in.
    pub policies: Vec<(&'a ast::Policy, ScopeId)>,
    pub diags: Vec<Diagnostic>,
    /// Depth of speculative evaluation (the branch of a conditional not taken): dynamic errors
    /// are not reported there, type errors are.
    pub speculative: u32,
    /// Depth of evaluation inside a field named like a credential (`password`, `api_token`):
    /// type errors there do not repeat the value.
    pub secret_field: u32,
    /// Evaluation depth guard against runaway recursion through names.
    pub depth: u32,
    /// Comprehension iterations so far (budget: `max_steps`, [`MAX_STEPS`] unless a test sets
    /// less) and whether running out was
    /// reported.
    pub steps: u64,
    pub max_steps: u64,
    pub out_of_steps: bool,
    /// Bytes of values handled so far (budget: `max_work`, [`MAX_WORK`] unless a test sets
    /// less) and whether running out was reported.
    pub work: u64,
    pub max_work: u64,
    pub out_of_work: bool,
    /// What the model holds written out in full so far (its properties, outputs and
    /// parameters), and whether going over [`MAX_MODEL_ELEMENTS`] or [`MAX_MODEL_TEXT`] was
    /// reported.
    pub model_size: Size,
    pub model_too_large: bool,
    /// Parameter values given from outside (`--env`, strata.toml).
    pub overrides: BTreeMap<String, Value>,
    /// Named types being resolved (cycle guard).
    pub resolving_types: Vec<SymId>,
    /// Cache of resolved named types.
    pub type_cache: HashMap<SymId, Ty>,
    /// Resolved uses, for the language server.
    pub xrefs: Vec<crate::XRef>,
    pub record_xrefs: bool,
    /// Use sites already in `xrefs`: a name in a comprehension is used once per iteration at
    /// the same place, and its hover is computed once.
    pub xref_spans: std::collections::HashSet<Span>,
    /// Hover texts of schemas and of their fields and outputs, by schema name: a type that
    /// hundreds of resources use is described once (schemas do not change once evaluation
    /// starts).
    pub hovers: std::cell::RefCell<HashMap<String, SchemaHovers>>,
    /// Hover texts of names used by name, by symbol and whether the use had a value: a symbol's
    /// value is computed once, so its hover is the same at every use (`prod`, `env` and each
    /// resource are read hundreds of times in a big file).
    pub sym_hovers: std::cell::RefCell<HashMap<(SymId, bool), String>>,
    /// Compile the stdlib's `pattern` constraints when its types are resolved, as a project's
    /// are. Off: the stdlib's ~120 patterns are compiled on first use instead (a value checked
    /// against one), which spares every run their compilation (about 1.3 MB of automata for
    /// a 7-resource project); the stdlib test `stdlib_patterns_are_valid` turns it on.
    pub check_stdlib_patterns: bool,
    /// Patterns compiled by `pattern = ...` constraints so far (what that test counts).
    pub patterns_validated: usize,
}

/// The hover texts of one schema computed so far.
#[derive(Default)]
pub(crate) struct SchemaHovers {
    pub schema: Option<String>,
    pub fields: HashMap<String, String>,
    pub outputs: HashMap<String, String>,
}

/// Comprehension iterations one evaluation may run (all comprehensions together).
pub const MAX_STEPS: u64 = 10_000_000;
/// Longest computed string, in bytes (the size limit of a source file).
pub const MAX_STRING: usize = 16 * 1024 * 1024;
/// Longest computed list, and most entries in a computed map (the limit of `range`).
pub const MAX_LIST: usize = 1_000_000;
/// Most text in a value written out in full (a resource property, an output, a value checked
/// against a type), in bytes. Its elements are limited to [`MAX_LIST`].
pub const MAX_EXPANDED_TEXT: u64 = 4 * MAX_STRING as u64;
/// Most elements in all the values of a model (properties, outputs, parameters) written out
/// in full: what lowering and the emitters materialise.
pub const MAX_MODEL_ELEMENTS: u64 = 4_000_000;
/// Most text in all the values of a model written out in full, in bytes.
pub const MAX_MODEL_TEXT: u64 = 64 << 20;
/// What one evaluation may handle in all, in bytes: every string, list and record it builds,
/// every value it compares or checks against a type, and every property and output written
/// out in full (a shared value counts each time it is used). A list element or record entry
/// weighs [`ELEMENT_WEIGHT`], text its length.
pub const MAX_WORK: u64 = 512 << 20;
/// The weight of a list element or record entry in [`MAX_WORK`]: the memory a value takes.
pub const ELEMENT_WEIGHT: u64 = std::mem::size_of::<Value>() as u64;

/// What handling a value of size `s` costs against [`MAX_WORK`].
pub(crate) fn weight(s: Size) -> u64 {
    s.elements
        .saturating_mul(ELEMENT_WEIGHT)
        .saturating_add(s.bytes)
}

/// A count for messages (sizes saturate at `u64::MAX`).
pub(crate) fn count(n: u64) -> String {
    if n == u64::MAX {
        "more than 18,446,744,073,709,551,614".to_string()
    } else {
        n.to_string()
    }
}

impl<'a> Db<'a> {
    pub fn new() -> Self {
        Db {
            scopes: Vec::new(),
            syms: Vec::new(),
            schemas: Schemas::default(),
            resources: Vec::new(),
            stacks: Vec::new(),
            instances: Vec::new(),
            out_of_instances: false,
            policies: Vec::new(),
            diags: Vec::new(),
            speculative: 0,
            secret_field: 0,
            depth: 0,
            steps: 0,
            max_steps: MAX_STEPS,
            out_of_steps: false,
            work: 0,
            max_work: MAX_WORK,
            out_of_work: false,
            model_size: Size::ZERO,
            model_too_large: false,
            overrides: BTreeMap::new(),
            resolving_types: Vec::new(),
            type_cache: HashMap::new(),
            xrefs: Vec::new(),
            record_xrefs: false,
            xref_spans: std::collections::HashSet::new(),
            hovers: Default::default(),
            sym_hovers: Default::default(),
            check_stdlib_patterns: false,
            patterns_validated: 0,
        }
    }

    pub fn new_scope(&mut self, parent: Option<ScopeId>, unit: usize) -> ScopeId {
        let (prefix, stack, order, is_stdlib) = match parent {
            Some(p) => (
                self.scopes[p].prefix.clone(),
                self.scopes[p].stack,
                self.scopes[p].order.clone(),
                false,
            ),
            None => (String::new(), None, Vec::new(), false),
        };
        self.scopes.push(Scope {
            parent,
            names: HashMap::new(),
            prefix,
            stack,
            outputs: Vec::new(),
            order,
            is_stdlib,
            unit,
            call: None,
        });
        self.scopes.len() - 1
    }

    /// Record a resolved use. `hover` is only computed when xrefs are recorded.
    pub fn xref(
        &mut self,
        use_span: Span,
        def_span: Span,
        kind: crate::XRefKind,
        hover: impl FnOnce(&Self) -> String,
    ) {
        if self.record_xrefs && self.xref_spans.insert(use_span) {
            let hover = hover(self);
            self.xrefs.push(crate::XRef {
                use_span,
                def_span,
                kind,
                hover,
            });
        }
    }

    /// Hover text of a schema (see [`Db::schema_hover`]), computed once per schema.
    pub fn schema_hover_memo(&self, name: &str) -> String {
        if let Some(h) = self
            .hovers
            .borrow()
            .get(name)
            .and_then(|h| h.schema.as_ref())
        {
            return h.clone();
        }
        let h = self.schema_hover(name);
        self.hovers
            .borrow_mut()
            .entry(name.to_string())
            .or_default()
            .schema = Some(h.clone());
        h
    }

    /// Hover text of a schema's field (`is_out`: of its output) named `field`, computed once
    /// per schema and field; empty when there is no such field.
    pub fn field_hover_memo(&self, schema: &str, field: &str, is_out: bool) -> String {
        let pick = |h: &SchemaHovers| {
            if is_out {
                h.outputs.get(field).cloned()
            } else {
                h.fields.get(field).cloned()
            }
        };
        if let Some(h) = self.hovers.borrow().get(schema).and_then(pick) {
            return h;
        }
        let h = self
            .schemas
            .get(schema)
            .and_then(|s| {
                if is_out {
                    s.outputs.get(field)
                } else {
                    s.fields.get(field)
                }
            })
            .map(|f| crate::eval::field_hover(field, is_out, f))
            .unwrap_or_default();
        let mut memo = self.hovers.borrow_mut();
        let entry = memo.entry(schema.to_string()).or_default();
        let map = if is_out {
            &mut entry.outputs
        } else {
            &mut entry.fields
        };
        map.insert(field.to_string(), h.clone());
        h
    }

    /// Hover text of a schema: its name, documentation and fields.
    pub fn schema_hover(&self, name: &str) -> String {
        let Some(s) = self.schemas.get(name) else {
            return format!("```strata\nschema {name}\n```");
        };
        let mut h = format!("```strata\nschema {name}\n```\n");
        if let Some(d) = &s.doc {
            h.push_str(d);
            h.push('\n');
        }
        for (k, f) in &s.fields {
            h.push_str(&format!(
                "\n- `{k}{}: {}`",
                if f.required { "" } else { "?" },
                f.ty
            ));
        }
        for (k, f) in &s.outputs {
            h.push_str(&format!("\n- `out {k}: {}`", f.ty));
        }
        h
    }

    pub fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Report a dynamic (value-dependent) error unless evaluating speculatively.
    /// Count one comprehension iteration; false once the budget is spent (reported once, at
    /// `span`, even inside the branch of a conditional that is not taken: the work is done
    /// either way).
    pub fn step(&mut self, span: Span) -> bool {
        self.steps += 1;
        if self.steps <= self.max_steps {
            return true;
        }
        if !self.out_of_steps {
            self.out_of_steps = true;
            self.diags.push(
                Diagnostic::error("E2007", format!("evaluation takes more than {} comprehension steps", self.max_steps), span)
                    .with_label("this comprehension runs out of the budget")
                    .with_help("a real project needs far fewer; look for nested comprehensions over large ranges"),
            );
        }
        false
    }

    /// Account for `cost` bytes of work against the budget ([`MAX_WORK`]); false once it is
    /// spent (reported once, at `span`, even in the branch of a conditional that is not taken:
    /// the work is done either way).
    pub fn charge(&mut self, cost: u64, span: Span) -> bool {
        self.work = self.work.saturating_add(cost);
        if self.work <= self.max_work {
            return true;
        }
        if !self.out_of_work {
            self.out_of_work = true;
            self.diags.push(
                Diagnostic::error("E2007", format!("evaluation handles more than {} MiB of values", self.max_work >> 20), span)
                    .with_label("the budget runs out here")
                    .with_help(
                        "every string, list and record built, compared, checked against a type or used in a resource counts, a shared value each time it is used; a real project needs far less",
                    ),
            );
        }
        false
    }

    /// Report a value that would be too large, before building it.
    pub fn too_large(&mut self, message: String, span: Span) {
        self.diags.push(Diagnostic::error("E2007", message, span).with_help("the same limits as for a file (16 MiB) and for `range` (1,000,000) apply to computed values"));
    }

    /// About to build a string of `bytes` bytes at `span`: within [`MAX_STRING`] and the budget?
    pub fn reserve_string(&mut self, bytes: u64, span: Span) -> bool {
        if bytes > MAX_STRING as u64 {
            self.too_large(
                format!(
                    "a string of {} bytes is longer than the limit of {MAX_STRING} bytes",
                    count(bytes)
                ),
                span,
            );
            return false;
        }
        self.charge(bytes, span)
    }

    /// About to build a list of `len` elements (or a map of `len` entries whose keys hold
    /// `key_bytes` bytes) at `span`: within [`MAX_LIST`] and the budget?
    pub fn reserve_elements(&mut self, len: u64, key_bytes: u64, map: bool, span: Span) -> bool {
        if len > MAX_LIST as u64 {
            let what = if map {
                format!("a map of {} entries", count(len))
            } else {
                format!("a list of {} elements", count(len))
            };
            self.too_large(
                format!("{what} is longer than the limit of {MAX_LIST}"),
                span,
            );
            return false;
        }
        self.charge(
            len.saturating_mul(ELEMENT_WEIGHT).saturating_add(key_bytes),
            span,
        )
    }

    /// A string, list or map just built: within the limits? (The builders reserve before
    /// building; this catches what they could not size beforehand.)
    pub fn check_size(&mut self, v: Value, span: Span) -> Option<Value> {
        let ok = match &v {
            Value::Str(_) | Value::Interp(_) => {
                v.size().bytes <= MAX_STRING as u64 || {
                    self.too_large(
                        format!(
                            "a string of {} bytes is longer than the limit of {MAX_STRING} bytes",
                            v.size().bytes
                        ),
                        span,
                    );
                    false
                }
            }
            Value::List(l) => {
                l.len() <= MAX_LIST || {
                    self.too_large(
                        format!(
                            "a list of {} elements is longer than the limit of {MAX_LIST}",
                            l.len()
                        ),
                        span,
                    );
                    false
                }
            }
            Value::Record(m) => {
                m.len() <= MAX_LIST || {
                    self.too_large(
                        format!(
                            "a map of {} entries is longer than the limit of {MAX_LIST}",
                            m.len()
                        ),
                        span,
                    );
                    false
                }
            }
            _ => true,
        };
        ok.then_some(v)
    }

    /// `v` is about to be written out in full (`what`: "`tags` of `bucket`", "this value"): a
    /// resource property, an output, a value checked against a type. Shared parts count at
    /// every place they appear: the expanded size must be within [`MAX_LIST`] elements and
    /// [`MAX_EXPANDED_TEXT`] bytes of text, and it counts against the budget.
    pub fn check_expanded(&mut self, v: &Value, span: Span, what: impl FnOnce() -> String) -> bool {
        let s = v.size();
        let problem = if s.elements > MAX_LIST as u64 {
            Some(format!("{} elements", count(s.elements)))
        } else if s.bytes > MAX_EXPANDED_TEXT {
            Some(format!("{} bytes of text", count(s.bytes)))
        } else {
            None
        };
        if let Some(p) = problem {
            self.diags.push(
                Diagnostic::error("E2007", format!("{} is too large: {p} written out in full", what()), span)
                    .with_label("too large to use here")
                    .with_help(format!(
                        "a value used as a property or output, or checked against a type, may hold {MAX_LIST} elements and {} MiB of text written out in full (a shared part counts each time it appears)",
                        MAX_EXPANDED_TEXT >> 20
                    )),
            );
            return false;
        }
        self.charge(weight(s), span)
    }

    /// `v` becomes part of the model (`what`: "property `tags` of `bucket`"): later stages
    /// write it out in full, so it must pass [`Db::check_expanded`], and the model as a whole
    /// stays within [`MAX_MODEL_ELEMENTS`] and [`MAX_MODEL_TEXT`]. False: leave it out (it was
    /// reported).
    pub fn materialise(&mut self, v: &Value, span: Span, what: impl FnOnce() -> String) -> bool {
        let what = what();
        if !self.check_expanded(v, span, || what.clone()) {
            return false;
        }
        let total = self.model_size + v.size();
        if total.elements > MAX_MODEL_ELEMENTS || total.bytes > MAX_MODEL_TEXT {
            if !self.model_too_large {
                self.model_too_large = true;
                self.diags.push(
                    Diagnostic::error("E2007", format!("the model is too large: with {what}, its values hold more than {MAX_MODEL_ELEMENTS} elements or {} MiB of text written out in full", MAX_MODEL_TEXT >> 20), span)
                        .with_label("the limit is reached here")
                        .with_help("every property, output and parameter counts, a shared value each time it is used; split the project"),
                );
            }
            return false;
        }
        self.model_size = total;
        true
    }

    pub fn report_dynamic(&mut self, d: Diagnostic) {
        if self.speculative == 0 {
            self.diags.push(d);
        }
    }

    /// A shared handle on a schema, so evaluation can hold one while it mutates the db.
    pub fn schema_rc(
        &mut self,
        name: &str,
    ) -> Option<std::sync::Arc<strata_model::ResourceSchema>> {
        self.schemas.map.get(name).cloned()
    }

    /// Define `name` in `scope`, reporting a duplicate.
    pub fn define(
        &mut self,
        scope: ScopeId,
        name: &ast::Ident,
        kind: SymKind<'a>,
    ) -> Option<SymId> {
        if let Some(&existing) = self.scopes[scope].names.get(&name.name) {
            let first = self.syms[existing].def_span;
            let stack_first = matches!(self.syms[existing].kind, SymKind::Stack(_));
            let stack_now = matches!(kind, SymKind::Stack(_));
            if stack_first != stack_now {
                // Stacks share the namespace of resources, lets and modules: a resource's
                // `stack = NAME` names one.
                let other = match if stack_now {
                    &self.syms[existing].kind
                } else {
                    &kind
                } {
                    SymKind::Resource(_) => "a resource",
                    SymKind::Instance(_) => "a module instance",
                    SymKind::Let(_) => "a `let`",
                    SymKind::Param(_) | SymKind::ModuleParam(..) => "a parameter",
                    SymKind::Module(_) => "a module",
                    SymKind::Type(_) => "a type",
                    _ => "an import",
                };
                self.report(
                    Diagnostic::error(
                        "E1002",
                        format!("`{}` names both a stack and {other}", name.name),
                        name.span,
                    )
                    .with_label("defined again here")
                    .with_secondary(first, "first defined here")
                    .with_help(format!(
                        "stacks share one namespace with resources, lets and modules (a resource chooses its stack with `stack = {0}`): rename one of them, e.g. `{0}_stack`",
                        name.name
                    )),
                );
                return None;
            }
            self.report(
                Diagnostic::error(
                    "E1002",
                    format!("`{}` is defined more than once", name.name),
                    name.span,
                )
                .with_label("defined again here")
                .with_secondary(first, "first defined here")
                .with_help(format!(
                    "rename one of them; every name in a scope is unique (e.g. `{}_2`)",
                    name.name
                )),
            );
            return None;
        }
        let id = self.syms.len();
        self.syms.push(Sym {
            kind,
            scope,
            def_span: name.span,
            slot: Slot::Todo,
        });
        self.scopes[scope].names.insert(name.name.clone(), id);
        Some(id)
    }

    /// Look `name` up from `scope` outwards.
    pub fn lookup(&self, mut scope: ScopeId, name: &str) -> Option<SymId> {
        loop {
            if let Some(&id) = self.scopes[scope].names.get(name) {
                return Some(id);
            }
            scope = self.scopes[scope].parent?;
        }
    }

    /// Every name visible from `scope` (for "did you mean").
    pub fn visible_names(&self, mut scope: ScopeId) -> Vec<String> {
        let mut out = Vec::new();
        loop {
            out.extend(self.scopes[scope].names.keys().cloned());
            match self.scopes[scope].parent {
                Some(p) => scope = p,
                None => break,
            }
        }
        out.sort();
        out.dedup();
        out
    }
}
