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
    /// Always colour (ANSI escapes, graphical reports).
    Always,
    /// Never colour: plain reports with `error[CODE]:` headers.
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

/// Render diagnostics of a check as the command line prints them on stderr (file names as the
/// user should see them).
pub fn outcome_human(
    outcome: &strata_driver::CheckOutcome,
    diagnostics: &[Diagnostic],
    color: bool,
) -> String {
    if diagnostics.is_empty() {
        return String::new();
    }
    human(
        diagnostics,
        &display_sources(&outcome.sources, &outcome.project),
        color,
    )
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
        // Plain output (logs, CI) starts each report with rustc's header line,
        // `error[E2001]: message`; miette then draws only the snippet and the help.
        let plain = !color;
        let report = match sources.try_get(d.primary.span.file) {
            // Placeholder files (a path that does not exist, an unreadable file): no snippet.
            Some(f) if f.text.is_empty() => without_source(d, plain),
            Some(f) => windowed_report(d, f, sources, plain),
            None if plain => without_source(d, plain),
            None => d.to_miette(sources),
        };
        let mut s = String::new();
        if handler.render_report(&mut s, report.as_ref()).is_err() {
            s = String::new();
        } else if plain {
            // The first line is miette's severity glyph and the (empty) message.
            s = match s.split_once('\n') {
                Some((_, rest)) => rest.to_string(),
                None => String::new(),
            };
        }
        if plain || s.is_empty() {
            s.insert_str(0, &header(d));
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

/// Lines longer than this (in bytes) are shown clipped to the part around their labels, with
/// `…` where text was left out. miette pads a label to its column with a `{:width$}` format,
/// whose width cannot exceed 65,535: a label further right on its line made the renderer panic
/// ("Formatting argument out of range"). A 70,000-character line is no use to a reader anyway.
const LONG_LINE: usize = 400;
/// Bytes kept on each side of the labels of a clipped line.
const CLIP_CONTEXT: usize = 80;
/// What stands for the text left out of a clipped line.
const ELLIPSIS: &str = "…";

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
    /// Set when `text` is a clipped copy of the window (see [`LONG_LINE`]): the map back to
    /// the file, so that the `[file:line:column]` header shows the column in the file.
    clip: Option<Clip>,
}

impl Window {
    /// Where a label over the file bytes `a..b` goes in the report: offset and length in the
    /// window's text (the file's own offsets, unless the window is clipped).
    fn place(&self, (a, b): (usize, usize)) -> (usize, usize) {
        match &self.clip {
            Some(clip) => {
                let (a, b) = (clip.to_clipped(a), clip.to_clipped(b));
                (a, b.max(a) - a)
            }
            None => (a, b - a),
        }
    }
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
        let column = match &self.clip {
            Some(clip) => clip.file_column(offset),
            None => inner.column(),
        };
        let contents = miette::MietteSpanContents::new_named(
            self.name.clone(),
            data,
            shifted,
            inner.line() + self.first_line,
            column,
            inner.line_count() + self.first_line,
        )
        .with_language("strata");
        Ok(Box::new(contents))
    }
}

/// A piece of a clipped window: `file` bytes of the file, at `at` in the clipped text; either
/// copied (`kept`) or replaced by [`ELLIPSIS`].
#[derive(Clone, Copy, Debug)]
struct Piece {
    file: (usize, usize),
    at: usize,
    kept: bool,
}

/// A copy of a window of the file in which long lines keep only the text around their labels,
/// and a lone `\r` (a classic Mac OS line break) is written `\n`: miette counts it as a line
/// break when it finds the line of a span, but not when it splits the snippet into lines, and a
/// terminal would move the cursor back over the line.
struct Clip {
    text: String,
    /// In file order, covering the window without gaps.
    pieces: Vec<Piece>,
    /// The whole file, to find the real column of a position.
    file_text: std::sync::Arc<str>,
}

