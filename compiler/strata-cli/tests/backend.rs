//! Terraform state backends: `backend = s3 { ... }` (and `gcs`, `azurerm`, `remote`) on a stack
//! writes `terraform { backend "KIND" { ... } }` into the stack's root module, next to the pinned
//! `required_providers`; unknown backends and settings are errors with a suggestion.
//!
//! `tests/fixtures/backend` has one stack per backend. Each emitted `main.tf` goes through
//! `terraform fmt -check` and `terraform init` without credentials or network: Terraform checks
//! the backend block against the backend's own schema before it connects, so the run must fail
//! on credentials or on the network, never on the configuration (an unsupported argument, a
//! block written as an attribute, a missing required argument). Terraform is required (as for
//! the validators); a missing binary fails the test.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn strata(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn terraform() -> PathBuf {
    let local = PathBuf::from("/usr/local/bin/terraform");
    if local.exists() {
        return local;
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("terraform"))
                .find(|p| p.exists())
        })
        .expect("terraform is not installed (the validators need it: /usr/local/bin/terraform)")
}

/// Compile the fixture for Terraform into a temporary directory: (dir, main.tf of each stack).
fn compiled() -> (tempfile::TempDir, Vec<(String, PathBuf)>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fixture = repo_root().join("tests/fixtures/backend");
    let out = tmp.path().join("out");
    let (code, stdout, stderr) = strata(
        &fixture,
        &[
            "compile",
            ".",
            "--target",
            "tf",
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let files = ["a", "g", "r", "s"]
        .iter()
        .map(|s| (s.to_string(), out.join(format!("terraform/{s}/main.tf"))))
        .collect::<Vec<_>>();
    for (_, f) in &files {
        assert!(stdout.contains("main.tf") && f.exists(), "{stdout}");
    }
    (tmp, files)
}

#[test]
fn each_backend_is_written_in_the_terraform_block() {
    let (_tmp, files) = compiled();
    let text = |s: &str| {
        fs::read_to_string(&files.iter().find(|(n, _)| n == s).expect("stack").1)
            .expect("read main.tf")
    };
    let s3 = text("s");
    assert!(
        s3.starts_with("terraform {\n  required_version = \">= 1.5.0\"\n\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"~> 6.0\"\n    }\n  }\n\n  backend \"s3\" {\n    assume_role = {\n      role_arn = \"arn:aws:iam::123456789012:role/tfstate\"\n    }\n    bucket       = \"acme-tfstate\"\n    encrypt      = true\n    key          = \"shop/prod.tfstate\"\n    region       = \"eu-west-1\"\n    use_lockfile = true\n  }\n}\n"),
        "{s3}"
    );
    assert!(
        text("g").contains("  backend \"gcs\" {\n    bucket = \"acme-tfstate\"\n    prefix = \"shop/prod\"\n  }\n}\n"),
        "{}",
        text("g")
    );
    assert!(
        text("a").contains("  backend \"azurerm\" {\n    container_name       = \"tfstate\"\n    key                  = \"shop/prod.tfstate\"\n    resource_group_name  = \"rg-tfstate\"\n    storage_account_name = \"acmetfstate\"\n    use_azuread_auth     = true\n  }\n}\n"),
        "{}",
        text("a")
    );
    // `workspaces` is a nested block of the remote backend.
    assert!(
        text("r").contains("  backend \"remote\" {\n    organization = \"acme\"\n\n    workspaces {\n      name = \"shop-prod\"\n    }\n  }\n}\n"),
        "{}",
        text("r")
    );
}

#[test]
fn terraform_accepts_every_backend_block() {
    let (tmp, files) = compiled();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).expect("mkdir");
    let rc = tmp.path().join("terraformrc");
    fs::write(&rc, "").expect("write");
    for (stack, file) in &files {
        let dir = file.parent().expect("stack directory");
        let tf = |args: &[&str]| {
            let out = Command::new(terraform())
                .args(args)
                .current_dir(dir)
                .env("HOME", &home)
                .env("TF_CLI_CONFIG_FILE", &rc)
                .env("CHECKPOINT_DISABLE", "1")
                .env("TF_IN_AUTOMATION", "1")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env("PATH", "/usr/bin:/bin")
                .env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_PROFILE")
                .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
                .env_remove("TF_TOKEN_app_terraform_io")
                .stdin(Stdio::null())
                .output()
                .expect("run terraform");
            (
                out.status.success(),
                format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            )
        };
        let (ok, text) = tf(&["fmt", "-check", "-diff", "."]);
        assert!(ok, "{stack}: terraform fmt -check:\n{text}");
        let (_, text) = tf(&["init", "-input=false", "-no-color"]);
        assert!(
            text.contains("Initializing the backend"),
            "{stack}: terraform init did not reach the backend:\n{text}"
        );
        for bad in [
            "Unsupported argument",
            "Unsupported block type",
            "Missing required argument",
            "Incorrect attribute value type",
            "Invalid backend",
            "Argument or block definition required",
        ] {
            assert!(
                !text.contains(bad),
                "{stack}: Terraform rejects the backend block ({bad}):\n{text}"
            );
        }
    }
}

#[test]
fn unknown_backends_and_settings_are_errors_with_suggestions() {
    let p = tempfile::tempdir().expect("tempdir");
    let write = |text: &str| fs::write(p.path().join("main.strata"), text).expect("write");
    let base = "import aws\nstack s {\n  provider = aws { region = \"us-east-1\" }\n  backend = BACKEND\n}\nresource k: aws.kms.Key { rotation = true }\n";
    let check = |backend: &str| {
        write(&base.replace("BACKEND", backend));
        let (code, stdout, _) = strata(p.path(), &["check", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
        (
            code,
            v["diagnostics"].as_array().cloned().unwrap_or_default(),
        )
    };
    let (code, d) = check("s4 { bucket = \"acme-state\", key = \"k\", region = \"us-east-1\" }");
    assert_eq!(code, 2);
    assert_eq!(d[0]["code"], "E2010");
    assert_eq!(d[0]["message"], "unknown backend `s4`");
    assert_eq!(d[0]["fixes"][0]["edits"][0]["replacement"], "s3");
    let (code, d) = check(
        "s3 { bucket = \"acme-state\", key = \"k\", region = \"us-east-1\", encrpyt = true }",
    );
    assert_eq!(code, 2);
    assert_eq!(d[0]["code"], "E2001");
    assert_eq!(d[0]["help"], "did you mean `encrypt`?");
    let (code, d) = check("s3 { bucket = \"acme-state\", region = \"us-east-1\" }");
    assert_eq!(code, 2, "{d:#?}");
    assert!(
        d.iter()
            .any(|x| x["message"].as_str().is_some_and(|m| m.contains("key"))),
        "{d:#?}"
    );
    let (code, d) = check("\"s3://b/k\"");
    assert_eq!(code, 2);
    assert_eq!(d[0]["message"], "`backend` must name a Terraform backend");
    let (code, _) = check("gcs { bucket = \"acme-state\" }");
    assert!(code < 2);
}
