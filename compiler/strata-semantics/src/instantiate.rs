//! Declarations → symbols; resources and module instances → numbered resources with
//! evaluated, schema-checked properties; stacks and policies.

use crate::db::{
    ArgSrc, Db, EvaluatedProps, Locals, ResourceInfo, ScopeId, Slot, StackInfo, SymKind,
};
use crate::eval::{duplicate_field, unknown_field};
use crate::types::TypePath;
use std::collections::BTreeMap;
use strata_base::units::Dimension;
use strata_base::{Diagnostic, Span};
use strata_model::{Provider, Ref, ResourceId, Ty, Value};
use strata_syntax::ast::{self, Item};

/// Properties every resource accepts besides its schema's.
pub(crate) const RESERVED: &[&str] = &["depends_on", "stack", "on_delete", "on_replace"];

/// Most resources one program may declare (also after `for` expansion).
pub(crate) const MAX_RESOURCES: usize = 1_000_000;
/// Longest key of a `[x in ...]` resource or module instance, in bytes: it becomes part of the
/// resource's name (`queues["emails"]`), which every reference to it carries.
pub(crate) const MAX_KEY: usize = 1024;
/// Most module instances one program may create (modules instantiating modules multiply).
pub(crate) const MAX_INSTANCES: usize = 100_000;

