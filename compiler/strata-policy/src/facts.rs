//! Facts derived once per check from each resource and its schema, so rules and graph queries
//! do not recompute them: the resource's kind, whether it is an internet entry point, its
//! environment and region, and its portable origin.
//!
//! Kinds come from the schema's `@kind` annotation (`@kind = "database"`), normalised to the
//! canonical names in [`kinds`]; the generated layer's types from the explicit table
//! [`GENERATED_KINDS`]; other resources whose schema has none get a kind from their type name
//! (so hand-built models and user schemas still classify). Public entry points of the stdlib
//! and generated types come from the declared table [`PUBLIC`].

use crate::reads::{read, Is, Read};
use strata_graph::ResourceSet;
use strata_model::{Model, Provider, Resource, ResourceId, Schemas, Value};

/// Canonical kind names.
pub mod kinds {
    pub const DATABASE: &str = "database";
    pub const CACHE: &str = "cache";
    pub const BUCKET: &str = "bucket";
    pub const QUEUE: &str = "queue";
    pub const TOPIC: &str = "topic";
    pub const LOADBALANCER: &str = "loadbalancer";
    pub const CDN: &str = "cdn";
    pub const API_GATEWAY: &str = "apigateway";
    pub const DNS: &str = "dns";
    pub const WAF: &str = "waf";
    /// Long-running containers: ECS services, Cloud Run, Container Apps, portable `Service`.
    pub const SERVICE: &str = "service";
    pub const FUNCTION: &str = "function";
    pub const VM: &str = "vm";
    pub const CLUSTER: &str = "cluster";
    pub const NODEPOOL: &str = "nodepool";
    pub const NETWORK: &str = "network";
    pub const SUBNET: &str = "subnet";
    /// Security groups, firewall rules, network security groups.
    pub const FIREWALL: &str = "firewall";
    pub const NAT: &str = "nat";
    pub const KEY: &str = "key";
    pub const SECRET: &str = "secret";
    /// Roles, policies, service accounts, bindings.
    pub const IAM: &str = "iam";
    pub const CERTIFICATE: &str = "certificate";
    pub const LOGS: &str = "logs";
    /// Kubernetes pods and their controllers (Deployment, StatefulSet, DaemonSet, Job, CronJob).
    pub const WORKLOAD: &str = "workload";
    pub const NAMESPACE: &str = "namespace";
    pub const NETWORK_POLICY: &str = "networkpolicy";
    /// Kubernetes Service.
    pub const K8S_SERVICE: &str = "k8s-service";
    pub const INGRESS: &str = "ingress";
    pub const TARGET_GROUP: &str = "targetgroup";
    pub const OTHER: &str = "";
}

use kinds::*;

/// Normalise a schema's `@kind` (or a synonym) to a canonical kind.
pub fn canonical_kind(k: &str) -> &'static str {
    let k = k.to_ascii_lowercase().replace(['_', ' '], "-");
    match k.as_str() {
        "database"
        | "db"
        | "sql"
        | "sql-database"
        | "relational-database"
        | "postgres"
        | "mysql" => DATABASE,
        "cache" | "redis" | "memcached" | "key-value" => CACHE,
        "bucket" | "object-store" | "objectstore" | "storage" | "object-storage"
        | "storage-account" | "blob" => BUCKET,
        "queue" => QUEUE,
        "topic" | "pubsub" | "notification" => TOPIC,
        "loadbalancer"
        | "load-balancer"
        | "lb"
        | "alb"
        | "gateway"
        | "app-gateway"
        | "application-gateway" => LOADBALANCER,
        "cdn" | "distribution" => CDN,
        "apigateway" | "api-gateway" | "api" => API_GATEWAY,
        "dns" | "dns-zone" | "dns-record" | "zone" | "record" => DNS,
        "waf" | "web-acl" | "firewall-policy" | "security-policy" => WAF,
        "service" | "container-service" | "container" | "compute" | "app" | "web-app"
        | "container-app" => SERVICE,
        "function" | "lambda" | "serverless" => FUNCTION,
        "vm" | "instance" | "virtual-machine" | "server" => VM,
        "cluster" | "kubernetes-cluster" | "k8s-cluster" => CLUSTER,
        "nodepool" | "node-pool" | "node-group" | "nodegroup" => NODEPOOL,
        "network" | "vpc" | "vnet" | "virtual-network" => NETWORK,
        "subnet" | "subnetwork" => SUBNET,
        "firewall"
        | "security-group"
        | "securitygroup"
        | "firewall-rule"
        | "nsg"
        | "network-security-group"
        | "security-group-rule" => FIREWALL,
        "nat" | "nat-gateway" | "router" => NAT,
        "key" | "kms" | "kms-key" | "crypto-key" => KEY,
        "secret" => SECRET,
        "iam" | "role" | "policy" | "iam-role" | "iam-policy" | "service-account" | "identity"
        | "binding" | "iam-binding" | "role-assignment" => IAM,
        "certificate" | "cert" => CERTIFICATE,
        "logs" | "log" | "log-group" | "logging" | "monitoring" | "alarm" => LOGS,
        "workload" | "deployment" | "statefulset" | "daemonset" | "job" | "cronjob" | "pod" => {
            WORKLOAD
        }
        "namespace" => NAMESPACE,
        "networkpolicy" | "network-policy" => NETWORK_POLICY,
        "k8s-service" | "kubernetes-service" => K8S_SERVICE,
        "ingress" => INGRESS,
        "targetgroup" | "target-group" => TARGET_GROUP,
        _ => OTHER,
    }
}

