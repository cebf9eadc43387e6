use super::prelude::*;

rule! {
    /// ## What it checks
    /// A public load balancer or CDN distribution without access logs (`access_logs` /
    /// `logging` unset or false).
    ///
    /// ## Why it matters
    /// Entry-point logs are the first thing incident response asks for: which client sent
    /// which request, when. Checkov: `CKV_AWS_91`, `CKV_AWS_86`.
    ///
    /// ## Example
    /// ```strata
    /// resource lb: aws.elbv2.LoadBalancer { internal = false, subnets = public_subnets }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource lb: aws.elbv2.LoadBalancer { internal = false, subnets = public_subnets, access_logs = { bucket = logs } }
    /// ```
    pub static RULE = {
        code: "SEC063",
        name: "entry-access-logs-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Types(&["aws.elbv2.LoadBalancer", "aws.lb.LoadBalancer", "aws.cloudfront.Distribution", "gcp.compute.BackendService"]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !cx.is_public(r) && !r.ty.contains("BackendService") {
        return;
    }
    let on = match first(
        r,
        &["access_logs", "logging", "log_config", "logging_config"],
    ) {
        Some((_, Value::Bool(b))) => *b,
        Some((_, Value::Record(m))) => {
            m.get("enabled").is_none_or(Value::is_true)
                && m.get("enable").is_none_or(Value::is_true)
        }
        Some(_) => true,
        None => false,
    };
    if !on {
        // Name the setting the resource's own schema has (`logging` on CloudFront, ...).
        let prop = cx
            .schemas
            .get(&r.ty)
            .and_then(|s| {
                ["access_logs", "logging", "log_config", "logging_config"]
                    .into_iter()
                    .find(|p| s.fields.contains_key(*p))
            })
            .unwrap_or("access_logs");
        out.at(r, prop, format!("`{}` keeps no access logs", r.name))
            .label("no access logs")
            .help(fix(
                cx,
                r,
                &format!("{prop} = {{ bucket = <a log bucket> }}"),
            ));
    }
}
