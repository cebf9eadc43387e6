//! Built-in functions. Each takes evaluated arguments and returns a value or an error message
//! (reported by the caller at the call's span with code E2007).

use std::collections::BTreeMap;
use strata_model::{StrPart, Value};

pub(crate) const NAMES: &[&str] = &[
    "length", "lower", "upper", "trim", "join", "split", "replace", "contains", "keys", "values", "merge", "concat", "range", "min", "max", "cidr",
    "cidrsubnet", "format", "default",
];

/// Longest list `range` may build.
const MAX_RANGE: i64 = 1_000_000;

pub(crate) fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let argc = |n: usize| -> Result<(), String> {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!("`{name}` takes {n} argument{}, got {}", if n == 1 { "" } else { "s" }, args.len()))
        }
    };
    match name {
        "length" => {
            argc(1)?;
            match &args[0] {
                Value::Str(s) => Ok(Value::Int(s.chars().count() as i64)),
                Value::List(l) => Ok(Value::Int(l.len() as i64)),
                Value::Record(m) => Ok(Value::Int(m.len() as i64)),
                v => Err(format!("`length` needs a string, list or map, found {}", v.type_name())),
            }
        }
        "lower" | "upper" | "trim" => {
            argc(1)?;
            let s = str_arg(name, &args[0])?;
            Ok(Value::Str(match name {
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
                return Ok(Value::List(s.chars().map(|c| Value::Str(c.to_string())).collect()));
            }
            Ok(Value::List(s.split(sep).map(|p| Value::Str(p.to_string())).collect()))
        }
        "replace" => {
            argc(3)?;
            let s = str_arg(name, &args[0])?;
            let from = str_arg(name, &args[1])?;
            let to = str_arg(name, &args[2])?;
            if from.is_empty() {
                return Err("`replace`: the text to replace is empty".into());
            }
            Ok(Value::Str(s.replace(from, to)))
        }
        "contains" => {
            argc(2)?;
            match &args[0] {
                Value::List(l) => Ok(Value::Bool(l.contains(&args[1]))),
                Value::Str(s) => Ok(Value::Bool(s.contains(str_arg(name, &args[1])?))),
                Value::Record(m) => Ok(Value::Bool(m.contains_key(str_arg(name, &args[1])?))),
                v => Err(format!("`contains` needs a list, string or map, found {}", v.type_name())),
            }
        }
        "keys" => {
            argc(1)?;
            let m = map_arg(name, &args[0])?;
            Ok(Value::List(m.keys().map(|k| Value::Str(k.clone())).collect()))
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
                _ => return Err(format!("`range` takes 1 or 2 arguments, got {}", args.len())),
            };
            if b.saturating_sub(a) > MAX_RANGE {
                return Err(format!("`range` would build more than {MAX_RANGE} elements"));
            }
            Ok(Value::List((a..b.max(a)).map(Value::Int).collect()))
        }
        "min" | "max" => {
            let items: &[Value] = if let [Value::List(l)] = args.as_slice() { l } else { &args };
            let mut best: Option<&Value> = None;
            for v in items {
                let x = v.as_f64().ok_or_else(|| format!("`{name}` needs numbers or quantities, found {}", v.type_name()))?;
                if let (Some(Value::Quantity(a)), Value::Quantity(b)) = (best, v) {
                    if a.dimension != b.dimension {
                        return Err(format!("`{name}`: cannot compare {} with {}", a.dimension.name(), b.dimension.name()));
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
                Ok(Value::Cidr(s.to_string()))
            } else {
                Err(format!("{s:?} is not a valid CIDR block"))
            }
        }
        "cidrsubnet" => {
            argc(3)?;
            let prefix = match &args[0] {
                Value::Cidr(s) | Value::Str(s) => s.clone(),
                v => return Err(format!("`cidrsubnet` needs a CIDR block, found {}", v.type_name())),
            };
            let newbits = int_arg(name, &args[1])?;
            let netnum = int_arg(name, &args[2])?;
            cidrsubnet(&prefix, newbits, netnum).map(Value::Cidr)
        }
        "format" => {
            let Some((fmt, rest)) = args.split_first() else { return Err("`format` needs a format string".into()) };
            let fmt = str_arg(name, fmt)?;
            let mut out = String::new();
            let mut it = rest.iter();
            let mut chars = fmt.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '%' {
                    match chars.next() {
                        Some('%') => out.push('%'),
                        Some('s') | Some('d') | Some('v') => {
                            let v = it.next().ok_or("`format`: more placeholders than arguments")?;
                            match v {
                                Value::Str(s) => out.push_str(s),
                                v => out.push_str(&v.to_string()),
                            }
                        }
                        other => return Err(format!("`format`: unknown placeholder %{}", other.map(String::from).unwrap_or_default())),
                    }
                } else {
                    out.push(c);
                }
            }
            if it.next().is_some() {
                return Err("`format`: more arguments than placeholders".into());
            }
            Ok(Value::Str(out))
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
    v.as_str().ok_or_else(|| format!("`{f}` needs a string, found {}", v.type_name()))
}
fn list_arg<'v>(f: &str, v: &'v Value) -> Result<&'v [Value], String> {
    v.as_list().ok_or_else(|| format!("`{f}` needs a list, found {}", v.type_name()))
}
fn map_arg<'v>(f: &str, v: &'v Value) -> Result<&'v BTreeMap<String, Value>, String> {
    v.as_record().ok_or_else(|| format!("`{f}` needs a map, found {}", v.type_name()))
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
        Value::List(_) | Value::Record(_) => return Err(format!("cannot put a {} into a string", v.type_name())),
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
        Value::Str(s)
    } else {
        Value::Interp(parts)
    }
}

