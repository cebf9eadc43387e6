//! A small document tree shared by the JSON and YAML writers, and the two writers.
//!
//! Target modules convert [`strata_model::TValue`] into [`Node`]s (resolving references in
//! their own syntax) and then render. Maps keep insertion order, so each target decides the
//! key order (CloudFormation `Type` before `Properties`, Kubernetes `apiVersion` first, ...).
//!
//! The YAML writer is our own: it quotes every string that a YAML 1.1 *or* 1.2 reader could
//! take for something other than that string, and is tested by round-trips through two
//! independent YAML parsers (serde_norway in the unit and property tests, PyYAML in the
//! validator test).

use std::borrow::Cow;
use std::fmt::Write as _;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// Always finite (targets report non-finite numbers before building nodes).
    Float(f64),
    Str(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    Map(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    pub(crate) fn str(s: impl Into<Cow<'a, str>>) -> Node<'a> {
        Node::Str(s.into())
    }
    pub(crate) fn map() -> Node<'a> {
        Node::Map(Vec::new())
    }
    /// Appends an entry to a map node (no-op on other nodes).
    pub(crate) fn push(&mut self, key: impl Into<Cow<'a, str>>, value: Node<'a>) {
        if let Node::Map(entries) = self {
            entries.push((key.into(), value));
        }
    }
}

// ---------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------

/// Writes `node` as pretty JSON (two-space indent, the layout of `serde_json::to_string_pretty`),
/// assuming the cursor is already at the node's position and the current line is indented by
/// `indent` spaces.
pub(crate) fn write_json(out: &mut String, node: &Node, indent: usize) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Node::Float(f) => out.push_str(&json_float(*f)),
        Node::Str(s) => json_string(out, s),
        Node::Seq(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('\n');
                pad(out, indent + 2);
                write_json(out, item, indent + 2);
            }
            out.push('\n');
            pad(out, indent);
            out.push(']');
        }
        Node::Map(entries) => {
            if entries.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('\n');
                pad(out, indent + 2);
                json_string(out, k);
                out.push_str(": ");
                write_json(out, v, indent + 2);
            }
            out.push('\n');
            pad(out, indent);
            out.push('}');
        }
    }
}

