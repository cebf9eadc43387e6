//! State shared by the main loop, the checker and the request threads: the latest snapshot of
//! each project, the cache and the options. Snapshots are immutable and handed out as `Arc`s,
//! so a request never holds a lock while it works.

use crate::cache::Cache;
use crate::snapshot::Snapshot;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use strata_driver::CheckOptions;

pub struct Shared {
    pub cache: Cache,
    pub options: CheckOptions,
    snapshots: Mutex<HashMap<PathBuf, Arc<Snapshot>>>,
    published: Condvar,
}

impl Shared {
    pub fn new(cache: Cache, options: CheckOptions) -> Shared {
        Shared {
            cache,
            options,
            snapshots: Mutex::new(HashMap::new()),
            published: Condvar::new(),
        }
    }

    /// Make `snap` the latest of its project; returns the one it replaces (dropped by the
    /// caller, outside the lock).
    pub fn store(&self, snap: Arc<Snapshot>) -> Option<Arc<Snapshot>> {
        let old = match self.snapshots.lock() {
            Ok(mut m) => m.insert(snap.root.clone(), snap),
            Err(_) => None,
        };
        self.published.notify_all();
        old
    }

    /// The latest snapshot of the project at `root`; when there is none yet, wait up to `wait`
    /// for the first one.
    pub fn snapshot(&self, root: &Path, wait: Duration) -> Option<Arc<Snapshot>> {
        let deadline = Instant::now() + wait;
        let mut m = self.snapshots.lock().ok()?;
        loop {
            if let Some(s) = m.get(root) {
                return Some(s.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            m = self.published.wait_timeout(m, deadline - now).ok()?.0;
        }
    }
}
