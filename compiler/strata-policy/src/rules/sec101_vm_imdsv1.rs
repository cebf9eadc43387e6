use super::prelude::*;

rule! {
    /// ## What it checks
    /// An EC2 instance or launch template that allows the instance metadata service v1
    /// (`metadata_http_tokens` not `"required"`, or `imdsv2 = false`).
    ///
    /// ## Why it matters
    /// IMDSv1 answers plain GET requests, so any SSRF bug in the application hands out the
    /// instance role's credentials (the Capital One breach). IMDSv2 requires a session token.
    /// Checkov: `CKV_AWS_79`.
    ///
    /// ## Example
    /// ```strata
    /// resource worker: aws.ec2.Instance { metadata_http_tokens = "optional" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource worker: aws.ec2.Instance { metadata_http_tokens = "required" }
    /// ```
    pub static RULE = {
        code: "SEC101",
        name: "vm-imdsv1-enabled",
        category: Security,
        severity: Warning,
        applies: Applies::Types(&["aws.ec2.Instance", "aws.ec2.LaunchTemplate", "aws.autoscaling.LaunchConfiguration"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some((p, false)) = first_bool(r, &["imdsv2", "require_imdsv2"]) {
        out.at(r, p, format!("`{}` allows IMDSv1", r.name))
            .label("IMDSv1 allowed")
            .help(fix(cx, r, &format!("{p} = true")));
        return;
    }
    match first_str(
        r,
        &[
            "metadata_http_tokens",
            "http_tokens",
            "metadata_options.http_tokens",
        ],
    ) {
        Some((_, v)) if v.eq_ignore_ascii_case("required") => {}
        Some((p, v)) => {
            out.at(r, top(p), format!("`{}` allows IMDSv1 (`{v}`)", r.name))
                .label("IMDSv1 allowed")
                .help(fix(cx, r, &format!("{p} = \"required\"")));
        }
        None if r.prop("imdsv2").is_none()
            && cx
                .schema(r)
                .is_none_or(|s| s.fields.contains_key("metadata_http_tokens")) =>
        {
            out.at(
                r,
                "metadata_http_tokens",
                format!("`{}` allows IMDSv1", r.name),
            )
            .label("IMDSv2 not required")
            .help(fix(cx, r, "metadata_http_tokens = \"required\""));
        }
        None => {}
    }
}
