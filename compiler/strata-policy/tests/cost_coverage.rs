//! Coverage of the cost estimate: every resource type a lowering (`stdlib/lower`) can emit, and
//! the monthly-billed types of the generated layer, have a quantity model — a price, or an
//! explicit `usage-based` or `free` entry.
//!
//! - Every type the price code knows (`MODELS`) exists: a stdlib schema, or a type of the
//!   generated layer.
//! - Every curated type (`stdlib/{aws,gcp,azure,portable}`) has a model.
//! - Every target type a lowering emits (CloudFormation, Terraform, Deployment Manager; the
//!   Kubernetes kinds are free: they run on priced nodes) is in `MODELS` or in [`NOT_MONTHLY`]
//!   below with its kind. A new lowering that emits a new type fails here until it is
//!   classified.
//! - [`MONTHLY_BILLED`]: the generated-layer types billed by the month or hour, maintained by
//!   hand (the providers' price pages of the services in `stdlib/prices`): each must be priced.

use strata_policy::cost::{model_of, Kind, MODELS};

#[path = "support/mod.rs"]
mod support;

/// Generated-layer types with a monthly (hourly) price: each must be priced.
const MONTHLY_BILLED: &[&str] = &[
    "cfn.AWS.CloudWatch.Alarm",
    "cfn.AWS.CloudWatch.Dashboard",
    "cfn.AWS.DocDB.DBInstance",
    "cfn.AWS.DynamoDB.Table",
    "cfn.AWS.EC2.EIP",
    "cfn.AWS.EC2.Instance",
    "cfn.AWS.EC2.NatGateway",
    "cfn.AWS.EC2.Volume",
    "cfn.AWS.ECS.Service",
    "cfn.AWS.EKS.Cluster",
    "cfn.AWS.EKS.Nodegroup",
    "cfn.AWS.ElastiCache.CacheCluster",
    "cfn.AWS.ElastiCache.ReplicationGroup",
    "cfn.AWS.ElasticLoadBalancingV2.LoadBalancer",
    "cfn.AWS.KMS.Key",
    "cfn.AWS.Kinesis.Stream",
    "cfn.AWS.Neptune.DBInstance",
    "cfn.AWS.OpenSearchService.Domain",
    "cfn.AWS.RDS.DBInstance",
    "cfn.AWS.Redshift.Cluster",
    "cfn.AWS.Route53.HostedZone",
    "cfn.AWS.SecretsManager.Secret",
    "cfn.AWS.ServiceDiscovery.PrivateDnsNamespace",
    "cfn.AWS.ServiceDiscovery.Service",
    "cfn.AWS.WAFv2.WebACL",
    "dm.compute.v1.globalForwardingRule",
    "dm.compute.v1.instance",
    "dm.compute.v1.securityPolicy",
    "dm.container.v1.nodePool",
    "dm.dns.v1.managedZone",
    "dm.sqladmin.v1beta4.instance",
    "tf.aws_alb",
    "tf.aws_cloudwatch_dashboard",
    "tf.aws_cloudwatch_metric_alarm",
    "tf.aws_db_instance",
    "tf.aws_docdb_cluster_instance",
    "tf.aws_dynamodb_table",
    "tf.aws_ebs_volume",
    "tf.aws_ecs_service",
    "tf.aws_eip",
    "tf.aws_eks_cluster",
    "tf.aws_eks_node_group",
    "tf.aws_elasticache_cluster",
    "tf.aws_elasticache_replication_group",
    "tf.aws_instance",
    "tf.aws_kms_key",
    "tf.aws_kinesis_stream",
    "tf.aws_lb",
    "tf.aws_nat_gateway",
    "tf.aws_neptune_cluster_instance",
    "tf.aws_opensearch_domain",
    "tf.aws_rds_cluster_instance",
    "tf.aws_redshift_cluster",
    "tf.aws_route53_zone",
    "tf.aws_secretsmanager_secret",
    "tf.aws_service_discovery_private_dns_namespace",
    "tf.aws_service_discovery_service",
    "tf.aws_wafv2_web_acl",
    "tf.azurerm_container_app",
    "tf.azurerm_key_vault_key",
    "tf.azurerm_kubernetes_cluster",
    "tf.azurerm_linux_virtual_machine",
    "tf.azurerm_postgresql_flexible_server",
    "tf.azurerm_private_dns_zone",
    "tf.azurerm_private_endpoint",
    "tf.azurerm_redis_cache",
    "tf.azurerm_servicebus_namespace",
    "tf.google_compute_forwarding_rule",
    "tf.google_compute_global_forwarding_rule",
    "tf.google_compute_instance",
    "tf.google_compute_security_policy",
    "tf.google_container_cluster",
    "tf.google_container_node_pool",
    "tf.google_dns_managed_zone",
    "tf.google_kms_crypto_key",
    "tf.google_redis_instance",
    "tf.google_secret_manager_secret",
    "tf.google_sql_database_instance",
];

