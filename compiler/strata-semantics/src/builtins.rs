//! Built-in functions. Each takes evaluated arguments and returns a value or an error message
//! (reported by the caller at the call's span with code E2007). Before calling one, the
//! evaluator asks [`plan`] what the call will build: a result over the limits is an error
//! before anything is built, and the rest is counted against the work budget.

use crate::db::{count, weight, ELEMENT_WEIGHT, MAX_LIST, MAX_STRING};
use std::collections::BTreeMap;
use strata_model::{StrPart, Value};

pub(crate) const NAMES: &[&str] = &[
    "length",
    "lower",
    "upper",
    "trim",
    "join",
    "split",
    "replace",
    "contains",
    "keys",
    "values",
    "merge",
    "concat",
    "range",
    "min",
    "max",
    "cidr",
    "cidrsubnet",
    "format",
    "default",
    "json",
    "yaml",
];

/// Longest list `range` may build.
const MAX_RANGE: i64 = 1_000_000;

/// The length in bytes of `v` put into a string (interpolation, `join`); `None` for a list or
/// a record, which cannot be.
pub(crate) fn text_len(v: &Value) -> Option<u64> {
    Some(match v {
        Value::Str(_) | Value::Cidr(_) | Value::Interp(_) | Value::Ref(_) => v.size().bytes,
        Value::Null => 0,
        Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Quantity(_) => {
            v.to_string().len() as u64
        }
        Value::List(_) | Value::Record(_) => return None,
    })
}

fn string_limit(what: &str, bytes: u64) -> Result<u64, String> {
    if bytes > MAX_STRING as u64 {
        Err(format!(
            "{what} would build a string of {} bytes, longer than the limit of {MAX_STRING} bytes",
            count(bytes)
        ))
    } else {
        Ok(bytes)
    }
}

fn list_limit(what: &str, len: u64) -> Result<u64, String> {
    if len > MAX_LIST as u64 {
        Err(format!(
            "{what} would build a list of {} elements, longer than the limit of {MAX_LIST}",
            count(len)
        ))
    } else {
        Ok(len.saturating_mul(ELEMENT_WEIGHT))
    }
}

