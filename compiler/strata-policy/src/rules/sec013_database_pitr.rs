use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Cloud SQL database without point-in-time recovery: `point_in_time = false` on
    /// `gcp.sql.DatabaseInstance` (and portable databases lowered to it, `backups.point_in_time`),
    /// `point_in_time_recovery_enabled` (PostgreSQL, SQL Server) or `binary_log_enabled` (MySQL)
    /// false or not written on `tf.google_sql_database_instance` (`pointInTimeRecoveryEnabled`,
    /// `binaryLogEnabled` on `dm.sqladmin.v1beta4.instance`) whose backups are on (`SEC012`
    /// reports those without; replicas are left out); a DynamoDB table
    /// without point-in-time recovery (`PointInTimeRecoverySpecification` on
    /// `cfn.AWS.DynamoDB.Table`, `point_in_time_recovery` on `tf.aws_dynamodb_table`: off unless
    /// written, and a table has no other continuous backup). Engines where backups
    /// imply point-in-time recovery (RDS with a retention above zero) are not flagged here.
    ///
    /// ## Why it matters
    /// With daily snapshots only, a bad write at 17:00 loses everything since the last
    /// snapshot. Point-in-time recovery replays the transaction log to any second of the
    /// retention window. Checkov: `CKV_AWS_28` (DynamoDB).
    ///
    /// ## Example
    /// ```strata
    /// stack main { provider = gcp { project = "acme-web", region = "europe-west1" } }
    /// resource db: Postgres { backups = { retention = 30d, point_in_time = false } }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// stack main { provider = gcp { project = "acme-web", region = "europe-west1" } }
    /// resource db: Postgres { backups = { retention = 30d, point_in_time = true } }
    /// ```
    pub static RULE = {
        code: "SEC013",
        name: "database-no-point-in-time-recovery",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "point-in-time recovery off";
const BINLOG_OFF: &str = "binary log off: no point-in-time recovery";
const BACKUPS: &str = "backups";
const VERSION: &str = "version";
const REPLICA: &str = "replica";

/// Which of a Cloud SQL instance's rows apply: none for a replica or an instance without
/// backups; the binary log for MySQL (the API's default engine), the write-ahead log otherwise.
fn cloud_sql_applies(r: &Resource, read: &Read) -> bool {
    if !(r.ty == "tf.google_sql_database_instance" || r.ty == "dm.sqladmin.v1beta4.instance") {
        return true;
    }
    if part_set(READS, r, REPLICA) {
        return false;
    }
    let backups = first_part(READS, r, BACKUPS).is_some_and(|(_, v)| v.as_bool() == Some(true));
    if !backups {
        return false;
    }
    let mysql = first_part(READS, r, VERSION)
        .and_then(|(_, v)| v.as_str())
        .is_none_or(|v| v.to_ascii_uppercase().starts_with("MYSQL"));
    (read.what == BINLOG_OFF) == mysql
}

#[rustfmt::skip]
static READS: &[Read] = &[
    read("gcp.sql.DatabaseInstance", "point_in_time", Is::False, OFF),
    // Cloud SQL: off unless written (the provider's and the API's default). PostgreSQL and SQL
    // Server recover from their write-ahead log (`point_in_time_recovery_enabled`), MySQL from
    // its binary log (`binary_log_enabled`). Only read where backups are on (SEC012 reports
    // the rest) and the instance is not a replica.
    read("tf.google_sql_database_instance", "settings.backup_configuration.point_in_time_recovery_enabled", Is::FalseOrUnset, OFF),
    read("tf.google_sql_database_instance", "settings.backup_configuration.binary_log_enabled", Is::FalseOrUnset, BINLOG_OFF),
    read("dm.sqladmin.v1beta4.instance", "settings.backupConfiguration.pointInTimeRecoveryEnabled", Is::FalseOrUnset, OFF),
    read("dm.sqladmin.v1beta4.instance", "settings.backupConfiguration.binaryLogEnabled", Is::FalseOrUnset, BINLOG_OFF),
    part("tf.google_sql_database_instance", "settings.backup_configuration.enabled", BACKUPS),
    part("dm.sqladmin.v1beta4.instance", "settings.backupConfiguration.enabled", BACKUPS),
    part("tf.google_sql_database_instance", "database_version", VERSION),
    part("dm.sqladmin.v1beta4.instance", "databaseVersion", VERSION),
    part("tf.google_sql_database_instance", "master_instance_name", REPLICA),
    part("dm.sqladmin.v1beta4.instance", "masterInstanceName", REPLICA),
    // DynamoDB tables have no backup of any kind unless point-in-time recovery is on.
    read("cfn.AWS.DynamoDB.Table", "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled", Is::FalseOrUnset, OFF),
    read("tf.aws_dynamodb_table", "point_in_time_recovery.enabled", Is::FalseOrUnset, OFF),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = faults(READS, r)
        .into_iter()
        .find(|hit| cloud_sql_applies(r, hit.read))
    else {
        return;
    };
    let p = hit.path();
    out.at(
        r,
        hit.prop(),
        format!(
            "database `{}` cannot be restored to a point in time",
            r.name
        ),
    )
    .label(hit.what())
    .help(fix(cx, r, &format!("{p} = true")));
}
