//! Policies over the resource model and its dependency graph: built-in security, graph and cost
//! rules, the policies written in the language, inline suppressions, SARIF output, and the
//! monthly cost estimate.
//!
//! Entry points:
//! - [`check`]: every enabled rule and the user policies → diagnostics (no I/O, no sources).
//! - [`check_with_sources`]: the same, then per-path overrides of `[rules]` and
//!   `// strata-ignore CODE: reason` suppressions, which need the file names and texts.
//! - [`cost::estimate`] and its renderers; [`sarif::to_sarif`]; [`codes`] for `strata explain`.
//!
//! Architecture invariant: one pass over the resources dispatches each to the rules enabled for
//! its type (see [`registry`]); rules never walk the model themselves, and read only the types
//! and property paths they declare ([`reads`]), checked against the schemas by
//! `tests/reads.rs`. Model-level rules
//! use the graph and the precomputed [`facts::Facts`]. Output is sorted and deterministic.

pub mod config;
pub mod cost;
mod engine;
pub mod facts;
pub mod reach;
pub mod reads;
pub mod registry;
mod rules;
pub mod sarif;
pub mod suppress;
mod user;

pub use config::{Level, PolicyConfig, RuleConfig};
pub use cost::{estimate, CostLine, CostReport, UsageAssumptions};
pub use engine::{property_fix, Cx, DiagExt, Help, Sink};
pub use registry::{Category, Rule};
pub use sarif::to_sarif;

use std::collections::BTreeSet;
use strata_base::{CodeDoc, Diagnostic, SourceMap};
use strata_graph::ResourceGraph;
use strata_model::{Model, Schemas};

/// Run every enabled rule and the project's policies over a (lowered) model and its graph.
/// Diagnostics are sorted. Per-path overrides and suppressions need the sources: see
/// [`check_with_sources`].
pub fn check(
    model: &Model,
    schemas: &Schemas,
    graph: &ResourceGraph,
    config: &PolicyConfig,
) -> Vec<Diagnostic> {
    engine::run(model, schemas, graph, config, None)
}

/// [`check`], then apply the per-path overrides of the configuration (by the file of each
/// finding) and the `// strata-ignore` comments found in `sources` (project files only).
/// `other_codes` are the codes of the other stages (for `POL003`: a suppression naming an
/// input error is reported as such rather than as unknown); pass `&[]` if not at hand.
pub fn check_with_sources(
    model: &Model,
    schemas: &Schemas,
    graph: &ResourceGraph,
    config: &PolicyConfig,
    sources: &SourceMap,
    other_codes: &[CodeDoc],
) -> Vec<Diagnostic> {
    let diags = engine::run(model, schemas, graph, config, Some(sources));
    let diags = apply_path_overrides(diags, config, sources);
    let level = |code: &str| registry::find(code).and_then(|r| config.resolve(r).severity);
    let mut active: BTreeSet<String> = registry::rules()
        .iter()
        .filter(|r| config.resolve(r).severity.is_some())
        .map(|r| r.code.to_string())
        .collect();
    active.extend(model.policies.iter().map(|p| p.code.clone()));
    let mut known: BTreeSet<String> = registry::rules()
        .iter()
        .map(|r| r.code.to_string())
        .collect();
    known.extend(model.policies.iter().map(|p| p.code.clone()));
    known.extend(other_codes.iter().map(|c| c.code.to_string()));
    let settings = suppress::Apply {
        unused: level("POL001"),
        no_reason: level("POL002"),
        unknown: level("POL003"),
        active: &active,
        known: &known,
    };
    let mut out = suppress::apply(diags, sources, model, &settings);
    out.sort_by_cached_key(|d| d.sort_key());
    out
}

/// Re-level (or drop) findings whose file matches a `paths` glob of their rule's entry.
pub fn apply_path_overrides(
    diags: Vec<Diagnostic>,
    config: &PolicyConfig,
    sources: &SourceMap,
) -> Vec<Diagnostic> {
    if !config.has_path_overrides() {
        return diags;
    }
    diags
        .into_iter()
        .filter_map(|mut d| {
            let Some(rule) = registry::find(&d.code) else {
                return Some(d);
            };
            let Some(file) = sources.try_get(d.primary.span.file) else {
                return Some(d);
            };
            match config.level_in_file(rule, &file.name) {
                Some(s) => {
                    d.severity = s;
                    Some(d)
                }
                None => None,
            }
        })
        .collect()
}

/// Documentation of every code this stage reports (`strata explain CODE`).
pub fn codes() -> Vec<CodeDoc> {
    registry::codes()
}