/// The kinds of the generated layer's types (`cfn.`, `tf.`, `kube.`, `dm.`), by exact name.
/// An explicit table, never a guess from the name: a type that is not listed has no kind.
/// (Rules read generated types only where they declare them: see [`crate::reads`].)
pub const GENERATED_KINDS: &[(&str, &str)] = &[
    // Object storage.
    ("cfn.AWS.S3.Bucket", BUCKET),
    ("tf.aws_s3_bucket", BUCKET),
    ("tf.google_storage_bucket", BUCKET),
    ("tf.azurerm_storage_account", BUCKET),
    ("dm.storage.v1.bucket", BUCKET),
    // Databases.
    ("cfn.AWS.RDS.DBInstance", DATABASE),
    ("cfn.AWS.RDS.DBCluster", DATABASE),
    ("cfn.AWS.DynamoDB.Table", DATABASE),
    ("tf.aws_db_instance", DATABASE),
    ("tf.aws_rds_cluster", DATABASE),
    ("tf.aws_dynamodb_table", DATABASE),
    ("tf.google_sql_database_instance", DATABASE),
    ("tf.azurerm_postgresql_flexible_server", DATABASE),
    ("tf.azurerm_postgresql_server", DATABASE),
    ("tf.azurerm_mysql_flexible_server", DATABASE),
    ("tf.azurerm_mssql_server", DATABASE),
    ("tf.azurerm_cosmosdb_account", DATABASE),
    ("dm.sqladmin.v1beta4.instance", DATABASE),
    // Caches.
    ("cfn.AWS.ElastiCache.ReplicationGroup", CACHE),
    ("cfn.AWS.ElastiCache.CacheCluster", CACHE),
    ("tf.aws_elasticache_replication_group", CACHE),
    ("tf.aws_elasticache_cluster", CACHE),
    ("tf.google_redis_instance", CACHE),
    ("tf.azurerm_redis_cache", CACHE),
    // Messaging.
    ("cfn.AWS.SQS.Queue", QUEUE),
    ("tf.aws_sqs_queue", QUEUE),
    ("tf.azurerm_servicebus_namespace", QUEUE),
    ("tf.azurerm_servicebus_queue", QUEUE),
    ("tf.google_pubsub_subscription", QUEUE),
    ("cfn.AWS.SNS.Topic", TOPIC),
    ("tf.aws_sns_topic", TOPIC),
    ("tf.google_pubsub_topic", TOPIC),
    ("dm.pubsub.v1.topic", TOPIC),
    // Network.
    ("cfn.AWS.EC2.SecurityGroup", FIREWALL),
    ("cfn.AWS.EC2.SecurityGroupIngress", FIREWALL),
    ("tf.aws_security_group", FIREWALL),
    ("tf.aws_security_group_rule", FIREWALL),
    ("tf.aws_vpc_security_group_ingress_rule", FIREWALL),
    ("tf.google_compute_firewall", FIREWALL),
    ("tf.azurerm_network_security_group", FIREWALL),
    ("tf.azurerm_network_security_rule", FIREWALL),
    ("dm.compute.v1.firewall", FIREWALL),
    ("cfn.AWS.EC2.VPC", NETWORK),
    ("tf.aws_vpc", NETWORK),
    ("tf.google_compute_network", NETWORK),
    ("tf.azurerm_virtual_network", NETWORK),
    ("dm.compute.v1.network", NETWORK),
    ("cfn.AWS.EC2.Subnet", SUBNET),
    ("tf.aws_subnet", SUBNET),
    ("tf.google_compute_subnetwork", SUBNET),
    ("tf.azurerm_subnet", SUBNET),
    ("dm.compute.v1.subnetwork", SUBNET),
    ("cfn.AWS.EC2.NatGateway", NAT),
    ("tf.aws_nat_gateway", NAT),
    ("tf.google_compute_router_nat", NAT),
    // Traffic plumbing and entry points.
    ("cfn.AWS.ElasticLoadBalancingV2.LoadBalancer", LOADBALANCER),
    ("cfn.AWS.ElasticLoadBalancingV2.Listener", LOADBALANCER),
    ("cfn.AWS.ElasticLoadBalancing.LoadBalancer", LOADBALANCER),
    ("tf.aws_lb", LOADBALANCER),
    ("tf.aws_alb", LOADBALANCER),
    ("tf.aws_elb", LOADBALANCER),
    ("tf.aws_lb_listener", LOADBALANCER),
    ("tf.aws_alb_listener", LOADBALANCER),
    ("tf.google_compute_global_forwarding_rule", LOADBALANCER),
    ("tf.google_compute_forwarding_rule", LOADBALANCER),
    ("tf.google_compute_target_https_proxy", LOADBALANCER),
    ("tf.google_compute_target_http_proxy", LOADBALANCER),
    ("tf.google_compute_url_map", LOADBALANCER),
    ("tf.google_compute_backend_service", LOADBALANCER),
    ("tf.azurerm_application_gateway", LOADBALANCER),
    ("tf.azurerm_lb", LOADBALANCER),
    ("cfn.AWS.ElasticLoadBalancingV2.TargetGroup", TARGET_GROUP),
    ("tf.aws_lb_target_group", TARGET_GROUP),
    ("cfn.AWS.CloudFront.Distribution", CDN),
    ("tf.aws_cloudfront_distribution", CDN),
    ("cfn.AWS.ApiGateway.RestApi", API_GATEWAY),
    ("cfn.AWS.ApiGatewayV2.Api", API_GATEWAY),
    ("tf.aws_api_gateway_rest_api", API_GATEWAY),
    ("tf.aws_apigatewayv2_api", API_GATEWAY),
    ("cfn.AWS.WAFv2.WebACL", WAF),
    ("tf.aws_wafv2_web_acl", WAF),
    ("tf.google_compute_security_policy", WAF),
    ("cfn.AWS.Route53.HostedZone", DNS),
    ("cfn.AWS.Route53.RecordSet", DNS),
    ("tf.aws_route53_zone", DNS),
    ("tf.aws_route53_record", DNS),
    ("tf.google_dns_managed_zone", DNS),
    // Compute.
    ("cfn.AWS.EC2.Instance", VM),
    ("cfn.AWS.EC2.LaunchTemplate", VM),
    ("tf.aws_instance", VM),
    ("tf.aws_launch_template", VM),
    ("tf.google_compute_instance", VM),
    ("tf.azurerm_linux_virtual_machine", VM),
    ("tf.azurerm_windows_virtual_machine", VM),
    ("dm.compute.v1.instance", VM),
    ("cfn.AWS.Lambda.Function", FUNCTION),
    ("tf.aws_lambda_function", FUNCTION),
    ("tf.google_cloudfunctions_function", FUNCTION),
    ("tf.google_cloudfunctions2_function", FUNCTION),
    ("cfn.AWS.ECS.Service", SERVICE),
    ("tf.aws_ecs_service", SERVICE),
    ("tf.google_cloud_run_service", SERVICE),
    ("tf.google_cloud_run_v2_service", SERVICE),
    ("tf.azurerm_container_app", SERVICE),
    ("cfn.AWS.ECS.TaskDefinition", WORKLOAD),
    ("tf.aws_ecs_task_definition", WORKLOAD),
    ("cfn.AWS.EKS.Cluster", CLUSTER),
    ("cfn.AWS.ECS.Cluster", CLUSTER),
    ("tf.aws_eks_cluster", CLUSTER),
    ("tf.aws_ecs_cluster", CLUSTER),
    ("tf.google_container_cluster", CLUSTER),
    ("tf.azurerm_kubernetes_cluster", CLUSTER),
    ("dm.container.v1.cluster", CLUSTER),
    ("cfn.AWS.EKS.Nodegroup", NODEPOOL),
    ("tf.aws_eks_node_group", NODEPOOL),
    ("tf.google_container_node_pool", NODEPOOL),
    // Kubernetes.
    ("kube.core.v1.Pod", WORKLOAD),
    ("kube.core.v1.ReplicationController", WORKLOAD),
    ("kube.apps.v1.Deployment", WORKLOAD),
    ("kube.apps.v1.StatefulSet", WORKLOAD),
    ("kube.apps.v1.DaemonSet", WORKLOAD),
    ("kube.apps.v1.ReplicaSet", WORKLOAD),
    ("kube.batch.v1.Job", WORKLOAD),
    ("kube.batch.v1.CronJob", WORKLOAD),
    ("tf.kubernetes_pod", WORKLOAD),
    ("tf.kubernetes_pod_v1", WORKLOAD),
    ("tf.kubernetes_deployment", WORKLOAD),
    ("tf.kubernetes_deployment_v1", WORKLOAD),
    ("tf.kubernetes_stateful_set", WORKLOAD),
    ("tf.kubernetes_stateful_set_v1", WORKLOAD),
    ("tf.kubernetes_daemonset", WORKLOAD),
    ("tf.kubernetes_daemon_set_v1", WORKLOAD),
    ("tf.kubernetes_job", WORKLOAD),
    ("tf.kubernetes_job_v1", WORKLOAD),
    ("tf.kubernetes_cron_job", WORKLOAD),
    ("tf.kubernetes_cron_job_v1", WORKLOAD),
    ("tf.kubernetes_replication_controller", WORKLOAD),
    ("tf.kubernetes_replication_controller_v1", WORKLOAD),
    ("kube.core.v1.Namespace", NAMESPACE),
    ("tf.kubernetes_namespace", NAMESPACE),
    ("tf.kubernetes_namespace_v1", NAMESPACE),
    ("kube.networking.v1.NetworkPolicy", NETWORK_POLICY),
    ("tf.kubernetes_network_policy", NETWORK_POLICY),
    ("tf.kubernetes_network_policy_v1", NETWORK_POLICY),
    ("kube.core.v1.Service", K8S_SERVICE),
    ("tf.kubernetes_service", K8S_SERVICE),
    ("tf.kubernetes_service_v1", K8S_SERVICE),
    ("kube.networking.v1.Ingress", INGRESS),
    ("tf.kubernetes_ingress", INGRESS),
    ("tf.kubernetes_ingress_v1", INGRESS),
    ("kube.core.v1.Secret", SECRET),
    ("tf.kubernetes_secret", SECRET),
    ("tf.kubernetes_secret_v1", SECRET),
    ("kube.core.v1.ServiceAccount", IAM),
    ("kube.rbac.v1.Role", IAM),
    ("kube.rbac.v1.ClusterRole", IAM),
    ("kube.rbac.v1.RoleBinding", IAM),
    ("kube.rbac.v1.ClusterRoleBinding", IAM),
    ("tf.kubernetes_service_account", IAM),
    ("tf.kubernetes_service_account_v1", IAM),
    ("tf.kubernetes_role_binding", IAM),
    ("tf.kubernetes_role_binding_v1", IAM),
    ("tf.kubernetes_cluster_role_binding", IAM),
    ("tf.kubernetes_cluster_role_binding_v1", IAM),
    // Keys, secrets, identities.
    ("cfn.AWS.KMS.Key", KEY),
    ("tf.aws_kms_key", KEY),
    ("tf.google_kms_crypto_key", KEY),
    ("tf.google_kms_key_ring", KEY),
    ("tf.azurerm_key_vault_key", KEY),
    ("cfn.AWS.SecretsManager.Secret", SECRET),
    ("tf.aws_secretsmanager_secret", SECRET),
    ("tf.google_secret_manager_secret", SECRET),
    ("tf.azurerm_key_vault_secret", SECRET),
    ("cfn.AWS.IAM.Role", IAM),
    ("cfn.AWS.IAM.Policy", IAM),
    ("cfn.AWS.IAM.ManagedPolicy", IAM),
    ("cfn.AWS.IAM.User", IAM),
    ("cfn.AWS.IAM.Group", IAM),
    ("cfn.AWS.IAM.RolePolicy", IAM),
    ("cfn.AWS.IAM.UserPolicy", IAM),
    ("cfn.AWS.IAM.GroupPolicy", IAM),
    ("cfn.AWS.S3.BucketPolicy", IAM),
    ("tf.aws_iam_role", IAM),
    ("tf.aws_iam_policy", IAM),
    ("tf.aws_iam_role_policy", IAM),
    ("tf.aws_iam_user_policy", IAM),
    ("tf.aws_iam_group_policy", IAM),
    ("tf.aws_iam_role_policy_attachment", IAM),
    ("tf.aws_s3_bucket_policy", IAM),
    ("tf.google_service_account", IAM),
    ("tf.google_project_iam_member", IAM),
    ("tf.google_project_iam_binding", IAM),
    ("tf.google_storage_bucket_iam_member", IAM),
    ("tf.google_storage_bucket_iam_binding", IAM),
    ("tf.azurerm_role_assignment", IAM),
    // Operations.
    ("cfn.AWS.Logs.LogGroup", LOGS),
    ("tf.aws_cloudwatch_log_group", LOGS),
    ("cfn.AWS.CertificateManager.Certificate", CERTIFICATE),
    ("tf.aws_acm_certificate", CERTIFICATE),
];

