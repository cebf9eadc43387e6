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
            code: "COST002",
            bad: |f| {
                f.env("dev");
                f.resource("db", "aws.rds.DBInstance", |r| {
                    r.set("instance_class", "db.r6g.2xlarge");
                });
                f.resource("vm", "gcp.compute.Instance", |r| {
                    r.set("machine_type", "n2-standard-8");
                });
            },
            good: |f| {
                f.env("dev");
                f.resource("db", "aws.rds.DBInstance", |r| {
                    r.set("instance_class", "db.t4g.medium");
                });
                f.resource("sql", "gcp.sql.DatabaseInstance", |r| {
                    r.set("tier", "db-custom-2-7680");
                });
            },
        },
        Case {
            code: "COST003",
            bad: |f| {
                f.env("staging");
                f.resource("db", "aws.rds.DBInstance", |r| {
                    r.set("multi_az", true);
                });
                f.resource("sql", "gcp.sql.DatabaseInstance", |r| {
                    r.set("availability_type", "REGIONAL");
                });
            },
            good: |f| {
                f.env("prod");
                f.resource("db", "aws.rds.DBInstance", |r| {
                    r.set("multi_az", true);
                });
            },
        },
        Case {
            code: "COST004",
            bad: |f| {
                f.env("dev");
                f.resource("cache", "aws.elasticache.ReplicationGroup", |r| {
                    r.set("replicas", 2);
                });
            },
            good: |f| {
                f.env("dev");
                f.resource("cache", "aws.elasticache.ReplicationGroup", |r| {
                    r.set("replicas", 0);
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
        Case {
            code: "COST006",
            bad: |f| {
                f.resource("uploads", "aws.s3.Bucket", |r| {
                    r.set("versioning", true);
                });
            },
            good: |f| {
                f.resource("uploads", "aws.s3.Bucket", |r| {
                    r.set("versioning", true).set(
                        "lifecycle",
                        list([rec([
                            ("after", days(90.0)),
                            ("storage_class", v("GLACIER")),
                        ])]),
                    );
                });
            },
        },
    ]
}
