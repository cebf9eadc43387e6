//! Helpers shared by rules: reading properties, ports and CIDRs, path labels.

use crate::engine::{Cx, DiagExt};
use strata_base::Diagnostic;
use strata_graph::EdgeKind;
use strata_model::{Resource, ResourceId, Value};

/// A duration in seconds (quantities) or a plain number taken as `unit_seconds` units.
pub fn seconds(v: &Value, unit_seconds: f64) -> Option<f64> {
    match v {
        Value::Quantity(q) => q.seconds(),
        v => v.as_f64().map(|n| n * unit_seconds),
    }
}

/// A duration in seconds: a quantity, a number of `unit_seconds`, or a string of seconds
/// (`"86400s"`, as Google writes them) or of ISO 8601 days (`"P90D"`, as Azure writes them).
pub fn duration_secs(v: &Value, unit_seconds: f64) -> Option<f64> {
    if let Some(s) = v.as_str() {
        let s = s.trim();
        if let Some(n) = s.strip_suffix('s') {
            return n.parse::<f64>().ok();
        }
        if let Some(d) = s.strip_prefix('P').and_then(|x| x.strip_suffix('D')) {
            return d.parse::<f64>().ok().map(|d| d * 86400.0);
        }
        return None;
    }
    seconds(v, unit_seconds)
}

/// Secondary labels for each edge along a path (edges may point either way).
pub fn push_path_labels(cx: &Cx<'_>, d: &mut Diagnostic, path: &[ResourceId]) {
    let name = |id: ResourceId| cx.resource(id).map_or("?", |r| r.name.as_str());
    for w in path.windows(2) {
        if let Some((a, b, e)) = crate::reach::edge_between(cx.graph, cx.facts, w[0], w[1]) {
            let verb = if e.kind == EdgeKind::Reference {
                "references"
            } else {
                "depends on"
            };
            d.secondary(e.span, format!("`{}` {verb} `{}` here", name(a), name(b)));
        }
    }
}

/// Whether a CIDR (IPv4 or IPv6, in any spelling: `0.0.0.0/0`, `::/0`,
/// `0:0:0:0:0:0:0:0/0`, `000.000.000.000/00`, `::ffff:0.0.0.0/96`) or a provider's keyword
/// (`*`, `Internet`, `any`) is "anywhere".
pub fn is_anywhere(cidr: &str) -> bool {
    let c = cidr.trim();
    if ["*", "internet", "any", "0.0.0.0"]
        .iter()
        .any(|k| c.eq_ignore_ascii_case(k))
    {
        return true;
    }
    matches!(cidr_range(c), Some((v6, 0, last)) if last == family_max(v6))
}

/// Whether a set of ranges together is "anywhere": one of them is, or their union covers
/// every IPv4 or every IPv6 address (`["0.0.0.0/1", "128.0.0.0/1"]`).
pub fn set_is_anywhere(cidrs: &[&str]) -> bool {
    if cidrs.iter().any(|c| is_anywhere(c)) {
        return true;
    }
    let ranges: Vec<(bool, u128, u128)> = cidrs.iter().filter_map(|c| cidr_range(c)).collect();
    [false, true].iter().any(|&v6| {
        let mut rs: Vec<(u128, u128)> = ranges
            .iter()
            .filter(|r| r.0 == v6)
            .map(|r| (r.1, r.2))
            .collect();
        rs.sort_unstable();
        let mut next: u128 = 0;
        for (a, b) in rs {
            if a > next {
                return false;
            }
            if b == family_max(v6) {
                return true;
            }
            next = next.max(b + 1);
        }
        false
    })
}

fn family_max(v6: bool) -> u128 {
    if v6 {
        u128::MAX
    } else {
        u128::from(u32::MAX)
    }
}

