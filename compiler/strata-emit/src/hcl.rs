//! Terraform configuration (HCL native syntax) in the exact layout `terraform fmt` produces,
//! so `terraform fmt -check` accepts it unchanged.
//!
//! Layout rules we reproduce (hclwrite `format.go`):
//! - two spaces of indentation per open bracket level;
//! - `=` of consecutive single-line attributes/object items is aligned one column after the
//!   longest name; a line whose value opens a multi-line construct (`tags = {`), a closing line,
//!   a nested block or a blank line ends such a run. Names are ASCII (quoted object keys escape
//!   non-ASCII as `\u`), so columns are bytes;
//! - one space around `=`, `, ` in single-line lists, `{}`/`[]` for empty collections;
//! - `"${x}"` alone is written `x` (fmt unwraps such interpolations).
//!
//! Strings: `"`, `\`, newlines, tabs and control characters are escaped (`\n`, `\u0001`); a
//! literal `${`/`%{` is written `$${`/`%%{`; literal `$`s right before an interpolation, and
//! the extra `$`/`%` of a run like `$${`, are written as a nested string `${"$"}` (because
//! `$${` would read as an escape, and `$$${` is read differently by Terraform and hcl-rs). Object keys that are not plain
//! identifiers are quoted.
//!
//! Known limit: HCL normalizes every string to Unicode NFC, so text in decomposed form
//! (`e` + U+0301) reaches Terraform composed (`é`). Nothing in the file can prevent that.

use crate::codes;
use crate::common::{is_hcl_ident, At, Cx, PROGRAM_LEVEL};
use crate::node::{json_float, pad};
use crate::{EmitOptions, EmittedFile};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use strata_base::Diagnostic;
use strata_model::{TPart, TRef, TValue, TargetProgram, TargetResource};

/// Provider versions pinned in `required_providers` (the majors whose schemas the validators
/// carry: aws 6.x, google 6.x, azurerm 4.x, kubernetes 2.x).
const PROVIDERS: [(&str, &str, &str); 6] = [
    ("aws", "hashicorp/aws", "~> 6.0"),
    ("azurerm", "hashicorp/azurerm", "~> 4.0"),
    ("google", "hashicorp/google", "~> 6.0"),
    ("google-beta", "hashicorp/google-beta", "~> 6.0"),
    ("kubernetes", "hashicorp/kubernetes", "~> 2.0"),
    ("random", "hashicorp/random", "~> 3.0"),
];

/// Roots of references that are not resources of this module (not checked).
const OTHER_ROOTS: [&str; 7] = [
    "data",
    "module",
    "local",
    "path",
    "terraform",
    "each",
    "count",
];

struct Names<'p> {
    /// `type.name` of every resource.
    resources: HashSet<String>,
    /// label → `type.name` (for `depends_on` given by label only).
    by_label: HashMap<&'p str, Vec<String>>,
}

