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

/// Serve the client on stdin/stdout until it exits. Returns only after a `shutdown` request
/// then `exit` (the caller exits with 0); when the client exits without `shutdown`, or closes
/// stdin, the reason goes to stderr and the process ends here with exit code 1.
///
/// The LSP specification (3.17, "Exit Notification"): "The server should exit with success code
/// 0 if the shutdown request has been received before; otherwise with error code 1." That is
/// the editor's contract, not the CLI's (where 2 means invalid input), so it is kept here.
pub fn run() -> Result<(), String> {
    // A pipe's capacity: a large body arrives in a few reads.
    let input = std::io::BufReader::with_capacity(64 << 10, std::io::stdin());
    let result = serve_streams(input, std::io::stdout(), Config::default());
    if let Err(e) = &result {
        eprintln!("error: strata lsp: {e}");
        std::process::exit(1);
    }
    result
}

/// The server over any pair of byte streams, with the framing of [`run`] (see `transport.rs`:
/// badly framed or malformed messages are answered with a JSON-RPC error and skipped, never
/// fatal): stdin/stdout for `strata lsp`, pipes in tests. `Ok` after `shutdown` then `exit`.
pub fn serve_streams<R, W>(input: R, output: W, config: Config) -> Result<(), String>
where
    R: std::io::BufRead + Send + 'static,
    W: std::io::Write + Send + 'static,
{
    let (connection, io) = transport::transport(input, output);
    let result = serve(connection, config);
    io.join();
    result
}
