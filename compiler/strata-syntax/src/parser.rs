//! Recursive-descent parser over the token vector, with a precedence-climbing expression
//! parser. It never fails: every error is reported once and the parser resynchronises at the
//! next field (inside blocks), the next element (inside lists), or the next item keyword at
//! the start of a line (at the top level and in modules).
//!
//! Newlines are whitespace except in two places, which the language reference documents:
//! tokens that could also *start* an element (`-`, `[`, `(`, `{`) only continue an expression
//! when they are on the same line (so `[\n  [1, 2]\n  [3, 4]\n]` is a list of two lists and
//! `[\n  -1\n  -2\n]` a list of two numbers), and an item keyword at the start of a line ends
//! an unclosed block (so a missing `}` does not hide the errors of the following items).
//!
//! Nesting depth is bounded by [`MAX_DEPTH`]: brackets, calls, prefix operators, binary
//! operators, conditionals and postfix accesses all count one level, and the limit is on the
//! height of the tree actually built (an operand followed by a chain of operators or accesses
//! ends up as deep as the chain is long), so no input can build a tree deeper than that and
//! overflow the stack of the parser or of any later recursive pass.

use crate::ast::*;
use crate::codes;
use crate::lexer::{unescape, Keyword, Token, TokenKind as T, ITEM_KEYWORDS};
use strata_base::{did_you_mean, Applicability, Diagnostic, FileId, Fix, Span};

/// The deepest nesting the parser accepts (error `E0010` beyond).
pub const MAX_DEPTH: u32 = 256;

pub(crate) struct Parser<'a> {
    file: FileId,
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    prev_end: u32,
    /// The level of the node being parsed (1 for the root of an item's expression): every
    /// nested construct counts one, [`MAX_DEPTH`] at most.
    depth: u32,
    /// The deepest level reached so far ([`Parser::measured`] reads it to learn the height of
    /// a subtree).
    peak: u32,
    pub(crate) diags: Vec<Diagnostic>,
    last_err: Option<u32>,
    comments: &'a [Comment],
    /// An "unclosed delimiter at end of file" was reported; the enclosing ones are not.
    eof_unclosed: bool,
    deep_reported: bool,
}

fn binop(k: T) -> Option<(BinaryOp, u8)> {
    Some(match k {
        T::OrOr => (BinaryOp::Or, 1),
        T::AndAnd => (BinaryOp::And, 2),
        T::EqEq => (BinaryOp::Eq, 3),
        T::Ne => (BinaryOp::Ne, 3),
        T::Lt => (BinaryOp::Lt, 3),
        T::Le => (BinaryOp::Le, 3),
        T::Gt => (BinaryOp::Gt, 3),
        T::Ge => (BinaryOp::Ge, 3),
        T::Plus => (BinaryOp::Add, 4),
        T::Minus => (BinaryOp::Sub, 4),
        T::Star => (BinaryOp::Mul, 5),
        T::Slash => (BinaryOp::Div, 5),
        T::TildeSlash => (BinaryOp::IntDiv, 5),
        T::Percent => (BinaryOp::Rem, 5),
        _ => return None,
    })
}
const CMP_PREC: u8 = 3;

/// Openers for skipping: brackets, and strings/interpolations (whose closers must not stop a
/// skip that began before them).
fn opens_group(k: T) -> bool {
    matches!(
        k,
        T::LBrace | T::LBracket | T::LParen | T::StrStart | T::InterpStart
    )
}
fn closes_group(k: T) -> bool {
    matches!(
        k,
        T::RBrace | T::RBracket | T::RParen | T::StrEnd | T::InterpEnd
    )
}
fn is_close(k: T) -> bool {
    matches!(k, T::RBrace | T::RBracket | T::RParen)
}
/// Tokens no recovery may skip: the end of the file and the end of an interpolation.
fn is_hard_stop(k: T) -> bool {
    matches!(k, T::Eof | T::InterpEnd | T::StrEnd)
}
fn close_text(k: T) -> &'static str {
    match k {
        T::RBrace => "`}`",
        T::RBracket => "`]`",
        _ => "`)`",
    }
}

fn binary_node(op: BinaryOp, lhs: Expr, rhs: Expr, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        span,
    }
}

fn is_doc_comment(text: &str) -> bool {
    text.starts_with("///") && !text.starts_with("////")
}

fn path_of(e: &Expr) -> Option<Path> {
    let mut segs = Vec::new();
    let mut cur = e;
    loop {
        match &cur.kind {
            ExprKind::Name(id) => {
                segs.push(id.clone());
                break;
            }
            ExprKind::Field { base, name } => {
                segs.push(name.clone());
                cur = base;
            }
            _ => return None,
        }
    }
    segs.reverse();
    Some(Path {
        segments: segs,
        span: e.span,
    })
}

