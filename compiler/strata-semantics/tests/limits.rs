//! Computed values have limits, like files do: a program cannot make the compiler run for
//! minutes or exhaust memory. Each limit is an `E2007` error at the expression that crosses it.

use strata_base::{Diagnostic, SourceMap};
use strata_semantics::{analyze, NoImports, Options, MAX_LIST, MAX_STRING};

fn errors(text: &str, max_steps: Option<u64>) -> Vec<Diagnostic> {
    let mut sources = SourceMap::new();
    let id = sources.add("main.strata", text, false);
    let (_, diags) = analyze(
        &mut sources,
        &[id],
        &NoImports,
        &Options {
            max_steps,
            ..Options::default()
        },
    );
    diags
        .into_iter()
        .filter(|d| d.severity == strata_base::Severity::Error)
        .collect()
}

#[test]
fn nested_comprehensions_run_out_of_steps_once() {
    // 300 × 300 = 90,000 iterations against a budget of 10,000.
    let d = errors(
        "let grid = [for i in range(300): [for j in range(300): i * j]]\noutput n = length(grid)\n",
        Some(10_000),
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "E2007");
    assert!(
        d[0].message.contains("more than 10000 comprehension steps"),
        "{}",
        d[0].message
    );
    // Within the budget: no error.
    assert!(errors(
        "let grid = [for i in range(50): [for j in range(50): i * j]]\noutput n = length(grid)\n",
        Some(10_000)
    )
    .is_empty());
}

#[test]
fn the_untaken_branch_counts_too() {
    let d = errors("let big = false ? [for i in range(300): [for j in range(300): j]] : []\noutput n = length(big)\n", Some(10_000));
    assert_eq!(
        d.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        ["E2007"],
        "{d:#?}"
    );
}

#[test]
fn strings_and_lists_have_a_size_limit() {
    // 1,000 × 17 KiB is more than 16 MiB.
    let chunk = "x".repeat(17 * 1024);
    let d = errors(
        &format!("let s = join(\"\", [for i in range(1000): \"{chunk}\"])\noutput n = length(s)\n"),
        None,
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message
            .contains(&format!("limit of {MAX_STRING} bytes")),
        "{}",
        d[0].message
    );

    let d = errors(
        "let l = range(1000000) + range(10)\noutput n = length(l)\n",
        None,
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message.contains(&format!("limit of {MAX_LIST}")),
        "{}",
        d[0].message
    );
}

/// Issue 13: "did you mean" on a 100,000-character unknown name took 59 s. Every place that
/// suggests a name (names, fields, properties, functions, types, attributes) is bounded.
#[test]
fn a_very_long_unknown_name_is_reported_at_once() {
    let long = "q".repeat(100_000);
    let text = format!(
        "import aws\nlet x = {long}\nlet r = {{ a = 1 }}\nlet y = r.{long}\nlet z = {long}(1)\nlet w: {long} = 1\n\
         resource b: aws.s3.Bucket {{ {long} = 1 }}\noutput o = b.{long}\nlet u = 5{long}\n{long} v = 1\n"
    );
    let t = thread_cpu();
    let d = errors(&text, None);
    let took = thread_cpu() - t;
    assert!(d.len() >= 5, "{d:#?}");
    assert!(
        d.iter()
            .all(|d| !d.help.as_deref().unwrap_or("").contains("did you mean")),
        "{d:#?}"
    );
    assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
}

/// The evaluation depth error names its limit (issue 13: nesting errors must say which limit
/// was hit).
#[test]
fn a_long_chain_of_names_reports_the_evaluation_depth_limit() {
    // Each name is defined through the next one, declared after it.
    let chain = |n: usize| {
        let mut text = String::new();
        for i in 0..n - 1 {
            text.push_str(&format!("let a{i} = a{} + 1\n", i + 1));
        }
        text.push_str(&format!("let a{} = 0\noutput o = a0\n", n - 1));
        text
    };
    assert!(errors(&chain(1_000), None).is_empty());
    let d = errors(&chain(6_000), None);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "E2007");
    assert!(
        d[0].message.contains("more than 10000 levels"),
        "{}",
        d[0].message
    );
}

