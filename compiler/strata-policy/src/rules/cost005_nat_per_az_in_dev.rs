use super::prelude::*;
use std::collections::BTreeMap;

rule! {
    /// ## What it checks
    /// More than one NAT gateway in a stack of a non-production environment (one per
    /// availability zone): `aws.ec2.NatGateway`, `cfn.AWS.EC2.NatGateway`, `tf.aws_nat_gateway`.
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
        reads: || READS,
        check: Check::Model(check),
    }
}

/// The NAT gateway types: each resource of one is a gateway (billed per hour).
#[rustfmt::skip]
static READS: &[Read] = &[
    part("aws.ec2.NatGateway", "", "NAT gateway"),
    part("cfn.AWS.EC2.NatGateway", "", "NAT gateway"),
    part("tf.aws_nat_gateway", "", "NAT gateway"),
];

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    let f = cx.facts;
    // NAT gateways per (stack, environment), in declaration order.
    let mut groups: BTreeMap<(Option<usize>, String), Vec<&Resource>> = BTreeMap::new();
    for r in &cx.model.resources {
        if f.superseded.contains(r.id)
            || !f.is_non_prod(r.id)
            || !READS.iter().any(|x| x.ty == r.ty)
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
