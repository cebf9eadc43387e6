//! The pipelines: `check` = load → analyze → lower_portable → graph → policies (+ cost);
//! `compile` = check, then (only when it found no error) to_targets → emit, returning the files;
//! `write_output` writes them (the command line calls it).

use crate::loader::WorldLoader;
use crate::project::{load_project, CfnFormat, Project};
use crate::stages;
use crate::world::{is_within, normalize, World};
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
    /// to the lowered one when lowering changed it (the project has portable resources).
    /// Costs time and memory, so the command line leaves it off. Otherwise `analysis.model`
    /// is empty: moved into [`CheckOutcome::model`], whose declared resources (those without
    /// `lowered_from`) are then the analysed ones.
    pub record_xrefs: bool,
    /// Also lower to the targets and render them in memory, keeping only the diagnostics
    /// (`L…`, `X…`: the CloudFormation quotas `X0007`, names, what a target cannot express),
    /// so that `strata check` fails what `strata compile` would refuse, with the same codes.
    /// Nothing is written. The command line's `check` sets it; `compile` does this itself and
    /// the language server leaves it off (it runs on every keystroke).
    pub target_limits: bool,
}

/// Everything a check learned. The CLI prints it; the language server keeps it per project.
#[derive(Debug, Default)]
pub struct CheckOutcome {
    pub project: Project,
    /// Every file of the run: project files, imported files, `strata.toml`, the stdlib.
    pub sources: SourceMap,
    /// The project's own files (before imports).
    pub files: Vec<FileId>,
    /// Semantics' result (the model before lowering — only with `record_xrefs` and portable
    /// resources to lower —, schemas, syntax trees).
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
const LOWERED_INVALID: &str = "L0002";

/// One finding per fault: a resource already in error (a missing or unknown property, an
/// ambiguous default) is not also reported as lowered to something its target refuses
/// (`L0002`), which only restates the first error in the target's terms.
fn drop_cascading_lowering_errors(model: &Model, diags: &mut Vec<Diagnostic>) {
    let within = |a: &Span, b: &Span| a.file == b.file && b.start <= a.start && a.end <= b.end;
    let broken: Vec<Span> = model
        .resources
        .iter()
        .filter(|r| r.lowered_from.is_none())
        .filter(|r| {
            diags.iter().any(|d| {
                d.severity == Severity::Error
                    && d.code != LOWERED_INVALID
                    && within(&d.primary.span, &r.span)
            })
        })
        .map(|r| r.span)
        .collect();
    if broken.is_empty() {
        return;
    }
    diags.retain(|d| {
        d.code != LOWERED_INVALID || !broken.iter().any(|b| within(&d.primary.span, b))
    });
}

pub fn check(world: &dyn World, path: &Path, options: &CheckOptions) -> CheckOutcome {
    check_cached(world, path, options, None)
}

/// [`check`], reusing the syntax trees of the files that did not change since the last check
/// with the same `cache` (the language server keeps one per project). The outcome is the
/// same as [`check`]'s.
pub fn check_cached(
    world: &dyn World,
    path: &Path,
    options: &CheckOptions,
    cache: Option<&strata_semantics::ParseCache>,
) -> CheckOutcome {
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

    if options.target_limits {
        // The lowering engine's tables are parsed once per process: on another core while
        // the program is analysed, rather than after it.
        rayon::spawn(strata_lower::prepare);
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
    let crd_diags = crate::crds::load(world, &out.project);
    if !crd_diags.is_empty() {
        out.diagnostics.extend(crd_diags);
        sort_diagnostics(&mut out.diagnostics);
        return out;
    }
    let loader = WorldLoader::new(world, &out.project);
    let (mut analysis, diags) = strata_semantics::analyze_cached(
        &mut out.sources,
        &out.files,
        &loader,
        &options_sem,
        cache,
    );
    out.diagnostics.extend(diags);
    clock.lap(&mut out.timings, "analyze");
    let (model, diags) =
        stages::lower_portable(&mut analysis.model, &analysis.schemas, options.record_xrefs);
    out.diagnostics.extend(diags);
    drop_cascading_lowering_errors(&model, &mut out.diagnostics);
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
        // What compile would refuse after a clean check — lowering to the targets and the
        // emitters' checks (quotas) — runs beside them; its files are dropped.
        let limits = || {
            let t = std::time::Instant::now();
            let mut diags = Vec::new();
            if options.target_limits {
                let config = &out.project.config.compile;
                let yaml = config.cfn_format == Some(CfnFormat::Yaml);
                let r = stages::lower_and_emit(
                    &model,
                    &analysis.schemas,
                    config.targets.as_deref(),
                    yaml,
                    false,
                );
                let failed = r.lowered.iter().any(|d| d.severity == Severity::Error);
                diags.extend(r.lowered);
                if let (false, Err(d)) = (failed, r.emitted) {
                    diags.extend(d);
                }
            }
            (diags, t.elapsed())
        };
        let (((findings, policies_wall), (cost, cost_wall)), (limit_diags, limits_wall)) =
            rayon::join(
                || {
                    rayon::join(
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
                                strata_policy::estimate(
                                    &model,
                                    &analysis.schemas,
                                    &out.project.config.usage,
                                ),
                                t.elapsed(),
                            )
                        },
                    )
                },
                limits,
            );
        out.diagnostics.extend(findings);
        out.diagnostics.extend(limit_diags);
        out.cost = Some(cost);
        let mut laps = vec![("policies", policies_wall), ("cost", cost_wall)];
        if options.target_limits {
            laps.push(("target_limits", limits_wall));
        }
        clock.overlapped(&mut out.timings, &laps);
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
    /// `--out DIR` (relative to the current directory; may be anywhere). Default: `[compile]
    /// out` of `strata.toml`, else `out/`, both relative to the project directory and inside it
    /// (`E4013` otherwise, links resolved).
    pub out: Option<PathBuf>,
    /// `--target LIST`. Default: `[compile] targets`, else every target the stacks support.
    pub targets: Option<Vec<Target>>,
    /// `--cfn-format`. Default: `[compile] cfn_format`, else JSON.
    pub cfn_format: Option<CfnFormat>,
}

