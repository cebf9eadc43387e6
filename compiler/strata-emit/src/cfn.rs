//! AWS CloudFormation templates, JSON (default) or YAML.
//!
//! - `TRef` → `{"Ref": X}` (resources without attribute, parameters, `AWS::` pseudo
//!   parameters) or `{"Fn::GetAtt": [X, Attr]}`.
//! - `TValue::Interp` → `{"Fn::Sub": "..."}` with `${X}` / `${X.Attr}`; a literal `${` is
//!   written `${!` (the `Fn::Sub` escape: "To write a dollar sign and curly braces (${})
//!   literally, add an exclamation point (!) after the open curly brace"). Without references
//!   it is a plain string (no `Fn::Sub`, nothing to escape). When a literal part holds a `${`
//!   that the escape cannot cover unambiguously (no `}` of its own before the next `${`, e.g.
//!   `price ${` or `${a ${b}`), the string is written `{"Fn::Join": ["", [parts...]]}` instead,
//!   which interprets nothing. So is a string with a `TPart::Split` (`Fn::Sub` cannot
//!   call `Fn::Select`/`Fn::Split` inside its text).
//! - `TValue::Json` → the value itself (CloudFormation takes JSON-typed properties as objects).
//! - `TValue::Blocks` → a list of maps.
//!
//! Intrinsic functions use their long form (`Fn::GetAtt:`) in YAML too, so no YAML tags.

use crate::codes;
use crate::common::{node, At, Cx, Leaves, PROGRAM_LEVEL};
use crate::node::{json_string, pad, write_json, yaml_map, Node};
use crate::{EmitOptions, EmittedFile};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashSet;
use strata_base::Diagnostic;
use strata_model::{TPart, TRef, TValue, TargetProgram, TargetResource};

struct Names<'p> {
    resources: HashSet<&'p str>,
}

