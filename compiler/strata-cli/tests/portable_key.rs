//! `portable.Key` (issue 14 item 10, issue 12): one customer-managed key in a cloud-agnostic
//! program, checked on the emitted files of `tests/fixtures/portable-key` (a key encrypting a
//! bucket, a secret, a database, a cache and a queue, all used by a service):
//!
//! - AWS: one KMS key (rotation every 90 days), named by ARN by every store (the database's
//!   Performance Insights and the cache's AUTH token secret too); the service's roles hold
//!   `kms:Decrypt` (and `kms:GenerateDataKey` where it writes) on that key only, beside the
//!   grants on the stores; the key policy admits the account and, because a topic delivers to
//!   the encrypted queue, SNS (`key_services` sees the use on the lowered queue);
//! - GCP: a key ring and a crypto key in the stack's region (rotation 90 days), named by every
//!   store (the secret replicated to that region, where the key is);
//! - Azure: an RSA key in a Key Vault of its own (purge protection, RBAC, firewall admitting the
//!   network and `deployer_ip`, a private endpoint), the storage account, the PostgreSQL flexible
//!   server and the Service Bus namespace (Premium, said so by `strata cost`) encrypted with it
//!   through identities of their own holding `Key Vault Crypto Service Encryption User` on that
//!   key only, each created after that role assignment; the secret and the cache, which cannot
//!   use it there, are each an L0016 note;
//! - Kubernetes: L0001 at the key (no key service).

use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[path = "support/emitted.rs"]
mod emitted;
use emitted::*;

/// The fixture's `app.strata` and the stack file of `provider`, as the project `dir/provider`.
fn project(dir: &Path, provider: &str) -> PathBuf {
    let fixture = repo_root().join("compiler/strata-cli/tests/fixtures/portable-key");
    let project = dir.join(provider);
    fs::create_dir_all(&project).expect("mkdir");
    fs::copy(fixture.join("app.strata"), project.join("app.strata")).expect("copy app");
    fs::copy(
        fixture.join(format!("stack-{provider}.strata")),
        project.join("stack.strata"),
    )
    .expect("copy stack");
    project
}

fn strata(args: &[&str], project: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(&args[..1])
        .arg(project)
        .args(&args[1..])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata")
}

/// Compiles `provider`'s project into `dir/out-provider`; returns the output directory and
/// the diagnostics printed.
fn compile(dir: &Path, provider: &str) -> (PathBuf, String) {
    let p = project(dir, provider);
    let out = dir.join(format!("out-{provider}"));
    let run = strata(&["compile", "--out", out.to_str().expect("path")], &p);
    let err = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(run.status.success(), "compile ({provider}):\n{err}");
    (out, err)
}

fn key_arn() -> Json {
    serde_json::json!({"Fn::GetAtt": ["DataKey", "Arn"]})
}

/// Every statement of a role's inline policies: (sid, sorted actions, resources).
fn statements(res: &Json, role: &str) -> Vec<(String, Vec<String>, Json)> {
    policy_statements(&res[role]["Properties"])
}

