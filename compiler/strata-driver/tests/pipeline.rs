//! The driver's pipelines over in-memory projects: what reaches the diagnostics, in which
//! order, with which file names, and which exit code follows.

use std::path::Path;
use strata_driver::{
    check, compile, CheckOptions, CheckOutcome, CompileOptions, DiskWorld, MemoryWorld,
    OverlayWorld, World,
};

fn run(world: &dyn World, path: &str, env: Option<&str>) -> CheckOutcome {
    check(
        world,
        Path::new(path),
        &CheckOptions {
            env: env.map(str::to_string),
            ..CheckOptions::default()
        },
    )
}

/// `file:line:col code message` per diagnostic, as a reviewer reads them.
fn render(o: &CheckOutcome) -> String {
    let mut s = String::new();
    for d in &o.diagnostics {
        let f = o.sources.get(d.primary.span.file);
        let lc = f.line_col(d.primary.span.start);
        s.push_str(&format!(
            "{}:{}:{} {} {}: {}\n",
            o.display_name(f.id),
            lc.line,
            lc.column,
            d.severity.as_str(),
            d.code,
            d.message
        ));
    }
    s.push_str(&format!("exit {}\n", o.exit_code()));
    s
}

const KEY: &str =
    "import aws\nresource key: aws.kms.Key { rotation = true }\noutput arn = key.arn\n";

#[test]
fn imported_files_are_loaded_relative_to_the_importer() {
    let w = MemoryWorld::new()
        .with("proj/main.strata", "import \"./mods/pair\" as pair\nmodule keys: pair.Pair { name = \"a\" }\n")
        .with("proj/mods/pair/pair.strata", "import \"../common.strata\" as common\nimport aws\nmodule Pair {\n  param name: string\n  resource k: aws.kms.Key { description = common.prefix + name }\n}\n")
        .with("proj/mods/common.strata", "let prefix = \"key-\"\n");
    let o = run(&w, "proj", None);
    assert_eq!(o.exit_code(), 0, "{}", render(&o));
    let names: Vec<&str> = o
        .sources
        .files()
        .filter(|f| !f.is_stdlib)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["main.strata", "mods/pair/pair.strata", "mods/common.strata"]
    );
    assert_eq!(o.display_name(o.files[0]), "proj/main.strata");
    assert_eq!(o.model.resources.len(), 1);
    assert_eq!(o.declared_resources(), 1);
}

#[test]
fn errors_in_imported_files_name_those_files() {
    let w = MemoryWorld::new()
        .with("p/main.strata", "import \"./lib\" as lib\nlet x = lib.y\n")
        .with("p/lib/lib.strata", "let y = (1 +\n");
    let o = run(&w, "p", None);
    let r = render(&o);
    assert!(r.contains("p/lib/lib.strata:"), "{r}");
    assert!(r.ends_with("exit 2\n"), "{r}");
}

#[test]
fn diagnostics_are_sorted_by_file_and_position() {
    let w = MemoryWorld::new()
        .with("p/b.strata", "import aws\nresource y: aws.kms.Key { rotaton = true }\n")
        .with("p/a.strata", "import aws\nresource x: aws.kms.Key { descripton = \"x\" }\nresource z: aws.kms.Key { rotaton = true }\n");
    let o = run(&w, "p", None);
    let r = render(&o);
    let lines: Vec<&str> = r.lines().filter(|l| l.contains("E2001")).collect();
    assert_eq!(lines.len(), 3, "{r}");
    assert!(
        lines[0].starts_with("p/a.strata:2:")
            && lines[1].starts_with("p/a.strata:3:")
            && lines[2].starts_with("p/b.strata:2:"),
        "{r}"
    );
    let mut deduped = o.diagnostics.clone();
    deduped.dedup();
    assert_eq!(deduped.len(), o.diagnostics.len());
}

#[test]
fn environment_parameters_come_from_strata_toml() {
    let w = MemoryWorld::new()
        .with("p/main.strata", "import aws\nparam env: \"dev\" | \"prod\" = \"dev\"\nparam window: Duration = 30d\nresource k: aws.kms.Key { pending_window = window }\n")
        .with("p/strata.toml", "[env.dev.params]\nwindow = \"7d\"\n[env.prod.params]\nwindow = \"1d\"\n");
    let dev = run(&w, "p", Some("dev"));
    assert_eq!(dev.exit_code(), 0, "{}", render(&dev));
    let window = dev.model.resources[0]
        .props
        .get("pending_window")
        .and_then(|v| match v {
            strata_model::Value::Quantity(q) => q.seconds(),
            _ => None,
        });
    assert_eq!(window, Some(7.0 * 86400.0));
    // 1d is below the schema's minimum of 7d: the value from strata.toml is checked.
    let prod = run(&w, "p", Some("prod"));
    assert_eq!(prod.exit_code(), 2, "{}", render(&prod));
}

#[test]
fn policy_findings_exit_1_and_input_errors_win() {
    let policy = "\npolicy \"keys rotate\" {\n  severity = \"error\"\n  require k: aws.kms.Key => k.rotation\n}\n";
    let w = MemoryWorld::new().with("p/main.strata", format!("import aws\nresource k: aws.kms.Key {{ rotation = false }}\noutput arn = k.arn\n{policy}"));
    assert_eq!(run(&w, "p", None).exit_code(), 1);
    let w = MemoryWorld::new().with(
        "p/main.strata",
        format!("import aws\nresource k: aws.kms.Key {{ rotation = false, bogus = 1 }}\n{policy}"),
    );
    let o = run(&w, "p", None);
    assert_eq!(o.exit_code(), 2);
    // Policies do not run on a program that does not type-check.
    assert!(
        o.diagnostics.iter().all(|d| d.code.starts_with('E')),
        "{}",
        render(&o)
    );
}

#[test]
fn a_single_file_is_a_project_of_one_file() {
    let w = MemoryWorld::new()
        .with("p/main.strata", KEY)
        .with("p/broken.strata", "let = \n");
    let o = run(&w, "p/main.strata", None);
    assert_eq!(o.exit_code(), 0, "{}", render(&o));
    assert_eq!(o.files.len(), 1);
    assert_eq!(run(&w, "p", None).exit_code(), 2);
}

#[test]
fn unsaved_buffers_override_the_disk() {
    let disk = MemoryWorld::new().with("p/main.strata", KEY);
    let mut editor = OverlayWorld::new(&disk);
    editor.insert(
        "p/main.strata",
        "import aws\nresource key: aws.kms.Key { rotaton = true }\n",
    );
    let o = run(&editor, "p", None);
    assert_eq!(o.exit_code(), 2);
    assert_eq!(o.diagnostics[0].code, "E2001");
}

#[test]
fn failed_compile_creates_no_output_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.strata"),
        "import aws\nresource key: aws.kms.Key { rotaton = true }\n",
    )
    .expect("write");
    let out = dir.path().join("out");
    let o = compile(
        &DiskWorld,
        dir.path(),
        &CompileOptions {
            out: Some(out.clone()),
            ..CompileOptions::default()
        },
    );
    assert_eq!(o.exit_code(), 2);
    assert!(o.out_dir.is_none() && o.written.is_empty());
    assert!(!out.exists());
}
