//! Printing diagnostics: miette's graphical reports for people, one JSON object for tools.

use miette::{GraphicalReportHandler, GraphicalTheme};
use serde::Serialize;
use std::io::IsTerminal;
use strata_base::{Diagnostic, SourceMap};
use strata_driver::{Project, Summary};

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and `NO_COLOR` is not set.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

/// A copy of the source map whose file names are what the user should see (paths relative to
/// the current directory). Texts are shared, not copied.
pub fn display_sources(sources: &SourceMap, project: &Project) -> SourceMap {
    let mut out = SourceMap::new();
    for f in sources.files() {
        out.add(project.display_file(sources, f.id), f.text.clone(), f.is_stdlib);
    }
    out
}

/// Render diagnostics as miette reports, one after the other.
pub fn human(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok()).filter(|_| color).unwrap_or(100);
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width).with_links(false);
    let mut out = String::new();
    for d in diagnostics {
        let report = match sources.try_get(d.primary.span.file) {
            // Placeholder files (a path that does not exist, an unreadable file): no snippet.
            Some(f) if f.text.is_empty() => without_source(d),
            _ => d.to_miette(sources),
        };
        let mut s = String::new();
        if handler.render_report(&mut s, report.as_ref()).is_err() {
            s = format!("{}[{}]: {}\n", d.severity.as_str(), d.code, d.message);
        }
        out.push_str(&s);
        if !s.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// A report of the message, code and help only.
fn without_source(d: &Diagnostic) -> miette::Report {
    let severity = match d.severity {
        strata_base::Severity::Error => miette::Severity::Error,
        strata_base::Severity::Warning => miette::Severity::Warning,
        strata_base::Severity::Info => miette::Severity::Advice,
    };
    let mut help = d.help.clone().unwrap_or_default();
    for n in &d.notes {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str("note: ");
        help.push_str(n);
    }
    let mut m = miette::MietteDiagnostic::new(d.message.clone()).with_code(d.code.clone()).with_severity(severity);
    if !help.is_empty() {
        m = m.with_help(help);
    }
    miette::Report::new(m)
}

/// `2 errors, 1 warning` (only the non-zero counts; `no problems` when all are zero).
pub fn counts(s: &Summary) -> String {
    let mut parts = Vec::new();
    let plural = |n: usize, w: &str| if n == 1 { format!("1 {w}") } else { format!("{n} {w}s") };
    if s.errors > 0 {
        parts.push(plural(s.errors, "error"));
    }
    if s.warnings > 0 {
        parts.push(plural(s.warnings, "warning"));
    }
    if s.infos > 0 {
        parts.push(plural(s.infos, "note"));
    }
    if parts.is_empty() {
        "no problems".to_string()
    } else {
        parts.join(", ")
    }
}

/// One diagnostic in `--format json`. Lines and columns are 1-based; columns count characters.
#[derive(Serialize)]
pub struct JsonDiagnostic {
    pub code: String,
    pub severity: &'static str,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub help: Option<String>,
    /// Secondary labels: other places involved (the other end of a cycle, a declaration).
    pub related: Vec<JsonRelated>,
}

#[derive(Serialize)]
pub struct JsonRelated {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

pub fn json_diagnostic(d: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
    let pos = |span: strata_base::Span| -> (String, u32, u32, u32, u32) {
        match sources.try_get(span.file) {
            Some(f) => {
                let a = f.line_col(span.start);
                let b = f.line_col(span.end);
                (f.name.clone(), a.line, a.column, b.line, b.column)
            }
            None => (String::new(), 1, 1, 1, 1),
        }
    };
    let (file, line, column, end_line, end_column) = pos(d.primary.span);
    let mut help = d.help.clone();
    for n in &d.notes {
        let h = help.get_or_insert_with(String::new);
        if !h.is_empty() {
            h.push('\n');
        }
        h.push_str("note: ");
        h.push_str(n);
    }
    let related = d
        .secondary
        .iter()
        .map(|l| {
            let (file, line, column, _, _) = pos(l.span);
            JsonRelated { file, line, column, message: l.message.clone() }
        })
        .collect();
    JsonDiagnostic { code: d.code.clone(), severity: d.severity.as_str(), message: d.message.clone(), file, line, column, end_line, end_column, help, related }
}
