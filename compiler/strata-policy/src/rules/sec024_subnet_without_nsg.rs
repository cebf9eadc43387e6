use super::prelude::*;

rule! {
    /// ## What it checks
    /// An Azure subnet with no network security group: an `azure.network.Subnet` without
    /// `network_security_group`, or a `tf.azurerm_subnet` that no
    /// `tf.azurerm_subnet_network_security_group_association` names. The subnets Azure reserves
    /// for its own gateways and firewalls, where a group is not supported (`GatewaySubnet`,
    /// `AzureFirewallSubnet`, `AzureFirewallManagementSubnet`, `RouteServerSubnet`), are left
    /// out. A `portable.Network` on Azure gives each subnet a group of its own.
    ///
    /// ## Why it matters
    /// Without a group every address of the virtual network (and of peered networks and
    /// on-premises ranges) reaches every port of what runs in the subnet: nothing filters
    /// lateral movement. Checkov: `CKV2_AZURE_31`.
    ///
    /// ## Example
    /// ```strata
    /// resource vnet: azure.network.VirtualNetwork { address_space = ["10.0.0.0/16"] }
    /// resource apps: azure.network.Subnet { vnet = vnet, cidr = "10.0.0.0/24" }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource vnet: azure.network.VirtualNetwork { address_space = ["10.0.0.0/16"] }
    /// resource apps_nsg: azure.network.NetworkSecurityGroup {}
    /// resource apps: azure.network.Subnet { vnet = vnet, cidr = "10.0.0.0/24", network_security_group = apps_nsg }
    /// ```
    pub static RULE = {
        code: "SEC024",
        name: "subnet-without-nsg",
        category: Security,
        severity: Warning,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const NONE: &str = "no network security group";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("azure.network.Subnet", "network_security_group", Is::Unset, NONE),
    // A Terraform subnet's group is a resource of its own that names it (`ASSOCIATIONS`).
    read("tf.azurerm_subnet", "", Is::Unset, NONE),
    part("azure.network.Subnet", "subnet_name", NAME),
    part("tf.azurerm_subnet", "name", NAME),
];

const NAME: &str = "reserved name";

/// The association types: one that references the subnet gives it a group.
const ASSOCIATIONS: &[&str] = &["tf.azurerm_subnet_network_security_group_association"];

/// Subnets Azure reserves for its gateways and firewalls, where a group is not supported.
const RESERVED: &[&str] = &[
    "GatewaySubnet",
    "AzureFirewallSubnet",
    "AzureFirewallManagementSubnet",
    "RouteServerSubnet",
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    let name = if r.ty == "tf.azurerm_subnet" {
        "name"
    } else {
        "subnet_name"
    };
    if r.props
        .get(name)
        .and_then(Value::as_str)
        .is_some_and(|n| RESERVED.contains(&n))
    {
        return;
    }
    if cx.graph.dependents(r.id).iter().any(|(d, _)| {
        cx.resource(*d)
            .is_some_and(|x| ASSOCIATIONS.contains(&x.ty.as_str()))
    }) {
        return;
    }
    let help = if r.ty == "tf.azurerm_subnet" {
        Help::from(format!(
            "associate a group with `{}`: `resource {}_nsg: tf.azurerm_subnet_network_security_group_association {{ subnet_id = {}.id, network_security_group_id = <a group>.id }}`",
            r.name,
            ident(&r.name),
            r.name
        ))
    } else {
        Help::from(format!(
            "give `{}` a group: `network_security_group = <an azure.network.NetworkSecurityGroup>`, its rules admitting only what reaches the subnet",
            r.name
        ))
    };
    out.at(
        r,
        hit.prop(),
        format!("subnet `{}` has no network security group", r.name),
    )
    .label("nothing filters traffic within the network")
    .help(help);
}
