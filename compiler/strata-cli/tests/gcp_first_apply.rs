//! An SRE's first `terraform apply` (and `terraform destroy` of dev) of the GCP examples
//! (issue 12, "The first deploy works"), checked on the emitted Terraform of
//! `examples/deploy-ready/gcp`, `examples/ragonometrics-gcp`, `examples/circle-core` (its GCP
//! stack) and `examples/infrastructure-directory`, for `--env dev` and `--env prod`:
//!
//! - a grant to a Google service agent (`service-NUMBER@DOMAIN`) waits for the API that creates
//!   that agent (Memorystore's, Pub/Sub's, ... exist once their API is enabled);
//! - a dead-letter topic admits the Pub/Sub service agent as publisher and the subscription it
//!   serves admits it as subscriber (without them Pub/Sub never forwards a message);
//! - a secret that a Cloud Run service or Cloud Function mounts as `latest` has a version before
//!   the workload is created (a placeholder, write-only: Cloud Run refuses a revision whose
//!   secret has no version);
//! - a Cloud Run service that references a portable `Cache` gets `REDIS_PASSWORD` from the
//!   cache's own secret (its version the instance's `auth_string`, write-only, created before
//!   the service; the service's account may read that secret only) and `REDIS_CA_CERT`;
//! - `terraform destroy` of dev is possible: nothing is `prevent_destroy`, deletion-protected or
//!   a bucket that refuses to go with its objects; a Cloud SQL database or IAM user (which
//!   PostgreSQL refuses to drop while roles are granted to it) and the private services access
//!   connection (which Cloud SQL holds for days after its instance is deleted) are abandoned,
//!   not deleted; prod keeps its protections.

use std::collections::BTreeMap;
use std::path::Path;

#[path = "support/emitted.rs"]
mod emitted;
use emitted::*;

/// (example, its GCP Terraform stack directories).
const EXAMPLES: &[(&str, &[&str])] = &[
    ("deploy-ready/gcp", &["shop"]),
    (
        "ragonometrics-gcp",
        &["ragonometrics", "ragonometrics_images"],
    ),
    ("circle-core", &["circle_gcp"]),
    ("infrastructure-directory", &["cluster"]),
];

type Blocks = BTreeMap<(String, String, String), String>;

/// The GCP Terraform of every example for `env`: (what, blocks).
fn emitted(env: &str) -> Vec<(String, Blocks)> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut out = Vec::new();
    for (example, stacks) in EXAMPLES {
        let dir = tmp.path().join(example.replace('/', "_"));
        compile_project(&Path::new("examples").join(example), &["--env", env], &dir);
        for stack in *stacks {
            let text = read(&dir.join("terraform").join(stack).join("main.tf"));
            out.push((
                format!("{example} ({stack}, --env {env})"),
                tf_blocks_all(&text),
            ));
        }
    }
    out
}

fn resources<'a>(b: &'a Blocks, ty: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    b.iter()
        .filter(move |((kind, t, _), _)| kind == "resource" && t == ty)
        .map(|((_, _, name), body)| (name.as_str(), body.as_str()))
}

fn depends_on(body: &str) -> Vec<&str> {
    body.lines()
        .find_map(|l| l.strip_prefix("depends_on = ["))
        .map(|l| l.trim_end_matches(']').split(", ").collect())
        .unwrap_or_default()
}

/// A line `KEY = VALUE` of a body (the first).
fn attr<'a>(body: &'a str, key: &str) -> Option<&'a str> {
    body.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")))
}

/// The e-mail domains of Google service agents and the `google_project_service` label of the
/// API whose enablement creates each (https://cloud.google.com/iam/docs/service-agents).
const AGENTS: &[(&str, &str)] = &[
    ("cloud-redis.iam.gserviceaccount.com", "api_redis"),
    ("compute-system.iam.gserviceaccount.com", "api_compute"),
    (
        "container-engine-robot.iam.gserviceaccount.com",
        "api_container",
    ),
    (
        "gcf-admin-robot.iam.gserviceaccount.com",
        "api_cloudfunctions",
    ),
    (
        "gcp-sa-artifactregistry.iam.gserviceaccount.com",
        "api_artifactregistry",
    ),
    ("gcp-sa-cloud-sql.iam.gserviceaccount.com", "api_sqladmin"),
    ("gcp-sa-pubsub.iam.gserviceaccount.com", "api_pubsub"),
    (
        "gcp-sa-secretmanager.iam.gserviceaccount.com",
        "api_secretmanager",
    ),
    ("serverless-robot-prod.iam.gserviceaccount.com", "api_run"),
];

