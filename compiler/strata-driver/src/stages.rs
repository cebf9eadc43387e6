//! The calls into the later stages (lowering, emission, formatting), in one place.

use std::path::Path;
use strata_base::{Diagnostic, FileId};
use strata_model::{Model, Schemas, Target, TargetProgram};

/// Lower portable resources to the stacks' providers. `keep` decides whether the analysed
/// model is kept (the language server shows it) or moved (no copy). A model without portable
/// resources is already lowered: it is then moved even with `keep` (the lowered model is the
/// analysed one, and copying it cost the language server about a millisecond per edit on a
/// 644-resource file, plus freeing the copy), and the lowering tables are not even loaded,
/// which keeps `strata check` of a provider-only project fast.
pub(crate) fn lower_portable(
    model: &mut Model,
    schemas: &Schemas,
    keep: bool,
) -> (Model, Vec<Diagnostic>) {
    let portable = model
        .resources
        .iter()
        .any(|r| r.provider == strata_model::Provider::Portable);
    if !portable {
        return (std::mem::take(model), Vec::new());
    }
    let input = if keep {
        model.clone()
    } else {
        std::mem::take(model)
    };
    strata_lower::lower_portable(input, schemas)
}

/// Lower the model to one program per (stack, target).
pub(crate) fn to_targets(
    model: &Model,
    schemas: &Schemas,
    targets: Option<&[Target]>,
) -> (Vec<TargetProgram>, Vec<Diagnostic>) {
    strata_lower::to_targets(model, schemas, targets)
}

/// Render target programs in their formats (no I/O).
pub(crate) fn emit(
    programs: &[TargetProgram],
    model: &Model,
    yaml: bool,
) -> Result<Vec<strata_emit::EmittedFile>, Vec<Diagnostic>> {
    let spans = model
        .resources
        .iter()
        .map(|r| (r.id, r.name_span))
        .collect();
    strata_emit::emit(
        programs,
        &strata_emit::EmitOptions {
            cloudformation_yaml: yaml,
            spans,
        },
    )
}

/// Write the files under `out`, replacing the folders of `targets` and keeping the rest, in one
/// atomic switch of the whole directory (nothing is changed when writing fails).
pub(crate) fn write_outputs(
    out: &Path,
    files: &[strata_emit::EmittedFile],
    targets: &[Target],
) -> Result<(), String> {
    strata_emit::write_outputs(out, files, targets).map_err(|e| crate::project::io_message(&e))
}
/// Format one file: the canonical text, or the syntax errors that prevent formatting.
pub(crate) fn format(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let (tree, diags) = strata_syntax::parse(file, text);
    if diags
        .iter()
        .any(|d| d.severity == strata_base::Severity::Error)
    {
        return Err(diags);
    }
    Ok(strata_syntax::format(&tree, text))
}
