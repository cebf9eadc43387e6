//! Markdown for the terminal (`strata explain CODE` on a terminal): headings in bold, code
//! blocks indented (and coloured), list bullets, inline code and emphasis without their marks.
//! Only the Markdown the code documentation uses; anything else is printed as written.

const BOLD: &str = "\x1b[1m";
const UNDERLINE: &str = "\x1b[4m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// Render `md` for a terminal; `color`: with ANSI styles (else the structure only: headings
/// underlined with `─`, code indented).
pub fn to_terminal(md: &str, color: bool) -> String {
    let mut out = String::with_capacity(md.len() + md.len() / 4);
    let mut in_code = false;
    for line in md.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            if color {
                out.push_str(CYAN);
                out.push_str(line);
                out.push_str(RESET);
            } else {
                out.push_str(line);
            }
            out.push('\n');
            continue;
        }
        let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
        if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
            let title = inline(trimmed[hashes..].trim(), color);
            if color {
                out.push_str(BOLD);
                if hashes <= 2 {
                    out.push_str(UNDERLINE);
                }
                out.push_str(&title);
                out.push_str(RESET);
                out.push('\n');
            } else {
                let width = strip_ansi(&title).chars().count();
                out.push_str(&title);
                out.push('\n');
                out.push_str(&(if hashes <= 2 { "─" } else { "-" }).repeat(width));
                out.push('\n');
            }
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            out.push_str(indent);
            out.push_str("  • ");
            out.push_str(&inline(item, color));
        } else {
            out.push_str(&inline(line, color));
        }
        out.push('\n');
    }
    out
}

/// Inline marks: `code`, **strong**, [text](url).
fn inline(s: &str, color: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            if let Some(end) = rest[1..].find('`') {
                let code = &rest[1..1 + end];
                if color {
                    out.push_str(CYAN);
                    out.push_str(code);
                    out.push_str(RESET);
                } else {
                    out.push('`');
                    out.push_str(code);
                    out.push('`');
                }
                rest = &rest[end + 2..];
                continue;
            }
        } else if rest.starts_with("**") {
            if let Some(end) = rest[2..].find("**") {
                let text = &rest[2..2 + end];
                if color {
                    out.push_str(BOLD);
                    out.push_str(text);
                    out.push_str(RESET);
                } else {
                    out.push_str(text);
                }
                rest = &rest[end + 4..];
                continue;
            }
        } else if c == '[' {
            if let Some(close) = rest.find("](") {
                if let Some(end) = rest[close..].find(')') {
                    let text = &rest[1..close];
                    let url = &rest[close + 2..close + end];
                    if !text.contains('[') && !url.contains(' ') {
                        out.push_str(text);
                        out.push_str(" (");
                        out.push_str(url);
                        out.push(')');
                        rest = &rest[close + end + 1..];
                        continue;
                    }
                }
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "## What it checks\nA `versoning` typo, **silently** ignored.\n\n- one\n- two [docs](https://x.invalid/a)\n\n```strata\nresource b: ObjectStore { versoning = true }\n```\n";

    #[test]
    fn renders_structure_without_colour() {
        assert_eq!(
            to_terminal(DOC, false),
            "What it checks\n──────────────\nA `versoning` typo, silently ignored.\n\n  • one\n  • two docs (https://x.invalid/a)\n\n    resource b: ObjectStore { versoning = true }\n"
        );
    }

    #[test]
    fn renders_styles_with_colour() {
        let s = to_terminal(DOC, true);
        assert!(
            s.starts_with("\x1b[1m\x1b[4mWhat it checks\x1b[0m\n"),
            "{s:?}"
        );
        assert!(s.contains("A \x1b[36mversoning\x1b[0m typo, \x1b[1msilently\x1b[0m"));
        assert!(s.contains("    \x1b[36mresource b"));
        assert!(!s.contains("```") && !s.contains("##"));
        assert_eq!(strip_ansi(&s).lines().count(), 7);
    }

    #[test]
    fn unmatched_marks_are_kept() {
        assert_eq!(inline("a `b and **c", false), "a `b and **c");
        assert_eq!(inline("[x] y", false), "[x] y");
        assert_eq!(inline("é`ü`", false), "é`ü`");
    }
}
