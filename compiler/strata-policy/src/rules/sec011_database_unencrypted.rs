use super::prelude::*;

rule! {
    /// ## What it checks
    /// A managed database whose storage is not encrypted at rest: `storage_encrypted = false` on
    /// `aws.rds.DBInstance`; `StorageEncrypted` false or unset (the default is unencrypted) on
    /// `cfn.AWS.RDS.DBInstance` (not an Aurora instance, which its cluster encrypts) and
    /// `cfn.AWS.RDS.DBCluster`; `storage_encrypted` false or unset on `tf.aws_db_instance` and
    /// `tf.aws_rds_cluster`. Cloud SQL and Azure databases always encrypt.
    ///
    /// ## Why it matters
    /// Unencrypted storage, snapshots and replicas expose the data to anyone who obtains a
    /// snapshot copy or the underlying volume; encryption cannot be turned on later without
    /// recreating the instance. Checkov: `CKV_AWS_16`.
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
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if part_set(READS, r, CLUSTER) {
        return;
    }
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let p = hit.path();
    out.at(
        r,
        p,
        format!("database `{}` stores its data unencrypted", r.name),
    )
    .label(hit.what())
    .help(fix(cx, r, &format!("{p} = true")));
}
