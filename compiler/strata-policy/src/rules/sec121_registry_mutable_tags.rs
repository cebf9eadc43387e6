use super::prelude::*;

rule! {
    /// ## What it checks
    /// A container registry repository whose tags can be overwritten: `immutable_tags = false` on
    /// `aws.ecr.Repository`, an `ImageTagMutability`/`image_tag_mutability` other than `IMMUTABLE`
    /// (or unset, the default `MUTABLE`) on `cfn.AWS.ECR.Repository` and `tf.aws_ecr_repository`.
    ///
    /// ## Why it matters
    /// With mutable tags, `api:1.4.2` can silently change after review; a compromised CI
    /// credential can replace a released image. Checkov: `CKV_AWS_51`.
    ///
    /// ## Example
    /// ```strata
    /// resource api_images: aws.ecr.Repository { immutable_tags = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource api_images: aws.ecr.Repository { immutable_tags = true }
    /// ```
    pub static RULE = {
        code: "SEC121",
        name: "registry-mutable-tags",
        category: Security,
        severity: Info,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const MUTABLE: &str = "mutable tags";
const IMMUTABLE: Is = Is::NoneOfOrUnset(&["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"]);

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.ecr.Repository", "immutable_tags", Is::False, MUTABLE),
    // ECR tags are mutable unless told otherwise.
    read("cfn.AWS.ECR.Repository", "ImageTagMutability", IMMUTABLE, MUTABLE),
    read("tf.aws_ecr_repository", "image_tag_mutability", IMMUTABLE, MUTABLE),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let on = if hit.path() == "immutable_tags" {
        "true"
    } else {
        "\"IMMUTABLE\""
    };
    out.at(
        r,
        hit.prop(),
        format!("tags of repository `{}` can be overwritten", r.name),
    )
    .label(match hit.value.and_then(Value::as_str) {
        Some(v) => v,
        None => MUTABLE,
    })
    .help(fix(cx, r, &format!("{} = {on}", hit.path())));
}
