//! Pricing of each resource type: which table, which properties give the size and the count,
//! and the quantity model (what one resource is billed for, and how many of it).
//!
//! [`MODELS`] lists every type the estimate knows: priced (a monthly price from the tables,
//! times the quantities its properties give), usage-based (billed per request, GB or message:
//! priced only from the usage file) or free. The coverage test holds it against every type a
//! lowering can emit and the monthly-billed types of the generated layer; `docs/cost.md`
//! renders the same quantity models.

use super::prices::{Basis, Found, Prices};
use super::{CostItem, UsageAssumptions};
use crate::facts::Facts;
use std::collections::BTreeMap;
use strata_model::{Model, Resource, Value};

/// How a resource type is billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A monthly (hourly) price from the tables, times the quantities in the model.
    Priced,
    /// Billed by usage only (requests, GB, messages): priced from the usage file.
    UsageBased,
    /// No charge of its own (configuration, or billed through another resource).
    Free,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Priced => "priced",
            Kind::UsageBased => "usage-based",
            Kind::Free => "free",
        }
    }
}

/// The quantity model of a type: how it is billed and what is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PricingModel {
    pub ty: &'static str,
    pub kind: Kind,
    /// One sentence: the components and their quantities (usage keys in backquotes).
    pub quantity: &'static str,
}

use Kind::{Free, Priced, UsageBased};

macro_rules! models {
    ($($ty:literal => $kind:ident, $q:expr;)*) => {
        /// Every resource type the estimate knows, sorted by name.
        pub const MODELS: &[PricingModel] = &[$(PricingModel { ty: $ty, kind: $kind, quantity: $q }),*];
    };
}

const RDS_Q: &str = "instance hours × (2 with Multi-AZ) + allocated storage GB × (2 with Multi-AZ) + each read replica (instance hours + storage); backup storage beyond the free 100 % of storage from usage `backup_gib`; Aurora engines (`aurora-postgresql`, `aurora-mysql`): Aurora instance hours (storage and I/O are billed on the cluster), `db.serverless` the cluster's minimum ACUs × ACU hours; an Aurora class or region the tables do not list is not estimated";
const AURORA_INSTANCE_Q: &str = "Aurora instance hours (storage and I/O are billed on the cluster); `db.serverless`: the cluster's minimum ACUs × ACU hours; a class or region the tables do not list is not estimated";
const ELASTICACHE_Q: &str = "node hours × nodes (shards × (1 + replicas per shard), or 1 + replicas); backup storage beyond one free snapshot from usage `backup_gib`";
const EKS_NG_Q: &str = "desired nodes × instance hours + desired nodes × node disk GB (EBS gp3)";
const GKE_POOL_Q: &str = "nodes per zone × zones (3 for a regional cluster, the node locations when given, 1 for a zonal cluster) × VM hours + the same number of boot disks × disk GB";
const NAT_AWS_Q: &str = "gateway hours + data processed GB from usage `nat_gib`";
const ELB_Q: &str = "load balancer hours + capacity units from usage `lcu` (average LCUs)";
const CLOUDSQL_Q: &str = "vCPU hours + memory GB hours (shared-core tiers: instance hours) × (2 for REGIONAL/HA) + disk GB × (2 for HA); backups from usage `backup_gib`";
const MEMORYSTORE_Q: &str = "capacity GB hours at the tier's capacity band (Standard includes one replica; each further read replica is half the Standard rate)";
const AZPG_Q: &str = "compute hours × (2 with zone-redundant HA) + storage GiB × (2 with HA); backup storage beyond 100 % of storage from usage `backup_gib` (× 2 with geo-redundant backup)";
const WAF_Q: &str = "web ACL month + rules (each rule, rule group and rate-based rule) per month + requests from usage `requests_millions`";
const GFR_Q: &str = "forwarding rules per project and region: the first five together at one hourly price (carried by the first rule of the stack), each further rule its own hourly price";
const DASHBOARD_Q: &str = "one dashboard per month, beyond the first three of the account (counted per stack, in declaration order: the fourth and later are priced)";
const EC2_Q: &str = "instance hours + root volume GB (EBS gp3)";
const OPENSEARCH_Q: &str = "data nodes × instance hours + dedicated masters × instance hours + UltraWarm nodes × node hours (ultrawarm1.medium.search in us-east-1 only) + data nodes × EBS volume GB at its type; UltraWarm managed storage and cold storage are not estimated; a class or region the tables do not list is not estimated";
const REDSHIFT_Q: &str = "nodes × node hours (× 2 with Multi-AZ); RA3 managed storage and concurrency scaling are not estimated; a region the tables do not list is not estimated";
const KINESIS_Q: &str = "PROVISIONED: shards × shard hours + PUT payload units from usage `requests_millions`; ON_DEMAND: stream hours + data ingested GB from usage `data_gib`; priced in us-east-1 and us-east-2 only, elsewhere not estimated";
const AURORA_CLUSTER_Q: &str = "Aurora: storage GB from usage `storage_gib` + I/O requests from usage `requests_millions` (Aurora Standard; I/O-Optimized storage is not estimated); its instances are priced on the instances; a Multi-AZ DB cluster of another engine or Aurora Serverless v1 is not estimated; us-east-1 only";
const EFS_Q: &str = "stored GB (Standard, or One Zone with an availability zone) from usage `storage_gib` + provisioned throughput MiB/s per month when `provisioned`; us-east-1 only, elsewhere not estimated";
const DOCDB_NEPTUNE_Q: &str = "instance hours at its class (its cluster's I/O-Optimized rate when the cluster's storage type is `iopt1`); cluster storage and I/O are not estimated; a class or region the tables do not list is not estimated";
const DYNAMODB_Q: &str = "PROVISIONED: (table + global secondary index) read and write capacity units × hours (the free tier's 25 RCU and 25 WCU are not deducted) + stored GB from usage `storage_gib`; PAY_PER_REQUEST: requests are not estimated (no confirmed price), stored GB from usage `storage_gib`; priced in us-east-1 and us-east-2 only, elsewhere not estimated";

