use super::prelude::*;

rule! {
    /// ## What it checks
    /// An EBS volume that is not encrypted: `Encrypted`/`encrypted` false or unset on
    /// `cfn.AWS.EC2.Volume` and `tf.aws_ebs_volume`, or a block device of an instance or launch
    /// template with encryption turned off (`cfn.AWS.EC2.Instance`, `cfn.AWS.EC2.LaunchTemplate`,
    /// `tf.aws_instance` root and EBS devices, `tf.aws_launch_template`), or an EFS file system
    /// without encryption at rest (`cfn.AWS.EFS.FileSystem`, `tf.aws_efs_file_system`: off unless
    /// written).
    ///
    /// ## Why it matters
    /// Snapshots of unencrypted volumes are readable by anyone they are shared with, and the
    /// data sits in clear on the provider's storage. Turn on EBS encryption by default.
    /// Checkov: `CKV_AWS_3`, `CKV_AWS_8`, `CKV_AWS_42` (EFS).
    ///
    /// ## Example
    /// ```strata
    /// resource data: tf.aws_ebs_volume { availability_zone = "eu-west-1a", size = 100 }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource data: tf.aws_ebs_volume { availability_zone = "eu-west-1a", size = 100, encrypted = true }
    /// ```
    pub static RULE = {
        code: "SEC102",
        name: "volume-unencrypted",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "unencrypted volume";

#[rustfmt::skip]
static READS: &[Read] = &[
    // A volume on its own is unencrypted unless told otherwise.
    read("cfn.AWS.EC2.Volume", "Encrypted", Is::FalseOrUnset, OFF),
    read("tf.aws_ebs_volume", "encrypted", Is::FalseOrUnset, OFF),
    read("cfn.AWS.EC2.Instance", "BlockDeviceMappings[].Ebs.Encrypted", Is::False, OFF),
    read("cfn.AWS.EC2.LaunchTemplate", "LaunchTemplateData.BlockDeviceMappings[].Ebs.Encrypted", Is::False, OFF),
    read("tf.aws_instance", "root_block_device.encrypted", Is::False, OFF),
    read("tf.aws_instance", "ebs_block_device[].encrypted", Is::False, OFF),
    read("tf.aws_launch_template", "block_device_mappings[].ebs.encrypted", Is::OneOf(&["false"]), OFF),
    // EFS file systems, likewise unencrypted unless told otherwise.
    read("cfn.AWS.EFS.FileSystem", "Encrypted", Is::FalseOrUnset, OFF),
    read("tf.aws_efs_file_system", "encrypted", Is::FalseOrUnset, OFF),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let on = if hit.value.and_then(Value::as_str).is_some() {
        "\"true\""
    } else {
        "true"
    };
    let help = if hit.path().contains("[]") {
        Help::from(format!(
            "write `{} = {on}` in every block device of `{}`",
            hit.path().rsplit('.').next().unwrap_or(hit.path()),
            r.name
        ))
    } else {
        fix(cx, r, &format!("{} = {on}", hit.path()))
    };
    out.at(
        r,
        hit.prop(),
        if r.ty.contains("EFS") || r.ty.contains("efs") {
            format!("file system `{}` is not encrypted", r.name)
        } else {
            format!("volume of `{}` is not encrypted", r.name)
        },
    )
    .label(OFF)
    .help(help);
}
