use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Cloud SQL database without point-in-time recovery: `point_in_time = false` on
    /// `gcp.sql.DatabaseInstance` (and portable databases lowered to it, `backups.point_in_time`),
    /// `point_in_time_recovery_enabled = false` on `tf.google_sql_database_instance`,
    /// `pointInTimeRecoveryEnabled = false` on `dm.sqladmin.v1beta4.instance`; a DynamoDB table
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

#[rustfmt::skip]
static READS: &[Read] = &[
    read("gcp.sql.DatabaseInstance", "point_in_time", Is::False, OFF),
    read("tf.google_sql_database_instance", "settings.backup_configuration.point_in_time_recovery_enabled", Is::False, OFF),
    read("dm.sqladmin.v1beta4.instance", "settings.backupConfiguration.pointInTimeRecoveryEnabled", Is::False, OFF),
    // DynamoDB tables have no backup of any kind unless point-in-time recovery is on.
    read("cfn.AWS.DynamoDB.Table", "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled", Is::FalseOrUnset, OFF),
    read("tf.aws_dynamodb_table", "point_in_time_recovery.enabled", Is::FalseOrUnset, OFF),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
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
