//! Shared test helpers: run the policy stage on a hand-built fixture and render the findings
//! inline under the synthetic source text.

#![allow(dead_code)]

use strata_base::{Diagnostic, SourceMap};
use strata_graph::testkit::{render_inline, Fixture};
use strata_model::{Model, Schemas};
use strata_policy::{Level, PolicyConfig};

/// A configuration with every rule off except `code`.
pub fn only(code: &str) -> PolicyConfig {
    PolicyConfig::default()
        .with_level("all", Level::Off)
        .with_level(code, Level::On(default_severity(code)))
}

pub fn default_severity(code: &str) -> strata_base::Severity {
    strata_policy::registry::find(code)
        .map(|r| r.severity)
        .unwrap_or(strata_base::Severity::Warning)
}

/// The stdlib's schemas (parsed once by semantics).
pub fn stdlib() -> &'static Schemas {
    static S: std::sync::OnceLock<Schemas> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let mut sources = SourceMap::new();
        let (analysis, _) = strata_semantics::analyze(
            &mut sources,
            &[],
            &strata_semantics::NoImports,
            &strata_semantics::Options::default(),
        );
        analysis.schemas
    })
}

/// Check a fixture against the stdlib schemas the way semantics would have built it: every
/// property written must exist in the resource's schema (when the stdlib has that type), and
/// schema defaults are filled in for properties not written. Returns the problems found.
pub fn conform(model: &mut Model, schemas: &Schemas) -> Vec<String> {
    let mut problems = Vec::new();
    for r in &mut model.resources {
        let Some(schema) = schemas.get(&r.ty) else {
            continue;
        };
        for k in r.props.keys() {
            if !schema.fields.contains_key(k) {
                problems.push(format!("`{}`: {} has no property `{k}`", r.name, r.ty));
            }
        }
        for (k, f) in &schema.fields {
            if let (false, Some(d)) = (r.props.contains_key(k), &f.default) {
                r.props.insert(k.clone(), d.clone());
            }
            if let Some(v) = r.props.get_mut(k) {
                fill(v, &f.ty);
            }
        }
    }
    problems
}

/// Fill the defaults of nested record fields, as semantics does.
fn fill(v: &mut strata_model::Value, ty: &strata_model::Ty) {
    use strata_model::{Ty, Value};
    match (ty.resolved(), v) {
        (Ty::Record(fields), Value::Record(m)) => {
            let mut m = m.make_mut();
            for (k, f) in fields {
                if let (false, Some(d)) = (m.contains_key(k), &f.default) {
                    m.insert(k.clone(), d.clone());
                }
                if let Some(x) = m.get_mut(k) {
                    fill(x, &f.ty);
                }
            }
        }
        (Ty::List(t), Value::List(l)) => l.make_mut().iter_mut().for_each(|x| fill(x, t)),
        (Ty::Map(t), Value::Record(m)) => m.make_mut().values_mut().for_each(|x| fill(x, t)),
        _ => {}
    }
}

/// Build, graph and check a fixture; returns the model, sources and diagnostics.
pub fn run_with(
    f: Fixture,
    schemas: &Schemas,
    config: &PolicyConfig,
) -> (Model, SourceMap, Vec<Diagnostic>) {
    let (mut model, sources) = f.finish();
    let problems = conform(&mut model, schemas);
    assert!(
        problems.is_empty(),
        "fixture does not match the stdlib schemas:\n{}",
        problems.join("\n")
    );
    let (graph, gd) = strata_graph::build(&model);
    assert!(gd.is_empty(), "fixture has a cycle: {gd:?}");
    let diags = strata_policy::check_with_sources(&model, schemas, &graph, config, &sources, &[]);
    (model, sources, diags)
}

/// Run (with the stdlib schemas) and render inline.
pub fn render(f: Fixture, config: &PolicyConfig) -> (String, Vec<Diagnostic>) {
    let (_, sources, diags) = run_with(f, stdlib(), config);
    (render_inline(&sources, &diags), diags)
}

/// A Strata source compiled through the front end and checked with one rule.
pub struct Checked {
    pub model: Model,
    pub file: strata_base::FileId,
    /// How many resources the source declares (they come first in the model).
    pub declared: usize,
    pub findings: Vec<Diagnostic>,
    /// The findings rendered inline under the source.
    pub rendered: String,
    /// Compile errors (rendered), if any.
    pub errors: Vec<String>,
}

/// Parse, analyse, lower (`lower_portable`), graph and check `text` with only the rule `code`
/// enabled. Header lines: `//- env: NAME` (`--env`), `//- option: name = value` (an option of
/// the rule).
pub fn check_source(code: &str, name: &str, text: &str) -> Checked {
    use strata_base::Severity;
    let env = text
        .lines()
        .find_map(|l| l.strip_prefix("//- env: "))
        .map(|e| e.trim().to_string());
    let mut sources = SourceMap::new();
    let file = sources.add(name, text, false);
    let options = strata_semantics::Options {
        env,
        ..Default::default()
    };
    let (analysis, diags) = strata_semantics::analyze(
        &mut sources,
        &[file],
        &strata_semantics::NoImports,
        &options,
    );
    let mut errors = Vec::new();
    let bad: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if !bad.is_empty() {
        errors.push(format!(
            "{name} does not compile:\n{}",
            render_inline(&sources, &bad)
        ));
    }
    let declared = analysis.model.resources.len();
    let (model, diags) = strata_lower::lower_portable(analysis.model, &analysis.schemas);
    let bad: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if !bad.is_empty() {
        errors.push(format!(
            "{name} does not lower:\n{}",
            render_inline(&sources, &bad)
        ));
    }
    let (graph, gd) = strata_graph::build(&model);
    if !gd.is_empty() {
        errors.push(format!("{name}: graph diagnostics {gd:?}"));
    }
    let mut config = only(code);
    for (k, v) in text
        .lines()
        .filter_map(|l| l.strip_prefix("//- option: "))
        .filter_map(|o| o.split_once('='))
    {
        let v = v.trim();
        let value = match (v.parse::<i64>(), v.parse::<f64>(), v) {
            (Ok(i), _, _) => strata_model::Value::Int(i),
            (_, Ok(f), _) => strata_model::Value::Float(f),
            (_, _, "true" | "false") => strata_model::Value::Bool(v == "true"),
            _ => strata_model::Value::str(v.trim_matches('"').to_string()),
        };
        config = config.with_option(code, k.trim(), value);
    }
    let findings = strata_policy::check_with_sources(
        &model,
        &analysis.schemas,
        &graph,
        &config,
        &sources,
        &[],
    );
    let rendered = render_inline(&sources, &findings);
    Checked {
        model,
        file,
        declared,
        findings,
        rendered,
        errors,
    }
}
