//! mimalloc's settings, chosen by measurement (docs/performance.md, "Allocator settings") and
//! set by the binary at the top of `main`, not left to an environment variable.
//!
//! On the 2-core VMs Strata is measured on, the host takes back freed memory after about 2 s of
//! idleness, so a run after a pause (a pre-commit hook, an editor's first check) pays for every
//! page it touches. mimalloc's default `arena_eager_commit = 2` commits whole arenas up front
//! on Linux; with 0 only the pages used are committed, which removed most of the penalty of
//! such "cold" runs (measured: `check` of each example and `compile` of 4,000 and 40,000
//! resources, cold and warm).
//!
//! Transparent huge pages are turned off for the process (`PR_SET_THP_DISABLE`, what mimalloc's
//! `allow_thp = 0` does when read from the environment at start-up). mimalloc asks for huge
//! pages on its arena (`MADV_HUGEPAGE`), so with THP a run touches memory 2 MiB at a time: a
//! 7-resource `check` was 39 MiB resident (6.8 MiB of it anonymous before the first line of the
//! project was read), 21 MiB without; and the kernel's zeroing (and compaction) of huge pages was
//! most of the system time of big compiles (40,000 resources: 1.3 s of system time with THP,
//! 0.34 s without, same user time). docs/performance.md, "the memory a run touches".

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

/// `mi_option_allow_thp` (the 44th entry of `mi_option_e` in mimalloc v3's `mimalloc.h`, after
/// `page_cross_thread_max_reclaim`); `tests::index_is_allow_thp` checks it the same way.
pub const ALLOW_THP: c_int = 43;

extern "C" {
    // mimalloc's C API, linked through the `mimalloc` crate (libmimalloc-sys).
    fn mi_option_get(option: c_int) -> c_long;
    fn mi_option_set(option: c_int, value: c_long);
}

/// Turn transparent huge pages off before mimalloc's first allocation, unless
/// `MIMALLOC_ALLOW_THP` is set. The binary calls this from a constructor that runs before
/// mimalloc's own (`.init_array.00100`, main.rs): called from `main`, it came after the
/// runtime's first allocations had already touched whole 2 MiB pages of mimalloc's arena
/// (24 MiB resident for a 7-resource check instead of 21). Allocates nothing.
#[cfg(target_os = "linux")]
pub fn configure_early() {
    // SAFETY: getenv reads the environment without allocating; the name is NUL-terminated.
    let set = unsafe { !libc::getenv(c"MIMALLOC_ALLOW_THP".as_ptr()).is_null() };
    if !set {
        // SAFETY: see `configure`; mimalloc's start-up (`prim_mem_init`) reads `allow_thp`
        // and, at 0, makes no `MADV_HUGEPAGE` request.
        unsafe { mi_option_set(ALLOW_THP, 0) }
        disable_thp();
    }
}

/// Apply the chosen settings, unless the environment sets one explicitly
/// (`MIMALLOC_ARENA_EAGER_COMMIT=2` restores mimalloc's default, `MIMALLOC_ALLOW_THP=1` keeps
/// transparent huge pages, for comparisons).
pub fn configure() {
    if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
        // SAFETY: mimalloc's options are plain integers it reads on each use; setting one
        // is allowed at any time.
        unsafe { mi_option_set(ARENA_EAGER_COMMIT, ARENA_EAGER_COMMIT_VALUE) }
    }
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: as above. mimalloc reads `allow_thp` before it maps more memory (no
        // `MADV_HUGEPAGE` on arenas reserved from now on).
        unsafe { mi_option_set(ALLOW_THP, 0) }
        disable_thp();
    }
}

/// No transparent huge pages for this process (and the processes it starts), including the
/// arena mimalloc reserved before `main` with `MADV_HUGEPAGE`: the kernel checks the flag at
/// each fault. mimalloc itself only does this when `allow_thp` is 0 at its start-up, which an
/// option set in `main` is too late for. A kernel without the call (before Linux 3.15) keeps
/// THP; nothing else changes.
fn disable_thp() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes one integer argument and touches no memory of ours.
    unsafe {
        // The kernel refuses the call unless the unused arguments are 0: pass them as the
        // full-width integers it reads.
        let (one, zero): (libc::c_ulong, libc::c_ulong) = (1, 0);
        libc::prctl(libc::PR_SET_THP_DISABLE, one, zero, zero, zero);
    }
}

/// Whether transparent huge pages are off for this process (Linux; `false` elsewhere).
pub fn thp_disabled() -> bool {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_GET_THP_DISABLE reads a flag of the process.
    unsafe {
        let zero: libc::c_ulong = 0;
        libc::prctl(libc::PR_GET_THP_DISABLE, zero, zero, zero, zero) == 1
    }
    #[cfg(not(target_os = "linux"))]
    false
}

/// The current value of `allow_thp`.
pub fn allow_thp() -> c_long {
    // SAFETY: reads an option by its index (see ALLOW_THP).
    unsafe { mi_option_get(ALLOW_THP) }
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

    /// `configure` turns transparent huge pages off (mimalloc's option and the process flag),
    /// unless `MIMALLOC_ALLOW_THP` is set.
    #[test]
    fn configure_disables_thp() {
        if std::env::var_os("STRATA_ALLOC_CHILD").is_some() {
            configure();
            if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
                assert_eq!(allow_thp(), 1);
                assert!(!thp_disabled());
            } else {
                assert_eq!(allow_thp(), 0);
                #[cfg(target_os = "linux")]
                assert!(thp_disabled());
            }
            return;
        }
        child("allocator::tests::configure_disables_thp", None);
        child_with(
            "allocator::tests::configure_disables_thp",
            &[("MIMALLOC_ALLOW_THP", "1")],
        );
    }

    /// Index 43 is the option mimalloc reads from `MIMALLOC_ALLOW_THP`: started with the
    /// variable at 3, option 43 reads 3 (any non-zero value keeps THP allowed).
    #[test]
    fn index_is_allow_thp() {
        if std::env::var_os("STRATA_ALLOC_CHILD").is_some() {
            assert_eq!(allow_thp(), 3);
            return;
        }
        child_with(
            "allocator::tests::index_is_allow_thp",
            &[("MIMALLOC_ALLOW_THP", "3")],
        );
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
        match value {
            Some(v) => child_with(name, &[("MIMALLOC_ARENA_EAGER_COMMIT", v)]),
            None => child_with(name, &[]),
        }
    }

    /// Run one test of this binary in a child process with exactly these mimalloc variables.
    fn child_with(name: &str, vars: &[(&str, &str)]) {
        let exe = std::env::current_exe().expect("test binary");
        let mut cmd = std::process::Command::new(exe);
        cmd.args([name, "--exact", "--nocapture"])
            .env("STRATA_ALLOC_CHILD", "1")
            .env_remove("MIMALLOC_ARENA_EAGER_COMMIT")
            .env_remove("MIMALLOC_ALLOW_THP");
        for (k, v) in vars {
            cmd.env(k, v);
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