pub(crate) fn emit(p: &TargetProgram, opts: &EmitOptions) -> (Vec<EmittedFile>, Vec<Diagnostic>) {
    let path = format!("terraform/{}/main.tf", p.stack);
    let cx = Cx::new(p, opts, path.clone());
    cx.check_stack_name();

    let mut names = Names {
        resources: HashSet::with_capacity(p.resources.len()),
        by_label: HashMap::with_capacity(p.resources.len()),
    };
    for r in &p.resources {
        let full = format!("{}.{}", r.ty, r.name);
        names
            .by_label
            .entry(r.name.as_str())
            .or_default()
            .push(full.clone());
        names.resources.insert(full);
    }
    let full_names: Vec<String> = p
        .resources
        .iter()
        .map(|r| format!("{}.{}", r.ty, r.name))
        .collect();
    cx.check_unique(
        "resource",
        full_names.iter().enumerate().map(|(i, n)| (i, n.as_str())),
    );
    cx.check_unique(
        "variable",
        p.params.iter().map(|q| (PROGRAM_LEVEL, q.name.as_str())),
    );
    cx.check_unique(
        "output",
        p.outputs.iter().map(|o| (PROGRAM_LEVEL, o.name.as_str())),
    );

    let mut blocks: Vec<String> = Vec::new();
    blocks.push(terraform_block(&cx, &names, p));

    for (key, settings) in &p.providers {
        let (name, alias) = match key.split_once('.') {
            Some((n, a)) => (n, Some(a)),
            None => (key.as_str(), None),
        };
        if !is_hcl_ident(name) || alias.is_some_and(|a| !is_hcl_ident(a)) {
            cx.error(
                codes::INVALID_NAME,
                PROGRAM_LEVEL,
                At::Root("provider"),
                format!("provider `{key}` is not `NAME` or `NAME.ALIAS` with identifiers"),
                "",
            );
            continue;
        }
        let mut s = format!("provider \"{name}\" ");
        let at = At::Root("provider");
        let at = at.key(key);
        let mut body = String::new();
        let mut attrs: Vec<(String, String)> = Vec::new();
        if let Some(a) = alias {
            attrs.push(("alias".to_string(), quoted(a)));
        }
        write_body(
            &cx,
            &names,
            PROGRAM_LEVEL,
            at,
            settings,
            2,
            attrs,
            &mut body,
        );
        wrap_body(&mut s, &body);
        blocks.push(s);
    }

    for q in &p.params {
        let at = At::Root("variable");
        let at = at.key(&q.name);
        if !is_hcl_ident(&q.name) {
            cx.error(
                codes::INVALID_NAME,
                PROGRAM_LEVEL,
                at,
                format!("variable name `{}` is not an identifier", q.name),
                "",
            );
            continue;
        }
        if !is_type_constraint(&q.ty) {
            cx.error(
                codes::INVALID_NAME,
                PROGRAM_LEVEL,
                at.key("type"),
                format!("`{}` is not a Terraform type constraint", q.ty),
                "use string, number, bool, any, list(T), set(T) or map(T)",
            );
        }
        let mut attrs = vec![("type".to_string(), q.ty.clone())];
        if let Some(d) = &q.description {
            attrs.push(("description".to_string(), quoted(d)));
        }
        if let Some(v) = &q.default {
            attrs.push((
                "default".to_string(),
                expr(&cx, &names, PROGRAM_LEVEL, at.key("default"), v, 2),
            ));
        }
        let mut body = String::new();
        write_attrs(&mut body, 2, &attrs);
        if !q.allowed.is_empty() {
            let items: Vec<String> = q
                .allowed
                .iter()
                .enumerate()
                .map(|(k, v)| expr(&cx, &names, PROGRAM_LEVEL, at.key("allowed").index(k), v, 4))
                .collect();
            let list = if items.iter().any(|s| s.contains('\n')) {
                let mut l = String::from("[\n");
                for it in &items {
                    pad(&mut l, 6);
                    l.push_str(it);
                    l.push_str(",\n");
                }
                pad(&mut l, 4);
                l.push(']');
                l
            } else {
                format!("[{}]", items.join(", "))
            };
            let shown: Vec<String> = q
                .allowed
                .iter()
                .map(|v| crate::common::scalar_text(v).unwrap_or_else(|| "(value)".to_string()))
                .collect();
            let v_attrs = vec![
                (
                    "condition".to_string(),
                    format!("contains({list}, var.{})", q.name),
                ),
                (
                    "error_message".to_string(),
                    quoted(&format!(
                        "The value of {} must be one of: {}.",
                        q.name,
                        shown.join(", ")
                    )),
                ),
            ];
            body.push_str("\n  validation {\n");
            write_attrs(&mut body, 4, &v_attrs);
            body.push_str("  }\n");
        }
        let mut s = format!("variable \"{}\" ", q.name);
        wrap_body(&mut s, &body);
        blocks.push(s);
    }

    let resources: Vec<String> = p
        .resources
        .par_iter()
        .enumerate()
        .map(|(i, r)| resource_block(&cx, &names, i, r))
        .collect();
    blocks.extend(resources);

    for o in &p.outputs {
        let at = At::Root("output");
        let at = at.key(&o.name);
        if !is_hcl_ident(&o.name) {
            cx.error(
                codes::INVALID_NAME,
                PROGRAM_LEVEL,
                at,
                format!("output name `{}` is not an identifier", o.name),
                "",
            );
            continue;
        }
        let mut attrs = Vec::new();
        if let Some(d) = &o.description {
            attrs.push(("description".to_string(), quoted(d)));
        }
        attrs.push((
            "value".to_string(),
            expr(&cx, &names, PROGRAM_LEVEL, at.key("value"), &o.value, 2),
        ));
        let mut body = String::new();
        write_attrs(&mut body, 2, &attrs);
        let mut s = format!("output \"{}\" ", o.name);
        wrap_body(&mut s, &body);
        blocks.push(s);
    }

    let mut out = String::with_capacity(blocks.iter().map(|b| b.len() + 1).sum());
    for (k, b) in blocks.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(b);
    }
    (
        vec![EmittedFile {
            path,
            contents: out,
        }],
        cx.into_diags(),
    )
}

