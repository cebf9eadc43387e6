//! The result of one check of one project, kept for the requests that follow it, and the
//! conversions between the compiler's spans and the editor's positions.

use crate::cache::{Cache, STDLIB_PREFIX};
use crate::docs::{Doc, DocsSnapshot};
use crate::uri;
use lsp_types::{Position, Range, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use strata_base::{FileId, SourceFile, Span};
use strata_driver::CheckOutcome;

/// One finished check of a project (a directory).
pub struct Snapshot {
    /// The project directory (absolute).
    pub root: PathBuf,
    pub outcome: CheckOutcome,
    /// Project files (and imported files) by path.
    pub by_path: HashMap<PathBuf, FileId>,
}

impl Snapshot {
    pub fn new(root: PathBuf, outcome: CheckOutcome) -> Snapshot {
        let mut by_path = HashMap::new();
        for f in outcome.sources.files() {
            if f.is_stdlib || outcome.project.verbatim_files.contains(&f.id) {
                continue;
            }
            by_path
                .entry(strata_driver::normalize(&root.join(&f.name)))
                .or_insert(f.id);
        }
        Snapshot {
            root,
            outcome,
            by_path,
        }
    }

    /// The resources the project declares, as analysed: the analysed model when the driver
    /// kept it, else the declared resources of the lowered model (lowering keeps them first,
    /// in the same order, and marks the ones it adds with `lowered_from`).
    pub fn declared_resources(&self) -> Box<dyn Iterator<Item = &strata_model::Resource> + '_> {
        let analysed = &self.outcome.analysis.model.resources;
        if analysed.is_empty() {
            Box::new(
                self.outcome
                    .model
                    .resources
                    .iter()
                    .filter(|r| r.lowered_from.is_none()),
            )
        } else {
            Box::new(analysed.iter())
        }
    }

    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.outcome.sources.try_get(id)
    }

    /// The file a path was checked as.
    pub fn file_of(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    /// Where a file of the source map is on disk: a project file, or a stdlib file copied to
    /// the cache (written on first use).
    pub fn path_of(&self, id: FileId, cache: &Cache) -> Option<PathBuf> {
        let f = self.file(id)?;
        if f.is_stdlib || f.name.starts_with(STDLIB_PREFIX) {
            return cache.materialize_stdlib(&f.name);
        }
        if self.outcome.project.verbatim_files.contains(&id) {
            return None;
        }
        Some(strata_driver::normalize(&self.root.join(&f.name)))
    }
}

/// The editor range of a span in a file.
pub fn range(file: &SourceFile, span: Span) -> Range {
    let (l1, c1) = file.utf16_position(span.start);
    let (l2, c2) = file.utf16_position(span.end.max(span.start));
    Range::new(Position::new(l1, c1), Position::new(l2, c2))
}

/// The byte offset of an editor position.
pub fn offset(file: &SourceFile, pos: Position) -> usize {
    file.offset_of_utf16(pos.line, pos.character)
}

/// How offsets move between the text a snapshot analysed and the text the editor holds now:
/// text before the first difference and after the last one maps one-to-one; a position
/// inside the edited region has no counterpart.
pub struct OffsetMap {
    prefix: usize,
    /// Length of the common suffix.
    suffix: usize,
    old_len: usize,
    new_len: usize,
}

impl OffsetMap {
    pub fn new(old: &str, new: &str) -> OffsetMap {
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let max = a.len().min(b.len());
        let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count().min(max);
        while prefix > 0 && !(old.is_char_boundary(prefix) && new.is_char_boundary(prefix)) {
            prefix -= 1;
        }
        let mut suffix = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
            .min(max - prefix);
        while suffix > 0
            && !(old.is_char_boundary(a.len() - suffix) && new.is_char_boundary(b.len() - suffix))
        {
            suffix -= 1;
        }
        OffsetMap {
            prefix,
            suffix,
            old_len: a.len(),
            new_len: b.len(),
        }
    }
    pub fn identical(&self) -> bool {
        self.prefix == self.old_len && self.old_len == self.new_len
    }
    /// A position in the new text → the same place in the old text.
    pub fn to_old(&self, new_offset: usize) -> Option<usize> {
        if new_offset <= self.prefix {
            Some(new_offset)
        } else if new_offset >= self.new_len - self.suffix {
            Some((new_offset.min(self.new_len) + self.old_len - self.new_len).min(self.old_len))
        } else {
            None
        }
    }
    /// A position in the old text → the same place in the new text.
    pub fn to_new(&self, old_offset: usize) -> Option<usize> {
        if old_offset <= self.prefix {
            Some(old_offset)
        } else if old_offset >= self.old_len - self.suffix {
            Some((old_offset.min(self.old_len) + self.new_len - self.old_len).min(self.new_len))
        } else {
            None
        }
    }
}