/// The kind of a generated type from [`GENERATED_KINDS`] ([`OTHER`] when it is not listed).
pub fn generated_kind(ty: &str) -> &'static str {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static BY_NAME: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    BY_NAME
        .get_or_init(|| GENERATED_KINDS.iter().copied().collect())
        .get(ty)
        .copied()
        .unwrap_or(OTHER)
}

/// Which resources of the stdlib and of the generated layer accept traffic from the internet
/// (besides CDNs, API gateways and ingresses, which always do): the settings that make them
/// public, declared per type. (Types of a project's own schemas are judged by the names of
/// their properties: see [`is_public`].)
#[rustfmt::skip]
pub const PUBLIC: &[Read] = &[
    read("aws.rds.DBInstance", "publicly_accessible", Is::True, "public"),
    read("aws.ecs.Service", "public_ip", Is::True, "public"),
    read("aws.elbv2.LoadBalancer", "internal", Is::FalseOrUnset, "public"),
    read("azure.postgres.FlexibleServer", "public_network_access", Is::True, "public"),
    read("azure.redis.Cache", "public_network_access", Is::True, "public"),
    read("azure.servicebus.Namespace", "public_network_access", Is::True, "public"),
    read("gcp.sql.DatabaseInstance", "public_ip", Is::True, "public"),
    read("gcp.run.Service", "ingress", Is::OneOf(&["all"]), "public"),
    read("gcp.cloudfunctions.Function", "ingress", Is::OneOf(&["all"]), "public"),
    read("gcp.compute.GlobalForwardingRule", "scheme", Is::OneOf(&["EXTERNAL", "EXTERNAL_MANAGED"]), "public"),
    read("k8s.Service", "type", Is::OneOf(&["LoadBalancer", "NodePort"]), "public"),
    read("portable.LoadBalancer", "public", Is::True, "public"),
    read("portable.ObjectStore", "public", Is::True, "public"),
    read("portable.Postgres", "public", Is::True, "public"),
    read("portable.Service", "public", Is::Test(truthy), "public"),
    read("cfn.AWS.RDS.DBInstance", "PubliclyAccessible", Is::True, "public"),
    read("tf.aws_db_instance", "publicly_accessible", Is::True, "public"),
    read("tf.azurerm_postgresql_flexible_server", "public_network_access_enabled", Is::True, "public"),
    read("cfn.AWS.EC2.Instance", "NetworkInterfaces[].AssociatePublicIpAddress", Is::True, "public"),
    read("tf.aws_instance", "associate_public_ip_address", Is::True, "public"),
    read("cfn.AWS.ElasticLoadBalancingV2.LoadBalancer", "Scheme", Is::NoneOfOrUnset(&["internal"]), "public"),
    read("cfn.AWS.ElasticLoadBalancing.LoadBalancer", "Scheme", Is::NoneOfOrUnset(&["internal"]), "public"),
    read("tf.aws_lb", "internal", Is::FalseOrUnset, "public"),
    read("tf.aws_alb", "internal", Is::FalseOrUnset, "public"),
    read("tf.aws_elb", "internal", Is::FalseOrUnset, "public"),
    read("tf.google_compute_global_forwarding_rule", "load_balancing_scheme", Is::NoneOfOrUnset(&["INTERNAL_SELF_MANAGED", "INTERNAL", "INTERNAL_MANAGED"]), "public"),
    read("tf.google_compute_forwarding_rule", "load_balancing_scheme", Is::OneOf(&["EXTERNAL", "EXTERNAL_MANAGED"]), "public"),
    read("tf.google_cloud_run_v2_service", "ingress", Is::OneOf(&["INGRESS_TRAFFIC_ALL"]), "public"),
    read("kube.core.v1.Service", "spec.type", Is::OneOf(&["LoadBalancer", "NodePort"]), "public"),
    read("tf.kubernetes_service", "spec.type", Is::OneOf(&["LoadBalancer", "NodePort"]), "public"),
    read("tf.kubernetes_service_v1", "spec.type", Is::OneOf(&["LoadBalancer", "NodePort"]), "public"),
];

