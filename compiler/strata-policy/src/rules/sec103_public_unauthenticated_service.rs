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
    /// not reported, nor is one with `route = { via = lb, ... }`: behind a `LoadBalancer` a
    /// Cloud Run service must skip the invoker check (the load balancer does not sign
    /// requests) and accepts traffic from load balancers only. Checkov: `CKV_AWS_258`.
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
    if let Some((p, true)) = first_bool(
        r,
        &["allow_unauthenticated", "public_invoker", "unauthenticated"],
    ) {
        out.at(
            r,
            p,
            format!("anyone can invoke `{}` without authentication", r.name),
        )
        .label("unauthenticated")
        .help(fix(cx, r, &format!("{p} = false")));
        return;
    }
    for p in ["invokers", "members"] {
        if get(r, p).is_some_and(|v| strings(v).contains(&"allUsers")) {
            out.at(
                r,
                p,
                format!("anyone can invoke `{}` without authentication", r.name),
            )
            .label("`allUsers` invoker")
            .help(format!("remove `allUsers` from `{p}` of `{}`", r.name));
            return;
        }
    }
    for p in ["auth_type", "function_url.auth_type", "url_auth_type"] {
        if get_str(r, p).is_some_and(|v| v.eq_ignore_ascii_case("NONE")) {
            out.at(
                r,
                top(p),
                format!("the URL of `{}` needs no authentication", r.name),
            )
            .label("auth_type NONE")
            .help(fix(cx, r, &format!("{p} = \"AWS_IAM\"")));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    /// The SEC103 findings of a program, as the resource names they point at.
    fn sec103(text: &str) -> Vec<String> {
        let mut sources = strata_base::SourceMap::new();
        let file = sources.add("main.strata", text, false);
        let (analysis, diags) = strata_semantics::analyze(
            &mut sources,
            &[file],
            &strata_semantics::NoImports,
            &strata_semantics::Options::default(),
        );
        assert!(
            diags
                .iter()
                .all(|d| d.severity != strata_base::Severity::Error),
            "semantics: {diags:#?}"
        );
        let (model, diags) = strata_lower::lower_portable(analysis.model, &analysis.schemas);
        assert!(
            diags
                .iter()
                .all(|d| d.severity != strata_base::Severity::Error),
            "lowering: {diags:#?}"
        );
        let (graph, _) = strata_graph::build(&model);
        let findings = crate::check(
            &model,
            &analysis.schemas,
            &graph,
            &crate::PolicyConfig::default(),
        );
        findings
            .iter()
            .filter(|d| d.code == "SEC103")
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn services_behind_a_load_balancer_are_not_reported() {
        let found = sec103(
            r#"
import gcp
import portable.{Service, LoadBalancer}
stack site { provider = gcp { project = "acme-web", region = "europe-west1" } }
resource edge: LoadBalancer { domain = "shop.example.com" }
resource routed: Service { image = "europe-docker.pkg.dev/acme/api:1.0.0", route = { via = edge, paths = ["/api/*"], priority = 10 } }
resource www: Service { image = "europe-docker.pkg.dev/acme/web:1.0.0", public = https { domain = "www.example.com" } }
resource internal: Service { image = "europe-docker.pkg.dev/acme/worker:1.0.0" }
resource open: gcp.run.Service { image = "europe-docker.pkg.dev/acme/open:1.0.0", allow_unauthenticated = true }
"#,
        );
        // The routed and public services run without the invoker check and are not reported;
        // a Cloud Run service declared open by hand still is.
        assert_eq!(
            found,
            vec!["anyone can invoke `open` without authentication".to_string()]
        );
    }
}