/// What calling `name` on `args` will build, sized without building it: an error message if
/// the result would be over the limits ([`MAX_STRING`] bytes, [`MAX_LIST`] elements), else the
/// work it costs (bytes built or scanned, see [`crate::db::MAX_WORK`]). Arguments of the wrong
/// kind cost nothing here: [`call`] reports them.
pub(crate) fn plan(name: &str, args: &[Value]) -> Result<u64, String> {
    let text = |i: usize| args.get(i).and_then(Value::as_str);
    Ok(match (name, args) {
        ("length" | "trim" | "cidr", [Value::Str(s)]) => s.len() as u64,
        ("lower" | "upper", [Value::Str(s)]) => {
            // Case mapping can change the length (`ß` → `SS`): count it first.
            let out: usize = if name == "lower" {
                s.chars()
                    .map(|c| c.to_lowercase().map(char::len_utf8).sum::<usize>())
                    .sum()
            } else {
                s.chars()
                    .map(|c| c.to_uppercase().map(char::len_utf8).sum::<usize>())
                    .sum()
            };
            s.len() as u64 + string_limit(&format!("`{name}`"), out as u64)?
        }
        ("join", [sep, Value::List(items)]) => {
            let sep = sep.as_str().map_or(0, str::len) as u64;
            let parts: u64 = items
                .iter()
                .map(|v| text_len(v).unwrap_or(0))
                .fold(0, u64::saturating_add);
            let seps = sep.saturating_mul(items.len().saturating_sub(1) as u64);
            weight(strata_model::Size::elements(items.len()))
                + string_limit("`join`", parts.saturating_add(seps))?
        }
        ("split", [_, Value::Str(s)]) => {
            let pieces = match text(0) {
                Some("") => s.chars().count(),
                Some(sep) => s.matches(sep).count() + 1,
                None => 0,
            };
            2 * s.len() as u64 + list_limit("`split`", pieces as u64)?
        }
        ("replace", [Value::Str(s), Value::Str(from), Value::Str(to)]) if !from.is_empty() => {
            let n = s.matches(from.as_str()).count() as u64;
            let out = (s.len() as u64 - n * from.len() as u64)
                .saturating_add(n.saturating_mul(to.len() as u64));
            s.len() as u64 + string_limit("`replace`", out)?
        }
        ("contains", [Value::Str(s), _]) => s.len() as u64,
        ("contains", [l @ Value::List(_), x]) => weight(l.size()).saturating_add(weight(x.size())),
        ("keys", [Value::Record(m)]) => {
            m.keys().map(|k| k.len() as u64).sum::<u64>() + list_limit("`keys`", m.len() as u64)?
        }
        ("values", [Value::Record(m)]) => list_limit("`values`", m.len() as u64)?,
        ("merge", _) => {
            let mut keys = std::collections::BTreeSet::new();
            for a in args {
                if let Value::Record(m) = a {
                    keys.extend(m.keys().map(String::as_str));
                    if keys.len() > MAX_LIST {
                        break;
                    }
                }
            }
            if keys.len() > MAX_LIST {
                return Err(format!(
                    "`merge` would build a map of more than {MAX_LIST} entries, the limit"
                ));
            }
            keys.iter().map(|k| k.len() as u64 + ELEMENT_WEIGHT).sum()
        }
        ("concat", _) => list_limit(
            "`concat`",
            args.iter()
                .map(|a| a.as_list().map_or(0, <[Value]>::len) as u64)
                .fold(0, u64::saturating_add),
        )?,
        ("range", _) => {
            let bound = |v: &Value| v.as_i64().unwrap_or(0);
            let len = match args {
                [n] => bound(n).max(0),
                [a, b] => bound(b).saturating_sub(bound(a)).max(0),
                _ => 0,
            };
            list_limit("`range`", len as u64)?
        }
        ("min" | "max", [Value::List(l)]) => weight(l.size()),
        ("json" | "yaml", [v]) => {
            // At least the text of every string and a few characters per element; the encoder
            // stops at the limit as well (escapes and indentation can add more).
            let size = v.size();
            string_limit(
                &format!("`{name}`"),
                size.bytes.saturating_add(size.elements.saturating_mul(4)),
            )?
        }
        ("format", _) => {
            // A list or record is shown as written: at least a character per element besides
            // its text.
            let shown = |a: &Value| {
                text_len(a).unwrap_or_else(|| a.size().elements.saturating_add(a.size().bytes))
            };
            string_limit(
                "`format`",
                args.iter().map(shown).fold(0, u64::saturating_add),
            )?
        }
        _ => 0,
    })
}

