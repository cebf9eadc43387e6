//! Every rule over 10,000 resources (target: ≤ 150 ms in release on the CI machines).
//!
//! `cargo bench -p strata-policy` — the model is synthetic: stacks of a typical web
//! architecture (network, load balancer, services, databases, caches, buckets, queues, keys,
//! security groups, Kubernetes workloads) repeated until 10,000 resources, with references
//! between them and user path policies.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

fn bench(c: &mut Criterion) {
    let (model, schemas) = synthetic::model(10_000);
    let (graph, _) = strata_graph::build(&model);
    let config = strata_policy::PolicyConfig::default();
    let mut g = c.benchmark_group("policy");
    g.sample_size(20);
    g.bench_function("check_10k", |b| {
        b.iter(|| black_box(strata_policy::check(&model, &schemas, &graph, &config)))
    });
    g.bench_function("estimate_10k", |b| {
        b.iter(|| {
            black_box(strata_policy::estimate(
                &model,
                &schemas,
                &strata_policy::UsageAssumptions::default(),
            ))
        })
    });
    g.bench_function("graph_build_10k", |b| {
        b.iter(|| black_box(strata_graph::build(&model)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
