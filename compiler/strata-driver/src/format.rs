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

/// Directories deeper than this are not searched (a guard against symbolic-link loops).
const MAX_DIR_DEPTH: usize = 64;

/// The `.strata` files under `dir`, recursively, skipping hidden directories (`.git`) and
/// build output (`target`, `node_modules`).
fn collect_dir(
    world: &dyn World,
    dir: &Path,
    depth: usize,
    found: &mut Vec<PathBuf>,
    out: &mut FormatOutcome,
) {
    let entries = match world.read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            let id = out.sources.add(shown(dir), "", false);
            out.diagnostics.push(
                Diagnostic::error(
                    c::UNREADABLE,
                    format!(
                        "cannot read the directory `{}`: {}",
                        shown(dir),
                        crate::project::io_message(&e)
                    ),
                    Span::new(id, 0, 0),
                )
                .with_help("check that you may list the directory"),
            );
            return;
        }
    };
    for e in entries {
        let e = if dir == Path::new(".") {
            e.file_name().map(PathBuf::from).unwrap_or(e)
        } else {
            e
        };
        let is_dir = matches!(world.metadata(&e), Ok(m) if m.kind == EntryKind::Dir);
        if is_dir {
            let name = e
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if depth < MAX_DIR_DEPTH
                && !name.starts_with('.')
                && name != "target"
                && name != "node_modules"
            {
                collect_dir(world, &e, depth + 1, found, out);
            }
        } else if e.extension().is_some_and(|x| x == "strata") {
            found.push(e);
        }
    }
}

/// Format every `.strata` file named by `paths` (files, or directories: every `*.strata` file
/// under them, skipping hidden directories, `target` and `node_modules`). Pure: the caller
/// writes the results.
pub fn format_paths(world: &dyn World, paths: &[PathBuf]) -> FormatOutcome {
    let mut out = FormatOutcome::default();
    let mut files: Vec<PathBuf> = Vec::new();
    for p in paths {
        let p = normalize(p);
        match world.metadata(&p) {
            Ok(m) if m.kind == EntryKind::Dir => {
                let mut found = Vec::new();
                collect_dir(world, &p, 0, &mut found, &mut out);
                found.sort();
                files.extend(found);
            }
            Ok(_) => files.push(p),
            Err(_) => {
                let id = out.sources.add(shown(&p), "", false);
                out.diagnostics.push(
                    Diagnostic::error(
                        c::PATH_NOT_FOUND,
                        format!("`{}` does not exist", shown(&p)),
                        Span::new(id, 0, 0),
                    )
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
                        out.files.push(FormattedFile {
                            path,
                            file: id,
                            formatted: Some(formatted),
                            changed,
                        });
                    }
                    Err(diags) => {
                        out.diagnostics.extend(diags);
                        out.files.push(FormattedFile {
                            path,
                            file: id,
                            formatted: None,
                            changed: false,
                        });
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
