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

/// Issue 13: path policies over a 2,000-resource chain wrote one finding per reachable
/// resource, each with the whole path and a label per edge: human output took over 120 s and
/// the JSON was 347 MB. Now a path is reported once, where it first enters a denied resource,
/// with the resources beyond it listed, and a long path shows its first and last hops.
#[test]
fn path_findings_over_a_long_chain_are_bounded() {
    use strata_base::Severity;
    use strata_graph::testkit::*;
    let n = 2_000;
    let mut f = Fixture::new();
    f.resource("q0", "aws.sqs.Queue", |_| {});
    for i in 1..n {
        let prev = format!("q{}", i - 1);
        f.resource(&format!("q{i}"), "aws.sqs.Queue", |r| {
            r.set(
                "dead_letter",
                rec([("queue", refer(&prev)), ("max_receives", v(5))]),
            );
        });
    }
    let last = format!("q{}", n - 1);
    f.policy(
        "no chains",
        "CHAIN001",
        Severity::Error,
        &[(last.as_str(), "aws.sqs.Queue"), (last.as_str(), "q0")],
    );
    let start = std::time::Instant::now();
    let (text, d) = support::render(
        f,
        &strata_policy::PolicyConfig::default().with_level("all", strata_policy::Level::Off),
    );
    let elapsed = start.elapsed();
    let found: Vec<&strata_base::Diagnostic> = d.iter().filter(|d| d.code == "CHAIN001").collect();
    assert_eq!(
        found.len(),
        2,
        "{:#?}",
        found.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    // `q1999 ~> aws.sqs.Queue`: reported at q1998, the others listed behind it.
    let near = found
        .iter()
        .find(|d| d.message.starts_with("`q1998`"))
        .expect("a finding at q1998");
    assert!(near.notes.iter().any(|n| n.contains("1998 more resources this policy denies are reachable: `q0`, `q1`, `q2`, `q3`, `q4` and 1993 more")), "{:?}", near.notes);
    // `q1999 ~> q0`: the 2,000-resource path, abbreviated.
    let far = found
        .iter()
        .find(|d| d.message.starts_with("`q0`"))
        .expect("a finding at q0");
    assert!(
        far.message
            .ends_with("`q1999` → `q1998` → `q1997` → … 1994 more … → `q2` → `q1` → `q0`"),
        "{}",
        far.message
    );
    assert!(far.secondary.len() <= 8, "{} labels", far.secondary.len());
    let size: usize = d
        .iter()
        .map(|d| {
            d.message.len()
                + d.secondary.iter().map(|l| l.message.len()).sum::<usize>()
                + d.notes.iter().map(String::len).sum::<usize>()
        })
        .sum();
    assert!(size < 4_000, "{size} bytes of diagnostics");
    assert!(
        text.len() < 300_000,
        "{} bytes of rendered output",
        text.len()
    );
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}
