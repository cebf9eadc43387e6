//! What a rule reads.
//!
//! A rule does not guess property names across every type of a kind: it declares the resource
//! types and property paths it reads, and what a value there means to it. A [`Read`] is one
//! row of such a table: `("cfn.AWS.S3.Bucket", "PublicAccessBlockConfiguration.BlockPublicAcls",
//! Is::False, "public access block off")`. Adding a type (a curated one, or one of the
//! generated layer: `cfn.`, `tf.`, `kube.`, `dm.`) to a rule is adding rows.
//!
//! Rules whose reads have a structure of their own (firewall rules, policy documents, pod
//! specs) keep it in a shape table (see `rules/net.rs`, `rules/iam.rs`, `rules/pods.rs`) and
//! list the paths the shape reads as [`Is::Part`] rows, so every path a rule can read is in
//! its [`crate::Rule::reads`]. The engine calls a rule for the types of its reads
//! ([`crate::registry::Applies::Reads`]); a test checks every type and path against the
//! curated schemas and the generated layer.
//!
//! A project's own schema with `@kind` is read like a stdlib type of that kind: for each rule,
//! the first stdlib type of that kind in its reads whose read properties the schema declares
//! (the engine shows the resource to the rule as that type).
//!
//! Paths: fields separated by `.`; `[]` after a field stands for each element of its list,
//! `{}` for each value of its map (`policies{}[].actions`).

use strata_model::{Resource, Value};

/// One property path of one resource type that a rule reads.
#[derive(Clone, Copy, Debug)]
pub struct Read {
    /// A resource type: curated (`aws.s3.Bucket`), portable (`portable.ObjectStore`) or
    /// generated (`cfn.AWS.S3.Bucket`, `tf.aws_s3_bucket_acl`).
    pub ty: &'static str,
    /// A property path in it; empty for a rule that applies to the type itself (what it
    /// checks is not a property: a missing companion resource, a setting the type lacks).
    pub path: &'static str,
    /// When a value there is the rule's fault ([`Is::Part`]: a part the rule interprets).
    pub is: Is,
    /// What it is to the rule: the fault's name (the finding's label), or the part's role.
    pub what: &'static str,
}

/// A test on the values at a path (see [`Read::fault`]).
#[derive(Clone, Copy, Debug)]
pub enum Is {
    /// `true`.
    True,
    /// `false`.
    False,
    /// `false`, or nothing written (the target's default is the fault).
    FalseOrUnset,
    /// `true`, or nothing written (the target's default is the fault).
    TrueOrUnset,
    /// Nothing written.
    Unset,
    /// A string equal (ignoring case) to one of these.
    OneOf(&'static [&'static str]),
    /// A string equal to none of these.
    NoneOf(&'static [&'static str]),
    /// Nothing written, or a string equal to none of these.
    NoneOfOrUnset(&'static [&'static str]),
    /// An address range that is the whole internet (`0.0.0.0/0`, `::/0`, `*`).
    Anywhere,
    /// A value for which this function is true.
    Test(fn(&Value) -> bool),
    /// No test: a part of a structure the rule reads itself.
    Part,
}

/// A row of a read table.
pub const fn read(ty: &'static str, path: &'static str, is: Is, what: &'static str) -> Read {
    Read { ty, path, is, what }
}

/// A [`Is::Part`] row.
pub const fn part(ty: &'static str, path: &'static str, what: &'static str) -> Read {
    read(ty, path, Is::Part, what)
}

impl Read {
    /// The top-level property of the path (where a finding points).
    pub fn top(&self) -> &'static str {
        top_of(self.path)
    }
    /// When `r` has this fault: `Some(value)`, the offending value (`None` when the fault is
    /// that nothing is written).
    pub fn fault<'r>(&self, r: &'r Resource) -> Option<Option<&'r Value>> {
        let vals = values(r, self.path);
        let first = |f: &dyn Fn(&Value) -> bool| vals.iter().copied().find(|v| f(v)).map(Some);
        let one_of = |set: &[&str], s: &str| set.iter().any(|x| x.eq_ignore_ascii_case(s));
        match self.is {
            Is::True => first(&|v| v.as_bool() == Some(true)),
            Is::False => first(&|v| v.as_bool() == Some(false)),
            Is::FalseOrUnset if vals.is_empty() => Some(None),
            Is::FalseOrUnset => first(&|v| v.as_bool() == Some(false)),
            Is::TrueOrUnset if vals.is_empty() => Some(None),
            Is::TrueOrUnset => first(&|v| v.as_bool() == Some(true)),
            Is::Unset => vals.is_empty().then_some(None),
            Is::OneOf(set) => first(&|v| v.as_str().is_some_and(|s| one_of(set, s))),
            Is::NoneOf(set) => first(&|v| v.as_str().is_some_and(|s| !one_of(set, s))),
            Is::NoneOfOrUnset(_) if vals.is_empty() => Some(None),
            Is::NoneOfOrUnset(set) => first(&|v| v.as_str().is_some_and(|s| !one_of(set, s))),
            Is::Anywhere => {
                first(&|v| crate::rules::util::set_is_anywhere(&crate::rules::util::cidrs(v)))
            }
            Is::Test(f) => first(&|v| f(v)),
            Is::Part => None,
        }
    }
}

