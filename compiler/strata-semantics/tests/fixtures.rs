//! Data-driven semantics tests: every `tests/fixtures/check/*.strata` file of the repository
//! is analysed and its diagnostics (rendered inline under the line they point at) plus a
//! summary of the evaluated model are snapshotted in `snapshots/check/`.
//!
//! A fixture may hold several files: lines `//- path/name.strata` start a new file (the first
//! file needs no marker and is called `main.strata`). `//- env: NAME` sets `--env`.

use std::collections::BTreeMap;
use std::path::Path;
use strata_base::{Diagnostic, SourceMap};
use strata_semantics::{analyze, Loader, Options};

struct MemLoader(BTreeMap<String, String>);

impl Loader for MemLoader {
    fn load(&self, importer: &str, rel: &str) -> Result<Vec<(String, String)>, String> {
        let mut dir: Vec<&str> = importer.split('/').collect();
        dir.pop();
        let mut parts: Vec<String> = dir.iter().map(|s| s.to_string()).collect();
        for seg in rel.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop().ok_or("outside the project")?;
                }
                s => parts.push(s.to_string()),
            }
        }
        let target = parts.join("/");
        if let Some(text) = self
            .0
            .get(&target)
            .or_else(|| self.0.get(&format!("{target}.strata")))
        {
            let name = if self.0.contains_key(&target) {
                target.clone()
            } else {
                format!("{target}.strata")
            };
            return Ok(vec![(name, text.clone())]);
        }
        let prefix = format!("{target}/");
        let files: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix) && !k[prefix.len()..].contains('/'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if files.is_empty() {
            Err("no such file or directory".into())
        } else {
            Ok(files)
        }
    }
}

/// Split a fixture into files and options.
fn split(text: &str) -> (BTreeMap<String, String>, Vec<String>, Options) {
    let mut files = BTreeMap::new();
    let mut roots = Vec::new();
    let mut options = Options::default();
    let mut name = "main.strata".to_string();
    let mut cur = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.trim_end().strip_prefix("//- ") {
            if let Some(env) = rest.strip_prefix("env: ") {
                options.env = Some(env.trim().to_string());
                continue;
            }
            if !cur.is_empty() || name != "main.strata" {
                files.insert(name.clone(), std::mem::take(&mut cur));
            }
            name = rest.trim().to_string();
            continue;
        }
        cur.push_str(line);
    }
    files.insert(name, cur);
    for k in files.keys() {
        if !k.contains('/') {
            roots.push(k.clone());
        }
    }
    (files, roots, options)
}

/// Diagnostics written under the source line they point at, rust-analyzer style.
pub fn render(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let f = sources.get(d.primary.span.file);
        let lc = f.line_col(d.primary.span.start);
        let line_text = f.text.lines().nth(lc.line as usize - 1).unwrap_or("");
        out.push_str(&format!(
            "{}:{}:{}: {}[{}]: {}\n",
            f.name,
            lc.line,
            lc.column,
            d.severity.as_str(),
            d.code,
            d.message
        ));
        out.push_str(&format!("  | {line_text}\n"));
        let width = (d.primary.span.len()).max(1).min(
            line_text
                .chars()
                .count()
                .saturating_sub(lc.column as usize - 1)
                .max(1),
        );
        out.push_str(&format!(
            "  | {}{} {}\n",
            " ".repeat(lc.column as usize - 1),
            "^".repeat(width),
            d.primary.message
        ));
        for s in &d.secondary {
            let sf = sources.get(s.span.file);
            let slc = sf.line_col(s.span.start);
            out.push_str(&format!(
                "  = {}:{}:{}: {}\n",
                sf.name, slc.line, slc.column, s.message
            ));
        }
        if let Some(h) = &d.help {
            out.push_str(&format!("  help: {h}\n"));
        }
        for n in &d.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
    }
    out
}

