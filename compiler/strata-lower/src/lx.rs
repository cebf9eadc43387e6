//! Structured lowering bodies (`map = '''...'''` in `stdlib/lower/**/*.toml`).
//!
//! A body is a JSON tree whose values, members and elements may be computed. It is parsed once
//! on first use (`Lazy`) and evaluated straight to an [`LVal`] (no JSON text is rendered and
//! parsed back; the objects and lists it writes are plain vectors, its literal keys and the
//! context values it reads are borrowed, so target values are built from it with one copy),
//! and its object keys are known before anything is evaluated, so the
//! stdlib's tests check every key against the target's schema in the generated layer
//! (`tests::every_map_key_is_a_target_property`).
//!
//! ```text
//! value  = object | array | STRING | NUMBER | true | false | null | block | use | expr
//!          (`if(c, a, b)` with no space before `(` is the function, not a block)
//! object = "{" { STRING ":" value | "(" expr ")" ":" value | block | use } "}"
//! array  = "[" { value | block | use } "]"
//! block  = ("if" | "unless") expr "{" parts "}" [ "else" "{" parts "}" ]
//!        | "each" expr [ "as" NAME [ NAME ] ] "{" parts "}" [ "else" "{" parts "}" ]
//!        | "with" expr [ "as" NAME ] "{" parts "}" [ "else" "{" parts "}" ]
//! use    = "use" NAME "(" [ expr ] { "," NAME "=" expr } ")"
//! expr   = NAME "(" [ expr { "," expr } ] ")" | path | STRING | NUMBER | true | false | null
//! path   = { "../" } ( "this" | "@root" | "@index" | "@key" | "@first" | "@last" | NAME ) { "." NAME }
//! ```
//!
//! Commas between members and elements are optional. A block's parts are of the kind of the
//! place it stands in: members in an object, elements in an array (zero or more), one value in
//! a value's place. Strings interpolate `\(expr)` (a value as text: a string as is, `null` as
//! nothing). `each` and `with` make their value the context of their parts (`../` is the
//! enclosing one, `@root` the resource's), as do fragments (`[fragments]`, `use NAME(value)`);
//! calls are the helpers of `helpers.rs` and `eq`, `ne`, `and`, `or`, `not`, `len`, `lookup`,
//! `gt`, `lt`, `if(c, a, b)`. An object member whose value is `null` is kept here; the lowering drops it
//! afterwards exactly as it drops a `null` of a template.

use crate::helpers::{Tables, HELPERS};
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

// ---------------------------------------------------------------------------------------------
// Syntax tree.

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Lit(Json),
    Expr(Expr),
    /// A string with interpolated parts.
    Str(Vec<StrPart>),
    Obj(Vec<Part>),
    Arr(Vec<Part>),
    /// A block or fragment in a value's place: it must give exactly one value.
    One(Box<Part>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    Lit(String),
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    Lit(String),
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Member(Key, Node),
    Elem(Node),
    Block(Box<Block>),
    Use(Use),
}

#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    If,
    Unless,
    Each,
    With,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    pub subject: Expr,
    /// `as NAME [NAME]`.
    pub params: Vec<String>,
    pub then: Vec<Part>,
    pub els: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Use {
    pub name: String,
    pub arg: Option<Expr>,
    pub hash: Vec<(String, Expr)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(Json),
    Path(Path),
    Call(Fun, Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// The path as written, for printing.
    pub raw: String,
    pub up: usize,
    pub root: bool,
    /// `@index`, `@key`, `@first`, `@last`.
    pub local: Option<String>,
    pub segs: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fun {
    Helper(usize),
    Eq,
    Ne,
    And,
    Or,
    Not,
    Len,
    Lookup,
    Gt,
    Lt,
    /// `if(c, a, b)`: `a` when `c` is true, else `b`.
    If,
}

impl Fun {
    pub fn parse(name: &str) -> Option<Fun> {
        Some(match name {
            "eq" => Fun::Eq,
            "ne" => Fun::Ne,
            "and" => Fun::And,
            "or" => Fun::Or,
            "not" => Fun::Not,
            "len" => Fun::Len,
            "lookup" => Fun::Lookup,
            "gt" => Fun::Gt,
            "lt" => Fun::Lt,
            "if" => Fun::If,
            _ => {
                return HELPERS
                    .iter()
                    .position(|(n, _)| *n == name)
                    .map(Fun::Helper)
            }
        })
    }

    #[cfg(test)]
    pub fn name(self) -> &'static str {
        match self {
            Fun::Helper(i) => HELPERS[i].0,
            Fun::Eq => "eq",
            Fun::Ne => "ne",
            Fun::And => "and",
            Fun::Or => "or",
            Fun::Not => "not",
            Fun::Len => "len",
            Fun::Lookup => "lookup",
            Fun::Gt => "gt",
            Fun::Lt => "lt",
            Fun::If => "if",
        }
    }
}

impl Path {
    pub fn parse(raw: &str) -> Result<Path, String> {
        let mut rest = raw;
        let mut up = 0;
        while let Some(r) = rest.strip_prefix("../") {
            up += 1;
            rest = r;
        }
        let mut p = Path {
            raw: raw.to_string(),
            up,
            root: false,
            local: None,
            segs: Vec::new(),
        };
        let mut segs = rest.split('.').peekable();
        match segs.peek().copied() {
            Some("this") => {
                segs.next();
            }
            Some("@root") => {
                p.root = true;
                segs.next();
            }
            Some(l @ ("@index" | "@key" | "@first" | "@last")) => {
                p.local = Some(l[1..].to_string());
                segs.next();
                if segs.peek().is_some() {
                    return Err(format!("`{raw}`: a local variable has no fields"));
                }
            }
            _ => {}
        }
        for s in segs {
            if s.is_empty()
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(format!("bad path `{raw}`"));
            }
            p.segs.push(s.to_string());
        }
        Ok(p)
    }
}

