//! Terraform: every resource and data source of the pinned providers (aws, google, azurerm,
//! kubernetes), read from the jsii assembly (`package/.jsii`) of the `@cdktf/provider-*` npm
//! package, which cdktf generates from the provider's own schema. Names stay Terraform's:
//! `aws_s3_bucket` → `tf.aws_s3_bucket`, arguments and blocks in snake_case.
//!
//! How the assembly maps back to Terraform:
//! - a class whose base is `cdktf.TerraformResource` / `cdktf.TerraformDataSource` is a type; its
//!   docs link to the registry page, `…/docs/resources/s3_bucket aws_s3_bucket`, which gives the
//!   Terraform name and the page;
//! - the struct of its `config` parameter holds the arguments; each property's docs link
//!   (`…#force_destroy`) gives the real argument name (cdktf renames a few: `self` →
//!   `selfAttribute`, `get_password_data` → `fetchPasswordData`, `equals` → `equalTo`);
//! - a property typed as a struct is a nested object: a block when its summary is
//!   `"<name> block."` (at most one item when typed as the struct itself, any number when typed as
//!   an array of it), otherwise a nested attribute / attribute-as-block, written `name = {…}` or
//!   `name = [{…}]` in HCL (`Obj`, `List(Obj)`, `Map(Obj)`); a property summarised as a block but
//!   typed `any` is a block cdktf left open (too deep or recursive: wafv2 statements) → `OpenBlock`;
//! - `cdktf.IResolvable` in a union only means "any expression" and is dropped;
//! - the immutable getters of the resource class (and of a block's `…OutputReference` class) that
//!   are not arguments are the computed-only attributes; their names are camelCase only, so they
//!   are mapped back through the argument names the assembly documents, else converted;
//! - the SDKv2 `id` argument cdktf adds to every config ("automatically added … below 2") is an
//!   attribute, not an argument;
//! - a large assembly may be a `jsii/file-redirect` to a gzipped file; it is followed.
//!
//! Nested attributes and SDKv2 attributes-as-blocks (`ConfigMode: SchemaConfigModeAttr`, e.g.
//! `aws_security_group.ingress`) look the same in the assembly: an attribute of object type. Both
//! are `Obj` / `List(Obj)` here, and both accept `name = [{…}]`; an emitter should write every
//! field of such an object (`null` when unset), since an attribute-as-block written that way
//! requires them all, and writing `null` for an optional nested attribute is harmless.
//!
//! What the assembly does not carry: Terraform's `sensitive` flag, optional+computed, ForceNew,
//! list vs set, max_items above one, enums and deprecations. `sensitive` is therefore a *name
//! heuristic* ([`secret_name`]): string arguments and attributes named like a secret (`password`,
//! `client_secret`, `private_key_pem`, `primary_access_key`, `sas_token`, …) but not like a
//! reference to or a setting about one (`secret_arn`, `password_policy`, `token_validity_units`,
//! `client_secret_setting_name`, `password_wo_version`), refined by where the field is
//! ([`nested_secrecy`], [`type_secrecy`]: `azurerm_key_vault_secret.value`,
//! `token_validity_units { access_token }`) and vetoed by a description that names an ARN or a
//! name. `computed` is left false.

use crate::common::doc_text;
use crate::Output;
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use strata_stdlib::generated::{GenField, GenTy, GenType};

const FIELD_DOC: usize = 200;
const PROVIDERS: [&str; 4] = ["aws", "google", "azurerm", "kubernetes"];
/// Terraform's meta-arguments: never provider arguments of a resource (cdktf keeps them in
/// `TerraformMetaArguments`; skipped here should an assembly list them). Not `providers`: that
/// is a module's, and `azurerm_sentinel_metadata` has an argument of that name.
const META: [&str; 7] = [
    "count",
    "for_each",
    "provider",
    "lifecycle",
    "depends_on",
    "connection",
    "provisioner",
];
/// Nesting deeper than this is typed `Any` (cdktf's own bindings stop well before).
const MAX_DEPTH: usize = 24;
const REGISTRY_LINK: &str = "Docs at Terraform Registry: {@link ";

pub fn generate(src: &Path) -> Result<Vec<Output>, String> {
    let per: Vec<Result<Vec<Output>, String>> =
        PROVIDERS.par_iter().map(|p| provider(src, p)).collect();
    let mut out = Vec::new();
    for r in per {
        out.extend(r?);
    }
    Ok(out)
}

fn provider(src: &Path, name: &str) -> Result<Vec<Output>, String> {
    let asm = load_assembly(&src.join(format!("provider-{name}/package")))?;
    let (resources, data) = convert(&asm)?;
    if resources.is_empty() {
        return Err(format!(
            "provider-{name}: the assembly has no Terraform resources"
        ));
    }
    let source = format!("provider-{name}");
    Ok(vec![
        Output {
            file: format!("tf-{name}.jsonl"),
            source: source.clone(),
            types: resources,
        },
        Output {
            file: format!("tf-{name}.data.jsonl"),
            source,
            types: data,
        },
    ])
}

// ---- the jsii assembly (only what is read; everything else is skipped by serde) ----

#[derive(Deserialize, Default)]
struct Assembly {
    #[serde(default)]
    schema: Option<String>,
    /// `jsii/file-redirect`: the assembly is in this (gzipped) file.
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    types: HashMap<String, JType>,
}

#[derive(Deserialize, Default)]
struct JType {
    #[serde(default)]
    fqn: String,
    #[serde(default)]
    base: Option<String>,
    #[serde(default)]
    datatype: bool,
    #[serde(default)]
    docs: JDocs,
    #[serde(default)]
    initializer: Option<JInit>,
    #[serde(default)]
    properties: Vec<JProp>,
    #[serde(default)]
    methods: Vec<JMethod>,
}

#[derive(Deserialize, Default)]
struct JInit {
    #[serde(default)]
    parameters: Vec<JParam>,
}

#[derive(Deserialize, Default)]
struct JParam {
    name: String,
    #[serde(rename = "type", default)]
    ty: JRef,
}

#[derive(Deserialize, Default)]
struct JMethod {
    name: String,
    #[serde(default)]
    returns: Option<JReturns>,
}

#[derive(Deserialize, Default)]
struct JReturns {
    #[serde(rename = "type", default)]
    ty: JRef,
}

#[derive(Deserialize, Default)]
struct JProp {
    name: String,
    #[serde(rename = "type", default)]
    ty: JRef,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    immutable: bool,
    #[serde(default, rename = "static")]
    is_static: bool,
    #[serde(default)]
    protected: bool,
    #[serde(default)]
    docs: JDocs,
}

#[derive(Deserialize, Default)]
struct JDocs {
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    remarks: Option<String>,
    #[serde(default)]
    custom: BTreeMap<String, String>,
}

