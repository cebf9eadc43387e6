//! Type expressions → [`Ty`], and `schema` declarations → [`ResourceSchema`].

use crate::db::{Db, ScopeId, SymKind};
use std::collections::BTreeMap;
use strata_base::units::Dimension;
use strata_base::{did_you_mean, Diagnostic, Fix};
use strata_model::{FieldSchema, Provider, ResourceSchema, Ty, Value};
use strata_syntax::ast::{self, TypeArg, TypeKind};

pub(crate) const BUILTIN_TYPES: &[&str] = &[
    "any",
    "bool",
    "int",
    "float",
    "number",
    "string",
    "Size",
    "Duration",
    "Money",
    "MoneyRate",
    "Cidr",
    "Port",
    "null",
    "list",
    "map",
    "ref",
];

/// What a dotted path in type position names.
pub(crate) enum TypePath<'a> {
    /// A value type.
    Ty(Ty),
    /// A resource schema, by qualified name.
    Schema(String),
    /// A module declaration.
    Module(&'a ast::ModuleDecl, ScopeId),
}

impl<'a> Db<'a> {
    /// Make the generated type `q` (`cfn.AWS.S3.Bucket`) known to this compilation, loading it
    /// from the embedded layer on first use. False when no generated type has this name.
    pub(crate) fn load_generated(&mut self, q: &str) -> bool {
        if self.schemas.get(q).is_some() {
            return true;
        }
        // A Terraform data source with no resource of its name (`tf.aws_caller_identity`) is a
        // type too, for `existing resource` only.
        match strata_stdlib::generated::schema(q)
            .or_else(|| strata_stdlib::generated::data_schema(q))
        {
            Some(s) => {
                self.schemas.map.insert(q.to_string(), s);
                true
            }
            None => false,
        }
    }

