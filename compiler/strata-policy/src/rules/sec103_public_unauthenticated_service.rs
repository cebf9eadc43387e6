use super::prelude::*;

rule! {
    /// ## What it checks
    /// A serverless service or function that anyone can invoke without authentication: Cloud Run
    /// with `allow_unauthenticated = true` (`invoker_iam_disabled = true` on
    /// `tf.google_cloud_run_v2_service`), an invoker binding to `allUsers` or
    /// `allAuthenticatedUsers` (`tf.google_cloud_run_v2_service_iam_member`,
    /// `tf.google_cloud_run_service_iam_member`, `tf.google_cloudfunctions2_function_iam_member`,
    /// `tf.google_cloudfunctions_function_iam_member`), a Lambda function URL with the auth type
    /// `NONE` (`cfn.AWS.Lambda.Url`, `tf.aws_lambda_function_url`).
    ///
    /// ## Why it matters
    /// Unauthenticated endpoints can be called by anyone — including to run up the bill — so
    /// only services meant to be public websites should allow it, behind a load balancer with
    /// a WAF. A portable `Service` declared `public = https { ... }` is such a website and is
    /// not reported, nor is one with `route = { via = lb, ... }`: behind a `LoadBalancer` a
    /// Cloud Run service must skip the invoker check (the load balancer does not sign
    /// requests) and accepts traffic from load balancers only. Checkov: `CKV_AWS_258`.
    ///
    /// ## Example
    /// ```strata
    /// resource worker: gcp.run.Service { image = "europe-docker.pkg.dev/acme/web/worker:1.0.0", allow_unauthenticated = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource worker: gcp.run.Service { image = "europe-docker.pkg.dev/acme/web/worker:1.0.0", allow_unauthenticated = false }
    /// ```
    pub static RULE = {
        code: "SEC103",
        name: "unauthenticated-invocation",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OPEN: &str = "unauthenticated";
const ALL_USERS: &str = "`allUsers` invoker";
const NO_AUTH: &str = "auth type NONE";
const EVERYONE: Is = Is::OneOf(&["allUsers", "allAuthenticatedUsers"]);

#[rustfmt::skip]
static READS: &[Read] = &[
    read("gcp.run.Service", "allow_unauthenticated", Is::True, OPEN),
    read("tf.google_cloud_run_v2_service", "invoker_iam_disabled", Is::True, OPEN),
    read("tf.google_cloud_run_v2_service_iam_member", "member", EVERYONE, ALL_USERS),
    read("tf.google_cloud_run_service_iam_member", "member", EVERYONE, ALL_USERS),
    read("tf.google_cloudfunctions2_function_iam_member", "member", EVERYONE, ALL_USERS),
    read("tf.google_cloudfunctions_function_iam_member", "member", EVERYONE, ALL_USERS),
    read("tf.aws_lambda_function_url", "authorization_type", Is::OneOf(&["NONE"]), NO_AUTH),
    read("cfn.AWS.Lambda.Url", "AuthType", Is::OneOf(&["NONE"]), NO_AUTH),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // Lowered from a portable service declared `public` (a public website by intent) or
    // routed through a `LoadBalancer` (which needs the invoker check off; ingress is limited
    // to load balancers): nothing the user can change.
    if cx.origin(r).is_some_and(|o| {
        ["public", "route"]
            .iter()
            .any(|p| o.prop(p).is_some_and(crate::facts::truthy))
    }) {
        return;
    }
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let p = hit.path();
    let (message, help) = match hit.what() {
        ALL_USERS => (
            format!(
                "anyone can invoke the service of `{}` without authentication",
                r.name
            ),
            Help::from(format!(
                "bind the invoker role to the callers' identities instead of `{}`",
                hit.shown()
            )),
        ),
        NO_AUTH => (
            format!("the URL of `{}` needs no authentication", r.name),
            fix(cx, r, &format!("{p} = \"AWS_IAM\"")),
        ),
        _ => (
            format!("anyone can invoke `{}` without authentication", r.name),
            fix(cx, r, &format!("{p} = false")),
        ),
    };
    out.at(r, hit.prop(), message).label(hit.what()).help(help);
}
