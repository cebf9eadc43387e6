use super::prelude::*;

rule! {
    /// ## What it checks
    /// A virtual machine or container task with a public IP address: EC2
    /// `associate_public_ip_address = true`, an ECS service with `public_ip = true`, a Compute
    /// Engine instance with an external `access_config`, an Azure VM with a public IP reference.
    ///
    /// ## Why it matters
    /// Every service listening on the VM is then one firewall mistake away from the internet.
    /// Put VMs in private subnets behind a load balancer; reach them through Session Manager,
    /// IAP or a bastion. Checkov: `CKV_AWS_88`, `CKV_AWS_333`, `CKV_GCP_40`.
    ///
    /// ## Example
    /// ```strata
    /// resource worker: aws.ec2.Instance { associate_public_ip_address = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource worker: aws.ec2.Instance { associate_public_ip_address = false }
    /// ```
    pub static RULE = {
        code: "SEC100",
        name: "vm-public-ip",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[VM, SERVICE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if cx.kind(r) == SERVICE {
        if let Some((p, true)) = first_bool(r, &["public_ip", "assign_public_ip"]) {
            out.at(
                r,
                p,
                format!("tasks of `{}` get public IP addresses", r.name),
            )
            .label("public IP")
            .help(fix(cx, r, &format!("{p} = false")));
        }
        return;
    }
    for p in [
        "associate_public_ip_address",
        "public_ip",
        "external_ip",
        "public_ip_address",
    ] {
        if get(r, p).is_some_and(|v| crate::facts::truthy(v) || matches!(v, Value::Ref(_))) {
            out.at(r, p, format!("VM `{}` has a public IP address", r.name))
                .label("public IP")
                .help(fix(cx, r, &format!("{p} = false")));
            return;
        }
    }
    if let Some(Value::List(l)) = r.prop("access_config").or_else(|| r.prop("access_configs")) {
        if !l.is_empty() {
            out.at(
                r,
                "access_config",
                format!("VM `{}` has an external IP address", r.name),
            )
            .label("external access config")
            .help(format!(
                "remove `access_config` from `{}` and use Cloud NAT for outbound traffic",
                r.name
            ));
        }
    }
}