fn is_line_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The end of the line starting at `from` (the offset of its line break, or `text.len()`).
fn line_end(text: &str, from: usize) -> usize {
    text.as_bytes()[from..]
        .iter()
        .position(|&b| is_line_break(b))
        .map_or(text.len(), |i| from + i)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl Clip {
    /// Clip the long lines of `text[start..end]` (which starts at a line start). `points` are
    /// the file offsets the labels start and end at; a long line keeps the part around the
    /// points on it, a long line without any keeps the columns kept on the primary label's
    /// line (`primary`, a file offset).
    fn new(
        text: &std::sync::Arc<str>,
        start: usize,
        end: usize,
        points: &[usize],
        primary: usize,
    ) -> Clip {
        let bytes = text.as_bytes();
        let line_start_of = |o: usize| {
            bytes[..o]
                .iter()
                .rposition(|&b| is_line_break(b))
                .map_or(0, |i| i + 1)
        };
        // The columns to keep on a long line whose label points are `cols` (byte columns).
        let keep = |cols: &[usize]| -> (usize, usize) {
            let lo = cols.iter().copied().min().unwrap_or(0);
            let hi = cols.iter().copied().max().unwrap_or(0);
            let from = lo.saturating_sub(CLIP_CONTEXT);
            let to = if hi - lo <= LONG_LINE - 2 * CLIP_CONTEXT {
                hi + CLIP_CONTEXT
            } else {
                from + LONG_LINE
            };
            (from, to)
        };
        let primary_start = line_start_of(primary.min(text.len()));
        let primary_cols: Vec<usize> = points
            .iter()
            .filter(|&&p| p >= primary_start && p <= line_end(text, primary_start))
            .map(|p| p - primary_start)
            .collect();
        let default_keep = keep(&primary_cols);

        let mut clip = Clip {
            text: String::new(),
            pieces: Vec::new(),
            file_text: text.clone(),
        };
        let push = |clip: &mut Clip, from: usize, to: usize, kept: bool| {
            if from == to {
                return;
            }
            clip.pieces.push(Piece {
                file: (from, to),
                at: clip.text.len(),
                kept,
            });
            if !kept {
                clip.text.push_str(ELLIPSIS);
            } else if bytes[to - 1] == b'\r' && bytes.get(to) != Some(&b'\n') {
                // A lone `\r` ends a piece (it is a line break); same length as `\n`.
                clip.text.push_str(&text[from..to - 1]);
                clip.text.push('\n');
            } else {
                clip.text.push_str(&text[from..to]);
            }
        };
        let mut line = start;
        while line < end {
            let le = line_end(text, line).min(end);
            // The line break: `\r\n`, `\n` or `\r`.
            let mut next = le;
            if next < end && bytes[next] == b'\r' {
                next += 1;
            }
            if next < end && bytes[next] == b'\n' && (next == le || bytes[le] == b'\r') {
                next += 1;
            }
            if le - line <= LONG_LINE {
                push(&mut clip, line, next, true);
            } else {
                let cols: Vec<usize> = points
                    .iter()
                    .filter(|&&p| p >= line && p <= le)
                    .map(|p| p - line)
                    .collect();
                let (from, to) = if cols.is_empty() {
                    default_keep
                } else {
                    keep(&cols)
                };
                let from = floor_boundary(text, (line + from).min(le));
                let to = ceil_boundary(text, (line + to).min(le)).max(from);
                push(&mut clip, line, from, false);
                push(&mut clip, from, to, true);
                push(&mut clip, to, le, false);
                push(&mut clip, le, next, true);
            }
            if next == line {
                break;
            }
            line = next;
        }
        clip
    }

    /// The offset in the clipped text of a file offset. Monotone: a position in text left out
    /// maps to the start of its `…`.
    fn to_clipped(&self, file: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.file.0 <= file);
        match i.checked_sub(1).map(|i| self.pieces[i]) {
            None => 0,
            Some(p) if p.kept => p.at + file.min(p.file.1) - p.file.0,
            Some(p) if file >= p.file.1 => p.at + ELLIPSIS.len(),
            Some(p) => p.at,
        }
    }

    /// The 0-based byte column in the file of an offset in the clipped text.
    fn file_column(&self, clipped: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.at <= clipped);
        let file = match i.checked_sub(1).map(|i| self.pieces[i]) {
            None => 0,
            Some(p) if p.kept => p.file.0 + (clipped - p.at).min(p.file.1 - p.file.0),
            Some(p) => p.file.0,
        };
        let bytes = self.file_text.as_bytes();
        let file = file.min(bytes.len());
        file - bytes[..file]
            .iter()
            .rposition(|&b| is_line_break(b))
            .map_or(0, |i| i + 1)
    }
}

