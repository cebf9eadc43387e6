//! `strata check PATH... [--format human|json|sarif|github] [--fix]`: several projects in one
//! run. A directory is a project; a file stands for its project (the nearest directory above it
//! with a `strata.toml`, else its own directory), so that a pre-commit hook can pass the changed
//! files. Each project is checked once and the reports are merged.

use crate::commands::{err, out, replace_file, summary_line};
use crate::CheckFormat;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use strata_base::{Diagnostic, FileId, Severity, SourceMap, Span};
use strata_cli::render::{self, counts, display_sources, json_diagnostic};
use strata_driver::{normalize, CheckOptions, CheckOutcome, DiskWorld, Summary, CONFIG_FILE};

/// What to check for one project: the path given to the driver, and the files named on the
/// command line that stand for it (each must be read by it; one that is not is checked alone).
struct Unit {
    path: PathBuf,
    named: Vec<PathBuf>,
}

/// The absolute, lexically normalised form of `p` (links resolved when it exists), to compare
/// paths named in different ways.
fn identity(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        let abs = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        normalize(&abs)
    })
}

/// The project a file belongs to: the nearest directory, from the file's own upwards, that holds
/// a `strata.toml`; the search stops at the root of a git repository (a directory with `.git`)
/// and at the root of the file system. Without one, the file's own directory.
pub fn project_root_of(file: &Path) -> PathBuf {
    let own = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut dir = own.clone();
    // Bounded: one step per component of the absolute path.
    for _ in 0..256 {
        if dir.join(CONFIG_FILE).is_file() {
            return dir;
        }
        if dir.join(".git").exists() {
            break;
        }
        let here = identity(&dir);
        if here.parent().is_none() {
            break;
        }
        // Walk up lexically while the path has components, then with `..`.
        let lexical = normalize(&dir);
        dir = match lexical.parent() {
            Some(p) if !p.as_os_str().is_empty() && lexical.file_name().is_some() => {
                p.to_path_buf()
            }
            _ => lexical.join(".."),
        };
        if dir.as_os_str().is_empty() {
            dir = PathBuf::from(".");
        }
    }
    own
}

/// Group the command line's paths into projects, each once, in the order first named.
fn units(paths: &[PathBuf]) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut seen: BTreeMap<PathBuf, usize> = BTreeMap::new();
    for p in paths {
        let is_config = p.file_name().is_some_and(|n| n == CONFIG_FILE) && p.is_file();
        let is_source =
            p.is_file() && p.extension().is_some_and(|e| e == "strata") && !p.is_symlink();
        let (path, named) = if p.is_dir() {
            (p.clone(), None)
        } else if is_config {
            (
                match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                },
                None,
            )
        } else if is_source {
            (project_root_of(p), Some(p.clone()))
        } else {
            // Anything else (a missing path, another extension, a link) is checked as named.
            (p.clone(), None)
        };
        let key = identity(&path);
        match seen.get(&key) {
            Some(&i) => out[i].named.extend(named),
            None => {
                seen.insert(key, out.len());
                out.push(Unit {
                    path,
                    named: named.into_iter().collect(),
                });
            }
        }
    }
    out
}

/// Whether a check read the file at `file` (one of the project's own or imported files).
fn reads(outcome: &CheckOutcome, file: &Path) -> bool {
    let want = identity(file);
    outcome
        .sources
        .files()
        .filter(|f| !f.is_stdlib && !outcome.project.verbatim_files.contains(&f.id))
        .any(|f| identity(&outcome.project.path_of(&f.name)) == want)
}

/// Check every project (and, alone, each named file its project does not read).
fn run(paths: &[PathBuf], env: &Option<String>) -> Vec<CheckOutcome> {
    let options = CheckOptions {
        env: env.clone(),
        target_limits: true,
        ..CheckOptions::default()
    };
    let mut outcomes = Vec::new();
    let mut alone = Vec::new();
    for u in units(paths) {
        let outcome = strata_driver::check(&DiskWorld, &u.path, &options);
        let loaded = !outcome.diagnostics.iter().any(|d| {
            d.severity == Severity::Error && d.code.starts_with("E4") && d.code != "E4011"
        });
        if loaded {
            for f in &u.named {
                if !reads(&outcome, f)
                    && !alone.iter().any(|a: &PathBuf| identity(a) == identity(f))
                {
                    alone.push(f.clone());
                }
            }
        }
        outcomes.push(outcome);
    }
    for f in alone {
        outcomes.push(strata_driver::check(&DiskWorld, &f, &options));
    }
    outcomes
}

