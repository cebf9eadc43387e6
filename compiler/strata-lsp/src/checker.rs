//! The checker thread: runs `strata_driver::check` over a project whenever one of its files
//! changes, stores the snapshot for requests, and publishes the diagnostics of every file.
//!
//! - The main loop only sends a job (the project and the documents as they are now) and goes
//!   on; a check never blocks it.
//! - Debounce by coalescing: jobs that arrive while a check runs are merged, and the next check
//!   uses the newest documents. There is no fixed delay, so an edit after a quiet period is
//!   checked at once.
//! - A result that is already stale (newer edits for that project are queued) is stored but
//!   not published, unless the project has published nothing for [`MAX_SILENCE`] (continuous
//!   typing in a slow project still gets feedback).
//! - Every file of the project is published, possibly with an empty list, and files published
//!   before that are no longer part of the project are cleared.
//! - Incremental: each project keeps a [`ParseCache`] from one check to the next, so only the
//!   files whose text changed are parsed again (the stdlib and the other files are not); the
//!   outcome is what a check from scratch gives (ARCHITECTURE.md, "The language server's
//!   revisions").

use crate::diagnostics;
use crate::docs::DocsSnapshot;
use crate::snapshot::Snapshot;
use crate::state::Shared;
use crate::uri;
use crate::world::OverlayWorld;
use crossbeam_channel::{Receiver, Sender, TryRecvError};
use lsp_server::{Message, Notification};
use lsp_types::notification::{Notification as _, PublishDiagnostics};
use lsp_types::PublishDiagnosticsParams;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use strata_driver::ParseCache;

const MAX_SILENCE: Duration = Duration::from_millis(1000);

pub enum Job {
    /// Check the project at this directory with these documents.
    Check(PathBuf, Arc<DocsSnapshot>),
    /// Stop now; queued checks are dropped.
    Stop,
}

