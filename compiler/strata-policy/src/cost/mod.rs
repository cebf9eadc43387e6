//! The monthly cost estimate: on-demand list prices from `stdlib/prices/*.toml` times the sizes
//! and counts written in the model, plus usage assumptions for what the model cannot know
//! (stored gigabytes, requests). Renderers for `strata cost`: a table, JSON, Markdown.

pub mod prices;
mod pricing;

use crate::facts::Facts;
use prices::Prices;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use strata_base::units::HOURS_PER_MONTH;
use strata_model::{Model, Schemas};

/// What the estimate assumes about usage the model does not state.
#[derive(Clone, Debug, PartialEq)]
pub struct UsageAssumptions {
    /// Hours a month an always-on resource runs (730, as AWS and GCP calculators use).
    pub hours_per_month: f64,
    /// Gigabytes stored in an object store (bucket) whose size the model does not give.
    pub object_storage_gib: f64,
    /// Gigabytes a month through a NAT gateway.
    pub nat_gib: f64,
    /// Per-resource overrides by resource name, e.g. `{"uploads": {"storage_gib": 500}}`.
    /// Keys: `storage_gib`, `nat_gib`, `requests_millions`, `hours`.
    pub per_resource: BTreeMap<String, BTreeMap<String, f64>>,
}

impl Default for UsageAssumptions {
    fn default() -> Self {
        UsageAssumptions {
            hours_per_month: HOURS_PER_MONTH,
            object_storage_gib: 0.0,
            nat_gib: 0.0,
            per_resource: BTreeMap::new(),
        }
    }
}

impl UsageAssumptions {
    pub(crate) fn for_resource(&self, name: &str, key: &str) -> Option<f64> {
        self.per_resource
            .get(name)
            .and_then(|m| m.get(key))
            .copied()
    }
}

/// One priced component of a resource: `quantity unit × unit_price`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostItem {
    /// What is priced: `instance db.r6g.large`, `storage gp3`.
    pub what: String,
    pub quantity: f64,
    /// `hour`, `GiB-month`, `month`, ...
    pub unit: String,
    pub unit_price: f64,
    pub monthly: f64,
    /// Where the price comes from (table source URL), or a note.
    pub source: String,
}

/// The estimate for one resource.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostLine {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub monthly: f64,
    /// The stack (name) the resource belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    pub details: Vec<CostItem>,
    /// Why the resource has no (or an incomplete) price, if so.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The estimate of a model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostReport {
    pub currency: String,
    pub monthly_total: f64,
    /// Most expensive first; ties by name.
    pub resources: Vec<CostLine>,
    /// Monthly total per stack, by stack name.
    pub stacks: BTreeMap<String, f64>,
}

