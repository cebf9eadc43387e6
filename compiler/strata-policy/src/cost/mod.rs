//! The monthly cost estimate: on-demand list prices from `stdlib/prices/*.toml` times the sizes
//! and counts written in the model (the quantity model of each type: [`pricing::MODELS`]),
//! plus the usage file for what the model cannot know (stored gigabytes, requests, messages).
//! Renderers for `strata cost`: a table, JSON, Markdown; [`compare`] for `--compare-to`.

pub mod compare;
pub mod prices;
pub mod pricing;

pub use prices::Basis;
pub use pricing::{model_of, Kind, PricingModel, MODELS};

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
    /// Per-resource usage by resource name, e.g. `{"uploads": {"storage_gib": 500}}`.
    /// Keys: [`USAGE_KEYS`].
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

/// The keys of per-resource usage (`[cost.resources.NAME]` in strata.toml, `[resources.NAME]`
/// in usage.toml).
pub const USAGE_KEYS: &[&str] = &[
    "backup_gib",
    "data_gib",
    "hours",
    "instances",
    "lcu",
    "nat_gib",
    "requests_millions",
    "storage_gib",
];

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
    /// The region whose price was used.
    pub price_region: String,
    /// `listed`, `regional-multiplier` or `fallback` (see [`Basis`]).
    pub basis: Basis,
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
    /// How the type is billed: `priced`, `usage-based`, `free`, or `unknown` (no quantity
    /// model: not estimated).
    pub pricing: &'static str,
    /// The resource's region (its own, else its stack's), if any.
    pub region: Option<String>,
    /// The weakest basis of its prices: `listed`, `regional-multiplier` or `fallback`.
    pub price_basis: Basis,
    /// Set when a price is the default region's for want of one for `region`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// What the price depends on (class, count, size, zones ...): the reasons of a change.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sizing: BTreeMap<String, String>,
    pub details: Vec<CostItem>,
    /// Why the resource has no (or an incomplete) price, if so.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A stack's budget against its estimate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BudgetStatus {
    pub budget: f64,
    pub monthly: f64,
    pub exceeded: bool,
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
    /// The stacks that declare a budget, by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub budgets: BTreeMap<String, BudgetStatus>,
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
    let context = pricing::Context::new(model);
    for r in &model.resources {
        if facts.superseded.contains(r.id) {
            continue;
        }
        let mut cx = pricing::Pcx {
            context: &context,
            model,
            facts,
            usage,
            prices,
            r,
            items: Vec::new(),
            notes: Vec::new(),
            sizing: BTreeMap::new(),
            unknown: false,
        };
        pricing::price(&mut cx);
        if cx.unknown {
            // Not estimated: a partial price would read as the whole one.
            cx.items.clear();
        }
        let kind = if cx.unknown {
            "unknown"
        } else {
            pricing::model_of(&r.ty).map_or("unknown", |m| m.kind.as_str())
        };
        let region = facts.region(r.id).map(str::to_string);
        let price_basis = cx
            .items
            .iter()
            .map(|i| i.basis)
            .max()
            .unwrap_or(Basis::Listed);
        let fallback =
            cx.items
                .iter()
                .find(|i| i.basis == Basis::Fallback)
                .map(|i| match &region {
                    Some(reg) => format!("no prices for {reg}: priced with {}'s", i.price_region),
                    None => format!("no region set: priced with {}'s", i.price_region),
                });
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
            pricing: if r.existing { "free" } else { kind },
            region,
            price_basis,
            fallback,
            sizing: cx.sizing,
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
    let budgets = model
        .stacks
        .iter()
        .filter_map(|s| {
            let budget = s.budget?;
            let monthly = stacks.get(&s.name).copied().unwrap_or(0.0);
            Some((
                s.name.clone(),
                BudgetStatus {
                    budget,
                    monthly,
                    exceeded: monthly > budget + 0.005,
                },
            ))
        })
        .collect();
    CostReport {
        currency: "USD".into(),
        monthly_total: total,
        resources: lines,
        stacks,
        budgets,
    }
}

