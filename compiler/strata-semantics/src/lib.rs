//! Semantics: resolves names, checks types against the schemas of the stdlib and the project,
//! and evaluates the program for one environment into a [`strata_model::Model`].
//!
//! No I/O happens here: project files arrive in the [`SourceMap`]; imported directories are
//! fetched through the [`Loader`] the caller supplies (the CLI reads the disk, the language
//! server its open buffers, tests a map in memory).

use std::collections::BTreeMap;
mod assemble;
mod builtins;
mod codes;
mod db;
pub use db::{
    MAX_EXPANDED_TEXT, MAX_LIST, MAX_MODEL_ELEMENTS, MAX_MODEL_TEXT, MAX_STEPS, MAX_STRING,
    MAX_WORK,
};
mod eval;
mod instantiate;
mod load;
mod parsed;
mod policy;
mod sites;
mod suggest;
mod types;

pub use parsed::ParseCache;

use db::{Db, ScopeId, SymKind};
use strata_base::{Diagnostic, FileId, SourceMap, Span};
use strata_model::{Model, Schemas, Value};
use strata_syntax::ast;

/// Where imported project files come from.
pub trait Loader {
    /// Resolve `import "<rel>"` written in the file named `importer` (a project-relative path
    /// with `/` separators). Returns the project-relative names and texts of the `.strata`
    /// files it denotes (a file, or every `*.strata` file of a directory), or an error message
    /// (missing, unreadable, not UTF-8, outside the project, too large).
    fn load(&self, importer: &str, rel: &str) -> Result<Vec<(String, String)>, String>;
}