models! {
    "aws.acm.Certificate" => Free, "public certificates are free";
    "aws.backup.BackupPlan" => UsageBased, "warm backup storage GB from usage `storage_gib`";
    "aws.backup.BackupVault" => UsageBased, "warm backup storage GB from usage `storage_gib` (copies from other regions: their data transfer is billed on the source)";
    "aws.cloudfront.Distribution" => UsageBased, "data transfer out GB from usage `data_gib` + HTTPS requests from usage `requests_millions`";
    "aws.cloudtrail.Trail" => Free, "the first trail's management events are free; data events are usage-based";
    "aws.cloudwatch.Alarm" => Priced, "one standard-resolution alarm metric per month (two with `per`: metric math is billed per metric it reads)";
    "aws.cloudwatch.Dashboard" => Priced, DASHBOARD_Q;
    "aws.ec2.InternetGateway" => Free, "no charge (data transfer is usage-based)";
    "aws.ec2.NatGateway" => Priced, NAT_AWS_Q;
    "aws.ec2.RouteTable" => Free, "no charge";
    "aws.ec2.SecurityGroup" => Free, "no charge";
    "aws.ec2.Subnet" => Free, "no charge";
    "aws.ec2.Vpc" => Free, "no charge (its `flow_logs` are billed as vended logs delivered to S3, per GB: not estimated)";
    "aws.ecr.Repository" => UsageBased, "image storage GB from usage `storage_gib`";
    "aws.ecs.Cluster" => Free, "no charge (tasks are priced on their services)";
    "aws.ecs.Service" => Priced, "Fargate: desired tasks (at least the `min` of its `aws.ecs.ServiceScaling`; usage `tasks` for the average) × (vCPU hours + memory GB hours) of its task definition";
    "aws.ecs.ServiceScaling" => Free, "no charge (Application Auto Scaling; the tasks are priced on the service)";
    "aws.ecs.TaskDefinition" => Free, "priced on the services that run it";
    "aws.eks.Addon" => Free, "no charge of its own (its pods run on the cluster's nodes)";
    "aws.eks.Cluster" => Priced, "control-plane hours (standard support)";
    "aws.eks.FargateProfile" => UsageBased, "pods are billed per vCPU and GB-hour while they run (usage)";
    "aws.eks.Nodegroup" => Priced, EKS_NG_Q;
    "aws.eks.OidcProvider" => Free, "no charge (IAM)";
    "aws.eks.PodIdentityAssociation" => Free, "no charge";
    "aws.elasticache.ReplicationGroup" => Priced, ELASTICACHE_Q;
    "aws.elasticache.SubnetGroup" => Free, "no charge";
    "aws.elbv2.Listener" => Free, "priced on its load balancer";
    "aws.elbv2.ListenerRule" => Free, "priced on its load balancer";
    "aws.elbv2.LoadBalancer" => Priced, ELB_Q;
    "aws.elbv2.TargetGroup" => Free, "priced on its load balancer";
    "aws.iam.Policy" => Free, "no charge";
    "aws.iam.Role" => Free, "no charge";
    "aws.kms.Key" => Priced, "one customer managed key per month (requests are usage-based)";
    "aws.lambda.Function" => UsageBased, "requests from usage `requests_millions` (compute GB-seconds are not estimated)";
    "aws.logs.LogGroup" => UsageBased, "ingestion GB from usage `data_gib` + stored GB from usage `storage_gib`";
    "aws.logs.QueryDefinition" => Free, "no charge (the queries it runs are billed per GB scanned, as usage)";
    "aws.rds.DBInstance" => Priced, RDS_Q;
    "aws.rds.DBSubnetGroup" => Free, "no charge";
    "aws.route53.HostedZone" => Priced, "one hosted zone per month (queries are usage-based)";
    "aws.route53.RecordSet" => Free, "no charge of its own (queries are billed on the zone)";
    "aws.s3.Bucket" => UsageBased, "stored GB (its storage class) from usage `storage_gib` or `[cost] object_storage_gib`";
    "aws.s3.BucketPolicy" => Free, "no charge";
    "aws.secretsmanager.Secret" => Priced, "one secret per month (API calls are usage-based)";
    "aws.servicediscovery.PrivateDnsNamespace" => Priced, "its Route 53 private hosted zone per month + DNS queries from usage `requests_millions`";
    "aws.servicediscovery.Service" => Priced, "registered instances per month (the desired tasks of the ECS services registering in it, or usage `instances`) + discovery API calls from usage `requests_millions`";
    "aws.sns.Topic" => UsageBased, "publishes from usage `requests_millions` (deliveries to e-mail, HTTP and SMS endpoints are not estimated)";
    "aws.sqs.Queue" => UsageBased, "requests from usage `requests_millions` (standard or FIFO)";
    "aws.wafv2.WebACL" => Priced, WAF_Q;
    "azure.authorization.RoleAssignment" => Free, "no charge";
    "azure.containerapp.App" => Priced, "minimum replicas × (vCPU seconds + GiB seconds) at the active rate; scale-to-zero apps are usage-based";
    "azure.containerapp.Environment" => Free, "Consumption environment: no charge of its own";
    "azure.functions.FlexApp" => UsageBased, "executions from usage `requests_millions` (execution GB-seconds are not estimated)";
    "azure.identity.UserAssignedIdentity" => Free, "no charge";
    "azure.keyvault.Key" => Priced, "HSM keys (RSA-HSM, EC-HSM) per key-month; software keys are usage-based (operations from usage `requests_millions`)";
    "azure.keyvault.Secret" => UsageBased, "secret operations per 10,000 (no unit price in the tables)";
    "azure.keyvault.Vault" => Free, "no charge of its own (operations are billed on keys and secrets)";
    "azure.monitor.DiagnosticSetting" => Free, "no charge of its own (billed where the logs are sent)";
    "azure.monitor.LogAnalyticsWorkspace" => UsageBased, "data ingestion GB (usage `data_gib`; no unit price in the tables)";
    "azure.network.NetworkSecurityGroup" => Free, "no charge";
    "azure.network.PrivateDnsZone" => Priced, "one private zone per month (queries are usage-based)";
    "azure.network.PrivateDnsZoneLink" => Free, "no charge";
    "azure.network.PrivateEndpoint" => Priced, "endpoint hours (data processed is usage-based)";
    "azure.network.Subnet" => Free, "no charge";
    "azure.network.VirtualNetwork" => Free, "no charge";
    "azure.postgres.Database" => Free, "priced on its server";
    "azure.postgres.EntraAdministrator" => Free, "no charge";
    "azure.postgres.FlexibleServer" => Priced, AZPG_Q;
    "azure.redis.AccessPolicyAssignment" => Free, "no charge";
    "azure.redis.Cache" => Priced, "cache hours at its SKU (Standard and Premium include the replica)";
    "azure.resources.ResourceGroup" => Free, "no charge";
    "azure.servicebus.Namespace" => Priced, "Standard: base hours (13M operations included); Premium: messaging unit hours × capacity; Basic: usage-based";
    "azure.servicebus.Queue" => Free, "priced on its namespace";
    "azure.storage.Account" => UsageBased, "stored GB (Hot, LRS) from usage `storage_gib` or `[cost] object_storage_gib`";
    "azure.storage.Container" => Free, "priced on its account";
    "cfn.AWS.CloudWatch.Alarm" => Priced, "one standard-resolution alarm metric per month";
    "cfn.AWS.CloudWatch.Dashboard" => Priced, DASHBOARD_Q;
    "cfn.AWS.DocDB.DBInstance" => Priced, DOCDB_NEPTUNE_Q;
    "cfn.AWS.DynamoDB.Table" => Priced, DYNAMODB_Q;
    "cfn.AWS.EC2.EIP" => Priced, "public IPv4 address hours";
    "cfn.AWS.EC2.Instance" => Priced, EC2_Q;
    "cfn.AWS.EC2.NatGateway" => Priced, NAT_AWS_Q;
    "cfn.AWS.EC2.Volume" => Priced, "volume GB at its type";
    "cfn.AWS.ECS.Service" => Priced, "Fargate: desired tasks (usage `tasks` for the average) × (vCPU hours + memory GB hours) of its task definition";
    "cfn.AWS.EFS.FileSystem" => UsageBased, EFS_Q;
    "cfn.AWS.EKS.Cluster" => Priced, "control-plane hours (standard support)";
    "cfn.AWS.EKS.Nodegroup" => Priced, EKS_NG_Q;
    "cfn.AWS.ElastiCache.CacheCluster" => Priced, ELASTICACHE_Q;
    "cfn.AWS.ElastiCache.ReplicationGroup" => Priced, ELASTICACHE_Q;
    "cfn.AWS.ElasticLoadBalancingV2.LoadBalancer" => Priced, ELB_Q;
    "cfn.AWS.KMS.Key" => Priced, "one customer managed key per month";
    "cfn.AWS.Kinesis.Stream" => Priced, KINESIS_Q;
    "cfn.AWS.Neptune.DBInstance" => Priced, DOCDB_NEPTUNE_Q;
    "cfn.AWS.OpenSearchService.Domain" => Priced, OPENSEARCH_Q;
    "cfn.AWS.RDS.DBCluster" => UsageBased, AURORA_CLUSTER_Q;
    "cfn.AWS.RDS.DBInstance" => Priced, RDS_Q;
    "cfn.AWS.Redshift.Cluster" => Priced, REDSHIFT_Q;
    "cfn.AWS.Route53.HostedZone" => Priced, "one hosted zone per month";
    "cfn.AWS.S3.Bucket" => UsageBased, "stored GB from usage `storage_gib`";
    "cfn.AWS.SQS.Queue" => UsageBased, "requests from usage `requests_millions`";
    "cfn.AWS.SecretsManager.Secret" => Priced, "one secret per month";
    "cfn.AWS.ServiceDiscovery.PrivateDnsNamespace" => Priced, "its Route 53 private hosted zone per month";
    "cfn.AWS.ServiceDiscovery.Service" => Priced, "registered instances per month (usage `instances`)";
    "cfn.AWS.WAFv2.WebACL" => Priced, WAF_Q;
    "dm.compute.v1.globalForwardingRule" => Priced, GFR_Q;
    "dm.compute.v1.instance" => Priced, "VM hours at its machine type";
    "dm.compute.v1.securityPolicy" => Priced, "Cloud Armor policy per month + rules per month";
    "dm.container.v1.nodePool" => Priced, GKE_POOL_Q;
    "dm.dns.v1.managedZone" => Priced, "one managed zone per month";
    "dm.sqladmin.v1beta4.instance" => Priced, CLOUDSQL_Q;
    "gcp.artifactregistry.Repository" => UsageBased, "storage GB from usage `storage_gib`";
    "gcp.cloudfunctions.Function" => UsageBased, "invocations from usage `requests_millions`";
    "gcp.compute.Firewall" => Free, "no charge";
    "gcp.compute.GlobalForwardingRule" => Priced, GFR_Q;
    "gcp.compute.HttpsLoadBalancer" => Free, "billed through its forwarding rules (`gcp.compute.GlobalForwardingRule`); URL maps and proxies are free";
    "gcp.compute.Network" => Free, "no charge";
    "gcp.compute.SecurityPolicy" => Priced, "Cloud Armor policy per month + rules per month";
    "gcp.compute.ServerlessBackend" => Free, "no charge of its own";
    "gcp.compute.Subnetwork" => Free, "no charge";
    "gcp.container.Cluster" => Priced, "cluster management hours (one zonal or Autopilot cluster per billing account is covered by the free tier credit, not applied)";
    "gcp.container.NodePool" => Priced, GKE_POOL_Q;
    "gcp.dns.ManagedZone" => Priced, "one managed zone per month (queries are usage-based)";
    "gcp.dns.RecordSet" => Free, "no charge of its own";
    "gcp.iam.ServiceAccount" => Free, "no charge";
    "gcp.kms.CryptoKey" => Priced, "one active key version per month";
    "gcp.kms.KeyRing" => Free, "no charge";
    "gcp.logging.Bucket" => UsageBased, "ingestion GiB beyond the free 50 GiB from usage `data_gib`";
    "gcp.monitoring.AlertPolicy" => Free, "no charge (conditions are free until 2026 pricing applies)";
    "gcp.monitoring.NotificationChannel" => Free, "no charge (e-mail notifications are free)";
    "gcp.pubsub.Subscription" => Free, "billed on the topic's throughput";
    "gcp.pubsub.Topic" => UsageBased, "message throughput GiB from usage `data_gib`";
    "gcp.redis.Instance" => Priced, MEMORYSTORE_Q;
    "gcp.run.DomainMapping" => Free, "no charge";
    "gcp.run.Service" => Priced, "minimum instances × (vCPU seconds + GiB seconds) at the instance-based rate (an upper bound under request-based billing, whose idle minimum instances bill less); scale-to-zero services are usage-based (requests from usage `requests_millions`)";
    "gcp.secretmanager.Secret" => Priced, "one active secret version per month";
    "gcp.sql.Database" => Free, "priced on its instance";
    "gcp.sql.DatabaseInstance" => Priced, CLOUDSQL_Q;
    "gcp.sql.User" => Free, "no charge";
    "gcp.storage.Bucket" => UsageBased, "stored GB (its storage class) from usage `storage_gib` or `[cost] object_storage_gib`";
    "gcp.vpcaccess.Connector" => Priced, "minimum instances × VM hours at its machine type (instances added under load are not estimated)";
    "portable.Cache" => Priced, "as the provider's managed cache";
    "portable.Cdn" => UsageBased, "as the provider's CDN: data and requests from usage";
    "portable.Dns" => Priced, "as the provider's DNS zone";
    "portable.Function" => UsageBased, "requests from usage `requests_millions`";
    "portable.Key" => Priced, "as the provider's key: one customer-managed key a month on AWS and GCP; on Azure a software key, its operations usage-based";
    "portable.LoadBalancer" => Priced, "as the provider's load balancer";
    "portable.Network" => Free, "its NAT gateways are priced once lowered";
    "portable.ObjectStore" => UsageBased, "stored GB from usage `storage_gib`";
    "portable.Postgres" => Priced, "as the provider's managed Postgres";
    "portable.Queue" => UsageBased, "requests or messages from usage";
    "portable.Registry" => UsageBased, "storage GB from usage `storage_gib`";
    "portable.Secret" => Priced, "as the provider's secret store";
    "portable.Service" => Priced, "as the provider's container service: replicas × (vCPU + memory) hours";
    "tf.aws_alb" => Priced, ELB_Q;
    "tf.aws_cloudwatch_dashboard" => Priced, DASHBOARD_Q;
    "tf.aws_cloudwatch_metric_alarm" => Priced, "one standard-resolution alarm metric per month";
    "tf.aws_db_instance" => Priced, RDS_Q;
    "tf.aws_docdb_cluster_instance" => Priced, DOCDB_NEPTUNE_Q;
    "tf.aws_dynamodb_table" => Priced, DYNAMODB_Q;
    "tf.aws_ebs_volume" => Priced, "volume GB at its type";
    "tf.aws_ecs_service" => Priced, "Fargate: desired tasks (usage `tasks` for the average) × (vCPU hours + memory GB hours) of its task definition";
    "tf.aws_efs_file_system" => UsageBased, EFS_Q;
    "tf.aws_eip" => Priced, "public IPv4 address hours";
    "tf.aws_eks_cluster" => Priced, "control-plane hours (standard support)";
    "tf.aws_eks_node_group" => Priced, EKS_NG_Q;
    "tf.aws_elasticache_cluster" => Priced, ELASTICACHE_Q;
    "tf.aws_elasticache_replication_group" => Priced, ELASTICACHE_Q;
    "tf.aws_instance" => Priced, EC2_Q;
    "tf.aws_kinesis_stream" => Priced, KINESIS_Q;
    "tf.aws_kms_key" => Priced, "one customer managed key per month";
    "tf.aws_lb" => Priced, ELB_Q;
    "tf.aws_nat_gateway" => Priced, NAT_AWS_Q;
    "tf.aws_neptune_cluster_instance" => Priced, DOCDB_NEPTUNE_Q;
    "tf.aws_opensearch_domain" => Priced, OPENSEARCH_Q;
    "tf.aws_rds_cluster" => UsageBased, AURORA_CLUSTER_Q;
    "tf.aws_rds_cluster_instance" => Priced, AURORA_INSTANCE_Q;
    "tf.aws_redshift_cluster" => Priced, REDSHIFT_Q;
    "tf.aws_route53_zone" => Priced, "one hosted zone per month";
    "tf.aws_s3_bucket" => UsageBased, "stored GB from usage `storage_gib`";
    "tf.aws_secretsmanager_secret" => Priced, "one secret per month";
    "tf.aws_service_discovery_private_dns_namespace" => Priced, "its Route 53 private hosted zone per month";
    "tf.aws_service_discovery_service" => Priced, "registered instances per month (usage `instances`)";
    "tf.aws_sqs_queue" => UsageBased, "requests from usage `requests_millions`";
    "tf.aws_wafv2_web_acl" => Priced, WAF_Q;
    "tf.azurerm_container_app" => Priced, "minimum replicas × (vCPU seconds + GiB seconds) at the active rate";
    "tf.azurerm_function_app_flex_consumption" => UsageBased, "executions from usage `requests_millions` (execution GB-seconds are not estimated)";
    "tf.azurerm_key_vault_key" => Priced, "HSM keys per key-month; software keys are usage-based";
    "tf.azurerm_kubernetes_cluster" => Priced, "Standard tier management hours + the default node pool: nodes × VM hours";
    "tf.azurerm_linux_virtual_machine" => Priced, "VM hours at its size";
    "tf.azurerm_postgresql_flexible_server" => Priced, AZPG_Q;
    "tf.azurerm_private_dns_zone" => Priced, "one private zone per month";
    "tf.azurerm_private_endpoint" => Priced, "endpoint hours";
    "tf.azurerm_redis_cache" => Priced, "cache hours at its SKU";
    "tf.azurerm_servicebus_namespace" => Priced, "Standard: base hours; Premium: messaging unit hours × capacity";
    "tf.google_compute_forwarding_rule" => Priced, GFR_Q;
    "tf.google_compute_global_forwarding_rule" => Priced, GFR_Q;
    "tf.google_compute_instance" => Priced, "VM hours at its machine type";
    "tf.google_compute_router_nat" => UsageBased, "data processed GB from usage `nat_gib` (gateway uptime is billed per VM using it)";
    "tf.google_compute_security_policy" => Priced, "Cloud Armor policy per month + rules per month";
    "tf.google_container_cluster" => Priced, "cluster management hours";
    "tf.google_container_node_pool" => Priced, GKE_POOL_Q;
    "tf.google_dns_managed_zone" => Priced, "one managed zone per month";
    "tf.google_kms_crypto_key" => Priced, "one active key version per month";
    "tf.google_redis_instance" => Priced, MEMORYSTORE_Q;
    "tf.google_secret_manager_secret" => Priced, "one active secret version per month";
    "tf.google_sql_database_instance" => Priced, CLOUDSQL_Q;
    "tf.google_storage_bucket" => UsageBased, "stored GB from usage `storage_gib`";
    "tf.google_vpc_access_connector" => Priced, "minimum instances × VM hours at its machine type (instances added under load are not estimated)";
}

