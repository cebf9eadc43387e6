use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes cluster without control-plane audit logs: an EKS cluster whose log types include
    /// neither `api` nor `audit` (`log_types` on `aws.eks.Cluster`,
    /// `Logging.ClusterLogging.EnabledTypes` on `cfn.AWS.EKS.Cluster`, `enabled_cluster_log_types`
    /// on `tf.aws_eks_cluster`), or a GKE cluster with `logging_service = "none"`.
    ///
    /// ## Why it matters
    /// The API server audit log records who did what in the cluster — the evidence of
    /// privilege escalation and of secrets read. Checkov: `CKV_AWS_37`, `CKV_GCP_1`.
    ///
    /// ## Example
    /// ```strata
    /// resource eks_role: aws.iam.Role { assumed_by = { service = ["eks.amazonaws.com"] } }
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource eks: aws.eks.Cluster { role = eks_role, subnets = [a], version = "1.31", log_types = [] }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource eks_role: aws.iam.Role { assumed_by = { service = ["eks.amazonaws.com"] } }
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource eks: aws.eks.Cluster { role = eks_role, subnets = [a], version = "1.31", log_types = ["api", "audit", "authenticator"] }
    /// ```
    pub static RULE = {
        code: "SEC072",
        name: "cluster-audit-logging-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "logging off";
const TYPES: &str = "log types";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("gcp.container.Cluster", "logging_service", Is::OneOf(&["none"]), OFF),
    read("tf.google_container_cluster", "logging_service", Is::OneOf(&["none"]), OFF),
    part("aws.eks.Cluster", "log_types[]", TYPES),
    part("cfn.AWS.EKS.Cluster", "Logging.ClusterLogging.EnabledTypes[].Type", TYPES),
    part("tf.aws_eks_cluster", "enabled_cluster_log_types[]", TYPES),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some(hit) = first_fault(READS, r) {
        out.at(r, hit.prop(), format!("cluster `{}` sends no logs", r.name))
            .label(OFF)
            .help(fix(
                cx,
                r,
                &format!("{} = \"logging.googleapis.com/kubernetes\"", hit.path()),
            ));
        return;
    }
    let Some(path) = READS
        .iter()
        .find(|x| x.ty == r.ty && x.what == TYPES)
        .map(|x| x.path)
    else {
        return;
    };
    let logged = crate::reads::values(r, path)
        .iter()
        .filter_map(|v| v.as_str())
        .any(|s| s == "audit" || s == "api");
    if !logged {
        let line = match r.ty.as_str() {
            "cfn.AWS.EKS.Cluster" => "Logging = { ClusterLogging = { EnabledTypes = [{ Type = \"api\" }, { Type = \"audit\" }, { Type = \"authenticator\" }] } }".to_string(),
            _ => format!("{} = [\"api\", \"audit\", \"authenticator\"]", top(path)),
        };
        out.at(
            r,
            top(path),
            format!("cluster `{}` keeps no API server audit log", r.name),
        )
        .label("no control-plane logs")
        .help(fix(cx, r, &line));
    }
}
