use super::prelude::*;

rule! {
    /// ## What it checks
    /// A secret that is never rotated: a Secret Manager secret without `rotation`
    /// (`gcp.secretmanager.Secret`, `tf.google_secret_manager_secret`), or an AWS Secrets Manager
    /// secret (`cfn.AWS.SecretsManager.Secret`, `tf.aws_secretsmanager_secret`) that no rotation
    /// schedule (`cfn.AWS.SecretsManager.RotationSchedule`, `tf.aws_secretsmanager_secret_rotation`)
    /// points at. The stdlib's `aws.secretsmanager.Secret` has no rotation setting and is not
    /// checked, nor is a Secret Manager secret that holds a Memorystore instance's AUTH string
    /// (`redis_auth`, a portable `Cache`'s): its value is the instance's, which a rotation notice
    /// cannot change.
    ///
    /// ## Why it matters
    /// Long-lived credentials accumulate in logs, laptops and old containers; rotation bounds
    /// how long a leaked one stays valid. Checkov: `CKV2_AWS_57`.
    ///
    /// ## Example
    /// ```strata
    /// resource api_key: gcp.secretmanager.Secret {}
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource rotation: gcp.pubsub.Topic {}
    /// resource api_key: gcp.secretmanager.Secret { rotation = { period = 30d, next = "2030-01-01T00:00:00Z", topic = rotation } }
    /// ```
    pub static RULE = {
        code: "SEC130",
        name: "secret-rotation-disabled",
        category: Security,
        severity: Info,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const OFF: &str = "no rotation";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("gcp.secretmanager.Secret", "rotation", Is::Unset, OFF),
    read("tf.google_secret_manager_secret", "rotation", Is::Unset, OFF),
    // An AWS secret's rotation is a resource of its own that points at it (`ROTATIONS`).
    read("cfn.AWS.SecretsManager.Secret", "", Is::Unset, OFF),
    read("tf.aws_secretsmanager_secret", "", Is::Unset, OFF),
];

/// The rotation schedule types: one referencing the secret rotates it.
const ROTATIONS: &[&str] = &[
    "cfn.AWS.SecretsManager.RotationSchedule",
    "tf.aws_secretsmanager_secret_rotation",
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    // A copy of a Memorystore AUTH string: the instance's, not rotated through the secret.
    if r.ty == "gcp.secretmanager.Secret" && r.props.contains_key("redis_auth") {
        return;
    }
    if cx.graph.dependents(r.id).iter().any(|(d, _)| {
        cx.resource(*d)
            .is_some_and(|x| ROTATIONS.contains(&x.ty.as_str()))
    }) {
        return;
    }
    let help = match r.ty.as_str() {
        "gcp.secretmanager.Secret" => fix(cx, r, "rotation = { period = 30d, next = \"<first rotation, RFC 3339>\", topic = <a Pub/Sub topic> }"),
        "tf.google_secret_manager_secret" => fix(cx, r, "rotation = { rotation_period = \"2592000s\", next_rotation_time = \"<RFC 3339>\" }"),
        "cfn.AWS.SecretsManager.Secret" => Help::from(format!("declare `resource {}_rotation: cfn.AWS.SecretsManager.RotationSchedule {{ SecretId = {}.Id, RotationRules = {{ AutomaticallyAfterDays = 30 }}, ... }}`", ident(&r.name), r.name)),
        _ => Help::from(format!("declare `resource {}_rotation: tf.aws_secretsmanager_secret_rotation {{ secret_id = {}.id, rotation_rules = {{ automatically_after_days = 30 }}, ... }}`", ident(&r.name), r.name)),
    };
    out.at(
        r,
        hit.prop(),
        format!("secret `{}` is never rotated", r.name),
    )
    .label(OFF)
    .help(help);
}
