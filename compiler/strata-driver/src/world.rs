//! All input of the driver goes through a [`World`]: the CLI reads the disk ([`DiskWorld`]),
//! tests and the language server supply files from memory ([`MemoryWorld`]). The pipeline
//! itself never touches `std::fs`.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// What a path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    /// A FIFO, socket, device...: never read (reading could block forever).
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata {
    pub kind: EntryKind,
    /// Size in bytes (files only).
    pub len: u64,
}

/// Read-only access to the files of a project.
pub trait World: Sync {
    /// What `path` is (following symbolic links). `NotFound` when it does not exist.
    fn metadata(&self, path: &Path) -> io::Result<Metadata>;
    /// The contents of a file, at most `limit` bytes: a longer file returns its first
    /// `limit` bytes plus one, so the caller can tell that it is too large without reading it.
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;
    /// The paths of the entries of a directory (`path` joined with each name), in any order.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;
    /// The path with symbolic links resolved, to check that an import does not leave the
    /// project through a link. Worlds without links return the path lexically normalised.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        Ok(normalize(path))
    }
}

/// The real file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiskWorld;

impl World for DiskWorld {
    fn metadata(&self, path: &Path) -> io::Result<Metadata> {
        let m = std::fs::metadata(path)?;
        let kind = if m.is_file() {
            EntryKind::File
        } else if m.is_dir() {
            EntryKind::Dir
        } else {
            EntryKind::Other
        };
        Ok(Metadata { kind, len: m.len() })
    }

    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let f = std::fs::File::open(path)?;
        let mut buf = Vec::new();
        f.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
        Ok(buf)
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(path)? {
            out.push(entry?.path());
        }
        Ok(out)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }
}

/// One file of a [`MemoryWorld`].
#[derive(Clone, Debug)]
enum MemEntry {
    File(Vec<u8>),
    /// A file that exists but cannot be read (tests of I/O errors).
    Unreadable,
}

/// Files held in memory, for tests and editor buffers. Directories exist implicitly: a path is
/// a directory when some file lies under it. Paths are compared after lexical normalisation.
#[derive(Clone, Debug, Default)]
pub struct MemoryWorld {
    files: BTreeMap<PathBuf, MemEntry>,
}

impl MemoryWorld {
    pub fn new() -> Self {
        MemoryWorld::default()
    }
    /// Add (or replace) a file.
    pub fn insert(&mut self, path: impl AsRef<Path>, contents: impl Into<Vec<u8>>) -> &mut Self {
        self.files
            .insert(normalize(path.as_ref()), MemEntry::File(contents.into()));
        self
    }
    /// Builder form of [`MemoryWorld::insert`].
    pub fn with(mut self, path: impl AsRef<Path>, contents: impl Into<Vec<u8>>) -> Self {
        self.insert(path, contents);
        self
    }
    /// Add a file whose reading fails with "permission denied".
    pub fn insert_unreadable(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.files
            .insert(normalize(path.as_ref()), MemEntry::Unreadable);
        self
    }
    pub fn remove(&mut self, path: impl AsRef<Path>) {
        self.files.remove(&normalize(path.as_ref()));
    }
    fn is_dir(&self, path: &Path) -> bool {
        let p = normalize(path);
        if p.as_os_str().is_empty() || p == Path::new(".") {
            return !self.files.is_empty();
        }
        self.files.keys().any(|k| k.starts_with(&p) && k != &p)
    }
}

fn not_found(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{} not found", path.display()),
    )
}

impl World for MemoryWorld {
    fn metadata(&self, path: &Path) -> io::Result<Metadata> {
        match self.files.get(&normalize(path)) {
            Some(MemEntry::File(b)) => Ok(Metadata {
                kind: EntryKind::File,
                len: b.len() as u64,
            }),
            Some(MemEntry::Unreadable) => Ok(Metadata {
                kind: EntryKind::File,
                len: 0,
            }),
            None if self.is_dir(path) => Ok(Metadata {
                kind: EntryKind::Dir,
                len: 0,
            }),
            None => Err(not_found(path)),
        }
    }

    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        match self.files.get(&normalize(path)) {
            Some(MemEntry::File(b)) => {
                let n = (b.len() as u64).min(limit.saturating_add(1)) as usize;
                Ok(b[..n].to_vec())
            }
            Some(MemEntry::Unreadable) => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "Permission denied",
            )),
            None if self.is_dir(path) => Err(io::Error::other("Is a directory")),
            None => Err(not_found(path)),
        }
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        if !self.is_dir(path) {
            return Err(not_found(path));
        }
        let base = normalize(path);
        let base_is_cwd = base.as_os_str().is_empty() || base == Path::new(".");
        let mut out: Vec<PathBuf> = Vec::new();
        for k in self.files.keys() {
            let rest = if base_is_cwd {
                Some(k.as_path())
            } else {
                k.strip_prefix(&base).ok()
            };
            if let Some(first) = rest.and_then(|r| r.components().next()) {
                let child = if base_is_cwd {
                    PathBuf::from(first.as_os_str())
                } else {
                    base.join(first.as_os_str())
                };
                if out.last() != Some(&child) {
                    out.push(child);
                }
            }
        }
        out.dedup();
        Ok(out)
    }
}