pub(crate) fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let argc = |n: usize| -> Result<(), String> {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!(
                "`{name}` takes {n} argument{}, got {}",
                if n == 1 { "" } else { "s" },
                args.len()
            ))
        }
    };
    match name {
        "length" => {
            argc(1)?;
            match &args[0] {
                Value::Str(s) => Ok(Value::Int(s.chars().count() as i64)),
                Value::List(l) => Ok(Value::Int(l.len() as i64)),
                Value::Record(m) => Ok(Value::Int(m.len() as i64)),
                v => Err(format!(
                    "`length` needs a string, list or map, found {}",
                    v.type_name()
                )),
            }
        }
        "lower" | "upper" | "trim" => {
            argc(1)?;
            let s = str_arg(name, &args[0])?;
            Ok(Value::str(match name {
                "lower" => s.to_lowercase(),
                "upper" => s.to_uppercase(),
                _ => s.trim().to_string(),
            }))
        }
        "join" => {
            argc(2)?;
            let sep = str_arg(name, &args[0])?;
            if let Value::Ref(r) = &args[1] {
                let what = match &r.attr {
                    Some(a) => format!("`{}.{a}`", r.name),
                    None => format!("`{}`", r.name),
                };
                return Err(format!("`join` needs a list known when compiling; {what} is only known once it is deployed (output the list itself, or join a list written in the source)"));
            }
            let list = list_arg(name, &args[1])?;
            let mut parts: Vec<StrPart> = Vec::new();
            for (i, v) in list.iter().enumerate() {
                if i > 0 {
                    parts.push(StrPart::Lit(sep.to_string()));
                }
                append_string(&mut parts, v).map_err(|e| format!("`join`: {e}"))?;
            }
            Ok(make_string(parts))
        }
        "split" => {
            argc(2)?;
            let sep = str_arg(name, &args[0])?;
            let s = str_arg(name, &args[1])?;
            if sep.is_empty() {
                return Ok(Value::List(
                    s.chars().map(|c| Value::str(c.to_string())).collect(),
                ));
            }
            Ok(Value::List(
                s.split(sep).map(|p| Value::str(p.to_string())).collect(),
            ))
        }
        "replace" => {
            argc(3)?;
            let s = str_arg(name, &args[0])?;
            let from = str_arg(name, &args[1])?;
            let to = str_arg(name, &args[2])?;
            if from.is_empty() {
                return Err("`replace`: the text to replace is empty".into());
            }
            Ok(Value::str(s.replace(from, to)))
        }
        "contains" => {
            argc(2)?;
            match &args[0] {
                Value::List(l) => Ok(Value::Bool(l.contains(&args[1]))),
                Value::Str(s) => Ok(Value::Bool(s.contains(str_arg(name, &args[1])?))),
                Value::Record(m) => Ok(Value::Bool(m.contains_key(str_arg(name, &args[1])?))),
                v => Err(format!(
                    "`contains` needs a list, string or map, found {}",
                    v.type_name()
                )),
            }
        }
        "keys" => {
            argc(1)?;
            let m = map_arg(name, &args[0])?;
            Ok(Value::List(
                m.keys().map(|k| Value::str(k.as_str())).collect(),
            ))
        }
        "values" => {
            argc(1)?;
            let m = map_arg(name, &args[0])?;
            Ok(Value::List(m.values().cloned().collect()))
        }
        "merge" => {
            let mut out = BTreeMap::new();
            for a in &args {
                out.extend(map_arg(name, a)?.clone());
            }
            Ok(Value::record(out))
        }
        "concat" => {
            let mut out = Vec::new();
            for a in &args {
                out.extend(list_arg(name, a)?.iter().cloned());
            }
            Ok(Value::list(out))
        }
        "range" => {
            let (a, b) = match args.as_slice() {
                [n] => (0, int_arg(name, n)?),
                [a, b] => (int_arg(name, a)?, int_arg(name, b)?),
                _ => {
                    return Err(format!(
                        "`range` takes 1 or 2 arguments, got {}",
                        args.len()
                    ))
                }
            };
            if b.saturating_sub(a) > MAX_RANGE {
                return Err(format!(
                    "`range` would build more than {MAX_RANGE} elements"
                ));
            }
            Ok(Value::List((a..b.max(a)).map(Value::Int).collect()))
        }
        "min" | "max" => {
            let items: &[Value] = if let [Value::List(l)] = args.as_slice() {
                l
            } else {
                &args
            };
            let mut best: Option<&Value> = None;
            for v in items {
                let x = v.as_f64().ok_or_else(|| {
                    format!(
                        "`{name}` needs numbers or quantities, found {}",
                        v.type_name()
                    )
                })?;
                if let (Some(Value::Quantity(a)), Value::Quantity(b)) = (best, v) {
                    if a.dimension != b.dimension {
                        return Err(format!(
                            "`{name}`: cannot compare {} with {}",
                            a.dimension.name(),
                            b.dimension.name()
                        ));
                    }
                }
                let better = match &best {
                    None => true,
                    Some(b) => {
                        let y = b.as_f64().unwrap_or(0.0);
                        if name == "min" {
                            x < y
                        } else {
                            x > y
                        }
                    }
                };
                if better {
                    best = Some(v);
                }
            }
            best.cloned().ok_or_else(|| format!("`{name}` of nothing"))
        }
        "cidr" => {
            argc(1)?;
            let s = str_arg(name, &args[0])?;
            if strata_model::check::valid_cidr(s) {
                Ok(Value::cidr(s.to_string()))
            } else {
                Err(format!("{s:?} is not a valid CIDR block"))
            }
        }
        "cidrsubnet" => {
            argc(3)?;
            let prefix = match &args[0] {
                Value::Cidr(s) | Value::Str(s) => s.clone(),
                v => {
                    return Err(format!(
                        "`cidrsubnet` needs a CIDR block, found {}",
                        v.type_name()
                    ))
                }
            };
            let newbits = int_arg(name, &args[1])?;
            let netnum = int_arg(name, &args[2])?;
            cidrsubnet(&prefix, newbits, netnum).map(Value::cidr)
        }
        "format" => {
            let Some((fmt, rest)) = args.split_first() else {
                return Err("`format` needs a format string".into());
            };
            let fmt = str_arg(name, fmt)?;
            let mut out = String::new();
            let mut it = rest.iter();
            let mut chars = fmt.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '%' {
                    match chars.next() {
                        Some('%') => out.push('%'),
                        Some('s') | Some('d') | Some('v') => {
                            let v = it
                                .next()
                                .ok_or("`format`: more placeholders than arguments")?;
                            // A list or record is shown as written, which can be long: render
                            // no more than the limit allows.
                            let left = (MAX_STRING + 1).saturating_sub(out.len());
                            match v {
                                Value::Str(s) => out.push_str(s),
                                v => out.push_str(&v.preview(left)),
                            }
                            if out.len() > MAX_STRING {
                                return Err(format!("`format` would build a string longer than the limit of {MAX_STRING} bytes"));
                            }
                        }
                        other => {
                            return Err(format!(
                                "`format`: unknown placeholder %{}",
                                other.map(String::from).unwrap_or_default()
                            ))
                        }
                    }
                } else {
                    out.push(c);
                }
            }
            if it.next().is_some() {
                return Err("`format`: more arguments than placeholders".into());
            }
            Ok(Value::str(out))
        }
        "json" | "yaml" => {
            argc(1)?;
            let mut out = Encoder::default();
            if name == "json" {
                out.json(&args[0])?;
            } else {
                out.yaml_document(&args[0])?;
            }
            Ok(make_string(out.parts))
        }
        "default" => {
            argc(2)?;
            let mut a = args;
            let fallback = a.pop().unwrap_or(Value::Null);
            let x = a.pop().unwrap_or(Value::Null);
            Ok(if x.is_null() { fallback } else { x })
        }
        _ => Err(format!("unknown function `{name}`")),
    }
}

