//! Syntax trees kept from one analysis to the next (the language server's re-checks): a file
//! whose text did not change is not parsed again.
//!
//! An entry is keyed by everything the tree depends on: the file's id (spans carry it), its name
//! and its exact text. A lookup that differs in any of them misses, and the file is parsed
//! afresh, so a reused tree is always the tree a fresh parse would give (parsing is a pure
//! function of the id and the text). After each analysis the entries it did not use are dropped:
//! the cache holds at most the files of the last analysis.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use strata_base::{Diagnostic, FileId, SourceFile};
use strata_syntax::ast;

/// Parsed trees by file, for [`crate::analyze_cached`]. Shared by reference; safe to use from
/// several threads (one analysis at a time gets the best reuse).
#[derive(Default)]
pub struct ParseCache {
    inner: Mutex<Inner>,
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

    /// Files held, lookups answered from the cache, lookups that had to parse.
    pub fn stats(&self) -> (usize, u64, u64) {
        let inner = self.lock();
        (inner.entries.len(), inner.hits, inner.misses)
    }
}
