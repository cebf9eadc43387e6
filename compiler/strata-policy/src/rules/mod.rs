//! One file per rule. The registry ([`ALL`]) lists every rule; codes are never reused.

mod iam;
mod net;
mod pods;
mod prelude;
mod tls;
pub(crate) mod util;

pub(crate) mod cost001_budget_exceeded;
pub(crate) mod cost002_oversized_in_dev;
pub(crate) mod cost003_multi_az_outside_prod;
pub(crate) mod cost004_replicas_outside_prod;
pub(crate) mod cost005_nat_per_az_in_dev;
pub(crate) mod cost006_bucket_without_lifecycle;
pub(crate) mod dep001_key_policy_missing_service;
pub(crate) mod dep002_private_store_unreachable;
pub(crate) mod dep003_secret_as_plain_env;
pub(crate) mod dep004_placeholder_in_production;
pub(crate) mod dep005_image_from_same_stack_registry;
pub(crate) mod dep006_route53_query_logs_region;
pub(crate) mod dep010_service_account_role_trust;
pub(crate) mod dep011_pod_identity_role_trust;
pub(crate) mod dep012_ecs_secret_not_readable;
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
pub(crate) mod sec001_bucket_public;
pub(crate) mod sec002_bucket_unencrypted;
pub(crate) mod sec003_bucket_versioning;
pub(crate) mod sec004_bucket_access_logging;
pub(crate) mod sec005_storage_insecure_transport;
pub(crate) mod sec010_database_public;
pub(crate) mod sec011_database_unencrypted;
pub(crate) mod sec012_database_backups;
pub(crate) mod sec013_database_pitr;
pub(crate) mod sec014_database_deletion_protection;
pub(crate) mod sec015_database_single_az_prod;
pub(crate) mod sec016_database_tls_not_enforced;
pub(crate) mod sec020_admin_port_open;
pub(crate) mod sec021_data_port_open;
pub(crate) mod sec022_all_ports_open;
pub(crate) mod sec023_flow_logs_disabled;
pub(crate) mod sec024_subnet_without_nsg;
pub(crate) mod sec030_iam_wildcard_action;
pub(crate) mod sec031_iam_wildcard_resource;
pub(crate) mod sec032_iam_admin_on_workload;
pub(crate) mod sec033_iam_trust_anyone;
pub(crate) mod sec034_resource_policy_public;
pub(crate) mod sec035_function_permission_public;
pub(crate) mod sec036_gcp_iam_public_member;
pub(crate) mod sec037_role_assignment_subscription_scope;
pub(crate) mod sec040_key_rotation;
pub(crate) mod sec041_key_vault_purge_protection;
pub(crate) mod sec050_queue_unencrypted;
pub(crate) mod sec051_cache_transit_encryption;
pub(crate) mod sec052_cache_rest_encryption;
pub(crate) mod sec053_cache_no_auth;
pub(crate) mod sec060_http_listener;
pub(crate) mod sec061_weak_tls_policy;
pub(crate) mod sec062_cdn_allows_http;
pub(crate) mod sec063_lb_access_logs;
pub(crate) mod sec064_waf_logging_disabled;
pub(crate) mod sec065_trail_without_cloudwatch_logs;
pub(crate) mod sec070_cluster_public_endpoint;
pub(crate) mod sec071_cluster_secrets_encryption;
pub(crate) mod sec072_cluster_logging;
pub(crate) mod sec073_cluster_legacy_authorization;
pub(crate) mod sec080_k8s_privileged;
pub(crate) mod sec081_k8s_run_as_root;
pub(crate) mod sec082_k8s_host_namespace;
pub(crate) mod sec083_k8s_no_resource_limits;
pub(crate) mod sec084_k8s_writable_root_fs;
pub(crate) mod sec085_mutable_image_tag;
pub(crate) mod sec086_secret_in_env;
pub(crate) mod sec087_k8s_privilege_escalation;
pub(crate) mod sec088_namespace_without_network_policy;
pub(crate) mod sec089_k8s_service_account_token;
pub(crate) mod sec090_k8s_rbac_wildcard;
pub(crate) mod sec091_k8s_no_liveness_probe;
pub(crate) mod sec092_k8s_binding_to_everyone;
pub(crate) mod sec093_k8s_rbac_escalation;
pub(crate) mod sec095_literal_secret;
pub(crate) mod sec096_literal_secret_in_output;
pub(crate) mod sec100_vm_public_ip;
pub(crate) mod sec101_vm_imdsv1;
pub(crate) mod sec102_volume_unencrypted;
pub(crate) mod sec103_public_unauthenticated_service;
pub(crate) mod sec104_vm_serial_port;
pub(crate) mod sec110_log_retention;
pub(crate) mod sec120_registry_scanning;
pub(crate) mod sec121_registry_mutable_tags;
pub(crate) mod sec130_secret_rotation;

