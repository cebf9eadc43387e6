//! End-to-end tests of the `strata` binary.
//!
//! Data-driven part: every directory `tests/e2e/fixtures/<case>/` is a project plus a file
//! `cmd` (one command line per line, without the leading `strata`; `#` starts a comment).
//! The case is copied to a temporary directory, the commands run there one after the other,
//! and one snapshot (`tests/e2e/snapshots/`) records, for each command, its exit code, stdout
//! and stderr, then the files the commands created and those they removed.
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
                    let mut run = strata(&work, &args);
                    // Absolute paths (SARIF's `%SRCROOT%` uri) name the temporary directory.
                    let real = work.canonicalize().expect("canonical case directory");
                    for p in [real, work.clone()] {
                        let p = p.to_string_lossy().into_owned();
                        run.stdout = run.stdout.replace(&p, "[case]");
                        run.stderr = run.stderr.replace(&p, "[case]");
                    }
                    out.push_str(&transcript(line, &run));
                    out.push('\n');
                }
                let after = list_files(&work);
                let created: Vec<&String> = after.iter().filter(|f| !before.contains(f)).collect();
                let removed: Vec<&String> = before.iter().filter(|f| !after.contains(f)).collect();
                for (title, list) in [("files created", created), ("files removed", removed)] {
                    if !list.is_empty() {
                        out.push_str(&format!("--- {title}\n"));
                        for f in list {
                            out.push_str(f);
                            out.push('\n');
                        }
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

#[test]
fn error_past_column_65535_is_rendered_by_every_command() {
    // miette pads a label to its column with `{:width$}`, at most 65,535: an error at the end
    // of a 70,000-character line made every command that prints diagnostics exit 101.
    let long = "x".repeat(70_000);
    let p = project(&[
        (
            "main.strata",
            format!("let a = \"{long}\" + zz\n").as_bytes(),
        ),
        (
            "syntax.strata",
            format!("let b = \"{long}\" + @\n").as_bytes(),
        ),
    ]);
    let commands: [&[&str]; 9] = [
        &["check"],
        &["check", "--format", "json"],
        &["check", "--format", "sarif"],
        &["compile"],
        &["cost"],
        &["graph"],
        &["fmt"],
        &["fmt", "--check"],
        &["--color", "always", "check"],
    ];
    for args in commands {
        let run = strata(p.path(), args);
        assert_eq!(run.code, 2, "strata {args:?}: {}", run.stderr);
        if args.contains(&"--format") {
            let v = json(&run);
            assert!(
                v.to_string().contains("70014"),
                "strata {args:?}: no column 70014 in {v}"
            );
        } else {
            assert!(
                run.stderr.contains("main.strata:1:70014") || args[0] == "fmt",
                "strata {args:?}: {}",
                run.stderr
            );
            assert!(
                run.stderr.contains("…"),
                "strata {args:?}: the long line is not clipped: {}",
                run.stderr
            );
            assert!(
                run.stderr.lines().all(|l| l.chars().count() < 2_000),
                "strata {args:?}: a line of more than 2,000 characters"
            );
        }
    }
}

/// A small deterministic generator (xorshift), so that a failure names a reproducible case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Cut `text` at a byte offset, moved back to a character boundary.
fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One mutation of a valid program: a slice deleted, duplicated or moved, a token or a line
/// ending inserted, or a line of 70,000 characters.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let a = boundary(text, rng.below(text.len() + 1));
    let b = boundary(text, a + rng.below(200));
    let (head, mid, tail) = (&text[..a], &text[a..b], &text[b..]);
    match rng.below(6) {
        0 => format!("{head}{tail}"),
        1 => format!("{head}{mid}{mid}{tail}"),
        2 => format!("{head}{tail}{mid}"),
        3 => {
            let tokens = [
                "{",
                "}",
                "[",
                "]",
                "(",
                ")",
                "\"",
                "${",
                ":",
                "=",
                ",",
                ".",
                "resource ",
                "stack ",
                "import ",
                "\r",
                "\r\n",
                "\t",
                "\u{0}",
                "é",
                "100 GiB",
                "#",
                "//",
            ];
            format!("{head}{}{tail}", tokens[rng.below(tokens.len())])
        }
        4 => format!("{head}\"{}\" + zz{tail}", "w".repeat(70_000)),
        _ => text.replace('\n', "\r"),
    }
}

#[test]
fn mutated_programs_never_crash_any_command_or_format() {
    // Every command and output format over mutated copies of the e2e fixtures: each run must
    // end with 0, 1 or 2 (the helper fails on a panic or a signal) and JSON/SARIF must parse.
    let root = repo_root().join("tests/e2e/fixtures");
    let mut seeds: Vec<String> = Vec::new();
    let mut cases: Vec<_> = fs::read_dir(&root)
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    cases.sort();
    for case in cases {
        for f in list_files(&case)
            .into_iter()
            .filter(|f| f.ends_with(".strata"))
        {
            if let Ok(text) = fs::read_to_string(case.join(&f)) {
                seeds.push(text);
            }
        }
    }
    assert!(seeds.len() >= 10, "only {} seed programs", seeds.len());
    let commands: [&[&str]; 11] = [
        &["check"],
        &["check", "--format", "json"],
        &["check", "--format", "sarif"],
        &["compile", "--out", "build"],
        &["cost"],
        &["cost", "--format", "json"],
        &["graph"],
        &["graph", "--format", "dot"],
        &["fmt", "--check"],
        &["fmt"],
        &["--color", "always", "check"],
    ];
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for i in 0..110 {
        let mut text = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(3) {
            text = mutate(&text, &mut rng);
        }
        let args = commands[i % commands.len()];
        let p = project(&[("main.strata", text.as_bytes())]);
        let run = strata(p.path(), args);
        assert!(
            (0..=2).contains(&run.code),
            "case {i}: strata {args:?} exited {}:\n{}",
            run.code,
            run.stderr
        );
        // `cost` prints no estimate for an invalid program.
        if (args.contains(&"json") || args.contains(&"sarif"))
            && (args[0] == "check" || run.code != 2)
        {
            json(&run);
        }
    }
}

/// Run `strata ARGS` in `dir` with stdout sent to `stdout`: the exit code and stderr.
fn strata_with_stdout(dir: &Path, args: &[&str], stdout: Stdio) -> (i32, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start strata");
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        !stderr.contains("panicked at") && code != 101 && code != -1,
        "`strata {}` crashed ({}):\n{stderr}",
        args.join(" "),
        out.status
    );
    (code, stderr)
}

