//! `strata lsp`: the Strata language server.
//!
//! Architecture invariant: this is the only crate that knows LSP types and JSON-RPC; everything
//! it says comes from the driver (`strata_driver::check` through a [`World`] that reads open
//! buffers first, then the disk), semantics' cross references, the formatter and the policy
//! crate's cost estimate. It adds no rule of its own.
//!
//! Threads: the main loop (documents, dispatch; never slow), one checker (see [`checker`]),
//! a few request threads (see [`handlers`]), and the stdio reader and writer.
//!
//! - A project is the directory of the file being edited (as `strata check DIR`); every file
//!   of it is checked and published, with the same codes, spans and messages as `strata check`.
//! - Hover, go-to-definition and code actions read the latest check; completion, document
//!   symbols and formatting read the current text.
//!
//! [`World`]: strata_driver::World

mod cache;
mod checker;
mod context;
mod diagnostics;
mod docs;
pub mod handlers;
mod server;
mod snapshot;
mod state;
mod transport;
mod uri;
mod world;

pub use cache::Cache;
pub use server::{capabilities, serve, Config};

/// Serve the client on stdin/stdout until it exits. `Err` when the client disconnected or
/// exited without asking for a shutdown first (the LSP's exit code 1).
pub fn run() -> Result<(), String> {
    let (connection, io) = transport::stdio();
    let result = serve(connection, Config::default());
    io.join();
    result
}
