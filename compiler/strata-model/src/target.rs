//! Lowered, target-specific resources: what `strata-lower` produces and `strata-emit` writes.
//! Each emitter only formats these; it knows nothing of Strata types or the AST.

use crate::ResourceId;
use std::collections::BTreeMap;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Target {
    CloudFormation,
    DeploymentManager,
    Terraform,
    Kubernetes,
}

impl Target {
    pub const ALL: [Target; 4] = [
        Target::CloudFormation,
        Target::DeploymentManager,
        Target::Terraform,
        Target::Kubernetes,
    ];
    /// The folder name under the output directory (the command-line contract).
    pub fn dir_name(self) -> &'static str {
        match self {
            Target::CloudFormation => "cloudformation",
            Target::DeploymentManager => "deployment-manager",
            Target::Terraform => "terraform",
            Target::Kubernetes => "kubernetes",
        }
    }
    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| {
            t.dir_name() == s
                || (s == "cfn" && *t == Target::CloudFormation)
                || (s == "dm" && *t == Target::DeploymentManager)
                || (s == "tf" && *t == Target::Terraform)
                || (s == "k8s" && *t == Target::Kubernetes)
        })
    }
}

/// A map of a target document: sorted by key (deterministic output) and stored as one flat
/// vector, since most maps of a resource body hold a handful of entries (a `BTreeMap` node
/// costs about a kilobyte even for one entry, and the programs of a 10,000-resource project
/// hold hundreds of thousands of maps).
pub type TMap = litemap::LiteMap<String, TValue>;

/// A value in a target document. Maps are sorted (deterministic output).
#[derive(Clone, Debug, PartialEq)]
pub enum TValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<TValue>),
    Map(TMap),
    /// Terraform nested blocks (`versioning { ... }`), one entry per block. Other targets
    /// treat it as a list of maps.
    Blocks(Vec<TMap>),
    /// A reference to another resource of the same target document, in that target's terms:
    /// CloudFormation `{ resource: "Key", attr: Some("Arn") }` → `Fn::GetAtt`, `None` → `Ref`;
    /// Terraform `{ resource: "aws_kms_key.key", attr: Some("arn") }`;
    /// Deployment Manager `{ resource: "key", attr: Some("selfLink") }` → `$(ref.key.selfLink)`;
    /// a parameter (`attr: None`, resource = parameter name, `param: true`).
    Ref(Box<TRef>),
    /// A string made of literal parts and references (CFN `Fn::Sub`, HCL `"${...}"`).
    Interp(Vec<TPart>),
    /// A value that the target wants as a JSON-encoded string (Terraform `jsonencode(...)`);
    /// CloudFormation and Deployment Manager write the value itself.
    Json(Box<TValue>),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TRef {
    pub resource: String,
    pub attr: Option<String>,
    /// A reference to a template parameter / variable rather than a resource.
    pub param: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TPart {
    Lit(String),
    Ref(TRef),
    /// Field `index` of the referenced value split at every `sep` (an EKS cluster's issuer,
    /// `oidc.eks.…/id/X`, is field 1 of its IAM OIDC provider's ARN split at
    /// `oidc-provider/`: the key of the IAM conditions on its tokens). CloudFormation
    /// `Fn::Select [index, Fn::Split [sep, ref]]` (the string is then written with `Fn::Join`),
    /// Terraform `element(split(sep, ref), index)`; Deployment Manager and Kubernetes cannot
    /// compute it (an emission error).
    Split {
        of: TRef,
        sep: String,
        index: u32,
    },
}

/// One resource (or Kubernetes object) in a target document.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetResource {
    /// Logical id: CloudFormation `UploadsBucket`, Terraform `uploads` (the label),
    /// Deployment Manager `uploads`, Kubernetes `metadata.name`.
    pub name: String,
    /// `AWS::S3::Bucket`, `aws_s3_bucket`, `storage.v1.bucket`, `apps/v1/Deployment`.
    pub ty: String,
    /// Properties (CloudFormation `Properties`, Terraform block body, DM `properties`,
    /// or the whole Kubernetes object).
    pub body: TMap,
    /// Explicit dependencies not implied by references (logical names in this target).
    pub depends_on: Vec<String>,
    /// The Strata resource this came from (for diagnostics and snapshots).
    pub source: Option<ResourceId>,
    /// `on_delete` / `on_replace` of the Strata resource, as this target resource takes it
    /// (CloudFormation: `Snapshot` only on the types that support it).
    pub retention: Option<crate::Retention>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TargetParam {
    pub name: String,
    /// `String`/`Number` (CloudFormation), `string`/`number`/`bool` (Terraform).
    pub ty: String,
    pub default: Option<TValue>,
    pub description: Option<String>,
    pub allowed: Vec<TValue>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TargetOutput {
    pub name: String,
    pub value: TValue,
    pub description: Option<String>,
}

/// Everything one target document (or folder of Kubernetes manifests) contains.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetProgram {
    pub target: Target,
    /// Stack name (used for file names: `community.template.json`, `community.tf`).
    pub stack: String,
    pub description: Option<String>,
    /// Provider settings (Terraform `provider` blocks; region/project for others).
    pub providers: BTreeMap<String, TMap>,
    pub params: Vec<TargetParam>,
    pub resources: Vec<TargetResource>,
    pub outputs: Vec<TargetOutput>,
    /// Terraform only: the state backend (`terraform { backend "KIND" { ... } }`).
    pub backend: Option<TargetBackend>,
}

/// `terraform { backend "s3" { bucket = "..." } }`: the backend type and its settings (nested
/// records are `TValue::Blocks`, written as nested blocks).
#[derive(Clone, Debug, PartialEq)]
pub struct TargetBackend {
    pub kind: String,
    pub settings: TMap,
}
