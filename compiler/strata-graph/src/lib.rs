//! The resource dependency graph.
//!
//! Nodes are the resources of a [`Model`] (node index `i` is `ResourceId(i)`); an edge `A → B`
//! means *A depends on B*: A's properties reference B ([`EdgeKind::Reference`], with the span of
//! the referencing property) or A lists B in `depends_on` ([`EdgeKind::Explicit`], with the
//! span of the list element). Traffic and data follow the same direction (a load balancer
//! references its targets, a service references its database), so "reachable from the
//! internet" is reachability along edges.
//!
//! Architecture invariant: this crate does no I/O and never fails; [`build`] returns the graph
//! plus the cycle diagnostics (`E3001`). Every query is linear in the graph size (BFS over a
//! bitset), so they stay fast at 100,000 resources.

mod render;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use render::{to_dot, to_mermaid};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::{BTreeMap, HashSet, VecDeque};
use strata_base::{CodeDoc, Diagnostic, Severity, Span};
use strata_model::{Model, ResourceId};

/// Why an edge exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// A property of the source resource references the target (`encryption = key`).
    Reference,
    /// The source lists the target in `depends_on`.
    Explicit,
}

/// One dependency `from → to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub kind: EdgeKind,
    /// For references: the top-level property that holds the reference.
    pub property: Option<String>,
    /// For references: the attribute referenced (`url` in `db.url`), if any.
    pub attr: Option<String>,
    /// Where the dependency is written: the referencing property, or the `depends_on` element.
    pub span: Span,
}

/// The dependency graph of one model. Parallel edges of the same kind between the same two
/// resources are merged (the first one, in property order, is kept).
#[derive(Clone, Debug, Default)]
pub struct ResourceGraph {
    graph: DiGraph<ResourceId, Edge, u32>,
}

fn node(id: ResourceId) -> NodeIndex<u32> {
    NodeIndex::new(id.0 as usize)
}

fn rid(n: NodeIndex<u32>) -> ResourceId {
    ResourceId(n.index() as u32)
}

/// A set of resources, one bit each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceSet {
    bits: Vec<u64>,
    len: usize,
}

impl ResourceSet {
    pub fn new(len: usize) -> ResourceSet {
        ResourceSet {
            bits: vec![0; len.div_ceil(64)],
            len,
        }
    }
    /// Insert; returns `true` if it was not there.
    pub fn insert(&mut self, id: ResourceId) -> bool {
        let i = id.0 as usize;
        if i >= self.len {
            return false;
        }
        let (w, b) = (i / 64, 1u64 << (i % 64));
        let fresh = self.bits[w] & b == 0;
        self.bits[w] |= b;
        fresh
    }
    pub fn contains(&self, id: ResourceId) -> bool {
        let i = id.0 as usize;
        i < self.len && self.bits[i / 64] & (1u64 << (i % 64)) != 0
    }
    pub fn count(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|w| *w == 0)
    }
    /// Members in increasing id order.
    pub fn iter(&self) -> impl Iterator<Item = ResourceId> + '_ {
        self.bits.iter().enumerate().flat_map(|(w, &word)| {
            let mut word = word;
            std::iter::from_fn(move || {
                if word == 0 {
                    return None;
                }
                let t = word.trailing_zeros();
                word &= word - 1;
                Some(ResourceId((w * 64) as u32 + t))
            })
        })
    }
}

