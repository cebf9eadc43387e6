use super::prelude::*;

rule! {
    /// ## What it checks
    /// A container registry repository that does not scan images on push: `scan_on_push` false or
    /// unset on `aws.ecr.Repository`, `ImageScanningConfiguration.ScanOnPush` on
    /// `cfn.AWS.ECR.Repository`, `image_scanning_configuration.scan_on_push` on
    /// `tf.aws_ecr_repository`.
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
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "no image scanning";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.ecr.Repository", "scan_on_push", Is::FalseOrUnset, OFF),
    read("cfn.AWS.ECR.Repository", "ImageScanningConfiguration.ScanOnPush", Is::FalseOrUnset, OFF),
    read("tf.aws_ecr_repository", "image_scanning_configuration.scan_on_push", Is::FalseOrUnset, OFF),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    out.at(
        r,
        hit.prop(),
        format!("repository `{}` does not scan images on push", r.name),
    )
    .label(OFF)
    .help(fix(cx, r, &format!("{} = true", hit.path())));
}