/// A body parsed on first use: the engine is built per process, and a program uses few of the
/// stdlib's bodies (`Engine::compile_all` parses every one, for the tests).
#[derive(Debug)]
pub struct Lazy {
    src: String,
    node: std::sync::OnceLock<Result<Node, String>>,
}

impl Lazy {
    pub fn new(src: String) -> Lazy {
        Lazy {
            src,
            node: std::sync::OnceLock::new(),
        }
    }

    pub fn get(&self) -> Result<&Node, &str> {
        self.node
            .get_or_init(|| parse(&self.src))
            .as_ref()
            .map_err(String::as_str)
    }
}

// ---------------------------------------------------------------------------------------------
// Parser.

struct Parser<'s> {
    s: &'s str,
    i: usize,
}

/// What a list of parts holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Value,
    Members,
    Elems,
}

/// Parse a body (one value).
pub fn parse(src: &str) -> Result<Node, String> {
    let mut p = Parser { s: src, i: 0 };
    let v = p.value()?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("expected the end of the body"));
    }
    Ok(v)
}

impl<'s> Parser<'s> {
    fn err(&self, msg: &str) -> String {
        let line = self.s[..self.i.min(self.s.len())].matches('\n').count() + 1;
        let near: String = self.s[self.i.min(self.s.len())..]
            .chars()
            .take(30)
            .collect();
        format!("line {line}: {msg} (at {near:?})")
    }

