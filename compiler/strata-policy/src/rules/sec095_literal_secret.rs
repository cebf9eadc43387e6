use super::prelude::*;
use strata_model::StrPart;

rule! {
    /// ## What it checks
    /// A credential written literally anywhere in a resource: a property or map key named like
    /// a credential (`password`, `secret`, `token`, `api_key`, `private_key`, ...) holding a
    /// literal string, or any string containing a well-known credential format (an AWS access
    /// key id, a PEM private key, GitHub/GitLab/Slack/Stripe/Google tokens, a password inside
    /// a URL such as `postgres://app:hunter22@db`).
    ///
    /// ## Why it matters
    /// Source files are copied everywhere — forks, CI logs, generated templates, laptops. A
    /// secret in them is leaked for good and must be rotated. Keep secrets in a secret manager
    /// and reference them, or let the cloud generate them. Checkov: `CKV_SECRET_*`,
    /// `CKV_AWS_41`, `CKV_AWS_46`.
    ///
    /// ## Example
    /// ```strata
    /// resource db: aws.rds.DBInstance { master_password = "S3cr3t-pa55" }
    /// ```
    ///
    /// ## Fix
    /// Let the service manage it, or reference a secret:
    /// ```strata
    /// resource db: aws.rds.DBInstance { manage_master_password = true }
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

/// Walk a value; report the first finding as (what, key).
fn scan(key: &str, v: &Value, depth: usize) -> Option<(String, String)> {
    if depth > 32 {
        return None;
    }
    match v {
        Value::Str(s) => {
            if let Some(what) = credential_pattern(s) {
                return Some((what.to_string(), key.to_string()));
            }
            if secret_name(key) && looks_secret(s) {
                return Some(("a literal credential".to_string(), key.to_string()));
            }
            None
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
            credential_pattern(&lit).map(|w| (w.to_string(), key.to_string()))
        }
        Value::List(l) => {
            // `[{ name = "API_TOKEN", value = "..." }]`
            for x in l {
                if let (Some(name), Some(val)) = (
                    x.get_path("name").and_then(Value::as_str),
                    x.get_path("value"),
                ) {
                    if let Some(f) = scan(name, val, depth + 1) {
                        return Some(f);
                    }
                }
                if let Some(f) = scan(key, x, depth + 1) {
                    return Some(f);
                }
            }
            None
        }
        Value::Record(m) => m.iter().find_map(|(k, x)| scan(k, x, depth + 1)),
        _ => None,
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for (k, v) in &r.props {
        // Only what was written: schema defaults are not the user's secrets.
        if !r.prop_spans.contains_key(k) {
            continue;
        }
        // Environment variables of workloads are reported by SEC086 with a better fix.
        if matches!(
            k.as_str(),
            "env" | "environment" | "env_vars" | "environment_variables" | "containers"
        ) && matches!(cx.kind(r), WORKLOAD | SERVICE | FUNCTION | VM)
        {
            continue;
        }
        if let Some((what, key)) = scan(k, v, 0) {
            out.at(r, k, format!("`{}` contains {what} in `{key}`", r.name))
                .label("secret in the source")
                .help(format!("remove the value from `{key}` and rotate it; keep it in a secret resource (`aws.secretsmanager.Secret`, `gcp.secretmanager.Secret`, a Kubernetes Secret) and reference that resource, or let the service manage it (`manage_master_password = true`, IAM authentication)"));
            break;
        }
    }
}