/// A kind from the type name alone, for schemas without `@kind`.
pub fn kind_from_type(ty: &str) -> &'static str {
    // Generated types have their own property names and an explicit table of kinds: a rule
    // reads them only where it declares them (see [`crate::reads`]), never by guess.
    if strata_stdlib::generated::family_of(ty).is_some() {
        return generated_kind(ty);
    }
    let t = ty.to_ascii_lowercase();
    let last = t.rsplit('.').next().unwrap_or(&t);
    let has = |s: &str| t.contains(s);
    if t.starts_with("k8s.") {
        return match last {
            "deployment" | "statefulset" | "daemonset" | "job" | "cronjob" | "pod"
            | "replicaset" => WORKLOAD,
            "namespace" => NAMESPACE,
            "networkpolicy" => NETWORK_POLICY,
            "service" => K8S_SERVICE,
            "ingress" => INGRESS,
            "secret" => SECRET,
            "role" | "clusterrole" | "rolebinding" | "clusterrolebinding" | "serviceaccount" => IAM,
            _ => OTHER,
        };
    }
    if last.contains("postgres")
        || last.contains("mysql")
        || has(".rds.")
        || has("sql.")
        || has(".sql")
        || has("cosmos")
        || has("dynamodb")
        || has("docdb")
        || has("spanner")
        || has("firestore")
        || has(".aurora")
        || last.contains("dbinstance")
        || last.contains("dbcluster")
        || last == "database"
    {
        return DATABASE;
    }
    if has("redis") || has("elasticache") || has("memcache") || last == "cache" {
        return CACHE;
    }
    if last == "bucket"
        || last == "objectstore"
        || last == "storageaccount"
        || has("s3.bucket")
        || has("storage.account")
    {
        return if has("policy") { IAM } else { BUCKET };
    }
    if has("waf") || last.contains("webacl") || last.contains("securitypolicy") {
        return WAF;
    }
    if has("cloudfront")
        || has("cdn")
        || last.contains("distribution")
        || last == "backendbucket"
        || last == "frontdoor"
    {
        return CDN;
    }
    if has("apigateway") || last == "api" || last.contains("restapi") || last.contains("httpapi") {
        return API_GATEWAY;
    }
    if last.contains("targetgroup") {
        return TARGET_GROUP;
    }
    if last.contains("loadbalancer")
        || has("elbv2")
        || has(".elb.")
        || last.contains("applicationgateway")
        || last.contains("forwardingrule")
        || last == "urlmap"
        || last.contains("proxy")
        || last == "backendservice"
        || last.contains("listener")
        || last == "frontdoor"
        || last == "sslpolicy"
    {
        return LOADBALANCER;
    }
    if has("route53") || has(".dns.") || last.contains("zone") || last.contains("recordset") {
        return DNS;
    }
    if last.contains("natgateway") || last == "router" || last == "routernat" {
        return NAT;
    }
    if last.contains("securitygroup")
        || last.contains("firewall")
        || last.contains("networksecuritygroup")
        || last.contains("securityrule")
    {
        return FIREWALL;
    }
    if last == "subnet" || last == "subnetwork" {
        return SUBNET;
    }
    if last == "vpc" || last == "network" || last == "virtualnetwork" {
        return NETWORK;
    }
    if has("kms")
        || last == "key"
        || last == "cryptokey"
        || last == "keyring"
        || has("keyvault.key")
    {
        return KEY;
    }
    if last.contains("secret") {
        return SECRET;
    }
    if has(".iam.")
        || last.contains("role")
        || last.contains("serviceaccount")
        || last.contains("binding")
        || last.ends_with("policy")
    {
        return IAM;
    }
    if has("sqs") || last == "queue" {
        return QUEUE;
    }
    if has("sns") || last == "topic" {
        return TOPIC;
    }
    if has("lambda") || last == "function" || last.contains("functionapp") {
        return FUNCTION;
    }
    if last.contains("nodegroup") || last.contains("nodepool") {
        return NODEPOOL;
    }
    if has("eks.cluster")
        || has("container.cluster")
        || last.contains("kubernetescluster")
        || has("gke")
        || last == "cluster"
    {
        return CLUSTER;
    }
    if has("ecs.service")
        || has("run.service")
        || has("containerapp")
        || last == "service"
        || last.contains("appservice")
        || last.contains("webapp")
    {
        return SERVICE;
    }
    if last == "instance" || last.contains("virtualmachine") || has("ec2.instance") {
        return VM;
    }
    if has("logs.") || last.contains("loggroup") || has("logging") || last.contains("alarm") {
        return LOGS;
    }
    if last.contains("certificate") {
        return CERTIFICATE;
    }
    OTHER
}