/// Target types the lowerings emit that have no monthly price of their own: free (configuration,
/// or billed on the resource they belong to) or usage-based.
const NOT_MONTHLY: &[(&str, &str)] = &[
    ("cfn.AWS.ApplicationAutoScaling.ScalableTarget", "free"),
    ("cfn.AWS.ApplicationAutoScaling.ScalingPolicy", "free"),
    ("cfn.AWS.Backup.BackupPlan", "usage-based"),
    ("cfn.AWS.Backup.BackupSelection", "free"),
    ("cfn.AWS.Backup.BackupVault", "usage-based"),
    ("cfn.AWS.CertificateManager.Certificate", "free"),
    ("cfn.AWS.CloudFront.Distribution", "usage-based"),
    ("cfn.AWS.CloudFront.OriginAccessControl", "free"),
    ("cfn.AWS.CloudFront.ResponseHeadersPolicy", "free"),
    ("cfn.AWS.CloudTrail.Trail", "free"),
    ("cfn.AWS.EC2.FlowLog", "usage-based"),
    ("cfn.AWS.EC2.InternetGateway", "free"),
    ("cfn.AWS.EC2.Route", "free"),
    ("cfn.AWS.EC2.RouteTable", "free"),
    ("cfn.AWS.EC2.SecurityGroup", "free"),
    ("cfn.AWS.EC2.Subnet", "free"),
    ("cfn.AWS.EC2.SubnetRouteTableAssociation", "free"),
    ("cfn.AWS.EC2.VPC", "free"),
    ("cfn.AWS.EC2.VPCGatewayAttachment", "free"),
    ("cfn.AWS.ECR.Repository", "usage-based"),
    ("cfn.AWS.ECS.Cluster", "free"),
    ("cfn.AWS.ECS.TaskDefinition", "free"),
    ("cfn.AWS.EKS.Addon", "free"),
    ("cfn.AWS.EKS.FargateProfile", "usage-based"),
    ("cfn.AWS.EKS.PodIdentityAssociation", "free"),
    ("cfn.AWS.ElastiCache.SubnetGroup", "free"),
    ("cfn.AWS.ElasticLoadBalancingV2.Listener", "free"),
    ("cfn.AWS.ElasticLoadBalancingV2.ListenerRule", "free"),
    ("cfn.AWS.ElasticLoadBalancingV2.TargetGroup", "free"),
    ("cfn.AWS.IAM.ManagedPolicy", "free"),
    ("cfn.AWS.IAM.OIDCProvider", "free"),
    ("cfn.AWS.IAM.Role", "free"),
    ("cfn.AWS.KMS.Alias", "free"),
    ("cfn.AWS.Lambda.Function", "usage-based"),
    ("cfn.AWS.Logs.LogGroup", "usage-based"),
    ("cfn.AWS.Logs.QueryDefinition", "free"),
    ("cfn.AWS.Logs.ResourcePolicy", "free"),
    ("cfn.AWS.RDS.DBParameterGroup", "free"),
    ("cfn.AWS.RDS.DBSubnetGroup", "free"),
    ("cfn.AWS.Route53.RecordSet", "free"),
    ("cfn.AWS.S3.BucketPolicy", "free"),
    ("cfn.AWS.SNS.Subscription", "free"),
    ("cfn.AWS.SNS.Topic", "usage-based"),
    ("cfn.AWS.SQS.QueuePolicy", "free"),
    ("cfn.AWS.WAFv2.LoggingConfiguration", "usage-based"),
    ("cfn.AWS.WAFv2.WebACLAssociation", "free"),
    ("dm.compute.v1.backendService", "free"),
    ("dm.compute.v1.firewall", "free"),
    ("dm.compute.v1.globalAddress", "free"),
    ("dm.compute.v1.network", "free"),
    ("dm.compute.v1.sslCertificate", "free"),
    ("dm.compute.v1.sslPolicy", "free"),
    ("dm.compute.v1.subnetwork", "free"),
    ("dm.compute.v1.targetHttpProxy", "free"),
    ("dm.compute.v1.targetHttpsProxy", "free"),
    ("dm.compute.v1.urlMap", "free"),
    ("dm.iam.v1.serviceAccount", "free"),
    ("dm.pubsub.v1.subscription", "free"),
    ("dm.pubsub.v1.topic", "usage-based"),
    ("dm.sqladmin.v1beta4.database", "free"),
    ("dm.sqladmin.v1beta4.user", "free"),
    ("dm.storage.v1.bucket", "usage-based"),
    ("tf.aws_acm_certificate", "free"),
    ("tf.aws_appautoscaling_policy", "free"),
    ("tf.aws_appautoscaling_target", "free"),
    ("tf.aws_backup_plan", "usage-based"),
    ("tf.aws_backup_selection", "free"),
    ("tf.aws_backup_vault", "usage-based"),
    ("tf.aws_backup_vault_lock_configuration", "free"),
    ("tf.aws_cloudfront_distribution", "usage-based"),
    ("tf.aws_cloudfront_origin_access_control", "free"),
    ("tf.aws_cloudfront_response_headers_policy", "free"),
    ("tf.aws_cloudtrail", "free"),
    ("tf.aws_cloudwatch_log_group", "usage-based"),
    ("tf.aws_cloudwatch_log_resource_policy", "free"),
    ("tf.aws_cloudwatch_query_definition", "free"),
    ("tf.aws_db_parameter_group", "free"),
    ("tf.aws_db_subnet_group", "free"),
    ("tf.aws_default_security_group", "free"),
    ("tf.aws_ecr_lifecycle_policy", "free"),
    ("tf.aws_ecr_repository", "usage-based"),
    ("tf.aws_ecs_cluster", "free"),
    ("tf.aws_ecs_cluster_capacity_providers", "free"),
    ("tf.aws_ecs_task_definition", "free"),
    ("tf.aws_eks_addon", "free"),
    ("tf.aws_eks_fargate_profile", "usage-based"),
    ("tf.aws_eks_pod_identity_association", "free"),
    ("tf.aws_elasticache_subnet_group", "free"),
    ("tf.aws_flow_log", "usage-based"),
    ("tf.aws_iam_openid_connect_provider", "free"),
    ("tf.aws_iam_policy", "free"),
    ("tf.aws_iam_role", "free"),
    ("tf.aws_iam_role_policy", "free"),
    ("tf.aws_iam_role_policy_attachment", "free"),
    ("tf.aws_internet_gateway", "free"),
    ("tf.aws_kms_alias", "free"),
    ("tf.aws_lambda_function", "usage-based"),
    ("tf.aws_lb_listener", "free"),
    ("tf.aws_lb_listener_rule", "free"),
    ("tf.aws_lb_target_group", "free"),
    ("tf.aws_route", "free"),
    ("tf.aws_route53_query_log", "free"),
    ("tf.aws_route53_record", "free"),
    ("tf.aws_route_table", "free"),
    ("tf.aws_route_table_association", "free"),
    ("tf.aws_s3_bucket_lifecycle_configuration", "free"),
    ("tf.aws_s3_bucket_logging", "free"),
    ("tf.aws_s3_bucket_notification", "free"),
    ("tf.aws_s3_bucket_ownership_controls", "free"),
    ("tf.aws_s3_bucket_policy", "free"),
    ("tf.aws_s3_bucket_public_access_block", "free"),
    ("tf.aws_s3_bucket_replication_configuration", "free"),
    (
        "tf.aws_s3_bucket_server_side_encryption_configuration",
        "free",
    ),
    ("tf.aws_s3_bucket_versioning", "free"),
    // The value of a secret (a cache's AUTH token); the secret itself is priced.
    ("tf.aws_secretsmanager_secret_version", "free"),
    ("tf.aws_security_group", "free"),
    ("tf.aws_sns_topic", "usage-based"),
    ("tf.aws_sns_topic_subscription", "free"),
    ("tf.aws_sqs_queue_policy", "free"),
    ("tf.aws_subnet", "free"),
    ("tf.aws_vpc", "free"),
    ("tf.aws_vpc_security_group_egress_rule", "free"),
    ("tf.aws_vpc_security_group_ingress_rule", "free"),
    ("tf.aws_wafv2_web_acl_association", "free"),
    ("tf.aws_wafv2_web_acl_logging_configuration", "usage-based"),
    ("tf.azurerm_container_app_environment", "free"),
    ("tf.azurerm_key_vault", "free"),
    ("tf.azurerm_key_vault_secret", "usage-based"),
    ("tf.azurerm_log_analytics_workspace", "usage-based"),
    ("tf.azurerm_monitor_diagnostic_setting", "free"),
    ("tf.azurerm_network_security_group", "free"),
    ("tf.azurerm_network_security_rule", "free"),
    (
        "tf.azurerm_postgresql_flexible_server_active_directory_administrator",
        "free",
    ),
    (
        "tf.azurerm_postgresql_flexible_server_configuration",
        "free",
    ),
    ("tf.azurerm_postgresql_flexible_server_database", "free"),
    ("tf.azurerm_private_dns_zone_virtual_network_link", "free"),
    ("tf.azurerm_redis_cache_access_policy_assignment", "free"),
    ("tf.azurerm_resource_group", "free"),
    ("tf.azurerm_role_assignment", "free"),
    // The FC1 plan of a Flex Consumption function app: no charge of its own (the app's
    // executions are billed); the lowerings emit no other plan.
    ("tf.azurerm_service_plan", "free"),
    ("tf.azurerm_servicebus_queue", "free"),
    ("tf.azurerm_storage_account", "usage-based"),
    ("tf.azurerm_storage_container", "free"),
    ("tf.azurerm_storage_management_policy", "free"),
    ("tf.azurerm_subnet", "free"),
    (
        "tf.azurerm_subnet_network_security_group_association",
        "free",
    ),
    ("tf.azurerm_user_assigned_identity", "free"),
    ("tf.azurerm_virtual_network", "free"),
    ("tf.data.aws_caller_identity", "free"),
    // Who runs `terraform apply` (the deployer's Key Vault roles).
    ("tf.data.azurerm_client_config", "free"),
    // Reads of the project (its number, its Logging settings, its Cloud Storage agent).
    ("tf.data.google_logging_project_settings", "free"),
    ("tf.data.google_project", "free"),
    ("tf.data.google_storage_project_service_account", "free"),
    ("tf.google_artifact_registry_repository", "usage-based"),
    ("tf.google_cloud_run_domain_mapping", "free"),
    ("tf.google_cloud_run_v2_service", "usage-based"),
    ("tf.google_cloudfunctions2_function", "usage-based"),
    ("tf.google_compute_backend_service", "free"),
    ("tf.google_compute_firewall", "free"),
    ("tf.google_compute_global_address", "free"),
    ("tf.google_compute_managed_ssl_certificate", "free"),
    ("tf.google_compute_network", "free"),
    ("tf.google_compute_region_network_endpoint_group", "free"),
    ("tf.google_compute_ssl_policy", "free"),
    ("tf.google_compute_subnetwork", "free"),
    ("tf.google_compute_target_http_proxy", "free"),
    ("tf.google_compute_target_https_proxy", "free"),
    ("tf.google_compute_url_map", "free"),
    ("tf.google_dns_record_set", "free"),
    ("tf.google_kms_crypto_key_iam_member", "free"),
    ("tf.google_kms_key_ring", "free"),
    ("tf.google_logging_project_bucket_config", "usage-based"),
    ("tf.google_monitoring_alert_policy", "free"),
    ("tf.google_monitoring_notification_channel", "free"),
    ("tf.google_project_iam_member", "free"),
    ("tf.google_pubsub_subscription", "free"),
    ("tf.google_pubsub_subscription_iam_member", "free"),
    ("tf.google_pubsub_topic", "usage-based"),
    ("tf.google_pubsub_topic_iam_member", "free"),
    ("tf.google_secret_manager_secret_iam_member", "free"),
    // The placeholder version of a portable secret: the version the secret's price counts.
    ("tf.google_secret_manager_secret_version", "free"),
    ("tf.google_service_account", "free"),
    ("tf.google_service_account_iam_member", "free"),
    ("tf.google_service_networking_connection", "free"),
    ("tf.google_sql_database", "free"),
    ("tf.google_sql_user", "free"),
    ("tf.google_storage_bucket_iam_member", "free"),
    // Generated in the Terraform state (a cache's AUTH token): no cloud resource.
    ("tf.random_password", "free"),
];

