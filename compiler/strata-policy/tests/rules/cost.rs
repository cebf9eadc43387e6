use super::Case;
use strata_graph::testkit::*;
use strata_model::Provider;

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            code: "COST001",
            bad: |f| {
                f.stack("shop", Provider::Aws, |s| {
                    s.set("region", "us-east-1").budget(100.0);
                });
                f.resource("db", "aws.rds.DBInstance", |r| {
                    r.set("instance_class", "db.r6g.xlarge")
                        .set("allocated_storage", gib(100.0));
                });
                f.resource("key", "aws.kms.Key", |r| {
                    r.set("rotation", true);
                });
            },
            good: |f| {
                f.stack("shop", Provider::Aws, |s| {
                    s.set("region", "us-east-1").budget(100.0);
                });
                f.resource("db", "aws.rds.DBInstance", |r| {
                    r.set("instance_class", "db.t4g.medium")
                        .set("allocated_storage", gib(100.0));
                });
                // A stack without a budget is never over it.
                f.stack("free", Provider::Aws, |s| {
                    s.set("region", "us-east-1");
                });
                f.resource("big", "aws.rds.DBInstance", |r| {
                    r.stack(1).set("instance_class", "db.r6g.2xlarge");
                });
            },
        },
        Case {
            code: "COST005",
            bad: |f| {
                f.env("dev");
                f.resource("nat_a", "aws.ec2.NatGateway", |r| {
                    r.set("tags", rec([("zone", v("a"))]));
                });
                f.resource("nat_b", "aws.ec2.NatGateway", |r| {
                    r.set("tags", rec([("zone", v("a"))]));
                });
            },
            good: |f| {
                f.env("prod");
                f.resource("nat_a", "aws.ec2.NatGateway", |r| {
                    r.set("tags", rec([("zone", v("a"))]));
                });
                f.resource("nat_b", "aws.ec2.NatGateway", |r| {
                    r.set("tags", rec([("zone", v("a"))]));
                });
            },
        },
    ]
}
