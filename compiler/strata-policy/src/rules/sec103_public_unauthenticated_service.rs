use super::prelude::*;

rule! {
    /// ## What it checks
    /// A serverless service or function that anyone can invoke without authentication: Cloud
    /// Run or Cloud Functions with `allow_unauthenticated = true` (or an invoker binding to
    /// `allUsers`), a Lambda function URL with `auth_type = "NONE"`, an Azure function app
    /// with `auth = false`.
    ///
    /// ## Why it matters
    /// Unauthenticated endpoints can be called by anyone — including to run up the bill — so
    /// only services meant to be public websites should allow it, behind a load balancer with
    /// a WAF. A portable `Service` declared `public = https { ... }` is such a website and is
    /// not reported. Checkov: `CKV_AWS_258`.
    ///
    /// ## Example
    /// ```strata
    /// resource worker: gcp.run.Service { allow_unauthenticated = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource worker: gcp.run.Service { allow_unauthenticated = false }
    /// ```
    pub static RULE = {
        code: "SEC103",
        name: "unauthenticated-invocation",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[SERVICE, FUNCTION]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // Lowered from a portable service declared `public`: a public website by intent.
    if cx.origin(r).is_some_and(|o| o.prop("public").is_some_and(crate::facts::truthy)) {
        return;
    }
    if let Some((p, true)) = first_bool(r, &["allow_unauthenticated", "public_invoker", "unauthenticated"]) {
        out.at(r, p, format!("anyone can invoke `{}` without authentication", r.name)).label("unauthenticated").help(fix(cx, r, &format!("{p} = false")));
        return;
    }
    for p in ["invokers", "members"] {
        if get(r, p).is_some_and(|v| strings(v).contains(&"allUsers")) {
            out.at(r, p, format!("anyone can invoke `{}` without authentication", r.name)).label("`allUsers` invoker").help(format!("remove `allUsers` from `{p}` of `{}`", r.name));
            return;
        }
    }
    for p in ["auth_type", "function_url.auth_type", "url_auth_type"] {
        if get_str(r, p).is_some_and(|v| v.eq_ignore_ascii_case("NONE")) {
            out.at(r, top(p), format!("the URL of `{}` needs no authentication", r.name)).label("auth_type NONE").help(fix(cx, r, &format!("{p} = \"AWS_IAM\"")));
            return;
        }
    }
}
