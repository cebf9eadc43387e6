use super::prelude::*;

rule! {
    /// ## What it checks
    /// A secret in AWS Secrets Manager or GCP Secret Manager without automatic rotation
    /// (`rotation` unset or false).
    ///
    /// ## Why it matters
    /// Long-lived credentials accumulate in logs, laptops and old containers; rotation bounds
    /// how long a leaked one stays valid. Checkov: `CKV2_AWS_57`.
    ///
    /// ## Example
    /// ```strata
    /// resource db_password: aws.secretsmanager.Secret { generate = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db_password: aws.secretsmanager.Secret { generate = true, rotation = { every = 30d } }
    /// ```
    pub static RULE = {
        code: "SEC130",
        name: "secret-rotation-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Types(&["aws.secretsmanager.Secret", "gcp.secretmanager.Secret"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let rotated = match first(
        r,
        &[
            "rotation",
            "rotation_rules",
            "rotation_period",
            "rotation_lambda",
        ],
    ) {
        Some((_, Value::Bool(b))) => *b,
        Some(_) => true,
        None => false,
    };
    if !rotated && cx.can_set(r, "rotation") {
        let line = if r.ty.starts_with("gcp.") {
            "rotation = { period = 30d, next = \"<first rotation, RFC 3339>\", topic = <a Pub/Sub topic> }"
        } else {
            "rotation = { every = 30d }"
        };
        out.at(
            r,
            "rotation",
            format!("secret `{}` is never rotated", r.name),
        )
        .label("no rotation")
        .help(fix(cx, r, line));
    }
}
