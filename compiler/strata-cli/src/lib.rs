//! The library half of the `strata` command: how diagnostics are printed. The binary
//! (`src/main.rs`) and the fuzz target `render` (fuzz/fuzz_targets/render.rs) share it, so that
//! the fuzzer renders exactly what the command line prints.

pub mod markdown;
pub mod render;
