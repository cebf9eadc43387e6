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

/// Published on-demand prices the tables must match within 1 %, in several regions of every
/// cloud and for every priced family. Each table of `stdlib/prices` names its source page and
/// the date it was read; the regional figures of GCP Compute Engine and Cloud Storage are those
/// of Google's Cloud Billing Catalog (price list of 2025-03-06).
#[test]
fn common_classes_match_published_prices() {
    let p = Prices::stdlib();
    let regional: &[(&str, &str, &str, &str, f64)] = &[
        ("aws", "ec2", "us-east-2", "m5.large", 0.096),
        ("aws", "ec2", "us-west-2", "t3.medium", 0.0416),
        ("aws", "ec2", "us-west-1", "m5.large", 0.112),
        ("aws", "ec2", "eu-west-1", "t3.micro", 0.0114),
        ("aws", "ec2", "eu-west-1", "m5.large", 0.107),
        ("aws", "ec2", "eu-central-1", "t3.micro", 0.012),
        ("aws", "ec2", "eu-central-1", "m5.large", 0.115),
        ("aws", "ec2", "eu-west-2", "m5.large", 0.111),
        ("aws", "ec2", "ap-southeast-1", "m5.large", 0.12),
        ("aws", "ec2", "ap-southeast-2", "t3.micro", 0.0132),
        ("aws", "ec2", "ap-northeast-1", "m5.large", 0.124),
        ("aws", "ec2", "ap-south-1", "m5.large", 0.101),
        ("aws", "ec2", "ca-central-1", "m5.large", 0.107),
        ("aws", "ec2", "sa-east-1", "m5.large", 0.153),
        ("aws", "network", "eu-west-1", "nat_gateway", 0.048),
        ("aws", "network", "eu-central-1", "nat_gateway", 0.052),
        ("aws", "network", "ap-southeast-1", "nat_gateway", 0.059),
        ("aws", "network", "ap-northeast-1", "nat_gateway", 0.062),
        ("aws", "network", "sa-east-1", "nat_gateway", 0.093),
        ("aws", "elb", "eu-west-1", "application", 0.0252),
        ("aws", "elb", "eu-central-1", "application", 0.027),
        ("aws", "elb", "ap-south-1", "application", 0.0239),
        ("aws", "ebs", "eu-west-1", "gp3", 0.088),
        ("aws", "ebs", "eu-central-1", "gp3", 0.0952),
        ("aws", "ebs", "sa-east-1", "gp3", 0.152),
        ("aws", "s3", "eu-central-1", "STANDARD", 0.0245),
        ("aws", "fargate", "eu-west-1", "vcpu", 0.04456),
        ("aws", "rds_storage", "eu-west-1", "gp3", 0.127),
        ("aws", "eks", "eu-central-1", "cluster", 0.10),
        ("aws", "waf", "eu-west-1", "web_acl", 5.0),
        ("aws", "route53", "ap-southeast-1", "hosted_zone", 0.50),
        ("gcp", "compute", "us-east1", "e2-standard-2", 0.06701142),
        ("gcp", "compute", "us-east4", "e2-standard-2", 0.07547082),
        (
            "gcp",
            "compute",
            "europe-west1",
            "e2-standard-2",
            0.07371546,
        ),
        (
            "gcp",
            "compute",
            "europe-west1",
            "e2-standard-8",
            0.29486184,
        ),
        (
            "gcp",
            "compute",
            "europe-west4",
            "e2-standard-2",
            0.07377204,
        ),
        (
            "gcp",
            "compute",
            "europe-west2",
            "e2-standard-2",
            0.08633556,
        ),
        (
            "gcp",
            "compute",
            "europe-west3",
            "e2-standard-4",
            0.17267112,
        ),
        (
            "gcp",
            "compute",
            "asia-northeast1",
            "e2-standard-2",
            0.08596572,
        ),
        (
            "gcp",
            "compute",
            "asia-southeast1",
            "e2-standard-2",
            0.08266614,
        ),
        (
            "gcp",
            "compute",
            "australia-southeast1",
            "e2-standard-2",
            0.095082,
        ),
        (
            "gcp",
            "compute",
            "us-central1",
            "e2-standard-16",
            0.53609136,
        ),
        ("gcp", "gcs", "europe-west2", "STANDARD", 0.023),
        ("gcp", "gcs", "asia-southeast1", "STANDARD", 0.02),
        ("gcp", "gcs", "us-east4", "STANDARD", 0.023),
        ("gcp", "gke", "europe-west1", "cluster", 0.10),
        (
            "gcp",
            "load_balancing",
            "us-central1",
            "first_five_rules",
            0.025,
        ),
        (
            "gcp",
            "load_balancing",
            "us-central1",
            "additional_rule",
            0.01,
        ),
        ("gcp", "pd", "us-central1", "pd-balanced", 0.10),
        ("gcp", "pd", "us-central1", "pd-ssd", 0.17),
        ("gcp", "memorystore", "us-central1", "STANDARD_HA_M1", 0.064),
        ("gcp", "cloudsql_storage", "us-central1", "PD_SSD", 0.17),
        ("gcp", "armor", "europe-west1", "policy", 5.0),
        ("azure", "vm", "eastus", "Standard_D2s_v5", 0.096),
        ("azure", "vm", "eastus", "Standard_B2s", 0.0416),
        ("azure", "redis", "eastus", "Standard_C1", 0.138),
        ("azure", "redis", "eastus", "Premium_P1", 0.554),
        (
            "azure",
            "postgres_flexible",
            "eastus",
            "B_Standard_B1ms",
            0.017,
        ),
        (
            "azure",
            "postgres_flexible",
            "eastus",
            "GP_Standard_D2ds_v5",
            0.178,
        ),
        ("azure", "postgres_storage", "eastus", "storage", 0.115),
        ("azure", "aks", "westeurope", "standard", 0.10),
        ("azure", "servicebus", "eastus", "Standard", 0.0135),
        ("azure", "servicebus", "eastus", "Premium", 0.928),
        ("azure", "blob", "eastus", "Hot", 0.018),
        ("azure", "keyvault", "eastus", "hsm_rsa_2048", 1.0),
    ];
    for &(prov, table, region, item, expected) in regional {
        let f = p
            .get(prov, table, Some(region), item)
            .unwrap_or_else(|| panic!("{prov}.{table}.{region}.{item} missing"));
        assert_eq!(
            f.basis,
            strata_policy::cost::Basis::Listed,
            "{prov}.{table}.{region}.{item} is not a listed price"
        );
        assert!(
            (f.price - expected).abs() <= expected * 0.01,
            "{prov}.{table}.{region}.{item}: {} vs published {expected}",
            f.price
        );
    }
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
    assert!(
        regional.len() + published.len() >= 60,
        "at least 60 published prices"
    );
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
        s.set("region", "af-south-1");
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
    assert_eq!(
        vm.fallback.as_deref(),
        Some("no prices for af-south-1: priced with us-east-1's")
    );
    let json = to_json(&r);
    assert_eq!(json["resources"][0]["price_basis"], "fallback");
    assert!(to_table(&r).contains("* fallback: no prices for af-south-1"));
    assert!(to_markdown(&r).contains("fallback: no prices for af-south-1"));
    let odd = r.resources.iter().find(|l| l.name == "odd").expect("odd");
    assert_eq!(odd.monthly, 0.0);
    assert_eq!(
        odd.notes,
        vec!["no aws ec2 price for `x9.huge`".to_string()]
    );
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

fn line<'a>(r: &'a CostReport, name: &str) -> &'a strata_policy::CostLine {
    r.resources
        .iter()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("no line {name}"))
}

