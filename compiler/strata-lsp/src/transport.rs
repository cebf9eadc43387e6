//! The stdio transport: the framing of the LSP base protocol (header lines `Name: value\r\n`
//! with a `Content-Length`, an empty line, then that many bytes of JSON-RPC), read by a reader
//! of our own. lsp-server's `Message::read` trusts its input: it allocates whatever length is
//! announced (`Content-Length: 18446744073709551615` panics, a terabyte is attempted) and any
//! bad header or payload leaves it out of step with the stream.
//!
//! A client's mistake never stops the reader. What it gets (JSON-RPC 2.0, section 5.1: the id
//! is `null` when it cannot be read off the message; a response is never answered):
//!
//! | input | answer | then |
//! | --- | --- | --- |
//! | a header that does not parse: a line without a colon or over 8 KiB, more than 32 lines, a `Content-Length` that is not a decimal number or is given twice with two values, no `Content-Length` | -32700 parse error, id `null` | skip to the next `Content-Length:` line |
//! | a body that is not JSON or not UTF-8 (for instance cut short by a `Content-Length` too small, or ending with the start of the next header after one a few bytes too large) | -32700 parse error, id `null` | skip to the next `Content-Length:` line, from the body's second byte |
//! | a `Content-Length` over [`MAX_BODY`] | -32600 invalid request, id `null` | skip to the next `Content-Length:` line; the body is never buffered |
//! | a `Content-Length` longer than the message: the next message's header shows up inside the body | -32600 invalid request, with the message's id if it has one | the next message |
//! | JSON that is not a request, notification or response (a batch, no `method`, a `method` that is not a string…) | -32600 invalid request, with its id if it has one | the next message |
//! | a malformed response | nothing | the next message |
//! | unknown header fields (`Content-Type` included) | nothing: ignored | |
//! | the end of the input, even inside a message | | the server ends as if the client had exited |
//!
//! Skipping to the next `Content-Length:` line is exact: the line `Content-Length:` + blanks +
//! digits + line end can never occur inside JSON (a JSON string cannot hold a raw line end, and
//! outside strings those words are not JSON), so the scan only ever passes over the broken
//! message.

