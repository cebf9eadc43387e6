//! The open documents: what the editor holds, which may differ from the disk. The main loop
//! owns the store and applies `didOpen`/`didChange`/`didClose`; readers (the checker, request
//! handlers) take an immutable [`DocsSnapshot`], so a request always sees the text as it was
//! when the request arrived, whatever arrives after it.

use crate::uri;
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use strata_base::{FileId, SourceFile};
use strata_syntax::ast;

/// One open document.
#[derive(Clone, Debug)]
pub struct Doc {
    pub uri: Uri,
    /// Where the document lives: its file path, or a synthetic path for URIs that are not
    /// local files (each such buffer is a project of its own).
    pub path: PathBuf,
    pub version: i32,
    pub text: Arc<str>,
    /// The syntax tree of `text` (file id 0), parsed by the first request that needs it and
    /// shared by the others of this version (completion, symbols and code actions of one
    /// version then parse once, not once each).
    tree: OnceLock<Arc<ast::File>>,
}

impl Doc {
    pub fn new(uri: Uri, path: PathBuf, version: i32, text: Arc<str>) -> Doc {
        Doc {
            uri,
            path,
            version,
            text,
            tree: OnceLock::new(),
        }
    }

    /// The syntax tree of the text (syntax errors are recovered; their diagnostics come from
    /// the checker).
    pub fn tree(&self) -> Arc<ast::File> {
        self.tree
            .get_or_init(|| Arc::new(strata_syntax::parse(FileId(0), &self.text).0))
            .clone()
    }

    /// A line index over the text (for position conversion).
    pub fn index(&self) -> SourceFile {
        SourceFile::new(
            FileId(0),
            self.path.to_string_lossy(),
            self.text.clone(),
            false,
        )
    }
}

/// An immutable view of every open document.
#[derive(Clone, Debug, Default)]
pub struct DocsSnapshot {
    by_uri: HashMap<Uri, Arc<Doc>>,
    by_path: HashMap<PathBuf, Arc<Doc>>,
}

impl DocsSnapshot {
    pub fn get(&self, uri: &Uri) -> Option<&Arc<Doc>> {
        self.by_uri.get(uri)
    }
    pub fn by_path(&self, path: &Path) -> Option<&Arc<Doc>> {
        self.by_path.get(path)
    }
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Doc>> {
        self.by_uri.values()
    }
}

/// The mutable store (main loop only).
#[derive(Debug, Default)]
pub struct Docs {
    snap: Arc<DocsSnapshot>,
    untitled: u32,
}

impl Docs {
    pub fn snapshot(&self) -> Arc<DocsSnapshot> {
        self.snap.clone()
    }

    /// The path a URI stands for: its file, or a synthetic one in a directory of its own.
    pub fn path_for(&mut self, u: &Uri) -> PathBuf {
        if let Some(d) = self.snap.by_uri.get(u) {
            return d.path.clone();
        }
        match uri::to_path(u) {
            Some(p) => strata_driver::normalize(&p),
            None => {
                self.untitled += 1;
                PathBuf::from(format!(
                    "/strata-untitled-buffer/{}/buffer.strata",
                    self.untitled
                ))
            }
        }
    }

    pub fn open(&mut self, u: Uri, version: i32, text: String) -> Arc<Doc> {
        let path = self.path_for(&u);
        let doc = Arc::new(Doc::new(u, path, version, text.into()));
        self.insert(doc.clone());
        doc
    }

    /// Apply a `didChange`. Full and incremental changes are both accepted. Returns the new
    /// document, or `None` when it is not open.
    pub fn change(
        &mut self,
        u: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> Option<Arc<Doc>> {
        let old = self.snap.by_uri.get(u)?.clone();
        let mut text: String = old.text.to_string();
        for c in changes {
            match c.range {
                None => text = c.text,
                Some(r) => {
                    let index = SourceFile::new(FileId(0), "", text.as_str(), false);
                    let start = index.offset_of_utf16(r.start.line, r.start.character);
                    let end = index
                        .offset_of_utf16(r.end.line, r.end.character)
                        .max(start);
                    text.replace_range(start..end, &c.text);
                }
            }
        }
        let doc = Arc::new(Doc::new(
            old.uri.clone(),
            old.path.clone(),
            version,
            text.into(),
        ));
        self.insert(doc.clone());
        Some(doc)
    }

    pub fn close(&mut self, u: &Uri) -> Option<Arc<Doc>> {
        let mut s = (*self.snap).clone();
        let d = s.by_uri.remove(u)?;
        s.by_path.remove(&d.path);
        self.snap = Arc::new(s);
        Some(d)
    }

    fn insert(&mut self, doc: Arc<Doc>) {
        let mut s = (*self.snap).clone();
        s.by_path.insert(doc.path.clone(), doc.clone());
        s.by_uri.insert(doc.uri.clone(), doc);
        self.snap = Arc::new(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};
    use std::str::FromStr;

    #[test]
    fn incremental_changes_in_utf16() {
        let mut d = Docs::default();
        let u = Uri::from_str("file:///p/a.strata").unwrap();
        d.open(u.clone(), 1, "let a = \"😀\"\nlet b = 1\n".into());
        let ch = |l1, c1, l2, c2, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: t.into(),
        };
        // After the emoji (2 UTF-16 units) and the closing quote.
        let doc = d
            .change(&u, 2, vec![ch(0, 12, 0, 12, "x"), ch(1, 8, 1, 9, "22")])
            .unwrap();
        assert_eq!(&*doc.text, "let a = \"😀\"x\nlet b = 22\n");
        assert_eq!(doc.version, 2);
        // Out-of-range positions clamp instead of panicking.
        let doc = d.change(&u, 3, vec![ch(99, 0, 99, 5, "z")]).unwrap();
        assert!(doc.text.ends_with('z'));
        assert_eq!(
            d.snapshot()
                .by_path(Path::new("/p/a.strata"))
                .map(|d| d.version),
            Some(3)
        );
        assert!(d.close(&u).is_some());
        assert!(d.snapshot().get(&u).is_none());
    }

    #[test]
    fn untitled_buffers_get_their_own_directory() {
        let mut d = Docs::default();
        let a = d.open(
            Uri::from_str("untitled:Untitled-1").unwrap(),
            1,
            String::new(),
        );
        let b = d.open(
            Uri::from_str("untitled:Untitled-2").unwrap(),
            1,
            String::new(),
        );
        assert_ne!(a.path.parent(), b.path.parent());
    }
}
