use super::prelude::*;

rule! {
    /// ## What it checks
    /// A database or cache with a standby in a second zone in a non-production environment:
    /// `multi_az = true` (RDS, ElastiCache; `MultiAZ`, `MultiAZEnabled`, `multi_az_enabled` in
    /// CloudFormation and Terraform), automatic failover, `high_availability` on Azure flexible
    /// servers, a Cloud SQL `availability_type = "REGIONAL"`, a Memorystore `STANDARD_HA` tier.
    ///
    /// ## Why it matters
    /// A standby doubles the instance and storage price. Outside production an outage of a few
    /// minutes while the instance is replaced is usually acceptable.
    ///
    /// ## Example
    /// ```strata
    /// param env = "dev"
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", multi_az = true }
    /// ```
    ///
    /// ## Fix
    /// Tie it to the environment:
    /// ```strata
    /// param env = "dev"
    /// let prod = env == "prod"
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", multi_az = prod }
    /// ```
    pub static RULE = {
        code: "COST003",
        name: "multi-az-outside-prod",
        category: Cost,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const HA: &str = "high availability outside production";
fn set(v: &Value) -> bool {
    !v.is_null()
}

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.rds.DBInstance", "multi_az", Is::True, HA),
    read("aws.elasticache.ReplicationGroup", "multi_az", Is::True, HA),
    read("aws.elasticache.ReplicationGroup", "automatic_failover", Is::True, HA),
    read("azure.postgres.FlexibleServer", "high_availability", Is::True, HA),
    read("gcp.sql.DatabaseInstance", "availability_type", Is::OneOf(&["REGIONAL"]), HA),
    read("gcp.redis.Instance", "tier", Is::OneOf(&["STANDARD_HA"]), HA),
    read("cfn.AWS.RDS.DBInstance", "MultiAZ", Is::True, HA),
    read("tf.aws_db_instance", "multi_az", Is::True, HA),
    read("cfn.AWS.ElastiCache.ReplicationGroup", "MultiAZEnabled", Is::True, HA),
    read("tf.aws_elasticache_replication_group", "multi_az_enabled", Is::True, HA),
    read("tf.google_sql_database_instance", "settings.availability_type", Is::OneOf(&["REGIONAL"]), HA),
    read("tf.google_redis_instance", "tier", Is::OneOf(&["STANDARD_HA"]), HA),
    read("tf.azurerm_postgresql_flexible_server", "high_availability.mode", Is::Test(set), HA),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !cx.is_non_prod(r) {
        return;
    }
    let env = cx.facts.env(r.id).unwrap_or("non-production").to_string();
    // Lowered from a portable type: say it in the portable type's terms.
    if let Some(o) = cx.origin(r) {
        if cx
            .schema(o)
            .is_some_and(|s| s.fields.contains_key("multi_az"))
        {
            if o.prop("multi_az").is_some_and(Value::is_true) {
                out.report(
                    o.prop_span("multi_az"),
                    format!(
                        "`{}` runs a standby in a second zone in `{env}`, doubling its price",
                        o.name
                    ),
                )
                .label(HA)
                .help(format!("write `multi_az = prod` in `{}`", o.name));
            }
            return;
        }
        if cx
            .schema(o)
            .is_some_and(|s| s.fields.contains_key("replicas"))
        {
            return; // the standby comes from `replicas`, reported by COST004
        }
    }
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let p = hit.path();
    let line = match hit.value.and_then(Value::as_str) {
        Some("REGIONAL") => format!("{p} = prod ? \"REGIONAL\" : \"ZONAL\""),
        Some("STANDARD_HA") => format!("{p} = prod ? \"STANDARD_HA\" : \"BASIC\""),
        Some(_) => format!("create `{}` only when `prod`", crate::reads::top_of(p)),
        None => format!("{p} = prod"),
    };
    out.at(
        r,
        hit.prop(),
        format!(
            "`{}` runs a standby in a second zone in `{env}`, doubling its price",
            r.name
        ),
    )
    .label(HA)
    .help(if line.starts_with("create") {
        Help::from(line)
    } else {
        fix(cx, r, &line)
    });
}
