//! Hand-built target programs shared by the snapshot, validator and determinism tests. Each
//! uses every `TValue` variant its target can hold, in places the real tools check.
#![allow(dead_code)]

use std::collections::BTreeMap;
use strata_model::{
    TPart, TRef, TValue, Target, TargetOutput, TargetParam, TargetProgram, TargetResource,
};

pub fn s(v: &str) -> TValue {
    TValue::Str(v.to_string())
}
pub fn lit(v: &str) -> TPart {
    TPart::Lit(v.to_string())
}
pub fn map(entries: Vec<(&str, TValue)>) -> TValue {
    TValue::Map(obj(entries))
}
pub fn obj(entries: Vec<(&str, TValue)>) -> strata_model::TMap {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}
pub fn list(items: Vec<TValue>) -> TValue {
    TValue::List(items)
}
pub fn rref(resource: &str, attr: Option<&str>) -> TRef {
    TRef {
        resource: resource.to_string(),
        attr: attr.map(str::to_string),
        param: false,
    }
}
pub fn r(resource: &str, attr: Option<&str>) -> TValue {
    TValue::Ref(Box::new(rref(resource, attr)))
}
pub fn pref(name: &str) -> TRef {
    TRef {
        resource: name.to_string(),
        attr: None,
        param: true,
    }
}
pub fn p(name: &str) -> TValue {
    TValue::Ref(Box::new(pref(name)))
}
pub fn res(name: &str, ty: &str, body: Vec<(&str, TValue)>) -> TargetResource {
    TargetResource {
        name: name.to_string(),
        ty: ty.to_string(),
        body: obj(body),
        depends_on: Vec::new(),
        source: None,
    }
}
pub fn param(name: &str, ty: &str, default: Option<TValue>, allowed: Vec<TValue>) -> TargetParam {
    TargetParam {
        name: name.to_string(),
        ty: ty.to_string(),
        default,
        description: Some(format!("The {name} parameter.")),
        allowed,
    }
}
pub fn output(name: &str, value: TValue, description: Option<&str>) -> TargetOutput {
    TargetOutput {
        name: name.to_string(),
        value,
        description: description.map(str::to_string),
    }
}
pub fn program(target: Target, stack: &str) -> TargetProgram {
    TargetProgram {
        target,
        stack: stack.to_string(),
        description: None,
        providers: BTreeMap::new(),
        params: Vec::new(),
        resources: Vec::new(),
        outputs: Vec::new(),
        backend: None,
    }
}

