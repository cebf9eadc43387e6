//! `textDocument/codeAction`: quick fixes for diagnostics whose fix is machine-applicable.
//!
//! `strata_base::Diagnostic` carries no structured fix, so fixes are read off two conventions
//! of the help lines, and only applied when the result is certain:
//!
//! - `did you mean `NAME`?` (unknown property, name, function or attribute): the primary span
//!   is one identifier, and it is replaced by `NAME`.
//! - `write `PROP = VALUE` in `RESOURCE`` (the policy rules' `fix` helper): the resource is
//!   declared in this file under that name, and the line parses as one field without
//!   placeholders (`<…>`); an existing `PROP = …` field is replaced, otherwise the line is
//!   added at the end of the resource body. Help lines that say the resource is lowered from
//!   another one name no place to write, and get no action.
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
use strata_syntax::ast::{self, Item};

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
    let tree = doc.tree();
    let mut out = Vec::new();
    for d in &snap.outcome.diagnostics {
        let s = d.primary.span;
        if s.file != *file || (s.end as usize) < start || (s.start as usize) > end {
            continue;
        }
        let Some((title, edit)) = fix(d, &view.index, &tree) else {
            continue;
        };
        let lsp_diag = diagnostics::to_lsp(d, snap, &cx.shared.cache, &|p| {
            cx.open_uri(p).unwrap_or_else(|| crate::uri::from_path(p))
        })
        .map(|(_, l)| l);
        #[allow(clippy::mutable_key_type)] // lsp-types' WorkspaceEdit is keyed by Uri.
        let mut changes = HashMap::new();
        changes.insert(doc.uri.clone(), vec![edit]);
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: lsp_diag.map(|l| vec![l]),
            edit: Some(WorkspaceEdit {
                changes: Some(changes),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    Ok(Some(out))
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// The text between the first pair of backticks after `prefix` in `s`.
fn quoted_after<'s>(s: &'s str, prefix: &str) -> Option<(&'s str, &'s str)> {
    let rest = s.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('`')?;
    let end = rest.find('`')?;
    Some((&rest[..end], &rest[end + 1..]))
}

/// The quick fix of one diagnostic, if it has a certain one: a title and the edit.
pub fn fix(d: &Diagnostic, index: &SourceFile, tree: &ast::File) -> Option<(String, TextEdit)> {
    let help = d.help.as_deref()?;
    let text: &str = &index.text;
    let span = d.primary.span;
    // `did you mean `x`?`
    if let Some((name, rest)) = quoted_after(help, "did you mean ") {
        let under = text.get(span.range())?;
        if rest == "?" && is_ident(name) && is_ident(under) {
            return Some((
                format!("Replace `{under}` with `{name}`"),
                TextEdit {
                    range: range(
                        index,
                        Span::new(FileId(0), span.start as usize, span.end as usize),
                    ),
                    new_text: name.to_string(),
                },
            ));
        }
        return None;
    }
    // `write `prop = value` in `resource``
    let (line, rest) = quoted_after(help, "write ")?;
    let (resource, tail) = quoted_after(rest, " in ")?;
    if !tail.is_empty() || line.contains('<') || line.contains('\n') {
        return None;
    }
    let (prop, _) = line.split_once('=')?;
    let prop = prop.trim();
    if !is_ident(prop) {
        return None;
    }
    // The line must be one well-formed field.
    let probe = format!("resource probe: Probe {{\n  {line}\n}}\n");
    let (pt, pd) = strata_syntax::parse(FileId(0), &probe);
    let one_field = matches!(pt.items.as_slice(), [Item::Resource(r)] if r.body.len() == 1 && r.body[0].name.name == prop);
    if !pd.is_empty() || !one_field {
        return None;
    }
    let r = tree.items.iter().find_map(|i| match i {
        Item::Resource(r) if r.name.name == resource => Some(r),
        _ => None,
    })?;
    let title = format!("Set `{line}` in `{resource}`");
    if let Some(existing) = r.body.iter().find(|f| f.name.name == prop) {
        let e = TextEdit {
            range: range(
                index,
                Span::new(
                    FileId(0),
                    existing.span.start as usize,
                    existing.span.end as usize,
                ),
            ),
            new_text: line.to_string(),
        };
        return Some((title, e));
    }
    // Add the field before the closing brace of the body.
    let close = (r.span.end as usize).checked_sub(1)?;
    if text.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let ty_end = r.ty.span.end as usize;
    let open = text.get(ty_end..close)?.find('{')? + ty_end;
    let inner = text.get(open + 1..close)?;
    let (at, new_text) = if inner.contains('\n') {
        // One field per line: indent like the last field, or two more than the resource.
        let line_start = text[..close].rfind('\n').map_or(0, |i| i + 1);
        let item_start = text
            .get(..r.span.start as usize)?
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let item_indent: String = text[item_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let last_indent = r.body.last().and_then(|f| {
            let before = text.get(..f.span.start as usize)?;
            let ls = before.rfind('\n').map_or(0, |i| i + 1);
            Some(before[ls..].to_string()).filter(|i| i.chars().all(|c| c == ' ' || c == '\t'))
        });
        let indent = last_indent.unwrap_or_else(|| format!("{item_indent}  "));
        if text[line_start..close].trim().is_empty() {
            (line_start, format!("{indent}{line}\n"))
        } else {
            (close, format!("\n{indent}{line}\n{item_indent}"))
        }
    } else if inner.trim().is_empty() {
        return Some((
            title,
            TextEdit {
                range: range(index, Span::new(FileId(0), open + 1, close)),
                new_text: format!(" {line} "),
            },
        ));
    } else {
        let last_end = r.body.last().map(|f| f.span.end as usize)?;
        (last_end, format!(", {line}"))
    };
    Some((
        title,
        TextEdit {
            range: range(index, Span::new(FileId(0), at, at)),
            new_text,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_base::Severity;

    fn apply(text: &str, help: &str, span: (usize, usize)) -> Option<String> {
        let index = SourceFile::new(FileId(0), "", text, false);
        let (tree, _) = strata_syntax::parse(FileId(0), text);
        let d = Diagnostic::new(
            "X1",
            Severity::Warning,
            "m",
            Span::new(FileId(0), span.0, span.1),
        )
        .with_help(help);
        let (_, e) = fix(&d, &index, &tree)?;
        let s = index.offset_of_utf16(e.range.start.line, e.range.start.character);
        let t = index.offset_of_utf16(e.range.end.line, e.range.end.character);
        Some(format!("{}{}{}", &text[..s], e.new_text, &text[t..]))
    }

    #[test]
    fn did_you_mean_replaces_the_identifier() {
        let t = "resource k: aws.kms.Key {\n  rotaton = true\n}\n";
        let s = t.find("rotaton").unwrap();
        assert_eq!(
            apply(t, "did you mean `rotation`?", (s, s + 7)).unwrap(),
            t.replace("rotaton", "rotation")
        );
        // Not an identifier under the span, or a dotted suggestion: no fix.
        assert_eq!(apply(t, "did you mean `aws.x`?", (s, s + 7)), None);
        assert_eq!(apply(t, "did you mean `rotation`?", (s, s + 9)), None);
    }

    #[test]
    fn write_line_replaces_or_adds_a_field() {
        let t = "resource db: Postgres {\n  multi_az = true\n  storage = 20 GiB\n}\n";
        let help = "write `multi_az = prod` in `db`";
        let s = t.find("multi_az").unwrap();
        assert_eq!(
            apply(t, help, (s, s + 8)).unwrap(),
            t.replace("multi_az = true", "multi_az = prod")
        );
        let t = "resource b: Bucket {\n  versioning = true\n}\n";
        let out = apply(
            t,
            "write `lifecycle = [{ after = 90d, storage_class = \"GLACIER\" }]` in `b`",
            (9, 10),
        )
        .unwrap();
        assert_eq!(out, "resource b: Bucket {\n  versioning = true\n  lifecycle = [{ after = 90d, storage_class = \"GLACIER\" }]\n}\n");
        let t = "resource b: Bucket { versioning = true }\n";
        assert_eq!(
            apply(t, "write `x = 1` in `b`", (9, 10)).unwrap(),
            "resource b: Bucket { versioning = true, x = 1 }\n"
        );
        let t = "resource b: Bucket {}\n";
        assert_eq!(
            apply(t, "write `x = 1` in `b`", (9, 10)).unwrap(),
            "resource b: Bucket { x = 1 }\n"
        );
        let t = "resource b: Bucket { a = 1\n}\n";
        assert_eq!(
            apply(t, "write `x = 1` in `b`", (9, 10)).unwrap(),
            "resource b: Bucket { a = 1\n  x = 1\n}\n"
        );
        let t = "  resource b: Bucket {\n  }\n";
        assert_eq!(
            apply(t, "write `x = 1` in `b`", (11, 12)).unwrap(),
            "  resource b: Bucket {\n    x = 1\n  }\n"
        );
    }

    #[test]
    fn uncertain_fixes_are_not_offered() {
        let t = "resource db: Postgres {\n  class = \"db.r6g.large\"\n}\n";
        assert_eq!(
            apply(
                t,
                "write `class = prod ? \"db.r6g.large\" : \"<a 2-vCPU class>\"` in `db`",
                (0, 1)
            ),
            None
        );
        assert_eq!(
            apply(
                t,
                "write `class = \"x\"` in `db`: it is lowered from `y`",
                (0, 1)
            ),
            None
        );
        assert_eq!(apply(t, "write `class = ` in `db`", (0, 1)), None);
        assert_eq!(apply(t, "write `class = \"x\"` in `nope`", (0, 1)), None);
        assert_eq!(apply(t, "add `x = ...`", (0, 1)), None);
    }
}
