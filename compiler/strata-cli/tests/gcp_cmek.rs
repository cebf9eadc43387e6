//! Customer-managed keys on Google Cloud (issue 12, items 5 and 7): a `gcp.kms.CryptoKey`
//! grants `roles/cloudkms.cryptoKeyEncrypterDecrypter` to the service agent of each service
//! that uses it, on that key only, and each resource using the key is created after those
//! grants; Deployment Manager, which cannot name an agent, gets note L0017 with the commands.
//!
//! `tests/fixtures/gcp-cmek`: a key used by two buckets, a Pub/Sub topic, a Cloud SQL instance
//! and an Artifact Registry repository, and a key nobody uses.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "support/emitted.rs"]
mod emitted;
use emitted::*;

fn strata(args: &[&str], project: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .arg(project)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata")
}

/// The fixture with `main.strata` replaced by `source` (when given), compiled to `out`.
fn compile(source: Option<&str>, out: &Path) -> Output {
    let fixture = repo_root().join("compiler/strata-cli/tests/fixtures/gcp-cmek");
    let project = tempfile::tempdir().expect("tempdir");
    let text = match source {
        Some(s) => s.to_string(),
        None => fs::read_to_string(fixture.join("main.strata")).expect("fixture"),
    };
    fs::write(project.path().join("main.strata"), text).expect("write");
    let run = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("compile")
        .arg(project.path())
        .arg("--out")
        .arg(out)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    assert!(
        run.status.success(),
        "strata compile:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    run
}

fn tf_blocks(text: &str) -> Blocks {
    tf_blocks_all(text)
}

type Blocks = BTreeMap<(String, String, String), String>;

fn main_tf(out: &Path) -> Blocks {
    let text = fs::read_to_string(out.join("terraform/data/main.tf")).expect("main.tf");
    tf_blocks(&text)
}

fn resource<'a>(b: &'a Blocks, ty: &str, name: &str) -> &'a str {
    b.get(&("resource".into(), ty.into(), name.into()))
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no resource {ty}.{name}"))
}

/// The grants on `key`: label → member line.
fn grants(b: &Blocks, key: &str) -> BTreeMap<String, String> {
    let on = format!("crypto_key_id = google_kms_crypto_key.{key}.id");
    b.iter()
        .filter(|((kind, ty, _), body)| {
            kind == "resource" && ty == "google_kms_crypto_key_iam_member" && body.contains(&on)
        })
        .map(|((_, _, name), body)| {
            assert!(
                body.contains("role = \"roles/cloudkms.cryptoKeyEncrypterDecrypter\""),
                "{name}: {body}"
            );
            let member = body
                .lines()
                .find(|l| l.starts_with("member = "))
                .unwrap_or_else(|| panic!("{name} has no member: {body}"));
            (name.clone(), member.to_string())
        })
        .collect()
}

/// The labels of the `google_kms_crypto_key_iam_member`s a body's `depends_on` names.
fn grant_deps(body: &str) -> BTreeSet<String> {
    let line = body
        .lines()
        .find(|l| l.starts_with("depends_on = ["))
        .unwrap_or("");
    line.trim_start_matches("depends_on = [")
        .trim_end_matches(']')
        .split(", ")
        .filter_map(|d| d.strip_prefix("google_kms_crypto_key_iam_member."))
        .map(str::to_string)
        .collect()
}