/// A JSON string literal (RFC 8259 escaping; non-ASCII kept as UTF-8).
pub(crate) fn json_string(out: &mut String, s: &str) {
    out.push('"');
    // Fast path: nothing to escape (0xE2 starts U+2028/U+2029 and is left to the slow path).
    if s.bytes()
        .all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b != 0x7f && b != 0xe2)
    {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            _ => None,
        };
        let needs_u = esc.is_none()
            && ((c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}');
        if esc.is_some() || needs_u {
            out.push_str(&s[start..i]);
            match esc {
                Some(e) => out.push_str(e),
                None => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
            }
            start = i + c.len_utf8();
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Shortest round-tripping representation, always with a `.` or an exponent (`1.0`, `1e300`).
pub(crate) fn json_float(f: f64) -> String {
    match serde_json::Number::from_f64(f) {
        Some(n) => n.to_string(),
        None => "null".to_string(),
    }
}

pub(crate) fn pad(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

// ---------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------

/// Writes a top-level YAML document for `node` (a mapping or sequence at indent 0, or a
/// scalar), ending with a newline.
pub(crate) fn write_yaml_document(out: &mut String, node: &Node) {
    match node {
        Node::Map(entries) if !entries.is_empty() => yaml_map(out, entries, 0, false),
        Node::Seq(items) if !items.is_empty() => yaml_seq(out, items, 0, false),
        other => {
            yaml_scalar_or_empty(out, other, 0);
        }
    }
}

/// Writes the entries of a mapping, each on its own line at `indent`. When `inline_first`,
/// the cursor is already placed (after `- `) and the first entry gets no padding.
pub(crate) fn yaml_map(
    out: &mut String,
    entries: &[(Cow<str>, Node)],
    indent: usize,
    inline_first: bool,
) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if !(inline_first && i == 0) {
            pad(out, indent);
        }
        let key = yaml_key(k);
        if key.len() > 1000 {
            // An implicit key may not exceed 1024 characters: use an explicit `? key`.
            out.push_str("? ");
            out.push_str(&key);
            out.push('\n');
            pad(out, indent);
            out.push(':');
        } else {
            out.push_str(&key);
            out.push(':');
        }
        yaml_after_indicator(out, v, indent);
    }
}

/// Writes the items of a sequence, each `- item` at `indent`.
pub(crate) fn yaml_seq(out: &mut String, items: &[Node], indent: usize, inline_first: bool) {
    for (i, item) in items.iter().enumerate() {
        if !(inline_first && i == 0) {
            pad(out, indent);
        }
        out.push('-');
        match item {
            Node::Map(entries) if !entries.is_empty() => {
                out.push(' ');
                yaml_map(out, entries, indent + 2, true);
            }
            Node::Seq(inner) if !inner.is_empty() => {
                out.push(' ');
                yaml_seq(out, inner, indent + 2, true);
            }
            other => {
                out.push(' ');
                yaml_scalar_or_empty(out, other, indent);
            }
        }
    }
}

/// After `key:` (cursor right after the colon): the value, on the same line for scalars and
/// empty collections, on the next lines (indented by two more) otherwise.
fn yaml_after_indicator(out: &mut String, v: &Node, indent: usize) {
    match v {
        Node::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            yaml_map(out, entries, indent + 2, false);
        }
        Node::Seq(items) if !items.is_empty() => {
            out.push('\n');
            yaml_seq(out, items, indent + 2, false);
        }
        other => {
            out.push(' ');
            yaml_scalar_or_empty(out, other, indent);
        }
    }
}

/// A scalar or an empty collection, followed by a newline. Multi-line strings may become
/// literal block scalars whose content is indented at `indent + 2`.
fn yaml_scalar_or_empty(out: &mut String, v: &Node, indent: usize) {
    match v {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Node::Float(f) => out.push_str(&yaml_float(*f)),
        Node::Str(s) => {
            if literal_block_ok(s) {
                out.push_str(if s.ends_with('\n') { "|" } else { "|-" });
                let body = s.strip_suffix('\n').unwrap_or(s);
                for line in body.split('\n') {
                    out.push('\n');
                    if !line.is_empty() {
                        pad(out, indent + 2);
                        out.push_str(line);
                    }
                }
            } else {
                yaml_string(out, s);
            }
        }
        Node::Seq(_) => out.push_str("[]"),
        Node::Map(_) => out.push_str("{}"),
    }
    out.push('\n');
}

/// A float that YAML 1.1 and 1.2 both read as a float: it always has a `.` and a signed
/// exponent if any (`1.0`, `1.5e-7`, `1.0e+300`).
pub(crate) fn yaml_float(f: f64) -> String {
    let s = json_float(f);
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m.to_string(), Some(e.to_string())),
        None => (s.clone(), None),
    };
    let mut m = mantissa;
    if !m.contains('.') {
        m.push_str(".0");
    }
    match exp {
        Some(e) if e.starts_with('-') || e.starts_with('+') => format!("{m}e{e}"),
        Some(e) => format!("{m}e+{e}"),
        None => m,
    }
}

fn yaml_key(k: &str) -> String {
    let mut s = String::with_capacity(k.len() + 2);
    if plain_ok(k) {
        s.push_str(k);
    } else {
        double_quoted(&mut s, k);
    }
    s
}

/// A string scalar: plain when unambiguous, double-quoted otherwise.
pub(crate) fn yaml_string(out: &mut String, s: &str) {
    if plain_ok(s) {
        out.push_str(s);
    } else {
        double_quoted(out, s);
    }
}

