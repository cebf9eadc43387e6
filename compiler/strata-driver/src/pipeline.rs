//! The pipelines: `check` = load → analyze → lower_portable → graph → policies (+ cost);
//! `compile` = check, then (only when it found no error) to_targets → emit → write.

use crate::loader::WorldLoader;
use crate::project::{load_project, CfnFormat, Project};
use crate::stages;
use crate::world::World;
use crate::{codes as c, Summary};
use std::path::{Path, PathBuf};
use strata_base::{Diagnostic, FileId, Severity, SourceMap, Span};
use strata_emit::EmittedFile;
use strata_graph::ResourceGraph;
use strata_model::{Model, Target};
use strata_semantics::Analysis;

/// Options of [`check`].
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// `--env NAME`.
    pub env: Option<String>,
    /// The language server's mode: record every resolved use of a name (for hover,
    /// go-to-definition and references) and keep the analysed model in `analysis.model` next
    /// to the lowered one. Costs time and memory, so the command line leaves it off; then
    /// `analysis.model` is empty (moved into [`CheckOutcome::model`]).
    pub record_xrefs: bool,
}

/// Everything a check learned. The CLI prints it; the language server keeps it per project.
#[derive(Debug, Default)]
pub struct CheckOutcome {
    pub project: Project,
    /// Every file of the run: project files, imported files, `strata.toml`, the stdlib.
    pub sources: SourceMap,
    /// The project's own files (before imports).
    pub files: Vec<FileId>,
    /// Semantics' result (the model before lowering — only with `record_xrefs` —, schemas,
    /// syntax trees).
    pub analysis: Analysis,
    /// The model after portable types are lowered to the stacks' providers: what the graph,
    /// the policies, the cost estimate and the emitters see. Its first resources are the
    /// declared ones, in the analysed order; lowering appends the provider resources it
    /// creates (with `lowered_from` set).
    pub model: Model,
    pub graph: ResourceGraph,
    /// The diagnostics of every stage, sorted by file and position, without duplicates.
    pub diagnostics: Vec<Diagnostic>,
    /// The cost estimate, when the model is valid enough to price.
    pub cost: Option<strata_policy::CostReport>,
    /// Each stage in order (`STRATA_TIMINGS=1 strata check` prints them).
    pub timings: Vec<StageTiming>,
}

impl CheckOutcome {
    pub fn summary(&self) -> Summary {
        Summary::of(&self.diagnostics)
    }
    /// The process exit code for these diagnostics (see [`exit_code`]).
    pub fn exit_code(&self) -> i32 {
        exit_code(&self.diagnostics)
    }
    /// How many resources the project declares (before lowering).
    pub fn declared_resources(&self) -> usize {
        self.model
            .resources
            .iter()
            .filter(|r| r.lowered_from.is_none())
            .count()
    }
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
    /// A file name as the user should see it (relative to the current directory).
    pub fn display_name(&self, file: FileId) -> String {
        self.project.display_file(&self.sources, file)
    }
}

/// Whether a code reports invalid input (syntax, names, types, graph, project and I/O
/// `E0xxx`–`E4xxx`, what a target cannot express `X0xxx`, an invalid `[rules]` table `POL010`)
/// rather than a finding about a valid program: a rule of the policy stage (`SEC…`,
/// `GRAPH…`, `COST…`, `POL…`) or a policy written in the project (`POLICY…`).
pub fn is_input_code(code: &str) -> bool {
    static FINDINGS: std::sync::OnceLock<std::collections::BTreeSet<&'static str>> =
        std::sync::OnceLock::new();
    let findings = FINDINGS.get_or_init(|| {
        strata_policy::codes()
            .into_iter()
            .map(|c| c.code)
            .filter(|c| *c != "POL010")
            .collect()
    });
    !(code.starts_with("POLICY") || findings.contains(code))
}

/// The exit code of the command-line contract: 2 when an error says the input is invalid,
/// 1 when an error is a finding (policy, budget), 0 otherwise (warnings and infos allowed).
pub fn exit_code(diagnostics: &[Diagnostic]) -> i32 {
    let errors = || diagnostics.iter().filter(|d| d.severity == Severity::Error);
    if errors().any(|d| is_input_code(&d.code)) {
        2
    } else if errors().next().is_some() {
        1
    } else {
        0
    }
}

/// Sort by file and position and drop exact duplicates (two stages may report the same thing).
pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by_cached_key(|d| d.sort_key());
    diagnostics.dedup();
}