impl ResourceGraph {
    /// Number of resources (nodes).
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }
    /// The underlying petgraph graph (node weights are the resource ids).
    pub fn petgraph(&self) -> &DiGraph<ResourceId, Edge, u32> {
        &self.graph
    }
    fn valid(&self, id: ResourceId) -> bool {
        (id.0 as usize) < self.graph.node_count()
    }

    /// Every edge as `(from, to, edge)`, in insertion order (by source resource, then property).
    pub fn edges(&self) -> impl Iterator<Item = (ResourceId, ResourceId, &Edge)> + '_ {
        self.graph
            .edge_references()
            .map(|e| (rid(e.source()), rid(e.target()), e.weight()))
    }

    /// What `id` depends on (outgoing edges), sorted by target id then kind.
    pub fn dependencies(&self, id: ResourceId) -> Vec<(ResourceId, &Edge)> {
        self.neighbours(id, Direction::Outgoing)
    }

    /// What depends on `id` (incoming edges), sorted by source id then kind.
    pub fn dependents(&self, id: ResourceId) -> Vec<(ResourceId, &Edge)> {
        self.neighbours(id, Direction::Incoming)
    }

    fn neighbours(&self, id: ResourceId, dir: Direction) -> Vec<(ResourceId, &Edge)> {
        if !self.valid(id) {
            return Vec::new();
        }
        let mut out: Vec<(ResourceId, &Edge)> = self
            .graph
            .edges_directed(node(id), dir)
            .map(|e| {
                (
                    rid(if dir == Direction::Outgoing {
                        e.target()
                    } else {
                        e.source()
                    }),
                    e.weight(),
                )
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.kind.cmp(&b.1.kind)));
        out
    }

    /// The edge `from → to`, if any (a reference edge is preferred over an explicit one).
    pub fn edge(&self, from: ResourceId, to: ResourceId) -> Option<&Edge> {
        if !self.valid(from) || !self.valid(to) {
            return None;
        }
        self.graph
            .edges_connecting(node(from), node(to))
            .map(|e| e.weight())
            .min_by_key(|e| e.kind)
    }

    /// Resources in deployment order: every resource after everything it depends on; among
    /// resources that are ready at the same time, the lowest id first (deterministic).
    /// `Err` holds the cycles (see [`ResourceGraph::cycles`]) when there is no such order.
    pub fn topological_order(&self) -> Result<Vec<ResourceId>, Vec<Vec<ResourceId>>> {
        let order = self.kahn();
        if order.len() == self.len() {
            Ok(order)
        } else {
            Err(self.cycles())
        }
    }

    /// Kahn's algorithm; the result is shorter than the graph when there is a cycle.
    fn kahn(&self) -> Vec<ResourceId> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let n = self.graph.node_count();
        // Remaining unmet dependencies of each node (distinct targets).
        let mut pending = vec![0u32; n];
        for e in self.graph.edge_references() {
            pending[e.source().index()] += 1;
        }
        let mut ready: BinaryHeap<Reverse<u32>> = (0..n as u32)
            .filter(|&i| pending[i as usize] == 0)
            .map(Reverse)
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse(i)) = ready.pop() {
            order.push(ResourceId(i));
            for e in self
                .graph
                .edges_directed(NodeIndex::new(i as usize), Direction::Incoming)
            {
                let s = e.source().index();
                pending[s] -= 1;
                if pending[s] == 0 {
                    ready.push(Reverse(s as u32));
                }
            }
        }
        order
    }

    /// Every dependency cycle: one concrete cycle (as the list of resources along it, starting
    /// at the lowest id, not repeating the first at the end) per strongly connected component
    /// that has more than one resource or a self-edge. Sorted by first id.
    pub fn cycles(&self) -> Vec<Vec<ResourceId>> {
        let mut out = Vec::new();
        if self.kahn().len() == self.len() {
            return out;
        }
        // Kosaraju's algorithm is iterative in petgraph (Tarjan's recurses per node and would
        // overflow the stack on long chains).
        for scc in petgraph::algo::kosaraju_scc(&self.graph) {
            let self_loop = scc.len() == 1 && self.graph.contains_edge(scc[0], scc[0]);
            if scc.len() < 2 && !self_loop {
                continue;
            }
            out.push(self.cycle_in(&scc));
        }
        out.sort();
        out
    }

    /// A shortest cycle through the lowest node of a strongly connected component.
    fn cycle_in(&self, scc: &[NodeIndex<u32>]) -> Vec<ResourceId> {
        let Some(&start) = scc.iter().min() else {
            return Vec::new();
        };
        if scc.len() == 1 {
            return vec![rid(start)];
        }
        let members: HashSet<NodeIndex<u32>> = scc.iter().copied().collect();
        // BFS from `start` to any predecessor of `start` inside the component.
        let mut parent: BTreeMap<NodeIndex<u32>, NodeIndex<u32>> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        let mut seen: HashSet<NodeIndex<u32>> = HashSet::from([start]);
        let mut last = None;
        'bfs: while let Some(cur) = queue.pop_front() {
            let mut next: Vec<NodeIndex<u32>> = self
                .graph
                .neighbors_directed(cur, Direction::Outgoing)
                .filter(|m| members.contains(m))
                .collect();
            next.sort();
            next.dedup();
            for m in next {
                if m == start {
                    last = Some(cur);
                    break 'bfs;
                }
                if seen.insert(m) {
                    parent.insert(m, cur);
                    queue.push_back(m);
                }
            }
        }
        let mut path = Vec::new();
        let mut cur = last;
        while let Some(c) = cur {
            path.push(rid(c));
            if c == start {
                break;
            }
            cur = parent.get(&c).copied();
        }
        path.reverse();
        path
    }

    /// Everything reachable from any of `starts` by following edges (what they depend on,
    /// transitively). The starts themselves are included.
    pub fn reachable_from(&self, starts: &[ResourceId]) -> ResourceSet {
        self.bfs(starts, Direction::Outgoing, |_| true)
    }

    /// Everything that reaches any of `targets` (what transitively depends on them), targets
    /// included.
    pub fn reaching(&self, targets: &[ResourceId]) -> ResourceSet {
        self.bfs(targets, Direction::Incoming, |_| true)
    }

    /// Breadth-first search from `starts` in direction `dir`, entering only nodes for which
    /// `enter` is true (the starts are always entered). O(V + E).
    pub fn bfs(
        &self,
        starts: &[ResourceId],
        dir: Direction,
        mut enter: impl FnMut(ResourceId) -> bool,
    ) -> ResourceSet {
        let mut seen = ResourceSet::new(self.len());
        let mut queue: VecDeque<ResourceId> = VecDeque::new();
        for &s in starts {
            if self.valid(s) && seen.insert(s) {
                queue.push_back(s);
            }
        }
        while let Some(cur) = queue.pop_front() {
            for m in self.graph.neighbors_directed(node(cur), dir) {
                let m = rid(m);
                if !seen.contains(m) && enter(m) {
                    seen.insert(m);
                    queue.push_back(m);
                }
            }
        }
        seen
    }

    /// A shortest path from any of `from` to any of `to` (inclusive at both ends) that only
    /// passes through nodes for which `through` is true (the ends are always allowed). Ties are
    /// broken by id, so the answer is deterministic. O(V + E).
    pub fn shortest_path(
        &self,
        from: &[ResourceId],
        to: &ResourceSet,
        mut through: impl FnMut(ResourceId) -> bool,
    ) -> Option<Vec<ResourceId>> {
        let n = self.len();
        const NONE: u32 = u32::MAX;
        let mut parent = vec![NONE; n];
        let mut seen = ResourceSet::new(n);
        let mut queue = VecDeque::new();
        let mut starts: Vec<ResourceId> = from.iter().copied().filter(|s| self.valid(*s)).collect();
        starts.sort();
        starts.dedup();
        for s in starts {
            if to.contains(s) {
                return Some(vec![s]);
            }
            seen.insert(s);
            queue.push_back(s);
        }
        while let Some(cur) = queue.pop_front() {
            let mut next: Vec<u32> = self
                .graph
                .neighbors_directed(node(cur), Direction::Outgoing)
                .map(|m| m.index() as u32)
                .collect();
            next.sort_unstable();
            for m in next {
                let m = ResourceId(m);
                if seen.contains(m) {
                    continue;
                }
                let is_target = to.contains(m);
                if !is_target && !through(m) {
                    continue;
                }
                seen.insert(m);
                parent[m.0 as usize] = cur.0;
                if is_target {
                    let mut path = vec![m];
                    let mut c = cur.0;
                    loop {
                        path.push(ResourceId(c));
                        let p = parent[c as usize];
                        if p == NONE {
                            break;
                        }
                        c = p;
                    }
                    path.reverse();
                    return Some(path);
                }
                queue.push_back(m);
            }
        }
        None
    }

    /// Multi-source breadth-first search along edges from `starts`, entering only nodes for
    /// which `enter` is true (starts are always entered). The tree gives, for every reached
    /// resource, a shortest path from some start (ties broken by id). O(V + E).
    pub fn bfs_tree(
        &self,
        starts: &[ResourceId],
        mut enter: impl FnMut(ResourceId) -> bool,
    ) -> BfsTree {
        let n = self.len();
        let mut parent = vec![BfsTree::UNREACHED; n];
        let mut queue = VecDeque::new();
        let mut starts: Vec<ResourceId> =
            starts.iter().copied().filter(|s| self.valid(*s)).collect();
        starts.sort();
        starts.dedup();
        for s in starts {
            parent[s.0 as usize] = BfsTree::ROOT;
            queue.push_back(s);
        }
        let mut next: Vec<u32> = Vec::new();
        while let Some(cur) = queue.pop_front() {
            next.clear();
            next.extend(
                self.graph
                    .neighbors_directed(node(cur), Direction::Outgoing)
                    .map(|m| m.index() as u32),
            );
            next.sort_unstable();
            for &m in &next {
                if parent[m as usize] != BfsTree::UNREACHED || !enter(ResourceId(m)) {
                    continue;
                }
                parent[m as usize] = cur.0;
                queue.push_back(ResourceId(m));
            }
        }
        BfsTree { parent }
    }

    /// A shortest path `from ~> to` (inclusive), if `to` is reachable from `from`.
    pub fn path(&self, from: ResourceId, to: ResourceId) -> Option<Vec<ResourceId>> {
        let mut target = ResourceSet::new(self.len());
        target.insert(to);
        self.shortest_path(&[from], &target, |_| true)
    }

    /// Resources with no edge in or out.
    pub fn isolated(&self) -> Vec<ResourceId> {
        self.graph
            .node_indices()
            .filter(|&n| self.graph.neighbors_undirected(n).next().is_none())
            .map(rid)
            .collect()
    }
}

