//! Emission speed: 10,000 resources lowered to each of the four targets (40,000 target
//! resources, four files), on the default rayon pool. Target: well under 0.5 s in release on the
//! 2-core CI machines.
//!
//! `cargo bench -p strata-emit` — the programs are the synthetic ones of the determinism test
//! (nested maps, lists, references, interpolations, JSON values, blocks, awkward strings).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use strata_emit::{emit, write_outputs, EmitOptions};
use strata_model::Target;

#[path = "../tests/common/mod.rs"]
mod common;

fn bench(c: &mut Criterion) {
    let all: Vec<_> = Target::ALL
        .iter()
        .map(|t| common::synthetic(*t, 10_000))
        .collect();
    let opts = EmitOptions::default();
    let mut g = c.benchmark_group("emit");
    g.sample_size(20);
    g.bench_function("all_targets_10k_each", |b| {
        b.iter(|| black_box(emit(black_box(&all), &opts)))
    });
    g.bench_function("cloudformation_yaml_10k", |b| {
        let yaml = EmitOptions {
            cloudformation_yaml: true,
            ..EmitOptions::default()
        };
        b.iter(|| black_box(emit(&all[..1], &yaml)))
    });
    for (t, p) in Target::ALL.iter().zip(&all) {
        g.bench_function(format!("{}_10k", t.dir_name()), |b| {
            b.iter(|| black_box(emit(std::slice::from_ref(p), &opts)))
        });
    }
    let files = emit(&all, &opts).unwrap_or_default();
    for f in &files {
        eprintln!(
            "{}: {} bytes, {} lines",
            f.path,
            f.contents.len(),
            f.contents.lines().count()
        );
    }
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build();
    if let Ok(pool) = one {
        g.bench_function("all_targets_10k_each_1_thread", |b| {
            b.iter(|| pool.install(|| black_box(emit(black_box(&all), &opts))))
        });
    }
    let dir = tempfile::tempdir().ok();
    if let Some(dir) = dir {
        let out = dir.path().join("out");
        g.bench_function("write_outputs_all_targets_10k_each", |b| {
            b.iter(|| write_outputs(&out, &files, &Target::ALL))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
