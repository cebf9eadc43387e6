//! Context and helpers shared by the target emitters: diagnostics with readable locations,
//! name checks, parameter lookup.

use crate::codes;
use crate::EmitOptions;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::Mutex;
use strata_base::{Diagnostic, Span};
use strata_model::{TValue, TargetParam, TargetProgram, TargetResource};

/// Where in a document a value sits, for messages (`Properties.Tags[2].Value`).
#[derive(Clone, Copy)]
pub(crate) enum At<'a> {
    Root(&'a str),
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl<'a> At<'a> {
    pub(crate) fn key(&'a self, k: &'a str) -> At<'a> {
        At::Key(self, k)
    }
    pub(crate) fn index(&'a self, i: usize) -> At<'a> {
        At::Index(self, i)
    }
    fn render(&self, out: &mut String) {
        match self {
            At::Root(s) => out.push_str(s),
            At::Key(p, k) => {
                p.render(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            At::Index(p, i) => {
                p.render(out);
                let _ = write!(out, "[{i}]");
            }
        }
    }
    pub(crate) fn describe(self) -> String {
        let mut s = String::new();
        self.render(&mut s);
        s
    }
}

/// Per-program context. Rendering runs in parallel; diagnostics go through a mutex and are
/// sorted at the end by (resource index, order of report within that resource), so their order
/// does not depend on scheduling.
pub(crate) struct Cx<'p> {
    pub(crate) program: &'p TargetProgram,
    pub(crate) opts: &'p EmitOptions,
    /// The file being written, for messages.
    pub(crate) file: String,
    diags: Mutex<Vec<(usize, usize, Diagnostic)>>,
    params: BTreeMap<&'p str, &'p TargetParam>,
}

/// Sort key for diagnostics that are not about one resource (stack, parameters, outputs).
pub(crate) const PROGRAM_LEVEL: usize = usize::MAX;

impl<'p> Cx<'p> {
    pub(crate) fn new(program: &'p TargetProgram, opts: &'p EmitOptions, file: String) -> Cx<'p> {
        let params = program
            .params
            .iter()
            .map(|p| (p.name.as_str(), p))
            .collect();
        Cx {
            program,
            opts,
            file,
            diags: Mutex::new(Vec::new()),
            params,
        }
    }

    pub(crate) fn param(&self, name: &str) -> Option<&'p TargetParam> {
        self.params.get(name).copied()
    }

    pub(crate) fn span_of(&self, r: Option<&TargetResource>) -> Span {
        r.and_then(|r| r.source)
            .and_then(|id| self.opts.spans.get(&id).copied())
            .unwrap_or_default()
    }

    /// Records an error about resource number `index` (or [`PROGRAM_LEVEL`]).
    pub(crate) fn error(
        &self,
        code: &str,
        index: usize,
        at: At,
        message: impl AsRef<str>,
        help: &str,
    ) {
        let r = self.program.resources.get(index);
        let mut msg = String::new();
        let _ = write!(msg, "{}: ", self.file);
        if let Some(r) = r {
            let _ = write!(msg, "resource `{}` ({}), ", r.name, r.ty);
        }
        let place = at.describe();
        if !place.is_empty() {
            let _ = write!(msg, "at `{place}`: ");
        }
        msg.push_str(message.as_ref());
        let mut d = Diagnostic::error(code, msg, self.span_of(r));
        if !help.is_empty() {
            d = d.with_help(help);
        }
        if let Ok(mut v) = self.diags.lock() {
            let n = v.len();
            v.push((index, n, d));
        }
    }

    pub(crate) fn into_diags(self) -> Vec<strata_base::Diagnostic> {
        let mut v = self.diags.into_inner().unwrap_or_else(|e| e.into_inner());
        // Stable order: resources in program order, program-level last, then report order
        // within a resource (each resource is rendered by one thread, so that order is fixed).
        // Within one resource, `n` is the global push order, which can interleave with other
        // resources but never reorders this resource's own reports.
        v.sort_by_key(|a| (a.0, a.1));
        v.into_iter().map(|(_, _, d)| d).collect()
    }

    /// Checks the stack name can be a file name and returns it.
    pub(crate) fn check_stack_name(&self) {
        let s = &self.program.stack;
        let ok = !s.is_empty()
            && s.len() <= 100
            && !s.starts_with('.')
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
        if !ok {
            self.error(
                codes::INVALID_NAME,
                PROGRAM_LEVEL,
                At::Root(""),
                format!("stack name `{s}` cannot be used as a file name"),
                "use letters, digits, `-`, `_` and `.` (not first)",
            );
        }
    }

    /// Reports names that occur more than once.
    pub(crate) fn check_unique<'a>(
        &self,
        what: &str,
        names: impl IntoIterator<Item = (usize, &'a str)>,
    ) {
        let mut seen = HashSet::new();
        for (index, name) in names {
            if !seen.insert(name) {
                self.error(
                    codes::DUPLICATE,
                    index,
                    At::Root(""),
                    format!("{what} `{name}` is defined more than once"),
                    "each name may be used once per document",
                );
            }
        }
    }

    /// Reports a float that the format cannot hold. Returns false for NaN and infinities.
    pub(crate) fn check_float(&self, f: f64, index: usize, at: At) -> bool {
        if f.is_finite() {
            return true;
        }
        self.error(
            codes::NON_FINITE,
            index,
            at,
            format!(
                "the number {f} cannot be written in {}",
                self.program.target.dir_name()
            ),
            "JSON, HCL and the deployment tools only accept finite numbers",
        );
        false
    }
}