/// The result of [`ResourceGraph::bfs_tree`].
#[derive(Clone, Debug)]
pub struct BfsTree {
    parent: Vec<u32>,
}

impl BfsTree {
    const UNREACHED: u32 = u32::MAX;
    const ROOT: u32 = u32::MAX - 1;
    pub fn reached(&self, id: ResourceId) -> bool {
        self.parent
            .get(id.0 as usize)
            .is_some_and(|&p| p != Self::UNREACHED)
    }
    pub fn is_start(&self, id: ResourceId) -> bool {
        self.parent.get(id.0 as usize) == Some(&Self::ROOT)
    }
    /// Every reached resource, in id order.
    pub fn reached_ids(&self) -> impl Iterator<Item = ResourceId> + '_ {
        self.parent
            .iter()
            .enumerate()
            .filter(|(_, &p)| p != Self::UNREACHED)
            .map(|(i, _)| ResourceId(i as u32))
    }
    /// The path from a start to `id` (inclusive), if `id` was reached.
    pub fn path_to(&self, id: ResourceId) -> Option<Vec<ResourceId>> {
        if !self.reached(id) {
            return None;
        }
        let mut path = vec![id];
        let mut cur = id.0;
        while let Some(&p) = self.parent.get(cur as usize) {
            if p == Self::ROOT || p == Self::UNREACHED || path.len() > self.parent.len() {
                break;
            }
            path.push(ResourceId(p));
            cur = p;
        }
        path.reverse();
        Some(path)
    }
}

