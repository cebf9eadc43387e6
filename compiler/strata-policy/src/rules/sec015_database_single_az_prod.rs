use super::prelude::*;

rule! {
    /// ## What it checks
    /// A production database or cache that runs in a single zone: `multi_az = false`
    /// (`aws.rds.DBInstance`; `MultiAZ` on `cfn.AWS.RDS.DBInstance` and `multi_az` on
    /// `tf.aws_db_instance`, false or unset), ElastiCache without automatic failover,
    /// `high_availability = false` on `azure.postgres.FlexibleServer` (no `high_availability` block on
    /// `tf.azurerm_postgresql_flexible_server`), Cloud SQL `availability_type` not `REGIONAL`, or a
    /// Memorystore `BASIC` tier.
    ///
    /// ## Why it matters
    /// A zone outage or a host failure then takes production down until a new instance is
    /// restored from backup — often hours, with data loss back to the last backup. Checkov: `CKV_AWS_157`.
    ///
    /// ## Example
    /// ```strata
    /// param env = "prod"
    /// let prod = env == "prod"
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", multi_az = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// param env = "prod"
    /// let prod = env == "prod"
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", multi_az = prod }
    /// ```
    pub static RULE = {
        code: "SEC015",
        name: "single-zone-in-prod",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const SINGLE: &str = "no standby in another zone";
const CLUSTER: &str = "cluster";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.rds.DBInstance", "multi_az", Is::False, SINGLE),
    read("aws.elasticache.ReplicationGroup", "automatic_failover", Is::False, SINGLE),
    read("aws.elasticache.ReplicationGroup", "multi_az", Is::False, SINGLE),
    read("azure.postgres.FlexibleServer", "high_availability", Is::False, SINGLE),
    read("gcp.sql.DatabaseInstance", "availability_type", Is::OneOf(&["ZONAL"]), SINGLE),
    read("gcp.redis.Instance", "tier", Is::OneOf(&["BASIC"]), SINGLE),
    read("cfn.AWS.RDS.DBInstance", "MultiAZ", Is::FalseOrUnset, SINGLE),
    // An Aurora instance's cluster spreads it over zones.
    part("cfn.AWS.RDS.DBInstance", "DBClusterIdentifier", CLUSTER),
    read("tf.aws_db_instance", "multi_az", Is::FalseOrUnset, SINGLE),
    read("cfn.AWS.ElastiCache.ReplicationGroup", "AutomaticFailoverEnabled", Is::FalseOrUnset, SINGLE),
    read("tf.aws_elasticache_replication_group", "automatic_failover_enabled", Is::FalseOrUnset, SINGLE),
    read("tf.google_sql_database_instance", "settings.availability_type", Is::NoneOfOrUnset(&["REGIONAL"]), SINGLE),
    read("dm.sqladmin.v1beta4.instance", "settings.availabilityType", Is::NoneOfOrUnset(&["REGIONAL"]), SINGLE),
    read("tf.google_redis_instance", "tier", Is::NoneOfOrUnset(&["STANDARD_HA"]), SINGLE),
    read("tf.azurerm_postgresql_flexible_server", "high_availability.mode", Is::Unset, SINGLE),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !cx.is_prod(r) || part_set(READS, r, CLUSTER) {
        return;
    }
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let what = cx.kind(r);
    let p = hit.path();
    let line = match (hit.value.and_then(Value::as_str), p) {
        (_, "high_availability.mode") => {
            "high_availability = { mode = \"ZoneRedundant\" }".to_string()
        }
        (Some(_), "tier") | (None, "tier") => format!("{p} = \"STANDARD_HA\""),
        (Some(_), _) => format!("{p} = \"REGIONAL\""),
        (None, _) if p.ends_with("vailability_type") || p.ends_with("vailabilityType") => {
            format!("{p} = \"REGIONAL\"")
        }
        (None, _) => format!("{p} = true"),
    };
    let label = match hit.value.and_then(Value::as_str) {
        Some(v) => format!("`{v}` has no standby"),
        None => SINGLE.to_string(),
    };
    out.at(
        r,
        hit.prop(),
        format!("production {what} `{}` runs in a single zone", r.name),
    )
    .label(label)
    .help(fix(cx, r, &line));
}
