//! Every rule over 10,000 resources in one run (debug build: correctness and linearity; the
//! release timing is `cargo bench -p strata-policy`).

mod support;

#[path = "support/synthetic.rs"]
mod synthetic;

#[test]
fn ten_thousand_resources() {
    let (model, schemas) = synthetic::model(10_000);
    assert!(model.resources.len() >= 10_000);
    let (graph, gd) = strata_graph::build(&model);
    assert!(gd.is_empty());
    let start = std::time::Instant::now();
    let diags = strata_policy::check(
        &model,
        &schemas,
        &graph,
        &strata_policy::PolicyConfig::default(),
    );
    let elapsed = start.elapsed();
    // Every copy of the architecture has the same problems: the count is a multiple of the copies.
    let copies = model
        .resources
        .iter()
        .filter(|r| r.name.ends_with(".vpc"))
        .count();
    let per_copy = |code: &str| diags.iter().filter(|d| d.code == code).count();
    assert_eq!(
        per_copy("SEC020"),
        2 * copies,
        "SSH open on the security group and the GCP firewall"
    );
    assert_eq!(per_copy("SEC086"), copies);
    assert_eq!(per_copy("SEC032"), copies);
    assert_eq!(per_copy("GRAPH001"), 0);
    // Deterministic.
    let again = strata_policy::check(
        &model,
        &schemas,
        &graph,
        &strata_policy::PolicyConfig::default(),
    );
    assert_eq!(diags, again);
    // Generous even for a debug build on a busy machine; the release bench is ~100x faster.
    assert!(elapsed.as_secs() < 30, "{elapsed:?}");
    let report = strata_policy::estimate(
        &model,
        &schemas,
        &strata_policy::UsageAssumptions::default(),
    );
    assert!(report.monthly_total > 0.0);
}