/// Facts about every resource of a model, indexed by resource id.
#[derive(Debug)]
pub struct Facts {
    pub kind: Vec<&'static str>,
    /// The portable resource a resource was lowered from, if it is in this model.
    pub origin: Vec<Option<ResourceId>>,
    /// Portable resources that were lowered into other resources of this model: rules skip
    /// them (their lowered resources are checked instead, with the same spans).
    pub superseded: ResourceSet,
    /// The resources each superseded portable resource was lowered into.
    pub lowered: std::collections::BTreeMap<ResourceId, Vec<ResourceId>>,
    /// Internet entry points (what `internet` means in `deny path(internet ~> X)`).
    pub public: ResourceSet,
    /// Environment name of each resource (lowercase): its `env`/`environment` tag, else its
    /// stack's tag, else the model's `--env`.
    pub env: Vec<Option<String>>,
    /// Region (or location) of each resource: its own `region`/`location`, else its stack's.
    pub region: Vec<Option<String>>,
}

/// True for `true`, a record (`public = https { ... }`), a non-empty list, or a string that is not
/// an explicit "no".
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Record(_) => true,
        Value::List(l) => !l.is_empty(),
        Value::Str(s) => !matches!(
            s.to_ascii_lowercase().as_str(),
            "" | "false" | "no" | "none" | "off" | "private" | "internal" | "disabled"
        ),
        Value::Int(i) => *i != 0,
        _ => false,
    }
}