    /// Resolve a path in type position from `scope`. Reports and returns `None` when unknown.
    pub fn resolve_type_path(&mut self, path: &ast::Path, scope: ScopeId) -> Option<TypePath<'a>> {
        let text = path.text();
        let first = path.segments.first()?;
        if path.segments.len() == 1 {
            if let Some(t) = builtin(&first.name) {
                return Some(TypePath::Ty(t));
            }
        }
        // Qualified stdlib name spelled out in the stdlib itself.
        // Project schemas are global by their qualified name; stdlib ones need their import.
        let is_pkg = strata_stdlib::PACKAGES.contains(&first.name.as_str())
            || strata_stdlib::generated::is_family(&first.name);
        if (self.scopes[scope].is_stdlib || (!is_pkg && path.segments.len() > 1))
            && self.schemas.get(&text).is_some()
        {
            return Some(TypePath::Schema(text));
        }
        match self.lookup(scope, &first.name) {
            Some(sym) => {
                let rest = &path.segments[1..];
                match &self.syms[sym].kind {
                    SymKind::Type(decl) if rest.is_empty() => {
                        let decl: &'a ast::TypeDecl = decl;
                        let s = self.syms[sym].scope;
                        let t = self.resolve_named_type(sym, decl, s);
                        let tt = t.clone();
                        self.xref(path.span, decl.name.span, crate::XRefKind::Type, |_| {
                            let mut hover = format!(
                                "```strata\ntype {} = {}\n```",
                                decl.name.name,
                                tt.as_ref()
                                    .map(|t| t.resolved().to_string())
                                    .unwrap_or_default()
                            );
                            if let Some(d) = &decl.doc {
                                hover.push('\n');
                                hover.push_str(d);
                            }
                            hover
                        });
                        t.map(TypePath::Ty)
                    }
                    SymKind::Module(decl) if rest.is_empty() => {
                        let decl: &'a ast::ModuleDecl = decl;
                        Some(TypePath::Module(decl, self.syms[sym].scope))
                    }
                    SymKind::Imported(q) if rest.is_empty() => {
                        let q = q.clone();
                        self.resolve_qualified(&q, path)
                    }
                    SymKind::Package(p) => {
                        let mut q = p.clone();
                        for s in rest {
                            q.push('.');
                            q.push_str(&s.name);
                        }
                        self.resolve_qualified(&q, path)
                    }
                    SymKind::FileImport(unit_scope) if !rest.is_empty() => {
                        let unit_scope = *unit_scope;
                        let sub = ast::Path {
                            segments: rest.to_vec(),
                            span: path.span,
                        };
                        // Look only inside the imported unit (not its parents' user names).
                        if self.scopes[unit_scope].names.contains_key(&rest[0].name) {
                            self.resolve_type_path(&sub, unit_scope)
                        } else {
                            let names: Vec<String> =
                                self.scopes[unit_scope].names.keys().cloned().collect();
                            let mut d = Diagnostic::error(
                                "E1003",
                                format!(
                                    "`{}` has no type or module `{}`",
                                    first.name, rest[0].name
                                ),
                                rest[0].span,
                            )
                            .with_label("not found in the imported module");
                            d = match did_you_mean(&rest[0].name, names.iter().map(String::as_str))
                            {
                                Some(s) => d
                                    .with_help(format!("did you mean `{}.{s}`?", first.name))
                                    .with_fix(Fix::rename(rest[0].span, &rest[0].name, s)),
                                None => d.with_help(
                                    "check the name, or declare it in the imported module",
                                ),
                            };
                            self.report(d);
                            None
                        }
                    }
                    // A prelude or project name shadows a stdlib package that is not imported
                    // (`aws.ec2.Vpc` without `import aws` finds the prelude's `type aws`).
                    _ if is_pkg && !rest.is_empty() => {
                        self.report(missing_import(&text, &first.name, path.span));
                        None
                    }
                    _ => {
                        self.report(
                            Diagnostic::error("E1003", format!("`{text}` is not a type"), path.span)
                                .with_label("this names a value, not a type")
                                .with_help("use a type such as `string`, a `type` declared in the project, or a resource schema like `aws.s3.Bucket`"),
                        );
                        None
                    }
                }
            }
            None => {
                // A stdlib qualified name without its import gets a precise hint.
                if self.schemas.get(&text).is_some()
                    || strata_stdlib::PACKAGES.contains(&first.name.as_str())
                    || strata_stdlib::generated::is_family(&first.name)
                {
                    self.report(missing_import(&text, &first.name, path.span));
                    return None;
                }
                // A portable or prelude name used without import.
                let portable = format!("portable.{text}");
                if self.schemas.get(&portable).is_some() {
                    let d = Diagnostic::error("E1003", format!("unknown type `{text}`"), path.span)
                        .with_label("not imported");
                    // `import portable` names the package: its types are `portable.NAME`.
                    let package = self.visible_names(scope).iter().any(|n| n == "portable");
                    self.report(if package {
                        d.with_help(format!(
                            "`import portable` brings its types as `{portable}`: write that, or import the name with `import portable.{{{text}}}`"
                        ))
                        .with_fix(Fix::rename(path.span, &text, &portable))
                    } else {
                        d.with_help(format!(
                            "add `import portable.{{{text}}}` at the top of the file"
                        ))
                    });
                    return None;
                }
                let mut candidates = self.visible_names(scope);
                candidates.extend(BUILTIN_TYPES.iter().map(|s| s.to_string()));
                let mut d = Diagnostic::error("E1003", format!("unknown type `{text}`"), path.span)
                    .with_label("no type or resource schema of this name");
                d = match did_you_mean(&text, candidates.iter().map(String::as_str)) {
                    Some(s) => d
                        .with_help(format!("did you mean `{s}`?"))
                        .with_fix(Fix::rename(path.span, &text, s)),
                    None => d.with_help("declare it with `type`, import it, or use a stdlib schema such as `aws.s3.Bucket`"),
                };
                self.report(d);
                None
            }
        }
    }

    fn resolve_qualified(&mut self, q: &str, path: &ast::Path) -> Option<TypePath<'a>> {
        if self.schemas.get(q).is_some() || self.load_generated(q) {
            return Some(TypePath::Schema(q.to_string()));
        }
        if let Some(family) = strata_stdlib::generated::family_of(q) {
            let mut d =
                Diagnostic::error("E1003", format!("unknown resource type `{q}`"), path.span)
                    .with_label(format!("no such type in `{}`", family.name));
            let near =
                crate::suggest::nearest(q, strata_stdlib::generated::names(Some(family.name)), 3);
            d = if near.is_empty() {
                d.with_help(format!(
                    "`strata schema list --family {}` lists the {} it offers",
                    family.name, family.title
                ))
            } else {
                d.with_help(format!(
                    "did you mean {}?",
                    near.iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            };
            self.report(d);
            return None;
        }
        // Stdlib value types are defined in the stdlib scope (scope 0) under their last segment.
        let last = q.rsplit('.').next().unwrap_or(q);
        if let Some(sym) = self.scopes[0].names.get(last).copied() {
            if let SymKind::Type(decl) = &self.syms[sym].kind {
                let decl: &'a ast::TypeDecl = decl;
                return self.resolve_named_type(sym, decl, 0).map(TypePath::Ty);
            }
        }
        let prefix = q.split('.').next().unwrap_or("");
        let candidates: Vec<&str> = self
            .schemas
            .names()
            .filter(|n| n.starts_with(prefix))
            .collect();
        let mut d = Diagnostic::error("E1003", format!("unknown resource type `{q}`"), path.span)
            .with_label("no such schema in the standard library");
        d = match did_you_mean(q, candidates) {
            Some(s) => d
                .with_help(format!("did you mean `{s}`?"))
                .with_fix(Fix::rename(path.span, q, s)),
            None => d.with_help(format!(
                "see the `{prefix}` package in the stdlib for the types it offers"
            )),
        };
        self.report(d);
        None
    }

    pub fn resolve_named_type(
        &mut self,
        sym: usize,
        decl: &'a ast::TypeDecl,
        scope: ScopeId,
    ) -> Option<Ty> {
        if let Some(t) = self.type_cache.get(&sym) {
            return Some(t.clone());
        }
        if self.resolving_types.contains(&sym) {
            self.report(
                Diagnostic::error(
                    "E1007",
                    format!("type `{}` is defined in terms of itself", decl.name.name),
                    decl.name.span,
                )
                .with_label("recursive type")
                .with_help("types cannot refer to themselves; use a list or map of a simpler type"),
            );
            return None;
        }
        self.resolving_types.push(sym);
        let t = self.resolve_type(&decl.ty, scope);
        self.resolving_types.pop();
        let t = Ty::Named(decl.name.name.clone(), Box::new(t?));
        self.type_cache.insert(sym, t.clone());
        Some(t)
    }

    /// Resolve a type expression. Errors are reported; an unresolvable part becomes `any` so
    /// checking continues without cascades.
    pub fn resolve_type(&mut self, t: &'a ast::TypeExpr, scope: ScopeId) -> Option<Ty> {
        Some(match &t.kind {
            TypeKind::Error => Ty::Any,
            TypeKind::Literal(e) => {
                let v = self.eval_const(e, scope)?;
                Ty::Literal(v)
            }
            TypeKind::Union(ts) => {
                let mut out = Vec::new();
                for x in ts {
                    out.push(self.resolve_type(x, scope).unwrap_or(Ty::Any));
                }
                Ty::Union(out)
            }
            TypeKind::Record(fields) => Ty::Record(self.resolve_fields(fields.iter(), scope)),
            TypeKind::Generic { path, params } => {
                let name = path.text();
                let arity = |db: &mut Db, n: usize| {
                    if params.len() != n {
                        db.report(
                            Diagnostic::error(
                                "E1003",
                                format!(
                                    "`{name}` takes {n} type parameter{}",
                                    if n == 1 { "" } else { "s" }
                                ),
                                t.span,
                            )
                            .with_help(format!("write `{name}<T>`")),
                        );
                    }
                };
                match name.as_str() {
                    "list" | "map" => {
                        arity(self, 1);
                        let inner = match params.first() {
                            Some(p) => self.resolve_type(p, scope).unwrap_or(Ty::Any),
                            None => Ty::Any,
                        };
                        if name == "list" {
                            Ty::List(Box::new(inner))
                        } else {
                            Ty::Map(Box::new(inner))
                        }
                    }
                    "ref" => {
                        arity(self, 1);
                        match params.first().map(|p| &p.kind) {
                            Some(TypeKind::Named { path: rp, .. }) if rp.text() == "any" => {
                                Ty::Ref(None)
                            }
                            Some(TypeKind::Named { path: rp, .. }) => match self
                                .resolve_type_path(rp, scope)?
                            {
                                TypePath::Schema(s) => Ty::Ref(Some(s)),
                                _ => {
                                    self.report(
                                        Diagnostic::error(
                                            "E1003",
                                            format!("`ref<{}>` needs a resource type", rp.text()),
                                            rp.span,
                                        )
                                        .with_help("write `ref<aws.kms.Key>` or `ref<any>`"),
                                    );
                                    Ty::Ref(None)
                                }
                            },
                            _ => Ty::Ref(None),
                        }
                    }
                    _ => {
                        self.report(
                            Diagnostic::error(
                                "E1003",
                                format!("`{name}` is not a generic type"),
                                path.span,
                            )
                            .with_help("the generic types are `list<T>`, `map<T>` and `ref<T>`"),
                        );
                        Ty::Any
                    }
                }
            }
            TypeKind::Named { path, args } => {
                let base = match self.resolve_type_path(path, scope)? {
                    TypePath::Ty(t) => t,
                    TypePath::Schema(s) => Ty::Ref(Some(s)),
                    TypePath::Module(..) => {
                        self.report(
                            Diagnostic::error(
                                "E1003",
                                format!("`{}` is a module, not a type", path.text()),
                                path.span,
                            )
                            .with_help("instantiate modules with `module NAME: Module { ... }`"),
                        );
                        return None;
                    }
                };
                if args.is_empty() {
                    base
                } else {
                    self.apply_constraints(base, args, scope, t)
                }
            }
        })
    }

    fn apply_constraints(
        &mut self,
        base: Ty,
        args: &'a [TypeArg],
        scope: ScopeId,
        t: &ast::TypeExpr,
    ) -> Ty {
        let mut ty = base.resolved().clone();
        for a in args {
            match a {
                TypeArg::Range { lo, hi, span } => {
                    let lo = lo.as_ref().and_then(|e| self.eval_const(e, scope));
                    let hi = hi.as_ref().and_then(|e| self.eval_const(e, scope));
                    match &mut ty {
                        Ty::Int { min, max } => {
                            *min = lo.as_ref().and_then(Value::as_i64).or(*min);
                            *max = hi.as_ref().and_then(Value::as_i64).or(*max);
                        }
                        Ty::Float { min, max } => {
                            *min = lo.as_ref().and_then(Value::as_f64).or(*min);
                            *max = hi.as_ref().and_then(Value::as_f64).or(*max);
                        }
                        Ty::Quantity {
                            dimension,
                            min,
                            max,
                        } => {
                            for (bound, slot) in [(lo, min), (hi, max)] {
                                match bound {
                                    Some(Value::Quantity(q)) if q.dimension == *dimension => {
                                        *slot = Some(q.value)
                                    }
                                    Some(v) => {
                                        self.report(
                                            Diagnostic::error(
                                                "E2003",
                                                format!(
                                                    "range bound {v} is not a {}",
                                                    dimension.name()
                                                ),
                                                *span,
                                            )
                                            .with_help(format!(
                                                "write bounds with units, e.g. `{}`",
                                                example_quantity(*dimension)
                                            )),
                                        )
                                    }
                                    None => {}
                                }
                            }
                        }
                        Ty::Str {
                            min_len, max_len, ..
                        } => {
                            *min_len = lo
                                .as_ref()
                                .and_then(Value::as_i64)
                                .map(|x| x.max(0) as usize);
                            *max_len = hi
                                .as_ref()
                                .and_then(Value::as_i64)
                                .map(|x| x.max(0) as usize);
                        }
                        _ => self.report(
                            Diagnostic::error(
                                "E1003",
                                format!("type `{base}` does not take a range"),
                                *span,
                            )
                            .with_help(
                                "ranges apply to int, float, string (length) and quantities",
                            ),
                        ),
                    }
                }
                TypeArg::Named(f) => {
                    let v = self.eval_const(&f.value, scope);
                    match (&mut ty, f.name.name.as_str(), v) {
                        (Ty::Str { pattern, .. }, "pattern", Some(Value::Str(p))) => {
                            // The stdlib's patterns are valid (its test checks each one): they
                            // compile when a value is first matched, not on every run.
                            let trusted = self.scopes[scope].unit == 0 && !self.check_stdlib_patterns;
                            if !trusted {
                                self.patterns_validated += 1;
                            }
                            let checked = if trusted { Ok(()) } else { strata_model::pattern::validate(&p) };
                            if let Err(e) = checked {
                                self.report(
                                    Diagnostic::error("E2005", "invalid pattern", f.value.span).with_label(e).with_help("write a valid regular expression (Rust regex syntax)"),
                                );
                            } else {
                                *pattern = Some(p.to_string());
                            }
                        }
                        (Ty::Str { min_len, .. }, "min_len", Some(Value::Int(n))) => *min_len = Some(n.max(0) as usize),
                        (Ty::Str { max_len, .. }, "max_len", Some(Value::Int(n))) => *max_len = Some(n.max(0) as usize),
                        (Ty::Int { min, .. }, "min", Some(Value::Int(n))) => *min = Some(n),
                        (Ty::Int { max, .. }, "max", Some(Value::Int(n))) => *max = Some(n),
                        (_, name, _) => self.report(
                            Diagnostic::error("E1003", format!("unknown constraint `{name}` for `{base}`"), f.name.span)
                                .with_help("strings take `pattern`, `min_len`, `max_len`; ints take `min`, `max` or a range `lo..hi`"),
                        ),
                    }
                }
            }
        }
        let _ = t;
        match base {
            Ty::Named(n, _) => Ty::Named(n, Box::new(ty)),
            _ => ty,
        }
    }

    pub fn resolve_fields<I: IntoIterator<Item = &'a ast::FieldDecl>>(
        &mut self,
        fields: I,
        scope: ScopeId,
    ) -> BTreeMap<String, FieldSchema> {
        let mut out = BTreeMap::new();
        for f in fields {
            let ty = self.resolve_type(&f.ty, scope).unwrap_or(Ty::Any);
            let default = match &f.default {
                Some(e) => {
                    let v = self.eval_const(e, scope);
                    if let Some(v) = &v {
                        self.check_against(v, &ty, e.span);
                    }
                    v
                }
                None => None,
            };
            if out.contains_key(&f.name.name) {
                self.report(
                    Diagnostic::error(
                        "E1002",
                        format!("field `{}` is declared twice", f.name.name),
                        f.name.span,
                    )
                    .with_help("remove one of the declarations"),
                );
                continue;
            }
            let required = !f.optional && f.default.is_none();
            out.insert(
                f.name.name.clone(),
                FieldSchema {
                    ty,
                    required,
                    default,
                    doc: f.doc.clone(),
                    span: f.name.span,
                },
            );
        }
        out
    }

    /// Build a schema from its declaration.
    pub fn build_schema(&mut self, decl: &'a ast::SchemaDecl, scope: ScopeId) -> ResourceSchema {
        let name = decl.name.text();
        let mut attrs = BTreeMap::new();
        for a in &decl.attrs {
            if let Some(v) = self.eval_const(&a.value, scope) {
                attrs.insert(a.name.name.clone(), v);
            }
        }
        let provider = attrs
            .get("provider")
            .and_then(Value::as_str)
            .and_then(Provider::parse)
            .or_else(|| {
                decl.name
                    .segments
                    .first()
                    .and_then(|s| Provider::parse(&s.name))
            })
            .unwrap_or(Provider::None);
        let fields = self.resolve_fields(decl.fields.iter().filter(|f| !f.output), scope);
        let outputs = self.resolve_fields(decl.fields.iter().filter(|f| f.output), scope);
        // A name may be both a property and an `out` attribute (a VPC's `cidr`): reading it
        // as `vpc.cidr` then gives the reference, so the dependency is kept.
        ResourceSchema {
            name,
            provider,
            doc: decl.doc.clone(),
            fields,
            outputs,
            attrs,
            span: decl.name.span,
        }
    }
}

