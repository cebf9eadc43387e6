use std::fmt::Write;
use strata_graph::testkit::*;
use strata_graph::{build, to_dot, to_mermaid, EdgeKind, ResourceGraph};
use strata_model::{Model, Provider, ResourceId};

/// A small web architecture: two stacks, a module instance, references, interpolation,
/// `depends_on`, and names that need escaping.
fn web() -> (Model, strata_base::SourceMap) {
    let mut f = Fixture::new();
    f.env("prod");
    f.stack("community", Provider::Aws, |s| {
        s.set("region", "us-east-1");
    });
    f.stack("edge", Provider::Gcp, |s| {
        s.set("project", "acme");
    });
    f.resource("key", "aws.kms.Key", |r| {
        r.set("rotation", true);
    });
    f.resource("uploads", "aws.s3.Bucket", |r| {
        r.set("versioning", true).set("encryption", refer("key"));
    });
    f.resource("db", "aws.rds.DBInstance", |r| {
        r.set("instance_class", "db.r6g.large")
            .set("kms_key", refer_attr("key", "arn"));
    });
    f.resource("queues[\"emails\"]", "aws.sqs.Queue", |r| {
        r.set("retention", days(4.0));
    });
    f.resource("blog.api", "aws.ecs.Service", |r| {
        r.set(
            "env",
            rec([
                (
                    "DATABASE_URL",
                    interp(["postgres://", "@db.address", ":5432"]),
                ),
                ("JOBS", refer_attr("queues[\"emails\"]", "url")),
            ]),
        );
        r.depends_on("uploads");
    });
    f.resource("blog.lb", "aws.elbv2.LoadBalancer", |r| {
        r.set("targets", list([refer("blog.api")]));
    });
    f.resource("cdn", "gcp.compute.BackendBucket", |r| {
        r.stack(1).set("bucket", refer("uploads"));
    });
    f.finish()
}

fn describe(model: &Model, g: &ResourceGraph) -> String {
    let mut out = String::new();
    for r in &model.resources {
        let deps: Vec<String> = g
            .dependencies(r.id)
            .iter()
            .map(|(to, e)| {
                let via = match e.kind {
                    EdgeKind::Reference => format!(
                        "{}{}",
                        e.property.as_deref().unwrap_or("?"),
                        e.attr
                            .as_ref()
                            .map(|a| format!(" .{a}"))
                            .unwrap_or_default()
                    ),
                    EdgeKind::Explicit => "depends_on".to_string(),
                };
                format!("{} ({via})", model.resource(*to).name)
            })
            .collect();
        let _ = writeln!(out, "{} -> [{}]", r.name, deps.join(", "));
    }
    let order = g.topological_order().map(|o| {
        o.iter()
            .map(|id| model.resource(*id).name.clone())
            .collect::<Vec<_>>()
    });
    let _ = writeln!(out, "order: {order:?}");
    out
}

#[test]
fn web_graph() {
    let (model, _) = web();
    let (g, diags) = build(&model);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(g.len(), 7);
    insta::assert_snapshot!("web_edges", describe(&model, &g));
    insta::assert_snapshot!("web_mermaid", to_mermaid(&model, &g));
    insta::assert_snapshot!("web_dot", to_dot(&model, &g));
}

#[test]
fn queries() {
    let (model, _) = web();
    let (g, _) = build(&model);
    let id = |n: &str| model.by_name(n).map(|r| r.id).expect("resource");
    // Dependents of the key: the bucket and the database.
    let dependents: Vec<ResourceId> = g.dependents(id("key")).iter().map(|(r, _)| *r).collect();
    assert_eq!(dependents, vec![id("uploads"), id("db")]);
    // From the load balancer everything but the CDN is reachable.
    let reach = g.reachable_from(&[id("blog.lb")]);
    assert_eq!(reach.count(), 6);
    assert!(!reach.contains(id("cdn")));
    assert!(reach.contains(id("key")));
    // Reaching the key: key, uploads, db, api, lb, cdn.
    assert_eq!(g.reaching(&[id("key")]).count(), 6);
    // Shortest path lb → key goes through api and then uploads or db (lowest id first: uploads).
    let path = g.path(id("blog.lb"), id("key")).expect("path");
    assert_eq!(
        path,
        vec![id("blog.lb"), id("blog.api"), id("uploads"), id("key")]
    );
    assert_eq!(g.path(id("key"), id("blog.lb")), None);
    // A path that may not pass through the service does not exist.
    let mut target = strata_graph::ResourceSet::new(g.len());
    target.insert(id("db"));
    assert_eq!(
        g.shortest_path(&[id("blog.lb")], &target, |r| r != id("blog.api")),
        None
    );
    assert!(g
        .shortest_path(&[id("blog.lb")], &target, |_| true)
        .is_some());
    assert!(g.isolated().is_empty());
    // Topological order puts every dependency first.
    let order = g.topological_order().expect("acyclic");
    let pos = |r: ResourceId| order.iter().position(|x| *x == r).expect("in order");
    for (from, to, _) in g.edges() {
        assert!(pos(to) < pos(from));
    }
}

