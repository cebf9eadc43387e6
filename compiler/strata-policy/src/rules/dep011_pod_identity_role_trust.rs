use super::prelude::*;

rule! {
    /// ## What it checks
    /// An EKS Pod Identity association (`aws.eks.PodIdentityAssociation`) whose role, a role the
    /// program declares (`aws.iam.Role`), does not trust EKS Pod Identity for the association's
    /// service account: the role's `assumed_by` names neither the service
    /// `pods.eks.amazonaws.com` nor a `pod_identity` principal, or its `pod_identity` names
    /// another namespace, service account or cluster.
    ///
    /// ## Why it matters
    /// EKS Pod Identity calls `sts:AssumeRole` (with `sts:TagSession`) as
    /// `pods.eks.amazonaws.com`, tagging the session with the cluster, namespace and service
    /// account; IAM refuses unless the role's trust admits that principal with those tags. The
    /// association is created, and the pods fail at their first AWS call.
    ///
    /// ## Example
    /// ```strata
    /// stack cloud { provider = aws { region = "us-east-1" } }
    /// resource cluster_role: aws.iam.Role { assumed_by = { service = ["eks.amazonaws.com"] } }
    /// resource cluster: aws.eks.Cluster { role = cluster_role, subnets = [] }
    /// resource agent: aws.eks.Addon { cluster = cluster, addon_name = "eks-pod-identity-agent" }
    /// resource api_role: aws.iam.Role {
    ///   assumed_by = { pod_identity = { cluster = cluster, namespace = "shop", name = "worker" } }
    /// }
    /// resource api_identity: aws.eks.PodIdentityAssociation {
    ///   cluster = cluster
    ///   namespace = "shop"
    ///   service_account = "api"
    ///   role = api_role
    /// }
    /// ```
    ///
    /// ## Fix
    /// Make the role trust the association's service account:
    /// ```strata
    /// stack cloud { provider = aws { region = "us-east-1" } }
    /// resource cluster_role: aws.iam.Role { assumed_by = { service = ["eks.amazonaws.com"] } }
    /// resource cluster: aws.eks.Cluster { role = cluster_role, subnets = [] }
    /// resource agent: aws.eks.Addon { cluster = cluster, addon_name = "eks-pod-identity-agent" }
    /// resource api_role: aws.iam.Role {
    ///   assumed_by = { pod_identity = { cluster = cluster, namespace = "shop", name = "api" } }
    /// }
    /// resource api_identity: aws.eks.PodIdentityAssociation {
    ///   cluster = cluster
    ///   namespace = "shop"
    ///   service_account = "api"
    ///   role = api_role
    /// }
    /// ```
    pub static RULE = {
        code: "DEP011",
        name: "pod-identity-role-not-trusting-it",
        category: Deploy,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Model(check),
    }
}

const ASSOCIATION: &str = "association";
const TRUST: &str = "role trust";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("aws.eks.PodIdentityAssociation", "role", ASSOCIATION),
    part("aws.eks.PodIdentityAssociation", "cluster", ASSOCIATION),
    part("aws.eks.PodIdentityAssociation", "namespace", ASSOCIATION),
    part("aws.eks.PodIdentityAssociation", "service_account", ASSOCIATION),
    part("aws.iam.Role", "assumed_by.service", TRUST),
    part("aws.iam.Role", "assumed_by.pod_identity.cluster", TRUST),
    part("aws.iam.Role", "assumed_by.pod_identity.namespace", TRUST),
    part("aws.iam.Role", "assumed_by.pod_identity.name", TRUST),
];

const PRINCIPAL: &str = "pods.eks.amazonaws.com";

fn first<'r>(r: &'r Resource, path: &str) -> Option<&'r Value> {
    crate::reads::values(r, path).into_iter().next()
}

fn text<'r>(r: &'r Resource, path: &str) -> Option<&'r str> {
    first(r, path).and_then(Value::as_str)
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    for r in cx
        .model
        .resources
        .iter()
        .filter(|x| x.ty == "aws.eks.PodIdentityAssociation")
    {
        check_association(cx, r, out);
    }
}

fn check_association(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(role) = first(r, "role")
        .and_then(Value::as_ref)
        .and_then(|x| cx.model.resources.get(x.resource.0 as usize))
        .filter(|x| x.ty == "aws.iam.Role")
    else {
        return;
    };
    let (Some(namespace), Some(name)) = (text(r, "namespace"), text(r, "service_account")) else {
        return;
    };
    let cluster = first(r, "cluster")
        .and_then(Value::as_ref)
        .map(|x| x.resource);
    // Any association may use a role that trusts the service principal itself.
    let service = crate::reads::values(role, "assumed_by.service")
        .into_iter()
        .filter_map(Value::as_list)
        .flatten()
        .any(|s| s.as_str() == Some(PRINCIPAL));
    if service {
        return;
    }
    let trusted = (
        text(role, "assumed_by.pod_identity.namespace"),
        text(role, "assumed_by.pod_identity.name"),
        first(role, "assumed_by.pod_identity.cluster")
            .and_then(Value::as_ref)
            .map(|x| x.resource),
    );
    let problem = match trusted {
        (Some(ns), Some(n), c) if ns == namespace && n == name && c == cluster => return,
        (Some(ns), Some(n), _) if ns == namespace && n == name => {
            "trusts EKS Pod Identity for that service account of another cluster only".to_string()
        }
        (Some(ns), Some(n), _) => format!("trusts EKS Pod Identity for the service account `{ns}/{n}` only"),
        _ => format!("trusts no EKS Pod Identity (neither `assumed_by.pod_identity` nor the service `{PRINCIPAL}`)"),
    };
    let cluster_name = cluster
        .and_then(|c| cx.model.resources.get(c.0 as usize))
        .map_or("CLUSTER", |c| c.name.as_str());
    out.report(
        cx.span_at(r, "role", &["role"]),
        format!(
            "association `{}` gives the service account `{namespace}/{name}` the role `{}`, which {problem}: its pods' credentials are refused (`sts:AssumeRole`)",
            r.name, role.name
        ),
    )
    .label("role whose trust does not admit this service account")
    .secondary(role.prop_span("assumed_by"), "the role's trust")
    .help(format!(
        "make `{}` trust it: `assumed_by = {{ pod_identity = {{ cluster = {cluster_name}, namespace = \"{namespace}\", name = \"{name}\" }} }}`",
        role.name
    ));
}
