use super::prelude::*;

rule! {
    /// ## What it checks
    /// An instance class, machine type or tier with more vCPUs than the rule allows (option
    /// `max_vcpus`, default 2) on a database, cache, VM or node pool in a non-production
    /// environment (`env` is `dev`, `staging`, ...).
    ///
    /// ## Why it matters
    /// Development and staging rarely carry production load, yet a production-sized database
    /// copied into dev costs the same as in prod — often the largest avoidable line on the
    /// bill.
    ///
    /// ## Example
    /// ```strata
    /// param env = "dev"
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.r6g.2xlarge" }
    /// ```
    ///
    /// ## Fix
    /// Size by environment:
    /// ```strata
    /// param env = "dev"
    /// let prod = env == "prod"
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = prod ? "db.r6g.2xlarge" : "db.t4g.medium" }
    /// ```
    pub static RULE = {
        code: "COST002",
        name: "oversized-in-dev",
        category: Cost,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const CLASS: &str = "instance size";

/// Where each type names its instance size.
#[rustfmt::skip]
static READS: &[Read] = &[
    part("aws.rds.DBInstance", "instance_class", CLASS),
    part("aws.elasticache.ReplicationGroup", "node_type", CLASS),
    part("gcp.sql.DatabaseInstance", "tier", CLASS),
    part("gcp.container.NodePool", "machine_type", CLASS),
    part("azure.postgres.FlexibleServer", "sku", CLASS),
    part("cfn.AWS.RDS.DBInstance", "DBInstanceClass", CLASS),
    part("tf.aws_db_instance", "instance_class", CLASS),
    part("cfn.AWS.ElastiCache.ReplicationGroup", "CacheNodeType", CLASS),
    part("tf.aws_elasticache_replication_group", "node_type", CLASS),
    part("cfn.AWS.EC2.Instance", "InstanceType", CLASS),
    part("tf.aws_instance", "instance_type", CLASS),
    part("cfn.AWS.EKS.Nodegroup", "InstanceTypes[]", CLASS),
    part("tf.aws_eks_node_group", "instance_types[]", CLASS),
    part("tf.google_sql_database_instance", "settings.tier", CLASS),
    part("tf.google_compute_instance", "machine_type", CLASS),
    part("tf.google_container_node_pool", "node_config.machine_type", CLASS),
    part("tf.azurerm_linux_virtual_machine", "size", CLASS),
    part("tf.azurerm_postgresql_flexible_server", "sku_name", CLASS),
];

/// vCPUs of an instance class: `db.r6g.2xlarge` → 8, `m5.large` → 2, `n2-standard-8` → 8,
/// `db-custom-4-16384` → 4, `Standard_D4s_v5` → 4, `GP_Standard_D2ds_v4` → 2.
pub(crate) fn vcpus(class: &str) -> Option<f64> {
    let c = class.trim();
    // AWS: the size is the last dot-separated part.
    if c.contains('.') {
        let size = c.rsplit('.').next()?;
        return match size {
            "nano" | "micro" | "small" | "medium" | "large" => Some(2.0),
            "xlarge" => Some(4.0),
            "metal" => Some(96.0),
            s => s
                .strip_suffix("xlarge")
                .and_then(|n| n.parse::<f64>().ok())
                .map(|n| n * 4.0),
        };
    }
    // GCP Cloud SQL custom: db-custom-<vcpus>-<mib>.
    if let Some(rest) = c
        .strip_prefix("db-custom-")
        .or_else(|| c.strip_prefix("db-perf-optimized-N-"))
    {
        return rest.split('-').next()?.parse().ok();
    }
    if c == "db-f1-micro"
        || c == "db-g1-small"
        || c.starts_with("e2-micro")
        || c.starts_with("e2-small")
        || c.starts_with("e2-medium")
        || c.starts_with("f1-")
        || c.starts_with("g1-")
    {
        return Some(1.0);
    }
    // GCP machine types: family-class-N.
    if c.contains('-') && !c.contains('_') {
        return c.rsplit('-').next()?.parse().ok();
    }
    // Azure: Standard_D4s_v5, GP_Standard_D2ds_v4, B_Standard_B1ms.
    if let Some(pos) = c.find("Standard_") {
        let s = &c[pos + "Standard_".len()..];
        let digits: String = s
            .chars()
            .skip_while(|ch| ch.is_ascii_alphabetic())
            .take_while(|ch| ch.is_ascii_digit())
            .collect();
        return digits.parse().ok();
    }
    None
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !cx.is_non_prod(r) {
        return;
    }
    let max = cx.option_f64("max_vcpus").unwrap_or(2.0);
    let Some((p, class)) =
        first_part(READS, r, CLASS).and_then(|(p, v)| v.as_str().map(|c| (p, c)))
    else {
        return;
    };
    let Some(n) = vcpus(class) else { return };
    if n > max {
        let env = cx.facts.env(r.id).unwrap_or("non-production");
        let line = if p.ends_with("[]") {
            format!("{} = prod ? [\"{class}\"] : [\"<a 2-vCPU class>\"]", top(p))
        } else {
            format!("{p} = prod ? \"{class}\" : \"<a 2-vCPU class>\"")
        };
        out.at(
            r,
            top(p),
            format!("`{class}` ({n} vCPUs) is larger than needed in `{env}`"),
        )
        .label(format!("more than {max} vCPUs outside production"))
        .help(fix(cx, r, &line));
    }
}