fn cidrsubnet(prefix: &str, newbits: i64, netnum: i64) -> Result<String, String> {
    let (addr, len) = prefix.split_once('/').ok_or("not a CIDR block")?;
    let len: i64 = len.parse().map_err(|_| "not a CIDR block")?;
    let ip: std::net::Ipv4Addr = addr.parse().map_err(|_| "`cidrsubnet` supports IPv4 prefixes")?;
    let newlen = len + newbits;
    if !(0..=32).contains(&newlen) || newbits < 0 {
        return Err(format!("`cidrsubnet`: prefix /{len} plus {newbits} bits does not fit in 32 bits"));
    }
    if netnum < 0 || (newbits < 63 && netnum >= (1i64 << newbits)) {
        return Err(format!("`cidrsubnet`: network number {netnum} does not fit in {newbits} bits"));
    }
    let base = u32::from(ip) as u64 & if len == 0 { 0 } else { (u32::MAX as u64) << (32 - len) & u32::MAX as u64 };
    let shifted = (netnum as u64) << (32 - newlen);
    let net = (base | shifted) as u32;
    Ok(format!("{}/{}", std::net::Ipv4Addr::from(net), newlen))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrsubnet_matches_terraform() {
        assert_eq!(cidrsubnet("10.0.0.0/16", 8, 1).unwrap(), "10.0.1.0/24");
        assert_eq!(cidrsubnet("10.0.0.0/16", 4, 15).unwrap(), "10.0.240.0/20");
        assert!(cidrsubnet("10.0.0.0/16", 8, 256).is_err());
    }

    #[test]
    fn join_and_format() {
        let l = Value::list(vec![Value::Str("a".into()), Value::Int(2)]);
        assert_eq!(call("join", vec![Value::Str("-".into()), l]).unwrap(), Value::Str("a-2".into()));
        assert_eq!(call("format", vec![Value::Str("%s=%d".into()), Value::Str("x".into()), Value::Int(3)]).unwrap(), Value::Str("x=3".into()));
        assert!(call("range", vec![Value::Int(0), Value::Int(10_000_000)]).is_err());
    }
}