#[test]
fn portable_key_on_aws() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (out, _) = compile(tmp.path(), "aws");
    let t: Json =
        serde_json::from_str(&read(&out.join("cloudformation/shop.template.json"))).expect("JSON");
    let res = &t["Resources"];

    // One key, the portable one, rotated every 90 days.
    let keys: Vec<&String> = res
        .as_object()
        .expect("Resources")
        .iter()
        .filter(|(_, v)| v["Type"] == "AWS::KMS::Key")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, vec!["DataKey"], "one KMS key");
    let key = &res["DataKey"]["Properties"];
    assert_eq!(key["EnableKeyRotation"], true);
    assert_eq!(key["RotationPeriodInDays"], 90);

    // Every store names it, as it would name an `aws.kms.Key`.
    let p = |name: &str| &res[name]["Properties"];
    assert_eq!(
        p("Uploads")["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            ["ServerSideEncryptionByDefault"],
        serde_json::json!({"KMSMasterKeyID": key_arn(), "SSEAlgorithm": "aws:kms"}),
        "the bucket"
    );
    assert_eq!(p("PaymentsKey")["KmsKeyId"], key_arn(), "the secret");
    assert_eq!(p("Db")["KmsKeyId"], key_arn(), "the database");
    assert_eq!(p("Db")["StorageEncrypted"], true);
    assert_eq!(
        p("Db")["PerformanceInsightsKMSKeyId"],
        key_arn(),
        "Performance Insights"
    );
    assert_eq!(p("Sessions")["KmsKeyId"], key_arn(), "the cache");
    assert_eq!(
        p("SessionsAuth")["KmsKeyId"],
        key_arn(),
        "the cache's AUTH token"
    );
    assert_eq!(p("Jobs")["KmsMasterKeyId"], key_arn(), "the queue");

    // The service's roles: the key's actions on that key only, for the stores it uses.
    let kms: BTreeSet<(String, String, Vec<String>)> = ["ApiTaskRole", "ApiExecutionRole"]
        .iter()
        .flat_map(|role| {
            statements(res, role)
                .into_iter()
                .filter(|(_, actions, _)| actions.iter().any(|a| a.starts_with("kms:")))
                .map(move |(sid, actions, resources)| {
                    assert_eq!(
                        resources,
                        serde_json::json!([key_arn()]),
                        "{role} {sid}: on the key only"
                    );
                    (role.to_string(), sid, actions)
                })
        })
        .collect();
    let row = |role: &str, sid: &str, actions: &[&str]| {
        (
            role.to_string(),
            sid.to_string(),
            actions.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        kms,
        BTreeSet::from([
            row(
                "ApiTaskRole",
                "UploadsKey",
                &["kms:Decrypt", "kms:GenerateDataKey"]
            ),
            row(
                "ApiTaskRole",
                "JobsKey",
                &["kms:Decrypt", "kms:GenerateDataKey"]
            ),
            // Injected by ECS: the execution role reads the secret and the AUTH token.
            row("ApiExecutionRole", "PaymentsKeyKey", &["kms:Decrypt"]),
            row("ApiExecutionRole", "SessionsKey", &["kms:Decrypt"]),
        ]),
        "the key's grants"
    );
    for role in ["ApiTaskRole", "ApiExecutionRole"] {
        for (sid, actions, resources) in statements(res, role) {
            assert!(
                actions.iter().all(|a| !a.contains('*')) && resources != serde_json::json!("*"),
                "{role} {sid}: no wildcard"
            );
        }
    }

    // The key policy: the account (its IAM policies decide), and SNS, which delivers to the
    // queue the key encrypts.
    let policy = &key["KeyPolicy"]["Statement"];
    let principals: BTreeSet<String> = policy
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| s["Principal"].to_string())
        .collect();
    assert_eq!(
        principals,
        BTreeSet::from([
            serde_json::json!({"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}})
                .to_string(),
            serde_json::json!({"Service": "sns.amazonaws.com"}).to_string(),
        ]),
        "the key policy: {policy}"
    );

    // Terraform names the same key.
    let tf = read(&out.join("terraform/shop/main.tf"));
    assert!(
        tf.contains("rotation_period_in_days = 90") || tf.contains("rotation_period_in_days  = 90"),
        "Terraform rotation:\n{tf}"
    );
    let names_key = tf.matches("aws_kms_key.data_key.arn").count();
    assert!(
        names_key >= 6,
        "Terraform: the stores name the key ({names_key} times)"
    );
}

#[test]
fn portable_key_on_gcp() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (out, _) = compile(tmp.path(), "gcp");
    let tf = read(&out.join("terraform/shop/main.tf"));
    let flat: String = tf
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    for want in [
        // The ring in the stack's region, the key in it, rotated every 90 days.
        "resource \"google_kms_key_ring\" \"data_key_ring\"",
        "location = \"europe-west1\"",
        "key_ring = google_kms_key_ring.data_key_ring.id",
        "rotation_period = \"7776000s\"",
        "purpose = \"ENCRYPT_DECRYPT\"",
        // Each store names the crypto key.
        "default_kms_key_name = google_kms_crypto_key.data_key.id",
        "encryption_key_name = google_kms_crypto_key.data_key.id",
        "customer_managed_key = google_kms_crypto_key.data_key.id",
        "kms_key_name = google_kms_crypto_key.data_key.id",
    ] {
        assert!(flat.contains(want), "GCP Terraform lacks `{want}`:\n{tf}");
    }
    // The secret is replicated where the key is (automatic replication needs a global key).
    let secret = flat
        .split("resource \"google_secret_manager_secret\" \"payments_key\"")
        .nth(1)
        .expect("the secret");
    let secret = secret.split("\nresource ").next().unwrap_or("");
    assert!(
        secret.contains("user_managed")
            && secret.contains("location = \"europe-west1\"")
            && secret.contains("kms_key_name = google_kms_crypto_key.data_key.id"),
        "the secret's replication:\n{secret}"
    );
    // The topic of the queue too.
    let topics = flat
        .matches("kms_key_name = google_kms_crypto_key.data_key.id")
        .count();
    assert!(topics >= 2, "the secret and the topic name the key");
    // One crypto key only.
    assert_eq!(
        tf.matches("resource \"google_kms_crypto_key\"").count(),
        1,
        "one crypto key"
    );
    // Deployment Manager names it too.
    let dm = read(&out.join("deployment-manager/shop.yaml"));
    assert!(
        dm.contains("cloudkms-v1:projects.locations.keyRings.cryptoKeys"),
        "Deployment Manager: the key"
    );
}

#[test]
fn portable_key_on_azure() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (out, err) = compile(tmp.path(), "azure");
    let tf = read(&out.join("terraform/shop/main.tf"));
    let flat: String = tf
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    let block = |ty: &str, name: &str| -> String {
        flat.split(&format!("resource \"{ty}\" \"{name}\" {{"))
            .nth(1)
            .unwrap_or_else(|| panic!("no {ty}.{name}"))
            .split("\nresource ")
            .next()
            .unwrap_or("")
            .to_string()
    };
    // The key, in a vault of its own that admits the network and the deployer only.
    let key = block("azurerm_key_vault_key", "data_key");
    for want in [
        "key_type = \"RSA\"",
        "key_vault_id = azurerm_key_vault.data_key_vault.id",
        "time_after_creation = \"P90D\"",
    ] {
        assert!(key.contains(want), "the key lacks `{want}`:\n{key}");
    }
    let vault = block("azurerm_key_vault", "data_key_vault");
    for want in [
        "purge_protection_enabled = true",
        "rbac_authorization_enabled = true",
        "default_action = \"Deny\"",
        "bypass = \"AzureServices\"",
        "ip_rules = [var.deployer_ip]",
    ] {
        assert!(vault.contains(want), "the vault lacks `{want}`:\n{vault}");
    }
    let endpoint = block("azurerm_private_endpoint", "data_key_endpoint");
    assert!(
        endpoint.contains("private_connection_resource_id = azurerm_key_vault.data_key_vault.id"),
        "the vault's private endpoint:\n{endpoint}"
    );

    // The storage account and the Service Bus namespace are encrypted with it, each read as an
    // identity of its own holding the least role on that key only.
    let account = block("azurerm_storage_account", "uploads");
    assert!(
        account.contains("key_vault_key_id = azurerm_key_vault_key.data_key.versionless_id")
            && account
                .contains("user_assigned_identity_id = azurerm_user_assigned_identity.uploads_key_identity.id"),
        "the storage account's key:\n{account}"
    );
    // The database: its own identity, the key without a version (the server follows its
    // rotation), created after the identity may read the key.
    let server = block("azurerm_postgresql_flexible_server", "db");
    for want in [
        "key_vault_key_id = azurerm_key_vault_key.data_key.versionless_id",
        "primary_user_assigned_identity_id = azurerm_user_assigned_identity.db_key_identity.id",
        "identity_ids = [azurerm_user_assigned_identity.db_key_identity.id]",
        "type = \"UserAssigned\"",
        "azurerm_role_assignment.db_key_access]",
    ] {
        assert!(
            server.contains(want),
            "the server lacks `{want}`:\n{server}"
        );
    }
    assert!(
        !server.contains("geo_backup"),
        "no geo-redundant backup key:\n{server}"
    );
    let namespace = block("azurerm_servicebus_namespace", "jobs");
    assert!(
        namespace.contains("sku = \"Premium\"")
            && namespace
                .contains("key_vault_key_id = azurerm_key_vault_key.data_key.versionless_id"),
        "the namespace's key:\n{namespace}"
    );
    let scopes: BTreeSet<(String, String)> = flat
        .split("resource \"azurerm_role_assignment\" \"")
        .skip(1)
        // By name (the storage account's lowering) or by definition id (the portable queue's).
        .filter(|b| {
            b.contains("Key Vault Crypto Service Encryption User")
                || b.contains("roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6")
        })
        .map(|b| {
            let name = b.split('"').next().unwrap_or("").to_string();
            let scope = b
                .lines()
                .find_map(|l| l.strip_prefix("scope = "))
                .unwrap_or("")
                .to_string();
            (name, scope)
        })
        .collect();
    assert_eq!(
        scopes,
        BTreeSet::from([
            (
                "jobs_key_access".to_string(),
                "azurerm_key_vault_key.data_key.resource_versionless_id".to_string()
            ),
            (
                "uploads".to_string(),
                "azurerm_key_vault_key.data_key.resource_versionless_id".to_string()
            ),
            (
                "db_key_access".to_string(),
                "azurerm_key_vault_key.data_key.resource_versionless_id".to_string()
            ),
        ]),
        "the key's readers"
    );

    // What Azure cannot encrypt with it is said, at the property.
    for (name, ty) in [
        ("payments_key", "portable.Secret"),
        ("sessions", "portable.Cache"),
    ] {
        assert!(
            err.contains(&format!("note[L0016]: `{name}` ({ty})")),
            "L0016 for {name}:\n{err}"
        );
    }
    assert_eq!(err.matches("L0016").count(), 2, "two notes:\n{err}");

    // Premium is in the estimate, and says why.
    let p = project(&tmp.path().join("cost"), "azure");
    let cost = strata(&["cost"], &p);
    let text = String::from_utf8_lossy(&cost.stdout);
    assert!(
        cost.status.success()
            && text.contains("messaging unit(s), Premium for the customer-managed key"),
        "strata cost:\n{text}{}",
        String::from_utf8_lossy(&cost.stderr)
    );
}

#[test]
fn portable_key_on_kubernetes_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = project(tmp.path(), "kubernetes");
    let out = tmp.path().join("out");
    let run = strata(&["compile", "--out", out.to_str().expect("path")], &p);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success()
            && err.contains(
                "error[L0001]: `data_key` (portable.Key) cannot be lowered to kubernetes"
            )
            && err.contains("Kubernetes has no key service"),
        "a key on Kubernetes:\n{err}"
    );
}
