//! Snapshots of each target's output for the hand-built fixture programs
//! (`snapshots/emit/` at the repository root). Review every change.

mod common;

use strata_emit::{emit, EmitOptions, EmittedFile};

fn render(files: &[EmittedFile]) -> String {
    let mut s = String::new();
    for f in files {
        s.push_str(&format!("=== {} ===\n{}", f.path, f.contents));
    }
    s
}

fn check(name: &str, programs: Vec<strata_model::TargetProgram>, opts: &EmitOptions) {
    let files = emit(&programs, opts).unwrap_or_else(|d| panic!("{name}: {d:#?}"));
    insta::with_settings!({ snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../../snapshots/emit"), prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, render(&files));
    });
}

#[test]
fn cloudformation_json() {
    check(
        "cloudformation_json",
        vec![common::cloudformation()],
        &EmitOptions::default(),
    );
}

#[test]
fn cloudformation_yaml() {
    check(
        "cloudformation_yaml",
        vec![common::cloudformation()],
        &EmitOptions {
            cloudformation_yaml: true,
            ..EmitOptions::default()
        },
    );
}

#[test]
fn terraform() {
    check(
        "terraform",
        vec![common::terraform()],
        &EmitOptions::default(),
    );
}

#[test]
fn deployment_manager() {
    check(
        "deployment_manager",
        vec![common::deployment_manager()],
        &EmitOptions::default(),
    );
}

#[test]
fn kubernetes() {
    check(
        "kubernetes",
        vec![common::kubernetes()],
        &EmitOptions::default(),
    );
}

#[test]
fn all_targets_sorted_by_path() {
    let files = emit(&common::all(), &EmitOptions::default()).unwrap_or_else(|d| panic!("{d:#?}"));
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "cloudformation/community.template.json",
            "deployment-manager/community.yaml",
            "kubernetes/community.yaml",
            "terraform/community/main.tf"
        ]
    );
}