fn str_arg<'v>(f: &str, v: &'v Value) -> Result<&'v str, String> {
    v.as_str()
        .ok_or_else(|| format!("`{f}` needs a string, found {}", v.type_name()))
}
fn list_arg<'v>(f: &str, v: &'v Value) -> Result<&'v [Value], String> {
    v.as_list()
        .ok_or_else(|| format!("`{f}` needs a list, found {}", v.type_name()))
}
fn map_arg<'v>(f: &str, v: &'v Value) -> Result<&'v BTreeMap<String, Value>, String> {
    v.as_record()
        .ok_or_else(|| format!("`{f}` needs a map, found {}", v.type_name()))
}
fn int_arg(f: &str, v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        v => Err(format!("`{f}` needs an int, found {}", v.type_name())),
    }
}

/// Append a value to string parts (for interpolation and `join`).
pub(crate) fn append_string(parts: &mut Vec<StrPart>, v: &Value) -> Result<(), String> {
    let lit = |parts: &mut Vec<StrPart>, s: &str| {
        if let Some(StrPart::Lit(last)) = parts.last_mut() {
            last.push_str(s);
        } else {
            parts.push(StrPart::Lit(s.to_string()));
        }
    };
    match v {
        Value::Str(s) | Value::Cidr(s) => lit(parts, s),
        Value::Int(i) => lit(parts, &i.to_string()),
        Value::Float(f) => lit(parts, &f.to_string()),
        Value::Bool(b) => lit(parts, &b.to_string()),
        Value::Null => {}
        Value::Quantity(q) => lit(parts, &q.to_string()),
        Value::Ref(r) => parts.push(StrPart::Ref(r.clone())),
        Value::Interp(ps) => {
            for p in ps {
                match p {
                    StrPart::Lit(s) => lit(parts, s),
                    StrPart::Ref(r) => parts.push(StrPart::Ref(r.clone())),
                }
            }
        }
        Value::List(_) | Value::Record(_) => {
            return Err(format!("cannot put a {} into a string", v.type_name()))
        }
    }
    Ok(())
}

