//! Rule configuration: the `[rules]` table of `strata.toml`.
//!
//! ```toml
//! [rules]
//! SEC001 = "off"                                  # by code: disable
//! bucket-versioning = "error"                     # by name: change the severity
//! orphan-resource = "info"                        # enable an opt-in rule
//! admin-port-open = { level = "error", paths = { "sandbox/**" = "warning", "legacy/*.strata" = "off" } }
//! db-instance-oversized-in-dev = { max_vcpus = 4 }  # options of a rule
//! ```
//!
//! A key is a rule code, a rule name, or a category (`security`, `graph`, `cost`, `policy`,
//! `deploy`, or `all`): a rule takes the most specific entry (code or name, then category, then `all`).
//! `paths` maps globs over project-relative file names (`*` within a path segment, `**` across
//! segments, `?` one character) to a level for findings in matching files; the longest
//! matching glob wins.

use crate::registry::{find, rules, Category, Rule, Status};
use std::collections::BTreeMap;
use strata_base::{did_you_mean, Diagnostic, FileId, Severity, Span};
use strata_model::Value;

/// How loud a rule is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "off" | "none" | "disable" | "disabled" => Some(Level::Off),
            "on" | "enable" | "enabled" => None,
            s => Severity::parse(s).map(Level::On),
        }
    }
}

/// One `[rules]` entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleConfig {
    /// `None`: keep the default level (an entry may only set options).
    pub level: Option<Level>,
    /// `(glob, level)` per-path overrides.
    pub paths: Vec<(String, Level)>,
    /// Every other key, for rules that take options.
    pub options: BTreeMap<String, Value>,
    /// Where the entry is written (for diagnostics about it).
    pub span: Option<Span>,
    /// `enabled = true` without a level: turn an opt-in rule on at its default severity.
    pub enabled: Option<bool>,
}

/// Rule settings of a project. The default enables every stable rule at its default severity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyConfig {
    /// Entries by key (code, name, category or `all`).
    pub rules: BTreeMap<String, RuleConfig>,
    /// Usage assumptions for the budget rule (`COST001`): set them to what `strata cost` uses
    /// (`[cost]` of `strata.toml`) so the budget check and the estimate agree.
    pub usage: crate::cost::UsageAssumptions,
}

/// The settings that apply to one rule, resolved from the entries.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved<'c> {
    /// `None`: the rule does not run.
    pub severity: Option<Severity>,
    pub paths: Vec<(&'c str, Level)>,
    pub options: &'c BTreeMap<String, Value>,
}

static NO_OPTIONS: BTreeMap<String, Value> = BTreeMap::new();

impl PolicyConfig {
    pub fn new() -> PolicyConfig {
        PolicyConfig::default()
    }

    /// Set a key's level (builder style, for callers and tests).
    pub fn with_level(mut self, key: &str, level: Level) -> PolicyConfig {
        self.rules.entry(key.to_string()).or_default().level = Some(level);
        self
    }

    /// Add a per-path override for a key.
    pub fn with_path(mut self, key: &str, glob: &str, level: Level) -> PolicyConfig {
        self.rules
            .entry(key.to_string())
            .or_default()
            .paths
            .push((glob.to_string(), level));
        self
    }

    /// Set an option of a rule.
    pub fn with_option(mut self, key: &str, option: &str, value: Value) -> PolicyConfig {
        self.rules
            .entry(key.to_string())
            .or_default()
            .options
            .insert(option.to_string(), value);
        self
    }