/// A CIDR block or address, normalised to (IPv6?, first, last address). IPv4 octets may have
/// leading zeros; an IPv4-mapped IPv6 block (`::ffff:a.b.c.d/96+`) is read as IPv4; a bare
/// address is one host.
pub fn cidr_range(s: &str) -> Option<(bool, u128, u128)> {
    let s = s.trim();
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a.trim(), Some(l.trim().parse::<u32>().ok()?)),
        None => (s, None),
    };
    let v4 = |a: &str| -> Option<u32> {
        let parts: Vec<&str> = a.split('.').collect();
        if parts.len() != 4 {
            return None;
        }
        let mut n: u32 = 0;
        for p in parts {
            if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            n = (n << 8) | u32::from(p.parse::<u8>().ok()?);
        }
        Some(n)
    };
    let block = |v6: bool, base: u128, len: u32| -> Option<(bool, u128, u128)> {
        let bits = if v6 { 128 } else { 32 };
        if len > bits {
            return None;
        }
        let host = bits - len;
        let mask: u128 = if host >= 128 {
            u128::MAX
        } else {
            (1u128 << host) - 1
        };
        let first = base & !mask;
        Some((v6, first, (first | mask) & family_max(v6)))
    };
    if let Some(n) = v4(addr) {
        return block(false, u128::from(n), len.unwrap_or(32));
    }
    let a: std::net::Ipv6Addr = addr.parse().ok()?;
    let len = len.unwrap_or(128);
    if let Some(m) = a.to_ipv4_mapped() {
        if len >= 96 {
            return block(false, u128::from(u32::from(m)), len - 96);
        }
    }
    block(true, u128::from(a), len)
}

/// The CIDR strings in a value (a CIDR, a string, or a list of them).
pub fn cidrs(v: &Value) -> Vec<&str> {
    match v {
        Value::Cidr(s) | Value::Str(s) => vec![s.as_str()],
        Value::List(l) => l.iter().flat_map(cidrs).collect(),
        _ => Vec::new(),
    }
}

/// A port range from `from_port`/`to_port`, `port`, `ports` (numbers, "80", "8000-8100",
/// lists). `None` = all ports.
pub fn port_ranges(v: Option<&Value>) -> Option<Vec<(i64, i64)>> {
    let v = v?;
    let mut out = Vec::new();
    fn one(v: &Value, out: &mut Vec<(i64, i64)>) -> bool {
        match v {
            Value::Int(p) => {
                out.push((*p, *p));
                true
            }
            Value::Str(s) => {
                let s = s.trim();
                if s == "*"
                    || s == "-1"
                    || s.eq_ignore_ascii_case("all")
                    || s.eq_ignore_ascii_case("any")
                {
                    return false;
                }
                match s.split_once('-') {
                    Some((a, b)) => match (a.trim().parse(), b.trim().parse()) {
                        (Ok(a), Ok(b)) => {
                            out.push((a, b));
                            true
                        }
                        _ => true,
                    },
                    None => {
                        if let Ok(p) = s.parse() {
                            out.push((p, p));
                        }
                        true
                    }
                }
            }
            Value::List(l) => l.iter().all(|x| one(x, out)),
            Value::Record(m) => {
                let from = m
                    .get("from")
                    .or_else(|| m.get("from_port"))
                    .and_then(Value::as_i64);
                let to = m
                    .get("to")
                    .or_else(|| m.get("to_port"))
                    .and_then(Value::as_i64);
                match (from, to) {
                    (Some(a), Some(b)) => out.push((a, b)),
                    (Some(a), None) | (None, Some(a)) => out.push((a, a)),
                    _ => return false,
                }
                true
            }
            _ => true,
        }
    }
    if one(v, &mut out) {
        Some(out)
    } else {
        None
    }
}

/// Whether the ranges (`None` = all ports) include `port`.
pub fn covers(ranges: &Option<Vec<(i64, i64)>>, port: i64) -> bool {
    match ranges {
        None => true,
        Some(rs) => rs.iter().any(|&(a, b)| a == -1 || (a <= port && port <= b)),
    }
}

/// A resource name as it can be written in an identifier (for help text).
pub fn ident(name: &str) -> String {
    name.replace(['.', '[', ']', '"', '-', ' '], "_")
        .trim_matches('_')
        .to_string()
}

