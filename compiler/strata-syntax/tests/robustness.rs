//! The parser never panics, never overflows the stack, and always returns a tree; the
//! formatter keeps its invariants on every error-free input.
//!
//! - Deeply nested inputs (100,000 levels of every nesting construct) on the default 2 MiB
//!   test-thread stack.
//! - Property tests: arbitrary strings and bytes, token soup, mutated valid programs, and
//!   generated valid expressions.

mod common;

use common::{comment_texts, render_diags};
use proptest::prelude::*;
use strata_base::FileId;
use strata_syntax::{dump, format, parse};

/// Parse, dump and format `text`; check that every diagnostic span lies inside the text.
fn exercise(text: &str) -> Vec<String> {
    let (tree, diags) = parse(FileId(0), text);
    for d in &diags {
        let r = d.primary.span.range();
        assert!(
            r.start <= r.end && r.end <= text.len(),
            "span {r:?} outside the text ({} bytes)",
            text.len()
        );
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "span {r:?} splits a character"
        );
    }
    let _ = dump(&tree);
    let _ = format(&tree, text);
    diags.into_iter().map(|d| d.code).collect()
}

/// For an error-free `text`: formatting is idempotent, keeps the comments, and the formatted
/// text parses to the same tree. Returns false (nothing checked) if `text` has errors.
fn format_invariants(text: &str) -> bool {
    let (tree, diags) = parse(FileId(0), text);
    if !diags.is_empty() {
        return false;
    }
    let once = format(&tree, text);
    let (tree2, diags2) = parse(FileId(0), &once);
    assert!(
        diags2.is_empty(),
        "formatted output has errors:\n{}\ninput:\n{text}\noutput:\n{once}",
        render_diags(&once, &diags2)
    );
    assert_eq!(
        dump(&tree),
        dump(&tree2),
        "tree changed\ninput:\n{text}\noutput:\n{once}"
    );
    assert_eq!(
        comment_texts(&tree),
        comment_texts(&tree2),
        "comments changed\ninput:\n{text}\noutput:\n{once}"
    );
    let twice = format(&tree2, &once);
    assert_eq!(once, twice, "not idempotent\ninput:\n{text}");
    true
}

const DEPTH: usize = 100_000;

fn assert_too_deep(text: &str) {
    let codes = exercise(text);
    assert!(
        codes.iter().any(|c| c == "E0010"),
        "expected E0010, got {codes:?}"
    );
}

#[test]
fn deep_parentheses() {
    assert_too_deep(&format!(
        "let x = {}1{}",
        "(".repeat(DEPTH),
        ")".repeat(DEPTH)
    ));
    // Unbalanced: only one error for all the unclosed parentheses.
    let codes = exercise(&format!("let x = {}", "(".repeat(DEPTH)));
    assert_eq!(
        codes.iter().filter(|c| *c == "E0006").count(),
        1,
        "{codes:?}"
    );
}

#[test]
fn deep_brackets_and_braces() {
    assert_too_deep(&format!(
        "let x = {}{}",
        "[".repeat(DEPTH),
        "]".repeat(DEPTH)
    ));
    assert_too_deep(&format!("let x = {}", "[".repeat(DEPTH)));
    assert_too_deep(&format!(
        "let x = {}1{}",
        "{a = ".repeat(DEPTH),
        "}".repeat(DEPTH)
    ));
    assert_too_deep(&format!("let x = {}", "{a = ".repeat(DEPTH)));
    assert_too_deep(&format!(
        "resource r: T {{ a = {} }}",
        "{a = ".repeat(DEPTH)
    ));
}

#[test]
fn deep_operators() {
    assert_too_deep(&format!("let x = {}x", "!".repeat(DEPTH)));
    assert_too_deep(&format!("let x = {}x", "- ".repeat(DEPTH)));
    assert_too_deep(&format!("let x = 1{}", " + 1".repeat(DEPTH)));
    assert_too_deep(&format!("let x = a{}", " ? b : c".repeat(DEPTH)));
    assert_too_deep(&format!("let x = a{}", ".b".repeat(DEPTH)));
    assert_too_deep(&format!("let x = f{}", "(1)".repeat(DEPTH)));
    assert_too_deep(&format!("let x = a{}", "[0]".repeat(DEPTH)));
}