/// The quantity model of a resource type, if the estimate knows it. Kubernetes objects
/// (`k8s.*`, `kube.*`) are free: they run on the cluster's nodes, which are priced.
pub fn model_of(ty: &str) -> Option<PricingModel> {
    if let Ok(i) = MODELS.binary_search_by(|m| m.ty.cmp(ty)) {
        return Some(MODELS[i]);
    }
    if ty.starts_with("k8s.") || ty.starts_with("kube.") {
        return Some(PricingModel {
            ty: "k8s.*",
            kind: Free,
            quantity: "Kubernetes objects run on the cluster's nodes, which are priced (a LoadBalancer Service or a PersistentVolumeClaim provisions cloud resources the estimate does not see)",
        });
    }
    None
}

/// What a resource's price depends on in other resources, computed once per estimate.
#[derive(Default)]
pub(crate) struct Context {
    /// Rank (1-based) of each GCP forwarding rule among its stack's, by resource index.
    pub rule_rank: std::collections::HashMap<u32, usize>,
    /// Desired tasks of the ECS services registering in each Cloud Map service.
    pub registered: std::collections::HashMap<u32, f64>,
    /// Rank (1-based) of each CloudWatch dashboard among its stack's, by resource index.
    pub dashboard_rank: std::collections::HashMap<u32, usize>,
    /// The fewest tasks Application Auto Scaling keeps each ECS service at
    /// (`aws.ecs.ServiceScaling` `min`), by the service's resource index.
    pub scaled: std::collections::HashMap<u32, (f64, f64)>,
}

impl Context {
    /// The tasks an ECS service runs at least: its desired count, or its scaling minimum when
    /// that is higher.
    pub fn ecs_tasks(&self, r: &Resource) -> f64 {
        let desired = r.prop("desired_count").and_then(number).unwrap_or(1.0);
        match self.scaled.get(&r.id.0) {
            Some((min, _)) if *min > desired => *min,
            _ => desired,
        }
    }
}

const DASHBOARDS: &[&str] = &[
    "aws.cloudwatch.Dashboard",
    "cfn.AWS.CloudWatch.Dashboard",
    "tf.aws_cloudwatch_dashboard",
];

const FORWARDING_RULES: &[&str] = &[
    "dm.compute.v1.globalForwardingRule",
    "gcp.compute.ForwardingRule",
    "gcp.compute.GlobalForwardingRule",
    "tf.google_compute_forwarding_rule",
    "tf.google_compute_global_forwarding_rule",
];

impl Context {
    pub fn new(model: &Model) -> Context {
        let mut cx = Context::default();
        let mut per_stack: std::collections::HashMap<Option<usize>, usize> =
            std::collections::HashMap::new();
        let mut dashboards: std::collections::HashMap<Option<usize>, usize> =
            std::collections::HashMap::new();
        for r in &model.resources {
            if r.ty == "aws.ecs.ServiceScaling" {
                if let Some(svc) = r.prop("service").and_then(Value::as_ref) {
                    let min = r.prop("min").and_then(number).unwrap_or(1.0);
                    let max = r.prop("max").and_then(number).unwrap_or(min);
                    cx.scaled.insert(svc.resource.0, (min, max));
                }
            }
        }
        for r in &model.resources {
            if r.existing {
                continue;
            }
            if FORWARDING_RULES.contains(&r.ty.as_str()) {
                let n = per_stack.entry(r.stack).or_default();
                *n += 1;
                cx.rule_rank.insert(r.id.0, *n);
            } else if DASHBOARDS.contains(&r.ty.as_str()) {
                let n = dashboards.entry(r.stack).or_default();
                *n += 1;
                cx.dashboard_rank.insert(r.id.0, *n);
            } else if r.ty == "aws.ecs.Service" {
                if let Some(reg) = r.prop("service_registry").and_then(Value::as_ref) {
                    *cx.registered.entry(reg.resource.0).or_default() += cx.ecs_tasks(r);
                }
            }
        }
        cx
    }
}

pub(crate) struct Pcx<'a> {
    pub context: &'a Context,
    pub model: &'a Model,
    pub facts: &'a Facts,
    pub usage: &'a UsageAssumptions,
    pub prices: &'a Prices,
    pub r: &'a Resource,
    pub items: Vec<CostItem>,
    pub notes: Vec<String>,
    /// What the price depends on (class, size, count, zones ...), for `--compare-to`.
    pub sizing: BTreeMap<String, String>,
    /// The resource cannot be priced truthfully (no confirmed price for its engine, class or
    /// region): it is listed as not estimated, like a type without a model.
    pub unknown: bool,
}

/// The provider whose prices apply to a type.
pub(crate) fn provider_of(ty: &str) -> &'static str {
    if ty.starts_with("aws.") || ty.starts_with("cfn.") || ty.starts_with("tf.aws_") {
        "aws"
    } else if ty.starts_with("gcp.") || ty.starts_with("dm.") || ty.starts_with("tf.google_") {
        "gcp"
    } else if ty.starts_with("azure.") || ty.starts_with("tf.azurerm_") {
        "azure"
    } else {
        ""
    }
}

/// A value as a number: numbers, quantities, and numeric strings (CloudFormation writes
/// `"AllocatedStorage": "100"`).
fn number(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse::<f64>().ok()))
        .filter(|x| x.is_finite())
}

/// Whether a location names a zone (`europe-west1-b`) rather than a region.
fn is_zone(loc: &str) -> bool {
    loc.rsplit_once('-')
        .is_some_and(|(_, z)| z.len() == 1 && z.chars().all(|c| c.is_ascii_lowercase()))
}

impl<'a> Pcx<'a> {
    fn provider(&self) -> &'static str {
        match provider_of(&self.r.ty) {
            "" => self.stack_provider(),
            p => p,
        }
    }
    fn region(&self) -> Option<&'a str> {
        self.facts.region(self.r.id)
    }
    /// The region whose prices apply: the resource's region, or the region of the zone it is
    /// placed in (`location = "asia-southeast1-b"` is priced at asia-southeast1's prices; the
    /// price lists are per region).
    fn price_region(&self) -> Option<&'a str> {
        self.region().map(|r| match r.rsplit_once('-') {
            Some((region, _)) if is_zone(r) => region,
            _ => r,
        })
    }
    /// The value at a path of properties; each segment may list alternatives (`settings|Settings`),
    /// and a list on the way stands for its first element (Terraform blocks).
    fn at(&self, path: &str) -> Option<&'a Value> {
        let mut segs = path.split('.');
        let first = segs.next()?;
        let mut cur = first.split('|').find_map(|n| self.r.prop(n))?;
        for seg in segs {
            if let Some(l) = cur.as_list() {
                cur = l.first()?;
            }
            let rec = cur.as_record()?;
            cur = seg.split('|').find_map(|n| rec.get(n))?;
        }
        Some(cur)
    }
    /// The first of these paths that holds a string.
    fn str_of(&self, paths: &[&str]) -> Option<&'a str> {
        paths
            .iter()
            .find_map(|p| self.at(p).and_then(Value::as_str))
    }
    /// The first of these paths that holds a number.
    fn num_of(&self, paths: &[&str]) -> Option<f64> {
        paths.iter().find_map(|p| self.at(p).and_then(number))
    }
    /// The first of these paths that is `true` (or `"true"`).
    fn flag_of(&self, paths: &[&str]) -> bool {
        paths.iter().any(|p| {
            self.at(p)
                .is_some_and(|v| v.is_true() || v.as_str().is_some_and(|s| s == "true"))
        })
    }
    /// A size in GiB: a size quantity, or a plain number of GiB.
    fn gib_of(&self, paths: &[&str]) -> Option<f64> {
        paths.iter().find_map(|p| match self.at(p)? {
            Value::Quantity(q) => q.bytes().map(|b| b / 1073741824.0),
            v => number(v),
        })
    }
    fn list_len(&self, path: &str) -> usize {
        self.at(path)
            .and_then(Value::as_list)
            .map_or(0, <[Value]>::len)
    }
    fn hours(&self) -> f64 {
        self.usage
            .for_resource(&self.r.name, "hours")
            .unwrap_or(self.usage.hours_per_month)
    }
    fn usage(&self, key: &str) -> Option<f64> {
        self.usage.for_resource(&self.r.name, key)
    }
    /// Record what the price depends on.
    fn size(&mut self, key: &str, value: impl ToString) {
        self.sizing.insert(key.to_string(), value.to_string());
    }
    /// The resource a property references.
    fn referenced(&self, path: &str) -> Option<&'a Resource> {
        let r = self.at(path)?.as_ref()?;
        self.model.resources.get(r.resource.0 as usize)
    }
    /// The provider a portable resource will be lowered to (its stack's).
    fn stack_provider(&self) -> &'static str {
        match self.model.stack_of(self.r).map(|s| s.provider) {
            Some(strata_model::Provider::Gcp) => "gcp",
            Some(strata_model::Provider::Azure) => "azure",
            Some(strata_model::Provider::Aws) => "aws",
            _ => "",
        }
    }
    fn lookup(&self, provider: &str, table: &str, item: &str) -> Option<Found<'a>> {
        self.prices.get(provider, table, self.price_region(), item)
    }
    /// Add `quantity × price(table, item)` in the resource's provider; a note when there is
    /// no price.
    fn add(&mut self, what: impl Into<String>, table: &str, item: &str, quantity: f64) -> bool {
        let p = self.provider();
        self.add_in(p, what, table, item, quantity, None)
    }
    fn add_unit(
        &mut self,
        what: impl Into<String>,
        table: &str,
        item: &str,
        quantity: f64,
        unit: &str,
    ) -> bool {
        let p = self.provider();
        self.add_in(p, what, table, item, quantity, Some(unit))
    }
    fn add_in(
        &mut self,
        provider: &str,
        what: impl Into<String>,
        table: &str,
        item: &str,
        quantity: f64,
        unit: Option<&str>,
    ) -> bool {
        let what = what.into();
        match self.lookup(provider, table, item) {
            Some(f) => {
                let mut source = f.table.source.clone();
                match f.basis {
                    Basis::Listed => {}
                    Basis::RegionalMultiplier => {
                        source = format!(
                            "{source} ({} price × {} for {})",
                            f.region,
                            f.multiplier,
                            self.price_region().unwrap_or("?")
                        );
                    }
                    Basis::Fallback => {
                        source = format!(
                            "{source} ({} price: {})",
                            f.region,
                            match self.price_region() {
                                Some(r) => format!("none listed for {r}"),
                                None => "no region set".to_string(),
                            }
                        );
                    }
                }
                self.items.push(CostItem {
                    what,
                    quantity,
                    unit: unit.unwrap_or(&f.table.unit).to_string(),
                    unit_price: f.price,
                    monthly: quantity * f.price,
                    source,
                    price_region: f.region.to_string(),
                    basis: f.basis,
                });
                true
            }
            None => {
                let listed_only = self
                    .prices
                    .table(provider, table)
                    .is_some_and(|t| t.listed_only);
                if listed_only {
                    // A table that prices only what it lists: a missing class or region is
                    // not estimated, never a guess and never "no fixed monthly price".
                    self.unknown = true;
                    self.notes.push(format!(
                        "not estimated: no {provider} {table} price for `{item}` in {} (stdlib/prices lists only confirmed prices)",
                        self.price_region().unwrap_or("its region")
                    ));
                } else {
                    self.notes
                        .push(format!("no {provider} {table} price for `{item}`"));
                }
                false
            }
        }
    }
    /// Whether a `listed_only` table prices the resource's region; if not, the resource is not
    /// estimated (said in a note), even where its only charges are usage-based.
    fn listed_here(&mut self, table: &str) -> bool {
        let p = self.provider();
        let Some(t) = self.prices.table(p, table) else {
            return true;
        };
        match self.price_region() {
            Some(r) if t.listed_only && !t.prices.contains_key(r) => {
                self.unknown = true;
                self.notes.push(format!(
                    "not estimated: stdlib/prices lists no {p} {table} price for {r} (only confirmed prices are listed)"
                ));
                false
            }
            _ => true,
        }
    }
    fn hourly(&mut self, what: impl Into<String>, table: &str, item: &str, count: f64) -> bool {
        let h = self.hours();
        self.add(what, table, item, h * count)
    }
    /// A usage-based component: priced from the usage file, else a note saying what to set.
    fn usage_item(&mut self, key: &str, what: &str, table: &str, item: &str, unit: &str) {
        match self.usage(key) {
            Some(q) if q > 0.0 => {
                self.add_unit(format!("{what} (usage)"), table, item, q, unit);
            }
            Some(_) => {}
            None => self.notes.push(format!(
                "usage-based: {what} not estimated (set `{key}` for `{}` in usage.toml or [cost.resources] of strata.toml)",
                self.r.name
            )),
        }
    }
}