/// `{` body `}` (or `{}` when empty), then a newline.
fn wrap_body(s: &mut String, body: &str) {
    if body.is_empty() {
        s.push_str("{}\n");
    } else {
        s.push_str("{\n");
        s.push_str(body);
        s.push_str("}\n");
    }
}

fn terraform_block(cx: &Cx, names: &Names, p: &TargetProgram) -> String {
    let mut used: BTreeSet<String> = BTreeSet::new();
    for key in p.providers.keys() {
        let name = key.split_once('.').map_or(key.as_str(), |(n, _)| n);
        if is_hcl_ident(name) {
            used.insert(name.to_string());
        }
    }
    for r in &p.resources {
        if let Some((prefix, _)) = r.ty.split_once('_') {
            if prefix != "terraform" && is_hcl_ident(prefix) {
                used.insert(prefix.to_string());
            }
        }
    }
    // Write-only arguments (`value_wo`, `secret_data_wo`: a secret's placeholder, never in the
    // state) exist from Terraform 1.11; older versions refuse the configuration at `init`.
    let write_only = p
        .resources
        .iter()
        .any(|r| r.body.keys().any(|k| k.ends_with("_wo")));
    let required = if write_only { "1.11.0" } else { "1.5.0" };
    let mut s = format!("terraform {{\n  required_version = \">= {required}\"\n");
    if !used.is_empty() {
        s.push_str("\n  required_providers {\n");
        for name in &used {
            let (source, version) = match PROVIDERS.iter().find(|(n, _, _)| n == name) {
                Some((_, src, v)) => (src.to_string(), Some(*v)),
                None => (format!("hashicorp/{name}"), None),
            };
            let _ = writeln!(s, "    {name} = {{");
            let mut attrs = vec![("source".to_string(), quoted(&source))];
            if let Some(v) = version {
                attrs.push(("version".to_string(), quoted(v)));
            }
            write_attrs(&mut s, 6, &attrs);
            s.push_str("    }\n");
        }
        s.push_str("  }\n");
    }
    // Where the state lives: `backend "s3" { ... }` (from the stack's `backend = s3 { ... }`).
    if let Some(b) = &p.backend {
        let at = At::Root("backend");
        if !is_hcl_ident(&b.kind) {
            cx.error(
                codes::INVALID_NAME,
                PROGRAM_LEVEL,
                at,
                format!("backend type `{}` is not an identifier", b.kind),
                "",
            );
        }
        let _ = write!(s, "\n  backend {} ", quoted(&b.kind));
        let mut body = String::new();
        write_body(
            cx,
            names,
            PROGRAM_LEVEL,
            at,
            &b.settings,
            4,
            Vec::new(),
            &mut body,
        );
        if body.is_empty() {
            s.push_str("{}\n");
        } else {
            s.push_str("{\n");
            s.push_str(&body);
            s.push_str("  }\n");
        }
    }
    s.push_str("}\n");
    s
}