fn str_prop<'r>(r: &'r Resource, name: &str) -> Option<&'r str> {
    r.prop(name).and_then(Value::as_str)
}

/// A REST API whose endpoint is `PRIVATE`: reachable only through interface endpoints of a VPC
/// (`EndpointConfiguration.Types` on `cfn.AWS.ApiGateway.RestApi`,
/// `endpoint_configuration.types` on `tf.aws_api_gateway_rest_api`).
fn private_api(r: &Resource) -> bool {
    let types = match r.ty.as_str() {
        "cfn.AWS.ApiGateway.RestApi" => r
            .prop("EndpointConfiguration")
            .and_then(Value::as_record)
            .and_then(|c| c.get("Types")),
        "tf.aws_api_gateway_rest_api" => r
            .prop("endpoint_configuration")
            .and_then(|c| match c {
                Value::List(l) => l.first(),
                v => Some(v),
            })
            .and_then(Value::as_record)
            .and_then(|c| c.get("types")),
        _ => None,
    };
    types.and_then(Value::as_list).is_some_and(|l| {
        !l.is_empty()
            && l.iter().all(|t| {
                t.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case("PRIVATE"))
            })
    })
}

/// Whether a resource accepts traffic from the internet.
pub fn is_public(r: &Resource, kind: &str) -> bool {
    let root = r.ty.split('.').next().unwrap_or("");
    if strata_stdlib::generated::is_family(root) || strata_stdlib::PACKAGES.contains(&root) {
        if kind == API_GATEWAY && private_api(r) {
            return false;
        }
        return matches!(kind, CDN | API_GATEWAY | INGRESS)
            || crate::reads::first_fault(PUBLIC, r).is_some();
    }
    // A project's own schema: by the names of its properties.

    let flag = |n: &str| r.prop(n).is_some_and(truthy);
    if flag("public")
        || flag("publicly_accessible")
        || flag("internet_facing")
        || flag("public_ip")
        || flag("associate_public_ip_address")
        || flag("public_network_access")
    {
        return true;
    }
    if let Some(s) = str_prop(r, "scheme") {
        // AWS load balancers (`internet-facing`), GCP forwarding rules (`EXTERNAL*`).
        return s.eq_ignore_ascii_case("internet-facing")
            || s.eq_ignore_ascii_case("EXTERNAL")
            || s.eq_ignore_ascii_case("EXTERNAL_MANAGED");
    }
    if let Some(s) = str_prop(r, "load_balancing_scheme") {
        return s.eq_ignore_ascii_case("EXTERNAL") || s.eq_ignore_ascii_case("EXTERNAL_MANAGED");
    }
    if let Some(s) = str_prop(r, "ingress") {
        let s = s.to_ascii_lowercase();
        if s == "all" || s == "ingress_traffic_all" || s == "internet" {
            return true;
        }
    }
    match kind {
        CDN | API_GATEWAY | INGRESS => true,
        K8S_SERVICE => matches!(str_prop(r, "type"), Some("LoadBalancer" | "NodePort")),
        // AWS load balancers are internet-facing unless `scheme = "internal"` (handled above).
        LOADBALANCER => {
            r.ty.starts_with("aws.")
                && r.ty.ends_with("LoadBalancer")
                && !r.prop("internal").is_some_and(Value::is_true)
        }
        _ => false,
    }
}

