//! Helpers shared by the syntax tests.
#![allow(dead_code)]

use std::fmt::Write;
use strata_base::{Diagnostic, FileId, SourceFile};

/// Insta settings: snapshots live in `snapshots/syntax/` at the repository root.
pub fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../../snapshots/syntax");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

/// Diagnostics rendered at their span: code, line:col, message, the source line with a caret
/// underline and the label, secondary labels and the help line.
pub fn render_diags(text: &str, diags: &[Diagnostic]) -> String {
    let sf = SourceFile::new(FileId(0), "test.strata", text, false);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::new();
    for d in diags {
        let s = d.primary.span;
        let lc = sf.line_col(s.start);
        let _ = writeln!(
            out,
            "{}[{}] {}:{}: {}",
            d.severity.as_str(),
            d.code,
            lc.line,
            lc.column,
            d.message
        );
        let line = lines
            .get(lc.line as usize - 1)
            .copied()
            .unwrap_or("")
            .trim_end_matches('\r');
        let _ = writeln!(out, "  {:>4} | {}", lc.line, line);
        let end_lc = sf.line_col(s.end);
        let width = if end_lc.line == lc.line {
            (end_lc.column - lc.column).max(1)
        } else {
            1
        };
        let _ = writeln!(
            out,
            "       | {}{} {}",
            " ".repeat(lc.column as usize - 1),
            "^".repeat(width as usize),
            d.primary.message
        );
        for sec in &d.secondary {
            let slc = sf.line_col(sec.span.start);
            let _ = writeln!(
                out,
                "       = at {}:{}: {}",
                slc.line, slc.column, sec.message
            );
        }
        if let Some(h) = &d.help {
            let _ = writeln!(out, "       = help: {h}");
        }
    }
    out
}

/// The texts of a file's comments, in order.
pub fn comment_texts(file: &strata_syntax::ast::File) -> Vec<String> {
    file.comments.iter().map(|c| c.text.clone()).collect()
}