#[test]
fn service_agent_grants_wait_for_the_agents_api() {
    let mut seen = 0;
    for env in ["dev", "prod"] {
        for (what, b) in emitted(env) {
            for ((kind, ty, name), body) in &b {
                let Some(member) = attr(body, "member") else {
                    continue;
                };
                let Some((_, api)) = AGENTS
                    .iter()
                    .find(|(d, _)| member.contains(&format!("@{d}")))
                else {
                    continue;
                };
                seen += 1;
                let dep = format!("google_project_service.{api}");
                assert!(
                    depends_on(body).contains(&dep.as_str()),
                    "{what}: {kind} {ty}.{name} grants {member}, an agent that exists once \
                     {api} is enabled, but does not depend on it: {:?}",
                    depends_on(body)
                );
            }
        }
    }
    assert!(
        seen >= 8,
        "the examples grant service agents ({seen} grants seen)"
    );
}

#[test]
fn dead_letter_topics_admit_the_pubsub_agent() {
    let agent = "@gcp-sa-pubsub.iam.gserviceaccount.com\"";
    let mut seen = 0;
    for env in ["dev", "prod"] {
        for (what, b) in emitted(env) {
            for (sub, body) in resources(&b, "google_pubsub_subscription") {
                let Some(dlq) = attr(body, "dead_letter_topic") else {
                    continue;
                };
                seen += 1;
                let id = format!("google_pubsub_subscription.{sub}.id");
                let publisher = resources(&b, "google_pubsub_topic_iam_member").any(|(_, m)| {
                    attr(m, "topic") == Some(dlq)
                        && attr(m, "role") == Some("\"roles/pubsub.publisher\"")
                        && attr(m, "member").is_some_and(|v| v.ends_with(agent))
                });
                let subscriber =
                    resources(&b, "google_pubsub_subscription_iam_member").any(|(_, m)| {
                        attr(m, "subscription") == Some(id.as_str())
                            && attr(m, "role") == Some("\"roles/pubsub.subscriber\"")
                            && attr(m, "member").is_some_and(|v| v.ends_with(agent))
                    });
                assert!(
                    publisher && subscriber,
                    "{what}: subscription {sub} dead-letters to {dlq}: the Pub/Sub service \
                     agent must publish there ({publisher}) and subscribe to {sub} ({subscriber})"
                );
            }
        }
    }
    assert!(
        seen >= 2,
        "deploy-ready's jobs queue has a dead-letter topic"
    );
}

#[test]
fn mounted_secrets_have_a_version_before_the_workload() {
    let mut seen = 0;
    for env in ["dev", "prod"] {
        for (what, b) in emitted(env) {
            for (svc, body) in resources(&b, "google_cloud_run_v2_service") {
                for secret in body.lines().filter_map(|l| l.strip_prefix("secret = ")) {
                    seen += 1;
                    // The placeholder version of that secret, which the service waits for.
                    let (version, v) = resources(&b, "google_secret_manager_secret_version")
                        .find(|(_, v)| attr(v, "secret") == Some(secret))
                        .unwrap_or_else(|| {
                            panic!("{what}: Cloud Run service {svc} mounts {secret}, no version")
                        });
                    assert!(
                        attr(v, "secret_data_wo").is_some() && attr(v, "secret_data").is_none(),
                        "{what}: the placeholder of {secret} is write-only:\n{v}"
                    );
                    let dep = format!("google_secret_manager_secret_version.{version}");
                    assert!(
                        depends_on(body).contains(&dep.as_str()),
                        "{what}: Cloud Run service {svc} is created before {dep}"
                    );
                }
            }
        }
    }
    assert!(seen >= 2, "deploy-ready's API mounts a secret ({seen})");
}

#[test]
fn dev_destroys_and_prod_is_protected() {
    for (what, b) in emitted("dev") {
        for ((kind, ty, name), body) in &b {
            for protection in [
                "prevent_destroy = true",
                "deletion_protection = true",
                "deletion_protection_enabled = true",
                "force_destroy = false",
            ] {
                assert!(
                    !body.lines().any(|l| l == protection),
                    "{what}: {kind} {ty}.{name} has `{protection}`: `terraform destroy` of dev \
                     stops there"
                );
            }
        }
    }
    let mut prod_seen = 0;
    for env in ["dev", "prod"] {
        for (what, b) in emitted(env) {
            for ty in [
                "google_sql_database",
                "google_sql_user",
                "google_service_networking_connection",
            ] {
                for (name, body) in resources(&b, ty) {
                    assert_eq!(
                        attr(body, "deletion_policy"),
                        Some("\"ABANDON\""),
                        "{what}: {ty}.{name} is deleted on destroy, which Cloud SQL refuses"
                    );
                }
            }
            if env == "prod" {
                for (name, body) in resources(&b, "google_kms_crypto_key") {
                    prod_seen += 1;
                    assert!(
                        body.lines().any(|l| l == "prevent_destroy = true"),
                        "{what}: key {name} is not protected in prod"
                    );
                }
                for (name, body) in resources(&b, "google_sql_database_instance") {
                    prod_seen += 1;
                    assert_eq!(
                        attr(body, "deletion_protection"),
                        Some("true"),
                        "{what}: {name}"
                    );
                }
            }
        }
    }
    assert!(prod_seen >= 5, "prod keys and databases ({prod_seen})");
}

