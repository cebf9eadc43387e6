use super::prelude::*;
use std::sync::LazyLock;

rule! {
    /// ## What it checks
    /// A Google Cloud IAM grant to everyone: the member `allUsers` (anyone on the internet) or
    /// `allAuthenticatedUsers` (anyone with a Google account) in any Terraform IAM resource of
    /// the Google provider — `tf.google_*_iam_member` (`member`), `tf.google_*_iam_binding`
    /// (`members`) and `tf.google_*_iam_policy` (the `bindings` of `policy_data`): Pub/Sub
    /// topics and subscriptions, secrets, KMS keys, Artifact Registry repositories, BigQuery
    /// datasets, projects and the rest — and BigQuery dataset ACLs (`access` entries of
    /// `tf.google_bigquery_dataset` and `dm.bigquery.v2.dataset`, `tf.google_bigquery_dataset_access`:
    /// `special_group`/`iam_member`). Buckets, Cloud Run services and Cloud Functions are
    /// reported by SEC001 and SEC103.
    ///
    /// ## Why it matters
    /// Such a binding makes the resource public: anyone can publish to the topic, read the
    /// secret, use the key or pull the images, with no identity to audit or revoke.
    /// Checkov: `CKV_GCP_112` (KMS keys), `CKV_GCP_15` (BigQuery datasets).
    ///
    /// ## Example
    /// ```strata
    /// resource publishers: tf.google_pubsub_topic_iam_member {
    ///   topic  = "orders"
    ///   role   = "roles/pubsub.publisher"
    ///   member = "allUsers"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Grant the role to the service account that needs it:
    /// ```strata
    /// resource publishers: tf.google_pubsub_topic_iam_member {
    ///   topic  = "orders"
    ///   role   = "roles/pubsub.publisher"
    ///   member = "serviceAccount:api@acme-prod.iam.gserviceaccount.com"
    /// }
    /// ```
    pub static RULE = {
        code: "SEC036",
        name: "gcp-iam-public-member",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || &READS,
        check: Check::Resource(check),
    }
}

const MEMBER: &str = "member";
const POLICY: &str = "policy data";

/// Every Google IAM member, binding and policy type but those SEC001 and SEC103 read.
static READS: LazyLock<Vec<Read>> = LazyLock::new(|| {
    let elsewhere: Vec<&str> = ["SEC001", "SEC103"]
        .iter()
        .filter_map(|c| crate::registry::find(c))
        .flat_map(|r| (r.reads)().iter().map(|x| x.ty))
        .collect();
    strata_stdlib::generated::names(Some("tf"))
        .filter(|n| n.starts_with("tf.google_") && !elsewhere.contains(n))
        .filter_map(|n| {
            if n.ends_with("_iam_member") {
                Some(part(n, "member", MEMBER))
            } else if n.ends_with("_iam_binding") {
                Some(part(n, "members[]", MEMBER))
            } else if n.ends_with("_iam_policy") {
                Some(part(n, "policy_data", POLICY))
            } else {
                None
            }
        })
        // BigQuery dataset ACLs: `access` entries of a dataset, and the access resource.
        .chain([
            part(
                "tf.google_bigquery_dataset",
                "access[].special_group",
                MEMBER,
            ),
            part("tf.google_bigquery_dataset", "access[].iam_member", MEMBER),
            part("tf.google_bigquery_dataset_access", "special_group", MEMBER),
            part("tf.google_bigquery_dataset_access", "iam_member", MEMBER),
            part("dm.bigquery.v2.dataset", "access[].specialGroup", MEMBER),
            part("dm.bigquery.v2.dataset", "access[].iamMember", MEMBER),
        ])
        .collect()
});

/// Whether a member is everyone.
fn everyone(m: &str) -> bool {
    let m = m.trim();
    m == "allUsers" || m == "allAuthenticatedUsers"
}

/// The members of the bindings in a `policy_data` JSON document.
fn policy_members(v: &Value) -> Vec<String> {
    let Some(text) = text_of(v) else {
        return Vec::new();
    };
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    doc.get("bindings")
        .and_then(|b| b.as_array())
        .into_iter()
        .flatten()
        .filter_map(|b| b.get("members").and_then(|m| m.as_array()))
        .flatten()
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect()
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for x in READS.iter().filter(|x| x.ty == r.ty) {
        for (at, v) in crate::reads::located(r, x.path) {
            let who = if x.what == POLICY {
                policy_members(v).into_iter().find(|m| everyone(m))
            } else {
                v.as_str().filter(|m| everyone(m)).map(str::to_string)
            };
            if let Some(who) = who {
                out.report(
                    cx.span_at(r, &at, &[]),
                    format!("`{}` grants its role to `{who}`", r.name),
                )
                .label(if who == "allUsers" {
                    "anyone on the internet"
                } else {
                    "anyone with a Google account"
                })
                .help("grant the role to the service accounts, groups or users that need it (`serviceAccount:NAME@PROJECT.iam.gserviceaccount.com`)");
                return;
            }
        }
    }
}