/// Estimate a model as written (no stdlib defaults: generated-layer types).
fn raw(f: Fixture) -> CostReport {
    let (model, _) = f.finish();
    estimate(&model, &Schemas::default(), &UsageAssumptions::default())
}

#[test]
fn regional_gke_pool_is_nodes_per_zone_times_zones_with_disks() {
    let mut f = Fixture::new();
    f.stack("g", Provider::Gcp, |s| {
        s.set("project", "p").set("region", "europe-west1");
    });
    f.resource("gke", "gcp.container.Cluster", |_| {});
    f.resource("pool", "gcp.container.NodePool", |r| {
        r.set("cluster", refer("gke"))
            .set("machine_type", "e2-standard-8")
            .set("min_node_count", 2)
            .set("max_node_count", 10)
            .set("disk_size", gib(100.0));
    });
    f.resource("zonal", "gcp.container.Cluster", |r| {
        r.set("location", "europe-west1-b");
    });
    f.resource("zpool", "gcp.container.NodePool", |r| {
        r.set("cluster", refer("zonal"))
            .set("machine_type", "e2-standard-2")
            .set("node_count", 1)
            .set("disk_size", gib(50.0));
    });
    let r = raw(f);
    // 6 × 0.29486184 × 730 + 600 GB × 0.10 × 1.10004 (europe-west1 multiplier)
    let pool = line(&r, "pool");
    assert!(
        close(pool.monthly, 6.0 * 0.29486184 * 730.0 + 600.0 * 0.110004),
        "{}",
        pool.monthly
    );
    assert_eq!(pool.sizing["zones"], "3");
    assert_eq!(pool.sizing["count"], "6");
    // A zonal pool: 1 node, one disk.
    let z = line(&r, "zpool");
    assert!(
        close(z.monthly, 0.07371546 * 730.0 + 50.0 * 0.110004),
        "{}",
        z.monthly
    );
}