pub(crate) fn emit(p: &TargetProgram, opts: &EmitOptions) -> (Vec<EmittedFile>, Vec<Diagnostic>) {
    let yaml = opts.cloudformation_yaml;
    let path = format!(
        "cloudformation/{}.template.{}",
        p.stack,
        if yaml { "yaml" } else { "json" }
    );
    let cx = Cx::new(p, opts, path.clone());
    cx.check_stack_name();

    let names = Names {
        resources: p.resources.iter().map(|r| r.name.as_str()).collect(),
    };
    cx.check_unique(
        "logical id",
        p.params
            .iter()
            .map(|q| (PROGRAM_LEVEL, q.name.as_str()))
            .chain(
                p.resources
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (i, r.name.as_str())),
            ),
    );
    cx.check_unique(
        "output",
        p.outputs.iter().map(|o| (PROGRAM_LEVEL, o.name.as_str())),
    );
    for q in &p.params {
        check_logical_id(&cx, PROGRAM_LEVEL, "parameter", &q.name);
    }
    for o in &p.outputs {
        check_logical_id(&cx, PROGRAM_LEVEL, "output", &o.name);
    }
    check_quotas(&cx, p);

    // Resources: built and rendered in parallel, joined in program order.
    let rendered: Vec<String> = p
        .resources
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            check_logical_id(&cx, i, "resource", &r.name);
            let node = resource_node(&cx, &names, i, r);
            let mut s = String::new();
            if yaml {
                yaml_map(&mut s, &[(Cow::Borrowed(r.name.as_str()), node)], 2, false);
            } else {
                pad(&mut s, 4);
                json_string(&mut s, &r.name);
                s.push_str(": ");
                write_json(&mut s, &node, 4);
            }
            s
        })
        .collect();

    let mut head: Vec<(Cow<str>, Node)> =
        vec![("AWSTemplateFormatVersion".into(), Node::str("2010-09-09"))];
    if let Some(d) = &p.description {
        head.push(("Description".into(), Node::str(d.as_str())));
    }
    if !p.params.is_empty() {
        let mut params = Node::map();
        for q in &p.params {
            let at = At::Root("Parameters");
            let at = at.key(&q.name);
            let mut n = Node::map();
            n.push("Type", Node::str(q.ty.as_str()));
            if let Some(d) = &q.description {
                n.push("Description", Node::str(d.as_str()));
            }
            if let Some(v) = &q.default {
                n.push(
                    "Default",
                    value(&cx, &names, PROGRAM_LEVEL, at.key("Default"), v),
                );
            }
            if !q.allowed.is_empty() {
                let allowed = q
                    .allowed
                    .iter()
                    .enumerate()
                    .map(|(k, v)| {
                        value(
                            &cx,
                            &names,
                            PROGRAM_LEVEL,
                            at.key("AllowedValues").index(k),
                            v,
                        )
                    })
                    .collect();
                n.push("AllowedValues", Node::Seq(allowed));
            }
            params.push(q.name.as_str(), n);
        }
        head.push(("Parameters".into(), params));
    }
    let mut tail: Vec<(Cow<str>, Node)> = Vec::new();
    if !p.outputs.is_empty() {
        let mut outputs = Node::map();
        for o in &p.outputs {
            let at = At::Root("Outputs");
            let at = at.key(&o.name);
            let mut n = Node::map();
            if let Some(d) = &o.description {
                n.push("Description", Node::str(d.as_str()));
            }
            n.push(
                "Value",
                value(&cx, &names, PROGRAM_LEVEL, at.key("Value"), &o.value),
            );
            outputs.push(o.name.as_str(), n);
        }
        tail.push(("Outputs".into(), outputs));
    }

    let mut out = String::with_capacity(rendered.iter().map(|s| s.len() + 2).sum::<usize>() + 256);
    if yaml {
        yaml_map(&mut out, &head, 0, false);
        if rendered.is_empty() {
            out.push_str("Resources: {}\n");
        } else {
            out.push_str("Resources:\n");
            for r in &rendered {
                out.push_str(r);
            }
        }
        yaml_map(&mut out, &tail, 0, false);
    } else {
        out.push('{');
        for (i, (k, v)) in head.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("\n  ");
            json_string(&mut out, k);
            out.push_str(": ");
            write_json(&mut out, v, 2);
        }
        out.push_str(",\n  \"Resources\": ");
        if rendered.is_empty() {
            out.push_str("{}");
        } else {
            out.push('{');
            for (i, r) in rendered.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('\n');
                out.push_str(r);
            }
            out.push_str("\n  }");
        }
        for (k, v) in &tail {
            out.push_str(",\n  ");
            json_string(&mut out, k);
            out.push_str(": ");
            write_json(&mut out, v, 2);
        }
        out.push_str("\n}\n");
    }
    if out.len() > MAX_TEMPLATE_BYTES {
        cx.error(
            codes::TEMPLATE_QUOTA,
            0,
            At::Root(""),
            format!("the template is {} bytes; CloudFormation accepts at most {MAX_TEMPLATE_BYTES} bytes (uploaded through S3)", out.len()),
            "split the stack: declare another `stack` with the same provider and move some resources to it (`stack = NAME`)",
        );
    }
    (
        vec![EmittedFile {
            path,
            contents: out,
        }],
        cx.into_diags(),
    )
}

/// CloudFormation quotas per template ("Understand CloudFormation quotas", AWS CloudFormation
/// User Guide): resources, parameters, outputs, and the size of a template uploaded to S3.
const MAX_RESOURCES: usize = 500;
const MAX_PARAMETERS: usize = 200;
const MAX_OUTPUTS: usize = 200;
const MAX_TEMPLATE_BYTES: usize = 1_000_000;

fn check_quotas(cx: &Cx, p: &TargetProgram) {
    const SPLIT: &str = "split the stack: declare another `stack` with the same provider and move some resources to it (`stack = NAME`); stacks pass values by name or by outputs";
    if p.resources.len() > MAX_RESOURCES {
        cx.error(
            codes::TEMPLATE_QUOTA,
            MAX_RESOURCES,
            At::Root(""),
            format!("the template has {} resources; CloudFormation accepts at most {MAX_RESOURCES} per template (this is number {})", p.resources.len(), MAX_RESOURCES + 1),
            SPLIT,
        );
    }
    if p.params.len() > MAX_PARAMETERS {
        cx.error(
            codes::TEMPLATE_QUOTA,
            PROGRAM_LEVEL,
            At::Root("Parameters"),
            format!(
                "the template has {} parameters; CloudFormation accepts at most {MAX_PARAMETERS}",
                p.params.len()
            ),
            SPLIT,
        );
    }
    if p.outputs.len() > MAX_OUTPUTS {
        cx.error(
            codes::TEMPLATE_QUOTA,
            PROGRAM_LEVEL,
            At::Root("Outputs"),
            format!(
                "the template has {} outputs; CloudFormation accepts at most {MAX_OUTPUTS}",
                p.outputs.len()
            ),
            SPLIT,
        );
    }
}

