//! mimalloc's settings, chosen by measurement (docs/performance.md, "Allocator settings") and
//! set by the binary at the top of `main`, not left to an environment variable.
//!
//! On the 2-core VMs Strata is measured on, the host takes back freed memory after about 2 s of
//! idleness, so a run after a pause (a pre-commit hook, an editor's first check) pays for every
//! page it touches. mimalloc's default `arena_eager_commit = 2` commits whole arenas up front
//! on Linux; with 0 only the pages used are committed, which removed most of the penalty of
//! such "cold" runs (measured: `check` of each example and `compile` of 4,000 and 40,000
//! resources, cold and warm).

// Links the mimalloc library even where nothing else names the crate (the library's tests).
extern crate mimalloc;

use std::os::raw::{c_int, c_long};

/// `mi_option_arena_eager_commit` in `mi_option_e` of the mimalloc the build links
/// (libmimalloc-sys 0.1.49 builds mimalloc v3: `c_src/mimalloc/v3/include/mimalloc.h`,
/// `show_errors, show_stats, verbose, deprecated_eager_commit, arena_eager_commit`; v2 has
/// `eager_commit` in the fourth place, so the index is 4 there too). libmimalloc-sys has no
/// constant for it; `tests::index_is_arena_eager_commit` checks the index against mimalloc's
/// own reading of `MIMALLOC_ARENA_EAGER_COMMIT`.
pub const ARENA_EAGER_COMMIT: c_int = 4;

/// The value chosen: commit arena memory on demand.
pub const ARENA_EAGER_COMMIT_VALUE: c_long = 0;

extern "C" {
    // mimalloc's C API, linked through the `mimalloc` crate (libmimalloc-sys).
    fn mi_option_get(option: c_int) -> c_long;
    fn mi_option_set(option: c_int, value: c_long);
}

/// Apply the chosen settings, unless the environment sets one explicitly
/// (`MIMALLOC_ARENA_EAGER_COMMIT=2` restores mimalloc's default, for comparisons).
pub fn configure() {
    if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
        // SAFETY: mimalloc's options are plain integers it reads on each use; setting one
        // is allowed at any time.
        unsafe { mi_option_set(ARENA_EAGER_COMMIT, ARENA_EAGER_COMMIT_VALUE) }
    }
}

/// The current value of `arena_eager_commit`.
pub fn arena_eager_commit() -> c_long {
    // SAFETY: reads an option by its index (see ARENA_EAGER_COMMIT).
    unsafe { mi_option_get(ARENA_EAGER_COMMIT) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `configure` sets the option; run in a child process without the variable, so the
    /// value read is ours, not the environment's.
    #[test]
    fn configure_sets_arena_eager_commit() {
        if std::env::var_os("STRATA_ALLOC_CHILD").is_some() {
            configure();
            assert_eq!(arena_eager_commit(), ARENA_EAGER_COMMIT_VALUE);
            return;
        }
        child("allocator::tests::configure_sets_arena_eager_commit", None);
    }

    /// Index 4 is the option mimalloc reads from `MIMALLOC_ARENA_EAGER_COMMIT`: in a child
    /// process started with the variable at 3 (a value no default has), option 4 reads 3, and
    /// `configure` leaves an explicit setting alone.
    #[test]
    fn index_is_arena_eager_commit() {
        if std::env::var_os("STRATA_ALLOC_CHILD").is_some() {
            assert_eq!(arena_eager_commit(), 3);
            configure();
            assert_eq!(arena_eager_commit(), 3);
            return;
        }
        child("allocator::tests::index_is_arena_eager_commit", Some("3"));
    }

    fn child(name: &str, value: Option<&str>) {
        let exe = std::env::current_exe().expect("test binary");
        let mut cmd = std::process::Command::new(exe);
        cmd.args([name, "--exact", "--nocapture"])
            .env("STRATA_ALLOC_CHILD", "1")
            .env_remove("MIMALLOC_ARENA_EAGER_COMMIT");
        if let Some(v) = value {
            cmd.env("MIMALLOC_ARENA_EAGER_COMMIT", v);
        }
        let out = cmd.output().expect("run the test binary");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("1 passed"),
            "child test failed: {}\n{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