    fn ws(&mut self) {
        let b = self.s.as_bytes();
        while self.i < b.len() {
            match b[self.i] {
                b' ' | b'\t' | b'\n' | b'\r' => self.i += 1,
                b'#' => {
                    while self.i < b.len() && b[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.as_bytes().get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(&format!("expected `{}`", c as char)))
        }
    }

    /// A word (name or path) without consuming it.
    fn word_at(&mut self) -> &'s str {
        self.ws();
        let b = self.s.as_bytes();
        let mut j = self.i;
        while j < b.len()
            && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'_' | b'@' | b'.' | b'/' | b'-'))
        {
            j += 1;
        }
        &self.s[self.i..j]
    }

    fn keyword(&mut self, k: &str) -> bool {
        let w = self.word_at();
        if w == k {
            self.i += k.len();
            true
        } else {
            false
        }
    }

    fn parts(&mut self, mode: Mode, close: Option<u8>) -> Result<Vec<Part>, String> {
        let mut out = Vec::new();
        loop {
            while self.eat(b',') {}
            match self.peek() {
                None if close.is_none() => return Ok(out),
                None => return Err(self.err("unexpected end")),
                Some(c) if Some(c) == close => {
                    self.i += 1;
                    return Ok(out);
                }
                _ => {}
            }
            if let Some(p) = self.block_or_use(mode)? {
                out.push(p);
                continue;
            }
            match mode {
                Mode::Members => {
                    let key = if self.eat(b'(') {
                        let e = self.expr()?;
                        self.expect(b')')?;
                        Key::Expr(e)
                    } else if self.peek() == Some(b'"') {
                        match self.string()? {
                            Node::Lit(Json::String(s)) => Key::Lit(s),
                            _ => return Err(self.err("a key cannot interpolate; write `(expr):`")),
                        }
                    } else {
                        return Err(self.err("expected a member"));
                    };
                    self.expect(b':')?;
                    out.push(Part::Member(key, self.value()?));
                }
                Mode::Elems | Mode::Value => out.push(Part::Elem(self.value()?)),
            }
        }
    }

    fn block_or_use(&mut self, mode: Mode) -> Result<Option<Part>, String> {
        let w = self.word_at();
        if w == "if" && self.s.as_bytes().get(self.i + 2) == Some(&b'(') {
            return Ok(None); // `if(c, a, b)`, the function
        }
        let kind = match w {
            "if" => BlockKind::If,
            "unless" => BlockKind::Unless,
            "each" => BlockKind::Each,
            "with" => BlockKind::With,
            "use" => {
                self.i += 3;
                let name = self.word_at().to_string();
                if name.is_empty() {
                    return Err(self.err("expected a fragment name"));
                }
                self.i += name.len();
                self.expect(b'(')?;
                let mut u = Use {
                    name,
                    arg: None,
                    hash: Vec::new(),
                };
                loop {
                    while self.eat(b',') {}
                    if self.eat(b')') {
                        break;
                    }
                    let save = self.i;
                    let w = self.word_at();
                    let wl = w.len();
                    let w = w.to_string();
                    self.i += wl;
                    if !w.is_empty() && self.eat(b'=') {
                        u.hash.push((w, self.expr()?));
                    } else {
                        self.i = save;
                        if u.arg.is_some() {
                            return Err(self.err("a fragment takes one value"));
                        }
                        u.arg = Some(self.expr()?);
                    }
                }
                return Ok(Some(Part::Use(u)));
            }
            _ => return Ok(None),
        };
        let w = self.word_at().len();
        self.i += w;
        let subject = self.expr()?;
        let mut params = Vec::new();
        if self.keyword("as") {
            loop {
                let n = self.word_at();
                if n.is_empty() {
                    break;
                }
                let n = n.to_string();
                self.i += n.len();
                params.push(n);
            }
        }
        self.expect(b'{')?;
        let then = self.parts(mode, Some(b'}'))?;
        let els = if self.keyword("else") {
            self.expect(b'{')?;
            self.parts(mode, Some(b'}'))?
        } else {
            Vec::new()
        };
        Ok(Some(Part::Block(Box::new(Block {
            kind,
            subject,
            params,
            then,
            els,
        }))))
    }

    fn value(&mut self) -> Result<Node, String> {
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                Ok(Node::Obj(self.parts(Mode::Members, Some(b'}'))?))
            }
            Some(b'[') => {
                self.i += 1;
                Ok(Node::Arr(self.parts(Mode::Elems, Some(b']'))?))
            }
            Some(b'"') => self.string(),
            None => Err(self.err("expected a value")),
            _ => {
                if let Some(p) = self.block_or_use(Mode::Value)? {
                    return Ok(Node::One(Box::new(p)));
                }
                Ok(match self.expr()? {
                    Expr::Lit(j) => Node::Lit(j),
                    e => Node::Expr(e),
                })
            }
        }
    }

    fn string(&mut self) -> Result<Node, String> {
        self.expect(b'"')?;
        let mut parts = Vec::new();
        let mut cur = String::new();
        loop {
            let Some(c) = self.s[self.i..].chars().next() else {
                return Err(self.err("unclosed string"));
            };
            self.i += c.len_utf8();
            match c {
                '"' => break,
                '\\' => {
                    let Some(e) = self.s[self.i..].chars().next() else {
                        return Err(self.err("unclosed string"));
                    };
                    self.i += 1;
                    match e {
                        '(' => {
                            if !cur.is_empty() {
                                parts.push(StrPart::Lit(std::mem::take(&mut cur)));
                            }
                            parts.push(StrPart::Expr(self.expr()?));
                            self.expect(b')')?;
                        }
                        'u' => {
                            let hex = self.s.get(self.i..self.i + 4).ok_or("bad \\u escape")?;
                            let n = u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
                            cur.push(char::from_u32(n).ok_or("bad \\u escape")?);
                            self.i += 4;
                        }
                        '"' => cur.push('"'),
                        '\\' => cur.push('\\'),
                        '/' => cur.push('/'),
                        'n' => cur.push('\n'),
                        't' => cur.push('\t'),
                        'r' => cur.push('\r'),
                        'b' => cur.push('\u{8}'),
                        'f' => cur.push('\u{c}'),
                        _ => return Err(self.err("bad escape")),
                    }
                }
                c => cur.push(c),
            }
        }
        if parts.is_empty() {
            return Ok(Node::Lit(Json::String(cur)));
        }
        if !cur.is_empty() {
            parts.push(StrPart::Lit(cur));
        }
        Ok(Node::Str(parts))
    }

    fn expr(&mut self) -> Result<Expr, String> {
        match self.peek() {
            Some(b'"') => match self.string()? {
                Node::Lit(j) => Ok(Expr::Lit(j)),
                _ => Err(self.err("no interpolation in an argument")),
            },
            Some(b'-' | b'0'..=b'9') => {
                let b = self.s.as_bytes();
                let mut j = self.i + 1;
                while j < b.len() && matches!(b[j], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    j += 1;
                }
                let n: Json = serde_json::from_str(&self.s[self.i..j])
                    .map_err(|e| self.err(&format!("bad number: {e}")))?;
                self.i = j;
                Ok(Expr::Lit(n))
            }
            _ => {
                let w = self.word_at();
                if w.is_empty() {
                    return Err(self.err("expected an expression"));
                }
                self.i += w.len();
                match w {
                    "true" => return Ok(Expr::Lit(Json::Bool(true))),
                    "false" => return Ok(Expr::Lit(Json::Bool(false))),
                    "null" => return Ok(Expr::Lit(Json::Null)),
                    _ => {}
                }
                if self.s.as_bytes().get(self.i) == Some(&b'(') {
                    self.i += 1;
                    let f = Fun::parse(w)
                        .ok_or_else(|| self.err(&format!("unknown function `{w}`")))?;
                    let mut args = Vec::new();
                    loop {
                        while self.eat(b',') {}
                        if self.eat(b')') {
                            break;
                        }
                        args.push(self.expr()?);
                    }
                    return Ok(Expr::Call(f, args));
                }
                Path::parse(w).map(Expr::Path).map_err(|e| self.err(&e))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Printer (the converter writes bodies with it; `parse(print(x)) == x`).

#[cfg(test)]
pub fn print(n: &Node) -> String {
    let mut s = String::new();
    print_node(&mut s, n, 0);
    s
}

#[cfg(test)]
fn indent(s: &mut String, d: usize) {
    s.push('\n');
    for _ in 0..d {
        s.push_str("  ");
    }
}

#[cfg(test)]
fn inline_len(parts: &[Part]) -> Option<usize> {
    let mut t = String::new();
    print_parts(&mut t, parts, 0, true);
    (!t.contains('\n') && t.len() <= 90).then_some(t.len())
}

#[cfg(test)]
fn print_parts(s: &mut String, parts: &[Part], d: usize, inline: bool) {
    for (i, p) in parts.iter().enumerate() {
        if inline {
            if i > 0 {
                s.push_str(", ");
            }
        } else {
            if i > 0 {
                s.push(',');
            }
            if i > 0 || d > 0 {
                indent(s, d);
            }
        }
        print_part(s, p, d);
    }
}

#[cfg(test)]
fn print_part(s: &mut String, p: &Part, d: usize) {
    match p {
        Part::Member(k, v) => {
            match k {
                Key::Lit(k) => write_str(s, k),
                Key::Expr(e) => {
                    s.push('(');
                    print_expr(s, e);
                    s.push(')');
                }
            }
            s.push_str(": ");
            print_node(s, v, d);
        }
        Part::Elem(v) => print_node(s, v, d),
        Part::Block(b) => {
            s.push_str(match b.kind {
                BlockKind::If => "if ",
                BlockKind::Unless => "unless ",
                BlockKind::Each => "each ",
                BlockKind::With => "with ",
            });
            print_expr(s, &b.subject);
            if !b.params.is_empty() {
                s.push_str(" as ");
                s.push_str(&b.params.join(" "));
            }
            s.push_str(" {");
            print_body(s, &b.then, d);
            s.push('}');
            if !b.els.is_empty() {
                s.push_str(" else {");
                print_body(s, &b.els, d);
                s.push('}');
            }
        }
        Part::Use(u) => {
            s.push_str("use ");
            s.push_str(&u.name);
            s.push('(');
            let mut first = true;
            if let Some(a) = &u.arg {
                print_expr(s, a);
                first = false;
            }
            for (k, v) in &u.hash {
                if !first {
                    s.push_str(", ");
                }
                first = false;
                s.push_str(k);
                s.push_str(" = ");
                print_expr(s, v);
            }
            s.push(')');
        }
    }
}

#[cfg(test)]
fn print_body(s: &mut String, parts: &[Part], d: usize) {
    if inline_len(parts).is_some() {
        s.push(' ');
        print_parts(s, parts, d, true);
        s.push(' ');
    } else {
        print_parts(s, parts, d + 1, false);
        indent(s, d);
    }
}

#[cfg(test)]
fn print_node(s: &mut String, n: &Node, d: usize) {
    match n {
        Node::Lit(j) => {
            let _ = write!(s, "{j}");
        }
        Node::Expr(e) => print_expr(s, e),
        Node::Str(parts) => {
            s.push('"');
            for p in parts {
                match p {
                    StrPart::Lit(t) => {
                        let q = Json::String(t.clone()).to_string();
                        s.push_str(&q[1..q.len() - 1]);
                    }
                    StrPart::Expr(e) => {
                        s.push_str("\\(");
                        print_expr(s, e);
                        s.push(')');
                    }
                }
            }
            s.push('"');
        }
        Node::Obj(parts) | Node::Arr(parts) => {
            let (o, c) = if matches!(n, Node::Obj(_)) {
                ('{', '}')
            } else {
                ('[', ']')
            };
            s.push(o);
            if parts.is_empty() {
            } else if inline_len(parts).is_some() {
                print_parts(s, parts, d, true);
            } else {
                print_parts(s, parts, d + 1, false);
                indent(s, d);
            }
            s.push(c);
        }
        Node::One(p) => print_part(s, p, d),
    }
}

#[cfg(test)]
fn write_str(s: &mut String, t: &str) {
    let _ = write!(s, "{}", Json::String(t.to_string()));
}

#[cfg(test)]
fn print_expr(s: &mut String, e: &Expr) {
    match e {
        Expr::Lit(j) => {
            let _ = write!(s, "{j}");
        }
        Expr::Path(p) => s.push_str(&p.raw),
        Expr::Call(f, args) => {
            s.push_str(f.name());
            s.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                print_expr(s, a);
            }
            s.push(')');
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

/// The fragments of every file, by name. A fragment is a value; used in an object's members
/// it must be an object, whose members are added.
pub type Fragments = HashMap<String, Node>;

pub struct Env<'e> {
    pub tables: &'e Tables,
    pub fragments: &'e Fragments,
}

/// What a body evaluates to. The objects and lists the body writes are built here, their
/// literal keys borrowed from the body; what it reads from the context or writes as a literal
/// value is borrowed, not copied. The caller converts it once, to target values
/// (`targets.rs`) or to JSON ([`LVal::into_json`]), where before every body was built as a
/// `serde_json` tree (a hashed, ordered map per object, each context value it read copied) and
/// converted after.
#[derive(Debug)]
pub enum LVal<'a> {
    /// A value of the context or a literal of the body.
    Ref(&'a Json),
    /// A computed value: a helper's result, an interpolated string.
    Own(Json),
    /// An object the body writes.
    Obj(Members<'a>),
    /// A list the body writes.
    Arr(Vec<LVal<'a>>),
}

/// The members of an object a body writes, in the order their keys first appeared; a key
/// written again replaces its value in place (what `serde_json`'s ordered map does, so the
/// result is the same as building that map).
#[derive(Debug, Default)]
pub struct Members<'a> {
    list: Vec<(Cow<'a, str>, LVal<'a>)>,
    /// Positions by key, built once the object is large (keys may be the user's, computed by
    /// `each`: the standard hasher, and no quadratic search).
    index: Option<HashMap<String, usize>>,
}

/// Above this many members an object is indexed; below, a linear search is cheaper.
const INDEX_FROM: usize = 24;

impl<'a> Members<'a> {
    fn with_capacity(n: usize) -> Members<'a> {
        Members {
            list: Vec::with_capacity(n),
            index: None,
        }
    }

    fn insert(&mut self, k: Cow<'a, str>, v: LVal<'a>) {
        if let Some(index) = &mut self.index {
            match index.get(k.as_ref()) {
                Some(&i) => self.list[i].1 = v,
                None => {
                    index.insert(k.to_string(), self.list.len());
                    self.list.push((k, v));
                }
            }
            return;
        }
        match self.list.iter_mut().find(|(x, _)| *x == k) {
            Some(slot) => slot.1 = v,
            None => {
                self.list.push((k, v));
                if self.list.len() > INDEX_FROM {
                    self.index = Some(
                        self.list
                            .iter()
                            .enumerate()
                            .map(|(i, (k, _))| (k.to_string(), i))
                            .collect(),
                    );
                }
            }
        }
    }

    /// Remove a member (the others keep their order).
    pub fn remove(&mut self, k: &str) -> Option<LVal<'a>> {
        let i = self.list.iter().position(|(x, _)| x == k)?;
        if let Some(index) = &mut self.index {
            index.remove(k);
            for p in index.values_mut() {
                if *p > i {
                    *p -= 1;
                }
            }
        }
        Some(self.list.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &LVal<'a>)> {
        self.list.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn into_list(self) -> Vec<(Cow<'a, str>, LVal<'a>)> {
        self.list
    }
}

impl LVal<'_> {
    /// The value as JSON (what evaluating straight to JSON gave).
    pub fn into_json(self) -> Json {
        match self {
            LVal::Ref(j) => j.clone(),
            LVal::Own(j) => j,
            LVal::Arr(a) => Json::Array(a.into_iter().map(LVal::into_json).collect()),
            LVal::Obj(m) => {
                let mut o = Map::with_capacity(m.list.len());
                for (k, v) in m.list {
                    o.insert(k.into_owned(), v.into_json());
                }
                Json::Object(o)
            }
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Locals<'a> {
    index: Option<usize>,
    key: Option<&'a str>,
    first: Option<bool>,
    last: Option<bool>,
}

/// What a name of `as NAME [NAME]` or of a fragment's `NAME = expr` stands for.
#[derive(Clone, Copy)]
enum Bound<'a> {
    Ref(&'a Json),
    /// The key of an `each` over an object.
    Key(&'a str),
    /// The position of an `each` over a list.
    Index(usize),
}

struct Frame<'a, 'f> {
    this: &'a Json,
    root: &'a Json,
    up: Option<&'f Frame<'a, 'f>>,
    locals: Locals<'a>,
    params: Vec<(&'a str, Bound<'a>)>,
    depth: usize,
}

static NULL: Json = Json::Null;
const MAX_DEPTH: usize = 64;

/// Evaluate a body with `cx` as its context.
pub fn eval_val<'a>(env: &Env<'a>, n: &'a Node, cx: &'a Json) -> Result<LVal<'a>, String> {
    let f = Frame {
        this: cx,
        root: cx,
        up: None,
        locals: Locals::default(),
        params: Vec::new(),
        depth: 0,
    };
    node(env, n, &f)
}

/// Evaluate a body with `cx` as its context, to JSON.
#[cfg(test)]
pub fn eval(env: &Env, n: &Node, cx: &Json) -> Result<Json, String> {
    eval_val(env, n, cx).map(LVal::into_json)
}

/// Handlebars truthiness (`#if`): zero is false, so are empty strings, lists and objects.
fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(f64::is_normal),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
    }
}

/// A value as text (handlebars rendering: strings as they are, `null` as nothing).
fn text(v: &Json, s: &mut String) {
    match v {
        Json::Null => {}
        Json::String(t) => s.push_str(t),
        Json::Bool(b) => {
            let _ = write!(s, "{b}");
        }
        Json::Number(n) => {
            let _ = write!(s, "{n}");
        }
        Json::Array(a) => {
            s.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                text(x, s);
            }
            s.push(']');
        }
        Json::Object(_) => s.push_str("[object]"),
    }
}

enum Val<'a> {
    Ref(&'a Json),
    Own(Json),
}

impl<'a> Val<'a> {
    fn get(&self) -> &Json {
        match self {
            Val::Ref(j) => j,
            Val::Own(j) => j,
        }
    }
    fn into_owned(self) -> Json {
        match self {
            Val::Ref(j) => j.clone(),
            Val::Own(j) => j,
        }
    }
    fn into_lval(self) -> LVal<'a> {
        match self {
            Val::Ref(j) => LVal::Ref(j),
            Val::Own(j) => LVal::Own(j),
        }
    }
}

fn navigate<'a>(mut cur: &'a Json, segs: &[String]) -> &'a Json {
    for s in segs {
        cur = match cur {
            Json::Object(o) => o.get(s.as_str()).unwrap_or(&NULL),
            Json::Array(a) => s
                .parse::<usize>()
                .ok()
                .and_then(|i| a.get(i))
                .unwrap_or(&NULL),
            _ => &NULL,
        };
    }
    cur
}

