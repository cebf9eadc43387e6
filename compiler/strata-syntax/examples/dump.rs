//! `cargo run -p strata-syntax --example dump -- FILE`: print the tree and the diagnostics.
use strata_base::{FileId, SourceFile};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let (file, diags) = strata_syntax::parse(FileId(0), &text);
    print!("{}", strata_syntax::dump(&file));
    let sf = SourceFile::new(FileId(0), path.clone(), text.as_str(), false);
    for d in diags {
        let lc = sf.line_col(d.primary.span.start);
        println!(
            "{}:{}: {}[{}]: {}",
            lc.line,
            lc.column,
            d.severity.as_str(),
            d.code,
            d.message
        );
    }
}
