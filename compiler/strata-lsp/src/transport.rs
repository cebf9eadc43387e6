//! stdio transport. lsp-server's own stops reading at the first malformed message; this one
//! reports it on stderr and reads on (a bad payload is skipped whole; after a bad header the
//! reader resynchronises on the next `Content-Length`), so a client bug cannot kill the server.

use crossbeam_channel::{bounded, Receiver, Sender};
use lsp_server::{Connection, Message};
use std::io::{self, BufRead, BufReader, Write};
use std::thread::JoinHandle;

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

/// At most this many consecutive unreadable messages before the reader gives up (a stream
/// that is not LSP at all).
const MAX_CONSECUTIVE_ERRORS: usize = 1000;

pub fn stdio() -> (Connection, IoThreads) {
    transport(BufReader::new(io::stdin()), io::stdout())
}

/// The transport over any byte streams (stdio in production, memory in tests).
pub fn transport<R, W>(mut input: R, mut output: W) -> (Connection, IoThreads)
where
    R: BufRead + Send + 'static,
    W: Write + Send + 'static,
{
    let (reader_tx, reader_rx): (Sender<Message>, Receiver<Message>) = bounded(64);
    let (writer_tx, writer_rx): (Sender<Message>, Receiver<Message>) = bounded(64);
    let reader = std::thread::Builder::new()
        .name("strata-lsp-reader".into())
        .spawn(move || {
            let mut errors = 0;
            loop {
                match Message::read(&mut input) {
                    Ok(Some(msg)) => {
                        errors = 0;
                        let is_exit =
                            matches!(&msg, Message::Notification(n) if n.method == "exit");
                        if reader_tx.send(msg).is_err() || is_exit {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e)
                        if e.kind() == io::ErrorKind::InvalidData
                            && errors < MAX_CONSECUTIVE_ERRORS =>
                    {
                        errors += 1;
                        eprintln!(
                            "strata lsp: skipping a malformed message: {}",
                            truncate(&e.to_string(), 300)
                        );
                    }
                    Err(e) => {
                        eprintln!("strata lsp: cannot read from the client: {e}");
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
                if msg.write(&mut output).is_err() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

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

    #[test]
    fn malformed_messages_are_skipped() {
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
    }
}
