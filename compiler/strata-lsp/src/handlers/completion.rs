//! `textDocument/completion`. The context comes from the tokens of the current text
//! ([`crate::context`]); the schemas and the project's other files from the latest check,
//! the current file's names from a parse on the spot. Never waits for a check.
//!
//! - after `resource x:` — schema names (and the short names brought in by `import p.{A}`);
//!   after `module x:` — module names;
//! - at the start of a field in a resource body (or a nested record of one) — the properties
//!   with their types and docs, required ones not yet set first, then optional ones not yet
//!   set, then those already set;
//! - after `prop =` — the allowed literal values of an enum-typed property, `true`/`false`,
//!   resources of the referenced type, then every name in scope;
//! - after `x.` — the attributes (`out` fields, then properties) of resource `x`, or the
//!   outputs of module instance `x`;
//! - in other expressions — lets, params, resources, module instances and built-in functions.

use super::{schemas, Ctx, Result};
use crate::context::{self, Context, Owner, Step};
use crate::snapshot::{offset, range, Snapshot};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    Documentation, MarkupContent, MarkupKind, TextEdit,
};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use strata_base::{FileId, SourceFile, Span};
use strata_model::{FieldSchema, ResourceSchema, Schemas, Ty, Value};
use strata_syntax::ast::{self, Item};

/// The built-in functions (docs/language.md), with their signatures.
const BUILTINS: &[(&str, &str)] = &[
    ("length", "length(x): length of a string, list or map"),
    ("lower", "lower(s): lower case"),
    ("upper", "upper(s): upper case"),
    ("trim", "trim(s): without surrounding whitespace"),
    ("join", "join(sep, list): the strings joined"),
    ("split", "split(sep, s): the string split"),
    ("replace", "replace(s, from, to): every occurrence replaced"),
    ("contains", "contains(list_or_string, x): membership"),
    ("keys", "keys(map): sorted keys"),
    ("values", "values(map): values in key order"),
    ("merge", "merge(a, b, ...): records merged left to right"),
    ("concat", "concat(a, b, ...): lists concatenated"),
    ("range", "range(n) / range(a, b): a list of integers"),
    ("min", "min(...): the smallest number or quantity"),
    ("max", "max(...): the largest number or quantity"),
    ("cidr", "cidr(s): parse a CIDR block (IPv4 or IPv6)"),
    (
        "cidrsubnet",
        "cidrsubnet(prefix, newbits, netnum): as in Terraform",
    ),
    ("format", "format(fmt, ...): %s/%d formatting"),
    ("default", "default(x, fallback): fallback when x is null"),
    ("json", "json(x): x written as compact JSON, keys sorted"),
    ("yaml", "yaml(x): x written as a YAML document"),
];

/// The fields of a stack block.
const STACK_FIELDS: &[(&str, &str, &str)] = &[
    (
        "provider",
        "aws { region = … } | gcp { … } | azure { … } | kubernetes { … }",
        "The cloud the stack deploys to and its settings.",
    ),
    (
        "budget",
        "MoneyRate",
        "The monthly budget, e.g. `600 USD/month`; exceeding it is a finding.",
    ),
    (
        "tags",
        "map<string>",
        "Tags applied to every resource of the stack.",
    ),
];

pub fn completion(cx: &Ctx, p: CompletionParams) -> Result<Option<CompletionResponse>> {
    let doc = cx.doc(&p.text_document_position.text_document.uri)?;
    let snap = doc
        .path
        .parent()
        .and_then(|root| cx.shared.snapshot(root, Duration::ZERO));
    let index = doc.index();
    let at = offset(&index, p.text_document_position.position);
    let ctx = context::at(&doc.text, at);
    if ctx == Context::Nothing {
        return Ok(None);
    }
    let scope = Scope::new(&index, doc.tree(), snap.as_deref(), at);
    let schemas = schemas(snap.as_deref());
    let items = items(&ctx, &scope, schemas, &index, at);
    // A generated family has thousands of types: the editor asks again as more is typed.
    if let Context::TypeName { typed, .. } = &ctx {
        if strata_stdlib::generated::family_of(typed).is_some() {
            return Ok(Some(CompletionResponse::List(lsp_types::CompletionList {
                is_incomplete: true,
                items,
            })));
        }
    }
    Ok(Some(CompletionResponse::Array(items)))
}