#[test]
fn a_failed_write_to_stdout_is_an_error() {
    // `strata graph > /dev/full` exited 0 with nothing written, and `check --format json` into
    // a full disk left truncated JSON with exit 1 and no message.
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    let p = project(&[("main.strata", CLEAN.as_bytes())]);
    let commands: [&[&str]; 9] = [
        &["graph"],
        &["check", "--format", "json"],
        &["check", "--format", "sarif"],
        &["cost"],
        &["compile"],
        &["explain"],
        &["explain", "E4009"],
        &["--help"],
        &["init", "new"],
    ];
    for args in commands {
        let sink = full.try_clone().expect("dup /dev/full");
        let (code, stderr) = strata_with_stdout(p.path(), args, Stdio::from(sink));
        assert_eq!(code, 2, "strata {args:?}: {stderr}");
        assert_eq!(
            stderr
                .matches("error[E4009]: cannot write to standard output: No space left on device")
                .count(),
            1,
            "strata {args:?}: {stderr}"
        );
    }
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    // `strata graph | head -1`: the reader is gone; no message, and the exit code is the one
    // the command found (here 0 for a clean project, 2 for an invalid one).
    let clean = project(&[("main.strata", CLEAN.as_bytes())]);
    let invalid = project(&[(
        "main.strata",
        b"import aws\nresource key: aws.kms.Key { rotaton = true }\n",
    )]);
    for (dir, args, expected) in [
        (clean.path(), &["graph"][..], 0),
        (clean.path(), &["check", "--format", "json"], 0),
        (clean.path(), &["explain"], 0),
        (clean.path(), &["--help"], 0),
        (invalid.path(), &["check", "--format", "sarif"], 2),
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let (code, stderr) = strata_with_stdout(dir, args, Stdio::from(writer));
        assert_eq!(code, expected, "strata {args:?}: {stderr}");
        assert!(
            !stderr.contains("standard output"),
            "strata {args:?}: {stderr}"
        );
    }
}

