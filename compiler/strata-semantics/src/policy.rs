//! Policies written in the language: `require`/`deny` conditions are evaluated here, per
//! resource, because semantics owns the evaluator; `deny path(...)` rules are carried to the
//! policy stage, which owns the graph.

use crate::db::{Db, ScopeId};
use crate::types::TypePath;
use strata_base::{Diagnostic, Severity};
use strata_model::{PathRule, Ref, ResourceId, Ty, UserPolicy, Value, Violation};
use strata_syntax::ast;

impl<'a> Db<'a> {
    pub fn eval_policies(&mut self) -> Vec<UserPolicy> {
        let policies = self.policies.clone();
        let mut out = Vec::new();
        for (n, (p, scope)) in policies.into_iter().enumerate() {
            out.push(self.eval_policy(p, scope, n));
        }
        out
    }

    fn eval_policy(&mut self, p: &'a ast::Policy, scope: ScopeId, index: usize) -> UserPolicy {
        let mut severity = Severity::Error;
        let mut code = format!("POLICY{:03}", index + 1);
        let mut message: Option<&'a ast::Expr> = None;
        for f in &p.settings {
            match f.name.name.as_str() {
                "severity" => match self.eval_const(&f.value, scope) {
                    Some(Value::Str(s)) => match Severity::parse(&s) {
                        Some(sev) => severity = sev,
                        None => self.report(
                            Diagnostic::error(
                                "E2005",
                                format!("unknown severity {s:?}"),
                                f.value.span,
                            )
                            .with_help("use \"error\", \"warning\" or \"info\""),
                        ),
                    },
                    Some(_) => self.report(
                        Diagnostic::error("E2002", "`severity` is a string", f.value.span)
                            .with_help("use \"error\", \"warning\" or \"info\""),
                    ),
                    None => {}
                },
                "code" => match self.eval_const(&f.value, scope) {
                    Some(Value::Str(s))
                        if !s.is_empty()
                            && s.chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
                    {
                        code = s.to_string()
                    }
                    Some(_) => self.report(
                        Diagnostic::error(
                            "E2005",
                            "a policy code is letters, digits, `-` and `_`",
                            f.value.span,
                        )
                        .with_help("e.g. `code = \"ACME001\"`"),
                    ),
                    None => {}
                },
                "message" => message = Some(&f.value),
                _ => self.report(crate::eval::unknown_field(
                    &f.name,
                    ["severity", "code", "message"],
                    "a policy",
                )),
            }
        }
        let mut policy = UserPolicy {
            title: p.title.clone(),
            code,
            severity,
            span: p.title_span,
            path_rules: Vec::new(),
            violations: Vec::new(),
        };
        for rule in &p.rules {
            match rule {
                ast::PolicyRule::DenyPath { from, to, span } => {
                    let from = self.path_endpoint(from, scope);
                    let to = self.path_endpoint(to, scope);
                    if let (Some(from), Some(to)) = (from, to) {
                        policy.path_rules.push(PathRule {
                            from,
                            to,
                            span: *span,
                        });
                    }
                }
                ast::PolicyRule::Deny {
                    binder,
                    ty,
                    cond,
                    span: _,
                }
                | ast::PolicyRule::Require {
                    binder,
                    ty,
                    cond,
                    span: _,
                } => {
                    let deny = matches!(rule, ast::PolicyRule::Deny { .. });
                    let Some(schema) = self.policy_subject(ty, scope) else {
                        continue;
                    };
                    let targets: Vec<usize> = (0..self.resources.len())
                        .filter(|&i| self.resources[i].schema == schema)
                        .collect();
                    for idx in targets {
                        let r = Ref {
                            resource: ResourceId(idx as u32),
                            name: self.resources[idx].name.clone(),
                            attr: None,
                        };
                        let mut locals = vec![(binder.name.clone(), Value::Ref(r.clone()))];
                        let Some(v) = self.eval(cond, scope, &mut locals, Some(&Ty::Bool)) else {
                            continue;
                        };
                        let holds = v.is_true();
                        if holds == deny {
                            let text = match message {
                                Some(m) => {
                                    match self.eval(m, scope, &mut locals, Some(&Ty::string())) {
                                        Some(Value::Str(s)) => s.to_string(),
                                        Some(Value::Interp(parts)) => parts
                                            .iter()
                                            .map(|p| match p {
                                                strata_model::StrPart::Lit(s) => s.clone(),
                                                strata_model::StrPart::Ref(r) => r.to_string(),
                                            })
                                            .collect(),
                                        Some(other) => other.to_string(),
                                        None => p.title.clone(),
                                    }
                                }
                                None => format!("{} (`{}`)", p.title, r.name),
                            };
                            let span = self.resources[idx].decl.name.span;
                            policy.violations.push(Violation {
                                resource: ResourceId(idx as u32),
                                message: text,
                                span,
                            });
                        }
                    }
                }
            }
        }
        policy
    }

    fn policy_subject(&mut self, ty: &ast::Path, scope: ScopeId) -> Option<String> {
        match self.resolve_type_path(ty, scope)? {
            TypePath::Schema(s) => Some(s),
            _ => {
                self.report(
                    Diagnostic::error(
                        "E1003",
                        format!("`{}` is not a resource type", ty.text()),
                        ty.span,
                    )
                    .with_help("policies apply to resource types, e.g. `b: ObjectStore`"),
                );
                None
            }
        }
    }

    /// `internet`, a resource type (qualified schema name) or a resource name.
    fn path_endpoint(&mut self, p: &ast::Path, scope: ScopeId) -> Option<String> {
        let text = p.text();
        if text == "internet" {
            return Some(text);
        }
        if p.segments.len() == 1 {
            if let Some(sym) = self.lookup(scope, &text) {
                if matches!(self.syms[sym].kind, crate::db::SymKind::Resource(_)) {
                    let prefix = self.scopes[scope].prefix.clone();
                    return Some(format!("{prefix}{text}"));
                }
            }
        }
        match self.resolve_type_path(p, scope)? {
            TypePath::Schema(s) => Some(s),
            _ => {
                self.report(
                    Diagnostic::error(
                        "E1003",
                        format!("`{text}` is neither a resource nor a resource type"),
                        p.span,
                    )
                    .with_help(
                        "write `internet`, a resource type such as `Postgres`, or a resource name",
                    ),
                );
                None
            }
        }
    }
}
