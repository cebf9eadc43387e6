use super::prelude::*;
use std::collections::BTreeMap;
use strata_model::ResourceId;

rule! {
    /// ## What it checks
    /// A service that uses a private database or cache (a reference in its containers'
    /// environment or command, or in a function's environment) with no network path to it:
    /// - AWS: an ECS service (`aws.ecs.Service`, `cfn.AWS.ECS.Service`, `tf.aws_ecs_service`) or
    ///   a Lambda function (`aws.lambda.Function`, `cfn.AWS.Lambda.Function`,
    ///   `tf.aws_lambda_function`) that uses an RDS instance or cluster or an ElastiCache
    ///   replication group (curated, `cfn` or `tf`) none of whose security groups admits it —
    ///   no ingress rule, written in the group or as a rule resource of its own
    ///   (`cfn.AWS.EC2.SecurityGroupIngress`, `tf.aws_vpc_security_group_ingress_rule`,
    ///   `tf.aws_security_group_rule`), whose source is one of the service's security groups or
    ///   an address range; a function outside the VPC (no subnets) that uses one; and a service
    ///   whose own `aws.ec2.SecurityGroup`s in a VPC let nothing out towards the store (no
    ///   egress rule with an address range or one of the store's groups);
    /// - GCP: a Cloud Run service (`gcp.run.Service`, `tf.google_cloud_run_v2_service`) or a
    ///   Cloud Function (`gcp.cloudfunctions.Function`, `tf.google_cloudfunctions2_function`,
    ///   `tf.google_cloudfunctions_function`) that uses a Cloud SQL instance without a public
    ///   IP or a Memorystore instance (curated or `tf.google_sql_database_instance`,
    ///   `tf.google_redis_instance`) and has no VPC egress (Direct VPC egress: `subnetwork`,
    ///   `template.vpc_access`; a connector: `connector`, `vpc_connector`).
    ///
    /// A portable `Service` or `Function` gets the path from its references (a security-group
    /// rule from its group, or VPC egress); this rule catches hand-written ones. A store
    /// without security groups (the VPC's default group) is not judged.
    ///
    /// ## Why it matters
    /// Everything deploys, and the service then times out on its first query: the database
    /// only has a private address, or its firewall drops the service's connections.
    ///
    /// ## Example
    /// ```strata
    /// resource net: gcp.compute.Network { private_services_access = true }
    /// resource db: gcp.sql.DatabaseInstance { tier = "db-custom-1-3840", network = net }
    /// resource api: gcp.run.Service { image = "europe-docker.pkg.dev/acme/apps/api:1.4.2", env = { DB_HOST = db.private_ip } }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource net: gcp.compute.Network { private_services_access = true }
    /// resource subnet: gcp.compute.Subnetwork { network = net, cidr = "10.0.0.0/20" }
    /// resource db: gcp.sql.DatabaseInstance { tier = "db-custom-1-3840", network = net }
    /// resource api: gcp.run.Service { image = "europe-docker.pkg.dev/acme/apps/api:1.4.2", env = { DB_HOST = db.private_ip }, subnetwork = subnet }
    /// ```
    pub static RULE = {
        code: "DEP002",
        name: "private-store-unreachable",
        category: Deploy,
        severity: Error,
        applies: Applies::All,
        reads: || READS,
        check: Check::Model(check),
    }
}