fn resource_block(cx: &Cx, names: &Names, i: usize, r: &TargetResource) -> String {
    let at = At::Root("");
    // `data.aws_s3_bucket`: a data source (an existing resource), referred to as
    // `data.aws_s3_bucket.NAME`.
    let (kind, ty) = match r.ty.strip_prefix("data.") {
        Some(t) => ("data", t),
        None => ("resource", r.ty.as_str()),
    };
    if !is_hcl_ident(ty) {
        cx.error(
            codes::INVALID_NAME,
            i,
            at,
            format!("resource type `{}` is not an identifier", r.ty),
            "",
        );
    }
    if !is_hcl_ident(&r.name) {
        cx.error(
            codes::INVALID_NAME,
            i,
            at,
            format!("resource name `{}` is not an identifier", r.name),
            "Terraform names use letters, digits, `_` and `-` and start with a letter or `_`",
        );
    }
    let mut body = String::new();
    write_body(cx, names, i, at, &r.body, 2, Vec::new(), &mut body);
    if !r.depends_on.is_empty() {
        let deps: Vec<String> = r
            .depends_on
            .iter()
            .enumerate()
            .map(|(k, d)| {
                let at = At::Root("depends_on");
                let at = at.index(k);
                if d.contains('.') {
                    let root = d.split('.').next().unwrap_or("");
                    if !names.resources.contains(d.as_str()) && !OTHER_ROOTS.contains(&root) {
                        cx.error(
                            codes::UNKNOWN_REF,
                            i,
                            at,
                            format!("depends on `{d}`, which is not a resource of this module"),
                            "",
                        );
                    }
                    d.clone()
                } else {
                    match names.by_label.get(d.as_str()).map(Vec::as_slice) {
                        Some([one]) => one.clone(),
                        Some(_) => {
                            cx.error(
                                codes::UNKNOWN_REF,
                                i,
                                at,
                                format!("depends on `{d}`, which names several resources"),
                                "write `TYPE.NAME`",
                            );
                            d.clone()
                        }
                        None => {
                            cx.error(
                                codes::UNKNOWN_REF,
                                i,
                                at,
                                format!("depends on `{d}`, which is not a resource of this module"),
                                "",
                            );
                            d.clone()
                        }
                    }
                }
            })
            .collect();
        if !body.is_empty() {
            body.push('\n');
        }
        let _ = writeln!(body, "  depends_on = [{}]", deps.join(", "));
    }
    let mut s = format!("{kind} \"{ty}\" \"{}\" ", r.name);
    wrap_body(&mut s, &body);
    s
}

/// A block body at `indent`: `pre` attributes, the map's attributes (sorted), then its nested
/// blocks (`TValue::Blocks`), each block preceded by a blank line.
#[allow(clippy::too_many_arguments)]
fn write_body(
    cx: &Cx,
    names: &Names,
    i: usize,
    at: At,
    body: &strata_model::TMap,
    indent: usize,
    pre: Vec<(String, String)>,
    out: &mut String,
) {
    let start = out.len();
    let mut items: Vec<Item> = pre
        .iter()
        .map(|(k, v)| Item {
            key: Cow::Borrowed(k.as_str()),
            name: k.as_str(),
            val: Val::Raw(v.as_str()),
        })
        .collect();
    let mut blocks: Vec<(&str, &strata_model::TMap, usize)> = Vec::new();
    for (k, v) in body {
        if !is_hcl_ident(k) {
            cx.error(
                codes::INVALID_NAME,
                i,
                at.key(k),
                format!("argument or block name `{k}` is not an identifier"),
                "arguments of Terraform blocks must be identifiers",
            );
        }
        match v {
            TValue::Blocks(list) => {
                for (n, b) in list.iter().enumerate() {
                    blocks.push((k.as_str(), b, n));
                }
            }
            _ => items.push(Item {
                key: Cow::Borrowed(k.as_str()),
                name: k.as_str(),
                val: Val::V(v),
            }),
        }
    }
    write_items(out, cx, names, i, at, indent, &items);
    for (name, b, n) in blocks {
        if out.len() > start {
            out.push('\n');
        }
        pad(out, indent);
        out.push_str(name);
        out.push(' ');
        let at_k = at.key(name);
        let at_b = at_k.index(n);
        if b.values()
            .all(|v| matches!(v, TValue::Blocks(l) if l.is_empty()))
        {
            out.push_str("{}\n");
        } else if name == "lifecycle" && indent == 2 && b.contains_key("ignore_changes") {
            // `ignore_changes` lists attribute names, written bare (`[desired_count]`).
            let mut rest = b.clone();
            let mut pre = Vec::new();
            if let Some(v) = rest.remove("ignore_changes") {
                let at_i = at_b.key("ignore_changes");
                let names_of: Vec<String> = match &v {
                    TValue::List(l) => l
                        .iter()
                        .enumerate()
                        .map(|(k, x)| match x {
                            TValue::Str(a) if is_hcl_ident(a) => a.clone(),
                            _ => {
                                cx.error(
                                    codes::INVALID_NAME,
                                    i,
                                    at_i.index(k),
                                    "`ignore_changes` lists attribute names",
                                    "",
                                );
                                String::new()
                            }
                        })
                        .collect(),
                    _ => {
                        cx.error(
                            codes::INVALID_NAME,
                            i,
                            at_i,
                            "`ignore_changes` is a list of attribute names",
                            "",
                        );
                        Vec::new()
                    }
                };
                pre.push((
                    "ignore_changes".to_string(),
                    format!("[{}]", names_of.join(", ")),
                ));
            }
            out.push_str("{\n");
            write_body(cx, names, i, at_b, &rest, indent + 2, pre, out);
            pad(out, indent);
            out.push_str("}\n");
        } else {
            out.push_str("{\n");
            write_body(cx, names, i, at_b, b, indent + 2, Vec::new(), out);
            pad(out, indent);
            out.push_str("}\n");
        }
    }
}

