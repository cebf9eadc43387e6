//! Cost estimate: the price tables, the arithmetic per resource type, and the renderers.

use strata_graph::testkit::*;
use strata_model::{Model, Provider, Schemas};
use strata_policy::cost::prices::Prices;
use strata_policy::cost::{to_json, to_markdown, to_table};
use strata_policy::{estimate, CostReport, UsageAssumptions};

#[path = "support/mod.rs"]
mod support;

/// Estimate a fixture built as semantics would (stdlib defaults filled in, names checked).
fn report(f: Fixture) -> (Model, CostReport) {
    let (mut model, _) = f.finish();
    let problems = support::conform(&mut model, support::stdlib());
    assert!(problems.is_empty(), "{problems:?}");
    let r = estimate(&model, support::stdlib(), &UsageAssumptions::default());
    (model, r)
}

fn monthly(r: &CostReport, name: &str) -> f64 {
    r.resources
        .iter()
        .find(|l| l.name == name)
        .map(|l| l.monthly)
        .unwrap_or(f64::NAN)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.006
}

#[test]
fn stdlib_tables_parse_and_cite_their_source() {
    let p = Prices::stdlib();
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    for prov in ["aws", "gcp", "azure"] {
        let pp = p
            .providers
            .get(prov)
            .unwrap_or_else(|| panic!("no {prov} prices"));
        assert_eq!(pp.currency, "USD");
        for (name, t) in &pp.tables {
            assert!(
                t.source.starts_with("https://") && !t.source.contains(' '),
                "{prov}.{name}: source must be one URL"
            );
            let d = t.date.as_bytes();
            assert!(
                d.len() == 10 && d[4] == b'-' && d[7] == b'-',
                "{prov}.{name}: date must be YYYY-MM-DD"
            );
            assert!(!t.prices.is_empty(), "{prov}.{name}: empty");
            assert!(
                t.prices.contains_key(&pp.default_region),
                "{prov}.{name}: no default-region prices"
            );
            for (region, items) in &t.prices {
                for (item, price) in items {
                    assert!(
                        price.is_finite() && *price >= 0.0,
                        "{prov}.{name}.{region}.{item}"
                    );
                }
            }
        }
    }
}

/// Published on-demand prices (us-east-1 / us-central1) the tables must match within 1%.
#[test]
fn common_classes_match_published_prices() {
    let p = Prices::stdlib();
    let published = [
        ("aws", "ec2", "t3.micro", 0.0104),
        ("aws", "ec2", "t3.medium", 0.0416),
        ("aws", "ec2", "m5.large", 0.096),
        ("aws", "ec2", "t4g.small", 0.0168),
        ("aws", "rds_postgres", "db.t4g.micro", 0.016),
        ("aws", "rds_postgres", "db.t4g.medium", 0.065),
        ("aws", "rds_postgres", "db.m5.large", 0.178),
        ("aws", "rds_postgres", "db.r6g.large", 0.225),
        ("aws", "elasticache", "cache.t4g.micro", 0.016),
        ("aws", "elasticache", "cache.r6g.large", 0.206),
        ("aws", "network", "nat_gateway", 0.045),
        ("aws", "elb", "application", 0.0225),
        ("aws", "eks", "cluster", 0.10),
        ("aws", "fargate", "vcpu", 0.04048),
        ("aws", "fargate", "memory_gb", 0.004445),
        ("aws", "s3", "STANDARD", 0.023),
        ("gcp", "compute", "e2-medium", 0.033503),
        ("gcp", "compute", "n2-standard-2", 0.097118),
        ("gcp", "cloudsql", "vcpu", 0.0413),
        ("gcp", "cloudsql", "memory_gb", 0.007),
        ("gcp", "memorystore", "BASIC_M1", 0.049),
        ("gcp", "gke", "cluster", 0.10),
        ("gcp", "gcs", "STANDARD", 0.020),
    ];
    for (prov, table, item, expected) in published {
        let got = p
            .get(prov, table, None, item)
            .map(|f| f.price)
            .unwrap_or_else(|| panic!("{prov}.{table}.{item} missing"));
        assert!(
            (got - expected).abs() <= expected * 0.01,
            "{prov}.{table}.{item}: {got} vs published {expected}"
        );
    }
}

#[test]
fn rds_multi_az_doubles_instance_and_storage() {
    let mut f = Fixture::new();
    f.stack("s", Provider::Aws, |s| {
        s.set("region", "us-east-1");
    });
    f.resource("db", "aws.rds.DBInstance", |r| {
        r.set("instance_class", "db.r6g.large")
            .set("engine", "postgres")
            .set("allocated_storage", gib(100.0))
            .set("multi_az", true);
    });
    let (_, r) = report(f);
    // 0.225 × 730 × 2 + 100 × 0.115 × 2
    assert!(
        close(monthly(&r, "db"), 328.5 + 23.0),
        "{}",
        monthly(&r, "db")
    );
    assert!(close(r.monthly_total, 351.5));
    assert!(close(r.stacks["s"], 351.5));
}