const USES: &str = "uses";
const PATH: &str = "network path";
const GROUPS: &str = "security groups";
const PUBLIC: &str = "public address";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("aws.ecs.Service", "task_definition", USES),
    part("aws.ecs.Service", "security_groups", PATH),
    part("aws.ecs.TaskDefinition", "containers[].environment", USES),
    part("aws.ecs.TaskDefinition", "containers[].command", USES),
    part("aws.lambda.Function", "environment", USES),
    part("aws.lambda.Function", "security_groups", PATH),
    part("aws.lambda.Function", "subnets", PATH),
    part("cfn.AWS.ECS.Service", "TaskDefinition", USES),
    part("cfn.AWS.ECS.Service", "NetworkConfiguration.AwsvpcConfiguration.SecurityGroups", PATH),
    part("cfn.AWS.ECS.TaskDefinition", "ContainerDefinitions[].Environment[].Value", USES),
    part("cfn.AWS.ECS.TaskDefinition", "ContainerDefinitions[].Command", USES),
    part("cfn.AWS.Lambda.Function", "Environment.Variables", USES),
    part("cfn.AWS.Lambda.Function", "VpcConfig.SecurityGroupIds", PATH),
    part("cfn.AWS.Lambda.Function", "VpcConfig.SubnetIds", PATH),
    part("tf.aws_ecs_service", "task_definition", USES),
    part("tf.aws_ecs_service", "network_configuration.security_groups", PATH),
    part("tf.aws_ecs_task_definition", "container_definitions", USES),
    part("tf.aws_lambda_function", "environment.variables", USES),
    part("tf.aws_lambda_function", "vpc_config.security_group_ids", PATH),
    part("tf.aws_lambda_function", "vpc_config.subnet_ids", PATH),
    part("aws.rds.DBInstance", "security_groups", GROUPS),
    part("aws.elasticache.ReplicationGroup", "security_groups", GROUPS),
    part("cfn.AWS.RDS.DBInstance", "VPCSecurityGroups", GROUPS),
    part("cfn.AWS.RDS.DBCluster", "VpcSecurityGroupIds", GROUPS),
    part("cfn.AWS.ElastiCache.ReplicationGroup", "SecurityGroupIds", GROUPS),
    part("tf.aws_db_instance", "vpc_security_group_ids", GROUPS),
    part("tf.aws_rds_cluster", "vpc_security_group_ids", GROUPS),
    part("tf.aws_elasticache_replication_group", "security_group_ids", GROUPS),
    part("aws.ec2.SecurityGroup", "ingress[].peer", PATH),
    part("aws.ec2.SecurityGroup", "ingress[].cidr", PATH),
    part("aws.ec2.SecurityGroup", "vpc", PATH),
    part("aws.ec2.SecurityGroup", "egress[].peer", PATH),
    part("aws.ec2.SecurityGroup", "egress[].cidr", PATH),
    part("cfn.AWS.EC2.SecurityGroup", "SecurityGroupIngress[].SourceSecurityGroupId", PATH),
    part("cfn.AWS.EC2.SecurityGroup", "SecurityGroupIngress[].CidrIp", PATH),
    part("cfn.AWS.EC2.SecurityGroup", "SecurityGroupIngress[].CidrIpv6", PATH),
    part("cfn.AWS.EC2.SecurityGroupIngress", "GroupId", PATH),
    part("cfn.AWS.EC2.SecurityGroupIngress", "SourceSecurityGroupId", PATH),
    part("cfn.AWS.EC2.SecurityGroupIngress", "CidrIp", PATH),
    part("cfn.AWS.EC2.SecurityGroupIngress", "CidrIpv6", PATH),
    part("tf.aws_security_group", "ingress[].security_groups", PATH),
    part("tf.aws_security_group", "ingress[].cidr_blocks", PATH),
    part("tf.aws_security_group", "ingress[].ipv6_cidr_blocks", PATH),
    part("tf.aws_vpc_security_group_ingress_rule", "security_group_id", PATH),
    part("tf.aws_vpc_security_group_ingress_rule", "referenced_security_group_id", PATH),
    part("tf.aws_vpc_security_group_ingress_rule", "cidr_ipv4", PATH),
    part("tf.aws_vpc_security_group_ingress_rule", "cidr_ipv6", PATH),
    part("tf.aws_security_group_rule", "type", PATH),
    part("tf.aws_security_group_rule", "security_group_id", PATH),
    part("tf.aws_security_group_rule", "source_security_group_id", PATH),
    part("tf.aws_security_group_rule", "cidr_blocks", PATH),
    part("gcp.run.Service", "env", USES),
    part("gcp.run.Service", "command", USES),
    part("gcp.run.Service", "subnetwork", PATH),
    part("gcp.sql.DatabaseInstance", "public_ip", PUBLIC),
    part("tf.google_cloud_run_v2_service", "template.containers[].env[].value", USES),
    part("tf.google_cloud_run_v2_service", "template.containers[].command", USES),
    part("tf.google_cloud_run_v2_service", "template.vpc_access", PATH),
    part("gcp.cloudfunctions.Function", "env", USES),
    part("gcp.cloudfunctions.Function", "connector", PATH),
    part("tf.google_cloudfunctions2_function", "service_config.environment_variables", USES),
    part("tf.google_cloudfunctions2_function", "service_config.vpc_connector", PATH),
    part("tf.google_cloudfunctions_function", "environment_variables", USES),
    part("tf.google_cloudfunctions_function", "vpc_connector", PATH),
    part("tf.google_sql_database_instance", "settings.ip_configuration.ipv4_enabled", PUBLIC),
];

