//! The calls into the later stages (lowering, policies, emission, formatting), in one place.
//!
//! While a stage's crate has not landed, its function here is the smallest honest stand-in:
//! it does only what can be done without that crate, and says so with a diagnostic where
//! its absence changes the result. Each is replaced by the real call as the crate lands.

use crate::codes as c;
use std::path::Path;
use strata_base::{Diagnostic, FileId, Span};
use strata_model::{Model, Schemas, Target, TargetProgram};

/// Lower portable resources to the stacks' providers. Stand-in: the model unchanged.
pub(crate) fn lower_portable(model: &Model, _schemas: &Schemas) -> (Model, Vec<Diagnostic>) {
    (model.clone(), Vec::new())
}

/// Lower the model to target programs. Stand-in: unavailable.
pub(crate) fn to_targets(_model: &Model, _schemas: &Schemas, _targets: Option<&[Target]>) -> (Vec<TargetProgram>, Vec<Diagnostic>) {
    (Vec::new(), vec![unavailable("lowering to targets (strata-lower)")])
}

/// Render target programs in their formats (no I/O).
pub(crate) fn emit(programs: &[TargetProgram], model: &Model, yaml: bool) -> Result<Vec<strata_emit::EmittedFile>, Vec<Diagnostic>> {
    let spans = model.resources.iter().map(|r| (r.id, r.name_span)).collect();
    strata_emit::emit(programs, &strata_emit::EmitOptions { cloudformation_yaml: yaml, spans })
}

/// Write the files under `out`, replacing the folders of `targets` (atomically per folder;
/// nothing is changed when writing fails).
pub(crate) fn write_outputs(out: &Path, files: &[strata_emit::EmittedFile], targets: &[Target]) -> Result<(), String> {
    strata_emit::write_outputs(out, files, targets).map_err(|e| crate::project::io_message(&e))
}
/// Format one file: the canonical text, or the syntax errors that prevent formatting.
pub(crate) fn format(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let (tree, diags) = strata_syntax::parse(file, text);
    if diags.iter().any(|d| d.severity == strata_base::Severity::Error) {
        return Err(diags);
    }
    Ok(strata_syntax::format(&tree, text))
}

fn unavailable(what: &str) -> Diagnostic {
    Diagnostic::error(c::UNAVAILABLE, format!("{what} is not available in this build"), Span::default()).with_help("this build of strata lacks a stage of the pipeline")
}