#[test]
fn deep_strings_types_and_modules() {
    assert_too_deep(&format!(
        "let x = {}x{}",
        "\"${".repeat(DEPTH),
        "}\"".repeat(DEPTH)
    ));
    assert_too_deep(&format!(
        "type x = {}int{}",
        "list<".repeat(DEPTH),
        ">".repeat(DEPTH)
    ));
    assert_too_deep(&format!("type x = {}", "{a: ".repeat(DEPTH)));
    assert_too_deep(&format!(
        "{}{}",
        "module M {\n".repeat(DEPTH),
        "}\n".repeat(DEPTH)
    ));
    assert_too_deep(&format!("let x = {}", "[for x in ".repeat(DEPTH)));
}

#[test]
fn nesting_just_below_the_limit_is_fine() {
    let n = strata_syntax::MAX_DEPTH as usize - 2;
    let text = format!("let x = {}1{}", "(".repeat(n), ")".repeat(n));
    assert!(exercise(&text).is_empty());
    assert!(format_invariants(&text));
    let text = format!("let x = {}{}", "[".repeat(n), "]".repeat(n));
    assert!(exercise(&text).is_empty());
    assert!(format_invariants(&text));
}

#[test]
fn pathological_inputs() {
    for text in [
        "",
        "\n\n\n",
        "\u{FEFF}",
        "\"",
        "\"${",
        "\"${\"${\"${",
        "}}}}",
        "]]]",
        "@",
        "@@@@ schema",
        "/*",
        "///",
        "resource",
        "module M {",
        "let x = {for",
        "let x = [for x in",
        "policy",
        "policy \"p\" { deny path(",
        "type T = int(",
        "type T = list<",
        "let x = 1..",
        "param p: list<int>=",
        "\0\0\0",
        "let 🎉 = 1",
        "let s = \"\\u{",
        "let s = \"\\",
    ] {
        let _ = exercise(text);
    }
}

#[test]
fn large_file_with_many_errors_is_bounded() {
    let text = "let x = = 1\n".repeat(10_000);
    let codes = exercise(&text);
    assert_eq!(codes.len(), strata_syntax::MAX_DIAGNOSTICS + 1);
}

const FIXTURES: &[&str] = &[
    include_str!("../../../tests/fixtures/syntax/valid/language_reference.strata"),
    include_str!("../../../tests/fixtures/syntax/valid/expressions.strata"),
    include_str!("../../../tests/fixtures/syntax/valid/items.strata"),
    include_str!("../../../tests/fixtures/syntax/valid/types.strata"),
    include_str!("../../../tests/fixtures/syntax/valid/comments.strata"),
    include_str!("../../../tests/fixtures/syntax/valid/realistic.strata"),
    include_str!("../../../tests/fixtures/syntax/format/layout.strata"),
    include_str!("../../../tests/fixtures/syntax/format/comments.strata"),
];

#[test]
fn cr_only_line_endings_read_like_lf() {
    // A file saved with classic Mac OS line endings (`\r` alone) was one long line, usually a
    // comment: it parsed as an empty program. Every valid fixture must read the same with `\n`,
    // `\r\n` and `\r` line endings, and format to the same (`\n`) text.
    for lf in FIXTURES {
        let (tree, diags) = parse(FileId(0), lf);
        assert!(diags.is_empty() && !tree.items.is_empty());
        let formatted = format(&tree, lf);
        for text in [lf.replace('\n', "\r"), lf.replace('\n', "\r\n")] {
            let (t, d) = parse(FileId(0), &text);
            assert!(d.is_empty(), "{}", render_diags(&text, &d));
            assert_eq!(dump(&t), dump(&tree));
            if !text.contains("\r\n") {
                // (A block comment keeps its `\r\n` line breaks in a CRLF file.)
                assert_eq!(comment_texts(&t), comment_texts(&tree));
                assert_eq!(format(&t, &text), formatted);
            }
        }
    }
    // Spans stay those of the original text: an error on the third CR-only line.
    let text = "let a = 1\rlet b = 2\rlet c = = 3\r";
    let (_, d) = parse(FileId(0), text);
    assert_eq!(d.len(), 1);
    let f = strata_base::SourceFile::new(FileId(0), "a", text, false);
    assert_eq!(f.line_col(d[0].primary.span.start).line, 3);
}