/// The value of an attribute line: text already rendered, or a value to render in place.
enum Val<'a> {
    Raw(&'a str),
    V(&'a TValue),
}

struct Item<'a> {
    /// As written (an identifier, or a quoted object key).
    key: Cow<'a, str>,
    /// As named in messages.
    name: &'a str,
    val: Val<'a>,
}

impl Item<'_> {
    fn multiline(&self) -> bool {
        match &self.val {
            Val::Raw(s) => s.contains('\n'),
            Val::V(v) => is_multiline(v),
        }
    }
}

/// `name = value` lines at `indent`, aligning `=` over each run of single-line values exactly
/// as `terraform fmt` does. Keys must be ASCII.
#[allow(clippy::too_many_arguments)]
fn write_items(
    out: &mut String,
    cx: &Cx,
    names: &Names,
    i: usize,
    at: At,
    indent: usize,
    items: &[Item],
) {
    let mut k = 0;
    while k < items.len() {
        let (end, width) = if items[k].multiline() {
            (k + 1, items[k].key.len())
        } else {
            let mut end = k;
            while end < items.len() && !items[end].multiline() {
                end += 1;
            }
            (
                end,
                items[k..end]
                    .iter()
                    .map(|it| it.key.len())
                    .max()
                    .unwrap_or(0),
            )
        };
        for it in &items[k..end] {
            pad(out, indent);
            out.push_str(&it.key);
            pad(out, width - it.key.len() + 1);
            out.push_str("= ");
            match &it.val {
                Val::Raw(s) => out.push_str(s),
                Val::V(v) => write_expr(out, cx, names, i, at.key(it.name), v, indent),
            }
            out.push('\n');
        }
        k = end;
    }
}

/// Raw `name = value` lines (values already rendered), aligned like [`write_items`].
fn write_attrs(out: &mut String, indent: usize, attrs: &[(String, String)]) {
    let mut k = 0;
    while k < attrs.len() {
        let multi = attrs[k].1.contains('\n');
        let mut end = k + 1;
        while !multi && end < attrs.len() && !attrs[end].1.contains('\n') {
            end += 1;
        }
        let width = attrs[k..end]
            .iter()
            .map(|(n, _)| n.len())
            .max()
            .unwrap_or(0);
        for (name, value) in &attrs[k..end] {
            pad(out, indent);
            out.push_str(name);
            pad(out, width - name.len() + 1);
            out.push_str("= ");
            out.push_str(value);
            out.push('\n');
        }
        k = end;
    }
}

/// An expression rendered to a string (see [`write_expr`]).
fn expr(cx: &Cx, names: &Names, i: usize, at: At, v: &TValue, indent: usize) -> String {
    let mut s = String::new();
    write_expr(&mut s, cx, names, i, at, v, indent);
    s
}

