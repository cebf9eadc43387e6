use super::prelude::*;

rule! {
    /// ## What it checks
    /// A managed database reachable on a public address: `publicly_accessible = true` on RDS
    /// (`aws.rds.DBInstance`, `cfn.AWS.RDS.DBInstance`/`DBCluster` `PubliclyAccessible`,
    /// `tf.aws_db_instance`), an Azure server with public network access (`azure.postgres.FlexibleServer`,
    /// `tf.azurerm_postgresql_flexible_server`, `tf.azurerm_mssql_server`,
    /// `tf.azurerm_mysql_flexible_server`), a Cloud SQL instance with an authorized network of
    /// `0.0.0.0/0` or a public IP (`gcp.sql.DatabaseInstance`, `tf.google_sql_database_instance`
    /// `settings.ip_configuration`, `dm.sqladmin.v1beta4.instance`). Portable databases are checked
    /// as the resources they are lowered to.
    ///
    /// ## Why it matters
    /// A database on the internet is attacked by credential stuffing and protocol exploits
    /// within minutes of creation. Databases belong in private subnets, reached by the
    /// application over the private network. Checkov: `CKV_AWS_17`, `CKV_GCP_11`, `CKV_GCP_60`, `CKV_AZURE_68`.
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

#[rustfmt::skip]
static READS: &[Read] = &[
    read("aws.rds.DBInstance", "publicly_accessible", Is::True, PUBLIC),
    read("cfn.AWS.RDS.DBInstance", "PubliclyAccessible", Is::True, PUBLIC),
    read("cfn.AWS.RDS.DBCluster", "PubliclyAccessible", Is::True, PUBLIC),
    read("tf.aws_db_instance", "publicly_accessible", Is::True, PUBLIC),
    read("azure.postgres.FlexibleServer", "public_network_access", Is::True, PUBLIC),
    read("tf.azurerm_postgresql_flexible_server", "public_network_access_enabled", Is::True, PUBLIC),
    read("tf.azurerm_mssql_server", "public_network_access_enabled", Is::True, PUBLIC),
    read("tf.azurerm_mysql_flexible_server", "public_network_access", Is::OneOf(&["Enabled"]), PUBLIC),
    // Cloud SQL: networks open to the world first (the worse), then a public address at all.
    read("gcp.sql.DatabaseInstance", "authorized_networks[].cidr", Is::Anywhere, OPEN_NETWORK),
    read("tf.google_sql_database_instance", "settings.ip_configuration.authorized_networks[].value", Is::Anywhere, OPEN_NETWORK),
    read("dm.sqladmin.v1beta4.instance", "settings.ipConfiguration.authorizedNetworks[].value", Is::Anywhere, OPEN_NETWORK),
    read("gcp.sql.DatabaseInstance", "public_ip", Is::True, PUBLIC_IP),
    read("tf.google_sql_database_instance", "settings.ip_configuration.ipv4_enabled", Is::True, PUBLIC_IP),
    read("dm.sqladmin.v1beta4.instance", "settings.ipConfiguration.ipv4Enabled", Is::True, PUBLIC_IP),
];

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(hit) = first_fault(READS, r) else {
        return;
    };
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
