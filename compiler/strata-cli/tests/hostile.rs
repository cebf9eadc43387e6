//! Issue 13's contract for hostile input: whatever the program, `strata` (check, compile and
//! the language server) ends within 10 s under a 2 GiB address-space limit, with exit code 0,
//! 1 or 2 — never an abort, a crash or a hang.
//!
//! The limit is set with the shell's `ulimit -v` (RLIMIT_AS) for the child only. The cases run
//! one after the other in a single test so that they do not compete for the machine with each
//! other (this file is its own test binary).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// 2 GiB, in KiB (`ulimit -v`).
const ADDRESS_SPACE_KIB: u64 = 2 * 1024 * 1024;
const TIME_LIMIT: Duration = Duration::from_secs(10);

fn limited(args: &[&str], dir: &Path) -> Command {
    let mut c = Command::new("/bin/sh");
    c.arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE");
    c
}

/// Run `strata ARGS` in `dir` under the limits; returns the exit code and stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, Duration) {
    let start = Instant::now();
    let mut child = limited(args, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start strata");
    let mut err = child.stderr.take().expect("stderr");
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = wait(&mut child, start, args);
    let stderr = err_t.join().expect("stderr thread");
    (status, stderr, start.elapsed())
}

fn wait(child: &mut Child, start: Instant, args: &[&str]) -> i32 {
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s.code().unwrap_or(-1);
        }
        if start.elapsed() > TIME_LIMIT * 3 {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`strata {}` did not finish within {:?}",
                args.join(" "),
                TIME_LIMIT * 3
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `let a1 = [a0, a0]` ... `let a25 = [a24, a24]` (or records `{ x = a0, y = a0 }`), then `tail`.
fn doubling(record: bool, tail: &str) -> String {
    let mut text = String::from("import aws\n\nstack main {\n  provider = aws { region = \"us-east-1\" }\n}\n\nlet a0 = \"x\"\n");
    for i in 1..=25 {
        let p = i - 1;
        if record {
            text.push_str(&format!("let a{i} = {{ x = a{p}, y = a{p} }}\n"));
        } else {
            text.push_str(&format!("let a{i} = [a{p}, a{p}]\n"));
        }
    }
    text.push_str(tail);
    text
}

fn programs() -> Vec<(&'static str, String)> {
    let sixteen_mib = "let s = join(\"\", [for i in range(1000000): \"aaaaaaaaaaaaaaaa\"])\n";
    vec![
        ("exponential lets, unused", doubling(false, "output n = length(a25)\n")),
        ("exponential lets, as an output", doubling(false, "output o = a25\n")),
        ("exponential records, as an output", doubling(true, "output o = a25\n")),
        ("exponential lets, as a property", doubling(false, "resource q: aws.sqs.Queue { tags = { t = join(\",\", a25) } }\n")),
        ("exponential records, as a property", doubling(true, "resource q: aws.sqs.Queue { tags = a25 }\n")),
        ("exponential records, interpolated", doubling(true, "resource q: aws.sqs.Queue { tags = { t = \"${a25}\" } }\n")),
        ("modules instantiating modules twice, 25 deep", {
            let mut text = String::from("module M0 {\n  param x: int = 1\n  output o = x\n}\n");
            for i in 1..=25 {
                text.push_str(&format!("module M{i} {{\n  module a: M{p} {{ }}\n  module b: M{p} {{ }}\n  output o = a.o + b.o\n}}\n", p = i - 1));
            }
            text + "module top: M25 { }\noutput r = top.o\n"
        }),
        ("replace", format!("{sixteen_mib}output n = length(replace(s, \"a\", \"{}\"))\n", "b".repeat(200))),
        ("join", format!("{sixteen_mib}output n = length(join(s, [for i in range(1000): s]))\n")),
        (
            "a 16 MiB string used a million times",
            format!("{sixteen_mib}let l = [for i in range(1000000): s]\noutput n = length(l)\noutput o = length(\"${{l[7]}}\")\n"),
        ),
        ("a 16 MiB resource key", format!("{sixteen_mib}resource q[k in [s]]: aws.sqs.Queue {{ }}\noutput n = length([for i in range(1000000): q])\n")),
        (
            "doubling strings",
            format!(
                "{sixteen_mib}{}output n = length(t9)\n",
                (1..10).map(|i| format!("let t{i} = {p} + {p}\n", p = if i == 1 { "s".to_string() } else { format!("t{}", i - 1) })).collect::<String>()
            ),
        ),
    ]
}

#[test]
fn hostile_programs_end_quickly_with_a_documented_exit_code() {
    let mut report = Vec::new();
    for (name, text) in programs() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("main.strata"), &text).expect("write");
        for args in [&["check"][..], &["compile", "--out", "out"][..]] {
            let (code, stderr, took) = run(dir.path(), args);
            report.push(format!(
                "{name}: strata {} → exit {code} in {took:.2?}",
                args.join(" ")
            ));
            assert!(
                matches!(code, 0..=2),
                "{name}: `strata {}` exited with {code}:\n{stderr}",
                args.join(" ")
            );
            assert!(
                !stderr.contains("panicked") && !stderr.contains("memory allocation"),
                "{name}:\n{stderr}"
            );
            assert!(
                took < TIME_LIMIT,
                "{name}: `strata {}` took {took:?}",
                args.join(" ")
            );
        }
        let took = language_server(dir.path(), &text);
        report.push(format!(
            "{name}: strata lsp → diagnostics and a hover in {took:.2?}"
        ));
        assert!(
            took < TIME_LIMIT,
            "{name}: the language server took {took:?}"
        );
    }
    eprintln!("{}", report.join("\n"));
}

