//! A minimal LSP client over lsp-server's in-memory connection, driving the real server loop
//! (`strata_lsp::serve`) on a thread.

#![allow(dead_code)]

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req};
use lsp_types::*;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Client {
    pub conn: Connection,
    server: Option<JoinHandle<Result<(), String>>>,
    next_id: i32,
    /// Notifications received while waiting for something else.
    pub inbox: Vec<Notification>,
    pub cache: tempfile::TempDir,
    versions: std::collections::HashMap<String, i32>,
}

pub fn uri(path: &Path) -> Uri {
    // The same spelling Neovim and VS Code use for plain paths.
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).expect("a file URI")
}

impl Client {
    pub fn start() -> Client {
        Client::start_with(serde_json::Value::Null)
    }

    pub fn start_with(init_options: serde_json::Value) -> Client {
        let (server_side, client_side) = Connection::memory();
        let cache = tempfile::tempdir().expect("cache dir");
        let config = strata_lsp::Config {
            cache: strata_lsp::Cache::new(cache.path().to_path_buf()),
            request_threads: 2,
        };
        let server = std::thread::spawn(move || strata_lsp::serve(server_side, config));
        let mut c = Client {
            conn: client_side,
            server: Some(server),
            next_id: 0,
            inbox: Vec::new(),
            cache,
            versions: Default::default(),
        };
        let mut params = InitializeParams::default();
        if !init_options.is_null() {
            params.initialization_options = Some(init_options);
        }
        let caps = c
            .request::<req::Initialize>(params)
            .expect("initialize succeeds");
        assert!(caps.capabilities.hover_provider.is_some());
        c.notify::<notif::Initialized>(InitializedParams {});
        c
    }

    pub fn send_raw(&self, m: Message) {
        self.conn.sender.send(m).expect("server alive");
    }