/// vCPUs and memory (GB) of a Cloud SQL tier.
fn cloudsql_shape(tier: &str) -> Option<(f64, f64)> {
    if let Some(rest) = tier.strip_prefix("db-custom-") {
        let mut it = rest.split('-');
        let cpu: f64 = it.next()?.parse().ok()?;
        let mib: f64 = it.next()?.parse().ok()?;
        return Some((cpu, mib / 1024.0));
    }
    if let Some(n) = tier.strip_prefix("db-n1-standard-") {
        let n: f64 = n.parse().ok()?;
        return Some((n, n * 3.75));
    }
    if let Some(n) = tier.strip_prefix("db-n1-highmem-") {
        let n: f64 = n.parse().ok()?;
        return Some((n, n * 6.5));
    }
    None
}

/// ECS/Fargate CPU: `256` CPU units or `0.25` vCPU.
fn vcpus_of(v: f64) -> f64 {
    if v >= 64.0 {
        v / 1024.0
    } else {
        v
    }
}

/// Memory in GB: a size quantity, or a number of MiB (ECS task definitions).
fn memory_gb(v: &Value) -> Option<f64> {
    match v {
        Value::Quantity(q) => q.bytes().map(|b| b / 1073741824.0),
        v => number(v).map(|m| if m > 64.0 { m / 1024.0 } else { m }),
    }
}

