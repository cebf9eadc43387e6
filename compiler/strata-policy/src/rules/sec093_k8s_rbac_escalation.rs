use super::prelude::*;

rule! {
    /// ## What it checks
    /// A Kubernetes role rule that lets its holder gain more than it grants: `escalate` on roles
    /// (grant permissions it does not hold), `bind` on roles or role bindings (bind any role,
    /// `cluster-admin` included), `impersonate` on users, groups or service accounts (act as
    /// them), `create` on `pods/exec`, `pods/attach` or `nodes/proxy` (a shell in any pod of the
    /// namespace, or the kubelet's API), `approve` on certificate signing requests (mint a client
    /// certificate for any identity), write access to admission webhook configurations (see and
    /// change every object sent to the API server), and reading every Secret (`get`, `list` or
    /// `watch` on `secrets` with no `resourceNames`). Read on the `rules` of
    /// `kube.rbac.v1.Role`/`ClusterRole` and the `rule` of `tf.kubernetes_role`/
    /// `tf.kubernetes_cluster_role` and their `_v1` forms. `*` is SEC090's. Each rule (list
    /// element) is a finding.
    ///
    /// ## Why it matters
    /// Each of these turns a narrow role into cluster-admin for whoever holds it: a compromised
    /// controller with `bind` binds itself `cluster-admin`; `pods/exec` reads every mounted
    /// secret of the namespace. Controllers that need one (cert-manager approves CSRs, an
    /// operator execs into its pods) keep it with a suppression saying why. Checkov:
    /// `CKV_K8S_155`, `CKV_K8S_156`, `CKV_K8S_157`, `CKV_K8S_158`, `CKV2_K8S_1`, `CKV2_K8S_2`,
    /// `CKV2_K8S_3`, `CKV2_K8S_5`.
    ///
    /// ## Example
    /// ```strata
    /// import kube
    /// resource deployer: kube.rbac.v1.Role {
    ///   rules = [{ apiGroups = ["rbac.authorization.k8s.io"], resources = ["rolebindings"], verbs = ["create", "bind"] }]
    /// }
    /// ```
    ///
    /// ## Fix
    /// Create bindings to the roles the deployer may hand out, named:
    /// ```strata
    /// import kube
    /// resource deployer: kube.rbac.v1.Role {
    ///   rules = [{ apiGroups = ["rbac.authorization.k8s.io"], resources = ["rolebindings"], verbs = ["create", "get", "list"] }]
    /// }
    /// ```
    pub static RULE = {
        code: "SEC093",
        name: "k8s-rbac-escalation",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const RULES: &str = "rules";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("kube.rbac.v1.Role", "rules", RULES),
    part("kube.rbac.v1.ClusterRole", "rules", RULES),
    part("tf.kubernetes_role", "rule", RULES),
    part("tf.kubernetes_role_v1", "rule", RULES),
    part("tf.kubernetes_cluster_role", "rule", RULES),
    part("tf.kubernetes_cluster_role_v1", "rule", RULES),
];

/// (verbs, resources, what it gives): a rule with one of the verbs on one of the resources.
#[rustfmt::skip]
const ESCALATIONS: &[(&[&str], &[&str], &str)] = &[
    (&["escalate"], &["roles", "clusterroles"], "`escalate` on roles: grant permissions it does not hold"),
    (&["bind"], &["roles", "clusterroles", "rolebindings", "clusterrolebindings"], "`bind`: bind any role to anyone, `cluster-admin` included"),
    (&["impersonate"], &["users", "groups", "serviceaccounts", "uids", "userextras"], "`impersonate`: act as other users, groups or service accounts"),
    (&["create"], &["pods/exec", "pods/attach", "nodes/proxy"], "a shell in pods or the kubelet's API"),
    (&["approve"], &["certificatesigningrequests/approval", "signers"], "approve certificates: a client certificate for any identity"),
    (&["create", "update", "patch"], &["mutatingwebhookconfigurations", "validatingwebhookconfigurations"], "control of admission webhooks: every object sent to the API server"),
];

fn strs<'v>(rule: &'v Value, field: &str) -> Vec<&'v str> {
    rule.get_path(field).map(strings).unwrap_or_default()
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some((path, list)) = first_part(READS, r, RULES) else {
        return;
    };
    let tf = r.ty.starts_with("tf.");
    let names_field = if tf {
        "resource_names"
    } else {
        "resourceNames"
    };
    for (i, rule) in list.as_list().unwrap_or(&[]).iter().enumerate() {
        let verbs = strs(rule, "verbs");
        let resources = strs(rule, "resources");
        // Wildcards are SEC090's finding.
        if verbs.contains(&"*") || resources.contains(&"*") {
            continue;
        }
        let has = |set: &[&str], of: &[&str]| {
            of.iter()
                .any(|x| set.iter().any(|s| s.eq_ignore_ascii_case(x)))
        };
        let mut what: Vec<&str> = ESCALATIONS
            .iter()
            .filter(|(v, res, _)| has(v, &verbs) && has(res, &resources))
            .map(|(_, _, w)| *w)
            .collect();
        if has(&["get", "list", "watch"], &verbs)
            && has(&["secrets"], &resources)
            && strs(rule, names_field).is_empty()
        {
            what.push("read every Secret of its scope");
        }
        if what.is_empty() {
            continue;
        }
        let at = strata_model::sites::index(path, i);
        out.report(
            cx.span_at(r, &at, &[]),
            format!("role `{}` can escalate: {}", r.name, what.join("; ")),
        )
        .label("privilege escalation")
        .help(format!(
            "grant what the workload does instead (named roles to bind, `{names_field}` for the Secrets it reads), or keep it with `// strata-ignore SEC093: <why this controller needs it>`"
        ));
    }
}
