//! Lowering, as data.
//!
//! Two steps, both driven by the tables under `stdlib/lower/` (TOML files whose entries hold
//! structured bodies, `map` — see `lx.rs` and `stdlib/README.md` for the format):
//!
//! 1. [`lower_portable`]: every `portable.*` resource becomes provider resources for its
//!    stack's provider (`portable.Postgres` → `aws.rds.DBInstance` + `aws.rds.DBSubnetGroup`
//!    + `aws.ec2.SecurityGroup`), checked against the provider schemas.
//! 2. [`to_targets`]: every provider resource becomes target resources in one
//!    [`TargetProgram`] per (stack, target): AWS → CloudFormation and Terraform, GCP →
//!    Deployment Manager and Terraform, Azure → Terraform, Kubernetes → manifests.
//!
//! Bodies are parsed once per process, on first use; the remaining text templates
//! (names, out specs) are compiled on first use into one Handlebars registry. Lowering runs in
//! parallel with rayon and the output is deterministic (model order, sorted maps).

mod codes;
mod ctx;
mod engine;
mod generated;
mod helpers;
mod intent;
mod lx;
pub mod lx_check;
#[cfg(test)]
mod lx_convert;
pub mod names;
mod portable;
mod targets;

use strata_base::Diagnostic;
use strata_model::{Model, Schemas, Target, TargetProgram};

pub use targets::{resource_targets, targets_of};

/// Build the lowering engine (the embedded `lower/**/*.toml` tables) now; it is otherwise built
/// on first use. Lets a caller overlap that fixed cost with other work (`check` does it while
/// the program is analysed).
pub fn prepare() {
    engine::engine();
}

/// Replace portable resources by provider resources for their stack's provider. The portable
/// resources stay in the model, superseded: the new resources have `lowered_from` set to them,
/// keep their spans, and every reference to a portable resource's outs is rewritten to the
/// provider resources' outs. Produced properties are checked against the provider schemas.
pub fn lower_portable(model: Model, schemas: &Schemas) -> (Model, Vec<Diagnostic>) {
    portable::lower_portable(model, schemas)
}

/// One [`TargetProgram`] per (stack, target) the program uses (restricted to `targets` when
/// given). Portable resources (already lowered) are skipped.
pub fn to_targets(
    model: &Model,
    schemas: &Schemas,
    targets: Option<&[Target]>,
) -> (Vec<TargetProgram>, Vec<Diagnostic>) {
    targets::to_targets(model, schemas, targets)
}

/// [`to_targets`], one stack at a time: `each` receives the programs of one stack (one per
/// target), stacks in model order, and may drop them before the next stack is lowered, so
/// peak memory follows the largest stack. Returns the diagnostics, the same as
/// [`to_targets`]'s. When the memory budget runs out (`E2007`), the stacks already handed
/// over stay handed over and lowering stops; the error fails the compile.
pub fn to_targets_each(
    model: &Model,
    schemas: &Schemas,
    targets: Option<&[Target]>,
    each: &mut dyn FnMut(Vec<TargetProgram>),
) -> Vec<Diagnostic> {
    targets::to_targets_each(model, schemas, targets, each)
}

/// The codes this stage reports.
pub fn codes() -> Vec<strata_base::CodeDoc> {
    codes::codes()
}

/// Problems in the embedded lowering tables themselves (empty in a correct build). Compiles
/// every template (they are otherwise compiled on first use), so a broken one is reported.
pub fn table_errors() -> Vec<String> {
    engine::engine().compile_all()
}

/// Introspection of the lowering tables, for consistency tests and tooling.
pub mod tables {
    use crate::engine::{engine, OutSpec, OutSrc};
    use strata_model::{Provider, Target};

    /// One entry of a mapping.
    #[derive(Clone, Debug)]
    pub struct EntryInfo {
        pub key: String,
        pub ty: String,
        pub body: String,
        pub outs: Vec<String>,
        pub file: String,
        /// Texts of the out specs (static ones), for checks.
        pub out_texts: Vec<String>,
        /// A structured body's literal object keys, each with the keys of the objects it is in
        /// (`[]` for a list's element): what the schema check reads. `None`: a template.
        pub map_keys: Option<Vec<crate::lx::KeyUse>>,
    }

    fn info(e: &crate::engine::Entry) -> EntryInfo {
        let mut out_texts = Vec::new();
        for spec in e.outs.values() {
            let srcs: Vec<&OutSrc> = match spec {
                OutSpec::One(s) => vec![s],
                OutSpec::Many(l) => l.iter().collect(),
            };
            for s in srcs {
                if let OutSrc::Static(parts) = s {
                    out_texts.push(format!("{parts:?}"));
                }
            }
        }
        EntryInfo {
            key: e.key.clone(),
            ty: e.ty.clone(),
            body: e.body_src.clone(),
            outs: e.outs.keys().cloned().collect(),
            file: e.file.clone(),
            out_texts,
            // A `refuse` or `notice` entry has no body, and writes no key.
            map_keys: match e.map.as_deref() {
                Some(n) => {
                    let mut k = Vec::new();
                    if let Ok(n) = n.get() {
                        crate::lx::keys(n, &engine().fragments, &mut k);
                    }
                    Some(k)
                }
                None => e.refuse.as_ref().or(e.notice.as_ref()).map(|_| Vec::new()),
            },
        }
    }

    /// Entries mapping a provider schema to a target, if any.
    pub fn target_mapping(schema: &str, target: Target) -> Option<Vec<EntryInfo>> {
        engine()
            .targets
            .get(&(schema.to_string(), target))
            .map(|l| l.iter().map(info).collect())
    }

    /// Entries lowering a portable type to a provider, and its implicit properties.
    #[allow(clippy::type_complexity)]
    pub fn portable_mapping(
        ty: &str,
        provider: Provider,
    ) -> Option<(Vec<EntryInfo>, Vec<(String, String)>)> {
        engine().portable.get(&(ty.to_string(), provider)).map(|l| {
            (
                l.entries.iter().map(info).collect(),
                l.implicit
                    .iter()
                    .map(|(a, b)| (a.clone(), b.clone()))
                    .collect(),
            )
        })
    }

    /// Every mapped provider schema with its targets.
    pub fn mapped_schemas() -> Vec<(String, Target)> {
        let mut v: Vec<(String, Target)> = engine().targets.keys().cloned().collect();
        v.sort();
        v
    }

    /// Check every structured body (`map`) of the stdlib against its type: target entries
    /// against the generated layer, portable entries against `fields` (a provider schema's
    /// property names). See `lx_check.rs`.
    pub fn map_problems(
        fields: &dyn Fn(&str) -> Option<std::collections::BTreeSet<String>>,
    ) -> crate::lx_check::Report {
        crate::lx_check::check_engine(engine(), fields)
    }

    /// Check the structured bodies of other lowering files (`(path, text)` pairs) the same way:
    /// the errors of the files themselves, then the report.
    pub fn map_problems_of(
        files: &[(String, String)],
        fields: &dyn Fn(&str) -> Option<std::collections::BTreeSet<String>>,
    ) -> (Vec<String>, crate::lx_check::Report) {
        let eng = crate::engine::Engine::from_files_lazy(files);
        let errors = eng.compile_all();
        (errors, crate::lx_check::check_engine(&eng, fields))
    }

    /// Every portable type with the providers it lowers to.
    pub fn portable_types() -> Vec<(String, Provider)> {
        let mut v: Vec<(String, Provider)> = engine().portable.keys().cloned().collect();
        v.sort();
        v
    }
}
