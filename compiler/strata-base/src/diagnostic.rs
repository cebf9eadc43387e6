use crate::source::{SourceMap, Span};
use miette::{LabeledSpan, MietteDiagnostic, NamedSource};
use serde::Serialize;

/// How bad a diagnostic is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A labelled source span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// How certain a [`Fix`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// The fix is what was meant: `strata check --fix` applies it without asking.
    MachineApplicable,
    /// A likely fix that a person should look at (editors offer it; `--fix` leaves it).
    MaybeIncorrect,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::MachineApplicable => "machine-applicable",
            Applicability::MaybeIncorrect => "maybe-incorrect",
        }
    }
}

/// One text replacement of a [`Fix`]: the bytes of `span` become `replacement` (an empty span
/// inserts).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// A structured fix of a diagnostic: a title (`Replace `rotaton` with `rotation``), the edits
/// to make, and how certain it is. The editors' quick fixes, `strata check --fix` and
/// `--format json` read these; nothing parses the help text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    /// A fix that replaces the text of one span.
    pub fn replace(
        title: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
        applicability: Applicability,
    ) -> Fix {
        Fix {
            title: title.into(),
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
            applicability,
        }
    }
    /// The usual did-you-mean fix: replace the (misspelt) text of `span` with `name`.
    pub fn rename(span: Span, from: &str, name: &str) -> Fix {
        Fix::replace(
            format!("Replace `{from}` with `{name}`"),
            span,
            name,
            Applicability::MachineApplicable,
        )
    }
    pub fn is_machine_applicable(&self) -> bool {
        self.applicability == Applicability::MachineApplicable
    }
}

/// One finding of any stage: a stable code, a severity, a message, a primary labelled span,
/// optional secondary labels, and a help line telling the user what to do.
///
/// Codes: `E0xxx` syntax, `E1xxx` resolution, `E2xxx` types and values, `E3xxx` graph,
/// `E4xxx` project and I/O, `SEC…`/`COST…`/`POL…` policy rules (see `strata explain`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub notes: Vec<String>,
    /// Structured fixes (usually the one the help line describes); empty when the fix is not
    /// known exactly.
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(
        code: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
        span: Span,
    ) -> Self {
        Diagnostic {
            code: code.into(),
            severity,
            message: message.into(),
            primary: Label::new(span, ""),
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
            fixes: Vec::new(),
        }
    }
    pub fn error(code: impl Into<String>, message: impl Into<String>, span: Span) -> Self {
        Diagnostic::new(code, Severity::Error, message, span)
    }
    pub fn warning(code: impl Into<String>, message: impl Into<String>, span: Span) -> Self {
        Diagnostic::new(code, Severity::Warning, message, span)
    }
    pub fn info(code: impl Into<String>, message: impl Into<String>, span: Span) -> Self {
        Diagnostic::new(code, Severity::Info, message, span)
    }
    /// Text of the primary label (shown under the span).
    pub fn with_label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label::new(span, message));
        self
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }
    pub fn span(&self) -> Span {
        self.primary.span
    }

    /// Ordering used everywhere diagnostics are printed: file, position, code, message.
    pub fn sort_key(&self) -> (u32, u32, u32, String, String) {
        let s = self.primary.span;
        (
            s.file.0,
            s.start,
            s.end,
            self.code.clone(),
            self.message.clone(),
        )
    }

    /// Convert to a miette report with the source attached, for graphical printing.
    /// Secondary labels in other files than the primary one become notes.
    pub fn to_miette(&self, sources: &SourceMap) -> miette::Report {
        let file = sources.try_get(self.primary.span.file);
        let mut labels = Vec::new();
        let mut extra_notes = Vec::new();
        let label_text = |l: &Label| {
            if l.message.is_empty() {
                None
            } else {
                Some(l.message.clone())
            }
        };
        if let Some(f) = file {
            let clamp = |s: Span| {
                let len = f.text.len();
                let start = (s.start as usize).min(len);
                let end = (s.end as usize).min(len).max(start);
                (start, end - start)
            };
            let (o, l) = clamp(self.primary.span);
            labels.push(LabeledSpan::new_primary_with_span(
                label_text(&self.primary),
                (o, l),
            ));
            for sec in &self.secondary {
                if sec.span.file == self.primary.span.file {
                    let (o, l) = clamp(sec.span);
                    labels.push(LabeledSpan::new_with_span(label_text(sec), (o, l)));
                } else if let Some(other) = sources.try_get(sec.span.file) {
                    let lc = other.line_col(sec.span.start);
                    extra_notes.push(format!(
                        "{}:{}:{}: {}",
                        other.name, lc.line, lc.column, sec.message
                    ));
                }
            }
        }
        let mut help = self.help.clone().unwrap_or_default();
        for n in self.notes.iter().chain(extra_notes.iter()) {
            if !help.is_empty() {
                help.push('\n');
            }
            help.push_str("note: ");
            help.push_str(n);
        }
        let severity = match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        };
        let mut d = MietteDiagnostic::new(self.message.clone())
            .with_code(self.code.clone())
            .with_severity(severity)
            .with_labels(labels);
        if !help.is_empty() {
            d = d.with_help(help);
        }
        let report = miette::Report::new(d);
        match file {
            Some(f) => report.with_source_code(
                NamedSource::new(f.name.clone(), f.text.to_string()).with_language("strata"),
            ),
            None => report,
        }
    }
}

