use super::prelude::*;
use std::collections::BTreeSet;

rule! {
    /// ## What it checks
    /// A Kubernetes namespace (declared as a `k8s.Namespace`, `kube.core.v1.Namespace` or
    /// `tf.kubernetes_namespace`, or used by a workload) that no network policy applies to
    /// (`k8s.NetworkPolicy`, `kube.networking.v1.NetworkPolicy`, `tf.kubernetes_network_policy` in
    /// that namespace).
    ///
    /// ## Why it matters
    /// Without a network policy every pod accepts connections from every other pod in the
    /// cluster: one compromised pod can reach every database and internal API. A default-deny
    /// policy per namespace, plus explicit allows, is the baseline. CIS Kubernetes Benchmark
    /// 5.3.2.
    ///
    /// ## Example
    /// ```strata
    /// resource shop: k8s.Namespace { name = "shop" }
    /// resource web: k8s.Deployment { namespace = "shop", containers = [{ name = "web", image = "web:1.0" }] }
    /// ```
    ///
    /// ## Fix
    /// Deny by default (an empty `pod_selector` selects every pod, no `ingress` rule allows
    /// nothing), then allow what is needed in further policies:
    /// ```strata
    /// resource shop_default_deny: k8s.NetworkPolicy { namespace = "shop" }
    /// ```
    pub static RULE = {
        code: "SEC088",
        name: "namespace-without-network-policy",
        category: Security,
        severity: Warning,
        applies: Applies::All,
        reads: reads,
        check: Check::Model(check),
    }
}

/// Namespaces: where each type writes its name.
#[rustfmt::skip]
const NAMESPACES: &[(&str, &str)] = &[
    ("k8s.Namespace", "name"),
    ("kube.core.v1.Namespace", "metadata.name"),
    ("tf.kubernetes_namespace", "metadata.name"),
    ("tf.kubernetes_namespace_v1", "metadata.name"),
];

/// Network policies, and where each type writes its namespace.
#[rustfmt::skip]
const POLICIES: &[(&str, &str)] = &[
    ("k8s.NetworkPolicy", "namespace"),
    ("kube.networking.v1.NetworkPolicy", "metadata.namespace"),
    ("tf.kubernetes_network_policy", "metadata.namespace"),
    ("tf.kubernetes_network_policy_v1", "metadata.namespace"),
];

/// Where a workload type writes its namespace: the stdlib's `namespace`, the API's
/// `metadata.namespace` (the pod shapes of `pods.rs` that are Kubernetes objects).
fn workload_namespace(ty: &str) -> Option<&'static str> {
    if ty.starts_with("k8s.") {
        Some("namespace")
    } else if ty.starts_with("kube.") || ty.starts_with("tf.kubernetes_") {
        Some("metadata.namespace")
    } else {
        None
    }
}

fn reads() -> &'static [Read] {
    static READS: std::sync::OnceLock<Vec<Read>> = std::sync::OnceLock::new();
    READS.get_or_init(|| {
        let mut v: Vec<Read> = NAMESPACES
            .iter()
            .map(|(t, p)| part(t, p, "namespace name"))
            .chain(POLICIES.iter().map(|(t, p)| part(t, p, "policy namespace")))
            .collect();
        for p in super::pods::PODS {
            if let Some(path) = workload_namespace(p.ty) {
                v.push(part(p.ty, path, "workload namespace"));
            }
        }
        v
    })
}

/// The namespace a resource lives in: a reference to a namespace resource, a string, or the
/// stack's `namespace` setting.
fn namespace_of(cx: &Cx<'_>, r: &Resource, path: &str) -> Option<String> {
    match crate::reads::values(r, path).into_iter().next() {
        Some(Value::Ref(x)) => cx
            .resource(x.resource)
            .map(|n| name_of(n).unwrap_or_else(|| n.name.clone())),
        Some(Value::Str(s)) => Some(s.to_string()),
        _ => cx
            .model
            .stack_of(r)
            .and_then(|s| s.provider_config.get("namespace"))
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

/// The name a namespace resource gives itself.
fn name_of(r: &Resource) -> Option<String> {
    let path = NAMESPACES.iter().find(|(t, _)| *t == r.ty)?.1;
    crate::reads::values(r, path)
        .into_iter()
        .next()
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let f = cx.facts;
    let mut covered = BTreeSet::new();
    for r in &cx.model.resources {
        if let Some((_, path)) = POLICIES.iter().find(|(t, _)| *t == r.ty) {
            covered.insert(namespace_of(cx, r, path).unwrap_or_else(|| "default".into()));
        }
    }
    let mut reported = BTreeSet::new();
    for r in &cx.model.resources {
        if f.superseded.contains(r.id) {
            continue;
        }
        let ns = if NAMESPACES.iter().any(|(t, _)| *t == r.ty) {
            name_of(r).unwrap_or_else(|| r.name.clone())
        } else if let Some(path) = super::pods::pod_of(&r.ty).and_then(|p| workload_namespace(p.ty))
        {
            namespace_of(cx, r, path).unwrap_or_else(|| "default".into())
        } else {
            continue;
        };
        if covered.contains(&ns) || !reported.insert(ns.clone()) {
            continue;
        }
        let line = match r.ty.split('.').next() {
            Some("kube") => format!("resource {}_default_deny: kube.networking.v1.NetworkPolicy {{ metadata = {{ name = \"default-deny\", namespace = \"{ns}\" }}, spec = {{ podSelector = {{}}, policyTypes = [\"Ingress\"] }} }}", ident(&ns)),
            Some("tf") => format!("resource {}_default_deny: tf.kubernetes_network_policy_v1 {{ metadata = {{ name = \"default-deny\", namespace = \"{ns}\" }}, spec = {{ pod_selector = {{}}, policy_types = [\"Ingress\"] }} }}", ident(&ns)),
            _ => format!("resource {}_default_deny: k8s.NetworkPolicy {{ namespace = \"{ns}\" }}", ident(&ns)),
        };
        out.report(r.name_span, format!("namespace `{ns}` has no NetworkPolicy: every pod accepts traffic from the whole cluster"))
            .label("no network policy")
            .help(format!("declare a default-deny policy (it selects every pod and allows no ingress): `{line}`"));
    }
}