#[test]
fn each_service_agent_gets_one_grant_on_the_key_it_uses() {
    let dir = tempfile::tempdir().expect("tempdir");
    compile(None, dir.path());
    let b = main_tf(dir.path());

    let shared = grants(&b, "shared");
    let number = "${data.google_project.shared.number}";
    let expected: BTreeMap<String, String> = [
        (
            "shared_agent_artifactregistry",
            format!("member = \"serviceAccount:service-{number}@gcp-sa-artifactregistry.iam.gserviceaccount.com\""),
        ),
        (
            "shared_agent_pubsub",
            format!("member = \"serviceAccount:service-{number}@gcp-sa-pubsub.iam.gserviceaccount.com\""),
        ),
        (
            "shared_agent_sql",
            format!("member = \"serviceAccount:service-{number}@gcp-sa-cloud-sql.iam.gserviceaccount.com\""),
        ),
        // Two buckets, one grant: Cloud Storage's agent of the project.
        (
            "shared_agent_storage",
            "member = data.google_storage_project_service_account.shared.member".to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(shared, expected);

    // The agents are read from the project: its number, Cloud Storage's agent (in the stack's
    // project).
    let project = b
        .get(&("data".into(), "google_project".into(), "shared".into()))
        .expect("data.google_project.shared");
    assert!(project.contains("project_id = \"acme-data\""), "{project}");
    let storage = b
        .get(&(
            "data".into(),
            "google_storage_project_service_account".into(),
            "shared".into(),
        ))
        .expect("data.google_storage_project_service_account.shared");
    assert!(storage.contains("project = \"acme-data\""), "{storage}");

    // A key nobody uses grants nothing and reads nothing.
    assert!(grants(&b, "idle").is_empty());
    assert!(!b
        .keys()
        .any(|(kind, _, name)| kind == "data" && name == "idle"));

    // Every resource using the key is created after its service's grant.
    for (ty, name, service) in [
        ("google_storage_bucket", "uploads", "storage"),
        ("google_storage_bucket", "exports", "storage"),
        ("google_pubsub_topic", "events", "pubsub"),
        ("google_sql_database_instance", "db", "sql"),
        (
            "google_artifact_registry_repository",
            "images",
            "artifactregistry",
        ),
    ] {
        let deps = grant_deps(resource(&b, ty, name));
        assert_eq!(
            deps,
            BTreeSet::from([format!("shared_agent_{service}")]),
            "{ty}.{name} must wait for its own service's grant (only)"
        );
    }
    // What does not use a key waits for no grant.
    assert!(grant_deps(resource(&b, "google_compute_network", "net")).is_empty());
}

#[test]
fn cloud_logging_agent_comes_from_the_project_settings() {
    let dir = tempfile::tempdir().expect("tempdir");
    compile(
        Some(
            r#"import gcp
stack data { provider = gcp { project = "acme-data", region = "europe-west1" } }
resource ring: gcp.kms.KeyRing {}
resource key: gcp.kms.CryptoKey { key_ring = ring }
resource a: gcp.storage.Bucket { encryption = key }
resource b: gcp.storage.Bucket { encryption = key }
resource logs: gcp.logging.Bucket { location = "europe-west1", encryption = key }
resource objects: gcp.kms.CryptoKey { key_ring = ring }
resource c: gcp.storage.Bucket { encryption = objects }
"#,
        ),
        dir.path(),
    );
    let b = main_tf(dir.path());
    let g = grants(&b, "key");
    assert_eq!(
        g.keys().cloned().collect::<Vec<_>>(),
        ["key_agent_logging", "key_agent_storage"]
    );
    // Cloud Logging's CMEK agent comes from the project's Logging settings.
    assert_eq!(
        g["key_agent_logging"],
        "member = \"serviceAccount:${data.google_logging_project_settings.key.kms_service_account_id}\""
    );
    let settings = b
        .get(&(
            "data".into(),
            "google_logging_project_settings".into(),
            "key".into(),
        ))
        .expect("data.google_logging_project_settings.key");
    assert!(
        settings.contains("project = data.google_project.key.project_id"),
        "{settings}"
    );
    assert!(
        grant_deps(resource(&b, "google_logging_project_bucket_config", "logs"))
            .contains("key_agent_logging")
    );
    // A key only buckets use needs no project number: Cloud Storage's agent is read directly.
    assert_eq!(
        grants(&b, "objects").keys().cloned().collect::<Vec<_>>(),
        ["objects_agent_storage"]
    );
    assert!(!b.contains_key(&("data".into(), "google_project".into(), "objects".into())));
    assert_eq!(
        grant_deps(resource(&b, "google_storage_bucket", "c")),
        BTreeSet::from(["objects_agent_storage".to_string()])
    );
}

#[test]
fn deployment_manager_says_which_grants_it_cannot_make() {
    let fixture = repo_root().join("compiler/strata-cli/tests/fixtures/gcp-cmek");
    let run = strata(&["check", "--format", "json"], &fixture);
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&run.stdout));
    });
    let notes: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "L0017")
        .collect();
    // Once, at the key that services use (line 9); not at the idle key.
    assert_eq!(notes.len(), 1, "{notes:?}");
    let note = notes[0];
    assert_eq!(note["severity"], "info");
    assert_eq!(note["line"], 9);
    let message = note["message"].as_str().unwrap_or("");
    assert!(
        message.contains("Artifact Registry, Pub/Sub, Cloud SQL, Cloud Storage"),
        "{message}"
    );
    let help = note["help"].as_str().unwrap_or("");
    let key = "projects/acme-data/locations/europe-west1/keyRings/ring/cryptoKeys/shared";
    assert!(
        help.contains(&format!(
            "gcloud storage service-agent --project acme-data --authorize-cmek {key}"
        )),
        "{help}"
    );
    for domain in [
        "gcp-sa-artifactregistry",
        "gcp-sa-pubsub",
        "gcp-sa-cloud-sql",
    ] {
        assert!(
            help.contains(&format!(
                "gcloud kms keys add-iam-policy-binding {key} --member serviceAccount:service-PROJECT_NUMBER@{domain}.iam.gserviceaccount.com --role roles/cloudkms.cryptoKeyEncrypterDecrypter"
            )),
            "{domain}: {help}"
        );
    }

    // The config itself holds no binding on the key.
    let dir = tempfile::tempdir().expect("tempdir");
    compile(None, dir.path());
    let dm = fs::read_to_string(dir.path().join("deployment-manager/data.yaml")).expect("dm");
    assert!(!dm.contains("cryptoKeyEncrypterDecrypter"), "{dm}");

    // Compiled to Terraform only, there is nothing to say.
    let out = tempfile::tempdir().expect("tempdir");
    let tf_only = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("compile")
        .arg(&fixture)
        .args(["--target", "terraform", "--out"])
        .arg(out.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    assert!(tf_only.status.success());
    let stderr = String::from_utf8_lossy(&tf_only.stderr);
    assert!(!stderr.contains("L0017"), "{stderr}");
}