/// The top-level property of a path.
pub fn top_of(path: &str) -> &str {
    let head = path.split('.').next().unwrap_or(path);
    fans(head).0
}

/// Every value at `path` in `r` (each element for `[]`, each map value for `{}`), nulls left
/// out.
pub fn values<'r>(r: &'r Resource, path: &str) -> Vec<&'r Value> {
    let (head, rest) = split_head(path);
    let (name, fans) = fans(head);
    let mut out = Vec::new();
    if let Some(v) = r.prop(name) {
        step(v, fans, rest, &mut out);
    }
    out
}

/// Every value at `path` in `r` (as [`values`]) with the path it is at, each fan-out written
/// as the element's index or the entry's key (`policies{}[]` → `policies.app[1]`): what
/// `Cx::span_at` takes.
pub fn located<'r>(r: &'r Resource, path: &str) -> Vec<(String, &'r Value)> {
    let mut out = Vec::new();
    let mut rest = Some(path);
    let mut cur: Vec<(String, &'r Value)> = Vec::new();
    let mut first = true;
    while let Some(p) = rest {
        let (head, tail) = split_head(p);
        rest = tail;
        let (name, fans) = fans(head);
        let mut next = Vec::new();
        if first {
            if let Some(v) = r.prop(name) {
                next.push((name.to_string(), v));
            }
            first = false;
        } else {
            for (at, v) in &cur {
                if let Some(x) = v.as_record().and_then(|m| m.get(name)) {
                    next.push((strata_model::sites::key(at, name), x));
                }
            }
        }
        let mut f = fans;
        while !f.is_empty() {
            let mut fanned = Vec::new();
            for (at, v) in next {
                if f.starts_with("[]") {
                    for (i, x) in v.as_list().unwrap_or(&[]).iter().enumerate() {
                        fanned.push((strata_model::sites::index(&at, i), x));
                    }
                } else if let Some(m) = v.as_record() {
                    for (k, x) in m {
                        fanned.push((strata_model::sites::key(&at, k), x));
                    }
                }
            }
            next = fanned;
            f = &f[2.min(f.len())..];
        }
        cur = next;
    }
    out.extend(cur.into_iter().filter(|(_, v)| !v.is_null()));
    out
}

/// Every value at `path` under `v` (as [`values`]); an empty path is `v` itself.
pub fn values_in<'v>(v: &'v Value, path: &str) -> Vec<&'v Value> {
    let mut out = Vec::new();
    if path.is_empty() {
        if !v.is_null() {
            out.push(v);
        }
        return out;
    }
    let (head, rest) = split_head(path);
    let (name, fans) = fans(head);
    if let Some(x) = v.as_record().and_then(|m| m.get(name)) {
        step(x, fans, rest, &mut out);
    }
    out
}

/// The first value at `path` under `v`.
pub fn value_in<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    values_in(v, path).into_iter().next()
}

fn split_head(path: &str) -> (&str, Option<&str>) {
    match path.split_once('.') {
        Some((h, t)) => (h, Some(t)),
        None => (path, None),
    }
}

/// A segment's field name and its fan-out suffixes (`policies{}[]` → `policies`, `{}[]`).
fn fans(seg: &str) -> (&str, &str) {
    let i = seg.find(['[', '{']).unwrap_or(seg.len());
    (&seg[..i], &seg[i..])
}

fn step<'v>(v: &'v Value, fans: &str, rest: Option<&str>, out: &mut Vec<&'v Value>) {
    if let Some(more) = fans.strip_prefix("[]") {
        for x in v.as_list().unwrap_or(&[]) {
            step(x, more, rest, out);
        }
    } else if let Some(more) = fans.strip_prefix("{}") {
        if let Some(m) = v.as_record() {
            for x in m.values() {
                step(x, more, rest, out);
            }
        }
    } else {
        match rest {
            Some(rest) => out.extend(values_in(v, rest)),
            None => {
                if !v.is_null() {
                    out.push(v)
                }
            }
        }
    }
}

/// The rows of `table` for the type `ty`, in table order.
pub fn of_type<'a>(table: &'a [Read], ty: &'a str) -> impl Iterator<Item = &'a Read> + 'a {
    table.iter().filter(move |x| x.ty == ty)
}

/// A fault found by a row.
#[derive(Clone, Copy, Debug)]
pub struct Hit<'a, 'r> {
    pub read: &'a Read,
    /// The offending value; `None` when the fault is that nothing is written.
    pub value: Option<&'r Value>,
}

impl<'a, 'r> Hit<'a, 'r> {
    /// The top-level property to point at.
    pub fn prop(&self) -> &'static str {
        self.read.top()
    }
    pub fn path(&self) -> &'static str {
        self.read.path
    }
    pub fn what(&self) -> &'static str {
        self.read.what
    }
    /// The offending value as text (strings without quotes), for messages.
    pub fn shown(&self) -> String {
        match self.value {
            Some(v) => v.as_str().map_or_else(|| v.to_string(), str::to_string),
            None => "unset".to_string(),
        }
    }
}

