use super::prelude::*;

rule! {
    /// ## What it checks
    /// An object storage bucket that anyone on the internet can read or list: an S3 bucket with
    /// a public ACL, public website hosting or its public access block turned off, a Cloud
    /// Storage bucket open to `allUsers` or without public access prevention, an Azure storage
    /// account that allows public blob access, or a portable `ObjectStore` with `public = true`.
    ///
    /// ## Why it matters
    /// Public buckets are the most common source of cloud data leaks: backups, exports and user
    /// uploads end up indexed by scanners within hours. Checkov: `CKV_AWS_20`, `CKV_AWS_53`–`CKV_AWS_56`, `CKV2_AWS_6`,
    /// `CKV_GCP_28`, `CKV_GCP_114`, `CKV_AZURE_190`.
    ///
    /// ## Example
    /// ```strata
    /// resource uploads: aws.s3.Bucket { public_read = true }
    /// ```
    ///
    /// ## Fix
    /// Keep the bucket private and serve public files through a CDN with origin access:
    /// ```strata
    /// resource uploads: aws.s3.Bucket { public_read = false, block_public_access = true }
    /// ```
    pub static RULE = {
        code: "SEC001",
        name: "bucket-public",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[BUCKET]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for p in [
        "public",
        "public_read",
        "public_access",
        "website",
        "allow_blob_public_access",
        "allow_public_access",
    ] {
        if get(r, p).is_some_and(crate::facts::truthy) {
            out.at(
                r,
                p,
                format!("bucket `{}` is readable by anyone on the internet", r.name),
            )
            .label("public access")
            .help(fix(cx, r, &format!("{p} = false")));
            return;
        }
    }
    if let Some((p, acl)) = first_str(r, &["acl", "predefined_acl"]) {
        let a = acl.to_ascii_lowercase();
        if a.contains("public")
            || a == "allusers"
            || a == "authenticated-read"
            || a == "authenticatedread"
        {
            out.at(
                r,
                p,
                format!("bucket `{}` has the public ACL `{acl}`", r.name),
            )
            .label("public ACL")
            .help(fix(cx, r, &format!("{p} = \"private\"")));
            return;
        }
    }
    for p in ["readers", "members", "iam_members"] {
        if get(r, p).is_some_and(|v| {
            strings(v)
                .iter()
                .any(|m| *m == "allUsers" || *m == "allAuthenticatedUsers")
        }) {
            out.at(
                r,
                p,
                format!("bucket `{}` grants access to `allUsers`", r.name),
            )
            .label("public members")
            .help(format!(
                "remove `allUsers` and `allAuthenticatedUsers` from `{p}` of `{}`",
                r.name
            ));
            return;
        }
    }
    if let Some((p, false)) = first_bool(r, &["block_public_access", "public_access_block"]) {
        out.at(
            r,
            p,
            format!("bucket `{}` has its public access block turned off", r.name),
        )
        .label("public access block off")
        .help(fix(cx, r, &format!("{p} = true")));
        return;
    }
    if let Some((p, v)) = first_str(r, &["public_access_prevention"]) {
        if !v.eq_ignore_ascii_case("enforced") {
            out.at(
                r,
                p,
                format!(
                    "bucket `{}` does not enforce public access prevention",
                    r.name
                ),
            )
            .label("public access prevention not enforced")
            .help(fix(cx, r, &format!("{p} = \"enforced\"")));
        }
    }
}
