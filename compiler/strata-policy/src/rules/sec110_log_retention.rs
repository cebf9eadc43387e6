use super::prelude::*;

rule! {
    /// ## What it checks
    /// A log group or bucket-backed log sink without a retention period (`retention` unset,
    /// meaning logs are kept forever), or with one shorter than the option `min_days`
    /// (default 90, CIS asks for at least 90 days of audit logs).
    ///
    /// ## Why it matters
    /// Logs kept forever grow the bill and the amount of personal data held; logs kept too
    /// briefly are gone before an intrusion is detected (median dwell time is weeks).
    /// Checkov: `CKV_AWS_66`, `CKV_AWS_338`.
    ///
    /// ## Example
    /// ```strata
    /// resource api_logs: aws.logs.LogGroup {}
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource api_logs: aws.logs.LogGroup { retention = 365d }
    /// ```
    pub static RULE = {
        code: "SEC110",
        name: "log-retention",
        category: Security,
        severity: Info,
        applies: Applies::Types(&["aws.logs.LogGroup", "aws.cloudwatch.LogGroup", "gcp.logging.Bucket", "azure.monitor.LogAnalyticsWorkspace"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let min = cx.option_f64("min_days").unwrap_or(90.0);
    match first(r, &["retention", "retention_days", "retention_in_days"]) {
        None => {
            out.at(
                r,
                "retention",
                format!("log group `{}` keeps logs forever", r.name),
            )
            .label("no retention")
            .help(fix(cx, r, "retention = 365d"));
        }
        Some((p, v)) => {
            if let Some(secs) = seconds(v, 86400.0) {
                let days = secs / 86400.0;
                if days > 0.0 && days < min {
                    out.at(
                        r,
                        p,
                        format!(
                            "log group `{}` keeps logs {days} day(s), less than {min}",
                            r.name
                        ),
                    )
                    .label("short retention")
                    .help(fix(cx, r, &format!("{p} = {min}d")));
                }
            }
        }
    }
}
