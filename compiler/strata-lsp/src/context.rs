//! Where the cursor is, for completion: read off the tokens of the current text (the lexer
//! never fails, so a half-typed file still has tokens), not off the syntax tree, which may be
//! missing the construct being typed.

use strata_base::FileId;
use strata_syntax::lexer::{self, Keyword, Token, TokenKind as T};

/// One step from a resource body down to the block or list the cursor is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// The value of field `name` (a record `{`).
    Field(String),
    /// An element of the list that is the value of the previous step.
    Elem,
}

/// The text of tokens.
struct Src<'a>(&'a str);

impl<'a> Src<'a> {
    fn of(&self, t: &Token) -> &'a str {
        self.0.get(t.start as usize..t.end as usize).unwrap_or("")
    }
}

/// What kind of block encloses the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// `resource name: TYPE { … }` (`name` as written, `ty` the dotted path as written),
    /// then the steps into nested records and lists.
    Resource {
        name: String,
        ty: String,
        steps: Vec<Step>,
    },
    /// `module name: TYPE { … }`
    Instance { ty: String },
    /// `stack name { … }`
    Stack,
    /// Anything else (a record in a `let`, a policy, …).
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Context {
    /// After `resource x:` or `module x:` (`module` true): a type name. `typed` is the dotted
    /// path typed so far; `start` where it begins.
    TypeName {
        module: bool,
        typed: String,
        start: usize,
    },
    /// `base.` + partial: an attribute of `base` (`typed` = the partial name after the dot).
    Member { base: Vec<String>, start: usize },
    /// The start of a field in a block: a property name.
    FieldName {
        owner: Owner,
        set: Vec<String>,
        start: usize,
    },
    /// The value of field `field` in a block (after `field =`), possibly mid-expression.
    FieldValue {
        owner: Owner,
        field: String,
        start: usize,
        in_string: Option<(usize, usize)>,
    },
    /// Any other expression position.
    Expr { start: usize },
    /// Inside a comment or another place where nothing should be proposed.
    Nothing,
}

fn ends_expr(k: T) -> bool {
    matches!(
        k,
        T::RBrace
            | T::RBracket
            | T::RParen
            | T::Ident
            | T::Int
            | T::Float
            | T::Quantity
            | T::Cidr
            | T::StrEnd
            | T::BadNumber
            | T::Kw(Keyword::True)
            | T::Kw(Keyword::False)
            | T::Kw(Keyword::Null)
    )
}

