use super::iam::trust;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A role that any principal may assume: `assumed_by = { aws = ["*"] }` on `aws.iam.Role`,
    /// or a trust statement with the principal `*` and no condition in the
    /// `AssumeRolePolicyDocument` of `cfn.AWS.IAM.Role` or the `assume_role_policy` (JSON) of
    /// `tf.aws_iam_role`.
    ///
    /// ## Why it matters
    /// Anyone with any AWS account can then assume the role and act with its permissions.
    /// Checkov: `CKV_AWS_60`, `CKV_AWS_61`.
    ///
    /// ## Example
    /// ```strata
    /// resource ci: aws.iam.Role { assumed_by = { aws = ["*"] } }
    /// ```
    ///
    /// ## Fix
    /// Trust a specific account, service or OIDC provider:
    /// ```strata
    /// resource ci: aws.iam.Role { assumed_by = { service = ["ecs-tasks.amazonaws.com"] } }
    /// ```
    pub static RULE = {
        code: "SEC033",
        name: "iam-trust-anyone",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: reads,
        check: Check::Resource(check),
    }
}

/// The trust documents, and the curated role's `assumed_by`.
fn reads() -> &'static [Read] {
    static READS: std::sync::OnceLock<Vec<Read>> = std::sync::OnceLock::new();
    READS.get_or_init(|| {
        let mut v = vec![part("aws.iam.Role", "assumed_by", "trusted principals")];
        v.extend_from_slice(super::iam::doc_reads(true));
        v
    })
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((prop, _)) = super::iam::trusted(r).into_iter().find(|(_, p)| *p == "*") {
        out.at(r, prop, format!("any principal can assume `{}`", r.name))
            .label("principal `*`")
            .help("trust a specific account, service or OIDC provider, e.g. `assumed_by = { service = [\"ecs-tasks.amazonaws.com\"] }`");
        return;
    }
    for s in trust(r) {
        if s.allows() && !s.conditioned() && s.principals().contains(&"*") {
            out.report(cx.span_at(r, &s.path, &[]), format!("any principal can assume `{}`", r.name))
                .label("principal `*`")
                .help("trust a specific account, service or OIDC provider, e.g. `principals = { Service = [\"ecs-tasks.amazonaws.com\"] }`");
            return;
        }
    }
}
