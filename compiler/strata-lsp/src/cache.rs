//! Files the editor opens that are not in the project: the embedded stdlib (for go-to-definition
//! into a schema) and one Markdown page per diagnostic code (the target of a diagnostic's
//! `codeDescription`, the same text `strata explain CODE` prints). They are written, read-only,
//! under `$XDG_CACHE_HOME/strata/` (else `~/.cache/strata/`, else the temporary directory), in a
//! folder named after the version and a hash of the contents, so two builds never share stale
//! files and nothing is ever rewritten.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Prefix of stdlib files in the source map (`<stdlib>/aws/kms.strata`).
pub const STDLIB_PREFIX: &str = "<stdlib>/";

/// Where cached files go.
#[derive(Clone, Debug)]
pub struct Cache {
    pub root: PathBuf,
    /// Files already written (or found in place), by source name or code.
    written: Arc<Mutex<HashMap<String, Option<PathBuf>>>>,
}

impl Cache {
    pub fn new(root: PathBuf) -> Cache {
        Cache {
            root,
            written: Default::default(),
        }
    }
    /// The cache at [`default_root`].
    pub fn from_env() -> Cache {
        Cache::new(default_root())
    }
    fn memo(&self, key: String, make: impl FnOnce() -> Option<PathBuf>) -> Option<PathBuf> {
        if let Some(p) = self.written.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return p;
        }
        let p = make();
        if let Ok(mut m) = self.written.lock() {
            m.insert(key, p.clone());
        }
        p
    }
}

/// The default cache root: `$STRATA_CACHE_DIR`, else `$XDG_CACHE_HOME/strata`, else
/// `~/.cache/strata`, else `<tmp>/strata`.
pub fn default_root() -> PathBuf {
    if let Some(p) = std::env::var_os("STRATA_CACHE_DIR").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|p| !p.is_empty() && Path::new(p).is_absolute())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|p| !p.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join("strata")
}

/// FNV-1a: a hash that is the same in every build (unlike `DefaultHasher`).
fn fnv(h: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *h ^= b as u64;
        *h = h.wrapping_mul(0x100_0000_01b3);
    }
}

fn stdlib_stamp() -> &'static str {
    static STAMP: OnceLock<String> = OnceLock::new();
    STAMP.get_or_init(|| {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for f in strata_stdlib::files() {
            fnv(&mut h, f.path.as_bytes());
            fnv(&mut h, f.text.as_bytes());
        }
        format!("{}-{:08x}", env!("CARGO_PKG_VERSION"), h as u32)
    })
}

impl Cache {
    /// The directory the stdlib is materialised in.
    pub fn stdlib_dir(&self) -> PathBuf {
        self.root.join("stdlib").join(stdlib_stamp())
    }

    /// Whether `path` lies in the materialised stdlib (such files are read-only views, never
    /// checked as a project).
    pub fn is_stdlib_path(&self, path: &Path) -> bool {
        path.starts_with(self.root.join("stdlib"))
    }

    /// The on-disk copy of a stdlib file named `<stdlib>/rel` in the source map, written on first
    /// use. `None` when the name is not a stdlib file or the cache cannot be written.
    pub fn materialize_stdlib(&self, source_name: &str) -> Option<PathBuf> {
        let rel = source_name.strip_prefix(STDLIB_PREFIX)?;
        if rel.split('/').any(|c| c == ".." || c.is_empty()) {
            return None;
        }
        self.memo(format!("stdlib:{rel}"), || {
            let file = strata_stdlib::file(rel)?;
            let path = self.stdlib_dir().join(rel);
            write_once(&path, file.text).then_some(path)
        })
    }

    /// The Markdown page of a diagnostic code, written on first use.
    pub fn code_doc(&self, code: &str) -> Option<PathBuf> {
        if code.is_empty()
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        self.memo(format!("code:{code}"), || {
            let doc = strata_driver::explain(code)?;
            let path = self
                .root
                .join("docs")
                .join(env!("CARGO_PKG_VERSION"))
                .join(format!("{}.md", doc.code));
            let text = format!(
                "# {} `{}` ({})\n\n{}\n",
                doc.code,
                doc.name,
                doc.severity.as_str(),
                doc.doc.trim_end()
            );
            write_once(&path, &text).then_some(path)
        })
    }
}

/// Write `text` to `path` unless a file with exactly that text is already there. Written to a
/// temporary name and renamed, so a reader never sees half a file; then made read-only.
fn write_once(path: &Path, text: &str) -> bool {
    if std::fs::read(path).is_ok_and(|b| b == text.as_bytes()) {
        return true;
    }
    let Some(dir) = path.parent() else {
        return false;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return false;
    }
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    if std::fs::write(&tmp, text).is_err() {
        return false;
    }
    if let Ok(meta) = std::fs::metadata(&tmp) {
        let mut perms = meta.permissions();
        perms.set_readonly(true);
        let _ = std::fs::set_permissions(&tmp, perms);
    }
    if std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
        // Another server may have written it meanwhile.
        return std::fs::read(path).is_ok_and(|b| b == text.as_bytes());
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdlib_and_code_pages_are_written_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::new(dir.path().to_path_buf());
        let first = strata_stdlib::files_with_extension(".strata")
            .into_iter()
            .next()
            .expect("the stdlib has schemas");
        let p = c
            .materialize_stdlib(&format!("<stdlib>/{}", first.path))
            .expect("written");
        assert!(p.starts_with(dir.path()));
        assert!(c.is_stdlib_path(&p));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), first.text);
        assert!(std::fs::metadata(&p).unwrap().permissions().readonly());
        // A second call finds it in place.
        assert_eq!(
            c.materialize_stdlib(&format!("<stdlib>/{}", first.path)),
            Some(p)
        );
        assert_eq!(c.materialize_stdlib("<stdlib>/../etc/passwd"), None);
        assert_eq!(c.materialize_stdlib("main.strata"), None);
        let doc = c.code_doc("E0001").expect("E0001 is documented");
        assert!(std::fs::read_to_string(doc).unwrap().starts_with("# E0001"));
        assert_eq!(c.code_doc("../x"), None);
    }
}
