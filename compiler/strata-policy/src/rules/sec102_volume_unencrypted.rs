use super::prelude::*;

rule! {
    /// ## What it checks
    /// A block storage volume or VM disk that is not encrypted (`encrypted = false` on EBS
    /// volumes, EC2 root volumes and launch templates).
    ///
    /// ## Why it matters
    /// Snapshots of unencrypted volumes are readable by anyone they are shared with, and the
    /// data sits in clear on the provider's storage. Turn on EBS encryption by default.
    /// Checkov: `CKV_AWS_3`, `CKV_AWS_8`.
    ///
    /// ## Example
    /// ```strata
    /// resource data: aws.ec2.Volume { size = 100 GiB, encrypted = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource data: aws.ec2.Volume { size = 100 GiB, encrypted = true }
    /// ```
    pub static RULE = {
        code: "SEC102",
        name: "volume-unencrypted",
        category: Security,
        severity: Warning,
        applies: Applies::Types(&["aws.ec2.Volume", "aws.ebs.Volume", "aws.ec2.Instance", "aws.ec2.LaunchTemplate"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for p in [
        "encrypted",
        "root_volume.encrypted",
        "root_block_device.encrypted",
        "ebs_encrypted",
    ] {
        if let Some(Value::Bool(false)) = get(r, p) {
            out.at(
                r,
                top(p),
                format!("volume of `{}` is not encrypted", r.name),
            )
            .label("unencrypted volume")
            .help(fix(cx, r, &format!("{p} = true")));
            return;
        }
    }
}
