use super::iam::trust;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A role that any principal may assume: `assumed_by = { aws = ["*"] }`, or a trust
    /// statement with `principals = ["*"]` and no condition.
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
        applies: Applies::Kinds(&[IAM]),
        check: Check::Resource(check),
    }
}

fn check(_cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((prop, _)) = super::iam::trusted(r).into_iter().find(|(_, p)| *p == "*") {
        out.at(r, prop, format!("any principal can assume `{}`", r.name))
            .label("principal `*`")
            .help("trust a specific account, service or OIDC provider, e.g. `assumed_by = { service = [\"ecs-tasks.amazonaws.com\"] }`");
        return;
    }
    for s in trust(r) {
        let conditioned = s
            .rec
            .keys()
            .any(|k| k.eq_ignore_ascii_case("condition") || k.eq_ignore_ascii_case("conditions"));
        if s.allows() && !conditioned && s.principals().contains(&"*") {
            out.at(r, s.prop, format!("any principal can assume `{}`", r.name))
                .label("principal `*`")
                .help("trust a specific account, service or OIDC provider, e.g. `principals = { Service = [\"ecs-tasks.amazonaws.com\"] }`");
            return;
        }
    }
}