/// Every fault of `r` found by the rows of `table` for its type, in table order.
pub fn faults<'a, 'r>(table: &'a [Read], r: &'r Resource) -> Vec<Hit<'a, 'r>> {
    table
        .iter()
        .filter(|x| x.ty == r.ty)
        .filter_map(|read| read.fault(r).map(|value| Hit { read, value }))
        .collect()
}

/// Every fault of `r` (as [`faults`]), the first of each `what`: rows with one `what` are
/// alternative spellings of one fault, rows with different ones are different faults (plain
/// HTTP and an old TLS version: two settings to change, two findings).
pub fn distinct_faults<'a, 'r>(table: &'a [Read], r: &'r Resource) -> Vec<Hit<'a, 'r>> {
    let mut out: Vec<Hit<'a, 'r>> = Vec::new();
    for hit in faults(table, r) {
        if !out.iter().any(|h| h.what() == hit.what()) {
            out.push(hit);
        }
    }
    out
}

/// The first fault of `r` found by the rows of `table` for its type.
pub fn first_fault<'a, 'r>(table: &'a [Read], r: &'r Resource) -> Option<Hit<'a, 'r>> {
    table
        .iter()
        .filter(|x| x.ty == r.ty)
        .find_map(|read| read.fault(r).map(|value| Hit { read, value }))
}

/// The first value of `r` at a part `what` of `table` (with the path it is at).
pub fn first_part<'r>(
    table: &[Read],
    r: &'r Resource,
    what: &str,
) -> Option<(&'static str, &'r Value)> {
    table
        .iter()
        .filter(|x| x.ty == r.ty && x.what == what)
        .find_map(|x| values(r, x.path).into_iter().next().map(|v| (x.path, v)))
}

/// Whether `r` has a value at a part `what` of `table`.
pub fn part_set(table: &[Read], r: &Resource, what: &str) -> bool {
    first_part(table, r, what).is_some()
}

/// The path of the part `what` for the type `ty`.
pub fn part_path(table: &[Read], ty: &str, what: &str) -> Option<&'static str> {
    of_type(table, ty).find(|x| x.what == what).map(|x| x.path)
}

/// A string built once for the life of the process (paths composed from shape tables).
pub fn intern(s: String) -> &'static str {
    use std::collections::BTreeSet;
    use std::sync::{Mutex, OnceLock, PoisonError};
    static SEEN: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(s) = seen.get(s.as_str()) {
        return s;
    }
    let s: &'static str = Box::leak(s.into_boxed_str());
    seen.insert(s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn rec(kv: &[(&str, Value)]) -> Value {
        Value::record(
            kv.iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn res(props: &[(&str, Value)]) -> Resource {
        Resource {
            props: props
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            id: strata_model::ResourceId(0),
            name: "r".into(),
            ty: "t".into(),
            provider: strata_model::Provider::None,
            prop_spans: BTreeMap::new(),
            depends_on: Vec::new(),
            name_span: strata_base::Span::default(),
            span: strata_base::Span::default(),
            stack: None,
            lowered_from: None,
            retention: None,
            existing: false,
            doc: None,
        }
    }

    #[test]
    fn paths_fan_out_over_lists_and_maps() {
        let r = res(&[(
            "rules",
            Value::list(vec![
                rec(&[("cidr", Value::Str("0.0.0.0/0".into()))]),
                rec(&[("cidr", Value::Null)]),
                rec(&[("cidr", Value::Str("10.0.0.0/8".into()))]),
            ]),
        )]);
        assert_eq!(values(&r, "rules[].cidr").len(), 2);
        assert_eq!(values(&r, "rules").len(), 1);
        assert!(values(&r, "nothing[].cidr").is_empty());
        let m = res(&[(
            "policies",
            rec(&[("a", Value::list(vec![rec(&[("x", Value::Int(1))])]))]),
        )]);
        assert_eq!(values(&m, "policies{}[].x").len(), 1);
        assert_eq!(top_of("policies{}[].x"), "policies");
    }

    #[test]
    fn tests_on_values() {
        let r = res(&[
            ("off", Value::Bool(false)),
            ("acl", Value::Str("PublicRead".into())),
        ]);
        assert!(read("t", "off", Is::False, "").fault(&r).is_some());
        assert!(read("t", "off", Is::True, "").fault(&r).is_none());
        assert!(read("t", "missing", Is::FalseOrUnset, "")
            .fault(&r)
            .is_some());
        assert!(read("t", "missing", Is::False, "").fault(&r).is_none());
        assert!(read("t", "acl", Is::OneOf(&["publicread"]), "")
            .fault(&r)
            .is_some());
        assert!(read("t", "acl", Is::NoneOf(&["PublicRead"]), "")
            .fault(&r)
            .is_none());
        assert!(read("t", "missing", Is::NoneOfOrUnset(&["x"]), "")
            .fault(&r)
            .is_some());
        assert!(read("t", "acl", Is::Part, "").fault(&r).is_none());
    }
}
