use super::prelude::*;

rule! {
    /// ## What it checks
    /// A managed database reachable on a public address: RDS `publicly_accessible = true`, a
    /// Cloud SQL instance with `public_ip = true` or an authorized network of `0.0.0.0/0`, an
    /// Azure server with public network access, or a portable database with `public = true`.
    ///
    /// ## Why it matters
    /// A database on the internet is attacked by credential stuffing and protocol exploits
    /// within minutes of creation. Databases belong in private subnets, reached by the
    /// application over the private network. Checkov: `CKV_AWS_17`, `CKV_GCP_11`, `CKV_GCP_60`, `CKV_AZURE_68`.
    ///
    /// ## Example
    /// ```strata
    /// resource db: aws.rds.DBInstance { publicly_accessible = true }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db: aws.rds.DBInstance { publicly_accessible = false }
    /// ```
    pub static RULE = {
        code: "SEC010",
        name: "database-public",
        category: Security,
        severity: Error,
        applies: Applies::Kinds(&[DATABASE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    for p in [
        "publicly_accessible",
        "public",
        "public_network_access",
        "public_network_access_enabled",
    ] {
        if get(r, p).is_some_and(crate::facts::truthy) {
            out.at(
                r,
                p,
                format!("database `{}` is reachable from the internet", r.name),
            )
            .label("public database")
            .help(fix(cx, r, &format!("{p} = false")));
            return;
        }
    }
    if let Some((p, true)) = first_bool(r, &["public_ip", "ipv4_enabled"]) {
        out.at(
            r,
            p,
            format!("database `{}` has a public IP address", r.name),
        )
        .label("public IP")
        .help(format!(
            "{}, and connect over private IP (`network = <a VPC network>`)",
            fix(cx, r, &format!("{p} = false"))
        ));
        return;
    }
    // Cloud SQL: authorized networks open to the world.
    for p in [
        "authorized_networks",
        "ip_configuration.authorized_networks",
    ] {
        if let Some(list) = get(r, p).and_then(Value::as_list) {
            let open = list.iter().any(|n| match n {
                Value::Record(m) => m
                    .get("value")
                    .or_else(|| m.get("cidr"))
                    .is_some_and(|c| cidrs(c).iter().any(|c| is_anywhere(c))),
                v => cidrs(v).iter().any(|c| is_anywhere(c)),
            });
            if open {
                out.at(r, top(p), format!("database `{}` accepts connections from any address", r.name))
                    .label("authorized network 0.0.0.0/0")
                    .help(format!("remove `0.0.0.0/0` from `{p}` of `{}` and connect over private IP (`public_ip = false`)", r.name));
                return;
            }
        }
    }
}
