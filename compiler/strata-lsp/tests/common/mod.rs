//! A minimal LSP client over lsp-server's in-memory connection, driving the real server loop
//! (`strata_lsp::serve`) on a thread; and [`Wire`], raw bytes to the server's own transport.

#![allow(dead_code)]

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req};
use lsp_types::*;
use std::io::{BufRead, BufReader, Read, Write};
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

/// The server behind real byte streams, for what no well-behaved client sends: raw bytes go in,
/// framed JSON comes out. [`Wire::pipes`] runs `strata_lsp::serve_streams` (the code of
/// `strata lsp` on stdin/stdout) over OS pipes; [`Wire::process`] runs `strata_lsp::run` in a
/// process of its own on its real stdin/stdout, for exit codes and crashes.
pub struct Wire {
    input: Option<Box<dyn Write + Send>>,
    frames: crossbeam_channel::Receiver<Result<serde_json::Value, String>>,
    server: WireServer,
    next_id: i64,
    /// Responses received while waiting for another one.
    pub others: Vec<serde_json::Value>,
    pub cache: tempfile::TempDir,
}

enum WireServer {
    Thread(Option<JoinHandle<Result<(), String>>>),
    Process(std::process::Child, Option<JoinHandle<String>>),
}

/// The environment variable that makes the test `stdio_server_process` (tests/lsp.rs) serve.
pub const CHILD_ENV: &str = "STRATA_LSP_TEST_STDIO_CHILD";

/// `body` framed as the protocol says.
pub fn frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

impl Wire {
    pub fn pipes() -> Wire {
        let (in_r, in_w) = std::io::pipe().expect("pipe");
        let (out_r, out_w) = std::io::pipe().expect("pipe");
        let cache = tempfile::tempdir().expect("cache dir");
        let config = strata_lsp::Config {
            cache: strata_lsp::Cache::new(cache.path().to_path_buf()),
            request_threads: 2,
        };
        let server = std::thread::spawn(move || {
            strata_lsp::serve_streams(BufReader::new(in_r), out_w, config)
        });
        Wire::new(
            Box::new(in_w),
            out_r,
            false,
            WireServer::Thread(Some(server)),
            cache,
        )
    }

    /// This test binary again, running only the test `stdio_server_process`, which calls
    /// `strata_lsp::run()` as `strata lsp` does. The test harness prints a line or two on stdout
    /// before the server starts; they are skipped.
    pub fn process() -> Wire {
        let cache = tempfile::tempdir().expect("cache dir");
        let exe = std::env::current_exe().expect("the test binary");
        let mut child = std::process::Command::new(exe)
            .args([
                "stdio_server_process",
                "--exact",
                "--nocapture",
                "--test-threads=1",
                "-q",
            ])
            .env(CHILD_ENV, "1")
            .env("STRATA_CACHE_DIR", cache.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn the server process");
        let input = child.stdin.take().expect("stdin");
        let output = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let errors = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        Wire::new(
            Box::new(input),
            output,
            true,
            WireServer::Process(child, Some(errors)),
            cache,
        )
    }

    fn new(
        input: Box<dyn Write + Send>,
        output: impl Read + Send + 'static,
        skip_junk: bool,
        server: WireServer,
        cache: tempfile::TempDir,
    ) -> Wire {
        let (tx, frames) = crossbeam_channel::unbounded();
        std::thread::spawn(move || read_frames(BufReader::new(output), skip_junk, tx));
        Wire {
            input: Some(input),
            frames,
            server,
            next_id: 1000,
            others: Vec::new(),
            cache,
        }
    }

    /// Write raw bytes.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        let input = self.input.as_mut().expect("input open");
        input
            .write_all(bytes.as_ref())
            .and_then(|()| input.flush())
            .expect("the server reads its input");
    }

    /// Write a well-framed message.
    pub fn send_json(&mut self, v: &serde_json::Value) {
        self.send(frame(&v.to_string()));
    }

    pub fn notify(&mut self, method: &str, params: serde_json::Value) {
        self.send_json(
            &serde_json::json!({ "jsonrpc": "2.0", "method": method, "params": params }),
        );
    }

