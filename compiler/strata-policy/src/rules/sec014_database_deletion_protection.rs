use super::prelude::*;

rule! {
    /// ## What it checks
    /// A production database (or any database, with the option `all_environments = true`) without
    /// deletion protection: `deletion_protection` false or unset on `aws.rds.DBInstance`,
    /// `gcp.sql.DatabaseInstance`, `tf.aws_db_instance` and `tf.aws_rds_cluster`,
    /// `DeletionProtection` on `cfn.AWS.RDS.DBInstance`/`DBCluster`, `deletion_protection = false`
    /// on `tf.google_sql_database_instance`, `settings.deletionProtectionEnabled` on
    /// `dm.sqladmin.v1beta4.instance`.
    ///
    /// ## Why it matters
    /// A rename in the source, a mistaken stack deletion or a bad `terraform apply` replaces or
    /// deletes the database; deletion protection makes the cloud refuse. Checkov: `CKV_AWS_293`.
    ///
    /// ## Example
    /// ```strata
    /// param env = "prod"
    /// let prod = env == "prod"
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", deletion_protection = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// param env = "prod"
    /// let prod = env == "prod"
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", deletion_protection = prod }
    /// ```
    pub static RULE = {
        code: "SEC014",
        name: "database-no-deletion-protection",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "deletion protection off";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.rds.DBInstance", "deletion_protection", Is::FalseOrUnset, OFF),
    read("gcp.sql.DatabaseInstance", "deletion_protection", Is::FalseOrUnset, OFF),
    read("cfn.AWS.RDS.DBInstance", "DeletionProtection", Is::FalseOrUnset, OFF),
    read("cfn.AWS.RDS.DBCluster", "DeletionProtection", Is::FalseOrUnset, OFF),
    read("tf.aws_db_instance", "deletion_protection", Is::FalseOrUnset, OFF),
    read("tf.aws_rds_cluster", "deletion_protection", Is::FalseOrUnset, OFF),
    // Terraform's own guard defaults to on for Cloud SQL.
    read("tf.google_sql_database_instance", "deletion_protection", Is::False, OFF),
    read("dm.sqladmin.v1beta4.instance", "settings.deletionProtectionEnabled", Is::FalseOrUnset, OFF),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let everywhere = cx
        .options
        .get("all_environments")
        .is_some_and(Value::is_true);
    if !everywhere && !cx.is_prod(r) {
        return;
    }
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    out.at(
        r,
        hit.prop(),
        format!(
            "production database `{}` can be deleted without protection",
            r.name
        ),
    )
    .label(hit.what())
    .help(fix(cx, r, &format!("{} = true", hit.path())));
}
