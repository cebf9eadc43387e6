use super::prelude::*;

rule! {
    /// ## What it checks
    /// A container registry repository that does not scan images on push
    /// (`scan_on_push = false` or unset on ECR repositories).
    ///
    /// ## Why it matters
    /// Scanning on push flags known-vulnerable base images and packages before they are
    /// deployed. Checkov: `CKV_AWS_163`.
    ///
    /// ## Example
    /// ```strata
    /// resource api_images: aws.ecr.Repository { scan_on_push = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource api_images: aws.ecr.Repository { scan_on_push = true }
    /// ```
    pub static RULE = {
        code: "SEC120",
        name: "registry-scan-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Types(&["aws.ecr.Repository"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !first_bool(r, &["scan_on_push", "image_scanning", "scanning"]).is_some_and(|(_, b)| b) {
        out.at(
            r,
            "scan_on_push",
            format!("repository `{}` does not scan images on push", r.name),
        )
        .label("no image scanning")
        .help(fix(cx, r, "scan_on_push = true"));
    }
}
