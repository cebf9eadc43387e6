//! Response times on a 5,000-line file: diagnostics after a one-character edit, hover and
//! completion. Times are printed (run with `--release -- --nocapture` for the figures of
//! docs/performance.md); only the answers are asserted, since timings depend on the machine.
//!
//! - `STRATA_SPEED_EDITS=N`: how many edits are timed (default 10 in a debug build, 60 optimised).
//! - `STRATA_SPEED_IDLE_MS=N`: sleep that long before each edit (the editor after a pause:
//!   caches cold, other threads idle), instead of editing back to back.
//!
//! Besides wall time, each edit's CPU time (all threads of the process, from
//! `/proc/self/task/*/schedstat`) is printed: on a loaded machine wall time is mostly waiting
//! for a core.

mod common;

use common::{pos_of, project, Client};
use lsp_types::*;
use std::time::{Duration, Instant};

/// The allocator of the `strata` binary (compiler/strata-cli/src/main.rs), which is what runs
/// `strata lsp`: timings with the system allocator would not be the editor's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A project file of about `lines` lines, in the shape of bench/gen.py: a stack, parameters,
/// then groups of keys, buckets, queues and log groups referencing each other.
fn generate(lines: usize) -> String {
    let mut s = String::from(
        "import aws\n\n/// Which environment to deploy.\nparam env: \"dev\" | \"staging\" | \"prod\" = \"dev\"\n\nlet prod = env == \"prod\"\nlet retention = prod ? 30d : 7d\n\nstack bench {\n  provider = aws { region = \"us-east-1\" }\n  budget   = prod ? 2000000 USD/month : 200000 USD/month\n  tags     = { project = \"bench\", env = env }\n}\n",
    );
    let mut i = 0;
    while s.lines().count() < lines {
        let key = if i % 3 == 0 { i / 2 } else { i };
        s.push_str(&format!(
            "
/// Encryption key of group {i}.
resource key_{i}: aws.kms.Key {{
  description    = \"group {i} data (${{env}})\"
  rotation       = true
  pending_window = prod ? 30d : 7d
  tags           = {{ group = \"g{i}\", tier = \"data\" }}
}}

/// Uploads of group {i}.
resource bucket_{i}: aws.s3.Bucket {{
  versioning = true
  encryption = key_{i}
  lifecycle  = [{{ after = 90d, storage_class = \"GLACIER\" }}]
  tags       = {{ group = \"g{i}\" }}
}}

/// Dead letters of group {i}.
resource dlq_{i}: aws.sqs.Queue {{
  encryption = key_{key}
  retention  = 14d
  tags       = {{ group = \"g{i}\", tier = \"dead-letter\" }}
}}

/// Work queue of group {i}.
resource queue_{i}: aws.sqs.Queue {{
  encryption         = key_{key}
  visibility_timeout = prod ? 5min : 30s
  dead_letter        = {{ queue = dlq_{i}, max_receives = 5 }}
  tags               = {{ group = \"g{i}\" }}
}}
"
        ));
        i += 1;
    }
    s
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let median = v[v.len() / 2];
    // Nearest rank.
    let p95 = v[(v.len() * 95).div_ceil(100).max(1) - 1];
    let max = v[v.len() - 1];
    format!(
        "median {:.1} ms, p95 {:.1} ms, max {:.1} ms over {} runs",
        ms(median),
        ms(p95),
        ms(max),
        v.len()
    )
}

/// CPU time of every thread of this process so far (the server runs in it), where Linux
/// reports it; `None` elsewhere.
fn process_cpu() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path().join("schedstat");
        // A thread that ended meanwhile has no file any more: its time is lost, not an error.
        if let Ok(s) = std::fs::read_to_string(path) {
            total += s.split_whitespace().next()?.parse::<u64>().ok()?;
        }
    }
    Some(Duration::from_nanos(total))
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

#[test]
fn five_thousand_lines() {
    let text = generate(5000);
    let lines = text.lines().count();
    let (_dir, root) = project(&[("main.strata", &text)]);
    let mut c = Client::start();
    let u = c.open(&root.join("main.strata"), &text);
    let t0 = Instant::now();
    let first = c.diagnostics(&u, 1);
    let initial = t0.elapsed();
    let errors: Vec<_> = first
        .iter()
        .filter(|d| d.severity == Some(DiagnosticSeverity::ERROR))
        .collect();
    assert!(
        errors.is_empty(),
        "the generated project has errors: {errors:#?}"
    );

    // One-character edits in the middle of the file: `g100` → `g10x` in a tag value, then an
    // error (`rotation = tru`) and its fix, alternately.
    let anchor = "  rotation       = true";
    let mid = text
        .match_indices(anchor)
        .nth(text.matches(anchor).count() / 2)
        .map(|(i, _)| i)
        .expect("a key in the middle");
    let line = text[..mid].matches('\n').count() as u32;
    let col_e = anchor.len() as u32 - 1; // the `e` of `true`
    let edits = env_number("STRATA_SPEED_EDITS")
        .unwrap_or(if cfg!(debug_assertions) { 10 } else { 60 })
        .max(2);
    let idle = env_number("STRATA_SPEED_IDLE_MS").map(Duration::from_millis);
    let mut edit_times = Vec::new();
    let mut edit_cpu = Vec::new();
    for round in 0..edits {
        if let Some(idle) = idle {
            std::thread::sleep(idle);
        }
        let (new, expect_error) = if round % 2 == 0 {
            ("", true)
        } else {
            ("e", false)
        };
        let range = if expect_error {
            Range::new(Position::new(line, col_e), Position::new(line, col_e + 1))
        } else {
            Range::new(Position::new(line, col_e), Position::new(line, col_e))
        };
        let cpu = process_cpu();
        let t = Instant::now();
        let v = c.change(&u, range, new);
        let d = c.diagnostics(&u, v);
        edit_times.push(t.elapsed());
        if let (Some(a), Some(b)) = (cpu, process_cpu()) {
            edit_cpu.push(b.saturating_sub(a));
        }
        let has_error = d
            .iter()
            .any(|d| d.severity == Some(DiagnosticSeverity::ERROR) && d.range.start.line == line);
        assert_eq!(has_error, expect_error, "round {round}: {d:#?}");
    }

    // Hover on a property and on a reference in the middle of the file.
    let mut hover_times = Vec::new();
    let prop = Position::new(line, 3);
    let reference = pos_of(
        &text,
        "encryption = key_",
        text.matches("encryption = key_").count() / 2,
        14,
    );
    for i in 0..20 {
        let p = if i % 2 == 0 { prop } else { reference };
        let t = Instant::now();
        let h = c.hover(&u, p).expect("a hover");
        hover_times.push(t.elapsed());
        assert!(
            h.contains(if i % 2 == 0 {
                "rotation"
            } else {
                "resource key_"
            }),
            "{h}"
        );
    }

    // Completion at the start of a property line and after `storage_class = ` .
    let mut completion_times = Vec::new();
    let body = Position::new(line, 2);
    let value = pos_of(
        &text,
        "storage_class = ",
        text.matches("storage_class = ").count() / 2,
        16,
    );
    for i in 0..20 {
        let p = if i % 2 == 0 { body } else { value };
        let t = Instant::now();
        let items = c.completion(&u, p);
        completion_times.push(t.elapsed());
        assert!(!items.is_empty(), "no completion at {p:?}");
        if i % 2 == 0 {
            assert!(
                items.iter().any(|it| it.label == "key_spec"),
                "{:?}",
                items.iter().map(|i| &i.label).collect::<Vec<_>>()
            );
        }
    }

    // The pipeline alone, for comparison: what the server adds is the difference.
    let mut check_times = Vec::new();
    let mut check_cpu = Vec::new();
    let mut check_no_xrefs = Vec::new();
    let mut stages: Vec<(&'static str, Vec<Duration>)> = Vec::new();
    for _ in 0..if cfg!(debug_assertions) { 3 } else { 10 } {
        let cpu = process_cpu();
        let t = Instant::now();
        let o = strata_driver::check(
            &strata_driver::DiskWorld,
            &root,
            &strata_driver::CheckOptions {
                env: None,
                record_xrefs: true,
                target_limits: false,
            },
        );
        check_times.push(t.elapsed());
        if let (Some(a), Some(b)) = (cpu, process_cpu()) {
            check_cpu.push(b.saturating_sub(a));
        }
        assert!(!o.analysis.xrefs.is_empty());
        for st in &o.timings {
            match stages.iter_mut().find(|(n, _)| *n == st.stage) {
                Some((_, v)) => v.push(st.wall),
                None => stages.push((st.stage, vec![st.wall])),
            }
        }
        let t = Instant::now();
        let _ = strata_driver::check(
            &strata_driver::DiskWorld,
            &root,
            &strata_driver::CheckOptions {
                env: None,
                record_xrefs: false,
                target_limits: false,
            },
        );
        check_no_xrefs.push(t.elapsed());
    }

    // What parsing alone costs in each check: the stdlib (parsed again by every analysis) and
    // the edited file.
    let mut parse_stdlib = Vec::new();
    let mut parse_file = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        for f in strata_stdlib::files_with_extension(".strata") {
            let (tree, _) = strata_syntax::parse(strata_base::FileId(1), f.text);
            assert!(tree.span.end as usize <= f.text.len());
        }
        parse_stdlib.push(t.elapsed());
        let t = Instant::now();
        let (tree, _) = strata_syntax::parse(strata_base::FileId(1), &text);
        parse_file.push(t.elapsed());
        assert!(!tree.items.is_empty());
    }

    println!(
        "strata-lsp on a {lines}-line file ({} bytes, {} resources, {} diagnostics):",
        text.len(),
        text.matches("\nresource ").count(),
        first.len()
    );
    println!(
        "  strata_driver::check alone: {} (without cross references: {})",
        stats(check_times),
        stats(check_no_xrefs)
    );
    let per_stage: Vec<String> = stages
        .into_iter()
        .map(|(n, mut v)| {
            v.sort();
            format!("{n} {:.1}", ms(v[v.len() / 2]))
        })
        .collect();
    println!("  its stages (median ms): {}", per_stage.join(", "));
    if !check_cpu.is_empty() {
        println!(
            "  CPU time of strata_driver::check (all threads): {}",
            stats(check_cpu)
        );
    }
    println!(
        "  parsing alone: the stdlib {}; this file {}",
        stats(parse_stdlib),
        stats(parse_file)
    );
    println!("  first diagnostics after didOpen: {:.1} ms", ms(initial));
    println!(
        "  diagnostics after a one-character edit{}: {}",
        match idle {
            Some(d) => format!(" (after {} ms idle)", d.as_millis()),
            None => " (back to back)".to_string(),
        },
        stats(edit_times)
    );
    if !edit_cpu.is_empty() {
        println!(
            "  CPU time of the process per edit (all threads): {}",
            stats(edit_cpu)
        );
    }
    println!("  hover: {}", stats(hover_times));
    println!("  completion: {}", stats(completion_times));
    c.shutdown();
}

/// Completion of a generated family's type names (`resource x: cfn.AWS.S` in a 5,000-line file
/// that also uses generated types): the names come from the embedded index, nothing is parsed.
#[test]
fn generated_family_completion_in_five_thousand_lines() {
    let mut text = generate(5000).replacen("import aws\n", "import aws\nimport cfn\n", 1);
    text.push_str("\nresource topic: cfn.AWS.SNS.Topic {\n  TopicName = \"alerts\"\n  KmsMasterKeyId = key_1\n}\n\nresource extra: cfn.AWS.S\n");
    let (_dir, root) = project(&[("main.strata", &text)]);
    let mut c = Client::start();
    let u = c.open(&root.join("main.strata"), &text);
    let _ = c.diagnostics(&u, 1);
    let at = pos_of(&text, "cfn.AWS.S\n", 0, 9);
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let items = c.completion(&u, at);
        times.push(t.elapsed());
        assert!(
            items.iter().any(|i| i.label == "cfn.AWS.S3.Bucket"),
            "{} items",
            items.len()
        );
    }
    println!(
        "  completion of `cfn.AWS.S` (a generated family): {}",
        stats(times)
    );
}
