//! Inline suppressions: `// strata-ignore CODE: reason`, and scoped ones:
//! `// strata-ignore[prod] CODE: reason`, `// strata-ignore[aws, staging] CODE: reason`.
//!
//! A suppression comment alone on its line applies to the next line that is not a comment
//! (several suppression lines may be stacked); written after code, it applies to its own line.
//! When the line it applies to starts a resource declaration, it covers every finding inside
//! that declaration. Several codes may be listed (`SEC001, bucket-versioning: reason`); a rule's
//! kebab-case name works as well as its code. The reason is required (`POL002`); a suppression
//! that suppresses nothing is reported (`POL001`), as is an unknown code (`POL003`).
//!
//! A scope in brackets names environments (`--env`) and clouds (`aws`, `gcp`, `azure`, `k8s`):
//! the suppression applies only when the check is for one of those environments or the project
//! has a stack or resource on one of those clouds. Elsewhere it is inert — it suppresses nothing
//! and is never reported as unused — like `#[cfg_attr(..., allow(...))]` in Rust. This is what
//! a finding that occurs only in production (or only on one cloud of a shared source) needs:
//! unscoped, its suppression would be reported as unused in every other environment.
//!
//! The comments are found by scanning the source texts (no parser needed): `//` outside string
//! literals on a line.

use crate::registry::find;
use std::collections::{BTreeMap, BTreeSet};
use strata_base::{did_you_mean, Diagnostic, FileId, SourceMap, Span};
use strata_model::{Model, Provider, Ty, Value};

/// One `strata-ignore` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub file: FileId,
    /// The whole comment.
    pub span: Span,
    /// The codes or names as written, each with its span.
    pub codes: Vec<(String, Span)>,
    pub reason: Option<String>,
    /// 1-based line the suppression applies to.
    pub target_line: u32,
    /// `[prod, aws]`: the environments and clouds it applies to, each with its span; `None`
    /// when written without brackets (it applies everywhere).
    pub scope: Option<Vec<(String, Span)>>,
}

/// Byte offset of `//` starting a line comment in `line`, outside string literals.
fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut in_str = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'/' if !in_str && b.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

const MARK: &str = "strata-ignore";

/// Every suppression comment of the project files (stdlib files are skipped).
pub fn scan(sources: &SourceMap) -> Vec<Suppression> {
    let mut out = Vec::new();
    for f in sources.files() {
        if f.is_stdlib || !f.text.contains(MARK) {
            continue;
        }
        let text: &str = &f.text;
        let lines: Vec<(usize, &str)> = {
            let mut v = Vec::new();
            let mut start = 0;
            for l in text.split_inclusive('\n') {
                v.push((start, l.trim_end_matches(['\n', '\r'])));
                start += l.len();
            }
            v
        };
        let comment_only = |l: &str| l.trim_start().starts_with("//");
        for (idx, &(start, line)) in lines.iter().enumerate() {
            let Some(c) = comment_start(line) else {
                continue;
            };
            let body = &line[c + 2..];
            let trimmed = body.trim_start();
            let Some(mut rest) = trimmed.strip_prefix(MARK) else {
                continue;
            };
            let mut rest_off = start + c + 2 + (body.len() - trimmed.len()) + MARK.len();
            let mut scope = None;
            if let Some(inner) = rest.strip_prefix('[') {
                let Some(close) = inner.find(']') else {
                    continue;
                };
                let mut items = Vec::new();
                let mut off = rest_off + 1;
                for piece in inner[..close].split(',') {
                    let lead = piece.len() - piece.trim_start().len();
                    let item = piece.trim();
                    if !item.is_empty() {
                        items.push((
                            item.to_string(),
                            Span::new(f.id, off + lead, off + lead + item.len()),
                        ));
                    }
                    off += piece.len() + 1;
                }
                scope = Some(items);
                rest = &inner[close + 1..];
                rest_off += close + 2;
            }
            if rest
                .chars()
                .next()
                .is_some_and(|ch| !ch.is_whitespace() && ch != ':')
            {
                continue; // `strata-ignored`, not ours
            }
            let (codes_part, reason) = match rest.find(':') {
                Some(i) => (
                    &rest[..i],
                    Some(rest[i + 1..].trim().to_string()).filter(|s| !s.is_empty()),
                ),
                None => (rest, None),
            };
            let mut codes = Vec::new();
            let mut off = rest_off;
            for piece in codes_part.split(',') {
                let lead = piece.len() - piece.trim_start().len();
                let code = piece.trim();
                if !code.is_empty() {
                    codes.push((
                        code.to_string(),
                        Span::new(f.id, off + lead, off + lead + code.len()),
                    ));
                }
                off += piece.len() + 1;
            }
            let trailing = !line[..c].trim().is_empty();
            let target_line = if trailing {
                idx as u32 + 1
            } else {
                let mut j = idx + 1;
                while j < lines.len() && comment_only(lines[j].1) {
                    j += 1;
                }
                j as u32 + 1
            };
            out.push(Suppression {
                file: f.id,
                span: Span::new(f.id, start + c, start + line.len()),
                codes,
                reason,
                target_line,
                scope,
            });
        }
    }
    out
}

