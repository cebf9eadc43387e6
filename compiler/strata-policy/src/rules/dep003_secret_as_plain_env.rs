use super::pods;
use super::prelude::*;
use strata_model::StrPart;

rule! {
    /// ## What it checks
    /// An environment variable of a container or function whose value is a secret's value,
    /// written into the deployed configuration as plain text: a CloudFormation dynamic
    /// reference (`{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}`, resolved at
    /// deploy time into the task definition or function configuration), or a reference to an
    /// attribute the generated layer marks sensitive (`tf.aws_secretsmanager_secret_version`'s
    /// `secret_string`, `tf.google_secret_manager_secret_version`'s `secret_data`, a
    /// database's generated password). Read from ECS task definitions (`aws.ecs.TaskDefinition`,
    /// `cfn.AWS.ECS.TaskDefinition`) and Cloud Run services (`tf.google_cloud_run_v2_service`);
    /// a portable `Service` cannot write a secret's value as text at all (`L0010`).
    ///
    /// ## Why it matters
    /// The value then sits in the task definition, the function's configuration or the
    /// Terraform state, readable by anyone who can describe them, and a rotation of the secret
    /// does not reach the running containers. The platforms inject a secret at run time
    /// instead: ECS `secrets` (`valueFrom`), Cloud Run `secret_key_ref`, Kubernetes
    /// `secretKeyRef`.
    ///
    /// ## Example
    /// ```strata
    /// resource exec: aws.iam.Role { assumed_by = { service = ["ecs-tasks.amazonaws.com"] } }
    /// resource task: aws.ecs.TaskDefinition {
    ///   execution_role = exec
    ///   containers = [{ name = "api", image = "ghcr.io/acme/api:1.4.2", environment = { DB_PASSWORD = "{{resolve:secretsmanager:db:SecretString:password}}" } }]
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db_secret: aws.secretsmanager.Secret { generate = {} }
    /// resource exec: aws.iam.Role { assumed_by = { service = ["ecs-tasks.amazonaws.com"] } }
    /// resource task: aws.ecs.TaskDefinition {
    ///   execution_role = exec
    ///   containers = [{ name = "api", image = "ghcr.io/acme/api:1.4.2", secrets = { DB_PASSWORD = db_secret.arn } }]
    /// }
    /// ```
    /// A portable `Service` does this by itself: `DB_PASSWORD = secret.value` in its `env`.
    pub static RULE = {
        code: "DEP003",
        name: "secret-as-plain-env",
        category: Deploy,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const ENV: &str = "environment";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("aws.ecs.TaskDefinition", "containers[].environment", ENV),
    part("cfn.AWS.ECS.TaskDefinition", "ContainerDefinitions[].Environment[].Value", ENV),
    part("tf.google_cloud_run_v2_service", "template.containers[].env[].value", ENV),
];

/// CloudFormation dynamic references to secrets (resolved into the template's value).
const DYNAMIC: &[&str] = &["{{resolve:secretsmanager:", "{{resolve:ssm-secure:"];

/// What makes `v` a secret's value written as text, if it is one.
fn secret_value(cx: &Cx<'_>, v: &Value) -> Option<String> {
    let lits: Vec<&str> = match v {
        Value::Str(s) => vec![s.as_str()],
        Value::Interp(parts) => parts
            .iter()
            .filter_map(|p| match p {
                StrPart::Lit(s) => Some(s.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    if let Some(d) = lits
        .iter()
        .find_map(|s| DYNAMIC.iter().find(|d| s.contains(**d)))
    {
        return Some(format!("a CloudFormation dynamic reference (`{d}...}}}}`)"));
    }
    let mut found = None;
    v.visit_refs(&mut |x| {
        if found.is_some() {
            return;
        }
        let (Some(t), Some(attr)) = (cx.resource(x.resource), x.attr.as_deref()) else {
            return;
        };
        let sensitive = strata_stdlib::generated::get(&t.ty).is_some_and(|g| {
            g.attrs
                .get(attr)
                .or_else(|| g.props.get(attr))
                .is_some_and(|f| f.sensitive)
        });
        if sensitive {
            found = Some(format!("`{}.{attr}`, a sensitive attribute", t.name));
        }
    });
    found
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for c in pods::containers(r) {
        for var in c.env_values() {
            let (name, value) = (var.name, var.value);
            let Some(what) = secret_value(cx, value) else {
                continue;
            };
            let help = match r.ty.split('.').next() {
                Some("cfn") => format!("inject it at run time: `Secrets = [{{ Name = \"{name}\", ValueFrom = <the secret's ARN> }}]` instead of `Environment`"),
                Some("tf") if r.ty.contains("cloud_run") => format!("inject it at run time: `{{ name = \"{name}\", value_source = {{ secret_key_ref = {{ secret = <the secret's id>, version = \"latest\" }} }} }}`"),
                Some("tf") => "read the value at startup from the secret store (pass the secret's name or ARN), or inject it where the platform can".to_string(),
                _ if cx.can_set(r, "secrets") => format!("inject it at run time: `secrets = {{ {name} = <the secret> }}`"),
                _ if r.ty.starts_with("aws.ecs") => format!("inject it at run time: `secrets = {{ {name} = <the secret's ARN> }}` in the container"),
                _ => "pass the secret's name or ARN and read the value at startup (the function's role may read it)".to_string(),
            };
            out.report(
                cx.span_at(r, &var.path, &[]),
                format!(
                    "{} sets `{name}` to {what}: the secret's value is written as plain text",
                    c.label()
                ),
            )
            .label("secret value in the plain environment")
            .help(help);
        }
    }
}