pub fn cloudformation() -> TargetProgram {
    let mut prog = program(Target::CloudFormation, "community");
    prog.description = Some("Community stack: uploads, jobs queue and alarms.".to_string());
    prog.params = vec![param(
        "Env",
        "String",
        Some(s("dev")),
        vec![s("dev"), s("staging"), s("prod")],
    )];
    let key_policy = TValue::Json(Box::new(map(vec![
        ("Version", s("2012-10-17")),
        (
            "Statement",
            list(vec![map(vec![
                ("Sid", s("RootAccess")),
                ("Effect", s("Allow")),
                (
                    "Principal",
                    map(vec![(
                        "AWS",
                        TValue::Interp(vec![
                            lit("arn:aws:iam::"),
                            TPart::Ref(rref("AWS::AccountId", None)),
                            lit(":root"),
                        ]),
                    )]),
                ),
                ("Action", s("kms:*")),
                ("Resource", s("*")),
            ])]),
        ),
    ])));
    let key = res(
        "Key",
        "AWS::KMS::Key",
        vec![
            ("EnableKeyRotation", TValue::Bool(true)),
            ("KeyPolicy", key_policy),
            (
                "Description",
                s("Key for uploads: \"quoted\", ${not a sub}, 100% {{braces}}"),
            ),
        ],
    );
    let uploads = res(
        "Uploads",
        "AWS::S3::Bucket",
        vec![
            (
                "BucketEncryption",
                map(vec![(
                    "ServerSideEncryptionConfiguration",
                    list(vec![map(vec![(
                        "ServerSideEncryptionByDefault",
                        map(vec![
                            ("SSEAlgorithm", s("aws:kms")),
                            ("KMSMasterKeyID", r("Key", Some("Arn"))),
                        ]),
                    )])]),
                )]),
            ),
            (
                "VersioningConfiguration",
                map(vec![("Status", s("Enabled"))]),
            ),
            (
                "PublicAccessBlockConfiguration",
                map(vec![
                    ("BlockPublicAcls", TValue::Bool(true)),
                    ("BlockPublicPolicy", TValue::Bool(true)),
                    ("IgnorePublicAcls", TValue::Bool(true)),
                    ("RestrictPublicBuckets", TValue::Bool(true)),
                ]),
            ),
            (
                "LifecycleConfiguration",
                map(vec![(
                    "Rules",
                    TValue::Blocks(vec![obj(vec![
                        ("Id", s("archive")),
                        ("Status", s("Enabled")),
                        (
                            "Transitions",
                            list(vec![map(vec![
                                ("StorageClass", s("GLACIER")),
                                ("TransitionInDays", TValue::Int(90)),
                            ])]),
                        ),
                    ])]),
                )]),
            ),
            (
                "Tags",
                list(vec![
                    map(vec![("Key", s("env")), ("Value", p("Env"))]),
                    map(vec![
                        ("Key", s("note")),
                        ("Value", s("no\n  yes: ${x} # not a comment")),
                    ]),
                    map(vec![
                        ("Key", s("name")),
                        (
                            "Value",
                            TValue::Interp(vec![
                                lit("community-"),
                                TPart::Ref(pref("Env")),
                                lit("-uploads ${literal} $"),
                            ]),
                        ),
                    ]),
                ]),
            ),
        ],
    );
    let mut queue = res(
        "Jobs",
        "AWS::SQS::Queue",
        vec![
            ("MessageRetentionPeriod", TValue::Int(345600)),
            ("KmsMasterKeyId", r("Key", None)),
            (
                "QueueName",
                TValue::Interp(vec![
                    lit("community-"),
                    TPart::Ref(pref("Env")),
                    lit("-jobs"),
                ]),
            ),
        ],
    );
    queue.depends_on = vec!["Uploads".to_string()];
    let alarm = res(
        "JobsDepthAlarm",
        "AWS::CloudWatch::Alarm",
        vec![
            (
                "AlarmDescription",
                TValue::Interp(vec![
                    lit("Jobs are piling up in "),
                    TPart::Ref(rref("Jobs", Some("QueueName"))),
                    lit(": 50% of ${capacity"),
                    TPart::Ref(pref("Env")),
                ]),
            ),
            ("AlarmName", s("jobs-depth ${not-a-sub}")),
            ("ComparisonOperator", s("GreaterThanThreshold")),
            ("EvaluationPeriods", TValue::Int(2)),
            ("MetricName", s("ApproximateNumberOfMessagesVisible")),
            ("Namespace", s("AWS/SQS")),
            ("Period", TValue::Int(300)),
            ("Statistic", s("Average")),
            ("Threshold", TValue::Float(80.5)),
            (
                "Dimensions",
                list(vec![map(vec![
                    ("Name", s("QueueName")),
                    ("Value", r("Jobs", Some("QueueName"))),
                ])]),
            ),
        ],
    );
    let rule = res(
        "UploadsEvents",
        "AWS::Events::Rule",
        vec![
            (
                "EventPattern",
                TValue::Json(Box::new(map(vec![
                    ("source", list(vec![s("aws.s3")])),
                    (
                        "detail",
                        map(vec![
                            (
                                "bucket",
                                map(vec![("name", list(vec![r("Uploads", None)]))]),
                            ),
                            ("reason", list(vec![TValue::Null])),
                        ]),
                    ),
                ]))),
            ),
            ("State", s("ENABLED")),
        ],
    );
    prog.resources = vec![key, uploads, queue, alarm, rule];
    prog.outputs = vec![
        output(
            "UploadsArn",
            r("Uploads", Some("Arn")),
            Some("ARN of the uploads bucket"),
        ),
        output("JobsUrl", r("Jobs", None), None),
        output(
            "JobsName",
            TValue::Interp(vec![
                TPart::Ref(rref("Jobs", Some("QueueName"))),
                lit(" in ${AWS::Region}"),
            ]),
            Some("no: a \"tricky\" description"),
        ),
    ];
    prog
}