impl<'a> Db<'a> {
    /// Define the names of `items` in `scope`. `top` is false inside module declarations.
    pub fn register_items(
        &mut self,
        scope: ScopeId,
        items: &'a [Item],
        unit_files: Option<&HashImports>,
    ) {
        for item in items {
            match item {
                Item::Import(imp) => match &imp.kind {
                    ast::ImportKind::Package { path, names } => {
                        let pkg = path.text();
                        let root = path.segments.first().map(|s| s.name.as_str()).unwrap_or("");
                        let generated = strata_stdlib::generated::is_family(root);
                        if !strata_stdlib::PACKAGES.contains(&root) && !generated {
                            let mut d = Diagnostic::error(
                                "E1004",
                                format!("unknown package `{pkg}`"),
                                path.span,
                            )
                            .with_label("not a stdlib package");
                            let all = strata_stdlib::PACKAGES
                                .iter()
                                .copied()
                                .chain(strata_stdlib::generated::FAMILIES.iter().map(|f| f.name));
                            d = match strata_base::did_you_mean(root, all) {
                                Some(s) => {
                                    let d = d.with_help(format!("did you mean `import {s}`?"));
                                    match path.segments.first() {
                                        Some(first) => d.with_fix(strata_base::Fix::rename(first.span, root, s)),
                                        None => d,
                                    }
                                }
                                None => d.with_help(format!(
                                    "the stdlib packages are {} and the generated families {}; project files are imported with `import \"./path\" as name`",
                                    strata_stdlib::PACKAGES.join(", "),
                                    strata_stdlib::generated::FAMILIES.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
                                )),
                            };
                            self.report(d);
                            continue;
                        }
                        if generated && path.segments.len() > 1 && names.is_none() {
                            self.report(
                                Diagnostic::error("E1004", format!("import `{pkg}` names part of a type"), path.span)
                                    .with_help(format!("import the family (`import {root}`) and write the full name, or pick types: `import {pkg}.{{Name}}`")),
                            );
                            continue;
                        }
                        match names {
                            None => {
                                let last = path.segments.last().cloned().unwrap_or(ast::Ident {
                                    name: pkg.clone(),
                                    span: path.span,
                                });
                                self.define_import(scope, &last, SymKind::Package(pkg));
                            }
                            Some(names) => {
                                for n in names {
                                    let q = format!("{pkg}.{}", n.name);
                                    let known = if generated {
                                        self.load_generated(&q)
                                    } else {
                                        self.schemas.get(&q).is_some()
                                            || self.scopes[0].names.contains_key(&n.name)
                                    };
                                    if !known && generated {
                                        let near = crate::suggest::nearest(
                                            &q,
                                            strata_stdlib::generated::names(Some(root)),
                                            3,
                                        );
                                        let mut d = Diagnostic::error(
                                            "E1004",
                                            format!("`{pkg}` has no `{}`", n.name),
                                            n.span,
                                        )
                                        .with_label("not in this family");
                                        d = if near.is_empty() {
                                            d.with_help(format!("`strata schema list --family {root}` lists its types"))
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
                                        continue;
                                    }
                                    if !known {
                                        let cands: Vec<String> = self
                                            .schemas
                                            .names()
                                            .filter_map(|s| {
                                                s.strip_prefix(&format!("{pkg}."))
                                                    .map(str::to_string)
                                            })
                                            .collect();
                                        let mut d = Diagnostic::error(
                                            "E1004",
                                            format!("`{pkg}` has no `{}`", n.name),
                                            n.span,
                                        )
                                        .with_label("not in this package");
                                        d = match strata_base::did_you_mean(
                                            &n.name,
                                            cands.iter().map(String::as_str),
                                        ) {
                                            Some(s) => d
                                                .with_help(format!("did you mean `{s}`?"))
                                                .with_fix(strata_base::Fix::rename(
                                                    n.span, &n.name, s,
                                                )),
                                            None => d.with_help(format!(
                                                "see stdlib/{pkg} for the types `{pkg}` offers"
                                            )),
                                        };
                                        self.report(d);
                                        continue;
                                    }
                                    self.define_import(scope, n, SymKind::Imported(q));
                                }
                            }
                        }
                    }
                    ast::ImportKind::File { alias, .. } => {
                        if let Some(target) = unit_files.and_then(|m| m.get(&imp.span)) {
                            self.define(scope, alias, SymKind::FileImport(*target));
                        }
                    }
                },
                Item::Param(p) => {
                    self.define(scope, &p.name, SymKind::Param(p));
                }
                Item::Let(l) => {
                    self.define(scope, &l.name, SymKind::Let(l));
                }
                Item::Type(t) => {
                    self.define(scope, &t.name, SymKind::Type(t));
                }
                Item::Module(m) => {
                    self.define(scope, &m.name, SymKind::Module(m));
                }
                Item::Resource(r) => {
                    self.define(scope, &r.name, SymKind::Resource(r));
                }
                Item::ModuleInstance(m) => {
                    self.define(scope, &m.name, SymKind::Instance(m));
                }
                Item::Stack(s) => {
                    let idx = self.stacks.len();
                    self.stacks.push(StackInfo {
                        decl: s,
                        scope,
                        provider: Provider::None,
                    });
                    self.define(scope, &s.name, SymKind::Stack(idx));
                }
                Item::Output(o) => {
                    if self.scopes[scope]
                        .outputs
                        .iter()
                        .any(|x| x.name.name == o.name.name)
                    {
                        self.report(duplicate_field(&o.name));
                    } else {
                        self.scopes[scope].outputs.push(o);
                    }
                }
                Item::Policy(p) => self.policies.push((p, scope)),
                Item::Schema(_) | Item::Error(_) => {}
            }
        }
    }

    fn define_import(&mut self, scope: ScopeId, name: &ast::Ident, kind: SymKind<'a>) {
        // Importing the same thing twice is harmless; anything else is a duplicate.
        if let Some(&existing) = self.scopes[scope].names.get(&name.name) {
            let same = match (&self.syms[existing].kind, &kind) {
                (SymKind::Package(a), SymKind::Package(b))
                | (SymKind::Imported(a), SymKind::Imported(b)) => a == b,
                _ => false,
            };
            if same {
                return;
            }
        }
        self.define(scope, name, kind);
    }

    /// Instantiate every resource and module instance declared directly in `scope` (in order).
    pub fn instantiate_all(&mut self, scope: ScopeId) {
        let mut syms: Vec<(Span, usize)> = self.scopes[scope]
            .names
            .values()
            .copied()
            .filter(|&s| {
                matches!(
                    self.syms[s].kind,
                    SymKind::Resource(_) | SymKind::Instance(_)
                )
            })
            .map(|s| (self.syms[s].def_span, s))
            .collect();
        syms.sort();
        for (span, s) in syms {
            let _ = self.value_of_sym(s, span);
        }
    }

    /// Keys and loop values of a `[x in expr]` clause; `None` after an error.
    fn for_each_items(
        &mut self,
        fe: &'a ast::ForEach,
        scope: ScopeId,
    ) -> Option<Vec<(String, Value)>> {
        let v = self.eval_const(&fe.iter, scope)?;
        // A key becomes part of a resource name, which every reference carries.
        let long_key = match &v {
            Value::List(l) => l.iter().filter_map(Value::as_str).map(str::len).max(),
            Value::Record(m) => m.keys().map(String::len).max(),
            _ => None,
        };
        if let Some(n) = long_key.filter(|&n| n > MAX_KEY) {
            self.too_large(format!("a key of {n} bytes is longer than the limit of {MAX_KEY} bytes for the key of a resource or module instance"), fe.iter.span);
            return None;
        }
        match v {
            Value::List(l) => {
                // Instances are keyed by element (`x["443"]`, `x["emails"]`), so reordering the
                // list keeps each resource's name; by position only when an element is not a
                // string, number or CIDR (records).
                let scalar = |x: &Value| match x {
                    Value::Str(s) | Value::Cidr(s) => Some(s.to_string()),
                    Value::Int(n) => Some(n.to_string()),
                    _ => None,
                };
                let by_element = l.iter().all(|x| scalar(x).is_some());
                let mut seen = std::collections::BTreeSet::new();
                let mut out = Vec::new();
                for (i, x) in l.iter().cloned().enumerate() {
                    let key = if by_element {
                        scalar(&x).unwrap_or_default()
                    } else {
                        i.to_string()
                    };
                    if !seen.insert(key.clone()) {
                        self.report(
                            Diagnostic::error(
                                "E1002",
                                format!("`{}` produces the key {key:?} twice", fe.var.name),
                                fe.iter.span,
                            )
                            .with_help("each element must be unique: it names a resource"),
                        );
                        return None;
                    }
                    out.push((key, x));
                }
                Some(out)
            }
            Value::Record(m) => Some(
                m.keys()
                    .map(|k| (k.clone(), Value::str(k.as_str())))
                    .collect(),
            ),
            other => {
                self.report(
                    Diagnostic::error("E2002", format!("cannot create one per element of a {}", other.type_name()), fe.iter.span)
                        .with_help("iterate over a list of strings (`[q in [\"a\", \"b\"]]`), a `range(n)` or a map"),
                );
                None
            }
        }
    }

    fn resource_schema_name(&mut self, r: &ast::Resource, scope: ScopeId) -> Option<String> {
        let ty = &r.ty;
        match self.resolve_type_path(ty, scope)? {
            TypePath::Schema(s) => {
                let def = self.schemas.get(&s).map(|x| x.span).unwrap_or(ty.span);
                self.xref(ty.span, def, crate::XRefKind::Schema, |db| {
                    db.schema_hover_memo(&s)
                });
                Some(s)
            }
            // `resource blog: Site { ... }` for a module instance.
            TypePath::Module(..) => {
                let mut d = Diagnostic::error(
                    "E1003",
                    format!("`{}` is a module, not a resource type", ty.text()),
                    ty.span,
                )
                .with_label("a module")
                .with_help(format!(
                    "an instance of a module is declared with `module`: `module {}: {} {{ ... }}`",
                    r.name.name,
                    ty.text()
                ));
                if r.existing.is_none() {
                    let kw = strata_base::Span {
                        file: r.span.file,
                        start: r.span.start,
                        end: r.span.start + "resource".len() as u32,
                    };
                    d = d.with_fix(strata_base::Fix::replace(
                        "Declare a module instance",
                        kw,
                        "module",
                        strata_base::Applicability::MachineApplicable,
                    ));
                }
                self.report(d);
                None
            }
            _ => {
                self.report(
                    Diagnostic::error("E1003", format!("`{}` is not a resource type", ty.text()), ty.span)
                        .with_label("a resource needs a resource schema")
                        .with_help("use a stdlib schema like `aws.s3.Bucket` or `portable.ObjectStore`, or declare one with `schema`"),
                );
                None
            }
        }
    }

    /// Allocate the resource(s) of a declaration. Returns the reference (or a map of references
    /// for `[x in ...]`).
    pub fn instantiate_resource(&mut self, r: &'a ast::Resource, scope: ScopeId) -> Option<Value> {
        let mut schema = self.resource_schema_name(r, scope)?;
        if self
            .schemas
            .get(&schema)
            .is_some_and(|s| s.attrs.contains_key("untyped"))
        {
            self.report(
                Diagnostic::info("E2014", format!("`{}` is untyped: nothing checks its properties against a schema", r.name.name), r.ty.span)
                    .with_label("untyped")
                    .with_help("prefer a generated type (`strata schema list`), or for Kubernetes custom resources list the CRD files in strata.toml (`[kubernetes] crds`)"),
            );
        }
        let data_only = self
            .schemas
            .get(&schema)
            .is_some_and(|s| s.attrs.contains_key("data"));
        if data_only && r.existing.is_none() {
            self.report(
                Diagnostic::error("E1010", format!("`{schema}` is only a Terraform data source: it reads something that exists, it creates nothing"), r.ty.span)
                    .with_label("a data source")
                    .with_help(format!("declare it `existing resource {}: {schema} {{ ... }}`", r.name.name)),
            );
            return None;
        }
        if let Some(kw) = r.existing {
            let key = format!("{}{schema}", strata_stdlib::generated::EXISTING);
            if self.schemas.get(&key).is_none() {
                match strata_stdlib::generated::existing_schema(&schema) {
                    Ok(s) => {
                        self.schemas.map.insert(key.clone(), std::sync::Arc::new(s));
                    }
                    Err(why) => {
                        self.report(
                            Diagnostic::error("E1010", format!("`{schema}` cannot be an existing resource: {why}"), r.ty.span)
                                .with_secondary(kw, "declared existing here")
                                .with_help("existing resources are typed from the generated layer: a Terraform data source (`tf.aws_s3_bucket`), or a `cfn.*`, `kube.*` or `dm.*` type named by its identifier"),
                        );
                        return None;
                    }
                }
            }
            schema = key;
        }
        let prefix = self.scopes[scope].prefix.clone();
        let mut order = self.scopes[scope].order.clone();
        order.push((r.span.file.0, r.span.start));
        let stack_hint = self.scopes[scope].stack;
        let alloc = |db: &mut Db<'a>,
                     name: String,
                     locals: Locals,
                     key: Option<String>|
         -> Option<Value> {
            if strata_base::memory::over_budget() {
                db.report(
                        Diagnostic::error("E2007", format!("the project needs more than {} MiB of memory to evaluate", strata_base::memory::budget() >> 20), r.name.span)
                            .with_label("too many resources for one process")
                            .with_help("split the project, or raise the budget with STRATA_MEMORY_LIMIT on a machine with more memory"),
                    );
                return None;
            }
            if db.resources.len() >= MAX_RESOURCES {
                db.report(
                    Diagnostic::error(
                        "E4005",
                        format!("more than {MAX_RESOURCES} resources"),
                        r.name.span,
                    )
                    .with_help("split the project into several"),
                );
                return None;
            }
            let id = ResourceId(db.resources.len() as u32);
            db.resources.push(ResourceInfo {
                name: name.clone(),
                schema: schema.clone(),
                decl: r,
                scope,
                locals,
                order: order.clone(),
                key,
                props: Slot::Todo,
                evaluated: None,
                stack_hint,
            });
            Some(Value::Ref(Ref {
                resource: id,
                name,
                attr: None,
            }))
        };
        match &r.for_each {
            None => alloc(self, format!("{prefix}{}", r.name.name), Vec::new(), None),
            Some(fe) => {
                let items = self.for_each_items(fe, scope)?;
                let mut out = BTreeMap::new();
                for (key, v) in items {
                    let name = format!("{prefix}{}[{key:?}]", r.name.name);
                    if let Some(rv) = alloc(
                        self,
                        name,
                        vec![(fe.var.name.clone(), v)],
                        Some(key.clone()),
                    ) {
                        out.insert(key, rv);
                    }
                }
                Some(Value::record(out))
            }
        }
    }

    /// Instantiate a module: a new scope per instance with the module's items, arguments
    /// bound to its parameters. Returns the instance's outputs as a record (or a map of them).
    pub fn instantiate_module(
        &mut self,
        m: &'a ast::ModuleInstance,
        scope: ScopeId,
    ) -> Option<Value> {
        let (decl, decl_scope) = match self.resolve_type_path(&m.module, scope)? {
            TypePath::Module(d, s) => (d, s),
            _ => {
                self.report(
                    Diagnostic::error(
                        "E1008",
                        format!("`{}` is not a module", m.module.text()),
                        m.module.span,
                    )
                    .with_help(
                        "declare it with `module Name { ... }` or import the file that does",
                    ),
                );
                return None;
            }
        };
        if self.scopes[scope].order.len() > 64 {
            self.report(
                Diagnostic::error("E1007", "modules are nested more than 64 deep", m.name.span)
                    .with_help("a module may not instantiate itself"),
            );
            return None;
        }
        if self.scopes[scope]
            .order
            .iter()
            .filter(|o| **o == (decl.span.file.0, decl.span.start))
            .count()
            > 0
        {
            self.report(
                Diagnostic::error(
                    "E1007",
                    format!("module `{}` instantiates itself", decl.name.name),
                    m.name.span,
                )
                .with_help("a module may not contain an instance of itself"),
            );
            return None;
        }
        let one = |db: &mut Db<'a>, name: String, locals: Locals| -> Option<Value> {
            // Modules instantiating modules multiply: 25 levels of two instances each are
            // 2^25 instances.
            if db.instances.len() >= MAX_INSTANCES {
                if !db.out_of_instances {
                    db.out_of_instances = true;
                    db.report(
                        Diagnostic::error("E2007", format!("more than {MAX_INSTANCES} module instances"), m.name.span)
                            .with_label("the limit is reached here")
                            .with_help("modules that instantiate modules multiply their instances; flatten the nesting or split the project"),
                    );
                }
                return None;
            }
            let inst = db.new_scope(Some(decl_scope), db.scopes[decl_scope].unit);
            db.scopes[inst].prefix = format!("{}{name}.", db.scopes[scope].prefix);
            let mut order = db.scopes[scope].order.clone();
            order.push((m.span.file.0, m.span.start));
            order.push((decl.span.file.0, decl.span.start));
            db.scopes[inst].order = order;
            db.scopes[inst].stack = db.scopes[scope].stack;
            db.scopes[inst].call = db.scopes[scope].call.or(Some(m.name.span));
            // Arguments: each field must name a parameter of the module.
            let params: Vec<&'a ast::Param> = decl
                .items
                .iter()
                .filter_map(|i| {
                    if let Item::Param(p) = i {
                        Some(p)
                    } else {
                        None
                    }
                })
                .collect();
            let mut given: BTreeMap<&str, &'a ast::Field> = BTreeMap::new();
            for f in &m.body {
                if f.name.name == "stack" {
                    let mut l = locals.clone();
                    if let Some(Value::Str(s)) = db.eval(&f.value, scope, &mut l, None) {
                        db.scopes[inst].stack =
                            db.stacks.iter().position(|x| x.decl.name.name == s);
                    }
                    continue;
                }
                if f.name.name == "depends_on" {
                    db.report(
                        Diagnostic::error(
                            "E2001",
                            "`depends_on` is not supported on module instances",
                            f.name.span,
                        )
                        .with_help("put `depends_on` on the resources inside the module"),
                    );
                    continue;
                }
                if !params.iter().any(|p| p.name.name == f.name.name) {
                    db.report(unknown_field(
                        &f.name,
                        params.iter().map(|p| p.name.name.as_str()),
                        &format!("module `{}`", decl.name.name),
                    ));
                    continue;
                }
                if given.insert(f.name.name.as_str(), f).is_some() {
                    db.report(duplicate_field(&f.name));
                }
            }
            for p in &params {
                match given.get(p.name.name.as_str()) {
                    Some(f) => {
                        db.define(
                            inst,
                            &p.name,
                            SymKind::ModuleParam(
                                p,
                                Some(ArgSrc {
                                    expr: &f.value,
                                    scope,
                                    locals: locals.clone(),
                                }),
                            ),
                        );
                    }
                    None => {
                        if p.default.is_none() {
                            db.report(
                                Diagnostic::error(
                                    "E2004",
                                    format!(
                                        "missing argument `{}` for module `{}`",
                                        p.name.name, decl.name.name
                                    ),
                                    m.name.span,
                                )
                                .with_label(format!("`{}` is not set", p.name.name))
                                .with_secondary(p.name.span, "parameter declared here")
                                .with_help(format!("add `{} = ...` to the instance", p.name.name)),
                            );
                        }
                        db.define(inst, &p.name, SymKind::ModuleParam(p, None));
                    }
                }
            }
            let others: Vec<&'a Item> = decl
                .items
                .iter()
                .filter(|i| !matches!(i, Item::Param(_)))
                .collect();
            for it in others {
                db.register_items(inst, std::slice::from_ref(it), None);
            }
            db.instances.push(inst);
            db.instantiate_all(inst);
            // Outputs of the instance.
            let outs: Vec<&'a ast::Output> = db.scopes[inst].outputs.clone();
            let mut rec = BTreeMap::new();
            let mut complete = true;
            for o in outs {
                let ty = o.ty.as_ref().and_then(|t| db.resolve_type(t, inst));
                let mut l = Vec::new();
                match db.eval(&o.value, inst, &mut l, ty.as_ref()) {
                    Some(v) => {
                        rec.insert(o.name.name.clone(), v);
                    }
                    None => complete = false,
                }
            }
            // Past the limit of instances, an incomplete instance poisons its users rather
            // than giving each enclosing level an error about the output it lacks.
            if !complete && db.out_of_instances {
                return None;
            }
            Some(Value::record(rec))
        };
        match &m.for_each {
            None => one(self, m.name.name.clone(), Vec::new()),
            Some(fe) => {
                let items = self.for_each_items(fe, scope)?;
                let mut out = BTreeMap::new();
                for (key, v) in items {
                    let locals = vec![(fe.var.name.clone(), v)];
                    if let Some(val) = one(self, format!("{}[{key:?}]", m.name.name), locals) {
                        out.insert(key, val);
                    }
                }
                Some(Value::record(out))
            }
        }
    }