/// Check a project: load, analyse, lower, graph, policies, cost. Never fails; see
/// [`CheckOutcome::exit_code`].
pub fn check(world: &dyn World, path: &Path, options: &CheckOptions) -> CheckOutcome {
    let mut out = CheckOutcome::default();
    let mut clock = Clock::start();
    let loaded = load_project(world, path, &mut out.sources);
    clock.lap(&mut out.timings, "load");
    out.project = loaded.project;
    out.files = loaded.files;
    out.diagnostics = loaded.diagnostics;
    if out
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        // A file that could not be read or a broken strata.toml: analysing the rest would only
        // add errors caused by what is missing.
        sort_diagnostics(&mut out.diagnostics);
        return out;
    }

    let mut options_sem = strata_semantics::Options {
        env: options.env.clone(),
        record_xrefs: options.record_xrefs,
        ..Default::default()
    };
    if let Some(env) = &options.env {
        if let Some(e) = out.project.config.envs.get(env) {
            options_sem.params = e.params.clone();
        }
    }
    let loader = WorldLoader::new(world, &out.project);
    let (mut analysis, diags) =
        strata_semantics::analyze(&mut out.sources, &out.files, &loader, &options_sem);
    out.diagnostics.extend(diags);
    clock.lap(&mut out.timings, "analyze");
    let (model, diags) =
        stages::lower_portable(&mut analysis.model, &analysis.schemas, options.record_xrefs);
    out.diagnostics.extend(diags);
    clock.lap(&mut out.timings, "lower_portable");
    let (graph, diags) = strata_graph::build(&model);
    out.diagnostics.extend(diags);
    clock.lap(&mut out.timings, "graph");

    let input_valid = !out
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && is_input_code(&d.code));
    if input_valid {
        // Policies and prices only mean something for a program that type-checks.
        // The policies and the cost estimate read the same model: run them side by side.
        let other_codes: Vec<_> = crate::all_codes()
            .into_iter()
            .filter(|c| {
                !c.code
                    .starts_with(|ch: char| ch.is_ascii_uppercase() && ch != 'E')
            })
            .collect();
        let ((findings, policies_wall), (cost, cost_wall)) = rayon::join(
            || {
                let t = std::time::Instant::now();
                (
                    strata_policy::check_with_sources(
                        &model,
                        &analysis.schemas,
                        &graph,
                        &out.project.config.policy,
                        &out.sources,
                        &other_codes,
                    ),
                    t.elapsed(),
                )
            },
            || {
                let t = std::time::Instant::now();
                (
                    strata_policy::estimate(&model, &analysis.schemas, &out.project.config.usage),
                    t.elapsed(),
                )
            },
        );
        out.diagnostics.extend(findings);
        out.cost = Some(cost);
        clock.overlapped(
            &mut out.timings,
            &[("policies", policies_wall), ("cost", cost_wall)],
        );
    }
    out.analysis = analysis;
    out.model = model;
    out.graph = graph;
    sort_diagnostics(&mut out.diagnostics);
    out
}

/// Options of [`compile`].
#[derive(Clone, Debug, Default)]
pub struct CompileOptions {
    pub check: CheckOptions,
    /// `--out DIR` (relative to the current directory). Default: `[compile] out` of
    /// `strata.toml` (relative to the project), else `out/` in the current directory.
    pub out: Option<PathBuf>,
    /// `--target LIST`. Default: `[compile] targets`, else every target the stacks support.
    pub targets: Option<Vec<Target>>,
    /// `--cfn-format`. Default: `[compile] cfn_format`, else JSON.
    pub cfn_format: Option<CfnFormat>,
}

/// What a compile did.
#[derive(Debug, Default)]
pub struct CompileOutcome {
    pub check: CheckOutcome,
    /// Where the files were written (`None` when nothing was written).
    pub out_dir: Option<PathBuf>,
    /// The files written, relative to `out_dir`, sorted.
    pub written: Vec<String>,
}

impl CompileOutcome {
    pub fn exit_code(&self) -> i32 {
        self.check.exit_code()
    }
}

