//! Expression evaluation, directed by the expected type so errors land on the exact
//! sub-expression (the field name, the list element) rather than on a whole value.

use crate::builtins;
use crate::db::{Db, Locals, ScopeId, Slot, SymKind};
use crate::types::{example_quantity, TypePath};
use std::collections::BTreeMap;
use strata_base::units::{self, Dimension};
use strata_base::{did_you_mean, Diagnostic, Fix, Span};
use strata_model::check::{check_value, MismatchKind, RefTypes};
use strata_model::{FieldSchema, Quantity, RecordPick, Ref, ResourceId, StrPart, Ty, Value};
use strata_syntax::ast::{self, BinaryOp, ExprKind, UnaryOp};

/// Deepest evaluation through names and nested expressions before giving up.
const MAX_DEPTH: u32 = 10_000;

/// Reference types as seen by the checker: from the resources being instantiated.
pub(crate) struct DbRefs<'d, 'a>(pub &'d Db<'a>);

impl RefTypes for DbRefs<'_, '_> {
    fn resource_type(&self, r: &Ref) -> Option<String> {
        self.0
            .resources
            .get(r.resource.0 as usize)
            .map(|x| x.schema.clone())
    }
    fn attr_type(&self, r: &Ref) -> Option<Ty> {
        let res = self.0.resources.get(r.resource.0 as usize)?;
        let schema = self.0.schemas.get(&res.schema)?;
        schema.out_type(r.attr.as_deref()?).cloned()
    }
    fn identity(&self, r: &Ref) -> bool {
        self.0
            .resources
            .get(r.resource.0 as usize)
            .and_then(|x| self.0.schemas.get(&x.schema))
            .is_some_and(|s| s.is_generated())
    }
    fn compatible(&self, expected: &str, found: &str) -> bool {
        if expected == found {
            return true;
        }
        // A schema may declare what it can stand for: `@satisfies = ["aws.kms.Key"]`.
        let Some(s) = self.0.schemas.get(found) else {
            return false;
        };
        match s.attrs.get("satisfies") {
            Some(Value::List(l)) => l.iter().any(|v| v.as_str() == Some(expected)),
            Some(Value::Str(x)) => x == expected,
            _ => false,
        }
    }
}

impl<'a> Db<'a> {
    /// Evaluate without locals or expectation (type arguments, schema defaults, attributes).
    pub fn eval_const(&mut self, e: &'a ast::Expr, scope: ScopeId) -> Option<Value> {
        let mut locals = Vec::new();
        self.eval(e, scope, &mut locals, None)
    }

    /// Report every way `v` does not fit `ty`, at `span`.
    pub fn check_against(&mut self, v: &Value, ty: &Ty, span: Span) -> bool {
        if matches!(ty.resolved(), Ty::Any) {
            return true;
        }
        // Checking walks the value written out in full.
        if !self.check_expanded(v, span, || "this value".to_string()) {
            return false;
        }
        let mut ms = check_value(v, ty, &DbRefs(self));
        let ok = ms.is_empty();
        if self.secret_field > 0 {
            // A credential's value is never repeated in a diagnostic.
            for m in &mut ms {
                if let MismatchKind::Pattern { value, .. }
                | MismatchKind::NotAllowed { value, .. } = &mut m.kind
                {
                    *value = "the value (not shown)".to_string();
                }
            }
        }
        for m in ms {
            let mut d = Diagnostic::error(m.kind.code(), m.kind.message(), span);
            d = if !m.path.is_empty() {
                d.with_label(format!("at `{}`", m.path))
            } else {
                d.with_label(format!("expected {}", shown_type(ty)))
            };
            d = d.with_help(help_for(&m.kind, ty));
            self.report(d);
        }
        ok
    }

