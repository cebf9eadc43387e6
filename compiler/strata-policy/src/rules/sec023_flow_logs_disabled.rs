use super::prelude::*;

rule! {
    /// ## What it checks
    /// A network without flow logs: a subnetwork with `flow_logs = false` (`gcp.compute.Subnetwork`),
    /// no `log_config` (`tf.google_compute_subnetwork`) or `logConfig.enable` not true
    /// (`dm.compute.v1.subnetwork`), an `aws.ec2.Vpc` without `flow_logs`, or a VPC
    /// (`cfn.AWS.EC2.VPC`, `tf.aws_vpc`) that no flow log resource (`cfn.AWS.EC2.FlowLog`,
    /// `tf.aws_flow_log`) references. A `portable.Network` logs by default (`flow_logs`: on AWS
    /// all traffic to a bucket created with it, on GCP the subnetwork's flow logs); one with
    /// `flow_logs = false` is reported, at its VPC or subnetwork, and the fix names that.
    ///
    /// ## Why it matters
    /// Flow logs are the record of who talked to whom; without them lateral movement and data
    /// exfiltration leave no trace. Checkov: `CKV2_AWS_11`, `CKV_GCP_26`.
    ///
    /// ## Example
    /// ```strata
    /// resource net: gcp.compute.Network {}
    /// resource subnet: gcp.compute.Subnetwork { network = net, cidr = 10.0.0.0/20, region = "europe-west1", flow_logs = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource net: gcp.compute.Network {}
    /// resource subnet: gcp.compute.Subnetwork { network = net, cidr = 10.0.0.0/20, region = "europe-west1", flow_logs = true }
    /// ```
    pub static RULE = {
        code: "SEC023",
        name: "flow-logs-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "no flow logs";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("gcp.compute.Subnetwork", "flow_logs", Is::False, OFF),
    read("tf.google_compute_subnetwork", "log_config", Is::Unset, OFF),
    read("dm.compute.v1.subnetwork", "logConfig.enable", Is::FalseOrUnset, OFF),
    // A VPC's flow logs are resources of their own that point at it (`FLOW_LOGS`).
    read("aws.ec2.Vpc", "flow_logs", Is::Unset, OFF),
    // What the VPC or subnetwork of a `portable.Network` gets its flow logs from.
    read("portable.Network", "flow_logs", Is::False, OFF),
    read("cfn.AWS.EC2.VPC", "", Is::Unset, OFF),
    read("tf.aws_vpc", "", Is::Unset, OFF),
];

/// The flow log types: a resource of one of them that references the network turns its flow
/// logs on.
const FLOW_LOGS: &[&str] = &["cfn.AWS.EC2.FlowLog", "tf.aws_flow_log"];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    // A network lowered from a `portable.Network` has its flow logs from the portable
    // `flow_logs` (on by default): reached here only with it off, which is the fix.
    let portable = cx
        .origin(r)
        .filter(|o| o.ty == "portable.Network")
        .is_some_and(|o| first_fault(READS, o).is_some());
    if cx.graph.dependents(r.id).iter().any(|(d, _)| {
        cx.resource(*d)
            .is_some_and(|x| FLOW_LOGS.contains(&x.ty.as_str()))
    }) {
        return;
    }
    let line = match r.ty.as_str() {
        _ if portable => "flow_logs = true".to_string(),
        "cfn.AWS.EC2.VPC" => format!("resource {}_flow_logs: cfn.AWS.EC2.FlowLog {{ ResourceId = {}.VpcId, ResourceType = \"VPC\", TrafficType = \"ALL\", ... }}", ident(&r.name), r.name),
        "tf.aws_vpc" => format!("resource {}_flow_logs: tf.aws_flow_log {{ vpc_id = {}.id, traffic_type = \"ALL\", ... }}", ident(&r.name), r.name),
        "tf.google_compute_subnetwork" => "log_config = { aggregation_interval = \"INTERVAL_5_SEC\" }".to_string(),
        "aws.ec2.Vpc" => "flow_logs = { bucket = <an aws.s3.Bucket for the logs> }".to_string(),
        _ => format!("{} = true", hit.path()),
    };
    let help = if hit.path().is_empty() {
        Help::from(format!("declare a flow log for `{}`: `{line}`", r.name))
    } else {
        fix(cx, r, &line)
    };
    out.at(
        r,
        hit.prop(),
        format!("network `{}` has no flow logs", r.name),
    )
    .label(OFF)
    .help(help);
}
