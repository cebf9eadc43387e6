//! End-to-end tests of the example projects (`examples/`, one per seed architecture), through
//! the `strata` binary:
//!
//! - every example checks clean in every environment: exit 0 and no diagnostic above `info`
//!   (accepted findings are suppressed in the source with a reason, or set to `info` in the
//!   example's `strata.toml` with the reason in a comment);
//! - every example compiles in every environment, and `strata cost --format json` of every
//!   environment and the emitted files of `prod` match the snapshots under
//!   `snapshots/examples/<example>/<env>/` (insta: review changes with `cargo insta review`);
//! - compiling is deterministic: twice, with `RAYON_NUM_THREADS` 1 and 2, byte for byte;
//! - the sources are formatted (`strata fmt --check`), and the two Ragonometrics projects share
//!   their architecture file byte for byte.
//!
//! The emitted files are judged by the real validators (cfn-lint, terraform, kubernetes-validate,
//! the Deployment Manager check, checkov) in `tests/examples/suite.sh`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The example projects, relative to `examples/`.
const EXAMPLES: &[&str] = &[
    "deploy-ready/aws",
    "deploy-ready/gcp",
    "deploy-ready/azure",
    "ragonometrics-aws",
    "ragonometrics-gcp",
    "community-platform",
    "community-platform/dr",
    "infrastructure-directory",
    "circle-core",
    "infini-x",
];
const ENVS: &[&str] = &["dev", "staging", "prod"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn example_dir(example: &str) -> PathBuf {
    repo_root().join("examples").join(example)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn strata_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.args(args)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run strata");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked at"),
        "`strata {}` panicked:\n{}",
        args.join(" "),
        run.stderr
    );
    run
}

fn strata(args: &[&str]) -> Run {
    strata_env(args, &[])
}

