//! The typed resource model: the output of `strata-semantics` and the input of the graph,
//! policy, lowering and emit stages. It holds only evaluated values — no AST, no expressions —
//! so later stages never re-parse or re-evaluate. References between resources stay
//! references ([`Value::Ref`]) so that each emitter can write them in its own syntax.

pub mod check;
pub mod pattern;
mod shared;
pub mod sites;
mod target;
mod text;
mod types;
mod value;

pub use shared::{Shared, SharedMut};
pub use sites::{ResourceSites, Sites};
pub use target::{
    TMap, TPart, TRef, TValue, Target, TargetBackend, TargetOutput, TargetParam, TargetProgram,
    TargetResource,
};
pub use text::Text;
pub use types::{
    FieldSchema, Provider, RecordAlternative, RecordPick, ResourceSchema, Schemas, Ty,
};
pub use value::{Measure, Quantity, Ref, Size, StrPart, Value};

use std::collections::BTreeMap;
use strata_base::{Severity, Span};

/// Index of a resource in [`Model::resources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ResourceId(pub u32);

/// One fully evaluated resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub id: ResourceId,
    /// Qualified name as the user sees it: `db`, `blog.bucket`, `queues["emails"]`.
    pub name: String,
    /// Schema name: `portable.Postgres`, `aws.s3.Bucket`, `k8s.Deployment`.
    pub ty: String,
    pub provider: Provider,
    /// Evaluated properties, defaults from the schema filled in. Never contains `depends_on`.
    pub props: BTreeMap<String, Value>,
    /// Where each property was written (absent for defaults).
    pub prop_spans: BTreeMap<String, Span>,
    /// Explicit `depends_on` edges with the span of each element.
    pub depends_on: Vec<(ResourceId, Span)>,
    /// The resource's name in its declaration.
    pub name_span: Span,
    /// The whole declaration.
    pub span: Span,
    /// The stack this resource belongs to (index into [`Model::stacks`]), if any.
    pub stack: Option<usize>,
    /// Set when this resource was produced by lowering another (portable) resource.
    pub lowered_from: Option<ResourceId>,
    /// `existing resource`: it is only referred to, never created (a Terraform data source;
    /// elsewhere its identifier is written where it is used). `props` identify it.
    pub existing: bool,
    pub doc: Option<String>,
    /// `on_delete` / `on_replace`, if written; the resources lowered from this one inherit it.
    pub retention: Option<Retention>,
}

/// What becomes of a resource's cloud object when the resource is removed from the program
/// (`on_delete`) or must be replaced by a new one (`on_replace`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Removal {
    /// The target's default: the object is deleted.
    Delete,
    /// The object is kept (CloudFormation `Retain`; Terraform `prevent_destroy`).
    Retain,
    /// A final snapshot is taken, then the object is deleted (CloudFormation `Snapshot`).
    Snapshot,
}

impl Removal {
    pub const NAMES: [&'static str; 3] = ["delete", "retain", "snapshot"];

    pub fn parse(s: &str) -> Option<Removal> {
        Some(match s {
            "delete" => Removal::Delete,
            "retain" => Removal::Retain,
            "snapshot" => Removal::Snapshot,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Removal::Delete => "delete",
            Removal::Retain => "retain",
            Removal::Snapshot => "snapshot",
        }
    }

    /// CloudFormation's name (`DeletionPolicy`, `UpdateReplacePolicy`).
    pub fn cfn(self) -> &'static str {
        match self {
            Removal::Delete => "Delete",
            Removal::Retain => "Retain",
            Removal::Snapshot => "Snapshot",
        }
    }
}

/// A resource's `on_delete` and `on_replace` (the latter defaults to the former).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub on_delete: Removal,
    pub on_replace: Removal,
    /// Where it was written (the first of the two settings).
    pub span: Span,
}

impl Retention {
    /// Anything but deletion on either occasion.
    pub fn keeps(&self) -> bool {
        self.on_delete != Removal::Delete || self.on_replace != Removal::Delete
    }
}

