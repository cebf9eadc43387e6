//! Reading IAM policy statements, whatever their spelling: `statements = [{ effect, actions,
//! resources }]`, a `policy`/`document`/`policy_document` record holding `statements` or
//! `Statement`, or a list of inline policies each holding statements.

use std::collections::BTreeMap;
use strata_model::{Resource, Value};

/// One statement, keys matched case-insensitively.
pub struct Statement<'r> {
    pub rec: &'r BTreeMap<String, Value>,
    /// The top-level property it is written in.
    pub prop: &'static str,
}

impl<'r> Statement<'r> {
    fn field(&self, names: &[&str]) -> Option<&'r Value> {
        self.rec
            .iter()
            .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
            .map(|(_, v)| v)
    }
    pub fn allows(&self) -> bool {
        self.field(&["effect"])
            .and_then(Value::as_str)
            .is_none_or(|e| e.eq_ignore_ascii_case("allow"))
    }
    fn list(&self, names: &[&str]) -> Vec<&'r str> {
        self.field(names)
            .map(super::util::strings)
            .unwrap_or_default()
    }
    pub fn actions(&self) -> Vec<&'r str> {
        self.list(&["actions", "action"])
    }
    /// Resources as written; references (ARNs of declared resources) are not wildcards.
    pub fn resources(&self) -> Vec<&'r str> {
        self.list(&["resources", "resource"])
    }
    /// Principals: strings, or the values of a `{ AWS = [...], Service = [...] }` record.
    pub fn principals(&self) -> Vec<&'r str> {
        match self.field(&["principals", "principal"]) {
            Some(Value::Record(m)) => m.values().flat_map(super::util::strings).collect(),
            Some(v) => super::util::strings(v),
            None => Vec::new(),
        }
    }
}

fn statements_in<'r>(v: &'r Value, prop: &'static str, out: &mut Vec<Statement<'r>>) {
    match v {
        Value::List(l) => {
            for x in l {
                if let Some(m) = x.as_record() {
                    if m.keys().any(|k| {
                        k.eq_ignore_ascii_case("effect")
                            || k.eq_ignore_ascii_case("action")
                            || k.eq_ignore_ascii_case("actions")
                    }) {
                        out.push(Statement { rec: m, prop });
                    } else {
                        statements_in(x, prop, out);
                    }
                }
            }
        }
        Value::Record(m) => {
            for (k, x) in m {
                if k.eq_ignore_ascii_case("statements")
                    || k.eq_ignore_ascii_case("statement")
                    || k.eq_ignore_ascii_case("document")
                    || k.eq_ignore_ascii_case("policy")
                {
                    statements_in(x, prop, out);
                }
            }
        }
        _ => {}
    }
}

/// The permission statements of a role or policy (not its trust policy).
pub fn statements(r: &Resource) -> Vec<Statement<'_>> {
    let mut out = Vec::new();
    for prop in [
        "statements",
        "policy",
        "document",
        "policy_document",
        "policies",
        "inline_policies",
        "inline_policy",
    ] {
        match r.prop(prop) {
            // `policies = { name = [statement, ...], ... }`
            Some(Value::Record(m)) if matches!(prop, "policies" | "inline_policies") => {
                for v in m.values() {
                    statements_in(v, prop, &mut out);
                }
            }
            Some(v) => statements_in(v, prop, &mut out),
            None => {}
        }
    }
    out
}

/// Principals a role trusts directly (`assumed_by = { aws = ["*"], service = [...] }`), with
/// the property they are written in.
pub fn trusted(r: &Resource) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    for prop in ["assumed_by", "principals"] {
        if let Some(Value::Record(m)) = r.prop(prop) {
            for v in m.values() {
                out.extend(super::util::strings(v).into_iter().map(|s| (prop, s)));
            }
        }
    }
    out
}

/// The trust (assume-role) statements of a role.
pub fn trust(r: &Resource) -> Vec<Statement<'_>> {
    let mut out = Vec::new();
    for prop in ["assume_role_policy", "trust_policy", "trust"] {
        if let Some(v) = r.prop(prop) {
            statements_in(v, prop, &mut out);
        }
    }
    out
}
