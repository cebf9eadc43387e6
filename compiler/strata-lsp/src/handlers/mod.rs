//! One module per request, as in taplo-lsp. Every handler is a pure function of a [`Ctx`]
//! (the open documents when the request arrived, and the latest check of each project) and
//! its parameters; none blocks the main loop (they run on the request threads) and none does
//! more than a parse of the current text plus look-ups in the snapshot.

pub mod actions;
pub mod completion;
pub mod definition;
pub mod formatting;
pub mod hover;
pub mod symbols;

use crate::docs::{Doc, DocsSnapshot};
use crate::snapshot::Snapshot;
use crate::state::Shared;
use lsp_server::{ErrorCode, ResponseError};
use lsp_types::Uri;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use strata_model::Schemas;

pub struct Ctx {
    pub docs: Arc<DocsSnapshot>,
    pub shared: Arc<Shared>,
}

pub type Result<T> = std::result::Result<T, ResponseError>;

pub fn error(code: ErrorCode, message: impl Into<String>) -> ResponseError {
    ResponseError {
        code: code as i32,
        message: message.into(),
        data: None,
    }
}

/// How long a request waits for the first check of a project it needs (the server was just
/// started, or the document was just opened). Only a request thread waits, never the main loop.
const FIRST_CHECK_WAIT: Duration = Duration::from_secs(3);

impl Ctx {
    pub fn doc(&self, uri: &Uri) -> Result<Arc<Doc>> {
        self.docs.get(uri).cloned().ok_or_else(|| {
            error(
                ErrorCode::InvalidParams,
                format!("{} is not open", uri.as_str()),
            )
        })
    }

    /// The latest check of the document's project, waiting for the first one if need be.
    pub fn snapshot(&self, doc: &Doc) -> Option<Arc<Snapshot>> {
        let root = doc.path.parent()?;
        self.shared.snapshot(root, FIRST_CHECK_WAIT)
    }

    /// The client's URI for a path that is open, so locations match its buffers exactly.
    pub fn open_uri(&self, path: &Path) -> Option<Uri> {
        self.docs.by_path(path).map(|d| d.uri.clone())
    }
}

/// The schemas to complete and hover with: the project's, else the stdlib's alone.
pub fn schemas(snap: Option<&Snapshot>) -> &Schemas {
    match snap {
        Some(s) if !s.outcome.analysis.schemas.map.is_empty() => &s.outcome.analysis.schemas,
        _ => stdlib_schemas(),
    }
}

fn stdlib_schemas() -> &'static Schemas {
    static S: std::sync::OnceLock<Schemas> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let mut sources = strata_base::SourceMap::new();
        let (analysis, _) = strata_semantics::analyze(
            &mut sources,
            &[],
            &strata_semantics::NoImports,
            &strata_semantics::Options::default(),
        );
        analysis.schemas
    })
}