pub struct Checker {
    tx: Sender<Job>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checker {
    pub fn spawn(shared: Arc<Shared>, out: Sender<Message>) -> Checker {
        let (tx, rx) = crossbeam_channel::unbounded();
        let thread = std::thread::Builder::new()
            .name("strata-check".into())
            .spawn(move || {
                Worker {
                    shared,
                    out,
                    published: HashMap::new(),
                    last_publish: HashMap::new(),
                    parsed: HashMap::new(),
                    trash: Trash::spawn(),
                }
                .run(rx)
            })
            .ok();
        Checker { tx, thread }
    }

    pub fn check(&self, root: PathBuf, docs: Arc<DocsSnapshot>) {
        let _ = self.tx.send(Job::Check(root, docs));
    }

    /// Stop: a check under way finishes (and is not published), queued ones are dropped.
    pub fn stop(mut self) {
        let _ = self.tx.send(Job::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Worker {
    shared: Arc<Shared>,
    out: Sender<Message>,
    /// Files published with diagnostics, per project.
    published: HashMap<PathBuf, BTreeSet<PathBuf>>,
    last_publish: HashMap<PathBuf, Instant>,
    /// Syntax trees of the last check, per project.
    parsed: HashMap<PathBuf, ParseCache>,
    trash: Trash,
}

/// Freeing a replaced snapshot (syntax trees, model, cross references: hundreds of thousands of
/// allocations in a big project) takes milliseconds; a thread of its own does it, so the next
/// check starts at once. Without that thread (it could not be spawned) the checker frees them.
struct Trash(Option<Sender<Arc<Snapshot>>>);

impl Trash {
    fn spawn() -> Trash {
        let (tx, rx) = crossbeam_channel::unbounded::<Arc<Snapshot>>();
        let spawned = std::thread::Builder::new()
            .name("strata-free".into())
            .spawn(move || {
                for snap in rx {
                    drop(snap);
                }
            })
            .is_ok();
        Trash(spawned.then_some(tx))
    }

    fn drop_later(&self, snap: Arc<Snapshot>) {
        if let Some(tx) = &self.0 {
            // On failure the snapshot comes back in the error and is dropped here.
            let _ = tx.send(snap);
        }
    }
}

impl Worker {
    fn run(mut self, rx: Receiver<Job>) {
        let mut pending: BTreeMap<PathBuf, Arc<DocsSnapshot>> = BTreeMap::new();
        loop {
            if pending.is_empty() {
                match rx.recv() {
                    Ok(Job::Check(root, docs)) => {
                        pending.insert(root, docs);
                    }
                    Ok(Job::Stop) | Err(_) => return,
                }
            }
            // Coalesce everything queued meanwhile; the newest documents win.
            let mut closed = false;
            loop {
                match rx.try_recv() {
                    Ok(Job::Check(root, docs)) => {
                        pending.insert(root, docs);
                    }
                    Ok(Job::Stop) => return,
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        closed = true;
                        break;
                    }
                }
            }
            let Some((root, docs)) = pending.pop_first() else {
                continue;
            };
            let started = Instant::now();
            let cache = self.parsed.entry(root.clone()).or_default();
            let (_, hits_before, misses_before) = cache.stats();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let world = OverlayWorld { docs: docs.clone() };
                let outcome =
                    strata_driver::check_cached(&world, &root, &self.shared.options, Some(cache));
                Snapshot::new(root.clone(), outcome)
            }));
            let snap = match result {
                Ok(s) => s,
                Err(_) => {
                    // Whatever the failed check left in the cache is not trusted.
                    self.parsed.remove(&root);
                    eprintln!("strata lsp: internal error while checking {}; the previous results are kept", root.display());
                    if closed {
                        return;
                    }
                    continue;
                }
            };
            let checked_in = started.elapsed();
            // Newer edits of this project queued meanwhile?
            loop {
                match rx.try_recv() {
                    Ok(Job::Check(r, d)) => {
                        pending.insert(r, d);
                    }
                    Ok(Job::Stop) => return,
                    Err(_) => break,
                }
            }
            let stale = pending.contains_key(&root);
            let silent_for = self
                .last_publish
                .get(&root)
                .map_or(Duration::MAX, |t| t.elapsed());
            let publish = !stale || silent_for >= MAX_SILENCE;
            // Stored before it is published: a client that asks right after the diagnostics
            // arrive gets this snapshot.
            let snap = Arc::new(snap);
            let old = self.shared.store(snap.clone());
            let published_at = Instant::now();
            if publish {
                self.publish(&snap, &docs);
                self.last_publish.insert(root.clone(), Instant::now());
            }
            if std::env::var_os("STRATA_LSP_TRACE").is_some() {
                let (_, hits, misses) = self.parsed.get(&root).map_or((0, 0, 0), ParseCache::stats);
                let stages: Vec<String> = snap
                    .outcome
                    .timings
                    .iter()
                    .map(|t| format!("{} {:.1}", t.stage, t.wall.as_secs_f64() * 1e3))
                    .collect();
                eprintln!(
                    "strata lsp: checked {} in {:.1} ms [{}] ({} files parsed, {} trees reused), published in {:.1} ms ({} diagnostics{})",
                    root.display(),
                    checked_in.as_secs_f64() * 1e3,
                    stages.join(", "),
                    misses.saturating_sub(misses_before),
                    hits.saturating_sub(hits_before),
                    published_at.elapsed().as_secs_f64() * 1e3,
                    snap.outcome.diagnostics.len(),
                    if publish {
                        ""
                    } else {
                        ", stale: not published"
                    }
                );
            }
            if let Some(old) = old {
                self.trash.drop_later(old);
            }
            if closed && pending.is_empty() {
                return;
            }
        }
    }

    fn publish(&mut self, snap: &Snapshot, docs: &DocsSnapshot) {
        let cache = &self.shared.cache;
        let uri_of = |p: &Path| {
            docs.by_path(p)
                .map(|d| d.uri.clone())
                .unwrap_or_else(|| uri::from_path(p))
        };
        let by_file = diagnostics::by_file(snap, cache, &uri_of);
        let before = self.published.remove(&snap.root).unwrap_or_default();
        let mut now = BTreeSet::new();
        for (path, diags) in by_file {
            if diags.is_empty() && !before.contains(&path) && docs.by_path(&path).is_none() {
                // Nothing to say and nothing to clear.
                continue;
            }
            if !diags.is_empty() {
                now.insert(path.clone());
            }
            self.send(&path, &uri_of, docs, diags);
        }
        for gone in before.difference(&now) {
            if !snap.by_path.contains_key(gone) {
                self.send(gone, &uri_of, docs, Vec::new());
            }
        }
        self.published.insert(snap.root.clone(), now);
    }

    fn send(
        &self,
        path: &Path,
        uri_of: &dyn Fn(&Path) -> lsp_types::Uri,
        docs: &DocsSnapshot,
        diagnostics: Vec<lsp_types::Diagnostic>,
    ) {
        let version = docs.by_path(path).map(|d| d.version);
        let params = PublishDiagnosticsParams {
            uri: uri_of(path),
            diagnostics,
            version,
        };
        let _ = self.out.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            params,
        )));
    }
}
