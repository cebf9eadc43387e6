//! The emitted files, judged by the real tools (installed by `tests/validators/setup.sh` under
//! `$STRATA_TOOLS`, default `~/.cache/strata-tools`; Terraform at /usr/local/bin or on PATH).
//! A missing tool fails the test: nothing is skipped.
//!
//! - `fixtures_pass_the_validators`: the snapshot fixtures of every target, written with
//!   `write_outputs`, then cfn-lint, `terraform fmt -check`, python-hcl2, `kubernetes-validate
//!   --strict` and our `dm_check.py`, one invocation per tool, in parallel.
//! - `dm_check_rejects_broken_configs`: the DM checker is itself able to fail.
//! - `pyyaml_reads_back_tricky_strings`: awkward strings in every YAML output, read back by
//!   PyYAML (a YAML 1.1 reader) and compared with what was meant.
//! - `terraform_evaluates_tricky_strings`: awkward strings in Terraform variables, outputs,
//!   interpolations, object keys and `jsonencode`, evaluated by Terraform itself
//!   (`init` + `apply` of a module with no provider + `output -json`).

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use strata_emit::{emit, write_outputs, EmitOptions, EmittedFile};
use strata_model::{TPart, TValue, Target, TargetProgram};

fn tools() -> PathBuf {
    match std::env::var_os("STRATA_TOOLS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/strata-tools")
        }
    }
}

fn tool(rel: &str) -> PathBuf {
    let p = tools().join(rel);
    assert!(
        p.exists(),
        "validator `{}` is missing: run tests/validators/setup.sh (STRATA_TOOLS={})",
        p.display(),
        tools().display()
    );
    p
}

fn terraform() -> PathBuf {
    static TF: OnceLock<PathBuf> = OnceLock::new();
    TF.get_or_init(|| {
        let local = PathBuf::from("/usr/local/bin/terraform");
        if local.exists() {
            return local;
        }
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("terraform"))
                .find(|p| p.exists())
        });
        found.unwrap_or_else(|| {
            panic!("terraform is missing (expected /usr/local/bin/terraform or on PATH)")
        })
    })
    .clone()
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs a command; returns (success, combined output).
fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn terraform_cmd(dir: &Path, cli_config: &Path) -> Command {
    let mut c = Command::new(terraform());
    c.current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0");
    c
}