/// The code a suppression entry stands for: a rule code or name, else the text itself (user
/// policy codes).
fn canonical(code: &str) -> String {
    find(code)
        .map(|r| r.code.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Settings for [`apply`].
pub struct Apply<'a> {
    /// Severity of `POL001`/`POL002`/`POL003`, `None` when disabled.
    pub unused: Option<strata_base::Severity>,
    pub no_reason: Option<strata_base::Severity>,
    pub unknown: Option<strata_base::Severity>,
    /// Codes whose findings could have been reported in this run (enabled rules and user
    /// policy codes): a suppression of another code is not "unused", only moot.
    pub active: &'a BTreeSet<String>,
    /// Every known code (rules of every stage and user policies), for `POL003`.
    pub known: &'a BTreeSet<String>,
}

/// What a scope item matches in this run: the environment checked and the clouds of the
/// project's stacks and resources (`k8s` and `kubernetes` both name Kubernetes).
fn scope_names(model: &Model) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = model.env.iter().cloned().collect();
    let providers = model
        .stacks
        .iter()
        .map(|s| s.provider)
        .chain(model.resources.iter().map(|r| r.provider));
    for p in providers {
        match p {
            Provider::Portable | Provider::None => {}
            Provider::Kubernetes => {
                names.insert("k8s".into());
                names.insert("kubernetes".into());
            }
            p => {
                names.insert(p.as_str().to_string());
            }
        }
    }
    names
}

/// The clouds a scope may name.
const CLOUDS: &[&str] = &["aws", "gcp", "azure", "k8s", "kubernetes"];

/// The environments a scope may name, when the project says: the values of an `env` (or
/// `environment`) parameter whose type is a union of string literals. `None`: not known.
fn known_envs(model: &Model) -> Option<BTreeSet<String>> {
    fn literals(t: &Ty, out: &mut BTreeSet<String>) -> bool {
        match t.resolved() {
            Ty::Literal(Value::Str(s)) => {
                out.insert(s.to_string());
                true
            }
            Ty::Union(ts) => ts.iter().all(|t| literals(t, out)),
            _ => false,
        }
    }
    let p = model
        .params
        .iter()
        .find(|p| p.name == "env" || p.name == "environment")?;
    let mut out = BTreeSet::new();
    literals(&p.ty, &mut out).then_some(out)
}

/// Whether a suppression applies in this run (see the module docs).
fn in_scope(s: &Suppression, names: &BTreeSet<String>) -> bool {
    s.scope
        .as_ref()
        .is_none_or(|items| items.iter().any(|(i, _)| names.contains(i.as_str())))
}

