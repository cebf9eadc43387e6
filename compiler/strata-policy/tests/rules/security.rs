use super::Case;
use strata_graph::testkit::*;

fn container(
    name: &str,
    image: &str,
    extra: Vec<(&str, strata_model::Value)>,
) -> strata_model::Value {
    let mut m = std::collections::BTreeMap::new();
    m.insert("name".to_string(), v(name));
    m.insert("image".to_string(), v(image));
    for (k, x) in extra {
        m.insert(k.to_string(), x);
    }
    strata_model::Value::Record(m)
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            code: "SEC023",
            bad: |f| {
                f.resource("net", "gcp.compute.Network", |_| {});
                f.resource("subnet", "gcp.compute.Subnetwork", |r| {
                    r.set("network", refer("net"))
                        .set("cidr", cidr("10.0.0.0/24"))
                        .set("flow_logs", false);
                });
            },
            good: |f| {
                f.resource("net", "gcp.compute.Network", |_| {});
                f.resource("subnet", "gcp.compute.Subnetwork", |r| {
                    r.set("network", refer("net"))
                        .set("cidr", cidr("10.0.0.0/24"));
                });
                // Nothing to write for an AWS VPC in Strata yet: not flagged.
                f.resource("vpc", "aws.ec2.Vpc", |r| {
                    r.set("cidr", cidr("10.0.0.0/16"));
                });
            },
        },
        Case {
            code: "SEC060",
            bad: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |_| {});
                f.resource("tg", "aws.elbv2.TargetGroup", |r| {
                    r.set("port", 8080);
                });
                f.resource("http", "aws.elbv2.Listener", |r| {
                    r.set("load_balancer", refer("lb"))
                        .set("port", 80)
                        .set("protocol", "HTTP")
                        .set("forward", refer("tg"));
                });
            },
            good: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |_| {});
                f.resource("tg", "aws.elbv2.TargetGroup", |r| {
                    r.set("port", 8080);
                });
                f.resource("http", "aws.elbv2.Listener", |r| {
                    r.set("load_balancer", refer("lb"))
                        .set("port", 80)
                        .set("protocol", "HTTP")
                        .set("redirect_https", true);
                });
                f.resource("https", "aws.elbv2.Listener", |r| {
                    r.set("load_balancer", refer("lb"))
                        .set("forward", refer("tg"))
                        .set(
                            "certificate",
                            "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                        );
                });
                f.resource("web", "k8s.Deployment", |r| {
                    r.set("containers", list([container("web", "web:1.0", vec![])]));
                });
                f.resource("web_svc", "k8s.Service", |r| {
                    r.set("target", refer("web"))
                        .set("ports", list([rec([("port", v(80))])]));
                });
                // The stdlib's ingress always writes `tls` (its secret is `NAME-tls` when unset):
                // neither ingress serves plain HTTP.
                f.resource("web_ingress", "k8s.Ingress", |r| {
                    r.set("host", "shop.example.com")
                        .set("service", refer("web_svc"))
                        .set("service_port", 80);
                });
                f.resource("api_ingress", "k8s.Ingress", |r| {
                    r.set("host", "api.example.com")
                        .set("service", refer("web_svc"))
                        .set("service_port", 80)
                        .set("tls_secret", "api-tls");
                });
            },
        },
        Case {
            code: "SEC061",
            bad: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |_| {});
                f.resource("https", "aws.elbv2.Listener", |r| {
                    r.set("load_balancer", refer("lb"))
                        .set("ssl_policy", "ELBSecurityPolicy-2016-08");
                });
            },
            good: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |_| {});
                f.resource("https", "aws.elbv2.Listener", |r| {
                    r.set("load_balancer", refer("lb"));
                });
            },
        },
        Case {
            code: "SEC062",
            bad: |f| {
                // A CDN of a project schema that has the setting (the stdlib's always redirect).
                f.resource("cdn", "acme.Cdn", |r| {
                    r.set("viewer_protocol_policy", "allow-all");
                });
            },
            good: |f| {
                f.resource("cdn", "acme.Cdn", |r| {
                    r.set("viewer_protocol_policy", "redirect-to-https");
                });
                f.resource("dist", "aws.cloudfront.Distribution", |_| {});
            },
        },
        Case {
            code: "SEC063",
            bad: |f| {
                f.resource("lb", "aws.elbv2.LoadBalancer", |_| {});
            },
            good: |f| {
                f.resource("logs", "aws.s3.Bucket", |_| {});
                f.resource("lb", "aws.elbv2.LoadBalancer", |r| {
                    r.set("access_logs", rec([("bucket", refer("logs"))]));
                });
                f.resource("internal", "aws.elbv2.LoadBalancer", |r| {
                    r.set("internal", true);
                });
            },
        },
        Case {
            code: "SEC088",
            bad: |f| {
                f.resource("shop", "k8s.Namespace", |r| {
                    r.set("name", "shop");
                });
                f.resource("web", "k8s.Deployment", |r| {
                    r.set("namespace", "shop")
                        .set("containers", list([container("web", "web:1.0", vec![])]));
                });
            },
            good: |f| {
                f.resource("shop", "k8s.Namespace", |r| {
                    r.set("name", "shop");
                });
                f.resource("web", "k8s.Deployment", |r| {
                    r.set("namespace", "shop")
                        .set("containers", list([container("web", "web:1.0", vec![])]));
                });
                f.resource("shop_default_deny", "k8s.NetworkPolicy", |r| {
                    r.set("namespace", "shop");
                });
            },
        },
        Case {
            code: "SEC100",
            bad: |f| {
                f.resource("api", "aws.ecs.Service", |r| {
                    r.set("public_ip", true);
                });
                f.resource("vm", "gcp.compute.Instance", |r| {
                    r.set(
                        "access_config",
                        list([rec([("network_tier", v("PREMIUM"))])]),
                    );
                });
            },
            good: |f| {
                f.resource("api", "aws.ecs.Service", |_| {});
                f.resource("vm", "gcp.compute.Instance", |r| {
                    r.set("machine_type", "e2-medium");
                });
            },
        },
        Case {
            code: "SEC101",
            bad: |f| {
                f.resource("worker", "aws.ec2.Instance", |r| {
                    r.set("metadata_http_tokens", "optional");
                });
            },
            good: |f| {
                f.resource("worker", "aws.ec2.Instance", |r| {
                    r.set("metadata_http_tokens", "required");
                });
            },
        },
        Case {
            code: "SEC102",
            bad: |f| {
                f.resource("data", "aws.ec2.Volume", |r| {
                    r.set("size", gib(100.0)).set("encrypted", false);
                });
            },
            good: |f| {
                f.resource("data", "aws.ec2.Volume", |r| {
                    r.set("size", gib(100.0)).set("encrypted", true);
                });
            },
        },
        Case {
            code: "SEC103",
            bad: |f| {
                f.resource("worker", "gcp.run.Service", |r| {
                    r.set("allow_unauthenticated", true);
                });
            },
            good: |f| {
                f.resource("worker", "gcp.run.Service", |r| {
                    r.set("allow_unauthenticated", false);
                });
            },
        },
        Case {
            code: "SEC110",
            bad: |f| {
                f.resource("api_logs", "aws.logs.LogGroup", |r| {
                    r.set("retention", days(30.0));
                });
            },
            good: |f| {
                f.resource("api_logs", "aws.logs.LogGroup", |_| {});
            },
        },
        Case {
            code: "SEC120",
            bad: |f| {
                f.resource("images", "aws.ecr.Repository", |r| {
                    r.set("scan_on_push", false);
                });
            },
            good: |f| {
                f.resource("images", "aws.ecr.Repository", |_| {});
            },
        },
        Case {
            code: "SEC121",
            bad: |f| {
                f.resource("images", "aws.ecr.Repository", |r| {
                    r.set("immutable_tags", false);
                });
            },
            good: |f| {
                f.resource("images", "aws.ecr.Repository", |_| {});
            },
        },
        Case {
            code: "SEC130",
            bad: |f| {
                f.resource("token", "gcp.secretmanager.Secret", |r| {
                    r.set("secret_name", "api-token");
                });
            },
            good: |f| {
                f.resource("rotations", "gcp.pubsub.Topic", |_| {});
                f.resource("token", "gcp.secretmanager.Secret", |r| {
                    r.set("secret_name", "api-token").set(
                        "rotation",
                        rec([
                            ("period", days(30.0)),
                            ("next", v("2026-12-01T00:00:00Z")),
                            ("topic", refer("rotations")),
                        ]),
                    );
                });
                // The Secrets Manager schema has no rotation setting yet: nothing to ask for.
                f.resource("db_password", "aws.secretsmanager.Secret", |_| {});
            },
        },
    ]
}
