use super::prelude::*;

rule! {
    /// ## What it checks
    /// A CloudTrail trail whose events do not reach CloudWatch Logs: `cloudwatch_logs` unset on
    /// `aws.cloudtrail.Trail`, `CloudWatchLogsLogGroupArn` on `cfn.AWS.CloudTrail.Trail`,
    /// `cloud_watch_logs_group_arn` on `tf.aws_cloudtrail`.
    ///
    /// ## Why it matters
    /// The S3 copy is the record, read after the fact; metric filters and alarms on API calls
    /// (root sign-in, IAM or key policy changes, a trail stopped) need the events in a log group
    /// as they happen. Checkov: `CKV2_AWS_10`.
    ///
    /// ## Example
    /// ```strata
    /// resource logs: aws.s3.Bucket {}
    /// resource trail: aws.cloudtrail.Trail { bucket = logs }
    /// ```
    ///
    /// ## Fix
    /// The lowering writes the role CloudTrail delivers the events as:
    /// ```strata
    /// resource logs: aws.s3.Bucket {}
    /// resource trail_logs: aws.logs.LogGroup { retention = 365d }
    /// resource trail: aws.cloudtrail.Trail { bucket = logs, cloudwatch_logs = trail_logs }
    /// ```
    pub static RULE = {
        code: "SEC065",
        name: "trail-without-cloudwatch-logs",
        category: Security,
        severity: Info,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const NO_LOGS: &str = "events not in CloudWatch Logs";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.cloudtrail.Trail", "cloudwatch_logs", Is::Unset, NO_LOGS),
    read("cfn.AWS.CloudTrail.Trail", "CloudWatchLogsLogGroupArn", Is::Unset, NO_LOGS),
    read("tf.aws_cloudtrail", "cloud_watch_logs_group_arn", Is::Unset, NO_LOGS),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let help = match r.ty.as_str() {
        "cfn.AWS.CloudTrail.Trail" => Help::from(format!(
            "write `CloudWatchLogsLogGroupArn = <a log group>.Arn` and `CloudWatchLogsRoleArn = <a role cloudtrail.amazonaws.com may assume, allowed logs:CreateLogStream and logs:PutLogEvents there>.Arn` in `{}`",
            r.name
        )),
        "tf.aws_cloudtrail" => Help::from(format!(
            "write `cloud_watch_logs_group_arn = \"${{<a log group>.arn}}:*\"` and `cloud_watch_logs_role_arn = <a role cloudtrail.amazonaws.com may assume, allowed logs:CreateLogStream and logs:PutLogEvents there>.arn` in `{}`",
            r.name
        )),
        _ => fix(cx, r, "cloudwatch_logs = <a log group>"),
    };
    out.at(
        r,
        hit.prop(),
        format!(
            "trail `{}` does not send its events to CloudWatch Logs",
            r.name
        ),
    )
    .label(NO_LOGS)
    .help(help);
}
