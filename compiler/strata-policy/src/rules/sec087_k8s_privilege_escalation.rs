use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes container that adds dangerous capabilities (`SYS_ADMIN`, `NET_ADMIN`,
    /// `SYS_PTRACE`, `ALL`), or — where its schema has the setting — that may gain more
    /// privileges than its parent process (`allow_privilege_escalation` not `false`). The
    /// stdlib's `k8s.*` containers have neither setting; a namespace admitting escalation is
    /// reported by `SEC081`.
    ///
    /// ## Why it matters
    /// setuid binaries and file capabilities then let a compromised process become root;
    /// `SYS_ADMIN` is nearly equivalent to privileged. Pod Security Standards (restricted)
    /// require `allowPrivilegeEscalation: false` and dropping all capabilities. Checkov:
    /// `CKV_K8S_20`, `CKV_K8S_39`, `CKV_K8S_25`.
    ///
    /// ## Example
    /// ```strata
    /// resource web: k8s.Deployment { containers = [{ name = "web", image = "nginx:1.27" }] }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource web: k8s.Deployment {
    ///   containers = [{ name = "web", image = "nginx:1.27", security_context = { allow_privilege_escalation = false, capabilities = { drop = ["ALL"] } } }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC087",
        name: "k8s-privilege-escalation",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[WORKLOAD]),
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
    let can_say = container_can_set(cx, r, &["security_context", "allow_privilege_escalation"]);
    for c in containers(r) {
        let added = c
            .security("capabilities.add")
            .map(strings)
            .unwrap_or_default();
        if let Some(cap) = added
            .iter()
            .find(|a| DANGEROUS.contains(&a.trim_start_matches("CAP_")))
        {
            out.report(c.span("capabilities"), format!("{} adds the capability `{cap}`", c.label())).label("dangerous capability").help(format!("remove `{cap}` from `capabilities.add` and write `capabilities = {{ drop = [\"ALL\"] }}`"));
            continue;
        }
        if can_say
            && !matches!(
                c.security("allow_privilege_escalation"),
                Some(Value::Bool(false))
            )
            && !c.security("privileged").is_some_and(Value::is_true)
        {
            out.report(c.span("allow_privilege_escalation"), format!("{} may escalate its privileges", c.label()))
                .label("allow_privilege_escalation is not false")
                .help("write `security_context = { allow_privilege_escalation = false, capabilities = { drop = [\"ALL\"] } }`");
        }
    }
}
