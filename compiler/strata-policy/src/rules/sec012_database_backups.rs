use super::prelude::*;

rule! {
    /// ## What it checks
    /// A managed database without automated backups: backups turned off (`backups = false` on
    /// `gcp.sql.DatabaseInstance`, `backup_configuration.enabled = false` on Cloud SQL in Terraform
    /// and Deployment Manager), a backup retention of zero, or a retention shorter than the rule's
    /// `min_days` option (default 7) — `backup_retention` on the curated databases,
    /// `BackupRetentionPeriod` on `cfn.AWS.RDS.DBInstance`/`DBCluster`, `backup_retention_period` on
    /// `tf.aws_db_instance`/`tf.aws_rds_cluster`, the retained backups of Cloud SQL, and
    /// `backup_retention_days` on Azure flexible servers.
    ///
    /// ## Why it matters
    /// Backups are the only way back from an accidental `DELETE`, a bad migration or
    /// ransomware. A retention of less than a week often expires the last good copy before the
    /// problem is noticed. Checkov: `CKV_AWS_133`, `CKV_GCP_14`.
    ///
    /// ## Example
    /// ```strata
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", backup_retention = 0d }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", backup_retention = 14d }
    /// ```
    pub static RULE = {
        code: "SEC012",
        name: "database-backups-disabled",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "backups off";
const RETENTION: &str = "retention";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("gcp.sql.DatabaseInstance", "backups", Is::False, OFF),
    read("tf.google_sql_database_instance", "settings.backup_configuration.enabled", Is::False, OFF),
    read("dm.sqladmin.v1beta4.instance", "settings.backupConfiguration.enabled", Is::False, OFF),
    // Retentions: durations, or numbers of days (one backup a day for Cloud SQL).
    part("aws.rds.DBInstance", "backup_retention", RETENTION),
    part("gcp.sql.DatabaseInstance", "backup_retention", RETENTION),
    part("cfn.AWS.RDS.DBInstance", "BackupRetentionPeriod", RETENTION),
    part("cfn.AWS.RDS.DBCluster", "BackupRetentionPeriod", RETENTION),
    part("tf.aws_db_instance", "backup_retention_period", RETENTION),
    part("tf.aws_rds_cluster", "backup_retention_period", RETENTION),
    part("tf.google_sql_database_instance", "settings.backup_configuration.backup_retention_settings.retained_backups", RETENTION),
    part("dm.sqladmin.v1beta4.instance", "settings.backupConfiguration.backupRetentionSettings.retainedBackups", RETENTION),
    part("tf.azurerm_postgresql_flexible_server", "backup_retention_days", RETENTION),
    part("tf.azurerm_mysql_flexible_server", "backup_retention_days", RETENTION),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some(hit) = first_fault(READS, r) {
        let line = if r.ty.starts_with("gcp.") {
            "backups = true".to_string()
        } else {
            format!("{} = true", hit.path())
        };
        out.at(
            r,
            hit.prop(),
            format!("database `{}` has no automated backups", r.name),
        )
        .label(hit.what())
        .help(fix(cx, r, &line));
        return;
    }
    let min_days = cx.option_f64("min_days").unwrap_or(7.0);
    let Some((p, v)) = first_part(READS, r, RETENTION) else {
        return;
    };
    // Plain numbers are days (as in CloudFormation and Terraform).
    let Some(secs) = seconds(v, 86400.0) else {
        return;
    };
    let days = secs / 86400.0;
    let unit = if r.ty.contains('.')
        && (r.ty.starts_with("aws.") || r.ty.starts_with("gcp.") || r.ty.starts_with("azure."))
    {
        "d"
    } else {
        ""
    };
    if days < 0.5 {
        out.at(
            r,
            top(p),
            format!("database `{}` keeps no automated backups", r.name),
        )
        .label("retention of 0 days")
        .help(fix(cx, r, &format!("{p} = 14{unit}")));
    } else if days < min_days {
        out.at(
            r,
            top(p),
            format!(
                "database `{}` keeps backups for {days} day(s), less than {min_days}",
                r.name
            ),
        )
        .label("short backup retention")
        .help(fix(cx, r, &format!("{p} = {min_days}{unit}")));
    }
}