/// Every `type` a lowering table emits, as the generated layer names it.
fn emitted() -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for f in strata_stdlib::files_with_extension(".toml") {
        if !f.path.starts_with("lower/") {
            continue;
        }
        let v: toml::Value = toml::from_str(f.text).unwrap_or_else(|e| panic!("{}: {e}", f.path));
        let Some(schemas) = v.get("schema").and_then(toml::Value::as_table) else {
            continue;
        };
        for targets in schemas.values() {
            let Some(targets) = targets.as_table() else {
                continue;
            };
            for (target, list) in targets {
                for e in list.as_array().into_iter().flatten() {
                    let Some(ty) = e.get("type").and_then(toml::Value::as_str) else {
                        continue;
                    };
                    let name = match target.as_str() {
                        "cloudformation" => format!("cfn.{}", ty.replace("::", ".")),
                        "terraform" => format!("tf.{ty}"),
                        // Type providers (`gcp-types/...`) have no base type.
                        "deployment-manager" if !ty.starts_with("gcp-types/") => format!("dm.{ty}"),
                        _ => continue,
                    };
                    out.insert(name);
                }
            }
        }
    }
    out.into_iter().collect()
}

#[test]
fn models_are_sorted_unique_and_name_real_types() {
    for w in MODELS.windows(2) {
        assert!(
            w[0].ty < w[1].ty,
            "MODELS not sorted at {} / {}",
            w[0].ty,
            w[1].ty
        );
    }
    let schemas = support::stdlib();
    for m in MODELS {
        let real = schemas.get(m.ty).is_some() || strata_stdlib::generated::exists(m.ty);
        assert!(
            real,
            "{}: neither a stdlib schema nor a generated type",
            m.ty
        );
        assert!(!m.quantity.is_empty());
    }
}

