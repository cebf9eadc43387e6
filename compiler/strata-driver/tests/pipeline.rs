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

#[test]
fn cr_only_line_endings_are_line_breaks() {
    // A file saved with classic Mac OS line endings read as "0 resources: no problems": its
    // first line, a comment, ran to the end of the file.
    let lf = "// Keys of the app.\nimport aws\nresource key: aws.kms.Key { rotation = true }\nresource bad: aws.kms.Key { rotaton = true }\noutput arn = key.arn\n";
    let a = run(&MemoryWorld::new().with("p/main.strata", lf), "p", None);
    let b = run(
        &MemoryWorld::new().with("p/main.strata", lf.replace('\n', "\r")),
        "p",
        None,
    );
    assert_eq!(b.declared_resources(), 2);
    assert_eq!(render(&a), render(&b));
    assert!(render(&b).starts_with("p/main.strata:4:"), "{}", render(&b));
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_project_are_not_read() {
    // A link named `*.strata` (or `strata.toml`) that leads outside the project was followed:
    // to /etc/passwd or /proc/self/environ it printed that file in the diagnostics, to a
    // `.strata` file elsewhere it merged its resources silently. Links inside are fine.
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().expect("tempdir");
    let (proj, outside) = (tmp.path().join("proj"), tmp.path().join("outside"));
    for d in [proj.join("sub"), outside.clone()] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let write = |p: std::path::PathBuf, t: &str| std::fs::write(p, t).expect("write");
    write(proj.join("main.strata"), KEY);
    write(proj.join("sub/real.strata"), "let inner = 1\n");
    write(
        outside.join("extra.strata"),
        "import aws\nresource evil: aws.kms.Key { rotation = false }\n",
    );
    write(outside.join("strata.toml"), "[rules]\nSEC001 = \"off\"\n");
    symlink("/etc/passwd", proj.join("passwd.strata")).expect("symlink");
    symlink("/proc/self/environ", proj.join("env.strata")).expect("symlink");
    symlink("../outside/extra.strata", proj.join("extra.strata")).expect("symlink");
    symlink(outside.join("strata.toml"), proj.join("strata.toml")).expect("symlink");
    symlink("sub/real.strata", proj.join("inside.strata")).expect("symlink");
    let o = check(&DiskWorld, &proj, &CheckOptions::default());
    let links: Vec<String> = o
        .diagnostics
        .iter()
        .filter(|d| d.code == "E4012")
        .map(|d| o.display_name(d.primary.span.file))
        .collect();
    let base = proj.to_string_lossy();
    assert_eq!(
        links,
        ["strata.toml", "env.strata", "extra.strata", "passwd.strata"]
            .map(|n| format!("{base}/{n}")),
        "{}",
        render(&o)
    );
    assert_eq!(o.diagnostics.len(), 4, "{}", render(&o));
    assert!(o
        .diagnostics
        .iter()
        .all(|d| d.help.is_some() && d.message.contains("symbolic link")));
    // Nothing of the targets was read: the only texts are the project's own files.
    for f in o.sources.files().filter(|f| !f.is_stdlib) {
        assert!(
            f.text.is_empty() || f.name == "main.strata" || f.name == "inside.strata",
            "{} was read",
            f.name
        );
    }
    assert_eq!(o.exit_code(), 2);
    // A single file named on the command line is confined to its directory too.
    let o = check(
        &DiskWorld,
        &proj.join("passwd.strata"),
        &CheckOptions::default(),
    );
    assert!(
        o.diagnostics.iter().any(|d| d.code == "E4012"
            && o.display_name(d.primary.span.file)
                .ends_with("passwd.strata")),
        "{}",
        render(&o)
    );
    // Without the outside links the project checks, the link inside included.
    for n in ["passwd.strata", "env.strata", "extra.strata", "strata.toml"] {
        std::fs::remove_file(proj.join(n)).expect("rm");
    }
    let o = check(&DiskWorld, &proj, &CheckOptions::default());
    assert_eq!(o.exit_code(), 0, "{}", render(&o));
    assert_eq!(o.files.len(), 2);
}

#[cfg(unix)]
#[test]
fn fmt_reads_no_link_out_of_the_directory() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().expect("tempdir");
    let (proj, outside) = (tmp.path().join("proj"), tmp.path().join("outside"));
    std::fs::create_dir_all(proj.join("mods")).expect("mkdir");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(proj.join("main.strata"), "let a   =  1\n").expect("write");
    std::fs::write(outside.join("x.strata"), "let b   =  2\n").expect("write");
    symlink(outside.join("x.strata"), proj.join("x.strata")).expect("symlink");
    symlink(&outside, proj.join("mods/shared")).expect("symlink");
    symlink("/etc/passwd", proj.join("passwd.strata")).expect("symlink");
    let o = strata_driver::format_paths(&DiskWorld, std::slice::from_ref(&proj));
    let mut refused: Vec<&str> = o
        .diagnostics
        .iter()
        .filter(|d| d.code == "E4012")
        .map(|d| o.sources.get(d.primary.span.file).name.as_str())
        .collect();
    refused.sort();
    let base = proj.to_string_lossy();
    assert_eq!(
        refused,
        ["mods/shared", "passwd.strata", "x.strata"].map(|n| format!("{base}/{n}"))
    );
    assert_eq!(o.files.len(), 1, "only main.strata is formatted");
    // A file named explicitly is confined to its own directory.
    let o = strata_driver::format_paths(
        &DiskWorld,
        &[proj.join("passwd.strata"), proj.join("main.strata")],
    );
    assert_eq!(
        o.diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect::<Vec<_>>(),
        ["E4012"]
    );
    assert!(o.sources.files().all(|f| !f.text.contains("root:")));
}

/// One finding per fault: a resource with a missing property is not also reported as lowered to
/// something its target refuses (`L0002` for the same property in the target's terms); another
/// resource's lowering error is still reported.
#[test]
fn a_broken_resource_is_not_reported_again_by_its_lowering() {
    let src = "import portable.{Function, Network, Postgres}\n\
stack s { provider = gcp { project = \"acme-shop\", region = \"europe-west1\" } }\n\
resource thumbs: Function { source = { bucket = \"b\", object = \"o.zip\" } }\n\
resource blue: Network {}\n\
resource green: Network {}\n\
resource db: Postgres {}\n";
    let w = MemoryWorld::new().with("proj/main.strata", src);
    let o = run(&w, "proj", None);
    let r = render(&o);
    assert!(
        r.contains("E2004: missing required property `handler`"),
        "{r}"
    );
    assert!(r.contains("L0013"), "{r}");
    assert!(!r.contains("L0002"), "{r}");
    // Without the cascade filter the function's lowering reports `entry_point` (L0002).
    let fixed = src.replace(
        "resource thumbs: Function {",
        "resource thumbs: Function { handler = \"h\",",
    );
    let fixed = fixed.replace(
        "resource db: Postgres {}",
        "resource db: Postgres { network = blue }",
    );
    let w = MemoryWorld::new().with("proj/main.strata", fixed.as_str());
    let o = run(&w, "proj", None);
    assert!(!o.has_errors(), "{}", render(&o));
}
