//! End-to-end tests of the `strata` binary.
//!
//! Data-driven part: every directory `tests/e2e/fixtures/<case>/` is a project plus a file
//! `cmd` (one command line per line, without the leading `strata`; `#` starts a comment).
//! The case is copied to a temporary directory, the commands run there one after the other,
//! and one snapshot (`tests/e2e/snapshots/`) records, for each command, its exit code, stdout
//! and stderr, then the files the commands created.
//!
//! The other tests build their inputs at run time (non-UTF-8 and unreadable files, a 50 MB
//! file, a 10,000-deep expression) or check properties rather than texts (nothing written on a
//! failed compile, JSON shape).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run `strata ARGS` in `dir`, killing it (and failing the test) after `timeout`.
fn strata_with_timeout(dir: &Path, args: &[&str], timeout: Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start strata");
    // Drain the pipes on threads so that a large output cannot block the child.
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out_pipe, &mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err_pipe, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`strata {}` did not finish within {timeout:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = String::from_utf8_lossy(&out_t.join().expect("stdout thread")).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().expect("stderr thread")).into_owned();
    // A signal (stack overflow, abort) has no code: report it as such.
    let code = status.code().unwrap_or(-1);
    assert!(
        !stderr.contains("panicked at"),
        "`strata {}` panicked:\n{stderr}",
        args.join(" ")
    );
    assert!(
        code != 101 && code != -1,
        "`strata {}` crashed ({status}):\n{stderr}",
        args.join(" ")
    );
    Run {
        code,
        stdout,
        stderr,
    }
}

fn strata(dir: &Path, args: &[&str]) -> Run {
    strata_with_timeout(dir, args, Duration::from_secs(120))
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    let mut entries: Vec<_> = fs::read_dir(from)
        .expect("read fixture")
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let target = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            fs::copy(&p, &target).expect("copy fixture file");
        }
    }
}

/// Every file under `dir`, relative, sorted, with `/` separators.
fn list_files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if let Ok(rel) = p.strip_prefix(base) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn transcript(args: &str, run: &Run) -> String {
    let mut s = format!("$ strata {args}\nexit: {}\n", run.code);
    if !run.stdout.is_empty() {
        s.push_str("--- stdout\n");
        s.push_str(&run.stdout);
        if !run.stdout.ends_with('\n') {
            s.push('\n');
        }
    }
    if !run.stderr.is_empty() {
        s.push_str("--- stderr\n");
        s.push_str(&run.stderr);
        if !run.stderr.ends_with('\n') {
            s.push('\n');
        }
    }
    s
}

#[test]
fn fixtures() {
    let root = repo_root();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root.join("tests/e2e/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!(
            root.join("tests/e2e/fixtures").as_path(),
            "*/cmd",
            |cmd_file| {
                let case_dir = cmd_file.parent().expect("case directory");
                let tmp = tempfile::tempdir().expect("tempdir");
                let work = tmp.path().join("case");
                copy_dir(case_dir, &work);
                fs::remove_file(work.join("cmd")).expect("remove cmd");
                let before = list_files(&work);
                let script = fs::read_to_string(cmd_file).expect("read cmd");
                let mut out = String::new();
                for line in script
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                {
                    let args: Vec<&str> = line.split_whitespace().collect();
                    let run = strata(&work, &args);
                    out.push_str(&transcript(line, &run));
                    out.push('\n');
                }
                let created: Vec<String> = list_files(&work)
                    .into_iter()
                    .filter(|f| !before.contains(f))
                    .collect();
                if !created.is_empty() {
                    out.push_str("--- files created\n");
                    for f in created {
                        out.push_str(&f);
                        out.push('\n');
                    }
                }
                insta::assert_snapshot!("e2e", out);
            }
        );
    });
}

fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = tmp.path().join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(p, text).expect("write");
    }
    tmp
}

const CLEAN: &str = "import aws\nresource key: aws.kms.Key { rotation = true }\n";

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout))
}

/// The codes reported by `strata check --format json` in `dir`.
fn codes(dir: &Path) -> (i32, Vec<String>) {
    let run = strata(dir, &["check", "--format", "json"]);
    let v = json(&run);
    let codes = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect();
    (run.code, codes)
}