/// The top-level property of a dotted path (for spans).
pub fn top(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

/// The fields a container of `r` can have according to its schema (`containers: list<T>`),
/// `None` when the schema is unknown (anything may be written).
pub fn container_fields(cx: &Cx<'_>, r: &Resource) -> Option<std::collections::BTreeSet<String>> {
    use strata_model::Ty;
    let schema = cx.schema(r)?;
    let Some(f) = schema.fields.get("containers") else {
        // A single-container resource: its own fields.
        return Some(schema.fields.keys().cloned().collect());
    };
    match f.ty.resolved() {
        Ty::List(t) => match t.resolved() {
            Ty::Record(fields) => Some(fields.keys().cloned().collect()),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a variable or property name suggests a credential.
pub fn secret_name(name: &str) -> bool {
    // camelCase and PascalCase (generated types: `secretName`, `MasterUserPassword`) as
    // snake_case, so the same suffix rules apply.
    let mut n = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            n.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        n.push(c.to_ascii_lowercase());
    }
    if n.ends_with("_url") && !n.contains("password")
        || n.ends_with("_file")
        || n.ends_with("_path")
        || n.ends_with("_arn")
        || n.ends_with("_id") && !n.contains("secret")
        || n.ends_with("_name")
        || n.contains("public")
        || n.ends_with("_ref")
    {
        return false;
    }
    // The name of a Kubernetes TLS Secret (`tls_secret = "shop-tls"` on an ingress), not its key.
    if n == "tls_secret" || n.ends_with("_tls_secret") {
        return false;
    }
    [
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "private_key",
        "access_key",
        "credential",
        "auth_key",
        "signing_key",
        "client_secret",
        "db_pass",
    ]
    .iter()
    .any(|k| n.contains(k))
}

/// Whether a literal looks like a real credential (not a placeholder).
pub fn looks_secret(value: &str) -> bool {
    let v = value.trim();
    if v.len() < 6 {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    // An ARN or a URL names a resource; it is not a secret (a custom resource's ServiceToken).
    if lower.starts_with("arn:") || (lower.contains("://") && !lower.contains('@')) {
        return false;
    }
    let placeholder = [
        "changeme",
        "change-me",
        "example",
        "placeholder",
        "<",
        "${",
        "xxx",
        "todo",
        "redacted",
        "none",
        "dummy",
        "test",
    ];
    if placeholder.iter().any(|p| lower.starts_with(p))
        || v.chars().all(|c| c == '*' || c == 'x' || c == 'X')
    {
        return false;
    }
    true
}

/// Well-known credential formats found in any string: AWS access keys, private keys, GitHub,
/// Slack, Stripe and Google API tokens, passwords in URLs.
pub fn credential_pattern(s: &str) -> Option<&'static str> {
    let b = s.as_bytes();
    for (i, w) in b.windows(4).enumerate() {
        if (w == b"AKIA" || w == b"ASIA")
            && b.len() >= i + 20
            && b[i + 4..i + 20]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Some("an AWS access key id");
        }
    }
    if s.contains("-----BEGIN") && s.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    for (prefix, what) in [
        ("ghp_", "a GitHub token"),
        ("github_pat_", "a GitHub token"),
        ("xoxb-", "a Slack token"),
        ("xoxp-", "a Slack token"),
        ("sk_live_", "a Stripe secret key"),
        ("AIza", "a Google API key"),
        ("glpat-", "a GitLab token"),
        ("xoxa-", "a Slack token"),
        ("xapp-", "a Slack token"),
        ("rk_live_", "a Stripe restricted key"),
        ("sk-proj-", "an OpenAI API key"),
    ] {
        if let Some(p) = s.find(prefix) {
            let rest = &s[p + prefix.len()..];
            if rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .count()
                >= 16
            {
                return Some(what);
            }
        }
    }
    // `Password=...;` (ADO.NET, ODBC), `password=...` (libpq key/value, JDBC and URL query
    // parameters).
    let lower = s.to_ascii_lowercase();
    for key in ["password=", "pwd=", "passwd="] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(key) {
            let at = from + i;
            from = at + key.len();
            let before = lower[..at].chars().next_back();
            if before
                .is_some_and(|c| !matches!(c, ' ' | ';' | '&' | '?' | '\n' | '\t' | '"' | '\''))
            {
                continue;
            }
            let rest = &s[from..];
            let end = rest
                .find([';', '&', ' ', '"', '\'', '\n', '\t'])
                .unwrap_or(rest.len());
            let value = &rest[..end];
            if looks_secret(value) && !value.starts_with('$') && !value.starts_with('{') {
                return Some("a password in a connection string");
            }
        }
    }
    // npm's tokens: `npm_` and 36 letters and digits (no `_`, unlike `npm_config_*` names).
    if let Some(p) = s.find("npm_") {
        let rest = &s[p + 4..];
        if rest.chars().take_while(char::is_ascii_alphanumeric).count() >= 36 {
            return Some("an npm token");
        }
    }
    if let Some(p) = s.find("hooks.slack.com/services/") {
        let rest = &s[p + "hooks.slack.com/services/".len()..];
        if rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .count()
            >= 20
        {
            return Some("a Slack webhook URL");
        }
    }
    // scheme://user:password@host. The user information ends at the last `@` before the path:
    // a password written with `#` or `?` unescaped (as people write them) stays a password,
    // not a fragment or a query.
    if let Some(p) = s.find("://") {
        let rest = &s[p + 3..];
        let auth_end = rest
            .find(|c: char| c == '/' || c.is_whitespace())
            .unwrap_or(rest.len());
        if let Some(at) = rest[..auth_end].rfind('@') {
            if let Some((_, pass)) = rest[..at].split_once(':') {
                if looks_secret(pass) && !pass.starts_with('$') {
                    return Some("a password in a URL");
                }
            }
        }
    }
    None
}

/// The name of an image's tag problem: `latest`, or no tag and no digest.
pub fn mutable_tag(image: &str) -> Option<&'static str> {
    if image.contains("@sha256:") {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        None => Some("has no tag (means `latest`)"),
        Some((_, "latest")) => Some("uses the `latest` tag"),
        Some(_) => None,
    }
}

