//! Data-driven end-to-end tests: every `tests/fixtures/*.strata` file is analysed by the real
//! front end, lowered (`lower_portable`, `to_targets`), and the diagnostics of every stage
//! plus each target program (as stable JSON) are snapshotted in `tests/snapshots/`.
//!
//! Header lines: `//- env: NAME` sets `--env`; `//- targets: a,b` restricts the targets.

mod common;

use std::fmt::Write as _;
use strata_model::{Provider, Target};

fn run(text: &str) -> String {
    let mut env = None;
    let mut targets: Option<Vec<Target>> = None;
    for line in text.lines() {
        if let Some(e) = line.strip_prefix("//- env: ") {
            env = Some(e.trim().to_string());
        }
        if let Some(t) = line.strip_prefix("//- targets: ") {
            targets = Some(
                t.split(',')
                    .filter_map(|x| Target::parse(x.trim()))
                    .collect(),
            );
        }
    }
    let a = common::analyse(text, env.as_deref());
    let mut out = String::new();
    // Stdlib files are checked by tests/stdlib.rs; only the fixture's own diagnostics here.
    let own: Vec<_> = a
        .diags
        .iter()
        .filter(|d| {
            a.sources
                .try_get(d.primary.span.file)
                .is_some_and(|f| !f.is_stdlib)
        })
        .cloned()
        .collect();
    let front = common::render_diags(&own, &a.sources);
    if !front.is_empty() {
        let _ = writeln!(out, "== front-end diagnostics\n{front}");
    }
    let (model, diags) = strata_lower::lower_portable(a.model, &a.schemas);
    let _ = writeln!(
        out,
        "== lower_portable diagnostics\n{}",
        common::render_diags(&diags, &a.sources)
    );
    let lowered: Vec<String> = model
        .resources
        .iter()
        .filter(|r| r.lowered_from.is_some() || r.provider == Provider::Portable)
        .map(|r| {
            let from = r
                .lowered_from
                .map(|o| format!(" <- {}", model.resource(o).name))
                .unwrap_or_default();
            format!("{} {}: {}{from}", r.id.0, r.name, r.ty)
        })
        .collect();
    if !lowered.is_empty() {
        let _ = writeln!(out, "== lowered resources\n{}\n", lowered.join("\n"));
    }
    let (programs, diags) = strata_lower::to_targets(&model, &a.schemas, targets.as_deref());
    let _ = writeln!(
        out,
        "== to_targets diagnostics\n{}",
        common::render_diags(&diags, &a.sources)
    );
    for p in &programs {
        let j = common::program_json(p);
        let _ = writeln!(
            out,
            "== {} / {}\n{}\n",
            p.stack,
            p.target.dir_name(),
            serde_json::to_string_pretty(&j).unwrap_or_default()
        );
    }
    out
}

#[test]
fn fixtures() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "strata"))
        .collect();
    entries.sort();
    assert!(!entries.is_empty());
    for path in entries {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("fixture")
            .to_string();
        let text = std::fs::read_to_string(&path).expect("fixture");
        let out = run(&text);
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, description => format!("fixture {name}.strata") }, {
            insta::assert_snapshot!(name, out);
        });
    }
}
