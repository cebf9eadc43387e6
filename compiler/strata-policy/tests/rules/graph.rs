use super::Case;
use strata_graph::testkit::*;
use strata_model::Provider;

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            code: "GRAPH001",
            bad: |f| {
                // A CDN whose origin is the database's address: no service in between.
                f.resource("db", "aws.rds.DBInstance", |r| {
                    r.set("instance_class", "db.t4g.medium");
                });
                f.resource("cdn", "aws.cloudfront.Distribution", |r| {
                    r.set("origin_domain", refer_attr("db", "address"));
                });
                // A public load balancer forwarding (through its listener and target group) to a
                // cache exposed by a user-defined proxy type.
                f.resource("lb", "aws.elbv2.LoadBalancer", |r| {
                    r.set("internal", false);
                });
                f.resource("tg", "aws.elbv2.TargetGroup", |r| {
                    r.set("port", 6379);
                });
                f.resource("listener", "aws.elbv2.Listener", |r| {
                    r.set("load_balancer", refer("lb"))
                        .set("forward", refer("tg"));
                });
                f.resource("cache", "aws.elasticache.ReplicationGroup", |r| {
                    r.set("node_type", "cache.t4g.small");
                });
                f.resource("attach", "acme.TargetGroupAttachment", |r| {
                    r.set("target_group", refer("tg"))
                        .set("target", refer_attr("cache", "primary_endpoint"));
                });
            },
            good: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |r| {
                    r.set("internal", false);
                });
                f.resource("tg", "aws.elbv2.TargetGroup", |r| {
                    r.set("port", 8080);
                });
                f.resource("listener", "aws.elbv2.Listener", |r| {
                    r.set("load_balancer", refer("lb"))
                        .set("forward", refer("tg"));
                });
                f.resource("db", "aws.rds.DBInstance", |r| {
                    r.set("instance_class", "db.t4g.medium");
                });
                f.resource("task", "aws.ecs.TaskDefinition", |r| {
                    r.set(
                        "containers",
                        list([rec([
                            ("name", v("api")),
                            ("image", v("ghcr.io/acme/api:1.4.2")),
                            (
                                "environment",
                                rec([("DB_HOST", refer_attr("db", "address"))]),
                            ),
                        ])]),
                    );
                });
                f.resource("api", "aws.ecs.Service", |r| {
                    r.set("task_definition", refer("task")).set(
                        "load_balancer",
                        rec([
                            ("target_group", refer("tg")),
                            ("container", v("api")),
                            ("port", v(8080)),
                        ]),
                    );
                });
                // An internal load balancer may front a database.
                f.resource("internal", "aws.elbv2.LoadBalancer", |r| {
                    r.set("internal", true);
                });
                f.resource("tg2", "aws.elbv2.TargetGroup", |r| {
                    r.set("port", 5432);
                });
                f.resource("listener2", "aws.elbv2.Listener", |r| {
                    r.set("load_balancer", refer("internal"))
                        .set("forward", refer("tg2"));
                });
                f.resource("attach", "acme.TargetGroupAttachment", |r| {
                    r.set("target_group", refer("tg2"))
                        .set("target", refer_attr("db", "address"));
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
                f.resource("worker", "aws.lambda.Function", |r| {
                    r.stack(0)
                        .set("environment", rec([("QUEUE", refer_attr("jobs", "url"))]));
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
                f.resource("worker", "aws.lambda.Function", |r| {
                    r.stack(0)
                        .set("environment", rec([("QUEUE", refer_attr("jobs", "url"))]));
                });
                // Only production depending on non-production is flagged.
                f.resource("staging_worker", "aws.lambda.Function", |r| {
                    r.stack(1)
                        .set("environment", rec([("QUEUE", refer_attr("jobs", "url"))]));
                });
            },
        },
        Case {
            code: "GRAPH003",
            bad: |f| {
                f.stack("eu", Provider::Aws, |s| {
                    s.set("region", "eu-west-1");
                });
                f.stack("us", Provider::Aws, |s| {
                    s.set("region", "us-east-1");
                });
                f.resource("uploads", "aws.s3.Bucket", |r| {
                    r.stack(0);
                });
                f.resource("thumbnailer", "aws.lambda.Function", |r| {
                    r.stack(1).set(
                        "environment",
                        rec([("BUCKET", refer_attr("uploads", "name"))]),
                    );
                });
            },
            good: |f| {
                f.stack("eu", Provider::Aws, |s| {
                    s.set("region", "eu-west-1");
                });
                f.resource("uploads", "aws.s3.Bucket", |_| {});
                f.resource("thumbnailer", "aws.lambda.Function", |r| {
                    r.set(
                        "environment",
                        rec([("BUCKET", refer_attr("uploads", "name"))]),
                    );
                });
            },
        },
        Case {
            code: "GRAPH004",
            bad: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |r| {
                    r.set("internal", false);
                });
                f.resource("cdn", "gcp.compute.GlobalForwardingRule", |r| {
                    r.set("scheme", "EXTERNAL_MANAGED");
                    r.set("target", "projects/p/global/targetHttpsProxies/web");
                    r.set("ip_address", "203.0.113.10");
                    r.set("port", 443);
                });
                // Cloud Run on its own URL: Cloud Armor cannot attach without a load balancer.
                f.resource("site", "gcp.run.Service", |r| {
                    r.set("image", "europe-docker.pkg.dev/p/r/site:1");
                    r.set("ingress", "all");
                    r.set("allow_unauthenticated", true);
                });
            },
            good: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |r| {
                    r.set("internal", false);
                });
                f.resource("waf", "aws.wafv2.WebACL", |r| {
                    r.set("load_balancers", list([refer("lb")]));
                });
                f.resource("cdn", "aws.cloudfront.Distribution", |r| {
                    r.set("waf", refer("cdn_waf"));
                });
                f.resource("cdn_waf", "aws.wafv2.WebACL", |r| {
                    r.set("scope", "CLOUDFRONT");
                });
                f.resource("internal", "aws.elbv2.LoadBalancer", |r| {
                    r.set("internal", true);
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