/// Price one resource into `cx.items` (nothing for free or usage-only resources without usage).
pub(crate) fn price(cx: &mut Pcx<'_>) {
    if cx.r.existing {
        return;
    }
    let ty = cx.r.ty.clone();
    match ty.as_str() {
        // ---- AWS compute and storage
        "aws.ec2.Instance" | "cfn.AWS.EC2.Instance" | "tf.aws_instance" => {
            if let Some(t) = cx.str_of(&["instance_type", "InstanceType", "type", "class"]) {
                cx.size("class", t);
                cx.hourly(format!("instance {t}"), "ec2", t, 1.0);
            }
            if let Some(g) = cx.gib_of(&[
                "root_volume_size",
                "volume_size",
                "disk_size",
                "root_block_device.volume_size",
            ]) {
                cx.size("disk_gb", g);
                cx.add("root volume gp3", "ebs", "gp3", g);
            }
        }
        "aws.ec2.Volume" | "aws.ebs.Volume" | "cfn.AWS.EC2.Volume" | "tf.aws_ebs_volume" => {
            let t = cx
                .str_of(&["type", "volume_type", "VolumeType"])
                .unwrap_or("gp3")
                .to_string();
            if let Some(g) = cx.gib_of(&["size", "storage", "Size"]) {
                cx.size("class", &t);
                cx.size("size_gb", g);
                cx.add(format!("volume {t}"), "ebs", &t, g);
            }
        }
        "aws.rds.DBInstance" | "cfn.AWS.RDS.DBInstance" | "tf.aws_db_instance" => rds(cx),
        "cfn.AWS.OpenSearchService.Domain" | "tf.aws_opensearch_domain" => opensearch(cx),
        "cfn.AWS.Redshift.Cluster" | "tf.aws_redshift_cluster" => redshift(cx),
        "cfn.AWS.DynamoDB.Table" | "tf.aws_dynamodb_table" => dynamodb(cx),
        "cfn.AWS.Kinesis.Stream" | "tf.aws_kinesis_stream" => kinesis(cx),
        "cfn.AWS.DocDB.DBInstance" | "tf.aws_docdb_cluster_instance" => {
            cluster_instance(cx, "docdb", "DocumentDB")
        }
        "cfn.AWS.Neptune.DBInstance" | "tf.aws_neptune_cluster_instance" => {
            cluster_instance(cx, "neptune", "Neptune")
        }
        "cfn.AWS.EFS.FileSystem" | "tf.aws_efs_file_system" => efs(cx),
        "cfn.AWS.RDS.DBCluster" | "tf.aws_rds_cluster" => aurora_cluster(cx),
        "tf.aws_rds_cluster_instance" => {
            let Some(class) = cx.str_of(&["instance_class"]).map(str::to_string) else {
                cx.notes.push("no instance class".into());
                return;
            };
            // The engine is the cluster's (`engine` is required, often `cluster.engine`).
            let engine = cx
                .str_of(&["engine"])
                .or_else(|| {
                    cx.referenced("cluster_identifier")
                        .and_then(|c| c.prop("engine"))
                        .and_then(Value::as_str)
                })
                .unwrap_or("aurora-mysql")
                .to_ascii_lowercase();
            aurora_instance(cx, &class, &engine);
        }
        "aws.elasticache.ReplicationGroup"
        | "aws.elasticache.CacheCluster"
        | "aws.elasticache.Cluster"
        | "cfn.AWS.ElastiCache.ReplicationGroup"
        | "cfn.AWS.ElastiCache.CacheCluster"
        | "tf.aws_elasticache_replication_group"
        | "tf.aws_elasticache_cluster" => elasticache(cx),
        "aws.ec2.NatGateway" | "cfn.AWS.EC2.NatGateway" | "tf.aws_nat_gateway" => {
            cx.hourly("NAT gateway", "network", "nat_gateway", 1.0);
            let gib = cx.usage("nat_gib").unwrap_or(cx.usage.nat_gib);
            if gib > 0.0 {
                cx.add(
                    "NAT data processed (usage)",
                    "network_data",
                    "nat_gateway",
                    gib,
                );
            } else {
                cx.notes.push(format!("usage-based: data processed not estimated (set `nat_gib` for `{}` or [cost] nat_gib)", cx.r.name));
            }
        }
        "aws.ec2.Eip" | "aws.ec2.EIP" | "aws.ec2.ElasticIp" | "cfn.AWS.EC2.EIP" | "tf.aws_eip" => {
            cx.hourly("public IPv4 address", "network", "public_ipv4", 1.0);
        }
        "aws.elbv2.LoadBalancer"
        | "aws.lb.LoadBalancer"
        | "aws.elb.LoadBalancer"
        | "cfn.AWS.ElasticLoadBalancingV2.LoadBalancer"
        | "tf.aws_lb"
        | "tf.aws_alb" => {
            let kind = cx
                .str_of(&["type", "load_balancer_type", "Type"])
                .unwrap_or("application")
                .to_ascii_lowercase();
            cx.size("class", &kind);
            cx.hourly(format!("{kind} load balancer"), "elb", &kind, 1.0);
            if let Some(lcu) = cx.usage("lcu") {
                let h = cx.hours();
                cx.add_unit(
                    "capacity units (usage)",
                    "elb",
                    &format!("lcu_{kind}"),
                    lcu * h,
                    "LCU-hour",
                );
            } else {
                cx.notes.push(format!(
                    "usage-based: capacity units (LCU) not estimated (set `lcu` for `{}`)",
                    cx.r.name
                ));
            }
        }
        "aws.eks.Cluster" | "cfn.AWS.EKS.Cluster" | "tf.aws_eks_cluster" => {
            cx.hourly("EKS control plane", "eks", "cluster", 1.0);
        }
        "aws.eks.NodeGroup"
        | "aws.eks.Nodegroup"
        | "cfn.AWS.EKS.Nodegroup"
        | "tf.aws_eks_node_group" => eks_nodes(cx),
        "aws.ecs.Service" | "cfn.AWS.ECS.Service" | "tf.aws_ecs_service" => {
            let launch = cx
                .str_of(&["launch_type", "LaunchType"])
                .unwrap_or("FARGATE");
            if !launch.eq_ignore_ascii_case("FARGATE") {
                cx.notes
                    .push("EC2 launch type: priced through its instances".into());
                return;
            }
            let mut count = cx
                .num_of(&["desired_count", "DesiredCount", "replicas", "count"])
                .unwrap_or(1.0);
            if let Some((min, max)) = cx.context.scaled.get(&cx.r.id.0).copied() {
                if min > count {
                    count = min;
                }
                cx.notes.push(format!(
                    "autoscaled between {min} and {max} tasks: priced at the minimum unless usage `tasks` gives the average"
                ));
            }
            if let Some(t) = cx.usage("tasks") {
                count = t;
            }
            let td = cx.referenced("task_definition|TaskDefinition");
            let td_num = |name: &[&str]| td.and_then(|t| name.iter().find_map(|n| t.prop(n)));
            let cpu = cx
                .num_of(&["cpu"])
                .or_else(|| td_num(&["cpu", "Cpu"]).and_then(number));
            let mem = cx
                .at("memory")
                .and_then(memory_gb)
                .or_else(|| td_num(&["memory", "Memory"]).and_then(memory_gb));
            fargate(cx, count, cpu.map(vcpus_of), mem);
        }
        "aws.s3.Bucket" | "cfn.AWS.S3.Bucket" | "tf.aws_s3_bucket" => {
            object_storage(cx, "s3", "STANDARD");
        }
        "aws.kms.Key" | "cfn.AWS.KMS.Key" | "tf.aws_kms_key" => {
            cx.add("customer managed key", "kms", "key", 1.0);
        }
        "aws.route53.HostedZone"
        | "aws.route53.Zone"
        | "cfn.AWS.Route53.HostedZone"
        | "tf.aws_route53_zone" => {
            cx.add("hosted zone", "route53", "hosted_zone", 1.0);
        }
        "aws.servicediscovery.PrivateDnsNamespace"
        | "cfn.AWS.ServiceDiscovery.PrivateDnsNamespace"
        | "tf.aws_service_discovery_private_dns_namespace" => {
            cx.add(
                "Route 53 private hosted zone",
                "route53",
                "hosted_zone",
                1.0,
            );
            if let Some(q) = cx.usage("requests_millions") {
                cx.add_unit(
                    "DNS queries (usage)",
                    "servicediscovery",
                    "dns_queries_million",
                    q,
                    "million",
                );
            }
        }
        "aws.servicediscovery.Service"
        | "cfn.AWS.ServiceDiscovery.Service"
        | "tf.aws_service_discovery_service" => {
            let id = cx.r.id.0;
            let instances = cx
                .usage("instances")
                .unwrap_or_else(|| cx.context.registered.get(&id).copied().unwrap_or(0.0));
            cx.size("count", instances);
            if instances > 0.0 {
                cx.add(
                    format!("{instances} registered instance(s)"),
                    "servicediscovery",
                    "registered_resource",
                    instances,
                );
            }
            if let Some(q) = cx.usage("requests_millions") {
                cx.add_unit(
                    "discovery API calls (usage)",
                    "servicediscovery",
                    "discovery_calls_million",
                    q,
                    "million",
                );
            }
        }
        "aws.wafv2.WebACL" | "cfn.AWS.WAFv2.WebACL" | "tf.aws_wafv2_web_acl" => {
            cx.add("web ACL", "waf", "web_acl", 1.0);
            let rules = cx.list_len("rules")
                + cx.list_len("Rules")
                + cx.list_len("rule")
                + cx.list_len("managed_rules")
                + usize::from(cx.at("rate_limit").is_some_and(|v| !v.is_null()));
            cx.size("rules", rules);
            if rules > 0 {
                cx.add(format!("{rules} rule(s)"), "waf", "rule", rules as f64);
            }
            cx.usage_item(
                "requests_millions",
                "requests",
                "waf",
                "requests_million",
                "million requests",
            );
        }
        "aws.secretsmanager.Secret"
        | "cfn.AWS.SecretsManager.Secret"
        | "tf.aws_secretsmanager_secret" => {
            cx.add("secret", "secretsmanager", "secret", 1.0);
        }
        "aws.cloudwatch.Alarm"
        | "aws.cloudwatch.MetricAlarm"
        | "cfn.AWS.CloudWatch.Alarm"
        | "tf.aws_cloudwatch_metric_alarm" => {
            // Metric math is billed per metric it reads: `per` adds the denominator.
            if cx.at("per").is_some_and(|v| !v.is_null()) {
                cx.add(
                    "alarm (metric math over 2 metrics)",
                    "cloudwatch",
                    "alarm",
                    2.0,
                );
            } else {
                cx.add("alarm", "cloudwatch", "alarm", 1.0);
            }
        }
        "aws.cloudwatch.Dashboard"
        | "cfn.AWS.CloudWatch.Dashboard"
        | "tf.aws_cloudwatch_dashboard" => {
            let rank = cx
                .context
                .dashboard_rank
                .get(&cx.r.id.0)
                .copied()
                .unwrap_or(1);
            cx.size("dashboard", rank);
            if rank > 3 {
                cx.add(
                    format!("dashboard {rank} of the account"),
                    "cloudwatch",
                    "dashboard",
                    1.0,
                );
            } else {
                cx.notes.push(format!(
                    "dashboard {rank} of the account: within the three free dashboards"
                ));
            }
        }
        "aws.lambda.Function" => {
            cx.usage_item(
                "requests_millions",
                "requests",
                "lambda",
                "requests_million",
                "million requests",
            );
        }
        "aws.sns.Topic" => {
            cx.usage_item(
                "requests_millions",
                "publishes",
                "sns",
                "publish_million",
                "million requests",
            );
        }
        "aws.sqs.Queue" | "cfn.AWS.SQS.Queue" | "tf.aws_sqs_queue" => {
            let fifo = cx.flag_of(&["fifo", "FifoQueue", "fifo_queue"]);
            cx.usage_item(
                "requests_millions",
                "requests",
                "sqs",
                if fifo { "fifo" } else { "standard" },
                "million requests",
            );
        }
        "aws.cloudfront.Distribution" => {
            cx.usage_item(
                "data_gib",
                "data transfer out",
                "cloudfront",
                "data_gb",
                "GB",
            );
            cx.usage_item(
                "requests_millions",
                "HTTPS requests",
                "cloudfront",
                "https_requests_million",
                "million requests",
            );
        }
        "aws.logs.LogGroup" => {
            cx.usage_item("data_gib", "ingestion", "logs", "ingestion", "GB");
            cx.usage_item("storage_gib", "storage", "logs", "storage", "GB-month");
        }
        "aws.ecr.Repository" => {
            cx.usage_item("storage_gib", "storage", "ecr", "storage", "GB-month")
        }
        "aws.backup.BackupPlan" => {
            cx.usage_item("storage_gib", "warm storage", "backup", "warm", "GB-month")
        }
        // ---- GCP
        "gcp.compute.Instance" | "tf.google_compute_instance" | "dm.compute.v1.instance" => {
            if let Some(t) = cx.str_of(&["machine_type", "machineType"]) {
                let t = t.rsplit('/').next().unwrap_or(t).to_string();
                cx.size("class", &t);
                cx.hourly(format!("VM {t}"), "compute", &t, 1.0);
            }
        }
        "gcp.vpcaccess.Connector" | "tf.google_vpc_access_connector" => {
            let t = cx
                .str_of(&["machine_type"])
                .unwrap_or("e2-micro")
                .to_string();
            let n = cx.num_of(&["min_instances"]).unwrap_or(2.0);
            cx.size("class", &t);
            cx.hourly(format!("connector VMs {t}"), "compute", &t, n);
        }
        "gcp.sql.DatabaseInstance"
        | "tf.google_sql_database_instance"
        | "dm.sqladmin.v1beta4.instance" => cloudsql(cx),
        "gcp.redis.Instance" | "tf.google_redis_instance" => memorystore(cx),
        "gcp.run.Service" => cloudrun(cx),
        "gcp.container.Cluster" | "tf.google_container_cluster" => {
            cx.hourly("GKE cluster management", "gke", "cluster", 1.0);
        }
        "gcp.container.NodePool" | "tf.google_container_node_pool" | "dm.container.v1.nodePool" => {
            gke_pool(cx)
        }
        "gcp.storage.Bucket" | "tf.google_storage_bucket" => {
            let class = cx
                .str_of(&["storage_class"])
                .unwrap_or("STANDARD")
                .to_string();
            object_storage(cx, "gcs", &class);
        }
        "gcp.compute.GlobalForwardingRule"
        | "gcp.compute.ForwardingRule"
        | "tf.google_compute_global_forwarding_rule"
        | "tf.google_compute_forwarding_rule"
        | "dm.compute.v1.globalForwardingRule" => forwarding_rule(cx),
        "gcp.compute.RouterNat" | "tf.google_compute_router_nat" => {
            cx.usage_item(
                "nat_gib",
                "NAT data processed",
                "nat_data",
                "nat_gateway",
                "GB",
            );
        }
        "gcp.kms.CryptoKey" | "tf.google_kms_crypto_key" => {
            cx.add("key version", "kms", "key_version", 1.0);
        }
        "gcp.secretmanager.Secret" | "tf.google_secret_manager_secret" => {
            cx.add("secret version", "secretmanager", "secret_version", 1.0);
        }
        "gcp.dns.ManagedZone" | "tf.google_dns_managed_zone" | "dm.dns.v1.managedZone" => {
            cx.add("managed zone", "dns", "managed_zone", 1.0);
        }
        "gcp.compute.SecurityPolicy"
        | "tf.google_compute_security_policy"
        | "dm.compute.v1.securityPolicy" => {
            cx.add("Cloud Armor policy", "armor", "policy", 1.0);
            let rules = cx.list_len("rules") + cx.list_len("rule");
            cx.size("rules", rules);
            if rules > 0 {
                cx.add(format!("{rules} rule(s)"), "armor", "rule", rules as f64);
            }
        }
        "gcp.pubsub.Topic" => cx.usage_item(
            "data_gib",
            "message throughput",
            "pubsub",
            "throughput_gib",
            "GiB",
        ),
        "azure.functions.FlexApp" | "tf.azurerm_function_app_flex_consumption" => cx.usage_item(
            "requests_millions",
            "executions",
            "functions",
            "requests_million",
            "million requests",
        ),
        "gcp.cloudfunctions.Function" => cx.usage_item(
            "requests_millions",
            "invocations",
            "cloudfunctions",
            "requests_million",
            "million requests",
        ),
        "gcp.logging.Bucket" => {
            cx.usage_item("data_gib", "ingestion", "logging", "ingestion", "GiB")
        }
        "gcp.artifactregistry.Repository" => cx.usage_item(
            "storage_gib",
            "storage",
            "artifactregistry",
            "storage",
            "GB-month",
        ),
        // ---- Azure
        "azure.compute.VirtualMachine"
        | "azure.compute.LinuxVirtualMachine"
        | "tf.azurerm_linux_virtual_machine" => {
            if let Some(t) = cx.str_of(&["size", "vm_size"]) {
                cx.size("class", t);
                cx.hourly(format!("VM {t}"), "vm", t, 1.0);
            }
        }
        "azure.network.PrivateDnsZone" | "tf.azurerm_private_dns_zone" => {
            cx.add("private DNS zone", "private_dns", "zone", 1.0);
        }
        "azure.network.PrivateEndpoint" | "tf.azurerm_private_endpoint" => {
            cx.hourly("private endpoint", "private_link", "endpoint", 1.0);
        }
        "azure.redis.Cache" | "tf.azurerm_redis_cache" => {
            let (sku, family, capacity) = match cx.str_of(&["sku_name"]) {
                // Terraform: `sku_name = "Standard"`, `family = "C"`, `capacity = 1`.
                Some(s) => (
                    s.to_string(),
                    cx.str_of(&["family"]).unwrap_or("C").to_string(),
                    cx.num_of(&["capacity"]).unwrap_or(0.0),
                ),
                None => (
                    cx.str_of(&["sku"]).unwrap_or("Basic").to_string(),
                    cx.str_of(&["family"]).unwrap_or("C").to_string(),
                    cx.num_of(&["capacity"]).unwrap_or(0.0),
                ),
            };
            let item = format!("{sku}_{family}{capacity}");
            cx.size("class", &item);
            cx.hourly(format!("cache {item}"), "redis", &item, 1.0);
        }
        "azure.postgres.FlexibleServer" | "tf.azurerm_postgresql_flexible_server" => {
            azure_postgres(cx)
        }
        "azure.storage.Account" => object_storage(cx, "blob", "Hot"),
        "azure.containerservice.KubernetesCluster"
        | "azure.aks.Cluster"
        | "tf.azurerm_kubernetes_cluster" => {
            let tier = cx
                .str_of(&["sku_tier", "tier"])
                .unwrap_or("free")
                .to_ascii_lowercase();
            if tier != "free" {
                cx.hourly("AKS cluster management", "aks", &tier, 1.0);
            }
            if let Some(t) = cx.str_of(&["default_node_pool.vm_size"]) {
                let n = cx
                    .num_of(&[
                        "default_node_pool.node_count",
                        "default_node_pool.min_count",
                    ])
                    .unwrap_or(1.0);
                cx.size("class", t);
                cx.size("count", n);
                cx.hourly(format!("{n} × VM {t} (default node pool)"), "vm", t, n);
            }
        }
        "azure.servicebus.Namespace" | "tf.azurerm_servicebus_namespace" => {
            let sku = cx.str_of(&["sku"]).unwrap_or("Standard").to_string();
            cx.size("class", &sku);
            match sku.as_str() {
                "Premium" => {
                    let mu = cx
                        .num_of(&["capacity", "premium_messaging_partitions"])
                        .unwrap_or(1.0)
                        .max(1.0);
                    cx.size("count", mu);
                    // Say why when a customer-managed key is what made it Premium (a
                    // `portable.Queue` with `encryption` is lowered to Premium for it).
                    let why = if cx.at("encryption").is_some()
                        || cx.at("customer_managed_key").is_some()
                    {
                        ", Premium for the customer-managed key"
                    } else {
                        ""
                    };
                    cx.hourly(
                        format!("{mu} messaging unit(s){why}"),
                        "servicebus",
                        "Premium",
                        mu,
                    );
                }
                "Standard" => {
                    cx.hourly("Standard base charge", "servicebus", "Standard", 1.0);
                }
                _ => cx
                    .notes
                    .push("usage-based: Basic tier is billed per operation".into()),
            }
        }
        "azure.containerapp.App" | "tf.azurerm_container_app" => {
            let min = cx
                .num_of(&["min_replicas", "template.min_replicas"])
                .unwrap_or(0.0);
            cx.size("count", min);
            if min <= 0.0 {
                cx.notes.push(
                    "scales to zero: billed per request and active second (usage-based)".into(),
                );
                return;
            }
            let cpu = cx
                .num_of(&["cpu", "template.container.cpu"])
                .unwrap_or(0.25);
            let mem = cx.at("memory").and_then(memory_gb).unwrap_or(0.5);
            cx.size("cpu", cpu);
            cx.size("memory_gb", mem);
            let secs = cx.hours() * 3600.0;
            cx.add_unit(
                format!("{min} replica(s) × {cpu} vCPU (active rate)"),
                "container_apps",
                "vcpu",
                min * cpu * secs,
                "vCPU-second",
            );
            cx.add_unit(
                format!("{min} replica(s) × {mem} GiB (active rate)"),
                "container_apps",
                "memory_gib",
                min * mem * secs,
                "GiB-second",
            );
            cx.notes.push("the monthly free grant (180,000 vCPU-seconds, 360,000 GiB-seconds per subscription) is not deducted".into());
        }
        "azure.keyvault.Key" | "tf.azurerm_key_vault_key" => {
            let kt = cx.str_of(&["key_type"]).unwrap_or("RSA").to_string();
            if kt.ends_with("-HSM") {
                let advanced =
                    kt.starts_with("EC") || cx.num_of(&["key_size"]).is_some_and(|s| s > 2048.0);
                cx.size("class", &kt);
                cx.add(
                    format!("HSM key {kt}"),
                    "keyvault",
                    if advanced {
                        "hsm_advanced"
                    } else {
                        "hsm_rsa_2048"
                    },
                    1.0,
                );
            } else {
                match cx.usage("requests_millions") {
                    Some(q) if q > 0.0 => {
                        cx.add_unit("operations (usage)", "keyvault", "operations_10k", q * 100.0, "10,000 operations");
                    }
                    Some(_) => {}
                    None => cx.notes.push(format!("usage-based: software key operations not estimated (set `requests_millions` for `{}`)", cx.r.name)),
                }
            }
        }
        "azure.monitor.LogAnalyticsWorkspace" => {
            cx.notes
                .push("usage-based: data ingestion (no unit price in the tables)".into());
        }
        // ---- Portable types not (yet) lowered: priced as the stack's provider would run them.
        "portable.Postgres" | "portable.MySQL" | "portable.Database" => match cx.stack_provider() {
            "gcp" => cloudsql(cx),
            "aws" => rds(cx),
            _ => {}
        },
        "portable.Cache" | "portable.Redis" => match cx.stack_provider() {
            "gcp" => memorystore(cx),
            "aws" => {
                if let Some(t) = cx.str_of(&["class", "node_type"]) {
                    let n = cx.num_of(&["replicas", "nodes"]).unwrap_or(1.0);
                    cx.size("class", t);
                    cx.size("count", n);
                    cx.hourly(format!("{n} × node {t}"), "elasticache", t, n);
                }
            }
            _ => {}
        },
        "portable.Service" => match cx.stack_provider() {
            "gcp" => cloudrun(cx),
            "aws" => {
                let count = cx.num_of(&["replicas", "min_replicas"]).unwrap_or(1.0);
                let cpu = cx.num_of(&["cpu"]);
                let mem = cx.at("memory").and_then(memory_gb);
                fargate(cx, count, cpu, mem);
            }
            _ => {}
        },
        "portable.ObjectStore" | "portable.Bucket" => match cx.stack_provider() {
            "gcp" => object_storage(cx, "gcs", "STANDARD"),
            "aws" => object_storage(cx, "s3", "STANDARD"),
            "azure" => object_storage(cx, "blob", "Hot"),
            _ => {}
        },
        _ => {}
    }
}

