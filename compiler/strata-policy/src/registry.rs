//! The rule registry: every built-in rule, its metadata and its check function, in one list.
//! Codes are never reused; a removed rule keeps its entry with [`Status::Removed`].

use crate::engine::{Cx, ModelCx, Sink};
use crate::reads::Read;
use std::sync::OnceLock;
use strata_base::{CodeDoc, Severity};
use strata_model::Resource;

/// What a rule is about. The category gives the code prefix and the docs section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// `SEC…`: one resource's settings make it insecure.
    Security,
    /// `GRAPH…`: a property of the dependency graph (paths, environments, regions).
    Graph,
    /// `COST…`: budgets and waste.
    Cost,
    /// `POL…`: the policy machinery itself (suppressions, user policies).
    Policy,
    /// `DEP…`: the artifacts would not deploy or run as written (a key policy, a network path,
    /// a secret, a placeholder).
    Deploy,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Graph => "graph",
            Category::Cost => "cost",
            Category::Policy => "policy",
            Category::Deploy => "deploy",
        }
    }
}

/// Which resources a per-resource rule looks at. The engine indexes rules by these keys and
/// calls each rule only for matching resources.
#[derive(Clone, Copy, Debug)]
pub enum Applies {
    /// Resources of these exact types (`aws.s3.Bucket`).
    Types(&'static [&'static str]),
    /// Resources whose kind (schema `@kind`, see [`crate::facts`]) is one of these.
    Kinds(&'static [&'static str]),
    /// Every resource.
    All,
    /// Resources of the types the rule reads (its [`Rule::reads`]).
    Reads,
}

/// How a rule runs.
#[derive(Clone, Copy)]
pub enum Check {
    /// Once per matching resource.
    Resource(fn(&Cx<'_>, &Resource, &mut Sink<'_>)),
    /// Once per model, over the graph and the precomputed facts (never re-walking resources
    /// one by one unless it must look at all of them anyway).
    Model(fn(&ModelCx<'_>, &mut Sink<'_>)),
    /// Reported by the engine itself (suppressions, user policies, budgets): no check function.
    Builtin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Stable,
    /// Off unless enabled in `[rules]`.
    Opt,
    Removed,
}

/// A built-in rule.
#[derive(Clone, Copy)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub status: Status,
    pub applies: Applies,
    pub check: Check,
    /// The resource types and property paths the rule reads (see [`crate::reads`]).
    pub reads: fn() -> &'static [Read],
    /// Markdown with the sections *What it checks*, *Why it matters*, *Example*, *Fix* (the
    /// rule's doc comment, each line with one leading space; see [`Rule::doc`]).
    pub raw_doc: &'static str,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("code", &self.code)
            .field("name", &self.name)
            .finish()
    }
}

impl Rule {
    /// The documentation with the doc-comment indentation removed.
    pub fn doc(&self) -> &'static str {
        docs()
            .iter()
            .find(|(c, _)| *c == self.code)
            .map(|(_, d)| *d)
            .unwrap_or(self.raw_doc)
    }
    /// The first sentence of *What it checks*: a one-line description.
    pub fn summary(&self) -> String {
        summary_of(self.doc())
    }
}

/// First paragraph under `## What it checks`, on one line.
pub fn summary_of(doc: &str) -> String {
    let mut lines = doc
        .lines()
        .skip_while(|l| !l.starts_with("## What it checks"))
        .skip(1);
    let mut out = String::new();
    for l in lines.by_ref() {
        let l = l.trim();
        if l.is_empty() {
            if out.is_empty() {
                continue;
            }
            break;
        }
        if l.starts_with("##") {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(l);
    }
    out
}

/// Declare a rule: doc comment in fixed sections, then its metadata.
macro_rules! rule {
    (
        $(#[doc = $doc:literal])*
        pub static $id:ident = {
            code: $code:literal,
            name: $name:literal,
            category: $cat:ident,
            severity: $sev:ident,
            $(status: $status:ident,)?
            applies: $applies:expr,
            $(reads: $reads:expr,)?
            check: $check:expr $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub static $id: $crate::registry::Rule = $crate::registry::Rule {
            code: $code,
            name: $name,
            category: $crate::registry::Category::$cat,
            severity: strata_base::Severity::$sev,
            status: $crate::registry::rule!(@status $($status)?),
            applies: $applies,
            check: $check,
            reads: $crate::registry::rule!(@reads $($reads)?),
            raw_doc: concat!($($doc, "\n"),*),
        };
    };
    (@status) => { $crate::registry::Status::Stable };
    (@reads) => { $crate::registry::no_reads };
    (@reads $r:expr) => { $r };
    (@status $s:ident) => { $crate::registry::Status::$s };
}
pub(crate) use rule;

/// The reads of a rule that reads no property by path.
pub fn no_reads() -> &'static [Read] {
    &[]
}

/// Every rule, built-in machinery included, in code order.
pub fn rules() -> &'static [&'static Rule] {
    crate::rules::ALL
}

/// The rule with this code or kebab-case name.
pub fn find(key: &str) -> Option<&'static Rule> {
    rules()
        .iter()
        .copied()
        .find(|r| r.code == key || r.name == key)
}

fn docs() -> &'static [(&'static str, &'static str)] {
    static DOCS: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    DOCS.get_or_init(|| {
        rules()
            .iter()
            .map(|r| {
                let text: String = r
                    .raw_doc
                    .lines()
                    .map(|l| l.strip_prefix(' ').unwrap_or(l))
                    .collect::<Vec<_>>()
                    .join("\n");
                let text: &'static str = Box::leak(text.trim().to_string().into_boxed_str());
                (r.code, text)
            })
            .collect()
    })
}

/// Documentation of every code the policy stage reports, for `strata explain`.
pub fn codes() -> Vec<CodeDoc> {
    rules()
        .iter()
        .filter(|r| r.status != Status::Removed)
        .map(|r| CodeDoc {
            code: r.code,
            name: r.name,
            severity: r.severity,
            doc: r.doc(),
        })
        .collect()
}