fn check_logical_id(cx: &Cx, index: usize, what: &str, name: &str) {
    if name.is_empty() || name.len() > 255 || !name.bytes().all(|c| c.is_ascii_alphanumeric()) {
        cx.error(
            codes::INVALID_NAME,
            index,
            At::Root(""),
            format!("{what} name `{name}` is not a valid CloudFormation logical id"),
            "logical ids use only ASCII letters and digits (at most 255)",
        );
    }
}

fn resource_node<'a>(cx: &Cx, names: &Names, i: usize, r: &'a TargetResource) -> Node<'a> {
    let mut n = Node::map();
    n.push("Type", Node::str(r.ty.as_str()));
    if !r.depends_on.is_empty() {
        let at = At::Root("DependsOn");
        let deps = r
            .depends_on
            .iter()
            .enumerate()
            .map(|(k, d)| {
                if !names.resources.contains(d.as_str()) {
                    cx.error(
                        codes::UNKNOWN_REF,
                        i,
                        at.index(k),
                        format!("depends on `{d}`, which is not a resource of this template"),
                        "",
                    );
                }
                Node::str(d.as_str())
            })
            .collect();
        n.push("DependsOn", Node::Seq(deps));
    }
    if let Some(ret) = &r.retention {
        n.push("DeletionPolicy", Node::str(ret.on_delete.cfn()));
        n.push("UpdateReplacePolicy", Node::str(ret.on_replace.cfn()));
    }
    if !r.body.is_empty() {
        let at = At::Root("Properties");
        let props = r
            .body
            .iter()
            .map(|(k, v)| (Cow::Borrowed(k.as_str()), value(cx, names, i, at.key(k), v)))
            .collect();
        n.push("Properties", Node::Map(props));
    }
    n
}

fn value<'a>(cx: &Cx, names: &Names, i: usize, at: At, v: &'a TValue) -> Node<'a> {
    node(cx, i, at, v, &Cfn { cx, names, i })
}

/// CloudFormation's leaves: references as `Ref`/`Fn::GetAtt`, interpolations as `Fn::Sub`
/// (or `Fn::Join`), JSON values written as themselves.
struct Cfn<'c, 'p> {
    cx: &'c Cx<'p>,
    names: &'c Names<'c>,
    i: usize,
}

impl<'a> Leaves<'a> for Cfn<'_, '_> {
    fn str(&self, _at: At, s: &'a str) -> Node<'a> {
        Node::str(s)
    }

    fn other(&self, at: At, v: &'a TValue) -> Node<'a> {
        let (cx, names, i) = (self.cx, self.names, self.i);
        match v {
            TValue::Ref(r) => reference(cx, names, i, at, r),
            TValue::Interp(parts) => interp(cx, names, i, at, parts),
            TValue::Json(inner) => value(cx, names, i, at, inner),
            _ => node(cx, i, at, v, self),
        }
    }
}

fn interp<'a>(cx: &Cx, names: &Names, i: usize, at: At, parts: &'a [TPart]) -> Node<'a> {
    if !parts
        .iter()
        .any(|p| matches!(p, TPart::Ref(_) | TPart::Split { .. }))
    {
        let mut s = String::new();
        for p in parts {
            if let TPart::Lit(l) = p {
                s.push_str(l);
            }
        }
        return Node::str(s);
    }
    if !parts
        .iter()
        .all(|p| matches!(p, TPart::Lit(l) if sub_escape_ok(l)) || matches!(p, TPart::Ref(_)))
    {
        // A literal `${` without its own `}` has no documented escape, and `Fn::Sub` cannot
        // call a function inside the text: join instead.
        let items = parts
            .iter()
            .map(|p| match p {
                TPart::Lit(l) => Node::str(l.as_str()),
                TPart::Ref(r) => reference(cx, names, i, at, r),
                TPart::Split { of, sep, index } => split(cx, names, i, at, of, sep, *index),
            })
            .collect();
        let mut n = Node::map();
        n.push("Fn::Join", Node::Seq(vec![Node::str(""), Node::Seq(items)]));
        return n;
    }
    let mut s = String::new();
    for p in parts {
        match p {
            TPart::Split { .. } => {}
            TPart::Lit(l) => s.push_str(&l.replace("${", "${!")),
            TPart::Ref(r) => {
                check_ref(cx, names, i, at, r);
                s.push_str("${");
                s.push_str(&r.resource);
                if let Some(a) = &r.attr {
                    s.push('.');
                    s.push_str(a);
                }
                s.push('}');
            }
        }
    }
    let mut n = Node::map();
    n.push("Fn::Sub", Node::str(s));
    n
}

