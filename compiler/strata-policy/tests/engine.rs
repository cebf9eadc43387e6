//! The machinery around the rules: configuration, per-path overrides, suppressions, user
//! policies, SARIF, and the registry's documentation.

mod support;

use strata_base::{Severity, SourceMap};
use strata_graph::testkit::*;
use strata_model::{Provider, Schemas};
use strata_policy::{Level, PolicyConfig};

/// A small project with findings of several rules.
fn project(f: &mut Fixture) {
    f.env("dev");
    f.resource("db", "aws.rds.DBInstance", |r| {
        r.set("instance_class", "db.r6g.2xlarge")
            .set("multi_az", true);
    });
    f.resource("uploads", "aws.s3.Bucket", |r| {
        r.set("versioning", true);
    });
}

fn codes(d: &[strata_base::Diagnostic]) -> Vec<String> {
    d.iter()
        .map(|d| format!("{}:{}", d.code, d.severity.as_str()))
        .collect()
}

/// The default configuration without the security rules (these tests are about the machinery).
fn base() -> PolicyConfig {
    PolicyConfig::default().with_level("security", Level::Off)
}

#[test]
fn configuration_levels() {
    let run = |config: PolicyConfig| {
        let mut f = Fixture::new();
        project(&mut f);
        codes(&support::render(f, &config).1)
    };
    let all = run(base());
    assert_eq!(all, ["COST002:warning", "COST003:warning", "COST006:info"]);
    // By code, by name, by category; the most specific wins.
    assert_eq!(
        run(base().with_level("COST002", Level::Off)),
        ["COST003:warning", "COST006:info"]
    );
    assert_eq!(
        run(base().with_level("multi-az-outside-prod", Level::On(Severity::Error))),
        ["COST002:warning", "COST003:error", "COST006:info"]
    );
    assert_eq!(
        run(base()
            .with_level("cost", Level::Off)
            .with_level("COST006", Level::On(Severity::Warning))),
        ["COST006:warning"]
    );
    assert_eq!(
        run(PolicyConfig::default().with_level("all", Level::Off)),
        Vec::<String>::new()
    );
    // The security rules see the same project.
    let sec = run(PolicyConfig::default().with_level("cost", Level::Off));
    assert_eq!(sec, ["SEC002:warning", "SEC004:info"]);
}

#[test]
fn per_path_overrides() {
    let mut f = Fixture::named("sandbox/db.strata");
    project(&mut f);
    let config = base()
        .with_path("COST002", "sandbox/**", Level::Off)
        .with_path("cost", "sandbox/*.strata", Level::On(Severity::Error))
        .with_path("cost", "other/**", Level::Off);
    let (_, d) = support::render(f, &config);
    assert_eq!(codes(&d), ["COST003:error", "COST006:error"]);
}

#[test]
fn parse_rules_table() {
    let text = r#"
[env.prod.params]
region = "eu-west-1"

[rules]
SEC001 = "off"
bucket-without-lifecycle = "warning"
cost = "error"
orphan-resource = "on"
public-entry-without-waf = { level = "error", paths = { "sandbox/**" = "warning", "legacy/*.strata" = "off" } }
oversized-in-dev = { max_vcpus = 4 }
bucket-versionning = "off"
COST003 = "loud"
COST004 = 3
"#;
    let mut sm = SourceMap::new();
    let file = sm.add("strata.toml", text, false);
    let (config, diags) = PolicyConfig::parse(file, text);
    insta::assert_snapshot!("config_diagnostics", render_inline(&sm, &diags));
    let waf = strata_policy::registry::find("GRAPH004").expect("rule");
    assert_eq!(
        config.level_in_file(waf, "main.strata"),
        Some(Severity::Error)
    );
    assert_eq!(
        config.level_in_file(waf, "sandbox/x/y.strata"),
        Some(Severity::Warning)
    );
    assert_eq!(config.level_in_file(waf, "legacy/old.strata"), None);
    let lifecycle = strata_policy::registry::find("COST006").expect("rule");
    assert_eq!(config.resolve(lifecycle).severity, Some(Severity::Warning));
    let budget = strata_policy::registry::find("COST001").expect("rule");
    assert_eq!(config.resolve(budget).severity, Some(Severity::Error));
    let oversized = strata_policy::registry::find("COST002").expect("rule");
    assert_eq!(
        config
            .resolve(oversized)
            .options
            .get("max_vcpus")
            .and_then(|v| v.as_i64()),
        Some(4)
    );
    // Options do not change the level: COST002 takes the category's.
    assert_eq!(config.resolve(oversized).severity, Some(Severity::Error));
    // A TOML syntax error is one POL010.
    let (_, d) = PolicyConfig::parse(file, "[rules\nSEC001 = 1");
    assert_eq!(
        d.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        ["POL010"]
    );
}

