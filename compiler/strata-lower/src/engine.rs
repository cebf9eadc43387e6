//! The lowering tables (`stdlib/lower/**/*.toml`), read once per process and indexed by schema
//! and target (or portable type and provider). Fragments are parsed when the engine is built,
//! structured bodies (`map`, `lx.rs`) on first use; text templates (names, out specs,
//! conditions) go into one Handlebars registry: the partials when the engine is built, every
//! other template the first time it is rendered.

use crate::ctx;
use crate::helpers;
use crate::lx;
use handlebars::{Context, Handlebars};
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use strata_model::{Provider, TValue, Target, TargetParam};

// ---------------------------------------------------------------------------------------------
// The file format (see stdlib/README.md).

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileDef {
    /// Lookup tables for the `table` helper: `[tables.aws_db_class] small = "db.t4g.small"`.
    #[serde(default)]
    tables: BTreeMap<String, Json>,
    /// Provider schema → target → entries.
    #[serde(default)]
    schema: BTreeMap<String, TargetsDef>,
    /// Portable type → provider → lowering.
    #[serde(default)]
    portable: BTreeMap<String, BTreeMap<String, PortableDef>>,
    /// Shared templates, used as `{{> NAME value}}` (in text templates: names, conditions).
    #[serde(default)]
    partials: BTreeMap<String, String>,
    /// Shared parts of structured bodies, used as `use NAME(value)` (see `lx.rs`).
    #[serde(default)]
    fragments: BTreeMap<String, String>,
    /// Provider → target → provider settings of the target program (Terraform `provider`).
    #[serde(default)]
    provider: BTreeMap<String, BTreeMap<String, ProviderDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderDef {
    /// Key in `TargetProgram::providers` (`aws`, `google`, `azurerm`).
    name: String,
    /// Template of the settings (a JSON object), rendered with the stack's context.
    body: Option<String>,
    /// The settings as a structured body (`lx.rs`).
    map: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TargetsDef {
    #[serde(default)]
    cloudformation: Vec<EntryDef>,
    #[serde(default, rename = "deployment-manager")]
    deployment_manager: Vec<EntryDef>,
    #[serde(default)]
    terraform: Vec<EntryDef>,
    #[serde(default)]
    kubernetes: Vec<EntryDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PortableDef {
    /// Property → portable type: when the property is unset, it is set to a resource of that
    /// type created once per stack (`network = "portable.Network"`).
    #[serde(default)]
    implicit: BTreeMap<String, String>,
    resources: Vec<EntryDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryDef {
    #[serde(default = "main_key")]
    key: String,
    #[serde(rename = "type")]
    ty: String,
    when: Option<String>,
    each: Option<String>,
    name: Option<String>,
    /// A handlebars template rendering JSON (files not converted yet).
    body: Option<String>,
    /// A structured body (`lx.rs`): parsed once, evaluated to JSON, keys checked by the tests.
    map: Option<String>,
    /// Top-level keys of `map` the schema check accepts although the type's schema lacks them
    /// (each with a comment in the file saying why).
    #[serde(default)]
    unchecked_keys: Vec<String>,
    /// Why the target cannot hold what the entry stands for: when its `when` holds, lowering
    /// the resource to this target is an error (L0009) with this text, not a silent omission.
    /// Such an entry has no body.
    refuse: Option<String>,
    /// Portable lowerings: what the provider cannot do of what the resource asks (a customer
    /// key for a store that takes none): when its `when` holds, an info diagnostic (L0016) with
    /// this text at the property of the `when` path, not a silent omission. No body either.
    notice: Option<String>,
    #[serde(default)]
    outs: BTreeMap<String, OutDef>,
    #[serde(default)]
    params: Vec<ParamDef>,
}

fn main_key() -> String {
    "main".to_string()
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OutDef {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamDef {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    description: Option<String>,
    default: Option<Json>,
}

// ---------------------------------------------------------------------------------------------
// Compiled form.

/// One produced resource of a mapping.
#[derive(Debug)]
pub struct Entry {
    /// Unique within the mapping; `main` by default. The first entry is the primary one.
    pub key: String,
    /// Target type (`AWS::S3::Bucket`, `aws_s3_bucket`) or provider schema (`aws.s3.Bucket`).
    pub ty: String,
    pub when: Option<Cond>,
    /// Path of a list (or map) in the context: one resource per element.
    pub each: Option<String>,
    /// Template of the name, if not the convention.
    pub name_tpl: Option<String>,
    /// Template of the body (target) or properties (portable), when the entry has no `map`.
    pub body_tpl: String,
    /// The structured body (`map`), parsed on first use.
    pub map: Option<Box<lx::Lazy>>,
    /// The body's source (template or map), for the consistency checks.
    pub body_src: String,
    /// Top-level keys the schema check skips (`unchecked_keys`).
    pub unchecked_keys: Vec<String>,
    /// The target cannot hold this (`refuse`): when the entry applies, an error with this text.
    pub refuse: Option<String>,
    /// A portable lowering cannot do what this entry stands for (`notice`): when the entry
    /// applies, an info diagnostic (L0016) with this text; nothing is produced.
    pub notice: Option<String>,
    pub outs: BTreeMap<String, OutSpec>,
    pub params: Vec<TargetParam>,
    /// No other entry of the mapping has this type and it is not repeated (`each`): Terraform
    /// can label it with the resource's own name.
    pub type_unique: bool,
    /// Where the entry was defined (`lower/aws/s3.toml`), for messages.
    pub file: String,
    /// A type of the generated layer: the body is the resource's own properties (see
    /// `generated.rs`), not a template.
    pub generated: bool,
}

#[derive(Debug)]
pub enum Cond {
    Path { path: String, negate: bool },
    Template(String),
}

#[derive(Debug, Clone)]
pub enum OutSpec {
    One(OutSrc),
    Many(Vec<OutSrc>),
}

#[derive(Debug, Clone)]
pub enum OutSrc {
    Static(Vec<OutPart>),
    /// A template rendered with the resource's context, then parsed.
    Template(String),
}

/// A part of an out spec: `postgresql://${self.Endpoint.Address}:5432`.
#[derive(Debug, Clone, PartialEq)]
pub enum OutPart {
    Lit(String),
    /// `${KEY}`, `${KEY.ATTR}`; `all`: `${KEY[*].ATTR}` (every repeated instance, a list).
    Ref {
        key: String,
        attr: Option<String>,
        all: bool,
    },
}

#[derive(Debug)]
pub struct PortableLowering {
    pub implicit: BTreeMap<String, String>,
    pub entries: Vec<Entry>,
}

/// Provider settings of a target program.
#[derive(Debug)]
pub struct ProviderSettings {
    pub name: String,
    pub body_tpl: String,
    pub map: Option<Box<lx::Lazy>>,
}

pub struct Engine {
    /// Compiled templates. Partials (few, used by many templates) are compiled when the engine
    /// is built; every other template is compiled the first time it is rendered (parsing all
    /// of them up front costs tens of milliseconds at the start of every process).
    hb: RwLock<Handlebars<'static>>,
    /// Templates not compiled yet: name → (where it was defined, source).
    pending: HashMap<String, (String, String)>,
    /// Whether templates are compiled on first use (the embedded stdlib) or all at once.
    lazy: bool,
    pub providers: HashMap<(Provider, Target), ProviderSettings>,
    pub targets: HashMap<(String, Target), Vec<Entry>>,
    pub portable: HashMap<(String, Provider), PortableLowering>,
    /// The `[tables]` of every file (read by the `table` helper and by `intent`).
    pub tables: Arc<helpers::Tables>,
    /// The `[fragments]` of every file, parsed.
    pub fragments: lx::Fragments,
    /// Problems in the tables themselves (a bug in the stdlib data).
    pub errors: Vec<String>,
}

pub fn target_key(t: Target) -> &'static str {
    t.dir_name()
}

/// Parse an out spec: literal text with `${KEY}`, `${KEY.ATTR}` or `${KEY[*].ATTR}` parts.
pub fn parse_out(s: &str) -> Result<Vec<OutPart>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        if start > 0 {
            out.push(OutPart::Lit(rest[..start].to_string()));
        }
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed `${{` in out spec {s:?}"))?;
        let inner = after[..end].trim();
        let (head, attr) = match inner.split_once('.') {
            Some((h, a)) => (h, Some(a.to_string())),
            None => (inner, None),
        };
        let (key, all) = match head.strip_suffix("[*]") {
            Some(k) => (k, true),
            None => (head, false),
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("bad reference `${{{inner}}}` in out spec {s:?}"));
        }
        out.push(OutPart::Ref {
            key: key.to_string(),
            attr,
            all,
        });
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        out.push(OutPart::Lit(rest.to_string()));
    }
    Ok(out)
}

impl Engine {
    /// Build from `(path, text)` pairs of TOML files, compiling every template now (template
    /// errors are in `errors`). For tests of toy tables.
    #[cfg(test)]
    pub fn from_files(files: &[(String, String)]) -> Engine {
        Engine::build(files, false)
    }

    /// Build from `(path, text)` pairs of TOML files; templates other than partials are
    /// compiled on first use (see [`Engine::compile_all`] for their errors).
    pub fn from_files_lazy(files: &[(String, String)]) -> Engine {
        Engine::build(files, true)
    }

    fn build(files: &[(String, String)], lazy: bool) -> Engine {
        let mut errors = Vec::new();
        let mut defs = Vec::new();
        let mut tables = BTreeMap::new();
        for (path, text) in files {
            match toml::from_str::<FileDef>(text) {
                Ok(mut d) => {
                    for (k, v) in std::mem::take(&mut d.tables) {
                        if tables.insert(k.clone(), v).is_some() {
                            errors.push(format!("{path}: table `{k}` is defined twice"));
                        }
                    }
                    defs.push((path.clone(), d));
                }
                Err(e) => errors.push(format!("{path}: {e}")),
            }
        }
        let tables = Arc::new(tables);
        let mut hb = Handlebars::new();
        hb.register_escape_fn(handlebars::no_escape);
        helpers::register(&mut hb, tables.clone());
        let mut engine = Engine {
            hb: RwLock::new(hb),
            pending: HashMap::new(),
            lazy,
            providers: HashMap::new(),
            targets: HashMap::new(),
            portable: HashMap::new(),
            tables,
            fragments: lx::Fragments::new(),
            errors,
        };
        for (path, d) in &defs {
            for (name, src) in &d.partials {
                let hb = engine.hb.get_mut().unwrap_or_else(PoisonError::into_inner);
                if hb.has_template(name) {
                    engine
                        .errors
                        .push(format!("{path}: partial `{name}` is defined twice"));
                }
                if let Err(e) = hb.register_template_string(name, src) {
                    engine.errors.push(format!("{path}: template error: {e}"));
                }
            }
        }
        for (path, d) in &defs {
            for (name, src) in &d.fragments {
                match lx::parse(src) {
                    Ok(f) => {
                        if engine.fragments.insert(name.clone(), f).is_some() {
                            engine
                                .errors
                                .push(format!("{path}: fragment `{name}` is defined twice"));
                        }
                    }
                    Err(e) => engine
                        .errors
                        .push(format!("{path}: fragment `{name}`: {e}")),
                }
            }
        }
        for (path, d) in defs {
            for (prov, by_target) in d.provider {
                for (t, def) in by_target {
                    let (Some(p), Some(target)) = (Provider::parse(&prov), Target::parse(&t))
                    else {
                        engine.errors.push(format!(
                            "{path}: provider settings `{prov}`/`{t}`: unknown provider or target"
                        ));
                        continue;
                    };
                    let tpl = format!("provider/{prov}/{t}");
                    let at = format!("{path}: provider settings `{prov}`/`{t}`");
                    let map = engine.body(&at, &tpl, def.body.as_deref(), def.map.as_deref());
                    engine.providers.insert(
                        (p, target),
                        ProviderSettings {
                            name: def.name,
                            body_tpl: tpl,
                            map,
                        },
                    );
                }
            }
            for (schema, t) in d.schema {
                let lists = [
                    (Target::CloudFormation, t.cloudformation),
                    (Target::DeploymentManager, t.deployment_manager),
                    (Target::Terraform, t.terraform),
                    (Target::Kubernetes, t.kubernetes),
                ];
                for (target, list) in lists {
                    if list.is_empty() {
                        continue;
                    }
                    let prefix = format!("{schema}/{}", target_key(target));
                    let entries = engine.compile_entries(&path, &prefix, list);
                    if engine
                        .targets
                        .insert((schema.clone(), target), entries)
                        .is_some()
                    {
                        engine.errors.push(format!(
                            "{path}: `{schema}` is mapped to {} twice",
                            target_key(target)
                        ));
                    }
                }
            }
            for (ty, providers) in d.portable {
                for (prov, def) in providers {
                    let Some(p) = Provider::parse(&prov) else {
                        engine
                            .errors
                            .push(format!("{path}: `{ty}`: unknown provider `{prov}`"));
                        continue;
                    };
                    let prefix = format!("{ty}/{prov}");
                    let entries = engine.compile_entries(&path, &prefix, def.resources);
                    let lowering = PortableLowering {
                        implicit: def.implicit,
                        entries,
                    };
                    if engine.portable.insert((ty.clone(), p), lowering).is_some() {
                        engine
                            .errors
                            .push(format!("{path}: `{ty}` is lowered to {prov} twice"));
                    }
                }
            }
        }
        engine
    }

    fn compile_entries(&mut self, path: &str, prefix: &str, defs: Vec<EntryDef>) -> Vec<Entry> {
        let mut out = Vec::with_capacity(defs.len());
        let mut seen = std::collections::BTreeSet::new();
        let type_counts = {
            let mut m: HashMap<&str, usize> = HashMap::new();
            for d in &defs {
                *m.entry(d.ty.as_str()).or_default() += 1;
            }
            m.into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<HashMap<String, usize>>()
        };
        for (i, d) in defs.into_iter().enumerate() {
            let at = format!("{path}: {prefix}[{i}] (key `{}`)", d.key);
            if !seen.insert(d.key.clone()) {
                self.errors.push(format!("{at}: duplicate key"));
            }
            if i == 0 && (d.when.is_some() || d.each.is_some()) {
                self.errors.push(format!(
                    "{at}: the first (primary) entry cannot have `when` or `each`"
                ));
            }
            let base = format!("{prefix}/{}", d.key);
            let body_tpl = format!("{base}/body");
            let map = match d.refuse.as_ref().or(d.notice.as_ref()) {
                Some(_) if d.refuse.is_some() && d.notice.is_some() => {
                    self.errors
                        .push(format!("{at}: an entry is `refuse` or `notice`, not both"));
                    None
                }
                Some(_) if d.body.is_some() || d.map.is_some() || d.each.is_some() => {
                    self.errors.push(format!(
                        "{at}: a `refuse` or `notice` entry has no body and no `each`"
                    ));
                    None
                }
                Some(_) if d.when.is_none() || i == 0 => {
                    self.errors.push(format!(
                        "{at}: a `refuse` or `notice` entry needs `when` (and is not the first)"
                    ));
                    None
                }
                Some(_) => None,
                None => self.body(&at, &body_tpl, d.body.as_deref(), d.map.as_deref()),
            };
            let name_tpl = d.name.as_ref().map(|n| {
                let t = format!("{base}/name");
                self.register(&at, &t, n);
                t
            });
            let when = d.when.as_ref().map(|w| {
                if w.contains("{{") {
                    let t = format!("{base}/when");
                    self.register(&at, &t, w);
                    Cond::Template(t)
                } else {
                    let w = w.trim();
                    match w.strip_prefix('!') {
                        Some(p) => Cond::Path {
                            path: p.trim().to_string(),
                            negate: true,
                        },
                        None => Cond::Path {
                            path: w.to_string(),
                            negate: false,
                        },
                    }
                }
            });
            let mut outs = BTreeMap::new();
            for (name, def) in d.outs {
                let mut compile = |k: usize, s: &str| -> OutSrc {
                    if s.contains("{{") {
                        let t = format!("{base}/out/{name}/{k}");
                        self.register(&at, &t, s);
                        OutSrc::Template(t)
                    } else {
                        match parse_out(s) {
                            Ok(p) => OutSrc::Static(p),
                            Err(e) => {
                                self.errors.push(format!("{at}: out `{name}`: {e}"));
                                OutSrc::Static(Vec::new())
                            }
                        }
                    }
                };
                let spec = match def {
                    OutDef::One(s) => OutSpec::One(compile(0, &s)),
                    OutDef::Many(l) => {
                        OutSpec::Many(l.iter().enumerate().map(|(k, s)| compile(k, s)).collect())
                    }
                };
                outs.insert(name, spec);
            }
            let params = d
                .params
                .into_iter()
                .map(|p| TargetParam {
                    name: p.name,
                    ty: p.ty,
                    default: p.default.as_ref().map(json_to_plain_tvalue),
                    description: p.description,
                    allowed: Vec::new(),
                })
                .collect();
            let type_unique = type_counts.get(&d.ty).copied() == Some(1) && d.each.is_none();
            out.push(Entry {
                key: d.key,
                ty: d.ty,
                when,
                each: d.each,
                name_tpl,
                body_tpl,
                map,
                body_src: d.map.or(d.body).unwrap_or_default(),
                unchecked_keys: d.unchecked_keys,
                refuse: d.refuse,
                notice: d.notice,
                outs,
                params,
                type_unique,
                file: path.to_string(),
                generated: false,
            });
        }
        out
    }

    /// An entry's body: a structured `map` (parsed now, or on first use by a lazy engine). A
    /// `body` template (JSON text with Handlebars markers, the format before `map`) is an
    /// error that says how to convert it.
    fn body(
        &mut self,
        at: &str,
        _tpl: &str,
        body: Option<&str>,
        map: Option<&str>,
    ) -> Option<Box<lx::Lazy>> {
        match (body, map) {
            (Some(_), None) => {
                self.errors.push(format!(
                    "{at}: `body` templates are no longer read: write the body as a `map` \
                     (stdlib/README.md); `LX_DIR=DIR cargo test -p strata-lower convert_stdlib \
                     -- --ignored` converts the files of DIR"
                ));
                None
            }
            (None, Some(m)) => {
                let lazy = Box::new(lx::Lazy::new(m.to_string()));
                if !self.lazy {
                    if let Err(e) = lazy.get() {
                        self.errors.push(format!("{at}: map: {e}"));
                    }
                }
                Some(lazy)
            }
            _ => {
                self.errors
                    .push(format!("{at}: give exactly one of `body` and `map`"));
                None
            }
        }
    }

    /// Evaluate a structured body to JSON.
    pub fn body_json(
        &self,
        map: Option<&lx::Lazy>,
        tpl: &str,
        cx: &Context,
    ) -> Result<Json, String> {
        self.body_val(map, tpl, cx).map(lx::LVal::into_json)
    }

    /// Evaluate a structured body, borrowing from the body and the context what it does not
    /// compute (`targets.rs` converts it to target values without an intermediate JSON tree).
    pub fn body_val<'a>(
        &'a self,
        map: Option<&'a lx::Lazy>,
        tpl: &str,
        cx: &'a Context,
    ) -> Result<lx::LVal<'a>, String> {
        match map {
            Some(n) => lx::eval_val(
                &lx::Env {
                    tables: &self.tables,
                    fragments: &self.fragments,
                },
                n.get().map_err(|e| format!("map: {e}"))?,
                cx.data(),
            ),
            None => Err(format!("{tpl}: the entry has no `map`")),
        }
    }

    fn register(&mut self, at: &str, name: &str, src: &str) {
        if self.lazy {
            self.pending
                .insert(name.to_string(), (at.to_string(), src.to_string()));
        } else if let Err(e) = self
            .hb
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .register_template_string(name, src)
        {
            self.errors.push(format!("{at}: template error: {e}"));
        }
    }

    /// Compile a pending template into the registry (once; concurrent callers may both parse
    /// it, only the first registers it).
    fn compile(&self, name: &str) -> Result<(), String> {
        let Some((at, src)) = self.pending.get(name) else {
            return Ok(()); // unknown: rendering reports the missing template
        };
        let tpl = handlebars::Template::compile_with_name(src, name.to_string())
            .map_err(|e| format!("{at}: template error: {e}"))?;
        let mut hb = self.hb.write().unwrap_or_else(PoisonError::into_inner);
        if !hb.has_template(name) {
            hb.register_template(name, tpl);
        }
        Ok(())
    }

    /// Compile every template not compiled yet; the errors of the tables, template syntax
    /// errors included. For the consistency tests: a lazy engine otherwise only finds a broken
    /// template when it renders it.
    pub fn compile_all(&self) -> Vec<String> {
        let mut errors = self.errors.clone();
        let bodies = self
            .targets
            .values()
            .chain(self.portable.values().map(|l| &l.entries))
            .flatten()
            .map(|e| (&e.file, &e.key, e.map.as_deref()))
            .chain(
                self.providers
                    .values()
                    .map(|p| (&p.name, &p.name, p.map.as_deref())),
            );
        let mut map_errors: Vec<String> = bodies
            .filter_map(|(file, key, m)| {
                let e = m?.get().err()?;
                Some(format!("{file}: entry `{key}`: map: {e}"))
            })
            .collect();
        map_errors.sort();
        errors.extend(map_errors);
        let mut names: Vec<&String> = self.pending.keys().collect();
        names.sort();
        for name in names {
            if let Err(e) = self.compile(name) {
                errors.push(e);
            }
        }
        errors
    }

    /// Render a template to text.
    pub fn render_text(&self, tpl: &str, cx: &Context) -> Result<String, String> {
        {
            let hb = self.hb.read().unwrap_or_else(PoisonError::into_inner);
            if hb.has_template(tpl) {
                return hb.render_with_context(tpl, cx).map_err(|e| e.to_string());
            }
        }
        self.compile(tpl)?;
        self.hb
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .render_with_context(tpl, cx)
            .map_err(|e| e.to_string())
    }

    /// Whether an entry applies, given the resource's context.
    pub fn applies(&self, e: &Entry, json: &Json, cx: &Context) -> Result<bool, String> {
        match &e.when {
            None => Ok(true),
            Some(Cond::Path { path, negate }) => {
                Ok(ctx::lookup(json, path).is_some_and(ctx::truthy) != *negate)
            }
            Some(Cond::Template(t)) => {
                let s = self.render_text(t, cx)?;
                let s = s.trim();
                Ok(!s.is_empty() && s != "false" && s != "null")
            }
        }
    }

    /// The elements an `each` entry repeats over: (element, suffix for names).
    pub fn each_items(e: &Entry, json: &Json) -> Vec<(Json, String)> {
        let Some(path) = &e.each else {
            return Vec::new();
        };
        match ctx::lookup(json, path) {
            Some(Json::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let suffix = match v.as_str() {
                        Some(s)
                            if !s.is_empty()
                                && s.len() <= 20
                                && s.chars().all(|c| c.is_ascii_alphanumeric()) =>
                        {
                            s.to_string()
                        }
                        _ => i.to_string(),
                    };
                    (v.clone(), suffix)
                })
                .collect(),
            Some(Json::Object(o)) => o
                .iter()
                .map(|(k, v)| {
                    let item = serde_json::json!({ "key": ctx::unescape_key(k), "value": v });
                    (item, crate::names::snake(k))
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Plain JSON (no markers) as a target value.
pub fn json_to_plain_tvalue(j: &Json) -> TValue {
    match j {
        Json::Null => TValue::Null,
        Json::Bool(b) => TValue::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => TValue::Int(i),
            None => TValue::Float(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => TValue::Str(s.clone()),
        Json::Array(a) => TValue::List(a.iter().map(json_to_plain_tvalue).collect()),
        Json::Object(o) => TValue::Map(
            o.iter()
                .map(|(k, v)| (k.clone(), json_to_plain_tvalue(v)))
                .collect(),
        ),
    }
}

static ENGINE: OnceLock<Engine> = OnceLock::new();

/// The engine built from the embedded stdlib (`lower/**/*.toml`), built on first use.
pub fn engine() -> &'static Engine {
    ENGINE.get_or_init(|| {
        let files: Vec<(String, String)> = strata_stdlib::files_with_extension(".toml")
            .into_iter()
            .filter(|f| f.path.starts_with("lower/"))
            .map(|f| (f.path.to_string(), f.text.to_string()))
            .collect();
        Engine::from_files_lazy(&files)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_specs() {
        assert_eq!(
            parse_out("${self}").unwrap(),
            vec![OutPart::Ref {
                key: "self".into(),
                attr: None,
                all: false
            }]
        );
        assert_eq!(
            parse_out("pg://${self.Endpoint.Address}:5432").unwrap(),
            vec![
                OutPart::Lit("pg://".into()),
                OutPart::Ref {
                    key: "self".into(),
                    attr: Some("Endpoint.Address".into()),
                    all: false
                },
                OutPart::Lit(":5432".into())
            ]
        );
        assert_eq!(
            parse_out("${sub[*].id}").unwrap(),
            vec![OutPart::Ref {
                key: "sub".into(),
                attr: Some("id".into()),
                all: true
            }]
        );
        assert!(parse_out("${oops").is_err());
        assert!(parse_out("${a b}").is_err());
    }

    #[test]
    fn bad_files_are_reported_not_panicked() {
        let e = Engine::from_files(&[
            ("a.toml".into(), "schema = 3".into()),
            (
                "b.toml".into(),
                "[[schema.\"x.Y\".terraform]]\ntype = \"t\"\nbody = \"{{#if}}\"\n".into(),
            ),
            (
                "c.toml".into(),
                "[[schema.\"x.Z\".terraform]]\ntype = \"t\"\nmap = \"{}\"\nwhen = \"a\"\n".into(),
            ),
        ]);
        assert_eq!(e.errors.len(), 3, "{:#?}", e.errors);
        assert!(
            e.errors
                .iter()
                .any(|m| m.contains("`body` templates are no longer read")),
            "{:#?}",
            e.errors
        );
    }

    #[test]
    fn maps_are_parsed_on_first_use_and_their_errors_reported() {
        let files = [(
            "m.toml".to_string(),
            "[[schema.\"x.Y\".terraform]]\ntype = \"t\"\nmap = '{\"a\": props.a'\n[[schema.\"x.Z\".terraform]]\ntype = \"t\"\nmap = '{\"a\": props.a, \"b\": if props.b { 1 } else { 2 }}'\n[[schema.\"x.W\".terraform]]\ntype = \"t\"\nbody = '{}'\nmap = '{}'\n"
                .to_string(),
        )];
        let e = Engine::from_files_lazy(&files);
        assert_eq!(e.errors.len(), 1, "{:#?}", e.errors); // x.W: both `body` and `map`
        let cx = Context::wraps(serde_json::json!({ "props": { "a": 1 } })).expect("context");
        let body = |k: &str| {
            let entry = &e.targets[&(k.to_string(), Target::Terraform)][0];
            e.body_json(entry.map.as_deref(), &entry.body_tpl, &cx)
        };
        assert_eq!(body("x.Z"), Ok(serde_json::json!({ "a": 1, "b": 2 })));
        assert!(body("x.Y").is_err_and(|m| m.contains("map:")));
        let all = e.compile_all();
        assert_eq!(all.len(), 2, "{all:#?}");
        assert!(
            all.iter()
                .any(|m| m.starts_with("m.toml: entry `main`: map:")),
            "{all:#?}"
        );
        // Built eagerly, the broken map is an error of the build itself.
        assert_eq!(Engine::from_files(&files).errors.len(), 2);
    }

    #[test]
    fn lazy_engine_reports_broken_templates_when_compiling_all_and_when_rendering() {
        // Text templates (names here) are compiled on first use by a lazy engine.
        let files = [("b.toml".to_string(), "[[schema.\"x.Y\".terraform]]\ntype = \"t\"\nname = \"{{#if}}\"\nmap = '{}'\n[[schema.\"x.Z\".terraform]]\ntype = \"t\"\nname = \"n-{{props.a}}\"\nmap = '{}'\n".to_string())];
        let e = Engine::from_files_lazy(&files);
        assert!(e.errors.is_empty(), "{:#?}", e.errors);
        let cx = Context::wraps(serde_json::json!({ "props": { "a": 1 } })).expect("context");
        assert_eq!(
            e.render_text("x.Z/terraform/main/name", &cx),
            Ok("n-1".to_string())
        );
        assert!(e
            .render_text("x.Y/terraform/main/name", &cx)
            .is_err_and(|m| m.contains("template error")));
        let all = e.compile_all();
        assert_eq!(all.len(), 1, "{all:#?}");
        assert!(all[0].starts_with("b.toml: x.Y/terraform[0]"), "{all:#?}");
    }
}
