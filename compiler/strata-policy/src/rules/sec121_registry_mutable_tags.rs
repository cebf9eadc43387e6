use super::prelude::*;

rule! {
    /// ## What it checks
    /// A container registry repository whose tags can be overwritten
    /// (`tag_mutability = "MUTABLE"`, `immutable_tags = false`).
    ///
    /// ## Why it matters
    /// With mutable tags, `api:1.4.2` can silently change after review; a compromised CI
    /// credential can replace a released image. Checkov: `CKV_AWS_51`.
    ///
    /// ## Example
    /// ```strata
    /// resource api_images: aws.ecr.Repository { tag_mutability = "MUTABLE" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource api_images: aws.ecr.Repository { tag_mutability = "IMMUTABLE" }
    /// ```
    pub static RULE = {
        code: "SEC121",
        name: "registry-mutable-tags",
        category: Security,
        severity: Info,
        applies: Applies::Types(&["aws.ecr.Repository"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, false)) = first_bool(r, &["immutable_tags", "tag_immutability"]) {
        out.at(
            r,
            p,
            format!("tags of repository `{}` can be overwritten", r.name),
        )
        .label("mutable tags")
        .help(fix(cx, r, &format!("{p} = true")));
        return;
    }
    match first_str(r, &["tag_mutability", "image_tag_mutability"]) {
        Some((p, v)) if v.eq_ignore_ascii_case("MUTABLE") => {
            out.at(
                r,
                p,
                format!("tags of repository `{}` can be overwritten", r.name),
            )
            .label("MUTABLE")
            .help(fix(cx, r, &format!("{p} = \"IMMUTABLE\"")));
        }
        _ => {}
    }
}