    pub fn notify<N: notif::Notification>(&self, params: N::Params) {
        self.send_raw(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    /// Send a request and wait for its response (notifications meanwhile go to the inbox).
    pub fn request<R: req::Request>(
        &mut self,
        params: R::Params,
    ) -> Result<R::Result, ResponseError> {
        let v = self.request_raw(
            R::METHOD,
            serde_json::to_value(params).expect("params encode"),
        )?;
        Ok(serde_json::from_value(v).expect("result decodes"))
    }

    pub fn request_raw(
        &mut self,
        method: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, ResponseError> {
        self.next_id += 1;
        let id: RequestId = self.next_id.into();
        self.send_raw(Message::Request(Request {
            id: id.clone(),
            method: method.to_string(),
            params,
        }));
        let r = self.wait_response(&id);
        r.response_result
    }

    fn wait_response(&mut self, id: &RequestId) -> Response {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.conn.receiver.recv_timeout(left) {
                Ok(Message::Response(r)) if &r.id == id => return r,
                Ok(Message::Response(_)) => {}
                Ok(Message::Notification(n)) => self.inbox.push(n),
                Ok(Message::Request(_)) => {}
                Err(e) => panic!("no response to request {id:?}: {e}"),
            }
        }
    }

    /// Wait for `publishDiagnostics` for `uri` that satisfies `pred` (earlier ones are skipped).
    pub fn diagnostics_where(
        &mut self,
        uri: &Uri,
        pred: impl Fn(&PublishDiagnosticsParams) -> bool,
    ) -> PublishDiagnosticsParams {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            while let Some(i) = self
                .inbox
                .iter()
                .position(|n| n.method == notif::PublishDiagnostics::METHOD)
            {
                let n = self.inbox.remove(i);
                let p: PublishDiagnosticsParams =
                    serde_json::from_value(n.params).expect("publishDiagnostics decodes");
                if &p.uri == uri && pred(&p) {
                    return p;
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.conn.receiver.recv_timeout(left) {
                Ok(Message::Notification(n)) => self.inbox.push(n),
                Ok(_) => {}
                Err(_) => panic!("no diagnostics for {} within {TIMEOUT:?}", uri.as_str()),
            }
        }
    }

    /// Wait for the diagnostics of `uri` at document version `version`.
    pub fn diagnostics(&mut self, uri: &Uri, version: i32) -> Vec<Diagnostic> {
        self.diagnostics_where(uri, |p| p.version == Some(version))
            .diagnostics
    }

    pub fn open(&mut self, path: &Path, text: &str) -> Uri {
        let u = uri(path);
        self.versions.insert(u.as_str().to_string(), 1);
        self.notify::<notif::DidOpenTextDocument>(DidOpenTextDocumentParams {
            text_document: TextDocumentItem {
                uri: u.clone(),
                language_id: "strata".into(),
                version: 1,
                text: text.into(),
            },
        });
        u
    }

    /// Replace the whole text; returns the new version.
    pub fn change_full(&mut self, u: &Uri, text: &str) -> i32 {
        let v = self.bump(u);
        self.notify::<notif::DidChangeTextDocument>(DidChangeTextDocumentParams {
            text_document: VersionedTextDocumentIdentifier {
                uri: u.clone(),
                version: v,
            },
            content_changes: vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: text.into(),
            }],
        });
        v
    }

    /// Replace a range; returns the new version.
    pub fn change(&mut self, u: &Uri, range: Range, text: &str) -> i32 {
        let v = self.bump(u);
        self.notify::<notif::DidChangeTextDocument>(DidChangeTextDocumentParams {
            text_document: VersionedTextDocumentIdentifier {
                uri: u.clone(),
                version: v,
            },
            content_changes: vec![TextDocumentContentChangeEvent {
                range: Some(range),
                range_length: None,
                text: text.into(),
            }],
        });
        v
    }

    fn bump(&mut self, u: &Uri) -> i32 {
        let v = self.versions.entry(u.as_str().to_string()).or_insert(1);
        *v += 1;
        *v
    }

    pub fn pos_params(u: &Uri, p: Position) -> TextDocumentPositionParams {
        TextDocumentPositionParams {
            text_document: TextDocumentIdentifier { uri: u.clone() },
            position: p,
        }
    }

    pub fn hover(&mut self, u: &Uri, p: Position) -> Option<String> {
        let h = self
            .request::<req::HoverRequest>(HoverParams {
                text_document_position_params: Self::pos_params(u, p),
                work_done_progress_params: Default::default(),
            })
            .expect("hover succeeds")?;
        match h.contents {
            HoverContents::Markup(m) => Some(m.value),
            other => panic!("unexpected hover contents {other:?}"),
        }
    }

    pub fn definition(&mut self, u: &Uri, p: Position) -> Option<Location> {
        let r = self
            .request::<req::GotoDefinition>(GotoDefinitionParams {
                text_document_position_params: Self::pos_params(u, p),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
            })
            .expect("definition succeeds")?;
        match r {
            GotoDefinitionResponse::Scalar(l) => Some(l),
            other => panic!("unexpected definition {other:?}"),
        }
    }

    pub fn completion(&mut self, u: &Uri, p: Position) -> Vec<CompletionItem> {
        let r = self
            .request::<req::Completion>(CompletionParams {
                text_document_position: Self::pos_params(u, p),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
                context: None,
            })
            .expect("completion succeeds");
        match r {
            None => Vec::new(),
            Some(CompletionResponse::Array(a)) => a,
            Some(CompletionResponse::List(l)) => l.items,
        }
    }

    pub fn shutdown(mut self) {
        self.request::<req::Shutdown>(())
            .expect("shutdown succeeds");
        self.notify::<notif::Exit>(());
        let result = self
            .server
            .take()
            .expect("server thread")
            .join()
            .expect("server did not panic");
        assert_eq!(result, Ok(()));
    }
}

/// The position (0-based line, UTF-16 column) of the `n`-th occurrence of `needle`, plus `delta`
/// characters.
pub fn pos_of(text: &str, needle: &str, n: usize, delta: u32) -> Position {
    let off = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("`{needle}` #{n} not in the text"))
        .0;
    let line = text[..off].matches('\n').count() as u32;
    let col = text[..off]
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .encode_utf16()
        .count() as u32;
    Position::new(line, col + delta)
}

pub fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("project dir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical dir");
    for (name, text) in files {
        let p = root.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write fixture");
    }
    (dir, root)
}