/// A jsii type reference: one of a primitive, a named type, a collection or a union.
#[derive(Deserialize, Default)]
struct JRef {
    #[serde(default)]
    primitive: Option<String>,
    #[serde(default)]
    fqn: Option<String>,
    #[serde(default)]
    collection: Option<Box<JColl>>,
    #[serde(default)]
    union: Option<JUnion>,
}

#[derive(Deserialize, Default)]
struct JColl {
    kind: String,
    elementtype: JRef,
}

#[derive(Deserialize, Default)]
struct JUnion {
    types: Vec<JRef>,
}

fn load_assembly(dir: &Path) -> Result<Assembly, String> {
    let path = dir.join(".jsii");
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let asm: Assembly =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if asm.schema.as_deref() != Some("jsii/file-redirect") {
        return Ok(asm);
    }
    // Large assemblies are stored gzipped next to a small redirect.
    let file = asm
        .filename
        .ok_or_else(|| format!("{}: a redirect without a file name", path.display()))?;
    let target = dir.join(&file);
    let packed = std::fs::read(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    let text = gunzip(&packed).map_err(|e| format!("{}: {e}", target.display()))?;
    serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", target.display()))
}

/// The content of a gzip file (one member), with the deflate decoder the stdlib already uses.
fn gunzip(b: &[u8]) -> Result<Vec<u8>, String> {
    if b.len() < 18 || b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 {
        return Err("not a gzip file".into());
    }
    let flags = b[3];
    let mut i = 10;
    if flags & 4 != 0 {
        let xlen = usize::from(b.get(10).copied().unwrap_or(0))
            | usize::from(b.get(11).copied().unwrap_or(0)) << 8;
        i += 2 + xlen;
    }
    for bit in [8u8, 16] {
        if flags & bit != 0 {
            while b.get(i).is_some_and(|&c| c != 0) {
                i += 1;
            }
            i += 1;
        }
    }
    if flags & 2 != 0 {
        i += 2;
    }
    let body = b.get(i..b.len() - 8).ok_or("a truncated gzip file")?;
    miniz_oxide::inflate::decompress_to_vec(body).map_err(|e| format!("inflate: {e:?}"))
}

// ---- conversion ----

struct Cx<'a> {
    types: &'a HashMap<String, JType>,
    /// camelCase property name → the Terraform names the assembly documents for it.
    names: HashMap<&'a str, BTreeSet<&'a str>>,
}

/// How a name relates to secrets (see [`secret_name`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Secrecy {
    /// Holds a secret: `password`, `client_secret`, `private_key_pem`.
    Secret,
    /// Is about a secret without holding one: `password_policy`, `secret_arn`,
    /// `token_validity_units` (nothing nested in it is a secret either).
    About,
    Plain,
}

fn convert(asm: &Assembly) -> Result<(Vec<GenType>, Vec<GenType>), String> {
    let mut names: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for t in asm.types.values().filter(|t| t.datatype) {
        for p in &t.properties {
            if let Some(n) = link_name(&p.docs) {
                names.entry(p.name.as_str()).or_default().insert(n);
            }
        }
    }
    let cx = Cx {
        types: &asm.types,
        names,
    };
    let mut fqns: Vec<&String> = asm.types.keys().collect();
    fqns.sort();
    let mut resources = Vec::new();
    let mut data = Vec::new();
    for fqn in fqns {
        let t = &asm.types[fqn];
        let is_data = match t.base.as_deref() {
            Some("cdktf.TerraformResource") => false,
            Some("cdktf.TerraformDataSource") => true,
            _ => continue,
        };
        let g = cx
            .resource(t, is_data)
            .ok_or_else(|| format!("{fqn}: no registry link or config struct"))?;
        if is_data {
            data.push(g);
        } else {
            resources.push(g);
        }
    }
    Ok((resources, data))
}

/// `…/docs/resources/s3_bucket aws_s3_bucket}` → (url, `aws_s3_bucket`).
fn type_link(summary: &str) -> Option<(&str, &str)> {
    let start = summary.find("https://registry.terraform.io/")?;
    let rest = &summary[start..];
    let (url, rest) = rest.split_once(' ')?;
    let name = rest.split('}').next()?.trim();
    (url.contains("/docs/resources/") || url.contains("/docs/data-sources/")).then_some((url, name))
}

/// The Terraform name a property's docs link to (`…/s3_bucket#force_destroy S3Bucket#…` →
/// `force_destroy`).
fn link_name(d: &JDocs) -> Option<&str> {
    let texts = d
        .summary
        .iter()
        .chain(d.remarks.iter())
        .chain(d.custom.values());
    for text in texts {
        if let Some(i) = text.find(REGISTRY_LINK) {
            let url = text[i + REGISTRY_LINK.len()..]
                .split(|c: char| c.is_whitespace() || c == '}')
                .next()?;
            let name = url.rsplit_once('#')?.1;
            if !name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
                return Some(name);
            }
        }
    }
    None
}

/// A property's description, without cdktf's boilerplate (the registry link, `"x block."`).
fn field_doc(d: &JDocs, name: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for text in d.summary.iter().chain(d.remarks.iter()) {
        let cleaned = strip_links(text);
        let cleaned = cleaned.trim();
        if cleaned.is_empty()
            || cleaned == format!("{name} block.")
            || cleaned.starts_with("Please be aware that the id field")
        {
            continue;
        }
        parts.push(cleaned.to_string());
    }
    let doc = doc_text(&parts.join(" "), FIELD_DOC)?;
    (!matches!(doc.as_str(), "Optional." | "Required." | "." | "*" | "* *")).then_some(doc)
}

/// Drops `Docs at Terraform Registry: {@link …}` and turns other `{@link url text}` into `text`.
fn strip_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("{@link ") {
        let before = &rest[..i];
        let after = &rest[i + 7..];
        let Some(end) = after.find('}') else { break };
        let inner = &after[..end];
        if let Some(b) = before.strip_suffix(&REGISTRY_LINK[..REGISTRY_LINK.len() - 7]) {
            out.push_str(b);
        } else {
            out.push_str(before);
            out.push_str(inner.split_once(' ').map(|(_, t)| t).unwrap_or(inner));
        }
        rest = after[end + 1..].trim_start_matches('.');
    }
    out.push_str(rest);
    out
}

