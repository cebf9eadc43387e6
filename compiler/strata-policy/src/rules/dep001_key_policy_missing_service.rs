use super::prelude::*;

rule! {
    /// ## What it checks
    /// A KMS key used by an AWS service that encrypts on its own behalf — a CloudTrail trail
    /// (`kms_key`, `KMSKeyId`, `kms_key_id`), a CloudWatch Logs log group (`encryption`,
    /// `KmsKeyId`, `kms_key_id`) — whose key policy does not admit that service's principal
    /// (`cloudtrail.amazonaws.com`, `logs.REGION.amazonaws.com`); and the key of an SNS topic
    /// or SQS queue that a service publishes to — a CloudWatch alarm notifying an encrypted
    /// topic (`actions`, `AlarmActions`, `alarm_actions`, ...) needs `cloudwatch.amazonaws.com`,
    /// a topic delivering to an encrypted queue (`subscriptions`, an `SNS::Subscription`'s
    /// `Endpoint`, `endpoint`) needs `sns.amazonaws.com`. A `cfn.AWS.KMS.Key` without
    /// `KeyPolicy` or a `tf.aws_kms_key` without `policy` has the default key policy, which
    /// admits only the account. An `aws.kms.Key` without `policy` is given one that admits
    /// exactly the services using it, so only a written `policy` is checked there.
    ///
    /// ## Why it matters
    /// The service cannot encrypt: CloudTrail refuses the trail, CloudWatch Logs refuses the
    /// log group, and CloudFormation rolls the whole stack back on the first deploy.
    ///
    /// ## Example
    /// ```strata
    /// resource key: aws.kms.Key {
    ///   policy = [{ sid = "Account", actions = ["kms:*"], principals = { aws = ["arn:aws:iam::210987654321:root"] } }]
    /// }
    /// resource logs: aws.logs.LogGroup { encryption = key }
    /// ```
    ///
    /// ## Fix
    /// Leave the policy to Strata (it admits the account and the services that use the key),
    /// or add a statement for the service:
    /// ```strata
    /// resource key: aws.kms.Key {}
    /// resource logs: aws.logs.LogGroup { encryption = key }
    /// ```
    pub static RULE = {
        code: "DEP001",
        name: "key-policy-missing-service",
        category: Deploy,
        severity: Error,
        applies: Applies::All,
        reads: || READS,
        check: Check::Model(check),
    }
}

const USER: &str = "key user";
const POLICY: &str = "key policy";
const PUBLISHER: &str = "publishes to";
const ENCRYPTED: &str = "encrypted with";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("aws.cloudtrail.Trail", "kms_key", USER),
    part("aws.logs.LogGroup", "encryption", USER),
    part("cfn.AWS.CloudTrail.Trail", "KMSKeyId", USER),
    part("cfn.AWS.Logs.LogGroup", "KmsKeyId", USER),
    part("tf.aws_cloudtrail", "kms_key_id", USER),
    part("tf.aws_cloudwatch_log_group", "kms_key_id", USER),
    part("aws.cloudwatch.Alarm", "actions", PUBLISHER),
    part("aws.cloudwatch.Alarm", "ok_actions", PUBLISHER),
    part("cfn.AWS.CloudWatch.Alarm", "AlarmActions", PUBLISHER),
    part("cfn.AWS.CloudWatch.Alarm", "OKActions", PUBLISHER),
    part("cfn.AWS.CloudWatch.Alarm", "InsufficientDataActions", PUBLISHER),
    part("tf.aws_cloudwatch_metric_alarm", "alarm_actions", PUBLISHER),
    part("tf.aws_cloudwatch_metric_alarm", "ok_actions", PUBLISHER),
    part("tf.aws_cloudwatch_metric_alarm", "insufficient_data_actions", PUBLISHER),
    part("aws.sns.Topic", "subscriptions", PUBLISHER),
    part("cfn.AWS.SNS.Subscription", "Endpoint", PUBLISHER),
    part("tf.aws_sns_topic_subscription", "endpoint", PUBLISHER),
    part("aws.sns.Topic", "encryption", ENCRYPTED),
    part("aws.sqs.Queue", "encryption", ENCRYPTED),
    part("cfn.AWS.SNS.Topic", "KmsMasterKeyId", ENCRYPTED),
    part("cfn.AWS.SQS.Queue", "KmsMasterKeyId", ENCRYPTED),
    part("tf.aws_sns_topic", "kms_master_key_id", ENCRYPTED),
    part("tf.aws_sqs_queue", "kms_master_key_id", ENCRYPTED),
    part("aws.kms.Key", "policy", POLICY),
    part("cfn.AWS.KMS.Key", "KeyPolicy", POLICY),
    part("tf.aws_kms_key", "policy", POLICY),
];

/// Whether a principal is the service's.
type IsPrincipal = fn(&str) -> bool;

/// The service of a key user type: its name and whether a principal is it.
fn service(ty: &str) -> Option<(&'static str, IsPrincipal)> {
    match ty {
        "aws.cloudtrail.Trail" | "cfn.AWS.CloudTrail.Trail" | "tf.aws_cloudtrail" => {
            Some(("cloudtrail.amazonaws.com", |p| {
                p == "cloudtrail.amazonaws.com"
            }))
        }
        "aws.logs.LogGroup" | "cfn.AWS.Logs.LogGroup" | "tf.aws_cloudwatch_log_group" => {
            Some(("logs.REGION.amazonaws.com", |p| {
                p.starts_with("logs.") && p.ends_with(".amazonaws.com")
            }))
        }
        _ => None,
    }
}

