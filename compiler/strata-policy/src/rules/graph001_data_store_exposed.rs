use super::prelude::*;
use strata_model::ResourceId;

rule! {
    /// ## What it checks
    /// A database or cache that an internet entry point (a public load balancer, CDN, API
    /// gateway, public IP) reaches through the dependency graph without passing a private
    /// compute tier (a service, function, VM or Kubernetes workload) on the way.
    ///
    /// ## Why it matters
    /// Data stores belong behind the application: a public entry that forwards straight to a
    /// database or cache exposes its protocol to the internet, where credential stuffing and
    /// protocol exploits find it within minutes. Checkov and similar tools look at one resource
    /// at a time and miss this; the graph shows the whole path.
    ///
    /// ## Example
    /// ```strata
    /// resource lb: aws.elbv2.LoadBalancer { scheme = "internet-facing" }
    /// resource tg: aws.elbv2.TargetGroup { load_balancer = lb, target = db.address }
    /// resource db: aws.rds.DBInstance { ... }
    /// ```
    ///
    /// ## Fix
    /// Route traffic through a service that talks to the data store on a private network, and
    /// remove the reference from the public side:
    /// ```strata
    /// resource api: aws.ecs.Service { env = { DATABASE_URL = db.url } }
    /// resource tg: aws.elbv2.TargetGroup { load_balancer = lb, target = api }
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

fn is_boundary(kind: &str) -> bool {
    matches!(kind, SERVICE | FUNCTION | VM | WORKLOAD | CLUSTER | NODEPOOL)
}

fn is_data(kind: &str) -> bool {
    matches!(kind, DATABASE | CACHE)
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let f = cx.facts;
    // Public data stores are reported by their own security rules; start from the others.
    let starts: Vec<ResourceId> = f.public.iter().filter(|&id| !is_data(f.kind(id)) && !is_boundary(f.kind(id))).collect();
    if starts.is_empty() {
        return;
    }
    let tree = cx.graph.bfs_tree(&starts, |id| !f.superseded.contains(id) && !is_boundary(f.kind(id)));
    for id in tree.reached_ids() {
        if tree.is_start(id) || !is_data(f.kind(id)) {
            continue;
        }
        let (Some(target), Some(path)) = (cx.resource(id), tree.path_to(id)) else { continue };
        let names: Vec<String> = path.iter().filter_map(|&p| cx.resource(p)).map(|r| format!("`{}`", r.name)).collect();
        let Some(entry) = cx.resource(path[0]) else { continue };
        let d = out
            .report(target.name_span, format!("{} `{}` is reachable from the internet with no private service in between: {}", f.kind(id), target.name, names.join(" → ")))
            .label("reachable from the internet")
            .secondary(entry.name_span, format!("`{}` is an internet entry point", entry.name));
        push_path_labels(cx, d, &path);
        d.help(format!("put a private service between `{}` and `{}`: reference the service from the public side and `{}` only from the service", entry.name, target.name, target.name));
    }
}
