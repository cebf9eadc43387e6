//! The on-disk form of the generated layer: one JSON object per line of
//! `generated/<family>.jsonl`, written by `tools/strata-gen` from the official schemas and read
//! back here, lazily, one type at a time.
//!
//! The format is deliberately small and target-neutral: every family (CloudFormation registry
//! schemas, Terraform provider schemas, Kubernetes OpenAPI, Google discovery documents) is
//! translated into the same handful of shapes, so the type checker, the hover text and the
//! emitters have one thing to read. Field names are short because the layer holds thousands of
//! types; optional parts are omitted when empty.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn is_false(b: &bool) -> bool {
    !*b
}

/// One resource type of a target, named one-to-one after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenType {
    /// The Strata name: `cfn.AWS.S3.Bucket`, `tf.aws_sns_topic`, `kube.apps.v1.Deployment`,
    /// `dm.compute.v1.network`. Always the first key of a line (the index reads it).
    pub name: String,
    /// The target's own name: `AWS::S3::Bucket`, `aws_sns_topic`, `apps/v1` + `Deployment`
    /// written `apps/v1/Deployment`, `compute.v1.network`.
    pub target: String,
    /// The provider's description (first sentences).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// The provider's documentation page for this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Settable properties (CloudFormation `Properties`, Terraform arguments and blocks,
    /// Kubernetes top-level fields other than `apiVersion`/`kind`, an API's request body).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub props: BTreeMap<String, GenField>,
    /// Attributes that can be read from a resource of this type (CloudFormation `Fn::GetAtt`
    /// names, Terraform attributes, Deployment Manager output fields).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, GenField>,
    /// Named shapes that `Def` refers to (CloudFormation `definitions`, Kubernetes and Google
    /// schema names); they may be recursive.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub defs: BTreeMap<String, GenTy>,
    /// The properties that identify an existing resource (CloudFormation
    /// `primaryIdentifier`, Kubernetes `metadata.name`, the API's `name`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// A Terraform data source of this name: `existing` resources only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub data: bool,
    /// Kubernetes: the object is namespaced (`metadata.namespace` applies).
    #[serde(default, skip_serializing_if = "is_false")]
    pub namespaced: bool,
}

/// A property or attribute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenField {
    pub ty: GenTy,
    /// Must be set.
    #[serde(default, skip_serializing_if = "is_false")]
    pub req: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Changing it replaces the resource (CloudFormation `createOnlyProperties`, Terraform
    /// `ForceNew` where known).
    #[serde(default, skip_serializing_if = "is_false")]
    pub create_only: bool,
    /// Never read back (CloudFormation `writeOnlyProperties`): passwords, keys.
    #[serde(default, skip_serializing_if = "is_false")]
    pub write_only: bool,
    /// A secret: written from a parameter or secret store, never a literal.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    /// Optional, and computed by the provider when omitted (Terraform `optional + computed`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub computed: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
}

impl GenField {
    pub fn new(ty: GenTy) -> GenField {
        GenField {
            ty,
            req: false,
            doc: None,
            create_only: false,
            write_only: false,
            sensitive: false,
            computed: false,
            deprecated: false,
        }
    }
}

/// The shape of a value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GenTy {
    /// Anything (free-form JSON, an untyped provider value).
    Any,
    Bool,
    Int {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<i64>,
    },
    Num {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    Str {
        /// A pattern the Rust `regex-lite` engine accepts (others are dropped by the generator).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pattern: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_len: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_len: Option<u32>,
    },
    /// One of these strings.
    Enum(Vec<String>),
    List(Box<GenTy>),
    /// String keys.
    Map(Box<GenTy>),
    Obj(BTreeMap<String, GenField>),
    /// A named shape of [`GenType::defs`].
    Def(String),
    /// Any of these.
    Union(Vec<GenTy>),
    /// A string that identifies a resource of the type `ty` (CloudFormation
    /// `relationshipRef`): a reference to such a resource writes its attribute `attr`
    /// (`None`: its `Ref` / id).
    Rel {
        ty: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attr: Option<String>,
    },
    /// A Terraform nested block: `list: false` holds at most one item (a record in Strata),
    /// otherwise a list of records.
    Block {
        #[serde(default, skip_serializing_if = "is_false")]
        list: bool,
        body: BTreeMap<String, GenField>,
    },
    /// A Terraform nested block whose content the source leaves untyped (too deep or recursive:
    /// wafv2 `statement`): a record is one block, a list of records several, and records nested
    /// inside are blocks too.
    OpenBlock,
    /// Kubernetes `IntOrString`.
    IntOrString,
    /// Kubernetes `Quantity`: `"500m"`, `"1Gi"`, or a number (a Strata size is written in
    /// binary units, `512 MiB` → `512Mi`).
    Quantity,
}
