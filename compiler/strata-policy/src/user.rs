//! Policies written in the language: `deny path(A ~> B)` rules are evaluated here over the
//! graph; resource conditions (`deny x: T => ...`, `require ...`) were evaluated by semantics
//! and arrive as violations, which become diagnostics with the policy's code and severity.

use crate::facts::Facts;
use std::collections::BTreeMap;
use strata_base::{did_you_mean, Diagnostic, Severity};
use strata_graph::{EdgeKind, ResourceGraph};
use strata_model::{Model, PathRule, Resource, ResourceId, UserPolicy};

/// Whether a type name written in a policy (`Postgres`, `portable.Postgres`,
/// `aws.rds.DBInstance`) names the type `ty`.
pub fn type_matches(pattern: &str, ty: &str) -> bool {
    ty == pattern
        || (ty.len() > pattern.len()
            && ty.ends_with(pattern)
            && ty.as_bytes()[ty.len() - pattern.len() - 1] == b'.')
}

/// Whether a resource name written in a policy names `name` (the resource itself, or a
/// resource of the module instance / `for` instance it names).
fn name_matches(pattern: &str, name: &str) -> bool {
    name == pattern
        || (name.len() > pattern.len()
            && name.starts_with(pattern)
            && matches!(name.as_bytes()[pattern.len()], b'.' | b'['))
}

/// The resources an endpoint of a path rule denotes. `internet` is every public resource.
pub fn endpoint(model: &Model, facts: &Facts, ep: &str) -> Vec<ResourceId> {
    if ep == "internet" {
        return facts.public.iter().collect();
    }
    let origin_ty = |r: &Resource| {
        facts
            .origin
            .get(r.id.0 as usize)
            .copied()
            .flatten()
            .map(|o| model.resources[o.0 as usize].ty.as_str())
    };
    model
        .resources
        .iter()
        .filter(|r| !facts.superseded.contains(r.id))
        .filter(|r| {
            name_matches(ep, &r.name)
                || type_matches(ep, &r.ty)
                || origin_ty(r).is_some_and(|t| type_matches(ep, t))
        })
        .map(|r| r.id)
        .collect()
}