/// Whether a value is written over several lines (non-empty objects, lists holding them or
/// other non-empty collections). Strings never are: newlines are escaped.
fn is_multiline(v: &TValue) -> bool {
    match v {
        TValue::Map(m) => !m.is_empty(),
        TValue::List(items) => items
            .iter()
            .any(|x| is_multiline(x) || is_nonempty_collection(x)),
        TValue::Blocks(blocks) => blocks.iter().any(|b| !b.is_empty()),
        TValue::Json(inner) => is_multiline(inner),
        _ => false,
    }
}

/// An expression starting on a line indented by `indent`; continuation lines are indented
/// relative to it, the closing bracket at `indent`.
#[allow(clippy::too_many_arguments)]
fn write_expr(
    out: &mut String,
    cx: &Cx,
    names: &Names,
    i: usize,
    at: At,
    v: &TValue,
    indent: usize,
) {
    match v {
        TValue::Null => out.push_str("null"),
        TValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        TValue::Int(n) => {
            let _ = write!(out, "{n}");
        }
        TValue::Float(f) => {
            if cx.check_float(*f, i, at) {
                out.push_str(&json_float(*f));
            } else {
                out.push_str("null");
            }
        }
        TValue::Str(s) => {
            out.push('"');
            escape_into(out, s, false);
            out.push('"');
        }
        TValue::List(items) => {
            if items.is_empty() {
                out.push_str("[]");
            } else if !is_multiline(v) {
                out.push('[');
                for (k, x) in items.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    write_expr(out, cx, names, i, at.index(k), x, indent + 2);
                }
                out.push(']');
            } else {
                out.push_str("[\n");
                for (k, x) in items.iter().enumerate() {
                    pad(out, indent + 2);
                    write_expr(out, cx, names, i, at.index(k), x, indent + 2);
                    out.push_str(",\n");
                }
                pad(out, indent);
                out.push(']');
            }
        }
        TValue::Blocks(blocks) => {
            if blocks.is_empty() {
                out.push_str("[]");
            } else if !is_multiline(v) {
                out.push('[');
                for k in 0..blocks.len() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    out.push_str("{}");
                }
                out.push(']');
            } else {
                out.push_str("[\n");
                for (k, b) in blocks.iter().enumerate() {
                    pad(out, indent + 2);
                    write_object(out, cx, names, i, at.index(k), b, indent + 2);
                    out.push_str(",\n");
                }
                pad(out, indent);
                out.push(']');
            }
        }
        TValue::Map(m) => write_object(out, cx, names, i, at, m, indent),
        TValue::Ref(r) => traversal(out, cx, names, i, at, r),
        TValue::Interp(parts) => {
            if let [TPart::Ref(r)] = parts.as_slice() {
                // `"${x}"` is rewritten to `x` by terraform fmt.
                traversal(out, cx, names, i, at, r);
                return;
            }
            if let [TPart::Split { of, sep, index }] = parts.as_slice() {
                split(out, cx, names, i, at, of, sep, *index);
                return;
            }
            out.push('"');
            let mut lit = String::new();
            for p in parts {
                match p {
                    TPart::Lit(l) => lit.push_str(l),
                    TPart::Ref(r) => {
                        escape_into(out, &lit, false);
                        lit.clear();
                        open_interp(out);
                        traversal(out, cx, names, i, at, r);
                        out.push('}');
                    }
                    TPart::Split { of, sep, index } => {
                        escape_into(out, &lit, false);
                        lit.clear();
                        open_interp(out);
                        split(out, cx, names, i, at, of, sep, *index);
                        out.push('}');
                    }
                }
            }
            escape_into(out, &lit, false);
            out.push('"');
        }
        TValue::Json(inner) => {
            out.push_str("jsonencode(");
            write_expr(out, cx, names, i, at, inner, indent);
            out.push(')');
        }
    }
}

/// Starts an interpolation (`${`). Literal `$`s just before it would turn it into the escape
/// `$${`, so they are moved into a nested string first: `$` + `${x}` → `${"$"}${x}`. (Every
/// `$` at the end of the output here is a literal one: escapes and interpolations end in `{`,
/// `}` or `"`.)
fn open_interp(out: &mut String) {
    let keep = out.trim_end_matches('$').len();
    let dollars = out.len() - keep;
    if dollars > 0 {
        out.truncate(keep);
        out.push_str("${\"");
        for _ in 0..dollars {
            out.push('$');
        }
        out.push_str("\"}");
    }
    out.push_str("${");
}