/// A loader for programs without file imports (tests, single buffers): every import fails.
pub struct NoImports;
impl Loader for NoImports {
    fn load(&self, _importer: &str, rel: &str) -> Result<Vec<(String, String)>, String> {
        Err(format!(
            "cannot import `{rel}`: imports are not available here"
        ))
    }
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--env NAME`: the value of the `env` parameter.
    pub env: Option<String>,
    /// Parameter values from `strata.toml` (`[env.NAME.params]`), by name.
    pub params: BTreeMap<String, Value>,
    /// Record [`Analysis::xrefs`] (hover and go-to-definition data). The language server
    /// turns this on; the command line leaves it off, which saves time on big projects.
    pub record_xrefs: bool,
    /// Comprehension iterations the evaluation may run; `None`: [`MAX_STEPS`] (tests set a
    /// small budget to exercise the limit quickly).
    pub max_steps: Option<u64>,
}

/// Everything semantics knows about a program, for the later stages and the language server.
#[derive(Debug, Default)]
pub struct Analysis {
    pub model: Model,
    pub schemas: Schemas,
    /// Parsed trees of every project file (including imported ones), by file. Shared with the
    /// [`ParseCache`] of [`analyze_cached`], if any.
    pub files: Vec<(FileId, std::sync::Arc<ast::File>)>,
    /// Every resolved use of a name, type or property: where it is used, where it is
    /// declared (possibly in the stdlib), and a Markdown hover text. Sorted by use site.
    pub xrefs: Vec<XRef>,
}

/// One resolved use (for hover and go-to-definition).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XRef {
    pub use_span: Span,
    pub def_span: Span,
    pub kind: XRefKind,
    /// Markdown: a code line with the declaration, then its documentation.
    pub hover: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XRefKind {
    /// A `let`, `param`, resource, module instance, stack or import used by name.
    Name,
    /// A resource schema (after `resource x:`), with its qualified name in the hover.
    Schema,
    /// A user or stdlib `type`.
    Type,
    /// A property set in a resource body, or read as `x.prop` / `x.out`.
    Property,
}

/// Analyse the project files already added to `sources` (`project_files`). Stdlib files are
/// added to `sources` by this function. Never fails: returns what it could evaluate plus every
/// diagnostic (syntax errors included), sorted by position and deduplicated.
pub fn analyze(
    sources: &mut SourceMap,
    project_files: &[FileId],
    loader: &dyn Loader,
    options: &Options,
) -> (Analysis, Vec<Diagnostic>) {
    analyze_cached(sources, project_files, loader, options, None)
}

/// [`analyze`], reusing the syntax trees `cache` holds for files whose id, name and text are
/// unchanged (the stdlib, the files not edited) and leaving it with the trees of this run.
/// The result is the same as [`analyze`]'s.
pub fn analyze_cached(
    sources: &mut SourceMap,
    project_files: &[FileId],
    loader: &dyn Loader,
    options: &Options,
    cache: Option<&ParseCache>,
) -> (Analysis, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let loaded = load::load(sources, project_files, loader, options, cache, &mut diags);
    if let Some(c) = cache {
        c.sweep();
    }
    let (model, schemas, xrefs) = {
        let mut db = Db::new();
        db.record_xrefs = options.record_xrefs;
        db.max_steps = options.max_steps.unwrap_or(db::MAX_STEPS);
        db.diags = std::mem::take(&mut diags);
        analyze_loaded(
            &mut db,
            &loaded,
            options,
            project_files.first().copied(),
            cache,
        );
        let model = assemble::assemble(&mut db);
        diags = std::mem::take(&mut db.diags);
        let mut xrefs = std::mem::take(&mut db.xrefs);
        xrefs.sort_by_key(|x| (x.use_span, x.def_span));
        xrefs.dedup_by(|a, b| a.use_span == b.use_span);
        (model, std::mem::take(&mut db.schemas), xrefs)
    };
    let files = loaded
        .files
        .into_iter()
        .filter(|(id, _)| !sources.get(*id).is_stdlib)
        .collect();
    diags.sort_by_key(|d| d.sort_key());
    diags.dedup_by(|a, b| {
        a.code == b.code && a.primary.span == b.primary.span && a.message == b.message
    });
    (
        Analysis {
            model,
            schemas,
            files,
            xrefs,
        },
        diags,
    )
}

fn analyze_loaded<'a>(
    db: &mut Db<'a>,
    loaded: &'a load::Loaded,
    options: &Options,
    first_file: Option<FileId>,
    cache: Option<&ParseCache>,
) {
    // One scope per unit; the stdlib scope (0) is the parent of every unit scope.
    let mut unit_scopes = Vec::new();
    for (i, _) in loaded.units.iter().enumerate() {
        let parent = if i == 0 { None } else { Some(0) };
        let s = db.new_scope(parent, i);
        unit_scopes.push(s);
    }
    db.scopes[0].is_stdlib = true;
    let imports: instantiate::HashImports = loaded
        .file_imports
        .iter()
        .map(|(span, unit)| (*span, unit_scopes[*unit]))
        .collect();

    // Schemas first (names, then bodies), so types can refer to any schema.
    let mut schema_decls = Vec::new();
    for (u, unit) in loaded.units.iter().enumerate() {
        for &fi in &unit.files {
            for item in &loaded.files[fi].1.items {
                if let ast::Item::Schema(s) = item {
                    let name = s.name.text();
                    if let Some(prev) = db.schemas.get(&name) {
                        let prev_span = prev.span;
                        db.report(
                            Diagnostic::error(
                                "E1002",
                                format!("schema `{name}` is declared twice"),
                                s.name.span,
                            )
                            .with_secondary(prev_span, "first declared here")
                            .with_help("rename one of them"),
                        );
                        continue;
                    }
                    db.schemas.map.insert(
                        name.clone(),
                        std::sync::Arc::new(strata_model::ResourceSchema {
                            name,
                            provider: strata_model::Provider::None,
                            doc: None,
                            fields: Default::default(),
                            outputs: Default::default(),
                            attrs: Default::default(),
                            span: s.name.span,
                        }),
                    );
                    schema_decls.push((s, unit_scopes[u]));
                }
            }
        }
    }
    let mut std_syms = 0;
    for (u, unit) in loaded.units.iter().enumerate() {
        for &fi in &unit.files {
            db.register_items(unit_scopes[u], &loaded.files[fi].1.items, Some(&imports));
        }
        if u == 0 {
            std_syms = db.syms.len();
        }
    }
    build_schemas(db, loaded, schema_decls, std_syms, cache);

    // Parameters from outside.
    let root = unit_scopes.get(1).copied().unwrap_or(0);
    db.overrides = options.params.clone();
    if let Some(env) = &options.env {
        let has_env = db.scopes[root]
            .names
            .get("env")
            .is_some_and(|&s| matches!(db.syms[s].kind, SymKind::Param(_)));
        if has_env {
            db.overrides
                .insert("env".into(), strata_model::Value::str(env.as_str()));
        } else {
            let span = first_file.map(|f| Span::new(f, 0, 0)).unwrap_or_default();
            db.report(
                Diagnostic::error(
                    "E2012",
                    format!("`--env {env}` given, but the project declares no `env` parameter"),
                    span,
                )
                .with_help("declare it: `param env: \"dev\" | \"staging\" | \"prod\" = \"dev\"`"),
            );
        }
    }
    for name in options.params.keys() {
        let known = db.scopes[root]
            .names
            .get(name)
            .is_some_and(|&s| matches!(db.syms[s].kind, SymKind::Param(_)));
        if !known {
            let span = first_file.map(|f| Span::new(f, 0, 0)).unwrap_or_default();
            db.report(
                Diagnostic::error(
                    "E2012",
                    format!(
                        "strata.toml sets parameter `{name}`, which the project does not declare"
                    ),
                    span,
                )
                .with_help(format!(
                    "declare `param {name}: ...` or remove it from strata.toml"
                )),
            );
        }
    }

    // Top-level declarations that only the root may hold.
    for (u, unit) in loaded.units.iter().enumerate().skip(2) {
        for &fi in &unit.files {
            for item in &loaded.files[fi].1.items {
                let (what, span) = match item {
                    ast::Item::Resource(r) => ("resource", r.name.span),
                    ast::Item::ModuleInstance(m) => ("module instance", m.name.span),
                    ast::Item::Stack(s) => ("stack", s.name.span),
                    ast::Item::Param(p) => ("param", p.name.span),
                    ast::Item::Output(o) => ("output", o.name.span),
                    _ => continue,
                };
                let _ = u;
                db.report(
                    Diagnostic::error("E1009", format!("a {what} at the top level of an imported file is never deployed"), span)
                        .with_label("in an imported module")
                        .with_help("wrap it in a `module` and instantiate that module from the project, or move it to the project directory"),
                );
            }
        }
    }

    db.instantiate_all(root);
    // Evaluate every resource body (checks them all, even unreferenced ones).
    let mut i = 0;
    while i < db.resources.len() {
        let span = db.resources[i].decl.name.span;
        let _ = db.ensure_props(i, span);
        i += 1;
    }
    // Parameters, lets and outputs are checked even when nothing uses them.
    for s in 0..db.syms.len() {
        let user =
            db.syms[s].scope != 0 && matches!(db.syms[s].kind, SymKind::Let(_) | SymKind::Param(_));
        let in_import =
            db.scopes[db.syms[s].scope].unit >= 2 && matches!(db.syms[s].kind, SymKind::Param(_));
        if user && !in_import {
            let span = db.syms[s].def_span;
            let _ = db.value_of_sym(s, span);
        }
        if db.syms[s].scope != 0 {
            if let SymKind::Type(decl) = db.syms[s].kind {
                let scope = db.syms[s].scope;
                let _ = db.resolve_named_type(s, decl, scope);
            }
        }
    }
}

