//! Programs that cannot be written faithfully: every code, in every target where it applies.
//! Snapshot: `snapshots/emit/diagnostics.snap`.

mod common;

use common::*;
use std::collections::BTreeSet;
use strata_base::{FileId, Span};
use strata_emit::{codes, emit, EmitOptions};
use strata_model::{ResourceId, TPart, TValue, Target, TargetProgram};

fn case(name: &str, progs: Vec<TargetProgram>, out: &mut String, seen: &mut BTreeSet<String>) {
    let mut opts = EmitOptions::default();
    opts.spans
        .insert(ResourceId(7), Span::new(FileId(0), 10, 20));
    let diags = match emit(&progs, &opts) {
        Ok(files) => panic!("{name}: expected errors, got {} files", files.len()),
        Err(d) => d,
    };
    out.push_str(&format!("## {name}\n"));
    for d in &diags {
        seen.insert(d.code.clone());
        out.push_str(&format!(
            "{} {}: {}\n",
            d.code,
            d.severity.as_str(),
            d.message
        ));
        if let Some(h) = &d.help {
            out.push_str(&format!("  help: {h}\n"));
        }
        if d.span() != Span::default() {
            out.push_str(&format!("  span: {:?}\n", d.span().range()));
        }
    }
    out.push('\n');
}

fn with(target: Target, resources: Vec<strata_model::TargetResource>) -> TargetProgram {
    let mut p = program(target, "bad");
    p.resources = resources;
    p
}

#[test]
fn every_code_is_reported_and_documented() {
    let mut out = String::new();
    let mut seen = BTreeSet::new();

    let mut dm_param = with(
        Target::DeploymentManager,
        vec![res(
            "a",
            "storage.v1.bucket",
            vec![
                ("x", p("nodefault")),
                (
                    "y",
                    TValue::Interp(vec![lit("a-"), TPart::Ref(pref("nodefault"))]),
                ),
            ],
        )],
    );
    dm_param.stack = "bad-params".to_string();
    dm_param.params = vec![param("nodefault", "string", None, vec![])];
    case(
        "deployment manager: literal $(ref. and unsupported references",
        vec![
            with(
                Target::DeploymentManager,
                vec![
                    res(
                        "a",
                        "storage.v1.bucket",
                        vec![
                            ("script", s("echo $(ref.x.y)")),
                            ("$(ref.key", s("v")),
                            ("joined", TValue::Interp(vec![lit("$(re"), lit("f.a.b)")])),
                        ],
                    ),
                    res(
                        "b",
                        "storage.v1.bucket",
                        vec![
                            ("link", r("a", None)),
                            ("gone", r("ghost", Some("selfLink"))),
                            ("bad field", r("a", Some("self Link)"))),
                        ],
                    ),
                ],
            ),
            dm_param,
        ],
        &mut out,
        &mut seen,
    );

    let mut cfn = with(
        Target::CloudFormation,
        vec![
            res(
                "Bucket",
                "AWS::S3::Bucket",
                vec![
                    ("Ratio", TValue::Float(f64::NAN)),
                    ("Key", r("Missing", Some("Arn"))),
                    ("Env", p("NoSuchParam")),
                ],
            ),
            res("Bucket", "AWS::S3::Bucket", vec![]),
            res(
                "my-bucket",
                "AWS::S3::Bucket",
                vec![("Attr", r("Bucket", Some("Arn}")))],
            ),
        ],
    );
    cfn.resources[0].source = Some(ResourceId(7));
    cfn.resources[1].depends_on = vec!["Nothing".to_string()];
    cfn.outputs = vec![output("bad-output", s("x"), None)];
    case(
        "cloudformation: non-finite, unknown references, duplicate and invalid ids",
        vec![cfn],
        &mut out,
        &mut seen,
    );

    let mut tf = with(
        Target::Terraform,
        vec![
            res(
                "b",
                "aws_s3_bucket",
                vec![
                    ("ratio", TValue::Float(f64::INFINITY)),
                    ("kms", r("aws_kms_key.nope", Some("arn"))),
                    ("bad key", s("x")),
                    ("path", r("aws_s3_bucket.b", Some("arn(0)"))),
                ],
            ),
            res("b", "aws_s3_bucket", vec![]),
            res("my bucket", "aws_s3_bucket", vec![]),
        ],
    );
    tf.resources[0].depends_on = vec!["ghost".to_string()];
    tf.params = vec![param("env", "String", None, vec![])];
    tf.providers
        .insert("aws west".to_string(), Default::default());
    case(
        "terraform: non-finite, unknown references, duplicates, invalid names and types",
        vec![tf],
        &mut out,
        &mut seen,
    );

    case(
        "kubernetes: attribute references, unknown objects, bad types",
        vec![with(
            Target::Kubernetes,
            vec![
                res(
                    "web",
                    "apps/v1/Deployment",
                    vec![
                        ("kind", s("StatefulSet")),
                        (
                            "spec",
                            map(vec![
                                ("x", r("db", Some("endpoint"))),
                                ("y", r("ghost", None)),
                            ]),
                        ),
                    ],
                ),
                res("db", "Service", vec![]),
            ],
        )],
        &mut out,
        &mut seen,
    );

    let mut a = program(Target::Kubernetes, "../escape");
    a.resources = vec![res("x", "v1/ConfigMap", vec![])];
    let b = program(Target::Terraform, "same");
    let c = program(Target::Terraform, "same");
    case(
        "stack names: unsafe file name, two programs writing the same file",
        vec![a, b, c],
        &mut out,
        &mut seen,
    );

    // CloudFormation quotas: 500 resources, 200 outputs per template.
    let mut big = program(Target::CloudFormation, "big");
    big.resources = (0..501)
        .map(|i| res(&format!("Queue{i}"), "AWS::SQS::Queue", vec![]))
        .collect();
    big.outputs = (0..201)
        .map(|i| strata_model::TargetOutput {
            name: format!("Out{i}"),
            value: s("x"),
            description: None,
        })
        .collect();
    let mut fits = program(Target::CloudFormation, "fits");
    fits.resources = (0..500)
        .map(|i| res(&format!("Queue{i}"), "AWS::SQS::Queue", vec![]))
        .collect();
    case("cloudformation: over the quotas (501 resources, 201 outputs); exactly 500 resources is fine", vec![big, fits], &mut out, &mut seen);

    insta::with_settings!({ snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../../snapshots/emit"), prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("diagnostics", out);
    });

    let documented: BTreeSet<String> = codes().iter().map(|c| c.code.to_string()).collect();
    assert_eq!(
        seen, documented,
        "every documented code is reported by some case, and only those"
    );
}
