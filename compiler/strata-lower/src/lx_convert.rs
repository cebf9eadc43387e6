//! The converter from handlebars bodies (JSON text with `{{...}}`) to structured bodies
//! (`lx.rs`): the template's syntax tree (handlebars' own parser) is flattened into JSON
//! tokens (a tokenizer over the raw text, strings continuing across expressions) and block
//! tokens, which are parsed as the JSON they render. Commas are separators only, so the
//! `{{#unless @first}},{{/unless}}` of a template disappears.
//!
//! `cargo test -p strata-lower convert_stdlib -- --ignored` rewrites `stdlib/lower/**/*.toml`
//! (or the files under `LX_DIR`; `LX_FILES=a.toml,b.toml` for some of them) in place: every `body` becomes a `map`, every partial used by bodies a fragment (partials
//! used by text templates — names, conditions, outs — stay).

use crate::lx::{self, Block, BlockKind, Expr, Fun, Key, Node, Part, StrPart, Use};
use handlebars::template::{HelperTemplate, Parameter, TemplateElement};
use handlebars::Path as HbPath;
use serde_json::Value as Json;

#[derive(Debug)]
enum Tok {
    P(char),
    Str(Vec<StrPart>),
    Lit(Json),
    Expr(Expr),
    Block(Box<Block>, Vec<Tok>, Vec<Tok>),
    Use(Use),
}

pub fn convert(src: &str) -> Result<Node, String> {
    let t = handlebars::Template::compile(src).map_err(|e| e.to_string())?;
    let toks = tokens(&t.elements)?;
    if toks.is_empty() {
        return Ok(Node::Lit(Json::Null));
    }
    let mut i = 0;
    let v = value(&toks, &mut i)?;
    if i != toks.len() {
        return Err(format!("tokens after the value: {:?}", &toks[i..]));
    }
    Ok(v)
}

