//! The main loop: owns the documents, forwards edits to the checker and requests to the
//! request threads, and never does anything slow itself.

use crate::cache::Cache;
use crate::checker::Checker;
use crate::docs::Docs;
use crate::handlers::{self, Ctx};
use crate::state::Shared;
use crossbeam_channel::Sender;
use lsp_server::{
    Connection, ErrorCode, Message, Notification, Request, RequestId, Response, ResponseError,
};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    HoverProviderCapability, InitializeParams, OneOf, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How the server is set up (tests choose the cache directory).
#[derive(Clone, Debug)]
pub struct Config {
    pub cache: Cache,
    /// Threads answering requests.
    pub request_threads: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cache: Cache::from_env(),
            request_threads: 2,
        }
    }
}

/// Settings a client may pass as `initializationOptions`.
#[derive(Debug, Default, serde::Deserialize)]
struct InitOptions {
    /// `--env NAME` for every check.
    env: Option<String>,
}

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                will_save: None,
                will_save_wait_until: None,
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), ":".into(), "=".into(), "\"".into()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// Serve one client on `connection` until it sends `exit`. `Ok` after a clean
/// `shutdown`/`exit`; `Err` when the client vanished or exited without `shutdown`.
pub fn serve(connection: Connection, config: Config) -> Result<(), String> {
    let (id, params) = wait_for_initialize(&connection)?;
    let init: InitializeParams = serde_json::from_value(params.clone()).unwrap_or_default();
    let options: InitOptions = init
        .initialization_options
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "strata".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
    });
    // Not lsp-server's `initialize_finish`: it fails unless the very next message is
    // `initialized`, and the client may send anything once it has this answer.
    connection
        .sender
        .send(Response::new_ok(id, result).into())
        .map_err(|_| "the client disconnected during initialisation".to_string())?;

    let shared = Arc::new(Shared::new(
        config.cache.clone(),
        strata_driver::CheckOptions {
            env: options.env,
            record_xrefs: true,
            // Lowering to the targets on every keystroke would double the latency.
            target_limits: false,
        },
    ));
    let checker = Checker::spawn(shared.clone(), connection.sender.clone());
    let pool = Pool::new(config.request_threads.max(1), connection.sender.clone());
    let mut main = Main {
        docs: Docs::default(),
        shared,
        checker,
        pool,
        out: connection.sender.clone(),
        shutdown: false,
    };
    let mut clean_exit = false;
    for msg in &connection.receiver {
        match msg {
            Message::Request(r) => main.request(r),
            Message::Notification(n) if n.method == notif::Exit::METHOD => {
                clean_exit = main.shutdown;
                break;
            }
            Message::Notification(n) => {
                // A bad notification must not take the server down.
                let method = n.method.clone();
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| main.notification(n)))
                    .is_err()
                {
                    eprintln!("strata lsp: internal error handling {method}");
                }
            }
            Message::Response(_) => {}
        }
    }
    main.pool.stop();
    main.checker.stop();
    if clean_exit {
        Ok(())
    } else {
        Err("the client exited without a shutdown request".into())
    }
}

/// Wait for the `initialize` request (LSP 3.17, "Initialize Request"): requests before it are
/// answered with `ServerNotInitialized` (-32002), notifications are dropped, and `exit` ends the
/// server. (lsp-server's `initialize_start` does the same but panics if the client has stopped
/// reading.)
fn wait_for_initialize(connection: &Connection) -> Result<(RequestId, serde_json::Value), String> {
    for msg in &connection.receiver {
        match msg {
            Message::Request(r) if r.method == req::Initialize::METHOD => {
                return Ok((r.id, r.params))
            }
            Message::Request(r) => {
                let answer = Response::new_err(
                    r.id,
                    ErrorCode::ServerNotInitialized as i32,
                    format!("`{}` before `initialize`", r.method),
                );
                let _ = connection.sender.send(answer.into());
            }
            Message::Notification(n) if n.method == notif::Exit::METHOD => {
                return Err("the client exited before initialising the server".into())
            }
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
    Err("the client disconnected before initialising the server".into())
}

struct Main {
    docs: Docs,
    shared: Arc<Shared>,
    checker: Checker,
    pool: Pool,
    out: Sender<Message>,
    shutdown: bool,
}

impl Main {
    fn respond(&self, r: Response) {
        let _ = self.out.send(Message::Response(r));
    }

    fn request(&mut self, r: Request) {
        if self.shutdown {
            return self.respond(Response::new_err(
                r.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            ));
        }
        let ctx = Ctx {
            docs: self.docs.snapshot(),
            shared: self.shared.clone(),
        };
        match r.method.as_str() {
            // The specification only says that `initialize` "may only be sent once"; a second
            // one is a request that is not valid in this state, like a request after
            // `shutdown`: InvalidRequest (-32600), not MethodNotFound. gopls answers the same
            // (gopls/internal/server/general.go: "initialize called while server in … state").
            req::Initialize::METHOD => {
                self.respond(Response::new_err(
                    r.id,
                    ErrorCode::InvalidRequest as i32,
                    "the server is already initialised".into(),
                ));
            }
            req::Shutdown::METHOD => {
                self.shutdown = true;
                self.respond(Response::new_ok(r.id, ()));
            }
            req::HoverRequest::METHOD => self.pool.run(r, ctx, handlers::hover::hover),
            req::GotoDefinition::METHOD => self.pool.run(r, ctx, handlers::definition::definition),
            req::Completion::METHOD => self.pool.run(r, ctx, handlers::completion::completion),
            req::DocumentSymbolRequest::METHOD => self.pool.run(r, ctx, handlers::symbols::symbols),
            req::Formatting::METHOD => self.pool.run(r, ctx, handlers::formatting::formatting),
            req::CodeActionRequest::METHOD => {
                self.pool.run(r, ctx, handlers::actions::code_actions)
            }
            _ => self.respond(Response::new_err(
                r.id,
                ErrorCode::MethodNotFound as i32,
                format!("unknown request `{}`", r.method),
            )),
        }
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            notif::DidOpenTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidOpenTextDocumentParams>(n) {
                    let d = p.text_document;
                    let doc = self.docs.open(d.uri, d.version, d.text);
                    self.check_around(&doc.path.clone());
                }
            }
            notif::DidChangeTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidChangeTextDocumentParams>(n) {
                    if let Some(doc) = self.docs.change(
                        &p.text_document.uri,
                        p.text_document.version,
                        p.content_changes,
                    ) {
                        self.check_around(&doc.path.clone());
                    }
                }
            }
            notif::DidCloseTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidCloseTextDocumentParams>(n) {
                    if let Some(doc) = self.docs.close(&p.text_document.uri) {
                        // The disk's version of the file counts again.
                        self.check_around(&doc.path);
                    }
                }
            }
            notif::DidSaveTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidSaveTextDocumentParams>(n) {
                    let path = self.docs.path_for(&p.text_document.uri);
                    self.check_around(&path);
                }
            }
            notif::DidChangeWatchedFiles::METHOD => {
                if let Some(p) = params::<lsp_types::DidChangeWatchedFilesParams>(n) {
                    let mut roots: Vec<PathBuf> = p
                        .changes
                        .iter()
                        .filter_map(|c| crate::uri::to_path(&c.uri))
                        .filter_map(|p| p.parent().map(Path::to_path_buf))
                        .collect();
                    roots.sort();
                    roots.dedup();
                    for r in roots {
                        self.checker.check(r, self.docs.snapshot());
                    }
                }
            }
            notif::Cancel::METHOD => {
                if let Some(p) = params::<lsp_types::CancelParams>(n) {
                    let id: RequestId = match p.id {
                        lsp_types::NumberOrString::Number(i) => i.into(),
                        lsp_types::NumberOrString::String(s) => s.into(),
                    };
                    self.pool.cancel(id);
                }
            }
            _ => {}
        }
    }

    /// Check the project a file belongs to: its directory. Files of the materialised stdlib
    /// are read-only views and are not checked.
    fn check_around(&mut self, path: &Path) {
        if self.shared.cache.is_stdlib_path(path) {
            return;
        }
        if let Some(root) = path.parent() {
            self.checker.check(root.to_path_buf(), self.docs.snapshot());
        }
    }
}