fn env_tag(tags: Option<&Value>) -> Option<String> {
    let rec = tags?.as_record()?;
    ["env", "environment", "stage"]
        .iter()
        .find_map(|k| rec.get(*k).and_then(Value::as_str))
        .map(str::to_ascii_lowercase)
}

/// `prod`, `production`, `prd`, `live` count as production.
pub fn is_prod_name(env: &str) -> bool {
    let e = env.to_ascii_lowercase();
    matches!(e.as_str(), "prod" | "production" | "prd" | "live")
        || e.starts_with("prod-")
        || e.ends_with("-prod")
        || e.starts_with("prod_")
        || e.ends_with("_prod")
}

impl Facts {
    pub fn compute(model: &Model, schemas: &Schemas) -> Facts {
        let n = model.resources.len();
        let mut kind = Vec::with_capacity(n);
        let mut origin = Vec::with_capacity(n);
        let mut superseded = ResourceSet::new(n);
        let mut lowered: std::collections::BTreeMap<ResourceId, Vec<ResourceId>> =
            std::collections::BTreeMap::new();
        let mut public = ResourceSet::new(n);
        let mut env = Vec::with_capacity(n);
        let mut region = Vec::with_capacity(n);
        let model_env = model.env.as_ref().map(|e| e.to_ascii_lowercase());
        let stack_env: Vec<Option<String>> = model
            .stacks
            .iter()
            .map(|s| {
                ["env", "environment", "stage"]
                    .iter()
                    .find_map(|k| s.tags.get(*k))
                    .map(|e| e.to_ascii_lowercase())
            })
            .collect();
        let stack_region: Vec<Option<String>> = model
            .stacks
            .iter()
            .map(|s| {
                ["region", "location"]
                    .iter()
                    .find_map(|k| s.provider_config.get(*k).and_then(Value::as_str))
                    .map(str::to_string)
            })
            .collect();
        for r in &model.resources {
            let k = schemas
                .get(&r.ty)
                .and_then(|s| s.attr_str("kind"))
                .map(canonical_kind)
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| kind_from_type(&r.ty));
            kind.push(k);
            let o = r.lowered_from.filter(|o| {
                o.0 != r.id.0
                    && (o.0 as usize) < n
                    && model.resources[o.0 as usize].provider == Provider::Portable
            });
            if let Some(o) = o {
                superseded.insert(o);
                lowered.entry(o).or_default().push(r.id);
            }
            origin.push(o);
            if is_public(r, k) {
                public.insert(r.id);
            }
            let stack =
                r.stack
                    .filter(|&s| s < model.stacks.len())
                    .or(if model.stacks.len() == 1 {
                        Some(0)
                    } else {
                        None
                    });
            env.push(
                env_tag(r.prop("tags").or_else(|| r.prop("labels")))
                    .or_else(|| stack.and_then(|s| stack_env[s].clone()))
                    .or_else(|| model_env.clone()),
            );
            region.push(
                ["region", "location"]
                    .iter()
                    .find_map(|p| str_prop(r, p))
                    .map(str::to_string)
                    .or_else(|| stack.and_then(|s| stack_region[s].clone())),
            );
        }
        // A superseded portable resource is not itself an entry point: its lowered resources are.
        let mut public_final = ResourceSet::new(n);
        for id in public.iter() {
            if !superseded.contains(id) {
                public_final.insert(id);
            }
        }
        Facts {
            kind,
            origin,
            superseded,
            lowered,
            public: public_final,
            env,
            region,
        }
    }

    pub fn kind(&self, id: ResourceId) -> &'static str {
        self.kind.get(id.0 as usize).copied().unwrap_or(OTHER)
    }
    pub fn env(&self, id: ResourceId) -> Option<&str> {
        self.env.get(id.0 as usize).and_then(|e| e.as_deref())
    }
    pub fn is_prod(&self, id: ResourceId) -> bool {
        self.env(id).is_some_and(is_prod_name)
    }
    /// The environment is known and is not production.
    pub fn is_non_prod(&self, id: ResourceId) -> bool {
        self.env(id).is_some_and(|e| !is_prod_name(e))
    }
    pub fn region(&self, id: ResourceId) -> Option<&str> {
        self.region.get(id.0 as usize).and_then(|e| e.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_types() {
        assert_eq!(kind_from_type("aws.rds.DBInstance"), DATABASE);
        assert_eq!(kind_from_type("gcp.sql.DatabaseInstance"), DATABASE);
        assert_eq!(kind_from_type("aws.elasticache.ReplicationGroup"), CACHE);
        assert_eq!(kind_from_type("aws.s3.Bucket"), BUCKET);
        assert_eq!(kind_from_type("aws.s3.BucketPolicy"), IAM);
        assert_eq!(kind_from_type("aws.elbv2.LoadBalancer"), LOADBALANCER);
        assert_eq!(kind_from_type("aws.cloudfront.Distribution"), CDN);
        assert_eq!(kind_from_type("aws.wafv2.WebACL"), WAF);
        assert_eq!(kind_from_type("aws.ec2.SecurityGroup"), FIREWALL);
        assert_eq!(kind_from_type("gcp.compute.Firewall"), FIREWALL);
        assert_eq!(kind_from_type("k8s.Deployment"), WORKLOAD);
        assert_eq!(kind_from_type("k8s.NetworkPolicy"), NETWORK_POLICY);
        assert_eq!(kind_from_type("portable.Postgres"), DATABASE);
        assert_eq!(kind_from_type("portable.ObjectStore"), BUCKET);
        assert_eq!(kind_from_type("aws.ecs.Service"), SERVICE);
        assert_eq!(kind_from_type("gcp.run.Service"), SERVICE);
        assert_eq!(kind_from_type("aws.kms.Key"), KEY);
        assert_eq!(kind_from_type("aws.iam.Role"), IAM);
        assert_eq!(kind_from_type("aws.sqs.Queue"), QUEUE);
        assert_eq!(kind_from_type("x.Unknown"), OTHER);
    }

    #[test]
    fn prod_names() {
        assert!(is_prod_name("prod") && is_prod_name("Production") && is_prod_name("eu-prod"));
        assert!(!is_prod_name("dev") && !is_prod_name("staging") && !is_prod_name("preprod-x"));
    }
}