    /// Evaluate and check the body of resource `idx` against its schema.
    pub fn eval_resource_body(&mut self, idx: usize) -> Option<EvaluatedProps> {
        let decl = self.resources[idx].decl;
        let scope = self.resources[idx].scope;
        let mut locals = self.resources[idx].locals.clone();
        let schema_name = self.resources[idx].schema.clone();
        let schema = self.schema_rc(&schema_name)?;
        let mut out = EvaluatedProps {
            stack: self.resources[idx].stack_hint,
            ..Default::default()
        };
        for f in &decl.body {
            let name = f.name.name.as_str();
            if out.spans.contains_key(name) || (name == "depends_on" && !out.depends_on.is_empty())
            {
                self.report(duplicate_field(&f.name));
                continue;
            }
            if name == "depends_on" && !schema.fields.contains_key("depends_on") {
                if let Some(v) = self.eval(&f.value, scope, &mut locals, None) {
                    let mut refs = Vec::new();
                    collect_dep_refs(&v, &mut refs);
                    if refs.is_empty() || !deps_only(&v) {
                        self.report(
                            Diagnostic::error(
                                "E2002",
                                "`depends_on` takes a list of resources",
                                f.value.span,
                            )
                            .with_help("write `depends_on = [other_resource]`"),
                        );
                    }
                    for r in refs {
                        out.depends_on.push((r, f.value.span));
                    }
                }
                out.spans.insert("depends_on".into(), f.name.span);
                continue;
            }
            if name == "stack" && !schema.fields.contains_key("stack") {
                match self.eval(&f.value, scope, &mut locals, None) {
                    Some(Value::Str(s)) => {
                        match self.stacks.iter().position(|x| x.decl.name.name == s) {
                            Some(i) => out.stack = Some(i),
                            None => self.report(
                                Diagnostic::error(
                                    "E1001",
                                    format!("no stack named `{s}`"),
                                    f.value.span,
                                )
                                .with_help("name a `stack` declared in the project"),
                            ),
                        }
                    }
                    Some(_) => self.report(
                        Diagnostic::error(
                            "E2002",
                            "`stack` takes the name of a stack",
                            f.value.span,
                        )
                        .with_help("write `stack = main` where `stack main { ... }` is declared"),
                    ),
                    None => {}
                }
                out.spans.insert("stack".into(), f.name.span);
                continue;
            }
            if matches!(name, "on_delete" | "on_replace") && !schema.fields.contains_key(name) {
                out.spans.insert(name.to_string(), f.name.span);
                if decl.existing.is_some() {
                    self.report(
                        Diagnostic::error(
                            "E2001",
                            format!("`{name}` has no effect on an existing resource"),
                            f.name.span,
                        )
                        .with_label("Strata never creates nor deletes it")
                        .with_help("remove this line"),
                    );
                    continue;
                }
                let removal = match self.eval(&f.value, scope, &mut locals, None) {
                    Some(Value::Str(s)) => match strata_model::Removal::parse(&s) {
                        Some(r) => Some(r),
                        None => {
                            let mut d = Diagnostic::error(
                                "E2005",
                                format!("`{name}` cannot be \"{s}\""),
                                f.value.span,
                            )
                            .with_label("not one of \"delete\", \"retain\", \"snapshot\"");
                            d = match strata_base::did_you_mean(&s, strata_model::Removal::NAMES) {
                                Some(m) => d.with_help(format!("did you mean \"{m}\"?")),
                                None => d.with_help("write \"retain\" to keep the cloud object, \"snapshot\" to keep a final snapshot of it, or \"delete\""),
                            };
                            self.report(d);
                            None
                        }
                    },
                    Some(_) => {
                        self.report(
                            Diagnostic::error(
                                "E2002",
                                format!("`{name}` takes \"delete\", \"retain\" or \"snapshot\""),
                                f.value.span,
                            )
                            .with_label("not a string")
                            .with_help(format!("write `{name} = \"retain\"`")),
                        );
                        None
                    }
                    None => None,
                };
                if let Some(r) = removal {
                    let slot = if name == "on_delete" {
                        &mut out.on_delete
                    } else {
                        &mut out.on_replace
                    };
                    *slot = Some((r, f.name.span));
                }
                continue;
            }
            if schema.outputs.contains_key(name) && !schema.fields.contains_key(name) {
                self.report(
                    Diagnostic::error(
                        "E2009",
                        format!("`{name}` is an output of {schema_name} and cannot be set"),
                        f.name.span,
                    )
                    .with_label("assigned an output attribute")
                    .with_help(format!(
                        "remove this line; read it elsewhere as `{}.{name}`",
                        decl.name.name
                    )),
                );
                continue;
            }
            let Some(fs) = schema.fields.get(name) else {
                let mut cands: Vec<&str> = schema.fields.keys().map(String::as_str).collect();
                cands.extend(RESERVED);
                self.report(unknown_field(&f.name, cands, &format!("`{schema_name}`")));
                continue;
            };
            out.spans.insert(name.to_string(), f.name.span);
            let fs_span = fs.span;
            self.xref(f.name.span, fs_span, crate::XRefKind::Property, |db| {
                db.field_hover_memo(&schema_name, name, false)
            });
            // `x = cond ? value : null` on a property that may be omitted means "unset here":
            // accept null for it (then the default, if any, applies).
            let nullable = !fs.required && may_be_null(&f.value);
            let widened;
            let ty = if nullable {
                widened = Ty::Union(vec![fs.ty.clone(), Ty::Null]);
                &widened
            } else {
                &fs.ty
            };
            let secret = strata_model::check::secret_path(name);
            self.secret_field += u32::from(secret);
            let v = self.eval(&f.value, scope, &mut locals, Some(ty));
            self.secret_field -= u32::from(secret);
            if let Some(v) = v {
                if v.is_null() && nullable {
                    out.spans.remove(name);
                    if let Some(d) = &fs.default {
                        out.props.insert(name.to_string(), d.clone());
                    }
                    out.spans.insert(name.to_string(), f.name.span);
                } else {
                    self.record_sites(name, &f.value, scope, &locals, &v, &mut out.sites);
                    out.props.insert(name.to_string(), v);
                }
            }
        }
        out.sites.call = self.scopes[scope].call;
        let mut missing = Vec::new();
        for (k, fs) in &schema.fields {
            if out.spans.contains_key(k) {
                continue;
            }
            if let Some(d) = &fs.default {
                out.props.insert(k.clone(), d.clone());
            } else if fs.required {
                missing.push((k.clone(), fs.ty.clone(), fs.span));
            }
        }
        let shown = schema_name
            .strip_prefix(strata_stdlib::generated::EXISTING)
            .unwrap_or(&schema_name);
        for (k, ty, decl_span) in missing {
            let mut d = Diagnostic::error(
                "E2004",
                format!("missing required property `{k}` of `{shown}`"),
                decl.name.span,
            )
            .with_label(format!("`{k}` is not set"));
            // Generated types have no declaration in a source file.
            if decl_span != Span::default() {
                d = d.with_secondary(decl_span, "declared here");
            }
            self.report(d.with_help(format!("add `{k} = <{ty}>` to `{}`", decl.name.name)));
        }
        Some(out)
    }

