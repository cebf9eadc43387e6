//! `file://` URIs ↔ paths. lsp-types 0.97 has no helper for this, and a client may send any
//! URI (`untitled:Untitled-1`), so both directions are total: a URI that is not a local file
//! gets a synthetic path (see [`crate::docs`]), a path always gets a URI.

use lsp_types::Uri;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The local path of a `file:` URI (`file:///a%20b/c.strata` → `/a b/c.strata`), or `None`
/// for other schemes and malformed URIs.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s
        .strip_prefix("file://")
        .or_else(|| s.strip_prefix("FILE://"))?;
    // `file:///p` (empty authority) or `file://localhost/p`.
    let path = if let Some(p) = rest.strip_prefix("localhost") {
        p
    } else {
        rest
    };
    if !path.starts_with('/') {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = percent_decode(path)?;
    let decoded = String::from_utf8(bytes).ok()?;
    // Windows: `/C:/x` → `C:/x`.
    let b = decoded.as_bytes();
    if cfg!(windows) && b.len() >= 3 && b[0] == b'/' && b[1].is_ascii_alphabetic() && b[2] == b':' {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

/// The `file://` URI of an absolute path. Bytes outside the unreserved set (and `/`) are
/// percent-encoded, as VS Code and Neovim do.
pub fn from_path(path: &Path) -> Uri {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else if b == b':' && out.len() == "file:///".len() + 1 {
            out.push(':'); // a drive letter
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    // Every byte is escaped or unreserved, so this parses.
    Uri::from_str(&out).unwrap_or_else(|_| fallback())
}

fn fallback() -> Uri {
    // A constant that parses; never reached for the URIs `from_path` builds.
    Uri::from_str("file:///").expect("constant URI parses")
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_spaces_and_unicode() {
        let p = PathBuf::from("/tmp/my project/ça.strata");
        let u = from_path(&p);
        assert_eq!(u.as_str(), "file:///tmp/my%20project/%C3%A7a.strata");
        assert_eq!(to_path(&u), Some(p));
    }

    #[test]
    fn other_schemes_have_no_path() {
        let u = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(to_path(&u), None);
        let u = Uri::from_str("file://localhost/a/b.strata").unwrap();
        assert_eq!(to_path(&u), Some(PathBuf::from("/a/b.strata")));
        let u = Uri::from_str("file:///a/%zz")
            .unwrap_or_else(|_| Uri::from_str("file:///a/%25zz").unwrap());
        let _ = to_path(&u);
    }
}
