use super::prelude::*;

rule! {
    /// ## What it checks
    /// A cache with replicas in a non-production environment: `replicas` above zero on
    /// `aws.elasticache.ReplicationGroup` and `gcp.redis.Instance` (`ReplicasPerNodeGroup`,
    /// `replicas_per_node_group`, `replica_count` in CloudFormation and Terraform), or more than one
    /// node in `NumCacheClusters`/`num_cache_clusters`.
    ///
    /// ## Why it matters
    /// Each replica is billed like the primary. Development and staging seldom need read
    /// scaling; replicas there multiply the data tier's cost.
    ///
    /// ## Example
    /// ```strata
    /// param env = "staging"
    /// resource cache: aws.elasticache.ReplicationGroup { node_type = "cache.r6g.large", replicas = 2 }
    /// ```
    ///
    /// ## Fix
    /// Scale replicas with the environment:
    /// ```strata
    /// param env = "staging"
    /// let prod = env == "prod"
    /// resource cache: aws.elasticache.ReplicationGroup { node_type = "cache.r6g.large", replicas = prod ? 2 : 0, automatic_failover = prod, multi_az = prod }
    /// ```
    pub static RULE = {
        code: "COST004",
        name: "replicas-outside-prod",
        category: Cost,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

/// A count of replicas besides the primary.
const REPLICAS: &str = "replicas";
/// A count of nodes, the primary included.
const NODES: &str = "nodes";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("aws.elasticache.ReplicationGroup", "replicas", REPLICAS),
    part("gcp.redis.Instance", "replicas", REPLICAS),
    part("cfn.AWS.ElastiCache.ReplicationGroup", "ReplicasPerNodeGroup", REPLICAS),
    part("cfn.AWS.ElastiCache.ReplicationGroup", "NumCacheClusters", NODES),
    part("tf.aws_elasticache_replication_group", "replicas_per_node_group", REPLICAS),
    part("tf.aws_elasticache_replication_group", "num_cache_clusters", NODES),
    part("tf.google_redis_instance", "replica_count", REPLICAS),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !cx.is_non_prod(r) {
        return;
    }
    let env = cx.facts.env(r.id).unwrap_or("non-production");
    for x in READS.iter().filter(|x| x.ty == r.ty) {
        let base = if x.what == NODES { 1 } else { 0 };
        let Some(n) = crate::reads::values(r, x.path)
            .into_iter()
            .next()
            .and_then(Value::as_i64)
        else {
            continue;
        };
        if n > base {
            let p = x.path;
            out.at(
                r,
                p,
                format!("`{}` has {} replica(s) in `{env}`", r.name, n - base),
            )
            .label("replicas outside production")
            .help(fix(cx, r, &format!("{p} = prod ? {n} : {base}")));
            return;
        }
    }
}