#[test]
fn non_utf8_file_is_reported_at_the_bad_byte() {
    let p = project(&[
        ("main.strata", CLEAN.as_bytes()),
        ("latin1.strata", b"// caf\xe9\nresource x: aws.kms.Key {}\n"),
    ]);
    let run = strata(p.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 2);
    let v = json(&run);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "E4004");
    assert_eq!(d["file"], "latin1.strata");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(7))
    );
}

#[test]
fn unreadable_file_is_an_error() {
    // A dangling link named *.strata cannot be read, even by root.
    let p = project(&[("main.strata", CLEAN.as_bytes())]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            p.path().join("missing-target"),
            p.path().join("gone.strata"),
        )
        .expect("symlink");
        let (code, codes) = codes(p.path());
        assert_eq!((code, codes), (2, vec!["E4002".to_string()]));
        let run = strata(p.path(), &["check"]);
        assert!(
            run.stderr.contains("cannot read `gone.strata`"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn fifo_is_not_read() {
    // Reading a FIFO would block forever: it must be refused, not opened.
    #[cfg(unix)]
    {
        let p = project(&[("main.strata", CLEAN.as_bytes())]);
        let fifo = p.path().join("pipe.strata");
        let status = Command::new("mkfifo").arg(&fifo).status();
        if status.map(|s| s.success()).unwrap_or(false) {
            let run = strata_with_timeout(p.path(), &["check"], Duration::from_secs(30));
            assert_eq!(run.code, 2);
            assert!(
                run.stderr.contains("E4002") && run.stderr.contains("not a regular file"),
                "{}",
                run.stderr
            );
        }
    }
}

#[test]
fn fifty_megabyte_file_is_refused_quickly() {
    let p = project(&[("main.strata", CLEAN.as_bytes())]);
    let big = "resource k: aws.kms.Key {}\n".repeat(50 * 1024 * 1024 / 27 + 1);
    fs::write(p.path().join("huge.strata"), big).expect("write big file");
    let start = Instant::now();
    let (code, codes) = codes(p.path());
    assert_eq!((code, codes), (2, vec!["E4003".to_string()]));
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn ten_thousand_deep_expression_is_an_error_not_a_crash() {
    let depth = 10_000;
    let text = format!("let x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
    let lists = format!("let y = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
    let unary = format!("let z = {}true\n", "!".repeat(depth));
    for (i, src) in [text, lists, unary].iter().enumerate() {
        let p = project(&[("main.strata", src.as_bytes())]);
        let run = strata_with_timeout(
            p.path(),
            &["check", "--format", "json"],
            Duration::from_secs(60),
        );
        assert_eq!(run.code, 2, "case {i}: {}", run.stderr);
        let v = json(&run);
        assert!(
            v["diagnostics"].as_array().is_some_and(|d| !d.is_empty()),
            "case {i}"
        );
    }
}

#[test]
fn import_outside_the_project_is_refused() {
    let p = project(&[
        ("proj/main.strata", b"import \"../secret\" as s\n"),
        ("secret/x.strata", b"let a = 1\n"),
    ]);
    let (code, codes) = codes(&p.path().join("proj"));
    assert_eq!(code, 2);
    assert_eq!(codes.len(), 1, "{codes:?}");
    #[cfg(unix)]
    {
        // Nor through a symbolic link inside the project.
        let p = project(&[
            ("proj/main.strata", b"import \"./link\" as s\n"),
            ("secret/x.strata", b"let a = 1\n"),
        ]);
        std::os::unix::fs::symlink(p.path().join("secret"), p.path().join("proj/link"))
            .expect("symlink");
        let run = strata(&p.path().join("proj"), &["check"]);
        assert_eq!(run.code, 2);
        assert!(
            run.stderr.contains("leads outside the project directory"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn failed_compile_writes_nothing_and_keeps_earlier_output() {
    let p = project(&[(
        "main.strata",
        b"import aws\nresource key: aws.kms.Key { rotaton = true }\n",
    )]);
    let out = p.path().join("out");
    fs::create_dir_all(out.join("terraform")).expect("mkdir");
    fs::write(out.join("terraform/keep.tf"), "# earlier output\n").expect("write");
    let before = list_files(p.path());
    let run = strata(p.path(), &["compile"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"));
    assert_eq!(list_files(p.path()), before);
    assert_eq!(
        fs::read_to_string(out.join("terraform/keep.tf")).expect("kept"),
        "# earlier output\n"
    );
}

#[test]
fn json_output_has_the_documented_shape() {
    let p = project(&[(
        "main.strata",
        b"import aws\nresource key: aws.kms.Key {\n  rotaton = true\n}\n",
    )]);
    let run = strata(p.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 2);
    let v = json(&run);
    let d = &v["diagnostics"][0];
    for key in [
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "help",
    ] {
        assert!(d.get(key).is_some(), "missing `{key}` in {d}");
    }
    assert_eq!(d["severity"], "error");
    assert_eq!(d["line"], 3);
    assert_eq!(d["column"], 3);
    for key in ["errors", "warnings", "infos", "files", "resources"] {
        assert!(v["summary"].get(key).is_some(), "missing summary `{key}`");
    }
    assert_eq!(
        v["summary"]["errors"].as_u64(),
        Some(v["diagnostics"].as_array().map_or(0, |a| a.len()) as u64)
    );
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [
        &["bogus"][..],
        &["check", "--format", "xml"],
        &["compile", "--target", "pulumi"],
        &["check", "a", "b"],
        &[],
    ] {
        let run = strata(dir.path(), args);
        assert_eq!(run.code, 2, "strata {args:?}: {}", run.stderr);
    }
    for args in [&["--help"][..], &["--version"], &["check", "--help"]] {
        let run = strata(dir.path(), args);
        assert_eq!(run.code, 0, "strata {args:?}");
        assert!(!run.stdout.is_empty());
    }
}

#[test]
fn explain_lists_and_prints_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let all = strata(dir.path(), &["explain"]);
    assert_eq!(all.code, 0);
    for code in ["E0001", "E3001", "E4001"] {
        assert!(
            all.stdout.lines().any(|l| l.starts_with(code)),
            "{code} not listed"
        );
    }
    let one = strata(dir.path(), &["explain", "E3001"]);
    assert_eq!(one.code, 0);
    assert!(one.stdout.starts_with("E3001 (dependency-cycle"));
    assert!(one.stdout.contains("## Fix"));
    let bad = strata(dir.path(), &["explain", "E30001"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("unknown code"));
}

#[test]
fn init_creates_a_project_that_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = strata(dir.path(), &["init", "shop"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dir.path().join("shop/main.strata").is_file());
    for env in ["dev", "staging", "prod"] {
        let check = strata(dir.path(), &["check", "shop", "--env", env]);
        assert_eq!(check.code, 0, "env {env}:\n{}", check.stderr);
    }
    let again = strata(dir.path(), &["init", "shop"]);
    assert_eq!(again.code, 2);
}

#[test]
fn init_matches_the_quickstart_example() {
    // examples/quickstart is what `strata init` writes for a directory named `quickstart`;
    // the README runs it, so the two must not drift apart.
    let dir = tempfile::tempdir().expect("tempdir");
    let run = strata(dir.path(), &["init", "quickstart"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let example = repo_root().join("examples/quickstart");
    for f in ["main.strata", "strata.toml"] {
        let made = fs::read_to_string(dir.path().join("quickstart").join(f)).expect("init output");
        let kept = fs::read_to_string(example.join(f)).expect("example file");
        assert_eq!(
            made, kept,
            "examples/quickstart/{f} differs from what `strata init` writes"
        );
    }
    // A new project passes the pre-commit formatting hook as written.
    let fmt = strata(dir.path(), &["fmt", "--check", "quickstart"]);
    assert_eq!(
        fmt.code, 0,
        "`strata init` writes code that `strata fmt` would change: {}",
        fmt.stderr
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let p = project(&[(
        "main.strata",
        b"import aws\nresource key: aws.kms.Key { rotaton = true }\n",
    )]);
    // Not a terminal (the test's pipe), NO_COLOR set by the helper: plain text.
    let plain = strata(p.path(), &["check"]);
    assert!(!plain.stderr.contains('\u{1b}'), "{}", plain.stderr);
    let forced = strata(p.path(), &["--color", "always", "check"]);
    assert!(forced.stderr.contains("\u{1b}["), "{}", forced.stderr);
    let never = strata(p.path(), &["check", "--color", "never"]);
    assert!(!never.stderr.contains('\u{1b}'));
    assert_eq!((plain.code, forced.code, never.code), (2, 2, 2));
}
