//! One function per subcommand. Each returns the process exit code.

use crate::{CfnFormatArg, Cli, Command, GraphFormat};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use strata_base::{Diagnostic, Severity};
use strata_cli::render::{self, counts};
use strata_driver::{CfnFormat, CheckOptions, CheckOutcome, CompileOptions, DiskWorld};

pub fn run(cli: Cli) -> u8 {
    let color = cli.color.enabled();
    // `explain` renders Markdown for a terminal on stdout (plain text to a pipe or file).
    let stdout_tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let markdown = match cli.color {
        _ if !stdout_tty => None,
        strata_cli::render::ColorChoice::Never => Some(false),
        strata_cli::render::ColorChoice::Always => Some(true),
        strata_cli::render::ColorChoice::Auto => {
            Some(std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()))
        }
    };
    let code = match cli.command {
        Command::Check {
            paths,
            env,
            format,
            fix,
        } => crate::check::check(&paths, env, format, fix, color),
        Command::Compile {
            path,
            env,
            out,
            target,
            cfn_format,
        } => compile(&path, env, out, target, cfn_format, color),
        Command::Cost {
            path,
            env,
            format,
            compare_to,
        } => crate::cost_cmd::cost(&path, env, format, compare_to.as_deref(), color),
        Command::Graph { path, env, format } => graph(&path, env, format, color),
        Command::Fmt { paths, check, diff } => fmt(&paths, check || diff, diff, color),
        Command::Explain { code: Some(t) } if crate::schema::is_type(&t) => {
            crate::schema::show(&t, crate::schema::SchemaFormat::Human)
        }
        Command::Explain { code } => explain(code.as_deref(), markdown),
        Command::Schema {
            command: crate::SchemaCommand::List { family, format },
        } => crate::schema::list(family.as_deref(), format),
        Command::Schema {
            command: crate::SchemaCommand::Show { name, format },
        } => crate::schema::show(&name, format),
        Command::Lsp => lsp(),
        Command::Init { dir } => crate::init::init(&dir),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
    };
    match STDOUT.load(Ordering::Relaxed) {
        // The output is incomplete: whatever the command found, the run failed.
        STDOUT_FAILED => 2,
        _ => code as u8,
    }
}

/// The process exits right after a command: freeing a large outcome (100,000 resources) piece
/// by piece would only delay the exit, so it is leaked instead.
pub(crate) fn done<T>(outcome: T, code: i32) -> i32 {
    std::mem::forget(outcome);
    code
}

/// `STRATA_TIMINGS=1`: the wall time of each stage on stderr (for profiling, not a contract).
pub(crate) fn print_timings(outcome: &CheckOutcome) {
    if std::env::var_os("STRATA_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0") {
        let mut s = String::new();
        for t in &outcome.timings {
            s.push_str(&format!(
                "timing: {:<15} {:>9.1} ms",
                t.stage,
                t.wall.as_secs_f64() * 1000.0
            ));
            if let Some(bytes) = t.resident {
                s.push_str(&format!(
                    "  {:>7.1} MiB resident",
                    bytes as f64 / (1024.0 * 1024.0)
                ));
            }
            if let Some(bytes) = t.anonymous {
                s.push_str(&format!(
                    ", {:.1} MiB anonymous",
                    bytes as f64 / (1024.0 * 1024.0)
                ));
            }
            s.push('\n');
        }
        err(&s);
    }
}

/// What became of stdout: every write so far succeeded, the reader closed the pipe, or a write
/// failed (and was reported).
static STDOUT: AtomicU8 = AtomicU8::new(STDOUT_OK);
const STDOUT_OK: u8 = 0;
const STDOUT_CLOSED: u8 = 1;
const STDOUT_FAILED: u8 = 2;

/// Write to stdout, checked. A reader that closed the pipe (`strata graph | head -3`) ends the
/// output quietly: nothing more is written, no message, and the exit code stays what the
/// command found (as `git log | head`, `rg`). Any other failure (`> /dev/full`, a full disk, an
/// I/O error) is reported on stderr once and makes the exit code 2 (see [`run`]): a truncated
/// JSON report must not look like a successful one.
pub(crate) fn out(s: &str) {
    if STDOUT.load(Ordering::Relaxed) != STDOUT_OK {
        return;
    }
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(s.as_bytes()).and_then(|()| o.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            STDOUT.store(STDOUT_CLOSED, Ordering::Relaxed);
        } else {
            STDOUT.store(STDOUT_FAILED, Ordering::Relaxed);
            err(&format!(
                "error[E4009]: cannot write to standard output: {}\n",
                strata_driver::io_message(&e)
            ));
        }
    }
}

/// Write to stderr. A failure is ignored: there is nowhere left to report it.
pub(crate) fn err(s: &str) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(s.as_bytes());
    let _ = e.flush();
}

/// Print diagnostics as miette reports on stderr.
pub(crate) fn print_human(outcome: &CheckOutcome, diagnostics: &[Diagnostic], color: bool) {
    err(&render::outcome_human(outcome, diagnostics, color));
}

