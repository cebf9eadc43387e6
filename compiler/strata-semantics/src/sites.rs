//! Where the parts of a resource's properties were written (`strata_model::sites`): after a
//! property is evaluated, its expression is walked beside its value. A list literal gives each
//! element its span, a record or map literal each entry; a name is followed to the `let` it
//! stands for, and a module parameter to the argument of the call, which is recorded as the
//! argument that supplied the value (and walked for the parts below it). A conditional is
//! followed into the branch whose literal shape matches the value (neither when both could
//! be); a comprehension gives its body's span to every element (`[*]`). Values computed
//! otherwise (functions, operators, loop variables) have the span of the nearest written part.

use crate::db::{Db, Locals, ScopeId, SymKind};
use std::collections::BTreeMap;
use strata_base::Span;
use strata_model::sites::{every, index, key};
use strata_model::{ResourceSites, Value};
use strata_syntax::ast::{Expr, ExprKind, StrPart};

/// Most entries recorded for one resource (a literal list of more elements keeps the span of
/// the property for the rest).
const MAX_ENTRIES: usize = 4096;
/// Most names followed in a row (`let a = b`, a parameter passed through modules).
const MAX_HOPS: u32 = 32;
/// Deepest nesting walked.
const MAX_DEPTH: u32 = 64;

struct Walk<'d, 'a> {
    db: &'d Db<'a>,
    values: BTreeMap<String, Span>,
    args: BTreeMap<String, Span>,
    /// The resource is declared in a module (only there can a value come from a parameter).
    in_module: bool,
}

impl<'a> Db<'a> {
    /// Record the sites below property `prop`, written `expr` in `scope` and evaluated to `v`.
    pub(crate) fn record_sites(
        &self,
        prop: &str,
        expr: &'a Expr,
        scope: ScopeId,
        locals: &Locals,
        v: &Value,
        out: &mut ResourceSites,
    ) {
        let mut w = Walk {
            db: self,
            values: BTreeMap::new(),
            args: BTreeMap::new(),
            in_module: self.scopes[scope].call.is_some(),
        };
        let shadow: Vec<&str> = locals.iter().map(|(n, _)| n.as_str()).collect();
        let mut path = prop.to_string();
        w.walk(expr, scope, &shadow, v, &mut path, false, 0, 0);
        if !w.values.is_empty() {
            out.values
                .extend(w.values.into_iter().map(|(p, s)| (p.into(), s)));
            out.values.sort();
        }
        if !w.args.is_empty() {
            out.args
                .extend(w.args.into_iter().map(|(p, s)| (p.into(), s)));
            out.args.sort();
        }
    }
}

impl<'d, 'a> Walk<'d, 'a> {
    fn full(&self) -> bool {
        self.values.len() + self.args.len() >= MAX_ENTRIES
    }

