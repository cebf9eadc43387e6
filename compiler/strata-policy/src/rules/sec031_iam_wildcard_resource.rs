use super::iam::statements;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// An IAM policy statement that allows write or management actions on every resource
    /// (`resources = ["*"]`). Read-only actions (`Describe*`, `List*`, `Get*`) on `*` are not
    /// flagged, nor are actions that only exist without a resource.
    ///
    /// ## Why it matters
    /// `"*"` makes the permission apply to every bucket, queue and key in the account,
    /// including those of other applications and environments. Scope it to the ARNs of the
    /// resources the workload uses — Strata references make that easy. Checkov: `CKV_AWS_111`, `CKV_AWS_355`.
    ///
    /// ## Example
    /// ```strata
    /// resource app: aws.iam.Policy {
    ///   statements = [{ effect = "Allow", actions = ["sqs:SendMessage"], resources = ["*"] }]
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource jobs: aws.sqs.Queue {}
    /// resource app: aws.iam.Policy {
    ///   statements = [{ effect = "Allow", actions = ["sqs:SendMessage"], resources = [jobs.arn] }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC031",
        name: "iam-wildcard-resource",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || super::iam::doc_reads(false),
        check: Check::Resource(check),
    }
}

fn read_only(action: &str) -> bool {
    let verb = action.rsplit(':').next().unwrap_or(action);
    [
        "Describe", "List", "Get", "Head", "Lookup", "BatchGet", "Query", "Scan",
    ]
    .iter()
    .any(|p| verb.starts_with(p))
}

/// Actions that have no resource-level permission and must use `*`.
fn resourceless(action: &str) -> bool {
    matches!(
        action,
        "sts:GetCallerIdentity"
            | "ecr:GetAuthorizationToken"
            | "logs:CreateLogGroup"
            | "cloudwatch:PutMetricData"
            | "xray:PutTraceSegments"
            | "xray:PutTelemetryRecords"
    )
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for s in statements(r) {
        if !s.allows() || !s.resources().contains(&"*") {
            continue;
        }
        let actions = s.actions();
        if let Some(a) = actions
            .iter()
            .find(|a| !read_only(a) && !resourceless(a) && !wildcard_action(a))
        {
            out.report(cx.span_at(r, &s.path, &[]), format!("`{}` allows `{a}` on every resource", r.name))
                .label("resources = [\"*\"]")
                .help("scope the statement to the resources it needs with references, e.g. `resources = [jobs.arn]`");
            return;
        }
    }
}