fn items(
    ctx: &Context,
    scope: &Scope<'_>,
    schemas: &Schemas,
    index: &SourceFile,
    at: usize,
) -> Vec<CompletionItem> {
    let mut out = Vec::new();
    match ctx {
        Context::Nothing => {}
        Context::TypeName {
            module: false,
            start,
            typed,
        } => {
            let edit_range = range(index, Span::new(FileId(0), *start, at));
            for (short, full) in &scope.imported {
                if let Some(s) = schemas.get(full) {
                    out.push(schema_item(short, s, edit_range, "0"));
                }
            }
            for s in schemas.map.values() {
                if !s.name.starts_with(strata_stdlib::generated::EXISTING) {
                    out.push(schema_item(&s.name, s, edit_range, "1"));
                }
            }
            generated_type_items(typed, edit_range, &mut out);
        }
        Context::TypeName {
            module: true,
            start,
            ..
        } => {
            let edit_range = range(index, Span::new(FileId(0), *start, at));
            for m in scope.modules() {
                let mut it = item(
                    &m.name.name,
                    CompletionItemKind::MODULE,
                    Some("module".into()),
                    m.doc.clone(),
                );
                it.text_edit = Some(CompletionTextEdit::Edit(TextEdit {
                    range: edit_range,
                    new_text: m.name.name.clone(),
                }));
                out.push(it);
            }
        }
        Context::Member { base, .. } => {
            if let [name] = base.as_slice() {
                if let Some(s) = scope.resource_schema(name, schemas) {
                    for (k, f) in &s.outputs {
                        let mut it = field_item(k, f, true);
                        it.sort_text = Some(format!("0_{k}"));
                        out.push(it);
                    }
                    for (k, f) in &s.fields {
                        let mut it = field_item(k, f, false);
                        it.sort_text = Some(format!("1_{k}"));
                        out.push(it);
                    }
                } else if let Some(m) = scope.instance_module(name) {
                    for i in &m.items {
                        if let Item::Output(o) = i {
                            out.push(item(
                                &o.name.name,
                                CompletionItemKind::PROPERTY,
                                Some("output".into()),
                                o.doc.clone(),
                            ));
                        }
                    }
                }
            }
        }
        Context::FieldName { owner, set, .. } => {
            let set: BTreeSet<&str> = set.iter().map(String::as_str).collect();
            match owner {
                Owner::Resource { ty, steps, .. } => {
                    if let Some(fields) = scope
                        .schema_of_type(ty, schemas)
                        .and_then(|s| record_at(&s.fields, steps))
                    {
                        for (k, f) in fields.iter() {
                            let mut it = field_item(k, f, false);
                            let rank = if set.contains(k.as_str()) {
                                2
                            } else if f.required {
                                0
                            } else {
                                1
                            };
                            it.sort_text = Some(format!("{rank}_{k}"));
                            it.insert_text = Some(format!("{k} = "));
                            out.push(it);
                        }
                    }
                }
                Owner::Stack => {
                    for (k, ty, doc) in STACK_FIELDS {
                        let mut it = item(
                            k,
                            CompletionItemKind::PROPERTY,
                            Some(ty.to_string()),
                            Some(doc.to_string()),
                        );
                        it.sort_text = Some(format!("{}_{k}", if set.contains(k) { 1 } else { 0 }));
                        it.insert_text = Some(format!("{k} = "));
                        out.push(it);
                    }
                }
                Owner::Instance { ty } => {
                    if let Some(m) = scope.module(ty) {
                        for i in &m.items {
                            if let Item::Param(pm) = i {
                                let detail = pm.ty.as_ref().map(|t| scope.snippet_current(t.span));
                                let mut it = item(
                                    &pm.name.name,
                                    CompletionItemKind::PROPERTY,
                                    detail,
                                    pm.doc.clone(),
                                );
                                let rank = if set.contains(pm.name.name.as_str()) {
                                    2
                                } else if pm.default.is_none() {
                                    0
                                } else {
                                    1
                                };
                                it.sort_text = Some(format!("{rank}_{}", pm.name.name));
                                it.insert_text = Some(format!("{} = ", pm.name.name));
                                out.push(it);
                            }
                        }
                    }
                }
                Owner::Other => {}
            }
        }
        Context::FieldValue {
            owner,
            field,
            in_string,
            ..
        } => {
            let fty = match owner {
                Owner::Resource { ty, steps, .. } => scope
                    .schema_of_type(ty, schemas)
                    .and_then(|s| record_at(&s.fields, steps))
                    .and_then(|fs| fs.get(field).map(|f| f.ty.clone())),
                _ => None,
            };
            if let Some(ty) = &fty {
                let literals: Vec<&Value> = ty.literal_values().unwrap_or_default();
                for (i, v) in literals.iter().enumerate() {
                    let label = v.to_string();
                    let mut it = item(
                        &label,
                        CompletionItemKind::ENUM_MEMBER,
                        Some(ty.to_string()),
                        None,
                    );
                    it.sort_text = Some(format!("0_{i:04}"));
                    if let Some((s, e)) = in_string {
                        it.text_edit = Some(CompletionTextEdit::Edit(TextEdit {
                            range: range(index, Span::new(FileId(0), *s, *e)),
                            new_text: label.clone(),
                        }));
                        it.filter_text = Some(label.clone());
                    }
                    out.push(it);
                }
                if in_string.is_none() {
                    if matches!(ty.resolved(), Ty::Bool)
                        || matches!(ty.resolved(), Ty::Union(ts) if ts.iter().any(|t| matches!(t.resolved(), Ty::Bool)))
                    {
                        for b in ["true", "false"] {
                            let mut it =
                                item(b, CompletionItemKind::KEYWORD, Some("bool".into()), None);
                            it.sort_text = Some(format!("0_{b}"));
                            out.push(it);
                        }
                    }
                    if let Some(target) = ref_target(ty) {
                        for (name, schema) in scope.resources(schemas) {
                            if schema.as_deref() == Some(target) {
                                let mut it = item(
                                    &name,
                                    CompletionItemKind::REFERENCE,
                                    Some(format!("resource: {target}")),
                                    None,
                                );
                                it.sort_text = Some(format!("0_{name}"));
                                out.push(it);
                            }
                        }
                    }
                }
            }
            if in_string.is_none() {
                scope.expression_items(schemas, &mut out);
            }
        }
        Context::Expr { .. } => scope.expression_items(schemas, &mut out),
    }
    // One item per label (a name may come from the snapshot and the current text).
    let mut seen = BTreeSet::new();
    out.retain(|i| seen.insert(i.label.clone()));
    out
}

