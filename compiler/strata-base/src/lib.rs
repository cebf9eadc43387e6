//! Foundation shared by every stage of the Strata pipeline: source files, spans and
//! diagnostics. This crate does no I/O and knows nothing of the language itself.

mod diagnostic;
pub mod memory;
mod source;

pub use diagnostic::{
    did_you_mean, Applicability, CodeDoc, Diagnostic, Edit, Fix, Label, Severity,
};
pub use source::{FileId, LineCol, SourceFile, SourceMap, Span};
pub mod units;
