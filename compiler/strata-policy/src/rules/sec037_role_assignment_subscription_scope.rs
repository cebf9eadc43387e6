use super::prelude::*;

rule! {
    /// ## What it checks
    /// An Azure role assignment whose scope is a whole subscription (`/subscriptions/ID`) or a
    /// management group, rather than the resource group or resource the principal works on:
    /// `azure.authorization.RoleAssignment` and `tf.azurerm_role_assignment` (`scope`).
    ///
    /// ## Why it matters
    /// A role at subscription scope applies to every resource in the subscription, today's and
    /// tomorrow's: a `Key Vault Secrets User` there reads every vault's secrets, a `Contributor`
    /// can change anything. Least privilege assigns the role on the resource (`vault.id`,
    /// `account.id`) or its resource group.
    ///
    /// ## Example
    /// ```strata
    /// resource reader: azure.authorization.RoleAssignment {
    ///   scope     = "/subscriptions/00000000-0000-0000-0000-000000000000"
    ///   role      = "Key Vault Secrets User"
    ///   principal = "11111111-1111-1111-1111-111111111111"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Assign the role on the resource itself:
    /// ```strata
    /// resource reader: azure.authorization.RoleAssignment {
    ///   scope     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/shop/providers/Microsoft.KeyVault/vaults/shop-kv"
    ///   role      = "Key Vault Secrets User"
    ///   principal = "11111111-1111-1111-1111-111111111111"
    /// }
    /// ```
    pub static RULE = {
        code: "SEC037",
        name: "role-assignment-subscription-scope",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

#[rustfmt::skip]
static READS: &[Read] = &[
    read("azure.authorization.RoleAssignment", "scope", Is::Test(broad), BROAD),
    read("tf.azurerm_role_assignment", "scope", Is::Test(broad), BROAD),
];

const BROAD: &str = "subscription scope";

/// A subscription (`/subscriptions/ID`) or management group scope.
fn broad(v: &Value) -> bool {
    let Some(s) = text_of(v) else { return false };
    let s = s.trim().trim_end_matches('/').to_ascii_lowercase();
    let segs: Vec<&str> = s.split('/').collect();
    // "", "subscriptions", ID
    (segs.len() == 3 && segs[0].is_empty() && segs[1] == "subscriptions" && !segs[2].is_empty())
        || s.starts_with("/providers/microsoft.management/managementgroups/")
            && s.matches('/').count() == 4
}

fn check(_cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let role = ["role", "role_definition_name"]
        .iter()
        .find_map(|p| r.props.get(*p).and_then(Value::as_str))
        .map_or(String::new(), |s| format!(" `{s}`"));
    let mg = hit
        .value
        .and_then(text_of)
        .is_some_and(|s| s.to_ascii_lowercase().contains("managementgroups"));
    let (whole, label) = if mg {
        ("a whole management group", "management group scope")
    } else {
        ("a whole subscription", BROAD)
    };
    out.at(
        r,
        hit.prop(),
        format!("`{}` assigns the role{role} on {whole}", r.name),
    )
    .label(label)
    .help("assign the role on the resource the principal uses (`scope = vault.id`) or on its resource group");
}
