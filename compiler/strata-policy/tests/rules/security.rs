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

fn hardened() -> strata_model::Value {
    rec([
        ("run_as_non_root", v(true)),
        ("run_as_user", v(10001)),
        ("read_only_root_filesystem", v(true)),
        ("allow_privilege_escalation", v(false)),
        ("privileged", v(false)),
        ("capabilities", rec([("drop", list([v("ALL")]))])),
    ])
}

fn limits() -> strata_model::Value {
    rec([("limits", rec([("cpu", v("500m")), ("memory", v("512Mi"))]))])
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            code: "SEC020",
            bad: |f| {
                f.resource("sg", "aws.ec2.SecurityGroup", |r| {
                    r.set(
                        "ingress",
                        list([rec([("port", v(22)), ("cidr", cidr("0.0.0.0/0"))])]),
                    );
                });
                f.resource("rdp", "gcp.compute.Firewall", |r| {
                    r.set("ports", list([v("3389")]))
                        .set("source_ranges", list([cidr("0.0.0.0/0")]));
                });
            },
            good: |f| {
                f.resource("sg", "aws.ec2.SecurityGroup", |r| {
                    r.set(
                        "ingress",
                        list([
                            rec([("port", v(22)), ("cidr", cidr("10.20.0.0/24"))]),
                            rec([("port", v(443)), ("cidr", cidr("0.0.0.0/0"))]),
                        ]),
                    )
                    .set(
                        "egress",
                        list([rec([("port", v(22)), ("cidr", cidr("0.0.0.0/0"))])]),
                    );
                });
                f.resource("ssh_out", "gcp.compute.Firewall", |r| {
                    r.set("direction", "EGRESS")
                        .set("ports", list([v("22")]))
                        .set("destination_ranges", list([cidr("0.0.0.0/0")]));
                });
                f.resource("deny_rdp", "gcp.compute.Firewall", |r| {
                    r.set("action", "deny")
                        .set("ports", list([v("3389")]))
                        .set("source_ranges", list([cidr("0.0.0.0/0")]));
                });
            },
        },
        Case {
            code: "SEC021",
            bad: |f| {
                f.resource("db_sg", "aws.ec2.SecurityGroup", |r| {
                    r.set(
                        "ingress",
                        list([rec([
                            ("from_port", v(5400)),
                            ("to_port", v(5500)),
                            ("cidr", cidr("0.0.0.0/0")),
                        ])]),
                    );
                });
                f.resource("redis", "azure.network.NetworkSecurityGroup", |r| {
                    r.set(
                        "security_rules",
                        list([rec([
                            ("name", v("redis")),
                            ("priority", v(100)),
                            ("destination_port_range", v("6379")),
                            ("source_address_prefix", v("*")),
                        ])]),
                    );
                });
            },
            good: |f| {
                f.resource("db_sg", "aws.ec2.SecurityGroup", |r| {
                    r.set(
                        "ingress",
                        list([rec([("port", v(5432)), ("cidr", cidr("10.0.1.0/24"))])]),
                    );
                });
                f.resource("redis", "azure.network.NetworkSecurityGroup", |r| {
                    r.set(
                        "security_rules",
                        list([
                            rec([
                                ("name", v("deny-redis")),
                                ("priority", v(100)),
                                ("access", v("Deny")),
                                ("destination_port_range", v("6379")),
                                ("source_address_prefix", v("*")),
                            ]),
                            rec([
                                ("name", v("vnet-redis")),
                                ("priority", v(110)),
                                ("destination_port_range", v("6379")),
                            ]),
                        ]),
                    );
                });
            },
        },
        Case {
            code: "SEC022",
            bad: |f| {
                f.resource("sg", "aws.ec2.SecurityGroup", |r| {
                    r.set(
                        "ingress",
                        list([rec([("protocol", v("-1")), ("cidr", cidr("0.0.0.0/0"))])]),
                    );
                });
                f.resource("v6", "aws.ec2.SecurityGroup", |r| {
                    r.set(
                        "ingress",
                        list([rec([
                            ("from_port", v(0)),
                            ("to_port", v(65535)),
                            ("cidr", cidr("::/0")),
                        ])]),
                    );
                });
                // A GCP firewall rule without ports allows every port of its protocol.
                f.resource("open", "gcp.compute.Firewall", |r| {
                    r.set("source_ranges", list([cidr("0.0.0.0/0")]));
                });
            },
            good: |f| {
                f.resource("sg", "aws.ec2.SecurityGroup", |r| {
                    r.set(
                        "ingress",
                        list([
                            rec([("port", v(443)), ("cidr", cidr("0.0.0.0/0"))]),
                            rec([("protocol", v("-1")), ("cidr", cidr("10.0.0.0/16"))]),
                        ]),
                    );
                });
            },
        },
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
            code: "SEC030",
            bad: |f| {
                f.resource("app", "aws.iam.Role", |r| {
                    r.set(
                        "assumed_by",
                        rec([("service", list([v("ecs-tasks.amazonaws.com")]))]),
                    )
                    .set(
                        "policies",
                        rec([(
                            "s3",
                            list([rec([
                                ("actions", list([v("s3:*")])),
                                ("resources", list([v("arn:aws:s3:::uploads/*")])),
                            ])]),
                        )]),
                    );
                });
                f.resource("admin", "aws.iam.Policy", |r| {
                    r.set(
                        "statements",
                        list([rec([
                            ("effect", v("Allow")),
                            ("actions", list([v("*")])),
                            ("resources", list([v("*")])),
                        ])]),
                    );
                });
            },
            good: |f| {
                f.resource("app", "aws.iam.Role", |r| {
                    r.set(
                        "assumed_by",
                        rec([("service", list([v("ecs-tasks.amazonaws.com")]))]),
                    )
                    .set(
                        "policies",
                        rec([(
                            "s3",
                            list([rec([
                                ("actions", list([v("s3:GetObject"), v("s3:PutObject")])),
                                ("resources", list([v("arn:aws:s3:::uploads/*")])),
                            ])]),
                        )]),
                    );
                });
                f.resource("deny_all", "aws.iam.Policy", |r| {
                    r.set(
                        "statements",
                        list([rec([
                            ("effect", v("Deny")),
                            ("actions", list([v("*")])),
                            ("resources", list([v("*")])),
                        ])]),
                    );
                });
            },
        },
        Case {
            code: "SEC031",
            bad: |f| {
                f.resource("jobs", "aws.sqs.Queue", |_| {});
                f.resource("sender", "aws.iam.Policy", |r| {
                    r.set(
                        "statements",
                        list([rec([
                            ("actions", list([v("sqs:SendMessage")])),
                            ("resources", list([v("*")])),
                        ])]),
                    );
                });
            },
            good: |f| {
                f.resource("jobs", "aws.sqs.Queue", |_| {});
                f.resource("sender", "aws.iam.Policy", |r| {
                    r.set(
                        "statements",
                        list([
                            rec([
                                ("actions", list([v("sqs:SendMessage")])),
                                ("resources", list([refer_attr("jobs", "arn")])),
                            ]),
                            rec([
                                (
                                    "actions",
                                    list([v("ec2:DescribeInstances"), v("sts:GetCallerIdentity")]),
                                ),
                                ("resources", list([v("*")])),
                            ]),
                        ]),
                    );
                });
            },
        },
        Case {
            code: "SEC032",
            bad: |f| {
                f.resource("api_role", "aws.iam.Role", |r| {
                    r.set(
                        "assumed_by",
                        rec([("service", list([v("ecs-tasks.amazonaws.com")]))]),
                    )
                    .set(
                        "managed_policies",
                        list([v("arn:aws:iam::aws:policy/AdministratorAccess")]),
                    );
                });
                f.resource("ci", "gcp.iam.ServiceAccount", |r| {
                    r.set(
                        "roles",
                        list([v("roles/storage.objectViewer"), v("roles/editor")]),
                    );
                });
            },
            good: |f| {
                f.resource("api_role", "aws.iam.Role", |r| {
                    r.set(
                        "assumed_by",
                        rec([("service", list([v("ecs-tasks.amazonaws.com")]))]),
                    )
                    .set(
                        "managed_policies",
                        list([v("arn:aws:iam::aws:policy/ReadOnlyAccess")]),
                    );
                });
                f.resource("ci", "gcp.iam.ServiceAccount", |r| {
                    r.set("roles", list([v("roles/storage.objectViewer")]));
                });
            },
        },
        Case {
            code: "SEC033",
            bad: |f| {
                f.resource("ci", "aws.iam.Role", |r| {
                    r.set("assumed_by", rec([("aws", list([v("*")]))]));
                });
            },
            good: |f| {
                f.resource("ci", "aws.iam.Role", |r| {
                    r.set(
                        "assumed_by",
                        rec([("aws", list([v("arn:aws:iam::123456789012:root")]))]),
                    );
                });
            },
        },
        Case {
            code: "SEC040",
            bad: |f| {
                f.resource("key", "aws.kms.Key", |r| {
                    r.set("rotation", false);
                });
                f.resource("gkey", "gcp.kms.CryptoKey", |r| {
                    r.set("rotation_period", days(365.0));
                });
            },
            good: |f| {
                f.resource("key", "aws.kms.Key", |_| {});
                f.resource("signing", "aws.kms.Key", |r| {
                    r.set("rotation", false).set("key_spec", "RSA_2048");
                });
                f.resource("gkey", "gcp.kms.CryptoKey", |r| {
                    r.set("rotation_period", days(90.0));
                });
                // A key ring holds keys; it has nothing to rotate.
                f.resource("ring", "gcp.kms.KeyRing", |_| {});
            },
        },
        Case {
            code: "SEC041",
            bad: |f| {
                f.resource("vault", "azure.keyvault.Vault", |r| {
                    r.set("purge_protection", false);
                });
            },
            good: |f| {
                f.resource("vault", "azure.keyvault.Vault", |r| {
                    r.set("purge_protection", true);
                });
                f.resource("key", "aws.kms.Key", |_| {});
            },
        },
        Case {
            code: "SEC050",
            bad: |f| {
                f.resource("events", "aws.sns.Topic", |r| {
                    r.set("topic_name", "events");
                });
            },
            good: |f| {
                // SQS encrypts with SQS-managed keys when no KMS key is given.
                f.resource("jobs", "aws.sqs.Queue", |_| {});
                f.resource("key", "aws.kms.Key", |_| {});
                f.resource("events", "aws.sns.Topic", |r| {
                    r.set("kms_key", refer("key"));
                });
            },
        },
        Case {
            code: "SEC051",
            bad: |f| {
                f.resource("cache", "aws.elasticache.ReplicationGroup", |r| {
                    r.set("transit_encryption", false);
                });
                f.resource("sessions", "gcp.redis.Instance", |r| {
                    r.set("transit_encryption_mode", "DISABLED");
                });
            },
            good: |f| {
                f.resource("cache", "aws.elasticache.ReplicationGroup", |_| {});
                f.resource("sessions", "gcp.redis.Instance", |r| {
                    r.set("transit_encryption_mode", "SERVER_AUTHENTICATION");
                });
            },
        },
        Case {
            code: "SEC052",
            bad: |f| {
                f.resource("cache", "aws.elasticache.ReplicationGroup", |r| {
                    r.set("at_rest_encryption", false);
                });
            },
            good: |f| {
                f.resource("cache", "aws.elasticache.ReplicationGroup", |_| {});
            },
        },
        Case {
            code: "SEC053",
            bad: |f| {
                f.resource("sessions", "gcp.redis.Instance", |r| {
                    r.set("auth_enabled", false);
                });
                // The stdlib's ElastiCache schema cannot set an AUTH token: never authenticated.
                f.resource("cache", "aws.elasticache.ReplicationGroup", |_| {});
                f.resource("plain", "aws.elasticache.ReplicationGroup", |r| {
                    r.set("transit_encryption", false);
                });
            },
            good: |f| {
                f.resource("sessions", "gcp.redis.Instance", |r| {
                    r.set("auth_enabled", true);
                });
                // Memorystore's default is AUTH on.
                f.resource("reports", "gcp.redis.Instance", |_| {});
                // A cache type of another schema with AUTH on.
                f.resource("tokens", "acme.Redis", |r| {
                    r.set("auth", true);
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
            code: "SEC070",
            bad: |f| {
                f.resource("eks", "aws.eks.Cluster", |r| {
                    r.set("endpoint_public", true);
                });
                f.resource("gke", "gcp.container.Cluster", |r| {
                    r.set("private_endpoint", false);
                });
            },
            good: |f| {
                f.resource("eks", "aws.eks.Cluster", |_| {});
                f.resource("ci_eks", "aws.eks.Cluster", |r| {
                    r.set("endpoint_public", true)
                        .set("public_cidrs", list([cidr("203.0.113.0/24")]));
                });
                f.resource("gke", "gcp.container.Cluster", |r| {
                    r.set("private_endpoint", false).set(
                        "master_authorized_networks",
                        list([rec([("cidr_block", cidr("10.0.0.0/8"))])]),
                    );
                });
            },
        },
        Case {
            code: "SEC071",
            bad: |f| {
                f.resource("eks", "aws.eks.Cluster", |_| {});
            },
            good: |f| {
                f.resource("key", "aws.kms.Key", |_| {});
                f.resource("eks", "aws.eks.Cluster", |r| {
                    r.set("secrets_key", refer("key"));
                });
            },
        },
        Case {
            code: "SEC072",
            bad: |f| {
                f.resource("eks", "aws.eks.Cluster", |r| {
                    r.set("log_types", Vec::<&str>::new());
                });
            },
            good: |f| {
                f.resource("eks", "aws.eks.Cluster", |_| {});
            },
        },
        Case {
            code: "SEC080",
            bad: |f| {
                f.resource("tools", "k8s.Namespace", |r| {
                    r.set("pod_security", "privileged");
                });
                // A workload schema with a security context (not the stdlib's).
                f.resource("agent", "k8s.Job", |r| {
                    r.set(
                        "containers",
                        list([container(
                            "agent",
                            "agent:2.1",
                            vec![("security_context", rec([("privileged", v(true))]))],
                        )]),
                    );
                });
            },
            good: |f| {
                f.resource("tools", "k8s.Namespace", |_| {});
                f.resource("web", "k8s.Deployment", |r| {
                    r.set("containers", list([container("web", "nginx:1.27", vec![])]));
                });
                f.resource("agent", "k8s.Job", |r| {
                    r.set(
                        "containers",
                        list([container(
                            "agent",
                            "agent:2.1",
                            vec![("security_context", hardened())],
                        )]),
                    );
                });
            },
        },
        Case {
            code: "SEC081",
            bad: |f| {
                f.resource("shop", "k8s.Namespace", |r| {
                    r.set("pod_security", "baseline");
                });
                f.resource("agent", "k8s.Job", |r| {
                    r.set(
                        "containers",
                        list([
                            container("agent", "agent:2.1", vec![]),
                            container(
                                "sidecar",
                                "envoy:1.31",
                                vec![("security_context", rec([("run_as_user", v(0))]))],
                            ),
                        ]),
                    );
                });
            },
            good: |f| {
                f.resource("shop", "k8s.Namespace", |r| {
                    r.set("pod_security", "restricted");
                });
                // The stdlib's containers always run as a non-root user.
                f.resource("web", "k8s.Deployment", |r| {
                    r.set("containers", list([container("web", "nginx:1.27", vec![])]));
                });
                f.resource("agent", "k8s.Job", |r| {
                    r.set("pod_security_context", rec([("run_as_non_root", v(true))]))
                        .set(
                            "containers",
                            list([container("agent", "agent:2.1", vec![])]),
                        );
                });
            },
        },
        Case {
            code: "SEC082",
            bad: |f| {
                f.resource("agent", "k8s.DaemonSet", |r| {
                    r.set("host_network", true).set("host_pid", true).set(
                        "containers",
                        list([container("agent", "agent:2.1", vec![])]),
                    );
                });
            },
            good: |f| {
                f.resource("agent", "k8s.DaemonSet", |r| {
                    r.set("host_network", false).set(
                        "containers",
                        list([container("agent", "agent:2.1", vec![])]),
                    );
                });
            },
        },
        Case {
            code: "SEC083",
            bad: |f| {
                f.resource("batch", "k8s.Job", |r| {
                    r.set(
                        "containers",
                        list([container(
                            "batch",
                            "batch:1.0",
                            vec![(
                                "resources",
                                rec([("limits", rec([("memory", v("512Mi"))]))]),
                            )],
                        )]),
                    );
                });
            },
            good: |f| {
                f.resource("batch", "k8s.Job", |r| {
                    r.set(
                        "containers",
                        list([container(
                            "batch",
                            "batch:1.0",
                            vec![("resources", limits())],
                        )]),
                    );
                });
                // The stdlib's containers always get limits (`cpu_limit` defaults to `cpu`).
                f.resource("web", "k8s.Deployment", |r| {
                    r.set("containers", list([container("web", "nginx:1.27", vec![])]));
                });
                // ECS containers share the task's size.
                f.resource("task", "aws.ecs.TaskDefinition", |r| {
                    r.set(
                        "containers",
                        list([container("api", "ghcr.io/acme/api:1.4.2", vec![])]),
                    );
                });
            },
        },
        Case {
            code: "SEC084",
            bad: |f| {
                f.resource("task", "aws.ecs.TaskDefinition", |r| {
                    r.set(
                        "containers",
                        list([container(
                            "api",
                            "ghcr.io/acme/api:1.4.2",
                            vec![("read_only_root", v(false))],
                        )]),
                    );
                });
                f.resource("web", "k8s.Deployment", |r| {
                    r.set(
                        "containers",
                        list([container(
                            "web",
                            "nginx:1.27",
                            vec![("read_only_root", v(false))],
                        )]),
                    );
                });
            },
            good: |f| {
                f.resource("task", "aws.ecs.TaskDefinition", |r| {
                    r.set(
                        "containers",
                        list([container("api", "ghcr.io/acme/api:1.4.2", vec![])]),
                    );
                });
                f.resource("web", "k8s.Deployment", |r| {
                    r.set("containers", list([container("web", "nginx:1.27", vec![])]));
                });
            },
        },
        Case {
            code: "SEC085",
            bad: |f| {
                f.resource("task", "aws.ecs.TaskDefinition", |r| {
                    r.set(
                        "containers",
                        list([container("api", "ghcr.io/acme/api", vec![])]),
                    );
                });
                f.resource("web", "k8s.Deployment", |r| {
                    r.set(
                        "containers",
                        list([container("web", "nginx:latest", vec![])]),
                    );
                });
                f.resource("site", "portable.Service", |r| {
                    r.set("image", "localhost:5000/site");
                });
            },
            good: |f| {
                f.resource("task", "aws.ecs.TaskDefinition", |r| {
                    r.set(
                        "containers",
                        list([container("api", "ghcr.io/acme/api:1.4.2", vec![])]),
                    );
                });
                f.resource("web", "k8s.Deployment", |r| {
                    r.set(
                        "containers",
                        list([container("web", "nginx@sha256:0123456789abcdef", vec![])]),
                    );
                });
                f.resource("site", "portable.Service", |r| {
                    r.set("image", "localhost:5000/site:3.1");
                });
            },
        },
        Case {
            code: "SEC086",
            bad: |f| {
                f.resource("worker", "aws.lambda.Function", |r| {
                    r.set(
                        "environment",
                        rec([
                            ("DB_PASSWORD", v("hunter22-prod")),
                            ("LOG_LEVEL", v("info")),
                        ]),
                    );
                });
                f.resource("web", "k8s.Deployment", |r| {
                    r.set(
                        "containers",
                        list([container(
                            "web",
                            "web:1.0",
                            vec![("env", rec([("API_TOKEN", v("tok_9f8e7d6c5b4a"))]))],
                        )]),
                    );
                });
            },
            good: |f| {
                f.resource("db_password", "aws.secretsmanager.Secret", |r| {
                    r.set("generate", rec([("length", v(32))]));
                });
                f.resource("worker", "aws.lambda.Function", |r| {
                    r.set(
                        "environment",
                        rec([
                            ("DB_PASSWORD_ARN", refer_attr("db_password", "arn")),
                            ("LOG_LEVEL", v("info")),
                            ("API_TOKEN", v("changeme")),
                        ]),
                    );
                });
                f.resource("api_token", "k8s.Secret", |_| {});
                f.resource("web", "k8s.Deployment", |r| {
                    r.set(
                        "containers",
                        list([container(
                            "web",
                            "web:1.0",
                            vec![(
                                "env_secrets",
                                rec([(
                                    "API_TOKEN",
                                    rec([("secret", refer("api_token")), ("key", v("token"))]),
                                )]),
                            )],
                        )]),
                    );
                });
            },
        },
        Case {
            code: "SEC087",
            bad: |f| {
                f.resource("vpn", "k8s.Job", |r| {
                    r.set(
                        "containers",
                        list([
                            container("web", "nginx:1.27", vec![]),
                            container(
                                "vpn",
                                "wireguard:1.0",
                                vec![(
                                    "security_context",
                                    rec([
                                        ("allow_privilege_escalation", v(false)),
                                        ("capabilities", rec([("add", list([v("NET_ADMIN")]))])),
                                    ]),
                                )],
                            ),
                        ]),
                    );
                });
            },
            good: |f| {
                f.resource("vpn", "k8s.Job", |r| {
                    r.set(
                        "containers",
                        list([container(
                            "web",
                            "nginx:1.27",
                            vec![("security_context", hardened())],
                        )]),
                    );
                });
                f.resource("web", "k8s.Deployment", |r| {
                    r.set("containers", list([container("web", "nginx:1.27", vec![])]));
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
            code: "SEC089",
            bad: |f| {
                f.resource("web_sa", "k8s.ServiceAccount", |r| {
                    r.set("automount_token", true);
                });
            },
            good: |f| {
                f.resource("web_sa", "k8s.ServiceAccount", |_| {});
            },
        },
        Case {
            code: "SEC095",
            bad: |f| {
                f.resource("etl", "acme.Job", |r| {
                    r.set(
                        "source",
                        "postgres://app:S3cretPassw0rd@db.internal:5432/app",
                    );
                });
                f.resource("hook", "acme.Webhook", |r| {
                    r.set("settings", rec([("api_key", v("k-93f8a7b6c5d4e3f2"))]));
                });
                f.resource("ci", "acme.Runner", |r| {
                    r.set("notes", "deploy with AKIAIOSFODNN7EXAMPLE");
                });
            },
            good: |f| {
                f.resource("db", "aws.rds.DBInstance", |_| {});
                f.resource("worker", "aws.lambda.Function", |r| {
                    r.set(
                        "environment",
                        rec([(
                            "DATABASE_URL",
                            interp(["postgres://app@", "@db.address", ":5432/app"]),
                        )]),
                    );
                });
                f.resource("hook", "acme.Webhook", |r| {
                    r.set(
                        "settings",
                        rec([
                            ("api_key_secret", refer_attr("db", "master_secret_arn")),
                            ("token_url", v("https://auth.example.com/token")),
                        ]),
                    );
                });
                // The name of the ingress's TLS Secret is not a credential.
                f.resource("web_ingress", "k8s.Ingress", |r| {
                    r.set("host", "shop.example.com")
                        .set("service_port", 80)
                        .set("tls_secret", "shop-example-com-tls");
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