const SOUP: &[&str] = &[
    "resource",
    "let",
    "param",
    "module",
    "schema",
    "policy",
    "stack",
    "output",
    "import",
    "type",
    "deny",
    "require",
    "path",
    "for",
    "in",
    "if",
    "out",
    "as",
    "true",
    "null",
    "x",
    "db",
    "aws.kms.Key",
    "1",
    "0.5",
    "10 GiB",
    "30d",
    "4500 USD/month",
    "10.0.0.0/16",
    "\"s\"",
    "\"a${b}c\"",
    "\"",
    "${",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ",",
    ":",
    "=",
    "==",
    "=>",
    "~>",
    "..",
    ".",
    "?",
    "|",
    "||",
    "&&",
    "!",
    "-",
    "+",
    "*",
    "/",
    "<",
    ">",
    "@",
    "\n",
    "\n",
    " ",
    "//c\n",
    "/*c*/",
    "///d\n",
];

/// Apply one edit to `text`: delete a range, insert a soup token, or duplicate a range.
fn mutate(text: &str, kind: u8, a: usize, b: usize, tok: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return SOUP[tok % SOUP.len()].to_string();
    }
    let i = a % chars.len();
    let j = (i + b % 12).min(chars.len());
    let mut out: String = chars[..i].iter().collect();
    match kind % 3 {
        0 => {}
        1 => {
            out.push_str(SOUP[tok % SOUP.len()]);
            out.extend(&chars[i..j]);
        }
        _ => {
            out.extend(&chars[i..j]);
            out.extend(&chars[i..j]);
        }
    }
    out.extend(&chars[j..]);
    out
}

/// A valid expression, as source text.
fn expr_source() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("db.url".to_string()),
        (0i64..1000).prop_map(|n| n.to_string()),
        Just("-3".to_string()),
        Just("0.25".to_string()),
        Just("1_000".to_string()),
        Just("100 GiB".to_string()),
        Just("30d".to_string()),
        Just("4500 USD/month".to_string()),
        Just("10.0.0.0/16".to_string()),
        Just("\"plain\"".to_string()),
        Just("\"a\\n${x}\\${y}\"".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec![
                    "+", "-", "*", "/", "%", "&&", "||", "==", "!=", "<", ">="
                ]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("({c} ? {a} : {b})")),
            inner.clone().prop_map(|a| format!("!{a}")),
            inner.clone().prop_map(|a| format!("-({a})")),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|v| format!("[\n{}\n]", v.join("\n"))),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| {
                let fields: Vec<String> = v
                    .iter()
                    .enumerate()
                    .map(|(i, e)| format!("f{i} = {e}"))
                    .collect();
                format!("{{ {} }}", fields.join(", "))
            }),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| {
                let fields: Vec<String> = v
                    .iter()
                    .enumerate()
                    .map(|(i, e)| format!("  \"k-{i}\" = {e} // c{i}"))
                    .collect();
                format!("{{\n{}\n}}", fields.join("\n"))
            }),
            prop::collection::vec(inner.clone(), 0..3)
                .prop_map(|v| format!("merge({})", v.join(", "))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("[for i, v in {a}: {b} if i > 0]")),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("{{for k in {a}: \"${{k}}\" => {b}}}")),
            inner
                .clone()
                .prop_map(|a| format!("aws {{ region = {a} }}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})[{b}]")),
            inner
                .clone()
                .prop_filter("strings are single-line", |a| !a.contains('\n'))
                .prop_map(|a| format!("\"pre ${{{a}}} post\"")),
            inner.clone().prop_map(|a| format!("/* c */ {a}")),
        ]
    })
}

