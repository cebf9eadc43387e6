//! Placeholder so the workspace loads; the policy engineer writes the real benchmark.
fn main() {}
