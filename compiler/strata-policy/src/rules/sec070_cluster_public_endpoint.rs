use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes cluster whose API server is reachable from the whole internet: a public
    /// endpoint (`endpoint_public = true` on `aws.eks.Cluster`; `EndpointPublicAccess` of
    /// `cfn.AWS.EKS.Cluster` and `endpoint_public_access` of `tf.aws_eks_cluster`, true or unset), a
    /// GKE cluster without a private endpoint (`private_endpoint = false`;
    /// `private_cluster_config.enable_private_endpoint` in `tf.google_container_cluster`), an AKS
    /// cluster that is not private (`tf.azurerm_kubernetes_cluster`) — unless the endpoint is limited
    /// to address ranges that are not `0.0.0.0/0`.
    ///
    /// ## Why it matters
    /// The API server is the keys to every workload and secret in the cluster; exposing it to
    /// the internet leaves only authentication between attackers and the cluster, and API
    /// server vulnerabilities do happen. Checkov: `CKV_AWS_39`, `CKV_AWS_38`, `CKV_GCP_18`,
    /// `CKV_AZURE_6`.
    ///
    /// ## Example
    /// ```strata
    /// resource eks_role: aws.iam.Role { assumed_by = { service = ["eks.amazonaws.com"] } }
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource eks: aws.eks.Cluster { role = eks_role, subnets = [a], version = "1.31", endpoint_public = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource eks_role: aws.iam.Role { assumed_by = { service = ["eks.amazonaws.com"] } }
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource eks: aws.eks.Cluster { role = eks_role, subnets = [a], version = "1.31", endpoint_public = false, endpoint_private = true }
    /// ```
    pub static RULE = {
        code: "SEC070",
        name: "cluster-public-endpoint",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const PUBLIC: &str = "public API endpoint";
/// Address ranges the public endpoint is limited to.
const ALLOWED: &str = "allowed ranges";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.eks.Cluster", "endpoint_public", Is::True, PUBLIC),
    part("aws.eks.Cluster", "public_cidrs[]", ALLOWED),
    read("gcp.container.Cluster", "private_endpoint", Is::False, PUBLIC),
    part("gcp.container.Cluster", "master_authorized_networks[].cidr", ALLOWED),
    // EKS endpoints are public unless turned off; GKE and AKS clusters unless made private.
    read("cfn.AWS.EKS.Cluster", "ResourcesVpcConfig.EndpointPublicAccess", Is::TrueOrUnset, PUBLIC),
    part("cfn.AWS.EKS.Cluster", "ResourcesVpcConfig.PublicAccessCidrs[]", ALLOWED),
    read("tf.aws_eks_cluster", "vpc_config.endpoint_public_access", Is::TrueOrUnset, PUBLIC),
    part("tf.aws_eks_cluster", "vpc_config.public_access_cidrs[]", ALLOWED),
    read("tf.google_container_cluster", "private_cluster_config.enable_private_endpoint", Is::FalseOrUnset, PUBLIC),
    part("tf.google_container_cluster", "master_authorized_networks_config.cidr_blocks[].cidr_block", ALLOWED),
    read("tf.azurerm_kubernetes_cluster", "private_cluster_enabled", Is::FalseOrUnset, PUBLIC),
    part("tf.azurerm_kubernetes_cluster", "api_server_access_profile.authorized_ip_ranges[]", ALLOWED),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    // Limited to some address ranges (none of them the whole internet): not open.
    let allowed: Vec<&str> = READS
        .iter()
        .filter(|x| x.ty == r.ty && x.what == ALLOWED)
        .flat_map(|x| crate::reads::values(r, x.path))
        .flat_map(cidrs)
        .collect();
    if !allowed.is_empty() && !set_is_anywhere(&allowed) {
        return;
    }
    let p = hit.path();
    let private = matches!(hit.read.is, Is::False | Is::FalseOrUnset);
    out.at(
        r,
        hit.prop(),
        format!(
            "the API server of cluster `{}` is open to the internet",
            r.name
        ),
    )
    .label(PUBLIC)
    .help(fix(
        cx,
        r,
        &format!("{p} = {}", if private { "true" } else { "false" }),
    ));
}
