//! Shared test helpers: run the policy stage on a hand-built fixture and render the findings
//! inline under the synthetic source text.

#![allow(dead_code)]

use strata_base::{Diagnostic, SourceMap};
use strata_graph::testkit::{render_inline, Fixture};
use strata_model::{Model, Schemas};
use strata_policy::{Level, PolicyConfig};

/// A configuration with every rule off except `code`.
pub fn only(code: &str) -> PolicyConfig {
    PolicyConfig::default().with_level("all", Level::Off).with_level(code, Level::On(default_severity(code)))
}

pub fn default_severity(code: &str) -> strata_base::Severity {
    strata_policy::registry::find(code).map(|r| r.severity).unwrap_or(strata_base::Severity::Warning)
}

/// Build, graph and check a fixture; returns the model, sources and diagnostics.
pub fn run_with(f: Fixture, schemas: &Schemas, config: &PolicyConfig) -> (Model, SourceMap, Vec<Diagnostic>) {
    let (model, sources) = f.finish();
    let (graph, gd) = strata_graph::build(&model);
    assert!(gd.is_empty(), "fixture has a cycle: {gd:?}");
    let diags = strata_policy::check_with_sources(&model, schemas, &graph, config, &sources, &[]);
    (model, sources, diags)
}

/// Run and render inline.
pub fn render(f: Fixture, config: &PolicyConfig) -> (String, Vec<Diagnostic>) {
    let (_, sources, diags) = run_with(f, &Schemas::default(), config);
    (render_inline(&sources, &diags), diags)
}