/// Whether an IAM-style action string grants everything (`*`) or a whole service (`s3:*`).
pub fn wildcard_action(a: &str) -> bool {
    a == "*" || a.ends_with(":*")
}

/// The string values of a list-or-string value.
pub fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::Str(s) => vec![s.as_str()],
        Value::List(l) => l.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A string as written, interpolated references shown as `${ref}` (`None` for other values).
pub fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.to_string()),
        Value::Interp(parts) => Some(
            parts
                .iter()
                .map(|p| match p {
                    strata_model::StrPart::Lit(s) => s.as_str(),
                    strata_model::StrPart::Ref(_) => "${ref}",
                })
                .collect(),
        ),
        _ => None,
    }
}

/// Where a bucket receives access logs: the first resource that names `r` as its log
/// destination, and how. `Sse` marks the deliveries AWS makes only to buckets encrypted with
/// S3-managed keys (SSE-S3): S3 server access logs (`logging` of `aws.s3.Bucket`,
/// `LoggingConfiguration`, `target_bucket` of `tf.aws_s3_bucket_logging`) and Elastic Load
/// Balancing access logs (`access_logs`). CloudFront's and Cloud Storage's logs and VPC flow
/// logs (`flow_logs` of `aws.ec2.Vpc`) accept other keys.
pub enum LogSink {
    /// Delivered only to SSE-S3 buckets.
    SseS3Only,
    Other,
}

pub fn log_sink(cx: &Cx<'_>, r: &Resource) -> Option<LogSink> {
    cx.graph.dependents(r.id).into_iter().find_map(|(from, e)| {
        let p = e.property.as_deref()?;
        let lower = p.to_ascii_lowercase();
        let ty = cx.resource(from).map_or("", |s| s.ty.as_str());
        let s3 = matches!(ty, "aws.s3.Bucket" | "cfn.AWS.S3.Bucket") && lower == "logging"
            || lower == "loggingconfiguration"
            || ty == "tf.aws_s3_bucket_logging" && p == "target_bucket";
        let elb = lower == "access_logs" || lower == "loadbalancerattributes";
        let elb = elb && (ty.contains("elb") || ty.contains("ElasticLoadBalancing"));
        if s3 || elb {
            Some(LogSink::SseS3Only)
        } else if lower.contains("logging")
            || p == "log_bucket"
            || lower == "access_logs"
            || ty == "aws.ec2.Vpc" && p == "flow_logs"
        {
            Some(LogSink::Other)
        } else {
            None
        }
    })
}