#[test]
fn cycles_are_reported_with_every_edge() {
    let mut f = Fixture::new();
    f.resource("a", "aws.sqs.Queue", |r| {
        r.set(
            "dead_letter",
            rec([("target", refer("b")), ("max_receives", v(5))]),
        );
    });
    f.resource("b", "aws.sqs.Queue", |r| {
        r.set("policy", refer_attr("c", "arn"));
    });
    f.resource("c", "aws.sqs.Queue", |r| {
        r.depends_on("a");
    });
    f.resource("solo", "aws.kms.Key", |r| {
        r.set("description", interp(["key ", "@solo.arn"]));
    });
    f.resource("fine", "aws.kms.Key", |r| {
        r.set("rotation", true);
    });
    let (model, sources) = f.finish();
    let (g, diags) = build(&model);
    assert_eq!(diags.len(), 2);
    assert!(diags.iter().all(|d| d.code == "E3001"));
    assert_eq!(
        g.cycles(),
        vec![
            vec![ResourceId(0), ResourceId(1), ResourceId(2)],
            vec![ResourceId(3)]
        ]
    );
    assert!(g.topological_order().is_err());
    assert_eq!(g.isolated(), vec![ResourceId(4)]);
    insta::assert_snapshot!("cycles", render_inline(&sources, &diags));
}

#[test]
fn cycle_is_the_shortest_through_the_lowest_resource() {
    // 0 → 1 → 2 → 0 and 0 → 3 → 0: the short cycle 0 → 3 → 0 is chosen.
    let mut f = Fixture::new();
    f.resource("r0", "x.T", |r| {
        r.set("a", refer("r1")).set("b", refer("r3"));
    });
    f.resource("r1", "x.T", |r| {
        r.set("a", refer("r2"));
    });
    f.resource("r2", "x.T", |r| {
        r.set("a", refer("r0"));
    });
    f.resource("r3", "x.T", |r| {
        r.set("a", refer("r0"));
    });
    let (model, _) = f.finish();
    let (g, diags) = build(&model);
    assert_eq!(diags.len(), 1);
    assert_eq!(g.cycles(), vec![vec![ResourceId(0), ResourceId(3)]]);
    assert_eq!(diags[0].secondary.len(), 1);
}

#[test]
fn parallel_references_make_one_edge() {
    let mut f = Fixture::new();
    f.resource("key", "aws.kms.Key", |_| {});
    f.resource("b", "aws.s3.Bucket", |r| {
        r.set("encryption", refer("key"))
            .set("logging", refer_attr("key", "arn"))
            .depends_on("key");
    });
    let (model, _) = f.finish();
    let (g, _) = build(&model);
    // One reference edge (first property in order: encryption) and one explicit edge.
    let deps = g.dependencies(ResourceId(1));
    assert_eq!(deps.len(), 2);
    assert_eq!(deps[0].1.property.as_deref(), Some("encryption"));
    assert_eq!(deps[1].1.kind, EdgeKind::Explicit);
    assert_eq!(
        g.edge(ResourceId(1), ResourceId(0)).map(|e| e.kind),
        Some(EdgeKind::Reference)
    );
}

#[test]
fn empty_model() {
    let (g, diags) = build(&Model::default());
    assert!(g.is_empty() && diags.is_empty());
    assert_eq!(to_mermaid(&Model::default(), &g), "flowchart LR\n");
    assert_eq!(g.topological_order(), Ok(vec![]));
}

/// 100,000 resources in a chain plus fan-in edges: build, cycles, reachability and a path stay
/// linear (this would take minutes if any of them were quadratic).
#[test]
fn hundred_thousand_resources() {
    use strata_model::{Ref, Resource, Value};
    let n = 100_000u32;
    let mut model = Model::default();
    for i in 0..n {
        let mut props = std::collections::BTreeMap::new();
        if i + 1 < n {
            props.insert(
                "next".to_string(),
                Value::Ref(Ref {
                    resource: ResourceId(i + 1),
                    name: format!("r{}", i + 1),
                    attr: None,
                }),
            );
        }
        if i % 10 == 0 && i > 0 {
            props.insert(
                "root".to_string(),
                Value::Ref(Ref {
                    resource: ResourceId(n - 1),
                    name: "last".into(),
                    attr: None,
                }),
            );
        }
        model.resources.push(Resource {
            id: ResourceId(i),
            name: format!("r{i}"),
            ty: "x.T".into(),
            provider: Provider::None,
            props,
            prop_spans: Default::default(),
            depends_on: vec![],
            name_span: Default::default(),
            span: Default::default(),
            stack: None,
            lowered_from: None,
            retention: None,
            existing: false,
            doc: None,
        });
    }
    let start = thread_cpu();
    let (g, diags) = build(&model);
    assert!(diags.is_empty());
    assert_eq!(g.reachable_from(&[ResourceId(0)]).count(), n as usize);
    let path = g.path(ResourceId(0), ResourceId(n - 1)).expect("path");
    assert_eq!(path.len(), 12); // r0 → r1 → … → r10 → last
    assert_eq!(g.topological_order().map(|o| o.len()), Ok(n as usize));
    assert!(
        (thread_cpu() - start).as_secs() < 20,
        "graph queries are not linear: {:?} of CPU",
        thread_cpu() - start
    );
}

/// CPU time this thread has used (Linux `/proc/thread-self/stat`, in USER_HZ = 1/100 s): the
/// speed bounds below are CPU time, which a loaded machine does not stretch as it does the
/// wall clock. Zero where `/proc` is not there (the bound then always holds).
fn thread_cpu() -> std::time::Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    std::time::Duration::from_millis(ticks * 10)
}
