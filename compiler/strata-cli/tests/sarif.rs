//! `strata check --format sarif` is valid SARIF 2.1.0 that GitHub code scanning accepts.
//!
//! Every output is judged by `tests/validators/sarif/check.py`: the official OASIS schema
//! (vendored beside it, with its source) through the pinned `jsonschema` of the `lint` validators
//! venv (`tests/validators/setup.sh`; a missing venv fails the test, nothing is skipped), then
//! code scanning's own requirements (rules with descriptions and help, `ruleId`/`ruleIndex`,
//! regions, relative URIs with a declared `uriBaseId`, `primaryLocationLineHash`, limits).
//!
//! - `outputs_are_valid_sarif`: `tests/fixtures/sarif/{findings,clean}` (findings of every
//!   kind; none at all), every e2e fixture, every example in `dev` and `prod`, a project named by
//!   an absolute path inside the repository (relative to its root) and outside it (`file:`
//!   URIs), and one whose directory and file names need percent-encoding.
//! - `checker_rejects_broken_logs`: the checker itself fails on each kind of violation.

use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn python() -> PathBuf {
    let tools = match std::env::var_os("STRATA_TOOLS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/strata-tools")
        }
    };
    let p = tools.join("lint/bin/python");
    assert!(
        p.exists(),
        "validator venv `{}` is missing: run tests/validators/setup.sh",
        p.display()
    );
    p
}

/// `strata check PATH --format sarif` run in `cwd`: (exit code, parsed output).
fn sarif(cwd: &Path, path: &str, env: Option<&str>) -> (i32, Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.args(["check", path, "--format", "sarif"]);
    if let Some(e) = env {
        cmd.args(["--env", e]);
    }
    let out = cmd
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked at"),
        "`strata check {path}` panicked:\n{stderr}"
    );
    let code = out.status.code().unwrap_or(-1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "`strata check {path} --format sarif` did not print JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (code, v)
}

/// Run the checker over `files`: (success, output).
fn check(files: &[PathBuf]) -> (bool, String) {
    let script = repo_root().join("tests/validators/sarif/check.py");
    let out = Command::new(python())
        .arg(script)
        .args(files)
        .output()
        .expect("run check.py");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn results(v: &Value) -> &Vec<Value> {
    v["runs"][0]["results"].as_array().expect("results")
}

fn dirs_in(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn outputs_are_valid_sarif() {
    let root = repo_root();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    let mut save = |name: &str, v: &Value| {
        let p = tmp
            .path()
            .join(format!("{}.sarif", name.replace(['/', ' '], "_")));
        fs::write(&p, serde_json::to_string_pretty(v).expect("json")).expect("write");
        files.push(p);
    };

    // The fixtures made for this test: what they must contain, then validity.
    let (code, findings) = sarif(&root, "tests/fixtures/sarif/findings", None);
    assert_eq!(code, 1, "findings has errors");
    let res = results(&findings);
    let ids: Vec<&str> = res.iter().filter_map(|r| r["ruleId"].as_str()).collect();
    for want in [
        "SEC040",
        "SEC003",
        "COST006",
        "COST002",
        "POL001",
        "POLICY001",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    for level in ["error", "warning", "note"] {
        assert!(res.iter().any(|r| r["level"] == level), "no {level} result");
    }
    assert_eq!(
        res[0]["locations"][0]["physicalLocation"]["artifactLocation"],
        json!({ "uri": "tests/fixtures/sarif/findings/main.strata", "uriBaseId": "%SRCROOT%" })
    );
    let rules = findings["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let security = rules
        .iter()
        .find(|r| r["id"] == "SEC040")
        .expect("SEC040 rule");
    assert_eq!(security["properties"]["tags"], json!(["security"]));
    assert!(security["properties"]["security-severity"].is_string());
    // A project policy is described by its title, not by the message of its first finding.
    let policy = rules
        .iter()
        .find(|r| r["id"] == "POLICY001")
        .expect("POLICY001 rule");
    assert_eq!(
        (&policy["name"], &policy["shortDescription"]["text"]),
        (&json!("keys-rotate"), &json!("keys rotate"))
    );
    save("findings", &findings);

    let (code, clean) = sarif(&root, "tests/fixtures/sarif/clean", None);
    assert_eq!(code, 0);
    assert!(
        results(&clean).is_empty(),
        "clean has results: {:#}",
        clean["runs"][0]["results"]
    );
    save("clean", &clean);

    // Every e2e fixture (syntax, type, graph and configuration errors too) and every example.
    for case in dirs_in(&root.join("tests/e2e/fixtures")) {
        let (_, v) = sarif(&root, &format!("tests/e2e/fixtures/{case}"), None);
        save(&format!("e2e-{case}"), &v);
    }
    for example in [
        "ragonometrics-aws",
        "ragonometrics-gcp",
        "community-platform",
        "community-platform/dr",
        "infrastructure-directory",
        "circle-core",
        "infini-x",
        "quickstart",
    ] {
        for env in ["dev", "prod"] {
            let (_, v) = sarif(&root, &format!("examples/{example}"), Some(env));
            save(&format!("example-{example}-{env}"), &v);
        }
    }

    // A project named by an absolute path inside the repository: relative to its root (the
    // run's `%SRCROOT%`), whatever the current directory.
    let abs = root.join("tests/fixtures/sarif/findings");
    let (_, v) = sarif(&root.join("compiler"), &abs.to_string_lossy(), None);
    let location =
        &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "tests/fixtures/sarif/findings/main.strata");
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .map(|u| u.trim_end_matches('/').to_string()),
        Some(format!("file://{}", root.display()))
    );
    save("absolute", &v);
    // Outside the repository: `file:` URIs, no base.
    let outside = tmp.path().join("outside");
    fs::create_dir_all(&outside).expect("mkdir");
    fs::copy(abs.join("main.strata"), outside.join("main.strata")).expect("copy");
    let (_, v) = sarif(&root, &outside.to_string_lossy(), None);
    let uri = v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .expect("uri")
        .to_string();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/outside/main.strata"),
        "{uri}"
    );
    save("outside", &v);

    // Names with a space, `#`, `%` and non-ASCII letters: percent-encoded.
    let weird = tmp.path().join("we ird#50%");
    fs::create_dir_all(&weird).expect("mkdir");
    fs::copy(
        root.join("tests/fixtures/sarif/findings/main.strata"),
        weird.join("mäin 1.strata"),
    )
    .expect("copy");
    let (_, v) = sarif(tmp.path(), "we ird#50%", None);
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "we%20ird%2350%25/m%C3%A4in%201.strata"
    );
    save("weird-names", &v);

    let (ok, out) = check(&files);
    assert!(ok, "invalid SARIF:\n{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        files.len(),
        "{out}"
    );
}