fn bound<'a>(b: Bound<'a>, rest: &[String]) -> Val<'a> {
    match b {
        Bound::Ref(j) => Val::Ref(navigate(j, rest)),
        // A string or a number has no fields.
        Bound::Key(k) if rest.is_empty() => Val::Own(Json::String(k.to_string())),
        Bound::Index(i) if rest.is_empty() => Val::Own(Json::from(i)),
        _ => Val::Ref(&NULL),
    }
}

fn path<'a>(p: &Path, f: &Frame<'a, '_>) -> Val<'a> {
    if let Some(l) = &p.local {
        return Val::Own(match l.as_str() {
            "index" => f.locals.index.map_or(Json::Null, Json::from),
            "key" => f
                .locals
                .key
                .map_or(Json::Null, |k| Json::String(k.to_string())),
            "first" => f.locals.first.map_or(Json::Null, Json::Bool),
            _ => f.locals.last.map_or(Json::Null, Json::Bool),
        });
    }
    if p.root {
        return Val::Ref(navigate(f.root, &p.segs));
    }
    if let Some(first) = p.segs.first() {
        let mut fr = Some(f);
        while let Some(x) = fr {
            if let Some((_, v)) = x.params.iter().find(|(n, _)| *n == first.as_str()) {
                return bound(*v, &p.segs[1..]);
            }
            fr = x.up;
        }
    }
    let mut base = f;
    for _ in 0..p.up {
        match base.up {
            Some(u) => base = u,
            None => return Val::Ref(&NULL),
        }
    }
    Val::Ref(navigate(base.this, &p.segs))
}