    /// Entries that apply to `rule`, most specific first.
    fn entries<'c>(&'c self, rule: &Rule) -> impl Iterator<Item = &'c RuleConfig> + 'c {
        let keys = [rule.code, rule.name, rule.category.as_str(), "all"];
        keys.into_iter().filter_map(move |k| self.rules.get(k))
    }

    /// The effective settings of a rule.
    pub fn resolve(&self, rule: &Rule) -> Resolved<'_> {
        let default = match rule.status {
            Status::Stable => Some(rule.severity),
            Status::Opt | Status::Removed => None,
        };
        let mut severity = default;
        // The most specific entry that says anything about the level decides.
        for e in self.entries(rule) {
            if let Some(level) = e.level {
                severity = match level {
                    Level::Off => None,
                    Level::On(s) => Some(s),
                };
                break;
            }
            if let Some(on) = e.enabled {
                severity = if on { Some(rule.severity) } else { None };
                break;
            }
        }
        if rule.status == Status::Removed {
            severity = None;
        }
        let mut paths: Vec<(&str, Level)> = Vec::new();
        for e in self.entries(rule) {
            paths.extend(e.paths.iter().map(|(g, l)| (g.as_str(), *l)));
        }
        let options = self
            .entries(rule)
            .find(|e| !e.options.is_empty())
            .map(|e| &e.options)
            .unwrap_or(&NO_OPTIONS);
        Resolved {
            severity,
            paths,
            options,
        }
    }

    /// The level for a finding of `rule` in the file named `file`, after per-path overrides:
    /// the most specific entry (code or name, then category, then `all`) with a glob matching
    /// the file decides, by its longest matching glob; otherwise the rule's resolved level.
    pub fn level_in_file(&self, rule: &Rule, file: &str) -> Option<Severity> {
        for e in self.entries(rule) {
            if let Some((_, level)) = e
                .paths
                .iter()
                .filter(|(g, _)| glob_match(g, file))
                .max_by_key(|(g, _)| g.len())
            {
                return match level {
                    Level::Off => None,
                    Level::On(s) => Some(*s),
                };
            }
        }
        self.resolve(rule).severity
    }

    /// Whether any per-path override exists (so callers can skip the file lookup).
    pub fn has_path_overrides(&self) -> bool {
        self.rules.values().any(|r| !r.paths.is_empty())
    }

    /// Parse the `[rules]` table of a `strata.toml` (the whole file's text; other tables are
    /// ignored). Errors (`POL010`) and unknown keys (`POL011`) are reported with spans in `file`.
    pub fn parse(file: FileId, text: &str) -> (PolicyConfig, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut config = PolicyConfig::default();
        // Other tables of strata.toml are ignored (serde skips unknown fields); key and value
        // spans come from `toml::Spanned`.
        #[derive(serde::Deserialize)]
        struct RulesOnly {
            #[serde(default)]
            rules: BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>,
        }
        let spanned: RulesOnly = match toml::from_str(text) {
            Ok(d) => d,
            Err(e) => {
                let r = e.span().unwrap_or(0..0);
                diags.push(
                    Diagnostic::error("POL010", format!("invalid strata.toml: {}", e.message().trim()), Span::new(file, r.start, r.end))
                        .with_help("`[rules]` maps rule codes or names to a level (\"off\", \"info\", \"warning\", \"error\") or a table"),
                );
                return (config, diags);
            }
        };
        for (key, value) in spanned.rules {
            let key_span = Span::new(file, key.span().start, key.span().end);
            let vspan = Span::new(file, value.span().start, value.span().end);
            let key = key.into_inner();
            if !is_known_key(&key) {
                let all: Vec<&str> = rules()
                    .iter()
                    .flat_map(|r| [r.code, r.name])
                    .chain(["security", "graph", "cost", "policy", "deploy", "all"])
                    .collect();
                let mut d = Diagnostic::warning(
                    "POL011",
                    format!("`[rules]` configures an unknown rule `{key}`"),
                    key_span,
                )
                .with_label("no rule has this code or name");
                d = match did_you_mean(&key, all.iter().copied()) {
                    Some(s) => d
                        .with_help(format!(
                            "did you mean `{s}`? `strata explain` lists every rule"
                        ))
                        .with_fix(strata_base::Fix::rename(key_span, &key, s)),
                    None => d.with_help("`strata explain` lists every rule code and name"),
                };
                diags.push(d);
            }
            let mut rc = RuleConfig {
                span: Some(key_span.to(vspan)),
                ..RuleConfig::default()
            };
            match value.into_inner() {
                toml::Value::String(s) => match s.as_str() {
                    "on" | "enable" | "enabled" => rc.enabled = Some(true),
                    _ => match Level::parse(&s) {
                        Some(l) => rc.level = Some(l),
                        None => diags.push(bad_level(&key, &s, vspan)),
                    },
                },
                toml::Value::Boolean(b) => rc.enabled = Some(b),
                toml::Value::Table(t) => {
                    for (k, v) in t {
                        match (k.as_str(), v) {
                            ("level" | "severity", toml::Value::String(s)) => match Level::parse(&s) {
                                Some(l) => rc.level = Some(l),
                                None if s == "on" => rc.enabled = Some(true),
                                None => diags.push(bad_level(&key, &s, vspan)),
                            },
                            ("enabled", toml::Value::Boolean(b)) => rc.enabled = Some(b),
                            ("paths", toml::Value::Table(p)) => {
                                for (glob, l) in p {
                                    match l.as_str().and_then(Level::parse) {
                                        Some(level) => rc.paths.push((glob, level)),
                                        None => diags.push(bad_level(&key, &l.to_string(), vspan)),
                                    }
                                }
                            }
                            ("paths", _) => diags.push(
                                Diagnostic::error("POL010", format!("`paths` of rule `{key}` must be a table of glob = level"), vspan)
                                    .with_help("write `paths = { \"legacy/**\" = \"off\" }`"),
                            ),
                            (k, v) => {
                                rc.options.insert(k.to_string(), toml_value(v));
                            }
                        }
                    }
                }
                other => diags.push(
                    Diagnostic::error("POL010", format!("invalid setting for rule `{key}`: expected a level or a table, found {}", other.type_str()), vspan)
                        .with_help("write `RULE = \"warning\"`, `RULE = \"off\"` or `RULE = { level = \"error\", paths = { ... } }`"),
                ),
            }
            config.rules.insert(key, rc);
        }
        (config, diags)
    }
}