pub fn terraform() -> TargetProgram {
    let mut prog = program(Target::Terraform, "community");
    prog.providers.insert(
        "aws".to_string(),
        obj(vec![
            ("region", s("us-east-1")),
            (
                "default_tags",
                TValue::Blocks(vec![obj(vec![(
                    "tags",
                    map(vec![
                        ("project", s("community")),
                        ("managed-by", s("strata")),
                    ]),
                )])]),
            ),
        ]),
    );
    prog.params = vec![
        param(
            "env",
            "string",
            Some(s("dev")),
            vec![s("dev"), s("staging"), s("prod")],
        ),
        param("retention_days", "number", Some(TValue::Int(4)), vec![]),
    ];
    let key = res(
        "key",
        "aws_kms_key",
        vec![
            ("description", s("uploads key")),
            ("enable_key_rotation", TValue::Bool(true)),
            ("deletion_window_in_days", TValue::Int(30)),
        ],
    );
    let mut uploads = res(
        "uploads",
        "aws_s3_bucket",
        vec![
            (
                "bucket",
                TValue::Interp(vec![
                    lit("community-"),
                    TPart::Ref(pref("env")),
                    lit("-uploads"),
                ]),
            ),
            ("force_destroy", TValue::Bool(false)),
            (
                "tags",
                map(vec![
                    ("Name", s("uploads")),
                    ("kubernetes.io/role", s("storage")),
                    ("é", s("unicode: ü 😀")),
                    ("env", p("env")),
                    ("for", s("a keyword as a key")),
                    (
                        "note",
                        s("${literal} %{directive} $${double} \"q\" back\\slash\nnewline\ttab"),
                    ),
                ]),
            ),
        ],
    );
    uploads.depends_on = vec!["key".to_string()];
    let versioning = res(
        "uploads",
        "aws_s3_bucket_versioning",
        vec![
            ("bucket", r("aws_s3_bucket.uploads", Some("id"))),
            (
                "versioning_configuration",
                TValue::Blocks(vec![obj(vec![("status", s("Enabled"))])]),
            ),
        ],
    );
    let sse = res(
        "uploads",
        "aws_s3_bucket_server_side_encryption_configuration",
        vec![
            ("bucket", r("aws_s3_bucket.uploads", Some("id"))),
            (
                "rule",
                TValue::Blocks(vec![obj(vec![
                    ("bucket_key_enabled", TValue::Bool(true)),
                    (
                        "apply_server_side_encryption_by_default",
                        TValue::Blocks(vec![obj(vec![
                            ("sse_algorithm", s("aws:kms")),
                            ("kms_master_key_id", r("aws_kms_key.key", Some("arn"))),
                        ])]),
                    ),
                ])]),
            ),
        ],
    );
    let pab = res(
        "uploads",
        "aws_s3_bucket_public_access_block",
        vec![
            ("bucket", r("aws_s3_bucket.uploads", Some("id"))),
            ("block_public_acls", TValue::Bool(true)),
            ("block_public_policy", TValue::Bool(true)),
            ("ignore_public_acls", TValue::Bool(true)),
            ("restrict_public_buckets", TValue::Bool(true)),
        ],
    );
    let dlq = res(
        "dlq",
        "aws_sqs_queue",
        vec![
            ("name", s("community-jobs-dlq")),
            ("sqs_managed_sse_enabled", TValue::Bool(true)),
        ],
    );
    let jobs = res(
        "jobs",
        "aws_sqs_queue",
        vec![
            ("name", s("community-jobs")),
            ("message_retention_seconds", TValue::Int(345600)),
            ("kms_master_key_id", r("aws_kms_key.key", Some("arn"))),
            ("delay_seconds", TValue::Null),
            (
                "redrive_policy",
                TValue::Json(Box::new(map(vec![
                    ("deadLetterTargetArn", r("aws_sqs_queue.dlq", Some("arn"))),
                    ("maxReceiveCount", TValue::Int(5)),
                ]))),
            ),
        ],
    );
    let policy = res(
        "read",
        "aws_iam_policy",
        vec![
            ("name", s("community-read")),
            (
                "policy",
                TValue::Json(Box::new(map(vec![
                    ("Version", s("2012-10-17")),
                    (
                        "Statement",
                        list(vec![map(vec![
                            ("Effect", s("Allow")),
                            ("Action", list(vec![s("s3:GetObject")])),
                            (
                                "Resource",
                                list(vec![TValue::Interp(vec![
                                    TPart::Ref(rref("aws_s3_bucket.uploads", Some("arn"))),
                                    lit("/*"),
                                ])]),
                            ),
                        ])]),
                    ),
                ]))),
            ),
        ],
    );
    let alarm = res(
        "jobs_depth",
        "aws_cloudwatch_metric_alarm",
        vec![
            ("alarm_name", s("community-jobs-depth")),
            ("alarm_description", s("50% of $${capacity} for price $")),
            ("comparison_operator", s("GreaterThanThreshold")),
            ("evaluation_periods", TValue::Int(2)),
            ("metric_name", s("ApproximateNumberOfMessagesVisible")),
            ("namespace", s("AWS/SQS")),
            ("period", TValue::Int(300)),
            ("statistic", s("Average")),
            ("threshold", TValue::Float(80.5)),
            (
                "dimensions",
                map(vec![("QueueName", r("aws_sqs_queue.jobs", Some("name")))]),
            ),
            ("alarm_actions", list(vec![])),
            (
                "ok_actions",
                list(vec![TValue::Interp(vec![
                    lit("cost $"),
                    TPart::Ref(rref("aws_sqs_queue.jobs", Some("arn"))),
                ])]),
            ),
        ],
    );
    prog.resources = vec![key, uploads, versioning, sse, pab, dlq, jobs, policy, alarm];
    prog.outputs = vec![
        output(
            "uploads_arn",
            r("aws_s3_bucket.uploads", Some("arn")),
            Some("ARN of the uploads bucket"),
        ),
        output(
            "jobs_url",
            TValue::Interp(vec![TPart::Ref(rref("aws_sqs_queue.jobs", Some("url")))]),
            None,
        ),
        output(
            "summary",
            TValue::Interp(vec![
                lit("queue "),
                TPart::Ref(rref("aws_sqs_queue.jobs", Some("name"))),
                lit(" keeps "),
                TPart::Ref(pref("retention_days")),
                lit(" days"),
            ]),
            None,
        ),
    ];
    prog
}

