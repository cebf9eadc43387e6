use super::pods;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes namespace whose Pod Security level is `baseline` (it admits pods running as
    /// root), a container that runs as root (user 0: `securityContext.runAsUser` in `kube.*`,
    /// `security_context.run_as_user` in `tf.kubernetes_*`, `User` in `cfn.AWS.ECS.TaskDefinition`),
    /// or a Kubernetes container that may run as root: neither it nor its pod says
    /// `runAsNonRoot = true` or a non-zero user. The stdlib's `k8s.*` containers always run as a
    /// non-root user.
    ///
    /// ## Why it matters
    /// Root in the container is root on the node's kernel interface: a container escape or a
    /// mounted host path is then a node compromise. Pod Security Standards (restricted)
    /// require non-root. Checkov: `CKV_K8S_6`, `CKV_K8S_40`, `CKV_K8S_23`.
    ///
    /// ## Example
    /// ```strata
    /// resource shop: k8s.Namespace { pod_security = "baseline" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource shop: k8s.Namespace { pod_security = "restricted" }
    /// ```
    pub static RULE = {
        code: "SEC081",
        name: "k8s-runs-as-root",
        category: Security,
        severity: Warning,
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
            Is::OneOf(&["baseline"]),
            "Pod Security level `baseline`",
        )];
        v.extend_from_slice(pods::reads(
            "SEC081",
            &[|v| v.run_as_non_root, |v| v.run_as_user],
            &[|v| v.pod_run_as_non_root, |v| v.pod_run_as_user],
        ));
        v
    })
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if let Some(hit) = first_fault(reads(), r) {
        out.at(
            r,
            hit.prop(),
            format!("namespace `{}` admits pods running as root", r.name),
        )
        .label(hit.what())
        .help(fix(cx, r, "pod_security = \"restricted\""));
        return;
    }
    for c in pods::containers(r) {
        let user = c
            .get(|v| v.run_as_user)
            .or_else(|| c.pod(|v| v.pod_run_as_user));
        let field = c.v.run_as_user.unwrap_or("run_as_user");
        if user.is_some_and(pods::is_root_user) {
            // At the container's user id, else the pod's it inherits.
            let span =
                if c.get(|v| v.run_as_user).is_none() && c.pod(|v| v.pod_run_as_user).is_some() {
                    c.pod_span(cx, |v| v.pod_run_as_user)
                } else {
                    c.span(cx, |v| v.run_as_user, &[])
                };
            out.report(
                span,
                format!("{} runs as root (`{field}` is root)", c.label()),
            )
            .label("UID 0")
            .help(format!(
                "run as an unprivileged user: `{field} = 10001`{}",
                c.v.run_as_non_root
                    .map(|n| format!(" and `{n} = true`"))
                    .unwrap_or_default()
            ));
            continue;
        }
        let Some(non_root) = c.v.run_as_non_root else {
            continue;
        };
        let says_non_root = c
            .get(|v| v.run_as_non_root)
            .or_else(|| c.pod(|v| v.pod_run_as_non_root))
            .is_some_and(Value::is_true)
            || user.is_some_and(pods::is_non_root_user);
        if !says_non_root {
            out.report(
                c.span(cx, |v| v.run_as_non_root, &[]),
                format!("{} may run as root", c.label()),
            )
            .label(format!("`{non_root}` is not true"))
            .help(format!(
                "write `{non_root} = true` (and a non-zero user id) in the container or the pod"
            ));
        }
    }
}