/// [`Diagnostic::to_miette`], reading only a window of the file (see [`Window`]), with long
/// lines clipped (see [`LONG_LINE`]).
fn windowed_report(
    d: &Diagnostic,
    f: &strata_base::SourceFile,
    sources: &SourceMap,
    plain: bool,
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
    let end = end.max(start);
    // The same report as `Diagnostic::to_miette`, with the window as its source.
    let clamp = |s: strata_base::Span| {
        let start = (s.start as usize).min(text.len());
        let end = (s.end as usize).min(text.len()).max(start);
        (start, end)
    };
    let bytes = &text.as_bytes()[start..end];
    let has_long_line = bytes
        .split(|&b| is_line_break(b))
        .any(|l| l.len() > LONG_LINE);
    let has_lone_cr = bytes.contains(&b'\r')
        && (0..bytes.len())
            .any(|i| bytes[i] == b'\r' && text.as_bytes().get(start + i + 1) != Some(&b'\n'));
    let window = if has_long_line || has_lone_cr {
        let points: Vec<usize> = spans
            .iter()
            .flat_map(|&s| <[usize; 2]>::from(clamp(s)))
            .collect();
        let clip = Clip::new(text, start, end, &points, clamp(d.primary.span).0);
        let clipped: std::sync::Arc<str> = clip.text.as_str().into();
        Window {
            name: f.name.clone(),
            end: clipped.len(),
            text: clipped,
            start: 0,
            first_line,
            clip: Some(clip),
        }
    } else {
        Window {
            name: f.name.clone(),
            text: text.clone(),
            start,
            end,
            first_line,
            clip: None,
        }
    };
    let place = |s: strata_base::Span| window.place(clamp(s));
    let label_text = |m: &str| {
        if m.is_empty() {
            None
        } else {
            Some(m.to_string())
        }
    };
    let mut labels = vec![miette::LabeledSpan::new_primary_with_span(
        label_text(&d.primary.message),
        place(d.primary.span),
    )];
    let mut notes: Vec<String> = d.notes.clone();
    for sec in &d.secondary {
        if sec.span.file == f.id {
            labels.push(miette::LabeledSpan::new_with_span(
                label_text(&sec.message),
                place(sec.span),
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
    let mut m = if plain {
        miette::MietteDiagnostic::new("")
    } else {
        miette::MietteDiagnostic::new(d.message.clone()).with_code(d.code.clone())
    }
    .with_severity(severity(d))
    .with_labels(labels);
    if !help.is_empty() {
        m = m.with_help(help);
    }
    miette::Report::new(m).with_source_code(window)
}

/// `error[E2001]: unknown property `rotaton``, as rustc writes it (`note` for infos).
pub fn header(d: &Diagnostic) -> String {
    let word = match d.severity {
        strata_base::Severity::Error => "error",
        strata_base::Severity::Warning => "warning",
        strata_base::Severity::Info => "note",
    };
    format!("{word}[{}]: {}\n", d.code, d.message)
}

fn severity(d: &Diagnostic) -> miette::Severity {
    match d.severity {
        strata_base::Severity::Error => miette::Severity::Error,
        strata_base::Severity::Warning => miette::Severity::Warning,
        strata_base::Severity::Info => miette::Severity::Advice,
    }
}

/// A report of the message, code and help only (`plain`: of the help only, the header line
/// is written apart).
fn without_source(d: &Diagnostic, plain: bool) -> miette::Report {
    let severity = severity(d);
    let mut help = d.help.clone().unwrap_or_default();
    for n in &d.notes {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str("note: ");
        help.push_str(n);
    }
    let mut m = if plain {
        miette::MietteDiagnostic::new("")
    } else {
        miette::MietteDiagnostic::new(d.message.clone()).with_code(d.code.clone())
    }
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
    /// Structured fixes: what `strata check --fix` (machine-applicable ones) and editors apply.
    pub fixes: Vec<JsonFix>,
}

#[derive(Serialize)]
pub struct JsonFix {
    pub title: String,
    /// `machine-applicable` or `maybe-incorrect`.
    pub applicability: &'static str,
    pub edits: Vec<JsonEdit>,
}

/// Replace the text from (`line`, `column`) to (`end_line`, `end_column`) — 1-based, columns in
/// characters, the end exclusive; equal for an insertion — with `replacement`. `start_byte` and
/// `end_byte` are the same range as byte offsets in the file.
#[derive(Serialize)]
pub struct JsonEdit {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub start_byte: u32,
    pub end_byte: u32,
    pub replacement: String,
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
    let fixes = d
        .fixes
        .iter()
        .map(|f| JsonFix {
            title: f.title.clone(),
            applicability: f.applicability.as_str(),
            edits: f
                .edits
                .iter()
                .map(|e| {
                    let (file, line, column, end_line, end_column) = pos(e.span);
                    JsonEdit {
                        file,
                        line,
                        column,
                        end_line,
                        end_column,
                        start_byte: e.span.start,
                        end_byte: e.span.end,
                        replacement: e.replacement.clone(),
                    }
                })
                .collect(),
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
        fixes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_base::Span;

    fn render(text: &str, d: &Diagnostic) -> String {
        let mut sources = SourceMap::new();
        sources.add("main.strata", text, false);
        human(std::slice::from_ref(d), &sources, false)
    }

    #[test]
    fn a_label_past_column_65535_is_clipped_not_fatal() {
        // miette pads a label to its column with `{:width$}`; a width above 65,535 panicked.
        let text = format!("let a = \"{}\" + zz\nlet b = 1\n", "x".repeat(70_000));
        let at = text.find("zz").expect("zz");
        let d = Diagnostic::error(
            "E1001",
            "unknown name `zz`",
            Span::new(strata_base::FileId(0), at, at + 2),
        )
        .with_label("not found")
        .with_help("h");
        let out = render(&text, &d);
        assert!(out.contains("[main.strata:1:70014]"), "{out}");
        assert!(
            out.contains("…") && out.contains("\" + zz") && out.contains("not found"),
            "{out}"
        );
        assert!(
            out.lines().all(|l| l.chars().count() < 2 * LONG_LINE),
            "{out}"
        );
        // A label over the whole long line, wide characters, tabs, a label on the next line.
        for text in [
            format!("{}\n", "界".repeat(40_000)),
            format!("a{}b\n", "\t".repeat(70_000)),
            format!("{}\r\nzz\n", "y".repeat(70_000)),
        ] {
            for (a, b) in [
                (0, text.len() - 1),
                (text.len() - 3, text.len() - 1),
                (1, 1),
                (text.len(), text.len()),
            ] {
                let d = Diagnostic::error("E1001", "m", Span::new(strata_base::FileId(0), a, b))
                    .with_label("here");
                let out = render(&text, &d);
                // miette draws no label at the very end of a file that ends with a line break; a
                // tab is 4 columns wide.
                assert!(
                    (out.contains("here") || a == text.len())
                        && out.lines().all(|l| l.chars().count() < 4 * LONG_LINE + 100),
                    "{a}..{b}: {out}"
                );
            }
        }
    }

    #[test]
    fn lone_carriage_returns_render_as_line_breaks() {
        let lf = "// keys\nlet a = 1\nlet b = zz\nlet c = 3\n";
        let at = lf.find("zz").expect("zz");
        let d = Diagnostic::error(
            "E1001",
            "unknown name `zz`",
            Span::new(strata_base::FileId(0), at, at + 2),
        )
        .with_label("not found");
        let out = render(lf, &d);
        assert!(
            out.contains("[main.strata:3:9]") && out.contains(" 3 │ let b = zz\n"),
            "{out}"
        );
        assert_eq!(render(&lf.replace('\n', "\r"), &d), out);
    }

    #[test]
    fn short_lines_are_not_clipped() {
        let text = format!("let a = \"{}\" + zz\n", "x".repeat(LONG_LINE - 20));
        let at = text.find("zz").expect("zz");
        let d = Diagnostic::error(
            "E1001",
            "unknown name `zz`",
            Span::new(strata_base::FileId(0), at, at + 2),
        )
        .with_label("not found");
        let out = render(&text, &d);
        assert!(
            !out.contains('…') && out.contains(&text[..text.len() - 1]),
            "{out}"
        );
    }

    #[test]
    fn clipped_offsets_map_back_to_the_file() {
        let text: std::sync::Arc<str> = format!(
            "short\n{}\nshort\r{}\r\n",
            "a".repeat(1000),
            "b".repeat(1000)
        )
        .into();
        let points = [6 + 500, 6 + 510, 1013 + 100];
        let clip = Clip::new(&text, 0, text.len(), &points, 506);
        let mut last = 0;
        for o in 0..=text.len() {
            let c = clip.to_clipped(o);
            assert!(c >= last && c <= clip.text.len(), "not monotone at {o}");
            last = c;
        }
        for &p in &points {
            let c = clip.to_clipped(p);
            let line_start = text[..p].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            assert_eq!(clip.file_column(c), p - line_start, "column of {p}");
        }
        let breaks = |s: &str| s.matches(['\n', '\r']).count();
        assert_eq!(breaks(&clip.text), breaks(&text));
        assert!(clip.text.len() < 2 * LONG_LINE + 40, "{}", clip.text.len());
    }
}
