//! `textDocument/definition`: where the name, type or property under the cursor is declared —
//! in this file, another project file, or a stdlib schema (copied read-only to the cache so
//! the editor can open it).

use super::hover::xref_at;
use super::{Ctx, Result};
use crate::snapshot::{offset, DocView};
use lsp_types::{GotoDefinitionParams, GotoDefinitionResponse, Location};

pub fn definition(cx: &Ctx, p: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
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
    let Some(x) = xref_at(snap, file, off) else {
        return Ok(None);
    };
    let loc = view.location(x.def_span, &cx.shared.cache, &cx.docs);
    Ok(loc.map(|(uri, range)| GotoDefinitionResponse::Scalar(Location::new(uri, range))))
}