impl<'a> Cx<'a> {
    fn ty(&self, fqn: &str) -> Option<&'a JType> {
        self.types.get(fqn)
    }

    fn resource(&self, t: &'a JType, is_data: bool) -> Option<GenType> {
        let (url, target) = type_link(t.docs.summary.as_deref()?)?;
        let config = t
            .initializer
            .as_ref()?
            .parameters
            .iter()
            .find(|p| p.name == "config")?
            .ty
            .fqn
            .as_deref()?;
        let cfg = self.ty(config)?;
        let mut stack = Vec::new();
        let ctx = type_secrecy(target);
        let mut props = self.body(cfg, false, true, ctx, &mut stack);
        props.remove("id");
        let mut attrs = self.body(cfg, true, true, ctx, &mut stack);
        let settable: BTreeSet<&str> = cfg.properties.iter().map(|p| p.name.as_str()).collect();
        for (name, f) in self.computed(t, &settable, &mut stack) {
            attrs.entry(name).or_insert(f);
        }
        if let Some(id) = attrs.get_mut("id") {
            id.doc = None;
        }
        // Secret Manager's `secret` is the secret's resource name, not its payload.
        if target.contains("_secret_manager_") {
            for fields in [&mut props, &mut attrs] {
                if let Some(f) = fields.get_mut("secret") {
                    f.sensitive = false;
                }
            }
        }
        Some(GenType {
            name: format!("tf.{target}"),
            target: target.to_string(),
            doc: None,
            url: Some(url.to_string()),
            props,
            attrs,
            defs: BTreeMap::new(),
            ids: Vec::new(),
            data: is_data,
            namespaced: false,
        })
    }

    /// The fields of a config struct: its arguments and blocks; with `read`, also the
    /// computed-only attributes of its `…OutputReference` class (what can be read back).
    fn body(
        &self,
        s: &'a JType,
        read: bool,
        top: bool,
        parent: Secrecy,
        stack: &mut Vec<&'a str>,
    ) -> BTreeMap<String, GenField> {
        let mut out = BTreeMap::new();
        if stack.len() >= MAX_DEPTH || stack.contains(&s.fqn.as_str()) {
            return out;
        }
        stack.push(&s.fqn);
        for p in &s.properties {
            let name = link_name(&p.docs)
                .map(str::to_string)
                .unwrap_or_else(|| snake(&p.name));
            if top && META.contains(&name.as_str()) {
                continue;
            }
            let secrecy = field_secrecy(&name, parent);
            let ty = self.prop_ty(p, &name, read, nested_secrecy(&name, secrecy), stack);
            let mut f = GenField::new(ty);
            f.req = !p.optional && !read;
            let doc = field_doc(&p.docs, &name);
            f.sensitive = secrecy == Secrecy::Secret
                && stringish(&f.ty)
                && !doc_says_reference(doc.as_deref());
            if !read || top {
                f.doc = doc;
            }
            out.insert(name, f);
        }
        if read && !top {
            let settable: BTreeSet<&str> = s.properties.iter().map(|p| p.name.as_str()).collect();
            if let Some(getters) = self.ty(&format!("{}OutputReference", s.fqn)) {
                for (name, f) in self.computed(getters, &settable, stack) {
                    out.entry(name).or_insert(f);
                }
            }
        }
        stack.pop();
        out
    }

    /// `nested`: the secrecy the fields of a nested object start from ([`nested_secrecy`]).
    fn prop_ty(
        &self,
        p: &'a JProp,
        name: &str,
        read: bool,
        nested: Secrecy,
        stack: &mut Vec<&'a str>,
    ) -> GenTy {
        let is_block = p
            .docs
            .summary
            .as_deref()
            .is_some_and(|s| s.strip_suffix(" block.") == Some(name));
        let Some(t) = strip(&p.ty) else {
            return GenTy::Any;
        };
        // A struct, a list of structs or a map of structs: a nested object.
        let (kind, elem) = match &t.collection {
            Some(c) => (Some(c.kind.as_str()), strip(&c.elementtype)),
            None => (None, Some(t)),
        };
        if let Some(s) = elem
            .and_then(|e| e.fqn.as_deref())
            .and_then(|f| self.ty(f))
            .filter(|s| s.datatype)
        {
            if stack.len() >= MAX_DEPTH || stack.contains(&s.fqn.as_str()) {
                return GenTy::Any;
            }
            let body = self.body(s, read, false, nested, stack);
            return match (kind, is_block) {
                (None, true) => GenTy::Block { list: false, body },
                (Some("array"), true) => GenTy::Block { list: true, body },
                (None, false) => GenTy::Obj(body),
                (Some("map"), _) => GenTy::Map(Box::new(GenTy::Obj(body))),
                (Some(_), _) => GenTy::List(Box::new(GenTy::Obj(body))),
            };
        }
        if is_block {
            // A block cdktf left open (`any`): too deep or recursive.
            return GenTy::OpenBlock;
        }
        value_ty(t)
    }

    /// The computed-only attributes of a class: its immutable getters that are not settable.
    fn computed(
        &self,
        class: &'a JType,
        settable: &BTreeSet<&str>,
        stack: &mut Vec<&'a str>,
    ) -> BTreeMap<String, GenField> {
        let mut out = BTreeMap::new();
        for g in &class.properties {
            let n = g.name.as_str();
            if !g.immutable
                || g.is_static
                || g.protected
                || settable.contains(n)
                || n.strip_suffix("Input")
                    .is_some_and(|b| settable.contains(b))
            {
                continue;
            }
            let name = self.tf_name_of_getter(n);
            let ty = self.getter_ty(&g.ty, stack);
            let mut f = GenField::new(ty);
            f.sensitive = secret_name(&name) == Secrecy::Secret && stringish(&f.ty);
            out.insert(name, f);
        }
        out
    }

    /// The shape of a getter's value (computed attributes): cdktf returns `IResolvable` for
    /// booleans, `cdktf.StringMap` and the like for maps, `…List` / `…OutputReference` /
    /// `…Map` classes for nested objects.
    fn getter_ty(&self, r: &'a JRef, stack: &mut Vec<&'a str>) -> GenTy {
        if let Some(c) = &r.collection {
            let inner = self.getter_ty(&c.elementtype, stack);
            return if c.kind == "map" {
                GenTy::Map(Box::new(inner))
            } else {
                GenTy::List(Box::new(inner))
            };
        }
        if r.union.is_some() {
            return strip(r)
                .map(|t| self.getter_ty(t, stack))
                .unwrap_or(GenTy::Any);
        }
        if let Some(p) = &r.primitive {
            return prim(p);
        }
        let Some(fqn) = r.fqn.as_deref() else {
            return GenTy::Any;
        };
        if fqn == "cdktf.IResolvable" {
            return GenTy::Bool;
        }
        if let Some(short) = fqn.strip_prefix("cdktf.") {
            return cdktf_collection(short);
        }
        let Some(class) = self.ty(fqn) else {
            return GenTy::Any;
        };
        if class.datatype {
            // A struct itself (rare for a getter): its fields, read.
            if stack.len() >= MAX_DEPTH || stack.contains(&class.fqn.as_str()) {
                return GenTy::Any;
            }
            return GenTy::Obj(self.body(class, true, false, Secrecy::Plain, stack));
        }
        match class.base.as_deref() {
            Some("cdktf.ComplexList") | Some("cdktf.ComplexMap") => {
                let item = class
                    .methods
                    .iter()
                    .find(|m| m.name == "get")
                    .and_then(|m| m.returns.as_ref())
                    .map(|r| &r.ty);
                let inner = item.map(|t| self.getter_ty(t, stack)).unwrap_or(GenTy::Any);
                if class.base.as_deref() == Some("cdktf.ComplexMap") {
                    GenTy::Map(Box::new(inner))
                } else {
                    GenTy::List(Box::new(inner))
                }
            }
            Some("cdktf.ComplexObject") => {
                // The struct it reads, when it has fields, gives the arguments (and `body` adds
                // the computed rest); a computed-only object has only getters.
                let struct_fqn = class.fqn.strip_suffix("OutputReference").unwrap_or("");
                if let Some(s) = self
                    .ty(struct_fqn)
                    .filter(|s| s.datatype && !s.properties.is_empty())
                {
                    return GenTy::Obj(self.body(s, true, false, Secrecy::Plain, stack));
                }
                if stack.len() >= MAX_DEPTH || stack.contains(&class.fqn.as_str()) {
                    return GenTy::Any;
                }
                stack.push(&class.fqn);
                let fields = self.computed(class, &BTreeSet::new(), stack);
                stack.pop();
                GenTy::Obj(fields)
            }
            _ => GenTy::Any,
        }
    }

    /// The Terraform name of a computed attribute's getter: the name the assembly documents for
    /// the same camelCase property elsewhere, else a conversion.
    fn tf_name_of_getter(&self, camel: &str) -> String {
        let guess = snake(camel);
        match self.names.get(camel) {
            Some(known) if known.contains(guess.as_str()) => guess,
            Some(known) if !known.is_empty() => {
                known.iter().next().map(|s| s.to_string()).unwrap_or(guess)
            }
            _ => guess,
        }
    }
}