#[test]
fn every_curated_type_has_a_quantity_model() {
    let schemas = support::stdlib();
    let mut missing = Vec::new();
    assert!(
        schemas.names().filter(|n| n.starts_with("aws.")).count() > 30,
        "stdlib schemas not loaded"
    );
    for name in schemas.names() {
        let curated = ["aws.", "gcp.", "azure.", "portable.", "k8s."]
            .iter()
            .any(|p| name.starts_with(p));
        if curated && model_of(name).is_none() {
            missing.push(name.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "no quantity model (priced, usage-based or free): {missing:?}"
    );
}

#[test]
fn every_emitted_type_is_classified_and_every_monthly_one_priced() {
    let emitted = emitted();
    assert!(emitted.len() > 100, "lowering tables not found");
    let mut problems = Vec::new();
    for ty in &emitted {
        let listed = NOT_MONTHLY.iter().find(|(t, _)| t == ty);
        match (model_of(ty), listed) {
            (Some(_), Some(_)) => problems.push(format!("{ty}: both in MODELS and NOT_MONTHLY")),
            (None, None) => problems.push(format!(
                "{ty}: emitted by a lowering but neither priced nor listed as usage-based or free"
            )),
            _ => {}
        }
        if MONTHLY_BILLED.contains(&ty.as_str()) && listed.is_some() {
            problems.push(format!(
                "{ty}: monthly-billed, listed as {:?}",
                listed.map(|l| l.1)
            ));
        }
    }
    for (ty, kind) in NOT_MONTHLY {
        if !emitted.contains(&ty.to_string()) {
            problems.push(format!("{ty}: in NOT_MONTHLY but no lowering emits it"));
        }
        if !["free", "usage-based"].contains(kind) {
            problems.push(format!("{ty}: kind {kind}"));
        }
    }
    for ty in MONTHLY_BILLED {
        assert!(
            strata_stdlib::generated::exists(ty),
            "{ty}: not a generated type"
        );
        match model_of(ty) {
            Some(m) if m.kind == Kind::Priced => {}
            other => problems.push(format!(
                "{ty}: monthly-billed but {:?}",
                other.map(|m| m.kind)
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
