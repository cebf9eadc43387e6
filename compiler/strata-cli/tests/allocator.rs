//! The binary runs without transparent huge pages from its first allocation on
//! (`strata_cli::allocator::configure_early`, called by a constructor before mimalloc's): the
//! kernel's flag is set, and mimalloc asked for huge pages on none of its memory (`hg` in a
//! mapping's `VmFlags`), which it does at start-up unless told not to before it.

#![cfg(all(target_os = "linux", feature = "mimalloc"))]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

#[test]
fn the_binary_runs_without_transparent_huge_pages() {
    for (thp_env, want_disabled) in [(None, true), (Some("1"), false)] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
        cmd.arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .env_remove("MIMALLOC_ALLOW_THP");
        if let Some(v) = thp_env {
            cmd.env("MIMALLOC_ALLOW_THP", v);
        }
        let mut child = cmd.spawn().expect("start strata lsp");
        // An answer to `initialize` means `main` runs: every constructor has run.
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
        let mut to = child.stdin.take().expect("stdin");
        write!(to, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        to.flush().expect("flush");
        let mut from = BufReader::new(child.stdout.take().expect("stdout"));
        let mut header = String::new();
        from.read_line(&mut header).expect("read the answer");
        assert!(header.starts_with("Content-Length"), "{header}");
        let proc = format!("/proc/{}", child.id());
        let status = std::fs::read_to_string(format!("{proc}/status")).expect("status");
        let mut smaps = String::new();
        std::fs::File::open(format!("{proc}/smaps"))
            .and_then(|mut f| f.read_to_string(&mut smaps))
            .expect("smaps");
        child.kill().expect("stop strata lsp");
        let _ = child.wait();

        let thp_line = status
            .lines()
            .find(|l| l.starts_with("THP_enabled:"))
            .map(|l| l.split_whitespace().last().unwrap_or("").to_string());
        let huge_advised = smaps
            .lines()
            .filter(|l| l.starts_with("VmFlags:"))
            .any(|l| l.split_whitespace().any(|f| f == "hg"));
        if want_disabled {
            // Kernels before 5.0 have no THP_enabled line; the flag is then not checked here.
            if let Some(v) = &thp_line {
                assert_eq!(v, "0", "THP still enabled for the process");
            }
            assert!(
                !huge_advised,
                "a mapping was advised MADV_HUGEPAGE:\n{smaps}"
            );
        } else if thp_line.is_some() {
            // With MIMALLOC_ALLOW_THP=1 nothing is changed: the test sees the difference.
            assert_eq!(thp_line.as_deref(), Some("1"));
        }
    }
}
