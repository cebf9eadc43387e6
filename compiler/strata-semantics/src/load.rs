//! Phase 0: gather every file of the compilation — stdlib, project, and transitively imported
//! project files — and parse each exactly once.

use crate::{Loader, Options, ParseCache};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use strata_base::{Diagnostic, FileId, SourceMap, Span};
use strata_syntax::ast;

/// A group of files that share one namespace: the stdlib, the project root, or an import.
#[derive(Debug)]
pub(crate) struct UnitFiles {
    /// Normalised project-relative name (`""` for the root, `modules/net` for an import).
    pub name: String,
    pub files: Vec<usize>,
}

pub(crate) struct Loaded {
    /// Every parsed file, by index (shared with the [`ParseCache`], when there is one).
    pub files: Vec<(FileId, Arc<ast::File>)>,
    /// Units: 0 = stdlib, 1 = project root, then imports.
    pub units: Vec<UnitFiles>,
    /// For each `import "..."` item (by its span), the unit it resolved to.
    pub file_imports: HashMap<Span, usize>,
}

/// Parse files in parallel; the trees come back in the order of `ids`. Files the cache holds
/// with the same id, name and text are not parsed again.
fn parse_all(
    sources: &SourceMap,
    ids: &[FileId],
    cache: Option<&ParseCache>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(FileId, Arc<ast::File>)> {
    use rayon::prelude::*;
    let mut done: Vec<Option<(Arc<ast::File>, Vec<Diagnostic>)>> = ids
        .iter()
        .map(|&id| cache.and_then(|c| c.get(sources.get(id))))
        .collect();
    let missing: Vec<usize> = (0..ids.len()).filter(|&i| done[i].is_none()).collect();
    let parsed: Vec<(usize, Arc<ast::File>, Vec<Diagnostic>)> = missing
        .par_iter()
        .map(|&i| {
            let (tree, d) = strata_syntax::parse(ids[i], &sources.get(ids[i]).text);
            (i, Arc::new(tree), d)
        })
        .collect();
    for (i, tree, d) in parsed {
        if let Some(c) = cache {
            c.put(sources.get(ids[i]), tree.clone(), &d);
        }
        done[i] = Some((tree, d));
    }
    ids.iter()
        .zip(done)
        .filter_map(|(&id, parsed)| {
            let (tree, mut d) = parsed?;
            diags.append(&mut d);
            Some((id, tree))
        })
        .collect()
}

/// Maximum number of imported units (guards against pathological import graphs).
const MAX_UNITS: usize = 10_000;

pub(crate) fn load(
    sources: &mut SourceMap,
    project_files: &[FileId],
    loader: &dyn Loader,
    _options: &Options,
    cache: Option<&ParseCache>,
    diags: &mut Vec<Diagnostic>,
) -> Loaded {
    let mut files = Vec::new();
    let mut units = Vec::new();

    // The stdlib and the project's own files are known up front: parse them in parallel
    // (in a fixed order, so file indices and diagnostics do not depend on scheduling).
    let std_ids: Vec<FileId> = strata_stdlib::files_with_extension(".strata")
        .into_iter()
        .map(|f| sources.add(format!("<stdlib>/{}", f.path), f.text, true))
        .collect();
    let mut std_unit = UnitFiles {
        name: "<stdlib>".into(),
        files: Vec::new(),
    };
    for (id, tree) in parse_all(sources, &std_ids, cache, diags) {
        std_unit.files.push(files.len());
        files.push((id, tree));
    }
    units.push(std_unit);

    let mut root = UnitFiles {
        name: String::new(),
        files: Vec::new(),
    };
    for (id, tree) in parse_all(sources, project_files, cache, diags) {
        root.files.push(files.len());
        files.push((id, tree));
    }
    units.push(root);

    // Breadth-first over file imports. `by_name` dedupes units reached by several paths.
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    by_name.insert(String::new(), 1);
    let mut file_imports = HashMap::new();
    // Import edges between units, for cycle detection: (from, to, span of the import).
    let mut edges: Vec<(usize, usize, Span)> = Vec::new();
    let mut queue = vec![1usize];
    while let Some(u) = queue.pop() {
        let file_idxs = units[u].files.clone();
        for fi in file_idxs {
            let (fid, _) = files[fi];
            let importer = sources.get(fid).name.clone();
            let imports: Vec<(String, Span, Span)> = files[fi]
                .1
                .items
                .iter()
                .filter_map(|it| match it {
                    ast::Item::Import(ast::Import {
                        kind:
                            ast::ImportKind::File {
                                path, path_span, ..
                            },
                        span,
                    }) => Some((path.clone(), *path_span, *span)),
                    _ => None,
                })
                .collect();
            for (rel, path_span, item_span) in imports {
                let Some(target) = normalize(&importer, &rel) else {
                    diags.push(
                        Diagnostic::error("E1005", format!("import `{rel}` leaves the project directory"), path_span)
                            .with_label("points outside the project")
                            .with_help("imports must name files or directories inside the project; move the module into the project"),
                    );
                    continue;
                };
                if let Some(&existing) = by_name.get(&target) {
                    file_imports.insert(item_span, existing);
                    edges.push((u, existing, path_span));
                    continue;
                }
                if units.len() >= MAX_UNITS {
                    diags.push(
                        Diagnostic::error("E1005", "too many imported modules", path_span)
                            .with_help(format!("a project may import at most {MAX_UNITS} modules")),
                    );
                    continue;
                }
                match loader.load(&importer, &rel) {
                    Ok(loaded) if loaded.is_empty() => {
                        diags.push(
                            Diagnostic::error(
                                "E1005",
                                format!("import `{rel}` contains no .strata files"),
                                path_span,
                            )
                            .with_label("nothing to import here")
                            .with_help(
                                "point the import at a .strata file or a directory that holds some",
                            ),
                        );
                    }
                    Ok(loaded) => {
                        let idx = units.len();
                        let mut unit = UnitFiles {
                            name: target.clone(),
                            files: Vec::new(),
                        };
                        let ids: Vec<FileId> = loaded
                            .into_iter()
                            .map(|(name, text)| sources.add(name, text, false))
                            .collect();
                        for (id, tree) in parse_all(sources, &ids, cache, diags) {
                            unit.files.push(files.len());
                            files.push((id, tree));
                        }
                        units.push(unit);
                        by_name.insert(target, idx);
                        file_imports.insert(item_span, idx);
                        edges.push((u, idx, path_span));
                        queue.push(idx);
                    }
                    Err(msg) => {
                        diags.push(
                            Diagnostic::error(
                                "E1005",
                                format!("cannot import `{rel}`: {msg}"),
                                path_span,
                            )
                            .with_label("imported here")
                            .with_help("check the path: it is relative to the importing file"),
                        );
                    }
                }
            }
        }
    }
    report_import_cycles(&edges, &units, diags);
    Loaded {
        files,
        units,
        file_imports,
    }
}

/// Resolve `rel` against the directory of `importer`, purely lexically. `None` if it escapes
/// the project root. The result has no `.strata` suffix and no trailing `/`.
pub(crate) fn normalize(importer: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = importer.split('/').collect();
    parts.pop(); // the importing file's own name
    if rel.starts_with('/') {
        return None;
    }
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut s = parts.join("/");
    if let Some(stripped) = s.strip_suffix(".strata") {
        s = stripped.to_string();
    }
    Some(s)
}

fn report_import_cycles(
    edges: &[(usize, usize, Span)],
    units: &[UnitFiles],
    diags: &mut Vec<Diagnostic>,
) {
    // Small graphs: DFS from each unit looking for a path back to it; report each cycle once.
    let n = units.len();
    let mut adj: Vec<Vec<(usize, Span)>> = vec![Vec::new(); n];
    for &(a, b, s) in edges {
        adj[a].push((b, s));
    }
    let mut reported: Vec<Vec<usize>> = Vec::new();
    let mut color = vec![0u8; n];
    let mut stack: Vec<(usize, Span)> = Vec::new();
    fn dfs(
        u: usize,
        adj: &[Vec<(usize, Span)>],
        color: &mut [u8],
        stack: &mut Vec<(usize, Span)>,
        found: &mut Vec<Vec<(usize, Span)>>,
    ) {
        color[u] = 1;
        for &(v, s) in &adj[u] {
            if color[v] == 1 {
                let mut cyc: Vec<(usize, Span)> = Vec::new();
                let start = stack
                    .iter()
                    .position(|(x, _)| *x == v)
                    .map(|p| p + 1)
                    .unwrap_or(stack.len());
                cyc.extend(stack[start..].iter().copied());
                cyc.push((v, s));
                found.push(cyc);
            } else if color[v] == 0 {
                stack.push((v, s));
                dfs(v, adj, color, stack, found);
                stack.pop();
            }
        }
        color[u] = 2;
    }
    let mut found = Vec::new();
    for u in 0..n {
        if color[u] == 0 {
            dfs(u, &adj, &mut color, &mut stack, &mut found);
        }
    }
    for cyc in found {
        let mut key: Vec<usize> = cyc.iter().map(|x| x.0).collect();
        key.sort();
        if reported.contains(&key) {
            continue;
        }
        reported.push(key);
        let name_of = |u: usize| {
            if units[u].name.is_empty() {
                "<project>".to_string()
            } else {
                units[u].name.clone()
            }
        };
        let mut names: Vec<String> = vec![name_of(cyc.last().map(|x| x.0).unwrap_or(0))];
        names.extend(cyc.iter().map(|(u, _)| name_of(*u)));
        let first = cyc[0].1;
        let mut d = Diagnostic::error(
            "E1006",
            format!("import cycle: {}", names.join(" → ")),
            first,
        )
        .with_label("this import starts the cycle")
        .with_help("move what both modules need into a third module that neither imports back");
        for (_, s) in cyc.iter().skip(1) {
            d = d.with_secondary(*s, "…which imports this");
        }
        diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalises_relative_paths() {
        assert_eq!(
            normalize("main.strata", "./modules/net").as_deref(),
            Some("modules/net")
        );
        assert_eq!(normalize("a/b.strata", "../c.strata").as_deref(), Some("c"));
        assert_eq!(normalize("main.strata", "../outside"), None);
        assert_eq!(normalize("main.strata", "/etc/passwd"), None);
    }
}
