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
            ColorChoice::Auto => {
                std::io::stderr().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// A copy of the source map whose file names are what the user should see (paths relative to
/// the current directory). Texts are shared, not copied.
pub fn display_sources(sources: &SourceMap, project: &Project) -> SourceMap {
    let mut out = SourceMap::new();
    for f in sources.files() {
        out.add(
            project.display_file(sources, f.id),
            f.text.clone(),
            f.is_stdlib,
        );
    }
    out
}

/// Render diagnostics as miette reports, one after the other.
pub fn human(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|_| color)
        .unwrap_or(100);
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut out = String::new();
    for d in diagnostics {
        let report = match sources.try_get(d.primary.span.file) {
            // Placeholder files (a path that does not exist, an unreadable file): no snippet.
            Some(f) if f.text.is_empty() => without_source(d),
            Some(f) => windowed_report(d, f, sources),
            None => d.to_miette(sources),
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

/// Lines of context kept around the labels (miette shows one).
const WINDOW_MARGIN: usize = 3;

/// The source a report reads: only the lines around the diagnostic's labels, with spans, line
/// numbers and offsets translated back to the whole file. miette scans a source from its start
/// for every report, so thousands of diagnostics in a large file would otherwise cost
/// thousands of scans (and copies) of the whole file.
struct Window {
    name: String,
    text: std::sync::Arc<str>,
    /// Byte range of the window in `text`, and the 0-based line it starts on.
    start: usize,
    end: usize,
    first_line: usize,
}

impl miette::SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let window = &self.text[self.start..self.end];
        let offset = span.offset().saturating_sub(self.start).min(window.len());
        let len = span.len().min(window.len() - offset);
        let inner =
            window.read_span(&miette::SourceSpan::new(offset.into(), len), before, after)?;
        let data: &'a [u8] = inner.data();
        let shifted = miette::SourceSpan::new(
            (inner.span().offset() + self.start).into(),
            inner.span().len(),
        );
        let contents = miette::MietteSpanContents::new_named(
            self.name.clone(),
            data,
            shifted,
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count() + self.first_line,
        )
        .with_language("strata");
        Ok(Box::new(contents))
    }
}

/// [`Diagnostic::to_miette`], reading only a window of the file (see [`Window`]).
fn windowed_report(
    d: &Diagnostic,
    f: &strata_base::SourceFile,
    sources: &SourceMap,
) -> miette::Report {
    let text = &f.text;
    let spans: Vec<strata_base::Span> = std::iter::once(d.primary.span)
        .chain(
            d.secondary
                .iter()
                .map(|l| l.span)
                .filter(|s| s.file == f.id),
        )
        .collect();
    let lo = spans
        .iter()
        .map(|s| s.start as usize)
        .min()
        .unwrap_or(0)
        .min(text.len());
    let hi = spans
        .iter()
        .map(|s| s.end as usize)
        .max()
        .unwrap_or(0)
        .min(text.len());
    let first_line = (f.line_col(lo as u32).line as usize - 1).saturating_sub(WINDOW_MARGIN);
    let last_line = f.line_col(hi as u32).line as usize - 1 + WINDOW_MARGIN;
    let start = if first_line == 0 {
        0
    } else {
        f.offset_of_utf16(first_line as u32, 0)
    };
    let end = if last_line + 1 >= f.line_count() {
        text.len()
    } else {
        f.offset_of_utf16(last_line as u32 + 1, 0)
    };
    // The same report as `Diagnostic::to_miette`, with the window as its source.
    let clamp = |s: strata_base::Span| {
        let start = (s.start as usize).min(text.len());
        let end = (s.end as usize).min(text.len()).max(start);
        (start, end - start)
    };
    let label_text = |m: &str| {
        if m.is_empty() {
            None
        } else {
            Some(m.to_string())
        }
    };
    let mut labels = vec![miette::LabeledSpan::new_primary_with_span(
        label_text(&d.primary.message),
        clamp(d.primary.span),
    )];
    let mut notes: Vec<String> = d.notes.clone();
    for sec in &d.secondary {
        if sec.span.file == f.id {
            labels.push(miette::LabeledSpan::new_with_span(
                label_text(&sec.message),
                clamp(sec.span),
            ));
        } else if let Some(other) = sources.try_get(sec.span.file) {
            let lc = other.line_col(sec.span.start);
            notes.push(format!(
                "{}:{}:{}: {}",
                other.name, lc.line, lc.column, sec.message
            ));
        }
    }
    let mut help = d.help.clone().unwrap_or_default();
    for n in &notes {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str("note: ");
        help.push_str(n);
    }
    let mut m = miette::MietteDiagnostic::new(d.message.clone())
        .with_code(d.code.clone())
        .with_severity(severity(d))
        .with_labels(labels);
    if !help.is_empty() {
        m = m.with_help(help);
    }
    let window = Window {
        name: f.name.clone(),
        text: text.clone(),
        start,
        end: end.max(start),
        first_line,
    };
    miette::Report::new(m).with_source_code(window)
}

fn severity(d: &Diagnostic) -> miette::Severity {
    match d.severity {
        strata_base::Severity::Error => miette::Severity::Error,
        strata_base::Severity::Warning => miette::Severity::Warning,
        strata_base::Severity::Info => miette::Severity::Advice,
    }
}

/// A report of the message, code and help only.
fn without_source(d: &Diagnostic) -> miette::Report {
    let severity = severity(d);
    let mut help = d.help.clone().unwrap_or_default();
    for n in &d.notes {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str("note: ");
        help.push_str(n);
    }
    let mut m = miette::MietteDiagnostic::new(d.message.clone())
        .with_code(d.code.clone())
        .with_severity(severity);
    if !help.is_empty() {
        m = m.with_help(help);
    }
    miette::Report::new(m)
}

/// `2 errors, 1 warning` (only the non-zero counts; `no problems` when all are zero).
pub fn counts(s: &Summary) -> String {
    let mut parts = Vec::new();
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("1 {w}")
        } else {
            format!("{n} {w}s")
        }
    };
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
            JsonRelated {
                file,
                line,
                column,
                message: l.message.clone(),
            }
        })
        .collect();
    JsonDiagnostic {
        code: d.code.clone(),
        severity: d.severity.as_str(),
        message: d.message.clone(),
        file,
        line,
        column,
        end_line,
        end_column,
        help,
        related,
    }
}