/// The worst exit code of the checks (2 over 1 over 0).
fn exit_code(outcomes: &[CheckOutcome]) -> i32 {
    outcomes.iter().map(|o| o.exit_code()).max().unwrap_or(0)
}

/// At most this many rounds of `--fix` (fix, check again).
const FIX_ROUNDS: usize = 5;

pub fn check(
    paths: &[PathBuf],
    env: Option<String>,
    format: CheckFormat,
    fix: bool,
    color: bool,
) -> i32 {
    let mut outcomes = run(paths, &env);
    // A fixed typo can let the policies run, whose findings may have fixes of their own: a few
    // rounds, each a check of the files now on disk.
    let mut rounds = 0;
    let mut fixed: BTreeMap<String, usize> = BTreeMap::new();
    while fix && rounds < FIX_ROUNDS && apply_fixes(&outcomes, &mut fixed) > 0 {
        rounds += 1;
        std::mem::forget(outcomes);
        outcomes = run(paths, &env);
    }
    // One line per file, whatever the number of rounds it took.
    for (shown, count) in &fixed {
        err(&format!(
            "fixed {count} problem{} in {shown}\n",
            if *count == 1 { "" } else { "s" }
        ));
    }
    for o in &outcomes {
        crate::commands::print_timings(o);
    }
    match format {
        CheckFormat::Human => {
            for o in &outcomes {
                err(&render::outcome_human(o, &o.diagnostics, color));
                err(&summary_line("checked", o));
            }
            if outcomes.len() > 1 {
                let total = Summary::of(
                    &outcomes
                        .iter()
                        .flat_map(|o| o.diagnostics.iter().cloned())
                        .collect::<Vec<_>>(),
                );
                err(&format!(
                    "checked {} projects: {}\n",
                    outcomes.len(),
                    counts(&total)
                ));
            }
        }
        CheckFormat::Json => out(&format!("{:#}\n", json_report(&outcomes))),
        CheckFormat::Sarif => {
            let root = repository_root();
            let (sources, diags, policies) = merged(&outcomes, &|o, f| repo_name(o, f, &root));
            let sarif = strata_policy::sarif::to_sarif_rooted(
                &diags,
                &sources,
                &strata_driver::all_codes(),
                &policies,
                Some(&root),
            );
            out(&format!("{sarif:#}\n"));
        }
        CheckFormat::Github => {
            let root = repository_root();
            let (sources, diags, _) = merged(&outcomes, &|o, f| repo_name(o, f, &root));
            let mut s = String::new();
            for d in &diags {
                s.push_str(&github_annotation(d, &sources));
            }
            out(&s);
            for o in &outcomes {
                err(&summary_line("checked", o));
            }
        }
    }
    let code = exit_code(&outcomes);
    std::mem::forget(outcomes);
    code
}

/// The merged view of several checks: one source map (file names from `name`), the
/// diagnostics and the project policies with their file ids moved into it.
type Merged = (SourceMap, Vec<Diagnostic>, Vec<strata_model::UserPolicy>);

fn merged(outcomes: &[CheckOutcome], name: &dyn Fn(&CheckOutcome, FileId) -> String) -> Merged {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let mut policies = Vec::new();
    for o in outcomes {
        let base = sources.files().count() as u32;
        for f in o.sources.files() {
            sources.add(name(o, f.id), f.text.clone(), f.is_stdlib);
        }
        let shift = |s: Span| Span {
            file: FileId(s.file.0 + base),
            ..s
        };
        for d in &o.diagnostics {
            let mut d = d.clone();
            d.primary.span = shift(d.primary.span);
            for l in &mut d.secondary {
                l.span = shift(l.span);
            }
            for f in &mut d.fixes {
                for e in &mut f.edits {
                    e.span = shift(e.span);
                }
            }
            diags.push(d);
        }
        for p in &o.model.policies {
            let mut p = p.clone();
            p.span = shift(p.span);
            policies.push(p);
        }
    }
    (sources, diags, policies)
}

