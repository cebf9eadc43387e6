//! Throughput of `to_targets` (and `lower_portable`) on a large hand-built model:
//! `cargo run --release -p strata-lower --example lower_bench [N]` (default 10,000 resources, spread
//! over an AWS, a GCP and a Kubernetes stack, so all four targets are written).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeMap;
use std::time::Instant;
use strata_base::{SourceMap, Span};
use strata_model::{Model, Provider, Ref, Resource, ResourceId, Schemas, Stack, Value};

/// CPU time of the whole process so far (user + system), from /proc (Linux), in ms.
fn cpu_ms() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(after) = stat.rsplit_once(')').map(|x| x.1) else {
        return 0.0;
    };
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) * 10.0
}

fn defaults(schemas: &Schemas, ty: &str) -> BTreeMap<String, Value> {
    schemas
        .get(ty)
        .map(|s| {
            s.fields
                .iter()
                .filter_map(|(k, f)| f.default.clone().map(|d| (k.clone(), d)))
                .collect()
        })
        .unwrap_or_default()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let mut sources = SourceMap::new();
    let id = sources.add("main.strata", String::new(), false);
    let (analysis, _) = strata_semantics::analyze(
        &mut sources,
        &[id],
        &strata_semantics::NoImports,
        &Default::default(),
    );
    let schemas = analysis.schemas;

    let stack = |name: &str, p: Provider, cfg: &[(&str, &str)]| Stack {
        name: name.into(),
        provider: p,
        provider_config: cfg
            .iter()
            .map(|(k, v)| (k.to_string(), Value::str(v.to_string())))
            .collect(),
        budget: None,
        budget_span: None,
        tags: [("team".to_string(), "platform".to_string())]
            .into_iter()
            .collect(),
        span: Span::default(),
        backend: None,
    };
    let mut model = Model {
        stacks: vec![
            stack("aws", Provider::Aws, &[("region", "us-east-1")]),
            stack(
                "gcp",
                Provider::Gcp,
                &[("project", "acme-bench"), ("region", "europe-west1")],
            ),
            stack("k8s", Provider::Kubernetes, &[("namespace", "bench")]),
            stack("portable", Provider::Aws, &[("region", "eu-west-1")]),
        ],
        ..Model::default()
    };
    let push = |model: &mut Model,
                name: String,
                ty: &str,
                stack: usize,
                extra: Vec<(&str, Value)>|
     -> ResourceId {
        let rid = ResourceId(model.resources.len() as u32);
        let mut props = defaults(&schemas, ty);
        for (k, v) in extra {
            props.insert(k.to_string(), v);
        }
        let provider = schemas.get(ty).map_or(Provider::None, |s| s.provider);
        model.resources.push(Resource {
            id: rid,
            name,
            ty: ty.into(),
            provider,
            props,
            prop_spans: BTreeMap::new(),
            depends_on: Vec::new(),
            name_span: Span::default(),
            span: Span::default(),
            stack: Some(stack),
            lowered_from: None,
            existing: false,
            doc: None,
        });
        rid
    };
    let r = |id: ResourceId, name: &str, attr: Option<&str>| {
        Value::Ref(Ref {
            resource: id,
            name: name.into(),
            attr: attr.map(str::to_string),
        })
    };
    let mut i = 0;
    while model.resources.len() < n {
        let k = push(&mut model, format!("key{i}"), "aws.kms.Key", 0, vec![]);
        push(
            &mut model,
            format!("bucket{i}"),
            "aws.s3.Bucket",
            0,
            vec![("encryption", r(k, "key", None))],
        );
        let dlq = push(&mut model, format!("dlq{i}"), "aws.sqs.Queue", 0, vec![]);
        push(
            &mut model,
            format!("queue{i}"),
            "aws.sqs.Queue",
            0,
            vec![(
                "dead_letter",
                Value::Record(
                    [
                        ("queue".to_string(), r(dlq, "dlq", None)),
                        ("max_receives".to_string(), Value::Int(5)),
                    ]
                    .into_iter()
                    .collect(),
                ),
            )],
        );
        push(
            &mut model,
            format!("db{i}"),
            "aws.rds.DBInstance",
            0,
            vec![
                ("engine_version", Value::Str("16".into())),
                ("instance_class", Value::Str("db.t4g.small".into())),
                ("kms_key", r(k, "key", None)),
            ],
        );
        push(
            &mut model,
            format!("gbucket{i}"),
            "gcp.storage.Bucket",
            1,
            vec![],
        );
        push(
            &mut model,
            format!("topic{i}"),
            "gcp.pubsub.Topic",
            1,
            vec![],
        );
        let container: Value = Value::Record(
            defaults(&schemas, "k8s.Deployment")
                .into_iter()
                .take(0)
                .chain([
                    ("image".to_string(), Value::Str("nginx:1.27".into())),
                    ("port".to_string(), Value::Int(8080)),
                ])
                .collect(),
        );
        let d = push(
            &mut model,
            format!("app{i}"),
            "k8s.Deployment",
            2,
            vec![("containers", Value::list(vec![container]))],
        );
        push(
            &mut model,
            format!("svc{i}"),
            "k8s.Service",
            2,
            vec![
                ("target", r(d, "app", None)),
                (
                    "ports",
                    Value::list(vec![Value::Record(
                        [("port".to_string(), Value::Int(80))].into_iter().collect(),
                    )]),
                ),
            ],
        );
        push(&mut model, format!("q{i}"), "portable.Queue", 3, vec![]);
        i += 1;
    }
    let total = model.resources.len();

    let t = Instant::now();
    let c0 = cpu_ms();
    let (lowered, d1) = strata_lower::lower_portable(model, &schemas);
    let t_lower = t.elapsed();
    let c1 = cpu_ms();
    let t = Instant::now();
    let (programs, d2) = strata_lower::to_targets(&lowered, &schemas, None);
    let t_targets = t.elapsed();
    let c2 = cpu_ms();
    println!("CPU time: lower_portable {:.0} ms, to_targets {:.0} ms (wall clock depends on the machine's load)", c1 - c0, c2 - c1);
    let written: usize = programs.iter().map(|p| p.resources.len()).sum();
    println!(
        "{total} resources ({} after lowering): lower_portable {:.1} ms, to_targets {:.1} ms -> {} programs, {written} target resources; {} + {} diagnostics",
        lowered.resources.len(),
        t_lower.as_secs_f64() * 1e3,
        t_targets.as_secs_f64() * 1e3,
        programs.len(),
        d1.len(),
        d2.len()
    );
    for d in d1.iter().chain(d2.iter()).take(5) {
        println!("  {}: {}", d.code, d.message);
    }
}