/// What a compile produced, and (after [`write_output`]) what it wrote.
#[derive(Debug, Default)]
pub struct CompileOutcome {
    pub check: CheckOutcome,
    /// The files to write (paths relative to the output directory), when nothing failed.
    pub files: Vec<EmittedFile>,
    /// The output directory the files are for (set when there is something to write).
    pub target_dir: Option<PathBuf>,
    /// The target folders [`write_output`] replaces: the targets asked for, else those produced.
    pub replaced: Vec<Target>,
    /// Where the files were written (`None` until [`write_output`] succeeded).
    pub out_dir: Option<PathBuf>,
    /// The files written, relative to `out_dir`, sorted.
    pub written: Vec<String>,
}

impl CompileOutcome {
    pub fn exit_code(&self) -> i32 {
        self.check.exit_code()
    }
}

/// Check, then emit every target: the files to write ([`CompileOutcome::files`]) and where
/// ([`CompileOutcome::target_dir`]), when no stage reported an error. Nothing is written here:
/// the caller writes them with [`write_output`] (the command line does, after printing the
/// diagnostics), so a failed compile leaves an earlier output untouched.
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
    // `--out` goes where it says. Otherwise the directory is inside the project: `[compile] out`
    // (checked lexically when strata.toml was read) or `out/`, relative to the project
    // directory, and not reached through a link that leads outside it.
    let out_dir = match (&options.out, &project.config.compile.out) {
        (Some(o), _) => o.clone(),
        (None, Some(o)) => normalize(&project.root.join(o)),
        (None, None) => normalize(&project.root.join("out")),
    };
    if let Some(what) = out_not_its_own(world, &project.root, &out_dir) {
        let shown = out_dir.to_string_lossy().into_owned();
        let id = out
            .check
            .project
            .add_verbatim(&mut out.check.sources, &shown);
        out.check.diagnostics.push(
            Diagnostic::error(c::OUT_NOT_OWN, format!("the output directory `{shown}` is or contains {what}"), Span::new(id, 0, 0))
                .with_help("`strata compile` replaces its output directory as a whole: give it a directory of its own with `--out DIR` (the default is `out/` in the project directory)"),
        );
        sort_diagnostics(&mut out.check.diagnostics);
        return out;
    }
    if options.out.is_none() && out_leaves_project(world, &project.root, &out_dir) {
        let shown = out_dir.to_string_lossy().into_owned();
        let span = match project.config.compile.out_span {
            Some(span) => span,
            None => Span::new(
                out.check
                    .project
                    .add_verbatim(&mut out.check.sources, &shown),
                0,
                0,
            ),
        };
        out.check.diagnostics.push(
            Diagnostic::error(c::OUT_OUTSIDE, format!("the output directory `{shown}` is a symbolic link that leads outside the project directory"), span)
                .with_label("leads outside the project")
                .with_help("remove the link (or make it point inside the project); to write elsewhere, pass `--out DIR` on the command line"),
        );
        sort_diagnostics(&mut out.check.diagnostics);
        return out;
    }

    // Nothing after this point reads the syntax trees: free them, so that lowering reuses
    // their memory instead of touching fresh pages.
    out.check.analysis.files = Vec::new();
    out.check.analysis.xrefs = Vec::new();
    let mut clock = Clock::start();
    // Lowered and rendered stack by stack (each stack's programs dropped once rendered).
    let rendered = stages::lower_and_emit(
        &out.check.model,
        &out.check.analysis.schemas,
        targets.as_deref(),
        yaml,
        true,
    );
    clock.overlapped(
        &mut out.check.timings,
        &[
            ("to_targets", rendered.lower_wall),
            ("emit", rendered.emit_wall),
        ],
    );
    let diags = rendered.lowered;
    let mut errors = diags;
    if let Some(requested) = &targets {
        let produced = &rendered.produced;
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
        match rendered.emitted {
            Ok(files) => files,
            Err(d) => {
                errors.extend(d);
                Vec::new()
            }
        }
    };
    let failed = errors.iter().any(|d| d.severity == Severity::Error);
    out.check.diagnostics.extend(errors);
    if !failed {
        // Replace the folders of the requested targets (even if one came out empty), else of
        // the targets produced.
        let mut replaced: Vec<Target> =
            targets.clone().unwrap_or_else(|| rendered.produced.clone());
        replaced.sort();
        replaced.dedup();
        out.files = files;
        out.replaced = replaced;
        out.target_dir = Some(out_dir);
    }
    sort_diagnostics(&mut out.check.diagnostics);
    out
}

