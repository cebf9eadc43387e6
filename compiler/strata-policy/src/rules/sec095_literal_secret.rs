use super::pods;
use super::prelude::*;
use strata_model::StrPart;
use strata_stdlib::generated::{GenField, GenTy, GenType};

rule! {
    /// ## What it checks
    /// A credential written literally anywhere in a resource: a property or map key named like
    /// a credential (`password`, `secret`, `token`, `api_key`, `private_key`, ...) holding a
    /// literal string, or any string containing a well-known credential format (an AWS access
    /// key id, a PEM private key, GitHub/GitLab/Slack/Stripe/Google tokens, a password inside
    /// a URL such as `postgres://app:hunter22@db`). In a type of the generated layer, any field
    /// the provider's schema marks sensitive (`MasterUserPassword`, `password`, a Kubernetes
    /// Secret's `data`) holding a literal value; its property names are not guessed at.
    ///
    /// ## Why it matters
    /// Source files are copied everywhere — forks, CI logs, generated templates, laptops. A
    /// secret in them is leaked for good and must be rotated. Keep secrets in a secret manager
    /// and reference them, or let the cloud generate them. Checkov: `CKV_SECRET_*`,
    /// `CKV_AWS_41`, `CKV_AWS_46`.
    ///
    /// ## Example
    /// ```strata
    /// resource db: cfn.AWS.RDS.DBInstance { DBInstanceClass = "db.t4g.medium", Engine = "postgres", MasterUsername = "app", MasterUserPassword = "S3cr3t-pa55" }
    /// ```
    ///
    /// ## Fix
    /// Let the service manage it, or reference a secret:
    /// ```strata
    /// resource db: cfn.AWS.RDS.DBInstance { DBInstanceClass = "db.t4g.medium", Engine = "postgres", MasterUsername = "app", ManageMasterUserPassword = true }
    /// ```
    pub static RULE = {
        code: "SEC095",
        name: "literal-secret",
        category: Security,
        severity: Error,
        applies: Applies::All,
        check: Check::Resource(check),
    }
}

/// Walk a value, at any depth (an explicit work list, not recursion); report the first
/// finding as (what, key). `names`: also a literal under a key named like a credential
/// (curated types; the generated layer marks its secret fields instead), including the literal
/// parts of an interpolation (`"${user}:hunter22"`). Map keys are scanned for credential
/// formats too. Values in `skip` (environments SEC086 reports) are not walked.
pub(crate) fn scan(
    key: &str,
    v: &Value,
    names: bool,
    skip: &[*const Value],
) -> Option<(String, String)> {
    let mut found = None;
    walk(key, v, names, skip, &mut |what, key, _| {
        found = Some((what, key.to_string()));
        false
    });
    found
}

/// Every finding of [`scan`], each with the path of the value found (`env.API_KEY`,
/// `containers[0].env[2].value`; see `strata_model::sites`) as the third part, in the order of
/// the source; a value is reported once, however it is reached.
pub(crate) fn scan_all(
    key: &str,
    v: &Value,
    names: bool,
    skip: &[*const Value],
) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    walk(key, v, names, skip, &mut |what, key, path| {
        found.push((what, key.to_string(), path));
        true
    });
    found
}

/// The walk behind [`scan`] and [`scan_all`]: `found(what, key, path)` for each finding, until it
/// returns false.
fn walk<'v>(
    key: &'v str,
    v: &'v Value,
    names: bool,
    skip: &[*const Value],
    found: &mut dyn FnMut(String, &str, String) -> bool,
) {
    use strata_model::sites::{index, key as entry};
    let mut work: Vec<(&str, &Value, String)> = vec![(key, v, key.to_string())];
    // A set, not a list: a value of 100,000 entries is walked in linear time.
    let mut seen: std::collections::HashSet<*const Value> = std::collections::HashSet::new();
    while let Some((key, v, path)) = work.pop() {
        let ptr = v as *const Value;
        if skip.contains(&ptr) || !seen.insert(ptr) {
            continue;
        }
        let hit = |what: String, found: &mut dyn FnMut(String, &str, String) -> bool| {
            found(what, key, path.clone())
        };
        match v {
            Value::Str(s) => {
                if let Some(what) = credential_pattern(s) {
                    if !hit(what.to_string(), found) {
                        return;
                    }
                } else if names
                    && secret_name(key)
                    && looks_secret(s)
                    && !hit("a literal credential".to_string(), found)
                {
                    return;
                }
            }
            Value::Interp(parts) => {
                let lit: String = parts
                    .iter()
                    .map(|p| {
                        if let StrPart::Lit(s) = p {
                            s.as_str()
                        } else {
                            "${ref}"
                        }
                    })
                    .collect();
                if let Some(what) = credential_pattern(&lit) {
                    if !hit(what.to_string(), found) {
                        return;
                    }
                    continue;
                }
                let literal_part = parts.iter().any(|p| {
                    matches!(p, StrPart::Lit(s) if looks_secret(s.as_str())
                        && s.as_str().chars().any(|c| c.is_ascii_alphanumeric()))
                });
                if names
                    && secret_name(key)
                    && literal_part
                    && !hit("a literal credential".to_string(), found)
                {
                    return;
                }
            }
            Value::List(_) => {
                // `[{ name = "API_TOKEN", value = "..." }]`; pushed in reverse so that the
                // first element is looked at first.
                for (i, x) in v.as_list().unwrap_or(&[]).iter().enumerate().rev() {
                    let at = index(&path, i);
                    if let (Some(name), Some(val)) = (
                        x.get_path("name").and_then(Value::as_str),
                        x.get_path("value"),
                    ) {
                        work.push((key, x, at.clone()));
                        work.push((name, val, entry(&at, "value")));
                    } else {
                        work.push((key, x, at));
                    }
                }
            }
            Value::Record(_) => {
                let Some(m) = v.as_record() else { continue };
                for k in m.keys() {
                    if let Some(what) = credential_pattern(k) {
                        if !found(format!("{what} as a key"), key, entry(&path, k)) {
                            return;
                        }
                    }
                }
                for (k, x) in m.iter().rev() {
                    work.push((k.as_str(), x, entry(&path, k)));
                }
            }
            _ => {}
        }
    }
}

