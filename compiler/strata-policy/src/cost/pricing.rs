//! Pricing of each resource type: which table, which property gives the size or count.

use super::prices::{Found, Prices};
use super::{CostItem, UsageAssumptions};
use crate::facts::Facts;
use strata_model::{Model, Resource, Value};

pub(crate) struct Pcx<'a> {
    pub model: &'a Model,
    pub facts: &'a Facts,
    pub usage: &'a UsageAssumptions,
    pub prices: &'a Prices,
    pub r: &'a Resource,
    pub items: Vec<CostItem>,
    pub notes: Vec<String>,
}

impl<'a> Pcx<'a> {
    fn provider(&self) -> &'static str {
        let t = &self.r.ty;
        if t.starts_with("aws.") {
            "aws"
        } else if t.starts_with("gcp.") {
            "gcp"
        } else if t.starts_with("azure.") {
            "azure"
        } else {
            ""
        }
    }
    fn region(&self) -> Option<&'a str> {
        self.facts.region(self.r.id)
    }
    fn str(&self, name: &str) -> Option<&'a str> {
        self.r.prop(name).and_then(Value::as_str)
    }
    fn num(&self, name: &str) -> Option<f64> {
        self.r.prop(name).and_then(Value::as_f64)
    }
    fn flag(&self, name: &str) -> bool {
        self.r.prop(name).is_some_and(Value::is_true)
    }
    /// A size property in GiB (quantities are stored in bytes; plain numbers are taken as GiB).
    fn gib(&self, name: &str) -> Option<f64> {
        match self.r.prop(name)? {
            Value::Quantity(q) => q.bytes().map(|b| b / 1073741824.0),
            v => v.as_f64(),
        }
    }
    fn hours(&self) -> f64 {
        self.usage.for_resource(&self.r.name, "hours").unwrap_or(self.usage.hours_per_month)
    }
    fn usage(&self, key: &str, default: f64) -> f64 {
        self.usage.for_resource(&self.r.name, key).unwrap_or(default)
    }
    fn lookup(&self, table: &str, item: &str) -> Option<Found<'a>> {
        self.prices.get(self.provider(), table, self.region(), item)
    }
    /// Add `quantity × price(table, item)`; a note when there is no price.
    fn add(&mut self, what: impl Into<String>, table: &str, item: &str, quantity: f64) -> bool {
        let what = what.into();
        match self.lookup(table, item) {
            Some(f) => {
                let mut source = f.table.source.clone();
                if f.fallback {
                    source = format!("{source} ({} price: none listed for {})", f.region, self.region().unwrap_or("?"));
                }
                self.items.push(CostItem { what, quantity, unit: f.table.unit.clone(), unit_price: f.price, monthly: quantity * f.price, source });
                true
            }
            None => {
                self.notes.push(format!("no {} price for `{item}`", table));
                false
            }
        }
    }
}

/// Price one resource into `cx.items` (nothing for free or usage-only resources).
pub(crate) fn price(cx: &mut Pcx<'_>) {
    let ty = cx.r.ty.clone();
    match ty.as_str() {
        "aws.kms.Key" => {
            cx.add("customer managed key", "kms", "key", 1.0);
        }
        _ => {}
    }
}
