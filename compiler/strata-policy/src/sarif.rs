//! SARIF 2.1.0 output (`strata check --format sarif`), for GitHub code scanning and other SARIF
//! consumers. One run; the tool's rules are the documented codes (with the full documentation
//! as `fullDescription` and `help`) plus any code that appears only in results (user policies).

use serde_json::{json, Map, Value as J};
use std::collections::BTreeMap;
use strata_base::{CodeDoc, Diagnostic, Label, Severity, SourceMap};

/// Where rule documentation lives; `helpUri` is this plus the lowercase code as a fragment.
pub const RULES_DOC_URI: &str = "https://github.com/strata-lang/strata/blob/main/docs/rules.md";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn location(sources: &SourceMap, l: &Label) -> Option<J> {
    let f = sources.try_get(l.span.file)?;
    let start = f.line_col(l.span.start);
    let end = f.line_col(l.span.end.max(l.span.start));
    let uri: String = f.name.replace('\\', "/");
    let mut region = Map::new();
    region.insert("startLine".into(), json!(start.line));
    region.insert("startColumn".into(), json!(start.column));
    region.insert("endLine".into(), json!(end.line.max(start.line)));
    // An empty span still covers one column so viewers can show it.
    let end_col = if end.line == start.line { end.column.max(start.column + 1) } else { end.column };
    region.insert("endColumn".into(), json!(end_col));
    let mut loc = Map::new();
    let mut artifact = Map::new();
    artifact.insert("uri".into(), json!(uri));
    if !f.is_stdlib {
        artifact.insert("uriBaseId".into(), json!("%SRCROOT%"));
    }
    loc.insert("physicalLocation".into(), json!({ "artifactLocation": J::Object(artifact), "region": J::Object(region) }));
    if !l.message.is_empty() {
        loc.insert("message".into(), json!({ "text": l.message }));
    }
    Some(J::Object(loc))
}

fn first_line(doc: &str) -> String {
    let s = crate::registry::summary_of(doc);
    if s.is_empty() {
        doc.lines().find(|l| !l.trim().is_empty() && !l.starts_with('#')).unwrap_or("").trim().to_string()
    } else {
        s
    }
}

/// Render diagnostics as a SARIF 2.1.0 log. `codes` documents the rules (every stage's
/// `codes()`, merged); results are in the order given (callers sort them).
pub fn to_sarif(diags: &[Diagnostic], sources: &SourceMap, codes: &[CodeDoc]) -> J {
    // Rules: the codes seen in results (documented ones with their docs), sorted by id.
    let used: std::collections::BTreeSet<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    let mut rules: BTreeMap<String, J> = BTreeMap::new();
    for c in codes.iter().filter(|c| used.contains(c.code)) {
        let category = crate::registry::find(c.code).map(|r| r.category.as_str()).unwrap_or("correctness");
        let mut props = json!({ "tags": [category] });
        if category == "security" {
            // GitHub code scanning ranks security results by this score (0.0–10.0).
            let score = match c.severity { Severity::Error => "8.0", Severity::Warning => "5.5", Severity::Info => "2.0" };
            props["security-severity"] = json!(score);
        }
        let summary = first_line(c.doc);
        rules.insert(
            c.code.to_string(),
            json!({
                "id": c.code,
                "name": c.name,
                "shortDescription": { "text": if summary.is_empty() { c.name.to_string() } else { summary } },
                "fullDescription": { "text": c.doc, "markdown": c.doc },
                "helpUri": format!("{RULES_DOC_URI}#{}", c.code.to_ascii_lowercase()),
                "help": { "text": c.doc, "markdown": c.doc },
                "defaultConfiguration": { "level": level(c.severity) },
                "properties": props,
            }),
        );
    }
    for d in diags {
        rules.entry(d.code.clone()).or_insert_with(|| {
            json!({
                "id": d.code,
                "shortDescription": { "text": d.message },
                "fullDescription": { "text": d.message },
                "helpUri": format!("{RULES_DOC_URI}#user-policies"),
                "defaultConfiguration": { "level": level(d.severity) },
            })
        });
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    let mut artifacts: BTreeMap<String, ()> = BTreeMap::new();
    let results: Vec<J> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
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
            if let Some(loc) = location(sources, &Label::new(d.primary.span, d.primary.message.clone())) {
                if let Some(f) = sources.try_get(d.primary.span.file) {
                    artifacts.insert(f.name.replace('\\', "/"), ());
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
            // Stable identity across runs for deduplication by code scanning.
            r.insert("partialFingerprints".into(), json!({ "strataCode/v1": format!("{}:{}", d.code, sources.try_get(d.primary.span.file).map_or(String::new(), |f| format!("{}:{}", f.name, sources.snippet(d.primary.span)))) }));
            J::Object(r)
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "strata",
                    "informationUri": "https://github.com/strata-lang/strata",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules.into_values().collect::<Vec<_>>(),
                }
            },
            "artifacts": artifacts.keys().map(|a| json!({ "location": { "uri": a, "uriBaseId": "%SRCROOT%" } })).collect::<Vec<_>>(),
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}
