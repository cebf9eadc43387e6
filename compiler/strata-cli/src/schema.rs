//! `strata schema list|show` and `strata explain TYPE`: the type reference of the three layers
//! (generated, curated, portable), from `strata_driver::reference`.

use std::io::Write;
use strata_driver::reference;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaFormat {
    /// Text for people.
    Human,
    /// JSON for tools.
    Json,
}

/// Write to stdout; a failed write (a full disk, a closed pipe) is exit 2 with a message.
fn write_out(s: &str) -> i32 {
    let mut o = std::io::stdout().lock();
    match o.write_all(s.as_bytes()).and_then(|()| o.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            2
        }
    }
}

pub fn list(family: Option<&str>, format: SchemaFormat) -> i32 {
    let types = match reference::list(family) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    match format {
        SchemaFormat::Json => {
            match serde_json::to_string_pretty(&serde_json::json!({ "types": types })) {
                Ok(s) => write_out(&(s + "\n")),
                Err(e) => {
                    eprintln!("error: {e}");
                    2
                }
            }
        }
        SchemaFormat::Human => {
            let w = types
                .iter()
                .map(|t| t.name.len())
                .max()
                .unwrap_or(0)
                .min(60);
            let mut s = String::with_capacity(types.len() * 64);
            for t in &types {
                s.push_str(&format!("{:<w$}  {}\n", t.name, t.targets.join(", ")));
            }
            s.push_str(&format!(
                "\n{} types; `strata schema show TYPE` documents one.\n",
                types.len()
            ));
            write_out(&s)
        }
    }
}

pub fn show(name: &str, format: SchemaFormat) -> i32 {
    match reference::show(name) {
        Ok(doc) => match format {
            SchemaFormat::Json => match serde_json::to_string_pretty(&doc) {
                Ok(s) => write_out(&(s + "\n")),
                Err(e) => {
                    eprintln!("error: {e}");
                    2
                }
            },
            SchemaFormat::Human => write_out(&reference::render(&doc)),
        },
        Err(near) => {
            let hint = if near.is_empty() {
                "; `strata schema list` lists every type".to_string()
            } else {
                format!(
                    "; did you mean {}?",
                    near.iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            eprintln!("error: unknown type `{name}`{hint}");
            2
        }
    }
}

/// `strata explain X`: X is a type when it looks like one (`aws.s3.Bucket`).
pub fn is_type(x: &str) -> bool {
    reference::is_type_name(x)
}