/// `[A-Za-z_][A-Za-z0-9_-]*`: an HCL identifier (ASCII subset).
pub(crate) fn is_hcl_ident(s: &str) -> bool {
    let b = s.as_bytes();
    match b.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-'),
        _ => false,
    }
}

/// The literal text a parameter reference stands for in formats without parameters
/// (Deployment Manager configs, Kubernetes manifests): its default value.
pub(crate) fn param_default<'p>(cx: &Cx<'p>, name: &str) -> Option<&'p TValue> {
    cx.param(name).and_then(|p| p.default.as_ref())
}

/// A scalar as the text it has inside an interpolated string (Deployment Manager refs and
/// parameters in strings, Kubernetes names). `None` for collections.
pub(crate) fn scalar_text(v: &TValue) -> Option<String> {
    match v {
        TValue::Str(s) => Some(s.clone()),
        TValue::Int(i) => Some(i.to_string()),
        TValue::Float(f) if f.is_finite() => Some(crate::node::json_float(*f)),
        TValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// What a document format decides in [`node`]'s walk: its strings, map keys and everything
/// that is not structure (references, interpolations, JSON-encoded values).
pub(crate) trait Leaves<'a> {
    /// A string value.
    fn str(&self, at: At, s: &'a str) -> crate::node::Node<'a>;
    /// A map key, before its value is walked (a format that must refuse some keys says so).
    fn key(&self, _at: At, _k: &str) {}
    /// `Ref`, `Interp` and `Json`: the format's own syntax.
    fn other(&self, at: At, v: &'a TValue) -> crate::node::Node<'a>;
}

/// The structural walk the CloudFormation, Deployment Manager and Kubernetes writers share:
/// scalars, lists, maps and blocks (a list of maps) become [`crate::node::Node`]s with each
/// element's place (`at`) for messages; non-finite floats are reported; the format's
/// [`Leaves`] write the rest.
pub(crate) fn node<'a>(
    cx: &Cx,
    i: usize,
    at: At,
    v: &'a TValue,
    leaves: &impl Leaves<'a>,
) -> crate::node::Node<'a> {
    use crate::node::Node;
    match v {
        TValue::Null => Node::Null,
        TValue::Bool(b) => Node::Bool(*b),
        TValue::Int(n) => Node::Int(*n),
        TValue::Float(f) => {
            if cx.check_float(*f, i, at) {
                Node::Float(*f)
            } else {
                Node::Null
            }
        }
        TValue::Str(s) => leaves.str(at, s.as_str()),
        TValue::List(items) => Node::Seq(
            items
                .iter()
                .enumerate()
                .map(|(k, x)| node(cx, i, at.index(k), x, leaves))
                .collect(),
        ),
        TValue::Map(m) => map_node(cx, i, at, m.iter(), leaves),
        TValue::Blocks(blocks) => Node::Seq(
            blocks
                .iter()
                .enumerate()
                .map(|(k, b)| map_node(cx, i, at.index(k), b.iter(), leaves))
                .collect(),
        ),
        TValue::Ref(_) | TValue::Interp(_) | TValue::Json(_) => leaves.other(at, v),
    }
}

fn map_node<'a>(
    cx: &Cx,
    i: usize,
    at: At,
    entries: impl Iterator<Item = (&'a String, &'a TValue)>,
    leaves: &impl Leaves<'a>,
) -> crate::node::Node<'a> {
    crate::node::Node::Map(
        entries
            .map(|(k, x)| {
                let at_k = at.key(k);
                leaves.key(at_k, k);
                (
                    std::borrow::Cow::Borrowed(k.as_str()),
                    node(cx, i, at_k, x, leaves),
                )
            })
            .collect(),
    )
}