impl Resource {
    /// The property's value, if set (or defaulted).
    pub fn prop(&self, name: &str) -> Option<&Value> {
        self.props.get(name)
    }
    /// The span to point at for a property: where it was written, else the resource name.
    pub fn prop_span(&self, name: &str) -> Span {
        self.prop_spans.get(name).copied().unwrap_or(self.name_span)
    }
    /// Every reference in this resource's properties, with the span of the property holding it.
    pub fn references(&self) -> Vec<(Ref, Span)> {
        let mut out = Vec::new();
        for (k, v) in &self.props {
            let span = self.prop_span(k);
            v.visit_refs(&mut |r| out.push((r.clone(), span)));
        }
        out
    }
}

/// A stack: deployment name, provider and its settings, budget and common tags.
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    pub name: String,
    pub provider: Provider,
    /// The provider settings record (`region`, `project`, `namespace`, ...).
    pub provider_config: BTreeMap<String, Value>,
    /// Monthly budget in USD, if set.
    pub budget: Option<f64>,
    pub budget_span: Option<Span>,
    pub tags: BTreeMap<String, String>,
    pub span: Span,
    /// Where Terraform keeps the state of this stack (`backend = s3 { ... }`), if set.
    pub backend: Option<Backend>,
}

/// A Terraform state backend: `backend = s3 { bucket = "...", key = "...", region = "..." }`
/// on a stack, typed by the prelude (`type s3 = { ... }`); written as
/// `terraform { backend "s3" { ... } }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Backend {
    /// `s3`, `gcs`, `azurerm` or `remote` (Terraform's backend type).
    pub kind: String,
    /// The evaluated settings (record fields become nested blocks).
    pub settings: BTreeMap<String, Value>,
    pub span: Span,
}

/// The Terraform backends a stack can name (each typed by the prelude type of that name).
pub const BACKENDS: [&str; 4] = ["s3", "gcs", "azurerm", "remote"];

#[derive(Clone, Debug, PartialEq)]
pub struct ParamValue {
    pub name: String,
    pub ty: Ty,
    pub value: Value,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutputValue {
    pub name: String,
    pub value: Value,
    pub doc: Option<String>,
    pub span: Span,
}

/// A policy written in the language. Resource conditions are evaluated by semantics (it owns
/// the evaluator), so the model carries their violations; path rules are evaluated by the
/// policy stage over the graph.
#[derive(Clone, Debug, PartialEq)]
pub struct UserPolicy {
    pub title: String,
    pub code: String,
    pub severity: Severity,
    pub span: Span,
    pub path_rules: Vec<PathRule>,
    pub violations: Vec<Violation>,
}

/// `deny path(from ~> to)`. `from`/`to` are type names, resource names or `internet`.
#[derive(Clone, Debug, PartialEq)]
pub struct PathRule {
    pub from: String,
    pub to: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub resource: ResourceId,
    pub message: String,
    pub span: Span,
}

/// The evaluated program for one environment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    /// The environment it was evaluated for (`--env`), if any.
    pub env: Option<String>,
    pub resources: Vec<Resource>,
    pub stacks: Vec<Stack>,
    pub params: Vec<ParamValue>,
    pub outputs: Vec<OutputValue>,
    pub policies: Vec<UserPolicy>,
    /// Where the elements and entries below the declared resources' properties were written,
    /// and the module calls that created them (see [`sites`]). Lowered resources have none.
    pub sites: Sites,
}

impl Model {
    pub fn resource(&self, id: ResourceId) -> &Resource {
        &self.resources[id.0 as usize]
    }
    pub fn by_name(&self, name: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.name == name)
    }
    /// The stack a resource belongs to, or the first stack.
    pub fn stack_of(&self, r: &Resource) -> Option<&Stack> {
        r.stack
            .and_then(|i| self.stacks.get(i))
            .or_else(|| self.stacks.first())
    }
}