/// Build every declared schema (the stdlib's come first). The stdlib's are taken from the
/// cache when they were built from the same trees, schema names and stdlib symbols, and put
/// there otherwise (unless building them reported something): the analysis is then what
/// building them would have left in it.
fn build_schemas<'a>(
    db: &mut Db<'a>,
    loaded: &'a load::Loaded,
    decls: Vec<(&'a ast::SchemaDecl, ScopeId)>,
    std_syms: usize,
    cache: Option<&ParseCache>,
) {
    let n_std = decls
        .iter()
        .take_while(|(_, scope)| db.scopes[*scope].unit == 0)
        .count();
    let key = match (cache, loaded.units.first()) {
        (Some(_), Some(unit)) if !db.check_stdlib_patterns => Some(parsed::StdSchemasKey {
            trees: unit
                .files
                .iter()
                .map(|&fi| loaded.files[fi].1.clone())
                .collect(),
            names: db.schemas.map.keys().cloned().collect(),
            std_syms,
            record_xrefs: db.record_xrefs,
        }),
        _ => None,
    };
    let saved = key
        .as_ref()
        .and_then(|k| cache.and_then(|c| c.std_schemas(k)));
    if let Some(saved) = saved {
        for (name, s) in &saved.schemas {
            db.schemas.map.insert(name.clone(), s.clone());
        }
        for x in &saved.xrefs {
            if db.xref_spans.insert(x.use_span) {
                db.xrefs.push(x.clone());
            }
        }
        for (sym, ty) in &saved.types {
            db.type_cache.insert(*sym, ty.clone());
        }
        db.steps += saved.steps;
        db.work += saved.work;
    } else {
        let (diags, xrefs, steps, work) = (db.diags.len(), db.xrefs.len(), db.steps, db.work);
        let mut built = Vec::with_capacity(n_std);
        for &(decl, scope) in &decls[..n_std] {
            let s = std::sync::Arc::new(db.build_schema(decl, scope));
            db.schemas.map.insert(s.name.clone(), s.clone());
            built.push((s.name.clone(), s));
        }
        let clean = db.diags.len() == diags && !db.out_of_steps && !db.out_of_work;
        if let (Some(key), Some(cache), true) = (key, cache, clean) {
            let mut types: Vec<_> = db
                .type_cache
                .iter()
                .filter(|(sym, _)| **sym < std_syms)
                .map(|(sym, t)| (*sym, t.clone()))
                .collect();
            types.sort_by_key(|(sym, _)| *sym);
            cache.put_std_schemas(parsed::StdSchemas {
                key,
                schemas: built,
                xrefs: db.xrefs[xrefs..].to_vec(),
                types,
                steps: db.steps - steps,
                work: db.work - work,
            });
        }
    }
    for &(decl, scope) in &decls[n_std..] {
        let s = db.build_schema(decl, scope);
        db.schemas
            .map
            .insert(s.name.clone(), std::sync::Arc::new(s));
    }
}