pub fn check(
    model: &Model,
    graph: &ResourceGraph,
    facts: &Facts,
    unknown_endpoint: Option<Severity>,
    schemas: &strata_model::Schemas,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for p in &model.policies {
        for v in &p.violations {
            let mut d = Diagnostic::new(p.code.clone(), p.severity, v.message.clone(), v.span)
                .with_label(format!("violates \"{}\"", p.title))
                .with_secondary(p.span, "policy declared here")
                .with_help("change the resource so that the policy's condition holds, or change the policy");
            if let Some(r) = model.resources.get(v.resource.0 as usize) {
                if r.name_span != v.span && r.name_span.file == v.span.file {
                    d = d.with_secondary(r.name_span, format!("`{}` declared here", r.name));
                }
            }
            out.push(d);
        }
        for rule in &p.path_rules {
            path_rule(
                model,
                graph,
                facts,
                p,
                rule,
                unknown_endpoint,
                schemas,
                &mut out,
            );
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn path_rule<'a>(
    model: &'a Model,
    graph: &ResourceGraph,
    facts: &Facts,
    p: &UserPolicy,
    rule: &PathRule,
    unknown: Option<Severity>,
    schemas: &'a strata_model::Schemas,
    out: &mut Vec<Diagnostic>,
) {
    let from = endpoint(model, facts, &rule.from);
    let to = endpoint(model, facts, &rule.to);
    for (ep, matched) in [(&rule.from, &from), (&rule.to, &to)] {
        if matched.is_empty() && ep != "internet" && !schemas.names().any(|t| type_matches(ep, t)) {
            if let Some(sev) = unknown {
                let short = |t: &'a str| -> &'a str { t.rsplit('.').next().unwrap_or(t) };
                let candidates: Vec<&str> = schemas
                    .names()
                    .map(short)
                    .chain(model.resources.iter().map(|r| short(r.ty.as_str())))
                    .chain(model.resources.iter().map(|r| r.name.as_str()))
                    .chain(["internet"])
                    .collect();
                let mut d = Diagnostic::new(
                    "POL004",
                    sev,
                    format!("`{ep}` in `deny path(...)` names no resource and no type"),
                    rule.span,
                )
                .with_label("matches nothing");
                d = match did_you_mean(ep, candidates.iter().copied()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`? A path endpoint is `internet`, a type (`Postgres`, `aws.rds.DBInstance`) or a resource name")),
                    None => d.with_help("a path endpoint is `internet`, a type (`Postgres`, `aws.rds.DBInstance`) or a resource name"),
                };
                out.push(d);
            }
        }
    }
    if from.is_empty() || to.is_empty() {
        return;
    }
    let name = |id: ResourceId| {
        model
            .resources
            .get(id.0 as usize)
            .map_or("?", |r| r.name.as_str())
    };
    // `internet ~> X`: through traffic plumbing only (see `reach`); a public X is reached at once.
    // `A ~> X`: any dependency path of at least one edge.
    let mut to_set = strata_graph::ResourceSet::new(graph.len());
    to.iter().for_each(|&t| {
        to_set.insert(t);
    });
    let paths: Vec<(ResourceId, Vec<ResourceId>)> = if rule.from == "internet" {
        crate::reach::internet_paths(graph, facts, |id| to_set.contains(id))
    } else {
        crate::reach::dependency_paths(graph, facts, &from, |id| to_set.contains(id))
    };
    // One finding per offending edge: a path is reported where it first enters a resource the
    // rule denies (the edge into it is the one to break); the denied resources reached only
    // through that one are listed on its finding, not reported again with ever longer paths (a
    // chain of N denied resources gave N findings of up to N hops: quadratic output).
    let mut groups: BTreeMap<ResourceId, (Vec<ResourceId>, Vec<ResourceId>)> = BTreeMap::new();
    let first_hop = usize::from(rule.from != "internet");
    for (t, path) in paths {
        let Some(k) = (first_hop..path.len()).find(|&k| to_set.contains(path[k])) else {
            continue;
        };
        let entry = groups
            .entry(path[k])
            .or_insert_with(|| (path[..=k].to_vec(), Vec::new()));
        if t != path[k] {
            entry.1.push(t);
        }
    }
    for (t, (path, beyond)) in groups {
        let Some(target) = model.resources.get(t.0 as usize) else {
            continue;
        };
        let (head, hidden, tail) = abbreviate(&path);
        let names = |ids: &[ResourceId]| {
            ids.iter()
                .map(|&id| format!("`{}`", name(id)))
                .collect::<Vec<_>>()
                .join(" → ")
        };
        let chain = match hidden {
            0 => names(head),
            n => format!("{} → … {n} more … → {}", names(head), names(tail)),
        };
        let source = if rule.from == "internet" {
            "the internet".to_string()
        } else {
            format!("`{}`", rule.from)
        };
        let shown = match facts
            .origin
            .get(t.0 as usize)
            .copied()
            .flatten()
            .and_then(|o| model.resources.get(o.0 as usize))
        {
            Some(o) => format!("`{}` (lowered from `{}`)", target.name, o.name),
            None => format!("`{}`", target.name),
        };
        let message = if path.len() == 1 {
            format!("{shown} is reachable from {source}: it is public itself")
        } else {
            format!("{shown} is reachable from {source}: {chain}")
        };
        let mut d = Diagnostic::new(p.code.clone(), p.severity, message, target.name_span)
            .with_label(format!("reachable from {source}"))
            .with_note(format!(
                "policy \"{}\" denies every path {} ~> {}",
                p.title, rule.from, rule.to
            ));
        if rule.from == "internet" && path.len() > 1 {
            if let Some(entry) = model.resources.get(path[0].0 as usize) {
                d = d.with_secondary(entry.name_span, format!("`{}` is public", entry.name));
            }
        }
        for w in head.windows(2).chain(tail.windows(2)) {
            if let Some((a, b, e)) = crate::reach::edge_between(graph, facts, w[0], w[1]) {
                let verb = if e.kind == EdgeKind::Reference {
                    "references"
                } else {
                    "depends on"
                };
                d = d.with_secondary(e.span, format!("`{}` {verb} `{}` here", name(a), name(b)));
            }
        }
        d = d.with_secondary(rule.span, "denied here");
        if !beyond.is_empty() {
            const LISTED: usize = 5;
            let mut list = beyond
                .iter()
                .take(LISTED)
                .map(|&id| format!("`{}`", name(id)))
                .collect::<Vec<_>>()
                .join(", ");
            if beyond.len() > LISTED {
                list.push_str(&format!(" and {} more", beyond.len() - LISTED));
            }
            let n = beyond.len();
            d = d.with_note(format!(
                "through `{}`, {n} more resource{} this policy denies {} reachable: {list}",
                target.name,
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" }
            ));
        }
        let help = if rule.from == "internet" && path.len() == 1 {
            format!(
                "make `{}` private (no public access, no public IP)",
                target.name
            )
        } else if rule.from == "internet" {
            format!("break the path: make `{}` private, remove one of these references, or route through a private service instead of referencing `{}` directly", name(path[0]), target.name)
        } else {
            "break the path: remove one of these references (or `depends_on` entries)".to_string()
        };
        out.push(d.with_help(help));
    }
}

/// Longest path shown in full, in resources; a longer one shows its first and last
/// [`SHOWN_AT_EACH_END`] resources and how many are left out between them.
const SHOWN_IN_FULL: usize = 8;
const SHOWN_AT_EACH_END: usize = 3;

/// `(head, hidden, tail)`: the whole path as `head` when it is short, else its first and last
/// resources and the number left out between them.
fn abbreviate(path: &[ResourceId]) -> (&[ResourceId], usize, &[ResourceId]) {
    if path.len() <= SHOWN_IN_FULL {
        return (path, 0, &[]);
    }
    let (head, rest) = path.split_at(SHOWN_AT_EACH_END);
    let (middle, tail) = rest.split_at(rest.len() - SHOWN_AT_EACH_END);
    (head, middle.len(), tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching() {
        assert!(type_matches("Postgres", "portable.Postgres"));
        assert!(type_matches("portable.Postgres", "portable.Postgres"));
        assert!(type_matches("aws.rds.DBInstance", "aws.rds.DBInstance"));
        assert!(type_matches("DBInstance", "aws.rds.DBInstance"));
        assert!(!type_matches("Postgres", "portable.NotPostgres"));
        assert!(name_matches("blog", "blog.bucket"));
        assert!(name_matches("queues", "queues[\"a\"]"));
        assert!(!name_matches("blog", "blogger"));
    }
}