    /// Evaluate the stacks: provider, budget, tags.
    pub fn eval_stacks(&mut self) -> Vec<strata_model::Stack> {
        let mut out = Vec::new();
        for i in 0..self.stacks.len() {
            let decl = self.stacks[i].decl;
            let scope = self.stacks[i].scope;
            let mut stack = strata_model::Stack {
                name: decl.name.name.clone(),
                provider: Provider::None,
                provider_config: BTreeMap::new(),
                budget: None,
                budget_span: None,
                tags: BTreeMap::new(),
                span: decl.name.span,
                backend: None,
            };
            let mut seen_provider = false;
            for f in &decl.body {
                let mut locals = Vec::new();
                match f.name.name.as_str() {
                    "provider" => {
                        seen_provider = true;
                        let provider = match &f.value.kind {
                            ast::ExprKind::TypedRecord { ty, .. } => {
                                ty.segments.first().and_then(|s| Provider::parse(&s.name))
                            }
                            _ => None,
                        };
                        match provider {
                            Some(p) if p != Provider::Portable && p != Provider::None => {
                                stack.provider = p;
                                self.stacks[i].provider = p;
                                // Settings are checked against the prelude's provider type
                                // (`type aws = {...}`) when the stdlib declares one.
                                let typed = match &f.value.kind {
                                    ast::ExprKind::TypedRecord { ty, .. } => ty.segments.len() == 1 && self.scopes[0].names.contains_key(&ty.segments[0].name),
                                    _ => false,
                                };
                                let value = match (&f.value.kind, typed) {
                                    (ast::ExprKind::TypedRecord { fields, .. }, false) => {
                                        let mut m = BTreeMap::new();
                                        for fld in fields {
                                            if let Some(v) = self.eval(&fld.value, scope, &mut locals, None) {
                                                m.insert(fld.name.name.clone(), v);
                                            }
                                        }
                                        Some(Value::record(m))
                                    }
                                    _ => self.eval(&f.value, scope, &mut locals, None),
                                };
                                if let Some(Value::Record(m)) = value {
                                    stack.provider_config = m.into_inner();
                                }
                            }
                            _ => self.report(
                                Diagnostic::error("E2010", "`provider` must name a cloud", f.value.span)
                                    .with_label("not a provider")
                                    .with_help("write `provider = aws { region = \"us-east-1\" }` (or gcp, azure, kubernetes)"),
                            ),
                        }
                    }
                    "budget" => {
                        let ty = Ty::Quantity {
                            dimension: Dimension::MoneyRate,
                            min: Some(0.0),
                            max: None,
                        };
                        if let Some(Value::Quantity(q)) =
                            self.eval(&f.value, scope, &mut locals, Some(&ty))
                        {
                            stack.budget = Some(q.value);
                            stack.budget_span = Some(f.value.span);
                        }
                    }
                    "tags" => {
                        let ty = Ty::Map(Box::new(Ty::string()));
                        if let Some(Value::Record(m)) =
                            self.eval(&f.value, scope, &mut locals, Some(&ty))
                        {
                            stack.tags = m
                                .iter()
                                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                                .collect();
                        }
                    }
                    "description" => {
                        let _ = self.eval(&f.value, scope, &mut locals, Some(&Ty::string()));
                    }
                    "backend" => stack.backend = self.eval_backend(f, scope),
                    name => {
                        let d = unknown_field(
                            &f.name,
                            ["provider", "budget", "tags", "description", "backend"],
                            "a stack",
                        );
                        // A provider setting written on the stack itself: say where it goes,
                        // in the cloud the stack names, else the one the setting belongs to.
                        let example = match (written_cloud(decl).as_deref(), name) {
                            (_, n)
                                if !matches!(
                                    n,
                                    "region" | "project" | "location" | "namespace"
                                ) =>
                            {
                                None
                            }
                            (Some("gcp"), _) | (None, "project") => {
                                Some("gcp { project = \"my-project\", region = \"europe-west1\" }")
                            }
                            (Some("azure"), _) | (None, "location") => {
                                Some("azure { location = \"westeurope\" }")
                            }
                            (Some("kubernetes"), _) | (None, "namespace") => {
                                Some("kubernetes { namespace = \"web\" }")
                            }
                            _ => Some("aws { region = \"us-east-1\" }"),
                        };
                        self.report(match example {
                            Some(e) => d.with_help(format!("`{name}` is a setting of the provider: write it inside the provider, as in `provider = {e}`")),
                            None => d,
                        });
                    }
                }
            }
            if !seen_provider {
                self.report(
                    Diagnostic::error("E2010", format!("stack `{}` has no provider", decl.name.name), decl.name.span)
                        .with_label("which cloud?")
                        .with_help("add `provider = aws { region = \"us-east-1\" }` (or gcp, azure, kubernetes)"),
                );
            }
            out.push(stack);
        }
        out
    }
}

