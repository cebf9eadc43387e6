//! The driver: the one entry point of the Strata toolchain, shared by the command line
//! (`strata-cli`) and the language server (`strata-lsp`).
//!
//! - A [`World`] supplies every file ([`DiskWorld`] for the CLI, [`MemoryWorld`] for tests
//!   and editor buffers); the pipeline does no other I/O: [`compile`] returns the files, and
//!   the caller writes them with [`write_output`].
//! - [`load_project`] turns `PATH` (a file or a project directory) into source files and the
//!   settings of `strata.toml`; [`WorldLoader`] resolves `import "./x"` inside the project.
//! - [`check`] runs analyze → lower_portable → graph → policies and returns every diagnostic,
//!   sorted and deduplicated, with the cost estimate; [`compile`] checks, then emits only when
//!   there is no error.
//! - [`all_codes`] is the registry of every diagnostic code of every stage (`strata explain`).
//!
//! Architecture invariant: never panics on user input; every problem is a [`Diagnostic`].
//! Exit codes: see [`exit_code`].

pub mod codes;
mod crds;
mod format;
mod loader;
mod pipeline;
mod project;
pub mod reference;
mod stages;
mod world;

pub use format::{format_paths, FormatOutcome, FormattedFile};
pub use loader::WorldLoader;
pub use pipeline::{
    check, check_cached, compile, exit_code, is_input_code, sort_diagnostics, write_output,
    CheckOptions, CheckOutcome, CompileOptions, CompileOutcome, StageTiming,
};
pub use project::{
    io_message, load_project, parse_config, read_text, CfnFormat, CompileConfig, Config, EnvConfig,
    LoadedProject, Project, ReadError, CONFIG_FILE, MAX_FILE_SIZE,
};
pub use strata_semantics::ParseCache;
pub use world::{normalize, DiskWorld, EntryKind, MemoryWorld, Metadata, OverlayWorld, World};

use strata_base::{CodeDoc, Diagnostic, Severity};

/// Counts of diagnostics by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(diagnostics: &[Diagnostic]) -> Summary {
        let mut s = Summary::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

/// Every diagnostic code of every stage, sorted by code: what `strata explain` prints and the
/// language server links to.
pub fn all_codes() -> Vec<CodeDoc> {
    let mut all = Vec::new();
    all.extend(strata_syntax::codes());
    all.extend(strata_semantics::codes());
    all.extend(strata_graph::codes());
    all.extend(strata_policy::codes());
    all.extend(strata_lower::codes());
    all.extend(strata_emit::codes());
    all.extend(codes::codes());
    all.sort_by(|a, b| a.code.cmp(b.code));
    all
}

/// The documentation of one code (or rule name, e.g. `dependency-cycle`), case-insensitive.
pub fn explain(code: &str) -> Option<CodeDoc> {
    all_codes()
        .into_iter()
        .find(|d| d.code.eq_ignore_ascii_case(code) || d.name.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let all = all_codes();
        for w in all.windows(2) {
            assert_ne!(
                w[0].code, w[1].code,
                "code {} is registered twice",
                w[0].code
            );
        }
        for d in &all {
            assert!(
                !d.name.is_empty()
                    && d.name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}: name `{}` is not kebab-case",
                d.code,
                d.name
            );
            for section in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## Fix",
            ] {
                assert!(
                    d.doc.contains(section),
                    "{} lacks the section {section}",
                    d.code
                );
            }
        }
        assert!(explain("e4001").is_some());
        assert!(explain("path-not-found").is_some());
        assert!(explain("E9999").is_none());
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        use strata_base::Span;
        let e = |code: &str| Diagnostic::error(code, "x", Span::default());
        assert_eq!(exit_code(&[]), 0);
        assert_eq!(
            exit_code(&[Diagnostic::warning("E2001", "x", Span::default())]),
            0
        );
        assert_eq!(exit_code(&[e("COST001")]), 1);
        assert_eq!(exit_code(&[e("POLICY003")]), 1);
        assert_eq!(exit_code(&[e("GRAPH001"), e("E0001")]), 2);
        assert_eq!(exit_code(&[e("POL010")]), 2);
        assert_eq!(exit_code(&[e("X0006")]), 2);
        assert_eq!(
            exit_code(&[Diagnostic::info("COST001", "x", Span::default())]),
            0
        );
    }
}
