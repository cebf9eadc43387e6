//! The policy stage on real compiler output: a project parsed and evaluated by semantics,
//! lowered by strata-lower, graphed, then checked — spans, defaults, lowered resources and
//! suppression comments as the CLI sees them.

use strata_base::SourceMap;
use strata_graph::testkit::render_inline;

/// Compile a project through semantics and lowering; the model, schemas and sources.
fn compile(name: &str, text: &str) -> (strata_model::Model, strata_model::Schemas, SourceMap, strata_base::FileId) {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text, false);
    let (analysis, diags) = strata_semantics::analyze(&mut sources, &[file], &strata_semantics::NoImports, &strata_semantics::Options::default());
    assert!(diags.iter().all(|d| d.severity != strata_base::Severity::Error), "semantics: {diags:#?}");
    let (model, diags) = strata_lower::lower_portable(analysis.model, &analysis.schemas);
    assert!(diags.iter().all(|d| d.severity != strata_base::Severity::Error), "lowering: {diags:#?}");
    (model, analysis.schemas, sources, file)
}

#[test]
fn gcp_and_kubernetes() {
    let (model, schemas, sources, file) = compile("gcp.strata", include_str!("gcp.strata"));
    let (graph, diags) = strata_graph::build(&model);
    assert!(diags.is_empty(), "{diags:?}");
    let findings = strata_policy::check_with_sources(&model, &schemas, &graph, &strata_policy::PolicyConfig::default(), &sources, &[]);
    let codes: Vec<&str> = findings.iter().map(|d| d.code.as_str()).collect();
    for expected in ["SEC010", "SEC016", "SEC020", "SEC080", "SEC085", "SEC086", "COST002", "COST003", "SEC013"] {
        assert!(codes.contains(&expected), "{expected} missing: {codes:?}");
    }
    assert!(findings.iter().all(|d| d.primary.span.file == file), "{findings:#?}");
    insta::assert_snapshot!("gcp", render_inline(&sources, &findings));
    let report = strata_policy::estimate(&model, &schemas, &strata_policy::UsageAssumptions::default());
    insta::assert_snapshot!("gcp_cost", strata_policy::cost::to_table(&report));
}

#[test]
fn shop() {
    let text = include_str!("shop.strata");
    let mut sources = SourceMap::new();
    let file = sources.add("shop.strata", text, false);
    let (analysis, diags) = strata_semantics::analyze(&mut sources, &[file], &strata_semantics::NoImports, &strata_semantics::Options::default());
    assert!(diags.iter().all(|d| d.severity != strata_base::Severity::Error), "semantics: {diags:#?}");
    let (model, diags) = strata_lower::lower_portable(analysis.model, &analysis.schemas);
    assert!(diags.iter().all(|d| d.severity != strata_base::Severity::Error), "lowering: {diags:#?}");
    let (graph, diags) = strata_graph::build(&model);
    assert!(diags.is_empty(), "{diags:?}");
    let findings = strata_policy::check_with_sources(&model, &analysis.schemas, &graph, &strata_policy::PolicyConfig::default(), &sources, &[]);
    let codes: Vec<&str> = findings.iter().map(|d| d.code.as_str()).collect();
    // The mistakes written in the file are found, at the lines they are written on.
    for expected in ["SEC040", "SEC085", "SEC086", "SEC020", "COST001"] {
        assert!(codes.contains(&expected), "{expected} missing: {codes:?}");
    }
    // The suppressed public replica is not reported by SEC010, and the suppression is used.
    assert!(!codes.contains(&"SEC010") && !codes.contains(&"POL001"), "{codes:?}");
    // Every finding points into the project file.
    assert!(findings.iter().all(|d| d.primary.span.file == file), "{findings:#?}");
    insta::assert_snapshot!("shop", render_inline(&sources, &findings));
    let report = strata_policy::estimate(&model, &analysis.schemas, &strata_policy::UsageAssumptions::default());
    insta::assert_snapshot!("shop_cost", strata_policy::cost::to_table(&report));
}
