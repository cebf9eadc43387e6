use super::prelude::*;

rule! {
    /// ## What it checks
    /// A log group or log bucket that keeps logs forever (`RetentionInDays` unset on
    /// `cfn.AWS.Logs.LogGroup`, `retention_in_days` unset or 0 on `tf.aws_cloudwatch_log_group`), or
    /// for less than the option `min_days` (default 90, CIS asks for at least 90 days of audit logs):
    /// `retention` on `aws.logs.LogGroup`, `gcp.logging.Bucket` and
    /// `azure.monitor.LogAnalyticsWorkspace` and the CloudFormation and Terraform settings above.
    ///
    /// ## Why it matters
    /// Logs kept forever grow the bill and the amount of personal data held; logs kept too
    /// briefly are gone before an intrusion is detected (median dwell time is weeks).
    /// Checkov: `CKV_AWS_66`, `CKV_AWS_338`.
    ///
    /// ## Example
    /// ```strata
    /// resource api_logs: cfn.AWS.Logs.LogGroup { LogGroupName = "api" }
    /// resource worker_logs: aws.logs.LogGroup { retention = 7d }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource api_logs: cfn.AWS.Logs.LogGroup { LogGroupName = "api", RetentionInDays = 365 }
    /// resource worker_logs: aws.logs.LogGroup { retention = 365d }
    /// ```
    pub static RULE = {
        code: "SEC110",
        name: "log-retention",
        category: Security,
        severity: Info,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const RETENTION: &str = "retention";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("aws.logs.LogGroup", "retention", RETENTION),
    part("gcp.logging.Bucket", "retention", RETENTION),
    part("azure.monitor.LogAnalyticsWorkspace", "retention", RETENTION),
    // Days; unset (or 0 in Terraform) keeps logs forever.
    part("cfn.AWS.Logs.LogGroup", "RetentionInDays", RETENTION),
    part("tf.aws_cloudwatch_log_group", "retention_in_days", RETENTION),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(path) = READS.iter().find(|x| x.ty == r.ty).map(|x| x.path) else {
        return;
    };
    let min = cx.option_f64("min_days").unwrap_or(90.0);
    let unit = if r.ty.starts_with("cfn.") || r.ty.starts_with("tf.") {
        ""
    } else {
        "d"
    };
    let days = first_part(READS, r, RETENTION)
        .and_then(|(_, v)| seconds(v, 86400.0))
        .map(|s| s / 86400.0);
    match days {
        None | Some(0.0) => {
            out.at(
                r,
                path,
                format!("log group `{}` keeps logs forever", r.name),
            )
            .label("no retention")
            .help(fix(cx, r, &format!("{path} = 365{unit}")));
        }
        Some(days) if days < min => {
            out.at(
                r,
                path,
                format!(
                    "log group `{}` keeps logs {days} day(s), less than {min}",
                    r.name
                ),
            )
            .label("short retention")
            .help(fix(cx, r, &format!("{path} = {min}{unit}")));
        }
        Some(_) => {}
    }
}
