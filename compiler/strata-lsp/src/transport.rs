//! stdio transport. lsp-server's own stops reading at the first malformed message; this one
//! reports it on stderr and reads on (a bad payload is skipped whole; after a bad header the
//! reader resynchronises on the next `Content-Length`), so a client bug cannot kill the server.

use crossbeam_channel::{bounded, Receiver, Sender};
use lsp_server::{Connection, Message};
use std::io::{self, BufReader};
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
    let (reader_tx, reader_rx): (Sender<Message>, Receiver<Message>) = bounded(64);
    let (writer_tx, writer_rx): (Sender<Message>, Receiver<Message>) = bounded(64);
    let reader = std::thread::Builder::new()
        .name("strata-lsp-reader".into())
        .spawn(move || {
            let stdin = io::stdin();
            let mut input = BufReader::new(stdin.lock());
            let mut errors = 0;
            loop {
                match Message::read(&mut input) {
                    Ok(Some(msg)) => {
                        errors = 0;
                        let is_exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                        if reader_tx.send(msg).is_err() || is_exit {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) if e.kind() == io::ErrorKind::InvalidData && errors < MAX_CONSECUTIVE_ERRORS => {
                        errors += 1;
                        eprintln!("strata lsp: skipping a malformed message: {}", truncate(&e.to_string(), 300));
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
            let stdout = io::stdout();
            let mut out = stdout.lock();
            for msg in writer_rx {
                if msg.write(&mut out).is_err() {
                    break;
                }
            }
        })
        .ok();
    (Connection { sender: writer_tx, receiver: reader_rx }, IoThreads { reader, writer })
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}