impl<'a> Db<'a> {
    /// `backend = s3 { ... }` of a stack: one of the Terraform backends, its settings checked
    /// against the prelude type of that name (`type s3 = { ... }`).
    fn eval_backend(&mut self, f: &'a ast::Field, scope: ScopeId) -> Option<strata_model::Backend> {
        let names = strata_model::BACKENDS;
        let ty = match &f.value.kind {
            ast::ExprKind::TypedRecord { ty, .. } => ty,
            _ => {
                self.report(
                    Diagnostic::error("E2010", "`backend` must name a Terraform backend", f.value.span)
                        .with_label("not a backend")
                        .with_help(format!("write `backend = s3 {{ bucket = \"...\", key = \"...\", region = \"...\" }}` (the backends are {})", names.join(", "))),
                );
                return None;
            }
        };
        let kind = ty.text();
        if !names.contains(&kind.as_str()) {
            let mut d = Diagnostic::error("E2010", format!("unknown backend `{kind}`"), ty.span)
                .with_label("not a Terraform backend Strata knows");
            d = match strata_base::did_you_mean(&kind, names.iter().copied()) {
                Some(s) => d
                    .with_help(format!(
                        "did you mean `{s}`? The backends are {}",
                        names.join(", ")
                    ))
                    .with_fix(strata_base::Fix::rename(ty.span, &kind, s)),
                None => d.with_help(format!("the backends are {}", names.join(", "))),
            };
            self.report(d);
            return None;
        }
        let mut locals = Vec::new();
        let settings = self
            .eval(&f.value, scope, &mut locals, None)?
            .as_record()?
            .clone();
        Some(strata_model::Backend {
            kind,
            settings,
            span: f.value.span,
        })
    }
}