    fn record(&mut self, arg: bool, path: String, span: Span) {
        if self.full() {
            return;
        }
        if arg {
            // Walked later means called further out: the outermost argument wins.
            self.args.insert(path, span);
        } else {
            self.values.entry(path).or_insert(span);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn walk(
        &mut self,
        e: &'a Expr,
        scope: ScopeId,
        shadow: &[&str],
        v: &Value,
        path: &mut String,
        arg: bool,
        hops: u32,
        depth: u32,
    ) {
        if depth > MAX_DEPTH || self.full() {
            return;
        }
        match &e.kind {
            ExprKind::Paren(x) => self.walk(x, scope, shadow, v, path, arg, hops, depth + 1),
            ExprKind::List(items) => {
                let Some(l) = v.as_list() else { return };
                if l.len() != items.len() {
                    return;
                }
                for (i, (item, x)) in items.iter().zip(l.iter()).enumerate() {
                    if self.full() {
                        break;
                    }
                    let mut p = index(path, i);
                    self.record(arg, p.clone(), item.span);
                    self.walk(item, scope, shadow, x, &mut p, arg, hops, depth + 1);
                }
            }
            ExprKind::Record(fields) | ExprKind::TypedRecord { fields, .. } => {
                let Some(m) = v.as_record() else { return };
                for f in fields {
                    if self.full() {
                        break;
                    }
                    if let Some(x) = m.get(&f.name.name) {
                        let mut p = key(path, &f.name.name);
                        self.record(arg, p.clone(), f.span);
                        self.walk(&f.value, scope, shadow, x, &mut p, arg, hops, depth + 1);
                    }
                }
            }
            ExprKind::Cond {
                cond,
                then,
                otherwise,
            } => match (
                fits(then, v, 0, &mut { MAX_ENTRIES }),
                fits(otherwise, v, 0, &mut { MAX_ENTRIES }),
            ) {
                (true, false) => {
                    self.computed_from(cond, scope, shadow, path, hops, depth);
                    self.walk(then, scope, shadow, v, path, arg, hops, depth + 1)
                }
                (false, true) => {
                    self.computed_from(cond, scope, shadow, path, hops, depth);
                    self.walk(otherwise, scope, shadow, v, path, arg, hops, depth + 1)
                }
                _ => self.computed_from(e, scope, shadow, path, hops, depth),
            },
            ExprKind::ListComp {
                key: k,
                var,
                body,
                iter,
                ..
            } => {
                // The elements come from the list iterated: a module parameter there supplied
                // them (`[for p in ports: { port = p, ... }]`).
                self.computed_from(iter, scope, shadow, path, hops, depth);
                let Some(first) = v.as_list().and_then(|l| l.first()) else {
                    return;
                };
                let mut p = every(path);
                self.record(arg, p.clone(), body.span);
                let mut inner: Vec<&str> = shadow.to_vec();
                inner.push(&var.name);
                inner.extend(k.as_ref().map(|k| k.name.as_str()));
                // The elements differ: only literal structure is followed, not conditionals.
                if matches!(body.kind, ExprKind::Record(_) | ExprKind::List(_)) {
                    self.walk(body, scope, &inner, first, &mut p, arg, hops, depth + 1);
                }
            }
            ExprKind::Name(id) => {
                if hops >= MAX_HOPS {
                    return;
                }
                let Some(sym) = self.symbol(id, scope, shadow) else {
                    return;
                };
                match &sym.kind {
                    SymKind::Let(l) => {
                        self.walk(&l.value, sym.scope, &[], v, path, arg, hops + 1, depth + 1)
                    }
                    SymKind::ModuleParam(_, Some(a)) => {
                        self.record(true, path.clone(), a.expr.span);
                        let names: Vec<&str> = a.locals.iter().map(|(n, _)| n.as_str()).collect();
                        self.walk(a.expr, a.scope, &names, v, path, true, hops + 1, depth + 1);
                    }
                    _ => {}
                }
            }
            // A value computed from module parameters (`!open`, `"${name}-logs"`,
            // `size * 2`): the arguments that supplied them are where the user's code decided it.
            _ => self.computed_from(e, scope, shadow, path, hops, depth),
        }
    }

    /// The symbol a name stands for in `scope`, unless a loop variable (`shadow`) hides it.
    fn symbol(
        &self,
        id: &strata_syntax::ast::Ident,
        scope: ScopeId,
        shadow: &[&str],
    ) -> Option<&'d crate::db::Sym<'a>> {
        if shadow.contains(&id.name.as_str()) {
            return None;
        }
        let sym = self.db.lookup(scope, &id.name)?;
        Some(&self.db.syms[sym])
    }

    /// Record, as the arguments that supplied the value at `path`, the call-site arguments of
    /// the module parameters `e` reads (through `let`s), innermost first so that the outermost
    /// call's argument wins as in [`Walk::walk`].
    fn computed_from(
        &mut self,
        e: &'a Expr,
        scope: ScopeId,
        shadow: &[&str],
        path: &str,
        hops: u32,
        depth: u32,
    ) {
        if !self.in_module {
            return;
        }
        let mut found: Vec<Span> = Vec::new();
        self.params_in(e, scope, shadow, hops, depth, &mut found);
        for s in found {
            self.record(true, path.to_string(), s);
        }
    }

    /// The argument spans of the module parameters an expression reads, at most a few.
    fn params_in(
        &self,
        e: &'a Expr,
        scope: ScopeId,
        shadow: &[&str],
        hops: u32,
        depth: u32,
        out: &mut Vec<Span>,
    ) {
        if depth > MAX_DEPTH || hops >= MAX_HOPS || out.len() >= 4 {
            return;
        }
        let go = |x: &'a Expr, out: &mut Vec<Span>| {
            self.params_in(x, scope, shadow, hops, depth + 1, out)
        };
        match &e.kind {
            ExprKind::Name(id) => {
                let Some(sym) = self.symbol(id, scope, shadow) else {
                    return;
                };
                match &sym.kind {
                    SymKind::Let(l) => {
                        self.params_in(&l.value, sym.scope, &[], hops + 1, depth + 1, out)
                    }
                    SymKind::ModuleParam(_, Some(a)) => {
                        if !out.contains(&a.expr.span) {
                            out.push(a.expr.span);
                        }
                        let names: Vec<&str> = a.locals.iter().map(|(n, _)| n.as_str()).collect();
                        self.params_in(a.expr, a.scope, &names, hops + 1, depth + 1, out);
                    }
                    _ => {}
                }
            }
            ExprKind::Paren(x) | ExprKind::Unary { expr: x, .. } => go(x, out),
            ExprKind::Field { base, .. } => go(base, out),
            ExprKind::Index { base, index } => {
                go(base, out);
                go(index, out);
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                go(lhs, out);
                go(rhs, out);
            }
            ExprKind::Call { args, .. } => {
                for a in args {
                    go(a, out);
                }
            }
            ExprKind::Cond {
                cond,
                then,
                otherwise,
            } => {
                go(cond, out);
                go(then, out);
                go(otherwise, out);
            }
            ExprKind::Str(parts) => {
                for p in parts {
                    if let StrPart::Interp(x) = p {
                        go(x, out);
                    }
                }
            }
            ExprKind::ListComp { iter, .. } | ExprKind::MapComp { iter, .. } => go(iter, out),
            _ => {}
        }
    }
}

/// Whether `e` can have evaluated to `v`, judged on its literal structure only (anything
/// computed can). Past `budget` nodes it cannot tell, and says it can.
fn fits(e: &Expr, v: &Value, depth: u32, budget: &mut usize) -> bool {
    if depth > MAX_DEPTH || *budget == 0 {
        return true;
    }
    *budget -= 1;
    match &e.kind {
        ExprKind::Paren(x) => fits(x, v, depth + 1, budget),
        ExprKind::Null => v.is_null(),
        ExprKind::Bool(b) => matches!(v, Value::Bool(x) if x == b),
        ExprKind::Int(i) => match v {
            Value::Int(x) => x == i,
            Value::Float(x) => *x == *i as f64,
            _ => false,
        },
        ExprKind::Str(parts) => match parts.as_slice() {
            [] => v.as_str() == Some(""),
            [StrPart::Lit(s)] => v.as_str() == Some(s.as_str()),
            _ => true,
        },
        ExprKind::Cidr(c) => match v {
            Value::Cidr(x) | Value::Str(x) => x.as_str() == c.as_str(),
            _ => false,
        },
        ExprKind::List(items) => v.as_list().is_some_and(|l| {
            l.len() == items.len()
                && items
                    .iter()
                    .zip(l.iter())
                    .all(|(i, x)| fits(i, x, depth + 1, budget))
        }),
        ExprKind::Record(fields) | ExprKind::TypedRecord { fields, .. } => {
            v.as_record().is_some_and(|m| {
                fields.iter().all(|f| {
                    m.get(&f.name.name)
                        .is_some_and(|x| fits(&f.value, x, depth + 1, budget))
                })
            })
        }
        ExprKind::Cond {
            then, otherwise, ..
        } => fits(then, v, depth + 1, budget) || fits(otherwise, v, depth + 1, budget),
        _ => true,
    }
}
