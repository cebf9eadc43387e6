//! IAM policy statements, read where each type declares them ([`DOCS`]): lists of statement
//! records (the stdlib's `statements = [{ effect, actions, resources }]`), or policy documents
//! — a record `{ Version, Statement = [...] }` (CloudFormation `PolicyDocument`) or the same as
//! a JSON string (Terraform `policy`, whose schema type is a string; `${...}` interpolations
//! inside it are read as opaque values, never as wildcards).
//!
//! Statements are read as JSON, keys matched case-insensitively (`Action`/`actions`).

use crate::reads::{located, part, values, Read};
use serde_json::{Map, Value as J};
use std::sync::OnceLock;
use strata_model::{Resource, StrPart, Value};

/// How a path holds statements.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Form {
    /// Statement records.
    Statements,
    /// A policy document: a record or a JSON string with `Statement` (a list or one statement).
    Document,
}

/// Where a type keeps policy statements.
pub struct Doc {
    pub ty: &'static str,
    pub path: &'static str,
    pub form: Form,
    /// A trust (assume-role) policy rather than permissions.
    pub trust: bool,
}

const fn perms(ty: &'static str, path: &'static str, form: Form) -> Doc {
    Doc {
        ty,
        path,
        form,
        trust: false,
    }
}

const fn assume(ty: &'static str, path: &'static str) -> Doc {
    Doc {
        ty,
        path,
        form: Form::Document,
        trust: true,
    }
}

use Form::{Document as D, Statements as S};

/// Every type whose policy statements the IAM rules read.
#[rustfmt::skip]
pub static DOCS: &[Doc] = &[
    perms("aws.iam.Policy", "statements[]", S),
    perms("aws.iam.Role", "policies{}[]", S),
    perms("aws.s3.BucketPolicy", "statements[]", S),
    perms("cfn.AWS.IAM.Policy", "PolicyDocument", D),
    perms("cfn.AWS.IAM.ManagedPolicy", "PolicyDocument", D),
    perms("cfn.AWS.IAM.RolePolicy", "PolicyDocument", D),
    perms("cfn.AWS.IAM.UserPolicy", "PolicyDocument", D),
    perms("cfn.AWS.IAM.GroupPolicy", "PolicyDocument", D),
    perms("cfn.AWS.IAM.Role", "Policies[].PolicyDocument", D),
    perms("cfn.AWS.IAM.User", "Policies[].PolicyDocument", D),
    perms("cfn.AWS.IAM.Group", "Policies[].PolicyDocument", D),
    perms("cfn.AWS.S3.BucketPolicy", "PolicyDocument", D),
    perms("tf.aws_iam_policy", "policy", D),
    perms("tf.aws_iam_role_policy", "policy", D),
    perms("tf.aws_iam_user_policy", "policy", D),
    perms("tf.aws_iam_group_policy", "policy", D),
    perms("tf.aws_iam_role", "inline_policy[].policy", D),
    perms("tf.aws_s3_bucket_policy", "policy", D),
    assume("cfn.AWS.IAM.Role", "AssumeRolePolicyDocument"),
    assume("tf.aws_iam_role", "assume_role_policy"),
];

/// The paths of [`DOCS`] (permission documents when `trust` is false, trust documents when
/// true), as reads.
pub fn doc_reads(trust: bool) -> &'static [Read] {
    static PERMS: OnceLock<Vec<Read>> = OnceLock::new();
    static TRUST: OnceLock<Vec<Read>> = OnceLock::new();
    let cell = if trust { &TRUST } else { &PERMS };
    cell.get_or_init(|| {
        DOCS.iter()
            .filter(|d| d.trust == trust)
            .map(|d| part(d.ty, d.path, if trust { "trust policy" } else { "policy" }))
            .collect()
    })
}

/// One statement, keys matched case-insensitively.
pub struct Statement {
    pub rec: Map<String, J>,
    /// Where it is written (`statements[1]`, `PolicyDocument.Statement[0]`; the document when
    /// it is a JSON string), for `Cx::span_at`.
    pub path: String,
}

