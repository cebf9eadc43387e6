use super::prelude::*;

rule! {
    /// ## What it checks
    /// A CloudFront distribution that serves viewers over plain HTTP: a cache behavior (the default
    /// one or another) with the viewer protocol policy `allow-all` (`cfn.AWS.CloudFront.Distribution`,
    /// `tf.aws_cloudfront_distribution`). The stdlib's `aws.cloudfront.Distribution` always
    /// redirects to HTTPS.
    ///
    /// ## Why it matters
    /// Viewers on plain HTTP can be served altered content (script injection on public Wi-Fi)
    /// and leak cookies. Checkov: `CKV_AWS_34`.
    ///
    /// ## Example
    /// ```strata
    /// resource cdn: tf.aws_cloudfront_distribution {
    ///   enabled = true
    ///   origin = [{ domain_name = "acme.s3.amazonaws.com", origin_id = "s3" }]
    ///   default_cache_behavior = { target_origin_id = "s3", viewer_protocol_policy = "allow-all", allowed_methods = ["GET", "HEAD"], cached_methods = ["GET", "HEAD"] }
    ///   restrictions = { geo_restriction = { restriction_type = "none" } }
    ///   viewer_certificate = { cloudfront_default_certificate = true }
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource cdn: tf.aws_cloudfront_distribution {
    ///   enabled = true
    ///   origin = [{ domain_name = "acme.s3.amazonaws.com", origin_id = "s3" }]
    ///   default_cache_behavior = { target_origin_id = "s3", viewer_protocol_policy = "redirect-to-https", allowed_methods = ["GET", "HEAD"], cached_methods = ["GET", "HEAD"] }
    ///   restrictions = { geo_restriction = { restriction_type = "none" } }
    ///   viewer_certificate = { cloudfront_default_certificate = true }
    /// }
    /// ```
    pub static RULE = {
        code: "SEC062",
        name: "cdn-allows-http",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const HTTP: &str = "allow-all";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("cfn.AWS.CloudFront.Distribution", "DistributionConfig.DefaultCacheBehavior.ViewerProtocolPolicy", Is::OneOf(&["allow-all"]), HTTP),
    read("cfn.AWS.CloudFront.Distribution", "DistributionConfig.CacheBehaviors[].ViewerProtocolPolicy", Is::OneOf(&["allow-all"]), HTTP),
    read("tf.aws_cloudfront_distribution", "default_cache_behavior.viewer_protocol_policy", Is::OneOf(&["allow-all"]), HTTP),
    read("tf.aws_cloudfront_distribution", "ordered_cache_behavior[].viewer_protocol_policy", Is::OneOf(&["allow-all"]), HTTP),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let field = hit.path().rsplit('.').next().unwrap_or(hit.path());
    out.at(
        r,
        hit.prop(),
        format!("distribution `{}` serves viewers over plain HTTP", r.name),
    )
    .label(HTTP)
    .help(match hit.path().contains("[]") {
        true => Help::from(format!(
            "write `{field} = \"redirect-to-https\"` in every cache behavior of `{}`",
            r.name
        )),
        false => fix(cx, r, &format!("{} = \"redirect-to-https\"", hit.path())),
    });
}