/// Most generated type names one completion answers with (the list is marked incomplete past
/// it, so the editor asks again as the user types more).
const MAX_GENERATED_ITEMS: usize = 500;

/// Types of the generated layer (`cfn.AWS.S3.Bucket`, `tf.aws_sns_topic`) once the typed path
/// names a family: only names that start with what is typed (case-insensitively), straight
/// from the embedded index — nothing is parsed.
fn generated_type_items(typed: &str, edit_range: lsp_types::Range, out: &mut Vec<CompletionItem>) {
    let family = typed.split('.').next().unwrap_or_default();
    let Some(f) = strata_stdlib::generated::family_of(family) else {
        return;
    };
    if !typed.contains('.') {
        return;
    }
    let lower = typed.to_ascii_lowercase();
    let mut n = 0;
    for name in strata_stdlib::generated::names(Some(f.name)) {
        if !name.to_ascii_lowercase().starts_with(&lower) {
            continue;
        }
        if n == MAX_GENERATED_ITEMS {
            break;
        }
        n += 1;
        let mut it = item(
            name,
            CompletionItemKind::CLASS,
            Some(format!("{} type", f.target.dir_name())),
            None,
        );
        it.sort_text = Some(format!("2_{name}"));
        it.text_edit = Some(CompletionTextEdit::Edit(TextEdit {
            range: edit_range,
            new_text: name.to_string(),
        }));
        out.push(it);
    }
}

