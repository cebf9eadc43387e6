//! Property tests: analysis never panics, whatever the input — arbitrary text, and valid
//! fixtures mutated by deleting, duplicating and swapping slices.

use proptest::prelude::*;
use std::path::Path;
use strata_base::SourceMap;
use strata_semantics::{analyze, NoImports, Options};

fn run(text: &str) {
    let mut sources = SourceMap::new();
    let id = sources.add("main.strata", text, false);
    let _ = analyze(
        &mut sources,
        &[id],
        &NoImports,
        &Options {
            env: Some("prod".into()),
            record_xrefs: true,
            ..Options::default()
        },
    );
}

fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/check");
    let mut out: Vec<String> = std::fs::read_dir(root)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    assert!(!out.is_empty(), "no seed fixtures");
    out
}

fn cut(s: &str, at: usize) -> usize {
    let mut i = at.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,400}") {
        run(&s);
    }

    #[test]
    fn token_soup_never_panics(parts in proptest::collection::vec(prop::sample::select(vec![
        "resource", "module", "let", "param", "type", "schema", "policy", "deny", "require", "path", "output", "stack",
        "import", "for", "in", "if", "x", "y", "acme.B", "{", "}", "[", "]", "(", ")", "=", ":", "?", ".", ",", "=>", "~>",
        "\"s\"", "\"${x}\"", "1", "2.5", "30d", "10 GiB", "10.0.0.0/8", "+", "-", "*", "/", "%", "==", "&&", "||", "!", "\n",
    ]), 0..80)) {
        run(&parts.join(" "));
    }

    #[test]
    fn mutated_fixtures_never_panic(seed in any::<prop::sample::Index>(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>(), op in 0u8..3) {
        let seeds = seeds();
        let s = &seeds[seed.index(seeds.len())];
        let (x, y) = (cut(s, a.index(s.len() + 1)), cut(s, b.index(s.len() + 1)));
        let (lo, hi) = (x.min(y), x.max(y));
        let mutated = match op {
            0 => format!("{}{}", &s[..lo], &s[hi..]),
            1 => format!("{}{}{}", &s[..hi], &s[lo..hi], &s[hi..]),
            _ => format!("{}{}{}", &s[hi..], &s[lo..hi], &s[..lo]),
        };
        run(&mutated);
    }
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    // On an 8 MiB thread stack (the main thread's size; the driver and language server use no less).
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(deep_nesting)
        .expect("spawn")
        .join()
        .expect("no panic");
}

fn deep_nesting() {
    for open in ["(", "[", "{a = ", "-", "!"] {
        let text = format!("let x = {}1", open.repeat(10_000));
        run(&text);
    }
    // Deep chains through names are bounded too.
    let mut text = String::new();
    for i in 0..5000 {
        text.push_str(&format!("let v{i} = v{} + 1\n", i + 1));
    }
    text.push_str("let v5000 = 0\n");
    run(&text);
}
