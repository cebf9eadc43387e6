use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Lambda permission that lets any principal invoke the function or use the layer: the
    /// principal `*` on `cfn.AWS.Lambda.Permission` or `tf.aws_lambda_permission` without a
    /// source ARN, source account or organization that narrows it, and on
    /// `cfn.AWS.Lambda.LayerVersionPermission` or `tf.aws_lambda_layer_version_permission`
    /// without an organization id.
    ///
    /// ## Why it matters
    /// The function's resource policy then admits callers from every AWS account: anyone can
    /// invoke it (and run up its cost, or reach what its role can reach). A service that
    /// invokes a function (S3, SNS, EventBridge, API Gateway) is named as the principal and
    /// restricted to the one bucket, topic or rule with a source ARN. Checkov: `CKV_AWS_301`.
    ///
    /// ## Example
    /// ```strata
    /// resource invoke: cfn.AWS.Lambda.Permission {
    ///   FunctionName = "thumbnails"
    ///   Action       = "lambda:InvokeFunction"
    ///   Principal    = "*"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Name the service and the resource that calls the function:
    /// ```strata
    /// resource invoke: cfn.AWS.Lambda.Permission {
    ///   FunctionName = "thumbnails"
    ///   Action       = "lambda:InvokeFunction"
    ///   Principal    = "s3.amazonaws.com"
    ///   SourceArn    = "arn:aws:s3:::acme-uploads"
    /// }
    /// ```
    pub static RULE = {
        code: "SEC035",
        name: "function-permission-public",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const PRINCIPAL: &str = "principal";
const NARROW: &str = "narrowing condition";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("cfn.AWS.Lambda.Permission", "Principal", PRINCIPAL),
    part("cfn.AWS.Lambda.Permission", "SourceArn", NARROW),
    part("cfn.AWS.Lambda.Permission", "SourceAccount", NARROW),
    part("cfn.AWS.Lambda.Permission", "PrincipalOrgID", NARROW),
    part("tf.aws_lambda_permission", "principal", PRINCIPAL),
    part("tf.aws_lambda_permission", "source_arn", NARROW),
    part("tf.aws_lambda_permission", "source_account", NARROW),
    part("tf.aws_lambda_permission", "principal_org_id", NARROW),
    part("cfn.AWS.Lambda.LayerVersionPermission", "Principal", PRINCIPAL),
    part("cfn.AWS.Lambda.LayerVersionPermission", "OrganizationId", NARROW),
    part("tf.aws_lambda_layer_version_permission", "principal", PRINCIPAL),
    part("tf.aws_lambda_layer_version_permission", "organization_id", NARROW),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some((path, v)) = first_part(READS, r, PRINCIPAL) else {
        return;
    };
    if !v
        .as_str()
        .is_some_and(super::sec034_resource_policy_public::everyone)
    {
        return;
    }
    // A narrowing value written as the empty string narrows nothing.
    let narrowed = READS
        .iter()
        .filter(|x| x.ty == r.ty && x.what == NARROW)
        .flat_map(|x| crate::reads::values(r, x.path))
        .any(|v| {
            v.as_str()
                .is_none_or(|s| !s.trim().is_empty() && s.trim() != "*")
        });
    if narrowed {
        return;
    }
    let (arn, org) = if r.ty.starts_with("cfn.") {
        ("SourceArn", "PrincipalOrgID")
    } else {
        ("source_arn", "principal_org_id")
    };
    let help = if r.ty.contains("ayer") {
        let org = if r.ty.starts_with("cfn.") {
            "OrganizationId"
        } else {
            "organization_id"
        };
        format!("grant the layer to an account, or to your organization with `{org}`")
    } else {
        format!("name the calling service or account as the principal, and its resource with `{arn}` (or your organization with `{org}`)")
    };
    // The function or layer the permission opens, when it is a resource of the program.
    let target = [
        "FunctionName",
        "function_name",
        "LayerVersionArn",
        "layer_name",
    ]
    .iter()
    .find_map(|p| r.prop(p))
    .and_then(|v| {
        let mut id = None;
        v.visit_refs(&mut |x| {
            id.get_or_insert(x.resource);
        });
        id
    })
    .and_then(|id| cx.resource(id));
    let message = match target {
        Some(t) if r.ty.contains("ayer") => format!(
            "any AWS account may use layer `{}` through permission `{}`",
            t.name, r.name
        ),
        Some(t) => format!(
            "any AWS principal may invoke `{}` through permission `{}`",
            t.name, r.name
        ),
        None => format!(
            "any AWS principal may use `{}` through this permission",
            r.name
        ),
    };
    out.at(r, path, message).label("principal `*`").help(help);
}