#[test]
fn option_changes_threshold() {
    let config = base().with_option("oversized-in-dev", "max_vcpus", strata_model::Value::Int(8));
    let mut f = Fixture::new();
    project(&mut f);
    let (_, d) = support::render(f, &config);
    assert!(!d.iter().any(|d| d.code == "COST002"), "{d:?}");
}

#[test]
fn suppressions() {
    let mut f = Fixture::new();
    f.env("dev");
    f.raw("// strata-ignore COST002: load tests run against dev\n");
    f.resource("db", "aws.rds.DBInstance", |r| {
        r.set("instance_class", "db.r6g.2xlarge")
            .set("multi_az", true);
    });
    f.raw("// strata-ignore bucket-without-lifecycle\n");
    f.resource("uploads", "aws.s3.Bucket", |r| {
        r.set("versioning", true);
    });
    f.raw("// strata-ignore COST003: nothing here\n");
    f.resource("small", "aws.rds.DBInstance", |r| {
        r.set("instance_class", "db.t4g.micro");
    });
    f.raw("// strata-ignore SEC9999, E2001: typo and an input error\n");
    f.resource("key", "aws.kms.Key", |r| {
        r.set("rotation", true);
    });
    let (text, d) = support::render(f, &base());
    insta::assert_snapshot!("suppressions", text);
    // COST002 and COST006 were suppressed (the whole declaration is covered); COST003 on `db`
    // remains; the reasonless suppression, the unused one and the bad codes are reported.
    assert_eq!(
        codes(&d),
        [
            "COST003:warning",
            "POL002:error",
            "POL001:warning",
            "POL003:warning",
            "POL003:warning",
            "GRAPH005:info"
        ]
    );
}

