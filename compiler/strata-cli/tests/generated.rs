//! The generated layer end to end, through the `strata` binary: the projects of
//! `tests/generated/projects/` — SNS, DynamoDB, CloudWatch and KMS as `cfn.*` types; the same
//! kind of stack as `tf.*` types for AWS, GCP and Azure; Kubernetes RBAC, CronJob, PDB and PVC
//! as `kube.*` types; a GCP network, firewall and bucket as `dm.*` types; a cert-manager
//! Certificate typed from the project's CRD (`[kubernetes] crds`) — each:
//!
//! - checks clean (exit 0, nothing above `info`) and is formatted;
//! - compiles, and its emitted files match `snapshots/generated/<project>/`;
//! - compiles only to its family's target: `--target` leaving it out is L0009.
//!
//! The emitted files are judged by cfn-lint, the Terraform provider-schema check,
//! kubernetes-validate --strict and the Deployment Manager check in `tests/generated/suite.sh`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PROJECTS: &[(&str, &str)] = &[
    ("cfn-aws", "cloudformation"),
    ("tf-aws", "terraform"),
    ("tf-gcp", "terraform"),
    ("tf-azure", "terraform"),
    ("kube", "kubernetes"),
    ("dm", "deployment-manager"),
    ("crd", "kubernetes"),
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn strata(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        !e.contains("panicked at"),
        "`strata {}` panicked:\n{e}",
        args.join(" ")
    );
    (out.status.code().unwrap_or(-1), o, e)
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(rd) = fs::read_dir(dir) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if let (Ok(rel), Ok(text)) = (p.strip_prefix(base), fs::read_to_string(&p)) {
                out.insert(rel.to_string_lossy().replace('\\', "/"), text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn generated_projects_check_clean_and_are_formatted() {
    for (p, _) in PROJECTS {
        let dir = format!("tests/generated/projects/{p}");
        let (code, out, err) = strata(&["check", &dir, "--format", "json"]);
        assert_eq!(code, 0, "{p}: strata check failed:\n{out}\n{err}");
        let json: serde_json::Value = serde_json::from_str(&out).expect("check --format json");
        let noisy: Vec<&serde_json::Value> = json["diagnostics"]
            .as_array()
            .map(|a| a.iter().filter(|d| d["severity"] != "info").collect())
            .unwrap_or_default();
        assert!(noisy.is_empty(), "{p}: findings above info:\n{noisy:#?}");
        let (code, out, err) = strata(&["fmt", "--check", &dir]);
        assert_eq!(code, 0, "{p}: not formatted:\n{out}\n{err}");
    }
}

#[test]
fn generated_projects_compile_to_their_target_and_match_snapshots() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (p, target) in PROJECTS {
        let out = tmp.path().join(p);
        let out_s = out.to_string_lossy().into_owned();
        let (code, o, e) = strata(&[
            "compile",
            &format!("tests/generated/projects/{p}"),
            "--out",
            &out_s,
        ]);
        assert_eq!(code, 0, "{p}: compile failed:\n{o}\n{e}");
        let files = read_tree(&out);
        assert!(
            !files.is_empty() && files.keys().all(|f| f.starts_with(&format!("{target}/"))),
            "{p}: expected only {target}/ files, got {:?}",
            files.keys()
        );
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(repo_root().join("snapshots/generated").join(p));
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| {
            for (rel, text) in &files {
                insta::assert_snapshot!(rel.replace('/', "__"), text);
            }
        });
    }
}

#[test]
fn a_target_that_cannot_hold_a_generated_type_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().to_string_lossy().into_owned();
    let (code, o, e) = strata(&[
        "compile",
        "tests/generated/projects/cfn-aws",
        "--target",
        "terraform",
        "--out",
        &out,
    ]);
    assert_eq!(code, 2, "{o}\n{e}");
    assert!(
        e.contains("L0009") && e.contains("only cloudformation can hold"),
        "{e}"
    );
}