pub(crate) fn builtin(name: &str) -> Option<Ty> {
    Some(match name {
        "any" => Ty::Any,
        "bool" => Ty::Bool,
        "int" => Ty::int(),
        "float" | "number" => Ty::Float {
            min: None,
            max: None,
        },
        "string" => Ty::string(),
        "Size" => Ty::Quantity {
            dimension: Dimension::Size,
            min: None,
            max: None,
        },
        "Duration" => Ty::Quantity {
            dimension: Dimension::Duration,
            min: None,
            max: None,
        },
        "Money" => Ty::Quantity {
            dimension: Dimension::Money,
            min: None,
            max: None,
        },
        "MoneyRate" => Ty::Quantity {
            dimension: Dimension::MoneyRate,
            min: None,
            max: None,
        },
        "Cidr" => Ty::Cidr,
        "Port" => Ty::Named(
            "Port".into(),
            Box::new(Ty::Int {
                min: Some(0),
                max: Some(65535),
            }),
        ),
        "null" => Ty::Null,
        _ => return None,
    })
}

pub(crate) fn example_quantity(d: Dimension) -> &'static str {
    match d {
        Dimension::Size => "100 GiB",
        Dimension::Duration => "30d",
        Dimension::MoneyRate => "500 USD/month",
        Dimension::Money => "100 USD",
    }
}

/// `aws.ec2.Vpc` written without `import aws`: the import as a fix, inserted at the top of the
/// file (the same fix for every such name of the file, applied once).
fn missing_import(text: &str, pkg: &str, span: strata_base::Span) -> Diagnostic {
    let top = strata_base::Span {
        file: span.file,
        start: 0,
        end: 0,
    };
    Diagnostic::error("E1003", format!("unknown type `{text}`"), span)
        .with_label("not imported")
        .with_help(format!("add `import {pkg}` at the top of the file"))
        .with_fix(Fix::replace(
            format!("Add `import {pkg}`"),
            top,
            format!("import {pkg}\n"),
            strata_base::Applicability::MachineApplicable,
        ))
}
