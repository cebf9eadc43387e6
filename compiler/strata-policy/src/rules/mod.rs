//! One file per rule. The registry ([`ALL`]) lists every rule; codes are never reused.

mod prelude;
pub(crate) mod util;

pub(crate) mod cost001_budget_exceeded;
pub(crate) mod cost002_oversized_in_dev;
pub(crate) mod cost003_multi_az_outside_prod;
pub(crate) mod cost004_replicas_outside_prod;
pub(crate) mod cost005_nat_per_az_in_dev;
pub(crate) mod cost006_bucket_without_lifecycle;
pub(crate) mod graph001_data_store_exposed;
pub(crate) mod graph002_prod_depends_on_non_prod;
pub(crate) mod graph003_data_residency;
pub(crate) mod graph004_public_entry_without_waf;
pub(crate) mod graph005_orphan_resource;
pub(crate) mod pol001_unused_suppression;
pub(crate) mod pol002_suppression_without_reason;
pub(crate) mod pol003_unknown_suppression;
pub(crate) mod pol004_unknown_path_endpoint;
pub(crate) mod pol010_invalid_rules_config;
pub(crate) mod pol011_unknown_rule_in_config;

use crate::registry::Rule;

/// Every rule, in code order.
pub static ALL: &[&Rule] = &[
    &cost001_budget_exceeded::RULE,
    &cost002_oversized_in_dev::RULE,
    &cost003_multi_az_outside_prod::RULE,
    &cost004_replicas_outside_prod::RULE,
    &cost005_nat_per_az_in_dev::RULE,
    &cost006_bucket_without_lifecycle::RULE,
    &graph001_data_store_exposed::RULE,
    &graph002_prod_depends_on_non_prod::RULE,
    &graph003_data_residency::RULE,
    &graph004_public_entry_without_waf::RULE,
    &graph005_orphan_resource::RULE,
    &pol001_unused_suppression::RULE,
    &pol002_suppression_without_reason::RULE,
    &pol003_unknown_suppression::RULE,
    &pol004_unknown_path_endpoint::RULE,
    &pol010_invalid_rules_config::RULE,
    &pol011_unknown_rule_in_config::RULE,
];
