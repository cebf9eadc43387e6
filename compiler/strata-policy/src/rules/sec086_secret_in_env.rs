use super::prelude::*;

rule! {
    /// ## What it checks
    /// An environment variable of a container, function or service whose name says it is a
    /// credential (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`, ...) and whose value is a
    /// literal string rather than a reference to a secret store.
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

fn literal_secret_vars(v: &Value) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    match v {
        // env = { NAME = "value" }
        Value::Record(m) => {
            for (k, x) in m {
                match x {
                    Value::Str(s) if secret_name(k) && looks_secret(s) => out.push((k.clone(), s.as_str())),
                    // env = { NAME = { value = "..." } }
                    Value::Record(inner) => {
                        if let Some(Value::Str(s)) = inner.get("value") {
                            if secret_name(k) && looks_secret(s) {
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
                let (Some(name), Some(Value::Str(s))) = (x.get_path("name").and_then(Value::as_str), x.get_path("value")) else { continue };
                if secret_name(name) && looks_secret(s) {
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
                let help = if container_fields(cx, r).is_some_and(|f| f.contains("env_secrets")) {
                    format!("move it to a Kubernetes Secret: `env_secrets = {{ {name} = {{ secret = {secret}, key = \"{}\" }} }}` with `resource {secret}: k8s.Secret {{ ... }}`", name.to_ascii_lowercase())
                } else if container_fields(cx, r).is_some_and(|f| f.contains("secrets")) {
                    format!("move it to a secret: `secrets = {{ {name} = {secret} }}` with `resource {secret}: <a secret resource>`")
                } else {
                    format!("store it in a secret resource and reference it: `{name} = {secret}.arn` with `resource {secret}: aws.secretsmanager.Secret {{ generate = {{}} }}`")
                };
                out.report(c.span(key), format!("{} sets `{name}` to a literal value", c.label())).label("credential in plain text").help(help);
            }
        }
    }
}