#[test]
fn generated_layer_types_are_priced_like_their_service() {
    let mut f = Fixture::new();
    f.stack("a", Provider::Aws, |s| {
        s.set("region", "us-east-1");
    });
    f.resource("db", "cfn.AWS.RDS.DBInstance", |r| {
        r.set("DBInstanceClass", "db.r6g.large")
            .set("Engine", "postgres")
            .set("AllocatedStorage", "100")
            .set("MultiAZ", true);
    });
    f.resource("tfdb", "tf.aws_db_instance", |r| {
        r.set("instance_class", "db.r6g.large")
            .set("engine", "postgres")
            .set("allocated_storage", 100)
            .set("multi_az", true);
    });
    f.resource("ng", "tf.aws_eks_node_group", |r| {
        r.set("instance_types", list([v("m5.large")]))
            .set(
                "scaling_config",
                list([rec([
                    ("desired_size", v(3)),
                    ("min_size", v(1)),
                    ("max_size", v(5)),
                ])]),
            )
            .set("disk_size", 50);
    });
    f.resource("cache", "cfn.AWS.ElastiCache.ReplicationGroup", |r| {
        r.set("CacheNodeType", "cache.r6g.large")
            .set("NumNodeGroups", 2)
            .set("ReplicasPerNodeGroup", 1);
    });
    f.resource("nat", "tf.aws_nat_gateway", |_| {});
    f.resource("alb", "cfn.AWS.ElasticLoadBalancingV2.LoadBalancer", |r| {
        r.set("Type", "application");
    });
    f.resource("pool", "tf.google_container_node_pool", |r| {
        r.set("location", "us-central1").set("node_count", 1).set(
            "node_config",
            list([rec([
                ("machine_type", v("e2-standard-4")),
                ("disk_size_gb", v(100)),
            ])]),
        );
    });
    f.resource("sql", "tf.google_sql_database_instance", |r| {
        r.set("region", "us-central1").set(
            "settings",
            list([rec([
                ("tier", v("db-custom-2-7680")),
                ("availability_type", v("REGIONAL")),
                ("disk_size", v(50)),
            ])]),
        );
    });
    f.resource("redis", "tf.google_redis_instance", |r| {
        r.set("region", "us-central1")
            .set("tier", "STANDARD_HA")
            .set("memory_size_gb", 5);
    });
    f.resource("pg", "tf.azurerm_postgresql_flexible_server", |r| {
        r.set("location", "eastus")
            .set("sku_name", "GP_Standard_D2ds_v5")
            .set("storage_mb", 32768)
            .set(
                "high_availability",
                list([rec([("mode", v("ZoneRedundant"))])]),
            );
    });
    let r = raw(f);
    let rds = 0.225 * 730.0 * 2.0 + 100.0 * 0.115 * 2.0;
    assert!(
        close(line(&r, "db").monthly, rds),
        "{}",
        line(&r, "db").monthly
    );
    assert!(close(line(&r, "tfdb").monthly, rds));
    assert!(close(
        line(&r, "ng").monthly,
        3.0 * 0.096 * 730.0 + 150.0 * 0.08
    ));
    assert!(close(line(&r, "cache").monthly, 4.0 * 0.206 * 730.0));
    assert!(close(line(&r, "nat").monthly, 0.045 * 730.0));
    assert!(close(line(&r, "alb").monthly, 0.0225 * 730.0));
    // Regional pool (location is a region): 3 zones × 1 node + 3 disks of 100 GB.
    assert!(close(
        line(&r, "pool").monthly,
        3.0 * 0.134012 * 730.0 + 300.0 * 0.10
    ));
    assert!(
        close(line(&r, "sql").monthly, 197.246 + 17.0),
        "{}",
        line(&r, "sql").monthly
    );
    assert!(close(line(&r, "redis").monthly, 5.0 * 0.054 * 730.0));
    // Zone-redundant HA: compute and storage twice.
    assert!(
        close(
            line(&r, "pg").monthly,
            0.178 * 730.0 * 2.0 + 32.0 * 0.115 * 2.0
        ),
        "{}",
        line(&r, "pg").monthly
    );
}

