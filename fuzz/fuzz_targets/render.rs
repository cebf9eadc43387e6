//! `strata check` and the printing of its diagnostics never panic on any input file: the
//! diagnostics go through the human renderer exactly as the command line prints them (with
//! and without colour; miette's graphical handler once panicked on a label past column
//! 65,535), and through the JSON and SARIF reports.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use strata_cli::render;
use strata_driver::{check, CheckOptions, MemoryWorld};

fuzz_target!(|data: &[u8]| {
    let world = MemoryWorld::new().with("/project/main.strata", data.to_vec());
    let outcome = check(&world, Path::new("/project"), &CheckOptions { env: Some("prod".into()), record_xrefs: false, target_limits: false });
    for color in [false, true] {
        let _ = render::outcome_human(&outcome, &outcome.diagnostics, color);
    }
    let sources = render::display_sources(&outcome.sources, &outcome.project);
    for d in &outcome.diagnostics {
        let _ = serde_json::to_string(&render::json_diagnostic(d, &sources));
    }
    let _ = strata_policy::sarif::to_sarif_with_policies(&outcome.diagnostics, &sources, &strata_driver::all_codes(), &outcome.model.policies);
});
