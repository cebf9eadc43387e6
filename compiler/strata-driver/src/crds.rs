//! `[kubernetes] crds` of strata.toml: the project's CustomResourceDefinition files, read
//! through the [`World`] (inside the project only), parsed as YAML or JSON, and registered with
//! the generated layer so their kinds are typed like built-ins (`kube.<group>.<version>.<Kind>`).

use crate::codes as c;
use crate::project::{describe_read_error, read_text, Project};
use crate::world::{EntryKind, World};
use std::path::{Component, Path};
use strata_base::{Diagnostic, Span};
use strata_stdlib::generated::{crd, GenType};

/// CRD files one project may list (after directories are expanded).
const MAX_CRD_FILES: usize = 1_000;

/// Read the CRDs of `project` and register their kinds (an empty list clears those of a
/// previous project). Problems are diagnostics at the entry of strata.toml.
pub(crate) fn load(world: &dyn World, project: &Project) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut types: Vec<GenType> = Vec::new();
    let root_real = world.canonicalize(&project.root).ok();
    for (entry, span) in &project.config.crds {
        let rel = Path::new(entry);
        if rel.has_root()
            || rel
                .components()
                .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
        {
            diags.push(
                Diagnostic::error(
                    c::BAD_CRD,
                    format!("CRD path `{entry}` is outside the project"),
                    *span,
                )
                .with_help("list CRD files by paths relative to the project directory, inside it"),
            );
            continue;
        }
        let path = project.root.join(rel);
        if let (Some(root), Ok(real)) = (&root_real, world.canonicalize(&path)) {
            if !real.starts_with(root) {
                diags.push(
                    Diagnostic::error(
                        c::BAD_CRD,
                        format!("`{entry}` is a symbolic link that leads outside the project"),
                        *span,
                    )
                    .with_help("copy the CRD into the project"),
                );
                continue;
            }
        }
        let files: Vec<std::path::PathBuf> = match world.metadata(&path).map(|m| m.kind) {
            Ok(EntryKind::Dir) => {
                let mut f: Vec<_> = world
                    .read_dir(&path)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| {
                        p.extension()
                            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                    })
                    .collect();
                f.sort();
                f
            }
            Ok(_) => vec![path.clone()],
            Err(_) => {
                diags.push(
                    Diagnostic::error(
                        c::BAD_CRD,
                        format!("CRD file `{entry}` does not exist"),
                        *span,
                    )
                    .with_help("check the path: it is relative to the project directory"),
                );
                continue;
            }
        };
        for f in files.into_iter().take(MAX_CRD_FILES) {
            let shown = f
                .strip_prefix(&project.root)
                .unwrap_or(&f)
                .to_string_lossy()
                .into_owned();
            let text = match read_text(world, &f) {
                Ok(t) => t,
                Err(e) => {
                    diags.push(
                        Diagnostic::error(
                            c::BAD_CRD,
                            format!(
                                "cannot read the CRD file `{shown}`: {}",
                                describe_read_error(&e)
                            ),
                            *span,
                        )
                        .with_help("check the file"),
                    );
                    continue;
                }
            };
            match parse_docs(&text) {
                Ok(docs) => {
                    for d in docs {
                        match crd::types_of(&d) {
                            Ok(t) => types.extend(t),
                            Err(why) => diags.push(
                                Diagnostic::error(c::BAD_CRD, format!("`{shown}`: {why}"), *span).with_help("the file must hold apiextensions.k8s.io/v1 CustomResourceDefinitions"),
                            ),
                        }
                    }
                }
                Err(why) => diags.push(
                    Diagnostic::error(
                        c::BAD_CRD,
                        format!("`{shown}` is not valid YAML: {why}"),
                        *span,
                    )
                    .with_help("fix the file, or remove it from `[kubernetes] crds`"),
                ),
            }
        }
    }
    types.sort_by(|a, b| a.name.cmp(&b.name));
    for w in types.windows(2) {
        if w[0].name == w[1].name {
            diags.push(
                Diagnostic::error(
                    c::BAD_CRD,
                    format!("two CRDs define `{}`", w[0].name),
                    project.config.crds.first().map_or(Span::default(), |x| x.1),
                )
                .with_help("list each CustomResourceDefinition once"),
            );
        }
    }
    types.dedup_by(|a, b| a.name == b.name);
    strata_stdlib::generated::set_project_types(types);
    diags
}

/// Every document of a YAML stream (JSON is YAML), as JSON values.
fn parse_docs(text: &str) -> Result<Vec<serde_json::Value>, String> {
    use serde::Deserialize;
    let mut out = Vec::new();
    for doc in serde_norway::Deserializer::from_str(text) {
        let v = serde_json::Value::deserialize(doc).map_err(|e| e.to_string())?;
        if !v.is_null() {
            out.push(v);
        }
    }
    Ok(out)
}