/// Drops `cdktf.IResolvable` from a union; `None` when what is left is not one type.
fn strip(r: &JRef) -> Option<&JRef> {
    match &r.union {
        Some(u) => {
            let rest: Vec<&JRef> = u
                .types
                .iter()
                .filter(|t| t.fqn.as_deref() != Some("cdktf.IResolvable"))
                .collect();
            match rest.as_slice() {
                [one] => strip(one),
                _ => None,
            }
        }
        None => Some(r),
    }
}

fn prim(p: &str) -> GenTy {
    match p {
        "string" | "date" => GenTy::Str {
            pattern: None,
            min_len: None,
            max_len: None,
        },
        "number" => GenTy::Num {
            min: None,
            max: None,
        },
        "boolean" => GenTy::Bool,
        _ => GenTy::Any,
    }
}

/// The type of an argument that is not a nested object.
fn value_ty(t: &JRef) -> GenTy {
    if let Some(p) = &t.primitive {
        return prim(p);
    }
    if let Some(c) = &t.collection {
        let inner = strip(&c.elementtype).map(value_ty).unwrap_or(GenTy::Any);
        return if c.kind == "map" {
            GenTy::Map(Box::new(inner))
        } else {
            GenTy::List(Box::new(inner))
        };
    }
    match t.fqn.as_deref().and_then(|f| f.strip_prefix("cdktf.")) {
        Some(short) => cdktf_collection(short),
        None => GenTy::Any,
    }
}

/// cdktf's typed collections: `StringMap` → `Map(Str)`, `NumberMapList` → `List(Map(Num))`,
/// `BooleanListList` → `List(List(Bool))`, …
fn cdktf_collection(short: &str) -> GenTy {
    let (mut t, mut rest) = [
        ("String", "string"),
        ("Number", "number"),
        ("Boolean", "boolean"),
        ("Any", "any"),
    ]
    .iter()
    .find_map(|(pre, p)| short.strip_prefix(pre).map(|r| (prim(p), r)))
    .unwrap_or((GenTy::Any, ""));
    if rest.is_empty() {
        return GenTy::Any;
    }
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("List") {
            t = GenTy::List(Box::new(t));
            rest = r;
        } else if let Some(r) = rest.strip_prefix("Map") {
            t = GenTy::Map(Box::new(t));
            rest = r;
        } else {
            return GenTy::Any;
        }
    }
    t
}

