use super::prelude::*;

rule! {
    /// ## What it checks
    /// A managed database reachable on a public address: `publicly_accessible = true` on RDS
    /// (`aws.rds.DBInstance`, `cfn.AWS.RDS.DBInstance`/`DBCluster` `PubliclyAccessible`,
    /// `tf.aws_db_instance`), an Azure server with public network access (`azure.postgres.FlexibleServer`,
    /// `tf.azurerm_postgresql_flexible_server`, `tf.azurerm_mssql_server`,
    /// `tf.azurerm_mysql_flexible_server`), a Cloud SQL instance with an authorized network of
    /// `0.0.0.0/0` or a public IP (`gcp.sql.DatabaseInstance`, `tf.google_sql_database_instance`
    /// `settings.ip_configuration`, `dm.sqladmin.v1beta4.instance`), or an Azure database
    /// firewall rule from `0.0.0.0` to `255.255.255.255` (`tf.azurerm_mssql_firewall_rule`, the
    /// PostgreSQL and MySQL flexible server firewall rules). Portable databases are checked
    /// as the resources they are lowered to.
    ///
    /// ## Why it matters
    /// A database on the internet is attacked by credential stuffing and protocol exploits
    /// within minutes of creation. Databases belong in private subnets, reached by the
    /// application over the private network. Checkov: `CKV_AWS_17`, `CKV_GCP_11`, `CKV_GCP_60`, `CKV_AZURE_68`, `CKV_AZURE_11`.
    ///
    /// ## Example
    /// ```strata
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", publicly_accessible = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.t4g.medium", publicly_accessible = false }
    /// ```
    pub static RULE = {
        code: "SEC010",
        name: "database-public",
        category: Security,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const PUBLIC: &str = "public database";
const OPEN_NETWORK: &str = "authorized network 0.0.0.0/0";
const PUBLIC_IP: &str = "public IP";
const START: &str = "first address";
const DELEGATED: &str = "delegated subnet";
const END: &str = "last address";

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.rds.DBInstance", "publicly_accessible", Is::True, PUBLIC),
    read("cfn.AWS.RDS.DBInstance", "PubliclyAccessible", Is::True, PUBLIC),
    read("cfn.AWS.RDS.DBCluster", "PubliclyAccessible", Is::True, PUBLIC),
    read("tf.aws_db_instance", "publicly_accessible", Is::True, PUBLIC),
    read("azure.postgres.FlexibleServer", "public_network_access", Is::True, PUBLIC),
    // Public unless written off (azurerm's default is `true`); a flexible server in a
    // delegated subnet has no public access whatever the flag says.
    read("tf.azurerm_postgresql_flexible_server", "public_network_access_enabled", Is::TrueOrUnset, PUBLIC),
    part("tf.azurerm_postgresql_flexible_server", "delegated_subnet_id", DELEGATED),
    read("tf.azurerm_mssql_server", "public_network_access_enabled", Is::TrueOrUnset, PUBLIC),
    read("tf.azurerm_mysql_flexible_server", "public_network_access", Is::OneOf(&["Enabled"]), PUBLIC),
    // Cloud SQL: networks open to the world first (the worse), then a public address at all.
    read("gcp.sql.DatabaseInstance", "authorized_networks[].cidr", Is::Anywhere, OPEN_NETWORK),
    read("tf.google_sql_database_instance", "settings.ip_configuration.authorized_networks[].value", Is::Anywhere, OPEN_NETWORK),
    read("dm.sqladmin.v1beta4.instance", "settings.ipConfiguration.authorizedNetworks[].value", Is::Anywhere, OPEN_NETWORK),
    read("gcp.sql.DatabaseInstance", "public_ip", Is::True, PUBLIC_IP),
    read("tf.google_sql_database_instance", "settings.ip_configuration.ipv4_enabled", Is::True, PUBLIC_IP),
    read("dm.sqladmin.v1beta4.instance", "settings.ipConfiguration.ipv4Enabled", Is::True, PUBLIC_IP),
    // Azure database firewall rules: an address range.
    part("tf.azurerm_mssql_firewall_rule", "start_ip_address", START),
    part("tf.azurerm_mssql_firewall_rule", "end_ip_address", END),
    part("tf.azurerm_postgresql_flexible_server_firewall_rule", "start_ip_address", START),
    part("tf.azurerm_postgresql_flexible_server_firewall_rule", "end_ip_address", END),
    part("tf.azurerm_mysql_flexible_server_firewall_rule", "start_ip_address", START),
    part("tf.azurerm_mysql_flexible_server_firewall_rule", "end_ip_address", END),
];

/// The first and last address of an Azure database firewall rule: every address when they are
/// `0.0.0.0` and `255.255.255.255` (`0.0.0.0` to `0.0.0.0` is Azure's "allow Azure services",
/// not reported here).
fn whole_range(r: &Resource) -> bool {
    let ip = |what| {
        first_part(READS, r, what)
            .and_then(|(_, v)| v.as_str())
            .and_then(|s| s.trim().parse::<std::net::Ipv4Addr>().ok())
            .map(u32::from)
    };
    ip(START) == Some(0) && ip(END) == Some(u32::MAX)
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if part_set(READS, r, START) {
        if whole_range(r) {
            out.at(
                r,
                "start_ip_address",
                format!("firewall rule `{}` admits every address to its database server", r.name),
            )
            .label("0.0.0.0 to 255.255.255.255")
            .help(format!(
                "admit only the application's addresses (its outbound IPs or a VNet rule), or reach the server through a private endpoint; delete `{}`",
                r.name
            ));
        }
        return;
    }
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
    if hit.what() == PUBLIC && hit.value.is_none() && part_set(READS, r, DELEGATED) {
        return;
    }
    let (p, prop) = (hit.path(), hit.prop());
    match hit.what() {
        PUBLIC => {
            let off = if hit.value.and_then(Value::as_str).is_some() {
                "\"Disabled\""
            } else {
                "false"
            };
            out.at(
                r,
                prop,
                format!("database `{}` is reachable from the internet", r.name),
            )
            .label(PUBLIC)
            .help(fix(cx, r, &format!("{p} = {off}")));
        }
        OPEN_NETWORK => {
            let list = p.split("[]").next().unwrap_or(p);
            out.at(
                r,
                prop,
                format!("database `{}` accepts connections from any address", r.name),
            )
            .label(OPEN_NETWORK)
            .help(format!(
                "remove `{}` from `{list}` of `{}` and connect over the private network",
                hit.shown(),
                r.name
            ));
        }
        _ => {
            out.at(
                r,
                prop,
                format!("database `{}` has a public IP address", r.name),
            )
            .label(PUBLIC_IP)
            .help(format!(
                "{}, and connect over private IP ({})",
                fix(cx, r, &format!("{p} = false")),
                if r.ty.starts_with("gcp.") {
                    "`network = <a VPC network>`"
                } else {
                    "a VPC network"
                }
            ));
        }
    }
}