/// Another world with some files replaced or added from memory: the editor's unsaved buffers
/// over the disk. Paths are compared after lexical normalisation.
pub struct OverlayWorld<'a> {
    base: &'a dyn World,
    files: BTreeMap<PathBuf, String>,
}

impl<'a> OverlayWorld<'a> {
    pub fn new(base: &'a dyn World) -> Self {
        OverlayWorld {
            base,
            files: BTreeMap::new(),
        }
    }
    /// Set (or replace) the text of a file.
    pub fn insert(&mut self, path: impl AsRef<Path>, text: impl Into<String>) -> &mut Self {
        self.files.insert(normalize(path.as_ref()), text.into());
        self
    }
    pub fn remove(&mut self, path: impl AsRef<Path>) {
        self.files.remove(&normalize(path.as_ref()));
    }
}

impl World for OverlayWorld<'_> {
    fn metadata(&self, path: &Path) -> io::Result<Metadata> {
        match self.files.get(&normalize(path)) {
            Some(t) => Ok(Metadata {
                kind: EntryKind::File,
                len: t.len() as u64,
            }),
            None => self.base.metadata(path),
        }
    }
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        match self.files.get(&normalize(path)) {
            Some(t) => {
                let n = (t.len() as u64).min(limit.saturating_add(1)) as usize;
                Ok(t.as_bytes()[..n].to_vec())
            }
            None => self.base.read(path, limit),
        }
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let dir = normalize(path);
        let mut out = match self.base.read_dir(path) {
            Ok(v) => v,
            Err(e) if !self.files.keys().any(|k| k.parent() == Some(dir.as_path())) => {
                return Err(e)
            }
            Err(_) => Vec::new(),
        };
        for k in self.files.keys() {
            if k.parent() == Some(dir.as_path()) && !out.iter().any(|p| normalize(p) == *k) {
                out.push(path.join(k.file_name().unwrap_or_default()));
            }
        }
        Ok(out)
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        match self.base.canonicalize(path) {
            Ok(p) => Ok(p),
            Err(_) if self.files.contains_key(&normalize(path)) => Ok(normalize(path)),
            Err(e) => Err(e),
        }
    }
}

/// Lexical normalisation: drops `.` components and folds `a/..`. Leading `..` components that
/// cannot be folded are kept. Never touches the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            c => out.push(c),
        }
    }
    let p: PathBuf = out.iter().map(|c| c.as_os_str()).collect();
    if p.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_dots() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("./")), PathBuf::from("."));
        assert_eq!(normalize(Path::new("../x/../y")), PathBuf::from("../y"));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
    }

    #[test]
    fn memory_world_lists_children_once() {
        let w = MemoryWorld::new()
            .with("p/a.strata", "x")
            .with("p/sub/b.strata", "y")
            .with("p/sub/c.strata", "z")
            .with("q.strata", "");
        let mut l = w.read_dir(Path::new("p")).unwrap();
        l.sort();
        assert_eq!(l, vec![PathBuf::from("p/a.strata"), PathBuf::from("p/sub")]);
        let mut top = w.read_dir(Path::new(".")).unwrap();
        top.sort();
        assert_eq!(top, vec![PathBuf::from("p"), PathBuf::from("q.strata")]);
        assert_eq!(w.metadata(Path::new("p/sub")).unwrap().kind, EntryKind::Dir);
        assert!(w.metadata(Path::new("nope")).is_err());
    }

    #[test]
    fn overlay_replaces_and_adds_files() {
        let base = MemoryWorld::new()
            .with("p/a.strata", "disk")
            .with("p/b.strata", "b");
        let mut o = OverlayWorld::new(&base);
        o.insert("p/a.strata", "buffer")
            .insert("p/new.strata", "new");
        assert_eq!(o.read(Path::new("p/a.strata"), 100).unwrap(), b"buffer");
        assert_eq!(o.read(Path::new("p/b.strata"), 100).unwrap(), b"b");
        let mut l = o.read_dir(Path::new("p")).unwrap();
        l.sort();
        assert_eq!(
            l,
            vec![
                PathBuf::from("p/a.strata"),
                PathBuf::from("p/b.strata"),
                PathBuf::from("p/new.strata")
            ]
        );
    }

    #[test]
    fn read_is_limited() {
        let w = MemoryWorld::new().with("big", vec![b'a'; 100]);
        assert_eq!(w.read(Path::new("big"), 10).unwrap().len(), 11);
        assert_eq!(w.read(Path::new("big"), 1000).unwrap().len(), 100);
    }
}