/// Names longer than this get no "did you mean" suggestion, and candidates longer than this
/// are never suggested: typos are made in names people type, and comparing two strings costs
/// the product of their lengths.
pub const MAX_SUGGESTION_LEN: usize = 64;

/// The candidate closest to `name` if it is close enough to be a plausible typo: a Jaro-Winkler
/// similarity of at least 0.8 (ignoring case) or an edit distance of at most a quarter of the
/// name (at least 2). The work per candidate is bounded: names longer than
/// [`MAX_SUGGESTION_LEN`] are not compared, and counting common characters rules most
/// candidates out before the similarity and the edit distance are computed.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    if name.len() > MAX_SUGGESTION_LEN {
        return None;
    }
    let lower = name.to_lowercase();
    let filter = Prefilter::new(&lower);
    let max_edits = 2.max(name.len() / 4);
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        if c == name || c.len() > MAX_SUGGESTION_LEN || !filter.may_match(c, max_edits) {
            continue;
        }
        let score = strsim::jaro_winkler(&lower, &c.to_lowercase());
        let plausible = score >= 0.8 || strsim::levenshtein(name, c) <= max_edits;
        if plausible && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A necessary condition for [`did_you_mean`]'s test, from the number `m` of characters two
/// ASCII names have in common (as multisets, ignoring case), in O(length):
/// - Jaro-Winkler ≥ 0.8 needs a Jaro similarity above 0.7 (at or below it no prefix bonus
///   applies), and Jaro ≤ (m/a + m/b + 1)/3, so m/a + m/b > 1.1;
/// - an edit distance ≤ k needs m ≥ max(a, b) − k (an edit changes at most one character).
///
/// Names with other characters are not filtered.
struct Prefilter {
    counts: Option<[u16; 128]>,
    len: usize,
}

impl Prefilter {
    fn new(lower: &str) -> Self {
        let mut counts = [0u16; 128];
        let ascii = lower.is_ascii();
        if ascii {
            for b in lower.bytes() {
                counts[b as usize] += 1;
            }
        }
        Prefilter {
            counts: ascii.then_some(counts),
            len: lower.len(),
        }
    }

    fn may_match(&self, candidate: &str, max_edits: usize) -> bool {
        let Some(mut counts) = self.counts else {
            return true;
        };
        if !candidate.is_ascii() {
            return true;
        }
        let mut common = 0usize;
        for b in candidate.bytes() {
            let slot = &mut counts[b.to_ascii_lowercase() as usize];
            if *slot > 0 {
                *slot -= 1;
                common += 1;
            }
        }
        let (a, b) = (self.len.max(1) as f64, candidate.len().max(1) as f64);
        let jaro_possible = common as f64 / a + common as f64 / b > 1.1;
        let edits_possible = common + max_edits >= self.len.max(candidate.len());
        jaro_possible || edits_possible
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["versioning", "encryption", "lifecycle"];
        assert_eq!(did_you_mean("versoning", names), Some("versioning"));
        assert_eq!(did_you_mean("zzz", names), None);
        assert_eq!(did_you_mean("ENCRIPTION", names), Some("encryption"));
    }

    /// Issue 13: "did you mean" on a 100,000-character unknown name took 59 s.
    #[test]
    fn long_names_get_no_suggestion_in_bounded_time() {
        let long = "a".repeat(100_000);
        let many: Vec<String> = (0..10_000)
            .map(|i| format!("{}{i}", "a".repeat(i % 200)))
            .collect();
        let t = std::time::Instant::now();
        assert_eq!(did_you_mean(&long, many.iter().map(String::as_str)), None);
        assert_eq!(did_you_mean("aaaa1", [long.as_str()]), None);
        assert!(did_you_mean("aaaa1", many.iter().map(String::as_str)).is_some());
        assert!(
            t.elapsed() < std::time::Duration::from_secs(1),
            "{:?}",
            t.elapsed()
        );
    }

    /// The pre-filter only skips candidates the full test rejects.
    #[test]
    fn the_prefilter_agrees_with_the_full_test() {
        let words = [
            "versioning",
            "encryption",
            "lifecycle",
            "vers",
            "v",
            "",
            "ab",
            "ba",
            "abc",
            "acb",
            "bucket",
            "buckets",
            "bukcet",
            "tags",
            "stag",
            "x1",
            "engine_version",
            "version_engine",
            "MaxReceives",
            "max_receives",
            "kms_key",
            "kmskey",
            "a_very_long_property_name_indeed",
            "a_very_long_property_nam",
            "ENCRIPTION",
        ];
        for name in words {
            let lower = name.to_lowercase();
            let f = Prefilter::new(&lower);
            let k = 2.max(name.len() / 4);
            for c in words {
                let full = strsim::jaro_winkler(&lower, &c.to_lowercase()) >= 0.8
                    || strsim::levenshtein(name, c) <= k;
                assert!(
                    !full || f.may_match(c, k),
                    "{name:?} / {c:?} would be filtered out"
                );
            }
        }
    }
}

/// Documentation of one diagnostic code, printed by `strata explain CODE`. Every stage exports
/// the list of the codes it can report (`pub fn codes() -> Vec<CodeDoc>`); the driver merges them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeDoc {
    /// `E2001`, `SEC001`, ...
    pub code: &'static str,
    /// Short kebab-case name: `unknown-property`.
    pub name: &'static str,
    pub severity: Severity,
    /// Markdown with the sections *What it checks*, *Why it matters*, *Example*, *Fix*.
    pub doc: &'static str,
}
