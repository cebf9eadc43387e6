//! Data-driven syntax tests. Fixtures live in `tests/fixtures/syntax/` at the repository root:
//!
//! - `valid/*.strata`: must parse without diagnostics; snapshot of the span-free tree; the
//!   formatter must be idempotent on them, keep every comment, and give back the same tree.
//! - `invalid/*.strata`: must report at least one error; snapshot of the diagnostics (rendered
//!   at their span) followed by the recovered tree. Together they cover every syntax code.
//! - `format/*.strata`: snapshot of the formatted text (plus the same invariants as `valid`).
//!
//! The stdlib's `.strata` files are checked like valid fixtures (without snapshots).

mod common;

use common::{comment_texts, render_diags, settings};
use std::collections::BTreeSet;
use std::path::Path;
use strata_base::{FileId, Severity};
use strata_syntax::{codes, dump, format, format_source, parse};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Formatting `text` (which must be valid) is idempotent, keeps every comment, and does not
/// change the tree.
fn check_format_invariants(name: &str, text: &str) -> String {
    let (tree, diags) = parse(FileId(0), text);
    assert!(
        diags.is_empty(),
        "{name}: unexpected diagnostics:\n{}",
        render_diags(text, &diags)
    );
    let once = format(&tree, text);
    let (tree2, diags2) = parse(FileId(0), &once);
    assert!(
        diags2.is_empty(),
        "{name}: formatted output does not parse:\n{}\n{once}",
        render_diags(&once, &diags2)
    );
    assert_eq!(
        dump(&tree),
        dump(&tree2),
        "{name}: formatting changed the tree; output:\n{once}"
    );
    assert_eq!(
        comment_texts(&tree),
        comment_texts(&tree2),
        "{name}: formatting lost or changed comments; output:\n{once}"
    );
    let twice = format(&tree2, &once);
    assert_eq!(once, twice, "{name}: formatting is not idempotent");
    assert_eq!(format_source(text).ok().as_deref(), Some(once.as_str()));
    once
}

#[test]
fn valid_fixtures() {
    settings().bind(|| {
        insta::glob!("../../../tests/fixtures/syntax", "valid/*.strata", |path| {
            let text = read(path);
            let (tree, diags) = parse(FileId(0), &text);
            assert!(
                diags.is_empty(),
                "{}: unexpected diagnostics:\n{}",
                path.display(),
                render_diags(&text, &diags)
            );
            insta::assert_snapshot!("parse", dump(&tree));
            check_format_invariants(&path.display().to_string(), &text);
        });
    });
}

#[test]
fn invalid_fixtures() {
    settings().bind(|| {
        insta::glob!(
            "../../../tests/fixtures/syntax",
            "invalid/*.strata",
            |path| {
                let text = read(path);
                let (tree, diags) = parse(FileId(0), &text);
                assert!(
                    diags.iter().any(|d| d.severity == Severity::Error),
                    "{}: expected at least one syntax error",
                    path.display()
                );
                // The formatter refuses files with errors, and never panics on their trees.
                assert!(format_source(&text).is_err());
                let _ = format(&tree, &text);
                let out = format!(
                    "{}\n--- tree ---\n{}",
                    render_diags(&text, &diags),
                    dump(&tree)
                );
                insta::assert_snapshot!("diagnostics", out);
            }
        );
    });
}

#[test]
fn format_fixtures() {
    settings().bind(|| {
        insta::glob!(
            "../../../tests/fixtures/syntax",
            "format/*.strata",
            |path| {
                let text = read(path);
                let out = check_format_invariants(&path.display().to_string(), &text);
                insta::assert_snapshot!("formatted", out);
            }
        );
    });
}

fn fixtures_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/syntax")
}

fn strata_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            strata_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "strata") {
            out.push(p);
        }
    }
}

/// Every syntax code is produced by at least one invalid fixture (E0016 by a generated file).
#[test]
fn invalid_fixtures_cover_every_code() {
    let mut files = Vec::new();
    strata_files(&fixtures_dir().join("invalid"), &mut files);
    let mut seen = BTreeSet::new();
    for f in &files {
        let text = read(f);
        for d in parse(FileId(0), &text).1 {
            seen.insert(d.code);
        }
    }
    let many: String = (0..300).map(|i| format!("let x{i} = = 1\n")).collect();
    let diags = parse(FileId(0), &many).1;
    assert_eq!(diags.len(), strata_syntax::MAX_DIAGNOSTICS + 1);
    assert_eq!(diags.last().map(|d| d.code.as_str()), Some("E0016"));
    seen.insert("E0016".to_string());
    let all: BTreeSet<String> = codes().iter().map(|c| c.code.to_string()).collect();
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "codes without an invalid fixture: {missing:?}"
    );
    let unknown: Vec<_> = seen.difference(&all).collect();
    assert!(
        unknown.is_empty(),
        "codes reported but not documented by codes(): {unknown:?}"
    );
}

/// The embedded standard library parses cleanly and is formatted idempotently.
#[test]
fn stdlib_files_parse_and_format() {
    let mut files = Vec::new();
    strata_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../stdlib"),
        &mut files,
    );
    assert!(!files.is_empty(), "no stdlib .strata files found");
    for f in &files {
        let text = read(f);
        check_format_invariants(&f.display().to_string(), &text);
    }
}

#[test]
fn codes_are_documented() {
    let codes = codes();
    let mut prev = "";
    for c in &codes {
        assert!(
            c.code > prev,
            "codes must be unique and sorted: {} after {prev}",
            c.code
        );
        prev = c.code;
        assert!(c.code.starts_with("E00") && c.code.len() == 5, "{}", c.code);
        assert!(
            c.name
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch == '-'),
            "{} is not kebab-case",
            c.name
        );
        for section in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## Fix",
        ] {
            assert!(c.doc.contains(section), "{} lacks {section}", c.code);
        }
    }
}
