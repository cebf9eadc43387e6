use super::prelude::*;

rule! {
    /// ## What it checks
    /// An environment variable of a container, function or service set to a literal
    /// credential: its name says it is one (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`,
    /// ...) and its value is a literal string rather than a reference to a secret store, or its
    /// value has a well-known credential format (a Stripe, GitHub, Slack or AWS key).
    ///
    /// ## Why it matters
    /// Literal values end up in the repository, the generated templates, the cloud console
    /// and every `kubectl describe`. Reference a secret (Secrets Manager, Secret Manager, a
    /// Kubernetes Secret) so the value lives in one audited place. Checkov: `CKV_K8S_35`, `CKV_AWS_45`.
    ///
    /// ## Example
    /// ```strata
    /// resource api: Service { env = { DB_PASSWORD = "hunter22" } }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db_password: aws.secretsmanager.Secret { generate = true }
    /// resource api: Service { env = { DB_PASSWORD = db_password } }
    /// ```
    pub static RULE = {
        code: "SEC086",
        name: "secret-in-env",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[WORKLOAD, SERVICE, FUNCTION, VM]),
        check: Check::Resource(check),
    }
}

fn is_secret(name: &str, value: &str) -> bool {
    (secret_name(name) && looks_secret(value)) || credential_pattern(value).is_some()
}

fn literal_secret_vars(v: &Value) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    match v {
        // env = { NAME = "value" }
        Value::Record(m) => {
            for (k, x) in m {
                match x {
                    Value::Str(s) if is_secret(k, s) => out.push((k.clone(), s.as_str())),
                    // env = { NAME = { value = "..." } }
                    Value::Record(inner) => {
                        if let Some(Value::Str(s)) = inner.get("value") {
                            if is_secret(k, s) {
                                out.push((k.clone(), s.as_str()));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        // env = [{ name = "NAME", value = "..." }]
        Value::List(l) => {
            for x in l {
                let (Some(name), Some(Value::Str(s))) = (
                    x.get_path("name").and_then(Value::as_str),
                    x.get_path("value"),
                ) else {
                    continue;
                };
                if is_secret(name, s) {
                    out.push((name.to_string(), s.as_str()));
                }
            }
        }
        _ => {}
    }
    out
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for c in containers(r) {
        for key in ["env", "environment", "env_vars", "environment_variables"] {
            let Some(v) = c.get(key) else { continue };
            for (name, _) in literal_secret_vars(v) {
                let secret = ident(&name.to_ascii_lowercase());
                let origin_can = |f: &str| {
                    cx.origin(r)
                        .and_then(|o| cx.schema(o))
                        .is_some_and(|s| s.fields.contains_key(f))
                };
                let help = if let Some(o) = cx
                    .origin(r)
                    .filter(|_| !origin_can("secrets") && !origin_can("env_secrets"))
                {
                    // A portable resource: no secret references in its env; pass the secret's name.
                    format!("keep the value in a secret and pass its name: `resource {secret}: Secret {{}}` and `{name}_SECRET = {secret}.name` in `{}` (read the value at startup)", o.name)
                } else if container_fields(cx, r).is_some_and(|f| f.contains("env_secrets")) {
                    format!("move it to a Kubernetes Secret: `env_secrets = {{ {name} = {{ secret = {secret}, key = \"{}\" }} }}` with `resource {secret}: k8s.Secret {{ ... }}`", name.to_ascii_lowercase())
                } else if container_fields(cx, r).is_some_and(|f| f.contains("secrets")) {
                    format!("move it to a secret: `secrets = {{ {name} = {secret} }}` with `resource {secret}: <a secret resource>`")
                } else {
                    format!("store it in a secret resource and reference it: `{name} = {secret}.arn` with `resource {secret}: aws.secretsmanager.Secret {{ generate = {{}} }}`")
                };
                let span = if r.prop_spans.contains_key(c.prop) || r.prop_spans.contains_key(key) {
                    c.span(key)
                } else {
                    cx.span_of(r, key, &["env", "environment"])
                };
                out.report(
                    span,
                    format!("{} sets `{name}` to a literal value", c.label()),
                )
                .label("credential in plain text")
                .help(help);
            }
        }
    }
}