fn frame(w: &mut impl Write, v: serde_json::Value) {
    let body = v.to_string();
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to the server");
    w.flush().expect("flush");
}

fn read_frame(r: &mut impl BufRead) -> Option<serde_json::Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            len = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Open `text` in `strata lsp` (under the limits), wait for its diagnostics, hover the last
/// `a25`, shut down. Returns how long it took.
fn language_server(dir: &Path, text: &str) -> Duration {
    let start = Instant::now();
    let mut child = limited(&["lsp"], dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start strata lsp");
    let mut to = child.stdin.take().expect("stdin");
    let (tx, rx) = std::sync::mpsc::channel();
    let mut from = BufReader::new(child.stdout.take().expect("stdout"));
    std::thread::spawn(move || {
        while let Some(m) = read_frame(&mut from) {
            if tx.send(m).is_err() {
                break;
            }
        }
    });
    let root = format!("file://{}", dir.display());
    let uri = format!("{root}/main.strata");
    frame(
        &mut to,
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": root}}),
    );
    frame(
        &mut to,
        serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    frame(
        &mut to,
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "strata", "version": 1, "text": text}}}),
    );
    let (line, col) = text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| l.find("a25").map(|c| (i, c)))
        .last()
        .unwrap_or((0, 0));
    frame(
        &mut to,
        serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {"textDocument": {"uri": uri}, "position": {"line": line, "character": col + 1}}}),
    );
    let (mut diagnostics, mut hover) = (false, false);
    while !(diagnostics && hover) {
        let left = (TIME_LIMIT * 3)
            .checked_sub(start.elapsed())
            .unwrap_or_default();
        let Ok(m) = rx.recv_timeout(left) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the language server did not answer (diagnostics: {diagnostics}, hover: {hover}) within {:?}", TIME_LIMIT * 3);
        };
        diagnostics |=
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str();
        hover |= m["id"] == 2;
    }
    let took = start.elapsed();
    frame(
        &mut to,
        serde_json::json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}),
    );
    frame(
        &mut to,
        serde_json::json!({"jsonrpc": "2.0", "method": "exit"}),
    );
    drop(to);
    let code = wait(&mut child, start, &["lsp"]);
    assert_eq!(code, 0, "the language server exited with {code}");
    took
}

/// A program too big for the process's memory budget (here forced small with
/// `STRATA_MEMORY_LIMIT`; by default a quarter of an address-space limit) stops with E2007 in
/// evaluation or lowering, instead of the allocator aborting the process.
#[test]
fn a_project_over_the_memory_budget_is_an_error_not_an_abort() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "import aws\n\nstack main {\n  provider = aws { region = \"us-east-1\" }\n}\n\nresource q[i in range(200000)]: aws.sqs.Queue {}\n";
    std::fs::write(dir.path().join("main.strata"), text).expect("write");
    for (args, limit) in [
        (&["check"][..], "24M"),
        (&["compile", "--out", "out"][..], "24M"),
        (&["compile", "--out", "out"][..], "200M"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(args)
            .current_dir(dir.path())
            .env("STRATA_MEMORY_LIMIT", limit)
            .env("NO_COLOR", "1")
            .output()
            .expect("run strata");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "`strata {}` with {limit}:\n{stderr}",
            args.join(" ")
        );
        assert!(
            stderr.contains("E2007") && stderr.contains("MiB of memory"),
            "`strata {}` with {limit}:\n{stderr}",
            args.join(" ")
        );
    }
}
