use super::pods;
use super::prelude::*;

rule! {
    /// ## What it checks
    /// A container that may gain privileges: one that adds a dangerous Linux capability
    /// (`SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `SYS_MODULE`, `NET_RAW`, `DAC_READ_SEARCH`, `ALL`) in
    /// a Kubernetes pod spec (`kube.*`, `tf.kubernetes_*`) or an ECS container definition
    /// (`LinuxParameters.Capabilities.Add`), or a Kubernetes container that does not say
    /// `allowPrivilegeEscalation = false` (`allow_privilege_escalation` in Terraform). Privileged
    /// containers are reported by SEC080.
    ///
    /// ## Why it matters
    /// setuid binaries and file capabilities then let a compromised process become root;
    /// `SYS_ADMIN` is nearly equivalent to privileged. Pod Security Standards (restricted)
    /// require `allowPrivilegeEscalation: false` and dropping all capabilities. Checkov:
    /// `CKV_K8S_20`, `CKV_K8S_39`, `CKV_K8S_25`.
    ///
    /// ## Example
    /// ```strata
    /// resource web: kube.apps.v1.Deployment {
    ///   metadata = { name = "web" }
    ///   spec = {
    ///     selector = { matchLabels = { app = "web" } }
    ///     template = {
    ///       metadata = { labels = { app = "web" } }
    ///       spec = { containers = [{ name = "web", image = "nginx:1.27" }] }
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource web: kube.apps.v1.Deployment {
    ///   metadata = { name = "web" }
    ///   spec = {
    ///     selector = { matchLabels = { app = "web" } }
    ///     template = {
    ///       metadata = { labels = { app = "web" } }
    ///       spec = { containers = [{ name = "web", image = "nginx:1.27", securityContext = { allowPrivilegeEscalation = false, capabilities = { drop = ["ALL"] } } }] }
    ///     }
    ///   }
    /// }
    /// ```
    pub static RULE = {
        code: "SEC087",
        name: "k8s-privilege-escalation",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || pods::reads("SEC087", &[|v| v.allow_privilege_escalation, |v| v.capabilities_add, |v| v.privileged], &[]),
        check: Check::Resource(check),
    }
}

const DANGEROUS: &[&str] = &[
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "ALL",
    "NET_RAW",
    "DAC_READ_SEARCH",
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for c in pods::containers(r) {
        let added = c
            .get(|v| v.capabilities_add)
            .map(strings)
            .unwrap_or_default();
        if let Some(cap) = added
            .iter()
            .find(|a| DANGEROUS.contains(&a.trim_start_matches("CAP_")))
        {
            let field = c.v.capabilities_add.unwrap_or("capabilities.add");
            out.report(
                c.span(cx, |v| v.capabilities_add, &[]),
                format!("{} adds the capability `{cap}`", c.label()),
            )
            .label("dangerous capability")
            .help(format!("remove `{cap}` from `{field}` (and drop `ALL`)"));
            continue;
        }
        let Some(field) = c.v.allow_privilege_escalation else {
            continue;
        };
        if !matches!(
            c.get(|v| v.allow_privilege_escalation),
            Some(Value::Bool(false))
        ) && !c.get(|v| v.privileged).is_some_and(Value::is_true)
        {
            out.report(c.span(cx, |v| v.allow_privilege_escalation, &[]), format!("{} may escalate its privileges", c.label()))
                .label(format!("`{field}` is not false"))
                .help(format!("write `{field} = false` and drop every capability (`capabilities.drop = [\"ALL\"]`)"));
        }
    }
}
