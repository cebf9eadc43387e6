//! Compiler diagnostics → LSP diagnostics, grouped per file: the same code, span and message
//! as `strata check`, the help line and notes appended to the message, secondary labels as
//! related information, and a `codeDescription` linking the code's documentation.

use crate::cache::Cache;
use crate::snapshot::{range, Snapshot};
use crate::uri;
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Uri,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use strata_base::{Diagnostic, Severity};

pub const SOURCE: &str = "strata";

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The message shown in the editor: the diagnostic's message, then `help:` and `note:` lines
/// (as `strata check` prints them under the snippet).
pub fn message(d: &Diagnostic) -> String {
    let mut m = d.message.clone();
    if !d.primary.message.is_empty() && !d.message.contains(&d.primary.message) {
        m.push_str(" (");
        m.push_str(&d.primary.message);
        m.push(')');
    }
    if let Some(h) = &d.help {
        m.push_str("\nhelp: ");
        m.push_str(h);
    }
    for n in &d.notes {
        m.push_str("\nnote: ");
        m.push_str(n);
    }
    m
}

/// Convert one diagnostic. `uri_of` names the document a path is open as (the client's
/// spelling of the URI), else it is derived from the path.
pub fn to_lsp(
    d: &Diagnostic,
    snap: &Snapshot,
    cache: &Cache,
    uri_of: &dyn Fn(&Path) -> Uri,
) -> Option<(PathBuf, lsp_types::Diagnostic)> {
    let file = snap.file(d.primary.span.file)?;
    let path = snap.path_of(d.primary.span.file, cache)?;
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            let f = snap.file(l.span.file)?;
            let p = snap.path_of(l.span.file, cache)?;
            let message = if l.message.is_empty() {
                "related".to_string()
            } else {
                l.message.clone()
            };
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri_of(&p), range(f, l.span)),
                message,
            })
        })
        .collect();
    let code_description = cache.code_doc(&d.code).map(|p| CodeDescription {
        href: uri::from_path(&p),
    });
    let diag = lsp_types::Diagnostic {
        range: range(file, d.primary.span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.clone())),
        code_description,
        source: Some(SOURCE.into()),
        message: message(d),
        related_information: if related.is_empty() {
            None
        } else {
            Some(related)
        },
        tags: None,
        data: None,
    };
    Some((path, diag))
}

/// Every diagnostic of a snapshot, by file; every project file is present (possibly with an
/// empty list), so publishing the map clears files that became clean.
pub fn by_file(
    snap: &Snapshot,
    cache: &Cache,
    uri_of: &dyn Fn(&Path) -> Uri,
) -> BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> {
    let mut out: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    for p in snap.by_path.keys() {
        out.entry(p.clone()).or_default();
    }
    for d in &snap.outcome.diagnostics {
        if let Some((p, l)) = to_lsp(d, snap, cache, uri_of) {
            out.entry(p).or_default().push(l);
        }
    }
    out
}
