//! `strata cost [--compare-to BASE.json]`.

use crate::commands::{done, err, out, print_human, summary_line};
use crate::CostFormat;
use std::path::Path;
use strata_base::{Diagnostic, Severity};
use strata_driver::{CheckOptions, DiskWorld};
use strata_policy::cost::compare;

/// Read the baseline of `--compare-to`: the JSON of an earlier `strata cost --format json`.
fn baseline(path: &Path) -> Result<compare::Baseline, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "error: cannot read `{}` (--compare-to): {}\n",
            path.display(),
            strata_driver::io_message(&e)
        )
    })?;
    compare::parse_baseline(&text).map_err(|why| {
        format!(
            "error: `{}` (--compare-to) is not a cost estimate: {why}\n  help: write one with `strata cost --format json > {}` (e.g. on the base branch)\n",
            path.display(),
            path.display()
        )
    })
}

pub fn cost(
    path: &Path,
    env: Option<String>,
    format: CostFormat,
    compare_to: Option<&Path>,
    color: bool,
) -> i32 {
    let base = match compare_to.map(baseline) {
        Some(Err(message)) => {
            err(&message);
            return 2;
        }
        Some(Ok(b)) => Some(b),
        None => None,
    };
    let outcome = strata_driver::check(
        &DiskWorld,
        path,
        &CheckOptions {
            env,
            ..CheckOptions::default()
        },
    );
    let code = outcome.exit_code();
    // Cost prints the estimate, and the diagnostics that explain why there is none or that
    // concern the cost (budgets); other findings belong to `strata check`.
    let shown: Vec<Diagnostic> = outcome
        .diagnostics
        .iter()
        .filter(|d| (d.severity == Severity::Error && code == 2) || d.code.starts_with("COST"))
        .cloned()
        .collect();
    print_human(&outcome, &shown, color);
    let Some(report) = &outcome.cost else {
        if code != 2 {
            err("error: cost estimates are not available in this build\n");
            return 2;
        }
        err(&summary_line("checked", &outcome));
        return code;
    };
    if let Some(b) = &base {
        if b.currency != report.currency {
            err(&format!(
                "error: the baseline is in {}, this estimate in {}: they cannot be compared\n",
                b.currency, report.currency
            ));
            return done(outcome, 2);
        }
    }
    let comparison = base.as_ref().map(|b| compare::compare(b, report));
    out(&match (format, &comparison) {
        (CostFormat::Table, None) => strata_policy::cost::to_table(report),
        (CostFormat::Json, None) => format!("{:#}\n", strata_policy::cost::to_json(report)),
        (CostFormat::Markdown, None) => strata_policy::cost::to_markdown(report),
        (CostFormat::Table, Some(c)) => compare::to_table(c, report),
        (CostFormat::Json, Some(c)) => format!("{:#}\n", compare::to_json_compare(c, report)),
        (CostFormat::Markdown, Some(c)) => compare::to_markdown(c, report),
    });
    let code = if shown.iter().any(|d| d.severity == Severity::Error) {
        1
    } else {
        0
    };
    done(outcome, code)
}