#[test]
fn checker_rejects_broken_logs() {
    let root = repo_root();
    let (_, good) = sarif(&root, "tests/fixtures/sarif/findings", None);
    type Break = fn(&mut Value);
    let cases: &[(&str, Break, &str)] = &[
        (
            "schema-level",
            |v| v["runs"][0]["results"][0]["level"] = json!("fatal"),
            "schema: runs/0/results/0/level",
        ),
        (
            "schema-extra-property",
            |v| v["runs"][0]["results"][0]["severity"] = json!("high"),
            "schema: runs/0/results/0",
        ),
        (
            "schema-start-line",
            |v| {
                v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
                    ["startLine"] = json!(0)
            },
            "schema: runs/0/results/0/locations/0/physicalLocation/region/startLine",
        ),
        (
            "unencoded-uri",
            |v| {
                v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                    ["uri"] = json!("a dir/main.strata")
            },
            "not a valid URI reference",
        ),
        (
            "undeclared-base",
            |v| v["runs"][0]["originalUriBaseIds"] = json!({}),
            "is not declared in run.originalUriBaseIds",
        ),
        (
            "absolute-with-base",
            |v| {
                v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                    ["uri"] = json!("file:///x/main.strata")
            },
            "is absolute but has a uriBaseId",
        ),
        (
            "rule-without-help",
            |v| {
                v["runs"][0]["tool"]["driver"]["rules"][0]
                    .as_object_mut()
                    .expect("rule")
                    .remove("help")
                    .map(drop)
                    .unwrap_or(())
            },
            "help.text missing",
        ),
        (
            "rule-index",
            |v| v["runs"][0]["results"][0]["ruleIndex"] = json!(1000),
            "is not the index of",
        ),
        (
            "no-fingerprint",
            |v| {
                v["runs"][0]["results"][0]
                    .as_object_mut()
                    .expect("result")
                    .remove("partialFingerprints")
                    .map(drop)
                    .unwrap_or(())
            },
            "primaryLocationLineHash is missing",
        ),
        (
            "no-locations",
            |v| v["runs"][0]["results"][0]["locations"] = json!([]),
            "0 locations",
        ),
        (
            "duplicate-fingerprint",
            |v| {
                let r = v["runs"][0]["results"][0].clone();
                v["runs"][0]["results"]
                    .as_array_mut()
                    .expect("results")
                    .push(r);
            },
            "is not unique",
        ),
    ];
    let tmp = tempfile::tempdir().expect("tempdir");
    let good_path = tmp.path().join("good.sarif");
    fs::write(&good_path, good.to_string()).expect("write");
    let (ok, out) = check(std::slice::from_ref(&good_path));
    assert!(ok, "the unbroken log must pass:\n{out}");
    for (name, break_it, expect) in cases {
        let mut v = good.clone();
        break_it(&mut v);
        let p = tmp.path().join(format!("{name}.sarif"));
        fs::write(&p, v.to_string()).expect("write");
        let (ok, out) = check(std::slice::from_ref(&p));
        assert!(!ok, "{name}: the checker accepted a broken log");
        assert!(
            out.contains(expect),
            "{name}: expected `{expect}` in:\n{out}"
        );
    }
}