/// A plain string when there are no references, else an interpolation.
pub(crate) fn make_string(parts: Vec<StrPart>) -> Value {
    if parts.iter().all(|p| matches!(p, StrPart::Lit(_))) {
        let mut s = String::new();
        for p in parts {
            if let StrPart::Lit(l) = p {
                s.push_str(&l);
            }
        }
        Value::str(s)
    } else {
        Value::interp(parts)
    }
}

fn cidrsubnet(prefix: &str, newbits: i64, netnum: i64) -> Result<String, String> {
    let (addr, len) = prefix.split_once('/').ok_or("not a CIDR block")?;
    let len: i64 = len.parse().map_err(|_| "not a CIDR block")?;
    let ip: std::net::Ipv4Addr = addr
        .parse()
        .map_err(|_| "`cidrsubnet` supports IPv4 prefixes")?;
    let newlen = len + newbits;
    if !(0..=32).contains(&newlen) || newbits < 0 {
        return Err(format!(
            "`cidrsubnet`: prefix /{len} plus {newbits} bits does not fit in 32 bits"
        ));
    }
    if netnum < 0 || (newbits < 63 && netnum >= (1i64 << newbits)) {
        return Err(format!(
            "`cidrsubnet`: network number {netnum} does not fit in {newbits} bits"
        ));
    }
    let base = u32::from(ip) as u64
        & if len == 0 {
            0
        } else {
            (u32::MAX as u64) << (32 - len) & u32::MAX as u64
        };
    let shifted = (netnum as u64) << (32 - newlen);
    let net = (base | shifted) as u32;
    Ok(format!("{}/{}", std::net::Ipv4Addr::from(net), newlen))
}

/// The text `json` and `yaml` build: literal text, and the references a string value holds
/// (written where the string's text goes, resolved by the target at deploy time).
#[derive(Default)]
struct Encoder {
    parts: Vec<StrPart>,
    len: usize,
}

impl Encoder {
    fn lit(&mut self, s: &str) -> Result<(), String> {
        self.len += s.len();
        if self.len > MAX_STRING {
            return Err(format!(
                "the encoded text would be longer than the limit of {MAX_STRING} bytes"
            ));
        }
        match self.parts.last_mut() {
            Some(StrPart::Lit(last)) => last.push_str(s),
            _ => self.parts.push(StrPart::Lit(s.to_string())),
        }
        Ok(())
    }

    /// A string value between double quotes, with JSON's escapes (which YAML's double-quoted
    /// style reads the same way); references stay references.
    fn quoted(&mut self, v: &Value) -> Result<(), String> {
        self.lit("\"")?;
        match v {
            Value::Str(s) | Value::Cidr(s) => self.escaped(s)?,
            Value::Ref(r) => self.parts.push(StrPart::Ref(r.clone())),
            Value::Interp(ps) => {
                for p in ps.iter() {
                    match p {
                        StrPart::Lit(s) => self.escaped(s)?,
                        StrPart::Ref(r) => self.parts.push(StrPart::Ref(r.clone())),
                    }
                }
            }
            _ => {}
        }
        self.lit("\"")
    }

