//! The whole `strata check` pipeline (load, analyze, lower portable types, graph, policies,
//! cost) never panics on any input file.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use strata_driver::{check, CheckOptions, MemoryWorld};

fuzz_target!(|data: &[u8]| {
    let world = MemoryWorld::new().with("/project/main.strata", data.to_vec());
    let _ = check(&world, Path::new("/project"), &CheckOptions { env: Some("prod".into()), record_xrefs: true, target_limits: true });
});