/// Stored gigabytes of an object store, from the usage file (or `[cost] object_storage_gib`).
fn object_storage(cx: &mut Pcx<'_>, table: &str, class: &str) {
    let gib = cx
        .usage("storage_gib")
        .unwrap_or(cx.usage.object_storage_gib);
    if gib > 0.0 {
        cx.size("storage_gb", gib);
        cx.add(format!("storage {class} (usage)"), table, class, gib);
    } else {
        cx.notes.push(format!(
            "usage-based: stored data not estimated (set `storage_gib` for `{}` in usage.toml, or [cost] object_storage_gib)",
            cx.r.name
        ));
    }
}

fn fargate(cx: &mut Pcx<'_>, count: f64, cpu: Option<f64>, mem: Option<f64>) {
    let cpu = cpu.unwrap_or_else(|| {
        cx.notes.push("CPU not set: assumed 0.25 vCPU".into());
        0.25
    });
    let mem = mem.unwrap_or_else(|| {
        cx.notes.push("memory not set: assumed 0.5 GB".into());
        0.5
    });
    cx.size("count", count);
    cx.size("cpu", cpu);
    cx.size("memory_gb", mem);
    let h = cx.hours();
    cx.add_in(
        "aws",
        format!("Fargate {count} × {cpu} vCPU"),
        "fargate",
        "vcpu",
        count * cpu * h,
        Some("vCPU-hour"),
    );
    cx.add_in(
        "aws",
        format!("Fargate {count} × {mem} GB"),
        "fargate",
        "memory_gb",
        count * mem * h,
        Some("GB-hour"),
    );
}

fn rds(cx: &mut Pcx<'_>) {
    let Some(class) = cx.str_of(&["instance_class", "DBInstanceClass", "class"]) else {
        cx.notes.push("no instance class".into());
        return;
    };
    let engine = cx
        .str_of(&["engine", "Engine"])
        .unwrap_or(if cx.r.ty.contains("MySQL") {
            "mysql"
        } else {
            "postgres"
        })
        .to_ascii_lowercase();
    if engine.starts_with("aurora") {
        // Aurora's instance rates, not RDS for PostgreSQL's or MySQL's; storage and I/O are
        // billed on the cluster.
        aurora_instance(cx, class, &engine);
        return;
    }
    if cx
        .str_of(&["replicate_source_db", "SourceDBInstanceIdentifier"])
        .is_some()
    {
        cx.size("role", "read replica");
    }
    let table = if engine.contains("mysql") || engine.contains("mariadb") {
        "rds_mysql"
    } else {
        "rds_postgres"
    };
    let az = if cx.flag_of(&["multi_az", "MultiAZ", "high_availability"]) {
        2.0
    } else {
        1.0
    };
    cx.size("class", class);
    cx.size("engine", &engine);
    cx.size("multi_az", az > 1.0);
    let label = if az > 1.0 {
        format!("instance {class} (Multi-AZ: ×2)")
    } else {
        format!("instance {class}")
    };
    let h = cx.hours();
    cx.add_in("aws", label, table, class, h * az, None);
    let storage = cx.gib_of(&[
        "allocated_storage",
        "AllocatedStorage",
        "storage",
        "storage_size",
    ]);
    let st = cx
        .str_of(&["storage_type", "StorageType"])
        .unwrap_or("gp3")
        .to_string();
    if let Some(g) = storage {
        cx.size("storage_gb", g);
        cx.add_in(
            "aws",
            format!(
                "storage {st}{}",
                if az > 1.0 { " (Multi-AZ: ×2)" } else { "" }
            ),
            "rds_storage",
            &st,
            g * az,
            None,
        );
    }
    let replicas = cx.num_of(&["read_replicas", "replicas"]).unwrap_or(0.0);
    if replicas > 0.0 {
        cx.size("replicas", replicas);
        cx.add_in(
            "aws",
            format!("{replicas} read replica(s) {class}"),
            table,
            class,
            h * replicas,
            None,
        );
        if let Some(g) = storage {
            cx.add_in(
                "aws",
                format!("{replicas} read replica(s) storage {st}"),
                "rds_storage",
                &st,
                g * replicas,
                None,
            );
        }
    }
    if let Some(b) = cx.usage("backup_gib") {
        let free = storage.unwrap_or(0.0) * az;
        let extra = (b - free).max(0.0);
        if extra > 0.0 {
            cx.add_in(
                "aws",
                "backup storage beyond the free allocation (usage)",
                "rds_backup",
                "backup",
                extra,
                None,
            );
        }
    }
}

/// OpenSearch Service domain (CloudFormation `ClusterConfig`/`EBSOptions`, Terraform
/// `cluster_config`/`ebs_options`): data nodes and dedicated masters by the hour, and each data
/// node's EBS volume by the GB-month.
fn opensearch(cx: &mut Pcx<'_>) {
    let Some(class) = cx
        .str_of(&["ClusterConfig.InstanceType", "cluster_config.instance_type"])
        .map(str::to_string)
    else {
        cx.unknown = true;
        cx.notes
            .push("not estimated: no instance type written (the service picks one)".into());
        return;
    };
    let nodes = cx
        .num_of(&[
            "ClusterConfig.InstanceCount",
            "cluster_config.instance_count",
        ])
        .unwrap_or(1.0);
    cx.size("class", &class);
    cx.size("count", nodes);
    cx.hourly(
        format!("{nodes} data node(s) {class}"),
        "opensearch",
        &class,
        nodes,
    );
    if cx.flag_of(&[
        "ClusterConfig.DedicatedMasterEnabled",
        "cluster_config.dedicated_master_enabled",
    ]) {
        let masters = cx
            .num_of(&[
                "ClusterConfig.DedicatedMasterCount",
                "cluster_config.dedicated_master_count",
            ])
            .unwrap_or(3.0);
        match cx
            .str_of(&[
                "ClusterConfig.DedicatedMasterType",
                "cluster_config.dedicated_master_type",
            ])
            .map(str::to_string)
        {
            Some(m) => {
                cx.size("masters", format!("{masters} × {m}"));
                cx.hourly(
                    format!("{masters} dedicated master(s) {m}"),
                    "opensearch",
                    &m,
                    masters,
                );
            }
            None => cx
                .notes
                .push("dedicated masters without a type: not estimated".into()),
        }
    }
    if cx.flag_of(&["ClusterConfig.WarmEnabled", "cluster_config.warm_enabled"]) {
        let warm = cx
            .num_of(&["ClusterConfig.WarmCount", "cluster_config.warm_count"])
            .unwrap_or(2.0);
        match cx
            .str_of(&["ClusterConfig.WarmType", "cluster_config.warm_type"])
            .map(str::to_string)
        {
            Some(w) => {
                cx.size("warm", format!("{warm} × {w}"));
                cx.hourly(
                    format!("{warm} UltraWarm node(s) {w}"),
                    "opensearch",
                    &w,
                    warm,
                );
                cx.notes
                    .push("UltraWarm managed storage is billed per GB-month: not estimated".into());
            }
            None => {
                cx.unknown = true;
                cx.notes
                    .push("not estimated: UltraWarm nodes without a type".into());
            }
        }
    }
    let ebs = cx.flag_of(&["EBSOptions.EBSEnabled", "ebs_options.ebs_enabled"]);
    if let Some(g) = cx.gib_of(&["EBSOptions.VolumeSize", "ebs_options.volume_size"]) {
        if ebs {
            let t = cx
                .str_of(&["EBSOptions.VolumeType", "ebs_options.volume_type"])
                .unwrap_or("gp3")
                .to_string();
            cx.size("storage_gb", g);
            cx.add(
                format!("{nodes} × {g} GB EBS {t}"),
                "opensearch_storage",
                &t,
                g * nodes,
            );
        }
    }
}

