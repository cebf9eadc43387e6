//! The parser never panics, and formatting a file without syntax errors is idempotent and
//! keeps its meaning (the formatted text parses to the same tree, spans aside).
#![no_main]
use libfuzzer_sys::fuzz_target;
use strata_base::FileId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (tree, diags) = strata_syntax::parse(FileId(0), text);
    if !diags.is_empty() {
        return;
    }
    if let Ok(once) = strata_syntax::format_source(text) {
        let (tree2, diags2) = strata_syntax::parse(FileId(0), &once);
        assert!(diags2.is_empty(), "formatted text has syntax errors:\n{once}");
        assert_eq!(strata_syntax::dump(&tree), strata_syntax::dump(&tree2), "formatting changed the tree");
        let twice = strata_syntax::format_source(&once).expect("formatted text formats");
        assert_eq!(once, twice, "formatting is not idempotent");
    }
});