fn params<P: DeserializeOwned>(n: Notification) -> Option<P> {
    match serde_json::from_value(n.params) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!(
                "strata lsp: ignoring malformed `{}` notification: {e}",
                n.method
            );
            None
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The request threads. A request is answered with its handler's result, an `InvalidParams`
/// error when its parameters do not parse, `RequestCancelled` when it was cancelled before it
/// ran, or `InternalError` if the handler panicked (it never should).
struct Pool {
    tx: Option<Sender<Job>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    out: Sender<Message>,
    cancelled: Arc<Mutex<HashSet<RequestId>>>,
}

impl Pool {
    fn new(n: usize, out: Sender<Message>) -> Pool {
        let (tx, rx) = crossbeam_channel::unbounded::<Job>();
        let threads = (0..n)
            .filter_map(|i| {
                let rx = rx.clone();
                std::thread::Builder::new()
                    .name(format!("strata-request-{i}"))
                    .spawn(move || {
                        for job in rx {
                            job();
                        }
                    })
                    .ok()
            })
            .collect();
        Pool {
            tx: Some(tx),
            threads,
            out,
            cancelled: Arc::default(),
        }
    }

    fn cancel(&self, id: RequestId) {
        if let Ok(mut c) = self.cancelled.lock() {
            c.insert(id);
        }
    }

    fn run<P, R>(&self, r: Request, ctx: Ctx, handler: fn(&Ctx, P) -> handlers::Result<R>)
    where
        P: DeserializeOwned + Send + 'static,
        R: Serialize + 'static,
    {
        let out = self.out.clone();
        let cancelled = self.cancelled.clone();
        let Request { id, method, params } = r;
        let job = move || {
            let was_cancelled = cancelled.lock().map(|mut c| c.remove(&id)).unwrap_or(false);
            let response = if was_cancelled {
                Response::new_err(id, ErrorCode::RequestCanceled as i32, "cancelled".into())
            } else {
                match serde_json::from_value::<P>(params) {
                    Err(e) => Response::new_err(
                        id,
                        ErrorCode::InvalidParams as i32,
                        format!("invalid parameters for `{method}`: {e}"),
                    ),
                    Ok(p) => match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        handler(&ctx, p)
                    })) {
                        Ok(Ok(result)) => match serde_json::to_value(result) {
                            Ok(v) => Response {
                                id,
                                response_result: Ok(v),
                            },
                            Err(e) => Response::new_err(
                                id,
                                ErrorCode::InternalError as i32,
                                format!("cannot encode the result: {e}"),
                            ),
                        },
                        Ok(Err(ResponseError { code, message, .. })) => {
                            Response::new_err(id, code, message)
                        }
                        Err(_) => {
                            eprintln!("strata lsp: internal error answering `{method}`");
                            Response::new_err(
                                id,
                                ErrorCode::InternalError as i32,
                                format!("internal error answering `{method}`"),
                            )
                        }
                    },
                }
            };
            let _ = out.send(Message::Response(response));
        };
        match &self.tx {
            Some(tx) if !self.threads.is_empty() => {
                let _ = tx.send(Box::new(job));
            }
            _ => job(),
        }
    }

    fn stop(&mut self) {
        self.tx = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