pub fn deployment_manager() -> TargetProgram {
    let mut prog = program(Target::DeploymentManager, "community");
    prog.params = vec![param("env", "string", Some(s("dev")), vec![])];
    let network = res(
        "community-net",
        "compute.v1.network",
        vec![
            ("autoCreateSubnetworks", TValue::Bool(false)),
            ("description", TValue::Null),
        ],
    );
    let bucket = res(
        "uploads",
        "storage.v1.bucket",
        vec![
            ("versioning", map(vec![("enabled", TValue::Bool(true))])),
            (
                "labels",
                map(vec![
                    ("env", p("env")),
                    ("answer", s("no")),
                    ("on", s("yes")),
                ]),
            ),
            (
                "lifecycle",
                map(vec![(
                    "rule",
                    TValue::Blocks(vec![obj(vec![
                        (
                            "action",
                            map(vec![
                                ("type", s("SetStorageClass")),
                                ("storageClass", s("COLDLINE")),
                            ]),
                        ),
                        ("condition", map(vec![("age", TValue::Int(90))])),
                    ])]),
                )]),
            ),
            (
                "cors",
                list(vec![map(vec![
                    ("maxAgeSeconds", TValue::Int(3600)),
                    ("origin", list(vec![s("https://community.example.com")])),
                ])]),
            ),
        ],
    );
    let mut db = res(
        "db",
        "sqladmin.v1beta4.instance",
        vec![
            ("databaseVersion", s("POSTGRES_16")),
            ("region", s("us-central1")),
            (
                "settings",
                map(vec![
                    ("tier", s("db-custom-1-3840")),
                    (
                        "ipConfiguration",
                        map(vec![
                            ("ipv4Enabled", TValue::Bool(false)),
                            ("privateNetwork", r("community-net", Some("selfLink"))),
                        ]),
                    ),
                    (
                        "userLabels",
                        map(vec![(
                            "stack",
                            TValue::Interp(vec![lit("community-"), TPart::Ref(pref("env"))]),
                        )]),
                    ),
                    ("dataDiskSizeGb", TValue::Int(100)),
                    (
                        "databaseFlags",
                        list(vec![map(vec![
                            ("name", s("cloudsql.enable_pgvector")),
                            ("value", s("on")),
                        ])]),
                    ),
                ]),
            ),
        ],
    );
    db.depends_on = vec!["community-net".to_string()];
    let topic = res(
        "jobs",
        "pubsub.v1.topic",
        vec![
            ("topic", s("community-jobs")),
            ("messageRetentionDuration", s("345600s")),
            (
                "schemaSettings",
                TValue::Json(Box::new(map(vec![
                    ("encoding", s("JSON")),
                    ("ratio", TValue::Float(0.25)),
                    ("literal", s("${x} {{ y }} $(z) %{w}")),
                ]))),
            ),
            (
                "labels",
                map(vec![(
                    "db-host",
                    TValue::Interp(vec![
                        lit("host-"),
                        TPart::Ref(rref("db", Some("ipAddresses[0].ipAddress"))),
                    ]),
                )]),
            ),
        ],
    );
    prog.resources = vec![network, bucket, db, topic];
    prog.outputs = vec![
        output("bucketUrl", r("uploads", Some("selfLink")), None),
        output(
            "dbAddress",
            TValue::Interp(vec![
                lit("postgres://"),
                TPart::Ref(rref("db", Some("ipAddresses[0].ipAddress"))),
                lit(":5432/app"),
            ]),
            None,
        ),
    ];
    prog
}

