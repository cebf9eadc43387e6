//! SARIF 2.1.0 output (`strata check --format sarif`), for GitHub code scanning and other SARIF
//! consumers. One run; the tool's rules are the documented codes (with the full documentation
//! as `fullDescription` and `help`) plus any code that appears only in results (user policies).
//!
//! What code scanning needs beyond the schema (its "SARIF support" reference), and how it is met:
//! - every rule has `id`, `name`, `shortDescription.text`, `fullDescription.text` and
//!   `help.text` (non-empty), `helpUri`; security rules carry `properties.security-severity`;
//! - every result has `ruleId` and `ruleIndex` (consistent), `message.text`, one location with
//!   `region.startLine/startColumn/endLine/endColumn`, and `partialFingerprints` with
//!   `primaryLocationLineHash` (the only fingerprint code scanning reads);
//! - `artifactLocation.uri` is a percent-encoded relative reference with `uriBaseId` `%SRCROOT%`
//!   (the directory `strata` ran in: run it from the repository root) declared in the run's
//!   `originalUriBaseIds`; an absolute path becomes a `file:` URI without a base; a file of the
//!   embedded standard library is relative to `STRATA_STDLIB`.
//!
//! `tests/validators/sarif/check.py` validates the output against the official schema and
//! these rules (`compiler/strata-cli/tests/sarif.rs`).

use serde_json::{json, Map, Value as J};
use std::collections::BTreeMap;
use strata_base::{CodeDoc, Diagnostic, Label, Severity, SourceFile, SourceMap};
use strata_model::UserPolicy;

/// Where rule documentation lives; `helpUri` is this plus the lowercase code as a fragment.
pub const RULES_DOC_URI: &str = "https://github.com/strata-lang/strata/blob/main/docs/rules.md";