use crate::registry::Rule;

/// Every rule, by category then code.
pub static ALL: &[&Rule] = &[
    &cost001_budget_exceeded::RULE,
    &cost002_oversized_in_dev::RULE,
    &cost003_multi_az_outside_prod::RULE,
    &cost004_replicas_outside_prod::RULE,
    &cost005_nat_per_az_in_dev::RULE,
    &cost006_bucket_without_lifecycle::RULE,
    &dep001_key_policy_missing_service::RULE,
    &dep002_private_store_unreachable::RULE,
    &dep003_secret_as_plain_env::RULE,
    &dep004_placeholder_in_production::RULE,
    &dep005_image_from_same_stack_registry::RULE,
    &dep006_route53_query_logs_region::RULE,
    &dep010_service_account_role_trust::RULE,
    &dep011_pod_identity_role_trust::RULE,
    &dep012_ecs_secret_not_readable::RULE,
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
    &sec001_bucket_public::RULE,
    &sec002_bucket_unencrypted::RULE,
    &sec003_bucket_versioning::RULE,
    &sec004_bucket_access_logging::RULE,
    &sec005_storage_insecure_transport::RULE,
    &sec010_database_public::RULE,
    &sec011_database_unencrypted::RULE,
    &sec012_database_backups::RULE,
    &sec013_database_pitr::RULE,
    &sec014_database_deletion_protection::RULE,
    &sec015_database_single_az_prod::RULE,
    &sec016_database_tls_not_enforced::RULE,
    &sec020_admin_port_open::RULE,
    &sec021_data_port_open::RULE,
    &sec022_all_ports_open::RULE,
    &sec023_flow_logs_disabled::RULE,
    &sec024_subnet_without_nsg::RULE,
    &sec030_iam_wildcard_action::RULE,
    &sec031_iam_wildcard_resource::RULE,
    &sec032_iam_admin_on_workload::RULE,
    &sec033_iam_trust_anyone::RULE,
    &sec034_resource_policy_public::RULE,
    &sec035_function_permission_public::RULE,
    &sec036_gcp_iam_public_member::RULE,
    &sec037_role_assignment_subscription_scope::RULE,
    &sec040_key_rotation::RULE,
    &sec041_key_vault_purge_protection::RULE,
    &sec050_queue_unencrypted::RULE,
    &sec051_cache_transit_encryption::RULE,
    &sec052_cache_rest_encryption::RULE,
    &sec053_cache_no_auth::RULE,
    &sec060_http_listener::RULE,
    &sec061_weak_tls_policy::RULE,
    &sec062_cdn_allows_http::RULE,
    &sec063_lb_access_logs::RULE,
    &sec064_waf_logging_disabled::RULE,
    &sec065_trail_without_cloudwatch_logs::RULE,
    &sec070_cluster_public_endpoint::RULE,
    &sec071_cluster_secrets_encryption::RULE,
    &sec072_cluster_logging::RULE,
    &sec073_cluster_legacy_authorization::RULE,
    &sec080_k8s_privileged::RULE,
    &sec081_k8s_run_as_root::RULE,
    &sec082_k8s_host_namespace::RULE,
    &sec083_k8s_no_resource_limits::RULE,
    &sec084_k8s_writable_root_fs::RULE,
    &sec085_mutable_image_tag::RULE,
    &sec086_secret_in_env::RULE,
    &sec087_k8s_privilege_escalation::RULE,
    &sec088_namespace_without_network_policy::RULE,
    &sec089_k8s_service_account_token::RULE,
    &sec090_k8s_rbac_wildcard::RULE,
    &sec091_k8s_no_liveness_probe::RULE,
    &sec092_k8s_binding_to_everyone::RULE,
    &sec093_k8s_rbac_escalation::RULE,
    &sec095_literal_secret::RULE,
    &sec096_literal_secret_in_output::RULE,
    &sec100_vm_public_ip::RULE,
    &sec101_vm_imdsv1::RULE,
    &sec102_volume_unencrypted::RULE,
    &sec103_public_unauthenticated_service::RULE,
    &sec104_vm_serial_port::RULE,
    &sec110_log_retention::RULE,
    &sec120_registry_scanning::RULE,
    &sec121_registry_mutable_tags::RULE,
    &sec130_secret_rotation::RULE,
];
