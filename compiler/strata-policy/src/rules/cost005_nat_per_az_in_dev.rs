use super::prelude::*;
use std::collections::BTreeMap;

rule! {
    /// ## What it checks
    /// More than one NAT gateway in a stack of a non-production environment (one per
    /// availability zone), or a network declared with one NAT gateway per zone there.
    ///
    /// ## Why it matters
    /// Each AWS NAT gateway costs about $33/month before traffic, on every zone. One NAT gateway
    /// per zone protects production from a zone failure; in dev a single shared gateway is
    /// enough.
    ///
    /// ## Example
    /// ```strata
    /// param env = "dev"
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource public_a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource public_b: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.2.0/24, zone = "eu-west-1b" }
    /// resource nat_a: aws.ec2.NatGateway { subnet = public_a }
    /// resource nat_b: aws.ec2.NatGateway { subnet = public_b }
    /// ```
    ///
    /// ## Fix
    /// Keep one NAT gateway outside production and route every private subnet through it:
    /// ```strata
    /// param env = "dev"
    /// resource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }
    /// resource public_a: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.1.0/24, zone = "eu-west-1a" }
    /// resource public_b: aws.ec2.Subnet { vpc = vpc, cidr = 10.0.2.0/24, zone = "eu-west-1b" }
    /// resource nat: aws.ec2.NatGateway { subnet = public_a }
    /// ```
    pub static RULE = {
        code: "COST005",
        name: "nat-per-az-in-dev",
        category: Cost,
        severity: Warning,
        applies: Applies::All,
        check: Check::Model(check),
    }
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let f = cx.facts;
    // NAT gateways per (stack, environment), in declaration order.
    let mut groups: BTreeMap<(Option<usize>, String), Vec<&Resource>> = BTreeMap::new();
    for r in &cx.model.resources {
        if f.superseded.contains(r.id) {
            continue;
        }
        if f.kind(r.id) == NETWORK {
            for p in ["nat_gateways", "nat"] {
                if get_str(r, p).is_some_and(|v| {
                    matches!(
                        v.to_ascii_lowercase().as_str(),
                        "per_az" | "per-az" | "one_per_az" | "per_zone"
                    )
                }) && f.is_non_prod(r.id)
                {
                    out.at(
                        r,
                        p,
                        format!(
                            "network `{}` has one NAT gateway per zone in `{}`",
                            r.name,
                            f.env(r.id).unwrap_or("?")
                        ),
                    )
                    .label("a NAT gateway in every zone outside production")
                    .help(fix(
                        cx,
                        r,
                        &format!("{p} = prod ? \"per_az\" : \"single\""),
                    ));
                }
            }
        }
        if f.kind(r.id) != NAT
            || !f.is_non_prod(r.id)
            || !(r.ty.contains("NatGateway") || r.ty.contains("Nat"))
        {
            continue;
        }
        groups
            .entry((r.stack, f.env(r.id).unwrap_or("").to_string()))
            .or_default()
            .push(r);
    }
    for ((_, env), nats) in groups {
        if nats.len() < 2 {
            continue;
        }
        let first = nats[0];
        for extra in &nats[1..] {
            out.report(
                extra.name_span,
                format!(
                    "{} NAT gateways in `{env}`; one is enough outside production",
                    nats.len()
                ),
            )
            .label("an extra NAT gateway")
            .secondary(
                first.name_span,
                format!("`{}` can serve every zone", first.name),
            )
            .help(format!(
                "delete `{}` and route its subnets through `{}` (or create it only when `prod`)",
                extra.name, first.name
            ));
        }
    }
}
