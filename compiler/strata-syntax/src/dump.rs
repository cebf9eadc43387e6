//! A compact, span-free rendering of the syntax tree: one item per line (with nested bodies
//! indented) and expressions as S-expressions. Used by the parser snapshots and to compare
//! trees "modulo spans" (the formatter must not change the tree).

use crate::ast::*;
use std::fmt::Write;

/// Render a file's tree without spans. Two files have equal dumps iff their trees are equal
/// apart from spans (comments are not part of the dump).
pub fn dump(file: &File) -> String {
    let mut out = String::new();
    for item in &file.items {
        item_(&mut out, item, 0);
    }
    out
}

/// Render one expression as an S-expression.
pub fn dump_expr(e: &Expr) -> String {
    let mut s = String::new();
    expr(&mut s, e);
    s
}

/// Render one type.
pub fn dump_type(t: &TypeExpr) -> String {
    let mut s = String::new();
    ty(&mut s, t);
    s
}

fn pad(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push_str("  ");
    }
}

fn doc(out: &mut String, d: &Doc, n: usize) {
    if let Some(d) = d {
        pad(out, n);
        let _ = writeln!(out, "doc {d:?}");
    }
}

fn fields(out: &mut String, fs: &[Field], n: usize) {
    for f in fs {
        pad(out, n);
        field(out, f);
        out.push('\n');
    }
}

fn field(out: &mut String, f: &Field) {
    if let Some(d) = &f.doc {
        let _ = write!(out, "doc {d:?} ");
    }
    if f.quoted {
        let _ = write!(out, "{:?}", f.name.name);
    } else {
        out.push_str(&f.name.name);
    }
    out.push_str(" = ");
    expr(out, &f.value);
}

fn fielddecl(out: &mut String, f: &FieldDecl) {
    if f.output {
        out.push_str("out ");
    }
    out.push_str(&f.name.name);
    if f.optional {
        out.push('?');
    }
    out.push_str(": ");
    ty(out, &f.ty);
    if let Some(d) = &f.default {
        out.push_str(" = ");
        expr(out, d);
    }
}

fn for_each(out: &mut String, fe: &Option<ForEach>) {
    if let Some(fe) = fe {
        let _ = write!(out, " [{} in ", fe.var.name);
        expr(out, &fe.iter);
        out.push(']');
    }
}

