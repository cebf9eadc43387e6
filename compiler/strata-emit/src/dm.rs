//! Google Cloud Deployment Manager configs (YAML):
//! `resources: [{name, type, properties, metadata: {dependsOn}}]`, `outputs: [{name, value}]`.
//!
//! - `TRef { resource, attr: Some(field) }` → the string `$(ref.resource.field)`; inside
//!   `TValue::Interp` the reference is embedded in the string (`"https://$(ref.lb.IPAddress)/"`).
//!   A reference without a field cannot be written (X0006).
//! - Parameter references: a config has no parameters, so the parameter's default value is
//!   written in its place (X0006 without a default).
//! - `TValue::Json` → the value itself; `TValue::Blocks` → a list of maps.
//! - Deployment Manager expands `$(ref.` anywhere in a string and has no escape for it (its
//!   reference docs describe none, and templates would need Jinja/Python tricks that plain
//!   configs cannot use), so user text containing `$(ref.` is refused with X0001 rather than
//!   written and silently turned into a reference. Other look-alikes (`{{ }}`, `${}`, `$(x)`)
//!   are plain text in a YAML config and are written as they are.

use crate::codes;
use crate::common::{node, param_default, scalar_text, At, Cx, Leaves, PROGRAM_LEVEL};
use crate::node::{write_yaml_document, yaml_seq, Node};
use crate::{EmitOptions, EmittedFile};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashSet;
use strata_base::Diagnostic;
use strata_model::{TPart, TRef, TValue, TargetProgram, TargetResource};

const REF_OPEN: &str = "$(ref.";

pub(crate) fn emit(p: &TargetProgram, opts: &EmitOptions) -> (Vec<EmittedFile>, Vec<Diagnostic>) {
    let path = format!("deployment-manager/{}.yaml", p.stack);
    let cx = Cx::new(p, opts, path.clone());
    cx.check_stack_name();
    let names: HashSet<&str> = p.resources.iter().map(|r| r.name.as_str()).collect();
    cx.check_unique(
        "resource",
        p.resources
            .iter()
            .enumerate()
            .map(|(i, r)| (i, r.name.as_str())),
    );
    cx.check_unique(
        "output",
        p.outputs.iter().map(|o| (PROGRAM_LEVEL, o.name.as_str())),
    );

    let rendered: Vec<String> = p
        .resources
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let node = resource_node(&cx, &names, i, r);
            let mut s = String::new();
            yaml_seq(&mut s, std::slice::from_ref(&node), 2, false);
            s
        })
        .collect();

    let mut out = String::with_capacity(rendered.iter().map(String::len).sum::<usize>() + 256);
    if rendered.is_empty() {
        out.push_str("resources: []\n");
    } else {
        out.push_str("resources:\n");
        for r in &rendered {
            out.push_str(r);
        }
    }
    if !p.outputs.is_empty() {
        let items = p
            .outputs
            .iter()
            .map(|o| {
                let at = At::Root("outputs");
                let at = at.key(&o.name);
                if !valid_name(&o.name) {
                    cx.error(
                        codes::INVALID_NAME,
                        PROGRAM_LEVEL,
                        at,
                        format!(
                            "output name `{}` is not a valid Deployment Manager name",
                            o.name
                        ),
                        "use letters, digits, `-` and `_`",
                    );
                }
                let mut n = Node::map();
                n.push("name", Node::str(o.name.as_str()));
                n.push("value", value(&cx, &names, PROGRAM_LEVEL, at, &o.value));
                n
            })
            .collect();
        let mut tail = Node::map();
        tail.push("outputs", Node::Seq(items));
        write_yaml_document(&mut out, &tail);
    }
    (
        vec![EmittedFile {
            path,
            contents: out,
        }],
        cx.into_diags(),
    )
}

/// Names appear inside `$(ref.NAME.FIELD)`: a letter or digit, then letters, digits, `-`, `_`.
fn valid_name(n: &str) -> bool {
    n.len() <= 63
        && n.as_bytes().first().is_some_and(u8::is_ascii_alphanumeric)
        && n.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

fn resource_node<'a>(
    cx: &Cx<'a>,
    names: &HashSet<&str>,
    i: usize,
    r: &'a TargetResource,
) -> Node<'a> {
    let at = At::Root("");
    if !valid_name(&r.name) {
        cx.error(
            codes::INVALID_NAME,
            i,
            at,
            format!(
                "`{}` is not a valid Deployment Manager resource name",
                r.name
            ),
            "use letters, digits, `-` and `_` (at most 63)",
        );
    }
    if r.ty.is_empty() || r.ty.chars().any(char::is_whitespace) {
        cx.error(
            codes::INVALID_NAME,
            i,
            at,
            format!("`{}` is not a Deployment Manager type name", r.ty),
            "",
        );
    }
    let mut n = Node::map();
    n.push("name", Node::str(r.name.as_str()));
    n.push("type", Node::str(r.ty.as_str()));
    if !r.body.is_empty() {
        let at = At::Root("properties");
        n.push("properties", map(cx, names, i, at, r.body.iter()));
    }
    if !r.depends_on.is_empty() {
        let deps = r
            .depends_on
            .iter()
            .enumerate()
            .map(|(k, d)| {
                if !names.contains(d.as_str()) {
                    let at = At::Root("metadata.dependsOn");
                    cx.error(
                        codes::UNKNOWN_REF,
                        i,
                        at.index(k),
                        format!("depends on `{d}`, which is not a resource of this config"),
                        "",
                    );
                }
                Node::str(d.as_str())
            })
            .collect();
        let mut meta = Node::map();
        meta.push("dependsOn", Node::Seq(deps));
        n.push("metadata", meta);
    }
    n
}