/// Documentation of every code this stage reports.
pub fn codes() -> Vec<strata_base::CodeDoc> {
    codes::codes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs skip compiling the stdlib's `pattern` constraints (`Db::check_stdlib_patterns`):
    /// here every one of them is compiled, and none may be invalid.
    #[test]
    fn stdlib_patterns_are_valid() {
        let mut sources = SourceMap::default();
        let mut diags = Vec::new();
        let options = Options::default();
        let loaded = load::load(&mut sources, &[], &NoImports, &options, None, &mut diags);
        let mut db = Db::new();
        db.check_stdlib_patterns = true;
        analyze_loaded(&mut db, &loaded, &options, None, None);
        // Named types nothing uses are resolved too.
        for s in 0..db.syms.len() {
            if let SymKind::Type(decl) = db.syms[s].kind {
                let scope = db.syms[s].scope;
                let _ = db.resolve_named_type(s, decl, scope);
            }
        }
        diags.append(&mut db.diags);
        assert!(diags.is_empty(), "{diags:#?}");
        assert!(
            db.patterns_validated >= 100,
            "only {} patterns compiled",
            db.patterns_validated
        );
    }

    /// Without the flag, the stdlib's patterns are not compiled at all.
    #[test]
    fn stdlib_patterns_are_not_compiled_by_a_run() {
        let mut sources = SourceMap::default();
        let mut diags = Vec::new();
        let options = Options::default();
        let loaded = load::load(&mut sources, &[], &NoImports, &options, None, &mut diags);
        let mut db = Db::new();
        analyze_loaded(&mut db, &loaded, &options, None, None);
        assert_eq!(db.patterns_validated, 0);
    }
}
