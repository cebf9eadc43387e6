//! Parser and formatter throughput on a generated ~100,000-line file:
//! `cargo run --release -p strata-syntax --example syntax_bench [LINES]`.
use std::time::Instant;

const UNIT: &str = include_str!("../../../tests/fixtures/syntax/valid/realistic.strata");

fn main() {
    let lines: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let per = UNIT.lines().count();
    let mut text = String::new();
    let mut i = 0;
    while i * per < lines {
        // Distinct names per copy, so the file looks like one big project.
        text.push_str(
            &UNIT
                .replace("resource ", &format!("resource r{i}_"))
                .replace("let ", &format!("let l{i}_")),
        );
        i += 1;
    }
    let n_lines = text.lines().count();
    let mb = text.len() as f64 / 1e6;
    let runs = 10;
    let mut best_parse = f64::MAX;
    let mut best_fmt = f64::MAX;
    let mut best_lex = f64::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let lexed = strata_syntax::lexer::lex(strata_base::FileId(0), &text);
        best_lex = best_lex.min(t.elapsed().as_secs_f64());
        assert!(lexed.diags.is_empty());
        drop(lexed);
        let t = Instant::now();
        let (file, diags) = strata_syntax::parse(strata_base::FileId(0), &text);
        let dt = t.elapsed().as_secs_f64();
        best_parse = best_parse.min(dt);
        assert!(diags.is_empty(), "{} diagnostics", diags.len());
        let t = Instant::now();
        let out = strata_syntax::format(&file, &text);
        best_fmt = best_fmt.min(t.elapsed().as_secs_f64());
        assert!(!out.is_empty());
    }
    println!(
        "{n_lines} lines, {mb:.1} MB: lex {:.1} ms, parse (incl. lex) {:.1} ms ({:.0} MB/s), format {:.1} ms ({:.0} MB/s)",
        best_lex * 1e3,
        best_parse * 1e3,
        mb / best_parse,
        best_fmt * 1e3,
        mb / best_fmt
    );
}
