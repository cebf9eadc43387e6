//! A synthetic model of `n` resources for the benchmark and the scale test: copies of a web
//! architecture (network, security group, load balancer with listener and target group,
//! services, database, cache, bucket, key, queue, NAT gateway, Kubernetes workloads) with
//! references between them, three environments, and user path policies.

#![allow(dead_code)]

use std::collections::BTreeMap;
use strata_base::units::Dimension;
use strata_base::{FileId, Severity, Span};
use strata_model::{
    Model, PathRule, Provider, Quantity, Ref, Resource, ResourceId, Schemas, Stack, UserPolicy,
    Value,
};

fn s(x: &str) -> Value {
    Value::str(x.to_string())
}

fn gib(n: f64) -> Value {
    Value::Quantity(Quantity {
        value: n * 1073741824.0,
        dimension: Dimension::Size,
        unit: "GiB".into(),
    })
}

/// One copy of the architecture: (suffix, type, props); `@name` strings are references to the
/// resource of that name in the same copy.
/// (name suffix, type, properties) of one resource of the template.
type Entry = (&'static str, &'static str, Vec<(&'static str, Value)>);

fn template() -> Vec<Entry> {
    vec![
        (
            "vpc",
            "aws.ec2.Vpc",
            vec![("cidr", Value::Cidr("10.0.0.0/16".into()))],
        ),
        (
            "sg",
            "aws.ec2.SecurityGroup",
            vec![
                ("vpc", s("@vpc")),
                (
                    "ingress",
                    Value::list(vec![Value::record(BTreeMap::from([
                        ("port".to_string(), Value::Int(22)),
                        ("cidr".to_string(), Value::Cidr("0.0.0.0/0".into())),
                    ]))]),
                ),
            ],
        ),
        ("key", "aws.kms.Key", vec![("rotation", Value::Bool(false))]),
        (
            "bucket",
            "aws.s3.Bucket",
            vec![
                ("versioning", Value::Bool(false)),
                ("encryption", s("@key")),
            ],
        ),
        (
            "db",
            "aws.rds.DBInstance",
            vec![
                ("instance_class", s("db.r6g.2xlarge")),
                ("allocated_storage", gib(100.0)),
                ("multi_az", Value::Bool(true)),
                ("publicly_accessible", Value::Bool(false)),
                ("security_groups", Value::list(vec![s("@sg")])),
            ],
        ),
        (
            "cache",
            "aws.elasticache.ReplicationGroup",
            vec![
                ("node_type", s("cache.t4g.small")),
                ("num_cache_clusters", Value::Int(2)),
            ],
        ),
        ("queue", "aws.sqs.Queue", vec![]),
        (
            "task",
            "aws.ecs.TaskDefinition",
            vec![
                ("cpu", Value::Int(512)),
                ("memory", gib(1.0)),
                (
                    "containers",
                    Value::list(vec![Value::record(BTreeMap::from([
                        ("name".to_string(), s("api")),
                        ("image".to_string(), s("ghcr.io/acme/api:latest")),
                        (
                            "environment".to_string(),
                            Value::record(BTreeMap::from([
                                ("DB".to_string(), s("@db")),
                                ("CACHE".to_string(), s("@cache")),
                                ("QUEUE".to_string(), s("@queue")),
                                ("DB_PASSWORD".to_string(), s("hunter22-prod")),
                            ])),
                        ),
                    ]))]),
                ),
            ],
        ),
        (
            "tg",
            "aws.elbv2.TargetGroup",
            vec![("port", Value::Int(8080)), ("vpc", s("@vpc"))],
        ),
        (
            "api",
            "aws.ecs.Service",
            vec![
                ("desired_count", Value::Int(2)),
                ("task_definition", s("@task")),
                (
                    "load_balancer",
                    Value::record(BTreeMap::from([
                        ("target_group".to_string(), s("@tg")),
                        ("container".to_string(), s("api")),
                        ("port".to_string(), Value::Int(8080)),
                    ])),
                ),
            ],
        ),
        (
            "lb",
            "aws.elbv2.LoadBalancer",
            vec![
                ("internal", Value::Bool(false)),
                ("security_groups", Value::list(vec![s("@sg")])),
            ],
        ),
        (
            "listener",
            "aws.elbv2.Listener",
            vec![
                ("load_balancer", s("@lb")),
                ("forward", s("@tg")),
                ("protocol", s("HTTP")),
            ],
        ),
        ("nat", "aws.ec2.NatGateway", vec![]),
        (
            "deploy",
            "k8s.Deployment",
            vec![
                ("image", s("ghcr.io/acme/web:latest")),
                ("privileged", Value::Bool(true)),
            ],
        ),
        (
            "svc",
            "k8s.Service",
            vec![("type", s("LoadBalancer")), ("target", s("@deploy"))],
        ),
        (
            "role",
            "aws.iam.Role",
            vec![
                (
                    "assumed_by",
                    Value::record(BTreeMap::from([(
                        "service".to_string(),
                        Value::list(vec![s("ecs-tasks.amazonaws.com")]),
                    )])),
                ),
                (
                    "managed_policies",
                    Value::list(vec![s("arn:aws:iam::aws:policy/AdministratorAccess")]),
                ),
            ],
        ),
        (
            "sql",
            "gcp.sql.DatabaseInstance",
            vec![
                ("tier", s("db-custom-2-7680")),
                ("availability_type", s("REGIONAL")),
            ],
        ),
        ("gcs", "gcp.storage.Bucket", vec![("location", s("US"))]),
        (
            "fw",
            "gcp.compute.Firewall",
            vec![
                ("ports", Value::list(vec![s("22")])),
                (
                    "source_ranges",
                    Value::list(vec![Value::Cidr("0.0.0.0/0".into())]),
                ),
            ],
        ),
    ]
}

/// A model of about `n` resources (whole copies of the template) and the stdlib schemas.
pub fn model(n: usize) -> (Model, Schemas) {
    let t = template();
    let copies = n.div_ceil(t.len());
    let mut m = Model {
        env: Some("prod".into()),
        ..Model::default()
    };
    for (i, env) in ["prod", "staging", "dev"].iter().enumerate() {
        m.stacks.push(Stack {
            name: format!("stack_{env}"),
            provider: Provider::Aws,
            provider_config: BTreeMap::from([(
                "region".to_string(),
                s(if i == 0 { "us-east-1" } else { "eu-west-1" }),
            )]),
            budget: Some(1000.0),
            budget_span: Some(Span::new(FileId(0), 0, 1)),
            tags: BTreeMap::from([("env".to_string(), env.to_string())]),
            span: Span::default(),
            backend: None,
        });
    }
    let mut id = 0u32;
    for c in 0..copies {
        let base = id;
        let name_of = |suffix: &str| format!("c{c}.{suffix}");
        let index_of = |suffix: &str| {
            t.iter()
                .position(|(s, _, _)| *s == suffix)
                .map(|p| base + p as u32)
        };
        for (suffix, ty, props) in &t {
            let mut pm = BTreeMap::new();
            let mut spans = BTreeMap::new();
            fn resolve(v: &Value, f: &dyn Fn(&str) -> Option<Value>) -> Value {
                match v {
                    Value::Str(x) if x.starts_with('@') => f(&x[1..]).unwrap_or_else(|| v.clone()),
                    Value::List(l) => Value::List(l.iter().map(|x| resolve(x, f)).collect()),
                    Value::Record(r) => {
                        Value::Record(r.iter().map(|(k, x)| (k.clone(), resolve(x, f))).collect())
                    }
                    v => v.clone(),
                }
            }
            let refer = |target: &str| {
                index_of(target).map(|i| {
                    Value::Ref(Ref {
                        resource: ResourceId(i),
                        name: name_of(target),
                        attr: None,
                    })
                })
            };
            for (k, v) in props {
                pm.insert(k.to_string(), resolve(v, &refer));
                spans.insert(
                    k.to_string(),
                    Span::new(FileId(0), id as usize * 10, id as usize * 10 + 5),
                );
            }
            m.resources.push(Resource {
                id: ResourceId(id),
                name: name_of(suffix),
                ty: ty.to_string(),
                provider: Provider::parse(ty.split('.').next().unwrap_or("")).unwrap_or_default(),
                props: pm,
                prop_spans: spans,
                depends_on: vec![],
                name_span: Span::new(FileId(0), id as usize * 10, id as usize * 10 + 3),
                span: Span::new(FileId(0), id as usize * 10, id as usize * 10 + 9),
                stack: Some(c % 3),
                lowered_from: None,
                existing: false,
                doc: None,
            });
            id += 1;
        }
    }
    m.policies.push(UserPolicy {
        title: "databases are never reachable from the internet".into(),
        code: "POLICY001".into(),
        severity: Severity::Error,
        span: Span::default(),
        path_rules: vec![
            PathRule {
                from: "internet".into(),
                to: "DBInstance".into(),
                span: Span::default(),
            },
            PathRule {
                from: "c0.api".into(),
                to: "Bucket".into(),
                span: Span::default(),
            },
        ],
        violations: vec![],
    });
    let mut sources = strata_base::SourceMap::new();
    let (analysis, _) = strata_semantics::analyze(
        &mut sources,
        &[],
        &strata_semantics::NoImports,
        &strata_semantics::Options::default(),
    );
    (m, analysis.schemas)
}
