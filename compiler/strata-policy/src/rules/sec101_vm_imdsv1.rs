use super::prelude::*;

rule! {
    /// ## What it checks
    /// An EC2 instance or launch template that does not require IMDSv2 (session tokens for the
    /// instance metadata service): `HttpTokens`/`http_tokens` not `required` (or unset, the default)
    /// in the metadata options of `cfn.AWS.EC2.Instance`, `cfn.AWS.EC2.LaunchTemplate`,
    /// `tf.aws_instance` and `tf.aws_launch_template`.
    ///
    /// ## Why it matters
    /// IMDSv1 answers plain GET requests, so any SSRF bug in the application hands out the
    /// instance role's credentials (the Capital One breach). IMDSv2 requires a session token.
    /// Checkov: `CKV_AWS_79`.
    ///
    /// ## Example
    /// ```strata
    /// resource web: tf.aws_instance { ami = "ami-12345678", instance_type = "t3.micro" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource web: tf.aws_instance { ami = "ami-12345678", instance_type = "t3.micro", metadata_options = { http_tokens = "required" } }
    /// ```
    pub static RULE = {
        code: "SEC101",
        name: "vm-imdsv1-enabled",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const V1: &str = "IMDSv1 allowed";
const REQUIRED: Is = Is::NoneOfOrUnset(&["required"]);

#[rustfmt::skip]
static READS: &[Read] = &[
    read("cfn.AWS.EC2.Instance", "MetadataOptions.HttpTokens", REQUIRED, V1),
    read("cfn.AWS.EC2.LaunchTemplate", "LaunchTemplateData.MetadataOptions.HttpTokens", REQUIRED, V1),
    read("tf.aws_instance", "metadata_options.http_tokens", REQUIRED, V1),
    read("tf.aws_launch_template", "metadata_options.http_tokens", REQUIRED, V1),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let what = match hit.value {
        Some(_) => format!("`{}` allows IMDSv1 (`{}`)", r.name, hit.shown()),
        None => format!("`{}` allows IMDSv1", r.name),
    };
    out.at(r, hit.prop(), what).label(V1).help(fix(
        cx,
        r,
        &format!("{} = \"required\"", hit.path()),
    ));
}
