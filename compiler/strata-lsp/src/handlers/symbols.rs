//! `textDocument/documentSymbol`: the items of the current text (parsed on the spot, so the
//! outline follows typing even before a check finishes), with their fields as children.

use super::{Ctx, Result};
use crate::snapshot::range;
use lsp_types::{DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, SymbolKind};
use strata_base::{SourceFile, Span};
use strata_syntax::ast::{self, ExprKind, Item};

pub fn symbols(cx: &Ctx, p: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
    let doc = cx.doc(&p.text_document.uri)?;
    let index = doc.index();
    let file = doc.tree();
    Ok(Some(DocumentSymbolResponse::Nested(items(
        &file.items,
        &index,
    ))))
}

pub fn items(items: &[Item], f: &SourceFile) -> Vec<DocumentSymbol> {
    items.iter().filter_map(|i| item(i, f)).collect()
}

fn text(f: &SourceFile, s: Span) -> String {
    let t = f.text.get(s.range()).unwrap_or("");
    let one_line: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(59).collect::<String>())
    } else {
        one_line
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written to build the struct.
fn sym(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    span: Span,
    sel: Span,
    children: Vec<DocumentSymbol>,
    f: &SourceFile,
) -> DocumentSymbol {
    let full = span.to(sel);
    DocumentSymbol {
        name: if name.is_empty() { "_".into() } else { name },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: range(f, full),
        selection_range: range(f, sel),
        children: if children.is_empty() {
            None
        } else {
            Some(children)
        },
    }
}

fn item(i: &Item, f: &SourceFile) -> Option<DocumentSymbol> {
    Some(match i {
        Item::Import(im) => match &im.kind {
            ast::ImportKind::Package { path, .. } => sym(
                path.text(),
                Some("import".into()),
                SymbolKind::NAMESPACE,
                im.span,
                path.span,
                vec![],
                f,
            ),
            ast::ImportKind::File { path, alias, .. } => sym(
                alias.name.clone(),
                Some(format!("import {path:?}")),
                SymbolKind::MODULE,
                im.span,
                alias.span,
                vec![],
                f,
            ),
        },
        Item::Param(x) => sym(
            x.name.name.clone(),
            x.ty.as_ref().map(|t| text(f, t.span)),
            SymbolKind::VARIABLE,
            x.span,
            x.name.span,
            vec![],
            f,
        ),
        Item::Let(x) => sym(
            x.name.name.clone(),
            Some(text(f, x.value.span)),
            SymbolKind::VARIABLE,
            x.span,
            x.name.span,
            vec![],
            f,
        ),
        Item::Type(x) => sym(
            x.name.name.clone(),
            Some(text(f, x.ty.span)),
            SymbolKind::TYPE_PARAMETER,
            x.span,
            x.name.span,
            vec![],
            f,
        ),
        Item::Schema(x) => {
            let children = x
                .fields
                .iter()
                .map(|d| {
                    sym(
                        d.name.name.clone(),
                        Some(text(f, d.ty.span)),
                        if d.output {
                            SymbolKind::PROPERTY
                        } else {
                            SymbolKind::FIELD
                        },
                        d.span,
                        d.name.span,
                        vec![],
                        f,
                    )
                })
                .collect();
            sym(
                x.name.text(),
                Some("schema".into()),
                SymbolKind::CLASS,
                x.span,
                x.name.span,
                children,
                f,
            )
        }
        Item::Stack(x) => sym(
            x.name.name.clone(),
            Some("stack".into()),
            SymbolKind::NAMESPACE,
            x.span,
            x.name.span,
            fields(&x.body, f),
            f,
        ),
        Item::Resource(x) => sym(
            x.name.name.clone(),
            Some(x.ty.text()),
            SymbolKind::OBJECT,
            x.span,
            x.name.span,
            fields(&x.body, f),
            f,
        ),
        Item::Module(x) => sym(
            x.name.name.clone(),
            Some("module".into()),
            SymbolKind::MODULE,
            x.span,
            x.name.span,
            items(&x.items, f),
            f,
        ),
        Item::ModuleInstance(x) => sym(
            x.name.name.clone(),
            Some(x.module.text()),
            SymbolKind::OBJECT,
            x.span,
            x.name.span,
            fields(&x.body, f),
            f,
        ),
        Item::Output(x) => sym(
            x.name.name.clone(),
            Some(text(f, x.value.span)),
            SymbolKind::CONSTANT,
            x.span,
            x.name.span,
            vec![],
            f,
        ),
        Item::Policy(x) => sym(
            x.title.clone(),
            Some("policy".into()),
            SymbolKind::EVENT,
            x.span,
            x.title_span,
            vec![],
            f,
        ),
        Item::Error(_) => return None,
    })
}

fn fields(body: &[ast::Field], f: &SourceFile) -> Vec<DocumentSymbol> {
    body.iter()
        .map(|fl| {
            let children = match &fl.value.kind {
                ExprKind::Record(inner) | ExprKind::TypedRecord { fields: inner, .. } => {
                    fields(inner, f)
                }
                _ => vec![],
            };
            let detail = match &fl.value.kind {
                ExprKind::Record(_) => None,
                _ => Some(text(f, fl.value.span)),
            };
            sym(
                fl.name.name.clone(),
                detail,
                SymbolKind::PROPERTY,
                fl.span,
                fl.name.span,
                children,
                f,
            )
        })
        .collect()
}
