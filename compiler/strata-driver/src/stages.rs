//! The calls into the later stages (lowering, emission, formatting), in one place.

use std::path::Path;
use strata_base::{Diagnostic, FileId};
use strata_model::{Model, Schemas, Target};

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

/// What [`lower_and_emit`] produced.
pub(crate) struct Rendered {
    /// The target of each program produced, in program order.
    pub produced: Vec<Target>,
    /// Lowering's diagnostics (sorted).
    pub lowered: Vec<Diagnostic>,
    /// The rendered files sorted by path (empty when not kept), or every emitter error. Only
    /// meaningful when `lowered` has no error (the caller then ignores it, as when
    /// lowering's errors stopped emission).
    pub emitted: Result<Vec<strata_emit::EmittedFile>, Vec<Diagnostic>>,
    /// Time spent lowering, and rendering.
    pub lower_wall: std::time::Duration,
    pub emit_wall: std::time::Duration,
}

/// Lower the model to one program per (stack, target) and render them, one stack at a time:
/// a stack's programs are dropped once rendered, so memory follows the largest stack rather
/// than the project. `keep_files: false` (the target-limit pass of `check`) keeps only the
/// diagnostics. The files and diagnostics are the same as lowering everything, then rendering
/// everything.
pub(crate) fn lower_and_emit(
    model: &Model,
    schemas: &Schemas,
    targets: Option<&[Target]>,
    yaml: bool,
    keep_files: bool,
) -> Rendered {
    let start = std::time::Instant::now();
    let opts = strata_emit::EmitOptions {
        cloudformation_yaml: yaml,
        spans: model
            .resources
            .iter()
            .map(|r| (r.id, r.name_span))
            .collect(),
    };
    let mut produced = Vec::new();
    let mut files = Vec::new();
    let mut paths = Vec::new();
    let mut emit_diags = Vec::new();
    let mut emit_wall = std::time::Duration::ZERO;
    let lowered = strata_lower::to_targets_each(model, schemas, targets, &mut |programs| {
        let t = std::time::Instant::now();
        produced.extend(programs.iter().map(|p| p.target));
        match strata_emit::emit(&programs, &opts) {
            Ok(f) if keep_files => files.extend(f),
            Ok(f) => paths.extend(f.into_iter().map(|f| f.path)),
            Err(d) => emit_diags.extend(d),
        }
        drop(programs);
        emit_wall += t.elapsed();
    });
    let t = std::time::Instant::now();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    paths.extend(files.iter().map(|f| f.path.clone()));
    paths.sort();
    emit_diags.extend(strata_emit::duplicate_paths(
        paths.iter().map(String::as_str),
    ));
    emit_wall += t.elapsed();
    Rendered {
        produced,
        lowered,
        emitted: if emit_diags.is_empty() {
            Ok(files)
        } else {
            Err(emit_diags)
        },
        lower_wall: start.elapsed().saturating_sub(emit_wall),
        emit_wall,
    }
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
