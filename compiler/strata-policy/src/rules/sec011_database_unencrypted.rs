use super::prelude::*;

rule! {
    /// ## What it checks
    /// A managed database whose storage is not encrypted at rest: `storage_encrypted = false` on
    /// `aws.rds.DBInstance`; `StorageEncrypted` false or unset (the default is unencrypted) on
    /// `cfn.AWS.RDS.DBInstance` (not an Aurora instance, which its cluster encrypts) and
    /// `cfn.AWS.RDS.DBCluster`; `storage_encrypted` false or unset on `tf.aws_db_instance` and
    /// `tf.aws_rds_cluster`; the same on DocumentDB and Neptune clusters (`cfn.AWS.DocDB.DBCluster`,
    /// `cfn.AWS.Neptune.DBCluster`, `tf.aws_docdb_cluster`, `tf.aws_neptune_cluster`); an
    /// OpenSearch or Elasticsearch domain without encryption at rest (`EncryptionAtRestOptions`,
    /// `encrypt_at_rest`: off unless written); a Redshift cluster with `Encrypted`/`encrypted`
    /// written false (new clusters are encrypted by default). Cloud SQL, DynamoDB and Azure
    /// databases always encrypt.
    ///
    /// ## Why it matters
    /// Unencrypted storage, snapshots and replicas expose the data to anyone who obtains a
    /// snapshot copy or the underlying volume; encryption cannot be turned on later without
    /// recreating the instance. Checkov: `CKV_AWS_16`, `CKV_AWS_5` (OpenSearch), `CKV_AWS_74`
    /// (DocumentDB), `CKV_AWS_44` (Neptune), `CKV_AWS_64` (Redshift).
    ///
    /// ## Example
    /// ```strata
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", storage_encrypted = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource key: aws.kms.Key {}
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", storage_encrypted = true, kms_key = key }
    /// ```
    pub static RULE = {
        code: "SEC011",
        name: "database-unencrypted",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "encryption at rest off";
const CLUSTER: &str = "cluster";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.rds.DBInstance", "storage_encrypted", Is::False, OFF),
    // CloudFormation and Terraform leave storage unencrypted unless told otherwise.
    read("cfn.AWS.RDS.DBInstance", "StorageEncrypted", Is::FalseOrUnset, OFF),
    // An Aurora instance is encrypted by its cluster.
    part("cfn.AWS.RDS.DBInstance", "DBClusterIdentifier", CLUSTER),
    read("cfn.AWS.RDS.DBCluster", "StorageEncrypted", Is::FalseOrUnset, OFF),
    read("tf.aws_db_instance", "storage_encrypted", Is::FalseOrUnset, OFF),
    read("tf.aws_rds_cluster", "storage_encrypted", Is::FalseOrUnset, OFF),
    // DocumentDB and Neptune clusters, likewise unencrypted unless told otherwise.
    read("cfn.AWS.DocDB.DBCluster", "StorageEncrypted", Is::FalseOrUnset, OFF),
    read("tf.aws_docdb_cluster", "storage_encrypted", Is::FalseOrUnset, OFF),
    read("cfn.AWS.Neptune.DBCluster", "StorageEncrypted", Is::FalseOrUnset, OFF),
    read("tf.aws_neptune_cluster", "storage_encrypted", Is::FalseOrUnset, OFF),
    // OpenSearch (and legacy Elasticsearch) domains: encryption at rest is off by default.
    read("cfn.AWS.OpenSearchService.Domain", "EncryptionAtRestOptions.Enabled", Is::FalseOrUnset, OFF),
    read("cfn.AWS.Elasticsearch.Domain", "EncryptionAtRestOptions.Enabled", Is::FalseOrUnset, OFF),
    read("tf.aws_opensearch_domain", "encrypt_at_rest.enabled", Is::FalseOrUnset, OFF),
    read("tf.aws_elasticsearch_domain", "encrypt_at_rest.enabled", Is::FalseOrUnset, OFF),
    // Redshift encrypts new clusters by default; only an explicit `false` is the fault.
    read("cfn.AWS.Redshift.Cluster", "Encrypted", Is::False, OFF),
    read("tf.aws_redshift_cluster", "encrypted", Is::Test(false_text), OFF),
];

/// `false`, also as the text Terraform's string-typed booleans hold.
fn false_text(v: &Value) -> bool {
    v.as_bool() == Some(false) || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false"))
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if part_set(READS, r, CLUSTER) {
        return;
    }
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let p = hit.path();
    // Terraform's string-typed booleans (`encrypted = "false"` on Redshift) take text.
    let on = if hit.value.and_then(Value::as_str).is_some() {
        "\"true\""
    } else {
        "true"
    };
    out.at(
        r,
        hit.prop(),
        format!("database `{}` stores its data unencrypted", r.name),
    )
    .label(hit.what())
    .help(fix(cx, r, &format!("{p} = {on}")));
}
