//! The canonical layout printed by `strata fmt`.
//!
//! - 2-space indentation; one field (item, element) per line in multi-line blocks; single
//!   spaces around `=` and binary operators; no alignment.
//! - A `{…}` or `[…]` written on one line stays on one line when it holds no comment and fits
//!   in [`WIDTH`] columns; otherwise it is printed one element per line (lists with a trailing
//!   comma, blocks without commas). Module bodies are always multi-line.
//! - Blank lines between items, fields and elements are kept, at most one; none after `{` or
//!   before `}`, none at the start of the file; the file ends with one newline.
//! - Every comment is kept: own-line comments stay on their own line before the element that
//!   follows them, trailing comments stay at the end of their line, comments inside an
//!   expression are printed inline before the next token (a `//` comment then breaks the line
//!   with a continuation indent). Doc comments are ordinary comments here.
//! - Literals keep their spelling (`1_000`, escapes in strings); quantities are normalised to
//!   `30d`/`250ms` for durations and `100 GiB`/`4500 USD/month` for sizes and money.
//!
//! The layout only depends on the tree, the comments' positions relative to tokens, and on
//! whether a bracketed construct was written on one line, so formatting is idempotent.

use crate::ast::*;
use crate::lexer::{self, Token, TokenKind};
use strata_base::{units, Diagnostic, FileId, Severity};

/// Maximum line width for keeping a bracketed construct on one line.
pub const WIDTH: usize = 100;

/// Format a parsed file. `text` must be the source `file` was parsed from. Regions the parser
/// could not make sense of (`Item::Error`, `ExprKind::Error`) are copied verbatim.
pub fn format(file: &File, text: &str) -> String {
    let lexed = lexer::lex(file.span.file, text);
    let mut f = Fmt {
        src: text,
        comments: &file.comments,
        ci: 0,
        toks: lexed.tokens,
        out: String::with_capacity(text.len() + text.len() / 8),
        indent: 0,
        line_start: true,
        cont: false,
        flat: false,
        flat_failed: false,
        interp: 0,
        line_begin: 0,
        interp_end: Vec::new(),
    };
    f.interp_end = match_interpolations(&f.toks);
    let elems: Vec<Elem> = file.items.iter().map(Elem::Item).collect();
    let mut last_end = 0u32;
    let mut first = true;
    for e in &elems {
        f.slot(e, &mut last_end, &mut first, "");
    }
    f.dangling(text.len() as u32, &mut last_end, first);
    let trimmed_len = f.out.trim_end().len();
    f.out.truncate(trimmed_len);
    if !f.out.is_empty() {
        f.out.push('\n');
    }
    f.out
}

/// Parse and format `text`; refuses (returning the diagnostics) when it has syntax errors.
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    let (file, diags) = crate::parse(FileId(0), text);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return Err(diags);
    }
    Ok(format(&file, text))
}