fn expr<'a>(env: &Env<'a>, e: &'a Expr, f: &Frame<'a, '_>) -> Result<Val<'a>, String> {
    Ok(match e {
        Expr::Lit(j) => Val::Ref(j),
        Expr::Path(p) => path(p, f),
        Expr::Call(fun, args) => {
            let vals = args
                .iter()
                .map(|a| expr(env, a, f))
                .collect::<Result<Vec<_>, _>>()?;
            // The arguments as the helpers take them, on the stack when they are few.
            let mut few = [&NULL; 4];
            let many: Vec<&Json>;
            let a: &[&Json] = if vals.len() <= few.len() {
                for (slot, v) in few.iter_mut().zip(&vals) {
                    *slot = v.get();
                }
                &few[..vals.len()]
            } else {
                many = vals.iter().map(Val::get).collect();
                &many
            };
            let arg = |i: usize| a.get(i).copied().unwrap_or(&NULL);
            let num = |i: usize| arg(i).as_f64();
            Val::Own(match fun {
                Fun::Helper(i) => (HELPERS[*i].1)(a, env.tables)
                    .map_err(|m| format!("helper `{}`: {m}", HELPERS[*i].0))?,
                Fun::Eq => Json::Bool(arg(0) == arg(1)),
                Fun::Ne => Json::Bool(arg(0) != arg(1)),
                Fun::And => Json::Bool(truthy(arg(0)) && truthy(arg(1))),
                Fun::Or => Json::Bool(truthy(arg(0)) || truthy(arg(1))),
                Fun::Not => Json::Bool(!truthy(arg(0))),
                Fun::Len => Json::from(match arg(0) {
                    Json::Array(x) => x.len(),
                    Json::Object(x) => x.len(),
                    Json::String(x) => x.len(),
                    _ => 0,
                }),
                Fun::Lookup => match (arg(0), arg(1)) {
                    (Json::Array(x), Json::Number(n)) => n
                        .as_u64()
                        .and_then(|i| x.get(i as usize))
                        .cloned()
                        .unwrap_or(Json::Null),
                    (Json::Object(o), Json::String(k)) => {
                        o.get(k.as_str()).cloned().unwrap_or(Json::Null)
                    }
                    _ => Json::Null,
                },
                Fun::Gt => Json::Bool(matches!((num(0), num(1)), (Some(x), Some(y)) if x > y)),
                Fun::Lt => Json::Bool(matches!((num(0), num(1)), (Some(x), Some(y)) if x < y)),
                Fun::If => if truthy(arg(0)) { arg(1) } else { arg(2) }.clone(),
            })
        }
    })
}