impl Statement {
    fn field(&self, names: &[&str]) -> Option<&J> {
        self.rec
            .iter()
            .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
            .map(|(_, v)| v)
    }
    pub fn allows(&self) -> bool {
        self.field(&["effect"])
            .and_then(J::as_str)
            .is_none_or(|e| e.eq_ignore_ascii_case("allow"))
    }
    fn list(&self, names: &[&str]) -> Vec<&str> {
        self.field(names).map(strings).unwrap_or_default()
    }
    pub fn actions(&self) -> Vec<&str> {
        self.list(&["actions", "action"])
    }
    /// `NotAction` is written (with `Allow`: every action but those).
    pub fn not_actions(&self) -> Option<Vec<&str>> {
        self.field(&["notaction", "not_actions", "notactions"])
            .map(strings)
    }
    /// Resources as written; references (ARNs of declared resources) are not wildcards.
    pub fn resources(&self) -> Vec<&str> {
        self.list(&["resources", "resource"])
    }
    /// Principals: strings (`"*"`), or the values of a `{ AWS = [...], Service = [...] }` record.
    pub fn principals(&self) -> Vec<&str> {
        match self.field(&["principals", "principal"]) {
            Some(J::Object(m)) => m.values().flat_map(strings).collect(),
            Some(v) => strings(v),
            None => Vec::new(),
        }
    }
    /// `NotPrincipal` is written (with `Allow`: everyone but those).
    pub fn not_principal(&self) -> bool {
        self.field(&["notprincipal", "not_principals", "notprincipals"])
            .is_some()
    }
    /// The conditions as (operator, key, values).
    pub fn conditions(&self) -> Vec<(&str, &str, Vec<&str>)> {
        let mut out = Vec::new();
        if let Some(J::Object(ops)) = self.field(&["condition", "conditions"]) {
            for (op, keys) in ops {
                if let J::Object(keys) = keys {
                    for (k, v) in keys {
                        out.push((op.as_str(), k.as_str(), strings(v)));
                    }
                }
            }
        }
        out
    }
}

/// The strings of a string-or-list JSON value.
fn strings(v: &J) -> Vec<&str> {
    match v {
        J::String(s) => vec![s.as_str()],
        J::Array(l) => l.iter().filter_map(J::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A policy document as JSON: a record, or a string holding JSON (interpolated references
/// become opaque strings).
fn document(v: &Value) -> Option<J> {
    let text = match v {
        Value::Str(s) => s.clone(),
        Value::Interp(parts) => parts
            .iter()
            .map(|p| match p {
                StrPart::Lit(s) => s.as_str(),
                StrPart::Ref(_) => "${ref}",
            })
            .collect(),
        v => return Some(v.to_json()),
    };
    serde_json::from_str(&text).ok()
}

fn push_statements(v: J, path: &str, out: &mut Vec<Statement>) {
    match v {
        J::Array(l) => l
            .into_iter()
            .enumerate()
            .for_each(|(i, x)| push_statements(x, &strata_model::sites::index(path, i), out)),
        J::Object(rec) => out.push(Statement {
            rec,
            path: path.to_string(),
        }),
        _ => {}
    }
}

fn statements_of(r: &Resource, trust: bool) -> Vec<Statement> {
    let mut out = Vec::new();
    for d in DOCS.iter().filter(|d| d.ty == r.ty && d.trust == trust) {
        out.extend(statements_at(r, d.path, d.form));
    }
    out
}

/// The statements written at `path` of `r`, held in `form`.
pub fn statements_at(r: &Resource, path: &str, form: Form) -> Vec<Statement> {
    let mut out = Vec::new();
    for (at, v) in located(r, path) {
        match form {
            Form::Statements => push_statements(v.to_json(), &at, &mut out),
            Form::Document => {
                let Some(doc) = document(v) else { continue };
                let (key, stmts) = doc
                    .as_object()
                    .and_then(|m| {
                        m.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("statement"))
                            .map(|(k, s)| (k.clone(), s.clone()))
                    })
                    .unwrap_or_default();
                // Inside a JSON string the parts have no spans: point at the document.
                let within = if v.as_record().is_some() {
                    strata_model::sites::key(&at, &key)
                } else {
                    at
                };
                push_statements(stmts, &within, &mut out);
            }
        }
    }
    out
}

/// The permission statements of a role or policy (not its trust policy).
pub fn statements(r: &Resource) -> Vec<Statement> {
    statements_of(r, false)
}

/// The trust (assume-role) statements of a role.
pub fn trust(r: &Resource) -> Vec<Statement> {
    statements_of(r, true)
}

/// Principals a curated role trusts directly (`assumed_by = { aws = ["*"], service = [...] }`),
/// with the property they are written in.
pub fn trusted(r: &Resource) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    if r.ty == "aws.iam.Role" {
        for v in values(r, "assumed_by") {
            if let Some(m) = v.as_record() {
                for x in m.values() {
                    out.extend(
                        super::util::strings(x)
                            .into_iter()
                            .map(|s| ("assumed_by", s)),
                    );
                }
            }
        }
    }
    out
}
