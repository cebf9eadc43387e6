//! `strata fmt`: format files in place or check that they are formatted.

use crate::codes as c;
use crate::project::{read_text, unusable_file_diagnostic};
use crate::stages;
use crate::world::{normalize, EntryKind, World};
use std::path::{Path, PathBuf};
use strata_base::{Diagnostic, FileId, SourceMap, Span};

/// One file `strata fmt` looked at.
#[derive(Clone, Debug)]
pub struct FormattedFile {
    /// Where it is (as named on the command line, joined with the file name for directories).
    pub path: PathBuf,
    pub file: FileId,
    /// The canonical text, when the file parsed without errors.
    pub formatted: Option<String>,
    /// Whether the canonical text differs from the file.
    pub changed: bool,
}

/// The result of formatting a set of paths. File names in `sources` are the paths as the user
/// named them.
#[derive(Debug, Default)]
pub struct FormatOutcome {
    pub sources: SourceMap,
    pub files: Vec<FormattedFile>,
    /// Files that could not be read or parsed (those are never rewritten).
    pub diagnostics: Vec<Diagnostic>,
}

impl FormatOutcome {
    /// Files whose text would change.
    pub fn changed(&self) -> impl Iterator<Item = &FormattedFile> {
        self.files.iter().filter(|f| f.changed)
    }
}

fn shown(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Format every `.strata` file named by `paths` (files, or directories: their `*.strata` files,
/// not recursively). Pure: the caller writes the results.
pub fn format_paths(world: &dyn World, paths: &[PathBuf]) -> FormatOutcome {
    let mut out = FormatOutcome::default();
    let mut files: Vec<PathBuf> = Vec::new();
    for p in paths {
        let p = normalize(p);
        match world.metadata(&p) {
            Ok(m) if m.kind == EntryKind::Dir => match world.read_dir(&p) {
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries
                        .into_iter()
                        .filter(|e| e.extension().is_some_and(|x| x == "strata"))
                        .filter(|e| !matches!(world.metadata(e), Ok(m) if m.kind == EntryKind::Dir))
                        .map(|e| if p == Path::new(".") { e.file_name().map(PathBuf::from).unwrap_or(e) } else { e })
                        .collect();
                    found.sort();
                    files.extend(found);
                }
                Err(e) => {
                    let id = out.sources.add(shown(&p), "", false);
                    out.diagnostics.push(
                        Diagnostic::error(c::UNREADABLE, format!("cannot read the directory `{}`: {}", shown(&p), crate::project::io_message(&e)), Span::new(id, 0, 0))
                            .with_help("check that you may list the directory"),
                    );
                }
            },
            Ok(_) => files.push(p),
            Err(_) => {
                let id = out.sources.add(shown(&p), "", false);
                out.diagnostics.push(
                    Diagnostic::error(c::PATH_NOT_FOUND, format!("`{}` does not exist", shown(&p)), Span::new(id, 0, 0))
                        .with_help("pass .strata files or directories that hold some"),
                );
            }
        }
    }
    files.dedup();
    for path in files {
        let name = shown(&path);
        match read_text(world, &path) {
            Ok(text) => {
                let id = out.sources.add(name, text, false);
                let text = out.sources.get(id).text.clone();
                match stages::format(id, &text) {
                    Ok(formatted) => {
                        let changed = formatted != *text;
                        out.files.push(FormattedFile { path, file: id, formatted: Some(formatted), changed });
                    }
                    Err(diags) => {
                        out.diagnostics.extend(diags);
                        out.files.push(FormattedFile { path, file: id, formatted: None, changed: false });
                    }
                }
            }
            Err(e) => {
                let d = unusable_file_diagnostic(&mut out.sources, &name, &name, e);
                out.diagnostics.push(d);
            }
        }
    }
    crate::sort_diagnostics(&mut out.diagnostics);
    out
}
