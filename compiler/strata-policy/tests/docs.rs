//! `docs/rules.md` and `docs/checkov-parity.md` are generated from the rule registry (and
//! `stdlib/policies/checkov.toml`); this test fails when they are out of date. Regenerate with
//! `STRATA_BLESS_DOCS=1 cargo test -p strata-policy --test docs`.

#[path = "support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use strata_policy::registry::{rules, Applies, Check, Rule, Status};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn applies(r: &Rule) -> String {
    match (r.check, r.applies) {
        (Check::Model(_), _) => "the whole model (graph)".into(),
        (Check::Builtin, _) => "the policy machinery".into(),
        (_, Applies::All) => "every resource".into(),
        (_, Applies::Reads) => {
            let mut types: Vec<&str> = (r.reads)().iter().map(|x| x.ty).collect();
            types.sort_unstable();
            types.dedup();
            types
                .iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
        (_, Applies::Types(t)) => t
            .iter()
            .map(|x| format!("`{x}`"))
            .collect::<Vec<_>>()
            .join(", "),
        (_, Applies::Kinds(k)) => format!(
            "kinds {}",
            k.iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn rules_md() -> String {
    let mut out = String::from(
        "# Policy rules\n\n\
<!-- Generated from compiler/strata-policy/src/rules by `STRATA_BLESS_DOCS=1 cargo test -p strata-policy --test docs`; do not edit. -->\n\n\
`strata check` runs these rules over the model after portable types are lowered, and over the\n\
dependency graph. Each rule has a code (never reused), a kebab-case name and a default level;\n\
`strata explain CODE` prints its documentation. Configure them in the `[rules]` table of\n\
`strata.toml` (see [strata-toml.md](strata-toml.md)) by code, name, category (`security`,\n\
`graph`, `cost`, `deploy`, `policy`) or `all`, with per-path overrides; silence one finding with\n\
`// strata-ignore CODE: reason` on the line above it (or on the line itself, or above the\n\
resource to cover all of its findings).\n\n\
<a id=\"suppressions\"></a>\n\n\
**Suppressions.** `// strata-ignore CODE, CODE: reason` names rule codes or names and needs a\n\
reason (`POL002`). One that suppresses nothing is reported (`POL001`, as ruff's `RUF100` and\n\
Rust's `#[expect]` do). A finding that occurs only in some environments or on some clouds —\n\
`deletion_protection = !prod`, a shared source compiled for AWS and GCP — takes a *scoped*\n\
suppression: `// strata-ignore[prod] SEC014: reason` applies only when checking `--env prod`,\n\
`// strata-ignore[aws] SEC053: reason` only to a project with an AWS stack or resource, and\n\
`[prod, staging]`, `[aws, gcp]` to any of them. Out of its scope a suppression is inert: it\n\
hides nothing and is never reported as unused — like `#[cfg_attr(..., allow(...))]` in Rust —\n\
while in scope it behaves as an unscoped one (including `POL001`). Scope items are the values\n\
of the `env` parameter and `aws`, `gcp`, `azure`, `k8s`; another word is `POL003`. Settings\n\
that differ per project or path belong in `strata.toml` (`[rules]`, `paths`).\n\n\
Findings point at the property to change, and the help line gives the Strata line to write.\n\
For a resource lowered from a portable type (`Postgres`, `ObjectStore`, ...), the finding points\n\
at the portable resource and says whether the portable type has the setting. A fault inside a\n\
list or map points at the element or entry: the third rule of an `ingress` list, the statement\n\
with `actions = [\"*\"]`, the `tags` entry holding a credential (SEC020–SEC022, SEC030, SEC031,\n\
SEC033, SEC034, SEC095). When the element is written outside the declaration (in a `let` the\n\
property names) the finding stays on the property, where suppressions apply, with a second label\n\
at the element. A finding on a resource a module creates carries a second label where the\n\
caller's code caused it: the call's argument that supplied the offending value (the element of\n\
the argument when the argument is a list or map literal), or the module instance itself when no\n\
argument did. The language server shows second labels as related information, `--format json`\n\
as `related`, SARIF as `relatedLocations`.\n\n\
<a id=\"user-policies\"></a>\n\n\
Policies written in the language (`policy \"...\" { deny path(A ~> B) }`) report with their own\n\
code; `internet ~> X` follows the traffic plumbing (load balancers, listeners, target groups,\n\
CDNs, gateways, Kubernetes services and ingresses) in both directions and stops at compute\n\
(services, functions, VMs, workloads), so `X` is flagged when it is public itself or exposed\n\
through plumbing alone. `A ~> X` for a resource or type `A` is any dependency path.\n\n\
`strata check --format sarif` writes SARIF 2.1.0 for GitHub code scanning: one rule per code\n\
that occurs (with this documentation as its help), paths relative to the directory `strata`\n\
ran in (`%SRCROOT%`; run it from the repository root), and a `primaryLocationLineHash` per\n\
finding that follows the text of its line, not its number. The output is validated against the\n\
official schema and code scanning's requirements by `compiler/strata-cli/tests/sarif.rs`.\n\n\
<a id=\"reads\"></a>\n\n\
Each rule reads the resource types and property paths it declares (\"applies to\" lists the\n\
types): the stdlib's curated types and, for the same fault, the types of the generated layer\n\
(`cfn.AWS.S3.Bucket`, `tf.aws_security_group`, `kube.apps.v1.Deployment`,\n\
`dm.compute.v1.firewall`, ...) under their own property names; it never guesses property\n\
names. A project's own schema with `@kind` is read like the stdlib type of that kind whose\n\
read properties it declares (a `@kind = \"bucket\"` schema with a `lifecycle` list gets COST006).\n\
The examples below are tested: each `Example` compiles and fires its rule, each `Fix` compiles\n\
clean (with the imports of every package and family, and an AWS stack for portable types).\n\n",
    );
    out.push_str(
        "| Code | Name | Category | Level | What it checks |\n| --- | --- | --- | --- | --- |\n",
    );
    for r in rules() {
        let level = if r.status == Status::Opt {
            format!("{} (off by default)", r.severity.as_str())
        } else {
            r.severity.as_str().to_string()
        };
        let _ = writeln!(
            out,
            "| [{}](#{}) | `{}` | {} | {} | {} |",
            r.code,
            r.code.to_ascii_lowercase(),
            r.name,
            r.category.as_str(),
            level,
            r.summary().replace('|', "\\|")
        );
    }
    for r in rules() {
        let _ = write!(
            out,
            "\n<a id=\"{}\"></a>\n\n## {} `{}`\n\n",
            r.code.to_ascii_lowercase(),
            r.code,
            r.name
        );
        let _ = writeln!(
            out,
            "Category: {} · default level: {} · applies to: {}\n",
            r.category.as_str(),
            r.severity.as_str(),
            applies(r)
        );
        for line in r.doc().lines() {
            let line = match line.strip_prefix("## ") {
                Some(h) => format!("### {h}"),
                None => line.to_string(),
            };
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct Parity {
    check: Vec<Entry>,
}

#[derive(serde::Deserialize)]
struct Entry {
    id: String,
    title: String,
    how: String,
    #[serde(rename = "where")]
    place: String,
}

/// Checkov ids cited in a rule's doc.
fn cited(doc: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in doc.match_indices("CKV") {
        let id: String = doc[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if id.contains('_') && id.chars().last().is_some_and(|c| c.is_ascii_digit()) {
            out.insert(id);
        }
    }
    // `CKV_AWS_53`–`CKV_AWS_56`: a range.
    if let Some(p) = doc.find("`CKV_AWS_53`–`CKV_AWS_56`") {
        let _ = p;
        for n in 53..=56 {
            out.insert(format!("CKV_AWS_{n}"));
        }
    }
    out
}

fn parity_md() -> String {
    let text = std::fs::read_to_string(root().join("stdlib/policies/checkov.toml"))
        .expect("stdlib/policies/checkov.toml");
    let parity: Parity = toml::from_str(&text).expect("valid checkov.toml");
    let mut by_check: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for r in rules() {
        for id in cited(r.doc()) {
            by_check.entry(id).or_default().push(r.code);
        }
    }
    let key = |id: &str| {
        // CKV_AWS_7 < CKV_AWS_16: framework, then number.
        let (prefix, num) = id.rsplit_once('_').unwrap_or((id, "0"));
        (prefix.to_string(), num.parse::<u32>().unwrap_or(0))
    };
    let mut out = String::from(
        "# Checkov parity\n\n\
<!-- Generated by `STRATA_BLESS_DOCS=1 cargo test -p strata-policy --test docs` from the rule docs and stdlib/policies/checkov.toml; do not edit. -->\n\n\
Strata aims to make a separate Checkov run before deploy unnecessary: a project that\n\
`strata check` calls clean should draw no high-severity Checkov finding on the templates\n\
`strata compile` writes. Each Checkov check below is settled in one of three ways:\n\n\
- **rule** — a Strata rule reports the problem in the source, at the property to change;\n\
- **lowering** — the emitted template always has the secure value;\n\
- **construction** — the stdlib schemas cannot express the insecure setting.\n\n\
Strata also checks what Checkov cannot see in one template: paths through the dependency graph\n\
(`GRAPH001` data stores reachable from the internet, `GRAPH002` production depending on\n\
non-production, `GRAPH003` data residency, `GRAPH004` public entry points without a WAF),\n\
budgets and cost (`COST…`), and policies written in the language.\n\n\
| Checkov check | Settled by | How |\n| --- | --- | --- |\n",
    );
    let mut rows: BTreeMap<String, (String, String)> = by_check
        .iter()
        .map(|(id, codes)| {
            (
                id.clone(),
                (
                    codes
                        .iter()
                        .map(|c| format!("[{c}](rules.md#{})", c.to_ascii_lowercase()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    "rule".to_string(),
                ),
            )
        })
        .collect();
    for e in &parity.check {
        assert!(
            e.how == "lowering" || e.how == "construction",
            "{}: how must be lowering or construction",
            e.id
        );
        // Both: a rule for schemas that can express it, and the stdlib settles it.
        let row = rows
            .entry(e.id.clone())
            .or_insert_with(|| (e.title.clone(), String::new()));
        if row.1.is_empty() {
            row.0 = format!("{} — {}", e.title, e.place);
            row.1 = e.how.clone();
        } else {
            row.0 = format!("{}; stdlib: {}", row.0, e.place);
            row.1 = format!("rule, {}", e.how);
        }
    }
    let mut rows: Vec<(String, String, String)> = rows
        .into_iter()
        .map(|(id, (by, how))| (id, by, how))
        .collect();
    rows.sort_by_key(|(id, _, _)| key(id));
    for (id, by, how) in rows {
        let _ = writeln!(out, "| `{id}` | {by} | {how} |");
    }
    let security = rules()
        .iter()
        .filter(|r| r.category == strata_policy::Category::Security)
        .count();
    let _ = write!(
        out,
        "\n{} Checkov checks are cited by the rules ({security} of them security rules); {} are (also) settled by the lowering or the schemas.\n",
        by_check.len(),
        parity.check.len()
    );
    out
}

fn compare(path: &str, generated: String) {
    let file = root().join(path);
    if std::env::var_os("STRATA_BLESS_DOCS").is_some() {
        std::fs::write(&file, &generated).expect("write docs");
        return;
    }
    let current = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        current == generated,
        "{path} is out of date: run `STRATA_BLESS_DOCS=1 cargo test -p strata-policy --test docs`"
    );
}

#[test]
fn rules_doc_is_current() {
    compare("docs/rules.md", rules_md());
}

#[test]
fn checkov_parity_doc_is_current() {
    compare("docs/checkov-parity.md", parity_md());
}

/// The `strata` code blocks of a section of a rule's doc (`## Example`, `## Fix`).
fn blocks(doc: &str, section: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut current: Option<String> = None;
    for line in doc.lines() {
        if line.starts_with("## ") {
            inside = line.trim() == section;
            continue;
        }
        if !inside {
            continue;
        }
        match (&mut current, line.trim()) {
            (None, "```strata") => current = Some(String::new()),
            (Some(_), "```") => out.extend(current.take()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    out
}

/// The portable types (imported by name into examples that use them).
const PORTABLE: &[&str] = &[
    "Cache",
    "Cdn",
    "Dns",
    "Function",
    "LoadBalancer",
    "Network",
    "ObjectStore",
    "Postgres",
    "Queue",
    "Registry",
    "Secret",
    "Service",
];

/// An example as a program: the imports it leaves out (every stdlib package and generated
/// family), and a stack for portable types when it declares none.
fn program(snippet: &str) -> String {
    let mut out = String::new();
    for pkg in ["aws", "gcp", "azure", "k8s", "cfn", "tf", "kube", "dm"] {
        if !snippet.contains(&format!("import {pkg}")) {
            out.push_str(&format!("import {pkg}\n"));
        }
    }
    let uses = |t: &str| {
        snippet.match_indices(t).any(|(i, _)| {
            let before = snippet[..i].chars().last();
            let after = snippet[i + t.len()..].chars().next();
            before.is_some_and(|c| c == ' ' || c == ':')
                && after.is_some_and(|c| c == ' ' || c == '{')
        })
    };
    let portable: Vec<&str> = PORTABLE.iter().copied().filter(|t| uses(t)).collect();
    if !portable.is_empty() && !snippet.contains("import portable") {
        out.push_str(&format!("import portable.{{{}}}\n", portable.join(", ")));
        if !snippet.contains("stack ") {
            out.push_str("stack main { provider = aws { region = \"eu-west-1\" } }\n");
        }
    }
    out.push_str(snippet);
    out
}

/// Every rule's `## Example` compiles and fires the rule; its `## Fix` compiles clean.
#[test]
fn rule_examples_fire_and_fixes_are_clean() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for r in rules()
        .iter()
        .filter(|r| !matches!(r.check, Check::Builtin))
    {
        let doc = r.doc();
        let examples = blocks(doc, "## Example");
        let fixes = blocks(doc, "## Fix");
        if examples.is_empty() || fixes.is_empty() {
            problems.push(format!(
                "{}: needs a `strata` block under Example and Fix",
                r.code
            ));
        }
        for (kind, list, fires) in [("example", &examples, true), ("fix", &fixes, false)] {
            for (i, b) in list.iter().enumerate() {
                let name = format!("{}-{kind}{i}.strata", r.code);
                let c = support::check_source(r.code, &name, &program(b));
                checked += 1;
                problems.extend(c.errors.iter().map(|e| format!("{}: {e}", r.code)));
                let fired = c.findings.iter().any(|d| d.code == r.code);
                if fired != fires && c.errors.is_empty() {
                    problems.push(format!(
                        "{}: the {kind} {}:\n{}",
                        r.code,
                        if fires {
                            "does not fire"
                        } else {
                            "still fires"
                        },
                        c.rendered
                    ));
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} examples");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
