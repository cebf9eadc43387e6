use super::prelude::*;

rule! {
    /// ## What it checks
    /// A public entry point serving plain HTTP: a listener of an internet-facing load balancer
    /// on `HTTP` that does not redirect to HTTPS, a GCP target HTTP proxy, an Azure application
    /// gateway listener on `Http`, a portable service exposed with `http { }`, or a Kubernetes
    /// ingress whose TLS is turned off (`tls = false`, `tls = []`, an empty `tls_secret`) or,
    /// for ingress schemas whose `tls` list is the only way to TLS, left unset. The stdlib's
    /// `k8s.Ingress` always writes a `tls` section (the secret defaults to `NAME-tls`), so an
    /// unset `tls_secret` is not plain HTTP.
    ///
    /// ## Why it matters
    /// Cookies, tokens and form posts travel in clear text and can be altered on the way.
    /// Serve HTTPS and redirect port 80 to it. Checkov: `CKV_AWS_2`, `CKV2_AWS_20`.
    ///
    /// ## Example
    /// ```strata
    /// resource http: aws.elbv2.Listener { load_balancer = lb, port = 80, protocol = "HTTP", target_group = tg }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource http: aws.elbv2.Listener { load_balancer = lb, port = 80, protocol = "HTTP", redirect_https = true }
    /// resource https: aws.elbv2.Listener { load_balancer = lb, port = 443, protocol = "HTTPS", certificate = cert, target_group = tg }
    /// ```
    pub static RULE = {
        code: "SEC060",
        name: "plain-http-endpoint",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[LOADBALANCER, INGRESS, SERVICE]),
        check: Check::Resource(check),
    }
}

fn redirects(r: &Resource) -> bool {
    if is_true(r, "redirect_https")
        || is_true(r, "redirect_to_https")
        || is_true(r, "https_redirect")
    {
        return true;
    }
    let mut found = false;
    for p in ["default_action", "default_actions", "action", "actions"] {
        if let Some(v) = r.prop(p) {
            let s = v.to_string().to_ascii_lowercase();
            found |= s.contains("redirect") && s.contains("https");
        }
    }
    found
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let kind = cx.kind(r);
    if kind == SERVICE {
        // Portable services: `public = http { ... }` vs `https { ... }`.
        if let Some(Value::Record(m)) = r.prop("public") {
            let scheme = m
                .get("scheme")
                .or_else(|| m.get("protocol"))
                .or_else(|| m.get("kind"))
                .and_then(Value::as_str);
            if scheme.is_some_and(|s| s.eq_ignore_ascii_case("http"))
                || (m
                    .get("tls")
                    .is_some_and(|v| matches!(v, Value::Bool(false))))
            {
                out.at(
                    r,
                    "public",
                    format!("`{}` is exposed over plain HTTP", r.name),
                )
                .label("public over HTTP")
                .help(fix(cx, r, "public = https { domain = \"...\" }"));
            }
        }
        return;
    }
    if kind == INGRESS {
        // TLS turned off explicitly: `tls = false`, `tls = []`, `tls_secret = ""`.
        let off = |v: &Value| {
            matches!(v, Value::Bool(false))
                || v.as_list().is_some_and(|l| l.is_empty())
                || v.as_str().is_some_and(|s| s.trim().is_empty())
        };
        if let Some((p, _)) = first(r, &["tls", "tls_secret"]).filter(|(_, v)| off(v)) {
            let line = if p == "tls_secret" {
                "tls_secret = \"<a kubernetes.io/tls secret>\""
            } else {
                "tls = [{ hosts = [\"...\"], secret = \"...\" }]"
            };
            out.at(r, p, format!("ingress `{}` serves plain HTTP", r.name))
                .label("TLS turned off")
                .help(fix(cx, r, line));
            return;
        }
        // Unset: the stdlib's `k8s.Ingress` always writes a `tls` section (its secret defaults to
        // `NAME-tls`), so an unset `tls_secret` is TLS. A schema whose `tls` list is the only
        // way to have TLS serves plain HTTP without it.
        if get(r, "tls").is_none()
            && get(r, "tls_secret").is_none()
            && !cx.can_set(r, "tls_secret")
            && cx.schema(r).is_some_and(|s| s.fields.contains_key("tls"))
        {
            out.at(r, "tls", format!("ingress `{}` serves plain HTTP", r.name))
                .label("no TLS")
                .help(fix(
                    cx,
                    r,
                    "tls = [{ hosts = [\"...\"], secret = \"...\" }]",
                ));
        }
        return;
    }
    let is_http = match first_str(r, &["protocol"]) {
        Some((_, p)) => p.eq_ignore_ascii_case("HTTP"),
        None => r.ty.to_ascii_lowercase().contains("targethttpproxy"),
    };
    let listener = r.ty.to_ascii_lowercase().contains("listener")
        || r.ty.to_ascii_lowercase().contains("proxy");
    // Only entry points reachable from the internet: a listener of an internal load balancer
    // (plain HTTP inside the network) is not flagged.
    let lb_public = match r.prop("load_balancer") {
        Some(Value::Ref(x)) => cx.facts.public.contains(x.resource),
        _ => true,
    };
    if is_http && listener && lb_public && !redirects(r) {
        out.at(
            r,
            "protocol",
            format!(
                "`{}` serves plain HTTP without redirecting to HTTPS",
                r.name
            ),
        )
        .label("HTTP listener")
        .help(fix(cx, r, "redirect_https = true"));
    }
}