/// The service of a publisher type (a resource that sends to a topic or queue it names).
fn publisher(ty: &str) -> Option<(&'static str, IsPrincipal)> {
    match ty {
        "aws.cloudwatch.Alarm" | "cfn.AWS.CloudWatch.Alarm" | "tf.aws_cloudwatch_metric_alarm" => {
            Some(("cloudwatch.amazonaws.com", |p| {
                p == "cloudwatch.amazonaws.com"
            }))
        }
        "aws.sns.Topic" | "cfn.AWS.SNS.Subscription" | "tf.aws_sns_topic_subscription" => {
            Some(("sns.amazonaws.com", |p| p == "sns.amazonaws.com"))
        }
        _ => None,
    }
}

/// The keys a finding concerns, each with the resource it encrypts when that is not `r`: for
/// a key user, the keys its property names; for a publisher, the keys of the encrypted topics
/// and queues it names.
fn keys_of<'a>(
    cx: &Cx<'a>,
    r: &Resource,
    path: &str,
    hop: bool,
) -> Vec<(Option<&'a Resource>, strata_model::ResourceId)> {
    let mut named = Vec::new();
    for v in crate::reads::values(r, path) {
        v.visit_refs(&mut |x| named.push(x.resource));
    }
    if !hop {
        return named.into_iter().map(|k| (None, k)).collect();
    }
    let mut keys = Vec::new();
    for id in named {
        let Some(t) = cx.resource(id) else { continue };
        let Some(enc) = READS
            .iter()
            .find(|x| x.ty == t.ty && x.what == ENCRYPTED)
            .map(|x| x.path)
        else {
            continue;
        };
        if let Some(v) = t.props.get(enc) {
            v.visit_refs(&mut |x| {
                if !keys.iter().any(|(_, k)| *k == x.resource) {
                    keys.push((Some(t), x.resource));
                }
            });
        }
    }
    keys
}

/// Every string under a `Service`/`service` key of a policy (statements' principals).
fn services_in(v: &Value, under: bool, out: &mut Vec<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    match v {
        Value::Str(s) if under => out.push(s.to_string()),
        Value::List(_) => {
            for x in v.as_list().unwrap_or(&[]) {
                services_in(x, under, out, depth + 1);
            }
        }
        Value::Record(_) => {
            for (k, x) in v.as_record().into_iter().flatten() {
                services_in(
                    x,
                    under || k.eq_ignore_ascii_case("service"),
                    out,
                    depth + 1,
                );
            }
        }
        _ => {}
    }
}

fn services_in_json(v: &serde_json::Value, under: bool, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if under => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| services_in_json(x, under, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
            services_in_json(x, under || k.eq_ignore_ascii_case("service"), out)
        }),
        _ => {}
    }
}

/// The service principals a key's policy admits; `None` when it cannot be known (a policy
/// built from references) or when Strata writes the policy.
fn admitted(key: &Resource) -> Option<Vec<String>> {
    let path = READS
        .iter()
        .find(|x| x.ty == key.ty && x.what == POLICY)?
        .path;
    let policy = key.props.get(path).filter(|v| !v.is_null());
    let mut out = Vec::new();
    match (key.ty.as_str(), policy) {
        ("aws.kms.Key", None) => return None,
        (_, None) => {}
        ("tf.aws_kms_key", Some(Value::Str(s))) => {
            let j: serde_json::Value = serde_json::from_str(s).ok()?;
            services_in_json(&j, false, &mut out);
        }
        (_, Some(v @ (Value::List(_) | Value::Record(_)))) => services_in(v, false, &mut out, 0),
        _ => return None,
    }
    Some(out)
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    for r in &cx.model.resources {
        let (hop, (principal, is)) = match (service(&r.ty), publisher(&r.ty)) {
            (Some(s), _) => (false, s),
            (None, Some(p)) => (true, p),
            (None, None) => continue,
        };
        let what = if hop { PUBLISHER } else { USER };
        for read in READS.iter().filter(|x| x.ty == r.ty && x.what == what) {
            let prop = read.path;
            for (via, id) in keys_of(cx, r, prop, hop) {
                let Some(key) = cx.resource(id) else {
                    continue;
                };
                let Some(services) = admitted(key) else {
                    continue;
                };
                if services.iter().any(|s| is(s)) {
                    continue;
                }
                let help = match key.ty.as_str() {
                    "aws.kms.Key" => format!("add a statement for the service to the policy of `{}` (`principals = {{ service = [\"{principal}\"] }}`), or remove its `policy`: Strata then writes one that admits the account and exactly the services that use the key", key.name),
                    "cfn.AWS.KMS.Key" => format!("add a `KeyPolicy` statement with `Principal = {{ Service = \"{principal}\" }}` to `{}` (the default key policy admits only the account), or use `aws.kms.Key`", key.name),
                    _ => format!("add a `policy` statement with the principal `{principal}` to `{}` (the default key policy admits only the account), or use `aws.kms.Key`", key.name),
                };
                let message = if let Some(via) = via {
                    format!(
                        "`{}` publishes to `{}`, encrypted with key `{}`, whose policy does not admit `{principal}`",
                        r.name, via.name, key.name
                    )
                } else {
                    format!(
                        "`{}` encrypts with key `{}`, whose policy does not admit `{principal}`",
                        r.name, key.name
                    )
                };
                out.report(cx.span_of(r, prop, &[prop]), message)
                    .label("the service cannot use this key")
                    .help(help);
            }
        }
    }
}
