//! `strata cost --compare-to BASE.json`: the estimate against an earlier one (the JSON of
//! `strata cost --format json`, e.g. of the base branch): both totals, the difference, and each
//! resource added, removed or changed with the reason (class, size, count ...).

use super::{budget_lines, markdown_body, md_escape, money, region_footnotes, to_json, CostReport};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One resource of the baseline, as read from its JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseLine {
    pub name: String,
    pub ty: String,
    pub monthly: f64,
    pub sizing: BTreeMap<String, String>,
    /// `what` of each component (for a baseline without `sizing`).
    pub components: Vec<String>,
}

/// The baseline estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    pub currency: String,
    pub monthly_total: f64,
    pub resources: Vec<BaseLine>,
}

fn sizing_of(v: &serde_json::Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Read a baseline: the JSON object `strata cost --format json` prints. The message says what
/// is wrong with anything else.
pub fn parse_baseline(text: &str) -> Result<Baseline, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    let obj = v.as_object().ok_or("not a JSON object")?;
    let currency = obj
        .get("currency")
        .and_then(|c| c.as_str())
        .ok_or("no `currency`: not the output of `strata cost --format json`")?
        .to_string();
    let monthly_total = obj
        .get("monthly_total")
        .and_then(serde_json::Value::as_f64)
        .ok_or("no numeric `monthly_total`: not the output of `strata cost --format json`")?;
    let list = obj
        .get("resources")
        .and_then(|r| r.as_array())
        .ok_or("no `resources` list: not the output of `strata cost --format json`")?;
    let mut resources = Vec::with_capacity(list.len());
    for (i, r) in list.iter().enumerate() {
        let field = |k: &str| r.get(k);
        let (Some(name), Some(ty), Some(monthly)) = (
            field("name").and_then(|x| x.as_str()),
            field("type").and_then(|x| x.as_str()),
            field("monthly").and_then(serde_json::Value::as_f64),
        ) else {
            return Err(format!(
                "resource {} has no `name`, `type` and numeric `monthly`",
                i + 1
            ));
        };
        resources.push(BaseLine {
            name: name.to_string(),
            ty: ty.to_string(),
            monthly,
            sizing: field("sizing").map(sizing_of).unwrap_or_default(),
            components: field("details")
                .and_then(|d| d.as_array())
                .map(|d| {
                    d.iter()
                        .filter_map(|c| c.get("what").and_then(|w| w.as_str()))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Ok(Baseline {
        currency,
        monthly_total,
        resources,
    })
}

/// How a resource changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    pub baseline: f64,
    pub monthly: f64,
    pub difference: f64,
    /// Why: `class db.t4g.medium → db.r6g.large`, `count 2 → 6`, `new resource` ...
    pub reasons: Vec<String>,
}

/// The estimate against a baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub currency: String,
    pub baseline_total: f64,
    pub monthly_total: f64,
    pub difference: f64,
    /// Largest change first (by absolute difference), ties by name.
    pub changes: Vec<Change>,
}

fn cents(x: f64) -> f64 {
    let r = (x * 100.0).round() / 100.0;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// The reasons a resource's price changed: its sizing, else its components.
fn reasons(base: &BaseLine, new: &super::CostLine) -> Vec<String> {
    let mut out = Vec::new();
    if base.ty != new.ty {
        out.push(format!("type {} → {}", base.ty, new.ty));
    }
    let keys: std::collections::BTreeSet<&String> =
        base.sizing.keys().chain(new.sizing.keys()).collect();
    for k in keys {
        match (base.sizing.get(k), new.sizing.get(k)) {
            (Some(a), Some(b)) if a != b => out.push(format!("{k} {a} → {b}")),
            (None, Some(b)) if !base.sizing.is_empty() => out.push(format!("{k} {b} (new)")),
            (Some(a), None) => out.push(format!("{k} {a} (no longer set)")),
            _ => {}
        }
    }
    if out.is_empty() {
        let now: Vec<&str> = new.details.iter().map(|d| d.what.as_str()).collect();
        let was: Vec<&str> = base.components.iter().map(String::as_str).collect();
        if now != was {
            for w in &was {
                if !now.contains(w) {
                    out.push(format!("no longer: {w}"));
                }
            }
            for w in &now {
                if !was.contains(w) {
                    out.push(format!("now: {w}"));
                }
            }
        }
    }
    if out.is_empty() {
        out.push("unit prices (price tables or region)".into());
    }
    out
}

/// Compare an estimate with its baseline.
pub fn compare(base: &Baseline, report: &CostReport) -> Comparison {
    let before: BTreeMap<&str, &BaseLine> = base
        .resources
        .iter()
        .map(|b| (b.name.as_str(), b))
        .collect();
    let mut changes = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for l in &report.resources {
        seen.insert(l.name.as_str());
        match before.get(l.name.as_str()) {
            None => {
                if l.monthly != 0.0 {
                    let mut why = vec!["new resource".to_string()];
                    why.extend(l.sizing.iter().map(|(k, v)| format!("{k} {v}")));
                    changes.push(Change {
                        name: l.name.clone(),
                        ty: l.ty.clone(),
                        change: "added",
                        baseline: 0.0,
                        monthly: l.monthly,
                        difference: l.monthly,
                        reasons: why,
                    });
                }
            }
            Some(b) => {
                if (b.monthly - l.monthly).abs() >= 0.005 {
                    changes.push(Change {
                        name: l.name.clone(),
                        ty: l.ty.clone(),
                        change: "changed",
                        baseline: b.monthly,
                        monthly: l.monthly,
                        difference: cents(l.monthly - b.monthly),
                        reasons: reasons(b, l),
                    });
                }
            }
        }
    }
    for b in &base.resources {
        if !seen.contains(b.name.as_str()) && b.monthly != 0.0 {
            changes.push(Change {
                name: b.name.clone(),
                ty: b.ty.clone(),
                change: "removed",
                baseline: b.monthly,
                monthly: 0.0,
                difference: cents(-b.monthly),
                reasons: vec!["resource removed".into()],
            });
        }
    }
    changes.sort_by(|a, b| {
        b.difference
            .abs()
            .total_cmp(&a.difference.abs())
            .then_with(|| a.name.cmp(&b.name))
    });
    Comparison {
        currency: report.currency.clone(),
        baseline_total: cents(base.monthly_total),
        monthly_total: report.monthly_total,
        difference: cents(report.monthly_total - base.monthly_total),
        changes,
    }
}

fn signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", money(x))
    } else {
        money(x)
    }
}

fn percent(c: &Comparison) -> String {
    if c.baseline_total > 0.0 {
        format!(" ({:+.1} %)", c.difference / c.baseline_total * 100.0)
    } else {
        String::new()
    }
}

/// The table of `strata cost --compare-to`: totals, the change, each changed resource with its
/// reasons, the budgets, then the regions priced by fallback or multiplier.
pub fn to_table(c: &Comparison, report: &CostReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "baseline  {:>14} {}/month",
        money(c.baseline_total),
        c.currency
    );
    let _ = writeln!(
        out,
        "this      {:>14} {}/month",
        money(c.monthly_total),
        c.currency
    );
    let _ = writeln!(
        out,
        "change    {:>14} {}/month{}",
        signed(c.difference),
        c.currency,
        percent(c)
    );
    if c.changes.is_empty() {
        out.push_str("no resource changed its monthly price\n");
    } else {
        let w = c
            .changes
            .iter()
            .map(|x| x.name.chars().count())
            .max()
            .unwrap_or(8)
            .max(8);
        let _ = writeln!(
            out,
            "\n  {:<7} {:<w$}  {:>12}  {:>12}  {:>12}",
            "CHANGE", "RESOURCE", "BASELINE", "NOW", "DIFFERENCE"
        );
        for x in &c.changes {
            let _ = writeln!(
                out,
                "  {:<7} {:<w$}  {:>12}  {:>12}  {:>12}",
                x.change,
                x.name,
                money(x.baseline),
                money(x.monthly),
                signed(x.difference)
            );
            let _ = writeln!(out, "          {}", x.reasons.join("; "));
        }
    }
    for b in budget_lines(report, false) {
        let _ = writeln!(out, "{b}");
    }
    for f in region_footnotes(report) {
        let _ = writeln!(out, "{f}");
    }
    out
}

/// JSON of `strata cost --compare-to`: the estimate's own JSON (so it can serve as the next
/// baseline) plus `baseline_total`, `difference` and `changes[]`.
pub fn to_json_compare(c: &Comparison, report: &CostReport) -> serde_json::Value {
    let mut v = to_json(report);
    if let (Some(o), Ok(serde_json::Value::Object(extra))) =
        (v.as_object_mut(), serde_json::to_value(c))
    {
        for (k, x) in extra {
            if k != "currency" && k != "monthly_total" {
                o.insert(k, x);
            }
        }
    }
    v
}

/// Markdown ready to paste as a pull-request comment: both totals and the change, the budgets,
/// the changed resources with their reasons, and the whole estimate in a collapsed section.
pub fn to_markdown(c: &Comparison, report: &CostReport) -> String {
    let mut out = String::new();
    let arrow = if c.difference > 0.0 {
        "📈"
    } else if c.difference < 0.0 {
        "📉"
    } else {
        "➖"
    };
    let _ = writeln!(
        out,
        "### Strata cost: **${} / month** {arrow} {} {}{} against the baseline\n",
        money(c.monthly_total),
        signed(c.difference),
        c.currency,
        percent(c)
    );
    let _ = writeln!(out, "| | Monthly ({}) |\n| --- | ---: |", c.currency);
    let _ = writeln!(out, "| Baseline | {} |", money(c.baseline_total));
    let _ = writeln!(out, "| This change | {} |", money(c.monthly_total));
    let _ = writeln!(out, "| **Difference** | **{}** |\n", signed(c.difference));
    let budgets = budget_lines(report, true);
    if !budgets.is_empty() {
        for b in budgets {
            let _ = writeln!(out, "{b}  ");
        }
        out.push('\n');
    }
    if c.changes.is_empty() {
        out.push_str("No resource changed its monthly price.\n");
    } else {
        let _ = writeln!(
            out,
            "<details open><summary>{} resource(s) changed</summary>\n\n| Change | Resource | Baseline | Now | Difference | Why |\n| --- | --- | ---: | ---: | ---: | --- |",
            c.changes.len()
        );
        for x in &c.changes {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} |",
                x.change,
                md_escape(&x.name),
                money(x.baseline),
                money(x.monthly),
                signed(x.difference),
                md_escape(&x.reasons.join("; "))
            );
        }
        out.push_str("\n</details>\n");
    }
    out.push_str("\n<details><summary>The whole estimate</summary>\n\n");
    markdown_body(report, &mut out);
    out.push_str("\n</details>\n\n<sub>On-demand list prices in USD from `stdlib/prices`; usage-based charges are included only where usage is given.</sub>\n");
    out
}