/// Words that some YAML version reads as a boolean or null (YAML 1.1 bool/null types, YAML 1.2
/// core schema), compared case-insensitively (quoting a few extra spellings is harmless).
const RESERVED_WORDS: [&str; 12] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nil", "none", "~",
];

/// Whether `s` can be written as a plain scalar and read back as the same string by YAML 1.1
/// and 1.2 readers: starts with an ASCII letter, uses only `[A-Za-z0-9 _./@+=-]` and `:`
/// not followed by a space nor last, single inner spaces, and is not a reserved word. Numbers,
/// timestamps, `.inf`, `~`, `<<`, `=` and every indicator character start with something else.
pub(crate) fn plain_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if !first.is_ascii_alphabetic() || s.len() > 200 {
        return false;
    }
    if b[b.len() - 1] == b' ' || b[b.len() - 1] == b':' {
        return false;
    }
    let mut prev = 0u8;
    for &c in b {
        let ok = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'_' | b'.' | b'/' | b'@' | b'+' | b'=' | b'-' | b':' | b' '
            );
        if !ok {
            return false;
        }
        if c == b' ' && (prev == b':' || prev == b' ') {
            return false;
        }
        prev = c;
    }
    if s.len() <= 5 && RESERVED_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return false;
    }
    true
}

/// Characters that must be escaped inside a YAML double-quoted scalar: everything outside the
/// printable set of YAML 1.1/1.2 (and of PyYAML), the YAML 1.1 line breaks (NEL, LS, PS), the
/// BOM, plus `"` and `\`.
fn yaml_needs_escape(c: char) -> bool {
    let u = c as u32;
    !(u == 0x20
        || (0x21..=0x7e).contains(&u) && c != '"' && c != '\\'
        || (0xa0..=0xd7ff).contains(&u) && u != 0x2028 && u != 0x2029
        || (0xe000..=0xfffd).contains(&u) && u != 0xfeff
        || u >= 0x10000)
}