/// Import targets by the span of the `import` item.
pub(crate) type HashImports = std::collections::HashMap<Span, ScopeId>;

/// Whether an expression can evaluate to a literal `null` (directly or in a branch).
fn may_be_null(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::Null => true,
        ast::ExprKind::Paren(x) => may_be_null(x),
        ast::ExprKind::Cond {
            then, otherwise, ..
        } => may_be_null(then) || may_be_null(otherwise),
        _ => false,
    }
}

fn collect_dep_refs(v: &Value, out: &mut Vec<u32>) {
    match v {
        Value::Ref(r) => out.push(r.resource.0),
        Value::List(l) => l.iter().for_each(|x| collect_dep_refs(x, out)),
        Value::Record(m) => m.values().for_each(|x| collect_dep_refs(x, out)),
        _ => {}
    }
}

fn deps_only(v: &Value) -> bool {
    match v {
        Value::Ref(_) => true,
        Value::List(l) => l.iter().all(deps_only),
        Value::Record(m) => m.values().all(deps_only),
        _ => false,
    }
}

/// The cloud named by a stack's `provider = CLOUD { ... }`, as written.
fn written_cloud(decl: &ast::Stack) -> Option<String> {
    decl.body
        .iter()
        .find(|f| f.name.name == "provider")
        .and_then(|f| match &f.value.kind {
            ast::ExprKind::TypedRecord { ty, .. } => ty.segments.first().map(|s| s.name.clone()),
            _ => None,
        })
}