pub(crate) fn money(x: f64) -> String {
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

pub(crate) fn qty(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e12 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

pub(crate) fn price(x: f64) -> String {
    let s = format!("{x:.6}");
    let t = s.trim_end_matches('0');
    if t.ends_with('.') {
        format!("{t}00")
    } else {
        t.to_string()
    }
}

/// The marker of a line in the table and the Markdown: `*` for a fallback price, `†` for a
/// price derived from a regional multiplier.
fn basis_mark(l: &CostLine) -> &'static str {
    match l.price_basis {
        Basis::Fallback => " *",
        Basis::RegionalMultiplier => " †",
        Basis::Listed => "",
    }
}

/// The footnotes every format shows: fallback prices and regional multipliers, by region.
pub(crate) fn region_footnotes(report: &CostReport) -> Vec<String> {
    let mut fallback: BTreeMap<String, (String, Vec<&str>)> = BTreeMap::new();
    let mut derived: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for l in &report.resources {
        let reg = l.region.clone().unwrap_or_else(|| "(no region)".into());
        match l.price_basis {
            Basis::Fallback => {
                let used = l
                    .details
                    .iter()
                    .find(|d| d.basis == Basis::Fallback)
                    .map(|d| d.price_region.clone())
                    .unwrap_or_default();
                fallback
                    .entry(reg)
                    .or_insert_with(|| (used, Vec::new()))
                    .1
                    .push(&l.name);
            }
            Basis::RegionalMultiplier => derived.entry(reg).or_default().push(&l.name),
            Basis::Listed => {}
        }
    }
    let mut out = Vec::new();
    for (reg, (used, names)) in fallback {
        out.push(format!(
            "* fallback: no prices for {reg}; {} priced with {used}'s: {}",
            if names.len() == 1 {
                "1 resource"
            } else {
                "resources"
            },
            names.join(", ")
        ));
    }
    for (reg, names) in derived {
        out.push(format!(
            "† {reg}: some prices derived from the default region's with the regional multiplier in stdlib/prices: {}",
            names.join(", ")
        ));
    }
    out
}

/// Usage-based resources the estimate has no usage for (their notes say what to set).
fn usage_missing(report: &CostReport) -> Vec<&str> {
    report
        .resources
        .iter()
        .filter(|l| {
            l.notes.iter().any(|n| n.starts_with("usage-based"))
                || (l.pricing == "usage-based" && l.details.is_empty())
        })
        .map(|l| l.name.as_str())
        .collect()
}

/// The budget lines: `stack shop: $1,234.00 of $1,000.00 budget — EXCEEDED by $234.00`.
pub(crate) fn budget_lines(report: &CostReport, markdown: bool) -> Vec<String> {
    report
        .budgets
        .iter()
        .map(|(s, b)| {
            let name = if markdown {
                format!("`{}`", md_escape(s))
            } else {
                s.clone()
            };
            if b.exceeded {
                format!(
                    "{} stack {name}: ${} of its ${} budget: exceeded by ${}",
                    if markdown { "❌" } else { "budget" },
                    money(b.monthly),
                    money(b.budget),
                    money(b.monthly - b.budget)
                )
            } else {
                format!(
                    "{} stack {name}: ${} of its ${} budget: within it (${} left)",
                    if markdown { "✅" } else { "budget" },
                    money(b.monthly),
                    money(b.budget),
                    money(b.budget - b.monthly)
                )
            }
        })
        .collect()
}

/// A plain-text table (`strata cost`): one line per priced resource with its components
/// indented below, unpriced resources summarised at the end, then the budgets and the regions
/// priced by fallback (`*`) or multiplier (`†`).
pub fn to_table(report: &CostReport) -> String {
    let priced: Vec<&CostLine> = report
        .resources
        .iter()
        .filter(|l| l.monthly > 0.0)
        .collect();
    let w_name = priced
        .iter()
        .map(|l| l.name.chars().count() + basis_mark(l).chars().count())
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
            format!("{}{}", l.name, basis_mark(l)),
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
    for b in budget_lines(report, false) {
        let _ = writeln!(out, "{b}");
    }
    let unpriced: Vec<&CostLine> = report
        .resources
        .iter()
        .filter(|l| l.monthly == 0.0 && l.pricing != "unknown")
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
    let unknown = not_estimated(report);
    if !unknown.is_empty() {
        let _ = writeln!(
            out,
            "{} resource(s) not estimated (no price model for their type, or no confirmed price for their engine, class or region; they may cost money, not in the total): {}",
            unknown.len(),
            unknown.join(", ")
        );
    }
    let missing = usage_missing(report);
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "usage-based, not in the total (no usage given; see usage.toml): {}",
            missing.join(", ")
        );
    }
    for f in region_footnotes(report) {
        let _ = writeln!(out, "{f}");
    }
    out.push_str("On-demand list prices, USD; usage-based charges (requests, transfer, stored data) are only included where usage is given.\n");
    out
}

