//! Where the parts of a resource's properties were written, below the top level: list
//! elements and map entries (`ingress[2]`, `env.API_KEY`, `policy.Statement[0]`), and, for a
//! resource a module instance creates, the call-site argument that supplied each value. A side
//! table of the [`Model`](crate::Model), keyed by resource and path, so that [`Value`](crate::Value)
//! carries no spans: only what is written as a literal (or reached through a `let` or a module
//! argument) has an entry, so the table grows with the source text, not with evaluated values.

use crate::ResourceId;
use std::collections::BTreeMap;
use strata_base::Span;

/// The path of element `i` of the list at `base`.
pub fn index(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}

/// The path of entry `k` of the map or record at `base`.
pub fn key(base: &str, k: &str) -> String {
    format!("{base}.{k}")
}

/// The path every element of a list at `base` built by a comprehension shares.
pub fn every(base: &str) -> String {
    format!("{base}[*]")
}

/// The sites of one resource.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceSites {
    /// Where each list element and map entry below a property was written, sorted by path.
    pub values: Vec<(Box<str>, Span)>,
    /// For a resource a module instance creates: the argument of the outermost call that
    /// supplied the value at each path (a property, or an element or entry below one), sorted by
    /// path.
    pub args: Vec<(Box<str>, Span)>,
    /// For a resource a module instance creates: the outermost instance (its name at the call).
    pub call: Option<Span>,
}

impl ResourceSites {
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.args.is_empty() && self.call.is_none()
    }
    /// Where the part at `path` was written: the deepest written part on the path (`ingress[2]`
    /// for `ingress[2].cidr` when the element is written as a whole), `None` when only the
    /// property itself has a span.
    pub fn value_span(&self, path: &str) -> Option<Span> {
        lookup(&self.values, path)
    }
    /// The call-site argument that supplied the value at `path` (or the deepest part on it).
    pub fn arg_span(&self, path: &str) -> Option<Span> {
        lookup(&self.args, path)
    }
    /// The call-site arguments that supplied the value at `path`: the one that supplied it
    /// or a part it is in, else those that supplied parts of it (`port` and `cidr` of a rule
    /// the module writes as `{ port = port, cidr = cidr }`), at most three.
    pub fn arg_spans(&self, path: &str) -> Vec<Span> {
        if let Some(s) = self.arg_span(path) {
            return vec![s];
        }
        let mut out: Vec<Span> = Vec::new();
        for (p, s) in &self.args {
            let below = p
                .strip_prefix(path)
                .is_some_and(|rest| rest.starts_with(['.', '[']));
            if below && !out.contains(s) && out.len() < 3 {
                out.push(*s);
            }
        }
        out
    }
    /// The path of the part written at `span`, if one is.
    pub fn path_at(&self, span: Span) -> Option<&str> {
        self.values
            .iter()
            .find(|(_, s)| *s == span)
            .map(|(p, _)| &**p)
    }
}

/// The sites of every resource that has any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sites {
    map: BTreeMap<ResourceId, ResourceSites>,
}

impl Sites {
    /// Record the sites of a resource (nothing when there are none).
    pub fn insert(&mut self, id: ResourceId, sites: ResourceSites) {
        if !sites.is_empty() {
            self.map.insert(id, sites);
        }
    }
    pub fn get(&self, id: ResourceId) -> Option<&ResourceSites> {
        self.map.get(&id)
    }
    /// The resources with sites, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (ResourceId, &ResourceSites)> {
        self.map.iter().map(|(id, s)| (*id, s))
    }
    /// Resources with sites.
    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

fn find(table: &[(Box<str>, Span)], path: &str) -> Option<Span> {
    table
        .binary_search_by(|(p, _)| (**p).cmp(path))
        .ok()
        .map(|i| table[i].1)
}

/// `path` with every list index written `[*]` (the elements of a comprehension).
fn wildcard(path: &str) -> Option<String> {
    let mut out = String::with_capacity(path.len());
    let mut changed = false;
    let mut rest = path;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let end = rest.find(']').unwrap_or(rest.len());
        if !rest[..end].is_empty() && rest[..end].bytes().all(|b| b.is_ascii_digit()) {
            out.push('*');
            changed = true;
        } else {
            out.push_str(&rest[..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `path` without its last segment (`a[1].b` → `a[1]` → `a`).
fn parent(path: &str) -> Option<&str> {
    let cut = if path.ends_with(']') {
        path.rfind('[')
    } else {
        path.rfind(['.', ']'])
            .map(|i| if path.as_bytes()[i] == b']' { i + 1 } else { i })
    };
    cut.filter(|&i| i > 0).map(|i| &path[..i])
}

fn lookup(table: &[(Box<str>, Span)], path: &str) -> Option<Span> {
    if table.is_empty() {
        return None;
    }
    let mut p = path;
    loop {
        if let Some(s) = find(table, p) {
            return Some(s);
        }
        if let Some(s) = wildcard(p).and_then(|w| find(table, &w)) {
            return Some(s);
        }
        p = parent(p)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_base::FileId;

    fn sp(n: usize) -> Span {
        Span::new(FileId(0), n, n + 1)
    }

    #[test]
    fn deepest_written_part() {
        let mut values: Vec<(Box<str>, Span)> = vec![
            ("ingress[0]".into(), sp(1)),
            ("ingress[1]".into(), sp(2)),
            ("ingress[1].cidr".into(), sp(3)),
            ("rules[*]".into(), sp(4)),
            ("rules[*].port".into(), sp(5)),
            ("tags.team".into(), sp(6)),
        ];
        values.sort();
        let s = ResourceSites {
            values,
            ..Default::default()
        };
        assert_eq!(s.value_span("ingress[1].cidr"), Some(sp(3)));
        assert_eq!(s.value_span("ingress[1].port"), Some(sp(2)));
        assert_eq!(s.value_span("ingress[0].cidr"), Some(sp(1)));
        assert_eq!(s.value_span("ingress[2]"), None);
        assert_eq!(s.value_span("ingress"), None);
        assert_eq!(s.value_span("rules[7].port"), Some(sp(5)));
        assert_eq!(s.value_span("rules[7].cidr"), Some(sp(4)));
        assert_eq!(s.value_span("tags.team"), Some(sp(6)));
        assert_eq!(s.value_span("tags.env"), None);
        assert_eq!(s.path_at(sp(6)), Some("tags.team"));
    }

    #[test]
    fn arguments_of_a_part_or_of_its_parts() {
        let s = ResourceSites {
            args: vec![
                ("ingress[0].cidr".into(), sp(1)),
                ("ingress[0].port".into(), sp(2)),
                ("tags".into(), sp(3)),
            ],
            ..Default::default()
        };
        assert_eq!(s.arg_spans("tags.team"), vec![sp(3)]);
        assert_eq!(s.arg_spans("ingress[0]"), vec![sp(1), sp(2)]);
        assert_eq!(s.arg_spans("ingress[0].cidr"), vec![sp(1)]);
        assert_eq!(s.arg_spans("ingress[1]"), Vec::<Span>::new());
        assert_eq!(s.arg_spans("ingres"), Vec::<Span>::new());
    }

    #[test]
    fn parents() {
        assert_eq!(parent("a[1].b"), Some("a[1]"));
        assert_eq!(parent("a[1]"), Some("a"));
        assert_eq!(parent("a.b[2]"), Some("a.b"));
        assert_eq!(parent("a"), None);
        assert_eq!(wildcard("a[1].b[22]").as_deref(), Some("a[*].b[*]"));
        assert_eq!(wildcard("a.b"), None);
    }
}