fn map<'a>(
    cx: &Cx<'a>,
    names: &HashSet<&str>,
    i: usize,
    at: At,
    entries: impl Iterator<Item = (&'a String, &'a TValue)>,
) -> Node<'a> {
    Node::Map(
        entries
            .map(|(k, v)| {
                let at_k = at.key(k);
                if k.contains(REF_OPEN) {
                    literal_ref_error(cx, i, at_k);
                }
                (Cow::Borrowed(k.as_str()), value(cx, names, i, at_k, v))
            })
            .collect(),
    )
}

fn literal_ref_error(cx: &Cx, i: usize, at: At) {
    cx.error(
        codes::DM_LITERAL_REF,
        i,
        at,
        "the text `$(ref.` would be expanded by Deployment Manager as a reference",
        "Deployment Manager has no escape for `$(ref.`; change the text",
    );
}

fn value<'a>(cx: &Cx<'a>, names: &HashSet<&str>, i: usize, at: At, v: &'a TValue) -> Node<'a> {
    node(cx, i, at, v, &Dm { cx, names, i })
}

/// Deployment Manager's leaves: references as `$(ref.NAME.FIELD)`, parameters by their
/// default, JSON values written as themselves; no text may contain `$(ref.` of its own.
struct Dm<'c, 'p> {
    cx: &'c Cx<'p>,
    names: &'c HashSet<&'c str>,
    i: usize,
}

impl<'a> Leaves<'a> for Dm<'_, 'a> {
    fn str(&self, at: At, s: &'a str) -> Node<'a> {
        if s.contains(REF_OPEN) {
            literal_ref_error(self.cx, self.i, at);
        }
        Node::str(s)
    }

    fn key(&self, at: At, k: &str) {
        if k.contains(REF_OPEN) {
            literal_ref_error(self.cx, self.i, at);
        }
    }

    fn other(&self, at: At, v: &'a TValue) -> Node<'a> {
        let (cx, names, i) = (self.cx, self.names, self.i);
        match v {
            TValue::Json(inner) => value(cx, names, i, at, inner),
            TValue::Ref(r) if r.param => match param_default(cx, &r.resource) {
                Some(d) => value(cx, names, i, at, d),
                None => {
                    param_error(cx, i, at, r);
                    Node::Null
                }
            },
            TValue::Ref(r) => Node::str(reference(cx, names, i, at, r)),
            TValue::Interp(parts) => {
                let mut s = String::new();
                let mut ours = Vec::new();
                for p in parts {
                    match p {
                        TPart::Lit(l) => s.push_str(l),
                        TPart::Ref(r) if r.param => {
                            match param_default(cx, &r.resource).and_then(scalar_text) {
                                Some(t) => s.push_str(&t),
                                None => param_error(cx, i, at, r),
                            }
                        }
                        TPart::Ref(r) => {
                            ours.push(s.len());
                            s.push_str(&reference(cx, names, i, at, r));
                        }
                        TPart::Split { of, .. } => split_error(cx, i, at, of),
                    }
                }
                if s.match_indices(REF_OPEN)
                    .any(|(pos, _)| !ours.contains(&pos))
                {
                    literal_ref_error(cx, i, at);
                }
                Node::str(s)
            }
            _ => node(cx, i, at, v, self),
        }
    }
}

fn split_error(cx: &Cx, i: usize, at: At, r: &TRef) {
    cx.error(
        codes::UNSUPPORTED,
        i,
        at,
        format!(
            "a part of `{}` cannot be computed in a Deployment Manager config",
            r.resource
        ),
        "Deployment Manager has no string functions; write the value in another target",
    );
}

fn param_error(cx: &Cx, i: usize, at: At, r: &TRef) {
    cx.error(codes::UNSUPPORTED, i, at, format!("parameter `{}` has no default (scalar) value, and Deployment Manager configs have no parameters", r.resource), "give the parameter a value for this environment");
}

fn reference(cx: &Cx, names: &HashSet<&str>, i: usize, at: At, r: &TRef) -> String {
    if !names.contains(r.resource.as_str()) {
        cx.error(
            codes::UNKNOWN_REF,
            i,
            at,
            format!(
                "refers to `{}`, which is not a resource of this config",
                r.resource
            ),
            "",
        );
    }
    match &r.attr {
        Some(a) => {
            if a.is_empty()
                || a.chars()
                    .any(|c| c.is_whitespace() || c == ')' || c == '(' || c == '$')
            {
                cx.error(
                    codes::INVALID_NAME,
                    i,
                    at,
                    format!("field `{a}` cannot be written inside `$(ref.NAME.FIELD)`"),
                    "",
                );
            }
            format!("$(ref.{}.{a})", r.resource)
        }
        None => {
            cx.error(
                codes::UNSUPPORTED,
                i,
                at,
                format!(
                    "a reference to `{}` needs a field (`$(ref.{}.FIELD)`)",
                    r.resource, r.resource
                ),
                "refer to a field such as `selfLink` or `name`",
            );
            format!("$(ref.{}.name)", r.resource)
        }
    }
}
