//! The lexer: source text → a flat vector of [`Token`]s plus the comments and the lexical
//! diagnostics. Token-level recognisers (identifiers, numbers, CIDR blocks, exponents) are nom
//! combinators over `&str`; the driver loop dispatches on the first byte, so lexing is linear
//! and allocation-free apart from the output vectors.
//!
//! Strings are split into `StrStart StrLit* (InterpStart tokens… InterpEnd StrLit*)* StrEnd`,
//! so interpolations are ordinary tokens the parser reads with the expression grammar. A string
//! (with its interpolations) never spans lines: a newline before the closing quote ends it with
//! `E0002`, which keeps one bad string from swallowing the rest of the file.

use crate::codes;
use nom::{
    bytes::complete::{take_while, take_while1},
    character::complete::{char, digit1, one_of},
    combinator::{opt, recognize},
    IResult, Parser,
};
use strata_base::{did_you_mean, units, Diagnostic, FileId, Fix, Span};

/// Reserved words. Keywords may still be used as field names (`type = "gp3"`, `x.path`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keyword {
    Import,
    As,
    Param,
    Let,
    Type,
    Schema,
    Out,
    Stack,
    Resource,
    Module,
    Output,
    Policy,
    Deny,
    Require,
    Path,
    For,
    In,
    If,
    True,
    False,
    Null,
}

impl Keyword {
    /// The keyword spelled `s`, if any.
    pub fn lookup(s: &str) -> Option<Keyword> {
        Some(match s {
            "import" => Keyword::Import,
            "as" => Keyword::As,
            "param" => Keyword::Param,
            "let" => Keyword::Let,
            "type" => Keyword::Type,
            "schema" => Keyword::Schema,
            "out" => Keyword::Out,
            "stack" => Keyword::Stack,
            "resource" => Keyword::Resource,
            "module" => Keyword::Module,
            "output" => Keyword::Output,
            "policy" => Keyword::Policy,
            "deny" => Keyword::Deny,
            "require" => Keyword::Require,
            "path" => Keyword::Path,
            "for" => Keyword::For,
            "in" => Keyword::In,
            "if" => Keyword::If,
            "true" => Keyword::True,
            "false" => Keyword::False,
            "null" => Keyword::Null,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Import => "import",
            Keyword::As => "as",
            Keyword::Param => "param",
            Keyword::Let => "let",
            Keyword::Type => "type",
            Keyword::Schema => "schema",
            Keyword::Out => "out",
            Keyword::Stack => "stack",
            Keyword::Resource => "resource",
            Keyword::Module => "module",
            Keyword::Output => "output",
            Keyword::Policy => "policy",
            Keyword::Deny => "deny",
            Keyword::Require => "require",
            Keyword::Path => "path",
            Keyword::For => "for",
            Keyword::In => "in",
            Keyword::If => "if",
            Keyword::True => "true",
            Keyword::False => "false",
            Keyword::Null => "null",
        }
    }
    /// Keywords that begin a top-level (or module-level) item.
    pub fn starts_item(self) -> bool {
        matches!(
            self,
            Keyword::Import
                | Keyword::Param
                | Keyword::Let
                | Keyword::Type
                | Keyword::Schema
                | Keyword::Stack
                | Keyword::Resource
                | Keyword::Module
                | Keyword::Output
                | Keyword::Policy
        )
    }
}

/// The item keywords, for "did you mean" on misspelt items.
pub const ITEM_KEYWORDS: &[&str] = &[
    "import", "param", "let", "type", "schema", "stack", "resource", "module", "output", "policy",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Ident,
    Kw(Keyword),
    Int,
    Float,
    /// A number with a unit; `aux` is the byte offset where the unit starts.
    Quantity,
    Cidr,
    /// A malformed number, quantity or CIDR; a diagnostic was already reported.
    BadNumber,
    StrStart,
    /// Raw (still escaped) text of a string segment.
    StrLit,
    StrEnd,
    /// `${`
    InterpStart,
    /// The `}` closing an interpolation.
    InterpEnd,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
    Dot,
    DotDot,
    Colon,
    Question,
    At,
    Pipe,
    Eq,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    AndAnd,
    OrOr,
    /// `=>`
    FatArrow,
    /// `~>`
    Squiggle,
    Eof,
}

impl TokenKind {
    /// How the token is named in "expected …, found …" messages.
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Ident => "a name",
            TokenKind::Kw(_) => "a keyword",
            TokenKind::Int | TokenKind::Float | TokenKind::BadNumber => "a number",
            TokenKind::Quantity => "a quantity",
            TokenKind::Cidr => "a CIDR block",
            TokenKind::StrStart | TokenKind::StrLit | TokenKind::StrEnd => "a string",
            TokenKind::InterpStart => "`${`",
            TokenKind::InterpEnd => "`}`",
            TokenKind::LBrace => "`{`",
            TokenKind::RBrace => "`}`",
            TokenKind::LBracket => "`[`",
            TokenKind::RBracket => "`]`",
            TokenKind::LParen => "`(`",
            TokenKind::RParen => "`)`",
            TokenKind::Comma => "`,`",
            TokenKind::Dot => "`.`",
            TokenKind::DotDot => "`..`",
            TokenKind::Colon => "`:`",
            TokenKind::Question => "`?`",
            TokenKind::At => "`@`",
            TokenKind::Pipe => "`|`",
            TokenKind::Eq => "`=`",
            TokenKind::EqEq => "`==`",
            TokenKind::Ne => "`!=`",
            TokenKind::Lt => "`<`",
            TokenKind::Le => "`<=`",
            TokenKind::Gt => "`>`",
            TokenKind::Ge => "`>=`",
            TokenKind::Plus => "`+`",
            TokenKind::Minus => "`-`",
            TokenKind::Star => "`*`",
            TokenKind::Slash => "`/`",
            TokenKind::Percent => "`%`",
            TokenKind::Bang => "`!`",
            TokenKind::AndAnd => "`&&`",
            TokenKind::OrOr => "`||`",
            TokenKind::FatArrow => "`=>`",
            TokenKind::Squiggle => "`~>`",
            TokenKind::Eof => "end of file",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// A line break (possibly inside a comment) separates this token from the previous one.
    pub nl_before: bool,
    pub start: u32,
    pub end: u32,
    /// Kind-specific: for `Quantity`, the byte offset of the unit.
    pub aux: u32,
}

/// The result of lexing one file.
#[derive(Debug)]
pub struct Lexed {
    /// Always ends with an `Eof` token.
    pub tokens: Vec<Token>,
    pub comments: Vec<crate::ast::Comment>,
    pub diags: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    Str { start: u32 },
    Interp { depth: u32 },
}

type R<'a, O> = IResult<&'a str, O, ()>;

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}
fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `[A-Za-z_][A-Za-z0-9_]*`
pub fn ident(i: &str) -> R<'_, &str> {
    recognize((take_while1(is_ident_start), take_while(is_ident_char))).parse(i)
}