/// Check, then emit every target and write the output directory. Nothing is written when any
/// stage reports an error; the previous output is then left untouched.
pub fn compile(world: &dyn World, path: &Path, options: &CompileOptions) -> CompileOutcome {
    let checked = check(world, path, &options.check);
    let mut out = CompileOutcome {
        check: checked,
        ..CompileOutcome::default()
    };
    if out.check.has_errors() {
        return out;
    }
    let project = &out.check.project;
    let targets = options
        .targets
        .clone()
        .or_else(|| project.config.compile.targets.clone());
    let yaml = options.cfn_format.or(project.config.compile.cfn_format) == Some(CfnFormat::Yaml);
    let out_dir = match (&options.out, &project.config.compile.out) {
        (Some(o), _) => o.clone(),
        (None, Some(o)) => project.root.join(o),
        (None, None) => PathBuf::from("out"),
    };

    // Nothing after this point reads the syntax trees: free them, so that lowering reuses
    // their memory instead of touching fresh pages.
    out.check.analysis.files = Vec::new();
    out.check.analysis.xrefs = Vec::new();
    let mut clock = Clock::start();
    let (programs, diags) = stages::to_targets(
        &out.check.model,
        &out.check.analysis.schemas,
        targets.as_deref(),
    );
    clock.lap(&mut out.check.timings, "to_targets");
    let mut errors = diags;
    if let Some(requested) = &targets {
        let produced: Vec<Target> = programs.iter().map(|p| p.target).collect();
        let mut supported: Vec<Target> = out
            .check
            .model
            .stacks
            .iter()
            .flat_map(|s| strata_lower::targets_of(s.provider).iter().copied())
            .collect();
        supported.sort();
        supported.dedup();
        for t in requested.iter().filter(|t| !produced.contains(t)) {
            let span = out
                .check
                .model
                .stacks
                .first()
                .map(|s| s.span)
                .or_else(|| out.check.files.first().map(|&f| Span::new(f, 0, 0)))
                .unwrap_or_default();
            let names: Vec<&str> = supported.iter().map(|t| t.dir_name()).collect();
            let help = if names.is_empty() {
                "the project has no resources to deploy".to_string()
            } else {
                format!(
                    "the stacks of this project compile to: {}",
                    names.join(", ")
                )
            };
            errors.push(
                Diagnostic::warning(
                    c::TARGET_UNUSED,
                    format!("nothing to write for the target `{}`", t.dir_name()),
                    span,
                )
                .with_label("no stack deploys to it")
                .with_help(help),
            );
        }
    }
    let files: Vec<EmittedFile> = if errors.iter().any(|d| d.severity == Severity::Error) {
        Vec::new()
    } else {
        let emitted = match stages::emit(&programs, &out.check.model, yaml) {
            Ok(files) => files,
            Err(d) => {
                errors.extend(d);
                Vec::new()
            }
        };
        clock.lap(&mut out.check.timings, "emit");
        emitted
    };
    let failed = errors.iter().any(|d| d.severity == Severity::Error);
    out.check.diagnostics.extend(errors);
    if !failed {
        // Replace the folders of the requested targets (even if one came out empty), else of
        // the targets produced.
        let mut written_targets: Vec<Target> = targets
            .clone()
            .unwrap_or_else(|| programs.iter().map(|p| p.target).collect());
        written_targets.sort();
        written_targets.dedup();
        let result = stages::write_outputs(&out_dir, &files, &written_targets);
        clock.lap(&mut out.check.timings, "write");
        match result {
            Ok(()) => {
                out.written = files.iter().map(|f| f.path.clone()).collect();
                out.written.sort();
                out.out_dir = Some(out_dir);
            }
            Err(msg) => {
                let shown = out_dir.to_string_lossy().into_owned();
                let id = out
                    .check
                    .project
                    .add_verbatim(&mut out.check.sources, &shown);
                out.check.diagnostics.push(
                    Diagnostic::error(c::WRITE_FAILED, format!("cannot write the output directory `{shown}`: {msg}"), Span::new(id, 0, 0))
                        .with_help("choose a directory you can write with `--out DIR`; an earlier output there is left as it was"),
                );
            }
        }
    }
    sort_diagnostics(&mut out.check.diagnostics);
    out
}

/// What one stage took.
#[derive(Clone, Copy, Debug)]
pub struct StageTiming {
    pub stage: &'static str,
    /// Wall time of the stage.
    pub wall: std::time::Duration,
    /// Resident memory of the process when the stage ended (Linux only), in bytes.
    pub resident: Option<u64>,
}

/// Measures consecutive stages.
struct Clock(std::time::Instant);

impl Clock {
    fn start() -> Clock {
        Clock(std::time::Instant::now())
    }
    /// Stages that ran side by side: each one's own wall time, the clock restarts after both.
    fn overlapped(
        &mut self,
        timings: &mut Vec<StageTiming>,
        stages: &[(&'static str, std::time::Duration)],
    ) {
        let resident = resident_bytes();
        for &(stage, wall) in stages {
            timings.push(StageTiming {
                stage,
                wall,
                resident,
            });
        }
        self.0 = std::time::Instant::now();
    }
    fn lap(&mut self, timings: &mut Vec<StageTiming>, stage: &'static str) {
        let now = std::time::Instant::now();
        timings.push(StageTiming {
            stage,
            wall: now - self.0,
            resident: resident_bytes(),
        });
        self.0 = now;
    }
}

/// The resident set size of this process (second field of `/proc/self/statm`, in pages).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