fn item_(out: &mut String, item: &Item, n: usize) {
    pad(out, n);
    match item {
        Item::Import(i) => match &i.kind {
            ImportKind::Package { path, names } => {
                let _ = write!(out, "import {}", path.text());
                if let Some(names) = names {
                    let list: Vec<&str> = names.iter().map(|i| i.name.as_str()).collect();
                    let _ = write!(out, ".{{{}}}", list.join(", "));
                }
                out.push('\n');
            }
            ImportKind::File { path, alias, .. } => {
                let _ = writeln!(out, "import {path:?} as {}", alias.name);
            }
        },
        Item::Param(p) => {
            let _ = write!(out, "param {}", p.name.name);
            if let Some(t) = &p.ty {
                out.push_str(": ");
                ty(out, t);
            }
            if let Some(d) = &p.default {
                out.push_str(" = ");
                expr(out, d);
            }
            out.push('\n');
            doc(out, &p.doc, n + 1);
        }
        Item::Let(l) => {
            let _ = write!(out, "let {}", l.name.name);
            if let Some(t) = &l.ty {
                out.push_str(": ");
                ty(out, t);
            }
            out.push_str(" = ");
            expr(out, &l.value);
            out.push('\n');
            doc(out, &l.doc, n + 1);
        }
        Item::Type(t) => {
            let _ = write!(out, "type {} = ", t.name.name);
            ty(out, &t.ty);
            out.push('\n');
            doc(out, &t.doc, n + 1);
        }
        Item::Schema(s) => {
            let _ = writeln!(out, "schema {}", s.name.text());
            doc(out, &s.doc, n + 1);
            for a in &s.attrs {
                pad(out, n + 1);
                out.push('@');
                field(out, a);
                out.push('\n');
            }
            for f in &s.fields {
                pad(out, n + 1);
                fielddecl(out, f);
                out.push('\n');
                doc(out, &f.doc, n + 2);
            }
        }
        Item::Stack(s) => {
            let _ = writeln!(out, "stack {}", s.name.name);
            doc(out, &s.doc, n + 1);
            fields(out, &s.body, n + 1);
        }
        Item::Resource(r) => {
            let _ = write!(out, "resource {}", r.name.name);
            for_each(out, &r.for_each);
            let _ = writeln!(out, ": {}", r.ty.text());
            doc(out, &r.doc, n + 1);
            fields(out, &r.body, n + 1);
        }
        Item::Module(m) => {
            let _ = writeln!(out, "module {}", m.name.name);
            doc(out, &m.doc, n + 1);
            for i in &m.items {
                item_(out, i, n + 1);
            }
        }
        Item::ModuleInstance(m) => {
            let _ = write!(out, "module {}", m.name.name);
            for_each(out, &m.for_each);
            let _ = writeln!(out, ": {}", m.module.text());
            doc(out, &m.doc, n + 1);
            fields(out, &m.body, n + 1);
        }
        Item::Output(o) => {
            let _ = write!(out, "output {}", o.name.name);
            if let Some(t) = &o.ty {
                out.push_str(": ");
                ty(out, t);
            }
            out.push_str(" = ");
            expr(out, &o.value);
            out.push('\n');
            doc(out, &o.doc, n + 1);
        }
        Item::Policy(p) => {
            let _ = writeln!(out, "policy {:?}", p.title);
            doc(out, &p.doc, n + 1);
            fields(out, &p.settings, n + 1);
            for r in &p.rules {
                pad(out, n + 1);
                match r {
                    PolicyRule::DenyPath { from, to, .. } => {
                        let _ = write!(out, "deny path({} ~> {})", from.text(), to.text());
                    }
                    PolicyRule::Deny {
                        binder, ty, cond, ..
                    } => {
                        let _ = write!(out, "deny {}: {} => ", binder.name, ty.text());
                        expr(out, cond);
                    }
                    PolicyRule::Require {
                        binder, ty, cond, ..
                    } => {
                        let _ = write!(out, "require {}: {} => ", binder.name, ty.text());
                        expr(out, cond);
                    }
                }
                out.push('\n');
            }
        }
        Item::Error(_) => out.push_str("<error item>\n"),
    }
}

fn ty(out: &mut String, t: &TypeExpr) {
    match &t.kind {
        TypeKind::Named { path, args } => {
            out.push_str(&path.text());
            if !args.is_empty() {
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    match a {
                        TypeArg::Range { lo, hi, .. } => {
                            if let Some(lo) = lo {
                                expr(out, lo);
                            }
                            out.push_str("..");
                            if let Some(hi) = hi {
                                expr(out, hi);
                            }
                        }
                        TypeArg::Named(f) => field(out, f),
                    }
                }
                out.push(')');
            }
        }
        TypeKind::Generic { path, params } => {
            out.push_str(&path.text());
            out.push('<');
            for (i, p) in params.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                ty(out, p);
            }
            out.push('>');
        }
        TypeKind::Literal(e) => expr(out, e),
        TypeKind::Union(alts) => {
            out.push_str("(|");
            for a in alts {
                out.push(' ');
                ty(out, a);
            }
            out.push(')');
        }
        TypeKind::Record(fs) => {
            out.push('{');
            for (i, f) in fs.iter().enumerate() {
                if i > 0 {
                    out.push_str("; ");
                }
                if let Some(d) = &f.doc {
                    let _ = write!(out, "doc {d:?} ");
                }
                fielddecl(out, f);
            }
            out.push('}');
        }
        TypeKind::Error => out.push_str("<error>"),
    }
}

fn exprs(out: &mut String, es: &[Expr]) {
    for e in es {
        out.push(' ');
        expr(out, e);
    }
}