fn bad_level(key: &str, s: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "POL010",
        format!("invalid level `{s}` for rule `{key}`"),
        span,
    )
    .with_label("not a level")
    .with_help(
        "a level is one of \"off\", \"info\", \"warning\", \"error\" (or \"on\" for the default)",
    )
}

fn is_known_key(key: &str) -> bool {
    matches!(
        key,
        "security" | "graph" | "cost" | "policy" | "deploy" | "all"
    ) || find(key).is_some()
}

/// Category names usable as `[rules]` keys.
pub fn category_key(c: Category) -> &'static str {
    c.as_str()
}

fn toml_value(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::str(s),
        toml::Value::Integer(i) => Value::Int(i),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::str(d.to_string()),
        toml::Value::Array(a) => Value::List(a.into_iter().map(toml_value).collect()),
        toml::Value::Table(t) => {
            Value::Record(t.into_iter().map(|(k, v)| (k, toml_value(v))).collect())
        }
    }
}

/// Match a glob against a `/`-separated path: `*` (any run of characters but `/`), `**` (any run
/// including `/`; `**/` also matches nothing), `?` (one character but `/`). Linear-time
/// backtracking over bytes; both inputs are short.
pub fn glob_match(glob: &str, path: &str) -> bool {
    let g: Vec<char> = glob.chars().collect();
    let p: Vec<char> = path.chars().collect();
    fn go(
        g: &[char],
        p: &[char],
        memo: &mut BTreeMap<(usize, usize), bool>,
        gi: usize,
        pi: usize,
    ) -> bool {
        if let Some(&m) = memo.get(&(gi, pi)) {
            return m;
        }
        let r = if gi == g.len() {
            pi == p.len()
        } else if g[gi] == '*' && g.get(gi + 1) == Some(&'*') {
            // `**`, optionally followed by `/`.
            let rest = if g.get(gi + 2) == Some(&'/') {
                gi + 3
            } else {
                gi + 2
            };
            (pi..=p.len()).any(|k| go(g, p, memo, rest, k))
                || (rest != gi + 2 && go(g, p, memo, gi + 2, pi))
        } else if g[gi] == '*' {
            let mut k = pi;
            loop {
                if go(g, p, memo, gi + 1, k) {
                    break true;
                }
                if k == p.len() || p[k] == '/' {
                    break false;
                }
                k += 1;
            }
        } else if pi < p.len() && (g[gi] == p[pi] && g[gi] != '?' || g[gi] == '?' && p[pi] != '/') {
            go(g, p, memo, gi + 1, pi + 1)
        } else {
            false
        };
        memo.insert((gi, pi), r);
        r
    }
    go(&g, &p, &mut BTreeMap::new(), 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("legacy/**", "legacy/a.strata"));
        assert!(glob_match("legacy/**", "legacy/x/y/a.strata"));
        assert!(glob_match("**/*.strata", "a.strata"));
        assert!(glob_match("**/*.strata", "x/y/a.strata"));
        assert!(glob_match("*.strata", "main.strata"));
        assert!(!glob_match("*.strata", "x/main.strata"));
        assert!(glob_match("mod?/a.strata", "mod1/a.strata"));
        assert!(!glob_match("mod?/a.strata", "mod12/a.strata"));
        assert!(glob_match("sandbox/**/db.strata", "sandbox/db.strata"));
        assert!(glob_match("sandbox/**/db.strata", "sandbox/a/b/db.strata"));
        assert!(!glob_match("sandbox/**/db.strata", "prod/db.strata"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
    }
}
