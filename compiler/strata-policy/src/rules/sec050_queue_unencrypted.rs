use super::prelude::*;

rule! {
    /// ## What it checks
    /// A message queue or topic that stores messages unencrypted: an SNS topic without a KMS key
    /// (`KmsMasterKeyId` on `cfn.AWS.SNS.Topic`, `kms_master_key_id` on `tf.aws_sns_topic`), or an
    /// SQS queue with SQS-managed encryption turned off and no KMS key (`SqsManagedSseEnabled` on
    /// `cfn.AWS.SQS.Queue`, `sqs_managed_sse_enabled` on `tf.aws_sqs_queue`). The stdlib's queues
    /// and topics are always encrypted (their `encryption` only chooses the key). A Kinesis data
    /// stream without server-side encryption (`StreamEncryption` unset on `cfn.AWS.Kinesis.Stream`,
    /// `encryption_type` other than `KMS` on `tf.aws_kinesis_stream`).
    ///
    /// ## Why it matters
    /// Messages carry the same personal and business data as the databases they feed, and
    /// linger in queues and dead-letter queues for days. Checkov: `CKV_AWS_27`, `CKV_AWS_26`,
    /// `CKV_AWS_43` (Kinesis).
    ///
    /// ## Example
    /// ```strata
    /// import cfn
    /// resource events: cfn.AWS.SNS.Topic { TopicName = "events" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// import cfn
    /// resource key: cfn.AWS.KMS.Key { EnableKeyRotation = true }
    /// resource events: cfn.AWS.SNS.Topic { TopicName = "events", KmsMasterKeyId = key.Arn }
    /// ```
    pub static RULE = {
        code: "SEC050",
        name: "queue-unencrypted",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const NO_KEY: &str = "no KMS key";
const OFF: &str = "encryption off";
const KEY: &str = "key";
const STREAM_OFF: &str = "no stream encryption";

#[rustfmt::skip]
static READS: &[Read] = &[
    // SNS topics are not encrypted unless a key is given.
    read("cfn.AWS.SNS.Topic", "KmsMasterKeyId", Is::Unset, NO_KEY),
    read("tf.aws_sns_topic", "kms_master_key_id", Is::Unset, NO_KEY),
    // SQS queues are encrypted with SQS-managed keys unless that is turned off without a key.
    read("cfn.AWS.SQS.Queue", "SqsManagedSseEnabled", Is::False, OFF),
    part("cfn.AWS.SQS.Queue", "KmsMasterKeyId", KEY),
    read("tf.aws_sqs_queue", "sqs_managed_sse_enabled", Is::False, OFF),
    part("tf.aws_sqs_queue", "kms_master_key_id", KEY),
    // Kinesis data streams store records unencrypted unless told otherwise.
    read("cfn.AWS.Kinesis.Stream", "StreamEncryption", Is::Unset, STREAM_OFF),
    read("tf.aws_kinesis_stream", "encryption_type", Is::NoneOfOrUnset(&["KMS"]), STREAM_OFF),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if part_set(READS, r, KEY) {
        return;
    }
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let key = READS
        .iter()
        .find(|x| x.ty == r.ty && (x.what == KEY || x.what == NO_KEY))
        .map_or("kms_master_key_id", |x| x.path);
    let (what, help) = if hit.what() == STREAM_OFF {
        let fix_text = if r.ty.starts_with("cfn.") {
            "StreamEncryption = { EncryptionType = \"KMS\", KeyId = \"alias/aws/kinesis\" }"
        } else {
            "encryption_type = \"KMS\"` and `kms_key_id = \"alias/aws/kinesis\""
        };
        (
            "stream",
            Help::from(format!(
                "write `{fix_text}` in `{}` (or a key of your own)",
                r.name
            )),
        )
    } else if hit.what() == NO_KEY {
        ("topic", fix(cx, r, &format!("{key} = <a KMS key>")))
    } else {
        (
            "queue",
            Help::from(format!(
                "{} (or set `{key}`)",
                fix(cx, r, &format!("{} = true", hit.path()))
            )),
        )
    };
    out.at(
        r,
        hit.prop(),
        format!("{what} `{}` stores messages unencrypted", r.name),
    )
    .label(hit.what())
    .help(help);
}