/// Whether `${!` escapes of this literal are unambiguous: every `${` is closed by a `}` in the
/// same literal with no other `${` in between (`Fn::Sub` pairs each `${` with the next `}`, so
/// `${!a ${Ref}` would swallow the reference, and an unterminated `${!` is undocumented).
fn sub_escape_ok(lit: &str) -> bool {
    let mut rest = lit;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(close) if !after[..close].contains("${") => rest = &after[close + 1..],
            _ => return false,
        }
    }
    true
}

/// A field of a split value: `{"Fn::Select": [INDEX, {"Fn::Split": [SEP, REF]}]}`.
fn split<'a>(
    cx: &Cx,
    names: &Names,
    i: usize,
    at: At,
    of: &'a TRef,
    sep: &'a str,
    index: u32,
) -> Node<'a> {
    let mut parts = Node::map();
    parts.push(
        "Fn::Split",
        Node::Seq(vec![Node::str(sep), reference(cx, names, i, at, of)]),
    );
    let mut n = Node::map();
    n.push(
        "Fn::Select",
        Node::Seq(vec![Node::Int(i64::from(index)), parts]),
    );
    n
}

fn reference<'a>(cx: &Cx, names: &Names, i: usize, at: At, r: &'a TRef) -> Node<'a> {
    check_ref(cx, names, i, at, r);
    let mut n = Node::map();
    match &r.attr {
        Some(a) if !r.param => n.push(
            "Fn::GetAtt",
            Node::Seq(vec![Node::str(r.resource.as_str()), Node::str(a.as_str())]),
        ),
        _ => n.push("Ref", Node::str(r.resource.as_str())),
    }
    n
}

fn check_ref(cx: &Cx, names: &Names, i: usize, at: At, r: &TRef) {
    if r.param {
        if r.attr.is_some() {
            cx.error(
                codes::UNSUPPORTED,
                i,
                at,
                format!("parameter reference `{}` has an attribute", r.resource),
                "a parameter is referred to by name only",
            );
        } else if cx.param(&r.resource).is_none() && !r.resource.starts_with("AWS::") {
            cx.error(
                codes::UNKNOWN_REF,
                i,
                at,
                format!(
                    "refers to parameter `{}`, which this template does not declare",
                    r.resource
                ),
                "",
            );
        }
        return;
    }
    let pseudo = r.resource.starts_with("AWS::") && r.attr.is_none();
    let known = pseudo
        || names.resources.contains(r.resource.as_str())
        || r.attr.is_none() && cx.param(&r.resource).is_some();
    if !known {
        cx.error(
            codes::UNKNOWN_REF,
            i,
            at,
            format!(
                "refers to `{}`, which is not a resource of this template",
                r.resource
            ),
            "",
        );
    }
    if let Some(a) = &r.attr {
        if a.is_empty()
            || !a
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_')
        {
            cx.error(
                codes::INVALID_NAME,
                i,
                at,
                format!("attribute name `{a}` cannot be written in `Fn::GetAtt`/`Fn::Sub`"),
                "attribute names use letters, digits, `.` and `_`",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sub_escape_ok;

    #[test]
    fn sub_escapes_need_their_own_closing_brace() {
        assert!(sub_escape_ok("plain"));
        assert!(sub_escape_ok("${x} and ${y}"));
        assert!(sub_escape_ok("}{ $ {"));
        assert!(!sub_escape_ok("price ${"));
        assert!(!sub_escape_ok("${a ${b}"));
        assert!(!sub_escape_ok("${a} ${"));
    }
}