/// The resources of a type the estimate has no model for, as `name (type)`.
fn not_estimated(report: &CostReport) -> Vec<String> {
    report
        .resources
        .iter()
        .filter(|l| l.pricing == "unknown")
        .map(|l| format!("{} ({})", l.name, l.ty))
        .collect()
}

/// JSON for `strata cost --format json`: `currency`, `monthly_total`, `resources[]` with `name`,
/// `type`, `monthly`, `pricing`, `region`, `price_basis`, `fallback` (when a price is the
/// default region's), `sizing`, `details`, `notes`; `stacks`; `budgets`.
pub fn to_json(report: &CostReport) -> serde_json::Value {
    serde_json::to_value(report).unwrap_or(serde_json::Value::Null)
}

pub(crate) fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}

/// The Markdown of the priced resources and their components (shared with the comparison).
pub(crate) fn markdown_body(report: &CostReport, out: &mut String) {
    let priced: Vec<&CostLine> = report
        .resources
        .iter()
        .filter(|l| l.monthly > 0.0)
        .collect();
    out.push_str("| Resource | Type | Monthly (USD) |\n| --- | --- | ---: |\n");
    for l in &priced {
        let _ = writeln!(
            out,
            "| `{}`{} | `{}` | {} |",
            md_escape(&l.name),
            basis_mark(l),
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
        .filter(|l| l.monthly == 0.0 && l.pricing != "unknown")
        .collect();
    let unknown = not_estimated(report);
    if !unknown.is_empty() {
        let _ = writeln!(
            out,
            "\n{} resource(s) not estimated (no price model for their type, or no confirmed price for their engine, class or region; they may cost money, not in the total): {}.",
            unknown.len(),
            unknown
                .iter()
                .map(|l| format!("`{}`", md_escape(l)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
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
    let missing = usage_missing(report);
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "\nUsage-based, not in the total (no usage given; see `usage.toml`): {}.",
            missing
                .iter()
                .map(|n| format!("`{}`", md_escape(n)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let notes = region_footnotes(report);
    if !notes.is_empty() {
        out.push('\n');
        for f in notes {
            let _ = writeln!(out, "{}  ", md_escape(&f).replace('*', "\\*"));
        }
    }
}

/// Markdown fit for a pull-request comment: total, budgets, a table of priced resources, and
/// the components in a collapsed section.
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
    let budgets = budget_lines(report, true);
    if !budgets.is_empty() {
        for b in budgets {
            let _ = writeln!(out, "{b}  ");
        }
        out.push('\n');
    }
    markdown_body(report, &mut out);
    out.push_str("\n<sub>On-demand list prices in USD from `stdlib/prices`; usage-based charges are included only where usage is given.</sub>\n");
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
