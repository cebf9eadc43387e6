//! Computed values have limits, like files do: a program cannot make the compiler run for
//! minutes or exhaust memory. Each limit is an `E2007` error at the expression that crosses it.

use strata_base::{Diagnostic, SourceMap};
use strata_semantics::{analyze, NoImports, Options, MAX_LIST, MAX_STRING};

fn errors(text: &str, max_steps: Option<u64>) -> Vec<Diagnostic> {
    let mut sources = SourceMap::new();
    let id = sources.add("main.strata", text, false);
    let (_, diags) = analyze(&mut sources, &[id], &NoImports, &Options { max_steps, ..Options::default() });
    diags.into_iter().filter(|d| d.severity == strata_base::Severity::Error).collect()
}

#[test]
fn nested_comprehensions_run_out_of_steps_once() {
    // 300 × 300 = 90,000 iterations against a budget of 10,000.
    let d = errors("let grid = [for i in range(300): [for j in range(300): i * j]]\noutput n = length(grid)\n", Some(10_000));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "E2007");
    assert!(d[0].message.contains("more than 10000 comprehension steps"), "{}", d[0].message);
    // Within the budget: no error.
    assert!(errors("let grid = [for i in range(50): [for j in range(50): i * j]]\noutput n = length(grid)\n", Some(10_000)).is_empty());
}

#[test]
fn the_untaken_branch_counts_too() {
    let d = errors("let big = false ? [for i in range(300): [for j in range(300): j]] : []\noutput n = length(big)\n", Some(10_000));
    assert_eq!(d.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), ["E2007"], "{d:#?}");
}

#[test]
fn strings_and_lists_have_a_size_limit() {
    // 1,000 × 17 KiB is more than 16 MiB.
    let chunk = "x".repeat(17 * 1024);
    let d = errors(&format!("let s = join(\"\", [for i in range(1000): \"{chunk}\"])\noutput n = length(s)\n"), None);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].message.contains(&format!("limit of {MAX_STRING} bytes")), "{}", d[0].message);

    let d = errors("let l = range(1000000) + range(10)\noutput n = length(l)\n", None);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].message.contains(&format!("limit of {MAX_LIST}")), "{}", d[0].message);
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
    let t = std::time::Instant::now();
    let d = errors(&text, None);
    let took = t.elapsed();
    assert!(d.len() >= 5, "{d:#?}");
    assert!(d.iter().all(|d| !d.help.as_deref().unwrap_or("").contains("did you mean")), "{d:#?}");
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
    assert!(d[0].message.contains("more than 10000 levels"), "{}", d[0].message);
}
