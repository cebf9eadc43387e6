//! The calls into the later stages (lowering, policies, emission, formatting), in one place.
//!
//! While a stage's crate has not landed, its function here is the smallest honest stand-in:
//! it does only what can be done without that crate, and says so with a diagnostic where
//! its absence changes the result. Each is replaced by the real call as the crate lands.

use crate::codes as c;
use std::path::Path;
use strata_base::{Diagnostic, FileId, Span};
use strata_graph::ResourceGraph;
use strata_model::{Model, Schemas, Target, TargetProgram};

/// Lower portable resources to the stacks' providers. Stand-in: the model unchanged.
pub(crate) fn lower_portable(model: &Model, _schemas: &Schemas) -> (Model, Vec<Diagnostic>) {
    (model.clone(), Vec::new())
}

/// Policy settings (`[rules]` of `strata.toml`).
pub type PolicyConfig = crate::project::Config;

/// Monthly cost of a model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CostReport {
    pub currency: String,
    pub monthly_total: f64,
    pub resources: Vec<CostLine>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CostLine {
    pub name: String,
    pub ty: String,
    pub monthly: f64,
}

/// Run the policies over the graph. Stand-in: the violations of the policies written in the
/// project, which semantics has already evaluated (path rules need the policy stage).
pub(crate) fn check_policies(model: &Model, _graph: &ResourceGraph, _schemas: &Schemas, _config: &PolicyConfig) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for p in &model.policies {
        for v in &p.violations {
            out.push(
                Diagnostic::new(p.code.clone(), p.severity, v.message.clone(), v.span)
                    .with_label(format!("violates \"{}\"", p.title))
                    .with_secondary(p.span, "policy declared here")
                    .with_help("change the resource so that the policy holds, or change the policy"),
            );
        }
    }
    out
}

/// Estimate monthly costs. Stand-in: unavailable.
pub(crate) fn estimate(_model: &Model, _schemas: &Schemas) -> Option<CostReport> {
    None
}

/// Lower the model to target programs. Stand-in: unavailable.
pub(crate) fn to_targets(_model: &Model, _schemas: &Schemas, _targets: Option<&[Target]>) -> (Vec<TargetProgram>, Vec<Diagnostic>) {
    (Vec::new(), vec![unavailable("lowering to targets (strata-lower)")])
}

/// One output file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmittedFile {
    pub path: String,
    pub contents: String,
}

/// Render target programs. Stand-in: unavailable.
pub(crate) fn emit(_programs: &[TargetProgram], _yaml: bool) -> Result<Vec<EmittedFile>, Vec<Diagnostic>> {
    Err(vec![unavailable("emission (strata-emit)")])
}

/// Write the files under `out`. Stand-in: unavailable.
pub(crate) fn write_outputs(_out: &Path, _files: &[EmittedFile]) -> Result<(), String> {
    Err("emission is not available in this build".into())
}

/// Format one file. Stand-in: unavailable.
pub(crate) fn format(file: FileId, _text: &str) -> Result<String, Vec<Diagnostic>> {
    Err(vec![Diagnostic::error(c::UNAVAILABLE, "the formatter is not available in this build", Span::new(file, 0, 0)).with_help("this build of strata lacks the formatter")])
}

fn unavailable(what: &str) -> Diagnostic {
    Diagnostic::error(c::UNAVAILABLE, format!("{what} is not available in this build"), Span::default()).with_help("this build of strata lacks a stage of the pipeline")
}

/// SARIF 2.1.0 for code-scanning tools. Stand-in for the policy stage's own (which adds rule
/// metadata such as security severities): one rule per code, one result per diagnostic.
pub fn to_sarif(diagnostics: &[Diagnostic], sources: &strata_base::SourceMap, codes: &[strata_base::CodeDoc]) -> serde_json::Value {
    use serde_json::json;
    let mut used: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    used.sort();
    used.dedup();
    let rules: Vec<serde_json::Value> = used
        .iter()
        .map(|code| {
            let doc = codes.iter().find(|d| d.code == *code);
            json!({
                "id": code,
                "name": doc.map_or(*code, |d| d.name),
                "shortDescription": { "text": doc.map_or(code.to_string(), |d| d.name.replace('-', " ")) },
                "fullDescription": { "text": doc.map_or("", |d| d.doc) },
            })
        })
        .collect();
    let level = |s: strata_base::Severity| match s {
        strata_base::Severity::Error => "error",
        strata_base::Severity::Warning => "warning",
        strata_base::Severity::Info => "note",
    };
    let results: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(h);
            }
            let mut r = json!({
                "ruleId": d.code,
                "ruleIndex": used.iter().position(|c| *c == d.code).unwrap_or(0),
                "level": level(d.severity),
                "message": { "text": message },
            });
            if let Some(f) = sources.try_get(d.primary.span.file) {
                let a = f.line_col(d.primary.span.start);
                let b = f.line_col(d.primary.span.end);
                r["locations"] = json!([{ "physicalLocation": {
                    "artifactLocation": { "uri": f.name },
                    "region": { "startLine": a.line, "startColumn": a.column, "endLine": b.line, "endColumn": b.column },
                }}]);
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "strata", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "results": results,
        }],
    })
}