/// A document as seen by one request: its current text and, when the project has been
/// checked, the snapshot and the file the document was checked as.
pub struct DocView<'a> {
    pub doc: &'a Doc,
    pub index: SourceFile,
    pub snap: Option<&'a Snapshot>,
    /// The document's file in the snapshot and the offset map from the current text to it.
    pub checked: Option<(FileId, OffsetMap)>,
}

impl<'a> DocView<'a> {
    pub fn new(doc: &'a Doc, snap: Option<&'a Snapshot>) -> DocView<'a> {
        let index = doc.index();
        let checked = snap.and_then(|s| {
            let id = s.file_of(&doc.path)?;
            let old = &s.file(id)?.text;
            Some((id, OffsetMap::new(old, &doc.text)))
        });
        DocView {
            doc,
            index,
            snap,
            checked,
        }
    }
    /// The offset in the checked text of an offset in the current text.
    pub fn to_checked(&self, offset: usize) -> Option<(FileId, usize)> {
        let (id, map) = self.checked.as_ref()?;
        Some((*id, map.to_old(offset)?))
    }
    /// The current range of a span of the checked text, when it lies in this document.
    pub fn current_range(&self, span: Span) -> Option<Range> {
        let (id, map) = self.checked.as_ref()?;
        if span.file != *id {
            return None;
        }
        let s = map.to_new(span.start as usize)?;
        let e = map.to_new(span.end as usize)?;
        Some(range(&self.index, Span::new(FileId(0), s, e)))
    }
    /// A location for a span of the snapshot: in this document (current positions), in another
    /// project file (through its buffer's current text when it is open), or in the
    /// materialised stdlib.
    pub fn location(&self, span: Span, cache: &Cache, docs: &DocsSnapshot) -> Option<(Uri, Range)> {
        if let Some(r) = self.current_range(span) {
            return Some((self.doc.uri.clone(), r));
        }
        let snap = self.snap?;
        let file = snap.file(span.file)?;
        let path = snap.path_of(span.file, cache)?;
        if let Some(open) = docs.by_path(&path) {
            // The buffer may have changed since the check: map the span into its text.
            let view = DocView::new(open, Some(snap));
            let r = view.current_range(span)?;
            return Some((open.uri.clone(), r));
        }
        Some((uri::from_path(&path), range(file, span)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_move_around_an_edit() {
        let old = "let a = 1\nlet b = 2\n";
        let new = "let a = 10\nlet b = 2\n";
        let m = OffsetMap::new(old, new);
        assert!(!m.identical());
        assert_eq!(m.to_old(4), Some(4));
        assert_eq!(
            m.to_old(new.find('b').unwrap()),
            Some(old.find('b').unwrap())
        );
        assert_eq!(
            m.to_new(old.find('b').unwrap()),
            Some(new.find('b').unwrap())
        );
        assert!(OffsetMap::new(old, old).identical());
        // Inserting in the middle of a repeated run keeps offsets inside the text.
        let m = OffsetMap::new("aaa", "aaaa");
        for i in 0..=4 {
            assert!(m.to_old(i).is_none_or(|o| o <= 3));
        }
        let m = OffsetMap::new("é", "è");
        assert_eq!(m.to_old(0), Some(0));
        assert_eq!(m.to_old(2), Some(2));
    }
}
