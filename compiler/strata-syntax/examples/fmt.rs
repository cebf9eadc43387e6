//! `cargo run -p strata-syntax --example fmt -- FILE`: print the formatted file.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: fmt FILE");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    });
    match strata_syntax::format_source(&text) {
        Ok(out) => print!("{out}"),
        Err(diags) => {
            for d in diags {
                eprintln!("{}: {}", d.code, d.message);
            }
            std::process::exit(1);
        }
    }
}