impl<'a> Parser<'a> {
    pub(crate) fn new(
        file: FileId,
        src: &'a str,
        toks: Vec<Token>,
        comments: &'a [Comment],
    ) -> Self {
        Parser {
            file,
            src,
            toks,
            pos: 0,
            prev_end: 0,
            depth: 0,
            peak: 0,
            diags: Vec::new(),
            last_err: None,
            comments,
            eof_unclosed: false,
            deep_reported: false,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Token helpers

    fn tok(&self) -> Token {
        self.toks[self.pos.min(self.toks.len() - 1)]
    }
    fn kind(&self) -> T {
        self.tok().kind
    }
    fn nth(&self, n: usize) -> T {
        self.toks.get(self.pos + n).map_or(T::Eof, |t| t.kind)
    }
    fn at(&self, k: T) -> bool {
        self.kind() == k
    }
    fn bump(&mut self) -> Token {
        let t = self.tok();
        if t.kind != T::Eof {
            self.pos += 1;
            self.prev_end = t.end;
        }
        t
    }
    fn eat(&mut self, k: T) -> Option<Token> {
        if self.at(k) {
            Some(self.bump())
        } else {
            None
        }
    }
    fn span(&self, start: u32, end: u32) -> Span {
        Span {
            file: self.file,
            start,
            end: end.max(start),
        }
    }
    fn tspan(&self, t: Token) -> Span {
        self.span(t.start, t.end)
    }
    fn span_from(&self, start: u32) -> Span {
        self.span(start, self.prev_end)
    }
    fn text(&self, t: Token) -> &'a str {
        self.src.get(t.start as usize..t.end as usize).unwrap_or("")
    }
    fn ident_of(&self, t: Token) -> Ident {
        Ident {
            name: self.text(t).to_string(),
            span: self.tspan(t),
        }
    }
    fn is_name(k: T) -> bool {
        matches!(k, T::Ident | T::Kw(_))
    }

    /// Is the current token the start of an item (a keyword followed by what that item needs)?
    fn at_item_start(&self) -> bool {
        match self.kind() {
            T::Kw(k) if k.starts_item() => match k {
                Keyword::Import => matches!(self.nth(1), T::Ident | T::StrStart),
                Keyword::Policy => self.nth(1) == T::StrStart,
                _ => self.nth(1) == T::Ident,
            },
            T::At => Self::is_name(self.nth(1)),
            T::Ident => self.at_existing(),
            _ => false,
        }
    }
    /// `existing resource`: `existing` is a word only in front of `resource`.
    fn at_existing(&self) -> bool {
        self.kind() == T::Ident
            && self.text(self.tok()) == "existing"
            && self.nth(1) == T::Kw(Keyword::Resource)
            && Self::is_name(self.nth(2))
    }
    fn at_line_item_start(&self) -> bool {
        self.tok().nl_before && self.at_item_start()
    }

    // -----------------------------------------------------------------------------------------
    // Diagnostics

    fn report(&mut self, d: Diagnostic) {
        let at = d.primary.span.start;
        if self.last_err == Some(at) {
            return;
        }
        self.last_err = Some(at);
        if self.diags.len() <= crate::MAX_DIAGNOSTICS {
            self.diags.push(d);
        }
    }

    fn errors(&self) -> usize {
        self.diags.len()
    }

    /// What the current token is, for "found …".
    fn found(&self) -> String {
        let t = self.tok();
        match t.kind {
            T::Ident => format!("`{}`", self.text(t)),
            T::Kw(k) => format!("keyword `{}`", k.as_str()),
            T::Int | T::Float | T::Quantity | T::Cidr | T::BadNumber => {
                format!("`{}`", self.text(t))
            }
            T::StrStart => "a string".to_string(),
            k => k.describe().to_string(),
        }
    }

    /// Span and description of the current token; a token on the next line is reported as
    /// "end of line" at the end of the previous token.
    fn found_at(&self) -> (Span, String) {
        let t = self.tok();
        if t.nl_before && self.pos > 0 && t.kind != T::Eof {
            (
                self.span(self.prev_end, self.prev_end),
                "end of line".to_string(),
            )
        } else {
            (self.tspan(t), self.found())
        }
    }

    fn expected(&mut self, what: &str, help: Option<String>) {
        let (span, found) = self.found_at();
        let mut d = Diagnostic::error(
            codes::EXPECTED,
            format!("expected {what}, found {found}"),
            span,
        )
        .with_label(format!("expected {what}"));
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.report(d);
    }

    fn unclosed(&mut self, open: Token, close: T) {
        let at_eof = self.at(T::Eof);
        if at_eof && self.eof_unclosed {
            return;
        }
        self.eof_unclosed |= at_eof;
        let open_text = self.text(open).to_string();
        let (found_span, found) = if self.at_line_item_start() {
            let t = self.tok();
            (self.tspan(t), format!("this `{}`", self.text(t)))
        } else {
            self.found_at()
        };
        let d = Diagnostic::error(
            codes::UNCLOSED_DELIMITER,
            format!("unclosed `{open_text}`"),
            self.tspan(open),
        )
        .with_label(format!("this `{open_text}` is never closed"))
        .with_secondary(
            found_span,
            format!("expected {} before {found}", close_text(close)),
        )
        .with_help(format!(
            "add the missing {} where the {} ends",
            close_text(close),
            match close {
                T::RBrace => "block",
                T::RBracket => "list",
                _ => "parenthesised part",
            }
        ));
        self.report(d);
    }

    fn unmatched_close(&mut self) {
        let t = self.tok();
        let text = self.text(t).to_string();
        self.report(
            Diagnostic::error(
                codes::UNMATCHED_CLOSE,
                format!("unmatched `{text}`"),
                self.tspan(t),
            )
            .with_label("this does not close anything")
            .with_help("remove it, or add the opening delimiter it was meant to close"),
        );
    }

    fn too_deep_diag(&mut self) {
        if self.deep_reported {
            return;
        }
        self.deep_reported = true;
        let t = self.tok();
        self.report(
            Diagnostic::error(codes::NESTING_TOO_DEEP, format!("nesting too deep (more than {MAX_DEPTH} levels)"), self.tspan(t))
                .with_label("the nesting limit is reached here")
                .with_help("split the expression with intermediate `let` bindings (each bracket, call, operator, access or conditional is one level); the deeply nested part is skipped"),
        );
    }

    /// Report `E0010` and skip the (balanced) rest of the construct without recursion.
    fn too_deep(&mut self) -> Expr {
        self.too_deep_diag();
        let start = self.tok().start;
        let mut depth = 0usize;
        loop {
            let t = self.tok();
            if t.kind == T::Eof {
                break;
            }
            if opens_group(t.kind) {
                depth += 1;
            } else if closes_group(t.kind) {
                if depth == 0 {
                    break;
                }
                depth -= 1;
                self.bump();
                if depth == 0 {
                    break;
                }
                continue;
            } else if depth == 0 && (t.kind == T::Comma || (t.nl_before && t.start > start)) {
                break;
            }
            self.bump();
        }
        Expr {
            kind: ExprKind::Error,
            span: self.span_from(start),
        }
    }

    fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            return false;
        }
        self.depth += 1;
        self.peak = self.peak.max(self.depth);
        true
    }

    /// Run `parse` with the current level set to `level` and return its result with its height
    /// counted from `level` (1 when nothing below `level` was entered).
    fn measured<R>(&mut self, level: u32, parse: impl FnOnce(&mut Self) -> R) -> (R, u32) {
        let outer = self.peak;
        self.depth = level;
        self.peak = level;
        let r = parse(self);
        let height = self.peak - level + 1;
        self.peak = self.peak.max(outer);
        self.depth = level;
        (r, height)
    }
    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // -----------------------------------------------------------------------------------------
    // Recovery

    /// Skip to the next item keyword at the start of a line (or past a balanced `}` group).
    fn skip_to_item(&mut self, in_module: bool) -> Span {
        let start = self.tok().start;
        let first = self.pos;
        let mut depth = 0usize;
        loop {
            let t = self.tok();
            if t.kind == T::Eof {
                break;
            }
            if self.pos > first && t.nl_before && self.at_item_start() {
                break;
            }
            if opens_group(t.kind) {
                depth += 1;
            } else if closes_group(t.kind) {
                if depth == 0 {
                    if in_module && t.kind == T::RBrace {
                        break;
                    }
                } else {
                    depth -= 1;
                    if depth == 0 && t.kind == T::RBrace {
                        self.bump();
                        break;
                    }
                }
            }
            self.bump();
        }
        self.span_from(start)
    }

    /// Skip the rest of a broken element of a `{…}`, `[…]` or `(…)` sequence: up to a `,`
    /// (consumed), the closing delimiter, the next line (when `newline_ends`), or an item.
    fn recover_element(&mut self, newline_ends: bool) {
        let first = self.pos;
        let mut depth = 0usize;
        loop {
            let t = self.tok();
            if t.kind == T::Eof {
                return;
            }
            if self.pos > first
                && t.nl_before
                && (self.at_item_start() || (depth == 0 && newline_ends))
            {
                return;
            }
            if depth == 0 && (t.kind == T::Comma || closes_group(t.kind)) {
                if t.kind == T::Comma {
                    self.bump();
                }
                return;
            }
            if opens_group(t.kind) {
                depth += 1;
            } else if closes_group(t.kind) {
                depth -= 1;
            }
            self.bump();
        }
    }

    /// Skip to the closing `close` of the group opened by `open` (consuming it).
    fn skip_to_close(&mut self, open: Token, close: T) {
        let mut depth = 0usize;
        loop {
            let t = self.tok();
            if t.kind == T::Eof || (t.nl_before && self.at_item_start()) {
                self.unclosed(open, close);
                return;
            }
            if opens_group(t.kind) {
                depth += 1;
            } else if closes_group(t.kind) {
                if depth == 0 {
                    if t.kind == close {
                        self.bump();
                    } else {
                        self.unclosed(open, close);
                    }
                    return;
                }
                depth -= 1;
            }
            self.bump();
        }
    }

    /// Expect the closing delimiter of `open`; on anything else report and skip to it.
    fn expect_close(&mut self, open: Token, close: T) {
        if self.eat(close).is_some() {
            return;
        }
        let k = self.kind();
        if is_hard_stop(k) || self.at_line_item_start() || (is_close(k) && k != close) {
            self.unclosed(open, close);
            return;
        }
        self.expected(close_text(close), None);
        self.skip_to_close(open, close);
    }

    // -----------------------------------------------------------------------------------------
    // Documentation comments

    fn doc_for(&self, start: u32) -> Doc {
        let mut i = self.comments.partition_point(|c| c.span.end <= start);
        let mut cursor = start as usize;
        let mut lines: Vec<&str> = Vec::new();
        while i > 0 {
            let c = &self.comments[i - 1];
            if !is_doc_comment(&c.text) {
                break;
            }
            let gap = self.src.get(c.span.end as usize..cursor).unwrap_or("x");
            if !gap.chars().all(char::is_whitespace)
                || gap.bytes().filter(|&b| b == b'\n').count() != 1
            {
                break;
            }
            // Only a `///` line of its own documents; `x = 1 /// …` is a trailing comment.
            let line_start = self.src[..c.span.start as usize]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            if !self.src[line_start..c.span.start as usize]
                .chars()
                .all(char::is_whitespace)
            {
                break;
            }
            let body = &c.text[3..];
            lines.push(body.strip_prefix(' ').unwrap_or(body).trim_end());
            cursor = c.span.start as usize;
            i -= 1;
        }
        if lines.is_empty() {
            return None;
        }
        lines.reverse();
        Some(lines.join("\n"))
    }

    // -----------------------------------------------------------------------------------------
    // Items

    /// Items up to the end of the file, or (in a module) up to its closing `}`.
    pub(crate) fn items(&mut self, in_module: bool) -> Vec<Item> {
        let mut items = Vec::new();
        loop {
            if self.depth == 0 {
                self.deep_reported = false;
            }
            match self.kind() {
                T::Eof => break,
                T::RBrace if in_module => break,
                k if is_close(k) => {
                    self.unmatched_close();
                    let t = self.bump();
                    items.push(Item::Error(self.tspan(t)));
                    continue;
                }
                _ => {}
            }
            let before = self.pos;
            let errs = self.errors();
            let item = self.item(in_module);
            items.push(item);
            let t = self.tok();
            let at_end = t.kind == T::Eof || (in_module && t.kind == T::RBrace);
            if self.pos == before {
                let span = self.skip_to_item(in_module);
                items.push(Item::Error(span));
            } else if !t.nl_before && !at_end {
                if self.errors() == errs {
                    self.expected(
                        "a new line after the item",
                        Some("each item starts on its own line".into()),
                    );
                }
                let span = self.skip_to_item(in_module);
                items.push(Item::Error(span));
            }
        }
        items
    }

    fn item(&mut self, in_module: bool) -> Item {
        let t = self.tok();
        let doc = self.doc_for(t.start);
        let start = t.start;
        let before = self.pos;
        let parsed = match t.kind {
            T::At => self.attributed(doc, in_module),
            T::Kw(Keyword::Import) => self.import(),
            T::Kw(Keyword::Param) => self.param(doc),
            T::Kw(Keyword::Let) => self.let_(doc),
            T::Kw(Keyword::Type) => self.typedecl(doc),
            T::Kw(Keyword::Schema) => self.schema(doc, Vec::new(), start),
            T::Kw(Keyword::Stack) => self.stack(doc),
            T::Kw(Keyword::Resource) => self.resource(doc, None),
            T::Ident if self.at_existing() => {
                let e = self.bump();
                let span = self.tspan(e);
                self.resource(doc, Some(span))
            }
            T::Kw(Keyword::Module) => self.module(doc),
            T::Kw(Keyword::Output) => self.output(doc),
            T::Kw(Keyword::Policy) => self.policy(doc),
            _ => {
                self.not_an_item();
                None
            }
        };
        match parsed {
            Some(item) => item,
            None => {
                // Stop at once if the broken item already reached the next item's line.
                if self.pos > before && self.at_line_item_start() {
                    return Item::Error(self.span_from(start));
                }
                let span = self.skip_to_item(in_module);
                Item::Error(self.span(start.min(span.start), span.end))
            }
        }
    }

    fn not_an_item(&mut self) {
        let t = self.tok();
        let text = self.text(t);
        let keyword = match t.kind {
            T::Ident if !matches!(self.nth(1), T::Eq | T::Colon) => {
                did_you_mean(text, ITEM_KEYWORDS.iter().copied())
            }
            _ => None,
        };
        let help = match t.kind {
            T::Ident if self.nth(1) == T::Eq => format!("to bind a value write `let {text} = …`"),
            T::Ident if self.nth(1) == T::Colon => {
                format!("to declare a resource write `resource {text}: Type {{ … }}`")
            }
            T::Ident => match did_you_mean(text, ITEM_KEYWORDS.iter().copied()) {
                Some(k) => format!("did you mean `{k}`?"),
                None => "a file contains items: import, param, let, type, schema, stack, resource, module, output, policy".into(),
            },
            T::Kw(Keyword::Deny | Keyword::Require) => "rules are written inside a `policy \"title\" { … }`".into(),
            _ => "a file contains items: import, param, let, type, schema, stack, resource, module, output, policy".into(),
        };
        let found = self.found();
        let span = self.tspan(t);
        let mut d = Diagnostic::error(
            codes::UNEXPECTED_TOKEN,
            format!("expected an item, found {found}"),
            span,
        )
        .with_label("not the start of an item")
        .with_help(help);
        if let Some(k) = keyword {
            d = d.with_fix(Fix::rename(span, text, k));
        }
        self.report(d);
    }

    /// A name (identifier) of a declaration.
    fn decl_name(&mut self, what: &str) -> Option<Ident> {
        let t = self.tok();
        match t.kind {
            T::Ident => {
                let b = self.bump();
                Some(self.ident_of(b))
            }
            T::Kw(k) if !t.nl_before && !k.starts_item() => {
                self.report(
                    Diagnostic::error(
                        codes::EXPECTED,
                        format!("expected {what}, found keyword `{}`", k.as_str()),
                        self.tspan(t),
                    )
                    .with_label("a keyword cannot be a name")
                    .with_help(format!("rename it, e.g. `{}_`", k.as_str())),
                );
                // Keep the keyword as the name so later stages see the declaration.
                let b = self.bump();
                Some(self.ident_of(b))
            }
            _ => {
                self.expected(what, None);
                None
            }
        }
    }

    fn attributed(&mut self, doc: Doc, in_module: bool) -> Option<Item> {
        let start = self.tok().start;
        let mut attrs = Vec::new();
        while self.at(T::At) {
            let at = self.bump();
            let name = self.decl_name("an attribute name after `@`")?;
            if self.eat(T::Eq).is_none() {
                if self.at(T::Colon) {
                    self.expected("`=`", Some("attributes are written `@name = value`".into()));
                    self.bump();
                } else {
                    self.expected("`=`", Some("attributes are written `@name = value`".into()));
                    return None;
                }
            }
            let value = self.expr();
            attrs.push(Field {
                doc: None,
                name,
                quoted: false,
                value,
                span: self.span_from(at.start),
            });
            if !self.at(T::At) && !self.tok().nl_before && !self.at(T::Kw(Keyword::Schema)) {
                self.expected("a new line after the attribute", None);
                return None;
            }
        }
        if self.at(T::Kw(Keyword::Schema)) {
            return self.schema(doc, attrs, start);
        }
        let span = self.span_from(start);
        self.report(
            Diagnostic::error(codes::MISPLACED_ATTRIBUTE, "attributes must be followed by a `schema`", span)
                .with_label("these attributes describe nothing")
                .with_help("`@name = value` attributes only annotate `schema` declarations; remove them or move them above a schema"),
        );
        if self.at(T::Eof) {
            return Some(Item::Error(span));
        }
        Some(self.item(in_module))
    }

    fn import(&mut self) -> Option<Item> {
        let kw = self.bump();
        if self.at(T::StrStart) {
            let (path, path_span) = self.plain_string("an import path");
            if self.eat(T::Kw(Keyword::As)).is_none() {
                self.expected(
                    "`as` and a name",
                    Some(format!(
                        "a file import needs an alias: `import \"{path}\" as name`"
                    )),
                );
                return None;
            }
            let alias = self.decl_name("an alias name")?;
            return Some(Item::Import(Import {
                kind: ImportKind::File {
                    path,
                    path_span,
                    alias,
                },
                span: self.span_from(kw.start),
            }));
        }
        if !self.at(T::Ident) {
            self.expected("a package name or a quoted path", Some("e.g. `import aws`, `import portable.{Postgres}` or `import \"./network\" as net`".into()));
            return None;
        }
        let path = self.path("a package name")?;
        let mut names = None;
        if self.at(T::Dot) && self.nth(1) == T::LBrace {
            self.bump();
            let open = self.bump();
            let mut list = Vec::new();
            loop {
                match self.kind() {
                    T::RBrace => {
                        self.bump();
                        break;
                    }
                    T::Ident => {
                        let t = self.bump();
                        list.push(self.ident_of(t));
                        if self.eat(T::Comma).is_none() && !self.at(T::RBrace) {
                            if self.tok().nl_before && Self::is_name(self.kind()) {
                                continue;
                            }
                            self.expected("`,` or `}`", None);
                            self.skip_to_close(open, T::RBrace);
                            break;
                        }
                    }
                    _ => {
                        if is_hard_stop(self.kind()) || self.at_line_item_start() {
                            self.unclosed(open, T::RBrace);
                        } else {
                            self.expected("a name to import", None);
                            self.skip_to_close(open, T::RBrace);
                        }
                        break;
                    }
                }
            }
            names = Some(list);
        }
        Some(Item::Import(Import {
            kind: ImportKind::Package { path, names },
            span: self.span_from(kw.start),
        }))
    }

    fn param(&mut self, doc: Doc) -> Option<Item> {
        let kw = self.bump();
        let name = self.decl_name("a parameter name")?;
        let ty = if self.eat(T::Colon).is_some() {
            Some(self.ty())
        } else {
            None
        };
        let default = if self.eat(T::Eq).is_some() {
            Some(self.expr())
        } else {
            if ty.is_none() && !self.tok().nl_before && !self.at(T::Eof) {
                self.expected(
                    "`:` and a type, or `=` and a default",
                    Some("e.g. `param region: string = \"us-east-1\"`".into()),
                );
            }
            None
        };
        Some(Item::Param(Param {
            doc,
            name,
            ty,
            default,
            span: self.span_from(kw.start),
        }))
    }

    /// `=` before a value; accepts `:`/`==` with an error so the value is still parsed.
    fn value_eq(&mut self, help: &str) -> bool {
        match self.kind() {
            T::Eq => {
                self.bump();
                true
            }
            T::EqEq => {
                self.expected("`=`", Some("did you mean `=`? `==` compares values".into()));
                self.bump();
                true
            }
            _ => {
                self.expected("`=` and a value", Some(help.to_string()));
                false
            }
        }
    }

    fn error_expr(&self) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span: self.span(self.prev_end, self.prev_end),
        }
    }

    fn let_(&mut self, doc: Doc) -> Option<Item> {
        let kw = self.bump();
        let name = self.decl_name("a name")?;
        let ty = if self.eat(T::Colon).is_some() {
            Some(self.ty())
        } else {
            None
        };
        let value = if self.value_eq(
            "a `let` binds a value: `let name = value` (an input without a value is a `param`)",
        ) {
            self.expr()
        } else {
            self.error_expr()
        };
        Some(Item::Let(Let {
            doc,
            name,
            ty,
            value,
            span: self.span_from(kw.start),
        }))
    }

    fn typedecl(&mut self, doc: Doc) -> Option<Item> {
        let kw = self.bump();
        let name = self.decl_name("a type name")?;
        let ty = if self.value_eq("a type declaration is `type Name = Type`") {
            self.ty()
        } else {
            TypeExpr {
                kind: TypeKind::Error,
                span: self.span(self.prev_end, self.prev_end),
            }
        };
        Some(Item::Type(TypeDecl {
            doc,
            name,
            ty,
            span: self.span_from(kw.start),
        }))
    }

    fn output(&mut self, doc: Doc) -> Option<Item> {
        let kw = self.bump();
        let name = self.decl_name("an output name")?;
        let ty = if self.eat(T::Colon).is_some() {
            Some(self.ty())
        } else {
            None
        };
        let value = if self.value_eq("an output is `output name = value`") {
            self.expr()
        } else {
            self.error_expr()
        };
        Some(Item::Output(Output {
            doc,
            name,
            ty,
            value,
            span: self.span_from(kw.start),
        }))
    }

    fn schema(&mut self, doc: Doc, attrs: Vec<Field>, start: u32) -> Option<Item> {
        self.bump();
        let name = self.path("a schema name")?;
        let open = self.open_brace(
            "schema",
            &format!("schema {} {{ field: Type … }}", name.text()),
        )?;
        if !self.enter() {
            self.too_deep();
            return None;
        }
        let fields = self.fielddecls(open);
        self.leave();
        Some(Item::Schema(SchemaDecl {
            doc,
            name,
            attrs,
            fields,
            span: self.span_from(start),
        }))
    }

    fn stack(&mut self, doc: Doc) -> Option<Item> {
        let kw = self.bump();
        let name = self.decl_name("a stack name")?;
        let body = self.block("stack", &format!("stack {} {{ provider = … }}", name.name))?;
        Some(Item::Stack(Stack {
            doc,
            name,
            body,
            span: self.span_from(kw.start),
        }))
    }

    fn for_each(&mut self) -> Option<ForEach> {
        let open = self.bump();
        let var = self.decl_name("a loop variable")?;
        if self.eat(T::Kw(Keyword::In)).is_none() {
            self.expected(
                "`in`",
                Some(format!(
                    "one resource per element is written `[{} in list]`",
                    var.name
                )),
            );
            self.skip_to_close(open, T::RBracket);
            return None;
        }
        let iter = self.expr();
        self.expect_close(open, T::RBracket);
        Some(ForEach {
            var,
            iter,
            span: self.span_from(open.start),
        })
    }

    fn colon_type(&mut self, kind: &str, name: &str) -> Option<Path> {
        if self.eat(T::Colon).is_none() {
            let help = format!("write `{kind} {name}: Type {{ … }}`");
            self.expected("`:` and a type", Some(help));
            return None;
        }
        self.path("a type name")
    }

    fn resource(&mut self, doc: Doc, existing: Option<Span>) -> Option<Item> {
        let kw = self.bump();
        let start = existing.map_or(kw.start, |s| s.start);
        let name = self.decl_name("a resource name")?;
        let for_each = if self.at(T::LBracket) {
            Some(self.for_each()?)
        } else {
            None
        };
        let ty = self.colon_type("resource", &name.name)?;
        let body = self.block(
            "resource",
            &format!("resource {}: {} {{ … }}", name.name, ty.text()),
        )?;
        Some(Item::Resource(Resource {
            doc,
            existing,
            name,
            for_each,
            ty,
            body,
            span: self.span_from(start),
        }))
    }

    fn module(&mut self, doc: Doc) -> Option<Item> {
        let kw = self.bump();
        let name = self.decl_name("a module name")?;
        if self.at(T::LBrace) {
            return self.module_decl(doc, name, kw.start);
        }
        self.module_instance(doc, name, kw.start)
    }

    fn module_decl(&mut self, doc: Doc, name: Ident, start: u32) -> Option<Item> {
        let open = self.bump();
        if !self.enter() {
            self.too_deep();
            return None;
        }
        let items = self.items(true);
        self.leave();
        if self.eat(T::RBrace).is_none() {
            self.unclosed(open, T::RBrace);
        }
        Some(Item::Module(ModuleDecl {
            doc,
            name,
            items,
            span: self.span_from(start),
        }))
    }

    #[inline(never)]
    fn module_instance(&mut self, doc: Doc, name: Ident, start: u32) -> Option<Item> {
        let for_each = if self.at(T::LBracket) {
            Some(self.for_each()?)
        } else {
            None
        };
        if self.eat(T::Colon).is_none() {
            self.expected(
                "`{` (a module declaration) or `:` (an instance)",
                Some(format!("declare with `module {0} {{ param … }}`, instantiate with `module {0}: Module {{ … }}`", name.name)),
            );
            return None;
        }
        let module = self.path("a module name")?;
        let body = self.block(
            "module instance",
            &format!("module {}: {} {{ … }}", name.name, module.text()),
        )?;
        Some(Item::ModuleInstance(ModuleInstance {
            doc,
            name,
            for_each,
            module,
            body,
            span: self.span_from(start),
        }))
    }

    fn policy(&mut self, doc: Doc) -> Option<Item> {
        let kw = self.bump();
        let (title, title_span) = if self.at(T::StrStart) {
            let (t, s) = self.plain_string("a policy title");
            (t, s)
        } else if self.at(T::Ident) {
            let t = self.bump();
            let text = self.text(t).to_string();
            self.report(
                Diagnostic::error(
                    codes::EXPECTED,
                    format!("expected a policy title string, found `{text}`"),
                    self.tspan(t),
                )
                .with_label("the title must be a string")
                .with_help(format!("write `policy \"{text}\" {{ … }}`")),
            );
            (text, self.tspan(t))
        } else {
            self.expected(
                "a policy title string",
                Some("e.g. `policy \"buckets are versioned\" { … }`".into()),
            );
            return None;
        };
        let open = self.open_brace("policy", &format!("policy \"{title}\" {{ deny … }}"))?;
        let mut settings = Vec::new();
        let mut rules = Vec::new();
        self.braced(open, |p| {
            if matches!(p.kind(), T::Kw(Keyword::Deny | Keyword::Require)) && p.nth(1) != T::Eq {
                match p.rule() {
                    Some(r) => {
                        rules.push(r);
                        true
                    }
                    None => false,
                }
            } else {
                match p.field() {
                    Some(f) => {
                        settings.push(f);
                        true
                    }
                    None => false,
                }
            }
        });
        Some(Item::Policy(Policy {
            doc,
            title,
            title_span,
            settings,
            rules,
            span: self.span_from(kw.start),
        }))
    }

    fn rule(&mut self) -> Option<PolicyRule> {
        let kw = self.bump();
        let deny = kw.kind == T::Kw(Keyword::Deny);
        if self.at(T::Kw(Keyword::Path)) && self.nth(1) == T::LParen {
            if !deny {
                let t = self.tok();
                self.report(
                    Diagnostic::error(
                        codes::EXPECTED,
                        "expected a binder name, found keyword `path`",
                        self.tspan(t),
                    )
                    .with_label("`path(…)` rules only exist with `deny`")
                    .with_help(
                        "write `deny path(A ~> B)`: no dependency path may lead from A to B",
                    ),
                );
            }
            self.bump();
            let open = self.bump();
            let from = self.path("a resource type or `internet`")?;
            if self.eat(T::Squiggle).is_none() {
                self.expected(
                    "`~>`",
                    Some("a path rule is written `deny path(FROM ~> TO)`".into()),
                );
                self.skip_to_close(open, T::RParen);
                return None;
            }
            let to = self.path("a resource type")?;
            self.expect_close(open, T::RParen);
            return Some(PolicyRule::DenyPath {
                from,
                to,
                span: self.span_from(kw.start),
            });
        }
        let binder = self.decl_name("a binder name")?;
        let word = if deny { "deny" } else { "require" };
        if self.eat(T::Colon).is_none() {
            self.expected(
                "`:` and a resource type",
                Some(format!(
                    "a rule is written `{word} {}: Type => condition`",
                    binder.name
                )),
            );
            return None;
        }
        let ty = self.path("a resource type")?;
        match self.kind() {
            T::FatArrow => {
                self.bump();
            }
            T::Eq | T::Colon | T::Ge => {
                self.expected(
                    "`=>`",
                    Some(format!(
                        "did you mean `=>`? A rule is written `{word} {}: {} => condition`",
                        binder.name,
                        ty.text()
                    )),
                );
                self.bump();
            }
            _ => {
                self.expected(
                    "`=>` and a condition",
                    Some(format!(
                        "a rule is written `{word} {}: {} => condition`",
                        binder.name,
                        ty.text()
                    )),
                );
                return None;
            }
        }
        let cond = self.expr();
        let span = self.span_from(kw.start);
        Some(if deny {
            PolicyRule::Deny {
                binder,
                ty,
                cond,
                span,
            }
        } else {
            PolicyRule::Require {
                binder,
                ty,
                cond,
                span,
            }
        })
    }

    /// A dotted path: `aws.s3.Bucket`.
    fn path(&mut self, what: &str) -> Option<Path> {
        let t = self.tok();
        if t.kind != T::Ident {
            self.expected(what, None);
            return None;
        }
        self.bump();
        let mut segments = vec![self.ident_of(t)];
        while self.at(T::Dot) && Self::is_name(self.nth(1)) {
            self.bump();
            let s = self.bump();
            segments.push(self.ident_of(s));
        }
        Some(Path {
            segments,
            span: self.span_from(t.start),
        })
    }

    /// `{` opening the body of a declaration; tolerates a stray `=` before it.
    fn open_brace(&mut self, what: &str, example: &str) -> Option<Token> {
        if self.at(T::Eq) && self.nth(1) == T::LBrace {
            let t = self.tok();
            self.report(
                Diagnostic::error(codes::EXPECTED, "expected `{`, found `=`", self.tspan(t))
                    .with_label("no `=` here")
                    .with_help(format!("a {what} body follows directly: `{example}`")),
            );
            self.bump();
        }
        if self.at(T::LBrace) {
            return Some(self.bump());
        }
        self.expected("`{`", Some(format!("a {what} has a body: `{example}`")));
        None
    }

    fn block(&mut self, what: &str, example: &str) -> Option<Vec<Field>> {
        let open = self.open_brace(what, example)?;
        if !self.enter() {
            self.too_deep();
            return Some(Vec::new());
        }
        let fields = self.fields(open);
        self.leave();
        Some(fields)
    }

    /// `name = value` fields up to the `}` matching `open` (already consumed).
    fn fields(&mut self, open: Token) -> Vec<Field> {
        let mut fields = Vec::new();
        while self.body_next(open) {
            let before = self.pos;
            let errs = self.errors();
            let f = self.field();
            let ok = f.is_some();
            if let Some(f) = f {
                fields.push(f);
            }
            self.body_after(before, errs, ok);
        }
        fields
    }

    /// Drive the elements of a `{ … }` body whose `{` is already consumed. `element` parses one
    /// element and returns false after reporting an error. Consumes the closing `}`.
    fn braced(&mut self, open: Token, mut element: impl FnMut(&mut Self) -> bool) {
        while self.body_next(open) {
            let before = self.pos;
            let errs = self.errors();
            let ok = element(self);
            self.body_after(before, errs, ok);
        }
    }

    /// At the top of a `{ … }` body loop: true when an element follows; false when the body
    /// ended (its `}` consumed, or reported as missing).
    #[inline(never)]
    fn body_next(&mut self, open: Token) -> bool {
        loop {
            let t = self.tok();
            match t.kind {
                T::RBrace => {
                    self.bump();
                    return false;
                }
                T::Comma => self.stray_comma(),
                k if is_hard_stop(k) || is_close(k) => {
                    self.unclosed(open, T::RBrace);
                    if is_close(k) {
                        // `{ a = 1 ]`: treat the wrong closer as the end of the block.
                        self.bump();
                    }
                    return false;
                }
                // An item keyword followed by a name (`resource db`, not the field `type = …`)
                // at the start of a line: the `}` is missing.
                _ if t.nl_before && self.at_item_start() => {
                    self.unclosed(open, T::RBrace);
                    return false;
                }
                _ => return true,
            }
        }
    }

    /// After one element of a `{ … }` body: the separator, or recovery.
    #[inline(never)]
    fn body_after(&mut self, before: usize, errs: usize, ok: bool) {
        if !ok {
            // A broken element that already ended at a line break needs no skipping.
            if !(self.pos > before && (self.tok().nl_before || self.at(T::RBrace))) {
                self.recover_element(true);
            }
        } else {
            match self.kind() {
                T::Comma => {
                    self.bump();
                }
                T::RBrace => {}
                k if is_hard_stop(k) => {}
                _ if self.tok().nl_before => {}
                _ => self.bad_separator(errs, T::RBrace),
            }
        }
        if self.pos == before && !self.at(T::RBrace) && !is_hard_stop(self.kind()) {
            self.bump();
        }
    }

    /// `name = value` (`name` may be a keyword or a quoted string).
    fn field(&mut self) -> Option<Field> {
        let start = self.tok().start;
        let name = self.field_name()?;
        let value = self.expr();
        let doc = self.doc_for(start);
        Some(Field {
            doc,
            name: name.0,
            quoted: name.1,
            value,
            span: self.span_from(start),
        })
    }

    /// The name and `=` of a field; tolerates `:`, `==` and a missing `=` before `{` (each
    /// with an error) so the value is still parsed.
    #[inline(never)]
    fn field_name(&mut self) -> Option<(Ident, bool)> {
        let t = self.tok();
        let (name, quoted) = match t.kind {
            T::Ident | T::Kw(_) => {
                self.bump();
                (self.ident_of(t), false)
            }
            T::StrStart => {
                let (s, sp) = self.plain_string("a field name");
                (Ident { name: s, span: sp }, true)
            }
            _ => {
                self.expected(
                    "a field name",
                    Some("fields are written `name = value`".into()),
                );
                return None;
            }
        };
        match self.kind() {
            T::Eq => {
                self.bump();
            }
            T::Colon => {
                let c = self.tok();
                self.report(
                    Diagnostic::error(codes::EXPECTED, "expected `=`, found `:`", self.tspan(c))
                        .with_label("did you mean `=`?")
                        .with_help(format!("fields are set with `=`: `{} = …`; `:` declares a type (in schemas, params and record types)", name.name)),
                );
                self.bump();
            }
            T::EqEq => {
                let c = self.tok();
                self.report(
                    Diagnostic::error(codes::EXPECTED, "expected `=`, found `==`", self.tspan(c))
                        .with_label("did you mean `=`?")
                        .with_help("`==` compares values; a field is set with a single `=`"),
                );
                self.bump();
            }
            T::LBrace if !self.tok().nl_before => {
                let c = self.tok();
                self.report(
                    Diagnostic::error(codes::EXPECTED, "expected `=`, found `{`", self.tspan(c))
                        .with_label("missing `=`")
                        .with_help(format!(
                            "a nested record is still a field: `{} = {{ … }}`",
                            name.name
                        )),
                );
            }
            // `serial-port-enable = ...`, `app.kubernetes.io/name = ...`: a key that is not a
            // plain name, written without quotes. Reported once with the quoted key as a fix,
            // then read as that key so the rest of the record is still checked.
            T::Minus | T::Dot | T::Slash if !quoted && self.tok().start == name.span.end => {
                let mut n = 0;
                let mut end = name.span.end;
                while let Some(t) = self.toks.get(self.pos + n) {
                    if t.start != end || matches!(t.kind, T::Eq | T::Eof) {
                        break;
                    }
                    end = t.end;
                    n += 1;
                }
                if self.nth(n) != T::Eq {
                    self.expected(
                        "`=` and a value",
                        Some(format!("a field is written `{} = value`", name.name)),
                    );
                    return None;
                }
                let key = self.src[name.span.start as usize..end as usize].to_string();
                let span = self.span(name.span.start, end);
                self.report(
                    Diagnostic::error(
                        codes::EXPECTED,
                        format!("`{key}` is not a name: a key like it is written in quotes"),
                        span,
                    )
                    .with_label("write this key in quotes")
                    .with_help(format!(
                        "names are letters, digits and `_`; any other key is a string: `\"{key}\" = value`"
                    ))
                    .with_fix(Fix::replace(
                        format!("Quote `{key}`"),
                        span,
                        format!("\"{key}\""),
                        Applicability::MachineApplicable,
                    )),
                );
                for _ in 0..=n {
                    self.bump();
                }
                return Some((Ident { name: key, span }, true));
            }
            _ => {
                self.expected(
                    "`=` and a value",
                    Some(format!("a field is written `{} = value`", name.name)),
                );
                return None;
            }
        }
        Some((name, quoted))
    }

    /// Field declarations (schema bodies and record types) up to the `}` of `open`.
    fn fielddecls(&mut self, open: Token) -> Vec<FieldDecl> {
        let mut out = Vec::new();
        self.braced(open, |p| match p.fielddecl() {
            Some(f) => {
                out.push(f);
                true
            }
            None => false,
        });
        out
    }

    fn fielddecl(&mut self) -> Option<FieldDecl> {
        let t = self.tok();
        let doc = self.doc_for(t.start);
        let output = if self.at(T::Kw(Keyword::Out)) && Self::is_name(self.nth(1)) {
            self.bump();
            true
        } else {
            false
        };
        let nt = self.tok();
        if !Self::is_name(nt.kind) {
            self.expected(
                "a field name",
                Some(
                    "a field is declared `name: Type`, `name?: Type` or `name: Type = default`"
                        .into(),
                ),
            );
            return None;
        }
        self.bump();
        let name = self.ident_of(nt);
        let optional = self.eat(T::Question).is_some();
        match self.kind() {
            T::Colon => {
                self.bump();
            }
            T::Eq => {
                let e = self.tok();
                self.report(
                    Diagnostic::error(
                        codes::EXPECTED,
                        "expected `:` and a type, found `=`",
                        self.tspan(e),
                    )
                    .with_label("a declared field needs a type")
                    .with_help(format!(
                        "declare the type before the default: `{}: Type = …`",
                        name.name
                    )),
                );
                return None;
            }
            _ => {
                self.expected(
                    "`:` and a type",
                    Some(format!("a field is declared `{}: Type`", name.name)),
                );
                return None;
            }
        }
        let ty = self.ty();
        let default = if self.eat(T::Eq).is_some() {
            Some(self.expr())
        } else {
            None
        };
        Some(FieldDecl {
            doc,
            name,
            optional,
            output,
            ty,
            default,
            span: self.span_from(t.start),
        })
    }

    /// A string without interpolation (import paths, policy titles, quoted keys).
    fn plain_string(&mut self, what: &str) -> (String, Span) {
        let start = self.tok().start;
        let e = self.string();
        let mut out = String::new();
        let mut plain = true;
        if let ExprKind::Str(parts) = e.kind {
            for p in parts {
                match p {
                    StrPart::Lit(s) => out.push_str(&s),
                    StrPart::Interp(_) => plain = false,
                }
            }
        }
        let span = self.span_from(start);
        if !plain {
            self.report(
                Diagnostic::error(
                    codes::EXPECTED,
                    format!("expected {what} without interpolation"),
                    span,
                )
                .with_label("`${…}` is not allowed here")
                .with_help("this string must be a constant; write `\\${` for a literal `${`"),
            );
        }
        (out, span)
    }

    // -----------------------------------------------------------------------------------------
    // Types

    pub(crate) fn ty(&mut self) -> TypeExpr {
        let start = self.tok().start;
        if !self.enter() {
            let e = self.too_deep();
            return TypeExpr {
                kind: TypeKind::Error,
                span: e.span,
            };
        }
        let first = self.type_atom();
        let result = if self.at(T::Pipe) {
            let mut alts = vec![first];
            while self.eat(T::Pipe).is_some() {
                alts.push(self.type_atom());
            }
            TypeExpr {
                kind: TypeKind::Union(alts),
                span: self.span_from(start),
            }
        } else {
            first
        };
        self.leave();
        result
    }

    fn type_atom(&mut self) -> TypeExpr {
        let t = self.tok();
        match t.kind {
            T::Ident => self.named_type(),
            T::LBrace => {
                let open = self.bump();
                let fields = self.fielddecls(open);
                TypeExpr {
                    kind: TypeKind::Record(fields),
                    span: self.span_from(t.start),
                }
            }
            _ => self.literal_type(),
        }
    }

    /// `path`, `path(args)` or `path<params>`.
    fn named_type(&mut self) -> TypeExpr {
        let t = self.tok();
        let Some(path) = self.path("a type") else {
            return TypeExpr {
                kind: TypeKind::Error,
                span: self.tspan(t),
            };
        };
        if self.at(T::LParen) && !self.tok().nl_before {
            let args = self.type_args();
            return TypeExpr {
                kind: TypeKind::Named { path, args },
                span: self.span_from(t.start),
            };
        }
        if self.at(T::Lt) {
            let params = self.type_params(&path);
            return TypeExpr {
                kind: TypeKind::Generic { path, params },
                span: self.span_from(t.start),
            };
        }
        TypeExpr {
            kind: TypeKind::Named {
                path,
                args: Vec::new(),
            },
            span: self.span_from(t.start),
        }
    }

    /// `(1..10, pattern = "…")`
    fn type_args(&mut self) -> Vec<TypeArg> {
        let open = self.bump();
        let mut args = Vec::new();
        loop {
            if self.eat(T::RParen).is_some() {
                break;
            }
            if is_hard_stop(self.kind()) || self.at_line_item_start() {
                self.unclosed(open, T::RParen);
                break;
            }
            match self.type_arg() {
                Some(a) => args.push(a),
                None => {
                    self.skip_to_close(open, T::RParen);
                    break;
                }
            }
            if self.eat(T::Comma).is_none() && !self.at(T::RParen) {
                if is_hard_stop(self.kind()) || self.at_line_item_start() {
                    self.unclosed(open, T::RParen);
                } else {
                    self.expected("`,` or `)`", None);
                    self.skip_to_close(open, T::RParen);
                }
                break;
            }
        }
        args
    }

    /// `<T, U>`
    fn type_params(&mut self, path: &Path) -> Vec<TypeExpr> {
        let open = self.bump();
        let mut params = Vec::new();
        loop {
            params.push(self.ty());
            if self.eat(T::Comma).is_some() {
                continue;
            }
            if self.eat(T::Gt).is_some() {
                break;
            }
            if self.at(T::Ge) {
                // `list<int>= []`: split `>=` into `>` and `=`.
                let p = self.pos;
                self.toks[p].start += 1;
                self.toks[p].kind = T::Eq;
                self.prev_end = self.toks[p].start;
                break;
            }
            self.unclosed_generic(open, path);
            break;
        }
        params
    }

    #[inline(never)]
    fn unclosed_generic(&mut self, open: Token, path: &Path) {
        let (span, found) = self.found_at();
        self.report(
            Diagnostic::error(
                codes::UNCLOSED_DELIMITER,
                format!("expected `>`, found {found}"),
                span,
            )
            .with_label("expected `>`")
            .with_secondary(self.tspan(open), "to close this `<`")
            .with_help(format!("generic types are written `{}<T>`", path.text())),
        );
    }

    /// A literal type (`"dev"`, `3`, `-1`, `true`, `null`), or an error.
    #[inline(never)]
    fn literal_type(&mut self) -> TypeExpr {
        let t = self.tok();
        match t.kind {
            T::StrStart
            | T::Int
            | T::Float
            | T::Quantity
            | T::Kw(Keyword::True | Keyword::False | Keyword::Null) => {
                let e = self.primary();
                TypeExpr {
                    span: e.span,
                    kind: TypeKind::Literal(e),
                }
            }
            T::Minus if matches!(self.nth(1), T::Int | T::Float | T::Quantity) => {
                let e = self.unary();
                TypeExpr {
                    span: e.span,
                    kind: TypeKind::Literal(e),
                }
            }
            _ => {
                let help = match t.kind {
                    _ if t.nl_before && self.at_item_start() => Some("the type is missing before this line".to_string()),
                    T::Kw(k) => Some(format!("`{}` is a keyword, not a type", k.as_str())),
                    _ => Some("types are names (`string`, `int(1..10)`, `list<string>`, `aws.kms.Key`), literals, records `{ a: T }` or unions `A | B`".into()),
                };
                self.expected("a type", help);
                let (span, _) = self.found_at();
                TypeExpr {
                    kind: TypeKind::Error,
                    span: self.span(span.start, span.start),
                }
            }
        }
    }

    fn type_arg(&mut self) -> Option<TypeArg> {
        let start = self.tok().start;
        if Self::is_name(self.kind()) && self.nth(1) == T::Eq {
            let f = self.field()?;
            return Some(TypeArg::Named(f));
        }
        let stop = |k: T| matches!(k, T::RParen | T::Comma);
        if self.eat(T::DotDot).is_some() {
            let hi = if stop(self.kind()) {
                None
            } else {
                Some(self.expr())
            };
            return Some(TypeArg::Range {
                lo: None,
                hi,
                span: self.span_from(start),
            });
        }
        let lo = self.expr();
        if self.eat(T::DotDot).is_none() {
            self.expected(
                "`..` (a range such as `1..10`)",
                Some("constraint arguments are ranges `lo..hi` or settings `name = value`".into()),
            );
            return None;
        }
        let hi = if stop(self.kind()) {
            None
        } else {
            Some(self.expr())
        };
        Some(TypeArg::Range {
            lo: Some(lo),
            hi,
            span: self.span_from(start),
        })
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    pub(crate) fn expr(&mut self) -> Expr {
        if !self.enter() {
            return self.too_deep();
        }
        let start = self.tok().start;
        let cond = self.binary(0);
        let e = if self.at(T::Question) {
            self.cond_tail(cond, start)
        } else {
            cond
        };
        self.leave();
        e
    }

    /// `? then : otherwise` after `cond`.
    fn cond_tail(&mut self, cond: Expr, start: u32) -> Expr {
        self.bump();
        let then = self.expr();
        let otherwise = if self.eat(T::Colon).is_some() {
            self.expr()
        } else {
            self.missing_else()
        };
        Expr {
            kind: ExprKind::Cond {
                cond: Box::new(cond),
                then: Box::new(then),
                otherwise: Box::new(otherwise),
            },
            span: self.span_from(start),
        }
    }

    #[inline(never)]
    fn missing_else(&mut self) -> Expr {
        self.expected(
            "`:` and the value when false",
            Some("a conditional is written `condition ? if_true : if_false`".into()),
        );
        self.error_expr()
    }

    /// Left-associative operators wrap what was parsed before them (`1 + 2 + 3` is
    /// `(1 + 2) + 3`), so an operand parsed at one level ends up deeper by the number of
    /// operators that follow it: the height of the tree built so far is tracked, and the limit
    /// is on that, not on the level at which each operand was parsed.
    fn binary(&mut self, min_prec: u8) -> Expr {
        let start = self.tok().start;
        let saved = self.depth;
        let (mut lhs, mut height) = self.measured(saved, |p| p.unary());
        let mut last_cmp = false;
        loop {
            let t = self.tok();
            let Some((op, prec)) = binop(t.kind) else {
                break;
            };
            if prec < min_prec || (t.kind == T::Minus && t.nl_before) {
                break;
            }
            if prec == CMP_PREC && last_cmp {
                self.chained_comparison(t);
            }
            if saved + height > MAX_DEPTH {
                let rhs = self.too_deep();
                lhs = binary_node(op, lhs, rhs, self.span_from(start));
                break;
            }
            self.bump();
            let (rhs, rhs_height) = self.measured(saved + 1, |p| p.binary(prec + 1));
            height = 1 + height.max(rhs_height);
            lhs = binary_node(op, lhs, rhs, self.span_from(start));
            last_cmp = prec == CMP_PREC;
        }
        self.depth = saved;
        self.peak = self.peak.max(saved + height - 1);
        lhs
    }

    #[inline(never)]
    fn chained_comparison(&mut self, t: Token) {
        self.report(
            Diagnostic::error(
                codes::CHAINED_COMPARISON,
                "comparison operators cannot be chained",
                self.tspan(t),
            )
            .with_label("second comparison")
            .with_help("combine two comparisons with `&&`, e.g. `a < b && b < c`"),
        );
    }

    fn unary(&mut self) -> Expr {
        let t = self.tok();
        let op = match t.kind {
            T::Bang => UnaryOp::Not,
            T::Minus => {
                // `-3`, `-0.5`, `-5 GiB` are negative literals.
                if matches!(self.nth(1), T::Int | T::Float | T::Quantity) {
                    self.bump();
                    let lit = self.tok();
                    return self.number(lit, true, t.start);
                }
                UnaryOp::Neg
            }
            _ => return self.postfix(),
        };
        if !self.enter() {
            return self.too_deep();
        }
        self.bump();
        let e = self.unary();
        self.leave();
        Expr {
            kind: ExprKind::Unary {
                op,
                expr: Box::new(e),
            },
            span: self.span_from(t.start),
        }
    }

    /// A chain of accesses and calls wraps what was parsed before (`a.b[0]` is `(a.b)[0]`): like
    /// [`Parser::binary`], the height of the tree built so far is tracked. What an access
    /// contains (the index, the arguments, the fields) is one level below the access.
    fn postfix(&mut self) -> Expr {
        let start = self.tok().start;
        let saved = self.depth;
        let (mut e, mut height) = self.measured(saved, |p| p.primary());
        loop {
            let t = self.tok();
            let is_postfix = match t.kind {
                T::Dot => true,
                T::LBracket | T::LParen => !t.nl_before,
                T::LBrace => !t.nl_before && path_of(&e).is_some(),
                _ => false,
            };
            if !is_postfix {
                break;
            }
            if saved + height > MAX_DEPTH {
                e = self.postfix_too_deep(start);
                break;
            }
            let ((next, ok), inner_height) = self.measured(saved, |p| match t.kind {
                T::Dot => p.postfix_dot(e, start),
                T::LBracket => (p.postfix_index(e, start), true),
                T::LParen => (p.postfix_call(e, start), true),
                _ => (p.postfix_typed(e, start), true),
            });
            e = next;
            height = inner_height.max(height + 1);
            if !ok {
                break;
            }
        }
        self.depth = saved;
        self.peak = self.peak.max(saved + height - 1);
        e
    }

    #[inline(never)]
    fn postfix_too_deep(&mut self, start: u32) -> Expr {
        let _ = self.too_deep();
        Expr {
            kind: ExprKind::Error,
            span: self.span_from(start),
        }
    }

    /// `.name`; `(error node, false)` when no name follows.
    #[inline(never)]
    fn postfix_dot(&mut self, e: Expr, start: u32) -> (Expr, bool) {
        self.bump();
        let n = self.tok();
        let item_next = n.nl_before && self.at_item_start();
        if Self::is_name(n.kind) && !item_next {
            self.bump();
            let name = self.ident_of(n);
            return (
                Expr {
                    kind: ExprKind::Field {
                        base: Box::new(e),
                        name,
                    },
                    span: self.span_from(start),
                },
                true,
            );
        }
        let help = if matches!(n.kind, T::Int | T::Float) {
            "index lists with brackets: `xs[0]`"
        } else {
            "write a field name after `.`, e.g. `db.url`"
        };
        self.expected("a field name after `.`", Some(help.into()));
        (
            Expr {
                kind: ExprKind::Error,
                span: self.span_from(start),
            },
            false,
        )
    }

    fn postfix_index(&mut self, e: Expr, start: u32) -> Expr {
        let open = self.bump();
        let index = if self.at(T::RBracket) {
            self.missing_index()
        } else {
            self.expr()
        };
        self.expect_close(open, T::RBracket);
        Expr {
            kind: ExprKind::Index {
                base: Box::new(e),
                index: Box::new(index),
            },
            span: self.span_from(start),
        }
    }

    #[inline(never)]
    fn missing_index(&mut self) -> Expr {
        self.expected("an index", Some("write `xs[0]` or `m[\"key\"]`".into()));
        self.error_expr()
    }

    fn postfix_call(&mut self, e: Expr, start: u32) -> Expr {
        let open = self.bump();
        let args = self.seq(open, T::RParen);
        let span = self.span_from(start);
        match e.kind {
            ExprKind::Name(callee) => Expr {
                kind: ExprKind::Call { callee, args },
                span,
            },
            _ => self.invalid_call(e.span, span),
        }
    }

    #[inline(never)]
    fn invalid_call(&mut self, callee: Span, span: Span) -> Expr {
        self.report(
            Diagnostic::error(codes::INVALID_CALL, "only functions can be called", callee)
                .with_label("this is not a function name")
                .with_help(
                    "call a built-in function with the value as an argument, e.g. `length(names)`",
                ),
        );
        Expr {
            kind: ExprKind::Error,
            span,
        }
    }

    /// Typed record: `aws { region = "us-east-1" }`.
    fn postfix_typed(&mut self, e: Expr, start: u32) -> Expr {
        let open = self.bump();
        let fields = self.fields(open);
        let ty = path_of(&e).unwrap_or(Path {
            segments: Vec::new(),
            span: e.span,
        });
        Expr {
            kind: ExprKind::TypedRecord { ty, fields },
            span: self.span_from(start),
        }
    }

    /// A numeric literal token (`lit`); `neg` when preceded by a unary minus starting at `start`.
    fn number(&mut self, lit: Token, neg: bool, start: u32) -> Expr {
        self.bump();
        let span = self.span(start, lit.end);
        let text = self.text(lit);
        let sign = if neg { "-" } else { "" };
        let kind = match lit.kind {
            T::Int => {
                let digits: String = text.chars().filter(|&c| c != '_').collect();
                match format!("{sign}{digits}").parse::<i64>() {
                    Ok(v) => ExprKind::Int(v),
                    Err(_) => {
                        self.report(
                            Diagnostic::error(codes::INVALID_NUMBER, format!("integer `{sign}{text}` is out of range"), span)
                                .with_label("does not fit in 64 bits")
                                .with_help("integers range from -9223372036854775808 to 9223372036854775807; use a float (`1e20`) or a string"),
                        );
                        ExprKind::Error
                    }
                }
            }
            T::Float | T::Quantity => {
                let num = if lit.kind == T::Quantity {
                    self.src
                        .get(lit.start as usize..lit.aux as usize)
                        .unwrap_or("")
                        .trim_end()
                } else {
                    text
                };
                let digits: String = num.chars().filter(|&c| c != '_').collect();
                match digits.parse::<f64>() {
                    Ok(v) if v.is_finite() => {
                        let v = if neg { -v } else { v };
                        if lit.kind == T::Quantity {
                            let unit = self
                                .src
                                .get(lit.aux as usize..lit.end as usize)
                                .unwrap_or("")
                                .to_string();
                            ExprKind::Quantity { value: v, unit }
                        } else {
                            ExprKind::Float(v)
                        }
                    }
                    _ => {
                        self.report(
                            Diagnostic::error(
                                codes::INVALID_NUMBER,
                                format!("number `{num}` is out of range"),
                                span,
                            )
                            .with_label("too large for a 64-bit float")
                            .with_help("use a smaller number"),
                        );
                        ExprKind::Error
                    }
                }
            }
            _ => ExprKind::Error,
        };
        Expr { kind, span }
    }

    // The functions on the recursive path (expr → binary → unary → postfix → primary → list /
    // record / paren → expr) keep their frames small: every non-recursive case and every
    // diagnostic lives in a separate function, so that 256 levels fit in a 2 MiB debug stack.

    fn primary(&mut self) -> Expr {
        match self.kind() {
            T::StrStart => self.string(),
            T::LBracket => self.list(),
            T::LBrace => self.record(),
            T::LParen => self.paren(),
            _ => self.leaf(),
        }
    }

    fn paren(&mut self) -> Expr {
        let open = self.bump();
        if self.at(T::RParen) {
            return self.empty_paren(open);
        }
        let inner = self.expr();
        self.expect_close(open, T::RParen);
        Expr {
            kind: ExprKind::Paren(Box::new(inner)),
            span: self.span_from(open.start),
        }
    }

    #[inline(never)]
    fn empty_paren(&mut self, open: Token) -> Expr {
        self.expected("an expression", None);
        self.bump();
        Expr {
            kind: ExprKind::Error,
            span: self.span_from(open.start),
        }
    }

    /// A non-recursive primary: literal, name, or an error.
    #[inline(never)]
    fn leaf(&mut self) -> Expr {
        let t = self.tok();
        match t.kind {
            T::Int | T::Float | T::Quantity => self.number(t, false, t.start),
            T::Cidr => {
                self.bump();
                Expr {
                    kind: ExprKind::Cidr(self.text(t).to_string()),
                    span: self.tspan(t),
                }
            }
            T::BadNumber => {
                self.bump();
                Expr {
                    kind: ExprKind::Error,
                    span: self.tspan(t),
                }
            }
            T::Ident => {
                self.bump();
                Expr {
                    kind: ExprKind::Name(self.ident_of(t)),
                    span: self.tspan(t),
                }
            }
            T::Kw(Keyword::True) => {
                self.bump();
                Expr {
                    kind: ExprKind::Bool(true),
                    span: self.tspan(t),
                }
            }
            T::Kw(Keyword::False) => {
                self.bump();
                Expr {
                    kind: ExprKind::Bool(false),
                    span: self.tspan(t),
                }
            }
            T::Kw(Keyword::Null) => {
                self.bump();
                Expr {
                    kind: ExprKind::Null,
                    span: self.tspan(t),
                }
            }
            T::Kw(k) => {
                let help = match k {
                    Keyword::For | Keyword::If => {
                        "comprehensions are written in brackets: `[for x in xs: f(x) if cond]`"
                            .to_string()
                    }
                    _ if t.nl_before && self.at_item_start() => {
                        "the value is missing before this line".to_string()
                    }
                    _ => format!(
                        "`{}` is a keyword; keywords can only be field names",
                        k.as_str()
                    ),
                };
                self.expected("an expression", Some(help));
                if !(t.nl_before && self.at_item_start()) {
                    self.bump();
                    return Expr {
                        kind: ExprKind::Error,
                        span: self.tspan(t),
                    };
                }
                self.error_expr()
            }
            _ => {
                let help = match t.kind {
                    T::Eq => Some("a value is missing before `=`".to_string()),
                    T::Pipe => Some(
                        "`|` separates alternatives of a type; the logical or is `||`".to_string(),
                    ),
                    _ => None,
                };
                self.expected("an expression", help);
                // Consume a stray operator on the same line so the caller can go on.
                if !t.nl_before && binop(t.kind).is_some() {
                    self.bump();
                    return Expr {
                        kind: ExprKind::Error,
                        span: self.tspan(t),
                    };
                }
                self.error_expr()
            }
        }
    }

    fn string(&mut self) -> Expr {
        let open = self.bump();
        let mut parts = Vec::new();
        loop {
            match self.kind() {
                T::StrLit => self.str_lit(&mut parts),
                T::InterpStart => {
                    let t = self.bump();
                    if self.at(T::InterpEnd) {
                        self.empty_interpolation(t);
                        continue;
                    }
                    let e = self.expr();
                    if !self.at(T::InterpEnd) {
                        self.skip_interpolation();
                    }
                    self.eat(T::InterpEnd);
                    parts.push(StrPart::Interp(e));
                }
                T::StrEnd => {
                    self.bump();
                    break;
                }
                _ => break,
            }
        }
        if parts.is_empty() {
            parts.push(StrPart::Lit(String::new()));
        }
        Expr {
            kind: ExprKind::Str(parts),
            span: self.span_from(open.start),
        }
    }

    #[inline(never)]
    fn str_lit(&mut self, parts: &mut Vec<StrPart>) {
        let t = self.bump();
        parts.push(StrPart::Lit(unescape(self.text(t))));
    }

    #[inline(never)]
    fn empty_interpolation(&mut self, t: Token) {
        let end = self.bump();
        self.report(
            Diagnostic::error(
                codes::EXPECTED,
                "expected an expression inside `${}`",
                self.span(t.start, end.end),
            )
            .with_label("empty interpolation")
            .with_help("write a value inside, e.g. `${name}`; a literal `${` is written `\\${`"),
        );
    }

    /// Report and skip what follows the expression of an interpolation, up to its `}`.
    #[inline(never)]
    fn skip_interpolation(&mut self) {
        self.expected("`}` closing the interpolation", None);
        let mut depth = 0usize;
        loop {
            match self.kind() {
                T::Eof => break,
                T::InterpStart => depth += 1,
                T::InterpEnd if depth == 0 => break,
                T::InterpEnd => depth -= 1,
                _ => {}
            }
            self.bump();
        }
    }

    /// Comma- or newline-separated expressions up to `close` (the opener is consumed).
    fn seq(&mut self, open: Token, close: T) -> Vec<Expr> {
        let mut items = Vec::new();
        loop {
            let t = self.tok();
            if t.kind == close {
                self.bump();
                break;
            }
            if is_hard_stop(t.kind) || (t.nl_before && self.at_item_start()) || (is_close(t.kind)) {
                self.unclosed(open, close);
                if is_close(t.kind) && t.kind != T::RBrace {
                    self.bump();
                }
                break;
            }
            if t.kind == T::Comma {
                self.stray_comma();
                continue;
            }
            let before = self.pos;
            let errs = self.errors();
            items.push(self.expr());
            match self.kind() {
                T::Comma => {
                    self.bump();
                }
                k if k == close => {}
                k if is_hard_stop(k) || is_close(k) => {}
                _ if self.tok().nl_before => {}
                _ => self.bad_separator(errs, close),
            }
            if self.pos == before && !self.at(close) && !is_hard_stop(self.kind()) {
                self.bump();
            }
        }
        items
    }

    #[inline(never)]
    fn stray_comma(&mut self) {
        let t = self.bump();
        self.report(
            Diagnostic::error(codes::UNEXPECTED_TOKEN, "unexpected `,`", self.tspan(t))
                .with_label("nothing to separate here")
                .with_help("remove the extra comma"),
        );
    }

    /// After an element of a `{…}` (`close` is `}`) or `[…]`/`(…)` sequence, neither a
    /// separator nor the end: report (unless the element already did) and skip.
    #[inline(never)]
    fn bad_separator(&mut self, errs_before: usize, close: T) {
        let block = close == T::RBrace;
        if self.errors() == errs_before {
            if block {
                let help = if Self::is_name(self.kind()) && matches!(self.nth(1), T::Eq | T::Colon)
                {
                    "put each field on its own line, or separate fields with `,`"
                } else {
                    "fields are separated by `,` or new lines"
                };
                self.expected("`,` or a new line after the field", Some(help.into()));
            } else {
                self.expected(&format!("`,` or {}", close_text(close)), None);
            }
        }
        self.recover_element(block);
    }

    fn comp_vars(&mut self) -> Option<(Option<Ident>, Ident)> {
        let first = self.decl_name("a loop variable")?;
        if self.eat(T::Comma).is_some() {
            let second = self.decl_name("a second loop variable")?;
            return Some((Some(first), second));
        }
        Some((None, first))
    }

    fn list(&mut self) -> Expr {
        let open = self.bump();
        if self.at(T::Kw(Keyword::For)) {
            return self.comprehension(open, T::RBracket);
        }
        let items = self.seq(open, T::RBracket);
        Expr {
            kind: ExprKind::List(items),
            span: self.span_from(open.start),
        }
    }

    /// `[for …]` or `{for …}` after the opening bracket; an error node if it is malformed.
    #[inline(never)]
    fn comprehension(&mut self, open: Token, close: T) -> Expr {
        self.bump();
        let parsed = if close == T::RBracket {
            self.list_comp(open)
        } else {
            self.map_comp(open)
        };
        match parsed {
            Some(e) => e,
            None => {
                self.skip_to_close(open, close);
                Expr {
                    kind: ExprKind::Error,
                    span: self.span_from(open.start),
                }
            }
        }
    }

    fn comp_head(&mut self) -> Option<(Option<Ident>, Ident, Expr)> {
        let (key, var) = self.comp_vars()?;
        if self.eat(T::Kw(Keyword::In)).is_none() {
            self.expected(
                "`in`",
                Some("a comprehension is written `for x in xs: …`".into()),
            );
            return None;
        }
        let iter = self.expr();
        if self.eat(T::Colon).is_none() {
            self.expected(
                "`:`",
                Some("a comprehension is written `for x in xs: value`".into()),
            );
            return None;
        }
        Some((key, var, iter))
    }

    fn list_comp(&mut self, open: Token) -> Option<Expr> {
        let (key, var, iter) = self.comp_head()?;
        let body = self.expr();
        let cond = if self.eat(T::Kw(Keyword::If)).is_some() {
            Some(Box::new(self.expr()))
        } else {
            None
        };
        self.expect_close(open, T::RBracket);
        Some(Expr {
            kind: ExprKind::ListComp {
                key,
                var,
                iter: Box::new(iter),
                body: Box::new(body),
                cond,
            },
            span: self.span_from(open.start),
        })
    }

    fn record(&mut self) -> Expr {
        let open = self.bump();
        if self.at(T::Kw(Keyword::For)) && self.nth(1) != T::Eq {
            return self.comprehension(open, T::RBrace);
        }
        let fields = self.fields(open);
        Expr {
            kind: ExprKind::Record(fields),
            span: self.span_from(open.start),
        }
    }

    fn map_comp(&mut self, open: Token) -> Option<Expr> {
        let (key, var, iter) = self.comp_head()?;
        let out_key = self.expr();
        match self.kind() {
            T::FatArrow => {
                self.bump();
            }
            T::Eq | T::Colon => {
                self.expected("`=>`", Some("did you mean `=>`? A map comprehension is written `{for x in xs: key => value}`".into()));
                self.bump();
            }
            _ => {
                self.expected(
                    "`=>`",
                    Some("a map comprehension is written `{for x in xs: key => value}`".into()),
                );
                return None;
            }
        }
        let out_value = self.expr();
        let cond = if self.eat(T::Kw(Keyword::If)).is_some() {
            Some(Box::new(self.expr()))
        } else {
            None
        };
        self.expect_close(open, T::RBrace);
        Some(Expr {
            kind: ExprKind::MapComp {
                key,
                var,
                iter: Box::new(iter),
                out_key: Box::new(out_key),
                out_value: Box::new(out_value),
                cond,
            },
            span: self.span_from(open.start),
        })
    }
}
