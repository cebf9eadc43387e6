//! Helpers every family uses: documentation text, patterns, names.

/// The first sentences of a provider description, as plain text: Markdown links become their
/// text, whitespace is collapsed, and the text is cut at a sentence end near `max` characters.
pub fn doc_text(s: &str, max: usize) -> Option<String> {
    let mut plain = String::with_capacity(s.len().min(max * 2));
    let mut rest = s;
    // [text](url) → text
    while let Some(open) = rest.find('[') {
        plain.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find("](").and_then(|close| {
            after[close + 2..]
                .find(')')
                .map(|end| (close, close + 2 + end))
        }) {
            Some((close, end)) if !after[..close].contains('[') => {
                plain.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            _ => {
                plain.push('[');
                rest = after;
            }
        }
        if plain.len() > max * 4 {
            break;
        }
    }
    plain.push_str(rest);
    let plain = plain.replace("``", "`");
    let collapsed: String = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let collapsed = collapsed.trim();
    if collapsed.is_empty() {
        return None;
    }
    if collapsed.chars().count() <= max {
        return Some(collapsed.to_string());
    }
    // Cut at the last sentence end before `max`, else at a word boundary.
    let cut: String = collapsed.chars().take(max).collect();
    if let Some(i) = cut.rfind(". ").filter(|&i| i > max / 3) {
        return Some(cut[..=i].to_string());
    }
    let i = cut.rfind(' ').unwrap_or(cut.len());
    Some(format!("{}…", &cut[..i]))
}

/// A pattern the checker can run (regex-lite syntax), or `None` when it cannot be used as is
/// (look-around, Unicode classes, back-references): such a constraint is dropped, not guessed.
pub fn usable_pattern(p: &str) -> Option<String> {
    if p.is_empty() || p.len() > 2_000 {
        return None;
    }
    strata_model::pattern::validate(p)
        .ok()
        .map(|()| p.to_string())
}

/// Whether `s` can be written as a Strata identifier (else a field is written quoted).
#[allow(dead_code)]
pub fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_text_strips_links_and_cuts_at_sentences() {
        assert_eq!(
            doc_text("See [the guide](https://x.y/z) for  more.\n Second.", 200).as_deref(),
            Some("See the guide for more. Second.")
        );
        let long = "First sentence is here. ".repeat(20);
        let d = doc_text(&long, 60).unwrap_or_default();
        assert!(d.ends_with('.') && d.len() <= 60, "{d}");
        assert_eq!(doc_text("  ", 10), None);
    }

    #[test]
    fn unusable_patterns_are_dropped() {
        assert_eq!(usable_pattern("^[a-z]+$").as_deref(), Some("^[a-z]+$"));
        assert_eq!(usable_pattern("^(?!aws)[a-z]+$"), None);
    }
}

/// Whether a field name denotes a secret value (a password, a private key, a token), not an
/// identifier of one (`passwordSecretRef`, `secretName`, `tokenVersion`). Used where the source
/// has no `sensitive` flag (Google's discovery documents, the Kubernetes OpenAPI).
pub fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace(['_', '-'], "");
    let secretish = [
        "password",
        "passwd",
        "privatekey",
        "secretkey",
        "clientsecret",
        "apikey",
        "accesskey",
        "authtoken",
        "sharedsecret",
        "presharedkey",
    ]
    .iter()
    .any(|k| n.contains(k))
        || n == "secret"
        || n == "token";
    let identifier = [
        "name",
        "id",
        "ids",
        "ref",
        "version",
        "policy",
        "arn",
        "uri",
        "url",
        "path",
        "hash",
        "sha256",
        "length",
        "type",
        "enabled",
        "required",
        "set",
        "expiry",
        "expiration",
        "rotation",
    ]
    .iter()
    .any(|s| n.ends_with(s));
    secretish && !identifier
}

/// Mark the fields of `g` (top level and in named shapes) whose names denote secrets.
pub fn mark_secrets(g: &mut strata_stdlib::generated::GenType) {
    use strata_stdlib::generated::GenTy;
    fn walk(fields: &mut std::collections::BTreeMap<String, strata_stdlib::generated::GenField>) {
        for (k, f) in fields.iter_mut() {
            if secret_name(k) && matches!(f.ty, GenTy::Str { .. } | GenTy::Map(_)) {
                f.sensitive = true;
            }
            if let GenTy::Obj(inner) | GenTy::Block { body: inner, .. } = &mut f.ty {
                walk(inner);
            }
        }
    }
    walk(&mut g.props);
    for t in g.defs.values_mut() {
        if let GenTy::Obj(inner) = t {
            walk(inner);
        }
    }
}

#[cfg(test)]
mod secret_tests {
    use super::secret_name;

    #[test]
    fn secret_names_both_ways() {
        for yes in [
            "password",
            "rootPassword",
            "privateKey",
            "client_secret",
            "apiKey",
            "sharedSecret",
            "token",
        ] {
            assert!(secret_name(yes), "{yes}");
        }
        for no in [
            "passwordSecretRef",
            "secretName",
            "passwordPolicy",
            "tokenVersion",
            "privateKeyType",
            "apiKeyId",
            "passwordValidationPolicyEnabled",
        ] {
            assert!(!secret_name(no), "{no}");
        }
    }
}
