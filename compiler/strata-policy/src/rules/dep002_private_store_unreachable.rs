use super::prelude::*;

rule! {
    /// ## What it checks
    /// A service that uses a private database or cache (a reference in its containers'
    /// environment or command) with no network path to it:
    /// - AWS: an ECS service (`aws.ecs.Service`) whose task uses an `aws.rds.DBInstance` or an
    ///   `aws.elasticache.ReplicationGroup` none of whose security groups admits the service —
    ///   no ingress rule whose `peer` is one of the service's security groups, nor an address
    ///   range (`cidr`);
    /// - GCP: a Cloud Run service (`gcp.run.Service`, `tf.google_cloud_run_v2_service`) that
    ///   uses a Cloud SQL instance without a public IP or a Memorystore instance (curated or
    ///   `tf.google_sql_database_instance`, `tf.google_redis_instance`) and has no Direct VPC
    ///   egress (`subnetwork`, `template.vpc_access`).
    ///
    /// A portable `Service` gets the path from its references (a security-group rule from the
    /// service's group, or VPC egress); this rule catches hand-written services.
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
    part("aws.rds.DBInstance", "security_groups", GROUPS),
    part("aws.elasticache.ReplicationGroup", "security_groups", GROUPS),
    part("aws.ec2.SecurityGroup", "ingress[].peer", PATH),
    part("aws.ec2.SecurityGroup", "ingress[].cidr", PATH),
    part("gcp.run.Service", "env", USES),
    part("gcp.run.Service", "command", USES),
    part("gcp.run.Service", "subnetwork", PATH),
    part("gcp.sql.DatabaseInstance", "public_ip", PUBLIC),
    part("tf.google_cloud_run_v2_service", "template.containers[].env[].value", USES),
    part("tf.google_cloud_run_v2_service", "template.containers[].command", USES),
    part("tf.google_cloud_run_v2_service", "template.vpc_access", PATH),
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

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    for r in &cx.model.resources {
        match r.ty.as_str() {
            "aws.ecs.Service" => {
                let task = ids(r.props.get("task_definition"))
                    .into_iter()
                    .find_map(|id| cx.resource(id));
                let Some(task) = task else { continue };
                let mut used = crate::reads::values(task, "containers[].environment");
                used.extend(crate::reads::values(task, "containers[].command"));
                let groups = ids(r.props.get("security_groups"));
                for store in refs(cx, &used) {
                    if !matches!(
                        store.ty.as_str(),
                        "aws.rds.DBInstance" | "aws.elasticache.ReplicationGroup"
                    ) {
                        continue;
                    }
                    let store_groups = ids(store.props.get("security_groups"));
                    if store_groups.is_empty() {
                        continue; // the VPC's default group: not known here
                    }
                    let admitted = store_groups
                        .iter()
                        .filter_map(|g| cx.resource(*g))
                        .any(|g| {
                            crate::reads::values(g, "ingress[]").iter().any(|rule| {
                                rule.get_path("cidr").is_some_and(|c| !c.is_null())
                                    || ids(rule.get_path("peer"))
                                        .iter()
                                        .any(|p| groups.contains(p))
                            })
                        });
                    if !admitted {
                        out.report(
                            cx.span_of(r, "task_definition", &["env", "command"]),
                            format!("`{}` uses `{}`, whose security groups do not admit the service", r.name, store.name),
                        )
                        .label("no network path to the store")
                        .help(format!("add an ingress rule to a security group of `{}`: `{{ port = <its port>, peer = <a security group of `{}`> }}`", store.name, r.name));
                    }
                }
            }
            "gcp.run.Service" | "tf.google_cloud_run_v2_service" => {
                let (uses, path): (&[&str], &str) = if r.ty == "gcp.run.Service" {
                    (&["env", "command"], "subnetwork")
                } else {
                    (
                        &[
                            "template.containers[].env[].value",
                            "template.containers[].command",
                        ],
                        "template.vpc_access",
                    )
                };
                let used: Vec<&Value> = uses
                    .iter()
                    .flat_map(|p| crate::reads::values(r, p))
                    .collect();
                if !crate::reads::values(r, path).is_empty() {
                    continue;
                }
                if let Some(store) = refs(cx, &used).into_iter().find(|t| gcp_private_store(t)) {
                    let (prop, line) = if r.ty == "gcp.run.Service" {
                        ("env", "subnetwork = <a subnetwork of the store's network>")
                    } else {
                        ("template", "template = { vpc_access = { network_interfaces = [{ subnetwork = <a subnetwork of the store's network> }], egress = \"PRIVATE_RANGES_ONLY\" } }")
                    };
                    out.report(
                        cx.span_of(r, prop, &["env"]),
                        format!("`{}` uses `{}`, which has only a private address, and has no VPC egress", r.name, store.name),
                    )
                    .label("no network path to the store")
                    .help(format!("give `{}` Direct VPC egress: `{line}`", r.name));
                }
            }
            _ => {}
        }
    }
}
