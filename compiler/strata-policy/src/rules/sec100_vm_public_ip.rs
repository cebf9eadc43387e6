use super::prelude::*;

rule! {
    /// ## What it checks
    /// A virtual machine or container task with a public IP address: `public_ip = true` on
    /// `aws.ecs.Service` (`AssignPublicIp = "ENABLED"`, `assign_public_ip = true` in CloudFormation
    /// and Terraform), an EC2 instance or launch template whose network interface associates a
    /// public address (`cfn.AWS.EC2.Instance`, `tf.aws_instance`, `cfn.AWS.EC2.LaunchTemplate`,
    /// `tf.aws_launch_template`), a Compute Engine instance with an external access config
    /// (`tf.google_compute_instance`, `dm.compute.v1.instance`).
    ///
    /// ## Why it matters
    /// Every service listening on the VM is then one firewall mistake away from the internet.
    /// Put VMs in private subnets behind a load balancer; reach them through Session Manager,
    /// IAP or a bastion. Checkov: `CKV_AWS_88`, `CKV_AWS_333`, `CKV_GCP_40`.
    ///
    /// ## Example
    /// ```strata
    /// resource exec: aws.iam.Role { assumed_by = { service = ["ecs-tasks.amazonaws.com"] } }
    /// resource cluster: aws.ecs.Cluster {}
    /// resource task: aws.ecs.TaskDefinition { execution_role = exec, family = "api", cpu = 256, memory = 512 MiB, containers = [{ name = "api", image = "ghcr.io/acme/api:1.4.2" }] }
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource subnet: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource api: aws.ecs.Service { cluster = cluster, task_definition = task, subnets = [subnet], public_ip = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource exec: aws.iam.Role { assumed_by = { service = ["ecs-tasks.amazonaws.com"] } }
    /// resource cluster: aws.ecs.Cluster {}
    /// resource task: aws.ecs.TaskDefinition { execution_role = exec, family = "api", cpu = 256, memory = 512 MiB, containers = [{ name = "api", image = "ghcr.io/acme/api:1.4.2" }] }
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource subnet: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource api: aws.ecs.Service { cluster = cluster, task_definition = task, subnets = [subnet], public_ip = false }
    /// ```
    pub static RULE = {
        code: "SEC100",
        name: "vm-public-ip",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const PUBLIC: &str = "public IP";
const EXTERNAL: &str = "external access config";

fn non_empty(v: &Value) -> bool {
    v.as_list().is_some_and(|l| !l.is_empty()) || v.as_record().is_some()
}

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.ecs.Service", "public_ip", Is::True, PUBLIC),
    read("cfn.AWS.ECS.Service", "NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp", Is::OneOf(&["ENABLED"]), PUBLIC),
    read("tf.aws_ecs_service", "network_configuration.assign_public_ip", Is::True, PUBLIC),
    read("cfn.AWS.EC2.Instance", "NetworkInterfaces[].AssociatePublicIpAddress", Is::True, PUBLIC),
    read("tf.aws_instance", "associate_public_ip_address", Is::True, PUBLIC),
    read("cfn.AWS.EC2.LaunchTemplate", "LaunchTemplateData.NetworkInterfaces[].AssociatePublicIpAddress", Is::True, PUBLIC),
    read("tf.aws_launch_template", "network_interfaces[].associate_public_ip_address", Is::OneOf(&["true"]), PUBLIC),
    read("tf.google_compute_instance", "network_interface[].access_config", Is::Test(non_empty), EXTERNAL),
    read("dm.compute.v1.instance", "networkInterfaces[].accessConfigs", Is::Test(non_empty), EXTERNAL),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let what = if matches!(cx.kind(r), SERVICE) {
        format!("tasks of `{}` get", r.name)
    } else {
        format!("VM `{}` has", r.name)
    };
    let d = out
        .at(r, hit.prop(), format!("{what} public IP addresses"))
        .label(hit.what());
    if hit.what() == EXTERNAL {
        let field = hit.path().rsplit('.').next().unwrap_or(hit.path());
        d.help(format!("remove `{field}` from the network interfaces of `{}` and use Cloud NAT for outbound traffic", r.name));
    } else {
        let off = if hit
            .value
            .and_then(Value::as_str)
            .is_some_and(|s| s == "ENABLED")
        {
            "\"DISABLED\""
        } else if hit.value.and_then(Value::as_str).is_some() {
            "\"false\""
        } else {
            "false"
        };
        d.help(if hit.path().contains("[]") {
            Help::from(format!(
                "write `{} = {off}` in every network interface of `{}`",
                hit.path().rsplit('.').next().unwrap_or(hit.path()),
                r.name
            ))
        } else {
            fix(cx, r, &format!("{} = {off}", hit.path()))
        });
    }
}
