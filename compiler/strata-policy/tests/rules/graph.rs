use super::Case;
use strata_graph::testkit::*;
use strata_model::Provider;

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            code: "GRAPH001",
            bad: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |r| {
                    r.set("scheme", "internet-facing");
                });
                f.resource("tg", "aws.elbv2.TargetGroup", |r| {
                    r.set("load_balancer", refer("lb")).set("target", refer_attr("db", "address"));
                });
                f.resource("listener", "aws.elbv2.Listener", |r| {
                    r.set("load_balancer", refer("lb")).set("target_group", refer("tg"));
                });
                f.resource("db", "aws.rds.DBInstance", |r| {
                    r.set("instance_class", "db.t4g.medium");
                });
                // lb → listener is not an edge here; make the path explicit from lb.
                f.resource("cdn", "aws.cloudfront.Distribution", |r| {
                    r.set("origin", refer("cache"));
                });
                f.resource("cache", "aws.elasticache.ReplicationGroup", |r| {
                    r.set("node_type", "cache.t4g.small");
                });
            },
            good: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |r| {
                    r.set("scheme", "internet-facing").set("target", refer("api"));
                });
                f.resource("api", "aws.ecs.Service", |r| {
                    r.set("env", rec([("DATABASE_URL", refer_attr("db", "url"))]));
                });
                f.resource("db", "aws.rds.DBInstance", |r| {
                    r.set("instance_class", "db.t4g.medium");
                });
                f.resource("internal", "aws.elbv2.LoadBalancer", |r| {
                    r.set("scheme", "internal").set("target", refer("db"));
                });
            },
        },
        Case {
            code: "GRAPH002",
            bad: |f| {
                f.stack("prod", Provider::Aws, |s| {
                    s.set("region", "us-east-1").tag("env", "prod");
                });
                f.stack("staging", Provider::Aws, |s| {
                    s.set("region", "us-east-1").tag("env", "staging");
                });
                f.resource("jobs", "aws.sqs.Queue", |r| {
                    r.stack(1);
                });
                f.resource("api", "aws.ecs.Service", |r| {
                    r.stack(0).set("env", rec([("QUEUE", refer_attr("jobs", "url"))]));
                });
            },
            good: |f| {
                f.stack("prod", Provider::Aws, |s| {
                    s.set("region", "us-east-1").tag("env", "prod");
                });
                f.stack("staging", Provider::Aws, |s| {
                    s.set("region", "us-east-1").tag("env", "staging");
                });
                f.resource("jobs", "aws.sqs.Queue", |r| {
                    r.stack(0);
                });
                f.resource("api", "aws.ecs.Service", |r| {
                    r.stack(0).set("env", rec([("QUEUE", refer_attr("jobs", "url"))]));
                });
                // Staging may use production's shared key? No: only prod → non-prod is flagged.
                f.resource("staging_api", "aws.ecs.Service", |r| {
                    r.stack(1).set("env", rec([("QUEUE", refer_attr("jobs", "url"))]));
                });
            },
        },
        Case {
            code: "GRAPH003",
            bad: |f| {
                f.stack("eu", Provider::Aws, |s| {
                    s.set("region", "eu-west-1");
                });
                f.resource("us_copy", "aws.s3.Bucket", |r| {
                    r.set("region", "us-east-1");
                });
                f.resource("uploads", "aws.s3.Bucket", |r| {
                    r.set("replication", rec([("destination", refer("us_copy"))]));
                });
            },
            good: |f| {
                f.stack("eu", Provider::Aws, |s| {
                    s.set("region", "eu-west-1");
                });
                f.resource("copy", "aws.s3.Bucket", |r| {
                    r.set("region", "eu-west-1");
                });
                f.resource("uploads", "aws.s3.Bucket", |r| {
                    r.set("replication", rec([("destination", refer("copy"))]));
                });
                // Different spelling of the same region on another provider is not a crossing.
                f.resource("gcs", "gcp.storage.Bucket", |r| {
                    r.set("location", "eu-west1").set("notify", refer("uploads"));
                });
            },
        },
        Case {
            code: "GRAPH004",
            bad: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |r| {
                    r.set("scheme", "internet-facing");
                });
                f.resource("cdn", "gcp.compute.GlobalForwardingRule", |r| {
                    r.set("load_balancing_scheme", "EXTERNAL_MANAGED");
                });
            },
            good: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |r| {
                    r.set("scheme", "internet-facing");
                });
                f.resource("waf", "aws.wafv2.WebACL", |r| {
                    r.set("scope", "REGIONAL");
                });
                f.resource("assoc", "aws.wafv2.WebACLAssociation", |r| {
                    r.set("resource", refer("lb")).set("web_acl", refer("waf"));
                });
                f.resource("nlb", "aws.elbv2.LoadBalancer", |r| {
                    r.set("type", "network");
                });
                f.resource("internal", "aws.elbv2.LoadBalancer", |r| {
                    r.set("scheme", "internal");
                });
            },
        },
        Case {
            code: "GRAPH005",
            bad: |f| {
                f.resource("key", "aws.kms.Key", |r| {
                    r.set("rotation", true);
                });
                f.resource("uploads", "aws.s3.Bucket", |r| {
                    r.set("versioning", true);
                });
                f.resource("sg", "aws.ec2.SecurityGroup", |r| {
                    r.set("description", "unused");
                });
            },
            good: |f| {
                f.resource("key", "aws.kms.Key", |r| {
                    r.set("rotation", true);
                });
                f.resource("uploads", "aws.s3.Bucket", |r| {
                    r.set("encryption", refer("key"));
                });
                f.resource("vpc", "aws.ec2.Vpc", |r| {
                    r.set("cidr", cidr("10.0.0.0/16"));
                });
                f.resource("sg", "aws.ec2.SecurityGroup", |r| {
                    r.set("vpc", refer("vpc"));
                });
            },
        },
    ]
}
