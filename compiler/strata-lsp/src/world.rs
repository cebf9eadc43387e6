//! The editor's [`World`]: open documents first, then the disk. An unsaved buffer is checked
//! as it is in the editor; a new file that is not saved yet is part of its directory's project.

use crate::docs::DocsSnapshot;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use strata_driver::{normalize, DiskWorld, EntryKind, Metadata, World};

pub struct OverlayWorld {
    pub docs: Arc<DocsSnapshot>,
}

impl OverlayWorld {
    fn doc_text(&self, path: &Path) -> Option<&str> {
        self.docs.by_path(&normalize(path)).map(|d| &*d.text)
    }
    /// Open documents directly inside `dir`.
    fn docs_in(&self, dir: &Path) -> Vec<PathBuf> {
        let dir = normalize(dir);
        self.docs
            .iter()
            .filter(|d| d.path.parent() == Some(dir.as_path()))
            .map(|d| d.path.clone())
            .collect()
    }
    fn is_overlay_dir(&self, dir: &Path) -> bool {
        let dir = normalize(dir);
        self.docs
            .iter()
            .any(|d| d.path.starts_with(&dir) && d.path != dir)
    }
}

impl World for OverlayWorld {
    fn metadata(&self, path: &Path) -> io::Result<Metadata> {
        if let Some(t) = self.doc_text(path) {
            return Ok(Metadata {
                kind: EntryKind::File,
                len: t.len() as u64,
            });
        }
        match DiskWorld.metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && self.is_overlay_dir(path) => {
                Ok(Metadata {
                    kind: EntryKind::Dir,
                    len: 0,
                })
            }
            r => r,
        }
    }

    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        match self.doc_text(path) {
            Some(t) => {
                let n = (t.len() as u64).min(limit.saturating_add(1)) as usize;
                Ok(t.as_bytes()[..n].to_vec())
            }
            None => DiskWorld.read(path, limit),
        }
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let extra = self.docs_in(path);
        match DiskWorld.read_dir(path) {
            Ok(mut entries) => {
                for e in extra {
                    if !entries.iter().any(|x| normalize(x) == e) {
                        entries.push(e);
                    }
                }
                Ok(entries)
            }
            Err(_) if !extra.is_empty() => Ok(extra),
            Err(e) => Err(e),
        }
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        match DiskWorld.canonicalize(path) {
            Ok(p) => Ok(p),
            Err(_) if self.doc_text(path).is_some() || self.is_overlay_dir(path) => {
                Ok(normalize(path))
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::Docs;
    use lsp_types::Uri;
    use std::str::FromStr;

    #[test]
    fn buffers_shadow_the_disk_and_join_directory_listings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.strata"), "let a = 1\n").unwrap();
        let mut docs = Docs::default();
        let a = crate::uri::from_path(&dir.path().join("a.strata"));
        let b = crate::uri::from_path(&dir.path().join("new.strata"));
        docs.open(a, 1, "let a = 2\n".into());
        docs.open(b, 1, "let b = 3\n".into());
        let w = OverlayWorld {
            docs: docs.snapshot(),
        };
        assert_eq!(
            w.read(&dir.path().join("a.strata"), 100).unwrap(),
            b"let a = 2\n"
        );
        let mut names: Vec<_> = w
            .read_dir(dir.path())
            .unwrap()
            .into_iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        names.sort();
        assert_eq!(names, vec!["a.strata", "new.strata"]);
        assert_eq!(w.metadata(&dir.path().join("new.strata")).unwrap().len, 10);
        // An untitled buffer is a project of its own.
        let mut docs = Docs::default();
        let d = docs.open(
            Uri::from_str("untitled:x").unwrap(),
            1,
            "let x = 1\n".into(),
        );
        let w = OverlayWorld {
            docs: docs.snapshot(),
        };
        let dir = d.path.parent().unwrap();
        assert_eq!(w.metadata(dir).unwrap().kind, EntryKind::Dir);
        assert_eq!(w.read_dir(dir).unwrap(), vec![d.path.clone()]);
    }
}
