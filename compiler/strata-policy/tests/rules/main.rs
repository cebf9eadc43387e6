//! Rust-built cases, for what a Strata fixture (`tests/fixtures/rules`, see `tests/fixtures.rs`)
//! cannot express. Each has fixtures that trigger it (snapshotted inline) and fixtures that do
//! not.
//!
//! A case is `(code, bad, good)`: `bad` builds a model on which the rule must report at least
//! once; `good` one on which it must stay silent. Only the rule under test is enabled. The
//! snapshot `rules__<CODE>.snap` shows the bad fixture's findings under the lines they point at.

#[path = "../support/mod.rs"]
mod support;

mod cost;
mod graph;

use std::collections::BTreeSet;
use strata_graph::testkit::Fixture;

pub struct Case {
    pub code: &'static str,
    pub bad: fn(&mut Fixture),
    pub good: fn(&mut Fixture),
}

fn all_cases() -> Vec<Case> {
    let mut v = cost::cases();
    v.extend(graph::cases());
    v
}

#[test]
fn every_rule_case() {
    let mut failures = Vec::new();
    for case in all_cases() {
        let config = support::only(case.code);
        let mut bad = Fixture::new();
        (case.bad)(&mut bad);
        let (text, diags) = support::render(bad, &config);
        if !diags.iter().any(|d| d.code == case.code) {
            failures.push(format!(
                "{}: the bad fixture reports nothing\n{text}",
                case.code
            ));
        }
        if let Some(other) = diags.iter().find(|d| d.code != case.code) {
            failures.push(format!(
                "{}: unexpected {} in the bad fixture: {}",
                case.code, other.code, other.message
            ));
        }
        insta::assert_snapshot!(case.code, text);
        let mut good = Fixture::new();
        (case.good)(&mut good);
        let (text, diags) = support::render(good, &config);
        if !diags.is_empty() {
            failures.push(format!("{}: the good fixture reports\n{text}", case.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Cases name existing rules, once each. (Every rule that checks something has fixtures in
/// `tests/fixtures/rules` or a case here: see `tests/fixtures.rs`.)
#[test]
fn cases_name_rules_once() {
    let cases = all_cases();
    let mut seen = BTreeSet::new();
    for c in &cases {
        assert!(
            strata_policy::registry::find(c.code).is_some(),
            "case for unknown rule {}",
            c.code
        );
        assert!(seen.insert(c.code), "two cases for {}", c.code);
    }
}
