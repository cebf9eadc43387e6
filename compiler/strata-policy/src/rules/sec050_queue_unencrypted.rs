use super::prelude::*;

rule! {
    /// ## What it checks
    /// A queue or topic that does not encrypt messages at rest: SQS with `encryption = false`
    /// (no SQS-managed or KMS encryption), an SNS topic without a KMS key, a portable `Queue`
    /// with `encryption = false`.
    ///
    /// ## Why it matters
    /// Messages carry the same personal and business data as the databases they feed, and
    /// linger in queues and dead-letter queues for days. Checkov: `CKV_AWS_27`, `CKV_AWS_26`.
    ///
    /// ## Example
    /// ```strata
    /// resource jobs: aws.sqs.Queue { encryption = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource jobs: aws.sqs.Queue { encryption = key }
    /// ```
    pub static RULE = {
        code: "SEC050",
        name: "queue-unencrypted",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[QUEUE, TOPIC]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    match first(
        r,
        &[
            "encryption",
            "kms_key",
            "sqs_managed_sse",
            "kms_master_key",
            "encrypted",
        ],
    ) {
        Some((p, Value::Bool(false))) => {
            out.at(r, p, format!("`{}` stores messages unencrypted", r.name))
                .label("encryption off")
                .help(fix(cx, r, &format!("{p} = true")));
        }
        Some(_) => {}
        // SNS topics are not encrypted unless a key is given.
        None if r.ty == "aws.sns.Topic" => {
            out.at(
                r,
                "kms_key",
                format!("topic `{}` stores messages unencrypted", r.name),
            )
            .label("no KMS key")
            .help(fix(cx, r, "kms_key = <a KMS key>"));
        }
        None => {}
    }
}
