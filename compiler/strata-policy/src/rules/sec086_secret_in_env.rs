use super::pods;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// An environment variable of a container, function or service set to a literal credential:
    /// its name says it is one (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`, ...) and its value
    /// is a literal string rather than a reference to a secret store, or its value has a well-known
    /// credential format (a Stripe, GitHub, Slack or AWS key). Read from the environment of the
    /// stdlib's workloads, services and functions, of Kubernetes pod specs (`kube.*` `env`,
    /// `tf.kubernetes_*` `env`), ECS container definitions (`Environment`), Lambda functions
    /// (`Environment.Variables`, `environment.variables`), `tf.google_cloud_run_v2_service` and
    /// `tf.azurerm_container_app`.
    ///
    /// ## Why it matters
    /// Literal values end up in the repository, the generated templates, the cloud console
    /// and every `kubectl describe`. Reference a secret (Secrets Manager, Secret Manager, a
    /// Kubernetes Secret) so the value lives in one audited place. Checkov: `CKV_K8S_35`, `CKV_AWS_45`.
    ///
    /// ## Example
    /// ```strata
    /// resource api: k8s.Deployment { containers = [{ name = "api", image = "ghcr.io/acme/api:1.4.2", env = { DB_PASSWORD = "hunter22" } }] }
    /// ```
    ///
    /// ## Fix
    /// Keep the value in a Secret (created out of band, or by a secret operator) and reference it:
    /// ```strata
    /// resource db: k8s.Secret { name = "db" }
    /// resource api: k8s.Deployment {
    ///   containers = [{ name = "api", image = "ghcr.io/acme/api:1.4.2", env_secrets = { DB_PASSWORD = { secret = db, key = "password" } } }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC086",
        name: "secret-in-env",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || pods::reads("SEC086", &[pods::env_field], &[]),
        check: Check::Resource(check),
    }
}

fn is_secret(name: &str, value: &str) -> bool {
    (secret_name(name) && looks_secret(value)) || credential_pattern(value).is_some()
}

/// How to pass a secret instead, in the words of the resource's family.
fn help(cx: &Cx<'_>, r: &Resource, c: &pods::Container<'_>, name: &str) -> String {
    let secret = ident(&name.to_ascii_lowercase());
    let origin_can = |f: &str| {
        cx.origin(r)
            .and_then(|o| cx.schema(o))
            .is_some_and(|s| s.fields.contains_key(f))
    };
    let fields = container_fields(cx, r).unwrap_or_default();
    if let Some(o) = cx
        .origin(r)
        .filter(|_| !origin_can("secrets") && !origin_can("env_secrets"))
    {
        // A portable resource: no secret references in its env; pass the secret's name.
        return format!("keep the value in a secret and pass its name: `resource {secret}: Secret {{}}` and `{name}_SECRET = {secret}.name` in `{}` (read the value at startup)", o.name);
    }
    match (r.ty.split('.').next(), c.v.env_list) {
        (Some("kube"), _) => format!("read it from a Secret: `{{ name = \"{name}\", valueFrom = {{ secretKeyRef = {{ name = \"{secret}\", key = \"{}\" }} }} }}`", name.to_ascii_lowercase()),
        (Some("tf"), Some(_)) if r.ty.starts_with("tf.kubernetes_") => format!("read it from a Secret: `{{ name = \"{name}\", value_from = {{ secret_key_ref = {{ name = \"{secret}\", key = \"{}\" }} }} }}`", name.to_ascii_lowercase()),
        (Some("cfn"), Some(_)) => format!("pass it as a secret: `Secrets = [{{ Name = \"{name}\", ValueFrom = <a Secrets Manager secret ARN> }}]` instead of `Environment`"),
        (Some("cfn" | "tf"), _) => "keep the value in a secret store and read it at startup (Secrets Manager, Secret Manager, Key Vault)".to_string(),
        _ if fields.contains("env_secrets") => format!("move it to a Kubernetes Secret: `env_secrets = {{ {name} = {{ secret = {secret}, key = \"{}\" }} }}` with `resource {secret}: k8s.Secret {{ ... }}`", name.to_ascii_lowercase()),
        _ if fields.contains("secrets") || cx.can_set(r, "secrets") => format!("move it to a secret: `secrets = {{ {name} = {secret} }}` with `resource {secret}: <a secret resource>`"),
        _ => format!("store it in a secret resource and reference it: `{name} = {secret}.arn` with `resource {secret}: aws.secretsmanager.Secret {{ generate = {{}} }}`"),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for c in pods::containers(r) {
        for (var, value) in c.env() {
            let name = var.name;
            if !is_secret(&name, value) {
                continue;
            }
            // At the variable; a lowered resource without spans of its own: the portable
            // resource's environment.
            let span = cx.span_at(r, &var.path, &["env", "environment"]);
            out.report(
                span,
                format!("{} sets `{name}` to a literal value", c.label()),
            )
            .label("credential in plain text")
            .help(help(cx, r, &c, &name));
        }
    }
}