/// Redshift provisioned cluster: nodes × node hours (a single-node cluster is one node).
fn redshift(cx: &mut Pcx<'_>) {
    let Some(t) = cx.str_of(&["NodeType", "node_type"]).map(str::to_string) else {
        cx.unknown = true;
        cx.notes.push("not estimated: no node type written".into());
        return;
    };
    let single = cx
        .str_of(&["ClusterType", "cluster_type"])
        .is_some_and(|c| c.eq_ignore_ascii_case("single-node"));
    let nodes = if single {
        1.0
    } else {
        cx.num_of(&["NumberOfNodes", "number_of_nodes"])
            .unwrap_or(1.0)
    };
    let az = if cx.flag_of(&["MultiAZ", "multi_az"]) {
        2.0
    } else {
        1.0
    };
    cx.size("class", &t);
    cx.size("count", nodes);
    cx.size("multi_az", az > 1.0);
    let label = if az > 1.0 {
        format!("{nodes} node(s) {t} (Multi-AZ: ×2)")
    } else {
        format!("{nodes} node(s) {t}")
    };
    cx.hourly(label, "redshift", &t, nodes * az);
    if t.starts_with("ra3") {
        cx.notes
            .push("RA3 managed storage is billed per GB-month: not estimated".into());
    }
}

/// DynamoDB table: provisioned capacity (the table's and its global secondary indexes') by the
/// hour; storage from usage.
fn dynamodb(cx: &mut Pcx<'_>) {
    let mode = cx
        .str_of(&["BillingMode", "billing_mode"])
        .unwrap_or("PROVISIONED")
        .to_ascii_uppercase();
    cx.size("mode", &mode);
    if !cx.listed_here("dynamodb") {
        return;
    }
    if mode == "PAY_PER_REQUEST" {
        cx.notes.push(
            "on-demand requests are not estimated (no confirmed price in stdlib/prices)".into(),
        );
    } else {
        let mut rcu = cx
            .num_of(&["ProvisionedThroughput.ReadCapacityUnits", "read_capacity"])
            .unwrap_or(0.0);
        let mut wcu = cx
            .num_of(&["ProvisionedThroughput.WriteCapacityUnits", "write_capacity"])
            .unwrap_or(0.0);
        for path in ["GlobalSecondaryIndexes", "global_secondary_index"] {
            for gsi in cx.at(path).and_then(Value::as_list).unwrap_or(&[]) {
                let Some(g) = gsi.as_record() else { continue };
                let num = |outer: &str, inner: &str, flat: &str| {
                    g.get(outer)
                        .and_then(Value::as_record)
                        .and_then(|t| t.get(inner))
                        .or_else(|| g.get(flat))
                        .and_then(number)
                };
                rcu += num(
                    "ProvisionedThroughput",
                    "ReadCapacityUnits",
                    "read_capacity",
                )
                .unwrap_or(0.0);
                wcu += num(
                    "ProvisionedThroughput",
                    "WriteCapacityUnits",
                    "write_capacity",
                )
                .unwrap_or(0.0);
            }
        }
        cx.size("rcu", rcu);
        cx.size("wcu", wcu);
        let h = cx.hours();
        if rcu > 0.0 {
            cx.add_unit(
                format!("{rcu} read capacity units"),
                "dynamodb",
                "rcu",
                rcu * h,
                "RCU-hour",
            );
        }
        if wcu > 0.0 {
            cx.add_unit(
                format!("{wcu} write capacity units"),
                "dynamodb",
                "wcu",
                wcu * h,
                "WCU-hour",
            );
        }
    }
    if !cx.unknown {
        cx.usage_item(
            "storage_gib",
            "table storage",
            "dynamodb",
            "storage_gb",
            "GB-month",
        );
    }
}

/// An Aurora instance (`cfn.AWS.RDS.DBInstance` with an Aurora engine,
/// `tf.aws_rds_cluster_instance`): Aurora instance hours at its engine's rates, or for
/// `db.serverless` the cluster's minimum ACUs × ACU hours.
fn aurora_instance(cx: &mut Pcx<'_>, class: &str, engine: &str) {
    cx.size("class", class);
    cx.size("engine", engine);
    if class == "db.serverless" {
        let cluster = cx.referenced("DBClusterIdentifier|cluster_identifier");
        let min = cluster.and_then(|c| {
            let conf = c
                .prop("ServerlessV2ScalingConfiguration")
                .or_else(|| c.prop("serverlessv2_scaling_configuration"))?;
            let conf = conf.as_list().and_then(<[Value]>::first).unwrap_or(conf);
            let rec = conf.as_record()?;
            rec.get("MinCapacity")
                .or_else(|| rec.get("min_capacity"))
                .and_then(number)
        });
        let Some(min) = min else {
            cx.unknown = true;
            cx.notes.push(
                "not estimated: a db.serverless instance is billed by the ACU-hour; its cluster's minimum capacity was not found".into(),
            );
            return;
        };
        cx.size("min_acu", min);
        let h = cx.hours();
        cx.add_unit(
            format!("Serverless v2 at its minimum {min} ACU"),
            "aurora",
            "serverless_v2_acu",
            min * h,
            "ACU-hour",
        );
        cx.notes.push(
            "Serverless v2 is priced at the cluster's minimum capacity: ACUs above it are billed as used".into(),
        );
        return;
    }
    let table = if engine.contains("postgres") {
        "aurora_postgresql"
    } else {
        "aurora_mysql"
    };
    cx.hourly(format!("Aurora instance {class}"), table, class, 1.0);
}

/// An RDS DB cluster: Aurora storage and I/O from usage (its instances are priced on the
/// instances); a Multi-AZ DB cluster of another engine bills its instances on the cluster, which
/// the tables do not price.
fn aurora_cluster(cx: &mut Pcx<'_>) {
    let engine = cx
        .str_of(&["Engine", "engine"])
        .unwrap_or("aurora-mysql")
        .to_ascii_lowercase();
    cx.size("engine", &engine);
    if !engine.starts_with("aurora") {
        cx.unknown = true;
        cx.notes.push(format!(
            "not estimated: a Multi-AZ DB cluster ({engine}) bills its instances on the cluster, which stdlib/prices does not list"
        ));
        return;
    }
    if cx
        .str_of(&["EngineMode", "engine_mode"])
        .is_some_and(|m| m.eq_ignore_ascii_case("serverless"))
    {
        cx.unknown = true;
        cx.notes
            .push("not estimated: Aurora Serverless v1 capacity is not in stdlib/prices".into());
        return;
    }
    if cx
        .str_of(&["StorageType", "storage_type"])
        .is_some_and(|t| t.eq_ignore_ascii_case("aurora-iopt1"))
    {
        cx.size("storage", "aurora-iopt1");
        cx.notes.push(
            "Aurora I/O-Optimized storage is not estimated (no confirmed price in stdlib/prices)"
                .into(),
        );
        return;
    }
    if !cx.listed_here("aurora") {
        return;
    }
    cx.usage_item(
        "storage_gib",
        "Aurora storage",
        "aurora",
        "storage_gb",
        "GB-month",
    );
    cx.usage_item(
        "requests_millions",
        "Aurora I/O requests",
        "aurora",
        "io_million",
        "million requests",
    );
}

/// A DocumentDB or Neptune instance: instance hours at its class, at the I/O-Optimized rate
/// (`iopt1:CLASS`) when its cluster's storage type is `iopt1`.
fn cluster_instance(cx: &mut Pcx<'_>, table: &str, service: &str) {
    let Some(class) = cx
        .str_of(&["DBInstanceClass", "instance_class"])
        .map(str::to_string)
    else {
        cx.unknown = true;
        cx.notes
            .push("not estimated: no instance class written".into());
        return;
    };
    let iopt = cx
        .referenced("DBClusterIdentifier|cluster_identifier")
        .and_then(|c| c.prop("StorageType").or_else(|| c.prop("storage_type")))
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("iopt1"));
    cx.size("class", &class);
    let item = if iopt {
        cx.size("storage", "iopt1");
        format!("iopt1:{class}")
    } else {
        class.clone()
    };
    cx.hourly(format!("{service} instance {class}"), table, &item, 1.0);
    cx.notes.push(format!(
        "{service} cluster storage and I/O are billed on the cluster: not estimated"
    ));
}

/// A Kinesis data stream: shard hours (provisioned) or the stream's hours (on-demand).
fn kinesis(cx: &mut Pcx<'_>) {
    if !cx.listed_here("kinesis") {
        return;
    }
    let mode = cx
        .str_of(&[
            "StreamModeDetails.StreamMode",
            "stream_mode_details.stream_mode",
        ])
        .unwrap_or("PROVISIONED")
        .to_ascii_uppercase();
    cx.size("mode", &mode);
    if mode == "ON_DEMAND" {
        cx.hourly("on-demand stream", "kinesis", "on_demand_stream", 1.0);
        cx.usage_item(
            "data_gib",
            "data ingested",
            "kinesis",
            "on_demand_ingest_gb",
            "GB",
        );
        return;
    }
    let Some(shards) = cx.num_of(&["ShardCount", "shard_count"]) else {
        cx.unknown = true;
        cx.notes
            .push("not estimated: a provisioned stream without a shard count".into());
        return;
    };
    cx.size("count", shards);
    cx.hourly(format!("{shards} shard(s)"), "kinesis", "shard", shards);
    cx.usage_item(
        "requests_millions",
        "PUT payload units",
        "kinesis",
        "put_payload_million",
        "million",
    );
}

/// An EFS file system: stored GB from usage; provisioned throughput by the MiB/s-month.
fn efs(cx: &mut Pcx<'_>) {
    if !cx.listed_here("efs") {
        return;
    }
    let one_zone = cx
        .str_of(&["AvailabilityZoneName", "availability_zone_name"])
        .is_some();
    let class = if one_zone { "one_zone" } else { "standard" };
    cx.size("class", class);
    if cx
        .str_of(&["ThroughputMode", "throughput_mode"])
        .is_some_and(|m| m.eq_ignore_ascii_case("provisioned"))
    {
        if let Some(mibps) = cx.num_of(&[
            "ProvisionedThroughputInMibps",
            "provisioned_throughput_in_mibps",
        ]) {
            cx.size("throughput_mibps", mibps);
            cx.add_unit(
                format!("provisioned throughput {mibps} MiB/s"),
                "efs",
                "provisioned_mibps",
                mibps,
                "MiB/s-month",
            );
        }
    }
    if !cx.unknown {
        cx.usage_item(
            "storage_gib",
            &format!("storage ({})", class.replace('_', " ")),
            "efs",
            class,
            "GB-month",
        );
    }
}

fn elasticache(cx: &mut Pcx<'_>) {
    let Some(t) = cx.str_of(&["node_type", "CacheNodeType", "class"]) else {
        return;
    };
    let shards = cx.num_of(&["num_node_groups", "NumNodeGroups"]);
    let per_shard = cx.num_of(&["replicas_per_node_group", "ReplicasPerNodeGroup"]);
    let nodes = match (shards, per_shard) {
        (Some(s), Some(r)) => s * (1.0 + r),
        (Some(s), None) if cx.r.ty.contains("eplication") => s,
        // `replicas` counts the replicas besides the primary.
        _ => cx
            .num("replicas")
            .map(|r| r + 1.0)
            .or_else(|| {
                cx.num_of(&[
                    "num_cache_clusters",
                    "NumCacheClusters",
                    "num_cache_nodes",
                    "NumCacheNodes",
                    "nodes",
                ])
            })
            .unwrap_or(1.0),
    };
    cx.size("class", t);
    cx.size("count", nodes);
    cx.hourly(format!("{nodes} × node {t}"), "elasticache", t, nodes);
    if let Some(b) = cx.usage("backup_gib") {
        if b > 0.0 {
            cx.add("backup storage (usage)", "elasticache_backup", "backup", b);
        }
    }
}

impl Pcx<'_> {
    fn num(&self, name: &str) -> Option<f64> {
        self.r.prop(name).and_then(number)
    }
}

