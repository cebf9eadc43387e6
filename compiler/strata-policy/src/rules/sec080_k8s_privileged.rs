use super::pods;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes namespace whose Pod Security level is `privileged` (it admits privileged
    /// containers, host namespaces and host paths), or a container that asks for privileged mode:
    /// `securityContext.privileged = true` in the pod spec of a `kube.*` workload (Pod, Deployment,
    /// StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController), its `tf.kubernetes_*`
    /// form (`security_context.privileged`), or `Privileged = true` in an ECS container definition
    /// (`cfn.AWS.ECS.TaskDefinition`). The stdlib's `k8s.*` containers cannot be privileged.
    ///
    /// ## Why it matters
    /// A privileged container has every capability and all host devices: escaping to the node
    /// is trivial, and from the node to every other pod on it. Pod Security Standards
    /// (baseline and restricted) forbid it. Checkov: `CKV_K8S_16`.
    ///
    /// ## Example
    /// ```strata
    /// resource tools: k8s.Namespace { pod_security = "privileged" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource tools: k8s.Namespace { pod_security = "restricted" }
    /// ```
    pub static RULE = {
        code: "SEC080",
        name: "k8s-privileged-container",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: reads,
        check: Check::Resource(check),
    }
}

fn reads() -> &'static [Read] {
    static READS: std::sync::OnceLock<Vec<Read>> = std::sync::OnceLock::new();
    READS.get_or_init(|| {
        let mut v = vec![read(
            "k8s.Namespace",
            "pod_security",
            Is::OneOf(&["privileged"]),
            "Pod Security level `privileged`",
        )];
        v.extend_from_slice(pods::reads("SEC080", &[|v| v.privileged], &[]));
        v
    })
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some(hit) = first_fault(reads(), r) {
        out.at(
            r,
            hit.prop(),
            format!("namespace `{}` admits privileged pods", r.name),
        )
        .label(hit.what())
        .help(fix(cx, r, "pod_security = \"restricted\""));
        return;
    }
    for c in pods::containers(r) {
        if c.get(|v| v.privileged).is_some_and(Value::is_true) {
            out.report(
                c.span(cx, |v| v.privileged, &[]),
                format!("{} runs privileged", c.label()),
            )
            .label("privileged container")
            .help(format!(
                "write `{} = false` (and grant only the capabilities it needs)",
                c.v.privileged.unwrap_or("privileged")
            ));
        }
    }
}