#[test]
fn waf_rules_forwarding_rules_and_cloud_map() {
    let mut f = Fixture::new();
    f.stack("a", Provider::Aws, |s| {
        s.set("region", "us-east-1");
    });
    f.resource("waf", "aws.wafv2.WebACL", |r| {
        r.set("managed_rules", list([v("A"), v("B"), v("C")]))
            .set("rate_limit", 2000);
    });
    f.resource("ns", "aws.servicediscovery.PrivateDnsNamespace", |r| {
        r.set("namespace_name", "svc.local");
    });
    f.resource("disc", "aws.servicediscovery.Service", |r| {
        r.set("namespace", refer("ns"));
    });
    f.resource("svc", "aws.ecs.Service", |r| {
        r.set("desired_count", 3)
            .set("service_registry", refer("disc"));
    });
    let r = raw(f);
    // Web ACL + 3 managed rule groups + 1 rate-based rule.
    assert!(close(line(&r, "waf").monthly, 5.0 + 4.0));
    assert_eq!(line(&r, "waf").sizing["rules"], "4");
    assert!(close(line(&r, "ns").monthly, 0.50));
    assert!(close(line(&r, "disc").monthly, 0.30));

    let mut f = Fixture::new();
    f.stack("g", Provider::Gcp, |s| {
        s.set("project", "p").set("region", "us-central1");
    });
    for i in 0..7 {
        f.resource(
            &format!("rule{i}"),
            "gcp.compute.GlobalForwardingRule",
            |_| {},
        );
    }
    let r = raw(f);
    // Per project: the first five together, then each one.
    assert!(close(line(&r, "rule0").monthly, 0.025 * 730.0));
    assert_eq!(line(&r, "rule3").monthly, 0.0);
    assert!(close(line(&r, "rule5").monthly, 0.01 * 730.0));
    assert!(close(r.monthly_total, (0.025 + 0.02) * 730.0));
}

#[test]
fn usage_based_types_say_what_to_set_and_use_the_usage_file() {
    let mut f = Fixture::new();
    f.stack("a", Provider::Aws, |s| {
        s.set("region", "us-east-1");
    });
    f.resource("q", "aws.sqs.Queue", |_| {});
    let (model, _) = f.finish();
    let r = estimate(&model, &Schemas::default(), &UsageAssumptions::default());
    let q = line(&r, "q");
    assert_eq!(q.pricing, "usage-based");
    assert!(q.notes[0].contains("requests_millions"), "{:?}", q.notes);
    assert!(to_table(&r).contains("usage-based, not in the total"));
    let mut usage = UsageAssumptions::default();
    usage
        .per_resource
        .entry("q".into())
        .or_default()
        .insert("requests_millions".into(), 10.0);
    let r = estimate(&model, &Schemas::default(), &usage);
    assert!(close(line(&r, "q").monthly, 4.0));
}