/// Number of project source files (own and imported) the run read: every file of the source
/// map but the stdlib, `strata.toml` and placeholders. (A file named on the command line counts
/// whatever its extension.)
pub(crate) fn file_count(outcome: &CheckOutcome) -> usize {
    outcome
        .sources
        .files()
        .filter(|f| {
            !f.is_stdlib
                && f.name != strata_driver::CONFIG_FILE
                && !outcome.project.verbatim_files.contains(&f.id)
        })
        .count()
}

/// `checked 3 files (12 resources, env prod): 1 warning`
pub(crate) fn summary_line(verb: &str, outcome: &CheckOutcome) -> String {
    let s = outcome.summary();
    let files = file_count(outcome);
    let mut what = format!("{} file{}", files, if files == 1 { "" } else { "s" });
    let resources = outcome.declared_resources();
    let mut details = vec![format!(
        "{resources} resource{}",
        if resources == 1 { "" } else { "s" }
    )];
    if let Some(env) = &outcome.model.env {
        details.push(format!("env {env}"));
    }
    what.push_str(&format!(" ({})", details.join(", ")));
    format!("{verb} {what}: {}\n", counts(&s))
}

fn compile(
    path: &Path,
    env: Option<String>,
    out_dir: Option<PathBuf>,
    targets: Vec<strata_model::Target>,
    cfn_format: Option<CfnFormatArg>,
    color: bool,
) -> i32 {
    let options = CompileOptions {
        check: CheckOptions {
            env,
            ..CheckOptions::default()
        },
        out: out_dir,
        targets: if targets.is_empty() {
            None
        } else {
            Some(targets)
        },
        cfn_format: cfn_format.map(|f| match f {
            CfnFormatArg::Json => CfnFormat::Json,
            CfnFormatArg::Yaml => CfnFormat::Yaml,
        }),
    };
    let mut outcome = strata_driver::compile(&DiskWorld, path, &options);
    // The driver returns the files; they are written here, in one atomic switch.
    strata_driver::write_output(&mut outcome);
    print_timings(&outcome.check);
    print_human(&outcome.check, &outcome.check.diagnostics, color);
    match &outcome.out_dir {
        Some(dir) => {
            let mut listing = String::new();
            for f in &outcome.written {
                listing.push_str(&format!("{}\n", dir.join(f).display()));
            }
            out(&listing);
            let n = outcome.written.len();
            err(&summary_line("compiled", &outcome.check).replacen(
                '\n',
                &format!(
                    "\nwrote {n} file{} to {}\n",
                    if n == 1 { "" } else { "s" },
                    dir.display()
                ),
                1,
            ));
        }
        None => {
            err(&summary_line("compiled", &outcome.check));
            err("nothing was written\n");
        }
    }
    let code = outcome.exit_code();
    done(outcome, code)
}

fn graph(path: &Path, env: Option<String>, format: GraphFormat, color: bool) -> i32 {
    let outcome = strata_driver::check(
        &DiskWorld,
        path,
        &CheckOptions {
            env,
            ..CheckOptions::default()
        },
    );
    let code = outcome.exit_code();
    let errors: Vec<Diagnostic> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && strata_driver::is_input_code(&d.code))
        .cloned()
        .collect();
    print_human(&outcome, &errors, color);
    // A graph with a cycle is still worth drawing; a program that does not type-check is not.
    let drawable = errors.iter().all(|d| d.code.starts_with("E3"));
    if drawable {
        let text = match format {
            GraphFormat::Mermaid => strata_graph::to_mermaid(&outcome.model, &outcome.graph),
            GraphFormat::Dot => strata_graph::to_dot(&outcome.model, &outcome.graph),
        };
        out(&text);
    }
    if code == 2 {
        err(&summary_line("checked", &outcome));
        done(outcome, 2)
    } else {
        done(outcome, 0)
    }
}

fn fmt(paths: &[PathBuf], check: bool, diff: bool, color: bool) -> i32 {
    let outcome = strata_driver::format_paths(&DiskWorld, paths);
    if !outcome.diagnostics.is_empty() {
        err(&render::human(
            &outcome.diagnostics,
            &outcome.sources,
            color,
        ));
    }
    let mut changed = 0usize;
    let mut write_errors = 0usize;
    for f in outcome.changed() {
        let name = &outcome.sources.get(f.file).name;
        changed += 1;
        if diff {
            if let Some(text) = &f.formatted {
                out(&unified_diff(name, &outcome.sources.get(f.file).text, text));
            }
        } else if check {
            out(&format!("would reformat {name}\n"));
        } else if let Some(text) = &f.formatted {
            match replace_file(&f.path, text) {
                Ok(()) => out(&format!("reformatted {name}\n")),
                Err(e) => {
                    write_errors += 1;
                    err(&format!(
                        "error[E4009]: cannot write `{name}`: {}; it is unchanged\n",
                        strata_driver::io_message(&e)
                    ));
                }
            }
        }
    }
    let unchanged = outcome
        .files
        .iter()
        .filter(|f| f.formatted.is_some() && !f.changed)
        .count();
    let failed = outcome
        .files
        .iter()
        .filter(|f| f.formatted.is_none())
        .count();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut line = if check {
        format!(
            "{changed} file{} would be reformatted, {unchanged} already formatted",
            plural(changed)
        )
    } else {
        format!(
            "{changed} file{} reformatted, {unchanged} already formatted",
            plural(changed)
        )
    };
    if failed > 0 {
        line.push_str(&format!(", {failed} not formatted because of errors"));
    }
    err(&format!("{line}\n"));
    if outcome
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
        || write_errors > 0
    {
        2
    } else if check && changed > 0 {
        1
    } else {
        0
    }
}