/// Build the dependency graph of `model`. Reports each dependency cycle as `E3001`.
/// References to resources that do not exist (which semantics never produces) are skipped.
pub fn build(model: &Model) -> (ResourceGraph, Vec<Diagnostic>) {
    let n = model.resources.len();
    let mut graph: DiGraph<ResourceId, Edge, u32> = DiGraph::with_capacity(n, n * 2);
    for i in 0..n {
        graph.add_node(ResourceId(i as u32));
    }
    let mut seen: HashSet<(u32, u32, EdgeKind)> = HashSet::new();
    for (i, r) in model.resources.iter().enumerate() {
        let from = NodeIndex::new(i);
        for (prop, value) in &r.props {
            let span = r.prop_span(prop);
            value.visit_refs(&mut |re| {
                let to = re.resource.0;
                if (to as usize) < n && seen.insert((i as u32, to, EdgeKind::Reference)) {
                    let edge = Edge {
                        kind: EdgeKind::Reference,
                        property: Some(prop.clone()),
                        attr: re.attr.clone(),
                        span,
                    };
                    graph.add_edge(from, NodeIndex::new(to as usize), edge);
                }
            });
        }
        for &(target, span) in &r.depends_on {
            let to = target.0;
            if (to as usize) < n && seen.insert((i as u32, to, EdgeKind::Explicit)) {
                let edge = Edge {
                    kind: EdgeKind::Explicit,
                    property: None,
                    attr: None,
                    span,
                };
                graph.add_edge(from, NodeIndex::new(to as usize), edge);
            }
        }
    }
    let g = ResourceGraph { graph };
    let diags = g
        .cycles()
        .iter()
        .map(|c| cycle_diagnostic(model, &g, c))
        .collect();
    (g, diags)
}