fn is_nonempty_collection(v: &TValue) -> bool {
    match v {
        TValue::List(x) => !x.is_empty(),
        TValue::Map(x) => !x.is_empty(),
        TValue::Blocks(x) => !x.is_empty(),
        TValue::Json(x) => is_nonempty_collection(x),
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn write_object(
    out: &mut String,
    cx: &Cx,
    names: &Names,
    i: usize,
    at: At,
    m: &strata_model::TMap,
    indent: usize,
) {
    if m.is_empty() {
        out.push_str("{}");
        return;
    }
    let items: Vec<Item> = m
        .iter()
        .map(|(k, x)| Item {
            key: object_key(k),
            name: k.as_str(),
            val: Val::V(x),
        })
        .collect();
    out.push_str("{\n");
    write_items(out, cx, names, i, at, indent + 2, &items);
    pad(out, indent);
    out.push('}');
}

/// An object key: bare when an identifier that cannot be read as something else, otherwise a
/// quoted string with non-ASCII characters escaped (so alignment columns are bytes).
fn object_key(k: &str) -> Cow<'_, str> {
    const KEYWORDS: [&str; 8] = [
        "true", "false", "null", "for", "in", "if", "endfor", "endif",
    ];
    if is_hcl_ident(k) && !KEYWORDS.contains(&k) {
        return Cow::Borrowed(k);
    }
    let mut s = String::with_capacity(k.len() + 2);
    s.push('"');
    escape_into(&mut s, k, true);
    s.push('"');
    Cow::Owned(s)
}

/// A quoted HCL string literal for `s`.
pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    escape_into(&mut out, s, false);
    out.push('"');
    out
}