/// The resources `vs` refer to.
fn refs<'a>(cx: &Cx<'a>, vs: &[&Value]) -> Vec<&'a Resource> {
    let mut out: Vec<&Resource> = Vec::new();
    for v in vs {
        v.visit_refs(&mut |x| {
            if let Some(t) = cx.resource(x.resource) {
                if !out.iter().any(|o| o.id == t.id) {
                    out.push(t);
                }
            }
        });
    }
    out
}

fn ids(v: Option<&Value>) -> Vec<strata_model::ResourceId> {
    let mut out = Vec::new();
    if let Some(v) = v {
        v.visit_refs(&mut |x| out.push(x.resource));
    }
    out
}

/// A private store on GCP (a Cloud SQL instance without a public address, or Memorystore).
fn gcp_private_store(t: &Resource) -> bool {
    match t.ty.as_str() {
        "gcp.sql.DatabaseInstance" => !t.props.get("public_ip").is_some_and(Value::is_true),
        "tf.google_sql_database_instance" => {
            !crate::reads::values(t, "settings.ip_configuration.ipv4_enabled")
                .first()
                .is_some_and(|v| v.is_true())
        }
        "gcp.redis.Instance" | "tf.google_redis_instance" => true,
        _ => false,
    }
}

/// An AWS service or function that may use a store: the values it uses, its security groups,
/// whether it runs in a VPC, and where a finding points (a property and, for a lowered
/// resource, its origin's).
struct Client<'a> {
    used: Vec<&'a Value>,
    groups: Vec<ResourceId>,
    in_vpc: bool,
    prop: &'static str,
    origin: &'static [&'static str],
}

fn ids_at(r: &Resource, path: &str) -> Vec<ResourceId> {
    let mut out = Vec::new();
    for v in crate::reads::values(r, path) {
        v.visit_refs(&mut |x| out.push(x.resource));
    }
    out
}

fn values_of<'a>(r: &'a Resource, paths: &[&str]) -> Vec<&'a Value> {
    paths
        .iter()
        .flat_map(|p| crate::reads::values(r, p))
        .collect()
}

fn aws_client<'a>(cx: &Cx<'a>, r: &'a Resource) -> Option<Client<'a>> {
    let task = |prop: &str| {
        ids(r.props.get(prop))
            .into_iter()
            .find_map(|id| cx.resource(id))
    };
    let ecs = |task: &'a Resource, uses: &[&str], groups: &str, prop| Client {
        used: values_of(task, uses),
        groups: ids_at(r, groups),
        in_vpc: true,
        prop,
        origin: &["env", "command"],
    };
    let function = |uses: &str, groups: &str, subnets: &str, prop| Client {
        used: values_of(r, &[uses]),
        groups: ids_at(r, groups),
        in_vpc: crate::reads::values(r, subnets)
            .iter()
            .any(|v| written(Some(v))),
        prop,
        origin: &["env"],
    };
    Some(match r.ty.as_str() {
        "aws.ecs.Service" => ecs(
            task("task_definition")?,
            &["containers[].environment", "containers[].command"],
            "security_groups",
            "task_definition",
        ),
        "cfn.AWS.ECS.Service" => ecs(
            task("TaskDefinition")?,
            &[
                "ContainerDefinitions[].Environment[].Value",
                "ContainerDefinitions[].Command",
            ],
            "NetworkConfiguration.AwsvpcConfiguration.SecurityGroups",
            "TaskDefinition",
        ),
        "tf.aws_ecs_service" => ecs(
            task("task_definition")?,
            &["container_definitions"],
            "network_configuration.security_groups",
            "task_definition",
        ),
        "aws.lambda.Function" => {
            function("environment", "security_groups", "subnets", "environment")
        }
        "cfn.AWS.Lambda.Function" => function(
            "Environment.Variables",
            "VpcConfig.SecurityGroupIds",
            "VpcConfig.SubnetIds",
            "Environment",
        ),
        "tf.aws_lambda_function" => function(
            "environment.variables",
            "vpc_config.security_group_ids",
            "vpc_config.subnet_ids",
            "environment",
        ),
        _ => return None,
    })
}

