use super::prelude::*;

rule! {
    /// ## What it checks
    /// An object storage bucket with no lifecycle rules (`lifecycle` unset or empty).
    ///
    /// ## Why it matters
    /// Without lifecycle rules every object (and, with versioning, every old version) stays in
    /// the most expensive storage class forever. Moving objects to an archive class after a
    /// few months and expiring old versions typically cuts storage cost by half or more.
    ///
    /// ## Example
    /// ```strata
    /// resource uploads: aws.s3.Bucket { versioning = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource uploads: aws.s3.Bucket {
    ///   versioning = true
    ///   lifecycle  = [{ after = 90d, storage_class = "GLACIER" }]
    /// }
    /// ```
    pub static RULE = {
        code: "COST006",
        name: "bucket-without-lifecycle",
        category: Cost,
        severity: Info,
        applies: Applies::Kinds(&[BUCKET]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for p in ["lifecycle", "lifecycle_rules", "lifecycle_rule"] {
        match r.prop(p) {
            Some(Value::List(l)) if !l.is_empty() => return,
            Some(Value::Record(_)) => return,
            _ => {}
        }
    }
    // Types without a lifecycle property (storage accounts, user schemas) are not flagged.
    let has_prop = cx.schema(r).is_none_or(|s| {
        s.fields.contains_key("lifecycle") || s.fields.contains_key("lifecycle_rules")
    });
    if !has_prop {
        return;
    }
    out.at(
        r,
        "lifecycle",
        format!("bucket `{}` has no lifecycle rules", r.name),
    )
    .label("objects stay in the standard storage class forever")
    .help(fix(
        cx,
        r,
        "lifecycle = [{ after = 90d, storage_class = \"GLACIER\" }]",
    ));
}
