use super::prelude::*;
use std::collections::BTreeSet;

rule! {
    /// ## What it checks
    /// A Kubernetes namespace (declared as a `k8s.Namespace`, or used by a workload) that no
    /// `NetworkPolicy` applies to.
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
        check: Check::Model(check),
    }
}

/// The namespace a resource lives in: a reference to a namespace resource, a string, or the
/// stack's `namespace` setting.
fn namespace_of(cx: &Cx<'_>, r: &Resource) -> Option<String> {
    match r.prop("namespace") {
        Some(Value::Ref(x)) => cx.resource(x.resource).map(|n| {
            get_str(n, "name")
                .map(str::to_string)
                .unwrap_or_else(|| n.name.clone())
        }),
        Some(Value::Str(s)) => Some(s.to_string()),
        _ => cx
            .model
            .stack_of(r)
            .and_then(|s| s.provider_config.get("namespace"))
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let f = cx.facts;
    let mut covered = BTreeSet::new();
    for r in &cx.model.resources {
        if f.kind(r.id) == NETWORK_POLICY {
            covered.insert(namespace_of(cx, r).unwrap_or_else(|| "default".into()));
        }
    }
    let mut reported = BTreeSet::new();
    for r in &cx.model.resources {
        if f.superseded.contains(r.id) {
            continue;
        }
        let (ns, at) = match f.kind(r.id) {
            NAMESPACE => (
                get_str(r, "name")
                    .map(str::to_string)
                    .unwrap_or_else(|| r.name.clone()),
                r,
            ),
            // Kubernetes workloads only (ECS task definitions are workloads too).
            WORKLOAD if r.ty.starts_with("k8s.") => {
                (namespace_of(cx, r).unwrap_or_else(|| "default".into()), r)
            }
            _ => continue,
        };
        if covered.contains(&ns) || !reported.insert(ns.clone()) {
            continue;
        }
        out.report(at.name_span, format!("namespace `{ns}` has no NetworkPolicy: every pod accepts traffic from the whole cluster"))
            .label("no network policy")
            .help(format!("declare a default-deny policy (it selects every pod and allows no ingress): `resource {}_default_deny: k8s.NetworkPolicy {{ namespace = \"{ns}\" }}`", ident(&ns)));
    }
}
