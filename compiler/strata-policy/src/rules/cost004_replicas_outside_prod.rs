use super::prelude::*;

rule! {
    /// ## What it checks
    /// A database or cache with read replicas (`read_replicas`, `replicas`, `replica_count`,
    /// `num_cache_clusters` above one node) in a non-production environment.
    ///
    /// ## Why it matters
    /// Each replica is billed like the primary. Development and staging seldom need read
    /// scaling; replicas there multiply the data tier's cost.
    ///
    /// ## Example
    /// ```strata
    /// param env = "staging"
    /// resource cache: aws.elasticache.ReplicationGroup { node_type = "cache.r6g.large", num_cache_clusters = 3 }
    /// ```
    ///
    /// ## Fix
    /// Scale replicas with the environment: `num_cache_clusters = prod ? 3 : 1`.
    pub static RULE = {
        code: "COST004",
        name: "replicas-outside-prod",
        category: Cost,
        severity: Warning,
        applies: Applies::Kinds(&[DATABASE, CACHE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !cx.is_non_prod(r) {
        return;
    }
    let env = cx.facts.env(r.id).unwrap_or("non-production");
    // (property, count above which it is a replica, the single-node value)
    // ElastiCache and Memorystore count replicas besides the primary; portable types count nodes.
    let replicas_base = if r.ty.starts_with("aws.") || r.ty.starts_with("gcp.") {
        0
    } else {
        1
    };
    for (p, base) in [
        ("read_replicas", 0),
        ("replica_count", 0),
        ("replicas_per_node_group", 0),
        ("replicas", replicas_base),
        ("num_cache_clusters", 1),
        ("num_cache_nodes", 1),
        ("node_count", 1),
    ] {
        let Some(n) = get(r, p).and_then(|v| match v {
            Value::List(l) => Some(l.len() as i64),
            v => v.as_i64(),
        }) else {
            continue;
        };
        if n > base {
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
