use super::prelude::*;

rule! {
    /// ## What it checks
    /// A database without point-in-time recovery: `point_in_time = false` (portable
    /// databases, `backups.point_in_time`), Cloud SQL `point_in_time_recovery = false`, Azure
    /// servers without geo-redundant backup are not covered. Engines where backups imply
    /// point-in-time recovery (RDS with a retention above zero) are not flagged here.
    ///
    /// ## Why it matters
    /// With daily snapshots only, a bad write at 17:00 loses everything since the last
    /// snapshot. Point-in-time recovery replays the transaction log to any second of the
    /// retention window.
    ///
    /// ## Example
    /// ```strata
    /// resource db: Postgres { backups = { retention = 30d, point_in_time = false } }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db: Postgres { backups = { retention = 30d, point_in_time = true } }
    /// ```
    pub static RULE = {
        code: "SEC013",
        name: "database-no-point-in-time-recovery",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[DATABASE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for p in [
        "backups.point_in_time",
        "point_in_time",
        "point_in_time_recovery",
        "backup_configuration.point_in_time_recovery_enabled",
        "point_in_time_recovery_enabled",
    ] {
        if let Some(Value::Bool(false)) = get(r, p) {
            out.at(
                r,
                top(p),
                format!(
                    "database `{}` cannot be restored to a point in time",
                    r.name
                ),
            )
            .label("point-in-time recovery off")
            .help(fix(cx, r, &format!("{p} = true")));
            return;
        }
    }
}