/// The base of project files' URIs: the directory `strata` ran in.
pub const SRCROOT: &str = "%SRCROOT%";
/// The base of the embedded standard library's files (`<stdlib>/aws/...`).
pub const STDLIB_ROOT: &str = "STRATA_STDLIB";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encode a path for a URI: everything but RFC 3986 unreserved characters and `/`
/// (and `:` in an absolute path: in a relative one, `a:b` would read as a scheme).
fn encode_path(path: &str, absolute: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (absolute && b == b':')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `artifactLocation` of a file shown as `name` (already relative to the current directory
/// when the project was named by a relative path; see the driver's `display_name`).
pub fn artifact_location(name: &str, is_stdlib: bool) -> J {
    let name = name.replace('\\', "/");
    if let Some(rest) = name.strip_prefix("<stdlib>/") {
        return json!({ "uri": encode_path(rest, false), "uriBaseId": STDLIB_ROOT });
    }
    if is_stdlib {
        return json!({ "uri": encode_path(name.trim_start_matches('/'), false), "uriBaseId": STDLIB_ROOT });
    }
    // An absolute path (`/home/...`, `C:/...`): a `file:` URI, which needs no base.
    let bytes = name.as_bytes();
    let drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if name.starts_with('/') || drive {
        let path = if drive { format!("/{name}") } else { name };
        return json!({ "uri": format!("file://{}", encode_path(&path, true)) });
    }
    let rel = name.strip_prefix("./").unwrap_or(&name);
    json!({ "uri": encode_path(rel, false), "uriBaseId": SRCROOT })
}

/// The absolute `file:` URI of a directory, ending with `/` (SARIF requires it of a base).
fn root_uri(root: &std::path::Path) -> String {
    let mut path = root.to_string_lossy().replace('\\', "/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{}", encode_path(&path, true))
}

fn location(sources: &SourceMap, l: &Label) -> Option<J> {
    let f = sources.try_get(l.span.file)?;
    let start = f.line_col(l.span.start);
    let end = f.line_col(l.span.end.max(l.span.start));
    let mut region = Map::new();
    region.insert("startLine".into(), json!(start.line));
    region.insert("startColumn".into(), json!(start.column));
    region.insert("endLine".into(), json!(end.line.max(start.line)));
    // An empty span still covers one column so viewers can show it.
    let end_col = if end.line == start.line {
        end.column.max(start.column + 1)
    } else {
        end.column
    };
    region.insert("endColumn".into(), json!(end_col));
    let mut loc = Map::new();
    loc.insert("physicalLocation".into(), json!({ "artifactLocation": artifact_location(&f.name, f.is_stdlib), "region": J::Object(region) }));
    if !l.message.is_empty() {
        loc.insert("message".into(), json!({ "text": l.message }));
    }
    Some(J::Object(loc))
}

fn first_line(doc: &str) -> String {
    let s = crate::registry::summary_of(doc);
    if s.is_empty() {
        doc.lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .unwrap_or("")
            .trim()
            .to_string()
    } else {
        s
    }
}

/// At most `max` characters (code scanning limits `shortDescription` to 1024, `name` to 255).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// `keys rotate` → `keys-rotate` (rule names are kebab-case); the code when nothing is left.
fn kebab(title: &str, code: &str) -> String {
    let mut out = String::new();
    for ch in title.chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        code.to_ascii_lowercase()
    } else {
        out
    }
}

/// 64-bit FNV-1a: a small, stable hash (the same on every platform and release).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The text of the line a span starts on, with runs of whitespace collapsed: what the
/// fingerprint follows, so that a finding keeps its identity when lines above it move.
fn line_text(f: &SourceFile, offset: u32) -> String {
    let text: &str = &f.text;
    let mut at = (offset as usize).min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    text[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Render diagnostics as a SARIF 2.1.0 log. `codes` documents the rules (every stage's
/// `codes()`, merged); results are in the order given (callers sort them). The project's own
/// policies are described by their messages: see [`to_sarif_with_policies`].
pub fn to_sarif(diags: &[Diagnostic], sources: &SourceMap, codes: &[CodeDoc]) -> J {
    to_sarif_with_policies(diags, sources, codes, &[])
}

/// [`to_sarif`], with the project's policies (`Model::policies`) describing their codes by
/// their titles and where they are declared.
pub fn to_sarif_with_policies(
    diags: &[Diagnostic],
    sources: &SourceMap,
    codes: &[CodeDoc],
    policies: &[UserPolicy],
) -> J {
    to_sarif_rooted(diags, sources, codes, policies, None)
}

/// [`to_sarif_with_policies`] for file names relative to `root` (the repository root, or the
/// directory `strata` ran in): `%SRCROOT%` in `originalUriBaseIds` then carries its absolute
/// `file:` URI, so that a consumer can resolve the paths without knowing where `strata` ran.
pub fn to_sarif_rooted(
    diags: &[Diagnostic],
    sources: &SourceMap,
    codes: &[CodeDoc],
    policies: &[UserPolicy],
    root: Option<&std::path::Path>,
) -> J {
    // Rules: the codes seen in results (documented ones with their docs), sorted by id.
    let used: std::collections::BTreeSet<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    let mut rules: BTreeMap<String, J> = BTreeMap::new();
    for c in codes.iter().filter(|c| used.contains(c.code)) {
        let category = crate::registry::find(c.code)
            .map(|r| r.category.as_str())
            .unwrap_or("correctness");
        let mut props = json!({ "tags": [category] });
        if category == "security" {
            // GitHub code scanning ranks security results by this score (0.0–10.0).
            let score = match c.severity {
                Severity::Error => "8.0",
                Severity::Warning => "5.5",
                Severity::Info => "2.0",
            };
            props["security-severity"] = json!(score);
        }
        let summary = first_line(c.doc);
        let name = if c.name.is_empty() { c.code } else { c.name };
        let doc = if c.doc.trim().is_empty() { name } else { c.doc };
        rules.insert(
            c.code.to_string(),
            json!({
                "id": c.code,
                "name": clip(name, 255),
                "shortDescription": { "text": clip(if summary.is_empty() { name } else { &summary }, 1024) },
                "fullDescription": { "text": doc, "markdown": doc },
                "helpUri": format!("{RULES_DOC_URI}#{}", c.code.to_ascii_lowercase()),
                "help": { "text": doc, "markdown": doc },
                "defaultConfiguration": { "level": level(c.severity) },
                "properties": props,
            }),
        );
    }
    // The project's own policies: their title, and where they are declared.
    for p in policies.iter().filter(|p| used.contains(p.code.as_str())) {
        let title = if p.title.trim().is_empty() {
            p.code.clone()
        } else {
            p.title.clone()
        };
        let place = sources
            .try_get(p.span.file)
            .map(|f| {
                format!(
                    " It is declared in `{}` at line {}.",
                    f.name,
                    f.line_col(p.span.start).line
                )
            })
            .unwrap_or_default();
        let help = format!("A policy of this project: `policy \"{title}\"`.{place}");
        rules.entry(p.code.clone()).or_insert_with(|| {
            json!({
                "id": p.code,
                "name": clip(&kebab(&title, &p.code), 255),
                "shortDescription": { "text": clip(&title, 1024) },
                "fullDescription": { "text": title },
                "helpUri": format!("{RULES_DOC_URI}#user-policies"),
                "help": { "text": help, "markdown": help },
                "defaultConfiguration": { "level": level(p.severity) },
                "properties": { "tags": ["policy"] },
            })
        });
    }
    // Other codes without documentation: described by their first message.
    for d in diags {
        rules.entry(d.code.clone()).or_insert_with(|| {
            let text = if d.message.trim().is_empty() { d.code.clone() } else { d.message.clone() };
            json!({
                "id": d.code,
                "name": clip(&d.code.to_ascii_lowercase(), 255),
                "shortDescription": { "text": clip(&text, 1024) },
                "fullDescription": { "text": text },
                "helpUri": format!("{RULES_DOC_URI}#user-policies"),
                "help": { "text": format!("{text}\n\nA policy of this project (`policy \"…\" {{ … }}`): see its source."), "markdown": format!("{text}\n\nA policy of this project (`policy \"…\" {{ … }}`): see its source.") },
                "defaultConfiguration": { "level": level(d.severity) },
                "properties": { "tags": ["policy"] },
            })
        });
    }
    let index: BTreeMap<&str, usize> = rules
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut artifacts: BTreeMap<String, J> = BTreeMap::new();
    // Occurrences of each (code, file, line hash), for the fingerprint's `:N` suffix.
    let mut seen: BTreeMap<(String, String, u64), usize> = BTreeMap::new();
    let results: Vec<J> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if text.trim().is_empty() {
                text = d.code.clone();
            }
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            for n in &d.notes {
                text.push_str("\nnote: ");
                text.push_str(n);
            }
            let mut r = Map::new();
            r.insert("ruleId".into(), json!(d.code));
            if let Some(i) = index.get(d.code.as_str()) {
                r.insert("ruleIndex".into(), json!(i));
            }
            r.insert("level".into(), json!(level(d.severity)));
            r.insert("message".into(), json!({ "text": text }));
            let primary = sources.try_get(d.primary.span.file);
            if let Some(loc) = location(
                sources,
                &Label::new(d.primary.span, d.primary.message.clone()),
            ) {
                if let Some(f) = primary {
                    let a = artifact_location(&f.name, f.is_stdlib);
                    if let Some(uri) = a["uri"].as_str() {
                        artifacts.insert(uri.to_string(), a.clone());
                    }
                }
                r.insert("locations".into(), json!([loc]));
            }
            let related: Vec<J> = d
                .secondary
                .iter()
                .filter_map(|l| location(sources, l))
                .enumerate()
                .map(|(i, mut loc)| {
                    if let J::Object(m) = &mut loc {
                        m.insert("id".into(), json!(i));
                    }
                    loc
                })
                .collect();
            if !related.is_empty() {
                r.insert("relatedLocations".into(), J::Array(related));
            }
            // Stable identity across runs for deduplication by code scanning: the code, the
            // file, and the text of the line the finding starts on (not its line number).
            let (file, line, snippet) = match primary {
                Some(f) => (
                    f.name.clone(),
                    line_text(f, d.primary.span.start),
                    sources.snippet(d.primary.span).to_string(),
                ),
                None => (String::new(), String::new(), String::new()),
            };
            let hash = fnv1a(&[&d.code, &file, &line]);
            let n = seen
                .entry((d.code.clone(), file.clone(), hash))
                .or_insert(0);
            *n += 1;
            r.insert(
                "partialFingerprints".into(),
                json!({
                    "primaryLocationLineHash": format!("{hash:016x}:{n}"),
                    "strataCode/v1": format!("{}:{}:{}", d.code, file, snippet),
                }),
            );
            J::Object(r)
        })
        .collect();
    let srcroot = match root.map(root_uri) {
        Some(uri) => json!({
            "uri": uri,
            "description": { "text": "The root of the repository (the git work tree strata ran in, else the directory it ran in); file paths are relative to it." },
        }),
        None => {
            json!({ "description": { "text": "The directory strata ran in; file paths are relative to it (run strata from the repository root for code scanning)." } })
        }
    };
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "strata",
                    "informationUri": "https://github.com/strata-lang/strata",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules.into_values().collect::<Vec<_>>(),
                }
            },
            "originalUriBaseIds": {
                SRCROOT: srcroot,
                STDLIB_ROOT: { "description": { "text": "The standard library embedded in the strata binary (stdlib/ in the Strata repository)." } },
            },
            "artifacts": artifacts.into_values().map(|a| json!({ "location": a })).collect::<Vec<_>>(),
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded_relative_references_or_file_uris() {
        assert_eq!(
            artifact_location("main.strata", false),
            json!({ "uri": "main.strata", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(
            artifact_location("./a/b.strata", false),
            json!({ "uri": "a/b.strata", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(
            artifact_location("we ird#dir/mäin.strata", false),
            json!({ "uri": "we%20ird%23dir/m%C3%A4in.strata", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(
            artifact_location("/work/p/main.strata", false),
            json!({ "uri": "file:///work/p/main.strata" })
        );
        assert_eq!(
            artifact_location("C:\\p\\main.strata", false),
            json!({ "uri": "file:///C:/p/main.strata" })
        );
        assert_eq!(
            artifact_location("<stdlib>/aws/rds.strata", true),
            json!({ "uri": "aws/rds.strata", "uriBaseId": "STRATA_STDLIB" })
        );
        assert_eq!(
            artifact_location("../other/x.strata", false),
            json!({ "uri": "../other/x.strata", "uriBaseId": "%SRCROOT%" })
        );
    }

    #[test]
    fn clip_and_hash() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab…");
        assert_ne!(fnv1a(&["a", "bc"]), fnv1a(&["ab", "c"]));
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(
            kebab(
                "Databases are never reachable (from the internet)!",
                "POLICY001"
            ),
            "databases-are-never-reachable-from-the-internet"
        );
        assert_eq!(kebab("…", "POLICY002"), "policy002");
    }
}
