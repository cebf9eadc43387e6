//! Strata syntax: source text → tokens → AST with spans, and back to canonical text.
//!
//! Invariant: parsing never fails. [`parse`] always returns a [`ast::File`] plus the syntax
//! diagnostics it found; broken regions become `Item::Error` / `ExprKind::Error` nodes.
//!
//! - [`lexer`]: nom token recognisers; comments are kept (`File::comments`); strings are split
//!   into segments and interpolations so `${…}` holds ordinary tokens.
//! - [`parse`]: recursive descent with precedence climbing and error recovery (next field,
//!   next element, next item keyword at a line start); nesting bounded by [`MAX_DEPTH`]
//!   (`E0010`), at most [`MAX_DIAGNOSTICS`] diagnostics (`E0016`), files up to
//!   [`MAX_FILE_SIZE`] (`E4003`).
//! - [`format()`] / [`format_source`]: the canonical layout used by `strata fmt` (idempotent,
//!   every comment kept, tree unchanged).
//! - [`codes`]: the `E00xx` syntax codes and their documentation; constants in [`code`].
//! - [`dump()`]: a span-free rendering of the tree, for snapshots and tree comparison.

pub mod ast;
mod codes;
pub mod dump;
mod format;
pub mod lexer;
mod parser;

pub use codes::codes;
pub use dump::dump;
pub use format::{format, format_source, WIDTH};
pub use parser::MAX_DEPTH;

/// Syntax diagnostic code constants (`codes::UNKNOWN_UNIT` is `"E0004"`, ...).
pub mod code {
    pub use crate::codes::*;
}

use strata_base::{Diagnostic, FileId, Span};

/// At most this many syntax diagnostics are reported per file (then `E0016`).
pub const MAX_DIAGNOSTICS: usize = 200;

/// The largest file the parser accepts (the language reference's 16 MiB, error `E4003`).
pub const MAX_FILE_SIZE: usize = 16 * 1024 * 1024;

/// Parse one file. Never panics, never fails; returns the tree and every syntax error found,
/// sorted by position.
pub fn parse(file: FileId, text: &str) -> (ast::File, Vec<Diagnostic>) {
    if text.len() > MAX_FILE_SIZE {
        let d = Diagnostic::error(
            "E4003",
            format!("file too large ({} bytes; the limit is 16 MiB)", text.len()),
            Span::new(file, 0, 0),
        )
        .with_label("not parsed")
        .with_help("split the configuration into several files or modules");
        return (
            ast::File {
                items: Vec::new(),
                comments: Vec::new(),
                span: Span::new(file, 0, 0),
            },
            vec![d],
        );
    }
    let lexed = lexer::lex(file, text);
    let mut p = parser::Parser::new(file, text, lexed.tokens, &lexed.comments);
    let items = p.items(false);
    let mut diags = lexed.diags;
    diags.append(&mut p.diags);
    drop(p);
    diags.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
    if diags.len() > MAX_DIAGNOSTICS {
        let at = diags[MAX_DIAGNOSTICS].primary.span;
        diags.truncate(MAX_DIAGNOSTICS);
        diags.push(
            Diagnostic::error(
                code::TOO_MANY_ERRORS,
                format!("too many syntax errors; only the first {MAX_DIAGNOSTICS} are shown"),
                at,
            )
            .with_label("further errors from here on are not reported")
            .with_help("fix the errors above (is this really a Strata file?)"),
        );
    }
    (
        ast::File {
            items,
            comments: lexed.comments,
            span: Span::new(file, 0, text.len()),
        },
        diags,
    )
}
