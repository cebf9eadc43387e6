use super::prelude::*;

rule! {
    /// ## What it checks
    /// A managed database without automated backups: backups turned off (`backups = false` on
    /// `gcp.sql.DatabaseInstance`, `backup_configuration.enabled = false` on Cloud SQL in Terraform
    /// and Deployment Manager), a backup retention of zero, or a retention shorter than the rule's
    /// `min_days` option (default 7) — `backup_retention` on the curated databases,
    /// `BackupRetentionPeriod` on `cfn.AWS.RDS.DBInstance`/`DBCluster`, `backup_retention_period` on
    /// `tf.aws_db_instance`/`tf.aws_rds_cluster`, the retained backups of Cloud SQL, and
    /// `backup_retention_days` on Azure flexible servers. Cloud SQL without
    /// `backup_configuration.enabled` (Terraform) or `backupConfiguration.enabled` (Deployment
    /// Manager) takes no backups, and an RDS instance or cluster without a retention keeps the
    /// API's default of one day: both are reported. Read replicas and Aurora cluster members
    /// (whose backups are the source's or the cluster's) are not.
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
/// What makes a database a copy of another (a read replica, an Aurora cluster's member): its
/// backups are not its own to configure.
const COPY: &str = "copy";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("gcp.sql.DatabaseInstance", "backups", Is::False, OFF),
    // Cloud SQL takes no automated backups unless `enabled` is written (the API's and the
    // provider's default); read replicas cannot have any and are left out in `check`.
    read("tf.google_sql_database_instance", "settings.backup_configuration.enabled", Is::FalseOrUnset, OFF),
    read("dm.sqladmin.v1beta4.instance", "settings.backupConfiguration.enabled", Is::FalseOrUnset, OFF),
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
    part("tf.google_sql_database_instance", "master_instance_name", COPY),
    part("dm.sqladmin.v1beta4.instance", "masterInstanceName", COPY),
    part("cfn.AWS.RDS.DBInstance", "SourceDBInstanceIdentifier", COPY),
    part("cfn.AWS.RDS.DBInstance", "DBClusterIdentifier", COPY),
    part("tf.aws_db_instance", "replicate_source_db", COPY),
];

/// Types whose retention, when not written, is the API's default of one day (RDS
/// `CreateDBInstance`/`CreateDBCluster`: "Default: 1").
const ONE_DAY_BY_DEFAULT: &[&str] = &[
    "cfn.AWS.RDS.DBInstance",
    "cfn.AWS.RDS.DBCluster",
    "tf.aws_db_instance",
    "tf.aws_rds_cluster",
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if part_set(READS, r, COPY) {
        return;
    }
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
    let (p, days, default) = match first_part(READS, r, RETENTION) {
        Some((p, v)) => {
            // Plain numbers are days (as in CloudFormation and Terraform).
            let Some(secs) = seconds(v, 86400.0) else {
                return;
            };
            (p, secs / 86400.0, false)
        }
        None if ONE_DAY_BY_DEFAULT.contains(&r.ty.as_str()) => {
            let Some(p) = READS
                .iter()
                .find(|x| x.ty == r.ty && x.what == RETENTION)
                .map(|x| x.path)
            else {
                return;
            };
            (p, 1.0, true)
        }
        None => return,
    };
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
                "database `{}` keeps backups for {days} day(s){}, less than {min_days}",
                r.name,
                if default { " (the default)" } else { "" }
            ),
        )
        .label(if default {
            "no retention written"
        } else {
            "short backup retention"
        })
        .help(fix(cx, r, &format!("{p} = {min_days}{unit}")));
    }
}