/// `let a1 = [a0, a0]` ... 25 times over: 2^25 copies before values were shared.
fn doubling(n: usize, record: bool) -> String {
    let mut text = String::from("let a0 = \"x\"\n");
    for i in 1..=n {
        let p = i - 1;
        if record {
            text.push_str(&format!("let a{i} = {{ x = a{p}, y = a{p} }}\n"));
        } else {
            text.push_str(&format!("let a{i} = [a{p}, a{p}]\n"));
        }
    }
    text
}

/// Issue 13: 25 lines of `let a1 = [a0, a0]` ... aborted with "memory allocation failed".
/// Shared values stay shared; what they would take written out in full is an error only
/// where they are written out (an output, a property, a typed value).
#[test]
fn shared_values_are_not_copied() {
    for record in [false, true] {
        let t = thread_cpu();
        let text = doubling(25, record);
        // Reading into it is fine...
        let path = if record { "a25.x.y.x" } else { "a25[0][1][0]" };
        assert!(errors(&format!("{text}output n = length({path})\n"), None).is_empty());
        // ... writing it out is not: 2^25 elements.
        let d = errors(&format!("{text}output o = a25\n"), None);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].code, "E2007");
        assert!(
            d[0].message
                .contains("output `o` is too large: 67108862 elements written out in full")
                || d[0].message.contains("33554430"),
            "{}",
            d[0].message
        );
        let d = errors(&format!("{text}let typed: list<string> = a25\n"), None);
        assert_eq!(
            d.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
            ["E2007"],
            "{d:#?}"
        );
        // 64 doublings: the sizes saturate, nothing is built.
        let d = errors(&format!("{}output o = a64\n", doubling(64, record)), None);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            thread_cpu() - t < std::time::Duration::from_secs(2),
            "{:?} of CPU",
            thread_cpu() - t
        );
    }
}

/// Issue 13: `replace` and `join` built the whole string before the 16 MiB check (an abort,
/// or 15 s and 3.2 GB). Every builder sizes its result first: the message says what it
/// would have built.
#[test]
fn strings_lists_and_maps_are_sized_before_they_are_built() {
    let base = "let s = join(\"\", [for i in range(1000): \"aaaaaaaaaaaaaaaa\"])\n"; // 16,000 bytes
    let wide = "b".repeat(2000);
    let eight = "let t = s + s + s + s + s + s + s + s\nlet u = t + t + t + t + t + t + t + t\n"; // 1,024,000 bytes
    let cases = [
        (
            format!("output o = length(replace(s, \"a\", \"{wide}\"))"),
            "`replace` would build a string of 32000000 bytes",
        ),
        (
            "let l = [for i in range(1100): s]\noutput o = length(join(\"\", l))".to_string(),
            "`join` would build a string of 17600000 bytes",
        ),
        (
            "let l = [for i in range(1100): s]\noutput o = length(join(s, l))".to_string(),
            "`join` would build a string of 35184000 bytes",
        ),
        (
            format!(
                "{eight}let v = {}\noutput o = length(v)",
                ["u"; 17].join(" + ")
            ),
            "a string of 17408000 bytes",
        ),
        (
            format!("{eight}output o = length(\"{}\")", "${u}".repeat(17)),
            "a string of 17408000 bytes",
        ),
        // `ΐ` (2 bytes) is `Ϊ́` (6 bytes) in upper case: 6,000,000 bytes become 18,000,000.
        (
            format!(
                "output o = length(upper(join(\"\", [for i in range(1000): \"{}\"])))",
                "ΐ".repeat(3000)
            ),
            "`upper` would build a string of 18000000 bytes",
        ),
        (
            "let t = join(\"\", [for i in range(100): s])\noutput o = length(split(\"\", t))"
                .to_string(),
            "`split` would build a list of 1600000 elements",
        ),
        (
            "let l = range(600000)\noutput o = length(l + l)".to_string(),
            "a list of 1200000 elements",
        ),
        (
            "let l = range(600000)\noutput o = length(concat(l, l))".to_string(),
            "`concat` would build a list of 1200000 elements",
        ),
        // 2^11 copies of `s`, shared: 32,768,000 bytes of text, not rendered.
        (
            format!(
                "let d0 = s\n{}output o = length(format(\"%v\", d11))",
                (1..=11)
                    .map(|i| format!("let d{i} = [d{}, d{}]\n", i - 1, i - 1))
                    .collect::<String>()
            ),
            "`format` would build a string of 32772096 bytes",
        ),
    ];
    for (program, message) in &cases {
        let d = errors(&format!("{base}{program}\n"), Some(100_000_000));
        assert_eq!(d.len(), 1, "{program}: {d:#?}");
        assert_eq!(d[0].code, "E2007");
        assert!(
            d[0].message.contains(message),
            "{program}: {}",
            d[0].message
        );
    }
}

