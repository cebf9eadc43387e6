use super::prelude::*;
use strata_model::ResourceId;

rule! {
    /// ## What it checks
    /// An ECS task definition (`aws.ecs.TaskDefinition`) whose containers read a secret at start
    /// (`secrets = { NAME = secret.arn }`, an `aws.secretsmanager.Secret` of the program) while
    /// its `execution_role` holds no statement allowing `secretsmanager:GetSecretValue` on it:
    /// neither in the role's own
    /// `policies` nor in an `aws.iam.Policy` attached to it (`roles`). A role with managed
    /// policies other than `AmazonECSTaskExecutionRolePolicy` (which grants no secret) is not
    /// judged, nor a statement whose resource is a pattern that could match.
    ///
    /// ## Why it matters
    /// ECS fetches the secrets as the execution role before the container starts; without the
    /// permission every task stops with `ResourceInitializationError: unable to pull secrets or
    /// registry auth`, and the service never becomes stable: the first deploy fails (or, with
    /// CloudFormation, rolls back after hours of waiting). A portable `Service` gets this
    /// permission itself; a hand-written task definition must grant it.
    ///
    /// ## Example
    /// ```strata
    /// resource db_secret: aws.secretsmanager.Secret { generate = {} }
    /// resource exec: aws.iam.Role {
    ///   assumed_by       = { service = ["ecs-tasks.amazonaws.com"] }
    ///   managed_policies = ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
    /// }
    /// resource task: aws.ecs.TaskDefinition {
    ///   execution_role = exec
    ///   containers = [{ name = "api", image = "ghcr.io/acme/api:1.4.2", secrets = { DB_PASSWORD = db_secret.arn } }]
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db_secret: aws.secretsmanager.Secret { generate = {} }
    /// resource exec: aws.iam.Role {
    ///   assumed_by       = { service = ["ecs-tasks.amazonaws.com"] }
    ///   managed_policies = ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
    ///   policies         = { secrets = [{ actions = ["secretsmanager:GetSecretValue"], resources = [db_secret.arn] }] }
    /// }
    /// resource task: aws.ecs.TaskDefinition {
    ///   execution_role = exec
    ///   containers = [{ name = "api", image = "ghcr.io/acme/api:1.4.2", secrets = { DB_PASSWORD = db_secret.arn } }]
    /// }
    /// ```
    pub static RULE = {
        code: "DEP012",
        name: "ecs-secret-not-readable",
        category: Deploy,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Model(check),
    }
}

const SECRETS: &str = "container secrets";
const ROLE: &str = "execution role";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("aws.ecs.TaskDefinition", "containers[].secrets", SECRETS),
    part("aws.ecs.TaskDefinition", "execution_role", ROLE),
    part("aws.iam.Role", "policies", "statements"),
    part("aws.iam.Role", "managed_policies", "managed policies"),
    part("aws.iam.Policy", "statements", "statements"),
    part("aws.iam.Policy", "roles", "roles"),
];

/// The managed policy ECS documents for execution roles: images and logs, no secrets.
const EXECUTION_POLICY: &str = "AmazonECSTaskExecutionRolePolicy";

/// The resources a value references.
fn refs(v: &Value) -> Vec<ResourceId> {
    match v {
        Value::Ref(r) => vec![r.resource],
        Value::Interp(parts) => parts
            .iter()
            .filter_map(|p| match p {
                strata_model::StrPart::Ref(r) => Some(r.resource),
                _ => None,
            })
            .collect(),
        Value::List(l) => l.iter().flat_map(refs).collect(),
        _ => Vec::new(),
    }
}

fn action_allows(pattern: &str, action: &str) -> bool {
    let p = pattern.trim().to_ascii_lowercase();
    let a = action.to_ascii_lowercase();
    match p.strip_suffix('*') {
        Some(prefix) => a.starts_with(prefix),
        None => p == a,
    }
}

/// Whether a statement resource covers `target`: `*`, a reference to it, or a pattern whose
/// text cannot be resolved here (a wildcard ARN: given the benefit of the doubt).
fn resource_covers(v: &Value, target: ResourceId) -> bool {
    match v {
        Value::List(l) => l.iter().any(|x| resource_covers(x, target)),
        Value::Str(s) => s.trim() == "*" || s.contains('*'),
        _ => refs(v).contains(&target),
    }
}

fn allows(statement: &Value, action: &str, target: ResourceId) -> bool {
    let effect = statement
        .get_path("effect")
        .and_then(Value::as_str)
        .unwrap_or("Allow");
    if !effect.eq_ignore_ascii_case("allow") {
        return false;
    }
    let actions = statement
        .get_path("actions")
        .map(strings)
        .unwrap_or_default();
    if !actions.iter().any(|p| action_allows(p, action)) {
        return false;
    }
    statement
        .get_path("resources")
        .is_none_or(|v| resource_covers(v, target))
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    for r in cx
        .model
        .resources
        .iter()
        .filter(|x| x.ty == "aws.ecs.TaskDefinition")
    {
        check_task(cx, r, out);
    }
}

fn check_task(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(role) = r
        .prop("execution_role")
        .and_then(|v| refs(v).first().copied())
        .and_then(|id| cx.resource(id))
        .filter(|role| role.ty == "aws.iam.Role")
    else {
        return;
    };
    let managed = role
        .prop("managed_policies")
        .map(strings)
        .unwrap_or_default();
    if managed.iter().any(|m| !m.ends_with(EXECUTION_POLICY)) {
        return;
    }
    // The role's statements: its own, and those of the policies attached to it.
    let mut statements: Vec<&Value> = Vec::new();
    if let Some(m) = role.prop("policies").and_then(Value::as_record) {
        for list in m.values() {
            statements.extend(list.as_list().unwrap_or(&[]));
        }
    }
    for (from, _) in cx.graph.dependents(role.id) {
        let Some(p) = cx.resource(from).filter(|p| p.ty == "aws.iam.Policy") else {
            continue;
        };
        if p.prop("roles").is_some_and(|v| refs(v).contains(&role.id)) {
            statements.extend(p.prop("statements").and_then(Value::as_list).unwrap_or(&[]));
        }
    }
    let containers = r.prop("containers").and_then(Value::as_list).unwrap_or(&[]);
    for (i, c) in containers.iter().enumerate() {
        let Some(secrets) = c.get_path("secrets").and_then(Value::as_record) else {
            continue;
        };
        for (name, v) in secrets.iter() {
            for target in refs(v) {
                let Some(t) = cx.resource(target) else {
                    continue;
                };
                let action = match t.ty.as_str() {
                    "aws.secretsmanager.Secret" => "secretsmanager:GetSecretValue",
                    _ => continue,
                };
                if statements.iter().any(|s| allows(s, action, target)) {
                    continue;
                }
                let at = strata_model::sites::key(
                    &strata_model::sites::key(
                        &strata_model::sites::index("containers", i),
                        "secrets",
                    ),
                    name,
                );
                out.report(
                    cx.span_at(r, &at, &[]),
                    format!(
                        "the execution role `{}` of `{}` cannot read `{}`: its tasks will not start",
                        role.name, r.name, t.name
                    ),
                )
                .label(format!("no `{action}` on `{}`", t.name))
                .help(format!(
                    "add to `{}`: `policies = {{ secrets = [{{ actions = [\"{action}\"], resources = [{}.arn] }}] }}` (and `kms:Decrypt` on the secret's key, if it has one)",
                    role.name, t.name
                ));
            }
        }
    }
}