/// Analyse the cursor at byte `offset` of `text`.
pub fn at(text: &str, offset: usize) -> Context {
    let offset = offset.min(text.len());
    let lexed = lexer::lex(FileId(0), text);
    let in_comment = |c: &strata_syntax::ast::Comment| {
        let start = c.span.start as usize;
        if start >= offset {
            return false;
        }
        if c.text.starts_with("//") {
            // To the end of the line (the comment's text is trimmed).
            !text[start..offset].contains('\n')
        } else {
            offset < c.span.end as usize || !c.text.ends_with("*/")
        }
    };
    if lexed.comments.iter().any(in_comment) {
        return Context::Nothing;
    }
    let toks: Vec<Token> = lexed
        .tokens
        .into_iter()
        .filter(|t| t.kind != T::Eof)
        .collect();
    let src = Src(text);
    // Tokens entirely before the cursor; the identifier the cursor ends (or is inside) is the
    // word being typed.
    let mut n = toks.partition_point(|t| (t.end as usize) <= offset);
    let mut word_start = offset;
    if let Some(t) = toks.get(n) {
        // Cursor inside a token: an identifier being typed.
        if (t.start as usize) < offset && t.kind == T::Ident {
            word_start = t.start as usize;
        }
    }
    if n > 0
        && toks[n - 1].end as usize == offset
        && matches!(toks[n - 1].kind, T::Ident | T::Kw(_))
    {
        n -= 1;
        word_start = toks[n].start as usize;
    }
    let before = &toks[..n];

    // Inside a string literal: the value of a field, completed as a whole string.
    if let Some(sstart) = open_string(before) {
        let send = toks[n..]
            .iter()
            .find(|t| t.kind == T::StrEnd)
            .map(|t| t.end as usize)
            .filter(|&e| !text[offset..e.min(text.len())].contains('\n'))
            .unwrap_or(offset);
        let before_str = &before[..sstart];
        let Some((owner, field)) = field_value_owner(before_str, &src) else {
            return Context::Nothing;
        };
        return Context::FieldValue {
            owner,
            field,
            start: toks[sstart].start as usize,
            in_string: Some((toks[sstart].start as usize, send)),
        };
    }

    // The dotted path being typed: `a.b.c` (`before` ends with it, possibly with a dot).
    let mut i = before.len();
    let mut segs: Vec<String> = Vec::new();
    if i > 0 && before[i - 1].kind == T::Dot {
        i -= 1;
        while i > 0 && matches!(before[i - 1].kind, T::Ident) {
            segs.push(src.of(&before[i - 1]).to_string());
            i -= 1;
            if i > 0 && before[i - 1].kind == T::Dot && i >= 2 && before[i - 2].kind == T::Ident {
                i -= 1;
            } else {
                break;
            }
        }
        segs.reverse();
    }
    let path_start = before
        .get(i)
        .map(|t| t.start as usize)
        .unwrap_or(word_start);
    let head = &before[..i];

    // After `resource x:` / `module x:` (with an optional `[v in e]`).
    if let Some(last) = head.last() {
        if last.kind == T::Colon {
            let mut j = head.len() - 1;
            if j > 0 && head[j - 1].kind == T::RBracket {
                let mut depth = 0i32;
                while j > 0 {
                    j -= 1;
                    match head[j].kind {
                        T::RBracket => depth += 1,
                        T::LBracket => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            if j >= 2 && head[j - 1].kind == T::Ident {
                if let T::Kw(k @ (Keyword::Resource | Keyword::Module)) = head[j - 2].kind {
                    let mut typed = segs.join(".");
                    if !segs.is_empty() {
                        typed.push('.');
                    }
                    typed.push_str(text.get(word_start..offset).unwrap_or(""));
                    return Context::TypeName {
                        module: k == Keyword::Module,
                        typed,
                        start: path_start,
                    };
                }
            }
        }
    }
    if !segs.is_empty() {
        return Context::Member {
            base: segs,
            start: word_start,
        };
    }

    // Field name or value in a block?
    let prev = head.last();
    let at_field_start = match prev {
        None => false,
        Some(p) => {
            matches!(p.kind, T::LBrace | T::Comma)
                || (starts_line(text, word_start, p) && ends_expr(p.kind))
        }
    };
    if at_field_start {
        if let Some((open, owner)) = enclosing_block(head, &src) {
            let set = fields_set(&toks, open, &src, word_start);
            return Context::FieldName {
                owner,
                set,
                start: word_start,
            };
        }
        if depth_at(head) == 0 {
            // The start of a top-level item: keywords are the client's business (snippets).
            return Context::Nothing;
        }
    }
    if let Some((owner, field)) = field_value_owner(head, &src) {
        return Context::FieldValue {
            owner,
            field,
            start: word_start,
            in_string: None,
        };
    }
    Context::Expr { start: word_start }
}

/// How many brackets of any kind are open after `toks`.
fn depth_at(toks: &[Token]) -> i32 {
    toks.iter().fold(0i32, |d, t| match t.kind {
        T::LBrace | T::LBracket | T::LParen | T::InterpStart => d + 1,
        T::RBrace | T::RBracket | T::RParen | T::InterpEnd => (d - 1).max(0),
        _ => d,
    })
}

/// Whether there is only whitespace between token `p` and `pos` on a new line.
fn starts_line(text: &str, pos: usize, p: &Token) -> bool {
    text.get(p.end as usize..pos)
        .is_some_and(|between| between.contains('\n') && between.trim().is_empty())
}

/// The index of an unterminated `StrStart` in `before` (the cursor is inside that string).
fn open_string(before: &[Token]) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut interp = 0usize;
    for (i, t) in before.iter().enumerate() {
        match t.kind {
            T::StrStart => open.push(i),
            T::StrEnd => {
                open.pop();
            }
            T::InterpStart => interp += 1,
            T::InterpEnd => interp = interp.saturating_sub(1),
            _ => {}
        }
    }
    // Inside `${…}` the cursor is in an expression, not in the string.
    if interp > 0 {
        return None;
    }
    open.last().copied()
}

/// The innermost unmatched `{` in `toks` and who owns it.
fn enclosing_block(toks: &[Token], src: &Src<'_>) -> Option<(usize, Owner)> {
    let mut depth = 0i32;
    let mut i = toks.len();
    while i > 0 {
        i -= 1;
        match toks[i].kind {
            T::RBrace | T::RBracket | T::RParen | T::InterpEnd => depth += 1,
            T::LBracket | T::LParen | T::InterpStart => {
                if depth == 0 {
                    // Directly inside a list, a call or an interpolation, not in a block.
                    return None;
                }
                depth -= 1;
            }
            T::LBrace => {
                if depth == 0 {
                    return Some((i, owner_of(toks, i, src)));
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// Who owns the `{` at `open`.
fn owner_of(toks: &[Token], open: usize, src: &Src<'_>) -> Owner {
    // `resource NAME ([..])? : PATH {`, `module NAME ([..])? : PATH {`, `stack NAME {`.
    let mut j = open;
    while j >= 2 && toks[j - 1].kind == T::Ident && toks[j - 2].kind == T::Dot {
        j -= 2;
    }
    if j >= 1 && toks[j - 1].kind == T::Ident {
        let ty: String = toks[j - 1..open].iter().map(|t| src.of(t)).collect();
        let mut k = j - 1;
        if k >= 1 && toks[k - 1].kind == T::Colon {
            k -= 1;
            if k >= 1 && toks[k - 1].kind == T::RBracket {
                let mut depth = 0;
                while k > 0 {
                    k -= 1;
                    match toks[k].kind {
                        T::RBracket => depth += 1,
                        T::LBracket => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            if k >= 2 && toks[k - 1].kind == T::Ident {
                match toks[k - 2].kind {
                    T::Kw(Keyword::Resource) => {
                        return Owner::Resource {
                            name: src.of(&toks[k - 1]).to_string(),
                            ty,
                            steps: Vec::new(),
                        }
                    }
                    T::Kw(Keyword::Module) => return Owner::Instance { ty },
                    _ => {}
                }
            }
        } else if k >= 1 && toks[k - 1].kind == T::Kw(Keyword::Stack) {
            return Owner::Stack;
        }
    }
    // `field = {` or `field = [ … {`: a nested record of the enclosing owner.
    let mut steps_rev = Vec::new();
    let mut k = open;
    loop {
        if k >= 2 && toks[k - 1].kind == T::Eq && matches!(toks[k - 2].kind, T::Ident | T::Kw(_)) {
            steps_rev.push(Step::Field(src.of(&toks[k - 2]).to_string()));
            k -= 2;
            break;
        }
        if k >= 1 && matches!(toks[k - 1].kind, T::LBracket | T::Comma) {
            // An element of a list: find the `[` and continue before it.
            let mut depth = 0i32;
            let mut m = k;
            let mut found = None;
            while m > 0 {
                m -= 1;
                match toks[m].kind {
                    T::RBrace | T::RBracket | T::RParen => depth += 1,
                    T::LBrace | T::LParen => {
                        if depth == 0 {
                            break;
                        }
                        depth -= 1;
                    }
                    T::LBracket => {
                        if depth == 0 {
                            found = Some(m);
                            break;
                        }
                        depth -= 1;
                    }
                    _ => {}
                }
            }
            let Some(lb) = found else { return Owner::Other };
            steps_rev.push(Step::Elem);
            k = lb;
            continue;
        }
        return Owner::Other;
    }
    // `k` is now the index of the field name; its block is the enclosing one.
    match enclosing_block(&toks[..k], src) {
        Some((
            _,
            Owner::Resource {
                name,
                ty,
                mut steps,
            },
        )) => {
            steps_rev.reverse();
            steps.extend(steps_rev);
            Owner::Resource { name, ty, steps }
        }
        _ => Owner::Other,
    }
}

/// The names of the fields already written in the block opened at `open` (at its top level),
/// except the one being typed at `word_start`.
fn fields_set(toks: &[Token], open: usize, src: &Src<'_>, word_start: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    for (i, t) in toks.iter().enumerate().skip(open + 1) {
        match t.kind {
            T::LBrace | T::LBracket | T::LParen | T::InterpStart => depth += 1,
            T::RBrace | T::RBracket | T::RParen | T::InterpEnd => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            T::Eq if depth == 0 && i > open + 1 => {
                let name = &toks[i - 1];
                if name.start as usize != word_start && matches!(name.kind, T::Ident | T::Kw(_)) {
                    out.push(src.of(name).to_string());
                }
            }
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

/// When the tokens end inside the value of `field = …` directly in a block: that block's
/// owner and the field.
fn field_value_owner(toks: &[Token], src: &Src<'_>) -> Option<(Owner, String)> {
    // Walk back at depth 0 to the `=` that starts this field's value.
    let mut depth = 0i32;
    let mut i = toks.len();
    while i > 0 {
        i -= 1;
        match toks[i].kind {
            T::RBrace | T::RBracket | T::RParen | T::InterpEnd => depth += 1,
            T::LBracket | T::LParen | T::InterpStart => {
                if depth == 0 {
                    return None; // inside a list or a call: not the field's own value
                }
                depth -= 1;
            }
            T::LBrace | T::Comma if depth == 0 => return None,
            T::LBrace => depth -= 1,
            T::Eq if depth == 0 => {
                if i == 0 || !matches!(toks[i - 1].kind, T::Ident | T::Kw(_)) {
                    return None;
                }
                let field = src.of(&toks[i - 1]).to_string();
                let (_, owner) = enclosing_block(&toks[..i - 1], src)?;
                return Some((owner, field));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(src_with_cursor: &str) -> Context {
        let off = src_with_cursor.find('|').expect("cursor");
        let text = src_with_cursor.replacen('|', "", 1);
        at(&text, off)
    }

    fn res(ty: &str, steps: Vec<Step>) -> Owner {
        Owner::Resource {
            name: "b".into(),
            ty: ty.into(),
            steps,
        }
    }

    #[test]
    fn type_names() {
        assert_eq!(
            ctx("resource b: |"),
            Context::TypeName {
                module: false,
                typed: String::new(),
                start: 12
            }
        );
        assert_eq!(
            ctx("resource b: aws.s|"),
            Context::TypeName {
                module: false,
                typed: "aws.s".into(),
                start: 12
            }
        );
        assert_eq!(
            ctx("resource b: aws.|"),
            Context::TypeName {
                module: false,
                typed: "aws.".into(),
                start: 12
            }
        );
        assert_eq!(
            ctx("resource qs[q in [\"a\"]]: Qu|"),
            Context::TypeName {
                module: false,
                typed: "Qu".into(),
                start: 25
            }
        );
        assert!(matches!(
            ctx("module m: |"),
            Context::TypeName { module: true, .. }
        ));
    }

    #[test]
    fn field_names_and_values() {
        assert_eq!(
            ctx("resource b: aws.s3.Bucket {\n  |\n}"),
            Context::FieldName {
                owner: res("aws.s3.Bucket", vec![]),
                set: vec![],
                start: 30
            }
        );
        match ctx("resource b: Bucket {\n  versioning = true\n  ver|\n  lifecycle = []\n}") {
            Context::FieldName { owner, set, .. } => {
                assert_eq!(owner, res("Bucket", vec![]));
                assert_eq!(set, vec!["lifecycle".to_string(), "versioning".to_string()]);
            }
            c => panic!("{c:?}"),
        }
        assert_eq!(
            ctx("resource b: Bucket { a = 1, |}"),
            Context::FieldName {
                owner: res("Bucket", vec![]),
                set: vec!["a".into()],
                start: 28
            }
        );
        match ctx("resource b: Bucket {\n  storage_class = |\n}") {
            Context::FieldValue {
                owner,
                field,
                in_string: None,
                ..
            } => {
                assert_eq!(owner, res("Bucket", vec![]));
                assert_eq!(field, "storage_class");
            }
            c => panic!("{c:?}"),
        }
        match ctx("resource b: Bucket {\n  class = prod ? \"x\" : |\n}") {
            Context::FieldValue { field, .. } => assert_eq!(field, "class"),
            c => panic!("{c:?}"),
        }
        match ctx("resource b: Bucket {\n  class = \"GL|\"\n}") {
            Context::FieldValue {
                field,
                in_string: Some((s, e)),
                ..
            } => {
                assert_eq!(field, "class");
                assert_eq!((s, e), (31, 35));
            }
            c => panic!("{c:?}"),
        }
    }

    #[test]
    fn nested_records_and_lists() {
        match ctx("resource b: Bucket {\n  backups = { retention = 3d, | }\n}") {
            Context::FieldName { owner, set, .. } => {
                assert_eq!(owner, res("Bucket", vec![Step::Field("backups".into())]));
                assert_eq!(set, vec!["retention".to_string()]);
            }
            c => panic!("{c:?}"),
        }
        match ctx("resource b: Bucket {\n  lifecycle = [{ after = 90d }, { sto| }]\n}") {
            Context::FieldName { owner, .. } => assert_eq!(
                owner,
                res("Bucket", vec![Step::Field("lifecycle".into()), Step::Elem])
            ),
            c => panic!("{c:?}"),
        }
        match ctx("resource b: Bucket {\n  lifecycle = [{ storage_class = | }]\n}") {
            Context::FieldValue { owner, field, .. } => {
                assert_eq!(
                    owner,
                    res("Bucket", vec![Step::Field("lifecycle".into()), Step::Elem])
                );
                assert_eq!(field, "storage_class");
            }
            c => panic!("{c:?}"),
        }
    }

    #[test]
    fn members_expressions_and_comments() {
        assert_eq!(
            ctx("output u = db.|"),
            Context::Member {
                base: vec!["db".into()],
                start: 14
            }
        );
        assert_eq!(
            ctx("output u = db.ur|"),
            Context::Member {
                base: vec!["db".into()],
                start: 14
            }
        );
        assert_eq!(ctx("let x = [a, |]"), Context::Expr { start: 12 });
        assert_eq!(ctx("let x = 1 + |"), Context::Expr { start: 12 });
        assert_eq!(ctx("// resource b: |"), Context::Nothing);
        assert_eq!(ctx("|"), Context::Expr { start: 0 });
        assert_eq!(
            ctx("stack s {\n  |\n}"),
            Context::FieldName {
                owner: Owner::Stack,
                set: vec![],
                start: 12
            }
        );
        assert!(matches!(
            ctx("resource b: T {\n  env = { A = db.url, B = | }\n}"),
            Context::FieldValue { .. }
        ));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "}",
            "{{{{",
            "resource",
            "resource :",
            "= = =",
            "\"",
            "\"${",
            "x.",
            ".",
            "[",
            "]]]",
            "resource b: T { a = \"${x.|",
            "é|",
            "/*",
        ] {
            let text = s.replace('|', "");
            for i in 0..=text.len() {
                if text.is_char_boundary(i) {
                    let _ = at(&text, i);
                }
            }
        }
    }
}
