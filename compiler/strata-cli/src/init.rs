//! `strata init [DIR]`: a starter project that checks and compiles as it is.

use std::path::Path;

const MAIN: &str = include_str!("../templates/main.strata");
const CONFIG: &str = include_str!("../templates/strata.toml");
const GITIGNORE: &str = "out/\n";

/// A stack name from a directory name: lowercase letters, digits and `_`, starting with a letter.
fn stack_name(dir: &Path) -> String {
    let base = std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let mut s: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    s = s.trim_matches('_').to_string();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s = format!("app{}{s}", if s.is_empty() { "" } else { "_" });
    }
    s
}

pub fn init(dir: &Path) -> i32 {
    if let Ok(entries) = std::fs::read_dir(dir) {
        let existing: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".strata") || n == "strata.toml")
            .collect();
        if !existing.is_empty() {
            eprintln!(
                "error: `{}` already holds a Strata project ({}); nothing was written",
                dir.display(),
                existing.join(", ")
            );
            return 2;
        }
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create `{}`: {e}", dir.display());
        return 2;
    }
    let name = stack_name(dir);
    let files = [
        ("main.strata", MAIN.replace("{{name}}", &name)),
        ("strata.toml", CONFIG.to_string()),
        (".gitignore", GITIGNORE.to_string()),
    ];
    for (file, text) in &files {
        let path = dir.join(file);
        if *file == ".gitignore" && path.exists() {
            continue;
        }
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return 2;
        }
        println!("created {}", path.display());
    }
    let shown = dir.display().to_string();
    let cd = if shown == "." {
        String::new()
    } else {
        format!("cd {shown} && ")
    };
    eprintln!("\nnext: {cd}strata check && strata compile --env prod");
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_names_are_identifiers() {
        assert_eq!(stack_name(Path::new("/nonexistent/My-Shop")), "my_shop");
        assert_eq!(stack_name(Path::new("/nonexistent/42")), "app_42");
    }
}