fn cycle_diagnostic(model: &Model, g: &ResourceGraph, cycle: &[ResourceId]) -> Diagnostic {
    let name = |id: ResourceId| {
        model
            .resources
            .get(id.0 as usize)
            .map_or("?", |r| r.name.as_str())
    };
    let mut names: Vec<&str> = cycle.iter().map(|&id| name(id)).collect();
    if let Some(first) = names.first().copied() {
        names.push(first);
    }
    let chain = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" → ");
    let describe = |from: ResourceId, to: ResourceId| -> (Span, String) {
        match g.edge(from, to) {
            Some(e) => {
                let what = match e.kind {
                    EdgeKind::Reference => {
                        format!("`{}` references `{}` here", name(from), name(to))
                    }
                    EdgeKind::Explicit => {
                        format!("`{}` depends on `{}` here", name(from), name(to))
                    }
                };
                (e.span, what)
            }
            None => (
                model
                    .resources
                    .get(from.0 as usize)
                    .map(|r| r.name_span)
                    .unwrap_or_default(),
                format!("`{}` depends on `{}`", name(from), name(to)),
            ),
        }
    };
    let edges: Vec<(ResourceId, ResourceId)> = (0..cycle.len())
        .map(|i| (cycle[i], cycle[(i + 1) % cycle.len()]))
        .collect();
    let (first_span, first_msg) = describe(edges[0].0, edges[0].1);
    let message = if cycle.len() == 1 {
        format!("`{}` depends on itself", name(cycle[0]))
    } else {
        format!("dependency cycle: {chain}")
    };
    let mut d = Diagnostic::error("E3001", message, first_span).with_label(first_msg);
    for &(from, to) in &edges[1..] {
        let (span, msg) = describe(from, to);
        d = d.with_secondary(span, msg);
    }
    d.with_help(
        "resources are created in dependency order, so a cycle can never be deployed: remove one of these references (or `depends_on` entries), for example by moving the shared setting into a separate resource both can reference",
    )
}

const E3001_DOC: &str = "\
## What it checks
A dependency cycle: resource A references (or `depends_on`) B, and B, directly or through
other resources, references A. A resource referencing itself is a cycle too.

## Why it matters
Resources are created in dependency order: a resource's references must exist before it.
With a cycle there is no such order, so no target (CloudFormation, Terraform, Deployment
Manager) can deploy it.

## Example
```strata
resource a: aws.sqs.Queue { dead_letter = { target = b, max_receives = 5 } }
resource b: aws.sqs.Queue { dead_letter = { target = a, max_receives = 5 } }
```

## Fix
Remove one edge of the cycle. Often the two resources share a setting that belongs in a third
resource both reference, or one direction of the link can be expressed on the other side only.
```strata
resource dlq: aws.sqs.Queue {}
resource a: aws.sqs.Queue { dead_letter = { target = dlq, max_receives = 5 } }
resource b: aws.sqs.Queue { dead_letter = { target = dlq, max_receives = 5 } }
```
";

/// Documentation of every code this stage reports.
pub fn codes() -> Vec<CodeDoc> {
    vec![CodeDoc {
        code: "E3001",
        name: "dependency-cycle",
        severity: Severity::Error,
        doc: E3001_DOC,
    }]
}