fn node<'a>(env: &Env<'a>, n: &'a Node, f: &Frame<'a, '_>) -> Result<LVal<'a>, String> {
    Ok(match n {
        Node::Lit(j) => LVal::Ref(j),
        Node::Expr(e) => expr(env, e, f)?.into_lval(),
        Node::Str(parts) => {
            let mut s = String::new();
            for p in parts {
                match p {
                    StrPart::Lit(t) => s.push_str(t),
                    StrPart::Expr(e) => text(expr(env, e, f)?.get(), &mut s),
                }
            }
            LVal::Own(Json::String(s))
        }
        Node::Obj(parts) => {
            let mut out = Out::Obj(Members::with_capacity(parts.len()));
            parts_into(env, parts, f, &mut out)?;
            match out {
                Out::Obj(m) => LVal::Obj(m),
                Out::Vals(_) => LVal::Ref(&NULL),
            }
        }
        Node::Arr(parts) => {
            let mut out = Out::Vals(Vec::with_capacity(parts.len()));
            parts_into(env, parts, f, &mut out)?;
            match out {
                Out::Vals(v) => LVal::Arr(v),
                Out::Obj(_) => LVal::Ref(&NULL),
            }
        }
        Node::One(p) => {
            let mut out = Out::Vals(Vec::new());
            parts_into(env, std::slice::from_ref(p.as_ref()), f, &mut out)?;
            match out {
                Out::Vals(mut v) if v.len() <= 1 => v.pop().unwrap_or(LVal::Ref(&NULL)),
                _ => return Err("a block in a value's place gave more than one value".into()),
            }
        }
    })
}

enum Out<'a> {
    Obj(Members<'a>),
    Vals(Vec<LVal<'a>>),
}

impl<'a> Out<'a> {
    /// An empty collection of the same kind, for parts evaluated in a context that does not
    /// outlive them (a computed value), whose results are then added with [`Out::absorb`].
    fn empty_like<'b>(&self) -> Out<'b> {
        match self {
            Out::Obj(_) => Out::Obj(Members::default()),
            Out::Vals(_) => Out::Vals(Vec::new()),
        }
    }

    /// Add what `tmp` collected, copied (it may borrow from a value about to be dropped).
    fn absorb(&mut self, tmp: Out<'_>) {
        match (self, tmp) {
            (Out::Obj(m), Out::Obj(t)) => {
                for (k, v) in t.list {
                    m.insert(Cow::Owned(k.into_owned()), LVal::Own(v.into_json()));
                }
            }
            (Out::Vals(l), Out::Vals(t)) => {
                l.extend(t.into_iter().map(|v| LVal::Own(v.into_json())));
            }
            // `empty_like` gives the same kind.
            _ => {}
        }
    }
}

fn parts_into<'a>(
    env: &Env<'a>,
    parts: &'a [Part],
    f: &Frame<'a, '_>,
    out: &mut Out<'a>,
) -> Result<(), String> {
    for p in parts {
        part_into(env, p, f, out)?;
    }
    Ok(())
}

fn part_into<'a>(
    env: &Env<'a>,
    p: &'a Part,
    f: &Frame<'a, '_>,
    out: &mut Out<'a>,
) -> Result<(), String> {
    if f.depth > MAX_DEPTH {
        return Err("fragments nest too deep".into());
    }
    match p {
        Part::Member(k, v) => {
            let key = match k {
                Key::Lit(s) => Cow::Borrowed(s.as_str()),
                Key::Expr(e) => {
                    let mut s = String::new();
                    text(expr(env, e, f)?.get(), &mut s);
                    Cow::Owned(s)
                }
            };
            let v = node(env, v, f)?;
            match out {
                Out::Obj(m) => m.insert(key, v),
                Out::Vals(_) => return Err(format!("member `{key}` outside an object")),
            }
        }
        Part::Elem(v) => {
            let v = node(env, v, f)?;
            match out {
                Out::Vals(l) => l.push(v),
                Out::Obj(_) => return Err("a value where a member was expected".into()),
            }
        }
        Part::Block(b) => block(env, b, f, out)?,
        Part::Use(u) => {
            let body = env
                .fragments
                .get(&u.name)
                .ok_or_else(|| format!("unknown fragment `{}`", u.name))?;
            let base = match &u.arg {
                Some(a) => expr(env, a, f)?,
                None => Val::Ref(f.this),
            };
            let v = match (base, u.hash.is_empty()) {
                (Val::Ref(this), true) => {
                    let fr = Frame {
                        this,
                        root: f.root,
                        up: Some(f),
                        locals: f.locals,
                        params: Vec::new(),
                        depth: f.depth + 1,
                    };
                    node(env, body, &fr)?
                }
                // The fragment's value is computed here: what it gives is copied out of it.
                (base, _) => {
                    let hash = u
                        .hash
                        .iter()
                        .map(|(k, e)| Ok((k.as_str(), expr(env, e, f)?.into_owned())))
                        .collect::<Result<Vec<_>, String>>()?;
                    let this = if hash.is_empty() {
                        base.into_owned()
                    } else {
                        let mut m = match base.get() {
                            Json::Object(o) => o.clone(),
                            _ => Map::new(),
                        };
                        for (k, v) in &hash {
                            m.insert((*k).to_string(), v.clone());
                        }
                        Json::Object(m)
                    };
                    let fr = Frame {
                        this: &this,
                        root: f.root,
                        up: Some(f),
                        locals: f.locals,
                        params: hash.iter().map(|(k, v)| (*k, Bound::Ref(v))).collect(),
                        depth: f.depth + 1,
                    };
                    LVal::Own(node(env, body, &fr)?.into_json())
                }
            };
            match (out, v) {
                (Out::Vals(l), v) => l.push(v),
                (Out::Obj(m), LVal::Obj(o)) => {
                    for (k, v) in o.list {
                        m.insert(k, v);
                    }
                }
                (Out::Obj(m), LVal::Ref(Json::Object(o))) => {
                    for (k, v) in o {
                        m.insert(Cow::Borrowed(k.as_str()), LVal::Ref(v));
                    }
                }
                (Out::Obj(m), LVal::Own(Json::Object(o))) => {
                    for (k, v) in o {
                        m.insert(Cow::Owned(k), LVal::Own(v));
                    }
                }
                (Out::Obj(_), LVal::Ref(Json::Null) | LVal::Own(Json::Null)) => {}
                (Out::Obj(_), _) => {
                    return Err(format!(
                        "fragment `{}` used among members did not give an object",
                        u.name
                    ))
                }
            }
        }
    }
    Ok(())
}

