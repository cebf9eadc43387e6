use super::prelude::*;
use strata_model::StrPart;

rule! {
    /// ## What it checks
    /// A placeholder left in a resource of a production environment (`prod`, `production`,
    /// `prd`, `live`, `prod-*`, `*-prod`): a host or address at one of the
    /// documentation domains (`example.com`, `example.org`, `example.net`), one of the
    /// placeholder AWS account ids (`111111111111`, `123456789012`, `000000000000`) or an
    /// all-zero tenant or subscription id (`00000000-0000-0000-0000-000000000000`). Every
    /// string of every resource is read, in each family.
    ///
    /// ## Why it matters
    /// The templates validate, and the deploy then fails (an account that is not yours, a
    /// tenant that does not exist) or, worse, succeeds: alarms go to a topic of another
    /// account, a certificate is requested for a domain nobody can validate.
    ///
    /// ## Example
    /// ```strata
    /// param env = "prod"
    /// resource oncall: tf.aws_sns_topic_subscription { topic_arn = "arn:aws:sns:us-east-1:210987654321:alerts", protocol = "email", endpoint = "oncall@example.com" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// param env = "prod"
    /// resource oncall: tf.aws_sns_topic_subscription { topic_arn = "arn:aws:sns:us-east-1:210987654321:alerts", protocol = "email", endpoint = "oncall@acme.io" }
    /// ```
    pub static RULE = {
        code: "DEP004",
        name: "placeholder-in-production",
        category: Deploy,
        severity: Warning,
        applies: Applies::All,
        check: Check::Resource(check),
    }
}

const DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];
const ACCOUNTS: &[&str] = &["111111111111", "123456789012", "000000000000"];
const ZERO_ID: &str = "00000000-0000-0000-0000-000000000000";

/// The placeholder in a string, if any.
fn placeholder(s: &str) -> Option<&'static str> {
    if s.contains(ZERO_ID) {
        return Some(ZERO_ID);
    }
    let bytes = s.as_bytes();
    let host_char = |c: u8| c.is_ascii_alphanumeric() || c == b'-';
    for d in DOMAINS {
        let mut from = 0;
        while let Some(i) = s[from..].find(d) {
            let at = from + i;
            let end = at + d.len();
            let before_ok = at == 0 || !host_char(bytes[at - 1]) || bytes[at - 1] == b'.';
            let after_ok = end == bytes.len() || !host_char(bytes[end]);
            if before_ok && after_ok {
                return Some(d);
            }
            from = end;
        }
    }
    for a in ACCOUNTS {
        let mut from = 0;
        while let Some(i) = s[from..].find(a) {
            let at = from + i;
            let end = at + a.len();
            let digit = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_digit);
            if (at == 0 || !digit(at - 1)) && !digit(end) {
                return Some(a);
            }
            from = end;
        }
    }
    None
}

/// The first placeholder in a value.
fn scan(v: &Value, depth: usize) -> Option<&'static str> {
    if depth > 32 {
        return None;
    }
    match v {
        Value::Str(s) => placeholder(s),
        Value::Interp(parts) => parts.iter().find_map(|p| match p {
            StrPart::Lit(s) => placeholder(s),
            _ => None,
        }),
        Value::List(_) => v
            .as_list()
            .unwrap_or(&[])
            .iter()
            .find_map(|x| scan(x, depth + 1)),
        Value::Record(_) => v.as_record()?.values().find_map(|x| scan(x, depth + 1)),
        _ => None,
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !cx.is_prod(r) {
        return;
    }
    for (k, v) in &r.props {
        if let Some(p) = scan(v, 0) {
            let what = match p {
                ZERO_ID => "an all-zero tenant or subscription id",
                p if p.starts_with(|c: char| c.is_ascii_digit()) => "a placeholder AWS account id",
                _ => "a documentation domain",
            };
            out.report(
                cx.span_of(r, k, &[k.as_str()]),
                format!("`{}` has {what} (`{p}`) in production", r.name),
            )
            .label("placeholder")
            .help(format!(
                "write the real value for production, e.g. a `param` or `env == \"prod\" ? <real> : \"{p}\"`"
            ));
            return;
        }
    }
}
