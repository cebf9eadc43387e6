//! The policy stage on real compiler output: a project parsed and evaluated by semantics,
//! lowered by strata-lower, graphed, then checked — spans, defaults, lowered resources and
//! suppression comments as the CLI sees them.

use strata_base::SourceMap;
use strata_graph::testkit::render_inline;

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