    /// Evaluate `e` in `scope`. With `expected`, the value is checked against it and errors are
    /// reported at the most precise span. Returns `None` if an error was reported (poison).
    pub fn eval(
        &mut self,
        e: &'a ast::Expr,
        scope: ScopeId,
        locals: &mut Locals,
        expected: Option<&Ty>,
    ) -> Option<Value> {
        if self.depth >= MAX_DEPTH {
            self.report(
                Diagnostic::error("E2007", format!("evaluation is nested more than {MAX_DEPTH} levels deep"), e.span)
                    .with_label("the evaluation depth limit is reached here")
                    .with_help("each name evaluated through another name, and each sub-expression, is one level: shorten the chain of names defined through each other"),
            );
            return None;
        }
        self.depth += 1;
        // Grow the stack on demand (as rustc does): deep but legal programs must not depend on
        // the caller's thread stack size.
        let r = stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || {
            self.eval_inner(e, scope, locals, expected)
        });
        self.depth -= 1;
        r
    }

    fn eval_inner(
        &mut self,
        e: &'a ast::Expr,
        scope: ScopeId,
        locals: &mut Locals,
        expected: Option<&Ty>,
    ) -> Option<Value> {
        let exp = expected.map(|t| t.resolved());
        // Structural cases that check as they go.
        match (&e.kind, exp) {
            (ExprKind::Record(fields), Some(t)) => {
                // A union of record types: the fields written choose the alternative.
                let written: Vec<&str> = fields.iter().map(|f| f.name.name.as_str()).collect();
                if let Some(pick) = t.pick_record(&written) {
                    let shown = expected.unwrap_or(t);
                    return match pick {
                        RecordPick::Record(fs) => {
                            self.eval_record_typed(fields, fs, scope, locals, e.span)
                        }
                        pick => {
                            self.report(record_pick_error(&pick, fields, t, shown, e.span));
                            None
                        }
                    };
                }
                if let Some(rt) = pick_record(t) {
                    return match rt {
                        PickedRecord::Record(fs) => {
                            self.eval_record_typed(fields, fs, scope, locals, e.span)
                        }
                        PickedRecord::Map(elem) => {
                            let mut out = BTreeMap::new();
                            let mut ok = true;
                            for f in fields {
                                match self.eval(&f.value, scope, locals, Some(elem)) {
                                    Some(v) => {
                                        out.insert(f.name.name.clone(), v);
                                    }
                                    None => ok = false,
                                }
                            }
                            if !ok {
                                return None;
                            }
                            return self.new_record(out, e.span);
                        }
                    };
                }
            }
            (ExprKind::TypedRecord { ty, fields }, _) => {
                return self.eval_typed_record(ty, fields, scope, locals, expected, e.span);
            }
            (ExprKind::List(items), Some(Ty::List(elem))) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for it in items {
                    match self.eval(it, scope, locals, Some(elem)) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                return self.new_list(out, e.span);
            }
            (
                ExprKind::Cond {
                    cond,
                    then,
                    otherwise,
                },
                _,
            ) => {
                let c = self.eval(cond, scope, locals, Some(&Ty::Bool))?;
                let c = match c {
                    Value::Bool(b) => b,
                    _ => return None,
                };
                let (taken, other) = if c {
                    (then, otherwise)
                } else {
                    (otherwise, then)
                };
                // The branch not taken is still checked against the expected type: it is what
                // another environment will get.
                self.speculative += 1;
                let _ = self.eval(other, scope, locals, expected);
                self.speculative -= 1;
                return self.eval(taken, scope, locals, expected);
            }
            (ExprKind::Paren(inner), _) => return self.eval(inner, scope, locals, expected),
            _ => {}
        }
        let v = self.eval_plain(e, scope, locals)?;
        if let Some(t) = expected {
            if !self.check_against(&v, t, e.span) {
                return None;
            }
        }
        Some(v)
    }

    fn eval_record_typed(
        &mut self,
        fields: &'a [ast::Field],
        schema: &BTreeMap<String, FieldSchema>,
        scope: ScopeId,
        locals: &mut Locals,
        span: Span,
    ) -> Option<Value> {
        let mut out = BTreeMap::new();
        let mut ok = true;
        for f in fields {
            match schema.get(&f.name.name) {
                Some(fs) => {
                    let secret = strata_model::check::secret_path(&f.name.name);
                    self.secret_field += u32::from(secret);
                    let v = self.eval(&f.value, scope, locals, Some(&fs.ty));
                    self.secret_field -= u32::from(secret);
                    match v {
                        Some(v) => {
                            if out.insert(f.name.name.clone(), v).is_some() {
                                self.report(duplicate_field(&f.name));
                            }
                        }
                        None => ok = false,
                    }
                }
                None => {
                    self.report(unknown_field(
                        &f.name,
                        schema.keys().map(String::as_str),
                        "this record",
                    ));
                    ok = false;
                }
            }
        }
        for (k, fs) in schema {
            // Written but rejected (already reported): not also "missing".
            if out.contains_key(k) || fields.iter().any(|f| f.name.name == *k) {
                continue;
            }
            if let Some(d) = &fs.default {
                out.insert(k.clone(), d.clone());
            } else if fs.required {
                self.report(
                    Diagnostic::error("E2004", format!("missing required field `{k}`"), span)
                        .with_label(format!("`{k}` is not set"))
                        .with_help(format!("add `{k} = <{}>`", fs.ty)),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        self.new_record(out, span)
    }

    fn eval_typed_record(
        &mut self,
        path: &ast::Path,
        fields: &'a [ast::Field],
        scope: ScopeId,
        locals: &mut Locals,
        expected: Option<&Ty>,
        span: Span,
    ) -> Option<Value> {
        // `aws { ... }` names the provider settings type even though `aws` is also a package.
        let t = if path.segments.len() == 1 {
            match self.scopes[0].names.get(&path.segments[0].name).copied() {
                Some(sym) if matches!(self.syms[sym].kind, SymKind::Type(_)) => {
                    let SymKind::Type(decl) = self.syms[sym].kind else {
                        unreachable!()
                    };
                    self.resolve_named_type(sym, decl, 0)
                }
                _ => self.type_of_path(path, scope),
            }
        } else {
            self.type_of_path(path, scope)
        }?;
        let v = match pick_record(t.resolved()) {
            Some(PickedRecord::Record(fs)) => {
                self.eval_record_typed(fields, fs, scope, locals, span)?
            }
            _ => {
                self.report(
                    Diagnostic::error(
                        "E2002",
                        format!("`{}` is not a record type", path.text()),
                        path.span,
                    )
                    .with_help("only record types can be written as `Type { field = value }`"),
                );
                return None;
            }
        };
        if let Some(exp) = expected {
            if !self.check_against(&v, exp, span) {
                return None;
            }
        }
        Some(v)
    }

    fn type_of_path(&mut self, path: &ast::Path, scope: ScopeId) -> Option<Ty> {
        match self.resolve_type_path(path, scope)? {
            TypePath::Ty(t) => Some(t),
            _ => {
                self.report(
                    Diagnostic::error(
                        "E2002",
                        format!("`{}` is not a record type", path.text()),
                        path.span,
                    )
                    .with_help("declare it with `type Name = { field: type }`"),
                );
                None
            }
        }
    }

    fn eval_plain(
        &mut self,
        e: &'a ast::Expr,
        scope: ScopeId,
        locals: &mut Locals,
    ) -> Option<Value> {
        Some(match &e.kind {
            ExprKind::Error => return None,
            ExprKind::Null => Value::Null,
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Int(i) => Value::Int(*i),
            ExprKind::Float(f) => Value::Float(*f),
            ExprKind::Str(parts) => {
                // Evaluate the parts, then size the string, then build it.
                let mut values = Vec::with_capacity(parts.len());
                let mut ok = true;
                let mut len = 0u64;
                for p in parts {
                    let v = match p {
                        ast::StrPart::Lit(s) => Value::str(s.as_str()),
                        ast::StrPart::Interp(x) => match self.eval(x, scope, locals, None) {
                            Some(v) => v,
                            None => {
                                ok = false;
                                continue;
                            }
                        },
                    };
                    match builtins::text_len(&v) {
                        Some(n) => len = len.saturating_add(n),
                        None => {
                            let span = match p {
                                ast::StrPart::Interp(x) => x.span,
                                ast::StrPart::Lit(_) => e.span,
                            };
                            self.report(
                                Diagnostic::error("E2002", format!("cannot put a {} into a string", v.type_name()), span)
                                    .with_label(format!("this is a {}", v.type_name()))
                                    .with_help("interpolate a string, number, bool, quantity or reference; use `join(\",\", list)` for lists"),
                            );
                            ok = false;
                        }
                    }
                    values.push(v);
                }
                if !ok || !self.reserve_string(len, e.span) {
                    return None;
                }
                let mut out: Vec<StrPart> = Vec::new();
                for v in &values {
                    builtins::append_string(&mut out, v).ok()?;
                }
                return Some(builtins::make_string(out));
            }
            ExprKind::Quantity { value, unit } => match units::unit(unit) {
                Some(u) => Value::Quantity(Quantity {
                    value: value * u.factor,
                    dimension: u.dimension,
                    unit: u.name.to_string(),
                }),
                None => {
                    self.report(
                        Diagnostic::error("E0004", format!("unknown unit `{unit}`"), e.span)
                            .with_help("see docs/language.md for the units Strata knows"),
                    );
                    return None;
                }
            },
            ExprKind::Cidr(c) => {
                if !strata_model::check::valid_cidr(c) {
                    self.report(
                        Diagnostic::error("E2011", format!("`{c}` is not a valid CIDR block"), e.span)
                            .with_help("write an address and a prefix length, e.g. `10.0.0.0/16` (prefix ≤ 32)"),
                    );
                    return None;
                }
                Value::cidr(c.clone())
            }
            ExprKind::Name(id) => return self.eval_name(id, scope, locals),
            ExprKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for it in items {
                    match self.eval(it, scope, locals, None) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                return self.new_list(out, e.span);
            }
            ExprKind::Record(fields) => {
                let mut out = BTreeMap::new();
                let mut ok = true;
                for f in fields {
                    match self.eval(&f.value, scope, locals, None) {
                        Some(v) => {
                            if out.insert(f.name.name.clone(), v).is_some() {
                                self.report(duplicate_field(&f.name));
                            }
                        }
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                return self.new_record(out, e.span);
            }
            ExprKind::TypedRecord { ty, fields } => {
                return self.eval_typed_record(ty, fields, scope, locals, None, e.span)
            }
            ExprKind::Field { base, name } => return self.eval_field(base, name, scope, locals),
            ExprKind::Index { base, index } => {
                let b = self.eval(base, scope, locals, None)?;
                let i = self.eval(index, scope, locals, None)?;
                return self.index(b, i, index.span);
            }
            ExprKind::Call { callee, args } => {
                if !builtins::NAMES.contains(&callee.name.as_str()) {
                    let mut d = Diagnostic::error(
                        "E2008",
                        format!("unknown function `{}`", callee.name),
                        callee.span,
                    )
                    .with_label("not a built-in function");
                    d = match did_you_mean(&callee.name, builtins::NAMES.iter().copied()) {
                        Some(s) => d
                            .with_help(format!("did you mean `{s}`?"))
                            .with_fix(Fix::rename(callee.span, &callee.name, s)),
                        None => d.with_help(format!(
                            "the built-in functions are: {}",
                            builtins::NAMES.join(", ")
                        )),
                    };
                    self.report(d);
                    return None;
                }
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a, scope, locals, None)?);
                }
                // Size the result and count the work before building anything.
                match builtins::plan(&callee.name, &vals) {
                    Ok(cost) => {
                        if !self.charge(cost, e.span) {
                            return None;
                        }
                    }
                    Err(msg) => {
                        self.too_large(msg, e.span);
                        return None;
                    }
                }
                match builtins::call(&callee.name, vals) {
                    Ok(v) => return self.check_size(v, e.span),
                    Err(msg) => {
                        self.report_dynamic(
                            Diagnostic::error("E2007", msg, e.span)
                                .with_help(format!("see `{}` in docs/language.md", callee.name)),
                        );
                        return None;
                    }
                }
            }
            ExprKind::Unary { op, expr } => {
                let v = self.eval(expr, scope, locals, None)?;
                match (op, v) {
                    (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
                    (UnaryOp::Neg, Value::Int(i)) => match i.checked_neg() {
                        Some(n) => Value::Int(n),
                        None => return self.overflow(e.span),
                    },
                    (UnaryOp::Neg, Value::Float(f)) => Value::Float(-f),
                    (UnaryOp::Neg, Value::Quantity(mut q)) => {
                        q.value = -q.value;
                        Value::Quantity(q)
                    }
                    (op, v) => {
                        let (sym, want) = match op {
                            UnaryOp::Not => ("!", "a bool"),
                            UnaryOp::Neg => ("-", "a number or quantity"),
                        };
                        self.report(
                            Diagnostic::error(
                                "E2002",
                                format!("`{sym}` needs {want}, found {}", v.type_name()),
                                expr.span,
                            )
                            .with_help(format!("apply `{sym}` to {want}")),
                        );
                        return None;
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let v = self.eval_binary(*op, lhs, rhs, scope, locals, e.span)?;
                return self.check_size(v, e.span);
            }
            ExprKind::Cond { .. } | ExprKind::Paren(_) => return self.eval(e, scope, locals, None),
            ExprKind::ListComp {
                key,
                var,
                iter,
                body,
                cond,
            } => {
                let items = self.iteration(iter, scope, locals)?;
                let mut out = Vec::new();
                for (k, v) in items {
                    if !self.step(e.span) {
                        return None;
                    }
                    let n = locals.len();
                    if let Some(kid) = key {
                        locals.push((kid.name.clone(), k));
                    }
                    locals.push((var.name.clone(), v));
                    let keep = match cond {
                        Some(c) => self
                            .eval(c, scope, locals, Some(&Ty::Bool))
                            .map(|v| v.is_true()),
                        None => Some(true),
                    };
                    let r = match keep {
                        Some(true) => self.eval(body, scope, locals, None).map(Some),
                        Some(false) => Some(None),
                        None => None,
                    };
                    locals.truncate(n);
                    match r {
                        Some(Some(v)) => out.push(v),
                        Some(None) => {}
                        None => return None,
                    }
                }
                return self.new_list(out, e.span);
            }
            ExprKind::MapComp {
                key,
                var,
                iter,
                out_key,
                out_value,
                cond,
            } => {
                let items = self.iteration(iter, scope, locals)?;
                let mut out = BTreeMap::new();
                for (k, v) in items {
                    if !self.step(e.span) {
                        return None;
                    }
                    let n = locals.len();
                    if let Some(kid) = key {
                        locals.push((kid.name.clone(), k));
                    }
                    locals.push((var.name.clone(), v));
                    let keep = match cond {
                        Some(c) => self
                            .eval(c, scope, locals, Some(&Ty::Bool))
                            .map(|v| v.is_true()),
                        None => Some(true),
                    };
                    let r = match keep {
                        Some(true) => {
                            let kk = self.eval(out_key, scope, locals, None);
                            let vv = self.eval(out_value, scope, locals, None);
                            match (kk, vv) {
                                (Some(kk), Some(vv)) => Some(Some((kk, vv))),
                                _ => None,
                            }
                        }
                        Some(false) => Some(None),
                        None => None,
                    };
                    locals.truncate(n);
                    match r {
                        Some(Some((kk, vv))) => {
                            let ks = match kk {
                                Value::Str(s) => s.to_string(),
                                Value::Int(i) => i.to_string(),
                                other => {
                                    self.report(
                                        Diagnostic::error(
                                            "E2002",
                                            format!(
                                                "map keys must be strings, found {}",
                                                other.type_name()
                                            ),
                                            out_key.span,
                                        )
                                        .with_help("build the key with a string, e.g. `\"${x}\"`"),
                                    );
                                    return None;
                                }
                            };
                            if out.insert(ks.clone(), vv).is_some() {
                                self.report_dynamic(
                                    Diagnostic::error(
                                        "E2007",
                                        format!("duplicate key {ks:?} in map comprehension"),
                                        out_key.span,
                                    )
                                    .with_help("make the keys unique, e.g. by including the index"),
                                );
                                return None;
                            }
                        }
                        Some(None) => {}
                        None => return None,
                    }
                }
                return self.new_record(out, e.span);
            }
        })
    }

    /// The (key, value) pairs a comprehension iterates: index/element for lists, key/value for maps.
    fn iteration(
        &mut self,
        iter: &'a ast::Expr,
        scope: ScopeId,
        locals: &mut Locals,
    ) -> Option<Vec<(Value, Value)>> {
        match self.eval(iter, scope, locals, None)? {
            Value::List(l) => Some(
                l.iter()
                    .enumerate()
                    .map(|(i, v)| (Value::Int(i as i64), v.clone()))
                    .collect(),
            ),
            Value::Record(m) => Some(
                m.iter()
                    .map(|(k, v)| (Value::str(k.as_str()), v.clone()))
                    .collect(),
            ),
            v => {
                self.report(
                    Diagnostic::error(
                        "E2002",
                        format!("cannot iterate over a {}", v.type_name()),
                        iter.span,
                    )
                    .with_label("not a list or map")
                    .with_help("iterate over a list (`[for x in [1, 2]: ...]`) or a map"),
                );
                None
            }
        }
    }

    /// A list just built from evaluated elements, within the limits.
    fn new_list(&mut self, items: Vec<Value>, span: Span) -> Option<Value> {
        self.reserve_elements(items.len() as u64, 0, false, span)
            .then(|| Value::list(items))
    }

    /// A record (or map) just built from evaluated fields, within the limits.
    fn new_record(&mut self, fields: BTreeMap<String, Value>, span: Span) -> Option<Value> {
        let keys = fields.keys().map(|k| k.len() as u64).sum();
        self.reserve_elements(fields.len() as u64, keys, true, span)
            .then(|| Value::record(fields))
    }

    fn overflow(&mut self, span: Span) -> Option<Value> {
        self.report_dynamic(
            Diagnostic::error("E2007", "integer overflow", span)
                .with_help("integers are 64-bit; use smaller values"),
        );
        None
    }

    fn index(&mut self, b: Value, i: Value, span: Span) -> Option<Value> {
        match (&b, &i) {
            (Value::List(l), Value::Int(n)) => {
                if *n < 0 || *n as usize >= l.len() {
                    self.report_dynamic(
                        Diagnostic::error("E2007", format!("index {n} is out of range"), span)
                            .with_label(format!(
                                "the list has {} element{}",
                                l.len(),
                                if l.len() == 1 { "" } else { "s" }
                            ))
                            .with_help("check the length with `length(list)` first"),
                    );
                    return None;
                }
                Some(l[*n as usize].clone())
            }
            (Value::Record(m), Value::Str(k)) => match m.get(k.as_str()) {
                Some(v) => Some(v.clone()),
                None => {
                    let mut d = Diagnostic::error("E2007", format!("no key {k:?}"), span);
                    d = match did_you_mean(k, m.keys().map(String::as_str)) {
                        Some(s) => d.with_help(format!("did you mean {s:?}?")),
                        None => d.with_help(format!(
                            "the keys are: {}",
                            m.keys()
                                .map(|k| format!("{k:?}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    };
                    self.report_dynamic(d);
                    None
                }
            },
            (Value::Record(m), Value::Int(n)) => match m.get(&n.to_string()) {
                Some(v) => Some(v.clone()),
                None => {
                    self.report_dynamic(
                        Diagnostic::error("E2007", format!("no key {n}"), span)
                            .with_help("index maps with their string keys"),
                    );
                    None
                }
            },
            _ => {
                self.report(
                    Diagnostic::error(
                        "E2002",
                        format!("cannot index a {} with a {}", b.type_name(), i.type_name()),
                        span,
                    )
                    .with_help("index lists with ints and maps with strings"),
                );
                None
            }
        }
    }

    /// `db.Endpoint.Address`: a field of a record-typed attribute is an attribute too.
    fn nested_attr(&mut self, r: Ref, name: &ast::Ident) -> Option<Value> {
        let attr = r.attr.clone().unwrap_or_default();
        let schema_name = self.resources[r.resource.0 as usize].schema.clone();
        let fields: Option<Vec<String>> = self
            .schemas
            .get(&schema_name)
            .and_then(|s| s.out_type(&attr))
            .map(|t| match t.resolved() {
                Ty::Record(f) => f.keys().cloned().collect(),
                _ => Vec::new(),
            });
        let path = format!("{attr}.{}", name.name);
        match fields {
            Some(f) if f.contains(&name.name) => Some(Value::Ref(Ref {
                attr: Some(path),
                ..r
            })),
            Some(f) => {
                let mut d = Diagnostic::error(
                    "E2013",
                    format!("`{}` has no attribute `{path}`", r.name),
                    name.span,
                )
                .with_label("unknown attribute");
                d = match did_you_mean(&name.name, f.iter().map(String::as_str)) {
                    Some(s) => d
                        .with_help(format!("did you mean `{attr}.{s}`?"))
                        .with_fix(Fix::rename(name.span, &name.name, s)),
                    None if f.is_empty() => d.with_help(format!("`{attr}` is not a record")),
                    None => d.with_help(format!("the fields of `{attr}` are: {}", f.join(", "))),
                };
                self.report(d);
                None
            }
            None => {
                self.report(
                    Diagnostic::error(
                        "E2013",
                        format!("a reference has no field `{}`", name.name),
                        name.span,
                    )
                    .with_help("field access works on records, module instances and resources"),
                );
                None
            }
        }
    }

    fn eval_field(
        &mut self,
        base: &'a ast::Expr,
        name: &ast::Ident,
        scope: ScopeId,
        locals: &mut Locals,
    ) -> Option<Value> {
        // `alias.name` for a file import, `pkg.x` for a package: resolved by name, not value.
        if let ExprKind::Name(b) = &base.kind {
            if !locals.iter().any(|(n, _)| *n == b.name) {
                if let Some(sym) = self.lookup(scope, &b.name) {
                    match &self.syms[sym].kind {
                        SymKind::FileImport(unit_scope) => {
                            let unit_scope = *unit_scope;
                            return match self.scopes[unit_scope].names.get(&name.name).copied() {
                                Some(s) => self.value_of_sym(s, name.span),
                                None => {
                                    let names: Vec<String> =
                                        self.scopes[unit_scope].names.keys().cloned().collect();
                                    self.report(unknown_name(
                                        name,
                                        names.iter().map(String::as_str),
                                        &format!("module `{}`", b.name),
                                    ));
                                    None
                                }
                            };
                        }
                        SymKind::Package(p) => {
                            let p = p.clone();
                            self.report(
                                Diagnostic::error("E2002", format!("`{p}.{}` is a type, not a value", name.name), base.span.to(name.span))
                                    .with_help("use it after `:` in a declaration, e.g. `resource x: aws.s3.Bucket { ... }`"),
                            );
                            return None;
                        }
                        _ => {}
                    }
                }
            }
        }
        let b = self.eval(base, scope, locals, None)?;
        // A module instance is its outputs: say so when the name is not one of them.
        if let (ExprKind::Name(inst), Value::Record(m)) = (&base.kind, &b) {
            if !m.contains_key(&name.name) && !locals.iter().any(|(n, _)| *n == inst.name) {
                let module =
                    self.lookup(scope, &inst.name)
                        .and_then(|sym| match &self.syms[sym].kind {
                            SymKind::Instance(i) if i.for_each.is_none() => Some(i.module.text()),
                            _ => None,
                        });
                if let Some(module) = module {
                    let mut d = unknown_field_access(
                        name,
                        m.keys().map(String::as_str),
                        &format!("the outputs of `{}` ({module})", inst.name),
                    );
                    if d.fixes.is_empty() {
                        let outputs = if m.is_empty() {
                            "it has none".to_string()
                        } else {
                            let names: Vec<String> = m.keys().map(|k| format!("`{k}`")).collect();
                            format!("it has {}", names.join(", "))
                        };
                        d.help = Some(format!(
                            "a module instance is reached through the outputs its module declares ({outputs}): add `output {} = ...` to module `{module}` and use `{}.{}`",
                            name.name, inst.name, name.name
                        ));
                    }
                    self.report(d);
                    return None;
                }
            }
        }
        self.field_of(b, name)
    }

    /// `value.name`: a record field, or a resource's property or output attribute.
    pub fn field_of(&mut self, b: Value, name: &ast::Ident) -> Option<Value> {
        match b {
            Value::Record(m) => match m.get(&name.name) {
                Some(v) => Some(v.clone()),
                None => {
                    self.report(unknown_field_access(
                        name,
                        m.keys().map(String::as_str),
                        "this record",
                    ));
                    None
                }
            },
            Value::Ref(r) if r.attr.is_none() => {
                let idx = r.resource.0 as usize;
                let schema_name = self.resources[idx].schema.clone();
                let schema = self.schemas.get(&schema_name)?;
                let decl = schema
                    .outputs
                    .get(&name.name)
                    .map(|f| (true, f))
                    .or_else(|| schema.fields.get(&name.name).map(|f| (false, f)));
                if let Some((is_out, f)) = decl {
                    let def = f.span;
                    self.xref(name.span, def, crate::XRefKind::Property, |db| {
                        db.field_hover_memo(&schema_name, &name.name, is_out)
                    });
                }
                let schema = self.schemas.get(&schema_name)?;
                // An untyped resource (`cfn.Untyped`): any attribute can be read.
                let untyped =
                    schema.attrs.contains_key("untyped") && !schema.fields.contains_key(&name.name);
                if schema.outputs.contains_key(&name.name) || untyped {
                    return Some(Value::Ref(Ref {
                        attr: Some(name.name.clone()),
                        ..r
                    }));
                }
                if schema.fields.contains_key(&name.name) {
                    if !self.ensure_props(idx, name.span) {
                        return None;
                    }
                    return Some(
                        self.resources[idx]
                            .evaluated
                            .as_ref()
                            .and_then(|p| p.props.get(&name.name).cloned())
                            .unwrap_or(Value::Null),
                    );
                }
                // Attributes first, then the properties (readable too); a name that is both
                // is listed once.
                let mut names: Vec<String> = schema.outputs.keys().cloned().collect();
                for f in schema.fields.keys() {
                    if !names.contains(f) {
                        names.push(f.clone());
                    }
                }
                let mut d = Diagnostic::error(
                    "E2013",
                    format!(
                        "`{}` ({schema_name}) has no attribute `{}`",
                        r.name, name.name
                    ),
                    name.span,
                )
                .with_label("unknown attribute");
                d = match did_you_mean(&name.name, names.iter().map(String::as_str)) {
                    Some(s) => d
                        .with_help(format!("did you mean `{s}`?"))
                        .with_fix(Fix::rename(name.span, &name.name, s)),
                    None => d.with_help(format!("its attributes are: {}", names.join(", "))),
                };
                self.report(d);
                None
            }
            Value::Ref(r) if r.attr.is_some() => self.nested_attr(r, name),
            other => {
                self.report(
                    Diagnostic::error(
                        "E2013",
                        format!("a {} has no field `{}`", other.type_name(), name.name),
                        name.span,
                    )
                    .with_help("field access works on records, module instances and resources"),
                );
                None
            }
        }
    }

    fn eval_name(&mut self, id: &ast::Ident, scope: ScopeId, locals: &mut Locals) -> Option<Value> {
        if let Some((_, v)) = locals.iter().rev().find(|(n, _)| *n == id.name) {
            return Some(v.clone());
        }
        match self.lookup(scope, &id.name) {
            Some(sym) => {
                let v = self.value_of_sym(sym, id.span);
                let def = self.syms[sym].def_span;
                let vv = if self.record_xrefs { v.clone() } else { None };
                self.xref(id.span, def, crate::XRefKind::Name, |db| {
                    db.sym_hover_memo(sym, &id.name, vv.as_ref())
                });
                v
            }
            None => {
                let mut names = self.visible_names(scope);
                names.extend(locals.iter().map(|(n, _)| n.clone()));
                let mut d = unknown_name(id, names.iter().map(String::as_str), "scope");
                if id.name == "internet" {
                    d = d.with_note("`internet` is only meaningful inside `deny path(...)`");
                }
                self.report(d);
                None
            }
        }
    }

    /// The value a symbol stands for, evaluating it on first use.
    pub fn value_of_sym(&mut self, sym: usize, use_span: Span) -> Option<Value> {
        match &self.syms[sym].slot {
            Slot::Done(v) => return v.clone(),
            Slot::InProgress => {
                let def = self.syms[sym].def_span;
                self.report(
                    Diagnostic::error("E1007", "this value depends on itself", use_span)
                        .with_label("used here while it is being computed")
                        .with_secondary(def, "defined here")
                        .with_help(
                            "break the cycle: one of the values in the chain must not refer back",
                        ),
                );
                return None;
            }
            Slot::Todo => {}
        }
        self.syms[sym].slot = Slot::InProgress;
        let scope = self.syms[sym].scope;
        let v = match &self.syms[sym].kind {
            SymKind::Let(l) => {
                let l: &'a ast::Let = l;
                let ty = l.ty.as_ref().and_then(|t| self.resolve_type(t, scope));
                let mut locals = Vec::new();
                self.eval(&l.value, scope, &mut locals, ty.as_ref())
            }
            SymKind::Param(p) => {
                let p: &'a ast::Param = p;
                self.eval_param(p, scope)
            }
            SymKind::ModuleParam(p, arg) => {
                let p: &'a ast::Param = p;
                let arg = arg.as_ref().map(|a| (a.expr, a.scope, a.locals.clone()));
                let ty = p.ty.as_ref().and_then(|t| self.resolve_type(t, scope));
                match arg {
                    Some((expr, arg_scope, mut locals)) => {
                        self.eval(expr, arg_scope, &mut locals, ty.as_ref())
                    }
                    None => match &p.default {
                        Some(d) => {
                            let mut locals = Vec::new();
                            self.eval(d, scope, &mut locals, ty.as_ref())
                        }
                        None => None, // missing argument: reported at the instance
                    },
                }
            }
            SymKind::Resource(r) => {
                let r: &'a ast::Resource = r;
                self.instantiate_resource(r, scope)
            }
            SymKind::Instance(m) => {
                let m: &'a ast::ModuleInstance = m;
                self.instantiate_module(m, scope)
            }
            SymKind::Stack(i) => Some(Value::str(self.stacks[*i].decl.name.name.clone())),
            SymKind::Type(_)
            | SymKind::Module(_)
            | SymKind::Package(_)
            | SymKind::Imported(_)
            | SymKind::FileImport(_) => {
                let what = match &self.syms[sym].kind {
                    SymKind::Type(_) => "a type",
                    SymKind::Module(_) => "a module",
                    SymKind::Package(_) => "a package",
                    SymKind::Imported(_) => "an imported type",
                    _ => "an imported module",
                };
                self.report(
                    Diagnostic::error("E2002", format!("{what} cannot be used as a value"), use_span)
                        .with_secondary(self.syms[sym].def_span, "declared here")
                        .with_help("use it in a type position (after `:`), or reference a resource or `let` instead"),
                );
                self.syms[sym].slot = Slot::Todo;
                return None;
            }
        };
        self.syms[sym].slot = Slot::Done(v.clone());
        v
    }

    fn eval_param(&mut self, p: &'a ast::Param, scope: ScopeId) -> Option<Value> {
        let ty = p.ty.as_ref().and_then(|t| self.resolve_type(t, scope));
        if let Some(v) = self.overrides.get(&p.name.name).cloned() {
            if let Some(t) = &ty {
                let ms = check_value(&v, t, &DbRefs(self));
                if let Some(m) = ms.first() {
                    let mut d = Diagnostic::error(
                        "E2012",
                        format!(
                            "value {} for parameter `{}` is invalid: {}",
                            if strata_model::check::secret_path(&p.name.name) {
                                "(not shown)".to_string()
                            } else {
                                v.preview(80)
                            },
                            p.name.name,
                            if strata_model::check::secret_path(&p.name.name) {
                                "it does not fit its type".to_string()
                            } else {
                                m.kind.message()
                            }
                        ),
                        p.name.span,
                    )
                    .with_label("parameter declared here");
                    d = d.with_help(match t.literal_values() {
                        Some(vals) => format!(
                            "choose one of: {}",
                            vals.iter()
                                .map(|v| v.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        None => format!("pass a value of type {t}"),
                    });
                    self.report(d);
                    return None;
                }
            }
            return Some(v);
        }
        match &p.default {
            Some(d) => {
                let mut locals = Vec::new();
                self.eval(d, scope, &mut locals, ty.as_ref())
            }
            None => {
                self.report(
                    Diagnostic::error("E2006", format!("parameter `{}` has no value", p.name.name), p.name.span)
                        .with_label("no default and no environment sets it")
                        .with_help(format!("give it a default (`param {} ... = value`) or set it in strata.toml under `[env.NAME.params]`", p.name.name)),
                );
                None
            }
        }
    }

    fn eval_binary(
        &mut self,
        op: BinaryOp,
        lhs: &'a ast::Expr,
        rhs: &'a ast::Expr,
        scope: ScopeId,
        locals: &mut Locals,
        span: Span,
    ) -> Option<Value> {
        // Short-circuit logic.
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            let l = self.eval(lhs, scope, locals, Some(&Ty::Bool))?;
            let lb = l.is_true();
            if (op == BinaryOp::And && !lb) || (op == BinaryOp::Or && lb) {
                self.speculative += 1;
                let _ = self.eval(rhs, scope, locals, Some(&Ty::Bool));
                self.speculative -= 1;
                return Some(Value::Bool(lb));
            }
            let r = self.eval(rhs, scope, locals, Some(&Ty::Bool))?;
            return Some(Value::Bool(r.is_true()));
        }
        let l = self.eval(lhs, scope, locals, None)?;
        let r = self.eval(rhs, scope, locals, None)?;
        let bad = |db: &mut Db, l: &Value, r: &Value| {
            let mut d = Diagnostic::error(
                "E2002",
                format!(
                    "cannot apply `{}` to {} and {}",
                    op.as_str(),
                    describe_kind(l),
                    describe_kind(r)
                ),
                span,
            );
            d = match (l, r) {
                (Value::Quantity(a), Value::Quantity(b)) if a.dimension != b.dimension => {
                    d.with_label("units of different dimensions").with_help(format!("both sides must be {}s", a.dimension.name()))
                }
                (Value::Quantity(q), Value::Int(_) | Value::Float(_)) | (Value::Int(_) | Value::Float(_), Value::Quantity(q)) if matches!(op, BinaryOp::Add | BinaryOp::Sub) => {
                    d.with_help(format!("give the number a unit, e.g. `{}`", example_quantity(q.dimension)))
                }
                _ => d.with_help("both sides must be numbers, quantities of one dimension, strings (for `+` and comparison), lists (`+`) or records (`+`)"),
            };
            db.report(d);
            None
        };
        if matches!(
            op,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        ) && !self.charge(comparison_cost(&l, &r), span)
        {
            return None;
        }
        Some(match op {
            BinaryOp::Eq => Value::Bool(values_equal(&l, &r)),
            BinaryOp::Ne => Value::Bool(!values_equal(&l, &r)),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let ord = match (&l, &r) {
                    (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
                    (Value::Quantity(a), Value::Quantity(b)) if a.dimension == b.dimension => {
                        a.value.partial_cmp(&b.value)
                    }
                    (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
                    (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                        l.as_f64().partial_cmp(&r.as_f64())
                    }
                    _ => return bad(self, &l, &r),
                };
                let Some(o) = ord else {
                    return Some(Value::Bool(false));
                };
                use std::cmp::Ordering::*;
                Value::Bool(match op {
                    BinaryOp::Lt => o == Less,
                    BinaryOp::Le => o != Greater,
                    BinaryOp::Gt => o == Greater,
                    _ => o != Less,
                })
            }
            BinaryOp::Add => match (&l, &r) {
                (Value::Int(a), Value::Int(b)) => match a.checked_add(*b) {
                    Some(x) => Value::Int(x),
                    None => return self.overflow(span),
                },
                (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                    Value::Float(l.as_f64()? + r.as_f64()?)
                }
                (Value::Quantity(a), Value::Quantity(b)) if a.dimension == b.dimension => {
                    Value::Quantity(Quantity {
                        value: a.value + b.value,
                        ..a.clone()
                    })
                }
                (Value::Str(_) | Value::Interp(_), Value::Str(_) | Value::Interp(_)) => {
                    if !self.reserve_string(l.size().bytes.saturating_add(r.size().bytes), span) {
                        return None;
                    }
                    let mut parts = Vec::new();
                    builtins::append_string(&mut parts, &l).ok()?;
                    builtins::append_string(&mut parts, &r).ok()?;
                    builtins::make_string(parts)
                }
                (Value::List(a), Value::List(b)) => {
                    if !self.reserve_elements(a.len() as u64 + b.len() as u64, 0, false, span) {
                        return None;
                    }
                    Value::List(a.iter().chain(b.iter()).cloned().collect())
                }
                (Value::Record(a), Value::Record(b)) => {
                    let added: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
                    let keys = a
                        .keys()
                        .chain(added.iter().copied())
                        .map(|k| k.len() as u64)
                        .sum();
                    if !self.reserve_elements((a.len() + added.len()) as u64, keys, true, span) {
                        return None;
                    }
                    let mut m = BTreeMap::clone(a);
                    m.extend(b.iter().map(|(k, v)| (k.clone(), v.clone())));
                    Value::record(m)
                }
                _ => return bad(self, &l, &r),
            },
            BinaryOp::Sub => match (&l, &r) {
                (Value::Int(a), Value::Int(b)) => match a.checked_sub(*b) {
                    Some(x) => Value::Int(x),
                    None => return self.overflow(span),
                },
                (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                    Value::Float(l.as_f64()? - r.as_f64()?)
                }
                (Value::Quantity(a), Value::Quantity(b)) if a.dimension == b.dimension => {
                    Value::Quantity(Quantity {
                        value: a.value - b.value,
                        ..a.clone()
                    })
                }
                _ => return bad(self, &l, &r),
            },
            BinaryOp::Mul => match (&l, &r) {
                (Value::Int(a), Value::Int(b)) => match a.checked_mul(*b) {
                    Some(x) => Value::Int(x),
                    None => return self.overflow(span),
                },
                (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                    Value::Float(l.as_f64()? * r.as_f64()?)
                }
                (Value::Quantity(q), n @ (Value::Int(_) | Value::Float(_)))
                | (n @ (Value::Int(_) | Value::Float(_)), Value::Quantity(q)) => {
                    Value::Quantity(Quantity {
                        value: q.value * n.as_f64()?,
                        ..q.clone()
                    })
                }
                _ => return bad(self, &l, &r),
            },
            BinaryOp::IntDiv => match (&l, &r) {
                (Value::Int(_), Value::Int(0)) => {
                    self.report_dynamic(
                        Diagnostic::error("E2007", "division by zero", rhs.span)
                            .with_label("this is 0")
                            .with_help("make sure the divisor is not zero"),
                    );
                    return None;
                }
                (Value::Int(a), Value::Int(b)) => match a.checked_div(*b) {
                    Some(x) => Value::Int(x),
                    None => return self.overflow(span),
                },
                _ => {
                    let (side, v) = if matches!(l, Value::Int(_)) {
                        (rhs.span, &r)
                    } else {
                        (lhs.span, &l)
                    };
                    self.report(
                        Diagnostic::error(
                            "E2002",
                            format!("`~/` divides ints, not {}", describe_kind(v)),
                            side,
                        )
                        .with_label(format!("this is {}", describe_kind(v)))
                        .with_help("`a ~/ b` is the integer quotient of two ints (rounded toward zero); use `/` for floats and quantities"),
                    );
                    return None;
                }
            },
            BinaryOp::Div | BinaryOp::Rem => {
                let zero = matches!(r, Value::Int(0))
                    || matches!(r, Value::Float(f) if f == 0.0)
                    || matches!(&r, Value::Quantity(q) if q.value == 0.0);
                if zero && !matches!(l, Value::Str(_)) {
                    self.report_dynamic(
                        Diagnostic::error("E2007", "division by zero", rhs.span)
                            .with_help("make sure the divisor is not zero"),
                    );
                    return None;
                }
                match (&l, &r) {
                    (Value::Int(a), Value::Int(b)) => {
                        if op == BinaryOp::Rem {
                            // `i64::MIN % -1` is 0 (`checked_rem` would say it overflows).
                            Value::Int(a.wrapping_rem(*b))
                        } else if a.checked_rem(*b) == Some(0) {
                            Value::Int(a.checked_div(*b)?)
                        } else {
                            Value::Float(*a as f64 / *b as f64)
                        }
                    }
                    (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                        let (a, b) = (l.as_f64()?, r.as_f64()?);
                        Value::Float(if op == BinaryOp::Rem { a % b } else { a / b })
                    }
                    (Value::Quantity(q), n @ (Value::Int(_) | Value::Float(_)))
                        if op == BinaryOp::Div =>
                    {
                        Value::Quantity(Quantity {
                            value: q.value / n.as_f64()?,
                            ..q.clone()
                        })
                    }
                    (Value::Quantity(a), Value::Quantity(b))
                        if a.dimension == b.dimension && op == BinaryOp::Div =>
                    {
                        Value::Float(a.value / b.value)
                    }
                    _ => return bad(self, &l, &r),
                }
            }
            BinaryOp::And | BinaryOp::Or => unreachable!("handled above"),
        })
    }

    /// Evaluate the properties of resource `idx` if not done yet; `false` if they could not be
    /// (a cycle, reported at `use_span`). Read them from `resources[idx].evaluated`.
    pub fn ensure_props(&mut self, idx: usize, use_span: Span) -> bool {
        match self.resources[idx].props {
            Slot::Done(_) => return self.resources[idx].evaluated.is_some(),
            Slot::InProgress => {
                let def = self.resources[idx].decl.name.span;
                let name = self.resources[idx].name.clone();
                self.report(
                    Diagnostic::error("E1007", format!("the properties of `{name}` depend on themselves"), use_span)
                        .with_label("read here while they are being computed")
                        .with_secondary(def, "resource declared here")
                        .with_help("refer to an output attribute (a reference) instead of a property value to break the cycle"),
                );
                return false;
            }
            Slot::Todo => {}
        }
        self.resources[idx].props = Slot::InProgress;
        let r = self.eval_resource_body(idx);
        self.resources[idx].props = Slot::Done(None);
        let ok = r.is_some();
        self.resources[idx].evaluated = r;
        ok
    }
}

/// Hover text of a schema field.
pub(crate) fn field_hover(name: &str, is_out: bool, f: &FieldSchema) -> String {
    let mut h = format!(
        "```strata\n{}{name}{}: {}",
        if is_out { "out " } else { "" },
        if f.required || is_out { "" } else { "?" },
        f.ty
    );
    if let Some(d) = &f.default {
        h.push_str(&format!(" = {d}"));
    }
    h.push_str("\n```");
    if let Some(doc) = &f.doc {
        h.push('\n');
        h.push_str(doc);
    }
    h
}

impl<'a> Db<'a> {
    /// [`Db::sym_hover`], computed once per symbol (and whether the use had a value: a use
    /// inside the symbol's own definition has none). `name` is the symbol's own name: it was
    /// looked up by it.
    fn sym_hover_memo(&self, sym: usize, name: &str, v: Option<&Value>) -> String {
        let key = (sym, v.is_some());
        if let Some(h) = self.sym_hovers.borrow().get(&key) {
            return h.clone();
        }
        let h = self.sym_hover(sym, name, v);
        self.sym_hovers.borrow_mut().insert(key, h.clone());
        h
    }

    fn sym_hover(&self, sym: usize, name: &str, v: Option<&Value>) -> String {
        let short = |v: Option<&Value>| v.map(|v| v.preview(79));
        let (kw, doc): (String, Option<&String>) = match &self.syms[sym].kind {
            SymKind::Let(l) => (
                format!("let {name} = {}", short(v).unwrap_or_default()),
                l.doc.as_ref(),
            ),
            SymKind::Param(p) | SymKind::ModuleParam(p, _) => (
                format!("param {name} = {}", short(v).unwrap_or_default()),
                p.doc.as_ref(),
            ),
            SymKind::Resource(r) => {
                let ty = r.ty.text();
                (format!("resource {name}: {ty}"), r.doc.as_ref())
            }
            SymKind::Instance(m) => (
                format!("module {name}: {}", m.module.text()),
                m.doc.as_ref(),
            ),
            SymKind::Stack(i) => (
                format!("stack {name} ({})", self.stacks[*i].provider.as_str()),
                self.stacks[*i].decl.doc.as_ref(),
            ),
            SymKind::Type(t) => (format!("type {name}"), t.doc.as_ref()),
            SymKind::Module(m) => (format!("module {name}"), m.doc.as_ref()),
            SymKind::FileImport(_) => (format!("import … as {name}"), None),
            SymKind::Package(p) => (format!("import {p}"), None),
            SymKind::Imported(q) => (format!("import {q}"), None),
        };
        let mut h = format!("```strata\n{kw}\n```");
        if let Some(d) = doc {
            h.push('\n');
            h.push_str(d);
        }
        h
    }
}

pub(crate) enum PickedRecord<'t> {
    Record(&'t BTreeMap<String, FieldSchema>),
    Map(&'t Ty),
}

/// The record or map alternative of an expected type, if any.
pub(crate) fn pick_record(t: &Ty) -> Option<PickedRecord<'_>> {
    match t.resolved() {
        Ty::Record(fs) => Some(PickedRecord::Record(fs)),
        Ty::Map(e) => Some(PickedRecord::Map(e)),
        Ty::Union(ts) => ts.iter().find_map(pick_record),
        Ty::Any => None,
        _ => None,
    }
}

/// What comparing two values costs against the work budget: the smaller of the two written
/// out in full (nothing for two handles on the same list or record).
fn comparison_cost(a: &Value, b: &Value) -> u64 {
    match (a, b) {
        (Value::List(x), Value::List(y)) if x.ptr_eq(y) => 0,
        (Value::Record(x), Value::Record(y)) if x.ptr_eq(y) => 0,
        _ => crate::db::weight(a.size()).min(crate::db::weight(b.size())),
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        (Value::Quantity(x), Value::Quantity(y)) => {
            x.dimension == y.dimension && x.value == y.value
        }
        (Value::Cidr(x), Value::Str(y)) | (Value::Str(y), Value::Cidr(x)) => x == y,
        _ => a == b,
    }
}

fn describe_kind(v: &Value) -> String {
    let name = match v {
        Value::Quantity(q) => q.dimension.name(),
        v => v.type_name(),
    };
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

pub(crate) fn duplicate_field(name: &ast::Ident) -> Diagnostic {
    Diagnostic::error("E1002", format!("`{}` is set twice", name.name), name.span)
        .with_label("set again here")
        .with_help("remove one of the two assignments")
}

/// Why a record literal is none of the record types of a union (`Ty::pick_record`).
fn record_pick_error(
    pick: &RecordPick<'_>,
    fields: &[ast::Field],
    t: &Ty,
    shown: &Ty,
    span: Span,
) -> Diagnostic {
    let alts = t.record_alternatives();
    // Each alternative with the fields that must be written (what tells it from the others).
    let described = |sep: &str| {
        alts.iter()
            .map(|(name, fs)| {
                let req: Vec<String> = fs
                    .iter()
                    .filter(|(_, f)| f.required)
                    .map(|(k, _)| format!("`{k}`"))
                    .collect();
                if req.is_empty() {
                    format!("`{name}`")
                } else {
                    format!("`{name}` ({})", req.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join(sep)
    };
    let field = |n: &str| fields.iter().find(|f| f.name.name == n);
    match pick {
        RecordPick::Unknown(w) => match field(w) {
            Some(f) => {
                let mut all: Vec<&str> = alts
                    .iter()
                    .flat_map(|(_, fs)| fs.keys().map(String::as_str))
                    .collect();
                all.sort_unstable();
                all.dedup();
                unknown_field(&f.name, all, &format!("`{shown}`"))
            }
            None => Diagnostic::error("E2001", format!("unknown property `{w}`"), span),
        },
        RecordPick::Conflict(a, b) => {
            let at = field(b).map_or(span, |f| f.name.span);
            let mut d = Diagnostic::error(
                "E2002",
                format!(
                    "`{a}` and `{b}` cannot be set together: a `{shown}` is one of {}",
                    described(", ")
                ),
                at,
            )
            .with_label(format!("`{b}` belongs to another alternative than `{a}`"));
            if let Some(f) = field(a) {
                d = d.with_secondary(f.name.span, format!("`{a}` set here"));
            }
            d.with_help(format!(
                "keep the fields of one alternative: {}",
                described("; ")
            ))
        }
        RecordPick::Missing | RecordPick::Record(_) => Diagnostic::error(
            "E2004",
            format!(
                "missing the field that says which `{shown}` this is: one of {}",
                described(", ")
            ),
            span,
        )
        .with_label("no alternative has its required fields set")
        .with_help(format!(
            "set the required fields of one alternative: {}",
            described("; ")
        )),
    }
}

pub(crate) fn unknown_field<'s>(
    name: &ast::Ident,
    candidates: impl IntoIterator<Item = &'s str>,
    what: &str,
) -> Diagnostic {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let d = Diagnostic::error(
        "E2001",
        format!("unknown property `{}`", name.name),
        name.span,
    )
    .with_label(format!("not a property of {what}"));
    match did_you_mean(&name.name, candidates.iter().copied()) {
        Some(s) => d
            .with_help(format!("did you mean `{s}`?"))
            .with_fix(Fix::rename(name.span, &name.name, s)),
        None if candidates.is_empty() => d.with_help("remove it: this takes no properties"),
        None => d.with_help(format!("the properties are: {}", candidates.join(", "))),
    }
}

fn unknown_field_access<'s>(
    name: &ast::Ident,
    candidates: impl IntoIterator<Item = &'s str>,
    what: &str,
) -> Diagnostic {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let d = Diagnostic::error(
        "E2013",
        format!("no field `{}` in {what}", name.name),
        name.span,
    )
    .with_label("unknown field");
    match did_you_mean(&name.name, candidates.iter().copied()) {
        Some(s) => d
            .with_help(format!("did you mean `{s}`?"))
            .with_fix(Fix::rename(name.span, &name.name, s)),
        None => d.with_help(format!("the fields are: {}", candidates.join(", "))),
    }
}

pub(crate) fn unknown_name<'s>(
    id: &ast::Ident,
    candidates: impl IntoIterator<Item = &'s str>,
    where_: &str,
) -> Diagnostic {
    let d = Diagnostic::error("E1001", format!("unknown name `{}`", id.name), id.span)
        .with_label(format!("not found in this {where_}"));
    match did_you_mean(&id.name, candidates) {
        Some(s) => d
            .with_help(format!("did you mean `{s}`?"))
            .with_fix(Fix::rename(id.span, &id.name, s)),
        None => d.with_help("declare it with `let`, `param` or `resource`, or import it"),
    }
}

pub(crate) fn help_for(kind: &MismatchKind, ty: &Ty) -> String {
    match kind {
        MismatchKind::Unit { expected, .. } => format!(
            "write a {} such as `{}`",
            expected.name(),
            example_quantity(*expected)
        ),
        MismatchKind::NotAllowed { allowed, .. } => format!("use one of: {}", allowed.join(", ")),
        MismatchKind::OutOfRange { range, .. } => format!("choose a value in {range}"),
        MismatchKind::Pattern { constraint, .. } => format!("the value must have {constraint}"),
        MismatchKind::MissingField { field } => format!("add `{field} = ...`"),
        MismatchKind::UnknownField { field, candidates } => {
            match did_you_mean(field, candidates.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("allowed fields: {}", candidates.join(", ")),
            }
        }
        MismatchKind::WrongRef { expected, .. } => {
            format!("reference a resource of type `{expected}`")
        }
        MismatchKind::InvalidCidr { .. } => {
            "write an address and a prefix length, e.g. `10.0.0.0/16`".into()
        }
        MismatchKind::WrongType { found, .. } => {
            match ty.resolved() {
                // A map wants named entries; a list written in its place (`policies = [...]`) is
                // the usual slip.
                Ty::Map(inner) => {
                    let example = match inner.resolved() {
                        Ty::List(_) => "[...]",
                        Ty::Record(_) => "{ ... }",
                        Ty::Str { .. } => "\"...\"",
                        _ => "...",
                    };
                    if found == "list" {
                        format!("a map names each entry: write `{{ NAME = {example} }}` (a `map<{inner}>`), one name per entry")
                    } else {
                        format!("write a map of named entries: `{{ NAME = {example} }}` (a `map<{inner}>`)")
                    }
                }
                Ty::Quantity { dimension, .. } => format!(
                    "write a {} such as `{}`",
                    dimension.name(),
                    example_quantity(*dimension)
                ),
                Ty::Bool => "write `true` or `false`".into(),
                // A list wanted: say so, and show how one element is written.
                Ty::List(inner) => {
                    let element = help_for(kind, inner);
                    let element = element
                        .strip_prefix("write a record: ")
                        .map(|e| format!("each element a record: {e}"));
                    match (found.as_str(), element) {
                        ("record", Some(e)) => {
                            format!("write a list, even of one element: `[{{ ... }}]`; {e}")
                        }
                        (_, Some(e)) => format!("write a list `[...]`; {e}"),
                        _ => format!("write a list `[...]` of `{inner}`"),
                    }
                }
                // A named record type (`https`, `s3`): show how one is written.
                Ty::Record(fields) => {
                    let name = match ty {
                        Ty::Named(n, _) => n.as_str(),
                        _ => "",
                    };
                    let required: Vec<String> = fields
                        .iter()
                        .filter(|(_, f)| f.required && f.default.is_none())
                        .map(|(k, _)| format!("{k} = ..."))
                        .collect();
                    let optional: Vec<&str> = fields
                        .iter()
                        .filter(|(_, f)| !f.required || f.default.is_some())
                        .map(|(k, _)| k.as_str())
                        .collect();
                    let mut help = format!(
                        "write a record: `{}{{ {} }}`",
                        if name.is_empty() {
                            String::new()
                        } else {
                            format!("{name} ")
                        },
                        required.join(", ")
                    );
                    if !optional.is_empty() {
                        help.push_str(&format!(" (optional: {})", optional.join(", ")));
                    }
                    help
                }
                _ => format!("expected a value of type `{ty}`"),
            }
        }
    }
}

#[allow(dead_code)]
fn _dim(_: Dimension) {}

#[allow(dead_code)]
fn _rid(_: ResourceId) {}

/// A type as a label shows it: in full when short, else its shape — a record by its required
/// fields (the help lists all of them), a list or map by its element — so that a generated
/// type's nested record does not fill the screen.
fn shown_type(ty: &Ty) -> String {
    const MAX: usize = 100;
    let full = ty.to_string();
    if full.chars().count() <= MAX {
        return format!("`{full}`");
    }
    match ty {
        Ty::Named(name, _) => format!("`{name}`"),
        // The allowed values are what the reader needs: in full unless there are very many.
        Ty::Union(_) if full.chars().count() <= 4 * MAX => format!("`{full}`"),
        Ty::Union(alts) => format!("one of {} alternatives", alts.len()),
        Ty::Record(fields) => {
            let required: Vec<String> = fields
                .iter()
                .filter(|(_, f)| f.required)
                .map(|(k, f)| {
                    let t = f.ty.to_string();
                    if t.chars().count() > 30 {
                        format!("{k}: …")
                    } else {
                        format!("{k}: {t}")
                    }
                })
                .take(4)
                .collect();
            if required.is_empty() {
                "a record `{ … }`".to_string()
            } else {
                format!("a record `{{ {}, … }}`", required.join(", "))
            }
        }
        Ty::List(inner) => match shown_type(inner).strip_prefix('`') {
            Some(rest) => format!("`list<{}>`", rest.trim_end_matches('`')),
            None => format!("a list of {}", shown_type(inner).trim_start_matches("a ")),
        },
        Ty::Map(inner) => match shown_type(inner).strip_prefix('`') {
            Some(rest) => format!("`map<{}>`", rest.trim_end_matches('`')),
            None => format!("a map of {}", shown_type(inner).trim_start_matches("a ")),
        },
        _ => {
            let cut: String = full.chars().take(MAX).collect();
            format!("`{cut}…`")
        }
    }
}

#[cfg(test)]
mod shown_type_tests {
    use super::shown_type;
    use std::collections::BTreeMap;
    use strata_model::{FieldSchema, Ty};

    fn field(ty: Ty, required: bool) -> FieldSchema {
        FieldSchema {
            ty,
            required,
            default: None,
            doc: None,
            span: strata_base::Span::default(),
        }
    }

    #[test]
    fn long_types_are_shown_by_their_shape() {
        let mut fields = BTreeMap::new();
        fields.insert("tier".to_string(), field(Ty::string(), true));
        for k in 0..20 {
            fields.insert(format!("optional_setting_{k}"), field(Ty::Bool, false));
        }
        let record = Ty::Record(fields);
        assert_eq!(shown_type(&record), "a record `{ tier: string, … }`");
        assert_eq!(
            shown_type(&Ty::List(Box::new(record))),
            "a list of record `{ tier: string, … }`"
        );
        assert_eq!(shown_type(&Ty::Bool), "`bool`");
        let short = Ty::Union(vec![
            Ty::Literal(strata_model::Value::Str("a".into())),
            Ty::Literal(strata_model::Value::Str("b".into())),
        ]);
        assert_eq!(shown_type(&short), "`\"a\" | \"b\"`");
    }
}
