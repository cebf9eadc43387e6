//! Price tables: `stdlib/prices/<provider>.toml`, embedded in the binary.
//!
//! ```toml
//! provider = "aws"
//! currency = "USD"
//! default_region = "us-east-1"
//!
//! [tables.ec2]
//! description = "EC2 Linux on-demand"
//! unit = "hour"                      # the unit of every price in the table
//! date = "2025-11-01"                # when the prices were read
//! source = "https://aws.amazon.com/ec2/pricing/on-demand/"
//!
//! [tables.ec2.prices.us-east-1]
//! "t3.micro" = 0.0104
//! ```
//!
//! A price missing in the resource's region falls back to the provider's default region (the
//! estimate says so in its details).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub description: String,
    pub unit: String,
    pub date: String,
    pub source: String,
    /// region → item → price in `unit`.
    pub prices: BTreeMap<String, BTreeMap<String, f64>>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProviderPrices {
    pub provider: String,
    pub currency: String,
    pub default_region: String,
    pub tables: BTreeMap<String, Table>,
}

/// Every provider's prices.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prices {
    pub providers: BTreeMap<String, ProviderPrices>,
    /// Files that failed to parse (name, message): reported by tests, never silently used.
    pub errors: Vec<(String, String)>,
}

/// A price found in a table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Found<'p> {
    pub price: f64,
    /// The region the price is for (the default region when the resource's had none).
    pub region: &'p str,
    pub fallback: bool,
    pub table: &'p Table,
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

    /// The price of `item` in `table` for `region` (or the provider's default region).
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
                        fallback: false,
                        table: t,
                    });
                }
            }
        }
        let (rk, prices) = t.prices.get_key_value(p.default_region.as_str())?;
        prices.get(item).map(|&price| Found {
            price,
            region: rk,
            fallback: region.is_some_and(|r| r != rk),
            table: t,
        })
    }
}