/// Every file under `dir`: relative path (with `/`) → bytes.
fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .expect("under base")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(
                    rel,
                    fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// `strata compile EXAMPLE --env ENV --out OUT`; the files written.
fn compile(
    example: &str,
    env: &str,
    out: &Path,
    vars: &[(&str, &str)],
) -> BTreeMap<String, Vec<u8>> {
    let path = format!("examples/{example}");
    let out_s = out.to_string_lossy().into_owned();
    let run = strata_env(&["compile", &path, "--env", env, "--out", &out_s], vars);
    assert_eq!(
        run.code, 0,
        "`strata compile {path} --env {env}` failed:\n{}",
        run.stderr
    );
    let files = read_tree(out);
    assert!(
        !files.is_empty(),
        "`strata compile {path} --env {env}` wrote nothing"
    );
    files
}

/// Snapshot settings for `snapshots/examples/<example>/<env>`.
fn snapshot_settings(example: &str, env: &str) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(
        repo_root()
            .join("snapshots/examples")
            .join(example)
            .join(env),
    );
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

#[test]
fn examples_check_clean_in_every_environment() {
    let mut problems = Vec::new();
    for example in EXAMPLES {
        for env in ENVS {
            let path = format!("examples/{example}");
            let run = strata(&["check", &path, "--env", env, "--format", "json"]);
            let v: serde_json::Value = serde_json::from_str(&run.stdout)
                .unwrap_or_else(|e| panic!("{path} --env {env}: not JSON ({e}):\n{}", run.stdout));
            let diags = v["diagnostics"].as_array().expect("diagnostics");
            assert_eq!(
                v["summary"]["env"], *env,
                "{path}: the environment was not applied"
            );
            if run.code != 0 {
                problems.push(format!("{path} --env {env}: exit {}", run.code));
            }
            for d in diags.iter().filter(|d| d["severity"] != "info") {
                problems.push(format!(
                    "{path} --env {env}: {} {} at {}:{}: {}",
                    d["severity"], d["code"], d["file"], d["line"], d["message"]
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "examples are not clean:\n{}",
        problems.join("\n")
    );
}

#[test]
fn examples_compile_and_match_snapshots() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for example in EXAMPLES {
        for env in ENVS {
            let out = tmp.path().join(example).join(env);
            let files = compile(example, env, &out, &[]);

            let path = format!("examples/{example}");
            let cost = strata(&["cost", &path, "--env", env, "--format", "json"]);
            assert_eq!(
                cost.code, 0,
                "`strata cost {path} --env {env}` failed:\n{}",
                cost.stderr
            );
            let v: serde_json::Value = serde_json::from_str(&cost.stdout)
                .unwrap_or_else(|e| panic!("cost of {path} --env {env}: not JSON ({e})"));
            assert!(
                v["monthly_total"].is_number()
                    && v["currency"] == "USD"
                    && v["resources"].is_array(),
                "cost of {path} --env {env}: {v}"
            );

            snapshot_settings(example, env).bind(|| {
                insta::assert_snapshot!("cost", cost.stdout);
                if *env == "prod" {
                    for (rel, bytes) in &files {
                        let text = String::from_utf8(bytes.clone())
                            .unwrap_or_else(|_| panic!("{example}/{env}/{rel} is not UTF-8"));
                        insta::assert_snapshot!(rel.replace('/', "__"), text);
                    }
                }
            });
        }
    }
}

#[test]
fn examples_compile_deterministically() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for example in EXAMPLES {
        for env in ["dev", "prod"] {
            let runs: Vec<BTreeMap<String, Vec<u8>>> = [("1", "a"), ("2", "b"), ("2", "c")]
                .iter()
                .map(|(threads, tag)| {
                    compile(
                        example,
                        env,
                        &tmp.path().join(tag).join(example).join(env),
                        &[("RAYON_NUM_THREADS", threads)],
                    )
                })
                .collect();
            for (i, other) in runs.iter().enumerate().skip(1) {
                assert_eq!(
                    runs[0].keys().collect::<Vec<_>>(),
                    other.keys().collect::<Vec<_>>(),
                    "{example} --env {env}: run {i} wrote other files"
                );
                for (rel, bytes) in &runs[0] {
                    assert!(other[rel] == *bytes, "{example} --env {env}: {rel} differs between runs (RAYON_NUM_THREADS 1 vs 2, or two runs)");
                }
            }
        }
    }
}

#[test]
fn examples_are_formatted() {
    let mut args = vec!["fmt".to_string(), "--check".to_string()];
    args.extend(EXAMPLES.iter().map(|e| format!("examples/{e}")));
    args.push("examples/circle-core/providers".to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = strata(&args);
    assert_eq!(
        run.code, 0,
        "examples are not formatted (run `strata fmt` on them):\n{}{}",
        run.stdout, run.stderr
    );
}

#[test]
fn ragonometrics_is_one_source_for_both_clouds() {
    let aws = example_dir("ragonometrics-aws");
    let gcp = example_dir("ragonometrics-gcp");
    for shared in ["ragonometrics.strata", "strata.toml"] {
        let a = fs::read(aws.join(shared)).expect("read aws copy");
        let g = fs::read(gcp.join(shared)).expect("read gcp copy");
        assert!(
            a == g,
            "examples/ragonometrics-{{aws,gcp}}/{shared} differ: they must stay the same file"
        );
    }
    // The only other source file chooses the provider.
    let strata_files = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("read dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".strata"))
            .collect();
        v.sort();
        v
    };
    assert_eq!(strata_files(&aws), ["ragonometrics.strata", "stack.strata"]);
    assert_eq!(strata_files(&gcp), ["ragonometrics.strata", "stack.strata"]);
    let a = fs::read_to_string(aws.join("stack.strata")).expect("aws stack");
    let g = fs::read_to_string(gcp.join("stack.strata")).expect("gcp stack");
    // After this line each cloud declares its image registry (its own stack, deployed first:
    // DEP005) and the URL the services pull from.
    const REGISTRY: &str = "// The image registry, per cloud:";
    let head = |s: &str| -> String {
        s.lines()
            .take_while(|l| !l.starts_with(REGISTRY))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        a.contains(REGISTRY) && g.contains(REGISTRY),
        "stack.strata: no `{REGISTRY}` section"
    );
    let (a, g) = (head(&a), head(&g));
    let differing: Vec<(&str, &str)> = a.lines().zip(g.lines()).filter(|(x, y)| x != y).collect();
    assert!(
        differing
            .iter()
            .all(
                |(x, y)| x.trim_start().starts_with("//") && y.trim_start().starts_with("//")
                    || x.contains("provider =") && y.contains("provider =")
                    || x.starts_with("import ") && y.starts_with("import ")
            ),
        "stack.strata differs beyond the provider: {differing:#?}"
    );
    assert_eq!(a.lines().count(), g.lines().count());

    // Same portable source, two clouds: AWS gets RDS, GCP gets Cloud SQL.
    let tmp = tempfile::tempdir().expect("tempdir");
    let aws_files = compile("ragonometrics-aws", "prod", &tmp.path().join("aws"), &[]);
    let gcp_files = compile("ragonometrics-gcp", "prod", &tmp.path().join("gcp"), &[]);
    let text = |files: &BTreeMap<String, Vec<u8>>, name: &str| {
        String::from_utf8_lossy(
            files
                .get(name)
                .unwrap_or_else(|| panic!("{name} not written: {:?}", files.keys())),
        )
        .into_owned()
    };
    assert!(
        text(&aws_files, "cloudformation/ragonometrics.template.json")
            .contains("AWS::RDS::DBInstance")
    );
    assert!(text(&aws_files, "terraform/ragonometrics/main.tf")
        .contains("resource \"aws_elasticache_replication_group\""));
    assert!(text(&gcp_files, "terraform/ragonometrics/main.tf")
        .contains("resource \"google_sql_database_instance\""));
    assert!(text(&gcp_files, "deployment-manager/ragonometrics.yaml")
        .contains("sqladmin.v1beta4.instance"));
}

#[test]
fn deploy_ready_is_one_source_for_every_cloud() {
    let aws = example_dir("deploy-ready/aws");
    for other in ["deploy-ready/gcp", "deploy-ready/azure"] {
        let dir = example_dir(other);
        for shared in ["app.strata", "strata.toml"] {
            let a = fs::read(aws.join(shared)).expect("read aws copy");
            let o = fs::read(dir.join(shared)).expect("read the other copy");
            assert!(
                a == o,
                "examples/deploy-ready/aws/{shared} and examples/{other}/{shared} differ: they must stay the same file"
            );
        }
    }
}