    fn escaped(&mut self, s: &str) -> Result<(), String> {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20
                    || c == '\u{7f}'
                    || c == '\u{85}'
                    || c == '\u{2028}'
                    || c == '\u{2029}'
                    || c == '\u{feff}' =>
                {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                }
                c => out.push(c),
            }
        }
        self.lit(&out)
    }

    /// A scalar as both formats write it; `None` for a list or a record.
    fn scalar(&mut self, f: &str, v: &Value) -> Result<bool, String> {
        match v {
            Value::Null => self.lit("null")?,
            Value::Bool(b) => self.lit(if *b { "true" } else { "false" })?,
            Value::Int(i) => self.lit(&i.to_string())?,
            Value::Float(x) if x.is_finite() => {
                let t = x.to_string();
                // `2.0` prints as `2`: keep it a float for readers that care.
                if t.contains(['.', 'e', 'E']) {
                    self.lit(&t)?
                } else {
                    self.lit(&format!("{t}.0"))?
                }
            }
            Value::Float(x) => return Err(format!("`{f}` cannot encode the number {x}")),
            Value::Quantity(q) => {
                return Err(format!(
                    "`{f}` cannot encode the quantity `{q}`: a file format has no units; write the number in the unit the file expects, or a string (\"{q}\")"
                ))
            }
            Value::Str(_) | Value::Cidr(_) | Value::Ref(_) | Value::Interp(_) => {
                self.quoted(v)?
            }
            Value::List(_) | Value::Record(_) => return Ok(false),
        }
        Ok(true)
    }

    /// Compact JSON, keys in sorted order (as Terraform's `jsonencode`).
    fn json(&mut self, v: &Value) -> Result<(), String> {
        if self.scalar("json", v)? {
            return Ok(());
        }
        match v {
            Value::List(items) => {
                self.lit("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.lit(",")?;
                    }
                    self.json(item)?;
                }
                self.lit("]")
            }
            Value::Record(m) => {
                self.lit("{")?;
                for (i, (k, item)) in m.iter().enumerate() {
                    if i > 0 {
                        self.lit(",")?;
                    }
                    self.quoted(&Value::str(k.as_str()))?;
                    self.lit(":")?;
                    self.json(item)?;
                }
                self.lit("}")
            }
            _ => Ok(()),
        }
    }

    /// A YAML document in block style, ending with a newline.
    fn yaml_document(&mut self, v: &Value) -> Result<(), String> {
        if self.yaml_inline(v)? {
            return self.lit("\n");
        }
        self.yaml_block(v, 0, false)
    }

    /// A scalar or an empty collection on the current line; `false` for a block.
    fn yaml_inline(&mut self, v: &Value) -> Result<bool, String> {
        match v {
            Value::List(l) if l.is_empty() => self.lit("[]").map(|_| true),
            Value::Record(m) if m.is_empty() => self.lit("{}").map(|_| true),
            Value::Str(s) if yaml_plain(s) => self.lit(s).map(|_| true),
            _ => self.scalar("yaml", v),
        }
    }

    /// A non-empty list or record, each entry on its own line at `indent`; with `continues`,
    /// the first entry goes on the current line (after a list's `- `).
    fn yaml_block(&mut self, v: &Value, indent: usize, continues: bool) -> Result<(), String> {
        let pad = " ".repeat(indent);
        let mut first = continues;
        let mut line = |e: &mut Encoder| -> Result<(), String> {
            if !std::mem::take(&mut first) {
                e.lit(&pad)?;
            }
            Ok(())
        };
        match v {
            Value::List(items) => {
                for item in items.iter() {
                    line(self)?;
                    self.lit("- ")?;
                    if is_block(item) {
                        self.yaml_block(item, indent + 2, true)?;
                    } else {
                        self.yaml_inline(item)?;
                        self.lit("\n")?;
                    }
                }
            }
            Value::Record(m) => {
                for (k, item) in m.iter() {
                    line(self)?;
                    if yaml_plain(k) {
                        self.lit(k)?;
                    } else {
                        self.quoted(&Value::str(k.as_str()))?;
                    }
                    self.lit(":")?;
                    if is_block(item) {
                        // Nothing after the colon: the block starts on the next line.
                        self.lit("\n")?;
                        self.yaml_block(item, indent + 2, false)?;
                    } else {
                        self.lit(" ")?;
                        self.yaml_inline(item)?;
                        self.lit("\n")?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// A non-empty list or record: written as a block.
fn is_block(v: &Value) -> bool {
    match v {
        Value::List(l) => !l.is_empty(),
        Value::Record(m) => !m.is_empty(),
        _ => false,
    }
}

/// A string YAML reads back as the same string when written without quotes: words of
/// letters, digits and `_./-` separated by single spaces, starting with a letter, `_` or `/`,
/// and none of the words YAML 1.1 reads as a boolean or null.
fn yaml_plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/') {
        return false;
    }
    if s.ends_with(' ') || s.contains("  ") {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | ' '))
    {
        return false;
    }
    !matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "nan" | "inf"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cidrsubnet_matches_terraform() {
        assert_eq!(cidrsubnet("10.0.0.0/16", 8, 1).unwrap(), "10.0.1.0/24");
        assert_eq!(cidrsubnet("10.0.0.0/16", 4, 15).unwrap(), "10.0.240.0/20");
        assert!(cidrsubnet("10.0.0.0/16", 8, 256).is_err());
    }

    /// Results are sized before they are built (issue 13); maps here, the rest in
    /// tests/limits.rs.
    #[test]
    fn merge_is_sized_before_it_is_built() {
        let map = |prefix: &str| {
            Value::record(
                (0..600_000)
                    .map(|i| (format!("{prefix}{i}"), Value::Int(i)))
                    .collect(),
            )
        };
        let (a, b) = (map("a"), map("b"));
        let err = plan("merge", &[a.clone(), b]).unwrap_err();
        assert!(
            err.contains("`merge` would build a map of more than 1000000 entries"),
            "{err}"
        );
        assert!(
            plan("merge", &[a.clone(), a]).is_ok(),
            "the same keys twice: 600,000 entries"
        );
    }

    #[test]
    fn join_and_format() {
        let l = Value::list(vec![Value::Str("a".into()), Value::Int(2)]);
        assert_eq!(
            call("join", vec![Value::Str("-".into()), l]).unwrap(),
            Value::Str("a-2".into())
        );
        assert_eq!(
            call(
                "format",
                vec![
                    Value::Str("%s=%d".into()),
                    Value::Str("x".into()),
                    Value::Int(3)
                ]
            )
            .unwrap(),
            Value::Str("x=3".into())
        );
        assert!(call("range", vec![Value::Int(0), Value::Int(10_000_000)]).is_err());
    }

    fn rec(entries: Vec<(&str, Value)>) -> Value {
        Value::record(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    fn text(v: Value) -> String {
        match v {
            Value::Str(s) => s.to_string(),
            v => panic!("not a plain string: {v:?}"),
        }
    }

    #[test]
    fn yaml_reads_like_a_hand_written_file() {
        let v = rec(vec![
            ("global", rec(vec![("scrape_interval", Value::str("30s"))])),
            (
                "scrape_configs",
                Value::list(vec![rec(vec![
                    ("job_name", Value::str("platform")),
                    (
                        "static_configs",
                        Value::list(vec![rec(vec![(
                            "targets",
                            Value::list(vec![Value::str("gateway.ai.svc:80")]),
                        )])]),
                    ),
                ])]),
            ),
            ("empty", Value::list(vec![])),
            ("on", Value::Bool(true)),
            ("ratio", Value::Float(0.5)),
            ("n", Value::Int(3)),
            ("none", Value::Null),
        ]);
        let y = text(call("yaml", vec![v.clone()]).unwrap());
        assert_eq!(
            y,
            "empty: []\nglobal:\n  scrape_interval: \"30s\"\n\"n\": 3\nnone: null\n\"on\": true\nratio: 0.5\nscrape_configs:\n  - job_name: platform\n    static_configs:\n      - targets:\n          - \"gateway.ai.svc:80\"\n"
        );
        let j = text(call("json", vec![v]).unwrap());
        assert_eq!(
            j,
            r#"{"empty":[],"global":{"scrape_interval":"30s"},"n":3,"none":null,"on":true,"ratio":0.5,"scrape_configs":[{"job_name":"platform","static_configs":[{"targets":["gateway.ai.svc:80"]}]}]}"#
        );
    }

    #[test]
    fn references_stay_references() {
        let r = strata_model::Ref {
            resource: strata_model::ResourceId(0),
            name: "db".into(),
            attr: Some("address".into()),
        };
        let v = rec(vec![
            ("host", Value::Ref(r.clone())),
            (
                "url",
                Value::interp(vec![
                    StrPart::Lit("postgres://".into()),
                    StrPart::Ref(r.clone()),
                    StrPart::Lit(":5432".into()),
                ]),
            ),
        ]);
        let Value::Interp(parts) = call("json", vec![v]).unwrap() else {
            panic!("references make an interpolation")
        };
        assert_eq!(
            parts.as_slice(),
            [
                StrPart::Lit("{\"host\":\"".into()),
                StrPart::Ref(r.clone()),
                StrPart::Lit("\",\"url\":\"postgres://".into()),
                StrPart::Ref(r),
                StrPart::Lit(":5432\"}".into()),
            ]
        );
    }

    #[test]
    fn quantities_are_refused_with_a_way_out() {
        let q = Value::Quantity(strata_model::Quantity {
            value: 5.0 * 1024.0 * 1024.0 * 1024.0,
            dimension: strata_base::units::Dimension::Size,
            unit: "GiB".into(),
        });
        let err = call("yaml", vec![rec(vec![("size", q)])]).unwrap_err();
        assert!(err.contains("cannot encode the quantity `5 GiB`"), "{err}");
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            (-1e12f64..1e12).prop_map(Value::Float),
            "\\PC{0,12}".prop_map(Value::str),
            prop::sample::select(vec![
                "yes",
                "No",
                "true",
                "null",
                "~",
                "1.5",
                "0x1F",
                "- a",
                "a: b",
                "#c",
                "",
                " x",
                "x ",
                "a  b",
                "/metrics",
                "app.kubernetes.io/name",
                "\n",
                "é\u{85}\u{2028}",
            ])
            .prop_map(Value::str),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::list),
                prop::collection::btree_map("\\PC{0,8}", inner, 0..5).prop_map(Value::record),
            ]
        })
    }

    /// The JSON data model of a value, as a reader of either format sees it.
    fn expected(v: &Value) -> serde_json::Value {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => (*i).into(),
            Value::Float(f) => (*f).into(),
            Value::Str(s) => s.as_str().into(),
            Value::List(l) => l.iter().map(expected).collect(),
            Value::Record(m) => m.iter().map(|(k, v)| (k.clone(), expected(v))).collect(),
            v => panic!("not generated: {v:?}"),
        }
    }

    fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
        use serde_json::Value as J;
        match (a, b) {
            (J::Number(x), J::Number(y)) => match (x.as_i64(), y.as_i64()) {
                (Some(x), Some(y)) => x == y,
                _ => {
                    let (x, y) = (
                        x.as_f64().unwrap_or(f64::NAN),
                        y.as_f64().unwrap_or(f64::NAN),
                    );
                    x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
                }
            },
            (J::Array(x), J::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
            }
            (J::Object(x), J::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
            }
            _ => a == b,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// What `json` writes, a JSON parser reads back as the same data.
        #[test]
        fn json_round_trips(v in value()) {
            let t = text(call("json", vec![v.clone()]).unwrap());
            let back: serde_json::Value = serde_json::from_str(&t).map_err(|e| TestCaseError::fail(format!("{e}: {t}")))?;
            prop_assert!(same(&back, &expected(&v)), "{t}");
        }

        /// What `yaml` writes, a YAML parser (libyaml, YAML 1.1 rules) reads back as the same
        /// data: quoting where a plain scalar would be read as another type.
        #[test]
        fn yaml_round_trips(v in value()) {
            let t = text(call("yaml", vec![v.clone()]).unwrap());
            let back: serde_json::Value = serde_norway::from_str(&t).map_err(|e| TestCaseError::fail(format!("{e}: {t}")))?;
            prop_assert!(same(&back, &expected(&v)), "{t}");
        }
    }
}
