//! Lowering and emission never panic on any program that is valid input (policy and budget
//! findings do not stop lowering here: `strata compile` refuses to write then, but lowering
//! must still cope), and every emitted file is produced deterministically.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use strata_driver::{check, CheckOptions, MemoryWorld};

fuzz_target!(|data: &[u8]| {
    let world = MemoryWorld::new().with("/project/main.strata", data.to_vec());
    let outcome = check(&world, Path::new("/project"), &CheckOptions::default());
    if outcome.diagnostics.iter().any(|d| d.severity == strata_base::Severity::Error && strata_driver::is_input_code(&d.code)) {
        return;
    }
    let (programs, diags) = strata_lower::to_targets(&outcome.model, &outcome.analysis.schemas, None);
    if diags.iter().any(|d| d.severity == strata_base::Severity::Error) {
        return;
    }
    let opts = strata_emit::EmitOptions::default();
    let first = strata_emit::emit(&programs, &opts);
    let second = strata_emit::emit(&programs, &opts);
    if let (Ok(a), Ok(b)) = (&first, &second) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x.path, y.path);
            assert_eq!(x.contents, y.contents, "non-deterministic output for {}", x.path);
        }
    }
});