/// A unified diff (three lines of context) from `old` to `new`, with `a/NAME` and `b/NAME`
/// headers (`git apply` and `patch -p1` read it).
fn unified_diff(name: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut s = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Replace the contents of the file at `path` (through a symbolic link: the file it points to)
/// with `text`, all or nothing: the text goes to a new file beside it, flushed to disk, which
/// is then renamed over it. Writing in place would leave a truncated source when the disk
/// fills up or the process is killed half-way.
pub(crate) fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
    use std::sync::atomic::AtomicU32;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let real = std::fs::canonicalize(path)?;
    let (Some(dir), Some(name)) = (real.parent(), real.file_name()) else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a file",
        ));
    };
    let permissions = std::fs::metadata(&real)?.permissions();
    let tmp = dir.join(format!(
        ".{}.strata-fmt-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut f = std::fs::File::create_new(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        f.set_permissions(permissions)?;
        std::fs::rename(&tmp, &real)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// `markdown`: stdout is a terminal; render the documentation (with colour if `Some(true)`).
fn explain(code: Option<&str>, markdown: Option<bool>) -> i32 {
    let all = strata_driver::all_codes();
    match code {
        None => {
            let w = all.iter().map(|d| d.name.len()).max().unwrap_or(0);
            let mut s = String::new();
            for d in &all {
                s.push_str(&format!(
                    "{:<7} {:<w$}  {}\n",
                    d.code,
                    d.name,
                    d.severity.as_str()
                ));
            }
            s.push_str(&format!(
                "\n{} codes; `strata explain CODE` prints one.\n",
                all.len()
            ));
            out(&s);
            0
        }
        Some(code) => match strata_driver::explain(code) {
            Some(d) => {
                let title = format!(
                    "{} ({}, {} by default)",
                    d.code,
                    d.name,
                    d.severity.as_str()
                );
                match markdown {
                    Some(color) => {
                        let title = if color {
                            format!("\x1b[1m{title}\x1b[0m")
                        } else {
                            title
                        };
                        out(&format!(
                            "{title}\n\n{}",
                            strata_cli::markdown::to_terminal(d.doc, color)
                        ));
                    }
                    None => {
                        out(&format!("{title}\n\n{}", d.doc));
                        if !d.doc.ends_with('\n') {
                            out("\n");
                        }
                    }
                }
                0
            }
            None => {
                let candidates = all.iter().flat_map(|d| [d.code, d.name]);
                let hint = match strata_base::did_you_mean(code, candidates) {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => String::new(),
                };
                err(&format!("error: unknown code `{code}`{hint}\n`strata explain` without a code lists them all\n"));
                2
            }
        },
    }
}

fn lsp() -> i32 {
    match strata_lsp::run() {
        Ok(()) => 0,
        Err(e) => {
            err(&format!("error: strata lsp: {e}\n"));
            2
        }
    }
}

/// `strata completions SHELL`: the completion script on stdout.
fn completions(shell: crate::Shell) -> i32 {
    let mut buf = Vec::new();
    clap_complete::generate(shell.generator(), &mut crate::command(), "strata", &mut buf);
    out(&String::from_utf8_lossy(&buf));
    0
}

/// `strata man`: the manual page (roff) on stdout, with a section per subcommand.
fn man() -> i32 {
    let cmd = crate::command();
    let mut buf = Vec::new();
    let mut rendered = clap_mangen::Man::new(cmd.clone()).render(&mut buf);
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        // clap names are `&'static str` (no `string` feature); the process ends right after.
        let name: &'static str = Box::leak(format!("strata-{}", sub.get_name()).into_boxed_str());
        let sub = sub.clone().name(name).display_name(name);
        let mut page = Vec::new();
        let man = clap_mangen::Man::new(sub);
        rendered = rendered
            .and_then(|()| man.render_name_section(&mut page))
            .and_then(|()| man.render_synopsis_section(&mut page))
            .and_then(|()| man.render_description_section(&mut page))
            .and_then(|()| man.render_options_section(&mut page));
        // The sections of a subcommand become subsections of the page.
        buf.extend(
            String::from_utf8_lossy(&page)
                .replace(".SH ", ".SS ")
                .into_bytes(),
        );
    }
    if let Err(e) = rendered {
        err(&format!(
            "error: cannot render the manual page: {e}
"
        ));
        return 2;
    }
    out(&String::from_utf8_lossy(&buf));
    0
}
