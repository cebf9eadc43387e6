//! `textDocument/hover`: the semantic hover of the name under the cursor (semantics' cross
//! references: declarations, types, properties with their docs), and on a resource — at its
//! declaration or where it is referenced — its estimated monthly cost.

use super::{Ctx, Result};
use crate::snapshot::{offset, DocView, Snapshot};
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};
use strata_base::{FileId, Span};
use strata_semantics::{XRef, XRefKind};

pub fn hover(cx: &Ctx, p: HoverParams) -> Result<Option<Hover>> {
    let doc = cx.doc(&p.text_document_position_params.text_document.uri)?;
    let snap = cx.snapshot(&doc);
    let view = DocView::new(&doc, snap.as_deref());
    let at = offset(&view.index, p.text_document_position_params.position);
    let Some(snap) = snap.as_deref() else {
        return Ok(None);
    };
    let Some((file, off)) = view.to_checked(at) else {
        return Ok(None);
    };

    if let Some(x) = xref_at(snap, file, off) {
        let mut text = x.hover.clone();
        if x.kind == XRefKind::Name {
            if let Some(cost) = cost_of_declared(snap, x.def_span) {
                text.push_str("\n\n");
                text.push_str(&cost);
            }
        }
        return Ok(Some(markdown(text, view.current_range(x.use_span))));
    }
    // The name of a resource at its declaration.
    if let Some(r) = snap
        .declared_resources()
        .find(|r| contains(r.name_span, file, off))
    {
        let mut text = format!("```strata\nresource {}: {}\n```", r.name, r.ty);
        if let Some(d) = &r.doc {
            text.push('\n');
            text.push_str(d);
        }
        if let Some(cost) = cost_of_declared(snap, r.name_span) {
            text.push_str("\n\n");
            text.push_str(&cost);
        }
        return Ok(Some(markdown(text, view.current_range(r.name_span))));
    }
    Ok(None)
}

fn contains(s: Span, file: FileId, off: usize) -> bool {
    s.file == file && (s.start as usize) <= off && off <= s.end as usize && !s.is_empty()
}

/// The narrowest cross reference whose use covers the offset (the end of a name counts, as
/// editors put the cursor after the last character).
pub fn xref_at(snap: &Snapshot, file: FileId, off: usize) -> Option<&XRef> {
    let xs = &snap.outcome.analysis.xrefs;
    // Sorted by use span: only those starting at or before `off` can contain it.
    let upto = xs.partition_point(|x| (x.use_span.file, x.use_span.start as usize) <= (file, off));
    xs[..upto]
        .iter()
        .rev()
        .take_while(|x| x.use_span.file == file)
        .filter(|x| contains(x.use_span, file, off))
        .min_by_key(|x| (x.use_span.len(), std::cmp::Reverse(x.use_span.start)))
}

/// The cost estimate of the resource declared at `name_span`: its own line, or those of the
/// resources it was lowered to.
pub fn cost_of_declared(snap: &Snapshot, name_span: Span) -> Option<String> {
    let report = snap.outcome.cost.as_ref()?;
    let model = &snap.outcome.model;
    let declared: Vec<_> = model
        .resources
        .iter()
        .filter(|r| r.name_span == name_span)
        .map(|r| r.id)
        .collect();
    let names: Vec<&str> = model
        .resources
        .iter()
        .filter(|r| {
            declared.contains(&r.id) || r.lowered_from.is_some_and(|o| declared.contains(&o))
        })
        .map(|r| r.name.as_str())
        .collect();
    let lines: Vec<_> = report
        .resources
        .iter()
        .filter(|l| names.contains(&l.name.as_str()))
        .collect();
    if lines.is_empty() {
        return None;
    }
    let total: f64 = lines.iter().map(|l| l.monthly).sum();
    let priced = lines.iter().any(|l| !l.details.is_empty());
    let mut s = if priced {
        format!("**Estimated cost:** {:.2} {}/month", total, report.currency)
    } else {
        "**Estimated cost:** no fixed monthly price".to_string()
    };
    for l in &lines {
        for d in &l.details {
            s.push_str(&format!(
                "\n- {}: {} {} × {} = {:.2}",
                d.what,
                trim_num(d.quantity),
                d.unit,
                trim_num(d.unit_price),
                d.monthly
            ));
        }
        for n in &l.notes {
            s.push_str(&format!("\n- _{n}_"));
        }
    }
    Some(s)
}

fn trim_num(x: f64) -> String {
    let s = format!("{x:.6}");
    let t = s.trim_end_matches('0').trim_end_matches('.');
    t.to_string()
}

fn markdown(value: String, range: Option<lsp_types::Range>) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range,
    }
}
