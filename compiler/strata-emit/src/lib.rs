//! Emitters: write lowered [`TargetProgram`]s as files.
//!
//! Architecture invariant: this crate only *formats*. Every mapping decision (which resource
//! types, property names, references) was taken by `strata-lower`; an emitter writes what it is
//! given, faithfully, or refuses with a diagnostic when the format cannot express it (it never
//! writes something that would be read back differently).
//!
//! API boundary: [`emit`] (pure, no I/O, parallel with rayon, byte-for-byte deterministic for
//! any thread count), [`write_outputs`] (the only I/O: the output directory replaced in one
//! atomic switch, under a lock), [`codes`] (the diagnostics this crate reports).
//!
//! Files written (paths relative to the output directory):
//!
//! | target | path |
//! | --- | --- |
//! | CloudFormation | `cloudformation/<stack>.template.json` (or `.template.yaml`) |
//! | Deployment Manager | `deployment-manager/<stack>.yaml` |
//! | Terraform | `terraform/<stack>/main.tf` (one root module per stack) |
//! | Kubernetes | `kubernetes/<stack>.yaml` (all objects of the stack, in install order) |

mod cfn;
mod codes;
mod common;
mod dm;
mod hcl;
mod k8s;
mod node;
mod write;

use rayon::prelude::*;
use std::collections::BTreeMap;
use strata_base::{Diagnostic, Span};
use strata_model::{ResourceId, Target, TargetProgram};

pub use codes::codes;
pub use write::write_outputs;

/// Options of [`emit`].
#[derive(Clone, Debug, Default)]
pub struct EmitOptions {
    /// Write CloudFormation templates as YAML (`.template.yaml`) instead of JSON.
    pub cloudformation_yaml: bool,
    /// Where each Strata resource was declared, for the spans of diagnostics. Resources not in
    /// the map (and stack-level problems) get a default span; the message always names the
    /// file, resource and property.
    pub spans: BTreeMap<ResourceId, Span>,
}

/// One file to write: a path relative to the output directory, using `/` separators, whose
/// first component is the target's folder ([`Target::dir_name`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmittedFile {
    pub path: String,
    pub contents: String,
}

/// Renders every program in its target's format. Programs and the resources inside each are
/// rendered in parallel on the current rayon pool; the result is sorted by path and is the same
/// byte for byte whatever the number of threads.
///
/// Errors (all of them, not only the first) when a program cannot be written faithfully: see
/// [`codes`].
pub fn emit(
    programs: &[TargetProgram],
    opts: &EmitOptions,
) -> Result<Vec<EmittedFile>, Vec<Diagnostic>> {
    let results: Vec<(Vec<EmittedFile>, Vec<Diagnostic>)> = programs
        .par_iter()
        .map(|p| match p.target {
            Target::CloudFormation => cfn::emit(p, opts),
            Target::DeploymentManager => dm::emit(p, opts),
            Target::Terraform => hcl::emit(p, opts),
            Target::Kubernetes => k8s::emit(p, opts),
        })
        .collect();

    let mut files = Vec::new();
    let mut diags = Vec::new();
    for (f, d) in results {
        files.extend(f);
        diags.extend(d);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    diags.extend(duplicate_paths(files.iter().map(|f| f.path.as_str())));
    if diags.is_empty() {
        Ok(files)
    } else {
        Err(diags)
    }
}

/// The error of each path written twice, among `paths` sorted: what [`emit`] checks across
/// its programs, for a caller that emits the programs in several calls (stack by stack).
pub fn duplicate_paths<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut last: Option<&str> = None;
    for path in paths {
        if last == Some(path) {
            diags.push(
                Diagnostic::error(
                    codes::DUPLICATE,
                    format!("two programs write the same file `{path}`"),
                    Span::default(),
                )
                .with_help("give each stack of a target a distinct name"),
            );
        }
        last = Some(path);
    }
    diags
}
