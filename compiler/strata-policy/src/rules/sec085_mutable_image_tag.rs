use super::pods;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A container image referenced by a mutable tag: `:latest` or no tag at all — the `image` of
    /// the stdlib's workloads, services and functions, and of Kubernetes pod specs (`kube.*`,
    /// `tf.kubernetes_*`), `Image` of ECS container definitions, `Code.ImageUri`/`image_uri` of
    /// Lambda functions, the containers of `tf.google_cloud_run_v2_service` and
    /// `tf.azurerm_container_app`.
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
        applies: Applies::Reads,
        reads: || pods::reads("SEC085", &[|v| v.image], &[]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for c in pods::containers(r) {
        let Some(image) = c.get(|v| v.image).and_then(Value::as_str) else {
            continue;
        };
        if let Some(problem) = mutable_tag(image) {
            let base = image.split('@').next().unwrap_or(image);
            let base = match base.rsplit_once(':') {
                Some((b, t)) if !t.contains('/') => b,
                _ => base,
            };
            let field =
                c.v.image
                    .and_then(|p| p.rsplit('.').next())
                    .unwrap_or("image");
            // A lowered resource without spans of its own: the portable resource's `image`.
            let span = c.span(cx, |v| v.image, &["image"]);
            out.report(span, format!("image `{image}` of {} {problem}", c.label()))
                .label("mutable image reference")
                .help(format!("pin a version or digest: `{field} = \"{base}:1.2.3\"` or `\"{base}@sha256:...\"`"));
        }
    }
}
