//! Time parsing and semantic analysis of one file: `cargo run --release -p strata-semantics
//! --example analyze -- FILE`. Prints phase timings and the number of diagnostics.

use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use strata_base::SourceMap;
use strata_semantics::{analyze, NoImports, Options};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: analyze FILE.strata");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let t0 = Instant::now();
    let (_, d) = strata_syntax::parse(strata_base::FileId(0), &text);
    let parse = t0.elapsed();
    let mut sources = SourceMap::new();
    let id = sources.add(path.clone(), text, false);
    let t1 = Instant::now();
    let (analysis, diags) = analyze(&mut sources, &[id], &NoImports, &Options::default());
    let total = t1.elapsed();
    println!(
        "parse {:.1} ms ({} syntax diagnostics), parse+analyze {:.1} ms, {} resources, {} diagnostics",
        parse.as_secs_f64() * 1e3,
        d.len(),
        total.as_secs_f64() * 1e3,
        analysis.model.resources.len(),
        diags.len()
    );
    let m = &analysis.model;
    let (with, entries, bytes) =
        m.resources
            .iter()
            .filter_map(|r| m.sites.get(r.id))
            .fold((0, 0, 0), |(n, e, b), s| {
                let parts = s.values.iter().chain(&s.args);
                let text: usize = parts.clone().map(|(p, _)| p.len()).sum();
                let len = s.values.len() + s.args.len();
                (
                    n + 1,
                    e + len,
                    b + text + len * std::mem::size_of::<(Box<str>, strata_base::Span)>(),
                )
            });
    println!("sites: {with} resources, {entries} entries, about {bytes} bytes of table");
    for d in diags.iter().take(5) {
        println!("  {} {}", d.code, d.message);
    }
}
