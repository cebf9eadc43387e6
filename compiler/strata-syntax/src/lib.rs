//! Strata syntax: source text → tokens → AST with spans, and back to canonical text.
//!
//! Invariant: parsing never fails. [`parse`] always returns a [`ast::File`] plus the syntax
//! diagnostics it found; broken regions become `Item::Error` / `ExprKind::Error` nodes.

pub mod ast;

use strata_base::{Diagnostic, FileId};

/// Parse one file. Never panics, never fails; returns the tree and every syntax error found.
pub fn parse(file: FileId, text: &str) -> (ast::File, Vec<Diagnostic>) {
    let _ = (file, text);
    todo!("parser")
}