/// Write the files of a successful [`compile`] into its output directory: the folders of
/// [`CompileOutcome::replaced`] are replaced, the rest of the directory is kept, all in one
/// atomic switch (`strata_emit::write_outputs`). On success `out_dir` and `written` are set;
/// on failure an `E4009` diagnostic is added and nothing changed on disk. Does nothing when
/// the compile failed.
pub fn write_output(out: &mut CompileOutcome) {
    let Some(out_dir) = out.target_dir.clone() else {
        return;
    };
    let start = std::time::Instant::now();
    let result = stages::write_outputs(&out_dir, &out.files, &out.replaced);
    let (resident, anonymous) = resident_bytes();
    out.check.timings.push(StageTiming {
        stage: "write",
        wall: start.elapsed(),
        resident,
        anonymous,
    });
    match result {
        Ok(()) => {
            out.written = out.files.iter().map(|f| f.path.clone()).collect();
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
            sort_diagnostics(&mut out.check.diagnostics);
        }
    }
}

/// Whether the output directory `out` (not named on the command line) leads, through a
/// symbolic link, outside the project directory `root` or onto the project directory itself.
/// The deepest part of `out` that exists is resolved; the parts that do not exist yet cannot be
/// links.
fn out_leaves_project(world: &dyn World, root: &Path, out: &Path) -> bool {
    match (world.canonicalize(root), resolve_partly(world, out)) {
        (Ok(root), Some(real)) => !is_within(&real, &root) || real == root,
        _ => false,
    }
}

/// `path` with links resolved in its deepest part that exists (the parts that do not exist yet
/// cannot be links).
fn resolve_partly(world: &dyn World, path: &Path) -> Option<PathBuf> {
    let mut missing: Vec<std::ffi::OsString> = Vec::new();
    let mut existing = path.to_path_buf();
    loop {
        let probe = if existing.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            existing.clone()
        };
        if let Ok(mut real) = world.canonicalize(&probe) {
            real.extend(missing.iter().rev());
            return Some(real);
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => return None,
        }
    }
}

/// Why the output directory `out` may not be replaced as a whole, if it may not: it is the
/// project directory or the current directory, or contains one of them.
fn out_not_its_own(world: &dyn World, root: &Path, out: &Path) -> Option<&'static str> {
    let real = resolve_partly(world, out)?;
    if world
        .canonicalize(root)
        .is_ok_and(|root| is_within(&root, &real))
    {
        Some("the project directory")
    } else if std::env::current_dir()
        .and_then(|d| world.canonicalize(&d))
        .is_ok_and(|cwd| is_within(&cwd, &real))
    {
        Some("the current directory")
    } else {
        None
    }
}

/// What one stage took.
#[derive(Clone, Copy, Debug)]
pub struct StageTiming {
    pub stage: &'static str,
    /// Wall time of the stage.
    pub wall: std::time::Duration,
    /// Resident memory of the process when the stage ended (Linux only), in bytes.
    pub resident: Option<u64>,
    /// The part of it that is anonymous (heap, stacks; the rest maps files, such as the
    /// binary): after the machine idles, the memory a run must get back from the host.
    pub anonymous: Option<u64>,
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
        let (resident, anonymous) = resident_bytes();
        for &(stage, wall) in stages {
            timings.push(StageTiming {
                stage,
                wall,
                resident,
                anonymous,
            });
        }
        self.0 = std::time::Instant::now();
    }
    fn lap(&mut self, timings: &mut Vec<StageTiming>, stage: &'static str) {
        let now = std::time::Instant::now();
        let (resident, anonymous) = resident_bytes();
        timings.push(StageTiming {
            stage,
            wall: now - self.0,
            resident,
            anonymous,
        });
        self.0 = now;
    }
}

/// The resident set size of this process and its anonymous part (second and third fields
/// of `/proc/self/statm`, resident and file-backed, in pages).
fn resident_bytes() -> (Option<u64>, Option<u64>) {
    let Ok(statm) = std::fs::read_to_string("/proc/self/statm") else {
        return (None, None);
    };
    let mut fields = statm.split_whitespace().skip(1);
    let mut next = || fields.next().and_then(|f| f.parse::<u64>().ok());
    let (resident, file) = (next(), next());
    (
        resident.map(|p| p * 4096),
        resident.zip(file).map(|(r, f)| r.saturating_sub(f) * 4096),
    )
}