pub fn kubernetes() -> TargetProgram {
    let mut prog = program(Target::Kubernetes, "community");
    prog.params = vec![param(
        "image",
        "string",
        Some(s("ghcr.io/acme/community-api:1.4.2")),
        vec![],
    )];
    let labels = || {
        map(vec![
            ("app", s("api")),
            ("app.kubernetes.io/part-of", s("community")),
        ])
    };
    let ns = || ("namespace", s("community"));
    let deployment = res(
        "api",
        "apps/v1/Deployment",
        vec![
            ("metadata", map(vec![ns(), ("labels", labels())])),
            (
                "spec",
                map(vec![
                    ("replicas", TValue::Int(2)),
                    ("selector", map(vec![("matchLabels", labels())])),
                    (
                        "template",
                        map(vec![
                            (
                                "metadata",
                                map(vec![
                                    ("labels", labels()),
                                    (
                                        "annotations",
                                        map(vec![
                                            ("checksum/config", s("no")),
                                            (
                                                "strata.dev/settings",
                                                TValue::Json(Box::new(map(vec![
                                                    ("retries", TValue::Int(3)),
                                                    ("debug", TValue::Bool(false)),
                                                    ("owner", TValue::Null),
                                                ]))),
                                            ),
                                        ]),
                                    ),
                                ]),
                            ),
                            (
                                "spec",
                                map(vec![
                                    ("automountServiceAccountToken", TValue::Bool(false)),
                                    (
                                        "containers",
                                        TValue::Blocks(vec![obj(vec![
                                            ("name", s("api")),
                                            ("image", p("image")),
                                            (
                                                "ports",
                                                list(vec![map(vec![
                                                    ("containerPort", TValue::Int(8080)),
                                                    ("name", s("http")),
                                                ])]),
                                            ),
                                            (
                                                "resources",
                                                map(vec![
                                                    (
                                                        "limits",
                                                        map(vec![
                                                            ("cpu", TValue::Float(0.5)),
                                                            ("memory", s("1Gi")),
                                                        ]),
                                                    ),
                                                    (
                                                        "requests",
                                                        map(vec![
                                                            ("cpu", s("250m")),
                                                            ("memory", s("512Mi")),
                                                        ]),
                                                    ),
                                                ]),
                                            ),
                                            (
                                                "env",
                                                list(vec![
                                                    map(vec![
                                                        ("name", s("CONFIG")),
                                                        (
                                                            "valueFrom",
                                                            map(vec![(
                                                                "configMapKeyRef",
                                                                map(vec![
                                                                    ("name", r("api-config", None)),
                                                                    ("key", s("DATABASE_URL")),
                                                                ]),
                                                            )]),
                                                        ),
                                                    ]),
                                                    map(vec![
                                                        ("name", s("GREETING")),
                                                        (
                                                            "value",
                                                            TValue::Interp(vec![
                                                                lit("hello from "),
                                                                TPart::Ref(rref(
                                                                    "api-config",
                                                                    Some("name"),
                                                                )),
                                                                lit(": yes #1"),
                                                            ]),
                                                        ),
                                                    ]),
                                                ]),
                                            ),
                                            (
                                                "securityContext",
                                                map(vec![
                                                    (
                                                        "allowPrivilegeEscalation",
                                                        TValue::Bool(false),
                                                    ),
                                                    ("readOnlyRootFilesystem", TValue::Bool(true)),
                                                    ("runAsNonRoot", TValue::Bool(true)),
                                                ]),
                                            ),
                                        ])]),
                                    ),
                                ]),
                            ),
                        ]),
                    ),
                ]),
            ),
        ],
    );
    let config = res(
        "api-config",
        "v1/ConfigMap",
        vec![
            ("metadata", map(vec![ns()])),
            (
                "data",
                map(vec![
                    ("DATABASE_URL", s("postgres://db:5432/app")),
                    ("yes", s("no")),
                    ("script.sh", s("#!/bin/sh\necho \"${HOME}\" && exit 0\n")),
                    ("empty", s("")),
                    (
                        "settings.json",
                        TValue::Json(Box::new(map(vec![
                            ("a", TValue::Int(1)),
                            ("b", list(vec![TValue::Bool(true), s("x: y")])),
                        ]))),
                    ),
                ]),
            ),
        ],
    );
    let service = res(
        "api",
        "v1/Service",
        vec![
            ("metadata", map(vec![ns()])),
            (
                "spec",
                map(vec![
                    ("selector", labels()),
                    (
                        "ports",
                        list(vec![map(vec![
                            ("port", TValue::Int(80)),
                            ("targetPort", s("http")),
                        ])]),
                    ),
                ]),
            ),
        ],
    );
    let namespace = res("community", "v1/Namespace", vec![]);
    prog.resources = vec![deployment, config, service, namespace];
    prog
}