pub(crate) fn double_quoted(out: &mut String, s: &str) {
    out.push('"');
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if yaml_needs_escape(c) {
            out.push_str(&s[start..i]);
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\0' => out.push_str("\\0"),
                _ => {
                    let _ = write!(out, "\\u{:04X}", c as u32);
                }
            }
            start = i + c.len_utf8();
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Whether a multi-line string can be written as a literal block scalar (`|` or `|-`) and be
/// read back unchanged: only printable characters and `\n`; the first line does not start with
/// a blank (indentation detection) nor is empty; no line is made only of blanks; at most one
/// trailing newline (clip or strip chomping). Anything else is double-quoted with escapes.
fn literal_block_ok(s: &str) -> bool {
    if !s.contains('\n') || s.starts_with([' ', '\t', '\n']) || s.ends_with("\n\n") {
        return false;
    }
    if s.chars()
        .any(|c| c != '\n' && (c == '\t' || yaml_needs_escape(c) && c != '"' && c != '\\'))
    {
        return false;
    }
    let body = s.strip_suffix('\n').unwrap_or(s);
    body.split('\n')
        .all(|line| line.is_empty() || !line.trim_matches(' ').is_empty() && !line.ends_with(' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(node: &Node) -> String {
        let mut s = String::new();
        write_yaml_document(&mut s, node);
        s
    }

    fn parse(s: &str) -> serde_json::Value {
        serde_norway::from_str(s).unwrap_or_else(|e| panic!("{e}\n{s}"))
    }

    #[test]
    fn quotes_ambiguous_scalars() {
        for s in [
            "no",
            "No",
            "ON",
            "yes",
            "y",
            "n",
            "~",
            "null",
            "true",
            "1",
            "1.0",
            "0x1f",
            "1e3",
            ".inf",
            "-",
            "- a",
            "a: b",
            "a #b",
            "*x",
            "&x",
            "!x",
            "#x",
            "@x",
            "`x",
            "%x",
            "",
            " a",
            "a ",
            "a:",
            "2001-12-14",
            "1:20",
            "é",
            "<<",
            "=",
            "?",
            ",",
            "[a]",
            "{a}",
            "|",
            ">",
            "'",
            "\"",
            "a\nb",
        ] {
            assert!(!plain_ok(s), "{s:?} must be quoted");
        }
        for s in [
            "hello",
            "us-east-1",
            "ghcr.io/acme/api:1.4.2",
            "apps/v1",
            "Hello world",
            "db.t4g.medium",
        ] {
            assert!(plain_ok(s), "{s:?} may be plain");
        }
    }

    #[test]
    fn round_trips_tricky_strings() {
        let strings = [
            "no",
            "a\nb\n",
            "a\nb",
            "  lead",
            "\ttab",
            "x\u{85}y",
            "\u{2028}",
            "\u{feff}bom",
            "\u{7f}",
            "a\n\n",
            "a\n  \nb",
            "a\r\nb",
            "\"q\" \\ /",
            "é ü 😀",
            "line\n  indented\n",
            "${x} $(ref.a.b) {{y}} %{z}",
        ];
        for s in strings {
            let mut m = Node::map();
            m.push("k", Node::str(s));
            m.push(
                s,
                Node::Seq(vec![
                    Node::str(s),
                    Node::Seq(vec![Node::str(s)]),
                    Node::Map(vec![(s.into(), Node::str(s))]),
                ]),
            );
            let text = yaml(&m);
            let v = parse(&text);
            assert_eq!(v["k"], serde_json::Value::String(s.to_string()), "{text}");
            assert_eq!(v[s][0], serde_json::Value::String(s.to_string()), "{text}");
            assert_eq!(
                v[s][1][0],
                serde_json::Value::String(s.to_string()),
                "{text}"
            );
            assert_eq!(
                v[s][2][s],
                serde_json::Value::String(s.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn floats_read_back_as_floats() {
        for f in [1.0, -2.5, 1e300, 1.5e-7, 0.1, 123456789.0] {
            let s = yaml_float(f);
            assert!(s.contains('.'), "{s}");
            let v: f64 = serde_norway::from_str(&s).unwrap_or_else(|e| panic!("{e}: {s}"));
            assert_eq!(v, f);
        }
        assert_eq!(yaml_float(1e300), "1.0e+300");
    }

    #[test]
    fn layout() {
        let mut item = Node::map();
        item.push("name", Node::str("a"));
        item.push(
            "list",
            Node::Seq(vec![
                Node::Int(1),
                Node::Seq(vec![Node::Bool(true), Node::Null]),
            ]),
        );
        item.push("empty", Node::Map(vec![]));
        let mut root = Node::map();
        root.push("resources", Node::Seq(vec![item]));
        root.push("text", Node::str("one\ntwo\n"));
        insta::assert_snapshot!(yaml(&root), @r"
        resources:
          - name: a
            list:
              - 1
              - - true
                - null
            empty: {}
        text: |
          one
          two
        ");
        let mut json = String::new();
        write_json(&mut json, &root, 0);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).ok(),
            Some(parse(&yaml(&root)))
        );
    }

    #[test]
    fn long_keys_are_explicit() {
        let long = "k".repeat(1500);
        let mut m = Node::map();
        m.push(long.clone(), Node::Int(1));
        let text = yaml(&m);
        assert!(text.starts_with("? "));
        assert_eq!(parse(&text)[&long], serde_json::json!(1));
    }

    #[test]
    fn json_escapes() {
        let mut s = String::new();
        json_string(&mut s, "a\"\\\n\u{1}\u{2028}é");
        assert_eq!(s, "\"a\\\"\\\\\\n\\u0001\\u2028é\"");
        assert_eq!(
            serde_json::from_str::<String>(&s).ok().as_deref(),
            Some("a\"\\\n\u{1}\u{2028}é")
        );
    }
}