/// The root the SARIF and GitHub paths are relative to: the root of the git repository the
/// current directory is in (the nearest directory above it with `.git`), else the current
/// directory.
pub fn repository_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or(cwd)
}

/// A file of a check, named relative to `root` (`/`-separated); files outside it keep their
/// absolute path, the standard library its `<stdlib>/` name.
fn repo_name(o: &CheckOutcome, file: FileId, root: &Path) -> String {
    let shown = o.display_name(file);
    if shown.starts_with('<') {
        return shown;
    }
    let p = Path::new(&shown);
    let abs = if p.is_absolute() {
        normalize(p)
    } else {
        normalize(&std::env::current_dir().unwrap_or_default().join(p))
    };
    match abs.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().replace('\\', "/"),
        _ => abs.to_string_lossy().replace('\\', "/"),
    }
}

fn json_report(outcomes: &[CheckOutcome]) -> serde_json::Value {
    let mut diagnostics = Vec::new();
    let mut projects = Vec::new();
    let mut total = Summary::default();
    let (mut files, mut resources) = (0, 0);
    for o in outcomes {
        let sources = display_sources(&o.sources, &o.project);
        diagnostics.extend(o.diagnostics.iter().map(|d| json_diagnostic(d, &sources)));
        let s = o.summary();
        total.errors += s.errors;
        total.warnings += s.warnings;
        total.infos += s.infos;
        let n = crate::commands::file_count(o);
        files += n;
        resources += o.declared_resources();
        projects.push(json!({
            "path": o.project.root.to_string_lossy().replace('\\', "/"),
            "errors": s.errors,
            "warnings": s.warnings,
            "infos": s.infos,
            "files": n,
            "resources": o.declared_resources(),
            "exit_code": o.exit_code(),
        }));
    }
    json!({
        "diagnostics": diagnostics,
        "summary": {
            "errors": total.errors,
            "warnings": total.warnings,
            "infos": total.infos,
            "files": files,
            "resources": resources,
            "env": outcomes.first().and_then(|o| o.model.env.clone()),
            "exit_code": exit_code(outcomes),
        },
        "projects": projects,
    })
}

/// Escape the message of a GitHub workflow command (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property of a GitHub workflow command (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One diagnostic as a GitHub Actions annotation:
/// `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=CODE::message`.
pub fn github_annotation(d: &Diagnostic, sources: &SourceMap) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = Vec::new();
    // Placeholder files (a path that does not exist) have no text: no position to show.
    if let Some(f) = sources
        .try_get(d.primary.span.file)
        .filter(|f| !f.text.is_empty() && !f.is_stdlib)
    {
        let a = f.line_col(d.primary.span.start);
        let b = f.line_col(d.primary.span.end.max(d.primary.span.start));
        props.push(format!("file={}", escape_property(&f.name)));
        props.push(format!("line={}", a.line));
        props.push(format!("col={}", a.column));
        props.push(format!("endLine={}", b.line.max(a.line)));
        props.push(format!("endColumn={}", b.column));
    }
    props.push(format!("title={}", escape_property(&d.code)));
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    for n in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(n);
    }
    format!(
        "::{command} {}::{}\n",
        props.join(","),
        escape_data(&message)
    )
}