proptest! {
    // 256 cases by default; `PROPTEST_CASES=5000` for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256),
        .. ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        let _ = exercise(&s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..400)) {
        let s = String::from_utf8_lossy(&b);
        let _ = exercise(&s);
    }

    #[test]
    fn token_soup_never_panics(toks in prop::collection::vec(prop::sample::select(SOUP), 0..120)) {
        let s = toks.join(" ");
        let _ = exercise(&s);
        let _ = format_invariants(&s);
    }

    #[test]
    fn mutated_programs_never_panic(
        which in 0..FIXTURES.len(),
        edits in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), any::<usize>()), 1..6),
    ) {
        let mut text = FIXTURES[which].to_string();
        for (kind, a, b, tok) in edits {
            text = mutate(&text, kind, a, b, tok);
        }
        let _ = exercise(&text);
        // Mutations that stay valid must still format correctly.
        let _ = format_invariants(&text);
    }

    #[test]
    fn generated_expressions_format_correctly(e in expr_source()) {
        let text = format!("let x = {e}\nresource r: T {{\n  v = {e}\n}}\n");
        prop_assert!(format_invariants(&text), "generated program has errors:\n{}\n{}", text,
            render_diags(&text, &parse(FileId(0), &text).1));
    }
}

/// A comment (block, trailing, own-line) or a blank line inserted at any token boundary of any
/// fixture: when the result is valid, formatting keeps the comment, is idempotent and keeps the tree.
#[test]
fn comments_at_every_token_boundary() {
    let mut checked = 0;
    for text in FIXTURES {
        let toks = strata_syntax::lexer::lex(FileId(0), text).tokens;
        for t in &toks {
            let at = t.start as usize;
            for comment in ["/* c */", "// c\n", "\n// c\n", "\n\n"] {
                let mut edited = String::with_capacity(text.len() + 8);
                edited.push_str(&text[..at]);
                edited.push_str(comment);
                edited.push_str(&text[at..]);
                if format_invariants(&edited) {
                    checked += 1;
                }
            }
        }
    }
    // Most insertions keep the program valid (a `//` before a same-line token may not).
    assert!(checked > 2000, "only {checked} edited programs were valid");
}

/// Issue 13: 128 nested calls were reported as "more than 256 levels" (a call and its
/// argument list counted two). Calls, indexes and typed records count one level each, like
/// brackets, and the message states the limit that was hit.
#[test]
fn nested_calls_count_one_level_each() {
    let nested = |open: &str, n: usize, close: &str| {
        format!("let x = {}1{}\n", open.repeat(n), close.repeat(n))
    };
    let limit = strata_syntax::MAX_DEPTH as usize;
    for (open, close) in [("f(", ")"), ("f(1, ", ")"), ("a[", "]"), ("T { a = ", " }")] {
        let below = nested(open, limit - 2, close);
        assert!(
            exercise(&below).is_empty(),
            "{open}: {} levels should parse",
            limit - 2
        );
        let (_, d) = parse(FileId(0), &nested(open, limit + 1, close));
        let deep: Vec<_> = d.iter().filter(|d| d.code == "E0010").collect();
        assert_eq!(deep.len(), 1, "{open}: {d:#?}");
        assert!(
            deep[0]
                .message
                .contains(&format!("more than {limit} levels")),
            "{}",
            deep[0].message
        );
    }
}

/// An operand followed by a chain of operators or accesses ends up as deep as the chain is
/// long: `a[X][0][0]…` puts X under every `[0]`. The limit is on the tree actually built, so
/// nesting such operands cannot build a tree deeper than the limit (this one was 15,000 levels
/// deep without any diagnostic, and formatting it overflowed the stack).
#[test]
fn chains_after_nested_operands_cannot_build_deep_trees() {
    for (open, close, link) in [("a[", "]", "[0]"), ("(", ")", " + 1"), ("f(", ")", ".b")] {
        let mut e = "1".to_string();
        for j in (0..120).rev() {
            e = format!("{open}{e}{close}{}", link.repeat(250 - 2 * j));
        }
        let codes = exercise(&format!("let x = {e}\n"));
        assert!(codes.iter().any(|c| c == "E0010"), "{link}: {codes:?}");
    }
}