/// Every fixture, one per target.
pub fn all() -> Vec<TargetProgram> {
    vec![
        cloudformation(),
        deployment_manager(),
        terraform(),
        kubernetes(),
    ]
}

/// Pieces that each format treats specially somewhere.
pub const PIECES: [&str; 48] = [
    "\"", "'", "\\", "\n", "\r", "\t", "\r\n", "${", "${x}", "$${", "$", "%{", "%%{", "$(",
    "$(ref.", "{{", "}}", "{", "}", "#", " #", ": ", ":", "- ", "-", "---", "...", "*", "&", "!",
    "|", ">", "?", "@", "`", ",", "[", "]", "~", "null", "no", "yes", "on", "0x1F", "1e3", "0o17",
    " ", "\u{0}",
];
pub const MORE: [&str; 16] = [
    "é",
    "ü",
    "😀",
    "中文",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{feff}",
    "\u{7f}",
    "\u{1b}",
    "\u{200b}",
    "e\u{301}",
    "True",
    "NULL",
    "2001-12-14",
    "1:20",
];

/// A deterministic corpus of awkward strings (every piece alone, and pseudo-random
/// concatenations of 1..6 pieces with a fixed seed).
pub fn tricky_strings(n: usize) -> Vec<String> {
    let all: Vec<&str> = PIECES.iter().chain(MORE.iter()).copied().collect();
    let mut out: Vec<String> = all.iter().map(|s| s.to_string()).collect();
    out.extend(
        [
            "",
            " leading",
            "trailing ",
            "multi\nline\n",
            "multi\nline",
            "  indented\nblock",
            "a\n\n",
            "plain words",
            "key: value",
            "- item",
            "# comment",
            "x = \"y\"",
            "\\u0041",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let mut seed: u64 = 0x5eed_cafe_f00d_0001;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    while out.len() < n {
        let k = 1 + next() % 6;
        let mut s = String::new();
        for _ in 0..k {
            s.push_str(all[next() % all.len()]);
            if next() % 3 == 0 {
                s.push_str("ab");
            }
        }
        out.push(s);
    }
    out.truncate(n.max(all.len()));
    out
}

/// A synthetic program of `n` resources for `target` (for determinism and speed tests): each
/// resource has nested maps, lists, a reference to the previous one, an interpolation, a JSON
/// value and (Terraform) nested blocks, with a few awkward strings.
pub fn synthetic(target: Target, n: usize) -> TargetProgram {
    let mut prog = program(target, &format!("synthetic-{}", target.dir_name()));
    let tricky = tricky_strings(64);
    let pick = |i: usize| tricky[i % tricky.len()].replace("$(ref.", "$ (ref.");
    match target {
        Target::CloudFormation => {
            prog.params = vec![param("Env", "String", Some(s("dev")), vec![])];
            for i in 0..n {
                let mut body = vec![
                    (
                        "BucketName",
                        TValue::Interp(vec![
                            lit("bucket-"),
                            TPart::Ref(pref("Env")),
                            lit(&format!("-{i}")),
                        ]),
                    ),
                    (
                        "VersioningConfiguration",
                        map(vec![("Status", s("Enabled"))]),
                    ),
                    (
                        "Tags",
                        list(
                            (0..3)
                                .map(|k| {
                                    map(vec![
                                        ("Key", s(&format!("k{k}"))),
                                        ("Value", TValue::Str(pick(i + k))),
                                    ])
                                })
                                .collect(),
                        ),
                    ),
                    (
                        "Metadata",
                        TValue::Json(Box::new(map(vec![
                            ("index", TValue::Int(i as i64)),
                            ("ratio", TValue::Float(i as f64 / 7.0)),
                            ("on", TValue::Bool(i % 2 == 0)),
                        ]))),
                    ),
                ];
                if i > 0 {
                    body.push(("Previous", r(&format!("Res{}", i - 1), Some("Arn"))));
                }
                prog.resources
                    .push(res(&format!("Res{i}"), "AWS::S3::Bucket", body));
            }
        }
        Target::DeploymentManager => {
            prog.params = vec![param("env", "string", Some(s("dev")), vec![])];
            for i in 0..n {
                let mut body = vec![
                    (
                        "labels",
                        map(vec![
                            ("env", p("env")),
                            ("index", TValue::Str(i.to_string())),
                            ("note", TValue::Str(pick(i))),
                        ]),
                    ),
                    (
                        "lifecycle",
                        map(vec![(
                            "rule",
                            TValue::Blocks(vec![obj(vec![
                                ("action", map(vec![("type", s("Delete"))])),
                                ("condition", map(vec![("age", TValue::Int(30 + i as i64))])),
                            ])]),
                        )]),
                    ),
                    (
                        "settings",
                        TValue::Json(Box::new(map(vec![
                            ("ratio", TValue::Float(i as f64 / 3.0)),
                            ("list", list(vec![s("a"), s("b")])),
                        ]))),
                    ),
                ];
                if i > 0 {
                    body.push((
                        "previous",
                        TValue::Interp(vec![
                            lit("link: "),
                            TPart::Ref(rref(&format!("res-{}", i - 1), Some("selfLink"))),
                        ]),
                    ));
                }
                prog.resources
                    .push(res(&format!("res-{i}"), "storage.v1.bucket", body));
            }
        }
        Target::Terraform => {
            prog.providers
                .insert("aws".to_string(), obj(vec![("region", s("us-east-1"))]));
            prog.params = vec![param("env", "string", Some(s("dev")), vec![])];
            for i in 0..n {
                let mut body = vec![
                    (
                        "bucket",
                        TValue::Interp(vec![
                            lit("bucket-"),
                            TPart::Ref(pref("env")),
                            lit(&format!("-{i}")),
                        ]),
                    ),
                    (
                        "tags",
                        map(vec![
                            ("Name", s(&format!("r{i}"))),
                            ("note", TValue::Str(pick(i))),
                            ("kubernetes.io/x", s("y")),
                        ]),
                    ),
                    (
                        "policy",
                        TValue::Json(Box::new(map(vec![
                            ("Version", s("2012-10-17")),
                            (
                                "Statement",
                                list(vec![map(vec![
                                    ("Effect", s("Allow")),
                                    ("Action", list(vec![s("s3:GetObject")])),
                                ])]),
                            ),
                        ]))),
                    ),
                    (
                        "lifecycle_rule",
                        TValue::Blocks(vec![obj(vec![
                            ("enabled", TValue::Bool(true)),
                            (
                                "expiration",
                                TValue::Blocks(vec![obj(vec![("days", TValue::Int(i as i64))])]),
                            ),
                        ])]),
                    ),
                ];
                if i > 0 {
                    body.push((
                        "previous",
                        r(&format!("aws_s3_bucket.r{}", i - 1), Some("arn")),
                    ));
                }
                prog.resources
                    .push(res(&format!("r{i}"), "aws_s3_bucket", body));
            }
        }
        Target::Kubernetes => {
            prog.params = vec![param("image", "string", Some(s("nginx:1.27")), vec![])];
            for i in 0..n {
                let r = if i % 2 == 0 {
                    res(
                        &format!("cm-{i}"),
                        "v1/ConfigMap",
                        vec![
                            (
                                "metadata",
                                map(vec![
                                    ("namespace", s("synthetic")),
                                    ("labels", map(vec![("app", s("synthetic"))])),
                                ]),
                            ),
                            (
                                "data",
                                map(vec![
                                    ("note", TValue::Str(pick(i))),
                                    (
                                        "json",
                                        TValue::Json(Box::new(map(vec![(
                                            "i",
                                            TValue::Int(i as i64),
                                        )]))),
                                    ),
                                ]),
                            ),
                        ],
                    )
                } else {
                    res(
                        &format!("web-{i}"),
                        "apps/v1/Deployment",
                        vec![
                            ("metadata", map(vec![("namespace", s("synthetic"))])),
                            (
                                "spec",
                                map(vec![
                                    ("replicas", TValue::Int(2)),
                                    (
                                        "selector",
                                        map(vec![(
                                            "matchLabels",
                                            map(vec![("app", s(&format!("web-{i}")))]),
                                        )]),
                                    ),
                                    (
                                        "template",
                                        map(vec![
                                            (
                                                "metadata",
                                                map(vec![(
                                                    "labels",
                                                    map(vec![("app", s(&format!("web-{i}")))]),
                                                )]),
                                            ),
                                            (
                                                "spec",
                                                map(vec![(
                                                    "containers",
                                                    TValue::Blocks(vec![obj(vec![
                                                        ("name", s("web")),
                                                        ("image", p("image")),
                                                        (
                                                            "env",
                                                            list(vec![map(vec![
                                                                ("name", s("CONFIG")),
                                                                (
                                                                    "value",
                                                                    TValue::Interp(vec![
                                                                        lit("from "),
                                                                        TPart::Ref(rref(
                                                                            &format!(
                                                                                "cm-{}",
                                                                                i - 1
                                                                            ),
                                                                            None,
                                                                        )),
                                                                    ]),
                                                                ),
                                                            ])]),
                                                        ),
                                                    ])]),
                                                )]),
                                            ),
                                        ]),
                                    ),
                                ]),
                            ),
                        ],
                    )
                };
                prog.resources.push(r);
            }
        }
    }
    prog.outputs = vec![output(
        "first",
        match target {
            Target::CloudFormation => r("Res0", Some("Arn")),
            Target::DeploymentManager => r("res-0", Some("selfLink")),
            Target::Terraform => r("aws_s3_bucket.r0", Some("arn")),
            Target::Kubernetes => s("none"),
        },
        None,
    )];
    prog
}