fn comp_vars(out: &mut String, key: &Option<Ident>, var: &Ident) {
    match key {
        Some(k) => {
            let _ = write!(out, "[{} {}]", k.name, var.name);
        }
        None => out.push_str(&var.name),
    }
}

fn expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Null => out.push_str("null"),
        ExprKind::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        ExprKind::Int(i) => {
            let _ = write!(out, "{i}");
        }
        ExprKind::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        ExprKind::Str(parts) => {
            if let [StrPart::Lit(s)] = parts.as_slice() {
                let _ = write!(out, "{s:?}");
            } else {
                out.push_str("(str");
                for p in parts {
                    out.push(' ');
                    match p {
                        StrPart::Lit(s) => {
                            let _ = write!(out, "{s:?}");
                        }
                        StrPart::Interp(e) => {
                            out.push_str("${");
                            expr(out, e);
                            out.push('}');
                        }
                    }
                }
                out.push(')');
            }
        }
        ExprKind::Quantity { value, unit } => {
            let _ = write!(out, "(qty {value:?} {unit})");
        }
        ExprKind::Cidr(c) => {
            let _ = write!(out, "(cidr {c})");
        }
        ExprKind::Name(n) => out.push_str(&n.name),
        ExprKind::List(items) => {
            out.push_str("(list");
            exprs(out, items);
            out.push(')');
        }
        ExprKind::Record(fs) => {
            out.push_str("(record");
            for f in fs {
                out.push(' ');
                field(out, f);
                out.push(';');
            }
            out.push(')');
        }
        ExprKind::TypedRecord { ty, fields } => {
            let _ = write!(out, "(typed {}", ty.text());
            for f in fields {
                out.push(' ');
                field(out, f);
                out.push(';');
            }
            out.push(')');
        }
        ExprKind::Field { base, name } => {
            out.push_str("(. ");
            expr(out, base);
            let _ = write!(out, " {})", name.name);
        }
        ExprKind::Index { base, index } => {
            out.push_str("(index ");
            expr(out, base);
            out.push(' ');
            expr(out, index);
            out.push(')');
        }
        ExprKind::Call { callee, args } => {
            let _ = write!(out, "(call {}", callee.name);
            exprs(out, args);
            out.push(')');
        }
        ExprKind::Unary { op, expr: inner } => {
            out.push_str(match op {
                UnaryOp::Not => "(! ",
                UnaryOp::Neg => "(neg ",
            });
            expr(out, inner);
            out.push(')');
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let _ = write!(out, "({} ", op.as_str());
            expr(out, lhs);
            out.push(' ');
            expr(out, rhs);
            out.push(')');
        }
        ExprKind::Cond {
            cond,
            then,
            otherwise,
        } => {
            out.push_str("(? ");
            expr(out, cond);
            out.push(' ');
            expr(out, then);
            out.push(' ');
            expr(out, otherwise);
            out.push(')');
        }
        ExprKind::ListComp {
            key,
            var,
            iter,
            body,
            cond,
        } => {
            out.push_str("(list-for ");
            comp_vars(out, key, var);
            out.push(' ');
            expr(out, iter);
            out.push(' ');
            expr(out, body);
            if let Some(c) = cond {
                out.push_str(" if ");
                expr(out, c);
            }
            out.push(')');
        }
        ExprKind::MapComp {
            key,
            var,
            iter,
            out_key,
            out_value,
            cond,
        } => {
            out.push_str("(map-for ");
            comp_vars(out, key, var);
            out.push(' ');
            expr(out, iter);
            out.push(' ');
            expr(out, out_key);
            out.push_str(" => ");
            expr(out, out_value);
            if let Some(c) = cond {
                out.push_str(" if ");
                expr(out, c);
            }
            out.push(')');
        }
        ExprKind::Paren(inner) => {
            out.push_str("(paren ");
            expr(out, inner);
            out.push(')');
        }
        ExprKind::Error => out.push_str("<error>"),
    }
}
