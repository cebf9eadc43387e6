use super::prelude::*;

rule! {
    /// ## What it checks
    /// A production database (or any database, with the option `all_environments = true`)
    /// without deletion protection (`deletion_protection = false` or unset).
    ///
    /// ## Why it matters
    /// A rename in the source, a mistaken stack deletion or a bad `terraform apply` replaces or
    /// deletes the database; deletion protection makes the cloud refuse. Checkov: `CKV_AWS_293`.
    ///
    /// ## Example
    /// ```strata
    /// param env = "prod"
    /// resource db: aws.rds.DBInstance { deletion_protection = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db: aws.rds.DBInstance { deletion_protection = prod }
    /// ```
    pub static RULE = {
        code: "SEC014",
        name: "database-no-deletion-protection",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[DATABASE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let everywhere = cx
        .options
        .get("all_environments")
        .is_some_and(Value::is_true);
    if !everywhere && !cx.is_prod(r) {
        return;
    }
    match first_bool(r, &["deletion_protection", "deletion_protection_enabled"]) {
        Some((_, true)) => {}
        Some((p, false)) => {
            out.at(
                r,
                p,
                format!(
                    "production database `{}` can be deleted without protection",
                    r.name
                ),
            )
            .label("deletion protection off")
            .help(fix(cx, r, &format!("{p} = true")));
        }
        None if cx
            .schema(r)
            .is_none_or(|s| s.fields.contains_key("deletion_protection")) =>
        {
            out.at(
                r,
                "deletion_protection",
                format!(
                    "production database `{}` can be deleted without protection",
                    r.name
                ),
            )
            .label("no deletion protection")
            .help(fix(cx, r, "deletion_protection = true"));
        }
        None => {}
    }
}
