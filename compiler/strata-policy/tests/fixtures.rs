//! Rule fixtures written in Strata, run through the real front end: every
//! `tests/fixtures/rules/<CODE>/*.strata` file is parsed and analysed by semantics, lowered
//! (`lower_portable`), graphed and checked with only the rule `<CODE>` enabled. The findings
//! are snapshotted inline (`tests/fixtures/rules/snapshots/<CODE>-<file>.snap`).
//!
//! A resource (or stack, or output) preceded by (or containing) the comment `// expect: <CODE>` must get at
//! least one finding of the rule inside its declaration; every other one must get none. A
//! header line `//- env: NAME` checks the file with `--env NAME`; `//- option: name = value` sets
//! an option of the rule (`[rules.CODE]` in `strata.toml`).
//!
//! Coverage: every rule that declares reads has fixtures in which it fires on, and stays
//! silent on, a resource of each shape it reads (types that read the same fields, up to where
//! they keep them, share a shape), and of each family (curated, `cfn`, `tf`, `kube`, `dm`).

#[path = "support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use strata_policy::registry::{rules, Check};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

/// One fixture file's outcome.
struct Outcome {
    /// Inline rendering of the findings (the snapshot).
    text: String,
    /// Problems with the fixture (expectations not met, invalid source).
    problems: Vec<String>,
    /// (type, fired) for each declared resource.
    resources: Vec<(String, bool)>,
}

/// Compile and check one fixture with only `code` enabled, and compare the findings with its
/// `// expect:` marks.
fn run(code: &str, name: &str, text: &str) -> Outcome {
    let c = support::check_source(code, name, text);
    let mut problems = c.errors.clone();
    let findings = &c.findings;
    // Expectations, declaration by declaration: the declared resources (they come first in
    // the model) and the stacks, in source order.
    let marker = format!("// expect: {code}");
    let mut items: Vec<(String, String, usize, usize)> = c
        .model
        .resources
        .iter()
        .take(c.declared)
        .filter(|r| r.span.file == c.file)
        .map(|r| {
            (
                r.name.clone(),
                r.ty.clone(),
                r.span.start as usize,
                r.span.end as usize,
            )
        })
        .chain(
            c.model
                .outputs
                .iter()
                .filter(|o| o.span.file == c.file)
                .map(|o| {
                    (
                        o.name.clone(),
                        "output".to_string(),
                        o.span.start as usize,
                        o.span.end as usize,
                    )
                }),
        )
        .chain(
            c.model
                .stacks
                .iter()
                .filter(|s| s.span.file == c.file)
                .map(|s| {
                    let end = s.budget_span.map_or(s.span.end, |b| b.end.max(s.span.end));
                    (
                        s.name.clone(),
                        "stack".to_string(),
                        s.span.start as usize,
                        end as usize,
                    )
                }),
        )
        .collect();
    items.sort_by_key(|i| i.2);
    let mut prev_end = 0usize;
    let mut resources = Vec::new();
    let mut claimed = vec![false; findings.len()];
    // The instances of one `[x in ...]` declaration share its span, and its mark.
    let mut last: Option<(usize, bool)> = None;
    for (item, ty, start, end) in items {
        let expected = match last {
            Some((s, e)) if s == start => e,
            _ => text
                .get(prev_end.min(start)..end)
                .unwrap_or("")
                .contains(&marker),
        };
        last = Some((start, expected));
        prev_end = prev_end.max(end);
        let mut fired = false;
        for (i, d) in findings.iter().enumerate() {
            let s = &d.primary.span;
            if s.file == c.file && (s.start as usize) >= start && (s.end as usize) <= end {
                claimed[i] = true;
                fired |= d.code == code;
            }
        }
        if expected && !fired {
            problems.push(format!(
                "{name}: `{item}` ({ty}) is marked `{marker}` but {code} does not fire on it"
            ));
        }
        if !expected && fired {
            problems.push(format!(
                "{name}: {code} fires on `{item}` ({ty}), which is not marked `{marker}`"
            ));
        }
        resources.push((ty, fired));
    }
    for (d, claimed) in findings.iter().zip(claimed) {
        if !claimed {
            problems.push(format!(
                "{name}: a finding outside any declared resource: {} {}",
                d.code, d.message
            ));
        }
    }
    Outcome {
        text: c.rendered,
        problems,
        resources,
    }
}