#[test]
fn fargate_service_from_its_task_definition() {
    let mut f = Fixture::new();
    f.resource("td", "aws.ecs.TaskDefinition", |r| {
        r.set("cpu", 512).set("memory", gib(1.0));
    });
    f.resource("api", "aws.ecs.Service", |r| {
        r.set("task_definition", refer("td"))
            .set("desired_count", 2);
    });
    let (_, r) = report(f);
    // 2 × 0.5 vCPU × 730 × 0.04048 + 2 × 1 GB × 730 × 0.004445
    assert!(
        close(monthly(&r, "api"), 29.5504 + 6.4897),
        "{}",
        monthly(&r, "api")
    );
    assert_eq!(monthly(&r, "td"), 0.0);
}

#[test]
fn cloud_sql_custom_tier_regional() {
    let mut f = Fixture::new();
    f.stack("g", Provider::Gcp, |s| {
        s.set("project", "p").set("region", "us-central1");
    });
    f.resource("sql", "gcp.sql.DatabaseInstance", |r| {
        r.set("tier", "db-custom-2-7680")
            .set("availability_type", "REGIONAL")
            .set("disk_size", gib(50.0));
    });
    f.resource("redis", "gcp.redis.Instance", |r| {
        r.set("tier", "BASIC").set("memory_size", gib(1.0));
    });
    let (_, r) = report(f);
    // (2 × 0.0413 + 7.5 × 0.007) × 730 × 2 + 50 × 0.17 × 2
    assert!(
        close(monthly(&r, "sql"), 197.246 + 17.0),
        "{}",
        monthly(&r, "sql")
    );
    assert!(
        close(monthly(&r, "redis"), 35.77),
        "{}",
        monthly(&r, "redis")
    );
}

#[test]
fn missing_regional_price_falls_back_with_a_note() {
    let mut f = Fixture::new();
    f.stack("s", Provider::Aws, |s| {
        s.set("region", "ap-southeast-2");
    });
    f.resource("vm", "aws.ec2.Instance", |r| {
        r.set("instance_type", "t3.micro");
    });
    f.resource("odd", "aws.ec2.Instance", |r| {
        r.set("instance_type", "x9.huge");
    });
    let (_, r) = report(f);
    let vm = r.resources.iter().find(|l| l.name == "vm").expect("vm");
    assert!(close(vm.monthly, 0.0104 * 730.0));
    assert!(
        vm.details[0].source.contains("us-east-1 price"),
        "{}",
        vm.details[0].source
    );
    let odd = r.resources.iter().find(|l| l.name == "odd").expect("odd");
    assert_eq!(odd.monthly, 0.0);
    assert_eq!(odd.notes, vec!["no ec2 price for `x9.huge`".to_string()]);
}

#[test]
fn usage_assumptions_price_storage() {
    let mut f = Fixture::new();
    f.resource("uploads", "aws.s3.Bucket", |r| {
        r.set("versioning", true);
    });
    let (model, _) = f.finish();
    let mut usage = UsageAssumptions::default();
    assert_eq!(
        estimate(&model, &Schemas::default(), &usage).monthly_total,
        0.0
    );
    usage
        .per_resource
        .entry("uploads".into())
        .or_default()
        .insert("storage_gib".into(), 1000.0);
    assert!(close(
        estimate(&model, &Schemas::default(), &usage).monthly_total,
        23.0
    ));
}

fn sample() -> CostReport {
    let mut f = Fixture::new();
    f.env("prod");
    f.stack("shop", Provider::Aws, |s| {
        s.set("region", "us-east-1").budget(500.0);
    });
    f.resource("key", "aws.kms.Key", |r| {
        r.set("rotation", true);
    });
    f.resource("db", "aws.rds.DBInstance", |r| {
        r.set("instance_class", "db.t4g.medium")
            .set("allocated_storage", gib(20.0));
    });
    f.resource("cache", "aws.elasticache.ReplicationGroup", |r| {
        r.set("node_type", "cache.t4g.small").set("replicas", 1);
    });
    f.resource("nat", "aws.ec2.NatGateway", |_| {});
    f.resource("lb", "aws.elbv2.LoadBalancer", |_| {});
    f.resource("jobs", "aws.sqs.Queue", |_| {});
    report(f).1
}

#[test]
fn renderers() {
    let r = sample();
    // Sorted by monthly cost, then name.
    let names: Vec<&str> = r.resources.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["db", "cache", "nat", "lb", "key", "jobs"]);
    let sum: f64 = r.resources.iter().map(|l| l.monthly).sum();
    assert!(close(sum, r.monthly_total));
    insta::assert_snapshot!("cost_table", to_table(&r));
    insta::assert_snapshot!("cost_markdown", to_markdown(&r));
    let json = to_json(&r);
    assert_eq!(json["currency"], "USD");
    assert!(json["monthly_total"].is_number());
    for line in json["resources"].as_array().expect("resources") {
        assert!(
            line["name"].is_string() && line["type"].is_string() && line["monthly"].is_number()
        );
    }
    insta::assert_json_snapshot!("cost_json", json);
}

#[test]
fn deterministic() {
    let a = serde_json::to_string(&to_json(&sample())).expect("json");
    let b = serde_json::to_string(&to_json(&sample())).expect("json");
    assert_eq!(a, b);
}