/// Issue 12: a Cloud Run service that references a portable `Cache` (AUTH and TLS on) can
/// connect to it: `REDIS_PASSWORD` from the cache's own secret, whose version holds the
/// instance's AUTH string (write-only) and is created before the service; its account may read
/// that secret only; `REDIS_CA_CERT` is the server's CA certificate. A service that does not
/// reference the cache (deploy-ready's worker) gets neither.
#[test]
fn a_service_that_references_a_cache_gets_its_auth_string_and_ca() {
    let accessor = "\"roles/secretmanager.secretAccessor\"";
    let mut seen = 0;
    for env in ["dev", "prod"] {
        for (what, b) in emitted(env) {
            let instances: Vec<&str> = resources(&b, "google_redis_instance")
                .map(|(n, _)| n)
                .collect();
            for (svc, body) in resources(&b, "google_cloud_run_v2_service") {
                let lines: Vec<&str> = body.lines().collect();
                let account = attr(body, "service_account")
                    .unwrap_or_else(|| panic!("{what}: {svc} runs as no account"));
                let member = account.replace(".email", ".member");
                let bindings: Vec<&str> = resources(&b, "google_secret_manager_secret_iam_member")
                    .filter(|(_, m)| attr(m, "member") == Some(member.as_str()))
                    .filter_map(|(_, m)| attr(m, "secret_id"))
                    .collect();
                let Some(i) = lines.iter().position(|l| *l == "name = \"REDIS_PASSWORD\"") else {
                    // No cache: no grant on a cache's secret.
                    for secret in &bindings {
                        let holds_auth =
                            resources(&b, "google_secret_manager_secret_version").any(|(_, v)| {
                                attr(v, "secret") == Some(*secret)
                                    && attr(v, "secret_data_wo")
                                        .is_some_and(|d| d.ends_with(".auth_string"))
                            });
                        assert!(!holds_auth, "{what}: {svc} may read {secret}, a cache's AUTH string, without referencing the cache");
                    }
                    continue;
                };
                seen += 1;
                let secret = lines[i..]
                    .iter()
                    .find_map(|l| l.strip_prefix("secret = "))
                    .unwrap_or_else(|| panic!("{what}: {svc}'s REDIS_PASSWORD is no secret"));
                assert_eq!(
                    lines[i..].iter().find_map(|l| l.strip_prefix("version = ")),
                    Some("\"latest\""),
                    "{what}: {svc}"
                );
                let (version, v) = resources(&b, "google_secret_manager_secret_version")
                    .find(|(_, v)| attr(v, "secret") == Some(secret))
                    .unwrap_or_else(|| panic!("{what}: {secret} of {svc} has no version"));
                let data = attr(v, "secret_data_wo").unwrap_or("");
                assert!(
                    instances
                        .iter()
                        .any(|n| data == format!("google_redis_instance.{n}.auth_string")),
                    "{what}: the version of {secret} is the AUTH string of a Memorystore instance, write-only:\n{v}"
                );
                let dep = format!("google_secret_manager_secret_version.{version}");
                assert!(
                    depends_on(body).contains(&dep.as_str()),
                    "{what}: {svc} is created before {dep}"
                );
                // The accessor role on that secret, held by the service's own account; no
                // project-wide role reads every secret.
                assert!(
                    resources(&b, "google_secret_manager_secret_iam_member").any(|(_, m)| {
                        attr(m, "secret_id") == Some(secret)
                            && attr(m, "role") == Some(accessor)
                            && attr(m, "member") == Some(member.as_str())
                    }),
                    "{what}: {svc}'s account {member} may not read {secret}"
                );
                assert!(
                    !resources(&b, "google_project_iam_member").any(|(_, m)| {
                        attr(m, "member") == Some(member.as_str())
                            && attr(m, "role") == Some(accessor)
                    }),
                    "{what}: {svc} may read every secret of the project"
                );
                let ca = lines
                    .iter()
                    .position(|l| *l == "name = \"REDIS_CA_CERT\"")
                    .and_then(|j| lines[j..].iter().find_map(|l| l.strip_prefix("value = ")))
                    .unwrap_or_else(|| panic!("{what}: {svc} has no REDIS_CA_CERT"));
                assert!(
                    instances
                        .iter()
                        .any(|n| ca == format!("google_redis_instance.{n}.server_ca_certs[0].cert")),
                    "{what}: {svc}'s REDIS_CA_CERT is {ca}"
                );
            }
        }
    }
    assert!(
        seen >= 2,
        "deploy-ready's API references the sessions cache ({seen})"
    );
}