/// Round to cents (and turn `-0.0` into `0.0`).
fn cents(x: f64) -> f64 {
    let r = (x * 100.0).round() / 100.0;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// Estimate the monthly cost of a (lowered) model with the stdlib prices.
pub fn estimate(model: &Model, schemas: &Schemas, usage: &UsageAssumptions) -> CostReport {
    estimate_with(model, schemas, usage, Prices::stdlib())
}

/// [`estimate`] with explicit price tables (tests).
pub fn estimate_with(
    model: &Model,
    schemas: &Schemas,
    usage: &UsageAssumptions,
    prices: &Prices,
) -> CostReport {
    let facts = Facts::compute(model, schemas);
    estimate_facts(model, &facts, usage, prices)
}

pub(crate) fn estimate_facts(
    model: &Model,
    facts: &Facts,
    usage: &UsageAssumptions,
    prices: &Prices,
) -> CostReport {
    let mut lines = Vec::new();
    let mut stacks: BTreeMap<String, f64> = BTreeMap::new();
    let mut total = 0.0;
    for r in &model.resources {
        if facts.superseded.contains(r.id) {
            continue;
        }
        let mut cx = pricing::Pcx {
            model,
            facts,
            usage,
            prices,
            r,
            items: Vec::new(),
            notes: Vec::new(),
        };
        pricing::price(&mut cx);
        let monthly: f64 = cx.items.iter().map(|i| i.monthly).fold(0.0, |a, b| a + b);
        for i in &mut cx.items {
            i.monthly = cents(i.monthly);
        }
        let stack = model.stack_of(r).map(|s| s.name.clone());
        if let Some(s) = &stack {
            *stacks.entry(s.clone()).or_default() += monthly;
        }
        total += monthly;
        lines.push(CostLine {
            name: r.name.clone(),
            ty: r.ty.clone(),
            monthly: cents(monthly),
            stack,
            details: cx.items,
            notes: cx.notes,
        });
    }
    lines.sort_by(|a, b| {
        b.monthly
            .total_cmp(&a.monthly)
            .then_with(|| a.name.cmp(&b.name))
    });
    // The total (and each stack's) is rounded once, from the unrounded line amounts.
    let total = cents(total);
    for v in stacks.values_mut() {
        *v = cents(*v);
    }
    CostReport {
        currency: "USD".into(),
        monthly_total: total,
        resources: lines,
        stacks,
    }
}

fn money(x: f64) -> String {
    let s = format!("{:.2}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}{grouped}.{frac}", if x < 0.0 { "-" } else { "" })
}

fn qty(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e12 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn price(x: f64) -> String {
    let s = format!("{x:.6}");
    let t = s.trim_end_matches('0');
    if t.ends_with('.') {
        format!("{t}00")
    } else {
        t.to_string()
    }
}

/// A plain-text table (`strata cost`): one line per priced resource with its components
/// indented below, unpriced resources summarised at the end.
pub fn to_table(report: &CostReport) -> String {
    let priced: Vec<&CostLine> = report
        .resources
        .iter()
        .filter(|l| l.monthly > 0.0)
        .collect();
    let w_name = priced
        .iter()
        .map(|l| l.name.chars().count())
        .chain([8])
        .max()
        .unwrap_or(8);
    let w_ty = priced
        .iter()
        .map(|l| l.ty.chars().count())
        .chain([4])
        .max()
        .unwrap_or(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<w_name$}  {:<w_ty$}  {:>12}",
        "RESOURCE",
        "TYPE",
        format!("{}/MONTH", report.currency)
    );
    for l in &priced {
        let _ = writeln!(
            out,
            "{:<w_name$}  {:<w_ty$}  {:>12}",
            l.name,
            l.ty,
            money(l.monthly)
        );
        for d in &l.details {
            let _ = writeln!(
                out,
                "  {} ({} {} × {}){}",
                d.what,
                qty(d.quantity),
                d.unit,
                price(d.unit_price),
                if d.monthly > 0.0 {
                    format!(" = {}", money(d.monthly))
                } else {
                    String::new()
                }
            );
        }
    }
    let _ = writeln!(
        out,
        "{:<w_name$}  {:<w_ty$}  {:>12}",
        "TOTAL",
        "",
        money(report.monthly_total)
    );
    if report.stacks.len() > 1 {
        for (s, v) in &report.stacks {
            let _ = writeln!(out, "  stack {s}: {}", money(*v));
        }
    }
    let unpriced: Vec<&CostLine> = report
        .resources
        .iter()
        .filter(|l| l.monthly == 0.0)
        .collect();
    if !unpriced.is_empty() {
        let _ = writeln!(
            out,
            "{} resource(s) without a fixed monthly price: {}",
            unpriced.len(),
            unpriced
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str("On-demand list prices, USD; usage-based charges (requests, transfer, stored data) are only included where usage is assumed.\n");
    out
}

/// JSON for `strata cost --format json`: `currency`, `monthly_total`, `resources[]` with `name`,
/// `type`, `monthly`, `details` (and `stack`, `notes` when present), `stacks`.
pub fn to_json(report: &CostReport) -> serde_json::Value {
    serde_json::to_value(report).unwrap_or(serde_json::Value::Null)
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}

/// Markdown fit for a pull-request comment: total, a table of priced resources, and the
/// components in a collapsed section.
pub fn to_markdown(report: &CostReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Strata cost estimate: **${} / month**\n",
        money(report.monthly_total)
    );
    if report.stacks.len() > 1 {
        for (s, v) in &report.stacks {
            let _ = writeln!(out, "- stack `{}`: ${}", md_escape(s), money(*v));
        }
        out.push('\n');
    }
    let priced: Vec<&CostLine> = report
        .resources
        .iter()
        .filter(|l| l.monthly > 0.0)
        .collect();
    out.push_str("| Resource | Type | Monthly (USD) |\n| --- | --- | ---: |\n");
    for l in &priced {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} |",
            md_escape(&l.name),
            md_escape(&l.ty),
            money(l.monthly)
        );
    }
    let _ = writeln!(out, "| **Total** | | **{}** |", money(report.monthly_total));
    if priced.iter().any(|l| !l.details.is_empty()) {
        out.push_str("\n<details><summary>Price components</summary>\n\n| Resource | Component | Quantity | Unit price | Monthly |\n| --- | --- | ---: | ---: | ---: |\n");
        for l in &priced {
            for d in &l.details {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} {} | {} | {} |",
                    md_escape(&l.name),
                    md_escape(&d.what),
                    qty(d.quantity),
                    md_escape(&d.unit),
                    price(d.unit_price),
                    money(d.monthly)
                );
            }
        }
        out.push_str("\n</details>\n");
    }
    let unpriced: Vec<&CostLine> = report
        .resources
        .iter()
        .filter(|l| l.monthly == 0.0)
        .collect();
    if !unpriced.is_empty() {
        let _ = writeln!(
            out,
            "\n{} resource(s) have no fixed monthly price (free, or billed only by usage): {}.",
            unpriced.len(),
            unpriced
                .iter()
                .map(|l| format!("`{}`", md_escape(&l.name)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str("\n<sub>On-demand list prices in USD from `stdlib/prices`; usage-based charges are included only where usage is assumed.</sub>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_format() {
        assert_eq!(money(1234567.891), "1,234,567.89");
        assert_eq!(money(0.5), "0.50");
        assert_eq!(money(-12.0), "-12.00");
        assert_eq!(qty(730.0), "730");
        assert_eq!(qty(0.25), "0.25");
        assert_eq!(price(0.0104), "0.0104");
        assert_eq!(price(1.0), "1.00");
    }
}