fn ref_target(ty: &Ty) -> Option<&str> {
    match ty.resolved() {
        Ty::Ref(Some(t)) => Some(t),
        Ty::Union(ts) => ts.iter().find_map(ref_target),
        _ => None,
    }
}

/// The record fields reached from a schema's fields through `steps`; in a union of record
/// types, the fields of every alternative (`liveness = { }` offers `path`, `command` and
/// `tcp_port`).
fn record_at<'a>(
    fields: &'a BTreeMap<String, FieldSchema>,
    steps: &[Step],
) -> Option<Cow<'a, BTreeMap<String, FieldSchema>>> {
    let mut cur: Option<&Ty> = None;
    let mut fields = fields;
    for s in steps {
        match s {
            Step::Field(name) => {
                if let Some(t) = cur {
                    fields = record_with(t, name)?;
                }
                cur = Some(&fields.get(name)?.ty);
            }
            Step::Elem => cur = Some(list_elem(cur?)?),
        }
    }
    match cur {
        None => Some(Cow::Borrowed(fields)),
        Some(t) => record_fields(t),
    }
}

/// The record alternative of a type that has the field `name`.
fn record_with<'t>(t: &'t Ty, name: &str) -> Option<&'t BTreeMap<String, FieldSchema>> {
    t.record_alternatives()
        .into_iter()
        .map(|(_, fs)| fs)
        .find(|fs| fs.contains_key(name))
}

/// The fields of a record type; of a union of record types, those of every alternative (a
/// name's first declaration).
fn record_fields(t: &Ty) -> Option<Cow<'_, BTreeMap<String, FieldSchema>>> {
    let alts = t.record_alternatives();
    match alts.as_slice() {
        [] => None,
        [(_, fs)] => Some(Cow::Borrowed(*fs)),
        _ => {
            let mut all = BTreeMap::new();
            for (_, fs) in &alts {
                for (k, f) in fs.iter() {
                    all.entry(k.clone()).or_insert_with(|| f.clone());
                }
            }
            Some(Cow::Owned(all))
        }
    }
}

fn list_elem(t: &Ty) -> Option<&Ty> {
    match t.resolved() {
        Ty::List(e) => Some(e),
        Ty::Union(ts) => ts.iter().find_map(list_elem),
        _ => None,
    }
}

fn item(
    label: &str,
    kind: CompletionItemKind,
    detail: Option<String>,
    doc: Option<String>,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        documentation: doc.map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d,
            })
        }),
        ..CompletionItem::default()
    }
}

fn field_item(name: &str, f: &FieldSchema, out: bool) -> CompletionItem {
    let mut detail = if out {
        format!("out {}", f.ty)
    } else {
        f.ty.to_string()
    };
    if !out {
        match &f.default {
            Some(d) => detail.push_str(&format!(" = {d}")),
            None if f.required => detail.push_str(" (required)"),
            None => detail.push_str(" (optional)"),
        }
    }
    item(
        name,
        CompletionItemKind::PROPERTY,
        Some(detail),
        f.doc.clone(),
    )
}

fn schema_item(label: &str, s: &ResourceSchema, r: lsp_types::Range, rank: &str) -> CompletionItem {
    let mut it = item(
        label,
        CompletionItemKind::CLASS,
        Some(format!("schema {} ({})", s.name, s.provider.as_str())),
        s.doc.clone(),
    );
    it.text_edit = Some(CompletionTextEdit::Edit(TextEdit {
        range: r,
        new_text: label.to_string(),
    }));
    it.filter_text = Some(label.to_string());
    it.sort_text = Some(format!("{rank}_{label}"));
    it
}