#[test]
fn cr_only_line_endings_check_and_compile_like_lf() {
    // Classic Mac OS line endings (`\r` alone) made a file one line: "0 resources: no problems",
    // and `compile` wrote nothing.
    let lf =
        "// The app's keys.\nimport aws\n\nresource key: aws.kms.Key {\n  rotation = true\n}\n";
    let cr = lf.replace('\n', "\r");
    let a = project(&[("main.strata", lf.as_bytes())]);
    let b = project(&[("main.strata", cr.as_bytes())]);
    let (ra, rb) = (strata(a.path(), &["check"]), strata(b.path(), &["check"]));
    assert!(
        rb.stderr.contains("checked 1 file (1 resource)"),
        "{}",
        rb.stderr
    );
    assert_eq!((ra.code, &ra.stderr), (rb.code, &rb.stderr));
    let (ca, cb) = (
        strata(a.path(), &["compile"]),
        strata(b.path(), &["compile"]),
    );
    assert_eq!((ca.code, &ca.stdout), (cb.code, &cb.stdout));
    let files = list_files(&a.path().join("out"));
    assert!(!files.is_empty());
    for f in &files {
        assert_eq!(
            fs::read(a.path().join("out").join(f)).ok(),
            fs::read(b.path().join("out").join(f)).ok(),
            "{f}"
        );
    }
    // `fmt` writes the canonical `\n` line endings.
    let fmt = strata(b.path(), &["fmt"]);
    assert_eq!(fmt.code, 0, "{}", fmt.stderr);
    assert_eq!(
        fs::read_to_string(b.path().join("main.strata"))
            .ok()
            .as_deref(),
        Some(lf)
    );
}

#[test]
fn links_out_of_the_project_are_named_and_never_printed() {
    // `x.strata -> /proc/self/environ` printed the CI environment in the diagnostics (and
    // `-> /etc/passwd` that file); `strata.toml` and `fmt` followed links as well.
    #[cfg(unix)]
    {
        let p = project(&[("main.strata", CLEAN.as_bytes())]);
        std::os::unix::fs::symlink("/proc/self/environ", p.path().join("x.strata"))
            .expect("symlink");
        std::os::unix::fs::symlink("/etc/passwd", p.path().join("strata.toml")).expect("symlink");
        let secret = "STRATA_TEST_SECRET_7f3a9c";
        for args in [
            &["check"][..],
            &["check", "--format", "json"],
            &["check", "--format", "sarif"],
            &["compile"],
            &["cost"],
            &["graph"],
            &["check", "x.strata"],
            &["fmt", "--check"],
            &["fmt", "x.strata"],
        ] {
            let run = Command::new(env!("CARGO_BIN_EXE_strata"))
                .args(args)
                .current_dir(p.path())
                .env("NO_COLOR", "1")
                .env(secret, "hunter2-value")
                .output()
                .expect("run strata");
            let (stdout, stderr) = (
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr),
            );
            assert_eq!(run.status.code(), Some(2), "strata {args:?}: {stderr}");
            for leak in ["hunter2-value", secret, "root:"] {
                assert!(
                    !stdout.contains(leak) && !stderr.contains(leak),
                    "strata {args:?} printed `{leak}`:\n{stdout}\n{stderr}"
                );
            }
            assert!(
                (stdout.contains("E4012") || stderr.contains("E4012"))
                    && (stdout.contains("x.strata") || stderr.contains("x.strata")),
                "strata {args:?}: {stdout}\n{stderr}"
            );
        }
        assert!(!p.path().join("out").exists(), "compile wrote an output");
    }
}

