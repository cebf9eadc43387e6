use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes service account (`k8s.ServiceAccount`) annotated
    /// `eks.amazonaws.com/role-arn` with the ARN of a role the program declares
    /// (`aws.iam.Role` with that `role_name`) whose trust does not admit that service account:
    /// the role has no `assumed_by.service_account` (it trusts an AWS service, an account or
    /// EKS Pod Identity, not the cluster's OIDC tokens), or it names another namespace or
    /// service account.
    ///
    /// Only a role found by its literal `role_name` is checked (a role of another project, or
    /// one without a fixed name, is not), and only when the service account's `name` and
    /// `namespace` are written.
    ///
    /// ## Why it matters
    /// With IAM roles for service accounts (IRSA) the pods receive a token for their service
    /// account and call `sts:AssumeRoleWithWebIdentity` with it; IAM refuses unless the role
    /// trusts the cluster's OIDC provider for exactly that `system:serviceaccount:NS:NAME`. The
    /// deploy succeeds and the pods fail at their first AWS call with `AccessDenied`.
    ///
    /// ## Example
    /// ```strata
    /// stack cloud { provider = aws { region = "us-east-1" } }
    /// stack pods { provider = kubernetes { namespace = "jobs" } }
    /// resource cluster_role: aws.iam.Role { stack = cloud, assumed_by = { service = ["eks.amazonaws.com"] } }
    /// resource cluster: aws.eks.Cluster { stack = cloud, role = cluster_role, subnets = [] }
    /// resource oidc: aws.eks.OidcProvider { stack = cloud, cluster = cluster }
    /// resource jobs_role: aws.iam.Role {
    ///   stack = cloud
    ///   role_name = "jobs"
    ///   assumed_by = { service_account = { provider = oidc, namespace = "jobs", name = "worker" } }
    /// }
    /// resource jobs_account: k8s.ServiceAccount {
    ///   stack = pods
    ///   name = "jobs"
    ///   namespace = "jobs"
    ///   annotations = { "eks.amazonaws.com/role-arn" = "arn:aws:iam::111111111111:role/jobs" }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Name the service account the role trusts (or make the role trust this one:
    /// `service_account = { ..., name = "jobs" }`):
    /// ```strata
    /// stack cloud { provider = aws { region = "us-east-1" } }
    /// stack pods { provider = kubernetes { namespace = "jobs" } }
    /// resource cluster_role: aws.iam.Role { stack = cloud, assumed_by = { service = ["eks.amazonaws.com"] } }
    /// resource cluster: aws.eks.Cluster { stack = cloud, role = cluster_role, subnets = [] }
    /// resource oidc: aws.eks.OidcProvider { stack = cloud, cluster = cluster }
    /// resource jobs_role: aws.iam.Role {
    ///   stack = cloud
    ///   role_name = "jobs"
    ///   assumed_by = { service_account = { provider = oidc, namespace = "jobs", name = "worker" } }
    /// }
    /// resource jobs_account: k8s.ServiceAccount {
    ///   stack = pods
    ///   name = "worker"
    ///   namespace = "jobs"
    ///   annotations = { "eks.amazonaws.com/role-arn" = "arn:aws:iam::111111111111:role/jobs" }
    /// }
    /// ```
    pub static RULE = {
        code: "DEP010",
        name: "service-account-role-not-trusting-it",
        category: Deploy,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Model(check),
    }
}

const ANNOTATIONS: &str = "annotations";
const ROLE_NAME: &str = "role name";
const TRUSTED: &str = "trusted service account";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("k8s.ServiceAccount", "annotations", ANNOTATIONS),
    part("k8s.ServiceAccount", "name", ANNOTATIONS),
    part("k8s.ServiceAccount", "namespace", ANNOTATIONS),
    part("aws.iam.Role", "role_name", ROLE_NAME),
    part("aws.iam.Role", "assumed_by.service_account.namespace", TRUSTED),
    part("aws.iam.Role", "assumed_by.service_account.name", TRUSTED),
];

const ANNOTATION: &str = "eks.amazonaws.com/role-arn";

fn text<'r>(r: &'r Resource, path: &str) -> Option<&'r str> {
    crate::reads::values(r, path)
        .first()
        .and_then(|v| v.as_str())
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let roles: Vec<(&str, &Resource)> = cx
        .model
        .resources
        .iter()
        .filter(|x| x.ty == "aws.iam.Role")
        .filter_map(|x| text(x, "role_name").map(|n| (n, x)))
        .collect();
    if roles.is_empty() {
        return;
    }
    for r in cx
        .model
        .resources
        .iter()
        .filter(|x| x.ty == "k8s.ServiceAccount")
    {
        check_account(cx, &roles, r, out);
    }
}

fn check_account(cx: &Cx<'_>, roles: &[(&str, &Resource)], r: &Resource, out: &mut Sink<'_>) {
    let Some(arn) = crate::reads::values(r, "annotations")
        .first()
        .and_then(|v| v.as_record())
        .and_then(|m| m.get(ANNOTATION))
        .and_then(Value::as_str)
    else {
        return;
    };
    let (Some(name), Some(namespace)) = (text(r, "name"), text(r, "namespace")) else {
        return;
    };
    // `arn:aws:iam::ACCOUNT:role/PATH/NAME`: the name is the last segment.
    let Some(role_name) = arn
        .split_once(":role/")
        .and_then(|(_, p)| p.rsplit('/').next())
    else {
        return;
    };
    let Some(&(_, role)) = roles.iter().find(|(n, _)| *n == role_name) else {
        return;
    };
    let trusted = (
        text(role, "assumed_by.service_account.namespace"),
        text(role, "assumed_by.service_account.name"),
    );
    let problem = match trusted {
        (Some(ns), Some(n)) if ns == namespace && n == name => return,
        (Some(ns), Some(n)) => format!("trusts the service account `{ns}/{n}` only"),
        _ => "trusts no Kubernetes service account (no `assumed_by.service_account`)".to_string(),
    };
    out.report(
        cx.span_at(r, &format!("annotations.{ANNOTATION}"), &["annotations"]),
        format!(
            "service account `{namespace}/{name}` is given the role `{role_name}` (`{}`), which {problem}: its pods' calls to `sts:AssumeRoleWithWebIdentity` are refused",
            role.name
        ),
    )
    .label("role whose trust does not admit this service account")
    .secondary(role.prop_span("assumed_by"), "the role's trust")
    .help(format!(
        "make `{}` trust this one (`assumed_by = {{ service_account = {{ provider = ..., namespace = \"{namespace}\", name = \"{name}\" }} }}`), or annotate the service account the role trusts",
        role.name
    ));
}