#[test]
fn budget_status_in_every_format() {
    let r = sample();
    assert!(!r.budgets["shop"].exceeded);
    assert!(to_markdown(&r).contains("of its $500.00 budget: within it"));
    let mut f = Fixture::new();
    f.stack("shop", Provider::Aws, |s| {
        s.set("region", "us-east-1").budget(10.0);
    });
    f.resource("nat", "aws.ec2.NatGateway", |_| {});
    let r = raw(f);
    assert!(r.budgets["shop"].exceeded);
    let md = to_markdown(&r);
    assert!(
        md.contains("❌ stack `shop`: $32.85 of its $10.00 budget: exceeded by $22.85"),
        "{md}"
    );
    assert!(to_table(&r).contains("exceeded by $22.85"));
    assert_eq!(to_json(&r)["budgets"]["shop"]["exceeded"], true);
}

#[test]
fn compare_to_a_baseline() {
    use strata_policy::cost::compare;
    let base_report = sample();
    let base_json = serde_json::to_string(&to_json(&base_report)).expect("json");
    let base = compare::parse_baseline(&base_json).expect("baseline");
    // The change: a bigger database class, one more cache replica, the NAT gateway removed,
    // a new load balancer.
    let mut f = Fixture::new();
    f.env("prod");
    f.stack("shop", Provider::Aws, |s| {
        s.set("region", "us-east-1").budget(500.0);
    });
    f.resource("key", "aws.kms.Key", |r| {
        r.set("rotation", true);
    });
    f.resource("db", "aws.rds.DBInstance", |r| {
        r.set("instance_class", "db.r6g.large")
            .set("allocated_storage", gib(20.0));
    });
    f.resource("cache", "aws.elasticache.ReplicationGroup", |r| {
        r.set("node_type", "cache.t4g.small").set("replicas", 2);
    });
    f.resource("lb", "aws.elbv2.LoadBalancer", |_| {});
    f.resource("lb2", "aws.elbv2.LoadBalancer", |_| {});
    f.resource("jobs", "aws.sqs.Queue", |_| {});
    let (_, now) = report(f);
    let c = compare::compare(&base, &now);
    assert!(close(c.baseline_total, base_report.monthly_total));
    assert!(close(
        c.difference,
        now.monthly_total - base_report.monthly_total
    ));
    let by = |n: &str| {
        c.changes
            .iter()
            .find(|x| x.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert_eq!(by("db").change, "changed");
    assert!(
        by("db")
            .reasons
            .contains(&"class db.t4g.medium → db.r6g.large".to_string()),
        "{:?}",
        by("db").reasons
    );
    assert!(
        by("cache").reasons.contains(&"count 2 → 3".to_string()),
        "{:?}",
        by("cache").reasons
    );
    assert_eq!(by("nat").change, "removed");
    assert_eq!(by("lb2").change, "added");
    assert!(c.changes.iter().all(|x| x.name != "key"));
    let table = compare::to_table(&c, &now);
    assert!(table.starts_with("baseline"), "{table}");
    let md = compare::to_markdown(&c, &now);
    assert!(
        md.contains("<details open>") && md.contains("| Baseline |") && md.contains("budget"),
        "{md}"
    );
    let json = compare::to_json_compare(&c, &now);
    assert!(json["baseline_total"].is_number() && json["difference"].is_number());
    assert_eq!(
        json["changes"].as_array().map(Vec::len),
        Some(c.changes.len())
    );
    // The comparison's JSON is itself a baseline.
    assert!(compare::parse_baseline(&json.to_string()).is_ok());
    insta::assert_snapshot!("compare_markdown", md);
    insta::assert_snapshot!("compare_table", table);
}

#[test]
fn a_baseline_that_is_not_an_estimate_is_refused() {
    use strata_policy::cost::compare::parse_baseline;
    assert!(parse_baseline("not json").is_err());
    assert!(parse_baseline("[]").is_err());
    assert!(parse_baseline(r#"{"diagnostics": []}"#)
        .unwrap_err()
        .contains("currency"));
    assert!(parse_baseline(
        r#"{"currency": "USD", "monthly_total": 1, "resources": [{"name": 1}]}"#
    )
    .is_err());
}