/// Drop the diagnostics covered by a suppression and add the suppression findings.
pub fn apply(
    diags: Vec<Diagnostic>,
    sources: &SourceMap,
    model: &Model,
    settings: &Apply<'_>,
) -> Vec<Diagnostic> {
    let sups = scan(sources);
    if sups.is_empty() {
        return diags;
    }
    let names = scope_names(model);
    let envs = known_envs(model);
    // (file, target line) → indices of the suppressions that apply in this run.
    let mut by_line: BTreeMap<(FileId, u32), Vec<usize>> = BTreeMap::new();
    for (i, s) in sups.iter().enumerate() {
        if in_scope(s, &names) {
            by_line.entry((s.file, s.target_line)).or_default().push(i);
        }
    }
    // Resource declarations starting on a suppressed line: (file, line) → declaration spans.
    let mut decls: BTreeMap<(FileId, u32), Vec<Span>> = BTreeMap::new();
    for r in &model.resources {
        if let Some(f) = sources.try_get(r.span.file) {
            let line = f.line_col(r.span.start).line;
            if by_line.contains_key(&(r.span.file, line)) {
                decls.entry((r.span.file, line)).or_default().push(r.span);
            }
        }
    }
    let mut used: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut kept = Vec::with_capacity(diags.len());
    for d in diags {
        let span = d.primary.span;
        let Some(file) = sources.try_get(span.file) else {
            kept.push(d);
            continue;
        };
        let line = file.line_col(span.start).line;
        let mut candidates: Vec<usize> =
            by_line.get(&(span.file, line)).cloned().unwrap_or_default();
        for ((f, l), spans) in decls.range((span.file, 0)..=(span.file, u32::MAX)) {
            if *f == span.file
                && spans
                    .iter()
                    .any(|s| s.start <= span.start && span.end <= s.end)
            {
                if let Some(v) = by_line.get(&(*f, *l)) {
                    candidates.extend(v.iter().copied());
                }
            }
        }
        let mut hit = false;
        for i in candidates {
            for (j, (c, _)) in sups[i].codes.iter().enumerate() {
                if canonical(c) == d.code {
                    used.insert((i, j));
                    hit = true;
                }
            }
        }
        if !hit {
            kept.push(d);
        }
    }
    for (i, s) in sups.iter().enumerate() {
        if s.reason.is_none() {
            if let Some(sev) = settings.no_reason {
                kept.push(
                    Diagnostic::new("POL002", sev, "suppression without a reason", s.span)
                        .with_label("say why this finding is accepted")
                        .with_help(format!(
                            "write `// {MARK} {}: <why this is acceptable here>`",
                            s.codes
                                .iter()
                                .map(|(c, _)| c.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                );
            }
        }
        if s.scope.as_ref().is_some_and(Vec::is_empty) {
            if let Some(sev) = settings.unknown {
                kept.push(
                    Diagnostic::new("POL003", sev, "suppression with an empty scope", s.span)
                        .with_label("`[]` applies nowhere")
                        .with_help(format!("name environments or clouds (`// {MARK}[prod] CODE: reason`), or drop the brackets to apply everywhere")),
                );
            }
        }
        if let (Some(items), Some(envs), Some(sev)) = (&s.scope, &envs, settings.unknown) {
            for (item, span) in items
                .iter()
                .filter(|(i, _)| !CLOUDS.contains(&i.as_str()) && !envs.contains(i.as_str()))
            {
                let mut d = Diagnostic::new(
                    "POL003",
                    sev,
                    format!("`{item}` is neither an environment nor a cloud"),
                    *span,
                )
                .with_label("applies nowhere");
                let choices: Vec<&str> = envs
                    .iter()
                    .map(String::as_str)
                    .chain(CLOUDS.iter().copied())
                    .collect();
                d = match did_you_mean(item, choices.iter().copied()) {
                    Some(m) => d.with_help(format!("did you mean `{m}`? a scope names environments ({}) or clouds (aws, gcp, azure, k8s)", envs.iter().cloned().collect::<Vec<_>>().join(", "))).with_fix(strata_base::Fix::rename(*span, item, m)),
                    None => d.with_help(format!("a scope names environments ({}) or clouds (aws, gcp, azure, k8s)", envs.iter().cloned().collect::<Vec<_>>().join(", "))),
                };
                kept.push(d);
            }
        }
        if s.codes.is_empty() {
            if let Some(sev) = settings.unknown {
                kept.push(Diagnostic::new("POL003", sev, "suppression names no rule", s.span).with_help(format!("write `// {MARK} CODE: reason`, e.g. `// {MARK} SEC001: public website bucket`")));
            }
            continue;
        }
        for (j, (c, cspan)) in s.codes.iter().enumerate() {
            let code = canonical(c);
            if is_input_code(&code) {
                if let Some(sev) = settings.unknown {
                    kept.push(
                        Diagnostic::new("POL003", sev, format!("`{code}` reports invalid input and cannot be suppressed"), *cspan)
                            .with_label("not a policy rule")
                            .with_help("only policy findings (SEC, GRAPH, COST, DEP, POL and your policies' codes) can be suppressed; fix the input instead"),
                    );
                }
                continue;
            }
            if !settings.known.contains(&code) {
                if let Some(sev) = settings.unknown {
                    let mut d = Diagnostic::new(
                        "POL003",
                        sev,
                        format!("`{c}` is not a rule code or name"),
                        *cspan,
                    )
                    .with_label("unknown rule");
                    d = match did_you_mean(
                        c,
                        settings
                            .known
                            .iter()
                            .map(String::as_str)
                            .chain(crate::registry::rules().iter().map(|r| r.name)),
                    ) {
                        Some(m) => d
                            .with_help(format!(
                                "did you mean `{m}`? `strata explain` lists every rule"
                            ))
                            .with_fix(strata_base::Fix::rename(*cspan, c, m)),
                        None => d.with_help("`strata explain` lists every rule"),
                    };
                    kept.push(d);
                }
                continue;
            }
            if !used.contains(&(i, j)) && settings.active.contains(&code) && in_scope(s, &names) {
                if let Some(sev) = settings.unused {
                    let mut d = Diagnostic::new("POL001", sev, format!("unused suppression of `{c}`"), *cspan)
                        .with_label("nothing to suppress here")
                        .with_help(format!("`{c}` reports nothing on line {}; delete the suppression (or move it to the line above the finding)", s.target_line));
                    if s.scope.is_none() {
                        d = d.with_note(format!("if `{c}` reports only in some environments or on some clouds, scope the suppression: `// {MARK}[prod] {c}: reason` applies only when checking `--env prod`, `[aws]` only to projects on AWS; out of its scope it is neither applied nor reported"));
                    }
                    kept.push(d);
                }
            }
        }
    }
    kept
}

/// `E0xxx`…`E4xxx`: syntax, names, types, graph, project — not policy findings.
fn is_input_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5 && b[0] == b'E' && b[1..].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_outside_strings() {
        assert_eq!(comment_start("a = 1 // x"), Some(6));
        assert_eq!(comment_start("a = \"http://x\" // y"), Some(15));
        assert_eq!(comment_start("a = \"\\\"//\""), None);
        assert_eq!(comment_start("// c"), Some(0));
    }

    #[test]
    fn scans_codes_reason_and_target() {
        let mut sm = SourceMap::new();
        let text = "// strata-ignore SEC001, bucket-versioning: website bucket\n// another comment\nresource b: aws.s3.Bucket {\n  public = true // strata-ignore SEC002\n}\n// strata-ignored\n";
        sm.add("main.strata", text, false);
        let s = scan(&sm);
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[0].codes
                .iter()
                .map(|(c, _)| c.as_str())
                .collect::<Vec<_>>(),
            ["SEC001", "bucket-versioning"]
        );
        assert_eq!(sm.snippet(s[0].codes[1].1), "bucket-versioning");
        assert_eq!(s[0].reason.as_deref(), Some("website bucket"));
        assert_eq!(s[0].target_line, 3);
        assert_eq!(s[1].reason, None);
        assert_eq!(s[1].target_line, 4);
        assert_eq!(s[0].scope, None);
    }

    #[test]
    fn scans_scopes() {
        let mut sm = SourceMap::new();
        let text = "// strata-ignore[prod, aws] SEC014: prod only\nx // strata-ignore[] SEC001: empty\n// strata-ignore[prod SEC001: unclosed\n";
        sm.add("main.strata", text, false);
        let s = scan(&sm);
        assert_eq!(s.len(), 2, "{s:?}");
        let scope = s[0].scope.as_ref().expect("scope");
        assert_eq!(
            scope.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>(),
            ["prod", "aws"]
        );
        assert_eq!(sm.snippet(scope[1].1), "aws");
        assert_eq!(s[0].codes[0].0, "SEC014");
        assert_eq!(sm.snippet(s[0].codes[0].1), "SEC014");
        assert_eq!(s[0].reason.as_deref(), Some("prod only"));
        assert_eq!(s[1].scope, Some(vec![]));
        assert_eq!(s[1].target_line, 2);
    }

    #[test]
    fn scope_matches_env_and_clouds() {
        let model = Model {
            env: Some("dev".into()),
            ..Model::default()
        };
        let names = scope_names(&model);
        let sup = |scope: Option<Vec<&str>>| Suppression {
            file: FileId(0),
            span: Span::new(FileId(0), 0, 0),
            codes: vec![],
            reason: None,
            target_line: 1,
            scope: scope.map(|v| {
                v.into_iter()
                    .map(|i| (i.to_string(), Span::new(FileId(0), 0, 0)))
                    .collect()
            }),
        };
        assert!(in_scope(&sup(None), &names));
        assert!(in_scope(&sup(Some(vec!["prod", "dev"])), &names));
        assert!(!in_scope(&sup(Some(vec!["prod"])), &names));
        assert!(!in_scope(&sup(Some(vec!["aws"])), &names));
        assert!(!in_scope(&sup(Some(vec![])), &names));
    }
}