fn files_under(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
            .flatten()
        {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn emit_all() -> Vec<EmittedFile> {
    let mut files = emit(&all(), &EmitOptions::default()).unwrap_or_else(|d| panic!("{d:#?}"));
    let mut yaml = cloudformation();
    yaml.stack = "community-yaml".to_string();
    files.extend(
        emit(
            &[yaml],
            &EmitOptions {
                cloudformation_yaml: true,
                ..EmitOptions::default()
            },
        )
        .unwrap_or_else(|d| panic!("{d:#?}")),
    );
    files
}

#[test]
fn fixtures_pass_the_validators() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    write_outputs(&out, &emit_all(), &Target::ALL).expect("write outputs");

    let cfn_files = files_under(&out.join("cloudformation"), &[".json", ".yaml"]);
    let k8s_files = files_under(&out.join("kubernetes"), &[".yaml"]);
    let tf_files = files_under(&out.join("terraform"), &[".tf"]);
    assert_eq!(
        (cfn_files.len(), k8s_files.len(), tf_files.len()),
        (2, 1, 1)
    );
    let cli_config = tmp.path().join("terraformrc");
    std::fs::write(&cli_config, "").expect("write cli config");

    let checks: Vec<(&str, Command)> = vec![
        ("cfn-lint", {
            let mut c = Command::new(tool("lint/bin/cfn-lint"));
            c.args(&cfn_files);
            c
        }),
        ("terraform fmt -check", {
            let mut c = terraform_cmd(&out.join("terraform"), &cli_config);
            c.args(["fmt", "-check", "-diff", "-recursive", "."]);
            c
        }),
        ("python-hcl2", {
            let mut c = Command::new(tool("lint/bin/python"));
            c.arg("-c").arg("import sys, hcl2\nfor p in sys.argv[1:]:\n    with open(p, encoding='utf-8') as f:\n        doc = hcl2.load(f)\n    assert doc.get('resource'), p\nprint('parsed', len(sys.argv) - 1)").args(&tf_files);
            c
        }),
        ("kubernetes-validate --strict", {
            let mut c = Command::new(tool("lint/bin/kubernetes-validate"));
            c.arg("--strict").args(&k8s_files);
            c
        }),
        ("dm_check.py", {
            let mut c = Command::new(tool("lint/bin/python"));
            c.arg(repo_root().join("tests/validators/dm_check.py"))
                .arg(out.join("deployment-manager"));
            c
        }),
    ];
    let results: Vec<(&str, bool, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = checks
            .into_iter()
            .map(|(name, mut cmd)| {
                s.spawn(move || {
                    let (ok, text) = run(&mut cmd);
                    (name, ok, text)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("validator thread"))
            .collect()
    });
    let mut failed = Vec::new();
    for (name, ok, text) in &results {
        eprintln!("== {name}: {}\n{text}", if *ok { "ok" } else { "FAILED" });
        if !ok {
            failed.push(*name);
        }
    }
    assert!(failed.is_empty(), "validators failed: {failed:?}");
}

#[test]
fn dm_check_rejects_broken_configs() {
    let dir = repo_root().join("tests/validators/fixtures/dm");
    let (ok, text) = run(Command::new(tool("lint/bin/python"))
        .arg(repo_root().join("tests/validators/dm_check.py"))
        .arg(dir.join("good")));
    assert!(ok, "{text}");
    let bad = files_under(&dir.join("bad"), &[".yaml"]);
    assert!(bad.len() >= 6);
    for f in bad {
        let (ok, text) = run(Command::new(tool("lint/bin/python"))
            .arg(repo_root().join("tests/validators/dm_check.py"))
            .arg(&f));
        assert!(!ok, "{} should fail dm_check:\n{text}", f.display());
        let expected = std::fs::read_to_string(&f).unwrap_or_default();
        let want = expected
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{}: first line must be `# expect: TEXT`", f.display()));
        assert!(
            text.contains(want),
            "{}: expected `{want}` in:\n{text}",
            f.display()
        );
    }
}

/// Keys/values for a round trip: pairs of corpus strings.
fn pairs(strings: &[String]) -> std::collections::BTreeMap<String, String> {
    strings
        .iter()
        .zip(strings.iter().rev())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[test]
fn pyyaml_reads_back_tricky_strings() {
    let strings = tricky_strings(400);
    let kv = pairs(&strings);
    let tmp = tempfile::tempdir().expect("tempdir");

    let tv_map = |m: &std::collections::BTreeMap<String, String>| {
        TValue::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), TValue::Str(v.clone())))
                .collect(),
        )
    };
    let json_map = |m: &std::collections::BTreeMap<String, String>| {
        Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    };
    let list: Vec<TValue> = strings.iter().map(|s| TValue::Str(s.clone())).collect();

    // Kubernetes: a ConfigMap with tricky keys and values, a list of tricky strings.
    let mut k8s = program(Target::Kubernetes, "rt");
    k8s.resources = vec![res(
        "rt",
        "v1/ConfigMap",
        vec![("data", tv_map(&kv)), ("list", TValue::List(list.clone()))],
    )];
    let k8s_expected = json!([{ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "rt" }, "data": json_map(&kv), "list": strings }]);

    // Deployment Manager (no `$(ref.`, which it refuses).
    let dm_kv: std::collections::BTreeMap<String, String> = kv
        .iter()
        .filter(|(k, v)| !k.contains("$(ref.") && !v.contains("$(ref."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut dm = program(Target::DeploymentManager, "rt");
    dm.resources = vec![res(
        "rt",
        "storage.v1.bucket",
        vec![("labels", tv_map(&dm_kv))],
    )];
    dm.outputs = dm_kv
        .iter()
        .take(50)
        .enumerate()
        .map(|(i, (_, v))| output(&format!("o{i}"), TValue::Str(v.clone()), None))
        .collect();
    let dm_outputs: Vec<Value> = dm_kv
        .iter()
        .take(50)
        .enumerate()
        .map(|(i, (_, v))| json!({ "name": format!("o{i}"), "value": v }))
        .collect();
    let dm_expected = json!([{ "resources": [{ "name": "rt", "type": "storage.v1.bucket", "properties": { "labels": json_map(&dm_kv) } }], "outputs": dm_outputs }]);

    // CloudFormation YAML: tags and a description.
    let mut cfn = program(Target::CloudFormation, "rt");
    cfn.description = Some(strings[60].clone());
    let tags: Vec<TValue> = kv
        .iter()
        .map(|(k, v)| {
            map(vec![
                ("Key", TValue::Str(k.clone())),
                ("Value", TValue::Str(v.clone())),
            ])
        })
        .collect();
    cfn.resources = vec![res(
        "Rt",
        "AWS::S3::Bucket",
        vec![("Tags", TValue::List(tags))],
    )];
    let cfn_tags: Vec<Value> = kv
        .iter()
        .map(|(k, v)| json!({ "Key": k, "Value": v }))
        .collect();
    let cfn_expected = json!([{ "AWSTemplateFormatVersion": "2010-09-09", "Description": strings[60], "Resources": { "Rt": { "Type": "AWS::S3::Bucket", "Properties": { "Tags": cfn_tags } } } }]);

    let mut cases = Vec::new();
    for (name, prog, yaml_cfn, expected) in [
        ("k8s", k8s, false, k8s_expected),
        ("dm", dm, false, dm_expected),
        ("cfn", cfn, true, cfn_expected),
    ] {
        let files = emit(
            &[prog],
            &EmitOptions {
                cloudformation_yaml: yaml_cfn,
                ..EmitOptions::default()
            },
        )
        .unwrap_or_else(|d| panic!("{name}: {d:#?}"));
        let y = tmp.path().join(format!("{name}.yaml"));
        let j = tmp.path().join(format!("{name}.json"));
        std::fs::write(&y, &files[0].contents).expect("write yaml");
        std::fs::write(&j, expected.to_string()).expect("write json");
        cases.push(y);
        cases.push(j);
    }
    let script = "import sys, json, yaml\nbad = 0\nargs = sys.argv[1:]\nfor y, j in zip(args[0::2], args[1::2]):\n    with open(y, encoding='utf-8') as f:\n        got = list(yaml.safe_load_all(f))\n    with open(j, encoding='utf-8') as f:\n        want = json.load(f)\n    if got != want:\n        bad += 1\n        print('MISMATCH', y)\n        def walk(a, b, path):\n            if type(a) != type(b) or not isinstance(a, (dict, list)):\n                if a != b: print(' ', path, repr(a), '!=', repr(b))\n                return\n            if isinstance(a, dict):\n                for k in sorted(set(a) | set(b), key=repr): walk(a.get(k), b.get(k), path + '/' + repr(k))\n            else:\n                for i, (x, z) in enumerate(zip(a, b)): walk(x, z, path + '/' + str(i))\n                if len(a) != len(b): print(' ', path, 'lengths', len(a), len(b))\n        walk(got, want, '')\n    else:\n        print('ok', y)\nsys.exit(1 if bad else 0)\n";
    let (ok, text) = run(Command::new(tool("lint/bin/python"))
        .arg("-c")
        .arg(script)
        .args(&cases));
    assert!(ok, "PyYAML read something else than was written:\n{text}");
}

#[test]
fn terraform_evaluates_tricky_strings() {
    // HCL normalizes every string to Unicode NFC (its spec says so), so a decomposed `e\u{301}`
    // comes back as `é` whatever the escaping: such strings are left out of the comparison.
    let strings: Vec<String> = tricky_strings(160)
        .into_iter()
        .filter(|s| !s.contains('\u{301}'))
        .collect();
    let mut prog: TargetProgram = program(Target::Terraform, "rt");
    prog.params = vec![param(
        "v",
        "string",
        Some(TValue::Str("V${a}%{b}$".to_string())),
        vec![],
    )];
    let mut expected = serde_json::Map::new();
    for (i, s) in strings.iter().enumerate() {
        let t = &strings[(i * 7 + 3) % strings.len()];
        prog.outputs
            .push(output(&format!("s{i}"), TValue::Str(s.clone()), Some(s)));
        expected.insert(format!("s{i}"), Value::String(s.clone()));
        prog.outputs.push(output(
            &format!("i{i}"),
            TValue::Interp(vec![
                TPart::Lit(s.clone()),
                TPart::Ref(pref("v")),
                TPart::Lit(t.clone()),
                TPart::Ref(pref("v")),
            ]),
            None,
        ));
        expected.insert(
            format!("i{i}"),
            Value::String(format!("{s}V${{a}}%{{b}}${t}V${{a}}%{{b}}$")),
        );
        prog.outputs.push(output(
            &format!("m{i}"),
            map(vec![
                (s.as_str(), TValue::Str(t.clone())),
                ("k", TValue::Str(s.clone())),
            ]),
            None,
        ));
        expected.insert(format!("m{i}"), json!({ s.as_str(): t, "k": s }));
        prog.outputs.push(output(
            &format!("j{i}"),
            TValue::Json(Box::new(map(vec![(t.as_str(), TValue::Str(s.clone()))]))),
            None,
        ));
        expected.insert(format!("j{i}"), json!({ t.as_str(): s }));
    }
    // Variables with tricky defaults and descriptions, read back through outputs.
    for (i, s) in strings.iter().take(40).enumerate() {
        let mut q = param(
            &format!("w{i}"),
            "string",
            Some(TValue::Str(s.clone())),
            vec![],
        );
        q.description = Some(strings[(i + 11) % strings.len()].clone());
        prog.params.push(q);
        prog.outputs
            .push(output(&format!("w{i}"), p(&format!("w{i}")), None));
        expected.insert(format!("w{i}"), Value::String(s.clone()));
    }
    let files = emit(&[prog], &EmitOptions::default()).unwrap_or_else(|d| panic!("{d:#?}"));
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("tf");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("main.tf"), &files[0].contents).expect("write");
    let cli_config = tmp.path().join("terraformrc");
    std::fs::write(&cli_config, "").expect("write cli config");

    let (ok, text) = run(terraform_cmd(&dir, &cli_config).args(["fmt", "-check", "-diff", "."]));
    assert!(ok, "terraform fmt -check:\n{text}");
    let (ok, text) =
        run(terraform_cmd(&dir, &cli_config).args(["init", "-input=false", "-no-color"]));
    assert!(ok, "terraform init:\n{text}");
    let (ok, text) = run(terraform_cmd(&dir, &cli_config).args([
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
    ]));
    assert!(ok, "terraform apply:\n{text}");
    let (ok, text) = run(terraform_cmd(&dir, &cli_config).args(["output", "-json", "-no-color"]));
    assert!(ok, "terraform output:\n{text}");
    let got: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let mut mismatches = Vec::new();
    for (name, want) in &expected {
        let value = &got[name]["value"];
        let value = if name.starts_with('j') {
            // jsonencode gives a string; compare what it encodes.
            value
                .as_str()
                .and_then(|s| serde_json::from_str::<Value>(s).ok())
                .unwrap_or(Value::Null)
        } else {
            value.clone()
        };
        if &value != want {
            mismatches.push(format!("{name}: got {value} want {want}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}\n--- main.tf:\n{}",
        mismatches.len(),
        mismatches.join("\n"),
        files[0].contents
    );
}