/// A literal string (or strings) written where a secret goes.
fn literal(v: &Value) -> bool {
    if let Some(s) = v.as_str() {
        return !s.trim().is_empty();
    }
    v.as_list().is_some_and(|l| l.iter().any(literal))
        || v.as_record().is_some_and(|m| m.values().any(literal))
}

/// A path as messages show it: list indices left out (`Users[0].Password` → `Users[].Password`).
fn shown(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push(c);
            }
            ']' => {
                in_index = false;
                out.push(c);
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// The path of the first field the generated layer marks `sensitive` that holds a literal
/// (with list indices, as `Cx::span_at` takes it).
fn sensitive(g: &GenType, f: &GenField, v: &Value, path: String, depth: usize) -> Option<String> {
    if depth > 128 {
        return None;
    }
    if f.sensitive && literal(v) {
        return Some(path);
    }
    sensitive_in(g, &f.ty, v, path, depth + 1)
}

fn sensitive_in(g: &GenType, t: &GenTy, v: &Value, path: String, depth: usize) -> Option<String> {
    if depth > 128 {
        return None;
    }
    let fields = |body: &std::collections::BTreeMap<String, GenField>, v: &Value, path: &str| {
        let m = v.as_record()?;
        body.iter().find_map(|(k, f)| {
            m.get(k)
                .and_then(|x| sensitive(g, f, x, format!("{path}.{k}"), depth + 1))
        })
    };
    match t {
        GenTy::Obj(body) | GenTy::Block { list: false, body } => fields(body, v, &path),
        GenTy::Block { list: true, body } => v
            .as_list()?
            .iter()
            .enumerate()
            .find_map(|(i, x)| fields(body, x, &strata_model::sites::index(&path, i))),
        GenTy::List(inner) => v.as_list()?.iter().enumerate().find_map(|(i, x)| {
            sensitive_in(g, inner, x, strata_model::sites::index(&path, i), depth + 1)
        }),
        GenTy::Map(inner) => v
            .as_record()?
            .iter()
            .find_map(|(k, x)| sensitive_in(g, inner, x, format!("{path}.{k}"), depth + 1)),
        GenTy::Def(name) => sensitive_in(g, g.defs.get(name)?, v, path, depth + 1),
        GenTy::Union(ts) => ts
            .iter()
            .find_map(|t| sensitive_in(g, t, v, path.clone(), depth + 1)),
        _ => None,
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    // Environments are SEC086's, with a better fix.
    let skip: Vec<*const Value> = pods::containers(r)
        .iter()
        .filter_map(|c| c.get(pods::env_field))
        .map(|v| v as *const Value)
        .collect();
    // Every value of a curated Kubernetes Secret is a secret, whatever its key is called.
    if r.ty == "k8s.Secret" && r.prop_spans.contains_key("string_data") {
        if let Some((key, _)) = r
            .props
            .get("string_data")
            .and_then(Value::as_record)
            .and_then(|m| m.iter().find(|(_, v)| literal(v)))
        {
            let at = cx.span_at(r, &strata_model::sites::key("string_data", key), &[]);
            out.report(at, format!("`{}` has a literal value for the key `{key}` of the Secret", r.name))
                .label("secret in the source")
                .help("create the Secret's keys outside the source (an operator such as External Secrets, or `kubectl create secret`) and leave `string_data` empty, or reference a secret manager's secret");
            return;
        }
    }
    let generated = strata_stdlib::generated::family_of(&r.ty)
        .and_then(|_| strata_stdlib::generated::get(&r.ty));
    for (k, v) in &r.props {
        // Only what was written: schema defaults are not the user's secrets.
        if !r.prop_spans.contains_key(k) {
            continue;
        }
        if let Some(field) = generated
            .as_ref()
            .and_then(|g| sensitive(g, g.props.get(k)?, v, k.clone(), 0))
        {
            let at = cx.span_at(r, &field, &[]);
            let field = shown(&field);
            out.report(at, format!("`{}` has a literal value in the sensitive field `{field}`", r.name))
                .label("secret in the source")
                .help(format!("the provider marks `{field}` sensitive: reference a secret resource or a parameter kept out of the source, or let the service manage it (`ManageMasterUserPassword`, `manage_master_user_password`), and rotate the value"));
            continue;
        }
        // Every credential of the property: each is a value to take out and rotate.
        for (what, key, path) in scan_all(k, v, generated.is_none(), &skip) {
            out.report(cx.span_at(r, &path, &[]), format!("`{}` contains {what} in `{key}`", r.name))
                .label("secret in the source")
                .help(format!("remove the value from `{key}` and rotate it; keep it in a secret resource (`aws.secretsmanager.Secret`, `gcp.secretmanager.Secret`, a Kubernetes Secret) and reference that resource, or let the service manage it (`manage_master_password = true`, IAM authentication)"));
        }
    }
}
