use super::prelude::*;

rule! {
    /// ## What it checks
    /// An object storage bucket without versioning (`versioning = false`, or not set).
    ///
    /// ## Why it matters
    /// Without versions, an overwrite or delete — by a bug, a compromised credential or
    /// ransomware — destroys the data for good. Versioning (with a lifecycle rule expiring old
    /// versions) is the cheapest recovery mechanism. Checkov: `CKV_AWS_21`, `CKV_GCP_78`.
    ///
    /// ## Example
    /// ```strata
    /// resource uploads: aws.s3.Bucket { versioning = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource uploads: aws.s3.Bucket { versioning = true }
    /// ```
    pub static RULE = {
        code: "SEC003",
        name: "bucket-versioning-disabled",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[BUCKET]),
        check: Check::Resource(check),
    }
}

const PROPS: &[&str] = &["versioning", "versioning_enabled", "blob_versioning"];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let (p, on) = match first(r, PROPS) {
        Some((p, v)) => (
            p,
            match v {
                Value::Bool(b) => *b,
                Value::Record(m) => m.get("enabled").is_none_or(Value::is_true),
                Value::Str(s) => s.eq_ignore_ascii_case("enabled"),
                _ => true,
            },
        ),
        // Unset: a finding when the type has such a property (or its schema is unknown).
        None if cx
            .schema(r)
            .is_none_or(|s| PROPS.iter().any(|f| s.fields.contains_key(*f))) =>
        {
            ("versioning", false)
        }
        None => return,
    };
    if !on {
        out.at(r, p, format!("bucket `{}` is not versioned", r.name))
            .label("no versioning")
            .help(fix(cx, r, &format!("{p} = true")));
    }
}