fn model_summary(model: &strata_model::Model) -> String {
    let mut out = String::new();
    if let Some(env) = &model.env {
        out.push_str(&format!("env = {env}\n"));
    }
    for s in &model.stacks {
        out.push_str(&format!(
            "stack {} ({}) budget={:?} tags={:?}\n",
            s.name,
            s.provider.as_str(),
            s.budget,
            s.tags
        ));
    }
    for p in &model.params {
        out.push_str(&format!("param {} = {}\n", p.name, p.value));
    }
    for r in &model.resources {
        let retention = r.retention.map_or(String::new(), |x| {
            format!(
                " on_delete={} on_replace={}",
                x.on_delete.as_str(),
                x.on_replace.as_str()
            )
        });
        out.push_str(&format!(
            "resource {} #{}: {} stack={:?}{retention}\n",
            r.name, r.id.0, r.ty, r.stack
        ));
        for (k, v) in &r.props {
            out.push_str(&format!("    {k} = {v}\n"));
        }
        for (d, _) in &r.depends_on {
            out.push_str(&format!("    depends_on #{}\n", d.0));
        }
    }
    for o in &model.outputs {
        out.push_str(&format!("output {} = {}\n", o.name, o.value));
    }
    for p in &model.policies {
        out.push_str(&format!(
            "policy {:?} [{}] {}\n",
            p.title,
            p.code,
            p.severity.as_str()
        ));
        for r in &p.path_rules {
            out.push_str(&format!("    deny path {} ~> {}\n", r.from, r.to));
        }
        for v in &p.violations {
            out.push_str(&format!("    violation #{}: {}\n", v.resource.0, v.message));
        }
    }
    out
}

pub fn check_fixture(text: &str) -> String {
    let (files, roots, options) = split(text);
    let mut sources = SourceMap::new();
    let ids: Vec<_> = roots
        .iter()
        .map(|r| sources.add(r.clone(), files[r].clone(), false))
        .collect();
    let loader = MemLoader(files);
    let (analysis, diags) = analyze(&mut sources, &ids, &loader, &options);
    // The stdlib has its own test (`stdlib_is_clean`); keep fixtures about the fixture.
    let diags: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| !sources.get(d.primary.span.file).is_stdlib)
        .collect();
    let mut out = String::new();
    out.push_str("--- diagnostics\n");
    out.push_str(&render(&sources, &diags));
    out.push_str("--- model\n");
    out.push_str(&model_summary(&analysis.model));
    out
}

#[test]
fn check_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/check");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../snapshots/check"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        let mut entries: Vec<_> = std::fs::read_dir(&root)
            .expect("fixtures dir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        assert!(!entries.is_empty(), "no fixtures found");
        for path in entries {
            if path.extension().and_then(|e| e.to_str()) != Some("strata") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("name")
                .to_string();
            insta::assert_snapshot!(name, check_fixture(&text));
        }
    });
}

#[test]
fn stdlib_is_clean() {
    let mut sources = SourceMap::new();
    let id = sources.add("main.strata", "", false);
    let (analysis, diags) = analyze(
        &mut sources,
        &[id],
        &strata_semantics::NoImports,
        &Options::default(),
    );
    assert!(
        !analysis.schemas.map.is_empty(),
        "the stdlib declares schemas"
    );
    let rendered = render(&sources, &diags);
    assert!(
        diags.is_empty(),
        "the embedded stdlib has diagnostics:\n{rendered}"
    );
}

/// Every code semantics can report is exercised by at least one fixture, and documented.
#[test]
fn every_code_has_a_fixture_and_a_doc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/check");
    let mut seen = String::new();
    for e in std::fs::read_dir(&root)
        .expect("fixtures")
        .filter_map(Result::ok)
    {
        if let Ok(text) = std::fs::read_to_string(e.path()) {
            seen.push_str(&check_fixture(&text));
        }
    }
    for c in strata_semantics::codes() {
        assert!(
            seen.contains(&format!("[{}]", c.code)),
            "no fixture triggers {} ({})",
            c.code,
            c.name
        );
        for section in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## Fix",
        ] {
            assert!(c.doc.contains(section), "{} lacks {section}", c.code);
        }
    }
}
