//! The server's incremental re-checks (a parse cache kept per project) against `strata check`
//! from scratch: after each edit of a seeded sequence, in two open files of a project that also
//! imports a module, the diagnostics published for the edited file are the ones a fresh check
//! of the same texts gives (same codes, ranges and messages).

mod common;

use common::{project, Client};
use lsp_types::{NumberOrString, Position};
use std::path::Path;

const MAIN: &str = "import aws\nimport \"./mods/common.strata\" as common\n\nstack app {\n  provider = aws { region = \"us-east-1\" }\n  budget   = 1000 USD/month\n}\n\nresource key_0: aws.kms.Key {\n  description = common.prefix + \"data\"\n  rotation    = true\n}\n\nresource queue_0: aws.sqs.Queue {\n  encryption = key_0\n  retention  = 14d\n}\n";
const OTHER: &str = "resource bucket_0: aws.s3.Bucket {\n  versioning = true\n  encryption = key_0\n}\n\noutput bucket = bucket_0.arn\n";
const COMMON: &str = "let prefix = \"inc-\"\n";
const SNIPPETS: &[&str] = &[
    "e",
    "\n",
    "}",
    "{",
    " = ",
    "true",
    "\"",
    "key_0",
    "bucket_1",
    "\nresource extra: aws.sqs.Queue { retention = 1d }\n",
];

/// (range, code, message) of one diagnostic, comparable across the two sides.
type Shown = ((u32, u32, u32, u32), String, String);

fn fresh(root: &Path, file: &str) -> Vec<Shown> {
    let o = strata_driver::check(
        &strata_driver::DiskWorld,
        root,
        &strata_driver::CheckOptions {
            record_xrefs: true,
            ..Default::default()
        },
    );
    let mut v: Vec<Shown> = o
        .diagnostics
        .iter()
        .filter_map(|d| {
            let f = o.sources.try_get(d.primary.span.file)?;
            (f.name == file).then(|| {
                let (l1, c1) = f.utf16_position(d.primary.span.start);
                let (l2, c2) = f.utf16_position(d.primary.span.end.max(d.primary.span.start));
                ((l1, c1, l2, c2), d.code.to_string(), d.message.clone())
            })
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn published(ds: &[lsp_types::Diagnostic], expected: &[Shown]) -> Vec<Shown> {
    let mut v: Vec<Shown> = ds
        .iter()
        .map(|d| {
            let r = d.range;
            let code = match &d.code {
                Some(NumberOrString::String(s)) => s.clone(),
                Some(NumberOrString::Number(n)) => n.to_string(),
                None => String::new(),
            };
            // The server appends the label, help and notes: keep the compiler's message.
            let message = expected
                .iter()
                .map(|e| &e.2)
                .find(|m| d.message.starts_with(m.as_str()))
                .cloned()
                .unwrap_or_else(|| d.message.clone());
            (
                (r.start.line, r.start.character, r.end.line, r.end.character),
                code,
                message,
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn published_diagnostics_match_a_fresh_check_after_every_edit() {
    let (_dir, root) = project(&[
        ("main.strata", MAIN),
        ("other.strata", OTHER),
        ("mods/common.strata", COMMON),
    ]);
    let mut c = Client::start();
    let names = ["main.strata", "other.strata"];
    let mut texts = [MAIN.to_string(), OTHER.to_string()];
    let uris = [
        c.open(&root.join(names[0]), &texts[0]),
        c.open(&root.join(names[1]), &texts[1]),
    ];
    let _ = c.diagnostics(&uris[0], 1);
    let mut seed = 0x1717_2026_u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut saw_errors = false;
    for step in 0..24 {
        let i = next(2);
        let text = &mut texts[i];
        let at = next(text.len() + 1);
        let what = if next(3) == 0 && at < text.len() {
            let end = (at + 1 + next(3)).min(text.len());
            text.replace_range(at..end, "");
            format!("delete {at}..{end}")
        } else {
            let s = SNIPPETS[next(SNIPPETS.len())];
            text.insert_str(at, s);
            format!("insert {s:?} at {at}")
        };
        // The disk holds what the buffer holds, for the check from scratch.
        std::fs::write(root.join(names[i]), &*text).expect("write");
        let v = c.change_full(&uris[i], text);
        let got = c.diagnostics(&uris[i], v);
        let want = fresh(&root, names[i]);
        saw_errors |= want.iter().any(|w| !w.1.is_empty());
        assert_eq!(
            published(&got, &want),
            want,
            "step {step}: {what} in {}",
            names[i]
        );
        // Hover still answers from the latest check.
        let _ = c.hover(&uris[i], Position::new(0, 1));
    }
    assert!(saw_errors, "the edits never produced a diagnostic");
    c.shutdown();
}