#[test]
fn generated_types_naming_a_key_get_the_grant_and_wait_for_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    compile(
        Some(
            r#"import gcp
import tf
stack data { provider = gcp { project = "acme-data", region = "europe-west1" } }
resource ring: gcp.kms.KeyRing {}
resource key: gcp.kms.CryptoKey { key_ring = ring }
resource raw: tf.google_pubsub_topic { name = "raw", kms_key_name = key.id }
"#,
        ),
        dir.path(),
    );
    let b = main_tf(dir.path());
    assert_eq!(
        grants(&b, "key").keys().cloned().collect::<Vec<_>>(),
        ["key_agent_pubsub"]
    );
    assert_eq!(
        grant_deps(resource(&b, "google_pubsub_topic", "raw")),
        BTreeSet::from(["key_agent_pubsub".to_string()])
    );
}

#[test]
fn a_key_of_another_stack_is_l0003_not_a_grant() {
    let project = tempfile::tempdir().expect("tempdir");
    fs::write(
        project.path().join("main.strata"),
        r#"import gcp
stack a { provider = gcp { project = "proj-aaa", region = "europe-west1" } }
stack b { provider = gcp { project = "proj-bbb", region = "europe-west1" } }
resource ring: gcp.kms.KeyRing { stack = a }
resource key: gcp.kms.CryptoKey { stack = a, key_ring = ring }
resource bucket: gcp.storage.Bucket { stack = b, encryption = key }
"#,
    )
    .expect("write");
    let run = strata(&["check", "--format", "json"], project.path());
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(out.contains("\"L0003\""), "{out}");
    // The key of stack `a` grants nothing to the agents of `b`'s project it cannot name.
    assert!(!out.contains("\"L0017\""), "{out}");
}