use crossbeam_channel::{bounded, Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message};
use serde_json::Value;
use std::io::{self, BufRead, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// The largest message body read (a `didOpen` of a 60 MB file still fits).
pub const MAX_BODY: u64 = 64 << 20;
/// The longest header line, line end included.
const MAX_HEADER_LINE: usize = 8 << 10;
/// The most header lines in one message (the protocol has two fields).
const MAX_HEADER_LINES: usize = 32;
/// The field that frames a message, lower case.
const CONTENT_LENGTH: &[u8] = b"content-length";

pub struct IoThreads {
    reader: Option<JoinHandle<()>>,
    writer: Option<JoinHandle<()>>,
}

impl IoThreads {
    /// Wait for the writer to flush everything; the reader is left alone if stdin stays open.
    pub fn join(mut self) {
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
        if let Some(r) = self.reader.take() {
            if r.is_finished() {
                let _ = r.join();
            }
        }
    }
}

/// The output, shared by the writer thread (the server's messages) and the reader thread (the
/// answers to messages that never reach the server), one whole message at a time.
type Output<W> = Arc<Mutex<W>>;

fn lock<W>(out: &Mutex<W>) -> MutexGuard<'_, W> {
    // Neither thread panics while holding the lock; if one did, the stream is still usable.
    out.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The transport over any byte streams (stdio in production, pipes in tests).
pub fn transport<R, W>(input: R, output: W) -> (Connection, IoThreads)
where
    R: BufRead + Send + 'static,
    W: Write + Send + 'static,
{
    let (reader_tx, reader_rx): (Sender<Message>, Receiver<Message>) = bounded(64);
    let (writer_tx, writer_rx): (Sender<Message>, Receiver<Message>) = bounded(64);
    let output: Output<W> = Arc::new(Mutex::new(output));
    let answers = output.clone();
    let reader = std::thread::Builder::new()
        .name("strata-lsp-reader".into())
        .spawn(move || {
            let mut frames = FrameReader::new(input);
            loop {
                match frames.read() {
                    Read::Message(msg) => {
                        let is_exit =
                            matches!(&msg, Message::Notification(n) if n.method == "exit");
                        if reader_tx.send(msg).is_err() || is_exit {
                            break;
                        }
                    }
                    Read::Bad(bad) => {
                        eprintln!(
                            "strata lsp: skipping a malformed message: {}",
                            truncate(&bad.message, 300)
                        );
                        if let Some(frame) = bad.answer() {
                            let mut out = lock(&answers);
                            let _ = out.write_all(&frame).and_then(|()| out.flush());
                        }
                    }
                    Read::End(reason) => {
                        if let Some(reason) = reason {
                            eprintln!("strata lsp: {reason}");
                        }
                        break;
                    }
                }
            }
        })
        .ok();
    let writer = std::thread::Builder::new()
        .name("strata-lsp-writer".into())
        .spawn(move || {
            for msg in writer_rx {
                if msg.write(&mut *lock(&output)).is_err() {
                    break;
                }
            }
        })
        .ok();
    (
        Connection {
            sender: writer_tx,
            receiver: reader_rx,
        },
        IoThreads { reader, writer },
    )
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// What the reader made of the next bytes of the input.
#[derive(Debug)]
enum Read {
    Message(Message),
    /// A message the server cannot use: answered (or not) here, then the reader reads on.
    Bad(Bad),
    /// The end of the input, with what went wrong if it was not a clean end.
    End(Option<String>),
}

#[derive(Debug)]
struct Bad {
    /// The JSON-RPC error code of the answer; `None`: no answer (a malformed response).
    code: Option<i32>,
    /// The id of the message when it could be read off it, else `null`.
    id: Value,
    message: String,
}

impl Bad {
    fn parse_error(message: String) -> Bad {
        Bad {
            code: Some(ErrorCode::ParseError as i32),
            id: Value::Null,
            message,
        }
    }

    fn invalid_request(id: Value, message: String) -> Bad {
        Bad {
            code: Some(ErrorCode::InvalidRequest as i32),
            id,
            message,
        }
    }

    /// The framed error response.
    fn answer(&self) -> Option<Vec<u8>> {
        let code = self.code?;
        let body = serde_json::json!({ "jsonrpc": "2.0", "id": self.id, "error": { "code": code, "message": self.message } }).to_string();
        Some(format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes())
    }
}

/// The input, with bytes read ahead that can be given back (the start of the next message
/// found inside a body).
struct Input<R> {
    inner: R,
    back: Vec<u8>,
    pos: usize,
}

impl<R: BufRead> Input<R> {
    /// The next bytes; empty at the end of the input.
    fn fill(&mut self) -> io::Result<&[u8]> {
        if self.pos < self.back.len() {
            return Ok(&self.back[self.pos..]);
        }
        loop {
            match self.inner.fill_buf() {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if self.pos < self.back.len() {
            self.pos += n;
            if self.pos >= self.back.len() {
                self.back.clear();
                self.pos = 0;
            }
        } else {
            self.inner.consume(n);
        }
    }

    /// Put `bytes` back in front of the input.
    fn unread(&mut self, bytes: &[u8]) {
        let mut back = Vec::with_capacity(bytes.len() + self.back.len() - self.pos);
        back.extend_from_slice(bytes);
        back.extend_from_slice(&self.back[self.pos..]);
        self.back = back;
        self.pos = 0;
    }
}

enum Line {
    /// A whole line, without its line end (`\n` or `\r\n`).
    Text(Vec<u8>),
    /// The line is longer than [`MAX_HEADER_LINE`]; what was read of it.
    TooLong(Vec<u8>),
    /// The end of the input; `true` if part of a line was read.
    End(bool),
}

struct FrameReader<R> {
    input: Input<R>,
    /// The bytes up to the next `Content-Length:` line belong to a broken message.
    skip: bool,
}

impl<R: BufRead> FrameReader<R> {
    fn new(inner: R) -> Self {
        FrameReader {
            input: Input {
                inner,
                back: Vec::new(),
                pos: 0,
            },
            skip: false,
        }
    }

    fn read(&mut self) -> Read {
        match self.read_frame() {
            Ok(r) => r,
            Err(e) => Read::End(Some(format!("cannot read from the client: {e}"))),
        }
    }

    fn read_frame(&mut self) -> io::Result<Read> {
        if self.skip {
            if !self.skip_to_header()? {
                return Ok(Read::End(None));
            }
            self.skip = false;
        }
        let mut length: Option<u64> = None;
        let mut lines = 0;
        loop {
            let line = match self.read_line()? {
                Line::Text(line) => line,
                Line::TooLong(read) => {
                    // The start of the next message may be in what was read.
                    self.input.unread(&read);
                    return Ok(self.bad_header(format!(
                        "a header line is longer than {} KiB",
                        MAX_HEADER_LINE >> 10
                    )));
                }
                Line::End(partial) => {
                    let inside = partial || lines > 0;
                    return Ok(Read::End(
                        inside.then(|| "the input ended inside a message header".to_string()),
                    ));
                }
            };
            if line.is_empty() {
                if lines == 0 {
                    continue; // blank lines between messages
                }
                break;
            }
            lines += 1;
            if lines > MAX_HEADER_LINES {
                return Ok(
                    self.bad_header(format!("a header of more than {MAX_HEADER_LINES} lines"))
                );
            }
            let Some((name, value)) = split_field(&line) else {
                // Perhaps the tail of a body cut short, followed by the next header.
                let shown = show(&line);
                line_with_end(&mut self.input, line);
                return Ok(self.bad_header(format!("a malformed header line `{shown}`")));
            };
            if name.eq_ignore_ascii_case(CONTENT_LENGTH) {
                let Some(n) = parse_length(value) else {
                    return Ok(self.bad_header(format!(
                        "`Content-Length: {}` is not a number of bytes",
                        show(value)
                    )));
                };
                if length.is_some_and(|l| l != n) {
                    return Ok(self.bad_header("two different `Content-Length` fields".into()));
                }
                length = Some(n);
            }
            // `Content-Type` (the protocol's only other field) and unknown fields are ignored.
        }
        let Some(length) = length else {
            return Ok(self.bad_header("a header without `Content-Length`".into()));
        };
        if length > MAX_BODY {
            self.skip = true;
            return Ok(Read::Bad(Bad::invalid_request(
                Value::Null,
                format!(
                    "a message of {length} bytes is over the limit of {} MiB; it is skipped",
                    MAX_BODY >> 20
                ),
            )));
        }
        self.read_body(length as usize)
    }

    /// A header error: answered, and what follows up to the next message is skipped.
    fn bad_header(&mut self, message: String) -> Read {
        self.skip = true;
        Read::Bad(Bad::parse_error(message))
    }

    /// One header line, at most [`MAX_HEADER_LINE`] bytes.
    fn read_line(&mut self) -> io::Result<Line> {
        let mut line = Vec::new();
        loop {
            let buf = self.input.fill()?;
            if buf.is_empty() {
                return Ok(Line::End(!line.is_empty()));
            }
            let (take, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            if line.len() + take > MAX_HEADER_LINE {
                return Ok(Line::TooLong(line));
            }
            line.extend_from_slice(&buf[..take]);
            self.input.consume(take);
            if done {
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Line::Text(line));
            }
        }
    }

    /// Read the body; [`MAX_BODY`] was checked, and memory grows only as bytes arrive.
    fn read_body(&mut self, length: usize) -> io::Result<Read> {
        let mut body = Vec::with_capacity(length.min(1 << 20));
        while body.len() < length {
            let buf = self.input.fill()?;
            if buf.is_empty() {
                return Ok(Read::End(Some(format!(
                    "the input ended inside a message ({} of {length} bytes)",
                    body.len()
                ))));
            }
            let take = buf.len().min(length - body.len());
            let from = body.len();
            body.extend_from_slice(&buf[..take]);
            self.input.consume(take);
            // A `Content-Length` longer than the message: the next message starts inside the
            // body. Cut there rather than swallow it (or wait forever for bytes that a client
            // waiting for an answer will never send).
            if let Some(at) = header_inside(&body, from) {
                self.input.unread(&body[at..]);
                body.truncate(at);
                return Ok(Read::Bad(Bad::invalid_request(
                    request_id(&body),
                    format!(
                        "`Content-Length: {length}` but the next message starts after {at} bytes"
                    ),
                )));
            }
        }
        Ok(self.parse(&body))
    }

    fn parse(&mut self, body: &[u8]) -> Read {
        // Checking UTF-8 at once then parsing a `str` is faster than `from_slice` (which checks
        // every string as it goes): 2.6 ms instead of 4.6 ms for a 400 KB `didChange`.
        let parsed = match std::str::from_utf8(body) {
            Ok(text) => serde_json::from_str::<Message>(text),
            Err(_) => serde_json::from_slice::<Message>(body),
        };
        let error = match parsed {
            Ok(msg) => return Read::Message(msg),
            Err(e) => e,
        };
        // Not a message: why, and is there an id to answer to?
        match serde_json::from_slice::<Value>(body) {
            Err(e) => {
                // Perhaps a body cut short by a `Content-Length` too small: the rest of it must
                // not be read as a header. Or one a few bytes too long, which swallowed the start
                // of the next header: the scan goes over the body again (all but its first
                // byte, so that it moves on) to find it.
                self.skip = true;
                self.input.unread(body.get(1..).unwrap_or_default());
                Read::Bad(Bad::parse_error(format!(
                    "the message is not JSON: {e}: {}",
                    show(body)
                )))
            }
            Ok(Value::Array(_)) => Read::Bad(Bad::invalid_request(
                Value::Null,
                "a batch of messages: the LSP has none".into(),
            )),
            Ok(Value::Object(o))
                if !o.contains_key("method")
                    && (o.contains_key("result") || o.contains_key("error")) =>
            {
                // JSON-RPC 2.0, section 5: a response is never answered.
                Read::Bad(Bad {
                    code: None,
                    id: Value::Null,
                    message: format!("a malformed response: {error}: {}", show(body)),
                })
            }
            Ok(Value::Object(o)) => {
                let id = o
                    .get("id")
                    .filter(|id| id.is_number() || id.is_string())
                    .cloned()
                    .unwrap_or(Value::Null);
                Read::Bad(Bad::invalid_request(
                    id,
                    format!("not a JSON-RPC request or notification: {error}"),
                ))
            }
            Ok(_) => Read::Bad(Bad::invalid_request(
                Value::Null,
                format!("not a JSON-RPC message: {}", show(body)),
            )),
        }
    }

    /// Skip to the next `Content-Length: N` line and leave it unread; `false` at the end of the
    /// input.
    fn skip_to_header(&mut self) -> io::Result<bool> {
        let mut line = Vec::new();
        loop {
            let buf = self.input.fill()?;
            if buf.is_empty() {
                return Ok(false);
            }
            let mut used = 0;
            let mut found = false;
            for &b in buf {
                used += 1;
                if scan(&mut line, b) {
                    found = true;
                    break;
                }
            }
            self.input.consume(used);
            if found {
                self.input.unread(&line);
                return Ok(true);
            }
        }
    }
}

/// Give back a whole header line (the line end was dropped; `\n` is a line end too).
fn line_with_end<R: BufRead>(input: &mut Input<R>, mut line: Vec<u8>) {
    line.push(b'\n');
    input.unread(&line);
}

/// One byte of the scan for a line `content-length:[ \t]*[0-9]+\r?\n` (any case); `line` holds
/// the candidate so far. `true` when it is complete.
fn scan(line: &mut Vec<u8>, b: u8) -> bool {
    let name = CONTENT_LENGTH.len() + 1; // and the colon
    let fits = if line.len() < name {
        let want = if line.len() < CONTENT_LENGTH.len() {
            CONTENT_LENGTH[line.len()]
        } else {
            b':'
        };
        b.to_ascii_lowercase() == want
    } else {
        let rest = &line[name..];
        let last = rest.last().copied();
        let digits = last.is_some_and(|c| c.is_ascii_digit());
        match b {
            b' ' | b'\t' => !rest.iter().any(u8::is_ascii_digit),
            b'0'..=b'9' => last != Some(b'\r'),
            b'\r' => digits,
            b'\n' => digits || last == Some(b'\r'),
            _ => false,
        }
    };
    if fits && line.len() < 128 {
        line.push(b);
        return b == b'\n';
    }
    line.clear();
    if b.eq_ignore_ascii_case(&b'c') {
        line.push(b);
    }
    false
}

/// Where a `Content-Length: N` line starts in `body`, looking at the line ends from `from` on.
fn header_inside(body: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < body.len() {
        // `skip_until` finds the byte with the standard library's word-at-a-time `memchr`,
        // several times faster than a byte loop (this runs over every body).
        let mut rest = &body[i..];
        let n = rest.skip_until(b'\n').unwrap_or(0);
        if n == 0 || body[i + n - 1] != b'\n' {
            return None;
        }
        let nl = i + n - 1;
        if let Some(start) = content_length_line_ending_at(body, nl) {
            return Some(start);
        }
        i = nl + 1;
    }
    None
}

/// The start of the `content-length:[ \t]*[0-9]+\r?` line that ends at `body[nl]` (a `\n`).
fn content_length_line_ending_at(body: &[u8], nl: usize) -> Option<usize> {
    let mut j = nl;
    if j > 0 && body[j - 1] == b'\r' {
        j -= 1;
    }
    let digits_end = j;
    while j > 0 && body[j - 1].is_ascii_digit() {
        j -= 1;
    }
    if j == digits_end {
        return None;
    }
    while j > 0 && matches!(body[j - 1], b' ' | b'\t') {
        j -= 1;
    }
    if j == 0 || body[j - 1] != b':' {
        return None;
    }
    let start = (j - 1).checked_sub(CONTENT_LENGTH.len())?;
    body[start..j - 1]
        .eq_ignore_ascii_case(CONTENT_LENGTH)
        .then_some(start)
}

/// `name: value` with the blanks around both trimmed; the name must be an RFC 7230 token.
fn split_field(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = trim(&line[..colon]);
    let token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    if name.is_empty() || !name.iter().all(token) {
        return None;
    }
    Some((name, trim(&line[colon + 1..])))
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// A decimal number of bytes; a number too large for `u64` is `u64::MAX` (over the limit).
fn parse_length(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(value.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

/// The id of a request whose framing was wrong, if its body is JSON with one.
fn request_id(body: &[u8]) -> Value {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => o
            .get("id")
            .filter(|id| id.is_number() || id.is_string())
            .cloned()
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// Bytes for a log line: lossy UTF-8, at most 200 characters.
fn show(bytes: &[u8]) -> String {
    truncate(
        &String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]),
        200,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// What the reader makes of `input`, one line per event: `msg METHOD-or-id`, `bad CODE ID`,
    /// `end` or `end: REASON`.
    fn events(input: &[u8]) -> Vec<String> {
        let mut r = FrameReader::new(io::BufReader::with_capacity(
            16,
            io::Cursor::new(input.to_vec()),
        ));
        let mut out = Vec::new();
        loop {
            match r.read() {
                Read::Message(Message::Request(q)) => {
                    out.push(format!("msg {} {}", q.method, q.id))
                }
                Read::Message(Message::Notification(n)) => out.push(format!("msg {}", n.method)),
                Read::Message(Message::Response(p)) => out.push(format!("response {}", p.id)),
                Read::Bad(b) => out.push(format!(
                    "bad {} {}",
                    b.code.map_or("-".into(), |c| c.to_string()),
                    b.id
                )),
                Read::End(None) => {
                    out.push("end".into());
                    return out;
                }
                Read::End(Some(_)) => {
                    out.push("end: error".into());
                    return out;
                }
            }
        }
    }

    const HOVER: &str = r#"{"jsonrpc":"2.0","id":9,"method":"textDocument/hover","params":{}}"#;

    #[test]
    fn well_formed_messages_any_buffer_size() {
        let mut input = frame(HOVER);
        input.push_str("content-length:66\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\nX-Unknown: 1\r\n\r\n");
        input.push_str(HOVER);
        input.push_str(&frame(
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ));
        assert_eq!(HOVER.len(), 66);
        assert_eq!(
            events(input.as_bytes()),
            [
                "msg textDocument/hover 9",
                "msg textDocument/hover 9",
                "msg initialized",
                "end"
            ]
        );
    }

    #[test]
    fn bad_lengths_resynchronise() {
        let short = format!("Content-Length: 10\r\n\r\n{HOVER}");
        let long = format!("Content-Length: 200\r\n\r\n{HOVER}");
        let nan = format!("Content-Length: ab\r\n\r\n{HOVER}");
        let negative = format!("Content-Length: -66\r\n\r\n{HOVER}");
        for bad in [short, nan, negative] {
            let input = format!("{bad}{}", frame(HOVER));
            assert_eq!(
                events(input.as_bytes()),
                ["bad -32700 null", "msg textDocument/hover 9", "end"],
                "{bad}"
            );
        }
        // Too long: the next header is found inside the body, and the id is known.
        let input = format!("{long}{}", frame(HOVER));
        assert_eq!(
            events(input.as_bytes()),
            ["bad -32600 9", "msg textDocument/hover 9", "end"]
        );
        // A few bytes too long: the start of the next header is in the body.
        for extra in 1..=20 {
            let input = format!(
                "Content-Length: {}\r\n\r\n{HOVER}{}",
                HOVER.len() + extra,
                frame(HOVER)
            );
            // Until the body holds the whole `Content-Length: 66\r\n` line, it is not JSON.
            let expected = if extra < 20 {
                "bad -32700 null"
            } else {
                "bad -32600 9"
            };
            assert_eq!(
                events(input.as_bytes()),
                [expected, "msg textDocument/hover 9", "end"],
                "+{extra}"
            );
        }
        // Too long and nothing follows: the client closed the stream inside the body.
        assert_eq!(events(long.as_bytes()), ["end: error"]);
    }

    #[test]
    fn huge_lengths_are_refused_and_skipped() {
        for n in [
            "18446744073709551615",
            "1000000000000",
            "99999999999999999999999999",
            &(MAX_BODY + 1).to_string(),
        ] {
            let input = format!("Content-Length: {n}\r\n\r\n{HOVER}{}", frame(HOVER));
            assert_eq!(
                events(input.as_bytes()),
                ["bad -32600 null", "msg textDocument/hover 9", "end"],
                "{n}"
            );
        }
        // The body of a refused message is skipped as it arrives, whatever its size.
        let big = "x".repeat(100_000);
        let input = format!("Content-Length: 1000000000000\r\n\r\n{big}{}", frame(HOVER));
        assert_eq!(
            events(input.as_bytes()),
            ["bad -32600 null", "msg textDocument/hover 9", "end"]
        );
    }

    #[test]
    fn bodies_that_are_not_messages() {
        let cases = [
            ("this is not json", "bad -32700 null"),
            (
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":\u{0}}",
                "bad -32700 null",
            ),
            (r#"{"jsonrpc":"2.0","no":"method"}"#, "bad -32600 null"),
            (r#"{"jsonrpc":"2.0","id":7,"method":5}"#, "bad -32600 7"),
            (
                r#"{"jsonrpc":"2.0","id":"a","method":null}"#,
                "bad -32600 \"a\"",
            ),
            (
                r#"[{"jsonrpc":"2.0","method":"initialized"}]"#,
                "bad -32600 null",
            ),
            ("[]", "bad -32600 null"),
            ("42", "bad -32600 null"),
            ("", "bad -32700 null"),
            (r#"{"jsonrpc":"2.0","id":[1],"result":null}"#, "bad - null"),
        ];
        for (body, expected) in cases {
            let input = format!("{}{}", frame(body), frame(HOVER));
            assert_eq!(
                events(input.as_bytes()),
                [expected, "msg textDocument/hover 9", "end"],
                "{body}"
            );
        }
        // Not UTF-8.
        let mut input = b"Content-Length: 4\r\n\r\n\"\xff\xfe\"".to_vec();
        input.extend_from_slice(frame(HOVER).as_bytes());
        assert_eq!(
            events(&input),
            ["bad -32700 null", "msg textDocument/hover 9", "end"]
        );
    }

    #[test]
    fn bad_headers_resynchronise() {
        // The message is lost; the next one is read.
        let lost = [
            "Garbage header without a colon\r\n\r\n".to_string(),
            format!("Content-Type: application/vscode-jsonrpc\r\n\r\n{HOVER}"),
            "y".repeat(100_000),
            format!("Content-Length: 66\r\nContent-Length: 69\r\n\r\n{HOVER}"),
        ];
        for bad in &lost {
            let input = format!("{bad}{}", frame(HOVER));
            assert_eq!(
                events(input.as_bytes()),
                ["bad -32700 null", "msg textDocument/hover 9", "end"],
                "{}",
                show(bad.as_bytes())
            );
        }
        // A bad line is answered and skipped; the `Content-Length` after it still frames its
        // message.
        let recovered = [
            format!(
                "X-Long: {}\r\nContent-Length: 66\r\n\r\n{HOVER}",
                "x".repeat(100_000)
            ),
            format!(
                "{}Content-Length: 66\r\n\r\n{HOVER}",
                "X-A: 1\r\n".repeat(40)
            ),
            format!("bad name: 1\r\nContent-Length: 66\r\n\r\n{HOVER}"),
        ];
        for bad in &recovered {
            let input = format!("{bad}{}", frame(HOVER));
            assert_eq!(
                events(input.as_bytes()),
                [
                    "bad -32700 null",
                    "msg textDocument/hover 9",
                    "msg textDocument/hover 9",
                    "end"
                ],
                "{}",
                show(bad.as_bytes())
            );
        }
        // Blank lines between messages and `\n` line ends are accepted.
        let input = format!("\r\n\r\nContent-Length: 66\n\n{HOVER}");
        assert_eq!(
            events(input.as_bytes()),
            ["msg textDocument/hover 9", "end"]
        );
        // The end of the input inside a header or a body.
        assert_eq!(events(b"Content-Length: 66\r\n"), ["end: error"]);
        assert_eq!(events(b"Content-Len"), ["end: error"]);
        assert_eq!(
            events(b"Content-Length: 66\r\n\r\n{\"jsonrpc\""),
            ["end: error"]
        );
    }

    #[test]
    fn the_resync_scan_matches_only_whole_content_length_lines() {
        let find = |s: &str| {
            let mut line = Vec::new();
            s.bytes().position(|b| scan(&mut line, b)).map(|end| {
                (
                    end + 1 - line.len(),
                    String::from_utf8_lossy(&line).into_owned(),
                )
            })
        };
        assert_eq!(
            find("xx}Content-Length: 52\r\n"),
            Some((3, "Content-Length: 52\r\n".into()))
        );
        assert_eq!(
            find("cccontent-length:\t7\n"),
            Some((2, "content-length:\t7\n".into()))
        );
        assert_eq!(find("Content-Length: \r\n"), None);
        assert_eq!(find("Content-Length: 5x\r\n"), None);
        assert_eq!(find("\"Content-Length: 5\\n\""), None);
        assert_eq!(find("Content-Length: 5 5\r\n"), None);
        // The same lines are found inside a body.
        let body = b"{\"a\":1}Content-Length: 52\r\n";
        assert_eq!(header_inside(body, 0), Some(7));
        assert_eq!(header_inside(b"{\"a\":\n1}\r\n\r\n", 0), None);
        assert_eq!(header_inside(b"length: 5\n", 0), None);
    }

    #[test]
    fn malformed_messages_are_answered_and_skipped() {
        let mut input = String::new();
        input.push_str(&frame(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        ));
        input.push_str(&frame("this is not json"));
        input.push_str(&frame(r#"{"jsonrpc":"2.0","no":"method"}"#));
        input.push_str("Garbage header without a colon\r\n\r\n");
        input.push_str(&frame(
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ));
        input.push_str(&frame(r#"{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///nope.strata"},"position":{"line":0,"character":0}}}"#));
        input.push_str(&frame(r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#));
        input.push_str(&frame(r#"{"jsonrpc":"2.0","method":"exit"}"#));
        let out = Sink::default();
        let (conn, io) = transport(io::Cursor::new(input.into_bytes()), out.clone());
        let dir = tempfile::tempdir().unwrap();
        let result = crate::serve(
            conn,
            crate::Config {
                cache: crate::Cache::new(dir.path().to_path_buf()),
                request_threads: 1,
            },
        );
        io.join();
        assert_eq!(result, Ok(()));
        let written = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(
            written.contains(r#""id":1,"result":{"capabilities""#),
            "{written}"
        );
        assert!(written.contains(r#""id":2,"error""#), "{written}");
        assert!(written.contains(r#""id":3,"result":null"#), "{written}");
        assert_eq!(written.matches(r#"{"code":-32700"#).count(), 2, "{written}");
        assert_eq!(written.matches(r#"{"code":-32600"#).count(), 1, "{written}");
    }
}
