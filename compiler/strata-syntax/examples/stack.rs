//! Check that the parser, formatter and dump handle deeply nested input on a given stack:
//! `cargo run -p strata-syntax --example stack -- CASE KIB` exits 0 when it fits (a stack
//! overflow aborts the process). Cases: parens lists records bang interp types modules.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args.get(1).map_or("parens", String::as_str);
    let kib: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2048);
    let n = 300;
    let src = match case {
        "parens" => format!("let x = {}1{}", "(".repeat(n), ")".repeat(n)),
        "lists" => format!("let x = {}{}", "[".repeat(n), "]".repeat(n)),
        "records" => format!("let x = {}1{}", "{a = ".repeat(n), "}".repeat(n)),
        "bang" => format!("let x = {}x", "!".repeat(n)),
        "interp" => format!("let x = {}x{}", "\"${".repeat(n), "}\"".repeat(n)),
        "types" => format!("type x = {}int{}", "list<".repeat(n), ">".repeat(n)),
        "modules" => format!("{}{}", "module M {\n".repeat(n), "}\n".repeat(n)),
        "binary" => format!("let x = 1{}", " + 1".repeat(n)),
        "postfix" => format!("let x = a{}", ".b".repeat(n)),
        _ => String::new(),
    };
    let ok = std::thread::Builder::new()
        .stack_size(kib * 1024)
        .spawn(move || {
            let what = std::env::var("STAGES").unwrap_or_else(|_| "pfd".into());
            let (f, d) = strata_syntax::parse(strata_base::FileId(0), &src);
            if what.contains('f') {
                let _ = strata_syntax::format(&f, &src);
            }
            if what.contains('d') {
                let _ = strata_syntax::dump(&f);
            }
            d.len()
        })
        .map(|h| h.join().is_ok())
        .unwrap_or(false);
    std::process::exit(if ok { 0 } else { 1 });
}
