//! `strata cost` end to end: the usage file, budgets in every format, and `--compare-to`
//! (both totals, the change, the reasons, exit codes, a baseline that is not an estimate).

use std::path::Path;
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn strata(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const BASE: &str = r#"import aws

stack shop {
  provider = aws { region = "eu-central-1" }
  budget = 100 USD/month
}

resource vpc: aws.ec2.Vpc {
  cidr = 10.0.0.0/16
}

resource jobs: aws.sqs.Queue {}
"#;

#[test]
fn usage_file_budgets_and_compare_to() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(p.join("main.strata"), BASE).expect("write");
    std::fs::write(
        p.join("usage.toml"),
        "[resources.jobs]\nrequests_millions = 10\n",
    )
    .expect("write");
    let base = strata(p, &["cost", ".", "--format", "json"]);
    assert_eq!(base.code, 0, "{}", base.stderr);
    let v: serde_json::Value = serde_json::from_str(&base.stdout).expect("json");
    let jobs = v["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["name"] == "jobs")
        .expect("jobs");
    // 10 million requests × $0.40, from usage.toml; eu-central-1 through its multiplier.
    assert!(jobs["monthly"].as_f64().is_some_and(|m| m > 4.0), "{jobs}");
    assert_eq!(jobs["price_basis"], "regional-multiplier");
    assert_eq!(v["budgets"]["shop"]["exceeded"], false);
    std::fs::write(p.join("base.json"), &base.stdout).expect("write");

    // Three NAT gateways: over the budget.
    let mut changed = BASE.to_string();
    for i in 0..3 {
        changed.push_str(&format!(
            "\nresource subnet{i}: aws.ec2.Subnet {{\n  vpc = vpc\n  cidr = 10.0.{i}.0/24\n  zone = \"eu-central-1a\"\n}}\n\nresource nat{i}: aws.ec2.NatGateway {{\n  subnet = subnet{i}\n}}\n"
        ));
    }
    std::fs::write(p.join("main.strata"), changed).expect("write");
    let table = strata(p, &["cost", ".", "--compare-to", "base.json"]);
    assert_eq!(table.code, 1, "{}{}", table.stdout, table.stderr);
    assert!(table.stdout.starts_with("baseline"), "{}", table.stdout);
    assert!(table.stdout.contains("added   nat0"), "{}", table.stdout);
    assert!(table.stdout.contains("exceeded by"), "{}", table.stdout);
    assert!(table.stderr.contains("COST001"), "{}", table.stderr);
    let md = strata(
        p,
        &[
            "cost",
            ".",
            "--compare-to",
            "base.json",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(md.code, 1);
    assert!(md.stdout.contains("<details") && md.stdout.contains("| Baseline |"));
    assert!(md.stdout.contains("❌ stack `shop`"), "{}", md.stdout);
    let json = strata(
        p,
        &["cost", ".", "--compare-to", "base.json", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert!(v["difference"].as_f64().is_some_and(|d| d > 100.0), "{v}");
    assert_eq!(v["changes"][0]["change"], "added");

    // Without --compare-to the Markdown also says the budget is exceeded.
    let md = strata(p, &["cost", ".", "--format", "markdown"]);
    assert_eq!(md.code, 1);
    assert!(
        md.stdout.contains("of its $100.00 budget: exceeded by"),
        "{}",
        md.stdout
    );

    // A baseline that is not an estimate, or that does not exist: exit 2 with the reason.
    std::fs::write(p.join("bad.json"), "{\"diagnostics\": []}").expect("write");
    let bad = strata(p, &["cost", ".", "--compare-to", "bad.json"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("is not a cost estimate"),
        "{}",
        bad.stderr
    );
    assert!(bad.stdout.is_empty());
    let missing = strata(p, &["cost", ".", "--compare-to", "nope.json"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("cannot read"), "{}", missing.stderr);
}

/// A region outside the price tables of each cloud: its resources are priced with the default
/// region's prices, never silently. Every format says so: the table and the Markdown with a
/// footnote naming the region, the default region used and the resources, the lines marked `*`;
/// the JSON with `price_basis = "fallback"` and the `fallback` sentence on every priced resource.
#[test]
fn a_region_outside_the_tables_is_priced_with_a_fallback_every_format_shows() {
    let clouds = [
        (
            "aws",
            r#"provider = aws { region = "af-south-1" }"#,
            "af-south-1",
            "us-east-1",
        ),
        (
            "gcp",
            r#"provider = gcp { project = "shop-prod", region = "southamerica-east1" }"#,
            "southamerica-east1",
            "us-central1",
        ),
        (
            "azure",
            r#"provider = azure { location = "brazilsouth", tenant_id = "7c1f3b52-9d4e-4a8b-b6e0-2f5d8a1c9e43", subscription_id = "4b8e2d71-3c6a-4f95-a0d2-8e1b7c5f3a69" }"#,
            "brazilsouth",
            "eastus",
        ),
    ];
    for (cloud, provider, region, default) in clouds {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        let src = format!(
            "import {cloud}\nimport portable.{{Cache, Postgres}}\n\nstack s {{\n  {provider}\n}}\n\nresource db: Postgres {{\n  version = \"16\"\n  storage = 20 GiB\n}}\n\nresource sessions: Cache {{\n  version = \"7\"\n  size = \"small\"\n}}\n"
        );
        std::fs::write(p.join("main.strata"), src).expect("write");
        let json = strata(p, &["cost", ".", "--format", "json"]);
        assert_eq!(json.code, 0, "{cloud}: {}{}", json.stdout, json.stderr);
        let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
        let resources = v["resources"].as_array().expect("resources");
        // The database and the cache (and what they lower to) are priced with the default
        // region's prices; a resource of a global table (one price everywhere, e.g. a DNS zone)
        // is listed. Nothing is priced by a regional multiplier: the region has none.
        let sentence = format!("no prices for {region}: priced with {default}'s");
        let mut fallbacks = Vec::new();
        for r in resources {
            match r["price_basis"].as_str() {
                Some("fallback") => {
                    assert_eq!(r["fallback"], sentence.as_str(), "{cloud}: {r}");
                    fallbacks.push(r["name"].as_str().unwrap_or_default());
                }
                Some("listed") | None => {}
                other => panic!("{cloud}: {other:?} in {r}"),
            }
        }
        for name in ["db", "sessions"] {
            assert!(
                fallbacks
                    .iter()
                    .any(|f| *f == name || f.starts_with(&format!("{name}."))),
                "{cloud}: {name} not priced by fallback: {fallbacks:?}\n{}",
                json.stdout
            );
        }
        let footnote =
            format!("* fallback: no prices for {region}; resources priced with {default}'s");
        let table = strata(p, &["cost", "."]);
        assert_eq!(table.code, 0, "{cloud}: {}", table.stderr);
        assert!(
            table.stdout.contains(&footnote),
            "{cloud}: {}",
            table.stdout
        );
        let md = strata(p, &["cost", ".", "--format", "markdown"]);
        assert_eq!(md.code, 0, "{cloud}: {}", md.stderr);
        assert!(md.stdout.contains(&footnote), "{cloud}: {}", md.stdout);
        assert!(md.stdout.contains(" *"), "{cloud}: {}", md.stdout);
    }
}
