//! The standard library, embedded in the binary at build time from the repository's
//! `stdlib/` directory. This crate only hands out the files; `strata-semantics` parses the
//! `.strata` schemas, `strata-lower` reads the lowering tables, `strata-policy` the prices.

use include_dir::{include_dir, Dir};

static STDLIB: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../stdlib");

/// One embedded file: its path relative to `stdlib/` (always with `/`) and its text.
#[derive(Clone, Copy, Debug)]
pub struct StdFile {
    pub path: &'static str,
    pub text: &'static str,
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<StdFile>) {
    for f in dir.files() {
        if let (Some(path), Some(text)) = (f.path().to_str(), f.contents_utf8()) {
            out.push(StdFile { path, text });
        }
    }
    for d in dir.dirs() {
        collect(d, out);
    }
}

/// Every embedded file, sorted by path (deterministic).
pub fn files() -> Vec<StdFile> {
    let mut out = Vec::new();
    collect(&STDLIB, &mut out);
    out.sort_by(|a, b| a.path.cmp(b.path));
    out
}

/// Embedded files whose path ends with `ext` (e.g. `.strata`, `.toml`), sorted by path.
pub fn files_with_extension(ext: &str) -> Vec<StdFile> {
    files()
        .into_iter()
        .filter(|f| f.path.ends_with(ext))
        .collect()
}

/// One embedded file by its path relative to `stdlib/`.
pub fn file(path: &str) -> Option<StdFile> {
    STDLIB.get_file(path).and_then(|f| {
        Some(StdFile {
            path: f.path().to_str()?,
            text: f.contents_utf8()?,
        })
    })
}

/// The stdlib package names users can `import`.
pub const PACKAGES: &[&str] = &["aws", "gcp", "azure", "k8s", "portable"];

#[cfg(test)]
mod tests {
    #[test]
    fn stdlib_is_embedded_and_sorted() {
        let files = super::files();
        assert!(files.iter().any(|f| f.path.ends_with(".strata")));
        assert!(files.windows(2).all(|w| w[0].path < w[1].path));
    }
}