/// Apply the machine-applicable fixes of the checks to the files on disk: per file, the fixes
/// whose edits overlap none already taken (in source order), each file rewritten all at once,
/// and only if it still holds the text that was checked. Returns how many fixes were applied.
fn apply_fixes(outcomes: &[CheckOutcome], fixed: &mut BTreeMap<String, usize>) -> usize {
    // Per file on disk: its checked text and the fixes for it.
    let mut files: BTreeMap<PathBuf, (String, std::sync::Arc<str>, Vec<&strata_base::Fix>)> =
        BTreeMap::new();
    for o in outcomes {
        for d in &o.diagnostics {
            for f in d.fixes.iter().filter(|f| f.is_machine_applicable()) {
                let Some(first) = f.edits.first() else {
                    continue;
                };
                // Every edit of a fix in one file of the project.
                if f.edits.iter().any(|e| e.span.file != first.span.file) {
                    continue;
                }
                let Some(src) = o.sources.try_get(first.span.file) else {
                    continue;
                };
                if src.is_stdlib || o.project.verbatim_files.contains(&src.id) {
                    continue;
                }
                let path = identity(&o.project.path_of(&src.name));
                files
                    .entry(path)
                    .or_insert_with(|| (o.display_name(src.id), src.text.clone(), Vec::new()))
                    .2
                    .push(f);
            }
        }
    }
    let mut applied = 0;
    for (path, (shown, text, mut fixes)) in files {
        fixes.sort_by_key(|f| {
            let s = f.edits.iter().map(|e| (e.span.start, e.span.end)).min();
            (s, f.title.clone())
        });
        let mut taken: Vec<(u32, u32)> = Vec::new();
        let mut edits: Vec<&strata_base::Edit> = Vec::new();
        let mut count = 0;
        let mut done: Vec<&Vec<strata_base::Edit>> = Vec::new();
        for f in fixes {
            if done.contains(&&f.edits) {
                continue; // the same fix reported twice
            }
            let valid = f.edits.iter().all(|e| {
                let (a, b) = (e.span.start as usize, e.span.end as usize);
                a <= b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b)
            });
            let overlaps = f.edits.iter().any(|e| {
                taken.iter().any(|&(a, b)| {
                    e.span.start < b && a < e.span.end
                        || (e.span.start == e.span.end && e.span.start == a && a == b)
                        || (e.span.start == e.span.end && a < e.span.start && e.span.start < b)
                })
            });
            if !valid || overlaps {
                continue;
            }
            taken.extend(f.edits.iter().map(|e| (e.span.start, e.span.end)));
            edits.extend(f.edits.iter());
            done.push(&f.edits);
            count += 1;
        }
        if count == 0 {
            continue;
        }
        // The file must still be what was checked.
        match std::fs::read_to_string(&path) {
            Ok(now) if *now == *text => {}
            _ => {
                err(&format!(
                    "warning: `{shown}` changed while it was checked; its fixes were not applied\n"
                ));
                continue;
            }
        }
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        let mut new = String::with_capacity(text.len() + 64);
        let mut at = 0usize;
        // A byte-order mark stays first: an insertion at the very start goes after it.
        let bom = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        for e in &edits {
            let (start, end) = match (e.span.start as usize, e.span.end as usize) {
                (0, 0) => (bom, bom),
                span => span,
            };
            new.push_str(&text[at..start]);
            new.push_str(&e.replacement);
            at = end;
        }
        new.push_str(&text[at..]);
        match replace_file(&path, &new) {
            Ok(()) => {
                applied += count;
                *fixed.entry(shown).or_default() += count;
            }
            Err(e) => err(&format!(
                "error[E4009]: cannot write `{shown}`: {}; it is unchanged\n",
                strata_driver::io_message(&e)
            )),
        }
    }
    applied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(escape_data("a%b\r\nc"), "a%25b%0D%0Ac");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        let mut sources = SourceMap::new();
        let f = sources.add("infra/a,b:c.strata", "let x = zz\n", false);
        let d = Diagnostic::error("E1001", "unknown name `zz`", Span::new(f, 8, 10))
            .with_help("100% sure: did you mean `x`?");
        assert_eq!(
            github_annotation(&d, &sources),
            "::error file=infra/a%2Cb%3Ac.strata,line=1,col=9,endLine=1,endColumn=11,title=E1001::unknown name `zz`%0Ahelp: 100%25 sure: did you mean `x`?\n"
        );
        let w = Diagnostic::warning("W", "m", Span::new(f, 0, 0));
        assert!(github_annotation(&w, &sources).starts_with("::warning file="));
        let i = Diagnostic::info("I", "m", Span::new(f, 0, 0));
        assert!(github_annotation(&i, &sources).starts_with("::notice file="));
        // No position for a placeholder file.
        let p = sources.add("missing", "", false);
        let e = Diagnostic::error("E4001", "`missing` does not exist", Span::new(p, 0, 0));
        assert_eq!(
            github_annotation(&e, &sources),
            "::error title=E4001::`missing` does not exist\n"
        );
    }
}