fn block<'a>(
    env: &Env<'a>,
    b: &'a Block,
    f: &Frame<'a, '_>,
    out: &mut Out<'a>,
) -> Result<(), String> {
    let subject = expr(env, &b.subject, f)?;
    match b.kind {
        BlockKind::If | BlockKind::Unless => {
            let yes = truthy(subject.get()) == (b.kind == BlockKind::If);
            parts_into(env, if yes { &b.then } else { &b.els }, f, out)
        }
        BlockKind::With => {
            if !truthy(subject.get()) {
                return parts_into(env, &b.els, f, out);
            }
            match subject {
                Val::Ref(v) => with(env, b, f, v, out),
                Val::Own(v) => {
                    let mut tmp = out.empty_like();
                    with(env, b, f, &v, &mut tmp)?;
                    out.absorb(tmp);
                    Ok(())
                }
            }
        }
        BlockKind::Each => match subject {
            Val::Ref(v) => each(env, b, f, v, out),
            Val::Own(v) => {
                let mut tmp = out.empty_like();
                each(env, b, f, &v, &mut tmp)?;
                out.absorb(tmp);
                Ok(())
            }
        },
    }
}

fn with<'a>(
    env: &Env<'a>,
    b: &'a Block,
    f: &Frame<'a, '_>,
    v: &'a Json,
    out: &mut Out<'a>,
) -> Result<(), String> {
    let fr = Frame {
        this: v,
        root: f.root,
        up: Some(f),
        locals: Locals::default(),
        params: b
            .params
            .first()
            .map(|n| (n.as_str(), Bound::Ref(v)))
            .into_iter()
            .collect(),
        depth: f.depth + 1,
    };
    parts_into(env, &b.then, &fr, out)
}

fn each<'a>(
    env: &Env<'a>,
    b: &'a Block,
    f: &Frame<'a, '_>,
    v: &'a Json,
    out: &mut Out<'a>,
) -> Result<(), String> {
    match v {
        Json::Array(a) if !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                each_item(env, b, f, (i, a.len()), x, None, out)?;
            }
            Ok(())
        }
        Json::Object(o) if !o.is_empty() => {
            for (i, (k, x)) in o.iter().enumerate() {
                each_item(env, b, f, (i, o.len()), x, Some(k), out)?;
            }
            Ok(())
        }
        _ => parts_into(env, &b.els, f, out),
    }
}

/// One element of an `each`: the element `x` at position `i` of `len` (and its key in an
/// object) bound to the block's parameters (`|x, i|` or `|x, k|`) and to the locals.
fn each_item<'a>(
    env: &Env<'a>,
    b: &'a Block,
    f: &Frame<'a, '_>,
    (i, len): (usize, usize),
    x: &'a Json,
    key: Option<&'a str>,
    out: &mut Out<'a>,
) -> Result<(), String> {
    let mut params = Vec::new();
    if let Some(n) = b.params.first() {
        params.push((n.as_str(), Bound::Ref(x)));
    }
    if let Some(n) = b.params.get(1) {
        params.push((n.as_str(), key.map_or(Bound::Index(i), Bound::Key)));
    }
    let fr = Frame {
        this: x,
        root: f.root,
        up: Some(f),
        locals: Locals {
            index: Some(i),
            key,
            first: Some(i == 0),
            last: Some(i + 1 == len),
        },
        params,
        depth: f.depth + 1,
    };
    parts_into(env, &b.then, &fr, out)
}

/// A literal object key of a body: the keys of the objects it is in (`[]` for a list's
/// element), the key, and the value when it is a literal scalar.
pub type KeyUse = (Vec<String>, String, Option<Json>);