/// A partial as a fragment: one value, or members (made an object, added where it is used).
pub fn convert_partial(src: &str) -> Result<Node, String> {
    match convert(src) {
        Ok(v) => Ok(v),
        Err(_) => {
            let t = handlebars::Template::compile(src).map_err(|e| e.to_string())?;
            let toks = tokens(&t.elements)?;
            Ok(Node::Obj(parts(&toks, Mode::Members)?))
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Value,
    Members,
    Elems,
}

fn param(p: &Parameter) -> Result<Expr, String> {
    Ok(match p {
        Parameter::Path(HbPath::Relative((_, raw))) => {
            // `a.[0]` is `a.0`.
            Expr::Path(lx::Path::parse(&raw.replace(".[", ".").replace(']', ""))?)
        }
        Parameter::Path(HbPath::Local((0, name, _))) => {
            Expr::Path(lx::Path::parse(&format!("@{name}"))?)
        }
        Parameter::Path(p) => return Err(format!("unsupported path {p:?}")),
        Parameter::Literal(j) => Expr::Lit(j.clone()),
        Parameter::Name(n) => Expr::Path(lx::Path::parse(n)?),
        Parameter::Subexpression(s) => match s.element.as_ref() {
            TemplateElement::Expression(h) => helper(h)?,
            e => return Err(format!("unsupported subexpression {e:?}")),
        },
        other => return Err(format!("unsupported parameter {other:?}")),
    })
}

fn helper(h: &HelperTemplate) -> Result<Expr, String> {
    if !h.hash.is_empty() {
        return Err("helper with hash arguments".into());
    }
    let name = match &h.name {
        Parameter::Name(n) => n.clone(),
        Parameter::Path(HbPath::Relative((_, raw))) => raw.clone(),
        other if h.params.is_empty() => return param(other),
        other => return Err(format!("unsupported helper name {other:?}")),
    };
    if h.params.is_empty() && Fun::parse(&name).is_none() {
        return Ok(Expr::Path(lx::Path::parse(&name)?));
    }
    let args = h.params.iter().map(param).collect::<Result<Vec<_>, _>>()?;
    if name == "json" && args.len() == 1 {
        return Ok(args.into_iter().next().unwrap_or(Expr::Lit(Json::Null)));
    }
    let f = Fun::parse(&name).ok_or_else(|| format!("unknown helper `{name}`"))?;
    Ok(Expr::Call(f, args))
}

fn tokens(els: &[TemplateElement]) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    // An open string: its parts so far and the raw text of its current literal part.
    let mut open: Option<(Vec<StrPart>, String)> = None;
    for el in els {
        match el {
            TemplateElement::RawString(raw) => lex(raw, &mut out, &mut open)?,
            TemplateElement::Comment(_) => {}
            TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
                let e = helper(h)?;
                match &mut open {
                    Some((parts, cur)) => {
                        if !cur.is_empty() {
                            parts.push(StrPart::Lit(unescape(&std::mem::take(cur))?));
                        }
                        parts.push(StrPart::Expr(e));
                    }
                    None => out.push(Tok::Expr(e)),
                }
            }
            TemplateElement::HelperBlock(h) => {
                if open.is_some() {
                    return Err("a block inside a string".into());
                }
                let name = match &h.name {
                    Parameter::Name(n) => n.as_str(),
                    other => return Err(format!("unsupported block {other:?}")),
                };
                let kind = match name {
                    "if" => BlockKind::If,
                    "unless" => BlockKind::Unless,
                    "each" => BlockKind::Each,
                    "with" => BlockKind::With,
                    n => return Err(format!("unsupported block `{n}`")),
                };
                let [subject] = h.params.as_slice() else {
                    return Err(format!("block `{name}` takes one parameter"));
                };
                let subject = param(subject)?;
                let params = match &h.block_param {
                    None => Vec::new(),
                    Some(handlebars::template::BlockParam::Single(p)) => vec![name_of(p)?],
                    Some(handlebars::template::BlockParam::Pair((a, b))) => {
                        vec![name_of(a)?, name_of(b)?]
                    }
                    Some(other) => return Err(format!("unsupported block parameters {other:?}")),
                };
                let then = match &h.template {
                    Some(t) => tokens(&t.elements)?,
                    None => Vec::new(),
                };
                let els = match &h.inverse {
                    Some(t) => tokens(&t.elements)?,
                    None => Vec::new(),
                };
                let b = Block {
                    kind,
                    subject,
                    params,
                    then: Vec::new(),
                    els: Vec::new(),
                };
                out.push(Tok::Block(Box::new(b), then, els));
            }
            TemplateElement::PartialExpression(d) => {
                if open.is_some() {
                    return Err("a partial inside a string".into());
                }
                let name = match &d.name {
                    Parameter::Name(n) => n.clone(),
                    Parameter::Path(HbPath::Relative((_, raw))) => raw.clone(),
                    other => return Err(format!("unsupported partial name {other:?}")),
                };
                let arg = match d.params.as_slice() {
                    [] => None,
                    [p] => Some(param(p)?),
                    _ => return Err("a partial takes one parameter".into()),
                };
                let mut hash = d
                    .hash
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), param(v)?)))
                    .collect::<Result<Vec<_>, String>>()?;
                hash.sort_by(|a, b| a.0.cmp(&b.0));
                out.push(Tok::Use(Use { name, arg, hash }));
            }
            other => return Err(format!("unsupported template element {other:?}")),
        }
    }
    if open.is_some() {
        return Err("unclosed string".into());
    }
    Ok(out)
}

fn name_of(p: &Parameter) -> Result<String, String> {
    match p {
        Parameter::Name(n) => Ok(n.clone()),
        Parameter::Path(HbPath::Relative((_, raw))) => Ok(raw.clone()),
        other => Err(format!("unsupported block parameter {other:?}")),
    }
}

fn unescape(raw: &str) -> Result<String, String> {
    serde_json::from_str::<String>(&format!("\"{raw}\"")).map_err(|e| format!("{raw:?}: {e}"))
}

fn lex(
    raw: &str,
    out: &mut Vec<Tok>,
    open: &mut Option<(Vec<StrPart>, String)>,
) -> Result<(), String> {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some((parts, cur)) = open {
            // Inside a string: up to the closing quote.
            let start = i;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            cur.push_str(&raw[start..i.min(b.len())]);
            if i < b.len() {
                i += 1;
                if !cur.is_empty() {
                    parts.push(StrPart::Lit(unescape(&std::mem::take(cur))?));
                }
                let parts = std::mem::take(parts);
                *open = None;
                out.push(match parts.as_slice() {
                    [] => Tok::Lit(Json::String(String::new())),
                    [StrPart::Lit(s)] => Tok::Lit(Json::String(s.clone())),
                    _ => Tok::Str(parts),
                });
            }
            continue;
        }
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'{' | b'}' | b'[' | b']' | b':' | b',' => {
                out.push(Tok::P(c as char));
                i += 1;
            }
            b'"' => {
                *open = Some((Vec::new(), String::new()));
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let s = i;
                i += 1;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                let n: Json = serde_json::from_str(&raw[s..i]).map_err(|e| e.to_string())?;
                out.push(Tok::Lit(n));
            }
            _ => {
                let s = i;
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let w = &raw[s..i];
                out.push(Tok::Lit(match w {
                    "true" => Json::Bool(true),
                    "false" => Json::Bool(false),
                    "null" => Json::Null,
                    _ => return Err(format!("unexpected text {:?}", &raw[s..])),
                }));
            }
        }
    }
    Ok(())
}