/// `[0-9][0-9_]*`
fn digits(i: &str) -> R<'_, &str> {
    recognize((digit1, take_while(|c: char| c.is_ascii_digit() || c == '_'))).parse(i)
}

/// `d.d.d.d` (an IPv4 address)
fn dotted_quad(i: &str) -> R<'_, &str> {
    recognize((
        digit1,
        char('.'),
        digit1,
        char('.'),
        digit1,
        char('.'),
        digit1,
    ))
    .parse(i)
}

/// `/d` (a prefix length)
fn prefix_len(i: &str) -> R<'_, &str> {
    recognize((char('/'), digit1)).parse(i)
}

/// `.d` (a fraction; the digit is required so that `1..10` is a range)
fn fraction(i: &str) -> R<'_, &str> {
    recognize((char('.'), digits)).parse(i)
}

/// `e+3`, `E-2`, `e10`
fn exponent(i: &str) -> R<'_, &str> {
    recognize((one_of("eE"), opt(one_of("+-")), digit1)).parse(i)
}

/// A number: `(text, is_float)`.
fn number(i: &str) -> R<'_, (&str, bool)> {
    let (rest, (int, frac, exp)) = (digits, opt(fraction), opt(exponent)).parse(i)?;
    let len = int.len() + frac.map_or(0, str::len) + exp.map_or(0, str::len);
    Ok((rest, (&i[..len], frac.is_some() || exp.is_some())))
}

/// Spellings people write for units that Strata spells differently, with the fix.
fn unit_alias(word: &str) -> Option<&'static str> {
    Some(match word.to_ascii_lowercase().as_str() {
        "sec" | "secs" | "second" | "seconds" => "s",
        "m" | "mins" | "minute" | "minutes" => "min",
        "hr" | "hrs" | "hour" | "hours" => "h",
        "day" | "days" => "d",
        "wk" | "week" | "weeks" => "w",
        "msec" | "millis" | "milliseconds" => "ms",
        "bytes" | "byte" => "B",
        "k" | "kb" => "KB",
        "mb" => "MB",
        "gb" => "GB",
        "tb" => "TB",
        "kib" => "KiB",
        "mib" => "MiB",
        "gib" => "GiB",
        "tib" => "TiB",
        "usd" | "dollars" | "dollar" | "$" => "USD",
        _ => return None,
    })
}

fn rate_suffix_alias(word: &str) -> Option<&'static str> {
    Some(match word.to_ascii_lowercase().as_str() {
        "mo" | "month" | "months" | "monthly" => "USD/month",
        "hr" | "h" | "hour" | "hours" | "hourly" => "USD/hour",
        "yr" | "y" | "year" | "years" | "yearly" | "annual" => "USD/year",
        "d" | "day" | "days" | "daily" | "w" | "wk" | "week" | "weeks" | "weekly" | "min"
        | "minute" | "s" | "sec" | "second" => "USD/month",
        _ => return None,
    })
}

