//! Semantics: resolves names, checks types against the schemas of the stdlib and the project,
//! and evaluates the program for one environment into a [`strata_model::Model`].
//!
//! No I/O happens here: project files arrive in the [`SourceMap`]; imported directories are
//! fetched through the [`Loader`] the caller supplies (the CLI reads the disk, the language
//! server its open buffers, tests a map in memory).

use std::collections::BTreeMap;
use strata_base::{Diagnostic, FileId, SourceMap};
use strata_model::{Model, Schemas, Value};
use strata_syntax::ast;

/// Where imported project files come from.
pub trait Loader {
    /// Resolve `import "<rel>"` written in the file named `importer` (a project-relative path
    /// with `/` separators). Returns the project-relative names and texts of the `.strata`
    /// files it denotes (a file, or every `*.strata` file of a directory), or an error message
    /// (missing, unreadable, not UTF-8, outside the project, too large).
    fn load(&self, importer: &str, rel: &str) -> Result<Vec<(String, String)>, String>;
}

/// A loader for programs without file imports (tests, single buffers): every import fails.
pub struct NoImports;
impl Loader for NoImports {
    fn load(&self, _importer: &str, rel: &str) -> Result<Vec<(String, String)>, String> {
        Err(format!("cannot import `{rel}`: imports are not available here"))
    }
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--env NAME`: the value of the `env` parameter.
    pub env: Option<String>,
    /// Parameter values from `strata.toml` (`[env.NAME.params]`), by name.
    pub params: BTreeMap<String, Value>,
}

/// Everything semantics knows about a program, for the later stages and the language server.
#[derive(Debug, Default)]
pub struct Analysis {
    pub model: Model,
    pub schemas: Schemas,
    /// Parsed trees of every project file (including imported ones), by file.
    pub files: Vec<(FileId, ast::File)>,
}

/// Analyse the project files already added to `sources` (`project_files`). Stdlib files are
/// added to `sources` by this function. Never fails: returns what it could evaluate plus every
/// diagnostic (syntax errors included).
pub fn analyze(sources: &mut SourceMap, project_files: &[FileId], loader: &dyn Loader, options: &Options) -> (Analysis, Vec<Diagnostic>) {
    let _ = (sources, project_files, loader, options);
    todo!("semantics")
}

/// Documentation of every code this stage reports.
pub fn codes() -> Vec<strata_base::CodeDoc> {
    Vec::new()
}