fn eks_nodes(cx: &mut Pcx<'_>) {
    let t = ["instance_types", "InstanceTypes"]
        .iter()
        .find_map(|p| cx.at(p).and_then(Value::as_list))
        .and_then(|l| l.first())
        .and_then(Value::as_str)
        .or_else(|| cx.str_of(&["instance_type"]));
    let n = cx
        .num_of(&[
            "desired_size",
            "desired",
            "scaling.desired",
            "scaling_config.desired_size",
            "ScalingConfig.DesiredSize",
            "min_size",
            "scaling_config.min_size",
            "ScalingConfig.MinSize",
        ])
        .unwrap_or(1.0);
    let disk = cx
        .gib_of(&["disk", "disk_size", "DiskSize"])
        .unwrap_or(20.0);
    cx.size("count", n);
    cx.size("disk_gb", disk);
    let Some(t) = t else {
        cx.notes.push("no instance type".into());
        return;
    };
    cx.size("class", t);
    if cx
        .str_of(&["capacity", "capacity_type", "CapacityType"])
        .is_some_and(|c| c.eq_ignore_ascii_case("SPOT"))
    {
        cx.notes
            .push("Spot capacity: priced at on-demand (an upper bound)".into());
    }
    cx.hourly(format!("{n} × instance {t}"), "ec2", t, n);
    cx.add(
        format!("{n} × node disk {disk} GB gp3"),
        "ebs",
        "gp3",
        n * disk,
    );
}

/// Zones a GKE node pool runs in: its node locations, else its own or its cluster's location
/// (a zone: 1; a region: 3, GKE's default for a regional cluster).
fn gke_zones(cx: &Pcx<'_>) -> f64 {
    let locs = cx.list_len("node_locations") + cx.list_len("locations");
    if locs > 0 {
        return locs as f64;
    }
    let cluster = cx.referenced("cluster");
    let loc = cx
        .str_of(&["location"])
        .or_else(|| {
            cluster
                .and_then(|c| c.prop("location"))
                .and_then(Value::as_str)
        })
        .or_else(|| cluster.and_then(|c| cx.facts.region(c.id)))
        .or_else(|| cx.region());
    match loc {
        Some(l) if is_zone(l) => 1.0,
        _ => 3.0,
    }
}

fn gke_pool(cx: &mut Pcx<'_>) {
    let t = cx
        .str_of(&[
            "machine_type",
            "node_config.machine_type",
            "config.machineType",
        ])
        .map(str::to_string);
    let per_zone = cx
        .num_of(&[
            "node_count",
            "initialNodeCount",
            "initial_node_count",
            "autoscaling.min_node_count",
            "autoscaling.minNodeCount",
            "min_node_count",
        ])
        .unwrap_or(1.0);
    if cx
        .num_of(&["node_count", "initialNodeCount", "initial_node_count"])
        .is_none()
        && cx
            .num_of(&[
                "max_node_count",
                "autoscaling.max_node_count",
                "autoscaling.maxNodeCount",
            ])
            .is_some()
    {
        cx.notes.push(format!(
            "autoscaling: priced at its minimum of {per_zone} node(s) per zone"
        ));
    }
    // Terraform's `total_min_node_count` counts every zone together.
    let total = cx.num_of(&["autoscaling.total_min_node_count"]);
    let zones = gke_zones(cx);
    let nodes = total.unwrap_or(per_zone * zones);
    cx.size("count", nodes);
    cx.size("zones", zones);
    let disk = cx
        .gib_of(&["disk_size", "node_config.disk_size_gb", "config.diskSizeGb"])
        .unwrap_or(100.0);
    let disk_type = cx
        .str_of(&["disk_type", "node_config.disk_type", "config.diskType"])
        .unwrap_or("pd-balanced")
        .to_string();
    cx.size("disk_gb", disk);
    let Some(t) = t else {
        cx.notes.push("no machine type".into());
        return;
    };
    cx.size("class", &t);
    if cx.flag_of(&["spot", "node_config.spot", "node_config.preemptible"]) {
        cx.notes
            .push("Spot VMs: priced at on-demand (an upper bound)".into());
    }
    let what = match total {
        Some(_) => format!("{nodes} × VM {t}"),
        None => format!("{nodes} × VM {t} ({per_zone} per zone × {zones} zones)"),
    };
    cx.hourly(what, "compute", &t, nodes);
    cx.add(
        format!("{nodes} × boot disk {disk} GB {disk_type}"),
        "pd",
        &disk_type,
        nodes * disk,
    );
}

/// GCP forwarding rules are billed per project and region: the first five together at one
/// hourly price, each further one at its own. The first rule of a stack carries the price of
/// the first five; the sixth and later their own.
fn forwarding_rule(cx: &mut Pcx<'_>) {
    let rank = cx.context.rule_rank.get(&cx.r.id.0).copied().unwrap_or(1);
    cx.size("rule", rank);
    if rank == 1 {
        cx.hourly(
            "forwarding rules 1–5 of the project (together)",
            "load_balancing",
            "first_five_rules",
            1.0,
        );
    } else if rank > 5 {
        cx.hourly(
            format!("forwarding rule {rank} of the project"),
            "load_balancing",
            "additional_rule",
            1.0,
        );
    } else {
        cx.notes.push(format!(
            "forwarding rule {rank} of the project: included in the price of the first five"
        ));
    }
}

fn cloudsql(cx: &mut Pcx<'_>) {
    let Some(tier) = cx.str_of(&["tier", "settings.tier", "class"]) else {
        cx.notes.push("no tier".into());
        return;
    };
    let ha = cx
        .str_of(&[
            "availability_type",
            "settings.availability_type",
            "settings.availabilityType",
        ])
        .is_some_and(|a| a.eq_ignore_ascii_case("REGIONAL"))
        || cx.flag_of(&["high_availability", "multi_az"]);
    let m = if ha { 2.0 } else { 1.0 };
    cx.size("class", tier);
    cx.size("ha", ha);
    let suffix = if ha { " (HA: ×2)" } else { "" };
    let h = cx.hours();
    if let Some((cpu, mem)) = cloudsql_shape(tier) {
        cx.add_in(
            "gcp",
            format!("{tier}: {cpu} vCPU{suffix}"),
            "cloudsql",
            "vcpu",
            cpu * h * m,
            Some("vCPU-hour"),
        );
        cx.add_in(
            "gcp",
            format!("{tier}: {mem} GB memory{suffix}"),
            "cloudsql",
            "memory_gb",
            mem * h * m,
            Some("GB-hour"),
        );
    } else {
        cx.add_in(
            "gcp",
            format!("instance {tier}{suffix}"),
            "cloudsql",
            tier,
            h * m,
            None,
        );
    }
    if let Some(g) = cx.gib_of(&[
        "disk_size",
        "storage",
        "disk_size_gb",
        "settings.disk_size",
        "settings.dataDiskSizeGb",
    ]) {
        let dt = cx
            .str_of(&["disk_type", "settings.disk_type", "settings.dataDiskType"])
            .unwrap_or("PD_SSD")
            .to_string();
        cx.size("storage_gb", g);
        cx.add_in(
            "gcp",
            format!("storage {dt}{suffix}"),
            "cloudsql_storage",
            &dt,
            g * m,
            None,
        );
    }
    if let Some(b) = cx.usage("backup_gib") {
        if b > 0.0 {
            cx.add_in(
                "gcp",
                "backup storage (usage)",
                "cloudsql_storage",
                "backup",
                b,
                None,
            );
        }
    }
}

fn memorystore(cx: &mut Pcx<'_>) {
    let tier = cx.str_of(&["tier"]).unwrap_or("BASIC").to_ascii_uppercase();
    let tier = if tier.starts_with("STANDARD") {
        "STANDARD_HA"
    } else {
        "BASIC"
    };
    let Some(gb) = cx.gib_of(&["memory_size_gb", "memory", "memory_size", "capacity"]) else {
        cx.notes.push("no memory size".into());
        return;
    };
    let band = if gb <= 4.0 {
        "M1"
    } else if gb <= 10.0 {
        "M2"
    } else {
        "M3"
    };
    if gb > 35.0 {
        cx.notes
            .push("over 35 GB: priced at the M3 rate (M4/M5 are lower)".into());
    }
    cx.size("class", tier);
    cx.size("memory_gb", gb);
    let h = cx.hours();
    let item = format!("{tier}_{band}");
    cx.add_in(
        "gcp",
        format!("{tier} {gb} GB ({band})"),
        "memorystore",
        &item,
        gb * h,
        None,
    );
    let replicas = cx.num_of(&["replicas", "replica_count"]).unwrap_or(0.0);
    if tier == "STANDARD_HA" && replicas > 1.0 {
        let extra = replicas - 1.0;
        cx.size("replicas", replicas);
        if let Some(f) = cx.lookup("gcp", "memorystore", &item) {
            let before = cx.items.len();
            cx.add_in(
                "gcp",
                format!("{extra} further read replica(s) × {gb} GB"),
                "memorystore",
                &item,
                extra * gb * h,
                None,
            );
            if cx.items.len() > before {
                if let Some(last) = cx.items.last_mut() {
                    last.unit_price = f.price / 2.0;
                    last.monthly = last.quantity * last.unit_price;
                }
            }
        }
    }
}

fn cloudrun(cx: &mut Pcx<'_>) {
    let min = cx
        .num_of(&["min_instances", "min_replicas", "replicas", "scaling.min"])
        .unwrap_or(0.0);
    cx.size("count", min);
    if min <= 0.0 {
        match cx.usage("requests_millions") {
            Some(q) if q > 0.0 => {
                cx.add_in(
                    "gcp",
                    "requests (usage)",
                    "cloudrun",
                    "requests_million",
                    q,
                    Some("million requests"),
                );
            }
            Some(_) => {}
            None => cx
                .notes
                .push("scales to zero: billed per request (usage-based)".into()),
        }
        return;
    }
    let cpu = cx.num_of(&["cpu"]).unwrap_or(1.0);
    let mem = cx.at("memory").and_then(memory_gb).unwrap_or(0.5);
    cx.size("cpu", cpu);
    cx.size("memory_gb", mem);
    let secs = cx.hours() * 3600.0;
    // Request-based billing (`cpu_idle`): a minimum instance waiting for requests bills at
    // Google's lower idle rate, which the tables do not list; priced at the instance rate, an
    // upper bound, and said so.
    if cx.r.prop("cpu_idle").and_then(Value::as_bool) == Some(true) {
        cx.notes.push(format!(
            "request-based billing: the {min} minimum instance(s) are priced at the instance-based rate, an upper bound (idle minimum instances bill at a lower rate)"
        ));
    }
    cx.add_in(
        "gcp",
        format!("{min} always-on instance(s) × {cpu} vCPU"),
        "cloudrun",
        "vcpu",
        min * cpu * secs,
        Some("vCPU-second"),
    );
    cx.add_in(
        "gcp",
        format!("{min} always-on instance(s) × {mem} GiB"),
        "cloudrun",
        "memory_gib",
        min * mem * secs,
        Some("GiB-second"),
    );
}

fn azure_postgres(cx: &mut Pcx<'_>) {
    let Some(sku) = cx.str_of(&["sku", "sku_name"]) else {
        cx.notes.push("no SKU".into());
        return;
    };
    let ha = cx
        .str_of(&["high_availability.mode"])
        .is_some_and(|m| !m.eq_ignore_ascii_case("disabled"))
        || cx.flag_of(&["high_availability"]);
    let m = if ha { 2.0 } else { 1.0 };
    let suffix = if ha { " (HA standby: ×2)" } else { "" };
    cx.size("class", sku);
    cx.size("ha", ha);
    cx.hourly(
        format!("compute {sku}{suffix}"),
        "postgres_flexible",
        sku,
        m,
    );
    let storage = cx
        .gib_of(&["storage"])
        .or_else(|| cx.num_of(&["storage_mb"]).map(|mb| mb / 1024.0));
    if let Some(g) = storage {
        cx.size("storage_gb", g);
        cx.add(
            format!("storage {g} GiB{suffix}"),
            "postgres_storage",
            "storage",
            g * m,
        );
    }
    if let Some(b) = cx.usage("backup_gib") {
        let geo = if cx.flag_of(&["geo_redundant_backup", "geo_redundant_backup_enabled"]) {
            2.0
        } else {
            1.0
        };
        let extra = (b - storage.unwrap_or(0.0)).max(0.0) * geo;
        if extra > 0.0 {
            cx.add(
                "backup storage beyond the free allocation (usage)",
                "postgres_storage",
                "backup",
                extra,
            );
        }
    }
}