/// The names visible from the cursor: the current text's items (parsed now), the project's
/// other files (from the snapshot), and, inside a `module` declaration, its own items.
struct Scope<'a> {
    current: std::sync::Arc<ast::File>,
    index: &'a SourceFile,
    snap: Option<&'a Snapshot>,
    /// The project's other files in the snapshot.
    others: Vec<(FileId, &'a ast::File)>,
    /// Short names brought in by `import pkg.{A, B}`: `A` → `pkg.A`.
    imported: BTreeMap<String, String>,
    /// Items of the module declaration the cursor is in, if any.
    module_items: Vec<usize>,
}

impl<'a> Scope<'a> {
    fn new(
        index: &'a SourceFile,
        current: std::sync::Arc<ast::File>,
        snap: Option<&'a Snapshot>,
        at: usize,
    ) -> Scope<'a> {
        let own = snap.and_then(|s| s.file_of(std::path::Path::new(&*index.name)));
        let others: Vec<(FileId, &ast::File)> = match snap {
            Some(s) => s
                .outcome
                .analysis
                .files
                .iter()
                .filter(|(id, _)| Some(*id) != own && s.outcome.files.contains(id))
                .map(|(id, f)| (*id, &**f))
                .collect(),
            None => Vec::new(),
        };
        let mut imported = BTreeMap::new();
        for f in std::iter::once(&*current).chain(others.iter().map(|(_, f)| *f)) {
            for i in &f.items {
                if let Item::Import(ast::Import {
                    kind:
                        ast::ImportKind::Package {
                            path,
                            names: Some(names),
                        },
                    ..
                }) = i
                {
                    for n in names {
                        imported.insert(n.name.clone(), format!("{}.{}", path.text(), n.name));
                    }
                }
            }
        }
        let module_items =
            current.items.iter().position(|i| matches!(i, Item::Module(m) if (m.span.start as usize) < at && at < m.span.end as usize)).into_iter().collect();
        Scope {
            current,
            index,
            snap,
            others,
            imported,
            module_items,
        }
    }

    fn snippet_current(&self, s: Span) -> String {
        self.index.text.get(s.range()).unwrap_or("").to_string()
    }

    /// Top-level items of every file in scope, then those of the enclosing module.
    fn all_items(&self) -> impl Iterator<Item = &Item> {
        let module: Vec<&Item> = self
            .module_items
            .iter()
            .filter_map(|&i| match &self.current.items[i] {
                Item::Module(m) => Some(m.items.iter()),
                _ => None,
            })
            .flatten()
            .collect();
        self.current
            .items
            .iter()
            .chain(self.others.iter().flat_map(|(_, f)| f.items.iter()))
            .chain(module)
    }

    fn modules(&self) -> impl Iterator<Item = &ast::ModuleDecl> {
        self.all_items().filter_map(|i| match i {
            Item::Module(m) => Some(m),
            _ => None,
        })
    }

    fn module(&self, name: &str) -> Option<&ast::ModuleDecl> {
        self.modules().find(|m| m.name.name == name)
    }

    fn instance_module(&self, name: &str) -> Option<&ast::ModuleDecl> {
        let inst = self.all_items().find_map(|i| match i {
            Item::ModuleInstance(m) if m.name.name == name => Some(m),
            _ => None,
        })?;
        self.module(&inst.module.text())
    }

    /// A schema by the type path written after `resource x:`.
    fn schema_of_type<'s>(&self, ty: &str, schemas: &'s Schemas) -> Option<&'s ResourceSchema> {
        if let Some(s) = schemas.get(ty) {
            return Some(s);
        }
        let (first, rest) = match ty.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (ty, None),
        };
        let full = self.imported.get(first)?;
        match rest {
            Some(r) => schemas.get(&format!("{full}.{r}")),
            None => schemas.get(full),
        }
    }

    /// Resource names in scope with their schema (qualified), when known.
    fn resources(&self, schemas: &Schemas) -> Vec<(String, Option<String>)> {
        let mut out: BTreeMap<String, Option<String>> = BTreeMap::new();
        for i in self.all_items() {
            if let Item::Resource(r) = i {
                let s = self
                    .schema_of_type(&r.ty.text(), schemas)
                    .map(|s| s.name.clone());
                out.entry(r.name.name.clone()).or_insert(s);
            }
        }
        out.into_iter().collect()
    }

    fn resource_schema<'s>(&self, name: &str, schemas: &'s Schemas) -> Option<&'s ResourceSchema> {
        let r = self.all_items().find_map(|i| match i {
            Item::Resource(r) if r.name.name == name => Some(r),
            _ => None,
        });
        match r {
            Some(r) => self.schema_of_type(&r.ty.text(), schemas),
            // Not in the current text any more? The last check may still know it.
            None => {
                let r = self.snap?.declared_resources().find(|r| r.name == name)?;
                schemas.get(&r.ty)
            }
        }
    }

    fn expression_items(&self, schemas: &Schemas, out: &mut Vec<CompletionItem>) {
        let text_of = |file: Option<FileId>, s: Span| -> String {
            let t = match (file, self.snap) {
                (Some(f), Some(snap)) => snap
                    .outcome
                    .sources
                    .try_get(f)
                    .and_then(|sf| sf.text.get(s.range()))
                    .unwrap_or("")
                    .to_string(),
                _ => self.index.text.get(s.range()).unwrap_or("").to_string(),
            };
            let one: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
            if one.chars().count() > 50 {
                format!("{}…", one.chars().take(49).collect::<String>())
            } else {
                one
            }
        };
        let files = std::iter::once((None, &*self.current))
            .chain(self.others.iter().map(|(id, f)| (Some(*id), *f)));
        let push_items = |file: Option<FileId>, items: &[Item], out: &mut Vec<CompletionItem>| {
            for i in items {
                let it = match i {
                    Item::Let(l) => item(
                        &l.name.name,
                        CompletionItemKind::VARIABLE,
                        Some(format!("let = {}", text_of(file, l.value.span))),
                        l.doc.clone(),
                    ),
                    Item::Param(pm) => {
                        let ty = pm
                            .ty
                            .as_ref()
                            .map(|t| text_of(file, t.span))
                            .unwrap_or_else(|| "any".into());
                        item(
                            &pm.name.name,
                            CompletionItemKind::VARIABLE,
                            Some(format!("param: {ty}")),
                            pm.doc.clone(),
                        )
                    }
                    Item::Resource(r) => {
                        let ty = self
                            .schema_of_type(&r.ty.text(), schemas)
                            .map(|s| s.name.clone())
                            .unwrap_or_else(|| r.ty.text());
                        item(
                            &r.name.name,
                            CompletionItemKind::STRUCT,
                            Some(format!("resource: {ty}")),
                            r.doc.clone(),
                        )
                    }
                    Item::ModuleInstance(m) => item(
                        &m.name.name,
                        CompletionItemKind::MODULE,
                        Some(format!("module: {}", m.module.text())),
                        m.doc.clone(),
                    ),
                    Item::Import(ast::Import {
                        kind: ast::ImportKind::File { alias, path, .. },
                        ..
                    }) => item(
                        &alias.name,
                        CompletionItemKind::MODULE,
                        Some(format!("import {path:?}")),
                        None,
                    ),
                    _ => continue,
                };
                out.push(it);
            }
        };
        for (file, f) in files {
            push_items(file, &f.items, out);
        }
        for &mi in &self.module_items {
            if let Item::Module(m) = &self.current.items[mi] {
                push_items(None, &m.items, out);
            }
        }
        for (name, doc) in BUILTINS {
            let mut it = item(
                name,
                CompletionItemKind::FUNCTION,
                Some(doc.to_string()),
                None,
            );
            it.sort_text = Some(format!("8_{name}"));
            out.push(it);
        }
        for k in ["true", "false", "null"] {
            let mut it = item(k, CompletionItemKind::KEYWORD, None, None);
            it.sort_text = Some(format!("9_{k}"));
            out.push(it);
        }
    }
}
