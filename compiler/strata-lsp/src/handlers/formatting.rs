//! `textDocument/formatting`: the layout of `strata fmt` (`strata_syntax::format_source`),
//! sent as one edit covering only the lines that change. A file with syntax errors is not
//! formatted: the request fails with the first error, and the buffer is left alone.

use super::{error, Ctx, Result};
use crate::snapshot::range;
use lsp_server::ErrorCode;
use lsp_types::{DocumentFormattingParams, TextEdit};
use strata_base::{FileId, Span};

pub fn formatting(cx: &Ctx, p: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
    let doc = cx.doc(&p.text_document.uri)?;
    let text: &str = &doc.text;
    let formatted = match strata_syntax::format_source(text) {
        Ok(f) => f,
        Err(diags) => {
            let index = doc.index();
            let first = diags
                .iter()
                .find(|d| d.severity == strata_base::Severity::Error)
                .or(diags.first());
            let msg = match first {
                Some(d) => {
                    let lc = index.line_col(d.primary.span.start);
                    format!(
                        "not formatted: syntax error at line {}, column {}: {} [{}]",
                        lc.line, lc.column, d.message, d.code
                    )
                }
                None => "not formatted: the file has syntax errors".to_string(),
            };
            return Err(error(ErrorCode::RequestFailed, msg));
        }
    };
    Ok(Some(
        minimal_edit(text, &formatted, &doc.index())
            .into_iter()
            .collect(),
    ))
}

/// One edit replacing the lines between the first and the last that differ (none when equal).
pub fn minimal_edit(old: &str, new: &str, index: &strata_base::SourceFile) -> Option<TextEdit> {
    if old == new {
        return None;
    }
    // Common prefix and suffix in whole lines, so the edit never splits a character.
    let mut prefix = 0;
    for (a, b) in old.split_inclusive('\n').zip(new.split_inclusive('\n')) {
        if a != b || !a.ends_with('\n') {
            break;
        }
        prefix += a.len();
    }
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let max = old_rest.len().min(new_rest.len());
    let mut suffix = 0;
    for (a, b) in old_rest
        .split_inclusive('\n')
        .rev()
        .zip(new_rest.split_inclusive('\n').rev())
    {
        if a != b || !a.ends_with('\n') || suffix + a.len() > max {
            break;
        }
        suffix += a.len();
    }
    let old_mid = prefix..old.len() - suffix;
    let new_mid = &new[prefix..new.len() - suffix];
    Some(TextEdit {
        range: range(index, Span::new(FileId(0), old_mid.start, old_mid.end)),
        new_text: new_mid.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_base::SourceFile;

    fn apply(old: &str, e: &TextEdit) -> String {
        let idx = SourceFile::new(FileId(0), "", old, false);
        let s = idx.offset_of_utf16(e.range.start.line, e.range.start.character);
        let t = idx.offset_of_utf16(e.range.end.line, e.range.end.character);
        format!("{}{}{}", &old[..s], e.new_text, &old[t..])
    }

    #[test]
    fn minimal_edits_reproduce_the_new_text() {
        let cases = [
            ("a\nb\nc\n", "a\nB\nc\n"),
            ("a\nb\nc\n", "a\nc\n"),
            ("a\n", "a\nb\n"),
            ("x", "x\n"),
            ("a\nb\n", "b\n"),
            ("a\na\na\n", "a\na\n"),
            ("", "a\n"),
            ("é\n", "è\n"),
        ];
        for (old, new) in cases {
            let idx = SourceFile::new(FileId(0), "", old, false);
            let e = minimal_edit(old, new, &idx).expect("an edit");
            assert_eq!(apply(old, &e), new, "{old:?} -> {new:?}");
        }
        assert!(
            minimal_edit("a\n", "a\n", &SourceFile::new(FileId(0), "", "a\n", false)).is_none()
        );
    }
}
