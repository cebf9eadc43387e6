use super::iam::trust;
use super::prelude::*;
use super::sec034_resource_policy_public::{everyone, narrowed};

rule! {
    /// ## What it checks
    /// A role that any principal may assume: `assumed_by = { aws = ["*"] }` on `aws.iam.Role`,
    /// or a trust statement that allows the principal `*` (or `arn:aws:iam::*:root`, every
    /// account) or uses `NotPrincipal`, in the `AssumeRolePolicyDocument` of `cfn.AWS.IAM.Role`
    /// or the `assume_role_policy` (JSON) of `tf.aws_iam_role`, unless a condition narrows the
    /// caller (`aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceArn`,
    /// ...). An `sts:ExternalId` condition alone does not narrow it. Each open statement is a
    /// finding.
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
    if let Some((prop, p)) = super::iam::trusted(r)
        .into_iter()
        .find(|(_, p)| everyone(p))
    {
        out.at(r, prop, format!("any principal can assume `{}`", r.name))
            .label(format!("principal `{p}`"))
            .help("trust a specific account, service or OIDC provider, e.g. `assumed_by = { service = [\"ecs-tasks.amazonaws.com\"] }`");
        return;
    }
    // Each open statement: a wildcard principal (`*`, or every account's root) or `NotPrincipal`
    // with `Allow`, unless a condition narrows who the caller is (`aws:PrincipalOrgID`,
    // `aws:PrincipalAccount`, `aws:PrincipalArn`, ...: the keys SEC034 accepts). An external id
    // alone does not: anyone who learns it may assume the role.
    for s in trust(r) {
        if !s.allows() || narrowed(&s) {
            continue;
        }
        let label = if let Some(p) = s.principals().into_iter().find(|p| everyone(p)) {
            format!("principal `{p}`")
        } else if s.not_principal() {
            "`NotPrincipal` with `Allow`".to_string()
        } else {
            continue;
        };
        let external_id = s
            .conditions()
            .iter()
            .any(|(_, k, _)| k.eq_ignore_ascii_case("sts:ExternalId"));
        let help = if external_id {
            "an external id does not say who may assume the role: name the vendor's account (`Principal = { AWS = \"arn:aws:iam::ACCOUNT:root\" }`) and keep the external id as a condition"
        } else {
            "trust a specific account, service or OIDC provider, e.g. `principals = { Service = [\"ecs-tasks.amazonaws.com\"] }`, or narrow the caller with `aws:PrincipalOrgID`"
        };
        out.report(
            cx.span_at(r, &s.path, &[]),
            format!("any principal can assume `{}`", r.name),
        )
        .label(label)
        .help(help);
    }
}