/// For each `InterpStart` token, the index of the matching `InterpEnd` (the lexer emits them
/// balanced); `u32::MAX` for every other token.
fn match_interpolations(toks: &[Token]) -> Vec<u32> {
    let mut out = vec![u32::MAX; toks.len()];
    let mut stack = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            TokenKind::InterpStart => stack.push(i),
            TokenKind::InterpEnd => {
                if let Some(open) = stack.pop() {
                    out[open] = i as u32;
                }
            }
            _ => {}
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Elem<'a> {
    Item(&'a Item),
    Field(&'a Field),
    Decl(&'a FieldDecl),
    Rule(&'a PolicyRule),
    Expr(&'a Expr),
}

impl Elem<'_> {
    fn start(&self) -> u32 {
        match self {
            Elem::Item(i) => i.span().start,
            Elem::Field(f) => f.span.start,
            Elem::Decl(d) => d.span.start,
            Elem::Rule(r) => rule_span(r).start,
            Elem::Expr(e) => e.span.start,
        }
    }
    fn end(&self) -> u32 {
        match self {
            Elem::Item(i) => i.span().end,
            Elem::Field(f) => f.span.end,
            Elem::Decl(d) => d.span.end,
            Elem::Rule(r) => rule_span(r).end,
            Elem::Expr(e) => e.span.end,
        }
    }
}

fn rule_span(r: &PolicyRule) -> strata_base::Span {
    match r {
        PolicyRule::DenyPath { span, .. }
        | PolicyRule::Deny { span, .. }
        | PolicyRule::Require { span, .. } => *span,
    }
}

struct Fmt<'a> {
    src: &'a str,
    comments: &'a [Comment],
    /// Index of the next comment not yet printed.
    ci: usize,
    toks: Vec<Token>,
    out: String,
    indent: usize,
    line_start: bool,
    /// The next line is a continuation line (after a `//` comment inside an expression).
    cont: bool,
    /// Rendering a one-line attempt: nested bodies render flat without their own attempts.
    flat: bool,
    /// The current one-line attempt cannot succeed (a comment, a line break, too wide).
    flat_failed: bool,
    /// Inside `${…}`: everything is printed on one line, whatever its width.
    interp: usize,
    /// Byte offset in `out` where the current line begins.
    line_begin: usize,
    /// For an `InterpStart` token index: the index of its `InterpEnd` (else `u32::MAX`).
    interp_end: Vec<u32>,
}

struct Saved {
    len: usize,
    line_begin: usize,
    ci: usize,
    line_start: bool,
    cont: bool,
}

impl<'a> Fmt<'a> {
    // -----------------------------------------------------------------------------------------
    // Output primitives

    fn w(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.flat {
            // A one-line attempt stops writing once it certainly exceeds the width (a char is
            // at most 4 bytes), so failed attempts cost O(width), not O(subtree text).
            if self.flat_failed || self.out.len() - self.line_begin + s.len() > 4 * WIDTH {
                self.flat_failed = true;
                return;
            }
        }
        if self.line_start {
            let n = self.indent + usize::from(self.cont);
            for _ in 0..n {
                self.out.push_str("  ");
            }
            self.line_start = false;
        }
        self.out.push_str(s);
        if let Some(i) = s.rfind('\n') {
            self.line_begin = self.out.len() - (s.len() - i - 1);
        }
    }

    fn trim_spaces(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
    }

    fn nl(&mut self) {
        self.trim_spaces();
        self.out.push('\n');
        self.line_begin = self.out.len();
        self.line_start = true;
        self.cont = false;
    }

    fn ensure_line_start(&mut self) {
        if !self.line_start {
            self.nl();
        }
    }

    fn blank(&mut self) {
        self.ensure_line_start();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
            self.line_begin = self.out.len();
        }
    }

    fn column(&self) -> usize {
        self.out[self.line_begin..].chars().count()
    }

    fn save(&self) -> Saved {
        Saved {
            len: self.out.len(),
            ci: self.ci,
            line_start: self.line_start,
            cont: self.cont,
            line_begin: self.line_begin,
        }
    }

    fn restore(&mut self, s: Saved) {
        self.out.truncate(s.len);
        self.line_begin = s.line_begin;
        self.ci = s.ci;
        self.line_start = s.line_start;
        self.cont = s.cont;
    }

    fn slice(&self, start: u32, end: u32) -> &'a str {
        self.src.get(start as usize..end as usize).unwrap_or("")
    }

    // -----------------------------------------------------------------------------------------
    // Comments

    fn pending(&self) -> Option<&'a Comment> {
        self.comments.get(self.ci)
    }

    fn has_comment_in(&self, start: u32, end: u32) -> bool {
        let i = self.comments.partition_point(|c| c.span.start < start);
        self.comments.get(i).is_some_and(|c| c.span.start < end)
    }

    /// Print pending comments that start before `pos` inline, before the next token.
    fn flush_inline(&mut self, pos: u32) {
        while let Some(c) = self.pending() {
            if c.span.start >= pos {
                break;
            }
            self.ci += 1;
            if !self.line_start {
                self.trim_spaces();
                self.out.push(' ');
            }
            self.w(&c.text);
            if c.text.starts_with("//") {
                self.nl();
                self.cont = true;
            } else {
                self.out.push(' ');
            }
        }
    }

    fn leaf(&mut self, pos: u32, s: &str) {
        self.flush_inline(pos);
        self.w(s);
    }

    fn newlines(&self, start: u32, end: u32) -> usize {
        if end <= start {
            return 0;
        }
        self.slice(start, end)
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
    }

    /// Own-line comments before `pos`, with the blank lines before them (at most one).
    fn leading(&mut self, pos: u32, last_end: &mut u32, first: &mut bool) {
        while let Some(c) = self.pending() {
            if c.span.start >= pos {
                break;
            }
            self.ci += 1;
            if !*first && self.newlines(*last_end, c.span.start) >= 2 {
                self.blank();
            }
            self.ensure_line_start();
            let c = self.comment_line(c, pos);
            *last_end = c.span.end;
            *first = false;
            // `/* note */ element` on one line stays on one line.
            let inline = !c.text.starts_with("//")
                && self.newlines(c.span.end, pos) == 0
                && c.span.end <= pos;
            if inline && !matches!(self.pending(), Some(n) if n.span.start < pos) {
                self.w(" ");
                return;
            }
            self.nl();
        }
        if !*first && self.newlines(*last_end, pos) >= 2 {
            self.blank();
        }
        self.ensure_line_start();
    }

    /// Comments inside the element just printed (not yet placed) and comments after it on the
    /// same line: printed at the end of the line.
    fn trailing(&mut self, end: u32, last_end: &mut u32) {
        let mut cursor = end;
        while let Some(c) = self.pending() {
            let same_line = c.span.start >= cursor
                && self
                    .slice(cursor, c.span.start)
                    .bytes()
                    .all(|b| b == b' ' || b == b'\t' || b == b',' || b == b'\r');
            if c.span.start >= end && !same_line {
                break;
            }
            self.ci += 1;
            self.trim_spaces();
            if !self.line_start {
                self.out.push(' ');
            }
            self.w(&c.text);
            cursor = cursor.max(c.span.end);
            if c.text.starts_with("//") {
                self.nl();
            }
        }
        *last_end = (*last_end).max(cursor);
    }

    /// Comments before a closing delimiter (or the end of the file), each on its own line.
    fn dangling(&mut self, close: u32, last_end: &mut u32, mut first: bool) {
        while let Some(c) = self.pending() {
            if c.span.start >= close {
                break;
            }
            self.ci += 1;
            if !first && self.newlines(*last_end, c.span.start) >= 2 {
                self.blank();
            }
            self.ensure_line_start();
            let c = self.comment_line(c, close);
            self.nl();
            *last_end = c.span.end;
            first = false;
        }
    }

    /// Print comment `c` (already taken) and the further comments before `limit` that share
    /// its source line, on one output line (so `/* a */ /// b` stays a non-doc comment).
    /// Returns the last comment printed.
    fn comment_line(&mut self, c: &'a Comment, limit: u32) -> &'a Comment {
        self.w(&c.text);
        let mut last = c;
        while let Some(n) = self.pending() {
            if n.span.start >= limit
                || self.newlines(last.span.end, n.span.start) > 0
                || last.text.starts_with("//")
            {
                break;
            }
            self.ci += 1;
            self.w(" ");
            self.w(&n.text);
            last = n;
        }
        last
    }

    // -----------------------------------------------------------------------------------------
    // Sequences

    /// One element of a multi-line body: leading comments, blank line, element, separator,
    /// trailing comments, newline.
    fn slot(&mut self, e: &Elem, last_end: &mut u32, first: &mut bool, sep: &str) {
        self.leading(e.start(), last_end, first);
        self.elem(e);
        self.w(sep);
        self.trailing(e.end(), last_end);
        self.ensure_line_start();
        *first = false;
    }

    fn elem(&mut self, e: &Elem) {
        match e {
            Elem::Item(i) => self.item(i),
            Elem::Field(f) => self.field(f),
            Elem::Decl(d) => self.fielddecl(d),
            Elem::Rule(r) => self.rule(r),
            Elem::Expr(x) => self.expr(x),
        }
    }

    /// A delimited sequence `open … close` (offsets of the delimiters). `flat` is the one-line
    /// form's padding: `Some(" ")` for `{ a = 1 }`, `Some("")` for `[1, 2]`, `None` when the
    /// body is never on one line (modules).
    fn body(
        &mut self,
        elems: &[Elem],
        open: u32,
        close: u32,
        delims: (&str, &str),
        flat: Option<&str>,
        sep: &str,
    ) {
        if self.flat && self.flat_failed {
            return;
        }
        let (lo, hi) = delims;
        let has_comments = self.has_comment_in(open, close);
        if elems.is_empty() && !has_comments {
            self.leaf(open, lo);
            self.w(hi);
            return;
        }
        if self.interp > 0 {
            // A string cannot span lines: one line, comments inline.
            let was_flat = std::mem::replace(&mut self.flat, false);
            self.leaf(open, lo);
            self.w(flat.unwrap_or(""));
            for (i, e) in elems.iter().enumerate() {
                if i > 0 {
                    self.w(", ");
                }
                self.elem(e);
            }
            self.flush_inline(close);
            self.w(flat.unwrap_or(""));
            self.w(hi);
            self.flat = was_flat;
            return;
        }
        if self.flat {
            // The enclosing attempt's span was checked: on one line and without comments.
            // Inside an enclosing one-line attempt: render flat, or fail the attempt.
            if flat.is_none() {
                self.flat_failed = true;
                return;
            }
            self.flat_body(elems, open, delims, flat.unwrap_or(""));
            return;
        }
        let can_flat = flat.is_some() && !has_comments && !self.slice(open, close).contains('\n');
        if can_flat {
            let saved = self.save();
            self.flat = true;
            self.flat_failed = false;
            self.flat_body(elems, open, delims, flat.unwrap_or(""));
            self.flat = false;
            let rendered = &self.out[saved.len..];
            if !self.flat_failed && !rendered.contains('\n') && self.column() <= WIDTH {
                return;
            }
            self.flat_failed = false;
            self.restore(saved);
        }
        self.leaf(open, lo);
        let mut last_end = open + 1;
        self.trailing(open + 1, &mut last_end);
        self.ensure_line_start();
        self.indent += 1;
        let mut first = true;
        for e in elems {
            self.slot(e, &mut last_end, &mut first, sep);
        }
        self.dangling(close, &mut last_end, first);
        self.indent -= 1;
        self.ensure_line_start();
        self.w(hi);
    }

    /// The one-line form `{ a = 1, b = 2 }` / `[1, 2]`; gives up early once too wide.
    fn flat_body(&mut self, elems: &[Elem], open: u32, (lo, hi): (&str, &str), pad: &str) {
        self.leaf(open, lo);
        self.w(pad);
        for (i, e) in elems.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            self.elem(e);
            if self.flat_failed || self.column() > WIDTH {
                self.flat_failed = true;
                return;
            }
        }
        self.w(pad);
        self.w(hi);
    }

    /// Offset of the first `{` token at or after `pos`.
    fn brace_after(&self, pos: u32) -> u32 {
        let i = self.toks.partition_point(|t| t.start < pos);
        self.toks[i..]
            .iter()
            .find(|t| t.kind == TokenKind::LBrace)
            .map_or(pos, |t| t.start)
    }

    fn fields_body(&mut self, fields: &[Field], open: u32, close: u32) {
        let elems: Vec<Elem> = fields.iter().map(Elem::Field).collect();
        self.body(&elems, open, close, ("{", "}"), Some(" "), "");
    }

    // -----------------------------------------------------------------------------------------
    // Items

    fn keyword(&mut self, kw: &str, start: u32) {
        self.leaf(start, kw);
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Import(i) => {
                self.keyword("import ", i.span.start);
                match &i.kind {
                    ImportKind::Package { path, names } => {
                        self.path(path);
                        if let Some(names) = names {
                            self.w(".{");
                            for (k, n) in names.iter().enumerate() {
                                if k > 0 {
                                    self.w(", ");
                                }
                                self.leaf(n.span.start, &n.name);
                            }
                            self.w("}");
                        }
                    }
                    ImportKind::File {
                        path_span, alias, ..
                    } => {
                        let raw = self.slice(path_span.start, path_span.end);
                        self.leaf(path_span.start, raw);
                        self.w(" as ");
                        self.leaf(alias.span.start, &alias.name);
                    }
                }
            }
            Item::Param(p) => {
                self.keyword("param ", p.span.start);
                self.leaf(p.name.span.start, &p.name.name);
                if let Some(t) = &p.ty {
                    self.w(": ");
                    self.ty(t);
                }
                if let Some(d) = &p.default {
                    self.w(" = ");
                    self.expr(d);
                }
            }
            Item::Let(l) => {
                self.keyword("let ", l.span.start);
                self.leaf(l.name.span.start, &l.name.name);
                if let Some(t) = &l.ty {
                    self.w(": ");
                    self.ty(t);
                }
                self.w(" = ");
                self.expr(&l.value);
            }
            Item::Type(t) => {
                self.keyword("type ", t.span.start);
                self.leaf(t.name.span.start, &t.name.name);
                self.w(" = ");
                self.ty(&t.ty);
            }
            Item::Schema(s) => {
                let mut last_end = s.span.start;
                let mut first = true;
                for a in &s.attrs {
                    if !first {
                        self.leading(a.span.start, &mut last_end, &mut first);
                    }
                    self.leaf(a.span.start, "@");
                    self.field(a);
                    self.trailing(a.span.end, &mut last_end);
                    self.ensure_line_start();
                    first = false;
                }
                if !first {
                    self.leading(s.name.span.start, &mut last_end, &mut first);
                }
                self.w("schema ");
                self.path(&s.name);
                self.w(" ");
                let open = self.brace_after(s.name.span.end);
                let elems: Vec<Elem> = s.fields.iter().map(Elem::Decl).collect();
                self.body(
                    &elems,
                    open,
                    s.span.end.saturating_sub(1),
                    ("{", "}"),
                    Some(" "),
                    "",
                );
            }
            Item::Stack(s) => {
                self.keyword("stack ", s.span.start);
                self.leaf(s.name.span.start, &s.name.name);
                self.w(" ");
                let open = self.brace_after(s.name.span.end);
                self.fields_body(&s.body, open, s.span.end.saturating_sub(1));
            }
            Item::Resource(r) => {
                self.keyword("resource ", r.span.start);
                self.leaf(r.name.span.start, &r.name.name);
                self.for_each(&r.for_each);
                self.w(": ");
                self.path(&r.ty);
                self.w(" ");
                let open = self.brace_after(r.ty.span.end);
                self.fields_body(&r.body, open, r.span.end.saturating_sub(1));
            }
            Item::Module(m) => {
                self.keyword("module ", m.span.start);
                self.leaf(m.name.span.start, &m.name.name);
                self.w(" ");
                let open = self.brace_after(m.name.span.end);
                let elems: Vec<Elem> = m.items.iter().map(Elem::Item).collect();
                self.body(
                    &elems,
                    open,
                    m.span.end.saturating_sub(1),
                    ("{", "}"),
                    None,
                    "",
                );
            }
            Item::ModuleInstance(m) => {
                self.keyword("module ", m.span.start);
                self.leaf(m.name.span.start, &m.name.name);
                self.for_each(&m.for_each);
                self.w(": ");
                self.path(&m.module);
                self.w(" ");
                let open = self.brace_after(m.module.span.end);
                self.fields_body(&m.body, open, m.span.end.saturating_sub(1));
            }
            Item::Output(o) => {
                self.keyword("output ", o.span.start);
                self.leaf(o.name.span.start, &o.name.name);
                if let Some(t) = &o.ty {
                    self.w(": ");
                    self.ty(t);
                }
                self.w(" = ");
                self.expr(&o.value);
            }
            Item::Policy(p) => {
                self.keyword("policy ", p.span.start);
                let raw = self.slice(p.title_span.start, p.title_span.end);
                self.leaf(p.title_span.start, raw);
                self.w(" ");
                let mut elems: Vec<Elem> = p.settings.iter().map(Elem::Field).collect();
                elems.extend(p.rules.iter().map(Elem::Rule));
                elems.sort_by_key(|e| e.start());
                let open = self.brace_after(p.title_span.end);
                self.body(
                    &elems,
                    open,
                    p.span.end.saturating_sub(1),
                    ("{", "}"),
                    Some(" "),
                    "",
                );
            }
            Item::Error(span) => {
                let raw = self.slice(span.start, span.end).trim_end();
                self.flush_inline(span.start);
                self.w(raw);
                // Comments inside the verbatim region are part of it.
                while self.pending().is_some_and(|c| c.span.start < span.end) {
                    self.ci += 1;
                }
            }
        }
    }

    fn for_each(&mut self, fe: &Option<ForEach>) {
        if let Some(fe) = fe {
            self.w("[");
            self.leaf(fe.var.span.start, &fe.var.name);
            self.w(" in ");
            self.expr(&fe.iter);
            self.w("]");
        }
    }

    fn path(&mut self, p: &Path) {
        self.flush_inline(p.span.start);
        for (i, s) in p.segments.iter().enumerate() {
            if i > 0 {
                self.w(".");
            }
            self.leaf(s.span.start, &s.name);
        }
    }

    fn rule(&mut self, r: &PolicyRule) {
        match r {
            PolicyRule::DenyPath { from, to, span } => {
                self.leaf(span.start, "deny path(");
                self.path(from);
                self.w(" ~> ");
                self.path(to);
                self.w(")");
            }
            PolicyRule::Deny {
                binder,
                ty,
                cond,
                span,
            }
            | PolicyRule::Require {
                binder,
                ty,
                cond,
                span,
            } => {
                let kw = if matches!(r, PolicyRule::Deny { .. }) {
                    "deny "
                } else {
                    "require "
                };
                self.leaf(span.start, kw);
                self.leaf(binder.span.start, &binder.name);
                self.w(": ");
                self.path(ty);
                self.w(" => ");
                self.expr(cond);
            }
        }
    }

    fn field(&mut self, f: &Field) {
        if f.quoted {
            let raw = self.slice(f.name.span.start, f.name.span.end);
            self.leaf(f.name.span.start, raw);
        } else {
            self.leaf(f.name.span.start, &f.name.name);
        }
        self.w(" = ");
        self.expr(&f.value);
    }

    fn fielddecl(&mut self, d: &FieldDecl) {
        if d.output {
            self.leaf(d.span.start, "out ");
        }
        self.leaf(d.name.span.start, &d.name.name);
        if d.optional {
            self.w("?");
        }
        self.w(": ");
        self.ty(&d.ty);
        if let Some(v) = &d.default {
            self.w(" = ");
            self.expr(v);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Types

    fn ty(&mut self, t: &TypeExpr) {
        match &t.kind {
            TypeKind::Named { path, args } => {
                self.path(path);
                if !args.is_empty() {
                    self.w("(");
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            self.w(", ");
                        }
                        match a {
                            TypeArg::Range { lo, hi, span } => {
                                self.flush_inline(span.start);
                                if let Some(lo) = lo {
                                    self.expr(lo);
                                }
                                self.w("..");
                                if let Some(hi) = hi {
                                    self.expr(hi);
                                }
                            }
                            TypeArg::Named(f) => self.field(f),
                        }
                    }
                    self.w(")");
                }
            }
            TypeKind::Generic { path, params } => {
                self.path(path);
                self.w("<");
                for (i, p) in params.iter().enumerate() {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.ty(p);
                }
                self.w(">");
            }
            TypeKind::Literal(e) => self.expr(e),
            TypeKind::Union(alts) => {
                for (i, a) in alts.iter().enumerate() {
                    if i > 0 {
                        self.w(" | ");
                    }
                    self.ty(a);
                }
            }
            TypeKind::Record(fields) => {
                let elems: Vec<Elem> = fields.iter().map(Elem::Decl).collect();
                self.body(
                    &elems,
                    t.span.start,
                    t.span.end.saturating_sub(1),
                    ("{", "}"),
                    Some(" "),
                    "",
                );
            }
            TypeKind::Error => {
                let raw = self.slice(t.span.start, t.span.end);
                self.leaf(t.span.start, raw);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    /// The literal's source text without whitespace (a folded `- 3` is `-3`); falls back to
    /// `fallback` if a comment sits inside.
    fn number_text(&self, raw: &str, fallback: impl FnOnce() -> String) -> String {
        if raw.contains('/') {
            return fallback();
        }
        raw.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn expr(&mut self, e: &Expr) {
        if self.flat && self.flat_failed {
            return;
        }
        let start = e.span.start;
        match &e.kind {
            ExprKind::Null => self.leaf(start, "null"),
            ExprKind::Bool(b) => self.leaf(start, if *b { "true" } else { "false" }),
            ExprKind::Int(v) => {
                let s = self.number_text(self.slice(start, e.span.end), || v.to_string());
                self.leaf(start, &s);
            }
            ExprKind::Float(v) => {
                let s = self.number_text(self.slice(start, e.span.end), || format!("{v:?}"));
                self.leaf(start, &s);
            }
            ExprKind::Quantity { value, unit } => {
                let raw = self.slice(start, e.span.end);
                let num_raw = raw.strip_suffix(unit.as_str()).unwrap_or(raw);
                let num = self.number_text(num_raw, || format!("{value}"));
                let attached =
                    units::unit(unit).is_some_and(|u| u.dimension == units::Dimension::Duration);
                let s = if attached {
                    format!("{num}{unit}")
                } else {
                    format!("{num} {unit}")
                };
                self.leaf(start, &s);
            }
            ExprKind::Cidr(c) => self.leaf(start, c),
            ExprKind::Str(parts) => self.string(e, parts),
            ExprKind::Name(n) => self.leaf(start, &n.name),
            ExprKind::List(items) => {
                let elems: Vec<Elem> = items.iter().map(Elem::Expr).collect();
                self.body(
                    &elems,
                    start,
                    e.span.end.saturating_sub(1),
                    ("[", "]"),
                    Some(""),
                    ",",
                );
            }
            ExprKind::Record(fields) => {
                self.fields_body(fields, start, e.span.end.saturating_sub(1))
            }
            ExprKind::TypedRecord { ty, fields } => {
                self.path(ty);
                self.w(" ");
                let open = self.brace_after(ty.span.end);
                self.fields_body(fields, open, e.span.end.saturating_sub(1));
            }
            ExprKind::Field { base, name } => {
                self.expr(base);
                self.w(".");
                self.leaf(name.span.start, &name.name);
            }
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.w("[");
                self.expr(index);
                self.w("]");
            }
            ExprKind::Call { callee, args } => {
                self.leaf(callee.span.start, &callee.name);
                self.w("(");
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.expr(a);
                }
                self.w(")");
            }
            ExprKind::Unary { op, expr } => {
                self.leaf(start, if *op == UnaryOp::Not { "!" } else { "-" });
                self.expr(expr);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.expr(lhs);
                self.w(" ");
                self.w(op.as_str());
                self.w(" ");
                self.expr(rhs);
            }
            ExprKind::Cond {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond);
                self.w(" ? ");
                self.expr(then);
                self.w(" : ");
                self.expr(otherwise);
            }
            ExprKind::ListComp {
                key,
                var,
                iter,
                body,
                cond,
            } => {
                self.leaf(start, "[for ");
                self.comp_vars(key, var);
                self.w(" in ");
                self.expr(iter);
                self.w(": ");
                self.expr(body);
                if let Some(c) = cond {
                    self.w(" if ");
                    self.expr(c);
                }
                self.w("]");
            }
            ExprKind::MapComp {
                key,
                var,
                iter,
                out_key,
                out_value,
                cond,
            } => {
                self.leaf(start, "{for ");
                self.comp_vars(key, var);
                self.w(" in ");
                self.expr(iter);
                self.w(": ");
                self.expr(out_key);
                self.w(" => ");
                self.expr(out_value);
                if let Some(c) = cond {
                    self.w(" if ");
                    self.expr(c);
                }
                self.w("}");
            }
            ExprKind::Paren(inner) => {
                self.leaf(start, "(");
                self.expr(inner);
                self.w(")");
            }
            ExprKind::Error => {
                let raw = self.slice(start, e.span.end);
                self.leaf(start, raw);
            }
        }
    }

    fn comp_vars(&mut self, key: &Option<Ident>, var: &Ident) {
        if let Some(k) = key {
            self.leaf(k.span.start, &k.name);
            self.w(", ");
        }
        self.leaf(var.span.start, &var.name);
    }

    /// A string, with its literal segments as written (escapes kept) and its interpolations
    /// formatted.
    fn string(&mut self, e: &Expr, parts: &[StrPart]) {
        self.leaf(e.span.start, "\"");
        let mut ti = self.toks.partition_point(|t| t.start < e.span.start);
        if self
            .toks
            .get(ti)
            .is_some_and(|t| t.kind == TokenKind::StrStart)
        {
            ti += 1;
        }
        for p in parts {
            match p {
                StrPart::Lit(_) => {
                    if let Some(t) = self.toks.get(ti).filter(|t| t.kind == TokenKind::StrLit) {
                        let raw = self.slice(t.start, t.end);
                        ti += 1;
                        self.w(raw);
                    }
                }
                StrPart::Interp(x) => {
                    self.w("${");
                    self.interp += 1;
                    self.expr(x);
                    self.interp -= 1;
                    self.w("}");
                    // Skip this interpolation's tokens (nested strings included).
                    ti = match self.interp_end.get(ti) {
                        Some(&end) if end != u32::MAX => end as usize + 1,
                        _ => ti + 1,
                    };
                }
            }
        }
        self.w("\"");
    }
}
