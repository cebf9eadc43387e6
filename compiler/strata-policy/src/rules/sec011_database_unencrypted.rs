use super::prelude::*;

rule! {
    /// ## What it checks
    /// A managed database whose storage is not encrypted at rest (`storage_encrypted = false`,
    /// `encrypted = false`, or `encryption = false`).
    ///
    /// ## Why it matters
    /// Unencrypted storage, snapshots and replicas expose the data to anyone who obtains a
    /// snapshot copy or the underlying volume; encryption cannot be turned on later without
    /// recreating the instance. Checkov: `CKV_AWS_16`.
    ///
    /// ## Example
    /// ```strata
    /// resource db: aws.rds.DBInstance { storage_encrypted = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db: aws.rds.DBInstance { storage_encrypted = true, kms_key = key }
    /// ```
    pub static RULE = {
        code: "SEC011",
        name: "database-unencrypted",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[DATABASE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, v)) = first(
        r,
        &[
            "storage_encrypted",
            "encrypted",
            "encryption",
            "encryption_at_rest",
        ],
    ) {
        if matches!(v, Value::Bool(false)) {
            out.at(
                r,
                p,
                format!("database `{}` stores its data unencrypted", r.name),
            )
            .label("encryption at rest off")
            .help(fix(cx, r, &format!("{p} = true")));
        }
    }
}
