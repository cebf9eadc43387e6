use super::prelude::*;

rule! {
    /// ## What it checks
    /// A credential written literally in what a stack publishes rather than in a resource: an
    /// `output` (a literal under a name like `password`, `token` or `api_key`, or any string
    /// with a known credential format — an AWS access key id, a private key, a GitHub, Slack,
    /// Stripe or Google token, a password in a URL or a connection string, at any depth, in the
    /// literal parts of interpolations too) or a stack's `tags` (keys and values). Resources
    /// are SEC095's.
    ///
    /// ## Why it matters
    /// Outputs are printed by `terraform output` and `aws cloudformation describe-stacks`,
    /// stored in the state and shown in consoles; tags are copied onto every resource of the
    /// stack and readable by anyone who can list them. A secret there is leaked as surely as
    /// one in a resource. Checkov: `CKV_SECRET_*`.
    ///
    /// ## Example
    /// ```strata
    /// output db_url = "postgres://app:hunter22-prod@db.internal:5432/app"
    /// ```
    ///
    /// ## Fix
    /// Publish where the secret is kept, not the secret:
    /// ```strata
    /// resource db_password: aws.secretsmanager.Secret { generate = { length = 32 } }
    /// output db_password_arn = db_password.arn
    /// ```
    pub static RULE = {
        code: "SEC096",
        name: "literal-secret-in-output",
        category: Security,
        severity: Error,
        applies: Applies::All,
        check: Check::Model(check),
    }
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    for o in &cx.model.outputs {
        if let Some((what, key)) = super::sec095_literal_secret::scan(&o.name, &o.value, true, &[])
        {
            let at = if key == o.name {
                String::new()
            } else {
                format!(" in `{key}`")
            };
            out.report(o.span, format!("output `{}` contains {what}{at}", o.name))
                .label("secret in the source")
                .help("publish the secret's ARN or name (`secret.arn`) instead, and rotate the value; outputs are stored in the state and printed by the deploy tools");
        }
    }
    for s in &cx.model.stacks {
        for (k, v) in &s.tags {
            let what = credential_pattern(k)
                .map(|w| format!("{w} as a tag key"))
                .or_else(|| credential_pattern(v).map(str::to_string))
                .or_else(|| {
                    (secret_name(k) && looks_secret(v)).then(|| "a literal credential".to_string())
                });
            if let Some(what) = what {
                out.report(s.span, format!("the tags of stack `{}` contain {what} (tag `{}`)", s.name, shown_key(k)))
                    .label("secret in the stack's tags")
                    .help("remove the tag and rotate the value: tags are copied onto every resource of the stack and readable by anyone who can list them");
                break;
            }
        }
    }
}

/// A tag key as a message may show it: not at all when it is itself a credential.
fn shown_key(k: &str) -> String {
    if credential_pattern(k).is_some() {
        "not shown".to_string()
    } else {
        k.to_string()
    }
}
