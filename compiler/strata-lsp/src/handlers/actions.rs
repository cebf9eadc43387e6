//! `textDocument/codeAction`: quick fixes from the structured fixes diagnostics carry
//! (`strata_base::Fix`: did-you-mean names, a policy finding's property change). Every edit of a
//! fix must be in the document the request is about (a fix that also touches another file is
//! not offered); machine-applicable fixes are marked preferred.
//!
//! Actions are offered only while the document is unchanged since its last check, so every
//! edit applies to the text the diagnostic was computed from.

use super::{Ctx, Result};
use crate::diagnostics;
use crate::snapshot::{range, DocView};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    TextEdit, WorkspaceEdit,
};
use std::collections::HashMap;
use strata_base::{Diagnostic, FileId, SourceFile, Span};

pub fn code_actions(cx: &Ctx, p: CodeActionParams) -> Result<Option<CodeActionResponse>> {
    let doc = cx.doc(&p.text_document.uri)?;
    let snap = cx.snapshot(&doc);
    let view = DocView::new(&doc, snap.as_deref());
    let Some(snap) = snap.as_deref() else {
        return Ok(None);
    };
    let Some((file, map)) = &view.checked else {
        return Ok(None);
    };
    if !map.identical() {
        return Ok(None);
    }
    let start = crate::snapshot::offset(&view.index, p.range.start);
    let end = crate::snapshot::offset(&view.index, p.range.end).max(start);
    let mut out = Vec::new();
    for d in &snap.outcome.diagnostics {
        let s = d.primary.span;
        if s.file != *file || (s.end as usize) < start || (s.start as usize) > end {
            continue;
        }
        let fixes = fixes(d, *file, &view.index);
        if fixes.is_empty() {
            continue;
        }
        let lsp_diag = diagnostics::to_lsp(d, snap, &cx.shared.cache, &|p| {
            cx.open_uri(p).unwrap_or_else(|| crate::uri::from_path(p))
        })
        .map(|(_, l)| l);
        for (title, edits, preferred) in fixes {
            #[allow(clippy::mutable_key_type)] // lsp-types' WorkspaceEdit is keyed by Uri.
            let mut changes = HashMap::new();
            changes.insert(doc.uri.clone(), edits);
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: lsp_diag.clone().map(|l| vec![l]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(preferred),
                ..CodeAction::default()
            }));
        }
    }
    Ok(Some(out))
}

/// The quick fixes of one diagnostic whose edits are all in `file` (whose text is `index`): a
/// title, the edits, and whether it is machine-applicable (preferred).
pub fn fixes(
    d: &Diagnostic,
    file: FileId,
    index: &SourceFile,
) -> Vec<(String, Vec<TextEdit>, bool)> {
    let text: &str = &index.text;
    d.fixes
        .iter()
        .filter_map(|f| {
            let edits = f
                .edits
                .iter()
                .map(|e| {
                    let (a, b) = (e.span.start as usize, e.span.end as usize);
                    let ok = e.span.file == file
                        && a <= b
                        && text.is_char_boundary(a)
                        && text.is_char_boundary(b)
                        && b <= text.len();
                    ok.then(|| TextEdit {
                        range: range(index, Span::new(FileId(0), a, b)),
                        new_text: e.replacement.clone(),
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            (!edits.is_empty()).then(|| (f.title.clone(), edits, f.is_machine_applicable()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_base::{Applicability, Fix, Severity};

    fn apply(text: &str, d: &Diagnostic) -> Vec<String> {
        let index = SourceFile::new(FileId(0), "", text, false);
        fixes(d, FileId(0), &index)
            .into_iter()
            .map(|(_, edits, _)| {
                let mut out = text.to_string();
                for e in edits.iter().rev() {
                    let s = index.offset_of_utf16(e.range.start.line, e.range.start.character);
                    let t = index.offset_of_utf16(e.range.end.line, e.range.end.character);
                    out.replace_range(s..t, &e.new_text);
                }
                out
            })
            .collect()
    }

    #[test]
    fn structured_fixes_become_edits() {
        let t = "resource k: aws.kms.Key {\n  rotaton = true\n}\n";
        let s = t.find("rotaton").unwrap();
        let span = Span::new(FileId(0), s, s + 7);
        let d = Diagnostic::new("E2001", Severity::Error, "m", span)
            .with_fix(Fix::rename(span, "rotaton", "rotation"));
        assert_eq!(apply(t, &d), vec![t.replace("rotaton", "rotation")]);
        // Help text alone gives no action.
        let d = Diagnostic::new("E2001", Severity::Error, "m", span)
            .with_help("did you mean `rotation`?");
        assert!(apply(t, &d).is_empty());
    }

    #[test]
    fn fixes_outside_the_document_are_not_offered() {
        let t = "let a = 1\n";
        let other = Span::new(FileId(1), 0, 1);
        let d = Diagnostic::new("E1", Severity::Error, "m", Span::new(FileId(0), 0, 1)).with_fix(
            Fix::replace("x", other, "y", Applicability::MachineApplicable),
        );
        assert!(apply(t, &d).is_empty());
        let past = Span::new(FileId(0), 5, 50);
        let d = Diagnostic::new("E1", Severity::Error, "m", Span::new(FileId(0), 0, 1))
            .with_fix(Fix::replace("x", past, "y", Applicability::MaybeIncorrect));
        assert!(apply(t, &d).is_empty());
    }
}