/// The security groups of an AWS store (RDS, ElastiCache); `None` when `t` is not one.
fn aws_store_groups(t: &Resource) -> Option<Vec<ResourceId>> {
    let path = match t.ty.as_str() {
        "aws.rds.DBInstance" | "aws.elasticache.ReplicationGroup" => "security_groups",
        "cfn.AWS.RDS.DBInstance" => "VPCSecurityGroups",
        "cfn.AWS.RDS.DBCluster" => "VpcSecurityGroupIds",
        "cfn.AWS.ElastiCache.ReplicationGroup" => "SecurityGroupIds",
        "tf.aws_db_instance" | "tf.aws_rds_cluster" => "vpc_security_group_ids",
        "tf.aws_elasticache_replication_group" => "security_group_ids",
        _ => return None,
    };
    Some(ids_at(t, path))
}

fn written(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !v.is_null() && v.as_list().is_none_or(|l| !l.is_empty()))
}

/// Ingress rules written as resources of their own, by the group they open.
fn ingress_rules<'a>(cx: &Cx<'a>) -> BTreeMap<ResourceId, Vec<&'a Resource>> {
    let mut out: BTreeMap<ResourceId, Vec<&'a Resource>> = BTreeMap::new();
    for r in &cx.model.resources {
        let group = match r.ty.as_str() {
            "cfn.AWS.EC2.SecurityGroupIngress" => "GroupId",
            "tf.aws_vpc_security_group_ingress_rule" => "security_group_id",
            "tf.aws_security_group_rule"
                if r.props.get("type").and_then(Value::as_str) == Some("ingress") =>
            {
                "security_group_id"
            }
            _ => continue,
        };
        for g in ids(r.props.get(group)) {
            out.entry(g).or_default().push(r);
        }
    }
    out
}

/// Whether group `g` admits traffic from one of the groups `from` (or from an address range).
fn admits(g: &Resource, from: &[ResourceId], rules: &BTreeMap<ResourceId, Vec<&Resource>>) -> bool {
    let from_any = |v: Option<&Value>| ids(v).iter().any(|p| from.contains(p));
    let inline = match g.ty.as_str() {
        "aws.ec2.SecurityGroup" => crate::reads::values(g, "ingress[]")
            .iter()
            .any(|rule| written(rule.get_path("cidr")) || from_any(rule.get_path("peer"))),
        "cfn.AWS.EC2.SecurityGroup" => crate::reads::values(g, "SecurityGroupIngress[]")
            .iter()
            .any(|rule| {
                written(rule.get_path("CidrIp"))
                    || written(rule.get_path("CidrIpv6"))
                    || from_any(rule.get_path("SourceSecurityGroupId"))
            }),
        "tf.aws_security_group" => crate::reads::values(g, "ingress[]").iter().any(|rule| {
            written(rule.get_path("cidr_blocks"))
                || written(rule.get_path("ipv6_cidr_blocks"))
                || from_any(rule.get_path("security_groups"))
                || (rule.get_path("self").is_some_and(Value::is_true) && from.contains(&g.id))
        }),
        _ => false,
    };
    inline
        || rules.get(&g.id).into_iter().flatten().any(|rule| {
            let p = |k: &str| rule.props.get(k);
            written(p("CidrIp"))
                || written(p("CidrIpv6"))
                || written(p("cidr_ipv4"))
                || written(p("cidr_ipv6"))
                || written(p("cidr_blocks"))
                || from_any(p("SourceSecurityGroupId"))
                || from_any(p("referenced_security_group_id"))
                || from_any(p("source_security_group_id"))
        })
}

/// Whether the groups of a service let its traffic out towards a store with groups `to`: a
/// curated group in a VPC lets out only what its `egress` rules name (an address range, or one
/// of the store's groups); any other group is taken to (CloudFormation and the default VPC
/// add allow-all egress).
fn lets_out(cx: &Cx<'_>, groups: &[ResourceId], to: &[ResourceId]) -> bool {
    let known: Vec<&Resource> = groups.iter().filter_map(|g| cx.resource(*g)).collect();
    known.is_empty()
        || known.iter().any(|g| {
            g.ty != "aws.ec2.SecurityGroup"
                || !written(g.props.get("vpc"))
                || crate::reads::values(g, "egress[]").iter().any(|rule| {
                    written(rule.get_path("cidr"))
                        || ids(rule.get_path("peer")).iter().any(|p| to.contains(p))
                })
        })
}

