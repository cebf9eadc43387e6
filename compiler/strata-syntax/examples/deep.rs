//! Time parse/format/dump on 100,000-level nested inputs:
//! `cargo run -p strata-syntax --example deep`.
use std::time::Instant;

fn main() {
    let n = 100_000;
    let cases = [
        (
            "parens",
            format!("let x = {}1{}", "(".repeat(n), ")".repeat(n)),
        ),
        ("open parens", format!("let x = {}", "(".repeat(n))),
        (
            "lists",
            format!("let x = {}{}", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "records",
            format!("let x = {}1{}", "{a = ".repeat(n), "}".repeat(n)),
        ),
        ("open records", format!("let x = {}", "{a = ".repeat(n))),
        ("bang", format!("let x = {}x", "!".repeat(n))),
        ("binary", format!("let x = 1{}", " + 1".repeat(n))),
        ("cond", format!("let x = a{}", " ? b : c".repeat(n))),
        ("postfix", format!("let x = a{}", ".b".repeat(n))),
        ("calls", format!("let x = f{}", "(1)".repeat(n))),
        (
            "interp",
            format!("let x = {}x{}", "\"${".repeat(n), "}\"".repeat(n)),
        ),
        (
            "types",
            format!("type x = {}int{}", "list<".repeat(n), ">".repeat(n)),
        ),
        (
            "modules",
            format!("{}{}", "module M {\n".repeat(n), "}\n".repeat(n)),
        ),
        ("comps", format!("let x = {}", "[for x in ".repeat(n))),
    ];
    for (name, src) in &cases {
        let t = Instant::now();
        let (f, d) = strata_syntax::parse(strata_base::FileId(0), src);
        let tp = t.elapsed();
        let t = Instant::now();
        let _ = strata_syntax::format(&f, src);
        let tf = t.elapsed();
        let t = Instant::now();
        let _ = strata_syntax::dump(&f);
        let td = t.elapsed();
        println!(
            "{name:12} parse {tp:>10.2?} format {tf:>10.2?} dump {td:>10.2?} ({} diags)",
            d.len()
        );
    }
}