/// Every literal object key of a body, in order, fragments followed where they are used
/// (a fragment among members adds its object's keys); keys under a computed key are not
/// followed. For the schema check.
pub fn keys(n: &Node, fragments: &Fragments, out: &mut Vec<KeyUse>) {
    struct W<'f> {
        fragments: &'f Fragments,
        depth: usize,
    }
    fn walk_node(w: &mut W, n: &Node, at: &mut Vec<String>, out: &mut Vec<KeyUse>) {
        match n {
            Node::Obj(parts) => walk_parts(w, parts, at, out),
            Node::Arr(parts) => {
                at.push("[]".into());
                walk_parts(w, parts, at, out);
                at.pop();
            }
            Node::One(p) => walk_parts(w, std::slice::from_ref(p.as_ref()), at, out),
            _ => {}
        }
    }
    fn walk_parts(w: &mut W, parts: &[Part], at: &mut Vec<String>, out: &mut Vec<KeyUse>) {
        for p in parts {
            match p {
                Part::Member(Key::Lit(k), v) => {
                    let lit = match v {
                        Node::Lit(j) if !j.is_null() => Some(j.clone()),
                        _ => None,
                    };
                    out.push((at.clone(), k.clone(), lit));
                    at.push(k.clone());
                    walk_node(w, v, at, out);
                    at.pop();
                }
                Part::Member(Key::Expr(_), _) => {}
                Part::Use(u) => {
                    if let Some(f) = w.fragments.get(&u.name).filter(|_| w.depth < 8) {
                        w.depth += 1;
                        walk_node(w, f, at, out);
                        w.depth -= 1;
                    }
                }
                Part::Elem(v) => walk_node(w, v, at, out),
                Part::Block(b) => {
                    walk_parts(w, &b.then, at, out);
                    walk_parts(w, &b.els, at, out);
                }
            }
        }
    }
    let mut w = W {
        fragments,
        depth: 0,
    };
    walk_node(&mut w, n, &mut Vec::new(), out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(src: &str, cx: Json, fragments: &[(&str, &str)]) -> Result<Json, String> {
        let tables = Tables::new();
        let fragments: Fragments = fragments
            .iter()
            .map(|(n, s)| (n.to_string(), parse(s).expect("fragment")))
            .collect();
        let env = Env {
            tables: &tables,
            fragments: &fragments,
        };
        eval(&env, &parse(src)?, &cx)
    }

    #[test]
    fn values_blocks_and_scopes() {
        let cx = json!({
            "props": {"a": 1, "zero": 0, "l": ["x", "y"], "m": {"k": "v"}, "s": ""},
            "name": "n"
        });
        let out = run(
            r#"{
              "a": props.a, "z": if props.zero { "yes" } else { "no" },
              "l": [each props.l as e i { {"e": e, "i": i, "up": ../name, "first": @first} } "end"],
              "m": { each props.m { (@key): this } },
              "w": with props.s { "nonempty" } else { "empty" },
              "s": "n=\(name)-\(props.a)\(props.missing)",
              "c": if(eq(props.a, 1), "one", "other"),
              unless props.zero { "u": true }
            }"#,
            cx,
            &[],
        );
        assert_eq!(
            out,
            Ok(json!({
                "a": 1, "z": "no",
                "l": [{"e": "x", "i": 0, "up": "n", "first": true}, {"e": "y", "i": 1, "up": "n", "first": false}, "end"],
                "m": {"k": "v"},
                "w": "empty",
                "s": "n=n-1",
                "c": "one",
                "u": true
            }))
        );
    }

    #[test]
    fn fragments_merge_members_and_see_their_argument() {
        let out = run(
            r#"{"a": 1, use meta(props, dir = "in"), "b": [use meta(props)]}"#,
            json!({"props": {"n": "x"}}),
            &[("meta", r#"{"name": n, "dir": dir, "root": @root.props.n}"#)],
        );
        assert_eq!(
            out,
            Ok(
                json!({"a": 1, "name": "x", "dir": "in", "root": "x", "b": [{"name": "x", "dir": null, "root": "x"}]})
            )
        );
    }

    #[test]
    fn a_key_written_again_replaces_its_value_in_place() {
        // As in `serde_json`'s ordered map: the position of the first, the value of the last,
        // in small objects (searched) and large ones (indexed) alike.
        let out = run(
            r#"{"a": 1, "b": 2, use f(), "c": 3}"#,
            json!({}),
            &[("f", r#"{"a": null, "d": 4}"#)],
        )
        .expect("evaluates");
        assert_eq!(out.to_string(), r#"{"a":null,"b":2,"d":4,"c":3}"#);
        let m: Map<String, Json> = (0..40).map(|i| (format!("k{i}"), json!(i))).collect();
        let out = run(
            r#"{ each props.m { (@key): this }, each props.m { (@key): "x" }, "k5": null, "z": 1 }"#,
            json!({ "props": { "m": m } }),
            &[],
        )
        .expect("evaluates");
        let mut want: Map<String, Json> = (0..40).map(|i| (format!("k{i}"), json!("x"))).collect();
        want.insert("k5".into(), Json::Null);
        want.insert("z".into(), json!(1));
        assert_eq!(out.to_string(), Json::Object(want).to_string());
        // Removing a member keeps the others' order and the index right.
        let mut members = Members::default();
        for i in 0..30 {
            members.insert(Cow::Owned(format!("k{i}")), LVal::Own(json!(i)));
        }
        assert!(members.remove("k3").is_some());
        assert!(members.remove("k3").is_none());
        members.insert(Cow::Borrowed("k10"), LVal::Own(json!("ten")));
        members.insert(Cow::Borrowed("k3"), LVal::Own(json!("three")));
        let json = LVal::Obj(members).into_json();
        let keys: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 30);
        assert_eq!((keys[3], keys[29]), ("k4", "k3"));
        assert_eq!(json["k10"], json!("ten"));
    }

    #[test]
    fn errors_are_reported_not_panicked() {
        assert!(parse(r#"{"a": nosuchfn(1)}"#).is_err_and(|e| e.contains("unknown function")));
        assert!(parse(r#"{"a": 1"#).is_err());
        assert!(parse(r#"{"a" 1}"#).is_err());
        assert!(parse(r#"["\q"]"#).is_err());
        assert!(run(r#"{"a": use nope()}"#, json!({}), &[])
            .is_err_and(|e| e.contains("unknown fragment")));
        assert!(run(r#"{use f()}"#, json!({}), &[("f", "1")]).is_err());
        // A fragment that uses itself stops at the depth limit.
        assert!(run(r#"use f()"#, json!({}), &[("f", "[use f()]")])
            .is_err_and(|e| e.contains("too deep")));
    }
}
