use super::prelude::*;

rule! {
    /// ## What it checks
    /// An S3 or Cloud Storage bucket without server access logging (`logging` unset).
    ///
    /// ## Why it matters
    /// Access logs are how you find out who read or deleted what after an incident; without
    /// them a leak cannot be scoped. Checkov: `CKV_AWS_18`, `CKV_GCP_62`.
    ///
    /// ## Example
    /// ```strata
    /// resource uploads: aws.s3.Bucket { versioning = true }
    /// ```
    ///
    /// ## Fix
    /// Send the logs to a separate bucket:
    /// ```strata
    /// resource logs: aws.s3.Bucket { versioning = true }
    /// resource uploads: aws.s3.Bucket { logging = { bucket = logs, prefix = "uploads/" } }
    /// ```
    pub static RULE = {
        code: "SEC004",
        name: "bucket-access-logging-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Types(&["aws.s3.Bucket", "gcp.storage.Bucket"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let logged = match first(r, &["logging", "access_logging", "log_bucket"]) {
        Some((_, Value::Bool(b))) => *b,
        Some(_) => true,
        None => false,
    };
    // A bucket that other buckets log into is the log bucket itself: don't ask it to log.
    let is_log_target = cx.graph.dependents(r.id).iter().any(|(_, e)| {
        e.property
            .as_deref()
            .is_some_and(|p| p.contains("logging") || p == "log_bucket")
    });
    if !logged && !is_log_target {
        out.at(
            r,
            "logging",
            format!("bucket `{}` has no access logging", r.name),
        )
        .label("no access logs")
        .help(fix(
            cx,
            r,
            "logging = { bucket = <a log bucket>, prefix = \"...\" }",
        ));
    }
}