/// Escapes literal text for the inside of a quoted HCL template.
fn escape_into(out: &mut String, s: &str, ascii_only: bool) {
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\\' | b'$' | b'%'))
    {
        out.push_str(s);
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' => {
                // A run of `$` (or `%`) before `{`: the last one starts a sequence and is doubled
                // (`$${`); the others go into a nested string (`${"$"}$${`), because readers
                // disagree on `$$${` (Terraform: `$` + escape; hcl-rs: escape + `{`).
                let mut run = 1;
                while chars.peek() == Some(&c) {
                    chars.next();
                    run += 1;
                }
                if chars.peek() == Some(&'{') {
                    if run > 1 {
                        open_interp(out);
                        out.push('"');
                        for _ in 1..run {
                            out.push(c);
                        }
                        out.push_str("\"}");
                    }
                    out.push(c);
                    out.push(c);
                } else {
                    for _ in 0..run {
                        out.push(c);
                    }
                }
            }
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
                || ascii_only && !c.is_ascii() =>
            {
                if (c as u32) > 0xffff {
                    let _ = write!(out, "\\U{:08X}", c as u32);
                } else {
                    let _ = write!(out, "\\u{:04X}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
}

/// A reference as a traversal: `var.NAME`, `TYPE.NAME[.ATTR]`, `data.TYPE.NAME.ATTR`, ...
/// A field of a split value: `element(split(SEP, REF), INDEX)`.
#[allow(clippy::too_many_arguments)]
fn split(
    out: &mut String,
    cx: &Cx,
    names: &Names,
    i: usize,
    at: At,
    of: &TRef,
    sep: &str,
    index: u32,
) {
    out.push_str("element(split(\"");
    escape_into(out, sep, false);
    out.push_str("\", ");
    traversal(out, cx, names, i, at, of);
    out.push_str(&format!("), {index})"));
}

fn traversal(out: &mut String, cx: &Cx, names: &Names, i: usize, at: At, r: &TRef) {
    if r.param {
        if !is_hcl_ident(&r.resource) || cx.param(&r.resource).is_none() {
            cx.error(
                codes::UNKNOWN_REF,
                i,
                at,
                format!(
                    "refers to variable `{}`, which this module does not declare",
                    r.resource
                ),
                "",
            );
        }
        out.push_str("var.");
        out.push_str(&r.resource);
        if let Some(a) = &r.attr {
            check_attr(cx, i, at, a);
            out.push('.');
            out.push_str(a);
        }
        return;
    }
    let root = r.resource.split('.').next().unwrap_or("");
    if !r.resource.contains('.') || !r.resource.split('.').all(is_hcl_ident) {
        cx.error(
            codes::INVALID_NAME,
            i,
            at,
            format!(
                "`{}` is not a Terraform reference (`TYPE.NAME`)",
                r.resource
            ),
            "",
        );
    } else if !OTHER_ROOTS.contains(&root) && !names.resources.contains(r.resource.as_str()) {
        cx.error(
            codes::UNKNOWN_REF,
            i,
            at,
            format!(
                "refers to `{}`, which is not a resource of this module",
                r.resource
            ),
            "",
        );
    }
    out.push_str(&r.resource);
    if let Some(a) = &r.attr {
        check_attr(cx, i, at, a);
        out.push('.');
        out.push_str(a);
    }
}

/// Attribute paths: `.`-separated identifiers or numbers (legacy index), each optionally
/// followed by `[N]` indexes: `arn`, `endpoint.0.address`, `network_interface[0].ip`.
fn check_attr(cx: &Cx, i: usize, at: At, a: &str) {
    let ok = !a.is_empty()
        && a.split('.').all(|seg| {
            let (head, rest) = seg.split_once('[').map_or((seg, ""), |(h, r)| (h, r));
            let head_ok =
                is_hcl_ident(head) || !head.is_empty() && head.bytes().all(|c| c.is_ascii_digit());
            let rest_ok = rest.is_empty()
                || format!("[{rest}").split_inclusive(']').all(|ix| {
                    ix.len() > 2
                        && ix.starts_with('[')
                        && ix.ends_with(']')
                        && ix[1..ix.len() - 1].bytes().all(|c| c.is_ascii_digit())
                });
            head_ok && rest_ok
        });
    if !ok {
        cx.error(
            codes::INVALID_NAME,
            i,
            at,
            format!("attribute path `{a}` cannot be written as a Terraform traversal"),
            "",
        );
    }
}

/// `string`, `number`, `bool`, `any`, `list(T)`, `set(T)`, `map(T)`.
fn is_type_constraint(t: &str) -> bool {
    match t {
        "string" | "number" | "bool" | "any" => true,
        _ => ["list(", "set(", "map("].iter().any(|p| {
            t.strip_prefix(p)
                .and_then(|r| r.strip_suffix(')'))
                .is_some_and(is_type_constraint)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_template_sequences() {
        assert_eq!(quoted("a${b}%{c}$${d}"), r#""a$${b}%%{c}${"$"}$${d}""#);
        assert_eq!(quoted("%%%{"), r#""${"%%"}%%{""#);
        assert_eq!(quoted("$ % $$ %%"), r#""$ % $$ %%""#);
        assert_eq!(
            quoted("q\"\\\n\r\t\u{1}é"),
            "\"q\\\"\\\\\\n\\r\\t\\u0001é\""
        );
        assert_eq!(object_key("é k"), "\"\\u00E9 k\"");
        assert_eq!(object_key("😀"), "\"\\U0001F600\"");
        assert_eq!(object_key("Name"), "Name");
        assert_eq!(object_key("for"), "\"for\"");
        assert_eq!(object_key("kubernetes.io/role"), "\"kubernetes.io/role\"");
    }

    #[test]
    fn type_constraints() {
        assert!(is_type_constraint("list(map(string))"));
        assert!(!is_type_constraint("String"));
        assert!(!is_type_constraint("list(string"));
    }

    #[test]
    fn aligns_runs() {
        let mut s = String::new();
        let a = |k: &str, v: &str| (k.to_string(), v.to_string());
        write_attrs(
            &mut s,
            2,
            &[
                a("a", "1"),
                a("long_name", "2"),
                a("m", "{\n    x = 1\n  }"),
                a("bb", "3"),
            ],
        );
        assert_eq!(
            s,
            "  a         = 1\n  long_name = 2\n  m = {\n    x = 1\n  }\n  bb = 3\n"
        );
    }
}