/// The fixture files of each rule, by code.
fn fixture_files() -> BTreeMap<String, Vec<PathBuf>> {
    let mut out = BTreeMap::new();
    let Ok(dirs) = std::fs::read_dir(root()) else {
        return out;
    };
    for d in dirs.filter_map(Result::ok).map(|e| e.path()) {
        let Some(code) = d.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            continue;
        };
        if !d.is_dir() || code == "snapshots" {
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
            .map(|it| {
                it.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "strata"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        out.insert(code, files);
    }
    out
}

#[test]
fn rule_fixtures() {
    let mut problems = Vec::new();
    // (code, type) → (fired somewhere, clean somewhere)
    let mut seen: BTreeMap<(String, String), (bool, bool)> = BTreeMap::new();
    let files = fixture_files();
    assert!(!files.is_empty(), "no fixtures under {}", root().display());
    for (code, paths) in &files {
        if strata_policy::registry::find(code).is_none() {
            problems.push(format!("fixtures for unknown rule {code}"));
            continue;
        }
        let (mut bad, mut good) = (0, 0);
        for path in paths {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
            let name = format!("{code}/{stem}.strata");
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let out = run(code, &name, &text);
            problems.extend(out.problems);
            for (ty, fired) in out.resources {
                let e = seen.entry((code.clone(), ty)).or_default();
                if fired {
                    e.0 = true;
                    bad += 1;
                } else {
                    e.1 = true;
                    good += 1;
                }
            }
            insta::with_settings!({ snapshot_path => "fixtures/rules/snapshots", prepend_module_to_snapshot => false, omit_expression => true, description => name.clone() }, {
                insta::assert_snapshot!(format!("{code}-{stem}"), out.text);
            });
        }
        if bad == 0 || good == 0 {
            problems.push(format!(
                "{code}: the fixtures need a resource it fires on and a clean one ({bad} and {good})"
            ));
        }
    }
    // Every shape a rule reads has a firing and a clean fixture resource, in each family.
    for rule in rules() {
        let reads = (rule.reads)();
        if reads.is_empty() {
            continue;
        }
        if !files.contains_key(rule.code) {
            problems.push(format!(
                "{}: reads {} paths but has no fixtures",
                rule.code,
                reads.len()
            ));
            continue;
        }
        let covered = |ty: &str| {
            seen.get(&(rule.code.to_string(), ty.to_string()))
                .copied()
                .unwrap_or_default()
        };
        let mut groups: BTreeMap<Vec<(String, String)>, Vec<&str>> = BTreeMap::new();
        let mut families: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for ty in reads.iter().map(|x| x.ty).collect::<BTreeSet<_>>() {
            groups.entry(shape(reads, ty)).or_default().push(ty);
            families.entry(family(ty)).or_default().push(ty);
        }
        // A model rule reports on some of the types it reads and reads the others as context
        // (a namespace's network policies): each family, not each shape, must have both.
        let model_rule = matches!(rule.check, Check::Model(_));
        let shapes = groups.values().filter(|_| !model_rule);
        for types in shapes.chain(families.values()) {
            let fired = types.iter().any(|t| covered(t).0);
            // A type the rule reports whatever is written (a read of the type itself, for a
            // setting it lacks) has no clean form.
            let clean = types.iter().any(|t| covered(t).1)
                || types
                    .iter()
                    .all(|t| reads.iter().any(|x| x.ty == *t && x.path.is_empty()));
            if !fired || !clean {
                let missing = match (fired, clean) {
                    (false, false) => "a resource it fires on and a clean one",
                    (false, true) => "a resource it fires on",
                    _ => "a clean resource",
                };
                problems.push(format!(
                    "{}: no fixture of {} has {missing}",
                    rule.code,
                    types
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The family of a type: the generated layer's package (`cfn`, `tf`, `kube`, `dm`), else
/// `curated`.
fn family(ty: &str) -> &'static str {
    strata_stdlib::generated::family_of(ty).map_or("curated", |f| f.name)
}

/// What a rule reads on a type, up to where the type keeps it: each read's meaning and path
/// with the prefix common to all the type's paths removed (so a CronJob, whose pod spec is
/// deeper, reads the same as a Deployment). Types that read the same are covered by a fixture
/// of any of them.
fn shape(reads: &[strata_policy::reads::Read], ty: &str) -> Vec<(String, String)> {
    let paths: Vec<Vec<&str>> = reads
        .iter()
        .filter(|x| x.ty == ty)
        .map(|x| x.path.split('.').collect())
        .collect();
    let shortest = paths.iter().map(Vec::len).min().unwrap_or(0);
    let mut common = 0;
    while common + 1 < shortest && paths.iter().all(|p| p[common] == paths[0][common]) {
        common += 1;
    }
    let mut out: Vec<(String, String)> = reads
        .iter()
        .filter(|x| x.ty == ty)
        .map(|x| {
            let segs: Vec<&str> = x.path.split('.').collect();
            (x.what.to_string(), segs[common.min(segs.len())..].join("."))
        })
        .collect();
    out.sort();
    out.push((family(ty).to_string(), String::new()));
    out
}

/// Every rule that checks something has fixtures.
#[test]
fn every_checking_rule_has_fixtures() {
    let files = fixture_files();
    let missing: Vec<&str> = rules()
        .iter()
        .filter(|r| !matches!(r.check, Check::Builtin))
        .map(|r| r.code)
        .filter(|c| !files.contains_key(*c))
        .collect();
    assert!(missing.is_empty(), "rules without fixtures: {missing:?}");
}
