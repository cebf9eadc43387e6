use super::prelude::*;

rule! {
    /// ## What it checks
    /// A production database or cache that runs in a single zone: `multi_az = false`, Cloud
    /// SQL `availability_type = "ZONAL"`, a Memorystore `BASIC` tier, or ElastiCache without
    /// automatic failover.
    ///
    /// ## Why it matters
    /// A zone outage or a host failure then takes production down until a new instance is
    /// restored from backup — often hours, with data loss back to the last backup. Checkov: `CKV_AWS_157`.
    ///
    /// ## Example
    /// ```strata
    /// param env = "prod"
    /// resource db: aws.rds.DBInstance { multi_az = false }
    /// ```
    ///
    /// ## Fix
    /// ```strata
    /// resource db: aws.rds.DBInstance { multi_az = prod }
    /// ```
    pub static RULE = {
        code: "SEC015",
        name: "single-zone-in-prod",
        category: Security,
        severity: Warning,
        applies: Applies::Kinds(&[DATABASE, CACHE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !cx.is_prod(r) {
        return;
    }
    let what = cx.kind(r);
    if let Some((p, false)) = first_bool(
        r,
        &[
            "multi_az",
            "high_availability",
            "automatic_failover",
            "zone_redundant",
        ],
    ) {
        out.at(
            r,
            p,
            format!("production {what} `{}` runs in a single zone", r.name),
        )
        .label("no standby in another zone")
        .help(fix(cx, r, &format!("{p} = true")));
        return;
    }
    if let Some((p, v)) = first_str(r, &["availability_type", "tier"]) {
        let single = match p {
            "availability_type" => v.eq_ignore_ascii_case("ZONAL"),
            _ => v.eq_ignore_ascii_case("BASIC"),
        };
        if single {
            let good = if p == "tier" {
                "STANDARD_HA"
            } else {
                "REGIONAL"
            };
            out.at(
                r,
                p,
                format!("production {what} `{}` runs in a single zone", r.name),
            )
            .label(format!("`{v}` has no standby"))
            .help(fix(cx, r, &format!("{p} = \"{good}\"")));
        }
    }
}
