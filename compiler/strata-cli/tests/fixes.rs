//! `strata check --fix` never breaks a program: on every rule fixture of the policy crate (a
//! program written to fire its rule), the machine-applicable fixes are applied and the program
//! is checked again; no error may appear that was not there before (a fix that writes a
//! placeholder name, an unknown field or bad syntax fails here).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

#[path = "support/emitted.rs"]
mod emitted;

/// `(code, message)` of every error `strata check --format json` reports in `dir`.
fn errors(dir: &Path, env: Option<&str>, fix: bool) -> BTreeSet<(String, String)> {
    let mut args = vec!["check", "--format", "json"];
    if fix {
        args.push("--fix");
    }
    if let Some(env) = env {
        args.extend(["--env", env]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(&args)
        .current_dir(dir)
        .output()
        .expect("run strata");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["diagnostics"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .filter(|d| d["severity"] == "error")
                .map(|d| {
                    (
                        d["code"].as_str().unwrap_or_default().to_string(),
                        d["message"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn machine_applicable_fixes_keep_every_rule_fixture_compiling() {
    let root = emitted::repo_root().join("compiler/strata-policy/tests/fixtures/rules");
    let mut files: Vec<_> = walk(&root);
    files.sort();
    assert!(files.len() > 100, "rule fixtures not found under {root:?}");
    let mut broken = Vec::new();
    for file in &files {
        let tmp = tempfile::tempdir().expect("tempdir");
        fs::copy(file, tmp.path().join("main.strata")).expect("copy fixture");
        // `//- env: NAME`: the environment the fixture is checked in.
        let text = fs::read_to_string(file).expect("read fixture");
        let env = text
            .lines()
            .find_map(|l| l.strip_prefix("//- env:"))
            .map(str::trim);
        let before = errors(tmp.path(), env, false);
        let checked = fs::read_to_string(tmp.path().join("main.strata")).expect("read");
        errors(tmp.path(), env, true);
        let fixed = fs::read_to_string(tmp.path().join("main.strata")).expect("read");
        if fixed == checked {
            continue;
        }
        // Errors of the analysis (E…) or lowering (L…) the fixes brought in.
        let after = errors(tmp.path(), env, false);
        let new: Vec<_> = after
            .difference(&before)
            .filter(|(code, _)| code.starts_with('E') || code.starts_with('L'))
            .collect();
        if !new.is_empty() {
            broken.push(format!(
                "{}: {new:?}\n--- fixed text ---\n{fixed}",
                file.strip_prefix(&root).unwrap_or(file).display()
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "machine-applicable fixes broke {} fixture(s):\n{}",
        broken.len(),
        broken.join("\n\n")
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).expect("read fixtures").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "strata") {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_stdlib_type_without_its_import_gets_the_import_once() {
    // `aws` alone is the prelude's provider-settings type: `aws.ec2.Vpc` found it and said
    // "this names a value, not a type" before.
    let text = "// The network.\nresource vpc: aws.ec2.Vpc { cidr = \"10.0.0.0/16\" }\nresource logs: aws.s3.Bucket {}\n";
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("main.strata");
    fs::write(&file, text).expect("write");
    let before = errors(tmp.path(), None, false);
    assert!(
        before
            .iter()
            .any(|(c, m)| c == "E1003" && m == "unknown type `aws.ec2.Vpc`"),
        "{before:?}"
    );
    errors(tmp.path(), None, true);
    let fixed = fs::read_to_string(&file).expect("read");
    assert_eq!(fixed, format!("import aws\n{text}"));
    let after = errors(tmp.path(), None, false);
    assert!(after.iter().all(|(c, _)| c != "E1003"), "{after:?}");
    // A file that starts with a byte-order mark keeps it first.
    fs::write(&file, format!("\u{FEFF}{text}")).expect("write");
    errors(tmp.path(), None, true);
    let fixed = fs::read_to_string(&file).expect("read");
    assert_eq!(fixed, format!("\u{FEFF}import aws\n{text}"));
    assert!(errors(tmp.path(), None, false).is_empty());
}
