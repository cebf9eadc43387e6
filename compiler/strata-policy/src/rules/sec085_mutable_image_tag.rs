use super::prelude::*;

rule! {
    /// ## What it checks
    /// A container image referenced by the `latest` tag or without any tag (which means
    /// `latest`), in Kubernetes workloads, ECS task definitions, Cloud Run services and
    /// portable services. Images pinned by digest (`@sha256:...`) are fine.
    ///
    /// ## Why it matters
    /// `latest` changes under you: two replicas of one deployment can run different code, a
    /// rollback does not roll back, and a compromised registry push is deployed at the next
    /// restart. Checkov: `CKV_K8S_14`, `CKV_K8S_43`.
    ///
    /// ## Example
    /// ```strata
    /// resource api: Service { image = "ghcr.io/acme/api:latest" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource api: Service { image = "ghcr.io/acme/api:1.4.2" }
    /// ```
    pub static RULE = {
        code: "SEC085",
        name: "mutable-image-tag",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[WORKLOAD, SERVICE, FUNCTION]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for c in containers(r) {
        let Some(image) = c.get("image").and_then(Value::as_str) else {
            continue;
        };
        if let Some(problem) = mutable_tag(image) {
            let base = image.split('@').next().unwrap_or(image);
            let base = match base.rsplit_once(':') {
                Some((b, t)) if !t.contains('/') => b,
                _ => base,
            };
            let span = if r.prop_spans.contains_key(c.prop) {
                c.span("image")
            } else {
                cx.span_of(r, "image", &["image"])
            };
            out.report(span, format!("image `{image}` of {} {problem}", c.label()))
                .label("mutable image reference")
                .help(format!("pin a version or digest: `image = \"{base}:1.2.3\"` or `\"{base}@sha256:...\"`"));
        }
    }
}
