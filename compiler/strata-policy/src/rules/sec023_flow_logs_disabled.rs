use super::prelude::*;

rule! {
    /// ## What it checks
    /// A VPC or subnetwork without flow logs (`flow_logs = false` or unset on AWS VPCs,
    /// `log_config` unset or `flow_logs = false` on GCP subnetworks).
    ///
    /// ## Why it matters
    /// Flow logs are the record of who talked to whom; without them lateral movement and data
    /// exfiltration leave no trace. Checkov: `CKV2_AWS_11`, `CKV_GCP_26`.
    ///
    /// ## Example
    /// ```strata
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16, flow_logs = true }
    /// ```
    pub static RULE = {
        code: "SEC023",
        name: "flow-logs-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Types(&["aws.ec2.Vpc", "gcp.compute.Subnetwork"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let on = match first(r, &["flow_logs", "log_config", "flow_log"]) {
        Some((_, Value::Bool(b))) => *b,
        Some(_) => true,
        None => false,
    };
    // A flow log resource referencing this network also counts.
    let referenced = cx.graph.dependents(r.id).iter().any(|(d, _)| {
        cx.resource(*d)
            .is_some_and(|x| x.ty.to_ascii_lowercase().contains("flowlog"))
    });
    let fixable = cx.can_set(r, "flow_logs")
        || cx
            .schemas
            .names()
            .any(|t| t.to_ascii_lowercase().contains("flowlog"));
    if !on && !referenced && fixable {
        out.at(
            r,
            "flow_logs",
            format!("network `{}` has no flow logs", r.name),
        )
        .label("no flow logs")
        .help(fix(cx, r, "flow_logs = true"));
    }
}