fn value(t: &[Tok], i: &mut usize) -> Result<Node, String> {
    let Some(tok) = t.get(*i) else {
        return Err("expected a value".into());
    };
    *i += 1;
    Ok(match tok {
        Tok::P('{') => Node::Obj(parts_until(t, i, Mode::Members, '}')?),
        Tok::P('[') => Node::Arr(parts_until(t, i, Mode::Elems, ']')?),
        Tok::P(c) => return Err(format!("unexpected `{c}`")),
        Tok::Str(p) => Node::Str(p.clone()),
        Tok::Lit(j) => Node::Lit(j.clone()),
        Tok::Expr(e) => Node::Expr(e.clone()),
        Tok::Block(b, then, els) => match block(b, then, els, Mode::Value)? {
            Some(p) => Node::One(Box::new(p)),
            None => Node::Lit(Json::Null),
        },
        Tok::Use(u) => Node::One(Box::new(Part::Use(u.clone()))),
    })
}

fn block(b: &Block, then: &[Tok], els: &[Tok], mode: Mode) -> Result<Option<Part>, String> {
    let then = parts(then, mode)?;
    let els = parts(els, mode)?;
    if then.is_empty() && els.is_empty() {
        return Ok(None);
    }
    Ok(Some(Part::Block(Box::new(Block {
        kind: b.kind.clone(),
        subject: b.subject.clone(),
        params: b.params.clone(),
        then,
        els,
    }))))
}

fn parts(t: &[Tok], mode: Mode) -> Result<Vec<Part>, String> {
    let mut i = 0;
    let mut out = Vec::new();
    part_list(t, &mut i, mode, None, &mut out)?;
    Ok(out)
}

fn parts_until(t: &[Tok], i: &mut usize, mode: Mode, close: char) -> Result<Vec<Part>, String> {
    let mut out = Vec::new();
    part_list(t, i, mode, Some(close), &mut out)?;
    Ok(out)
}

