//! Reading emitted artifacts in the CLI's integration tests: the repository root, files,
//! Terraform blocks of a formatted file, the statements of a CloudFormation role, and compiling an example. Each test
//! crate uses part of it.
#![allow(dead_code)]

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

pub fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `resource "TYPE" "NAME" { ... }` and `data "TYPE" "NAME" { ... }` blocks of a
/// `terraform fmt`-formatted file: (kind, type, name) → body, one line per line with single
/// spaces (`terraform fmt` aligns the `=` of neighbouring lines: one space is compared).
pub fn tf_blocks_all(text: &str) -> BTreeMap<(String, String, String), String> {
    let mut out = BTreeMap::new();
    let mut cur: Option<((String, String, String), String)> = None;
    for line in text.lines() {
        let opened = ["resource", "data"].iter().find_map(|kind| {
            let rest = line.strip_prefix(&format!("{kind} \""))?;
            let mut parts = rest.split('"');
            let ty = parts.next().unwrap_or("").to_string();
            parts.next();
            let name = parts.next().unwrap_or("").to_string();
            Some((kind.to_string(), ty, name))
        });
        if let Some(k) = opened {
            cur = Some((k, String::new()));
            continue;
        }
        if line == "}" {
            if let Some((k, body)) = cur.take() {
                out.insert(k, body);
            }
            continue;
        }
        if let Some((_, body)) = cur.as_mut() {
            body.push_str(&line.split_whitespace().collect::<Vec<_>>().join(" "));
            body.push('\n');
        }
    }
    out
}

/// The `resource` blocks of a formatted file: (type, name) → body, as [`tf_blocks_all`].
pub fn tf_blocks(text: &str) -> BTreeMap<(String, String), String> {
    tf_blocks_all(text)
        .into_iter()
        .filter(|((kind, _, _), _)| kind == "resource")
        .map(|((_, ty, name), body)| ((ty, name), body))
        .collect()
}

/// The body of resource `ty.name` (panics naming it when there is none).
pub fn body<'a>(b: &'a BTreeMap<(String, String), String>, ty: &str, name: &str) -> &'a str {
    b.get(&(ty.to_string(), name.to_string()))
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no {ty}.{name}"))
}

/// Every statement of the inline policies of a CloudFormation role (its `Properties`):
/// (sid, sorted actions, resources).
pub fn policy_statements(role_props: &Json) -> Vec<(String, Vec<String>, Json)> {
    let mut out = Vec::new();
    for p in role_props["Policies"].as_array().into_iter().flatten() {
        for s in p["PolicyDocument"]["Statement"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let mut actions: Vec<String> = match &s["Action"] {
                Json::String(a) => vec![a.clone()],
                Json::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            };
            actions.sort();
            out.push((
                s["Sid"].as_str().unwrap_or("").to_string(),
                actions,
                s["Resource"].clone(),
            ));
        }
    }
    out
}

/// `strata compile PROJECT ARGS --out OUT` (PROJECT relative to the repository root), which
/// must succeed.
pub fn compile_project(project: &Path, args: &[&str], out: &Path) {
    let run = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("compile")
        .arg(project)
        .args(args)
        .arg("--out")
        .arg(out)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    assert!(
        run.status.success(),
        "strata compile {} {args:?}:\n{}",
        project.display(),
        String::from_utf8_lossy(&run.stderr)
    );
}
