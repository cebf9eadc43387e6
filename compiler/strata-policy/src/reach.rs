//! What "reachable from the internet" means.
//!
//! References do not always point the way traffic flows: a listener references its load
//! balancer, an ECS service references its target group, a web ACL association references the
//! load balancer. So reachability from the internet is computed over the *traffic plumbing*
//! (load balancers, listeners, target groups, CDNs, API gateways, Kubernetes services and
//! ingresses), whose edges are followed in both directions, starting at the public resources.
//! A resource that is not plumbing ends the path: it is reached (if it is a target) but not
//! crossed — in particular a compute tier (service, function, VM, workload) is the private
//! boundary the architecture is expected to have between the internet and its data.

use crate::facts::{kinds::*, Facts};
use std::collections::VecDeque;
use strata_graph::{Edge, ResourceGraph};
use strata_model::ResourceId;

/// Kinds that carry traffic through without processing it.
pub fn is_plumbing(kind: &str) -> bool {
    matches!(
        kind,
        LOADBALANCER | TARGET_GROUP | CDN | API_GATEWAY | K8S_SERVICE | INGRESS
    )
}

/// Neighbours of `id` (dependencies, and dependents too when `undirected`), where a portable
/// resource that was lowered in this model stands for the resources it was lowered into
/// (references to it are references to them). Sorted, without duplicates.
pub fn neighbours(
    graph: &ResourceGraph,
    facts: &Facts,
    id: ResourceId,
    undirected: bool,
) -> Vec<ResourceId> {
    let mut out: Vec<ResourceId> = Vec::new();
    let mut push = |m: ResourceId| {
        if facts.superseded.contains(m) {
            if let Some(children) = facts.lowered.get(&m) {
                out.extend(children.iter().copied().filter(|c| *c != id));
            }
        } else {
            out.push(m);
        }
    };
    for (m, _) in graph.dependencies(id) {
        push(m);
    }
    if undirected {
        for (m, _) in graph.dependents(id) {
            push(m);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Shortest dependency paths (at least one edge) from any of `from` to each target, following
/// edges forward through any resource (see [`neighbours`] for portable resources). O(V + E).
pub fn dependency_paths(
    graph: &ResourceGraph,
    facts: &Facts,
    from: &[ResourceId],
    is_target: impl Fn(ResourceId) -> bool,
) -> Vec<(ResourceId, Vec<ResourceId>)> {
    let n = graph.len();
    const UNSEEN: u32 = u32::MAX;
    const ROOT: u32 = u32::MAX - 1;
    let mut parent = vec![UNSEEN; n];
    let mut queue = VecDeque::new();
    let mut starts: Vec<ResourceId> = from
        .iter()
        .copied()
        .filter(|s| (s.0 as usize) < n)
        .collect();
    starts.sort();
    starts.dedup();
    for &s in &starts {
        parent[s.0 as usize] = ROOT;
        queue.push_back(s);
    }
    let mut found = Vec::new();
    while let Some(cur) = queue.pop_front() {
        for m in neighbours(graph, facts, cur, false) {
            let mi = m.0 as usize;
            if parent[mi] != UNSEEN {
                continue;
            }
            parent[mi] = cur.0;
            if is_target(m) {
                found.push(m);
            }
            queue.push_back(m);
        }
    }
    found.sort();
    found
        .into_iter()
        .map(|t| (t, path_to(&parent, t)))
        .collect()
}

fn path_to(parent: &[u32], t: ResourceId) -> Vec<ResourceId> {
    let mut path = vec![t];
    let mut c = t.0;
    while let Some(&p) = parent.get(c as usize) {
        if p >= u32::MAX - 1 || path.len() > parent.len() {
            break;
        }
        path.push(ResourceId(p));
        c = p;
    }
    path.reverse();
    path
}

/// For every target reachable from the internet, a shortest path from a public resource to it
/// (inclusive; a single element when the target is itself public). Deterministic: starts and
/// neighbours are visited in id order. O(V + E).
pub fn internet_paths(
    graph: &ResourceGraph,
    facts: &Facts,
    is_target: impl Fn(ResourceId) -> bool,
) -> Vec<(ResourceId, Vec<ResourceId>)> {
    let n = graph.len();
    const UNSEEN: u32 = u32::MAX;
    const ROOT: u32 = u32::MAX - 1;
    let mut parent = vec![UNSEEN; n];
    let mut queue = VecDeque::new();
    let mut out = Vec::new();
    for s in facts.public.iter() {
        if (s.0 as usize) >= n || facts.superseded.contains(s) {
            continue;
        }
        parent[s.0 as usize] = ROOT;
        if is_target(s) {
            out.push(s);
        }
        if is_plumbing(facts.kind(s)) {
            queue.push_back(s);
        }
    }
    while let Some(cur) = queue.pop_front() {
        for m in neighbours(graph, facts, cur, true) {
            let mi = m.0 as usize;
            if parent[mi] != UNSEEN || facts.superseded.contains(m) {
                continue;
            }
            let target = is_target(m);
            let plumbing = is_plumbing(facts.kind(m));
            if !target && !plumbing {
                continue;
            }
            parent[mi] = cur.0;
            if target {
                out.push(m);
            }
            if plumbing {
                queue.push_back(m);
            }
        }
    }
    out.sort();
    out.into_iter().map(|t| (t, path_to(&parent, t))).collect()
}

/// The edge between two adjacent resources of a path, in whichever direction it was written
/// (through the portable resource `b` was lowered from, if the edge points there).
pub fn edge_between<'g>(
    graph: &'g ResourceGraph,
    facts: &Facts,
    a: ResourceId,
    b: ResourceId,
) -> Option<(ResourceId, ResourceId, &'g Edge)> {
    let direct = |x: ResourceId, y: ResourceId| graph.edge(x, y).map(|e| (x, y, e));
    direct(a, b).or_else(|| direct(b, a)).or_else(|| {
        let ob = facts.origin.get(b.0 as usize).copied().flatten()?;
        direct(a, ob).or_else(|| direct(ob, a))
    })
}
