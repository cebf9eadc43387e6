use super::prelude::*;

rule! {
    /// ## What it checks
    /// A database or cache with a standby in a second zone (`multi_az = true`,
    /// `availability_type = "REGIONAL"`, a `STANDARD_HA` tier, zone redundancy, automatic
    /// failover) in a non-production environment.
    ///
    /// ## Why it matters
    /// A standby doubles the instance and storage price. Outside production an outage of a few
    /// minutes while the instance is replaced is usually acceptable.
    ///
    /// ## Example
    /// ```strata
    /// param env = "dev"
    /// resource db: aws.rds.DBInstance { multi_az = true, ... }
    /// ```
    ///
    /// ## Fix
    /// Tie it to the environment: `multi_az = prod`.
    pub static RULE = {
        code: "COST003",
        name: "multi-az-outside-prod",
        category: Cost,
        severity: Warning,
        applies: Applies::Kinds(&[DATABASE, CACHE]),
        check: Check::Resource(check),
    }
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    if !cx.is_non_prod(r) {
        return;
    }
    let env = cx.facts.env(r.id).unwrap_or("non-production").to_string();
    // Lowered from a portable type: say it in the portable type's terms.
    if let Some(o) = cx.origin(r) {
        if cx
            .schema(o)
            .is_some_and(|s| s.fields.contains_key("multi_az"))
        {
            if o.prop("multi_az").is_some_and(Value::is_true) {
                out.report(
                    o.prop_span("multi_az"),
                    format!(
                        "`{}` runs a standby in a second zone in `{env}`, doubling its price",
                        o.name
                    ),
                )
                .label("high availability outside production")
                .help(format!("write `multi_az = prod` in `{}`", o.name));
            }
            return;
        }
        if cx
            .schema(o)
            .is_some_and(|s| s.fields.contains_key("replicas"))
        {
            return; // the standby comes from `replicas`, reported by COST004
        }
    }
    let mut hit = |prop: &str, line: &str| {
        out.at(
            r,
            prop,
            format!(
                "`{}` runs a standby in a second zone in `{env}`, doubling its price",
                r.name
            ),
        )
        .label("high availability outside production")
        .help(fix(cx, r, line));
    };
    for p in [
        "multi_az",
        "high_availability",
        "zone_redundant",
        "automatic_failover",
        "ha",
    ] {
        if is_true(r, p) {
            return hit(p, &format!("{p} = prod"));
        }
    }
    if let Some(v) = get_str(r, "availability_type").filter(|v| v.eq_ignore_ascii_case("REGIONAL"))
    {
        let _ = v;
        return hit(
            "availability_type",
            "availability_type = prod ? \"REGIONAL\" : \"ZONAL\"",
        );
    }
    if get_str(r, "tier").is_some_and(|t| t.eq_ignore_ascii_case("STANDARD_HA")) {
        hit("tier", "tier = prod ? \"STANDARD_HA\" : \"BASIC\"");
    }
}