/// camelCase → snake_case for names the assembly does not document (computed attributes):
/// undoes cdktf's renames (`selfAttribute` → `self`, `fetchX` → `get_x`, `equalTo` → `equals`).
/// Digits are ambiguous (`hugepageSize1G` was `hugepage_size_1g`): a capital after a digit
/// that does not start a word is folded into it (`crc32C` → `crc32c`), like the shared extractor.
fn snake(camel: &str) -> String {
    const CLASHES: [&str; 6] = ["build", "fqn", "node", "self", "software", "system"];
    let mut c = camel;
    if let Some(base) = c.strip_suffix("Attribute").filter(|b| CLASHES.contains(b)) {
        c = base;
    }
    if c == "equalTo" {
        return "equals".into();
    }
    let owned;
    if let Some(rest) = c
        .strip_prefix("fetch")
        .filter(|r| r.starts_with(|ch: char| ch.is_ascii_uppercase()))
    {
        owned = format!("get{rest}");
        c = &owned;
    }
    let chars: Vec<char> = c.chars().collect();
    let mut out = String::with_capacity(c.len() + 4);
    for (i, &ch) in chars.iter().enumerate() {
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        if ch.is_ascii_uppercase() {
            let after_digit = prev.is_some_and(|p| p.is_ascii_digit());
            if after_digit && !next.is_some_and(|n| n.is_ascii_lowercase()) {
                out.push(ch.to_ascii_lowercase());
                continue;
            }
            if prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit()) {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Whether a type can hold a secret literal (strings, lists and maps of strings).
fn stringish(t: &GenTy) -> bool {
    match t {
        GenTy::Str { .. } => true,
        GenTy::List(i) | GenTy::Map(i) => matches!(**i, GenTy::Str { .. }),
        _ => false,
    }
}

/// The name heuristic for `sensitive` (the assembly does not carry Terraform's flag).
///
/// A name holds a secret when, after its first secret noun (`password`, `secret`, `token`,
/// `passphrase`, `connection_string`, `private_key`, `access_key`, `api_key`, `keytab`,
/// `sas_token`, …), only more secret nouns or words for the secret's content (`value`, `string`,
/// `data`, `pem`, `base64`, …) follow: `client_secret`, `secret_string`, `private_key_pem`,
/// `password_wo` (a write-only argument), `ses_smtp_password_v4`. Anything else after it makes
/// the name *about* a secret: `secret_arn`, `password_policy`, `token_validity_units`,
/// `client_secret_setting_name`, `password_wo_version`; so does `encrypted_` before it
/// (`encrypted_password` is safe to show). Bare `credential(s)` is left out: in AWS it is
/// mostly an IAM role or secret ARN. A few names are known exceptions both ways.
fn secret_name(name: &str) -> Secrecy {
    if NOT_SECRETS.contains(&name) {
        return Secrecy::About;
    }
    if MORE_SECRETS.contains(&name) {
        return Secrecy::Secret;
    }
    let mut tokens: Vec<&str> = name.split('_').filter(|t| !t.is_empty()).collect();
    // `password_wo`: the write-only form; `connection_string_0`: numbered copies.
    if tokens.last() == Some(&"wo") {
        tokens.pop();
    }
    if tokens
        .last()
        .is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()))
    {
        tokens.pop();
    }
    // `password1`, `passwords`: one more copy of a noun.
    if let Some(last) = tokens.last_mut() {
        let bare = last.trim_end_matches(|c: char| c.is_ascii_digit());
        if bare != *last && NOUNS.contains(&bare) {
            *last = bare;
        }
    }
    let is_pair = |i: usize| {
        tokens
            .get(i + 1)
            .is_some_and(|&b| PAIRS.contains(&(tokens[i], b)))
    };
    let Some(first) = (0..tokens.len()).find(|&i| NOUNS.contains(&tokens[i]) || is_pair(i)) else {
        return Secrecy::Plain;
    };
    if tokens[..first].contains(&"encrypted") {
        return Secrecy::About;
    }
    let mut i = first;
    while i < tokens.len() {
        let t = tokens[i];
        let version =
            t.len() > 1 && t.starts_with('v') && t[1..].bytes().all(|b| b.is_ascii_digit());
        if is_pair(i) {
            i += 2;
        } else if NOUNS.contains(&t)
            || CONTENT.contains(&t)
            || version
            || (matches!(t, "url" | "uri") && i > 0 && tokens[i - 1] == "sas")
        {
            i += 1;
        } else {
            return Secrecy::About;
        }
    }
    match &tokens[first..] {
        // `sas` alone is a setting; `sas_token`, `sas_url` hold one.
        ["sas"] => Secrecy::Plain,
        // `credentials`: see above.
        ["credential" | "credentials"] if first == 0 => Secrecy::Plain,
        _ => Secrecy::Secret,
    }
}

/// Identifiers, settings and public values that only look like secrets.
const NOT_SECRETS: [&str; 17] = [
    "authorizer_credentials", // an IAM role ARN (aws_api_gateway_authorizer)
    "output_credentials",     // which credentials to output (google_iap_settings)
    "grant_tokens",           // KMS grant tokens, passed along (aws_kms_grant)
    "grant_creation_tokens",
    "creation_token", // idempotency tokens (aws_efs_file_system)
    "client_token",
    "update_token", // optimistic-locking tokens (aws_networkfirewall_*, aws_wafv2_*)
    "policy_update_token",
    "lock_token",
    "version_token",
    "http_tokens", // "required" / "optional" (IMDSv2 metadata options)
    "oidc_token",  // a block naming a service account
    "id_token",    // a validity unit inside token_validity_units (also caught by context)
    "dkim_tokens", // published in DNS
    "verification_token",
    "domain_verification_token",
    "secrets", // lists of secret references, not values
];

/// Secrets the rule does not see.
const MORE_SECRETS: [&str; 4] = [
    "shared_access_policy_key",
    "disk_encryption_key_raw", // a customer-supplied key (google)
    "disk_encryption_key_rsa",
    "rsa_encrypted_key",
];

/// Secret nouns: single words.
const NOUNS: [&str; 11] = [
    "password",
    "passwords",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "tokens",
    "credential",
    "credentials",
    "sas",
    "keytab",
];

/// Secret nouns of two words whose first word alone is not a secret.
const PAIRS: [(&str, &str); 31] = [
    ("private", "key"),
    ("access", "key"),
    ("api", "key"),
    ("secret", "key"),
    ("account", "key"),
    ("shared", "key"),
    ("preshared", "key"),
    ("auth", "key"),
    ("authentication", "key"),
    ("authorization", "key"),
    ("primary", "key"),
    ("secondary", "key"),
    ("readonly", "key"),
    ("storage", "key"),
    ("client", "key"),
    ("host", "key"),
    ("raw", "key"),
    ("instrumentation", "key"),
    ("insights", "key"),
    ("license", "key"),
    ("signing", "key"),
    ("master", "key"),
    ("principal", "key"),
    ("workspace", "key"),
    ("function", "key"),
    ("extension", "key"),
    ("webhook", "key"),
    ("mac", "key"),
    ("luis", "key"),
    ("auth", "code"),
    ("connection", "string"),
];

/// What may follow a secret noun and still name the secret itself.
const CONTENT: [&str; 13] = [
    "value",
    "values",
    "string",
    "data",
    "binary",
    "text",
    "pem",
    "base64",
    "content",
    "raw",
    "plaintext",
    "pass",
    "key",
];

/// The secrecy the fields nested in `name` start from: nothing nested in a name *about* secrets
/// holds one (`token_validity_units { access_token = "hours" }`, `secret_key_ref { secret }`),
/// unless the name is a container for one (`sas_configuration { token }`, `credential_pair`,
/// `bearer_token_config`); the `value` of a secret (`api_key { key, value }`) is one.
fn nested_secrecy(name: &str, own: Secrecy) -> Secrecy {
    const CONTAINERS: [&str; 11] = [
        "config",
        "configuration",
        "configurations",
        "pair",
        "settings",
        "parameters",
        "options",
        "properties",
        "details",
        "info",
        "profile",
    ];
    match own {
        Secrecy::About
            if !name
                .rsplit('_')
                .next()
                .is_some_and(|last| CONTAINERS.contains(&last)) =>
        {
            Secrecy::About
        }
        Secrecy::Secret => Secrecy::Secret,
        _ => Secrecy::Plain,
    }
}

/// The secrecy of field `name` nested in a value whose [`nested_secrecy`] is `parent`.
fn field_secrecy(name: &str, parent: Secrecy) -> Secrecy {
    match parent {
        Secrecy::About => Secrecy::About,
        Secrecy::Secret
            if matches!(
                name.strip_suffix("_wo").unwrap_or(name),
                "value" | "values" | "data" | "binary_data"
            ) =>
        {
            Secrecy::Secret
        }
        _ => secret_name(name),
    }
}

/// The secrecy a type's own fields start from: a type named like a secret
/// (`azurerm_key_vault_secret`, `aws_api_gateway_api_key`, `kubernetes_secret_v1`) holds it in
/// its `value` / `data`; a type *about* secrets says nothing about its fields
/// (`aws_secretsmanager_secret_version` still has a `secret_string`).
fn type_secrecy(target: &str) -> Secrecy {
    let rest = target.split_once('_').map(|(_, r)| r).unwrap_or(target);
    let rest = rest.strip_suffix("_v1").unwrap_or(rest);
    if secret_name(rest) == Secrecy::Secret {
        Secrecy::Secret
    } else {
        Secrecy::Plain
    }
}

/// A description that says the value names or points to a secret rather than holding it.
fn doc_says_reference(doc: Option<&str>) -> bool {
    let Some(d) = doc else { return false };
    let lower = d.to_ascii_lowercase();
    d.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "ARN" || w == "ARNs")
        || [
            "amazon resource name",
            "name of the",
            "id of the",
            "identifier of the",
            "resource id of",
        ]
        .iter()
        .any(|p| lower.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn str_ty() -> GenTy {
        GenTy::Str {
            pattern: None,
            min_len: None,
            max_len: None,
        }
    }

    /// A registry link as cdktf writes it in a property's docs.
    fn link(name: &str) -> serde_json::Value {
        serde_json::json!({ "summary": format!("Docs at Terraform Registry: {{@link https://registry.terraform.io/providers/hashicorp/x/1.0.0/docs/resources/bucket#{name} Bucket#{name}}}.") })
    }

    fn block_docs(name: &str) -> serde_json::Value {
        serde_json::json!({ "summary": format!("{name} block."), "remarks": format!("Docs at Terraform Registry: {{@link https://registry.terraform.io/providers/hashicorp/x/1.0.0/docs/resources/bucket#{name} Bucket#{name}}}") })
    }

    /// A tiny assembly in the shape cdktf generates: one resource, one data source.
    fn tiny_assembly() -> Assembly {
        use serde_json::json;
        let s = json!({ "primitive": "string" });
        let resolvable = |t: serde_json::Value| json!({ "union": { "types": [{ "fqn": "cdktf.IResolvable" }, t] } });
        let array_of =
            |fqn: &str| json!({ "collection": { "kind": "array", "elementtype": { "fqn": fqn } } });
        let types = json!({
            "x.bucket.Bucket": {
                "fqn": "x.bucket.Bucket", "kind": "class", "base": "cdktf.TerraformResource",
                "docs": { "summary": "Represents a {@link https://registry.terraform.io/providers/hashicorp/x/1.0.0/docs/resources/bucket x_bucket}." },
                "initializer": { "parameters": [
                    { "name": "scope", "type": { "fqn": "constructs.Construct" } },
                    { "name": "id", "type": s },
                    { "name": "config", "type": { "fqn": "x.bucket.BucketConfig" } }
                ] },
                "properties": [
                    { "name": "tfResourceType", "static": true, "immutable": true, "type": s },
                    { "name": "arn", "immutable": true, "type": s },
                    { "name": "ready", "immutable": true, "type": { "fqn": "cdktf.IResolvable" } },
                    { "name": "labels", "immutable": true, "type": { "fqn": "cdktf.StringMap" } },
                    { "name": "endpoints", "immutable": true, "type": { "fqn": "x.bucket.BucketEndpointsList" } },
                    { "name": "primaryAccessKey", "immutable": true, "type": s },
                    { "name": "rule", "immutable": true, "type": { "fqn": "x.bucket.BucketRuleList" } },
                    { "name": "nameInput", "immutable": true, "optional": true, "type": s },
                    { "name": "name", "type": s }
                ]
            },
            "x.bucket.BucketConfig": {
                "fqn": "x.bucket.BucketConfig", "kind": "interface", "datatype": true,
                "properties": [
                    { "name": "name", "docs": link("name"), "type": s },
                    { "name": "selfAttribute", "optional": true, "docs": link("self"), "type": resolvable(json!({ "primitive": "boolean" })) },
                    { "name": "id", "optional": true, "type": s, "docs": {
                        "summary": "Docs at Terraform Registry: {@link https://registry.terraform.io/providers/hashicorp/x/1.0.0/docs/resources/bucket#id Bucket#id}.",
                        "remarks": "Please be aware that the id field is automatically added to all resources in Terraform providers using a Terraform provider SDK version below 2." } },
                    { "name": "rule", "optional": true, "docs": block_docs("rule"), "type": resolvable(array_of("x.bucket.BucketRule")) },
                    { "name": "logging", "optional": true, "docs": block_docs("logging"), "type": { "fqn": "x.bucket.BucketLogging" } },
                    { "name": "cors", "optional": true, "docs": link("cors"), "type": resolvable(array_of("x.bucket.BucketCors")) },
                    { "name": "settings", "optional": true, "docs": link("settings"), "type": { "fqn": "x.bucket.BucketSettings" } },
                    { "name": "statement", "optional": true, "docs": block_docs("statement"), "type": { "primitive": "any" } },
                    { "name": "adminPassword", "optional": true, "docs": link("admin_password"), "type": s },
                    { "name": "passwordPolicy", "optional": true, "docs": link("password_policy"), "type": s },
                    { "name": "secretArn", "optional": true, "docs": link("secret_arn"), "type": s },
                    { "name": "tags", "optional": true, "docs": link("tags"), "type": { "collection": { "kind": "map", "elementtype": s } } },
                    { "name": "ports", "optional": true, "type": { "collection": { "kind": "array", "elementtype": { "primitive": "number" } } },
                      "docs": { "summary": "The ports to open.", "remarks": "Docs at Terraform Registry: {@link https://registry.terraform.io/providers/hashicorp/x/1.0.0/docs/resources/bucket#ports Bucket#ports}" } }
                ]
            },
            "x.bucket.BucketRule": { "fqn": "x.bucket.BucketRule", "datatype": true, "properties": [
                { "name": "days", "docs": link("days"), "type": { "primitive": "number" } },
                { "name": "prefix", "optional": true, "docs": link("prefix"), "type": s }
            ] },
            "x.bucket.BucketRuleOutputReference": { "fqn": "x.bucket.BucketRuleOutputReference", "base": "cdktf.ComplexObject", "properties": [
                { "name": "internalValue", "optional": true, "type": { "fqn": "x.bucket.BucketRule" } },
                { "name": "daysInput", "immutable": true, "optional": true, "type": { "primitive": "number" } },
                { "name": "days", "type": { "primitive": "number" } },
                { "name": "ruleId", "immutable": true, "type": s }
            ] },
            "x.bucket.BucketRuleList": { "fqn": "x.bucket.BucketRuleList", "base": "cdktf.ComplexList",
                "methods": [{ "name": "get", "returns": { "type": { "fqn": "x.bucket.BucketRuleOutputReference" } } }] },
            "x.bucket.BucketLogging": { "fqn": "x.bucket.BucketLogging", "datatype": true, "properties": [
                { "name": "target", "docs": link("target"), "type": s }
            ] },
            "x.bucket.BucketCors": { "fqn": "x.bucket.BucketCors", "datatype": true, "properties": [
                { "name": "origins", "optional": true, "docs": link("origins"), "type": { "collection": { "kind": "array", "elementtype": s } } }
            ] },
            "x.bucket.BucketSettings": { "fqn": "x.bucket.BucketSettings", "datatype": true, "properties": [
                { "name": "mode", "optional": true, "docs": link("mode"), "type": s }
            ] },
            "x.bucket.BucketEndpointsList": { "fqn": "x.bucket.BucketEndpointsList", "base": "cdktf.ComplexList",
                "properties": [{ "name": "terraformAttribute", "protected": true, "type": s }],
                "methods": [{ "name": "get", "returns": { "type": { "fqn": "x.bucket.BucketEndpointsOutputReference" } } }] },
            "x.bucket.BucketEndpointsOutputReference": { "fqn": "x.bucket.BucketEndpointsOutputReference", "base": "cdktf.ComplexObject", "properties": [
                { "name": "url", "immutable": true, "type": s },
                { "name": "internalValue", "optional": true, "type": { "fqn": "x.bucket.BucketEndpoints" } }
            ] },
            "x.bucket.BucketEndpoints": { "fqn": "x.bucket.BucketEndpoints", "datatype": true },
            "x.dataXBucket.DataXBucket": {
                "fqn": "x.dataXBucket.DataXBucket", "kind": "class", "base": "cdktf.TerraformDataSource",
                "docs": { "summary": "Represents a {@link https://registry.terraform.io/providers/hashicorp/x/1.0.0/docs/data-sources/bucket x_bucket}." },
                "initializer": { "parameters": [{ "name": "config", "type": { "fqn": "x.dataXBucket.DataXBucketConfig" } }] },
                "properties": [
                    { "name": "arn", "immutable": true, "type": s },
                    { "name": "nameInput", "immutable": true, "optional": true, "type": s },
                    { "name": "name", "type": s }
                ]
            },
            "x.dataXBucket.DataXBucketConfig": { "fqn": "x.dataXBucket.DataXBucketConfig", "datatype": true, "properties": [
                { "name": "name", "docs": link("name"), "type": s }
            ] }
        });
        serde_json::from_value(json!({ "schema": "jsii/0.10.0", "name": "x", "types": types }))
            .expect("a valid assembly")
    }

    fn body_of(t: &GenTy) -> &BTreeMap<String, GenField> {
        match t {
            GenTy::Block { body, .. } | GenTy::Obj(body) => body,
            GenTy::List(inner) | GenTy::Map(inner) => body_of(inner),
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn converts_a_tiny_assembly() {
        let asm = tiny_assembly();
        let (resources, data) = convert(&asm).expect("converts");
        assert_eq!((resources.len(), data.len()), (1, 1));
        let r = &resources[0];
        assert_eq!(
            (r.name.as_str(), r.target.as_str(), r.data),
            ("tf.x_bucket", "x_bucket", false)
        );
        assert_eq!(
            r.url.as_deref(),
            Some("https://registry.terraform.io/providers/hashicorp/x/1.0.0/docs/resources/bucket")
        );
        assert_eq!(r.doc, None);

        // Arguments, with the Terraform names of the docs links (`selfAttribute` → `self`).
        let p = &r.props;
        let names: Vec<&str> = p.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "admin_password",
                "cors",
                "logging",
                "name",
                "password_policy",
                "ports",
                "rule",
                "secret_arn",
                "self",
                "settings",
                "statement",
                "tags"
            ]
        );
        assert!(p["name"].req && !p["self"].req);
        assert_eq!(p["self"].ty, GenTy::Bool);
        assert_eq!(p["tags"].ty, GenTy::Map(Box::new(str_ty())));
        assert_eq!(
            p["ports"].ty,
            GenTy::List(Box::new(GenTy::Num {
                min: None,
                max: None
            }))
        );
        assert_eq!(p["ports"].doc.as_deref(), Some("The ports to open."));
        assert_eq!(p["name"].doc, None);
        // Blocks: a struct → at most one; an array of structs → a list.
        assert!(
            matches!(&p["logging"].ty, GenTy::Block { list: false, body } if body["target"].req)
        );
        assert!(
            matches!(&p["rule"].ty, GenTy::Block { list: true, body } if body["days"].req && !body["prefix"].req && !body.contains_key("rule_id"))
        );
        // Nested attributes (no `"<name> block."` summary): written `name = {…}` / `[{…}]`.
        assert!(matches!(&p["settings"].ty, GenTy::Obj(body) if body.contains_key("mode")));
        assert!(
            matches!(&p["cors"].ty, GenTy::List(inner) if matches!(&**inner, GenTy::Obj(b) if b.contains_key("origins")))
        );
        // A block cdktf left open.
        assert_eq!(p["statement"].ty, GenTy::OpenBlock);
        // Sensitive by name, both ways.
        assert!(p["admin_password"].sensitive);
        assert!(
            !p["password_policy"].sensitive && !p["secret_arn"].sensitive && !p["name"].sensitive
        );

        // Attributes: every argument again, `id`, the computed-only getters; nothing required.
        let a = &r.attrs;
        assert!(a.values().all(|f| !f.req));
        for n in p.keys() {
            assert!(a.contains_key(n), "{n} is readable");
        }
        assert_eq!(a["id"].ty, str_ty());
        assert_eq!(a["arn"].ty, str_ty());
        assert_eq!(a["ready"].ty, GenTy::Bool);
        assert_eq!(a["labels"].ty, GenTy::Map(Box::new(str_ty())));
        assert!(a["primary_access_key"].sensitive);
        let endpoints = body_of(&a["endpoints"].ty);
        assert!(matches!(a["endpoints"].ty, GenTy::List(_)));
        assert_eq!(endpoints.keys().collect::<Vec<_>>(), ["url"]);
        // A block read back has its computed fields too.
        assert!(body_of(&a["rule"].ty).contains_key("rule_id"));

        // The data source: its own table, its own arguments and attributes.
        let d = &data[0];
        assert_eq!((d.name.as_str(), d.data), ("tf.x_bucket", true));
        assert!(d
            .url
            .as_deref()
            .is_some_and(|u| u.ends_with("/docs/data-sources/bucket")));
        assert!(d.props["name"].req);
        assert_eq!(d.attrs.keys().collect::<Vec<_>>(), ["arn", "name"]);
    }

    #[test]
    fn secret_names_both_ways() {
        for n in [
            "password",
            "admin_password",
            "master_password_wo",
            "administrator_login_password",
            "password1",
            "client_secret",
            "secret_string",
            "secret_string_wo",
            "secret_data",
            "token",
            "access_token",
            "auth_token",
            "sas_token",
            "sas_url",
            "sas_uri",
            "passphrase",
            "private_key",
            "private_key_pem",
            "ssh_private_key",
            "key_vault_private_key_passphrase",
            "api_key",
            "access_key",
            "secret_access_key",
            "primary_access_key",
            "storage_account_access_key",
            "primary_connection_string",
            "aof_storage_connection_string_0",
            "basic_auth_credentials",
            "platform_credential",
            "token_secret",
            "ses_smtp_password_v4",
            "private_key_content_base64",
            "ssh_private_key_base64",
            "kerberos_keytab",
            "application_insights_key",
            "disk_encryption_key_raw",
            "auth_code",
            "tunnel1_preshared_key",
            "passwords",
        ] {
            assert_eq!(secret_name(n), Secrecy::Secret, "{n}");
        }
        for n in [
            "password_policy",
            "password_length",
            "password_wo_version",
            "token_validity_units",
            "secret_arn",
            "secret_id",
            "secret_name",
            "password_secret_name",
            "client_secret_setting_name",
            "secret_version_for_client_secret",
            "access_key_id",
            "private_key_path",
            "secret_manager_arn",
            "token_endpoint",
            "connection_string_names",
            "credentials_arn",
            "authorizer_credentials",
            "creation_token",
            "http_tokens",
            "secret_ref",
            "truststore_password_uri",
            "sas_policy",
            "secret_url",
            "grant_tokens",
            "encrypted_password",
            "encrypted_ses_smtp_password_v4",
            "update_token",
        ] {
            assert_eq!(secret_name(n), Secrecy::About, "{n}");
        }
        for n in [
            "name",
            "bucket",
            "auth_type",
            "iam_auth",
            "sas",
            "key_name",
            "public_key",
            "kms_key_id",
            "authentication_mode",
            "credentials",
            "encryption_key",
            "base64",
        ] {
            assert_eq!(secret_name(n), Secrecy::Plain, "{n}");
        }
    }

    #[test]
    fn secrecy_of_nested_fields() {
        // Nothing in a setting about tokens is a token; a container of one holds one.
        let units = nested_secrecy("token_validity_units", secret_name("token_validity_units"));
        assert_eq!(field_secrecy("access_token", units), Secrecy::About);
        let sas = nested_secrecy("sas_configuration", secret_name("sas_configuration"));
        assert_eq!(field_secrecy("token", sas), Secrecy::Secret);
        let pair = nested_secrecy("credential_pair", secret_name("credential_pair"));
        assert_eq!(field_secrecy("password", pair), Secrecy::Secret);
        let r = nested_secrecy("secret_key_ref", secret_name("secret_key_ref"));
        assert_eq!(field_secrecy("secret", r), Secrecy::About);
        // `api_key { key = "x-api-key", value = "…" }`: the value is the secret.
        let key = nested_secrecy("api_key", secret_name("api_key"));
        assert_eq!(field_secrecy("value", key), Secrecy::Secret);
        assert_eq!(field_secrecy("key", key), Secrecy::Plain);
        assert_eq!(
            field_secrecy("value", nested_secrecy("tag", secret_name("tag"))),
            Secrecy::Plain
        );
        // A type named like a secret holds it in its `value` / `data`.
        assert_eq!(
            field_secrecy("value", type_secrecy("azurerm_key_vault_secret")),
            Secrecy::Secret
        );
        assert_eq!(
            field_secrecy("data", type_secrecy("kubernetes_secret_v1")),
            Secrecy::Secret
        );
        assert_eq!(
            field_secrecy("value", type_secrecy("aws_api_gateway_api_key")),
            Secrecy::Secret
        );
        assert_eq!(
            field_secrecy("name", type_secrecy("aws_api_gateway_api_key")),
            Secrecy::Plain
        );
        assert_eq!(
            field_secrecy(
                "secret_string",
                type_secrecy("aws_secretsmanager_secret_version")
            ),
            Secrecy::Secret
        );
        assert_eq!(
            field_secrecy("value", type_secrecy("aws_ssm_parameter")),
            Secrecy::Plain
        );
        // A description that names a secret rather than holding it vetoes the name.
        assert!(doc_says_reference(Some("The ARN of the secret.")));
        assert!(doc_says_reference(Some(
            "Name of the secret in secret manager."
        )));
        assert!(!doc_says_reference(Some(
            "The password for the master database user."
        )));
        assert!(!doc_says_reference(None));
    }

    #[test]
    fn snake_undoes_cdktf_names() {
        assert_eq!(
            snake("bucketRegionalDomainName"),
            "bucket_regional_domain_name"
        );
        assert_eq!(snake("ipv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake("selfAttribute"), "self");
        assert_eq!(snake("certificateAttribute"), "certificate_attribute");
        assert_eq!(snake("fetchPasswordData"), "get_password_data");
        assert_eq!(snake("equalTo"), "equals");
        assert_eq!(snake("checksumCrc32C"), "checksum_crc32c");
        assert_eq!(snake("arn"), "arn");
    }

    #[test]
    fn cdktf_collections() {
        assert_eq!(
            cdktf_collection("StringMap"),
            GenTy::Map(Box::new(str_ty()))
        );
        assert_eq!(
            cdktf_collection("NumberMapList"),
            GenTy::List(Box::new(GenTy::Map(Box::new(GenTy::Num {
                min: None,
                max: None
            }))))
        );
        assert_eq!(cdktf_collection("IResolvable"), GenTy::Any);
    }

    #[test]
    fn follows_a_gzipped_redirect() {
        let dir = std::env::temp_dir().join(format!("strata-gen-tf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let real = serde_json::json!({ "schema": "jsii/0.10.0", "types": { "a.B": { "fqn": "a.B", "datatype": true } } }).to_string();
        // gzip: header, raw deflate, trailer (crc and size are not checked).
        let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        gz.extend(miniz_oxide::deflate::compress_to_vec(real.as_bytes(), 6));
        gz.extend([0u8; 8]);
        std::fs::write(dir.join(".jsii.gz"), gz).expect("write");
        std::fs::write(
            dir.join(".jsii"),
            r#"{"schema": "jsii/file-redirect", "compression": "gzip", "filename": ".jsii.gz"}"#,
        )
        .expect("write");
        let asm = load_assembly(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        let asm = asm.expect("loads");
        assert!(asm.types["a.B"].datatype);
    }

    #[test]
    fn gunzip_reads_what_gzip_writes() {
        // `printf 'hello' | gzip -n` (no name, mtime 0).
        let gz = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48, 0xcd, 0xc9,
            0xc9, 0x07, 0x00, 0x86, 0xa6, 0x10, 0x36, 0x05, 0x00, 0x00, 0x00,
        ];
        assert_eq!(gunzip(&gz).as_deref(), Ok(&b"hello"[..]));
        assert!(gunzip(b"not gzip at all, no").is_err());
    }
}