fn aws_paths(
    cx: &Cx<'_>,
    r: &Resource,
    c: &Client<'_>,
    rules: &BTreeMap<ResourceId, Vec<&Resource>>,
    out: &mut Sink<'_>,
) {
    for store in refs(cx, &c.used) {
        let Some(store_groups) = aws_store_groups(store) else {
            continue;
        };
        let at = cx.span_of(r, c.prop, c.origin);
        if !c.in_vpc {
            out.report(
                at,
                format!("`{}` uses `{}`, which has only a private address, and does not run in its VPC", r.name, store.name),
            )
            .label("no network path to the store")
            .help(format!("give `{}` subnets of the store's VPC and a security group, and admit that group in a security group of `{}`", r.name, store.name));
            continue;
        }
        if store_groups.is_empty() {
            continue; // the VPC's default group: not known here
        }
        let admitted = store_groups
            .iter()
            .filter_map(|g| cx.resource(*g))
            .any(|g| admits(g, &c.groups, rules));
        if !admitted {
            out.report(
                at,
                format!("`{}` uses `{}`, whose security groups do not admit the service", r.name, store.name),
            )
            .label("no network path to the store")
            .help(format!("add an ingress rule to a security group of `{}`: `{{ port = <its port>, peer = <a security group of `{}`> }}`", store.name, r.name));
        } else if !lets_out(cx, &c.groups, &store_groups) {
            out.report(
                at,
                format!("`{}` uses `{}`, but its security groups let nothing out to it", r.name, store.name),
            )
            .label("no network path to the store")
            .help(format!("add an egress rule to a security group of `{}`: `{{ port = <the store's port>, peer = <a security group of `{}`> }}`", r.name, store.name));
        }
    }
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let rules = ingress_rules(cx);
    for r in &cx.model.resources {
        if let Some(client) = aws_client(cx, r) {
            aws_paths(cx, r, &client, &rules, out);
            continue;
        }
        match r.ty.as_str() {
            "gcp.run.Service"
            | "tf.google_cloud_run_v2_service"
            | "gcp.cloudfunctions.Function"
            | "tf.google_cloudfunctions2_function"
            | "tf.google_cloudfunctions_function" => {
                // What the service uses, its egress, where a finding points, and the fix.
                let (uses, path, prop, line): (&[&str], &str, &str, &str) = match r.ty.as_str() {
                    "gcp.run.Service" => (
                        &["env", "command"],
                        "subnetwork",
                        "env",
                        "Direct VPC egress: `subnetwork = <a subnetwork of the store's network>`",
                    ),
                    "tf.google_cloud_run_v2_service" => (
                        &[
                            "template.containers[].env[].value",
                            "template.containers[].command",
                        ],
                        "template.vpc_access",
                        "template",
                        "Direct VPC egress: `template = { vpc_access = { network_interfaces = [{ subnetwork = <a subnetwork of the store's network> }], egress = \"PRIVATE_RANGES_ONLY\" } }`",
                    ),
                    "gcp.cloudfunctions.Function" => (
                        &["env"],
                        "connector",
                        "env",
                        "a Serverless VPC Access connector in the store's network: `connector = <a gcp.vpcaccess.Connector>`",
                    ),
                    "tf.google_cloudfunctions2_function" => (
                        &["service_config.environment_variables"],
                        "service_config.vpc_connector",
                        "service_config",
                        "a Serverless VPC Access connector in the store's network: `service_config = { vpc_connector = <its id>, vpc_connector_egress_settings = \"PRIVATE_RANGES_ONLY\" }`",
                    ),
                    _ => (
                        &["environment_variables"],
                        "vpc_connector",
                        "environment_variables",
                        "a Serverless VPC Access connector in the store's network: `vpc_connector = <its id>`",
                    ),
                };
                let used: Vec<&Value> = uses
                    .iter()
                    .flat_map(|p| crate::reads::values(r, p))
                    .collect();
                if !crate::reads::values(r, path).is_empty() {
                    continue;
                }
                if let Some(store) = refs(cx, &used).into_iter().find(|t| gcp_private_store(t)) {
                    out.report(
                        cx.span_of(r, prop, &["env"]),
                        format!("`{}` uses `{}`, which has only a private address, and has no VPC egress", r.name, store.name),
                    )
                    .label("no network path to the store")
                    .help(format!("give `{}` {line}", r.name));
                }
            }
            _ => {}
        }
    }
}
