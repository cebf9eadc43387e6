use super::prelude::*;

rule! {
    /// ## What it checks
    /// A managed database without automated backups: a backup retention of zero
    /// (`backup_retention = 0d`, `backups.retention = 0d`), or backups turned off
    /// (`backups = false`, `backups.enabled = false`, `backup_enabled = false`), or a retention
    /// shorter than the rule's `min_days` option (default 7).
    ///
    /// ## Why it matters
    /// Backups are the only way back from an accidental `DELETE`, a bad migration or
    /// ransomware. A retention of less than a week often expires the last good copy before the
    /// problem is noticed. Checkov: `CKV_AWS_133`, `CKV_GCP_14`.
    ///
    /// ## Example
    /// ```strata
    /// resource db: aws.rds.DBInstance { backup_retention = 0d }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db: aws.rds.DBInstance { backup_retention = 14d }
    /// ```
    pub static RULE = {
        code: "SEC012",
        name: "database-backups-disabled",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[DATABASE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for p in [
        "backups",
        "backup_enabled",
        "backups.enabled",
        "backup_configuration.enabled",
    ] {
        if let Some(Value::Bool(false)) = get(r, p) {
            out.at(
                r,
                top(p),
                format!("database `{}` has no automated backups", r.name),
            )
            .label("backups off")
            .help(fix(
                cx,
                r,
                "backups = { retention = 14d, point_in_time = true }",
            ));
            return;
        }
    }
    let min_days = cx.option_f64("min_days").unwrap_or(7.0);
    for p in [
        "backup_retention",
        "backups.retention",
        "backup_retention_period",
        "backup_configuration.retention",
        "backup_retention_days",
    ] {
        let Some(v) = get(r, p) else { continue };
        // Plain numbers are days (as in CloudFormation and Terraform).
        let Some(secs) = seconds(v, 86400.0) else {
            continue;
        };
        let days = secs / 86400.0;
        if days < 0.5 {
            out.at(
                r,
                top(p),
                format!("database `{}` keeps no automated backups", r.name),
            )
            .label("retention of 0 days")
            .help(fix(cx, r, &format!("{p} = 14d")));
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
            .help(fix(cx, r, &format!("{p} = {min_days}d")));
        }
        return;
    }
}
