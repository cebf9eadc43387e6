use super::iam::statements;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// An IAM policy statement that allows every action (`"*"`) or every action of a service
    /// (`"s3:*"`, `"dynamodb:*"`), or that allows with `NotAction` (every action but those listed,
    /// including the ones AWS adds later). Each such statement is a finding.
    ///
    /// ## Why it matters
    /// Wildcard actions grant far more than the workload needs — deleting buckets, changing
    /// policies, disabling logging — so a leaked credential or an SSRF bug becomes a full
    /// compromise. Least privilege lists the actions used. Checkov: `CKV_AWS_62`, `CKV_AWS_63`.
    ///
    /// ## Example
    /// ```strata
    /// resource uploads: aws.s3.Bucket {}
    /// resource app: aws.iam.Policy {
    ///   statements = [{ effect = "Allow", actions = ["s3:*"], resources = [uploads.arn] }]
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource uploads: aws.s3.Bucket {}
    /// resource app: aws.iam.Policy {
    ///   statements = [{ effect = "Allow", actions = ["s3:GetObject", "s3:PutObject"], resources = ["${uploads.arn}/*"] }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC030",
        name: "iam-wildcard-action",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || super::iam::doc_reads(false),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for s in statements(r) {
        if !s.allows() {
            continue;
        }
        if let Some(a) = s.actions().into_iter().find(|a| wildcard_action(a)) {
            out.report(cx.span_at(r, &s.path, &[]), format!("`{}` allows the wildcard action `{a}`", r.name))
                .label("wildcard action")
                .help(format!("list the actions the workload calls instead of `{a}`, e.g. `actions = [\"s3:GetObject\", \"s3:PutObject\"]`"));
        } else if let Some(but) = s.not_actions() {
            // `Allow` with `NotAction`: every action of every service but the listed ones,
            // including those AWS adds later.
            let but = but.join("`, `");
            out.report(cx.span_at(r, &s.path, &[]), format!("`{}` allows every action but `{but}`", r.name))
                .label("`NotAction` with `Allow`")
                .help("list the actions the workload calls with `Action`; keep `NotAction` for `Deny` statements (a guardrail that denies all but a few actions)");
        }
    }
}
