//! `TPart::Split`, a field of a referenced value split at a separator (the IAM condition keys of
//! an EKS cluster's OIDC issuer): CloudFormation `Fn::Select` of `Fn::Split` inside `Fn::Join`,
//! Terraform `element(split(...))` inside the string; Deployment Manager and Kubernetes refuse it.

mod common;

use common::*;
use strata_emit::{emit, EmitOptions};
use strata_model::{TPart, TValue, Target, TargetProgram};

fn split(resource: &str, attr: Option<&str>) -> TPart {
    TPart::Split {
        of: rref(resource, attr),
        sep: "oidc-provider/".to_string(),
        index: 1,
    }
}

fn one(p: TargetProgram) -> String {
    let files = emit(&[p], &EmitOptions::default()).expect("emits");
    files
        .into_iter()
        .find(|f| !f.path.ends_with(".terraform.lock.hcl") && !f.path.ends_with("versions.tf"))
        .map(|f| f.contents)
        .expect("a file")
}

#[test]
fn cloudformation_joins_a_select_of_a_split() {
    let mut p = program(Target::CloudFormation, "s");
    p.resources = vec![
        res(
            "Oidc",
            "AWS::IAM::OIDCProvider",
            vec![("Url", s("https://x"))],
        ),
        res(
            "Role",
            "AWS::IAM::Role",
            vec![
                (
                    "Key",
                    TValue::Interp(vec![
                        lit("{\"${x}"),
                        split("Oidc", Some("Arn")),
                        lit(":sub\"}"),
                    ]),
                ),
                ("Alone", TValue::Interp(vec![split("Oidc", None)])),
            ],
        ),
    ];
    let t: serde_json::Value = serde_json::from_str(&one(p)).expect("JSON");
    let select = serde_json::json!({"Fn::Select": [1, {"Fn::Split": ["oidc-provider/", {"Fn::GetAtt": ["Oidc", "Arn"]}]}]});
    assert_eq!(
        t["Resources"]["Role"]["Properties"]["Key"],
        serde_json::json!({"Fn::Join": ["", ["{\"${x}", select, ":sub\"}"]]})
    );
    assert_eq!(
        t["Resources"]["Role"]["Properties"]["Alone"],
        serde_json::json!({"Fn::Join": ["", [{"Fn::Select": [1, {"Fn::Split": ["oidc-provider/", {"Ref": "Oidc"}]}]}]]})
    );
}

#[test]
fn terraform_calls_split_inside_the_string() {
    let mut p = program(Target::Terraform, "s");
    p.resources = vec![
        res("oidc", "aws_iam_openid_connect_provider", vec![]),
        res(
            "role",
            "aws_iam_role",
            vec![
                (
                    "assume_role_policy",
                    TValue::Interp(vec![
                        lit("{\"$"),
                        split("aws_iam_openid_connect_provider.oidc", Some("arn")),
                        lit(":sub\"}"),
                    ]),
                ),
                (
                    "description",
                    TValue::Interp(vec![split(
                        "aws_iam_openid_connect_provider.oidc",
                        Some("arn"),
                    )]),
                ),
            ],
        ),
    ];
    let hcl = one(p);
    assert!(
        hcl.contains(r#"assume_role_policy = "{\"${"$"}${element(split("oidc-provider/", aws_iam_openid_connect_provider.oidc.arn), 1)}:sub\"}""#),
        "{hcl}"
    );
    assert!(
        hcl.contains(r#"description        = element(split("oidc-provider/", aws_iam_openid_connect_provider.oidc.arn), 1)"#)
            || hcl.contains(r#"description = element(split("oidc-provider/", aws_iam_openid_connect_provider.oidc.arn), 1)"#),
        "{hcl}"
    );
}

#[test]
fn deployment_manager_and_kubernetes_refuse_it() {
    for (target, ty) in [
        (Target::DeploymentManager, "storage.v1.bucket"),
        (Target::Kubernetes, "v1/ConfigMap"),
    ] {
        let mut p = program(target, "s");
        p.resources = vec![
            res("a", ty, vec![]),
            res(
                "b",
                ty,
                vec![("x", TValue::Interp(vec![lit("k="), split("a", None)]))],
            ),
        ];
        let diags = emit(&[p], &EmitOptions::default()).expect_err("refused");
        assert!(
            diags.iter().any(|d| d.code == "X0006"),
            "{target:?}: {diags:?}"
        );
    }
}
