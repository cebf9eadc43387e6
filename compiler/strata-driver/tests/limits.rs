//! `strata check` reports what `strata compile` would refuse (issue 14 item 8): the
//! CloudFormation quotas (`X0007`: resources, outputs, template size) and every other
//! diagnostic of lowering and rendering, with the same codes, messages and spans, without
//! rendering what it does not need to (issue 17).

use std::path::Path;
use strata_base::Diagnostic;
use strata_driver::{check, compile, CheckOptions, CompileOptions, DiskWorld};

/// The diagnostics of `check` (with the target limits, as the command line runs it) and of
/// `compile` (no `--target`: every target of the stacks), and compile's exit code.
fn both(dir: &Path, env: Option<&str>) -> (Vec<Diagnostic>, Vec<Diagnostic>, i32) {
    let checked = check(
        &DiskWorld,
        dir,
        &CheckOptions {
            env: env.map(str::to_string),
            target_limits: true,
            ..CheckOptions::default()
        },
    );
    let out = tempfile::tempdir().expect("tempdir");
    let compiled = compile(
        &DiskWorld,
        dir,
        &CompileOptions {
            check: CheckOptions {
                env: env.map(str::to_string),
                ..CheckOptions::default()
            },
            out: Some(out.path().join("out")),
            ..CompileOptions::default()
        },
    );
    let code = compiled.exit_code();
    (checked.diagnostics, compiled.check.diagnostics, code)
}

fn project(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.strata"), text).expect("write");
    dir
}

const HEAD: &str = "import aws\n\nstack app { provider = aws { region = \"eu-west-1\" } }\n\
stack other { provider = aws { region = \"eu-west-1\" } }\n\n";

/// One project per quota, each over it in stack `app` only, and the codes and message
/// fragments compile reports for it.
fn over_quota() -> Vec<(&'static str, String, &'static str)> {
    let tags: Vec<String> = (0..40)
        .map(|k| format!("t{k} = \"{}{k}\"", "v".repeat(200)))
        .collect();
    vec![
        (
            "resources",
            format!(
                "{HEAD}resource queues[i in range(600)]: aws.sqs.Queue {{ stack = \"app\" }}\n\
                 resource small: aws.sqs.Queue {{ stack = \"other\" }}\n"
            ),
            "the template has 600 resources; CloudFormation accepts at most 500 per template",
        ),
        (
            "outputs",
            format!(
                "{HEAD}resource queues[i in range(201)]: aws.sqs.Queue {{ stack = \"app\" }}\n\
                 resource small: aws.sqs.Queue {{ stack = \"other\" }}\n{}",
                (0..201)
                    .map(|i| format!("output q{i} = queues[{i}].arn\n"))
                    .collect::<String>()
            ),
            "the template has 201 outputs; CloudFormation accepts at most 200",
        ),
        (
            "size",
            format!(
                "{HEAD}resource queues[i in range(150)]: aws.sqs.Queue {{\n  stack = \"app\"\n  tags = {{ {} }}\n}}\n\
                 resource small: aws.sqs.Queue {{ stack = \"other\" }}\n",
                tags.join(", ")
            ),
            "CloudFormation accepts at most 1000000 bytes",
        ),
    ]
}

#[test]
fn check_reports_each_quota_exactly_as_compile_does() {
    for (what, text, message) in over_quota() {
        let dir = project(&text);
        let (checked, compiled, code) = both(dir.path(), None);
        assert_eq!(code, 2, "{what}: compile should refuse it: {compiled:#?}");
        let quota: Vec<&Diagnostic> = compiled.iter().filter(|d| d.code == "X0007").collect();
        assert_eq!(quota.len(), 1, "{what}: {compiled:#?}");
        assert!(
            quota[0].message.contains(message) && quota[0].message.contains("app.template"),
            "{what}: {}",
            quota[0].message
        );
        assert_eq!(checked, compiled, "{what}: check and compile differ");
    }
}

#[test]
fn a_template_just_under_the_quotas_passes_both() {
    // 500 resources and 200 outputs are allowed.
    let text = format!(
        "{HEAD}resource queues[i in range(500)]: aws.sqs.Queue {{ stack = \"app\" }}\n{}",
        (0..200)
            .map(|i| format!("output q{i} = queues[{i}].arn\n"))
            .collect::<String>()
    );
    let dir = project(&text);
    let (checked, compiled, code) = both(dir.path(), None);
    assert_eq!(code, 0, "{compiled:#?}");
    assert_eq!(checked, compiled);
}

#[test]
fn check_reports_what_compile_reports_for_every_example() {
    // Every target (CloudFormation, Deployment Manager, Terraform, Kubernetes) of the
    // examples, in each environment.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let (mut seen, mut compiled_ok) = (0, 0);
    for entry in std::fs::read_dir(&root).expect("examples") {
        let dir = entry.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        for env in [None, Some("prod")] {
            let (checked, compiled, code) = both(&dir, env);
            assert_eq!(checked, compiled, "{} (env {env:?})", dir.display());
            seen += 1;
            compiled_ok += usize::from(code == 0);
        }
    }
    // Most of them compile (so their lowering and rendering ran in both).
    assert!(
        seen >= 10 && compiled_ok >= seen / 2,
        "{seen} {compiled_ok}"
    );
}