fn part_list(
    t: &[Tok],
    i: &mut usize,
    mode: Mode,
    close: Option<char>,
    out: &mut Vec<Part>,
) -> Result<(), String> {
    loop {
        match t.get(*i) {
            None if close.is_none() => return Ok(()),
            None => return Err(format!("expected `{}`", close.unwrap_or(' '))),
            Some(Tok::P(',')) => *i += 1,
            Some(Tok::P(c)) if Some(*c) == close => {
                *i += 1;
                return Ok(());
            }
            Some(Tok::Block(b, then, els)) => {
                *i += 1;
                if let Some(p) = block(b, then, els, mode)? {
                    out.push(p);
                }
            }
            Some(Tok::Use(u)) => {
                *i += 1;
                out.push(Part::Use(u.clone()));
            }
            Some(tok) if mode == Mode::Members => {
                let key = match tok {
                    Tok::Lit(Json::String(s)) => Key::Lit(s.clone()),
                    Tok::Expr(e) => Key::Expr(e.clone()),
                    Tok::Str(p) => Key::Expr(Expr::Call(
                        Fun::parse("concat").ok_or("no concat")?,
                        p.iter()
                            .map(|x| match x {
                                StrPart::Lit(s) => Expr::Lit(Json::String(s.clone())),
                                StrPart::Expr(e) => e.clone(),
                            })
                            .collect(),
                    )),
                    other => return Err(format!("expected a member, found {other:?}")),
                };
                *i += 1;
                match t.get(*i) {
                    Some(Tok::P(':')) => *i += 1,
                    other => return Err(format!("expected `:`, found {other:?}")),
                }
                out.push(Part::Member(key, value(t, i)?));
            }
            Some(_) => out.push(Part::Elem(value(t, i)?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(src: &str) -> String {
        let n = convert(src).unwrap_or_else(|e| panic!("{e}"));
        let printed = lx::print(&n);
        assert_eq!(lx::parse(&printed), Ok(n), "{printed}");
        printed
    }

    #[test]
    fn converts_blocks_strings_and_commas() {
        assert_eq!(
            roundtrip(
                r#"{"A": {{json props.a}}, "B": {{#if props.b}}{"S": "x-{{@index}}"}{{else}}null{{/if}}}"#
            ),
            r#"{"A": props.a, "B": if props.b { {"S": "x-\(@index)"} } else { null }}"#
        );
        assert_eq!(
            roundtrip(
                r#"[{{#each l as |x|}}{{#unless @first}},{{/unless}}{"n": {{ref x "arn"}}}{{/each}}]"#
            ),
            r#"[each l as x { {"n": ref(x, "arn")} }]"#
        );
    }

    /// Rewrite the stdlib's lowering files (see the module docs).
    #[test]
    #[ignore]
    fn convert_stdlib() {
        let root = std::env::var("LX_DIR")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../stdlib/lower").into());
        let mut files = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read dir") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "toml") {
                    files.push(p);
                }
            }
        }
        files.sort();
        let only = std::env::var("LX_FILES").unwrap_or_default();
        let mut failed = Vec::new();
        let mut uses = Uses::default();
        for f in &files {
            collect_uses(&std::fs::read_to_string(f).expect("read"), &mut uses);
        }
        for f in files {
            let name = f.display().to_string();
            if !only.is_empty() && !only.split(',').any(|o| name.ends_with(o)) {
                continue;
            }
            let text = std::fs::read_to_string(&f).expect("read");
            match rewrite(&text, &uses) {
                Ok(new) => std::fs::write(&f, new).expect("write"),
                Err(e) => failed.push(format!("{name}: {e}")),
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }
}

/// Partials used by text templates (`name`, `when`, outs) and by bodies (or other partials).
#[derive(Default)]
struct Uses {
    text: std::collections::BTreeSet<String>,
    body: std::collections::BTreeSet<String>,
}

fn collect_uses(text: &str, uses: &mut Uses) {
    let re = regex_lite::Regex::new(r"\{\{>\s*([A-Za-z0-9_]+)").expect("regex");
    let mut textual = false;
    for line in text.lines() {
        let key = line.split('=').next().unwrap_or("").trim();
        if line.contains('=') && !line.starts_with(' ') && !key.contains(' ') {
            textual = ["name", "when", "outs"].contains(&key);
        }
        for c in re.captures_iter(line) {
            if textual {
                uses.text.insert(c[1].to_string());
            } else {
                uses.body.insert(c[1].to_string());
            }
        }
    }
}

/// A TOML string literal starting at `s[i..]`: (end index, decoded value).
fn toml_string(s: &str, i: usize) -> Result<(usize, String), String> {
    let rest = &s[i..];
    let end = if let Some(r) = rest.strip_prefix("'''") {
        3 + r.find("'''").ok_or("unclosed '''")? + 3
    } else if let Some(r) = rest.strip_prefix("\"\"\"") {
        3 + r.find("\"\"\"").ok_or("unclosed \"\"\"")? + 3
    } else if let Some(r) = rest.strip_prefix('\'') {
        1 + r.find('\'').ok_or("unclosed '")? + 1
    } else if let Some(r) = rest.strip_prefix('"') {
        let b = r.as_bytes();
        let mut j = 0;
        while j < b.len() && b[j] != b'"' {
            if b[j] == b'\\' {
                j += 1;
            }
            j += 1;
        }
        1 + j + 1
    } else {
        return Err(format!("not a string: {:?}", &rest[..rest.len().min(20)]));
    };
    let lit = &rest[..end];
    let t: toml::Table = toml::from_str(&format!("x = {lit}")).map_err(|e| e.to_string())?;
    let v = t
        .get("x")
        .and_then(|v| v.as_str())
        .ok_or("not a string")?
        .to_string();
    Ok((i + end, v))
}

fn toml_block(src: &str) -> Result<String, String> {
    if src.contains("'''") {
        return Err("the body contains '''".into());
    }
    Ok(if src.contains('\n') {
        format!("'''\n{src}\n'''")
    } else {
        format!("'''{src}'''")
    })
}

/// Rewrite one file: `body = ...` → `map = ...`; `[partials]` → `[fragments]` (partials used
/// by text templates stay partials).
fn rewrite(text: &str, uses: &Uses) -> Result<String, String> {
    let mut out = String::new();
    let mut i = 0;
    let mut in_partials = false;
    let mut partials: Vec<(String, String, String)> = Vec::new(); // (comments, name, source)
    let mut pending_comments = String::new();
    while i < text.len() {
        let line_end = text[i..].find('\n').map_or(text.len(), |e| i + e + 1);
        let line = &text[i..line_end];
        if line.starts_with('[') {
            in_partials = line.trim() == "[partials]";
            if in_partials {
                i = line_end;
                continue;
            }
        }
        if in_partials {
            if line.trim_start().starts_with('#') || line.trim().is_empty() {
                pending_comments.push_str(line);
                i = line_end;
                continue;
            }
            let eq = line.find('=').ok_or("partial without `=`")?;
            let name = line[..eq].trim().to_string();
            let vstart = i + eq + 1 + (line[eq + 1..].len() - line[eq + 1..].trim_start().len());
            let (end, src) = toml_string(text, vstart)?;
            partials.push((std::mem::take(&mut pending_comments), name, src));
            i = text[end..].find('\n').map_or(text.len(), |e| end + e + 1);
            continue;
        }
        let key = line.split('=').next().unwrap_or("").trim();
        if key == "body" && line.contains('=') {
            let eq = line.find('=').unwrap_or(0);
            let vstart = i + eq + 1 + (line[eq + 1..].len() - line[eq + 1..].trim_start().len());
            let (end, src) = toml_string(text, vstart)?;
            let node = convert(&src).map_err(|e| format!("body at byte {i}: {e}\n{src}"))?;
            let printed = lx::print(&node);
            if lx::parse(&printed).as_ref() != Ok(&node) {
                return Err(format!("the printed body does not parse back:\n{printed}"));
            }
            out.push_str("map = ");
            out.push_str(&toml_block(&printed)?);
            i = end;
            continue;
        }
        out.push_str(line);
        i = line_end;
    }
    if !partials.is_empty() {
        let mut frag = String::from("\n[fragments]\n");
        let mut keep = String::new();
        for (comments, name, src) in &partials {
            if uses.text.contains(name) {
                keep.push_str(comments);
                keep.push_str(&format!("{name} = {}\n", toml_block(src)?));
            }
            if uses.body.contains(name) {
                let node = convert_partial(src).map_err(|e| format!("partial `{name}`: {e}"))?;
                let printed = lx::print(&node);
                if lx::parse(&printed).as_ref() != Ok(&node) {
                    return Err(format!("partial `{name}` does not print back:\n{printed}"));
                }
                frag.push_str(comments);
                frag.push_str(&format!("{name} = {}\n", toml_block(&printed)?));
            }
        }
        if !keep.is_empty() {
            out.push_str("\n[partials]\n");
            out.push_str(&keep);
        }
        if frag != "\n[fragments]\n" {
            out.push_str(&frag);
        }
        out.push_str(&pending_comments);
    }
    Ok(out)
}

/// Time to build the engine (and, for a lazy engine, compile every template) from the lowering
/// files under `LX_DIR` (default: the repository's): `cargo test -p strata-lower --release
/// engine_build_time -- --ignored --nocapture`. For comparing the two body formats.
#[cfg(test)]
#[test]
#[ignore]
fn engine_build_time() {
    let root = std::env::var("LX_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../stdlib/lower").into());
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(&root)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml") {
                let text = std::fs::read_to_string(&p).expect("read");
                files.push((p.display().to_string(), text));
            }
        }
    }
    let mut build = Vec::new();
    let mut all = Vec::new();
    for _ in 0..20 {
        let t = std::time::Instant::now();
        let e = crate::engine::Engine::from_files_lazy(&files);
        build.push(t.elapsed().as_secs_f64() * 1e3);
        let errors = e.compile_all();
        all.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(errors.is_empty(), "{errors:#?}");
    }
    build.sort_by(f64::total_cmp);
    all.sort_by(f64::total_cmp);
    println!(
        "{root}: build min {:.2} ms median {:.2} ms; build + compile every template min {:.2} ms median {:.2} ms",
        build[0], build[10], all[0], all[10]
    );
}
