//! Price tables: `stdlib/prices/<provider>.toml`, embedded in the binary.
//!
//! ```toml
//! provider = "aws"
//! currency = "USD"
//! default_region = "us-east-1"
//!
//! # Regions priced from a multiplier where a table lists no price of their own.
//! [regions.ap-east-1]
//! name = "Asia Pacific (Hong Kong)"
//! multiplier = 1.3
//! basis = "EC2 m5.large 0.124 / 0.096 (price list 2026-11-23)"
//!
//! [tables.ec2]
//! description = "EC2 Linux on-demand"
//! unit = "hour"                      # the unit of every price in the table
//! date = "2025-11-01"                # when the prices were read
//! source = "https://aws.amazon.com/ec2/pricing/on-demand/"
//! multipliers = { eu-central-1 = 1.198 }   # optional: this table's own regional factors
//!
//! [tables.ec2.prices.us-east-1]
//! "t3.micro" = 0.0104
//! ```
//!
//! A price is looked up in the resource's region (**listed**); else, when the table or the
//! provider gives that region a multiplier, it is the default region's price times the
//! multiplier (**derived**); else it is the default region's price (**fallback**), and every
//! format of `strata cost` says so. A table marked `listed_only = true` prices only the regions
//! it lists: elsewhere there is no price, and the resource is not estimated.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub description: String,
    pub unit: String,
    pub date: String,
    pub source: String,
    /// One price for every region (the default region's).
    #[serde(default)]
    pub global: bool,
    /// Only the listed regions have a price: another region gets none (no multiplier, no
    /// fallback), so the resource is not estimated and says why. A resource without a region
    /// still gets the default region's price, marked as a fallback.
    #[serde(default)]
    pub listed_only: bool,
    /// This table's own regional multipliers (region → factor on the default region's price),
    /// taking precedence over the provider's `[regions]`.
    #[serde(default)]
    pub multipliers: BTreeMap<String, f64>,
    /// region → item → price in `unit`.
    pub prices: BTreeMap<String, BTreeMap<String, f64>>,
}

/// A region the tables price through a multiplier where they list no price of its own.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// The provider's name for it (`Europe (Frankfurt)`).
    pub name: String,
    /// Factor on the default region's price.
    pub multiplier: f64,
    /// Where the factor comes from (which published prices it is the ratio of).
    pub basis: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProviderPrices {
    pub provider: String,
    pub currency: String,
    pub default_region: String,
    #[serde(default)]
    pub regions: BTreeMap<String, Region>,
    pub tables: BTreeMap<String, Table>,
}

/// Every provider's prices.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prices {
    pub providers: BTreeMap<String, ProviderPrices>,
    /// Files that failed to parse (name, message): reported by tests, never silently used.
    pub errors: Vec<(String, String)>,
}

/// How a price was found for the resource's region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// The table lists a price for the region.
    #[default]
    Listed,
    /// The default region's price times the region's documented multiplier.
    RegionalMultiplier,
    /// No price and no multiplier for the region (or no region): the default region's price.
    Fallback,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Listed => "listed",
            Basis::RegionalMultiplier => "regional-multiplier",
            Basis::Fallback => "fallback",
        }
    }
}

/// A price found in a table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Found<'p> {
    pub price: f64,
    /// The region whose listed price was used (the default region for a derived or fallback
    /// price).
    pub region: &'p str,
    pub basis: Basis,
    /// The multiplier applied (1 unless derived).
    pub multiplier: f64,
    pub table: &'p Table,
}

impl Found<'_> {
    pub fn fallback(&self) -> bool {
        self.basis == Basis::Fallback
    }
}

impl Prices {
    /// Parse price tables from `(name, text)` pairs.
    pub fn parse<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Prices {
        let mut out = Prices::default();
        for (name, text) in files {
            match toml::from_str::<ProviderPrices>(text) {
                Ok(p) => {
                    out.providers.insert(p.provider.clone(), p);
                }
                Err(e) => out.errors.push((name.to_string(), e.message().to_string())),
            }
        }
        out
    }

    /// The embedded stdlib tables (parsed once).
    pub fn stdlib() -> &'static Prices {
        static P: OnceLock<Prices> = OnceLock::new();
        P.get_or_init(|| {
            let files: Vec<strata_stdlib::StdFile> = strata_stdlib::files_with_extension(".toml")
                .into_iter()
                .filter(|f| f.path.starts_with("prices/"))
                .collect();
            Prices::parse(files.iter().map(|f| (f.path, f.text)))
        })
    }

    pub fn table(&self, provider: &str, table: &str) -> Option<&Table> {
        self.providers.get(provider)?.tables.get(table)
    }

    /// The default region of a provider's tables.
    pub fn default_region(&self, provider: &str) -> Option<&str> {
        self.providers
            .get(provider)
            .map(|p| p.default_region.as_str())
    }

    /// The price of `item` in `table` for `region`: listed, derived from a regional
    /// multiplier, or the default region's (fallback).
    pub fn get(
        &self,
        provider: &str,
        table: &str,
        region: Option<&str>,
        item: &str,
    ) -> Option<Found<'_>> {
        let p = self.providers.get(provider)?;
        let t = p.tables.get(table)?;
        if let Some(r) = region {
            if let Some((rk, prices)) = t.prices.get_key_value(r) {
                if let Some(&price) = prices.get(item) {
                    return Some(Found {
                        price,
                        region: rk,
                        basis: Basis::Listed,
                        multiplier: 1.0,
                        table: t,
                    });
                }
            }
        }
        if t.listed_only && region.is_some_and(|r| r != p.default_region) {
            return None;
        }
        let (rk, prices) = t.prices.get_key_value(p.default_region.as_str())?;
        let &price = prices.get(item)?;
        if t.global {
            return Some(Found {
                price,
                region: rk,
                basis: Basis::Listed,
                multiplier: 1.0,
                table: t,
            });
        }
        let multiplier = region.filter(|r| *r != rk).and_then(|r| {
            t.multipliers
                .get(r)
                .copied()
                .or_else(|| p.regions.get(r).map(|g| g.multiplier))
        });
        Some(match multiplier {
            Some(m) => Found {
                price: price * m,
                region: rk,
                basis: Basis::RegionalMultiplier,
                multiplier: m,
                table: t,
            },
            None => Found {
                price,
                region: rk,
                basis: if region.is_some_and(|r| r == rk) {
                    Basis::Listed
                } else {
                    Basis::Fallback
                },
                multiplier: 1.0,
                table: t,
            },
        })
    }
}