fn unit_names() -> impl Iterator<Item = &'static str> {
    units::UNITS.iter().map(|u| u.name)
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    file: FileId,
    tokens: Vec<Token>,
    comments: Vec<crate::ast::Comment>,
    diags: Vec<Diagnostic>,
    modes: Vec<Mode>,
    nl: bool,
}

/// Lex a whole file. Never fails; problems become diagnostics.
pub fn lex(file: FileId, src: &str) -> Lexed {
    // A lone `\r` is a line break (see `crate::lone_cr_as_lf`); offsets are unchanged.
    let normalized = crate::lone_cr_as_lf(src);
    let src = normalized.as_deref().unwrap_or(src);
    let mut lx = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        file,
        tokens: Vec::with_capacity(src.len() / 4 + 16),
        comments: Vec::new(),
        diags: Vec::new(),
        modes: Vec::new(),
        nl: true,
    };
    // A byte-order mark is not content.
    if src.starts_with('\u{FEFF}') {
        lx.pos = 3;
    }
    lx.run();
    Lexed {
        tokens: lx.tokens,
        comments: lx.comments,
        diags: lx.diags,
    }
}

impl<'a> Lexer<'a> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn push(&mut self, kind: TokenKind, start: usize, end: usize, aux: usize) {
        self.tokens.push(Token {
            kind,
            nl_before: self.nl,
            start: start as u32,
            end: end as u32,
            aux: aux as u32,
        });
        self.nl = false;
    }

    fn error(&mut self, d: Diagnostic) {
        if self.diags.len() < crate::MAX_DIAGNOSTICS {
            self.diags.push(d);
        }
    }

    fn peek(&self, off: usize) -> u8 {
        self.bytes.get(self.pos + off).copied().unwrap_or(0)
    }

    fn run(&mut self) {
        loop {
            if let Some(Mode::Str { .. }) = self.modes.last() {
                self.string_body();
                continue;
            }
            self.trivia();
            if self.pos >= self.bytes.len() {
                if !self.modes.is_empty() {
                    self.abort_strings(self.pos);
                }
                let end = self.bytes.len();
                self.push(TokenKind::Eof, end, end, 0);
                return;
            }
            self.token();
        }
    }

    /// Skip whitespace and comments, recording comments and line breaks.
    fn trivia(&mut self) {
        let len = self.bytes.len();
        while self.pos < len {
            match self.bytes[self.pos] {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    if self.modes.last().is_some() {
                        // A newline inside `${ … }`: the string is unterminated.
                        self.abort_strings(self.pos);
                    }
                    self.nl = true;
                    self.pos += 1;
                }
                b'/' if self.peek(1) == b'/' => {
                    let start = self.pos;
                    let end = self.src[start..].find('\n').map_or(len, |i| start + i);
                    let text = self.src[start..end].trim_end();
                    self.comments.push(crate::ast::Comment {
                        text: text.to_string(),
                        span: self.span(start, start + text.len()),
                    });
                    self.pos = end;
                }
                b'/' if self.peek(1) == b'*' => self.block_comment(),
                _ => return,
            }
        }
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        let mut depth = 0usize;
        let len = self.bytes.len();
        let mut i = start;
        while i < len {
            match self.bytes[i] {
                b'/' if self.bytes.get(i + 1) == Some(&b'*') => {
                    depth += 1;
                    i += 2;
                }
                b'*' if self.bytes.get(i + 1) == Some(&b'/') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                }
                b'\n' => {
                    self.nl = true;
                    i += 1;
                }
                _ => i += 1,
            }
        }
        if depth > 0 {
            self.error(
                Diagnostic::error(
                    codes::UNTERMINATED_COMMENT,
                    "unterminated block comment",
                    self.span(start, start + 2),
                )
                .with_label("this comment is never closed")
                .with_help(
                    "close it with `*/` (block comments nest: every `/*` needs its own `*/`)",
                ),
            );
            i = len;
        }
        self.comments.push(crate::ast::Comment {
            text: self.src[start..i].to_string(),
            span: self.span(start, i),
        });
        self.pos = i;
    }

    /// Close every open string and interpolation at `pos` (a newline or the end of the file).
    fn abort_strings(&mut self, pos: usize) {
        let mut outer = None;
        while let Some(m) = self.modes.pop() {
            match m {
                Mode::Str { start } => {
                    outer = Some(start as usize);
                    self.push(TokenKind::StrEnd, pos, pos, 0);
                }
                Mode::Interp { .. } => self.push(TokenKind::InterpEnd, pos, pos, 0),
            }
        }
        if let Some(start) = outer {
            let end = pos.max(start + 1);
            self.error(
                Diagnostic::error(codes::UNTERMINATED_STRING, "unterminated string", self.span(start, end))
                    .with_label("this string is never closed")
                    .with_help("close it with `\"` on the same line; strings cannot span lines (write `\\n` for a line break)"),
            );
        }
    }

    /// Lex string content up to the closing quote, an interpolation, or the end of the line.
    fn string_body(&mut self) {
        let seg_start = self.pos;
        let len = self.bytes.len();
        loop {
            let p = self.pos;
            if p >= len || self.bytes[p] == b'\n' {
                if p > seg_start {
                    self.push(TokenKind::StrLit, seg_start, p, 0);
                }
                self.abort_strings(p);
                return;
            }
            match self.bytes[p] {
                b'"' => {
                    if p > seg_start {
                        self.push(TokenKind::StrLit, seg_start, p, 0);
                    }
                    self.push(TokenKind::StrEnd, p, p + 1, 0);
                    self.pos = p + 1;
                    self.modes.pop();
                    return;
                }
                b'\\' => self.escape(),
                b'$' if self.peek(1) == b'{' => {
                    if p > seg_start {
                        self.push(TokenKind::StrLit, seg_start, p, 0);
                    }
                    self.push(TokenKind::InterpStart, p, p + 2, 0);
                    self.pos = p + 2;
                    self.modes.push(Mode::Interp { depth: 0 });
                    return;
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Validate one escape sequence starting at the backslash; advance past it.
    fn escape(&mut self) {
        let start = self.pos;
        let next = self.peek(1);
        match next {
            b'n' | b't' | b'r' | b'"' | b'\\' | b'$' => self.pos += 2,
            b'u' => {
                let rest = &self.src[start + 2..];
                let ok = rest.strip_prefix('{').and_then(|r| {
                    let close = r.find('}')?;
                    let hex = &r[..close];
                    if hex.is_empty()
                        || hex.len() > 6
                        || !hex.bytes().all(|b| b.is_ascii_hexdigit())
                    {
                        return None;
                    }
                    let v = u32::from_str_radix(hex, 16).ok()?;
                    char::from_u32(v)?;
                    Some(close + 2)
                });
                match ok {
                    Some(n) => self.pos = start + 2 + n,
                    None => {
                        // Cover `\u{…}` up to the closing brace on this line, if any.
                        let line_end = rest.find(['\n', '"']).unwrap_or(rest.len());
                        let end = rest[..line_end]
                            .find('}')
                            .map_or(start + 2, |i| start + 2 + i + 1);
                        self.error(
                            Diagnostic::error(codes::INVALID_ESCAPE, "invalid unicode escape", self.span(start, end))
                                .with_label("not a valid `\\u{…}` escape")
                                .with_help("write 1 to 6 hex digits of a Unicode scalar value, e.g. `\\u{1F600}`"),
                        );
                        self.pos = end;
                    }
                }
            }
            b'\n' | 0 if self.pos + 1 >= self.bytes.len() || next == b'\n' => {
                // A backslash at the end of the line: let the unterminated-string check report.
                self.pos += 1;
            }
            _ => {
                let ch = self.src[start + 1..].chars().next().unwrap_or(' ');
                let end = start + 1 + ch.len_utf8();
                let shown: String = ch.escape_debug().collect();
                self.error(
                    Diagnostic::error(codes::INVALID_ESCAPE, format!("invalid escape `\\{shown}`"), self.span(start, end))
                        .with_label("unknown escape sequence")
                        .with_help("valid escapes are `\\n` `\\t` `\\r` `\\\"` `\\\\` `\\$` `\\u{…}`; write `\\\\` for a literal backslash"),
                );
                self.pos = end;
            }
        }
    }

    fn token(&mut self) {
        let start = self.pos;
        let b = self.bytes[start];
        let two = |k2: TokenKind, k1: TokenKind, second: u8, this: &Self| {
            if this.peek(1) == second {
                (k2, 2)
            } else {
                (k1, 1)
            }
        };
        let (kind, len) = match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let word = match ident(&self.src[start..]) {
                    Ok((_, w)) => w,
                    Err(_) => &self.src[start..start + 1],
                };
                let kind = Keyword::lookup(word).map_or(TokenKind::Ident, TokenKind::Kw);
                (kind, word.len())
            }
            b'0'..=b'9' => {
                self.number();
                return;
            }
            b'"' => {
                self.push(TokenKind::StrStart, start, start + 1, 0);
                self.pos = start + 1;
                self.modes.push(Mode::Str {
                    start: start as u32,
                });
                return;
            }
            b'{' => {
                if let Some(Mode::Interp { depth }) = self.modes.last_mut() {
                    *depth += 1;
                }
                (TokenKind::LBrace, 1)
            }
            b'}' => {
                if let Some(Mode::Interp { depth }) = self.modes.last_mut() {
                    if *depth == 0 {
                        self.modes.pop();
                        self.push(TokenKind::InterpEnd, start, start + 1, 0);
                        self.pos = start + 1;
                        return;
                    }
                    *depth -= 1;
                }
                (TokenKind::RBrace, 1)
            }
            b'[' => (TokenKind::LBracket, 1),
            b']' => (TokenKind::RBracket, 1),
            b'(' => (TokenKind::LParen, 1),
            b')' => (TokenKind::RParen, 1),
            b',' => (TokenKind::Comma, 1),
            b'.' => two(TokenKind::DotDot, TokenKind::Dot, b'.', self),
            b':' => (TokenKind::Colon, 1),
            b'?' => (TokenKind::Question, 1),
            b'@' => (TokenKind::At, 1),
            b'+' => (TokenKind::Plus, 1),
            b'-' => (TokenKind::Minus, 1),
            b'*' => (TokenKind::Star, 1),
            b'/' => (TokenKind::Slash, 1),
            b'%' => (TokenKind::Percent, 1),
            b'=' => match self.peek(1) {
                b'=' => (TokenKind::EqEq, 2),
                b'>' => (TokenKind::FatArrow, 2),
                _ => (TokenKind::Eq, 1),
            },
            b'!' => two(TokenKind::Ne, TokenKind::Bang, b'=', self),
            b'<' => two(TokenKind::Le, TokenKind::Lt, b'=', self),
            b'>' => two(TokenKind::Ge, TokenKind::Gt, b'=', self),
            b'|' => two(TokenKind::OrOr, TokenKind::Pipe, b'|', self),
            b'&' if self.peek(1) == b'&' => (TokenKind::AndAnd, 2),
            b'&' => {
                // A single `&`: report, and read it as `&&` so the expression goes on.
                self.invalid_char();
                self.push(TokenKind::AndAnd, start, start + 1, 0);
                return;
            }
            b'~' if self.peek(1) == b'>' => (TokenKind::Squiggle, 2),
            _ => {
                self.invalid_char();
                return;
            }
        };
        self.push(kind, start, start + len, 0);
        self.pos = start + len;
    }

    fn invalid_char(&mut self) {
        let start = self.pos;
        let ch = self.src[start..].chars().next().unwrap_or('\u{FFFD}');
        let end = start + ch.len_utf8().max(1);
        self.pos = end;
        // Merge a run of bad characters into one diagnostic.
        if let Some(last) = self.diags.last_mut() {
            if last.code == codes::INVALID_CHARACTER && last.primary.span.end as usize == start {
                last.primary.span.end = end as u32;
                last.message = "invalid characters".to_string();
                return;
            }
        }
        let help = match ch {
            '&' => "did you mean `&&` (logical and)?",
            '~' => "`~` is only used in `deny path(A ~> B)`",
            '#' => "comments start with `//`",
            ';' => "items and fields are separated by new lines (or commas); remove the `;`",
            '\'' => "strings use double quotes: \"…\"",
            '$' => "interpolation is written inside a string: \"${name}\"",
            '`' => "strings use double quotes: \"…\"",
            '\\' => "backslashes only appear in escapes inside strings",
            _ => "remove it, or put it inside a string",
        };
        let shown: String = ch.escape_debug().collect();
        self.error(
            Diagnostic::error(
                codes::INVALID_CHARACTER,
                format!("invalid character `{shown}`"),
                self.span(start, end),
            )
            .with_label("not part of any token")
            .with_help(help),
        );
    }

    /// A number, quantity, or CIDR block starting at a digit.
    fn number(&mut self) {
        let start = self.pos;
        let s = &self.src[start..];
        if let Ok((rest, quad)) = dotted_quad(s) {
            self.cidr(start, quad, rest);
            return;
        }
        let Ok((_, (text, is_float))) = number(s) else {
            // Unreachable for a leading digit; treat as a one-byte bad number.
            self.push(TokenKind::BadNumber, start, start + 1, 0);
            self.pos = start + 1;
            return;
        };
        let mut end = start + text.len();
        let mut bad = false;
        // `1.2.3`: more than one decimal point.
        if is_float
            && self.bytes.get(end) == Some(&b'.')
            && self.bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
        {
            while let Ok((_, f)) = fraction(&self.src[end..]) {
                end += f.len();
            }
            self.error(
                Diagnostic::error(codes::INVALID_NUMBER, format!("invalid number `{}`", &self.src[start..end]), self.span(start, end))
                    .with_label("a number has at most one decimal point")
                    .with_help("an IPv4 block is written with four parts and a prefix length, e.g. `10.0.0.0/16`; a version is a string"),
            );
            bad = true;
        } else if text
            .split(['.', 'e', 'E', '+', '-'])
            .any(|part| part.ends_with('_') || part.contains("__"))
        {
            self.error(
                Diagnostic::error(
                    codes::INVALID_NUMBER,
                    format!("invalid number `{text}`"),
                    self.span(start, end),
                )
                .with_label("misplaced `_`")
                .with_help("`_` may only separate digits, e.g. `1_000_000`"),
            );
            bad = true;
        }
        // Unit on the same line, with or without a space.
        let mut q = end;
        while matches!(self.bytes.get(q), Some(b' ' | b'\t')) {
            q += 1;
        }
        let attached = q == end;
        if let Ok((_, word)) = ident(&self.src[q..]) {
            let after = q + word.len();
            // `USD/month`, `USD/hour`, `USD/year`
            if word == "USD" && self.bytes.get(after) == Some(&b'/') {
                if let Ok((_, per)) = ident(&self.src[after + 1..]) {
                    let full_end = after + 1 + per.len();
                    let full = &self.src[q..full_end];
                    if units::unit(full).is_some() {
                        self.finish_quantity(start, q, full_end, bad);
                        return;
                    }
                    if let Some(fix) = rate_suffix_alias(per) {
                        let (help, fix) = if fix == "USD/month"
                            && !matches!(
                                per.to_ascii_lowercase().as_str(),
                                "mo" | "month" | "months" | "monthly"
                            ) {
                            ("money rates are `USD/hour`, `USD/month` or `USD/year`; convert to one of them".to_string(), None)
                        } else {
                            (format!("did you mean `{fix}`?"), Some(fix))
                        };
                        self.unknown_unit(start, q, full_end, full, help, fix);
                        return;
                    }
                }
            }
            if units::unit(word).is_some() {
                self.finish_quantity(start, q, after, bad);
                return;
            }
            let alias = unit_alias(word);
            let case_match = unit_names().find(|u| u.eq_ignore_ascii_case(word) && word.len() > 1);
            if attached || alias.is_some() || case_match.is_some() {
                let mut fix = None;
                let help = if let Some(u) = case_match {
                    fix = Some(u);
                    format!("did you mean `{u}`? Units are case-sensitive")
                } else if let Some(u) = alias {
                    fix = Some(u);
                    format!("did you mean `{u}`?")
                } else if let Some(prefix) = unit_names()
                    .filter(|u| word.starts_with(u) && word.len() > u.len())
                    .max_by_key(|u| u.len())
                {
                    if word[prefix.len()..].starts_with(|c: char| c.is_ascii_digit()) {
                        format!("combine quantities with `+`, e.g. `1h + 30min`; `{prefix}` is followed by more text here")
                    } else {
                        format!("a unit must be followed by a space or an operator; `{prefix}` is followed by more text here")
                    }
                } else if let Some(u) = did_you_mean(word, unit_names()) {
                    fix = Some(u);
                    format!("did you mean `{u}`?")
                } else {
                    "units are B KB MB GB TB KiB MiB GiB TiB, ms s min h d w, USD, USD/hour USD/month USD/year".to_string()
                };
                self.unknown_unit(start, q, after, word, help, fix);
                return;
            }
        }
        let kind = if bad {
            TokenKind::BadNumber
        } else if is_float {
            TokenKind::Float
        } else {
            TokenKind::Int
        };
        self.push(kind, start, end, 0);
        self.pos = end;
    }

    fn finish_quantity(&mut self, start: usize, unit_start: usize, end: usize, bad: bool) {
        let kind = if bad {
            TokenKind::BadNumber
        } else {
            TokenKind::Quantity
        };
        self.push(kind, start, end, unit_start);
        self.pos = end;
    }

    fn unknown_unit(
        &mut self,
        start: usize,
        unit_start: usize,
        end: usize,
        unit: &str,
        help: String,
        fix: Option<&str>,
    ) {
        let span = self.span(unit_start, end);
        let mut d = Diagnostic::error(codes::UNKNOWN_UNIT, format!("unknown unit `{unit}`"), span)
            .with_label("not a unit Strata knows")
            .with_help(help);
        if let Some(u) = fix {
            d = d.with_fix(Fix::rename(span, unit, u));
        }
        self.error(d);
        self.push(TokenKind::BadNumber, start, end, unit_start);
        self.pos = end;
    }

    fn cidr(&mut self, start: usize, quad: &str, rest: &str) {
        let octets_ok = quad
            .split('.')
            .all(|o| o.parse::<u32>().is_ok_and(|v| v <= 255));
        match prefix_len(rest) {
            Ok((_, pfx)) => {
                let end = start + quad.len() + pfx.len();
                let pfx_ok = pfx[1..].parse::<u32>().is_ok_and(|v| v <= 32);
                if octets_ok && pfx_ok {
                    self.push(TokenKind::Cidr, start, end, 0);
                } else {
                    let what = if octets_ok {
                        "the prefix length must be 0 to 32"
                    } else {
                        "each part of an IPv4 address must be 0 to 255"
                    };
                    self.error(
                        Diagnostic::error(codes::INVALID_CIDR, format!("invalid CIDR block `{}`", &self.src[start..end]), self.span(start, end))
                            .with_label(what)
                            .with_help("an IPv4 block is four numbers 0-255 and a prefix length 0-32, e.g. `10.0.0.0/16`"),
                    );
                    self.push(TokenKind::BadNumber, start, end, 0);
                }
                self.pos = end;
            }
            Err(_) => {
                let end = start + quad.len();
                self.error(
                    Diagnostic::error(
                        codes::INVALID_CIDR,
                        format!("IP address `{quad}` without a prefix length"),
                        self.span(start, end),
                    )
                    .with_label("expected `/` and a prefix length")
                    .with_help(format!(
                        "write `{quad}/32` for a single address, or a string \"{quad}\""
                    )),
                );
                self.push(TokenKind::BadNumber, start, end, 0);
                self.pos = end;
            }
        }
    }
}

/// Decode the escapes of a raw string segment (as lexed: escapes already validated; invalid
/// ones are kept verbatim).
pub fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'r')) => out.push('\r'),
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, '$')) => out.push('$'),
            Some((j, 'u')) => {
                let rest = &raw[j + 1..];
                let decoded = rest.strip_prefix('{').and_then(|r| {
                    let close = r.find('}')?;
                    let v = u32::from_str_radix(&r[..close], 16).ok()?;
                    Some((char::from_u32(v)?, close + 2))
                });
                match decoded {
                    Some((ch, n)) => {
                        out.push(ch);
                        for _ in 0..n {
                            chars.next();
                        }
                    }
                    None => out.push_str("\\u"),
                }
            }
            Some((_, other)) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push_str(&raw[i..]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        lex(FileId(0), src).tokens.iter().map(|t| t.kind).collect()
    }

    fn texts(src: &str) -> Vec<&str> {
        lex(FileId(0), src)
            .tokens
            .iter()
            .filter(|t| t.kind != TokenKind::Eof)
            .map(|t| &src[t.start as usize..t.end as usize])
            .collect()
    }

    fn codes_of(src: &str) -> Vec<String> {
        lex(FileId(0), src)
            .diags
            .into_iter()
            .map(|d| d.code)
            .collect()
    }

    use TokenKind as K;

    #[test]
    fn identifiers_and_keywords() {
        assert_eq!(
            kinds("resource db_1 _x type"),
            vec![
                K::Kw(Keyword::Resource),
                K::Ident,
                K::Ident,
                K::Kw(Keyword::Type),
                K::Eof
            ]
        );
        assert_eq!(
            Keyword::lookup("resource").map(Keyword::as_str),
            Some("resource")
        );
    }

    #[test]
    fn punctuation_is_maximal_munch() {
        assert_eq!(
            kinds("== != <= >= => ~> && || .. . = < > ! | @ ?"),
            vec![
                K::EqEq,
                K::Ne,
                K::Le,
                K::Ge,
                K::FatArrow,
                K::Squiggle,
                K::AndAnd,
                K::OrOr,
                K::DotDot,
                K::Dot,
                K::Eq,
                K::Lt,
                K::Gt,
                K::Bang,
                K::Pipe,
                K::At,
                K::Question,
                K::Eof
            ]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(
            kinds("42 1_000 0.5 1e3 2.5E-3"),
            vec![K::Int, K::Int, K::Float, K::Float, K::Float, K::Eof]
        );
        // A range is not a float.
        assert_eq!(kinds("1..10"), vec![K::Int, K::DotDot, K::Int, K::Eof]);
        assert_eq!(codes_of("1.2.3 1__0 7_"), vec!["E0005", "E0005", "E0005"]);
    }

    #[test]
    fn quantities_with_and_without_space() {
        let toks = lex(
            FileId(0),
            "100 GiB 30d 4500 USD/month 0.02 USD/hour 300 USD 250ms",
        )
        .tokens;
        let units: Vec<&str> = toks
            .iter()
            .filter(|t| t.kind == K::Quantity)
            .map(|t| {
                &"100 GiB 30d 4500 USD/month 0.02 USD/hour 300 USD 250ms"
                    [t.aux as usize..t.end as usize]
            })
            .collect();
        assert_eq!(
            units,
            vec!["GiB", "d", "USD/month", "USD/hour", "USD", "ms"]
        );
    }

    #[test]
    fn every_unit_is_recognised() {
        for u in units::UNITS {
            let src = format!("5 {}", u.name);
            assert_eq!(kinds(&src), vec![K::Quantity, K::Eof], "{}", u.name);
            let attached = format!("5{}", u.name);
            assert_eq!(kinds(&attached), vec![K::Quantity, K::Eof], "{}", u.name);
        }
    }

    #[test]
    fn units_only_on_the_same_line() {
        assert_eq!(kinds("5\nGiB"), vec![K::Int, K::Ident, K::Eof]);
        assert!(lex(FileId(0), "5\nGiB").tokens[1].nl_before);
    }

    #[test]
    fn unknown_units() {
        assert_eq!(codes_of("30days"), vec!["E0004"]);
        assert_eq!(codes_of("10 gib"), vec!["E0004"]);
        assert_eq!(codes_of("5 USD/day"), vec!["E0004"]);
        // A spaced word that is no unit is just the next token.
        assert_eq!(kinds("3 in"), vec![K::Int, K::Kw(Keyword::In), K::Eof]);
        // Money divided by a number is not a unit.
        assert_eq!(
            kinds("300 USD/2"),
            vec![K::Quantity, K::Slash, K::Int, K::Eof]
        );
        let d = lex(FileId(0), "1h30min").diags;
        assert!(d[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("1h + 30min")));
    }

    #[test]
    fn cidr_literals() {
        assert_eq!(
            kinds("10.0.0.0/16 0.0.0.0/0"),
            vec![K::Cidr, K::Cidr, K::Eof]
        );
        assert_eq!(texts("10.0.0.0/16"), vec!["10.0.0.0/16"]);
        assert_eq!(
            codes_of("10.0.0.256/8 10.0.0.0/33 10.0.0.1"),
            vec!["E0011", "E0011", "E0011"]
        );
    }

    #[test]
    fn strings_and_interpolation() {
        assert_eq!(
            kinds(r#""a""#),
            vec![K::StrStart, K::StrLit, K::StrEnd, K::Eof]
        );
        assert_eq!(kinds(r#""""#), vec![K::StrStart, K::StrEnd, K::Eof]);
        assert_eq!(
            kinds(r#""x${a}y""#),
            vec![
                K::StrStart,
                K::StrLit,
                K::InterpStart,
                K::Ident,
                K::InterpEnd,
                K::StrLit,
                K::StrEnd,
                K::Eof
            ]
        );
        // Braces nested inside an interpolation, and a string inside it.
        assert_eq!(
            kinds(r#""${ {a = "}"}.a }""#),
            vec![
                K::StrStart,
                K::InterpStart,
                K::LBrace,
                K::Ident,
                K::Eq,
                K::StrStart,
                K::StrLit,
                K::StrEnd,
                K::RBrace,
                K::Dot,
                K::Ident,
                K::InterpEnd,
                K::StrEnd,
                K::Eof
            ]
        );
        // An escaped `${` is text.
        assert_eq!(
            kinds(r#""\${x}""#),
            vec![K::StrStart, K::StrLit, K::StrEnd, K::Eof]
        );
    }

    #[test]
    fn unterminated_strings_end_at_the_line() {
        let l = lex(FileId(0), "\"abc\nlet x = 1");
        assert_eq!(
            l.diags.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
            vec!["E0002"]
        );
        let k: Vec<K> = l.tokens.iter().map(|t| t.kind).collect();
        assert_eq!(
            k,
            vec![
                K::StrStart,
                K::StrLit,
                K::StrEnd,
                K::Kw(Keyword::Let),
                K::Ident,
                K::Eq,
                K::Int,
                K::Eof
            ]
        );
        // Inside an interpolation too: every open string and interpolation is closed.
        let l = lex(FileId(0), "\"a ${ \"b ${ c\nd");
        assert_eq!(l.diags.len(), 1);
        let opens = l
            .tokens
            .iter()
            .filter(|t| matches!(t.kind, K::StrStart | K::InterpStart))
            .count();
        let closes = l
            .tokens
            .iter()
            .filter(|t| matches!(t.kind, K::StrEnd | K::InterpEnd))
            .count();
        assert_eq!(opens, closes);
    }

    #[test]
    fn escapes() {
        assert!(codes_of(r#""\n \t \r \" \\ \$ \u{1F600}""#).is_empty());
        assert_eq!(
            codes_of(r#""\q \u{110000} \u{} \u12""#),
            vec!["E0003", "E0003", "E0003", "E0003"]
        );
        assert_eq!(unescape(r"a\n\t\\\$\u{41}\q"), "a\n\t\\$A\\q");
    }

    #[test]
    fn comments_are_kept_and_count_as_line_breaks() {
        let l = lex(
            FileId(0),
            "a // one\n/// doc\n/* b /* nested */ */ c /* x\ny */ d",
        );
        let texts: Vec<&str> = l.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["// one", "/// doc", "/* b /* nested */ */", "/* x\ny */"]
        );
        let nl: Vec<bool> = l.tokens.iter().map(|t| t.nl_before).collect();
        // a, c (after line comments), d (after a multi-line block comment), eof
        assert_eq!(nl, vec![true, true, true, false]);
        assert_eq!(codes_of("/* never closed"), vec!["E0009"]);
    }

    #[test]
    fn invalid_characters_are_merged_and_skipped() {
        let l = lex(FileId(0), "a ;;; b");
        assert_eq!(l.diags.len(), 1);
        assert_eq!(l.diags[0].primary.span.range(), 2..5);
        assert_eq!(l.tokens.len(), 3);
        // A single `&` is reported and read as `&&`.
        assert_eq!(kinds("a & b"), vec![K::Ident, K::AndAnd, K::Ident, K::Eof]);
    }

    #[test]
    fn spans_are_byte_ranges() {
        let src = "let é = \"ü${x}\"";
        for t in lex(FileId(0), src).tokens {
            assert!(src.is_char_boundary(t.start as usize) && src.is_char_boundary(t.end as usize));
        }
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        assert_eq!(kinds("\u{FEFF}let"), vec![K::Kw(Keyword::Let), K::Eof]);
    }
}
