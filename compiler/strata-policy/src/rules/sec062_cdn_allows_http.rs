use super::prelude::*;

rule! {
    /// ## What it checks
    /// A CDN distribution that serves viewers over plain HTTP: CloudFront
    /// `viewer_protocol_policy = "allow-all"`, or a Cloud CDN / Front Door endpoint with
    /// `https_only = false`.
    ///
    /// ## Why it matters
    /// Viewers on plain HTTP can be served altered content (script injection on public Wi-Fi)
    /// and leak cookies. Checkov: `CKV_AWS_34`.
    ///
    /// ## Example
    /// ```strata
    /// resource cdn: aws.cloudfront.Distribution { viewer_protocol_policy = "allow-all" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource cdn: aws.cloudfront.Distribution { viewer_protocol_policy = "redirect-to-https" }
    /// ```
    pub static RULE = {
        code: "SEC062",
        name: "cdn-allows-http",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[CDN]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for p in [
        "viewer_protocol_policy",
        "default_cache_behavior.viewer_protocol_policy",
    ] {
        if get_str(r, p).is_some_and(|v| v.eq_ignore_ascii_case("allow-all")) {
            out.at(
                r,
                top(p),
                format!("distribution `{}` serves viewers over plain HTTP", r.name),
            )
            .label("allow-all")
            .help(fix(cx, r, &format!("{p} = \"redirect-to-https\"")));
            return;
        }
    }
    if let Some((p, false)) = first_bool(r, &["https_only", "https_redirect"]) {
        out.at(
            r,
            p,
            format!("distribution `{}` serves viewers over plain HTTP", r.name),
        )
        .label("HTTP allowed")
        .help(fix(cx, r, &format!("{p} = true")));
    }
}
