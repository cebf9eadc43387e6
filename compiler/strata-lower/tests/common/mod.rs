//! Shared helpers of the integration tests: analyse Strata source with the real front end
//! (parser and semantics, stdlib included) and render results stably.
#![allow(dead_code)]

use std::fmt::Write as _;
use strata_base::{Diagnostic, SourceMap};
use strata_model::{Model, Schemas, TPart, TRef, TValue, TargetProgram};
use strata_semantics::{analyze, NoImports, Options};

pub struct Analysed {
    pub model: Model,
    pub schemas: Schemas,
    pub diags: Vec<Diagnostic>,
    pub sources: SourceMap,
}

pub fn analyse(src: &str, env: Option<&str>) -> Analysed {
    let mut sources = SourceMap::new();
    let id = sources.add("main.strata", src.to_string(), false);
    let options = Options {
        env: env.map(str::to_string),
        ..Default::default()
    };
    let (a, diags) = analyze(&mut sources, &[id], &NoImports, &options);
    Analysed {
        model: a.model,
        schemas: a.schemas,
        diags,
        sources,
    }
}

/// `file:line:col: CODE severity: message (help)` per diagnostic.
pub fn render_diags(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut s = String::new();
    for d in diags {
        let (name, lc) = match sources.try_get(d.primary.span.file) {
            Some(f) => (f.name.clone(), f.line_col(d.primary.span.start)),
            None => ("?".into(), strata_base::LineCol { line: 0, column: 0 }),
        };
        let _ = write!(
            s,
            "{name}:{}:{}: {} {}: {}",
            lc.line,
            lc.column,
            d.code,
            d.severity.as_str(),
            d.message
        );
        if !d.primary.message.is_empty() {
            let _ = write!(s, " [{}]", d.primary.message);
        }
        if let Some(h) = &d.help {
            let _ = write!(s, " (help: {h})");
        }
        s.push('\n');
    }
    s
}

fn tref(r: &TRef) -> String {
    let mut s = if r.param {
        format!("param:{}", r.resource)
    } else {
        r.resource.clone()
    };
    if let Some(a) = &r.attr {
        s.push_str(" @ ");
        s.push_str(a);
    }
    s
}

/// A stable JSON rendering of a target value (references as `{"$ref": ...}`).
pub fn tjson(v: &TValue) -> serde_json::Value {
    use serde_json::{json, Value as J};
    match v {
        TValue::Null => J::Null,
        TValue::Bool(b) => J::Bool(*b),
        TValue::Int(i) => json!(i),
        TValue::Float(f) => json!(f),
        TValue::Str(s) => J::String(s.clone()),
        TValue::List(l) => J::Array(l.iter().map(tjson).collect()),
        TValue::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), tjson(v))).collect()),
        TValue::Blocks(b) => {
            json!({ "$blocks": b.iter().map(|m| J::Object(m.iter().map(|(k, v)| (k.clone(), tjson(v))).collect())).collect::<Vec<_>>() })
        }
        TValue::Ref(r) => json!({ "$ref": tref(r) }),
        TValue::Interp(parts) => {
            json!({ "$interp": parts.iter().map(|p| match p { TPart::Lit(s) => J::String(s.clone()), TPart::Ref(r) => json!({ "$ref": tref(r) }), TPart::Split { of, sep, index } => json!({ "$split": [tref(of), sep, index] }) }).collect::<Vec<_>>() })
        }
        TValue::Json(inner) => json!({ "$jsonencode": tjson(inner) }),
    }
}

/// A whole program as stable JSON.
pub fn program_json(p: &TargetProgram) -> serde_json::Value {
    use serde_json::json;
    json!({
        "target": p.target.dir_name(),
        "stack": p.stack,
        "description": p.description,
        "providers": p.providers.iter().map(|(k, m)| (k.clone(), serde_json::Value::Object(m.iter().map(|(a, b)| (a.clone(), tjson(b))).collect()))).collect::<serde_json::Map<_, _>>(),
        "params": p.params.iter().map(|q| json!({ "name": q.name, "type": q.ty, "default": q.default.as_ref().map(tjson), "description": q.description })).collect::<Vec<_>>(),
        "resources": p.resources.iter().map(|r| {
            let mut o = json!({ "name": r.name, "type": r.ty, "depends_on": r.depends_on, "body": serde_json::Value::Object(r.body.iter().map(|(k, v)| (k.clone(), tjson(v))).collect()) });
            if let (Some(ret), Some(m)) = (r.retention, o.as_object_mut()) {
                m.insert("retention".into(), json!({ "on_delete": ret.on_delete.as_str(), "on_replace": ret.on_replace.as_str() }));
            }
            o
        }).collect::<Vec<_>>(),
        "outputs": p.outputs.iter().map(|o| json!({ "name": o.name, "value": tjson(&o.value), "description": o.description })).collect::<Vec<_>>(),
    })
}

/// Every stdlib diagnostic of an analysis of nothing (errors in the stdlib itself).
pub fn stdlib_diags() -> String {
    let a = analyse("", None);
    let d: Vec<Diagnostic> = a
        .diags
        .into_iter()
        .filter(|d| {
            a.sources
                .try_get(d.primary.span.file)
                .is_some_and(|f| f.is_stdlib)
        })
        .collect();
    render_diags(&d, &a.sources)
}