    /// Send a request and wait for its response (the whole message); other responses meanwhile
    /// go to `others`.
    pub fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next_id += 1;
        let id = serde_json::Value::from(self.next_id);
        self.send_json(
            &serde_json::json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
        );
        self.response_to(&id)
    }

    /// The next response (notifications are skipped).
    pub fn next_response(&mut self) -> serde_json::Value {
        loop {
            let v = self.next_frame();
            if v.get("method").is_none() {
                return v;
            }
        }
    }

    pub fn response_to(&mut self, id: &serde_json::Value) -> serde_json::Value {
        if let Some(i) = self.others.iter().position(|r| &r["id"] == id) {
            return self.others.remove(i);
        }
        loop {
            let v = self.next_response();
            if &v["id"] == id {
                return v;
            }
            self.others.push(v);
        }
    }

    fn next_frame(&mut self) -> serde_json::Value {
        match self.frames.recv_timeout(TIMEOUT) {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => panic!("{e}"),
            Err(e) => panic!("no message from the server within {TIMEOUT:?}: {e}"),
        }
    }

    /// `initialize` (answered) then `initialized`.
    pub fn initialize(&mut self) {
        let r = self.request("initialize", serde_json::json!({ "capabilities": {} }));
        assert!(r["result"]["capabilities"].is_object(), "{r}");
        self.notify("initialized", serde_json::json!({}));
    }

    /// `shutdown` (answered) then `exit`.
    pub fn shutdown(&mut self) {
        let r = self.request("shutdown", serde_json::Value::Null);
        assert_eq!(r["result"], serde_json::Value::Null, "{r}");
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", serde_json::Value::Null);
    }

    /// Close the server's input (end of file).
    pub fn close_input(&mut self) {
        self.input = None;
    }

    /// Close the input and wait for the in-process server: its result.
    pub fn join(mut self) -> Result<(), String> {
        self.close_input();
        match &mut self.server {
            WireServer::Thread(t) => t
                .take()
                .expect("server thread")
                .join()
                .expect("the server did not panic"),
            WireServer::Process(..) => panic!("join is for Wire::pipes"),
        }
    }

    /// Close the input and wait for the server process: its exit code and what it wrote on
    /// stderr.
    pub fn wait(mut self) -> (Option<i32>, String) {
        self.close_input();
        match &mut self.server {
            WireServer::Process(child, errors) => {
                let deadline = Instant::now() + TIMEOUT;
                let status = loop {
                    if let Some(s) = child.try_wait().expect("wait for the server") {
                        break s;
                    }
                    if Instant::now() > deadline {
                        let _ = child.kill();
                        panic!("the server process did not exit within {TIMEOUT:?}");
                    }
                    std::thread::sleep(Duration::from_millis(10));
                };
                let stderr = errors
                    .take()
                    .expect("stderr reader")
                    .join()
                    .unwrap_or_default();
                (status.code(), stderr)
            }
            WireServer::Thread(_) => panic!("wait is for Wire::process"),
        }
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        if let WireServer::Process(child, _) = &mut self.server {
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// Parse the server's output strictly: `Content-Length: N\r\n\r\n` then N bytes of JSON.
fn read_frames(
    mut r: impl BufRead,
    mut skip_junk: bool,
    tx: crossbeam_channel::Sender<Result<serde_json::Value, String>>,
) {
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            match r.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if skip_junk {
                match line.find("Content-Length:") {
                    Some(i) => line.replace_range(..i, ""),
                    None => continue,
                }
                skip_junk = false;
            }
            if line == "\r\n" && length.is_some() {
                break;
            }
            match line
                .strip_prefix("Content-Length: ")
                .and_then(|l| l.strip_suffix("\r\n"))
                .and_then(|n| n.parse::<usize>().ok())
            {
                Some(n) if length.is_none() => length = Some(n),
                _ => {
                    let _ = tx.send(Err(format!("the server wrote a bad header line {line:?}")));
                    // Read on to the end: the process may still write (the test harness's
                    // report after `strata_lsp::run()` returned), and must not get EPIPE.
                    let _ = std::io::copy(&mut r, &mut std::io::sink());
                    return;
                }
            }
        }
        let mut body = vec![0; length.unwrap_or(0)];
        if let Err(e) = r.read_exact(&mut body) {
            let _ = tx.send(Err(format!(
                "the server's output ended inside a message: {e}"
            )));
            return;
        }
        let v = serde_json::from_slice(&body)
            .map_err(|e| format!("the server wrote a message that is not JSON: {e}"));
        if tx.send(v).is_err() {
            return;
        }
    }
}