#[test]
fn compile_never_writes_outside_the_project_unless_told_to() {
    // `[compile] out = "../infra"` was obeyed: a plain `strata compile` replaced ../infra/terraform
    // and deleted the hand-written file in it. Only `--out` may name a directory outside.
    let root = project(&[
        ("proj/main.strata", CLEAN.as_bytes()),
        (
            "proj/strata.toml",
            b"[compile]\nout = \"../infra\"\ntargets = [\"terraform\"]\n",
        ),
        ("infra/terraform/handwritten.tf", b"# mine\n"),
    ]);
    let proj = root.path().join("proj");
    let before = list_files(root.path());
    for args in [&["compile"][..], &["check"], &["compile", "--out", "build"]] {
        let run = strata(&proj, args);
        assert_eq!(run.code, 2, "strata {args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("E4013") && run.stderr.contains("--out DIR"),
            "strata {args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(list_files(root.path()), before, "something was written");
    for (out, why) in [
        ("/tmp/strata-infra", "is an absolute path"),
        (".", "is the project directory itself"),
    ] {
        fs::write(
            proj.join("strata.toml"),
            format!("[compile]\nout = {out:?}\n"),
        )
        .expect("write");
        let run = strata(&proj, &["compile"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(why), "{}", run.stderr);
    }
    // With `--out`, the directory outside is the user's explicit choice.
    fs::write(
        proj.join("strata.toml"),
        "[compile]\ntargets = [\"terraform\"]\n",
    )
    .expect("write");
    let run = strata(&proj, &["compile", "--out", "../infra"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(root.path().join("infra/terraform/main/main.tf").is_file());
    // Without `--out`, `out/` is in the project directory, wherever the command runs.
    let run = strata(root.path(), &["compile", "proj"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(proj.join("out/terraform/main/main.tf").is_file() && !root.path().join("out").exists());
    assert!(
        run.stdout.starts_with("proj/out/terraform/"),
        "{}",
        run.stdout
    );
    #[cfg(unix)]
    {
        // Nor through an `out` (or `[compile] out`) that is a link leading outside.
        fs::remove_dir_all(proj.join("out")).expect("rm out");
        std::os::unix::fs::symlink(root.path().join("infra"), proj.join("out")).expect("symlink");
        let before = list_files(root.path());
        let run = strata(&proj, &["compile"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("E4013") && run.stderr.contains("symbolic link"),
            "{}",
            run.stderr
        );
        fs::write(
            proj.join("strata.toml"),
            "[compile]\nout = \"out/deploy\"\n",
        )
        .expect("write");
        let run = strata(&proj, &["compile"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("E4013") && run.stderr.contains("strata.toml"),
            "{}",
            run.stderr
        );
        assert_eq!(list_files(root.path()), before, "something was written");
    }
}

#[test]
fn fifty_concurrent_compiles_into_one_out_leave_one_complete_output() {
    // About 3 of 1,600 concurrent compiles into one `--out` exited 2 (renames of target folders
    // raced), and a reader could find CloudFormation from one run and Terraform from another.
    let p = project(&[(
        "main.strata",
        b"import aws\nparam env: \"dev\" | \"prod\" = \"dev\"\nresource key: aws.kms.Key {\n  description = \"key for ${env}\"\n  rotation = true\n}\noutput arn = key.arn\n",
    )]);
    // What each environment writes, compiled alone.
    let mut reference = Vec::new();
    for env in ["dev", "prod"] {
        let run = strata(
            p.path(),
            &["compile", "--env", env, "--out", &format!("ref-{env}")],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let dir = p.path().join(format!("ref-{env}"));
        let files: Vec<(String, Vec<u8>)> = list_files(&dir)
            .into_iter()
            .map(|f| (f.clone(), fs::read(dir.join(&f)).expect("read")))
            .collect();
        assert!(files.len() >= 2, "{files:?}");
        reference.push(files);
    }
    assert_ne!(reference[0], reference[1]);
    // A leftover of a run killed while writing: removed by the next run.
    fs::create_dir_all(p.path().join(".out.strata-tmp-4242-0-0/terraform")).expect("mkdir");
    let children: Vec<_> = (0..50)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_strata"))
                .args([
                    "compile",
                    "--env",
                    if i % 2 == 0 { "dev" } else { "prod" },
                    "--out",
                    "out",
                ])
                .current_dir(p.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start strata")
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().expect("wait");
        assert_eq!(
            out.status.code(),
            Some(0),
            "compile {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let dir = p.path().join("out");
    let got: Vec<(String, Vec<u8>)> = list_files(&dir)
        .into_iter()
        .map(|f| (f.clone(), fs::read(dir.join(&f)).expect("read")))
        .collect();
    assert!(
        got == reference[0] || got == reference[1],
        "the output is not the complete output of one run: {:?}",
        got.iter().map(|(f, _)| f).collect::<Vec<_>>()
    );
    let mut top: Vec<String> = fs::read_dir(p.path())
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(
        top,
        ["main.strata", "out", "ref-dev", "ref-prod"],
        "leftovers next to the output"
    );
}

/// Run `strata ARGS` in `dir` where no file may grow past `limit` bytes (`RLIMIT_FSIZE`, with
/// `SIGXFSZ` ignored, so that such a write fails with "File too large" as on a full disk),
/// stdout going to `stdout`: the exit code and stderr.
#[cfg(target_os = "linux")]
fn strata_with_file_limit(dir: &Path, args: &[&str], limit: u64, stdout: Stdio) -> (i32, String) {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped());
    // SAFETY: between fork and exec the closure only calls async-signal-safe functions.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().expect("run strata");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked at"),
        "`strata {}` panicked: {stderr}",
        args.join(" ")
    );
    (out.status.code().unwrap_or(-1), stderr)
}

#[cfg(target_os = "linux")]
#[test]
fn a_write_cut_short_damages_no_source_and_no_output() {
    // Writes that fail half-way (a full disk): `fmt` wrote sources in place (a truncated file
    // on failure), a JSON report cut short looked like a finding (exit 1, no message).
    let long = "x".repeat(400);
    let source = format!("import aws\nresource key: aws.kms.Key {{ rotation   = true\n  description = \"{long}\" }}\n");
    let p = project(&[("main.strata", source.as_bytes())]);
    let (code, stderr) = strata_with_file_limit(p.path(), &["fmt"], 300, Stdio::null());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cannot write `main.strata`: File too large; it is unchanged"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(p.path().join("main.strata")).expect("read"),
        source,
        "the source was damaged"
    );
    let mut top: Vec<String> = fs::read_dir(p.path())
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["main.strata"], "a temporary file was left behind");
    // Without the limit it is reformatted (and keeps its permissions).
    let run = strata(p.path(), &["fmt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_ne!(
        fs::read_to_string(p.path().join("main.strata")).expect("read"),
        source
    );

    // A report into a file that cannot grow.
    let report = fs::File::create(p.path().join("report.json")).expect("create");
    let (code, stderr) = strata_with_file_limit(
        p.path(),
        &["check", "--format", "json"],
        300,
        Stdio::from(report),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error[E4009]: cannot write to standard output: File too large"),
        "{stderr}"
    );
    fs::remove_file(p.path().join("report.json")).expect("rm");

    // A compile whose files cannot be written keeps the previous output, whole.
    let run = strata(p.path(), &["compile"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let before: Vec<(String, Vec<u8>)> = list_files(&p.path().join("out"))
        .into_iter()
        .map(|f| {
            (
                f.clone(),
                fs::read(p.path().join("out").join(&f)).expect("read"),
            )
        })
        .collect();
    fs::write(
        p.path().join("main.strata"),
        source.replace("rotation   = true", "rotation = false"),
    )
    .expect("write");
    let (code, stderr) = strata_with_file_limit(p.path(), &["compile"], 300, Stdio::null());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("E4009") && stderr.contains("File too large"),
        "{stderr}"
    );
    let after: Vec<(String, Vec<u8>)> = list_files(&p.path().join("out"))
        .into_iter()
        .map(|f| {
            (
                f.clone(),
                fs::read(p.path().join("out").join(&f)).expect("read"),
            )
        })
        .collect();
    assert_eq!(before, after, "the previous output changed");
    let mut top: Vec<String> = fs::read_dir(p.path())
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["main.strata", "out"], "leftovers next to the output");
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = strata(dir.path(), &["completions", shell]);
        assert_eq!(run.code, 0, "completions {shell}: {}", run.stderr);
        for word in ["strata", "check", "compile", "format"] {
            assert!(run.stdout.contains(word), "{shell} lacks `{word}`");
        }
        // Possible values (`--format github`) where the shell completes values.
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(run.stdout.contains("github"), "{shell} lacks `github`");
        }
    }
    assert_eq!(strata(dir.path(), &["completions", "tcsh"]).code, 2);
    // Bash really completes with it: `strata ch<TAB>` → check; `strata check --format <TAB>`.
    let script = dir.path().join("strata.bash");
    fs::write(&script, strata(dir.path(), &["completions", "bash"]).stdout).expect("write");
    let complete = |words: &str| -> String {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _strata strata \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; echo \"${{COMPREPLY[@]}}\"",
                script.display()
            ))
            .output()
            .expect("run bash");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(complete("strata ch")
        .split_whitespace()
        .any(|w| w == "check"));
    let formats = complete("strata check --format ''");
    for f in ["human", "json", "sarif", "github"] {
        assert!(formats.split_whitespace().any(|w| w == f), "{formats}");
    }
    let man = strata(dir.path(), &["man"]);
    assert_eq!(man.code, 0);
    assert!(man.stdout.contains(".TH strata 1"), "{}", man.stdout);
    for sub in [
        "strata\\-check",
        "strata\\-compile",
        "strata\\-completions",
        "\\-\\-fix",
    ] {
        assert!(man.stdout.contains(sub), "the man page lacks {sub}");
    }
}

#[test]
fn sarif_and_github_paths_are_relative_to_the_repository_root() {
    let p = project(&[
        (
            "infra/main.strata",
            b"import aws\nresource key: aws.kms.Key { rotaton = true }\n",
        ),
        ("infra/strata.toml", b""),
        ("app/main.strata", b"let x = yy\n"),
    ]);
    fs::create_dir(p.path().join(".git")).expect("mkdir .git");
    // Run from inside the project: paths still start at the repository root.
    let infra = p.path().join("infra");
    let run = strata(&infra, &["check", ".", "../app", "--format", "sarif"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let v = json(&run);
    let r = &v["runs"][0];
    let uris: Vec<&str> = r["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|x| {
            x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
        })
        .collect();
    assert_eq!(uris, ["infra/main.strata", "app/main.strata"]);
    let root = p.path().canonicalize().expect("canonical");
    assert_eq!(
        r["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str(),
        Some(format!("file://{}/", root.display()).as_str())
    );
    let gh = strata(
        &infra,
        &[
            "check",
            "main.strata",
            "../app/main.strata",
            "--format",
            "github",
        ],
    );
    assert_eq!(gh.code, 2);
    let lines: Vec<&str> = gh.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", gh.stdout);
    assert!(lines[0].starts_with("::error file=infra/main.strata,line=2,col=29,endLine=2,endColumn=36,title=E2001::unknown property `rotaton`%0Ahelp: did you mean `rotation`?"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("::error file=app/main.strata,line=1,col=9,"),
        "{}",
        lines[1]
    );
}

#[test]
fn check_fix_applies_only_machine_applicable_fixes() {
    // `multi_az = prod` is not replaced (it differs per environment); the misspelt name is.
    let text = "import aws\n\nlet prod = false\n\nresource k: aws.kms.Key {\n  rotaton = true\n}\n\nresource db: aws.rds.DBInstance {\n  engine            = \"postgres\"\n  engine_version    = \"16\"\n  instance_class    = \"db.t4g.micro\"\n  storage_encrypted = prod\n  kms_key           = k\n}\n";
    let p = project(&[("main.strata", text.as_bytes())]);
    let run = strata(p.path(), &["check", "--fix", "--format", "json"]);
    let fixed = fs::read_to_string(p.path().join("main.strata")).expect("read");
    assert_eq!(fixed, text.replace("rotaton", "rotation"), "{}", run.stderr);
    assert!(
        run.stderr.contains("fixed 1 problem in main.strata"),
        "{}",
        run.stderr
    );
    let v = json(&run);
    let sec = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "SEC011")
        .unwrap_or_else(|| panic!("no SEC011: {v:#}"));
    assert_eq!(
        sec["fixes"][0]["applicability"], "maybe-incorrect",
        "{sec:#}"
    );
    assert_eq!(
        sec["fixes"][0]["edits"][0]["replacement"],
        "storage_encrypted = true"
    );
    // Nothing left to fix: the file is not rewritten.
    let again = strata(p.path(), &["check", "--fix"]);
    assert!(!again.stderr.contains("fixed"), "{}", again.stderr);
}