#[test]
fn trailing_suppression_applies_to_its_line() {
    let mut f = Fixture::new();
    f.env("dev");
    f.resource("db", "aws.rds.DBInstance", |r| {
        r.set("instance_class", "db.r6g.2xlarge");
    });
    let (model, sources) = f.finish();
    // Put a trailing comment on the `instance_class` line.
    let text = sources
        .get(strata_base::FileId(0))
        .text
        .to_string()
        .replace(
            "\"db.r6g.2xlarge\"\n",
            "\"db.r6g.2xlarge\" // strata-ignore COST002: sized for load tests\n",
        );
    let mut sm = SourceMap::new();
    sm.add("main.strata", text, false);
    let (graph, _) = strata_graph::build(&model);
    let d =
        strata_policy::check_with_sources(&model, &Schemas::default(), &graph, &base(), &sm, &[]);
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn disabled_rule_suppression_is_not_unused() {
    let mut f = Fixture::new();
    f.raw("// strata-ignore GRAPH005: kept for the migration\n");
    f.resource("key", "aws.kms.Key", |r| {
        r.set("rotation", true);
    });
    let (_, d) = support::render(f, &base().with_level("GRAPH005", Level::Off));
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn user_policies() {
    let mut f = Fixture::new();
    f.stack("shop", Provider::Aws, |s| {
        s.set("region", "us-east-1");
    });
    f.resource("lb", "aws.elbv2.LoadBalancer", |r| {
        r.set("internal", false);
    });
    f.resource("tg", "aws.elbv2.TargetGroup", |r| {
        r.set("port", 8080);
    });
    f.resource("listener", "aws.elbv2.Listener", |r| {
        r.set("load_balancer", refer("lb"))
            .set("forward", refer("tg"));
    });
    f.resource("api_task", "aws.ecs.TaskDefinition", |r| {
        r.set(
            "containers",
            list([rec([
                ("name", v("api")),
                ("image", v("ghcr.io/acme/api:1.4.2")),
                (
                    "environment",
                    rec([("DATABASE_URL", refer_attr("db", "url"))]),
                ),
            ])]),
        );
    });
    f.resource("api", "aws.ecs.Service", |r| {
        r.set("task_definition", refer("api_task")).set(
            "load_balancer",
            rec([
                ("target_group", refer("tg")),
                ("container", v("api")),
                ("port", v(8080)),
            ]),
        );
    });
    f.resource("db", "portable.Postgres", |r| {
        r.set("version", "16");
    });
    f.resource("db_instance", "aws.rds.DBInstance", |r| {
        r.lowered_from("db")
            .set_from("engine_version", "16", "version");
    });
    f.resource("legacy_db", "aws.rds.DBInstance", |r| {
        r.set("publicly_accessible", true);
    });
    let p = f.policy(
        "databases are never reachable from the internet",
        "POLICY001",
        Severity::Error,
        &[
            ("internet", "DBInstance"),
            ("api_task", "Postgres"),
            ("internet", "Postgress"),
        ],
    );
    f.violation(p, "legacy_db", "legacy_db must be private");
    let (text, d) = support::render(
        f,
        &strata_policy::PolicyConfig::default()
            .with_level("all", Level::Off)
            .with_level("POL004", Level::On(Severity::Warning)),
    );
    insta::assert_snapshot!("user_policies", text);
    let mut got: Vec<(&str, &str)> = d
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    got.sort();
    assert_eq!(got.len(), 4, "{got:#?}");
}

#[test]
fn sarif_is_valid_2_1_0() {
    let mut f = Fixture::new();
    project(&mut f);
    let (_, sources, d) = support::run_with(f, support::stdlib(), &base());
    let sarif = strata_policy::to_sarif(&d, &sources, &strata_policy::codes());
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for r in rules {
        assert!(
            r["id"].is_string()
                && r["helpUri"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("https://"))
        );
        assert!(r["fullDescription"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("## Why it matters")));
        assert!(r["shortDescription"]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
    }
    for res in run["results"].as_array().expect("results") {
        let idx = res["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        let region = &res["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().is_some_and(|l| l >= 1));
        assert!(region["startColumn"].as_u64().is_some_and(|c| c >= 1));
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap_or("")));
    }
    // Shape snapshot without the (long) rule docs.
    let mut s = sarif.clone();
    for r in s["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .expect("rules")
    {
        for k in ["fullDescription", "help"] {
            r[k] = serde_json::json!("<doc>");
        }
    }
    insta::assert_json_snapshot!("sarif", s);
}

/// Every rule: a unique code with the category's prefix, a short kebab-case unique name, and a
/// doc with the four sections in order, each non-empty, the summary a sentence.
#[test]
fn registry_docs() {
    let mut codes = std::collections::BTreeSet::new();
    let mut names = std::collections::BTreeSet::new();
    for r in strata_policy::registry::rules() {
        assert!(codes.insert(r.code), "duplicate code {}", r.code);
        assert!(names.insert(r.name), "duplicate name {}", r.name);
        let prefix = match r.category {
            strata_policy::Category::Security => "SEC",
            strata_policy::Category::Graph => "GRAPH",
            strata_policy::Category::Cost => "COST",
            strata_policy::Category::Policy => "POL",
            strata_policy::Category::Deploy => "DEP",
        };
        assert!(
            r.code.starts_with(prefix)
                && r.code[prefix.len()..].len() == 3
                && r.code[prefix.len()..].bytes().all(|b| b.is_ascii_digit()),
            "{}",
            r.code
        );
        assert!(
            r.name.len() <= 40
                && r.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !r.name.starts_with('-'),
            "{}",
            r.name
        );
        let doc = r.doc();
        let sections = [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## Fix",
        ];
        let mut last = 0;
        for s in sections {
            let at = doc
                .find(s)
                .unwrap_or_else(|| panic!("{}: missing `{s}`", r.code));
            assert!(at >= last, "{}: `{s}` out of order", r.code);
            last = at;
        }
        for (i, s) in sections.iter().enumerate() {
            let start = doc.find(s).map(|a| a + s.len()).unwrap_or(0);
            let end = sections
                .get(i + 1)
                .and_then(|n| doc.find(n))
                .unwrap_or(doc.len());
            assert!(
                doc[start..end].trim().len() > 10,
                "{}: `{s}` is empty",
                r.code
            );
        }
        let summary = r.summary();
        assert!(
            summary.chars().next().is_some_and(char::is_uppercase) && summary.ends_with('.'),
            "{}: summary `{summary}`",
            r.code
        );
        assert!(
            !doc.lines()
                .any(|l| l.starts_with(' ') && !l.starts_with("  ")),
            "{}: doc lines keep the doc-comment indent",
            r.code
        );
    }
    assert_eq!(
        strata_policy::codes().len(),
        strata_policy::registry::rules().len()
    );
}

/// The budget rule prices with the configuration's usage assumptions, like `strata cost`.
#[test]
fn budget_uses_usage_assumptions() {
    let build = || {
        let mut f = Fixture::new();
        f.stack("files", Provider::Aws, |s| {
            s.set("region", "us-east-1").budget(10.0);
        });
        f.resource("uploads", "aws.s3.Bucket", |_| {});
        f
    };
    let only_budget = || {
        PolicyConfig::default()
            .with_level("all", Level::Off)
            .with_level("COST001", Level::On(Severity::Error))
    };
    let (_, d) = support::render(build(), &only_budget());
    assert!(d.is_empty(), "no stored data assumed: {d:?}");
    let mut config = only_budget();
    config.usage.object_storage_gib = 1000.0; // 1000 GB × $0.023 = $23 > $10
    let (_, d) = support::render(build(), &config);
    assert_eq!(codes(&d), ["COST001:error"]);
}
