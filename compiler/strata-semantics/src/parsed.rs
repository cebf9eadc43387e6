//! Syntax trees kept from one analysis to the next (the language server's re-checks): a file
//! whose text did not change is not parsed again.
//!
//! An entry is keyed by everything the tree depends on: the file's id (spans carry it), its name
//! and its exact text. A lookup that differs in any of them misses, and the file is parsed
//! afresh, so a reused tree is always the tree a fresh parse would give (parsing is a pure
//! function of the id and the text). After each analysis the entries it did not use are dropped:
//! the cache holds at most the files of the last analysis.
//!
//! It also keeps the stdlib's built schemas ([`StdSchemas`]): building them takes about as long
//! as evaluating a few hundred resources, and they depend only on the stdlib's trees and on which
//! schema names exist.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use strata_base::{Diagnostic, FileId, SourceFile};
use strata_syntax::ast;

/// Parsed trees by file, for [`crate::analyze_cached`]. Shared by reference; safe to use from
/// several threads (one analysis at a time gets the best reuse).
#[derive(Default)]
pub struct ParseCache {
    inner: Mutex<Inner>,
    std_schemas: Mutex<Option<Arc<StdSchemas>>>,
}

/// The stdlib's schemas as one analysis built them, with what building them left in the
/// analysis besides (cross references, resolved named types, the evaluation budget spent), so
/// that another analysis can take them instead of building them. Reused only when everything
/// they were built from is the same ([`StdSchemasKey`]).
pub(crate) struct StdSchemas {
    pub key: StdSchemasKey,
    pub schemas: Vec<(String, Arc<strata_model::ResourceSchema>)>,
    pub xrefs: Vec<crate::XRef>,
    pub types: Vec<(usize, strata_model::Ty)>,
    pub steps: u64,
    pub work: u64,
}

/// What building the stdlib's schemas reads: the stdlib's trees (held, so that the same pointer
/// is the same tree; their spans carry the files' ids), the names of all schemas declared or
/// loaded by then (a name in the stdlib resolves to a schema of that name, even a project's),
/// the number of stdlib symbols (named types are cached by symbol id) and whether cross
/// references are recorded.
pub(crate) struct StdSchemasKey {
    pub trees: Vec<Arc<ast::File>>,
    pub names: Vec<String>,
    pub std_syms: usize,
    pub record_xrefs: bool,
}

impl StdSchemasKey {
    fn same(&self, other: &StdSchemasKey) -> bool {
        self.trees.len() == other.trees.len()
            && self
                .trees
                .iter()
                .zip(&other.trees)
                .all(|(a, b)| Arc::ptr_eq(a, b))
            && self.names == other.names
            && self.std_syms == other.std_syms
            && self.record_xrefs == other.record_xrefs
    }
}

#[derive(Default)]
struct Inner {
    entries: HashMap<FileId, Entry>,
    /// Files looked up or stored since the last [`ParseCache::sweep`].
    used: HashSet<FileId>,
    hits: u64,
    misses: u64,
}

struct Entry {
    name: String,
    is_stdlib: bool,
    text: Arc<str>,
    tree: Arc<ast::File>,
    diags: Vec<Diagnostic>,
}

impl std::fmt::Debug for ParseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (files, hits, misses) = self.stats();
        write!(
            f,
            "ParseCache {{ files: {files}, hits: {hits}, misses: {misses} }}"
        )
    }
}

impl ParseCache {
    pub fn new() -> ParseCache {
        ParseCache::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while the lock was held leaves entries that are each complete: keep using them.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The tree and syntax diagnostics of `file`, if it was parsed with exactly this id, name
    /// and text.
    pub(crate) fn get(&self, file: &SourceFile) -> Option<(Arc<ast::File>, Vec<Diagnostic>)> {
        let mut inner = self.lock();
        inner.used.insert(file.id);
        let hit = inner.entries.get(&file.id).and_then(|e| {
            let same = e.name == file.name
                && e.is_stdlib == file.is_stdlib
                && (Arc::ptr_eq(&e.text, &file.text) || *e.text == *file.text);
            same.then(|| (e.tree.clone(), e.diags.clone()))
        });
        if hit.is_some() {
            inner.hits += 1;
        } else {
            inner.misses += 1;
        }
        hit
    }

    pub(crate) fn put(&self, file: &SourceFile, tree: Arc<ast::File>, diags: &[Diagnostic]) {
        let mut inner = self.lock();
        inner.used.insert(file.id);
        inner.entries.insert(
            file.id,
            Entry {
                name: file.name.clone(),
                is_stdlib: file.is_stdlib,
                text: file.text.clone(),
                tree,
                diags: diags.to_vec(),
            },
        );
    }

    /// Drop the entries no lookup asked for since the last sweep (files closed, removed, or
    /// renumbered); called at the end of each analysis.
    pub(crate) fn sweep(&self) {
        let mut inner = self.lock();
        let used = std::mem::take(&mut inner.used);
        inner.entries.retain(|id, _| used.contains(id));
    }

    /// The stdlib's schemas, if they were built from exactly what `key` describes.
    pub(crate) fn std_schemas(&self, key: &StdSchemasKey) -> Option<Arc<StdSchemas>> {
        let saved = self.std_schemas.lock().unwrap_or_else(|e| e.into_inner());
        saved.as_ref().filter(|s| s.key.same(key)).cloned()
    }

    pub(crate) fn put_std_schemas(&self, built: StdSchemas) {
        *self.std_schemas.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(built));
    }

    /// Files held, lookups answered from the cache, lookups that had to parse.
    pub fn stats(&self) -> (usize, u64, u64) {
        let inner = self.lock();
        (inner.entries.len(), inner.hits, inner.misses)
    }
}