/// Everything the evaluator builds, compares or checks counts against one budget, so a
/// comprehension cannot build 16 MiB strings a million times over.
#[test]
fn repeated_work_runs_out_of_the_budget() {
    let d = errors("let s = join(\"\", [for i in range(100000): \"abcdefghijklmnop\"])\nlet l = [for i in range(100000): s + \"x\"]\noutput o = length(l)\n", None);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message
            .contains("evaluation handles more than 512 MiB of values"),
        "{}",
        d[0].message
    );
    // Comparing two equal but separately built doublings would walk 2^25 elements.
    let b = doubling(25, false).replace("a", "b");
    let d = errors(
        &format!("{}{b}output o = a25 == b25\n", doubling(25, false)),
        None,
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message.contains("evaluation handles more than"),
        "{}",
        d[0].message
    );
    // The same value compared with itself costs nothing.
    assert!(errors(
        &format!("{}output o = a25 == a25\n", doubling(25, false)),
        None
    )
    .is_empty());
}

/// Modules instantiating modules multiply: 25 levels of two instances each were 2^25
/// instances and an abort. Instances are limited, and the error is reported once.
#[test]
fn module_instances_are_limited() {
    let mut text = String::from("module M0 {\n  param x: int = 1\n  output o = x\n}\n");
    for i in 1..=25 {
        text.push_str(&format!("module M{i} {{\n  module a: M{p} {{ }}\n  module b: M{p} {{ }}\n  output o = a.o + b.o\n}}\n", p = i - 1));
    }
    text.push_str("module top: M25 { }\noutput r = top.o\n");
    let t = thread_cpu();
    let d = errors(&text, None);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message.contains("more than 100000 module instances"),
        "{}",
        d[0].message
    );
    assert!(
        thread_cpu() - t < std::time::Duration::from_secs(10),
        "{:?} of CPU",
        thread_cpu() - t
    );
}

/// The key of a `[k in ...]` resource is part of its name, which every reference carries.
#[test]
fn resource_keys_are_limited() {
    let long = "k".repeat(2000);
    let d = errors(
        &format!("import aws\nresource q[k in [\"{long}\"]]: aws.sqs.Queue {{ }}\n"),
        None,
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message
            .contains("a key of 2000 bytes is longer than the limit of 1024 bytes"),
        "{}",
        d[0].message
    );
    assert!(errors(
        &format!(
            "import aws\nresource q[k in [\"{}\"]]: aws.sqs.Queue {{ }}\n",
            "k".repeat(1000)
        ),
        None
    )
    .is_empty());
}

/// CPU time this thread has used (Linux `/proc/thread-self/stat`, in USER_HZ = 1/100 s): the
/// speed bounds below are CPU time, which a loaded machine does not stretch as it does the
/// wall clock. Zero where `/proc` is not there (the bound then always holds).
fn thread_cpu() -> std::time::Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    std::time::Duration::from_millis(ticks * 10)
}
