use super::prelude::*;

rule! {
    /// ## What it checks
    /// A database or cache that an internet entry point (a public load balancer, CDN, API
    /// gateway, Kubernetes `LoadBalancer` service or ingress) reaches through traffic plumbing
    /// alone — listeners, target groups, proxies — without a private compute tier (a service,
    /// function, VM or Kubernetes workload) in between. References are followed in both
    /// directions along the plumbing (a listener references its load balancer, traffic flows
    /// the other way).
    ///
    /// ## Why it matters
    /// Data stores belong behind the application: a public entry that forwards straight to a
    /// database or cache exposes its protocol to the internet, where credential stuffing and
    /// protocol exploits find it within minutes. Checkov and similar tools look at one resource
    /// at a time and miss this; the graph shows the whole path.
    ///
    /// ## Example
    /// ```strata
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium" }
    /// resource cdn: aws.cloudfront.Distribution { origin_domain = db.address }
    /// ```
    ///
    /// ## Fix
    /// Serve the public side from something that is not the data store (a bucket, a service), and
    /// let only a private service reference the database:
    /// ```strata
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium" }
    /// resource site: aws.s3.Bucket {}
    /// resource cdn: aws.cloudfront.Distribution { origin_bucket = site }
    /// ```
    pub static RULE = {
        code: "GRAPH001",
        name: "data-store-exposed",
        category: Graph,
        severity: Error,
        applies: Applies::All,
        check: Check::Model(check),
    }
}

fn is_data(kind: &str) -> bool {
    matches!(kind, DATABASE | CACHE)
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let f = cx.facts;
    // A public data store is reported by the security rules of its type; here only paths.
    for (id, path) in crate::reach::internet_paths(cx.graph, f, |id| is_data(f.kind(id))) {
        if path.len() < 2 {
            continue;
        }
        let (Some(target), Some(entry)) = (cx.resource(id), cx.resource(path[0])) else {
            continue;
        };
        let names: Vec<String> = path
            .iter()
            .filter_map(|&p| cx.resource(p))
            .map(|r| format!("`{}`", r.name))
            .collect();
        let d = out
            .report(
                target.name_span,
                format!(
                    "{} `{}` is reachable from the internet with no private service in between: {}",
                    f.kind(id),
                    target.name,
                    names.join(" → ")
                ),
            )
            .label("reachable from the internet")
            .secondary(
                entry.name_span,
                format!("`{}` is an internet entry point", entry.name),
            );
        push_path_labels(cx, d, &path);
        d.help(format!("put a private service between `{}` and `{}`: let the public side reference the service, and only the service reference `{}`", entry.name, target.name, target.name));
    }
}
