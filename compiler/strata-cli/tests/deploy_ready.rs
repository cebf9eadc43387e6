//! What references imply, checked on the emitted files (issue 12, "Done when"):
//!
//! - `examples/deploy-ready/{aws,gcp,azure}` (an API referencing a bucket, a queue, a database, a
//!   cache and a secret's value, with autoscale; a worker referencing the queue, read only, and
//!   the database; nothing written by hand): each service's identity holds exactly the grants
//!   its references imply, the secret arrives through the platform, the database credential
//!   arrives, the stores admit the services' security groups (AWS) or the services have Direct
//!   VPC egress (GCP), autoscaling is emitted and the worker has no load balancer; on Azure each
//!   container app's identity holds exactly the built-in roles (by definition id) its references
//!   imply, scoped to the container, queue or Key Vault secret, the secret is a Key Vault
//!   reference, the database and cache are reached with Entra ID through the network (delegated
//!   subnet, private endpoint, each app's environment in a subnet of the same network) and the
//!   worker has no ingress;
//! - `tests/fixtures/function-intent` (a `Function` referencing a bucket, a queue, a secret's
//!   value, a database and a cache, `grants` narrowing one bucket and adding another) on AWS,
//!   GCP and Azure: the function's own identity holds exactly the grants its references imply
//!   (no wildcard, the code's bucket not among them), the secret arrives through the platform
//!   (GCP secret environment variable, Azure Key Vault reference; AWS: L0010), the database
//!   credential arrives (GCP IAM user, Azure Entra) and the private stores are reachable (AWS
//!   security groups, GCP VPC Access connector, Azure VNet integration);
//! - `tests/fixtures/k8s-intent` (portable services of a Kubernetes stack naming, in `grants`,
//!   a bucket, a queue, a database and a secret of an AWS or GCP stack): with the stack's
//!   `identity` (IRSA, GKE Workload Identity) each service's pods run as a ServiceAccount of
//!   their own bound to an IAM role or Google service account, in the cloud stack, holding
//!   exactly what the uses imply; without it, L0015;
//! - every example in `examples/` (every environment): no task role or execution role of a
//!   portable service grants a wildcard, every bucket, queue or secret an ECS container
//!   references is granted to its task (or, injected, its execution) role, and every database
//!   or cache it references admits the service's security group.

use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[path = "support/emitted.rs"]
mod emitted;
use emitted::*;

/// `strata compile examples/EXAMPLE --env ENV --out OUT`.
fn compile(example: &str, env: &str, out: &Path) {
    compile_project(
        Path::new(&format!("examples/{example}")),
        &["--env", env],
        out,
    );
}

// --- CloudFormation ---------------------------------------------------------------------

struct Template(BTreeMap<String, Json>);

impl Template {
    fn load(p: &Path) -> Template {
        let v: Json = serde_json::from_str(&read(p)).expect("template JSON");
        let res = v["Resources"].as_object().expect("Resources");
        Template(res.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
    fn get(&self, name: &str) -> &Json {
        self.0
            .get(name)
            .unwrap_or_else(|| panic!("no resource {name}"))
    }
    fn props(&self, name: &str) -> &Json {
        &self.get(name)["Properties"]
    }
    fn of_type<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = (&'a String, &'a Json)> + 'a {
        self.0.iter().filter(move |(_, v)| v["Type"] == ty)
    }
    fn ty(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(|v| v["Type"].as_str())
            .unwrap_or("")
    }
}

/// The logical ids a value refers to (`Ref`, `Fn::GetAtt`, `${X}`/`${X.Attr}` in `Fn::Sub`).
fn refs(v: &Json, out: &mut BTreeSet<String>) {
    match v {
        Json::Object(o) => {
            if let Some(Json::String(r)) = o.get("Ref") {
                out.insert(r.clone());
            }
            if let Some(Json::Array(a)) = o.get("Fn::GetAtt") {
                if let Some(Json::String(r)) = a.first() {
                    out.insert(r.clone());
                }
            }
            if let Some(Json::String(s)) = o.get("Fn::Sub") {
                let mut rest = s.as_str();
                while let Some(i) = rest.find("${") {
                    let tail = &rest[i + 2..];
                    let end = tail.find('}').unwrap_or(tail.len());
                    let name = tail[..end].split('.').next().unwrap_or("");
                    out.insert(name.to_string());
                    rest = &tail[end..];
                }
            }
            o.values().for_each(|x| refs(x, out));
        }
        Json::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

fn refs_of(v: &Json) -> BTreeSet<String> {
    let mut s = BTreeSet::new();
    refs(v, &mut s);
    s
}

/// A role's statements: (sid, sorted actions, resources' logical ids and texts).
fn statements(t: &Template, role: &str) -> Vec<(String, Vec<String>, Json)> {
    policy_statements(t.props(role))
}

fn no_wildcards(t: &Template, role: &str, what: &str) {
    for (sid, actions, resources) in statements(t, role) {
        for a in &actions {
            assert!(!a.contains('*'), "{what}: {role} {sid} grants action {a}");
        }
        for r in resources.as_array().into_iter().flatten() {
            assert!(
                r.as_str() != Some("*"),
                "{what}: {role} {sid} grants on every resource"
            );
        }
    }
}

/// The role a task definition property names (`TaskRoleArn`, `ExecutionRoleArn`).
fn role_of(t: &Template, task: &str, prop: &str) -> String {
    refs_of(&t.props(task)[prop])
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{task} has no {prop}"))
}

fn task_of(t: &Template, service: &str) -> String {
    refs_of(&t.props(service)["TaskDefinition"])
        .into_iter()
        .next()
        .expect("task definition")
}

fn security_groups_of(t: &Template, service: &str) -> BTreeSet<String> {
    refs_of(&t.props(service)["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"])
}

/// The security groups of a database or cache.
fn store_groups(t: &Template, store: &str) -> BTreeSet<String> {
    let p = t.props(store);
    let mut s = refs_of(&p["VPCSecurityGroups"]);
    s.extend(refs_of(&p["SecurityGroupIds"]));
    s
}

/// (source group, port) of each ingress rule of a security group (inline or separate).
fn ingress(t: &Template, group: &str) -> Vec<(Option<String>, Option<String>, i64)> {
    let mut rules: Vec<Json> = t.props(group)["SecurityGroupIngress"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (_, r) in t.of_type("AWS::EC2::SecurityGroupIngress") {
        if refs_of(&r["Properties"]["GroupId"]).contains(group) {
            rules.push(r["Properties"].clone());
        }
    }
    rules
        .iter()
        .map(|r| {
            (
                refs_of(&r["SourceSecurityGroupId"]).into_iter().next(),
                r.get("CidrIp").map(|c| c.to_string()),
                r["FromPort"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

/// Checks that hold for every ECS service lowered from a portable `Service`.
fn check_ecs_services(t: &Template, what: &str) {
    for (service, _) in t.of_type("AWS::ECS::Service") {
        let task = task_of(t, service);
        let task_role = role_of(t, &task, "TaskRoleArn");
        let exec_role = role_of(t, &task, "ExecutionRoleArn");
        no_wildcards(t, &task_role, what);
        let granted: BTreeSet<String> = statements(t, &task_role)
            .iter()
            .flat_map(|(_, _, r)| refs_of(r))
            .collect();
        let injected: BTreeSet<String> = statements(t, &exec_role)
            .iter()
            .flat_map(|(_, _, r)| refs_of(r))
            .collect();
        let groups = security_groups_of(t, service);
        for c in t.props(&task)["ContainerDefinitions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let mut used = refs_of(&c["Environment"]);
            used.extend(refs_of(&c["Command"]));
            for x in &used {
                match t.ty(x) {
                    "AWS::S3::Bucket" | "AWS::SQS::Queue" | "AWS::SecretsManager::Secret" => {
                        assert!(
                            granted.contains(x),
                            "{what}: {service} uses {x} but its task role {task_role} is not granted it"
                        );
                    }
                    "AWS::RDS::DBInstance" | "AWS::ElastiCache::ReplicationGroup" => {
                        let admitted = store_groups(t, x).iter().any(|g| {
                            ingress(t, g)
                                .iter()
                                .any(|(src, _, _)| src.as_ref().is_some_and(|s| groups.contains(s)))
                        });
                        assert!(
                            admitted,
                            "{what}: {service} uses {x}, whose security group does not admit the service's"
                        );
                    }
                    _ => {}
                }
            }
            for s in c["Secrets"].as_array().into_iter().flatten() {
                let from = refs_of(&s["ValueFrom"]);
                assert!(
                    from.iter().all(|x| injected.contains(x)),
                    "{what}: {service} is injected {} but its execution role {exec_role} may not read it",
                    s["Name"]
                );
            }
            // A secret's value is never in the plain environment.
            for e in c["Environment"].as_array().into_iter().flatten() {
                let name = e["Name"].as_str().unwrap_or("");
                assert!(
                    !c["Secrets"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|s| s["Name"] == name),
                    "{what}: {service}: {name} is both plain and injected"
                );
            }
        }
    }
}

// --- Terraform --------------------------------------------------------------------------

fn tf_main(dir: &Path) -> String {
    let tf = dir.join("terraform");
    let stack = fs::read_dir(&tf)
        .expect("terraform dir")
        .filter_map(Result::ok)
        .next()
        .expect("a stack")
        .path();
    read(&stack.join("main.tf"))
}

/// (type, role, resource line) of every binding whose member is `account`'s.
fn gcp_bindings(
    b: &BTreeMap<(String, String), String>,
    account: &str,
) -> BTreeSet<(String, String, String)> {
    let member = format!("member = google_service_account.{account}.member");
    b.iter()
        .filter(|((ty, _), body)| ty.ends_with("_iam_member") && body.contains(&member))
        .map(|((ty, _), body)| {
            let role = body
                .lines()
                .find_map(|l| l.strip_prefix("role = "))
                .unwrap_or("")
                .trim_matches('"')
                .to_string();
            let target = body
                .lines()
                .find(|l| {
                    [
                        "bucket =",
                        "topic =",
                        "subscription =",
                        "secret_id =",
                        "project =",
                    ]
                    .iter()
                    .any(|p| l.starts_with(p))
                })
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            (ty.clone(), role, target)
        })
        .collect()
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

// --- The tests --------------------------------------------------------------------------

#[test]
fn deploy_ready_aws() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for env in ["dev", "prod"] {
        let out = tmp.path().join(env);
        compile("deploy-ready/aws", env, &out);
        let what = format!("deploy-ready/aws --env {env}");
        let t = Template::load(&out.join("cloudformation/shop.template.json"));
        check_ecs_services(&t, &what);

        // Exactly the grants the references imply, on those resources.
        let grants = |role: &str| -> BTreeSet<(Vec<String>, BTreeSet<String>, String)> {
            statements(&t, role)
                .into_iter()
                .map(|(_, a, r)| (a, refs_of(&r), r.to_string().contains("/*").to_string()))
                .collect()
        };
        let names = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ids = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(
            grants("ApiTaskRole"),
            [
                (names(&["s3:ListBucket"]), ids(&["Uploads"]), "false".into()),
                (
                    names(&["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]),
                    ids(&["Uploads"]),
                    "true".into()
                ),
                (
                    names(&[
                        "sqs:ChangeMessageVisibility",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                        "sqs:ReceiveMessage",
                        "sqs:SendMessage"
                    ]),
                    ids(&["Jobs"]),
                    "false".into()
                ),
                // The uploads are encrypted with the shop's `portable.Key`: on that key only.
                (
                    names(&["kms:Decrypt", "kms:GenerateDataKey"]),
                    ids(&["DataKey"]),
                    "false".into()
                ),
            ]
            .into_iter()
            .collect(),
            "{what}: the API's task role"
        );
        // The worker's `grants = { jobs = "read" }` narrows the queue to receiving.
        assert_eq!(
            grants("WorkerTaskRole"),
            [(
                names(&[
                    "sqs:ChangeMessageVisibility",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:ReceiveMessage"
                ]),
                ids(&["Jobs"]),
                "false".into()
            )]
            .into_iter()
            .collect(),
            "{what}: the worker's task role"
        );
        // ECS reads what it injects: the payment key and the cache's AUTH token (API only) and
        // the database password.
        assert_eq!(
            grants("ApiExecutionRole"),
            [
                (
                    names(&["secretsmanager:GetSecretValue"]),
                    ids(&["PaymentsKey"]),
                    "false".into()
                ),
                (
                    names(&["secretsmanager:GetSecretValue"]),
                    ids(&["SessionsAuth"]),
                    "false".into()
                ),
                (
                    names(&["secretsmanager:GetSecretValue"]),
                    ids(&["Db"]),
                    "false".into()
                ),
                // The payment key's secret and the AUTH token are encrypted with the shop's key.
                (names(&["kms:Decrypt"]), ids(&["DataKey"]), "false".into()),
            ]
            .into_iter()
            .collect(),
            "{what}: the API's execution role"
        );
        assert_eq!(
            grants("WorkerExecutionRole"),
            [(
                names(&["secretsmanager:GetSecretValue"]),
                ids(&["Db"]),
                "false".into()
            )]
            .into_iter()
            .collect(),
            "{what}: the worker's execution role"
        );

        // The secret and the credential arrive through ECS secrets, never as text.
        let container = |task: &str| t.props(task)["ContainerDefinitions"][0].clone();
        let api = container("ApiTask");
        let secrets: BTreeMap<String, BTreeSet<String>> = api["Secrets"]
            .as_array()
            .expect("API secrets")
            .iter()
            .map(|s| {
                (
                    s["Name"].as_str().unwrap_or("").to_string(),
                    refs_of(&s["ValueFrom"]),
                )
            })
            .collect();
        assert_eq!(secrets["PAYMENTS_API_KEY"], ids(&["PaymentsKey"]), "{what}");
        assert_eq!(secrets["PGPASSWORD"], ids(&["Db"]), "{what}");
        assert_eq!(secrets["REDIS_PASSWORD"], ids(&["SessionsAuth"]), "{what}");
        assert_eq!(
            secrets.len(),
            3,
            "{what}: the API's injected secrets {secrets:?}"
        );
        assert!(
            !refs_of(&api["Environment"]).contains("PaymentsKey"),
            "{what}: the payment key is in the plain environment"
        );
        let worker = container("WorkerTask");
        assert_eq!(
            worker["Secrets"][0]["Name"], "PGPASSWORD",
            "{what}: the worker's credential"
        );
        assert_eq!(
            worker["Secrets"].as_array().map(Vec::len),
            Some(1),
            "{what}: the worker does not use the cache"
        );
        assert!(
            t.props("Db")["ManageMasterUserPassword"] == true,
            "{what}: RDS keeps the master password in Secrets Manager"
        );
        // The cache requires its AUTH token, generated into its own secret (letters and
        // digits: ElastiCache refuses most punctuation) and resolved at deploy time.
        let cache = t.props("Sessions");
        assert_eq!(cache["TransitEncryptionEnabled"], true, "{what}");
        assert!(
            cache["AuthToken"]
                .to_string()
                .contains("{{resolve:secretsmanager:")
                && refs_of(&cache["AuthToken"]) == ids(&["SessionsAuth"]),
            "{what}: the cache's AuthToken {}",
            cache["AuthToken"]
        );
        let generated = &t.props("SessionsAuth")["GenerateSecretString"];
        assert_eq!(generated["ExcludePunctuation"], true, "{what}");
        assert_eq!(generated["PasswordLength"], 64, "{what}");

        // The stores admit the services' security groups on their ports, not the VPC range.
        let sources = |group: &str| -> BTreeSet<(Option<String>, Option<String>, i64)> {
            ingress(&t, group).into_iter().collect()
        };
        assert_eq!(
            sources("DbFirewall"),
            [
                (Some("ApiFirewall".to_string()), None, 5432),
                (Some("WorkerFirewall".to_string()), None, 5432)
            ]
            .into_iter()
            .collect(),
            "{what}: the database's ingress"
        );
        assert_eq!(
            sources("SessionsFirewall"),
            [(Some("ApiFirewall".to_string()), None, 6379)]
                .into_iter()
                .collect(),
            "{what}: the cache's ingress"
        );

        // Autoscaling of the API: a scalable target on its desired count, CPU target tracking.
        let target = t.props("ApiScaling");
        assert_eq!(target["ScalableDimension"], "ecs:service:DesiredCount");
        assert!(refs_of(&target["ResourceId"]).contains("Api"), "{what}");
        let want_min = if env == "prod" { 2 } else { 1 };
        assert_eq!(target["MinCapacity"], want_min, "{what}");
        let policy = t.props("ApiScalingCpu");
        assert_eq!(policy["PolicyType"], "TargetTrackingScaling");
        assert_eq!(
            policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"], 60,
            "{what}"
        );
        assert!(refs_of(&policy["ScalingTargetId"]).contains("ApiScaling"));

        // The worker: no load balancer, no service discovery, no inbound rule.
        let w = t.props("Worker");
        assert!(
            w.get("LoadBalancers").is_none(),
            "{what}: worker behind a load balancer"
        );
        assert!(
            w.get("ServiceRegistries").is_none(),
            "{what}: worker registered"
        );
        assert!(
            ingress(&t, "WorkerFirewall").is_empty(),
            "{what}: worker accepts connections"
        );
        assert!(
            worker.get("PortMappings").is_none(),
            "{what}: worker maps a port"
        );
        assert!(
            t.props("Api").get("LoadBalancers").is_some(),
            "{what}: the API's load balancer"
        );
        // The API's own load balancer keeps access logs in a bucket of its own (SSE-S3),
        // which admits ELB's log delivery, before the load balancer is created.
        let attrs: BTreeMap<String, Json> = t.props("ApiLb")["LoadBalancerAttributes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                (
                    a["Key"].as_str().unwrap_or("").to_string(),
                    a["Value"].clone(),
                )
            })
            .collect();
        assert_eq!(attrs["access_logs.s3.enabled"], "true", "{what}");
        assert_eq!(
            refs_of(&attrs["access_logs.s3.bucket"]),
            ids(&["ApiLbLogs"]),
            "{what}"
        );
        assert_eq!(
            t.props("ApiLbLogs")["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
                ["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
            "AES256",
            "{what}: ELB writes access logs to SSE-S3 buckets only"
        );
        let policy = t.props("ApiLbLogsPolicy");
        assert_eq!(refs_of(&policy["Bucket"]), ids(&["ApiLbLogs"]), "{what}");
        assert_eq!(
            policy["PolicyDocument"]["Statement"][0]["Action"][0], "s3:PutObject",
            "{what}"
        );
        assert!(
            t.get("ApiLb")["DependsOn"]
                .as_array()
                .is_some_and(|d| d.iter().any(|x| x == "ApiLbLogsPolicy")),
            "{what}: the load balancer waits for the log bucket's policy"
        );

        // The Terraform of the same stack says the same.
        let b = tf_blocks(&tf_main(&out));
        let rule = |name: &str| body(&b, "aws_vpc_security_group_ingress_rule", name);
        for (r, src, port) in [
            ("db_firewall_ingress_0", "api_firewall", 5432),
            ("db_firewall_ingress_1", "worker_firewall", 5432),
            ("sessions_firewall_ingress_0", "api_firewall", 6379),
        ] {
            let text = rule(r);
            assert!(
                text.contains(&format!(
                    "referenced_security_group_id = aws_security_group.{src}.id"
                )) && text.contains(&format!("from_port = {port}"))
                    && !text.contains("cidr_ipv4"),
                "{what}: terraform {r}:\n{text}"
            );
        }
        let api_task = body(&b, "aws_ecs_task_definition", "api_task");
        assert!(
            api_task.contains("name = \"PAYMENTS_API_KEY\"")
                && api_task.contains("valueFrom = aws_secretsmanager_secret.payments_key.arn"),
            "{what}: terraform secret injection:\n{api_task}"
        );
        assert!(
            api_task.contains("name = \"REDIS_PASSWORD\"")
                && api_task.contains("valueFrom = aws_secretsmanager_secret.sessions_auth.arn"),
            "{what}: terraform cache credential:\n{api_task}"
        );
        // Terraform generates the token once (random_password) and writes it as the secret's
        // value; the replication group uses the same value.
        let group = body(&b, "aws_elasticache_replication_group", "sessions");
        let token = body(&b, "random_password", "sessions");
        let version = body(&b, "aws_secretsmanager_secret_version", "sessions");
        assert!(
            group.contains("auth_token = random_password.sessions.result")
                && group.contains("transit_encryption_enabled = true"),
            "{what}: terraform cache:\n{group}"
        );
        assert!(
            token.contains("special = false") && token.contains("length = 64"),
            "{what}: terraform token:\n{token}"
        );
        assert!(
            version.contains("secret_id = aws_secretsmanager_secret.sessions_auth.arn")
                && version.contains("secret_string = random_password.sessions.result"),
            "{what}: terraform token's secret:\n{version}"
        );
        assert!(body(&b, "aws_appautoscaling_target", "api_scaling").contains("min_capacity"));
        assert!(body(&b, "aws_appautoscaling_policy", "api_scaling")
            .contains("ECSServiceAverageCPUUtilization"));
        // Application Auto Scaling owns the scaled service's count: `terraform apply` must not
        // set it back to the written value; the unscaled worker keeps its written count.
        let api_service = body(&b, "aws_ecs_service", "api");
        assert!(
            api_service.contains("lifecycle {")
                && api_service.contains("ignore_changes = [desired_count]"),
            "{what}: terraform api service:\n{api_service}"
        );
        let worker_service = body(&b, "aws_ecs_service", "worker");
        assert!(
            !worker_service.contains("ignore_changes"),
            "{what}: terraform worker:\n{worker_service}"
        );
        assert!(
            !worker_service.contains("load_balancer")
                && !worker_service.contains("service_registries"),
            "{what}: terraform worker:\n{worker_service}"
        );
        let worker_policy = body(
            &b,
            "aws_iam_role_policy",
            "worker_task_role_policy_references",
        );
        assert!(
            worker_policy.contains("aws_sqs_queue.jobs.arn")
                && !worker_policy.contains("SendMessage"),
            "{what}: terraform worker grants:\n{worker_policy}"
        );
        // No wildcard but a key policy's `Resource = "*"` (a key policy is about its own key).
        for ((ty, name), text) in &b {
            assert!(
                ty == "aws_kms_key" || !text.contains("\"*\""),
                "{what}: a wildcard in terraform: {ty}.{name}"
            );
        }
        assert_eq!(
            b.keys().filter(|(ty, _)| ty == "aws_kms_key").count(),
            1,
            "{what}: the shop's one key"
        );
    }
}

#[test]
fn deploy_ready_gcp() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for env in ["dev", "prod"] {
        let out = tmp.path().join(env);
        compile("deploy-ready/gcp", env, &out);
        let what = format!("deploy-ready/gcp --env {env}");
        let project = format!("acme-shop-{env}");
        let b = tf_blocks(&tf_main(&out));

        // The cache requires AUTH and TLS.
        let cache = body(&b, "google_redis_instance", "sessions");
        assert!(
            cache.contains("auth_enabled = true")
                && cache.contains("transit_encryption_mode = \"SERVER_AUTHENTICATION\""),
            "{what}: terraform cache:\n{cache}"
        );

        // Exactly the grants the references imply, each on its resource (Cloud SQL: project
        // roles, it has no per-instance IAM).
        let project_line = format!("project = \"{project}\"");
        assert_eq!(
            gcp_bindings(&b, "api_identity"),
            set(&[
                (
                    "google_project_iam_member",
                    "roles/cloudsql.client",
                    &project_line
                ),
                (
                    "google_project_iam_member",
                    "roles/cloudsql.instanceUser",
                    &project_line
                ),
                (
                    "google_pubsub_subscription_iam_member",
                    "roles/pubsub.subscriber",
                    "subscription = google_pubsub_subscription.jobs_subscription.id"
                ),
                (
                    "google_pubsub_topic_iam_member",
                    "roles/pubsub.publisher",
                    "topic = google_pubsub_topic.jobs.id"
                ),
                (
                    "google_secret_manager_secret_iam_member",
                    "roles/secretmanager.secretAccessor",
                    "secret_id = google_secret_manager_secret.payments_key.id"
                ),
                // The cache's AUTH string (REDIS_PASSWORD), that secret only.
                (
                    "google_secret_manager_secret_iam_member",
                    "roles/secretmanager.secretAccessor",
                    "secret_id = google_secret_manager_secret.sessions_auth.id"
                ),
                (
                    "google_storage_bucket_iam_member",
                    "roles/storage.objectUser",
                    "bucket = google_storage_bucket.uploads.name"
                ),
            ]),
            "{what}: the API's service account"
        );
        assert_eq!(
            gcp_bindings(&b, "worker_identity"),
            set(&[
                (
                    "google_project_iam_member",
                    "roles/cloudsql.client",
                    &project_line
                ),
                (
                    "google_project_iam_member",
                    "roles/cloudsql.instanceUser",
                    &project_line
                ),
                (
                    "google_pubsub_subscription_iam_member",
                    "roles/pubsub.subscriber",
                    "subscription = google_pubsub_subscription.jobs_subscription.id"
                ),
            ]),
            "{what}: the worker's service account (queue narrowed to receiving)"
        );

        let api = body(&b, "google_cloud_run_v2_service", "api");
        let worker = body(&b, "google_cloud_run_v2_service", "worker");
        for (name, svc) in [("api", api), ("worker", worker)] {
            // The credential: Cloud SQL IAM authentication as the service's own account.
            assert!(
                svc.contains("name = \"PGUSER\"")
                    && svc.contains(&format!(
                        "value = \"${{google_service_account.{name}_identity.account_id}}@{project}.iam\""
                    )),
                "{what}: {name} has no PGUSER:\n{svc}"
            );
            let user = body(&b, "google_sql_user", &format!("{name}_sql_user_0"));
            assert!(
                user.contains("type = \"CLOUD_IAM_SERVICE_ACCOUNT\"")
                    && user.contains("instance = google_sql_database_instance.db.name"),
                "{what}: {name}'s database user:\n{user}"
            );
            // The private database and cache are reachable: Direct VPC egress.
            assert!(
                svc.contains("vpc_access {")
                    && svc.contains(
                        "subnetwork = google_compute_subnetwork.default_network_subnet.id"
                    )
                    && svc.contains("egress = \"PRIVATE_RANGES_ONLY\""),
                "{what}: {name} has no VPC egress:\n{svc}"
            );
            assert!(
                svc.contains(&format!(
                    "service_account = google_service_account.{name}_identity.email"
                )),
                "{what}: {name} does not run as its own account"
            );
        }
        // The secret arrives through Cloud Run's secret reference, never as text.
        assert!(
            api.contains("name = \"PAYMENTS_API_KEY\"")
                && api.contains("secret_key_ref {")
                && api.contains("secret = google_secret_manager_secret.payments_key.id"),
            "{what}: the payment key is not a secret reference:\n{api}"
        );
        assert!(!worker.contains("PAYMENTS_API_KEY"), "{what}");
        // The API sends to the topic; the worker pulls from the subscription (`receive_url`):
        // a topic cannot be pulled.
        let env_value = |svc: &str, name: &str| {
            let at = svc
                .find(&format!("name = \"{name}\""))
                .unwrap_or_else(|| panic!("{what}: no {name}:\n{svc}"));
            svc[at..].lines().nth(1).unwrap_or("").trim().to_string()
        };
        assert_eq!(
            env_value(api, "JOBS_QUEUE"),
            "value = google_pubsub_topic.jobs.id",
            "{what}"
        );
        assert_eq!(
            env_value(worker, "JOBS_QUEUE"),
            "value = google_pubsub_subscription.jobs_subscription.id",
            "{what}"
        );
        // Autoscaling: instance limits from `autoscale`.
        let (min, max) = if env == "prod" { (2, 10) } else { (1, 2) };
        assert!(
            api.contains(&format!("min_instance_count = {min}"))
                && api.contains(&format!("max_instance_count = {max}")),
            "{what}: the API's scaling:\n{api}"
        );
        // The worker: internal, CPU always allocated, at least one instance, no domain.
        assert!(
            worker.contains("ingress = \"INGRESS_TRAFFIC_INTERNAL_ONLY\"")
                && worker.contains("cpu_idle = false")
                && worker.contains("min_instance_count = 1"),
            "{what}: the worker:\n{worker}"
        );
        assert!(
            !worker.contains("invoker_iam_disabled"),
            "{what}: anyone may invoke the worker"
        );
        assert!(
            b.contains_key(&(
                "google_cloud_run_domain_mapping".into(),
                "api_domain".into()
            )) && !b
                .keys()
                .any(|(t, n)| t == "google_cloud_run_domain_mapping" && n.starts_with("worker")),
            "{what}: domain mappings"
        );

        // Deployment Manager: the same secret reference, egress and bucket binding.
        let dm = read(&out.join("deployment-manager/shop.yaml"));
        for want in [
            "secretKeyRef:",
            "vpcAccess:",
            "gcp-types/storage-v1:virtual.buckets.iamMemberBinding",
            "type: CLOUD_IAM_SERVICE_ACCOUNT",
            "cpuIdle: false",
        ] {
            assert!(dm.contains(want), "{what}: deployment manager lacks {want}");
        }
    }
}

/// (role definition GUID, scope line) of every role assignment whose principal is `identity`'s,
/// checking that the role is named by its subscription-scoped definition id.
fn azure_roles(
    b: &BTreeMap<(String, String), String>,
    identity: &str,
    subscription: &str,
) -> BTreeSet<(String, String)> {
    let principal =
        format!("principal_id = azurerm_user_assigned_identity.{identity}.principal_id");
    let prefix = format!(
        "role_definition_id = \"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/"
    );
    b.iter()
        .filter(|((ty, _), body)| ty == "azurerm_role_assignment" && body.contains(&principal))
        .map(|((_, name), body)| {
            let role = body
                .lines()
                .find_map(|l| l.strip_prefix(&prefix))
                .unwrap_or_else(|| panic!("{name}: no built-in role definition id:\n{body}"))
                .trim_matches('"')
                .to_string();
            assert!(
                body.contains("principal_type = \"ServicePrincipal\"")
                    && !body.contains("role_definition_name"),
                "{name}:\n{body}"
            );
            let scope = body
                .lines()
                .find(|l| l.starts_with("scope = "))
                .unwrap_or("")
                .to_string();
            (role, scope)
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

// Built-in role definition ids (stdlib/lower/azure/identity.toml, from Azure's list of
// built-in roles).
const BLOB_READER: &str = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
const BLOB_CONTRIBUTOR: &str = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
const BUS_SENDER: &str = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
const BUS_RECEIVER: &str = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
const SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";

#[test]
fn deploy_ready_azure() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let subscription = "4b8e2d71-3c6a-4f95-a0d2-8e1b7c5f3a69";
    for env in ["dev", "prod"] {
        let out = tmp.path().join(env);
        compile("deploy-ready/azure", env, &out);
        let what = format!("deploy-ready/azure --env {env}");
        let text = tf_main(&out);
        let b = tf_blocks(&text);

        // Exactly the roles the references imply, each scoped to its one resource (the blob
        // container, the Service Bus queue, the Key Vault secret), on the app's own identity.
        let container = "scope = azurerm_storage_container.uploads_container.resource_manager_id";
        let queue = "scope = azurerm_servicebus_queue.jobs_queue.id";
        let secret = "scope = azurerm_key_vault_secret.payments_key.resource_versionless_id";
        assert_eq!(
            azure_roles(&b, "api_identity", subscription),
            pairs(&[
                (BLOB_CONTRIBUTOR, container),
                (BUS_SENDER, queue),
                (BUS_RECEIVER, queue),
                (SECRETS_USER, secret),
            ]),
            "{what}: the API's identity"
        );
        // `grants = { jobs = "read" }`: receiving only; the database is reached through Entra.
        assert_eq!(
            azure_roles(&b, "worker_identity", subscription),
            pairs(&[(BUS_RECEIVER, queue)]),
            "{what}: the worker's identity"
        );
        // No wildcard in any grant (network security rules name "any port" as `*`).
        assert!(
            !b.iter()
                .any(|((ty, _), body)| ty != "azurerm_network_security_rule"
                    && body.contains("\"*\"")),
            "{what}: a wildcard"
        );
        assert!(
            !text.contains(BLOB_READER),
            "{what}: nobody only reads the uploads"
        );

        let api = body(&b, "azurerm_container_app", "api");
        let worker = body(&b, "azurerm_container_app", "worker");
        for (name, app) in [("api", api), ("worker", worker)] {
            assert!(
                app.contains(&format!(
                    "identity_ids = [azurerm_user_assigned_identity.{name}_identity.id]"
                )) && app.contains(&format!(
                    "name = \"AZURE_CLIENT_ID\"\nvalue = azurerm_user_assigned_identity.{name}_identity.client_id"
                )),
                "{what}: {name} does not run as its own identity:\n{app}"
            );
            // The database credential: Entra ID as the app's identity, never a password.
            assert!(
                app.contains(&format!(
                    "name = \"PGUSER\"\nvalue = azurerm_user_assigned_identity.{name}_identity.name"
                )),
                "{what}: {name} has no PGUSER:\n{app}"
            );
            let admin = body(
                &b,
                "azurerm_postgresql_flexible_server_active_directory_administrator",
                &format!("{name}_db_admin_0"),
            );
            assert!(
                admin.contains(&format!(
                    "object_id = azurerm_user_assigned_identity.{name}_identity.principal_id"
                )) && admin.contains(&format!(
                    "principal_name = azurerm_user_assigned_identity.{name}_identity.name"
                )) && admin.contains("server_name = azurerm_postgresql_flexible_server.db.name")
                    && admin.contains("principal_type = \"ServicePrincipal\""),
                "{what}: {name}'s database administrator:\n{admin}"
            );
            // Created after its grants, or it could not read its secrets when it starts.
            let deps = app
                .lines()
                .find(|l| l.starts_with("depends_on = "))
                .unwrap_or_else(|| panic!("{what}: {name} has no depends_on:\n{app}"));
            for ((ty, n), _) in b.iter().filter(|((ty, n), _)| {
                (ty == "azurerm_role_assignment"
                    || ty.starts_with("azurerm_postgresql_flexible_server_active")
                    || ty == "azurerm_redis_cache_access_policy_assignment")
                    && n.starts_with(&format!("{name}_"))
            }) {
                assert!(
                    deps.contains(&format!("{ty}.{n}")),
                    "{what}: {name} is not created after {ty}.{n}"
                );
            }
        }
        let server = body(&b, "azurerm_postgresql_flexible_server", "db");
        assert!(
            server.contains("password_auth_enabled = false")
                && server.contains("active_directory_auth_enabled = true"),
            "{what}: the server:\n{server}"
        );
        // 50 GiB asked: the next size a flexible server takes (the provider refuses 51200).
        // Protected from deletion (`deletion_protection`) except in dev (the example turns it
        // off there, so that `terraform destroy` works), encrypted with `data_key` as an
        // identity of its own, created after that identity may read the key.
        assert_eq!(
            server.contains("lifecycle {\nprevent_destroy = true\n}"),
            env != "dev",
            "{what}: the server's protection:\n{server}"
        );
        assert!(
            server.contains("storage_mb = 65536")
                && server.contains(
                    "key_vault_key_id = azurerm_key_vault_key.data_key.versionless_id"
                )
                && server.contains(
                    "primary_user_assigned_identity_id = azurerm_user_assigned_identity.db_key_identity.id"
                )
                && server.contains("azurerm_role_assignment.db_key_access]"),
            "{what}: the server's storage, protection and key:\n{server}"
        );
        let key_access = body(&b, "azurerm_role_assignment", "db_key_access");
        assert!(
            key_access
                .contains("role_definition_name = \"Key Vault Crypto Service Encryption User\"")
                && key_access
                    .contains("scope = azurerm_key_vault_key.data_key.resource_versionless_id")
                && key_access.contains(
                    "principal_id = azurerm_user_assigned_identity.db_key_identity.principal_id"
                ),
            "{what}: the server's key access:\n{key_access}"
        );
        // The cache credential: the API's identity holds a Redis access policy.
        assert!(
            api.contains(
                "name = \"REDIS_USERNAME\"\nvalue = azurerm_user_assigned_identity.api_identity.principal_id"
            ),
            "{what}: the API has no REDIS_USERNAME:\n{api}"
        );
        assert!(!worker.contains("REDIS_USERNAME"), "{what}");
        let cache_access = body(
            &b,
            "azurerm_redis_cache_access_policy_assignment",
            "api_cache_access_0",
        );
        assert!(
            cache_access.contains("access_policy_name = \"Data Contributor\"")
                && cache_access.contains(
                    "object_id = azurerm_user_assigned_identity.api_identity.principal_id"
                )
                && cache_access.contains("redis_cache_id = azurerm_redis_cache.sessions.id"),
            "{what}: the cache access:\n{cache_access}"
        );
        assert!(!b
            .keys()
            .any(|(t, n)| t == "azurerm_redis_cache_access_policy_assignment"
                && n.starts_with("worker")));

        // The secret: a Container Apps secret referencing the Key Vault secret, read with the
        // app's identity, the variable its `secretRef`; its value is nowhere.
        assert!(
            api.contains(
                "secret {\nidentity = azurerm_user_assigned_identity.api_identity.id\nkey_vault_secret_id = \"${azurerm_key_vault.payments_key_vault.vault_uri}secrets/${azurerm_key_vault_secret.payments_key.name}\"\nname = \"payments-api-key\"\n}"
            ) && api.contains("env {\nname = \"PAYMENTS_API_KEY\"\nsecret_name = \"payments-api-key\"\n}"),
            "{what}: the payment key is not a Key Vault reference:\n{api}"
        );
        assert!(!worker.contains("PAYMENTS_API_KEY") && !worker.contains("secret {"));
        let kv_secret = body(&b, "azurerm_key_vault_secret", "payments_key");
        assert!(
            kv_secret.contains("value_wo = ")
                && kv_secret.contains("value_wo_version = 1")
                && !kv_secret.contains("value = ")
                && kv_secret.contains("key_vault_id = azurerm_key_vault.payments_key_vault.id"),
            "{what}: the secret:\n{kv_secret}"
        );
        let vault = body(&b, "azurerm_key_vault", "payments_key_vault");
        assert!(
            vault.contains("rbac_authorization_enabled = true")
                && vault.contains("purge_protection_enabled = true"),
            "{what}: the vault:\n{vault}"
        );

        // Terraform creates the key and the secret through the vaults' data planes, which Azure
        // RBAC closes to everyone: whoever applies holds the one role each vault's contents
        // need, on that vault only, before they are created.
        for (vault, role, what_of, needed_by) in [
            (
                "payments_key_vault",
                "Key Vault Secrets Officer",
                "secrets",
                ("azurerm_key_vault_secret", "payments_key"),
            ),
            (
                "data_key_vault",
                "Key Vault Crypto Officer",
                "keys",
                ("azurerm_key_vault_key", "data_key"),
            ),
        ] {
            let assignment = body(
                &b,
                "azurerm_role_assignment",
                &format!("{vault}_deployer_{what_of}"),
            );
            assert!(
                assignment.contains(&format!("role_definition_name = \"{role}\""))
                    && assignment.contains(&format!("scope = azurerm_key_vault.{vault}.id"))
                    && assignment.contains(&format!(
                        "principal_id = data.azurerm_client_config.{vault}.object_id"
                    )),
                "{what}: the deployer's role on {vault}:\n{assignment}"
            );
            let user = body(&b, needed_by.0, needed_by.1);
            assert!(
                user.contains(&format!(
                    "azurerm_role_assignment.{vault}_deployer_{what_of}"
                )),
                "{what}: {} is created before the deployer may:\n{user}",
                needed_by.1
            );
        }
        let deployer_roles = b
            .iter()
            .filter(|((ty, _), body)| {
                ty == "azurerm_role_assignment" && body.contains("data.azurerm_client_config")
            })
            .count();
        assert_eq!(deployer_roles, 2, "{what}: one deployer role per vault");

        // Ingress: the API's is external HTTPS; the worker has none.
        assert!(
            api.contains("ingress {")
                && api.contains("external_enabled = true")
                && api.contains("allow_insecure_connections = false"),
            "{what}: the API's ingress:\n{api}"
        );
        assert!(
            !worker.contains("ingress {") && !worker.contains("liveness_probe"),
            "{what}: the worker has ingress:\n{worker}"
        );
        // Autoscaling: replica limits from `autoscale`, on CPU.
        let (min, max) = if env == "prod" { (2, 10) } else { (1, 2) };
        assert!(
            api.contains(&format!("min_replicas = {min}"))
                && api.contains(&format!("max_replicas = {max}"))
                && api.contains("custom_rule_type = \"cpu\""),
            "{what}: the API's scaling:\n{api}"
        );

        // The network path: the database is in the network's delegated subnet (no public
        // access, its name in a private zone linked to the network), the cache behind a private
        // endpoint in the same network, and each app's environment in a subnet of its own there
        // (internal for the worker).
        let vnet = "virtual_network_name = azurerm_virtual_network.default_network.name";
        assert!(
            server.contains("delegated_subnet_id = azurerm_subnet.default_network_databases.id")
                && server.contains("public_network_access_enabled = false")
                && server.contains("private_dns_zone_id = azurerm_private_dns_zone.db_dns_zone.id")
                && server.contains(
                    "depends_on = [azurerm_private_dns_zone_virtual_network_link.db_dns_link,"
                ),
            "{what}: the server is not private:\n{server}"
        );
        let db_subnet = body(&b, "azurerm_subnet", "default_network_databases");
        assert!(
            db_subnet.contains(vnet)
                && db_subnet.contains("name = \"Microsoft.DBforPostgreSQL/flexibleServers\""),
            "{what}: {db_subnet}"
        );
        let link = body(
            &b,
            "azurerm_private_dns_zone_virtual_network_link",
            "db_dns_link",
        );
        assert!(
            link.contains("virtual_network_id = azurerm_virtual_network.default_network.id"),
            "{what}: {link}"
        );
        let cache = body(&b, "azurerm_redis_cache", "sessions");
        assert!(
            cache.contains("public_network_access_enabled = false")
                && cache.contains("access_keys_authentication_enabled = false")
                && cache.contains("active_directory_authentication_enabled = true"),
            "{what}: {cache}"
        );
        let endpoint = body(&b, "azurerm_private_endpoint", "sessions_endpoint");
        assert!(
            endpoint.contains("subnet_id = azurerm_subnet.default_network_endpoints.id")
                && endpoint
                    .contains("private_connection_resource_id = azurerm_redis_cache.sessions.id")
                && endpoint.contains("subresource_names = [\"redisCache\"]")
                && endpoint.contains(
                    "private_dns_zone_ids = [azurerm_private_dns_zone.default_network_redis_zone.id]"
                ),
            "{what}: the cache's endpoint:\n{endpoint}"
        );
        assert!(body(&b, "azurerm_subnet", "default_network_endpoints").contains(vnet));
        let mut prefixes = BTreeSet::new();
        for (name, internal) in [("api", false), ("worker", true)] {
            let environment = body(
                &b,
                "azurerm_container_app_environment",
                &format!("{name}_environment"),
            );
            assert!(
                environment.contains(&format!(
                    "infrastructure_subnet_id = azurerm_subnet.{name}_subnet.id"
                )) && environment.contains(&format!("internal_load_balancer_enabled = {internal}")),
                "{what}: {name}'s environment is not in the network:\n{environment}"
            );
            let subnet = body(&b, "azurerm_subnet", &format!("{name}_subnet"));
            let prefix = subnet
                .lines()
                .find_map(|l| l.strip_prefix("address_prefixes = "))
                .unwrap_or("")
                .to_string();
            assert!(
                subnet.contains(vnet) && prefix.ends_with("/23\"]"),
                "{what}: {name}'s subnet:\n{subnet}"
            );
            prefixes.insert(prefix);
        }
        assert_eq!(prefixes.len(), 2, "{what}: the apps share a subnet");

        // Every subnet has a network security group whose last rule denies what the others do
        // not admit (CKV2_AZURE_31); the endpoints' group applies to the private endpoints.
        let rules = |nsg: &str| -> Vec<String> {
            let group =
                format!("network_security_group_name = azurerm_network_security_group.{nsg}.name");
            b.iter()
                .filter(|((ty, _), body)| {
                    ty == "azurerm_network_security_rule" && body.contains(&group)
                })
                .map(|(_, body)| {
                    let field = |k: &str| {
                        body.lines()
                            .find_map(|l| l.strip_prefix(&format!("{k} = ")))
                            .unwrap_or("")
                            .trim_matches('"')
                            .to_string()
                    };
                    format!(
                        "{} {} {} {}>{}:{}",
                        field("priority"),
                        field("access"),
                        field("protocol"),
                        field("source_address_prefix"),
                        field("destination_address_prefix"),
                        field("destination_port_range")
                    )
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        for (subnet, nsg) in [
            ("default_network_databases", "default_network_databases_nsg"),
            ("default_network_endpoints", "default_network_endpoints_nsg"),
            ("api_subnet", "api_subnet_nsg"),
            ("worker_subnet", "worker_subnet_nsg"),
        ] {
            let assoc = body(
                &b,
                "azurerm_subnet_network_security_group_association",
                subnet,
            );
            assert!(
                assoc.contains(&format!("subnet_id = azurerm_subnet.{subnet}.id"))
                    && assoc.contains(&format!(
                        "network_security_group_id = azurerm_network_security_group.{nsg}.id"
                    )),
                "{what}: {subnet} has no network security group:\n{assoc}"
            );
            assert_eq!(
                rules(nsg).last().map(String::as_str),
                Some("4096 Deny * *>*:*"),
                "{what}: {nsg} does not deny the rest"
            );
        }
        assert_eq!(
            rules("default_network_databases_nsg"),
            vec![
                "100 Allow Tcp 10.0.0.0/16>10.0.0.0/24:5432",
                "4000 Allow * AzureLoadBalancer>*:*",
                "4096 Deny * *>*:*",
            ],
            "{what}: the databases' subnet"
        );
        assert_eq!(
            rules("default_network_endpoints_nsg"),
            vec![
                "100 Allow Tcp 10.0.0.0/16>10.0.1.0/24:6380",
                "110 Allow Tcp 10.0.0.0/16>10.0.1.0/24:443",
                "4096 Deny * *>*:*",
            ],
            "{what}: the endpoints' subnet"
        );
        assert!(
            body(&b, "azurerm_subnet", "default_network_endpoints")
                .contains("private_endpoint_network_policies = \"NetworkSecurityGroupEnabled\""),
            "{what}: the endpoints' group does not apply to the endpoints"
        );
        // The public API: HTTPS from the internet; the worker: no client at all.
        assert_eq!(
            rules("api_subnet_nsg"),
            vec![
                "100 Allow Tcp Internet>*:443",
                "110 Allow Tcp AzureLoadBalancer>10.0.2.0/23:30000-32767",
                "120 Allow * 10.0.2.0/23>10.0.2.0/23:*",
                "4096 Deny * *>*:*",
            ],
            "{what}: the API's subnet"
        );
        assert_eq!(
            rules("worker_subnet_nsg"),
            vec![
                "110 Allow Tcp AzureLoadBalancer>10.0.4.0/23:30000-32767",
                "120 Allow * 10.0.4.0/23>10.0.4.0/23:*",
                "4096 Deny * *>*:*",
            ],
            "{what}: the worker's subnet"
        );
        for name in ["api", "worker"] {
            assert!(
                body(&b, "azurerm_container_app_environment", &format!("{name}_environment"))
                    .contains(&format!(
                        "depends_on = [azurerm_subnet_network_security_group_association.{name}_subnet]"
                    )),
                "{what}: {name}'s environment may start before its subnet's group"
            );
        }

        // The vault and the uploads' account admit the network only (a private endpoint) and
        // the deployer's address (CKV_AZURE_109, CKV2_AZURE_32, CKV2_AZURE_33).
        for (ty, name, rules_block, sub) in [
            (
                "azurerm_key_vault",
                "payments_key_vault",
                "network_acls {",
                "vault",
            ),
            (
                "azurerm_storage_account",
                "uploads",
                "network_rules {",
                "blob",
            ),
        ] {
            let firewalled = body(&b, ty, name);
            assert!(
                firewalled.contains(rules_block)
                    && firewalled.contains("default_action = \"Deny\"")
                    && firewalled.contains("ip_rules = [var.deployer_ip]"),
                "{what}: {name} admits every network:\n{firewalled}"
            );
            let endpoint = b
                .iter()
                .find(|((t, _), body)| {
                    t == "azurerm_private_endpoint"
                        && body
                            .contains(&format!("private_connection_resource_id = {ty}.{name}.id"))
                })
                .map(|(_, body)| body.as_str())
                .unwrap_or_else(|| panic!("{what}: {name} has no private endpoint"));
            assert!(
                endpoint.contains("subnet_id = azurerm_subnet.default_network_endpoints.id")
                    && endpoint.contains(&format!("subresource_names = [\"{sub}\"]"))
                    && endpoint.contains(&format!(
                        "private_dns_zone_ids = [azurerm_private_dns_zone.default_network_{sub}_zone.id]"
                    )),
                "{what}: {name}'s endpoint:\n{endpoint}"
            );
        }
        assert!(
            kv_secret.contains("depends_on = [azurerm_private_endpoint.payments_key_endpoint,"),
            "{what}: the secret (and the apps that read it) may come before the vault's endpoint"
        );
        assert_eq!(
            text.matches("variable \"deployer_ip\"").count(),
            1,
            "{what}: the deployer's address is not asked once"
        );
        // Every blob request is logged (`access_logs`).
        let blob_logs = body(
            &b,
            "azurerm_monitor_diagnostic_setting",
            "uploads_blob_logs",
        );
        assert!(
            blob_logs.contains("target_resource_id = \"${azurerm_storage_account.uploads.id}/blobServices/default\"")
                && blob_logs.contains("category_group = \"allLogs\"")
                && blob_logs.contains(
                    "log_analytics_workspace_id = azurerm_log_analytics_workspace.uploads_logs.id"
                ),
            "{what}: the uploads' blob requests are not logged:\n{blob_logs}"
        );
    }
}

/// On Azure, `grants` narrows as on AWS and GCP (`read`: `Storage Blob Data Reader`; `none`:
/// no role) and adds a resource the service does not reference; a secret's value inside a
/// longer string is L0010, as on the other clouds.
#[test]
fn azure_grants_narrow_and_secret_values_stay_out_of_text() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = tmp.path().join("narrow");
    fs::create_dir_all(&project).expect("mkdir");
    let stack = "import portable.{ObjectStore, Queue, Secret, Service}\n\n\
         stack shop { provider = azure { location = \"westeurope\", tenant_id = \"7c1f3b52-9d4e-4a8b-b6e0-2f5d8a1c9e43\", subscription_id = \"4b8e2d71-3c6a-4f95-a0d2-8e1b7c5f3a69\" } }\n\n\
         resource uploads: ObjectStore {}\n\
         resource reports: ObjectStore {}\n\
         resource jobs: Queue {}\n\
         resource key: Secret {}\n";
    fs::write(
        project.join("main.strata"),
        format!(
            "{stack}resource api: Service {{\n  image = \"api:1\"\n  port = 8080\n  \
             env = {{ UPLOADS = uploads.name, JOBS = jobs.url, KEY = key.name }}\n  \
             grants = {{ uploads = \"read\", jobs = \"none\", reports = \"write\" }}\n}}\n"
        ),
    )
    .expect("write");
    let out = tmp.path().join("out");
    compile_project(&project, &[], &out);
    let b = tf_blocks(&tf_main(&out));
    let subscription = "4b8e2d71-3c6a-4f95-a0d2-8e1b7c5f3a69";
    assert_eq!(
        azure_roles(&b, "api_identity", subscription),
        pairs(&[
            (
                BLOB_READER,
                "scope = azurerm_storage_container.uploads_container.resource_manager_id"
            ),
            (
                BLOB_CONTRIBUTOR,
                "scope = azurerm_storage_container.reports_container.resource_manager_id"
            ),
            (
                SECRETS_USER,
                "scope = azurerm_key_vault_secret.key.resource_versionless_id"
            ),
        ])
    );
    // A service with a port but not public is no worker: internal ingress.
    let api = body(&b, "azurerm_container_app", "api");
    assert!(api.contains("ingress {") && api.contains("external_enabled = false"));

    // Without the stack's subscription the role is named (an unscoped definition id would make
    // Terraform replace the assignment on every plan).
    let text = fs::read_to_string(project.join("main.strata")).expect("read");
    fs::write(
        project.join("main.strata"),
        text.replace(
            ", subscription_id = \"4b8e2d71-3c6a-4f95-a0d2-8e1b7c5f3a69\"",
            "",
        ),
    )
    .expect("write");
    let out = tmp.path().join("out-by-name");
    compile_project(&project, &[], &out);
    let b = tf_blocks(&tf_main(&out));
    let reader = body(&b, "azurerm_role_assignment", "api_access_0");
    assert!(
        reader.contains("role_definition_name = \"Storage Blob Data Reader\"")
            && !reader.contains("role_definition_id"),
        "{reader}"
    );

    // The secret's value inside a longer string: L0010, nothing written.
    fs::write(
        project.join("main.strata"),
        format!(
            "{stack}resource api: Service {{\n  image = \"api:1\"\n  \
             env = {{ AUTH = \"Bearer ${{key.value}}\" }}\n}}\n"
        ),
    )
    .expect("write");
    let run = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("compile")
        .arg(&project)
        .arg("--out")
        .arg(tmp.path().join("out2"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("L0010"), "{stderr}");
    assert!(!tmp.path().join("out2").exists());
}

/// The example projects (as in `tests/examples.rs`).
const EXAMPLES: &[&str] = &[
    "deploy-ready/aws",
    "deploy-ready/gcp",
    "deploy-ready/azure",
    "ragonometrics-aws",
    "ragonometrics-gcp",
    "community-platform",
    "community-platform/dr",
    "infrastructure-directory",
    "circle-core",
    "infini-x",
];

/// The AWS properties on every example that has ECS services (every environment).
#[test]
fn every_example_service_holds_what_its_references_need() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut checked = 0;
    for example in EXAMPLES {
        for env in ["dev", "staging", "prod"] {
            let out = tmp.path().join(example).join(env);
            compile(example, env, &out);
            let cfn = out.join("cloudformation");
            let Ok(files) = fs::read_dir(&cfn) else {
                continue;
            };
            for f in files.filter_map(Result::ok) {
                let p = f.path();
                if p.extension().is_some_and(|e| e == "json") {
                    let t = Template::load(&p);
                    check_ecs_services(&t, &format!("{example} --env {env}: {}", p.display()));
                    checked += t.of_type("AWS::ECS::Service").count();
                }
            }
        }
    }
    assert!(checked > 0, "no example has an ECS service");
}

/// The service principals a key policy admits.
fn key_services(t: &Template, key: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for st in t.props(key)["KeyPolicy"]["Statement"]
        .as_array()
        .into_iter()
        .flatten()
    {
        match &st["Principal"]["Service"] {
            Json::String(s) => {
                out.insert(s.clone());
            }
            Json::Array(a) => out.extend(a.iter().filter_map(|s| s.as_str().map(String::from))),
            _ => {}
        }
    }
    out
}

/// Seed 004 (community-platform): the alarms notify an on-call topic the platform key encrypts,
/// so the key admits CloudWatch (or the alarms could not publish); the API pods receive their
/// role through EKS Pod Identity (trust with `sts:TagSession` for exactly their service
/// account on this cluster, the agent add-on first). A key
/// encrypting a topic no alarm notifies does not admit CloudWatch.
#[test]
fn alarm_topic_key_and_pod_identity() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("community");
    compile("community-platform", "prod", &out);
    let t = Template::load(&out.join("cloudformation/community.template.json"));

    assert_eq!(t.ty("Alerts"), "AWS::SNS::Topic");
    assert!(refs_of(&t.props("Alerts")["KmsMasterKeyId"]).contains("Key"));
    let alarms: Vec<_> = t.of_type("AWS::CloudWatch::Alarm").collect();
    assert!(alarms.len() >= 4, "the example's alarms");
    for (name, a) in &alarms {
        assert!(
            refs_of(&a["Properties"]["AlarmActions"]).contains("Alerts"),
            "{name} notifies the on-call topic"
        );
    }
    let subs: BTreeSet<String> = t
        .of_type("AWS::SNS::Subscription")
        .map(|(_, s)| {
            s["Properties"]["Protocol"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(subs, BTreeSet::from(["email".into(), "https".into()]));
    let services = key_services(&t, "Key");
    assert!(
        services.contains("cloudwatch.amazonaws.com"),
        "{services:?}"
    );
    assert!(
        services.contains("cloudtrail.amazonaws.com"),
        "{services:?}"
    );

    let trust = &t.props("ApiRole")["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(trust.as_array().map(Vec::len), Some(1), "{trust}");
    let trust = &trust[0];
    assert_eq!(trust["Principal"]["Service"], "pods.eks.amazonaws.com");
    assert_eq!(
        trust["Action"],
        serde_json::json!(["sts:AssumeRole", "sts:TagSession"])
    );
    // For exactly the service account `community/api` of this cluster (`assumed_by.pod_identity`).
    let tags = &trust["Condition"]["StringEquals"];
    assert_eq!(tags["aws:RequestTag/kubernetes-namespace"], "community");
    assert_eq!(tags["aws:RequestTag/kubernetes-service-account"], "api");
    assert_eq!(
        tags["aws:RequestTag/eks-cluster-arn"],
        serde_json::json!({"Fn::GetAtt": ["Cluster", "Arn"]})
    );
    assert!(
        refs_of(&tags["aws:SourceAccount"]).contains("Cluster"),
        "{tags}"
    );
    let assoc = t.get("ApiIdentity");
    assert_eq!(assoc["Type"], "AWS::EKS::PodIdentityAssociation");
    assert!(refs_of(&assoc["Properties"]["RoleArn"]).contains("ApiRole"));
    assert_eq!(assoc["Properties"]["ServiceAccount"], "api");
    assert_eq!(assoc["DependsOn"], serde_json::json!(["PodIdentityAgent"]));
    assert_eq!(
        t.props("PodIdentityAgent")["AddonName"],
        "eks-pod-identity-agent"
    );
    no_wildcards(&t, "ApiRole", "the API pods' role");
    // Other roles trust their services with `sts:AssumeRole` alone.
    let node_trust = &t.props("NodeRole")["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(node_trust["Action"], "sts:AssumeRole");

    // A key that encrypts a topic nobody's alarm notifies admits no service.
    let project = tmp.path().join("quiet");
    fs::create_dir_all(&project).expect("mkdir");
    fs::write(
        project.join("main.strata"),
        "import aws\n\nstack quiet { provider = aws { region = \"us-east-1\" } }\n\n\
         resource key: aws.kms.Key {}\n\
         resource topic: aws.sns.Topic { encryption = key }\n",
    )
    .expect("write");
    compile_project(
        &project,
        &["--target", "cloudformation"],
        &tmp.path().join("quiet-out"),
    );
    let q = Template::load(
        &tmp.path()
            .join("quiet-out/cloudformation/quiet.template.json"),
    );
    assert!(key_services(&q, "Key").is_empty());
}

/// A CloudFormation string value as text, each reference (`${X}`/`${X.Attr}` of an `Fn::Sub`,
/// a `Ref` or `Fn::GetAtt` among `Fn::Join` parts) replaced by `«X.Attr»`: what the stack will
/// substitute, named.
fn cfn_text(v: &Json) -> String {
    fn name(v: &Json) -> String {
        if let Some(r) = v.get("Ref").and_then(Json::as_str) {
            return format!("«{r}»");
        }
        if let Some(g) = v.get("Fn::GetAtt").and_then(Json::as_array) {
            let parts: Vec<_> = g.iter().filter_map(Json::as_str).collect();
            return format!("«{}»", parts.join("."));
        }
        panic!("not a reference: {v}")
    }
    match v {
        Json::String(s) => s.clone(),
        Json::Object(o) if o.contains_key("Fn::Sub") => {
            let text = o["Fn::Sub"].as_str().expect("Fn::Sub of a string");
            let mut out = String::new();
            let mut rest = text;
            while let Some(i) = rest.find("${") {
                out.push_str(&rest[..i]);
                let end = rest[i..].find('}').expect("closing brace") + i;
                let inner = &rest[i + 2..end];
                assert!(!inner.starts_with('!'), "no escaped `${{!` expected");
                out.push_str(&format!("«{inner}»"));
                rest = &rest[end + 1..];
            }
            out.push_str(rest);
            out
        }
        Json::Object(o) if o.contains_key("Fn::Join") => {
            let j = o["Fn::Join"].as_array().expect("Fn::Join");
            let sep = j[0].as_str().expect("separator");
            let parts: Vec<String> = j[1]
                .as_array()
                .expect("parts")
                .iter()
                .map(|p| match p {
                    Json::String(s) => s.clone(),
                    other => name(other),
                })
                .collect();
            parts.join(sep)
        }
        other => name(other),
    }
}

/// Every `«X»`/`«X.Attr»` in a text.
fn named_refs(text: &str) -> BTreeSet<String> {
    text.split('«')
        .skip(1)
        .filter_map(|s| s.split_once('»').map(|(r, _)| r.to_string()))
        .collect()
}

/// Seed 004 (community-platform), issue 12 item 8: the dashboard is valid JSON once the stack
/// has substituted its references, and its widgets name the real resources of the stack (the
/// load balancer, the API's target group, the cluster, the database, the queues and their
/// dead letters, the alarms); the saved Logs Insights queries run on the log groups the stack
/// has; the daily backups are copied to the disaster-recovery vault of `dr/`, which exists
/// under the ARN the plan names, with its own key and a lock that admits the copies' lifecycle.
#[test]
fn community_dashboard_log_searches_and_backup_copies() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("community");
    compile("community-platform", "prod", &out);
    let t = Template::load(&out.join("cloudformation/community.template.json"));

    // The dashboard.
    assert_eq!(t.ty("Dashboard"), "AWS::CloudWatch::Dashboard");
    assert_eq!(t.props("Dashboard")["DashboardName"], "community-prod");
    let text = cfn_text(&t.props("Dashboard")["DashboardBody"]);
    let doc: Json = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("the dashboard body is not JSON ({e}): {text}"));
    let widgets = doc["widgets"].as_array().expect("widgets");
    assert!(widgets.len() >= 10, "{} widgets", widgets.len());
    let named = named_refs(&text);
    for r in &named {
        let id = r.split('.').next().unwrap_or(r);
        assert!(
            !t.ty(id).is_empty(),
            "the dashboard names {r}, not a resource"
        );
    }
    for r in [
        "Alb.LoadBalancerFullName",
        "ApiTargets.TargetGroupFullName",
        "Cluster",
        "Db",
        "QueuesEmails.QueueName",
        "QueuesEvents.QueueName",
        "DeadLettersEmails.QueueName",
        "ApiErrors.Arn",
        "DbStorage.Arn",
    ] {
        assert!(
            named.contains(r),
            "the dashboard does not name {r}: {named:?}"
        );
    }
    assert_eq!(t.ty("Cluster"), "AWS::EKS::Cluster");
    assert_eq!(t.ty("Db"), "AWS::RDS::DBInstance");
    let mut namespaces = BTreeSet::new();
    for w in widgets {
        let (x, width) = (
            w["x"].as_i64().expect("x"),
            w["width"].as_i64().expect("width"),
        );
        assert!(x + width <= 24, "a widget past the 24-column grid: {w}");
        if w["type"] == "metric" {
            assert_eq!(w["properties"]["region"], "us-east-1");
            for m in w["properties"]["metrics"].as_array().expect("metrics") {
                let m = m.as_array().expect("a metric array");
                assert!(
                    m.len() >= 4 && m.len() % 2 == 0,
                    "namespace, name, dimension pairs: {m:?}"
                );
                assert!(m.iter().all(Json::is_string), "{m:?}");
                namespaces.insert(m[0].as_str().unwrap_or("").to_string());
            }
        }
    }
    assert_eq!(
        namespaces,
        [
            "AWS/ApplicationELB",
            "AWS/EKS",
            "AWS/RDS",
            "AWS/SQS",
            "AWS/WAFV2",
            "ContainerInsights"
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
    // Container Insights, which the `ContainerInsights` widgets and the `api-errors` search
    // read, is installed with a role of its own.
    assert_eq!(
        t.props("ObservabilityAddon")["AddonName"],
        "amazon-cloudwatch-observability"
    );
    assert_eq!(
        t.props("ObservabilityIdentity")["ServiceAccount"],
        "cloudwatch-agent"
    );

    // Terraform: the same document, a string with interpolations.
    let tf = tf_blocks(&tf_main(&out));
    let dash = body(&tf, "aws_cloudwatch_dashboard", "dashboard");
    let line = dash
        .lines()
        .find_map(|l| l.trim().strip_prefix("dashboard_body = "))
        .expect("dashboard_body");
    let mut resolved = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("${") {
        resolved.push_str(&rest[..i]);
        let end = rest[i..].find('}').expect("closing brace") + i;
        resolved.push_str("resolved");
        rest = &rest[end + 1..];
    }
    resolved.push_str(rest);
    let tf_text: String = serde_json::from_str(&resolved).expect("an HCL string in JSON's escapes");
    let tf_body: Json =
        serde_json::from_str(&tf_text).expect("the Terraform dashboard body is JSON");
    assert_eq!(
        tf_body["widgets"].as_array().map(Vec::len),
        Some(widgets.len())
    );
    assert!(line.contains("${aws_lb.alb.arn_suffix}"), "{line}");

    // The saved log searches.
    let searches: BTreeMap<String, Json> = t
        .of_type("AWS::Logs::QueryDefinition")
        .map(|(_, q)| {
            let p = &q["Properties"];
            (p["Name"].as_str().expect("Name").to_string(), p.clone())
        })
        .collect();
    let names: Vec<&str> = searches.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "community-prod/api-errors",
            "community-prod/db-errors",
            "community-prod/dns-nxdomain",
            "community-prod/jobs-errors",
            "community-prod/k8s-denied",
            "community-prod/trail-changes",
            "community-prod/trail-denied",
            "community-prod/waf-blocked",
        ]
    );
    let groups = |n: &str| -> Vec<String> {
        searches[n]["LogGroupNames"]
            .as_array()
            .expect("LogGroupNames")
            .iter()
            .map(cfn_text)
            .collect()
    };
    assert_eq!(
        groups("community-prod/waf-blocked"),
        ["«WafLogsApi»", "«WafLogsSite»"]
    );
    assert_eq!(groups("community-prod/trail-denied"), ["«TrailLogs»"]);
    assert_eq!(groups("community-prod/dns-nxdomain"), ["«DnsLogs»"]);
    assert_eq!(groups("community-prod/jobs-errors"), ["«FargateLogs»"]);
    // Fargate's log router writes there: the ConfigMap names the same group, the pod execution
    // role may write to it.
    let manifests = read(&out.join("kubernetes/workloads.yaml"));
    assert!(
        manifests.contains("log_group_name /aws/eks/community-prod/fargate"),
        "the aws-logging ConfigMap"
    );
    assert_eq!(
        t.props("FargateLogs")["LogGroupName"],
        "/aws/eks/community-prod/fargate"
    );
    assert!(refs_of(&t.props("FargateLoggingPolicy")["Roles"]).contains("FargateRole"));
    for g in [
        "WafLogsApi",
        "WafLogsSite",
        "TrailLogs",
        "DnsLogs",
        "FargateLogs",
    ] {
        assert_eq!(t.ty(g), "AWS::Logs::LogGroup");
    }
    // The groups the services create themselves are named as they name them.
    assert_eq!(t.props("Cluster")["Name"], "community-prod");
    assert_eq!(
        groups("community-prod/k8s-denied"),
        ["/aws/eks/community-prod/cluster"]
    );
    assert_eq!(t.props("Db")["DBInstanceIdentifier"], "community-prod");
    assert_eq!(
        groups("community-prod/db-errors"),
        ["/aws/rds/instance/community-prod/postgresql"]
    );
    assert!(t.props("Db")["EnableCloudwatchLogsExports"]
        .as_array()
        .is_some_and(|l| l.iter().any(|x| x == "postgresql")));
    assert!(searches["community-prod/waf-blocked"]["QueryString"]
        .as_str()
        .is_some_and(|q| q.contains("action = \"BLOCK\"")));

    // The backup copies, to the vault of dr/ (compiled for the same environment).
    let rule = &t.props("Backups")["BackupPlan"]["BackupPlanRule"][0];
    let copies = rule["CopyActions"].as_array().expect("CopyActions");
    assert_eq!(copies.len(), 1);
    let vault_arn = copies[0]["DestinationBackupVaultArn"]
        .as_str()
        .expect("an ARN written out");
    let copy_days = copies[0]["Lifecycle"]["DeleteAfterDays"]
        .as_i64()
        .expect("days");
    assert_eq!(copy_days, 30);
    assert_eq!(rule["Lifecycle"]["DeleteAfterDays"], 30);
    let backup_role = &t.props("BackupRole")["ManagedPolicyArns"];
    assert!(
        backup_role.as_array().is_some_and(|l| l.iter().any(
            |p| p == "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
        )),
        "the copy jobs' role allows backup:CopyIntoBackupVault (managed policy): {backup_role}"
    );
    let tf_plan = body(&tf, "aws_backup_plan", "backups");
    assert!(
        tf_plan.contains(&format!("destination_vault_arn = \"{vault_arn}\"")),
        "{tf_plan}"
    );

    let dr_out = tmp.path().join("dr");
    compile("community-platform/dr", "prod", &dr_out);
    let dr = Template::load(&dr_out.join("cloudformation/community_dr.template.json"));
    let vault = dr.props("BackupVault");
    let vault_name = vault["BackupVaultName"].as_str().expect("a fixed name");
    assert_eq!(
        vault_arn,
        format!("arn:aws:backup:us-west-2:333333333333:backup-vault:{vault_name}")
    );
    assert!(refs_of(&vault["EncryptionKeyArn"]).contains("BackupKey"));
    assert_eq!(dr.ty("BackupKey"), "AWS::KMS::Key");
    assert_eq!(dr.props("BackupKey")["EnableKeyRotation"], true);
    let lock = &vault["LockConfiguration"];
    let (min, max) = (
        lock["MinRetentionDays"].as_i64().expect("min"),
        lock["MaxRetentionDays"].as_i64().expect("max"),
    );
    assert!(
        min <= copy_days && copy_days <= max,
        "the lock refuses the copies: {lock}"
    );
}

/// Seed 000 (infini-x), issue 12 item 8: the AWS stack's alarms (the function's errors and
/// throttles, its dead letters) notify a topic the key encrypts, so the key admits CloudWatch;
/// the audit trail covers every region, validates its files, is encrypted with the key (which
/// admits CloudTrail) and also delivers to a log group; the GCP stack has an alert policy on the
/// function's 5xx responses, and its Terraform enables the Monitoring API.
#[test]
fn infinix_alarms_trail_and_alert_policy() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("infinix");
    compile("infini-x", "prod", &out);
    let t = Template::load(&out.join("cloudformation/infinix_aws.template.json"));

    assert!(refs_of(&t.props("AwsAlerts")["KmsMasterKeyId"]).contains("AwsKey"));
    let alarms: BTreeMap<&String, &Json> = t.of_type("AWS::CloudWatch::Alarm").collect();
    assert_eq!(alarms.len(), 3);
    for (name, a) in &alarms {
        assert!(
            refs_of(&a["Properties"]["AlarmActions"]).contains("AwsAlerts"),
            "{name} notifies the alert topic"
        );
    }
    assert!(refs_of(&t.props("CoreErrors")["Dimensions"]).contains("CoreLambda"));
    assert!(refs_of(&t.props("CoreDeadLetters")["Dimensions"]).contains("CoreDlq"));
    let services = key_services(&t, "AwsKey");
    for s in [
        "cloudwatch.amazonaws.com",
        "cloudtrail.amazonaws.com",
        "logs.us-east-1.amazonaws.com",
    ] {
        assert!(services.contains(s), "{s}: {services:?}");
    }

    let trail = t.props("Trail");
    assert_eq!(trail["IsMultiRegionTrail"], true);
    assert_eq!(trail["EnableLogFileValidation"], true);
    assert!(refs_of(&trail["KMSKeyId"]).contains("AwsKey"));
    assert!(refs_of(&trail["S3BucketName"]).contains("TrailBucket"));
    assert!(refs_of(&trail["CloudWatchLogsLogGroupArn"]).contains("TrailLogs"));
    assert_eq!(
        t.get("Trail")["DependsOn"],
        serde_json::json!(["TrailBucketPolicy"])
    );

    let gcp = read(&out.join("terraform/infinix_gcp/main.tf"));
    let tf = tf_blocks(&gcp);
    let policy = body(
        &tf,
        "google_monitoring_alert_policy",
        "core_function_errors",
    );
    assert!(
        policy.contains("run.googleapis.com/request_count"),
        "{policy}"
    );
    assert!(policy.contains("infinix-prod-core"), "{policy}");
    assert!(
        body(&tf, "google_project_service", "api_monitoring").contains("monitoring.googleapis.com")
    );
}

// --- portable.Function (issue 12 items 2–4) ---------------------------------------------

const BLOB_OWNER: &str = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";

/// `tests/fixtures/function-intent/app.strata` (with `edit` applied) and the stack file of
/// `provider`, as the project `dir/provider`.
fn function_project(dir: &Path, provider: &str, edit: &dyn Fn(String) -> String) -> PathBuf {
    let fixture = repo_root().join("compiler/strata-cli/tests/fixtures/function-intent");
    let project = dir.join(provider);
    fs::create_dir_all(&project).expect("mkdir");
    fs::write(
        project.join("app.strata"),
        edit(read(&fixture.join("app.strata"))),
    )
    .expect("write app");
    fs::copy(
        fixture.join(format!("stack-{provider}.strata")),
        project.join("stack.strata"),
    )
    .expect("copy stack");
    project
}

/// AWS: the Lambda role holds exactly what the function's references imply (narrowed by
/// `grants`; the code's bucket is not a use) and may read the database's and cache's credential
/// secrets, which its environment names (`PGSECRET_ARN`, `REDIS_AUTH_SECRET_ARN`), no wildcard; the function runs in the network's
/// private subnets with a security group of its own, which the database's and the cache's groups
/// admit on their ports. Lambda cannot inject a secret's value: L0010, saying so.
#[test]
fn function_intent_aws() {
    let tmp = tempfile::tempdir().expect("tempdir");

    // A secret's value in a Lambda's environment would be written as text.
    let project = function_project(tmp.path(), "aws", &|s| s);
    let run = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("compile")
        .arg(&project)
        .arg("--out")
        .arg(tmp.path().join("refused"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success() && err.contains("L0010") && err.contains("Lambda cannot"),
        "a Lambda's secret value:\n{err}"
    );

    let ids = tmp.path().join("ids");
    let project = function_project(&ids, "aws", &|s| {
        s.replace("API_KEY = api_key.value", "API_KEY = api_key.id")
    });
    let out = tmp.path().join("out");
    compile_project(&project, &[], &out);
    let t = Template::load(&out.join("cloudformation/fn.template.json"));
    let what = "function-intent (AWS)";

    assert_eq!(t.ty("Thumbnails"), "AWS::Lambda::Function");
    let role = refs_of(&t.props("Thumbnails")["Role"])
        .into_iter()
        .next()
        .expect("role");
    no_wildcards(&t, &role, what);
    let got: BTreeSet<(String, Vec<String>, BTreeSet<String>)> = statements(&t, &role)
        .into_iter()
        .map(|(sid, actions, res)| (sid, actions, refs_of(&res)))
        .collect();
    let want = |sid: &str, actions: &[&str], res: &str| {
        (
            sid.to_string(),
            actions.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            BTreeSet::from([res.to_string()]),
        )
    };
    assert_eq!(
        got,
        BTreeSet::from([
            want("UploadsBucket", &["s3:ListBucket"], "Uploads"),
            want("UploadsObjects", &["s3:GetObject"], "Uploads"),
            want(
                "ReportsObjects",
                &["s3:DeleteObject", "s3:PutObject"],
                "Reports"
            ),
            want(
                "JobsMessages",
                &[
                    "sqs:ChangeMessageVisibility",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:ReceiveMessage",
                    "sqs:SendMessage"
                ],
                "Jobs"
            ),
            want("ApiKeyValue", &["secretsmanager:GetSecretValue"], "ApiKey"),
            // The credentials Lambda cannot inject: the role may read their secrets.
            want("DbCredentials", &["secretsmanager:GetSecretValue"], "Db"),
            want(
                "SessionsAuthToken",
                &["secretsmanager:GetSecretValue"],
                "SessionsAuth"
            ),
        ]),
        "{what}: the Lambda role's statements"
    );
    let env = &t.props("Thumbnails")["Environment"]["Variables"];
    assert_eq!(
        env["PGSECRET_ARN"],
        serde_json::json!({"Fn::GetAtt": ["Db", "MasterUserSecret.SecretArn"]}),
        "{what}: where the database credential is read"
    );
    assert_eq!(
        env["REDIS_AUTH_SECRET_ARN"],
        serde_json::json!({"Ref": "SessionsAuth"}),
        "{what}: where the cache's AUTH token is read"
    );
    assert!(
        env.get("PGPASSWORD").is_none() && env.get("REDIS_PASSWORD").is_none(),
        "{what}: no credential as text: {env}"
    );

    // The network path: private subnets, its own group, admitted by the stores' groups.
    let vpc = &t.props("Thumbnails")["VpcConfig"];
    assert_eq!(
        refs_of(&vpc["SecurityGroupIds"]),
        BTreeSet::from(["ThumbnailsFirewall".to_string()]),
        "{what}: the function's security group"
    );
    assert_eq!(
        refs_of(&vpc["SubnetIds"]),
        BTreeSet::from([
            "DefaultNetworkPrivateSubnetA".to_string(),
            "DefaultNetworkPrivateSubnetB".to_string()
        ]),
        "{what}: the function's subnets"
    );
    assert!(
        ingress(&t, "ThumbnailsFirewall").is_empty(),
        "{what}: nothing connects to the function"
    );
    for (store, port) in [("Db", 5432), ("Sessions", 6379)] {
        let groups = store_groups(&t, store);
        let rules: Vec<_> = groups.iter().flat_map(|g| ingress(&t, g)).collect();
        assert_eq!(
            rules,
            vec![(Some("ThumbnailsFirewall".to_string()), None, port)],
            "{what}: {store} admits exactly the function's group"
        );
    }
    let managed = t.props(&role)["ManagedPolicyArns"].to_string();
    assert!(
        managed.contains("AWSLambdaVPCAccessExecutionRole"),
        "{what}: {managed}"
    );
}

/// GCP: the Cloud Function runs as a service account of its own holding exactly the bindings its
/// references imply, each on its resource (Cloud SQL: the two project roles, no per-instance
/// IAM), nothing on the code's bucket; the secret's value is a secret environment variable; the
/// database user is the account's Cloud SQL IAM user; the private stores are reached through a
/// VPC Access connector in their network (private ranges only).
#[test]
fn function_intent_gcp() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = function_project(tmp.path(), "gcp", &|s| s);
    let out = tmp.path().join("out");
    compile_project(&project, &[], &out);
    let what = "function-intent (GCP)";
    let text = tf_main(&out);
    let b = tf_blocks(&text);
    let project_line = "project = \"acme-fn\"";
    assert_eq!(
        gcp_bindings(&b, "thumbnails_identity"),
        set(&[
            (
                "google_project_iam_member",
                "roles/cloudsql.client",
                project_line
            ),
            (
                "google_project_iam_member",
                "roles/cloudsql.instanceUser",
                project_line
            ),
            (
                "google_pubsub_subscription_iam_member",
                "roles/pubsub.subscriber",
                "subscription = google_pubsub_subscription.jobs_subscription.id"
            ),
            (
                "google_pubsub_topic_iam_member",
                "roles/pubsub.publisher",
                "topic = google_pubsub_topic.jobs.id"
            ),
            (
                "google_secret_manager_secret_iam_member",
                "roles/secretmanager.secretAccessor",
                "secret_id = google_secret_manager_secret.api_key.id"
            ),
            // The cache's AUTH string (REDIS_PASSWORD), that secret only.
            (
                "google_secret_manager_secret_iam_member",
                "roles/secretmanager.secretAccessor",
                "secret_id = google_secret_manager_secret.sessions_auth.id"
            ),
            (
                "google_storage_bucket_iam_member",
                "roles/storage.objectViewer",
                "bucket = google_storage_bucket.uploads.name"
            ),
            (
                "google_storage_bucket_iam_member",
                "roles/storage.objectCreator",
                "bucket = google_storage_bucket.reports.name"
            ),
        ]),
        "{what}: the function's service account"
    );
    assert!(!text.contains("\"*\""), "{what}: a wildcard");

    let f = body(&b, "google_cloudfunctions2_function", "thumbnails");
    assert!(
        f.contains("service_account_email = google_service_account.thumbnails_identity.email"),
        "{what}: the function's identity:\n{f}"
    );
    assert!(
        f.contains("secret_environment_variables {\nkey = \"API_KEY\"\nproject_id = \"acme-fn\"\nsecret = google_secret_manager_secret.api_key.secret_id\nversion = \"latest\"\n}"),
        "{what}: the secret's value as a secret environment variable:\n{f}"
    );
    assert_eq!(
        f.matches("API_KEY").count(),
        1,
        "{what}: API_KEY only as a secret:\n{f}"
    );
    assert!(
        f.contains("secret_environment_variables {\nkey = \"REDIS_PASSWORD\"\nproject_id = \"acme-fn\"\nsecret = google_secret_manager_secret.sessions_auth.secret_id\nversion = \"latest\"\n}")
            && f.contains("REDIS_CA_CERT = google_redis_instance.sessions.server_ca_certs[0].cert"),
        "{what}: the cache's AUTH string as a secret environment variable, its CA certificate:\n{f}"
    );
    assert!(
        depends_on_version(f, "sessions_auth"),
        "{what}: the function is created after the AUTH string's version:\n{f}"
    );
    assert!(
        f.contains(
            "PGUSER = \"${google_service_account.thumbnails_identity.account_id}@acme-fn.iam\""
        ),
        "{what}: PGUSER:\n{f}"
    );
    let user = body(&b, "google_sql_user", "thumbnails_sql_user_0");
    assert!(
        user.contains("type = \"CLOUD_IAM_SERVICE_ACCOUNT\"")
            && user.contains("instance = google_sql_database_instance.db.name"),
        "{what}: the database user:\n{user}"
    );
    assert!(
        f.contains("vpc_connector = google_vpc_access_connector.thumbnails_connector.id")
            && f.contains("vpc_connector_egress_settings = \"PRIVATE_RANGES_ONLY\""),
        "{what}: the network path:\n{f}"
    );
    let c = body(&b, "google_vpc_access_connector", "thumbnails_connector");
    assert!(
        c.contains("network = google_compute_network.default_network.name")
            && c.contains("ip_cidr_range = \"10.0.16.0/28\"")
            && c.contains("name = \"fn-thumbnails-0\""),
        "{what}: the connector, outside the subnetwork's 10.0.0.0/20:\n{c}"
    );
    assert!(
        text.contains("google_compute_subnetwork") && text.contains("\"10.0.0.0/20\""),
        "{what}: the network's subnetwork"
    );
}

/// Azure: a Flex Consumption function app whose user-assigned identity holds exactly the
/// built-in roles its references imply, each scoped to its one resource (plus `Storage Blob Data
/// Owner` on its own package and host storage account); the secret's value is a Key Vault
/// reference resolved by the app's system identity, which alone holds `Key Vault Secrets User`
/// on that secret; the database and cache are reached with Entra ID; the app is integrated with
/// a subnet of the stores' network.
#[test]
fn function_intent_azure() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = function_project(tmp.path(), "azure", &|s| s);
    let out = tmp.path().join("out");
    compile_project(&project, &[], &out);
    let what = "function-intent (Azure)";
    let subscription = "4b8e2d71-3c6a-4f95-a0d2-8e1b7c5f3a69";
    let text = tf_main(&out);
    let b = tf_blocks(&text);
    let queue = "scope = azurerm_servicebus_queue.jobs_queue.id";
    assert_eq!(
        azure_roles(&b, "thumbnails_identity", subscription),
        pairs(&[
            (
                BLOB_READER,
                "scope = azurerm_storage_container.uploads_container.resource_manager_id"
            ),
            (
                BLOB_CONTRIBUTOR,
                "scope = azurerm_storage_container.reports_container.resource_manager_id"
            ),
            (BUS_SENDER, queue),
            (BUS_RECEIVER, queue),
            (
                BLOB_OWNER,
                "scope = azurerm_storage_account.thumbnails_storage.id"
            ),
        ]),
        "{what}: the function's identity"
    );
    // No wildcard in any grant (network security rules name "any port" as `*`).
    assert!(
        !b.iter()
            .any(|((ty, _), body)| ty != "azurerm_network_security_rule" && body.contains("\"*\"")),
        "{what}: a wildcard"
    );
    assert!(
        !text.contains("artifacts_container.resource_manager_id"),
        "{what}: the code's bucket is not a use"
    );

    // The secret: a Key Vault reference, resolved by the app's system identity.
    let app = body(&b, "azurerm_function_app_flex_consumption", "thumbnails");
    assert!(
        app.contains("API_KEY = \"@Microsoft.KeyVault(VaultName=${azurerm_key_vault.api_key_vault.name};SecretName=${azurerm_key_vault_secret.api_key.name})\""),
        "{what}: the secret's value as a Key Vault reference:\n{app}"
    );
    let system =
        "principal_id = azurerm_function_app_flex_consumption.thumbnails.identity[0].principal_id";
    let secret_roles: Vec<&String> = b
        .iter()
        .filter(|((ty, _), body)| ty == "azurerm_role_assignment" && body.contains(system))
        .map(|(_, body)| body)
        .collect();
    assert_eq!(secret_roles.len(), 1, "{what}: the system identity's roles");
    assert!(
        secret_roles[0].contains(SECRETS_USER)
            && secret_roles[0]
                .contains("scope = azurerm_key_vault_secret.api_key.resource_versionless_id"),
        "{what}: {}",
        secret_roles[0]
    );
    assert!(
        app.contains("type = \"SystemAssigned, UserAssigned\"")
            && app
                .contains("identity_ids = [azurerm_user_assigned_identity.thumbnails_identity.id]")
            && app.contains("storage_authentication_type = \"UserAssignedIdentity\"")
            && app.contains(
                "AZURE_CLIENT_ID = azurerm_user_assigned_identity.thumbnails_identity.client_id"
            ),
        "{what}: the app's identities:\n{app}"
    );

    // The database and the cache: Entra ID as the identity, never a password.
    assert!(
        app.contains("PGUSER = azurerm_user_assigned_identity.thumbnails_identity.name")
            && app.contains(
                "REDIS_USERNAME = azurerm_user_assigned_identity.thumbnails_identity.principal_id"
            ),
        "{what}: the credentials:\n{app}"
    );
    let admin = body(
        &b,
        "azurerm_postgresql_flexible_server_active_directory_administrator",
        "thumbnails_db_admin_0",
    );
    assert!(
        admin.contains(
            "object_id = azurerm_user_assigned_identity.thumbnails_identity.principal_id"
        ) && admin.contains("server_name = azurerm_postgresql_flexible_server.db.name"),
        "{what}: {admin}"
    );
    let cache = body(
        &b,
        "azurerm_redis_cache_access_policy_assignment",
        "thumbnails_cache_access_0",
    );
    assert!(
        cache.contains("redis_cache_id = azurerm_redis_cache.sessions.id"),
        "{what}: {cache}"
    );
    assert!(
        app.contains("azurerm_postgresql_flexible_server_active_directory_administrator.thumbnails_db_admin_0")
            && app.contains("azurerm_redis_cache_access_policy_assignment.thumbnails_cache_access_0")
            && app.contains("azurerm_role_assignment.thumbnails_access_0"),
        "{what}: the app is created after its access:\n{app}"
    );

    // The network path: VNet integration through a delegated subnet of the stores' network.
    assert!(
        app.contains("virtual_network_subnet_id = azurerm_subnet.thumbnails_subnet.id")
            && app.contains("public_network_access_enabled = false"),
        "{what}: {app}"
    );
    let subnet = body(&b, "azurerm_subnet", "thumbnails_subnet");
    assert!(
        subnet.contains("virtual_network_name = azurerm_virtual_network.default_network.name")
            && subnet.contains("name = \"Microsoft.App/environments\""),
        "{what}: {subnet}"
    );
    let db = body(&b, "azurerm_postgresql_flexible_server", "db");
    assert!(
        db.contains("delegated_subnet_id = azurerm_subnet.default_network_databases.id"),
        "{what}: the database in the same network:\n{db}"
    );
}

/// A function that references no private store gets no network path: no security group or
/// subnets (AWS), no connector (GCP), no integration subnet (Azure); and the stores a function
/// does reference admit nothing else.
#[test]
fn function_without_private_stores_stays_out_of_the_network() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let only_buckets = |s: String| {
        s.replace("    DATABASE_URL = db.url\n", "")
            .replace("    REDIS_URL = sessions.url\n", "")
            .replace("API_KEY = api_key.value", "API_KEY = api_key.id")
    };
    for provider in ["aws", "gcp", "azure"] {
        let project = function_project(tmp.path(), provider, &only_buckets);
        let out = tmp.path().join(format!("{provider}-out"));
        compile_project(&project, &[], &out);
        let text = tf_main(&out);
        let b = tf_blocks(&text);
        let what = format!("function-intent without stores ({provider})");
        match provider {
            "aws" => {
                let f = body(&b, "aws_lambda_function", "thumbnails");
                assert!(!f.contains("vpc_config"), "{what}:\n{f}");
                assert!(
                    !b.contains_key(&("aws_security_group".into(), "thumbnails_firewall".into())),
                    "{what}: a security group"
                );
                assert!(!text.contains("AWSLambdaVPCAccessExecutionRole"), "{what}");
            }
            "gcp" => {
                let f = body(&b, "google_cloudfunctions2_function", "thumbnails");
                assert!(!f.contains("vpc_connector"), "{what}:\n{f}");
                assert!(!text.contains("google_vpc_access_connector"), "{what}");
            }
            _ => {
                // On Azure the buckets and the secret are private stores themselves: their
                // storage accounts and vault admit the stack's network only (private
                // endpoints), so the function is integrated with a subnet of it, which has a
                // network security group.
                let f = body(&b, "azurerm_function_app_flex_consumption", "thumbnails");
                assert!(
                    f.contains("virtual_network_subnet_id = azurerm_subnet.thumbnails_subnet.id"),
                    "{what}:\n{f}"
                );
                assert!(
                    b.contains_key(&(
                        "azurerm_subnet_network_security_group_association".into(),
                        "thumbnails_subnet".into()
                    )),
                    "{what}: the integration subnet has no network security group"
                );
            }
        }
    }
}

/// A Lambda function that references two databases is told where each credential is
/// (`PGSECRET_ARN_<NAME>`), may read both secrets, and each database admits its group.
#[test]
fn lambda_with_two_databases() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = tmp.path().join("two");
    fs::create_dir_all(&project).expect("mkdir");
    fs::write(
        project.join("main.strata"),
        "import portable.{Function, Postgres}\n\
         stack two { provider = aws { region = \"us-east-1\" } }\n\
         resource orders: Postgres { database = \"orders\" }\n\
         resource billing: Postgres { database = \"billing\" }\n\
         resource sync: Function {\n  handler = \"main.handler\"\n  \
         source = { bucket = \"code\", object = \"sync.zip\" }\n  \
         env = { ORDERS = orders.url, BILLING = billing.url }\n}\n",
    )
    .expect("write");
    let out = tmp.path().join("out");
    compile_project(&project, &[], &out);
    let t = Template::load(&out.join("cloudformation/two.template.json"));
    let env = &t.props("Sync")["Environment"]["Variables"];
    for (key, db) in [
        ("PGSECRET_ARN_ORDERS", "Orders"),
        ("PGSECRET_ARN_BILLING", "Billing"),
    ] {
        assert_eq!(
            env[key],
            serde_json::json!({"Fn::GetAtt": [db, "MasterUserSecret.SecretArn"]}),
            "{key}: {env}"
        );
        assert_eq!(
            ingress(&t, &format!("{db}Firewall")),
            vec![(Some("SyncFirewall".to_string()), None, 5432)],
            "{db} admits the function"
        );
    }
    assert!(env.get("PGSECRET_ARN").is_none(), "{env}");
    let sids: BTreeSet<String> = statements(&t, "SyncRole")
        .into_iter()
        .map(|(sid, _, _)| sid)
        .collect();
    assert_eq!(
        sids,
        BTreeSet::from([
            "BillingCredentials".to_string(),
            "OrdersCredentials".to_string()
        ])
    );
}

/// A CloudFormation string value evaluated with the given attribute values: literal strings,
/// `Fn::GetAtt`/`Ref` (looked up in `atts` as `X.Attr` or `X`), `Fn::Join`, `Fn::Select` of an
/// `Fn::Split`, `Fn::Sub` (references only).
fn cfn_eval(v: &Json, atts: &BTreeMap<&str, &str>) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Object(o) => {
            if let Some(Json::Array(a)) = o.get("Fn::GetAtt") {
                let key = format!(
                    "{}.{}",
                    a[0].as_str().unwrap_or(""),
                    a[1].as_str().unwrap_or("")
                );
                return atts
                    .get(key.as_str())
                    .unwrap_or_else(|| panic!("no value for {key}"))
                    .to_string();
            }
            if let Some(Json::String(r)) = o.get("Ref") {
                return atts
                    .get(r.as_str())
                    .unwrap_or_else(|| panic!("no value for {r}"))
                    .to_string();
            }
            if let Some(Json::Array(a)) = o.get("Fn::Join") {
                let sep = a[0].as_str().unwrap_or("");
                let parts: Vec<String> = a[1]
                    .as_array()
                    .expect("Fn::Join list")
                    .iter()
                    .map(|x| cfn_eval(x, atts))
                    .collect();
                return parts.join(sep);
            }
            if let Some(Json::Array(a)) = o.get("Fn::Select") {
                let i = a[0].as_u64().expect("Fn::Select index") as usize;
                let split = a[1]["Fn::Split"]
                    .as_array()
                    .expect("Fn::Select of Fn::Split");
                let sep = split[0].as_str().expect("separator");
                let whole = cfn_eval(&split[1], atts);
                return whole.split(sep).nth(i).expect("the field").to_string();
            }
            panic!("cannot evaluate {v}")
        }
        _ => panic!("cannot evaluate {v}"),
    }
}

/// The Kubernetes object of that kind and name (and namespace) in a multi-document YAML file,
/// as text.
fn k8s_object<'a>(yaml: &'a str, kind: &str, namespace: &str, name: &str) -> &'a str {
    yaml.split("\n---\n")
        .find(|d| {
            d.lines().any(|l| l == format!("kind: {kind}"))
                && d.lines().any(|l| l == format!("  name: {name}"))
                && d.lines().any(|l| l == format!("  namespace: {namespace}"))
        })
        .unwrap_or_else(|| panic!("no {kind} {namespace}/{name}"))
}

/// Seed 004 (community-platform): the queue workers run on Fargate, where Pod Identity does not
/// reach; they get their role through IRSA. The cluster's IAM OIDC provider (the cluster's
/// issuer, client `sts.amazonaws.com`), a role whose trust admits exactly the tokens of
/// `community-jobs/jobs` (`sub` and `aud`, keyed by the issuer, computed at deploy time), with
/// exactly what the workers use (no wildcard), the service account annotated with that role's
/// ARN, and the workers running as that service account. The same in Terraform.
#[test]
fn fargate_workers_get_their_role_through_irsa() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("community");
    compile("community-platform", "prod", &out);
    let t = Template::load(&out.join("cloudformation/community.template.json"));

    assert_eq!(t.ty("Oidc"), "AWS::IAM::OIDCProvider");
    let oidc = t.props("Oidc");
    assert_eq!(
        oidc["Url"],
        serde_json::json!({"Fn::GetAtt": ["Cluster", "OpenIdConnectIssuerUrl"]})
    );
    assert_eq!(
        oidc["ClientIdList"],
        serde_json::json!(["sts.amazonaws.com"])
    );

    // The trust policy, as IAM receives it once the provider exists.
    let issuer = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
    let provider_arn = format!("arn:aws:iam::333333333333:oidc-provider/{issuer}");
    let atts = BTreeMap::from([
        ("Oidc.Arn", provider_arn.as_str()),
        ("Oidc", provider_arn.as_str()),
    ]);
    let role = t.props("JobsRole");
    let trust: Json = serde_json::from_str(&cfn_eval(&role["AssumeRolePolicyDocument"], &atts))
        .expect("the trust policy is JSON");
    assert_eq!(
        trust,
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {"Federated": provider_arn},
                "Condition": {"StringEquals": {
                    format!("{issuer}:sub"): "system:serviceaccount:community-jobs:jobs",
                    format!("{issuer}:aud"): "sts.amazonaws.com",
                }},
            }],
        })
    );
    assert_eq!(role["RoleName"], "community-prod-jobs");

    // Exactly what the workers use: consume the two queues, decrypt, connect as `api`.
    let mut grants: Vec<(Vec<String>, BTreeSet<String>)> = statements(&t, "JobsRole")
        .into_iter()
        .map(|(_, actions, resources)| (actions, refs_of(&resources)))
        .collect();
    grants.sort();
    let names = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        grants,
        vec![
            (vec!["kms:Decrypt".to_string()], names(&["Key"])),
            (vec!["rds-db:connect".to_string()], names(&["Db"])),
            (
                vec![
                    "sqs:ChangeMessageVisibility".to_string(),
                    "sqs:DeleteMessage".to_string(),
                    "sqs:GetQueueAttributes".to_string(),
                    "sqs:ReceiveMessage".to_string(),
                ],
                names(&["QueuesEmails", "QueuesEvents"])
            ),
        ]
    );
    no_wildcards(&t, "JobsRole", "the workers' role");
    let db_user = statements(&t, "JobsRole")
        .into_iter()
        .find(|(_, a, _)| a == &["rds-db:connect"])
        .map(|(_, _, r)| r.to_string())
        .unwrap_or_default();
    assert!(db_user.contains("/api\""), "{db_user}");

    // The manifests: the service account names that role, the workers run as it.
    let yaml = read(&out.join("kubernetes/workloads.yaml"));
    let account = k8s_object(&yaml, "ServiceAccount", "community-jobs", "jobs");
    assert!(
        account.contains(
            "eks.amazonaws.com/role-arn: arn:aws:iam::333333333333:role/community-prod-jobs\n"
        ),
        "{account}"
    );
    for w in ["emails-worker", "events-worker"] {
        let d = k8s_object(&yaml, "Deployment", "community-jobs", w);
        assert!(d.contains("serviceAccountName: jobs\n"), "{d}");
    }
    // The API keeps Pod Identity: its service account names no role.
    let api = k8s_object(&yaml, "ServiceAccount", "community", "api");
    assert!(!api.contains("role-arn"), "{api}");

    // Terraform: the provider from the cluster's issuer; the trust keyed by the issuer taken out
    // of the provider's ARN.
    let tf = read(&out.join("terraform/community/main.tf"));
    let b = tf_blocks(&tf);
    let p = body(&b, "aws_iam_openid_connect_provider", "oidc");
    assert!(
        p.contains("url = aws_eks_cluster.cluster.identity[0].oidc[0].issuer\n"),
        "{p}"
    );
    assert!(
        p.contains("client_id_list = [\"sts.amazonaws.com\"]\n"),
        "{p}"
    );
    let r = body(&b, "aws_iam_role", "jobs_role");
    let issuer_tf =
        "${element(split(\"oidc-provider/\", aws_iam_openid_connect_provider.oidc.arn), 1)}";
    for needle in [
        "\\\"Federated\\\":\\\"${aws_iam_openid_connect_provider.oidc.arn}\\\"".to_string(),
        format!("\\\"{issuer_tf}:sub\\\":\\\"system:serviceaccount:community-jobs:jobs\\\""),
        format!("\\\"{issuer_tf}:aud\\\":\\\"sts.amazonaws.com\\\""),
        "sts:AssumeRoleWithWebIdentity".to_string(),
    ] {
        assert!(r.contains(&needle), "{needle} in {r}");
    }
}

/// GKE Workload Identity: a Google service account names the Kubernetes service accounts that
/// act as it; each gets `roles/iam.workloadIdentityUser` on that account only (never on the
/// project), for `serviceAccount:PROJECT.svc.id.goog[NS/NAME]`.
#[test]
fn gke_workload_identity_binds_one_kubernetes_account() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = tmp.path().join("wi");
    fs::create_dir_all(&project).expect("mkdir");
    fs::write(
        project.join("main.strata"),
        "import gcp\nimport k8s\n\n\
         stack cloud { provider = gcp { project = \"wi-prod\", region = \"europe-west1\" } }\n\n\
         resource exporter: gcp.iam.ServiceAccount {\n\
         \x20 account_id = \"metrics-exporter\"\n\
         \x20 roles = [\"roles/monitoring.viewer\"]\n\
         \x20 kubernetes_accounts = [{ namespace = \"monitoring\", name = \"exporter\" }]\n\
         }\n\n\
         stack pods { provider = kubernetes { namespace = \"monitoring\" } }\n\n\
         resource exporter_account: k8s.ServiceAccount {\n\
         \x20 name = \"exporter\"\n\
         \x20 namespace = \"monitoring\"\n\
         \x20 annotations = { \"iam.gke.io/gcp-service-account\" = \"metrics-exporter@wi-prod.iam.gserviceaccount.com\" }\n\
         }\n",
    )
    .expect("write");
    let out = tmp.path().join("wi-out");
    compile_project(&project, &["--target", "terraform,kubernetes"], &out);
    let b = tf_blocks(&read(&out.join("terraform/cloud/main.tf")));
    let wi: Vec<_> = b
        .iter()
        .filter(|((ty, _), _)| ty == "google_service_account_iam_member")
        .collect();
    assert_eq!(wi.len(), 1, "{wi:?}");
    let body = wi[0].1;
    assert!(
        body.contains("service_account_id = google_service_account.exporter.name\n"),
        "{body}"
    );
    assert!(
        body.contains("role = \"roles/iam.workloadIdentityUser\"\n"),
        "{body}"
    );
    assert!(
        body.contains("member = \"serviceAccount:wi-prod.svc.id.goog[monitoring/exporter]\"\n"),
        "{body}"
    );
    assert!(
        !b.iter()
            .any(|((ty, _), body)| ty == "google_project_iam_member"
                && body.contains("workloadIdentityUser")),
        "no project-wide workloadIdentityUser"
    );
    // Deployment Manager has no binding type on a service account: refused, not left out.
    let dm = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("compile")
        .arg(&project)
        .args(["--target", "deployment-manager", "--out"])
        .arg(tmp.path().join("wi-dm"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    let err = String::from_utf8_lossy(&dm.stderr);
    assert!(!dm.status.success(), "{err}");
    assert!(
        err.contains("L0009") && err.contains("kubernetes_accounts"),
        "{err}"
    );
    let yaml = read(&out.join("kubernetes/pods.yaml"));
    let account = k8s_object(&yaml, "ServiceAccount", "monitoring", "exporter");
    assert!(
        account.contains(
            "iam.gke.io/gcp-service-account: metrics-exporter@wi-prod.iam.gserviceaccount.com\n"
        ),
        "{account}"
    );
}

// --- checkov trade-offs fixed in the stdlib (issue 14 item 10) -------------------------

/// Secure defaults of the curated AWS types, in both targets: an ECR repository without a key is
/// KMS-encrypted with the AWS-managed key (`kms = false` keeps AES-256); a KMS key without a
/// written policy has AWS's default policy written out (the account); a bucket sends its object
/// events to EventBridge unless `eventbridge = false`.
#[test]
fn aws_secure_defaults_ecr_kms_key_policy_bucket_events() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = tmp.path().join("defaults");
    fs::create_dir_all(&project).expect("mkdir");
    fs::write(
        project.join("main.strata"),
        r#"import aws
import portable.{Registry}

stack s { provider = aws { region = "eu-west-1" } }

resource images: aws.ecr.Repository {}
resource legacy_images: aws.ecr.Repository { kms = false }
resource keyed_images: aws.ecr.Repository { encryption = key }
resource registry: Registry {}
resource key: aws.kms.Key {}
resource data: aws.s3.Bucket {}
resource quiet: aws.s3.Bucket { eventbridge = false }
"#,
    )
    .expect("write project");
    let out = tmp.path().join("out");
    compile_project(&project, &[], &out);

    let t = Template::load(&out.join("cloudformation/s.template.json"));
    let enc = |name: &str| t.props(name)["EncryptionConfiguration"].clone();
    assert_eq!(enc("Images"), serde_json::json!({"EncryptionType": "KMS"}));
    assert_eq!(
        enc("Registry"),
        serde_json::json!({"EncryptionType": "KMS"})
    );
    assert_eq!(
        enc("LegacyImages"),
        serde_json::json!({"EncryptionType": "AES256"})
    );
    assert_eq!(enc("KeyedImages")["EncryptionType"], "KMS");
    assert!(refs_of(&enc("KeyedImages")["KmsKey"]).contains("Key"));

    let policy = &t.props("Key")["KeyPolicy"];
    let statements = policy["Statement"]
        .as_array()
        .expect("key policy statements");
    assert_eq!(statements.len(), 1, "{policy}");
    assert_eq!(statements[0]["Action"], "kms:*");
    assert!(
        cfn_text(&statements[0]["Principal"]["AWS"]).contains("AWS::AccountId"),
        "{policy}"
    );

    assert_eq!(
        t.props("Data")["NotificationConfiguration"],
        serde_json::json!({"EventBridgeConfiguration": {"EventBridgeEnabled": true}})
    );
    assert!(t.props("Quiet").get("NotificationConfiguration").is_none());

    let tf_text = tf_main(&out);
    let tf = tf_blocks(&tf_text);
    assert!(body(&tf, "aws_ecr_repository", "images").contains("encryption_type = \"KMS\""));
    assert!(!body(&tf, "aws_ecr_repository", "images").contains("kms_key"));
    assert!(
        body(&tf, "aws_ecr_repository", "legacy_images").contains("encryption_type = \"AES256\"")
    );
    let key = body(&tf, "aws_kms_key", "key");
    assert!(key.contains("policy = jsonencode({"), "{key}");
    assert!(
        key.contains("data.aws_caller_identity.key.account_id}:root"),
        "{key}"
    );
    assert!(tf_text.contains("data \"aws_caller_identity\" \"key\""));
    assert!(body(&tf, "aws_s3_bucket_notification", "data").contains("eventbridge = true"));
    assert!(!tf.contains_key(&(
        "aws_s3_bucket_notification".to_string(),
        "quiet".to_string()
    )));
}

/// The examples' fixes of checkov findings: Grafana reads its admin password from a file of the
/// Secret (no `secretKeyRef` in its environment, CKV_K8S_35); the CloudTrail buckets of infini-x
/// and the community platform, and infini-x's function sources, keep access logs in log
/// buckets of their own (CKV_AWS_18, CKV_GCP_62, CIS AWS 3.6).
#[test]
fn examples_secret_files_and_trail_access_logs() {
    let tmp = tempfile::tempdir().expect("tempdir");

    let out = tmp.path().join("directory");
    compile("infrastructure-directory", "prod", &out);
    let k8s_dir = out.join("kubernetes");
    let manifests = fs::read_dir(&k8s_dir)
        .expect("kubernetes dir")
        .filter_map(Result::ok)
        .map(|e| read(&e.path()))
        .collect::<Vec<_>>()
        .join("\n---\n");
    let grafana = k8s_object(&manifests, "Deployment", "monitoring-prod", "grafana");
    assert!(
        grafana.contains("GF_SECURITY_ADMIN_PASSWORD__FILE"),
        "{grafana}"
    );
    assert!(
        grafana.contains("/etc/grafana/secrets/password"),
        "{grafana}"
    );
    assert!(!grafana.contains("secretKeyRef"), "{grafana}");
    assert!(grafana.contains("secretName: grafana-admin"), "{grafana}");

    let out = tmp.path().join("infinix");
    compile("infini-x", "prod", &out);
    let t = Template::load(&out.join("cloudformation/infinix_aws.template.json"));
    let logging = &t.props("TrailBucket")["LoggingConfiguration"];
    assert!(refs_of(&logging["DestinationBucketName"]).contains("TrailAccessLogs"));
    assert!(t
        .props("TrailAccessLogs")
        .get("LoggingConfiguration")
        .is_none());
    let gcp = read(&out.join("terraform/infinix_gcp/main.tf"));
    let tf = tf_blocks(&gcp);
    assert!(body(&tf, "google_storage_bucket", "sources")
        .contains("log_bucket = google_storage_bucket.sources_logs.name"));
    assert!(body(
        &tf,
        "google_storage_bucket_iam_member",
        "sources_logs_member_0"
    )
    .contains("group:cloud-storage-analytics@google.com"));

    let out = tmp.path().join("community");
    compile("community-platform", "prod", &out);
    let t = Template::load(&out.join("cloudformation/community.template.json"));
    assert!(refs_of(&t.props("Trail")["S3BucketName"]).contains("TrailBucket"));
    assert!(
        refs_of(&t.props("TrailBucket")["LoggingConfiguration"]["DestinationBucketName"])
            .contains("Logs")
    );
}

// --- portable.Service on Kubernetes: the pods' cloud identity (issue 12 item 2) ----------

/// `tests/fixtures/k8s-intent`'s `cloud-PROVIDER.strata` and `pods-PROVIDER.strata` (with `edit`
/// applied) as the project `dir/NAME`.
fn k8s_intent_project(
    dir: &Path,
    provider: &str,
    name: &str,
    edit: &dyn Fn(String) -> String,
) -> PathBuf {
    let fixture = repo_root().join("compiler/strata-cli/tests/fixtures/k8s-intent");
    let project = dir.join(name);
    fs::create_dir_all(&project).expect("mkdir");
    fs::copy(
        fixture.join(format!("cloud-{provider}.strata")),
        project.join("cloud.strata"),
    )
    .expect("copy cloud");
    fs::write(
        project.join("pods.strata"),
        edit(read(&fixture.join(format!("pods-{provider}.strata")))),
    )
    .expect("write pods");
    project
}

/// `strata compile PROJECT`, which must fail: its standard error.
fn compile_fails(project: &Path, out: &Path) -> String {
    let run = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("compile")
        .arg(project)
        .arg("--out")
        .arg(out)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    let err = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(!run.status.success(), "compiled:\n{err}");
    err
}

/// A portable `Service` of a Kubernetes stack whose settings name an identity (`irsa {
/// provider = oidc }`) gets, per service, a ServiceAccount annotated with the ARN of an IAM role
/// created in the OIDC provider's (AWS) stack, which only that service account may assume and
/// which holds exactly what its uses imply (`grants` narrowing them as on ECS: the worker reads
/// the bucket and receives from the queue, the API sends), the database as IAM authentication
/// as its own user (`PGUSER`), no wildcard; the Deployment runs as that service account. The
/// same in Terraform.
#[test]
fn k8s_intent_aws_irsa() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = k8s_intent_project(tmp.path(), "aws", "k8s", &|s| s);
    let out = tmp.path().join("out");
    compile_project(&project, &[], &out);
    let what = "k8s-intent (AWS)";
    let t = Template::load(&out.join("cloudformation/cloud.template.json"));

    // The trust: exactly shop/api through the cluster's OIDC provider.
    let issuer = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
    let provider_arn = format!("arn:aws:iam::123456789012:oidc-provider/{issuer}");
    let atts = BTreeMap::from([
        ("Oidc.Arn", provider_arn.as_str()),
        ("Oidc", provider_arn.as_str()),
    ]);
    for (role, account) in [("ApiRole", "api"), ("WorkerRole", "worker")] {
        assert_eq!(t.ty(role), "AWS::IAM::Role", "{what}: {role}");
        let p = t.props(role);
        assert_eq!(p["RoleName"], format!("pods-{account}"), "{what}");
        let trust: Json = serde_json::from_str(&cfn_eval(&p["AssumeRolePolicyDocument"], &atts))
            .expect("the trust policy is JSON");
        assert_eq!(
            trust,
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {"Federated": provider_arn},
                    "Condition": {"StringEquals": {
                        format!("{issuer}:sub"): format!("system:serviceaccount:shop:{account}"),
                        format!("{issuer}:aud"): "sts.amazonaws.com",
                    }},
                }],
            }),
            "{what}: {role}"
        );
        no_wildcards(&t, role, what);
        assert!(p["ManagedPolicyArns"].is_null(), "{what}: {role}");
    }

    // Exactly what the uses imply.
    let grants = |role: &str| -> Vec<(String, Vec<String>, BTreeSet<String>)> {
        let mut g: Vec<_> = statements(&t, role)
            .into_iter()
            .map(|(sid, a, r)| (sid, a, refs_of(&r)))
            .collect();
        g.sort();
        g
    };
    let row = |sid: &str, actions: &[&str], on: &[&str]| {
        (
            sid.to_string(),
            actions.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            on.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
        )
    };
    let mut api = vec![
        row(
            "ApiKeyValue",
            &["secretsmanager:GetSecretValue"],
            &["ApiKey"],
        ),
        row("DbConnect", &["rds-db:connect"], &["Db"]),
        row(
            "JobsSend",
            &["sqs:GetQueueAttributes", "sqs:SendMessage"],
            &["Jobs"],
        ),
        row("ReportsBucket", &["s3:ListBucket"], &["Reports"]),
        row("ReportsObjects", &["s3:GetObject"], &["Reports"]),
        row("UploadsBucket", &["s3:ListBucket"], &["Uploads"]),
        row(
            "UploadsKey",
            &["kms:Decrypt", "kms:GenerateDataKey"],
            &["Key"],
        ),
        row(
            "UploadsObjects",
            &["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            &["Uploads"],
        ),
    ];
    api.sort();
    assert_eq!(grants("ApiRole"), api, "{what}: the API's role");
    let mut worker = vec![
        row(
            "JobsReceive",
            &[
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            &["Jobs"],
        ),
        row("UploadsBucket", &["s3:ListBucket"], &["Uploads"]),
        row("UploadsKey", &["kms:Decrypt"], &["Key"]),
        row("UploadsObjects", &["s3:GetObject"], &["Uploads"]),
    ];
    worker.sort();
    assert_eq!(grants("WorkerRole"), worker, "{what}: the worker's role");
    // The database user is the service account's name, in the stack's region and account.
    let connect = statements(&t, "ApiRole")
        .into_iter()
        .find(|(sid, _, _)| sid == "DbConnect")
        .map(|(_, _, r)| r)
        .expect("DbConnect");
    assert_eq!(
        connect,
        serde_json::json!([{"Fn::Sub": "arn:aws:rds-db:us-east-1:123456789012:dbuser:${Db.DbiResourceId}/api"}]),
        "{what}"
    );
    // The database authenticates with IAM.
    assert_eq!(t.props("Db")["EnableIAMDatabaseAuthentication"], true);

    // The manifests: a service account per service, annotated with its role's ARN (the role's
    // name, the stack's account), and the Deployment running as it.
    let yaml = read(&out.join("kubernetes/pods.yaml"));
    for account in ["api", "worker"] {
        let sa = k8s_object(&yaml, "ServiceAccount", "shop", account);
        assert!(
            sa.contains(&format!(
                "eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/pods-{account}\n"
            )),
            "{what}: {sa}"
        );
        let d = k8s_object(&yaml, "Deployment", "shop", account);
        assert!(
            d.lines()
                .any(|l| l.trim() == format!("serviceAccountName: {account}")),
            "{what}: {d}"
        );
    }
    let d = k8s_object(&yaml, "Deployment", "shop", "api");
    assert!(
        d.contains("- name: PGUSER\n              value: api\n"),
        "{what}: {d}"
    );
    assert!(
        !k8s_object(&yaml, "Deployment", "shop", "worker").contains("PGUSER"),
        "{what}: the worker does not use the database"
    );
    // Nothing of the AWS stack in the manifests but the ARNs as text.
    assert!(!yaml.contains("kind: Role"), "{what}");

    // Terraform: the same role, trust and statements.
    let tf = read(&out.join("terraform/cloud/main.tf"));
    let b = tf_blocks(&tf);
    let r = body(&b, "aws_iam_role", "api_role");
    assert!(r.contains("name = \"pods-api\"\n"), "{r}");
    let issuer_tf =
        "${element(split(\"oidc-provider/\", aws_iam_openid_connect_provider.oidc.arn), 1)}";
    for needle in [
        "\\\"Federated\\\":\\\"${aws_iam_openid_connect_provider.oidc.arn}\\\"".to_string(),
        format!("\\\"{issuer_tf}:sub\\\":\\\"system:serviceaccount:shop:api\\\""),
        format!("\\\"{issuer_tf}:aud\\\":\\\"sts.amazonaws.com\\\""),
    ] {
        assert!(r.contains(&needle), "{needle} in {r}");
    }
    let p = body(&b, "aws_iam_role_policy", "api_role_policy_references");
    for needle in [
        "Action = [\"s3:DeleteObject\", \"s3:GetObject\", \"s3:PutObject\"]\n",
        "Resource = [\"${aws_s3_bucket.uploads.arn}/*\"]\n",
        "Action = [\"sqs:GetQueueAttributes\", \"sqs:SendMessage\"]\n",
        "Resource = [aws_sqs_queue.jobs.arn]\n",
        "Resource = [\"arn:aws:rds-db:us-east-1:123456789012:dbuser:${aws_db_instance.db.resource_id}/api\"]\n",
        "Resource = [aws_secretsmanager_secret.api_key.arn]\n",
    ] {
        assert!(p.contains(needle), "{needle} in {p}");
    }
    assert!(!p.contains("\"*\""), "{p}");
    assert_eq!(p.matches("Sid =").count(), 8, "{p}");
    let w = body(&b, "aws_iam_role_policy", "worker_role_policy_references");
    assert!(
        !w.contains("s3:PutObject") && !w.contains("sqs:SendMessage"),
        "{w}"
    );
    assert_eq!(w.matches("Sid =").count(), 4, "{w}");
}

/// The pods of `pods-aws.strata` with EKS Pod Identity instead of IRSA
/// (`identity = pod_identity { cluster = cluster }`).
fn pod_identity_pods(s: String) -> String {
    s.replace(
        "identity = irsa { provider = oidc }",
        "identity = pod_identity { cluster = cluster }",
    )
}

/// A CloudFormation value with each string leaf computed by `cfn_eval` (intrinsics included).
fn cfn_eval_tree(v: &Json, atts: &BTreeMap<&str, &str>) -> Json {
    match v {
        Json::Object(o)
            if ["Ref", "Fn::GetAtt", "Fn::Join", "Fn::Select"]
                .iter()
                .any(|k| o.contains_key(*k)) =>
        {
            Json::String(cfn_eval(v, atts))
        }
        Json::Object(o) => Json::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), cfn_eval_tree(x, atts)))
                .collect(),
        ),
        Json::Array(a) => Json::Array(a.iter().map(|x| cfn_eval_tree(x, atts)).collect()),
        other => other.clone(),
    }
}

/// EKS Pod Identity (`identity = pod_identity { cluster = cluster }`): per service that uses AWS
/// resources, an IAM role `pods-NAME` in the cluster's stack whose trust admits only
/// `pods.eks.amazonaws.com` (`sts:AssumeRole`, `sts:TagSession`) for exactly this cluster,
/// namespace and service account (the session tags EKS sets) from the cluster's account
/// (`aws:SourceAccount`), holding exactly the statements the IRSA role of the same services
/// holds; an `AWS::EKS::PodIdentityAssociation` binding it to `shop/NAME`; a ServiceAccount
/// with no annotation (nothing of the AWS stack in the manifests) that the Deployment runs as;
/// the database as IAM authentication (`PGUSER`). The same in Terraform.
#[test]
fn k8s_intent_aws_pod_identity() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let what = "k8s-intent (EKS Pod Identity)";
    let irsa = k8s_intent_project(tmp.path(), "aws", "irsa", &|s| s);
    let irsa_out = tmp.path().join("irsa-out");
    compile_project(&irsa, &[], &irsa_out);
    let project = k8s_intent_project(tmp.path(), "aws", "podid", &pod_identity_pods);
    let out = tmp.path().join("out");
    compile_project(&project, &[], &out);
    let t = Template::load(&out.join("cloudformation/cloud.template.json"));
    let t_irsa = Template::load(&irsa_out.join("cloudformation/cloud.template.json"));

    let cluster_arn = "arn:aws:eks:us-east-1:123456789012:cluster/shop";
    let atts = BTreeMap::from([("Cluster.Arn", cluster_arn), ("Cluster", "shop")]);
    for (role, account) in [("ApiRole", "api"), ("WorkerRole", "worker")] {
        assert_eq!(t.ty(role), "AWS::IAM::Role", "{what}: {role}");
        let p = t.props(role);
        assert_eq!(p["RoleName"], format!("pods-{account}"), "{what}");
        // The trust: EKS Pod Identity for exactly cluster shop, shop/NAME, in the account.
        assert_eq!(
            cfn_eval_tree(&p["AssumeRolePolicyDocument"], &atts),
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "EksPodIdentity",
                    "Effect": "Allow",
                    "Action": ["sts:AssumeRole", "sts:TagSession"],
                    "Principal": {"Service": "pods.eks.amazonaws.com"},
                    "Condition": {"StringEquals": {
                        "aws:SourceAccount": "123456789012",
                        "aws:RequestTag/eks-cluster-arn": cluster_arn,
                        "aws:RequestTag/kubernetes-namespace": "shop",
                        "aws:RequestTag/kubernetes-service-account": account,
                    }},
                }],
            }),
            "{what}: {role}"
        );
        // Exactly the grants of the IRSA role of the same service (asserted statement by
        // statement in k8s_intent_aws_irsa), none with a wildcard.
        assert_eq!(
            statements(&t, role),
            statements(&t_irsa, role),
            "{what}: {role}"
        );
        assert!(!statements(&t, role).is_empty(), "{what}: {role}");
        no_wildcards(&t, role, what);
        assert!(p["ManagedPolicyArns"].is_null(), "{what}: {role}");
    }
    assert_eq!(statements(&t, "ApiRole").len(), 8, "{what}");
    assert_eq!(statements(&t, "WorkerRole").len(), 4, "{what}");
    let connect = statements(&t, "ApiRole")
        .into_iter()
        .find(|(sid, _, _)| sid == "DbConnect")
        .map(|(_, _, r)| r)
        .expect("DbConnect");
    assert_eq!(
        connect,
        serde_json::json!([{"Fn::Sub": "arn:aws:rds-db:us-east-1:123456789012:dbuser:${Db.DbiResourceId}/api"}]),
        "{what}"
    );

    // One association per service, in the cluster's stack: the cluster, shop/NAME, its role.
    let associations: Vec<&String> =
        t.0.iter()
            .filter(|(_, r)| r["Type"] == "AWS::EKS::PodIdentityAssociation")
            .map(|(k, _)| k)
            .collect();
    assert_eq!(associations.len(), 2, "{what}: {associations:?}");
    for (assoc, account, role) in [
        ("ApiAssociation", "api", "ApiRole"),
        ("WorkerAssociation", "worker", "WorkerRole"),
    ] {
        let p = t.props(assoc);
        assert_eq!(
            p["ClusterName"],
            serde_json::json!({"Ref": "Cluster"}),
            "{what}"
        );
        assert_eq!(p["Namespace"], "shop", "{what}: {assoc}");
        assert_eq!(p["ServiceAccount"], account, "{what}: {assoc}");
        assert_eq!(
            p["RoleArn"],
            serde_json::json!({"Fn::GetAtt": [role, "Arn"]}),
            "{what}: {assoc}"
        );
    }
    // The agent the program declares; no OIDC trust in these roles.
    assert_eq!(
        t.props("PodIdentityAgent")["AddonName"],
        "eks-pod-identity-agent"
    );
    assert!(
        !serde_json::to_string(&t.props("ApiRole")["AssumeRolePolicyDocument"])
            .expect("json")
            .contains("Federated"),
        "{what}"
    );

    // The manifests: a service account per service, without annotation, the Deployment
    // running as it; nothing of the AWS stack (no ARN, no account).
    let yaml = read(&out.join("kubernetes/pods.yaml"));
    for account in ["api", "worker"] {
        let sa = k8s_object(&yaml, "ServiceAccount", "shop", account);
        assert!(!sa.contains("annotations"), "{what}: {sa}");
        let d = k8s_object(&yaml, "Deployment", "shop", account);
        assert!(
            d.lines()
                .any(|l| l.trim() == format!("serviceAccountName: {account}")),
            "{what}: {d}"
        );
    }
    assert!(
        !yaml.contains("arn:aws") && !yaml.contains("123456789012"),
        "{what}: {yaml}"
    );
    let d = k8s_object(&yaml, "Deployment", "shop", "api");
    assert!(
        d.contains("- name: PGUSER\n              value: api\n"),
        "{what}: {d}"
    );

    // Terraform: the same trust, association and statements.
    let b = tf_blocks(&read(&out.join("terraform/cloud/main.tf")));
    let b_irsa = tf_blocks(&read(&irsa_out.join("terraform/cloud/main.tf")));
    for (label, account) in [("api", "api"), ("worker", "worker")] {
        let r = body(&b, "aws_iam_role", &format!("{label}_role"));
        for needle in [
            format!("name = \"pods-{account}\"\n"),
            "Action = [\"sts:AssumeRole\", \"sts:TagSession\"]\n".to_string(),
            "Service = \"pods.eks.amazonaws.com\"\n".to_string(),
            "\"aws:SourceAccount\" = element(split(\":\", aws_eks_cluster.cluster.arn), 4)\n"
                .to_string(),
            "\"aws:RequestTag/eks-cluster-arn\" = aws_eks_cluster.cluster.arn\n".to_string(),
            "\"aws:RequestTag/kubernetes-namespace\" = \"shop\"\n".to_string(),
            format!("\"aws:RequestTag/kubernetes-service-account\" = \"{account}\"\n"),
        ] {
            assert!(r.contains(&needle), "{what}: {needle} in {r}");
        }
        assert!(
            !r.contains("Federated") && !r.contains("\"*\""),
            "{what}: {r}"
        );
        let a = body(
            &b,
            "aws_eks_pod_identity_association",
            &format!("{label}_association"),
        );
        for needle in [
            "cluster_name = aws_eks_cluster.cluster.name\n".to_string(),
            "namespace = \"shop\"\n".to_string(),
            format!("service_account = \"{account}\"\n"),
            format!("role_arn = aws_iam_role.{label}_role.arn\n"),
        ] {
            assert!(a.contains(&needle), "{what}: {needle} in {a}");
        }
        let policy = format!("{label}_role_policy_references");
        assert_eq!(
            body(&b, "aws_iam_role_policy", &policy),
            body(&b_irsa, "aws_iam_role_policy", &policy),
            "{what}: {policy}"
        );
    }
}

/// A hand-written role with `assumed_by.pod_identity`: the Pod Identity statement beside the
/// role's other principals, and beside the IRSA statement when it trusts both (a service
/// account moving from IRSA to Pod Identity), with the same conditions.
#[test]
fn pod_identity_trust_of_a_hand_written_role() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = k8s_intent_project(tmp.path(), "aws", "roles", &|_| String::new());
    let cloud = read(&project.join("cloud.strata"))
        + r#"
resource both: aws.iam.Role {
  assumed_by = {
    service_account = { provider = oidc, namespace = "jobs", name = "worker" }
    pod_identity = { cluster = cluster, namespace = "jobs", name = "worker" }
  }
}
resource tasks: aws.iam.Role {
  assumed_by = {
    service = ["ecs-tasks.amazonaws.com"]
    pod_identity = { cluster = cluster, namespace = "jobs", name = "worker" }
  }
}
"#;
    fs::write(project.join("cloud.strata"), cloud).expect("write");
    let out = tmp.path().join("out");
    compile_project(&project, &[], &out);
    let t = Template::load(&out.join("cloudformation/cloud.template.json"));
    let issuer = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
    let provider_arn = format!("arn:aws:iam::123456789012:oidc-provider/{issuer}");
    let cluster_arn = "arn:aws:eks:us-east-1:123456789012:cluster/shop";
    let atts = BTreeMap::from([
        ("Oidc.Arn", provider_arn.as_str()),
        ("Cluster.Arn", cluster_arn),
    ]);
    let pod_identity = serde_json::json!({
        "Sid": "EksPodIdentity",
        "Effect": "Allow",
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Condition": {"StringEquals": {
            "aws:SourceAccount": "123456789012",
            "aws:RequestTag/eks-cluster-arn": cluster_arn,
            "aws:RequestTag/kubernetes-namespace": "jobs",
            "aws:RequestTag/kubernetes-service-account": "worker",
        }},
    });
    let both: Json = serde_json::from_str(&cfn_eval(
        &t.props("Both")["AssumeRolePolicyDocument"],
        &atts,
    ))
    .expect("the trust policy is JSON");
    assert_eq!(
        both,
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {"Federated": provider_arn},
                    "Condition": {"StringEquals": {
                        format!("{issuer}:sub"): "system:serviceaccount:jobs:worker",
                        format!("{issuer}:aud"): "sts.amazonaws.com",
                    }},
                },
                pod_identity,
            ],
        })
    );
    assert_eq!(
        cfn_eval_tree(&t.props("Tasks")["AssumeRolePolicyDocument"], &atts),
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
                },
                pod_identity,
            ],
        })
    );
}

/// What EKS Pod Identity needs, each missing one an error (L0015) saying what to write: the
/// cluster's `eks-pod-identity-agent` add-on (the diagnostic's machine-applicable fix declares it,
/// after which the project compiles), pods that are not on Fargate, the resources in the cluster's stack, the
/// account when a database's user ARN needs it; and `cluster` must be an EKS cluster.
#[test]
fn k8s_intent_pod_identity_needs_the_agent() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let without_agent = |dir: &Path| {
        let cloud = read(&dir.join("cloud.strata"));
        let start = cloud.find("resource pod_identity_agent").expect("agent");
        let end = start + cloud[start..].find("}\n").expect("end") + 2;
        fs::write(
            dir.join("cloud.strata"),
            format!("{}{}", &cloud[..start], &cloud[end..]),
        )
        .expect("write");
    };

    // No agent: the error names the add-on to declare, once for the stack.
    let project = k8s_intent_project(tmp.path(), "aws", "agent", &pod_identity_pods);
    without_agent(&project);
    let err = compile_fails(&project, &tmp.path().join("agent-out"));
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("error[L0015]: the pods of stack `pods` get their roles through EKS Pod Identity, but cluster `cluster` runs no `eks-pod-identity-agent` add-on"),
        "{err}"
    );
    assert!(
        flat.contains("`resource pod_identity_agent: aws.eks.Addon { stack = cloud, cluster = cluster, addon_name = \"eks-pod-identity-agent\" }`"),
        "{err}"
    );
    assert_eq!(err.matches("error[L0015]").count(), 1, "{err}");
    // The fix (`strata check --fix`, the editors' quick fix) writes that declaration after the
    // cluster's; with it the project compiles.
    let run = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["check", "--format", "json"])
        .arg(&project)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    let v: Json = serde_json::from_slice(&run.stdout).expect("JSON report");
    let fixes: Vec<&Json> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "L0015")
        .flat_map(|d| d["fixes"].as_array().into_iter().flatten())
        .collect();
    assert_eq!(fixes.len(), 1, "{v:#}");
    assert_eq!(fixes[0]["applicability"], "machine-applicable", "{v:#}");
    let edit = &fixes[0]["edits"][0];
    assert!(
        edit["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("cloud.strata")),
        "{edit:#}"
    );
    let cloud = read(&project.join("cloud.strata"));
    let at = edit["start_byte"].as_u64().expect("start") as usize;
    assert_eq!(edit["end_byte"].as_u64(), Some(at as u64), "{edit:#}");
    assert!(
        cloud[..at].ends_with("secrets_key = key\n}"),
        "{}",
        &cloud[..at]
    );
    let replacement = edit["replacement"].as_str().expect("replacement");
    assert_eq!(
        replacement,
        "\n\nresource pod_identity_agent: aws.eks.Addon {\n  stack = cloud\n  cluster = cluster\n  addon_name = \"eks-pod-identity-agent\"\n}"
    );
    fs::write(
        project.join("cloud.strata"),
        format!("{}{replacement}{}", &cloud[..at], &cloud[at..]),
    )
    .expect("write");
    let out = tmp.path().join("fixed-out");
    compile_project(&project, &[], &out);
    let t = Template::load(&out.join("cloudformation/cloud.template.json"));
    assert_eq!(t.ty("PodIdentityAgent"), "AWS::EKS::Addon");

    // A generated add-on counts too (naming the cluster by its literal name; by reference as
    // the curated one), not one of another cluster.
    let project = k8s_intent_project(tmp.path(), "aws", "generated", &pod_identity_pods);
    without_agent(&project);
    let cloud = read(&project.join("cloud.strata")).replacen("import aws\n", "import aws\nimport tf\n", 1)
        + "resource agent: tf.aws_eks_addon { cluster_name = \"shop\", addon_name = \"eks-pod-identity-agent\" }\n";
    fs::write(project.join("cloud.strata"), &cloud).expect("write");
    compile_project(
        &project,
        &["--target", "terraform,kubernetes"],
        &tmp.path().join("generated-out"),
    );
    fs::write(
        project.join("cloud.strata"),
        cloud.replace(
            "{ cluster_name = \"shop\", addon_name",
            "{ cluster_name = \"other\", addon_name",
        ),
    )
    .expect("write");
    let err = compile_fails(&project, &tmp.path().join("generated-other-out"));
    assert!(
        err.contains("runs no `eks-pod-identity-agent` add-on"),
        "{err}"
    );

    // A Fargate profile taking the namespace's pods (by a wildcard): Pod Identity does not reach
    // them.
    let project = k8s_intent_project(tmp.path(), "aws", "fargate", &pod_identity_pods);
    let cloud = read(&project.join("cloud.strata"))
        + "resource fargate_role: aws.iam.Role { assumed_by = { service = [\"eks-fargate-pods.amazonaws.com\"] } }\n\
           resource shop_fargate: aws.eks.FargateProfile {\n  cluster = cluster\n  role = fargate_role\n  subnets = [private_a, private_b]\n  selectors = [{ namespace = \"sh*\" }]\n}\n";
    fs::write(project.join("cloud.strata"), cloud).expect("write");
    let err = compile_fails(&project, &tmp.path().join("fargate-out"));
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("error[L0015]: the pods of stack `pods` get their roles through EKS Pod Identity, but Fargate profile `shop_fargate` runs the pods of namespace `shop` on Fargate")
            && flat.contains("identity = irsa { provider = OIDC }"),
        "{err}"
    );

    // A resource of another stack than the cluster's: the role could not name it.
    let project = k8s_intent_project(tmp.path(), "aws", "elsewhere", &pod_identity_pods);
    let cloud = read(&project.join("cloud.strata")).replace(
        "resource reports: ObjectStore { stack = cloud }",
        "stack archive { provider = aws { region = \"eu-west-1\" } }\n\
         resource reports: ObjectStore { stack = archive }",
    );
    fs::write(project.join("cloud.strata"), cloud).expect("write");
    let err = compile_fails(&project, &tmp.path().join("elsewhere-out"));
    assert!(
        err.contains("error[L0015]: `api` uses `reports` of stack `archive`, but its pods' role is created in stack `cloud` (that of the EKS cluster `cluster`)"),
        "{err}"
    );

    // No account: only the database's user ARN needs it.
    let project = k8s_intent_project(tmp.path(), "aws", "account", &pod_identity_pods);
    let cloud = read(&project.join("cloud.strata")).replace(", accounts = [\"123456789012\"]", "");
    fs::write(project.join("cloud.strata"), cloud).expect("write");
    let err = compile_fails(&project, &tmp.path().join("account-out"));
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("error[L0015]: `api` uses `db`, whose grant (IAM database authentication) names the account of stack `cloud` in an ARN, and that account is not known")
            && flat.contains("accounts = [\"123456789012\"]"),
        "{err}"
    );
    assert_eq!(err.matches("error[L0015]").count(), 1, "{err}");
    let project = k8s_intent_project(tmp.path(), "aws", "account2", &|s| {
        pod_identity_pods(s).replace(", db = \"readwrite\"", "")
    });
    let cloud = read(&project.join("cloud.strata")).replace(", accounts = [\"123456789012\"]", "");
    fs::write(project.join("cloud.strata"), cloud).expect("write");
    compile_project(&project, &[], &tmp.path().join("account2-out"));

    // `cluster` is an EKS cluster: the OIDC provider is a type error.
    let project = k8s_intent_project(tmp.path(), "aws", "type", &|s| {
        s.replace(
            "identity = irsa { provider = oidc }",
            "identity = pod_identity { cluster = oidc }",
        )
    });
    let err = compile_fails(&project, &tmp.path().join("type-out"));
    assert!(err.contains("aws.eks.Cluster"), "{err}");
}

/// Without an identity in the Kubernetes stack's settings, a service that uses a cloud resource
/// is error L0015, saying what to write; the same without the account the annotation needs.
#[test]
fn k8s_intent_needs_an_identity() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = k8s_intent_project(tmp.path(), "aws", "none", &|s| {
        s.replace(", identity = irsa { provider = oidc }", "")
    });
    let err = compile_fails(&project, &tmp.path().join("out"));
    assert!(
        err.contains("error[L0015]: `api` uses `uploads` of stack `cloud`, but the pods of stack `pods` have no cloud identity"),
        "{err}"
    );
    assert!(err.contains("error[L0015]: `worker` uses"), "{err}");
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "`provider = kubernetes { namespace = \"shop\", identity = pod_identity { cluster = CLUSTER } }`, CLUSTER being the `aws.eks.Cluster` the pods run in (EKS Pod Identity, pods on nodes), or `identity = irsa { provider = OIDC }`"
        ),
        "{err}"
    );

    // Narrowed to nothing: no use, no identity needed, no service account.
    let project = k8s_intent_project(tmp.path(), "aws", "nothing", &|s| {
        s.replace(", identity = irsa { provider = oidc }", "")
            .replace(
                "grants = { uploads = \"readwrite\", reports = \"read\", jobs = \"write\", db = \"readwrite\", api_key = \"read\" }",
                "grants = { uploads = \"none\" }",
            )
            .replace("grants = { jobs = \"read\", uploads = \"read\" }", "")
    });
    let out = tmp.path().join("nothing-out");
    compile_project(&project, &[], &out);
    let yaml = read(&out.join("kubernetes/pods.yaml"));
    assert!(!yaml.contains("kind: ServiceAccount"), "{yaml}");

    // The role names what it grants: a resource of another stack than the OIDC provider's.
    let project = k8s_intent_project(tmp.path(), "aws", "elsewhere", &|s| s);
    let cloud = read(&project.join("cloud.strata")).replace(
        "resource reports: ObjectStore { stack = cloud }",
        "stack archive { provider = aws { region = \"eu-west-1\" } }\n\
         resource reports: ObjectStore { stack = archive }",
    );
    fs::write(project.join("cloud.strata"), cloud).expect("write");
    let err = compile_fails(&project, &tmp.path().join("elsewhere-out"));
    assert!(
        err.contains("error[L0015]: `api` uses `reports` of stack `archive`, but its pods' role is created in stack `cloud` (that of the OIDC provider `oidc`)"),
        "{err}"
    );

    // The role's ARN needs the account: the AWS stack names none.
    let project = k8s_intent_project(tmp.path(), "aws", "account", &|s| s);
    let cloud = read(&project.join("cloud.strata")).replace(", accounts = [\"123456789012\"]", "");
    fs::write(project.join("cloud.strata"), cloud).expect("write");
    let err = compile_fails(&project, &tmp.path().join("account-out"));
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        err.contains("error[L0015]") && flat.contains("account = \"123456789012\""),
        "{err}"
    );
    // Given in `irsa`, it is enough.
    let project = k8s_intent_project(tmp.path(), "aws", "account2", &|s| {
        s.replace(
            "irsa { provider = oidc }",
            "irsa { provider = oidc, account = \"210987654321\" }",
        )
    });
    let cloud = read(&project.join("cloud.strata")).replace(", accounts = [\"123456789012\"]", "");
    fs::write(project.join("cloud.strata"), cloud).expect("write");
    let out = tmp.path().join("account2-out");
    compile_project(&project, &[], &out);
    let yaml = read(&out.join("kubernetes/pods.yaml"));
    assert!(
        yaml.contains("eks.amazonaws.com/role-arn: arn:aws:iam::210987654321:role/pods-api\n"),
        "{yaml}"
    );
}

/// GKE: `identity = gke { cluster = gke }` gives each service that uses Google Cloud resources a
/// Google service account `pods-NAME` in the cluster's stack holding exactly the roles its uses
/// imply, on those resources (a Cloud Run service account's: `grants` narrowing them), that
/// exactly `shop/NAME` may act as (`roles/iam.workloadIdentityUser` on that account, never on
/// the project), a Cloud SQL IAM user for it on the database it uses (`PGUSER`), and the
/// Kubernetes service account annotated with its email. Deployment Manager refuses the binding
/// on a service account (L0009).
#[test]
fn k8s_intent_gke_workload_identity() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = k8s_intent_project(tmp.path(), "gcp", "gke", &|s| s);
    let out = tmp.path().join("out");
    compile_project(&project, &["--target", "terraform,kubernetes"], &out);
    let what = "k8s-intent (GCP)";
    let b = tf_blocks(&read(&out.join("terraform/cloud/main.tf")));

    for (account, label) in [
        ("api", "api_gcp_identity"),
        ("worker", "worker_gcp_identity"),
    ] {
        let sa = body(&b, "google_service_account", label);
        assert!(
            sa.contains(&format!("account_id = \"pods-{account}\"\n")),
            "{what}: {sa}"
        );
        // Exactly one Kubernetes service account may act as it, on this account only.
        let wi: Vec<_> = b
            .iter()
            .filter(|((ty, _), body)| {
                ty == "google_service_account_iam_member"
                    && body.contains(&format!(
                        "service_account_id = google_service_account.{label}.name\n"
                    ))
            })
            .map(|(_, body)| body.clone())
            .collect();
        assert_eq!(wi.len(), 1, "{what}: {wi:?}");
        assert!(
            wi[0].contains(&format!(
                "member = \"serviceAccount:shop-prod.svc.id.goog[shop/{account}]\"\n"
            )) && wi[0].contains("role = \"roles/iam.workloadIdentityUser\"\n"),
            "{what}: {}",
            wi[0]
        );
    }
    assert!(
        !b.iter()
            .any(|((ty, _), body)| ty == "google_project_iam_member"
                && body.contains("workloadIdentityUser")),
        "{what}: no project-wide workloadIdentityUser"
    );
    assert_eq!(
        gcp_bindings(&b, "api_gcp_identity"),
        set(&[
            (
                "google_project_iam_member",
                "roles/cloudsql.client",
                "project = \"shop-prod\""
            ),
            (
                "google_project_iam_member",
                "roles/cloudsql.instanceUser",
                "project = \"shop-prod\""
            ),
            (
                "google_pubsub_topic_iam_member",
                "roles/pubsub.publisher",
                "topic = google_pubsub_topic.jobs.id"
            ),
            (
                "google_secret_manager_secret_iam_member",
                "roles/secretmanager.secretAccessor",
                "secret_id = google_secret_manager_secret.api_key.id"
            ),
            (
                "google_storage_bucket_iam_member",
                "roles/storage.objectUser",
                "bucket = google_storage_bucket.uploads.name"
            ),
            (
                "google_storage_bucket_iam_member",
                "roles/storage.objectViewer",
                "bucket = google_storage_bucket.reports.name"
            ),
        ]),
        "{what}: the API's account"
    );
    assert_eq!(
        gcp_bindings(&b, "worker_gcp_identity"),
        set(&[
            (
                "google_pubsub_subscription_iam_member",
                "roles/pubsub.subscriber",
                "subscription = google_pubsub_subscription.jobs_subscription.id"
            ),
            (
                "google_storage_bucket_iam_member",
                "roles/storage.objectViewer",
                "bucket = google_storage_bucket.uploads.name"
            ),
        ]),
        "{what}: the worker's account"
    );
    let user = body(&b, "google_sql_user", "api_sql_user_0");
    assert!(
        user.contains("instance = google_sql_database_instance.db.name\n")
            && user.contains("type = \"CLOUD_IAM_SERVICE_ACCOUNT\"\n")
            && user.contains("@shop-prod.iam\"\n"),
        "{what}: {user}"
    );
    assert!(
        !b.keys()
            .any(|(ty, n)| ty == "google_sql_user" && n.starts_with("worker")),
        "{what}: the worker does not use the database"
    );

    let yaml = read(&out.join("kubernetes/pods.yaml"));
    for account in ["api", "worker"] {
        let sa = k8s_object(&yaml, "ServiceAccount", "shop", account);
        assert!(
            sa.contains(&format!(
                "iam.gke.io/gcp-service-account: pods-{account}@shop-prod.iam.gserviceaccount.com\n"
            )),
            "{what}: {sa}"
        );
        let d = k8s_object(&yaml, "Deployment", "shop", account);
        assert!(
            d.lines()
                .any(|l| l.trim() == format!("serviceAccountName: {account}")),
            "{what}: {d}"
        );
    }
    let d = k8s_object(&yaml, "Deployment", "shop", "api");
    assert!(
        d.contains("- name: PGUSER\n              value: pods-api@shop-prod.iam\n"),
        "{what}: {d}"
    );

    // Deployment Manager has no binding type on a service account.
    let err = compile_fails(&project, &tmp.path().join("dm"));
    assert!(
        err.contains("L0009") && err.contains("kubernetes_accounts"),
        "{what}: {err}"
    );

    // Without the identity: L0015, suggesting the GKE form.
    let project = k8s_intent_project(tmp.path(), "gcp", "none", &|s| {
        s.replace(", identity = gke { cluster = gke }", "")
    });
    let err = compile_fails(&project, &tmp.path().join("none"));
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        err.contains("error[L0015]") && flat.contains("identity = gke { cluster = CLUSTER } }`"),
        "{what}: {err}"
    );
}

/// `grants` inside a module names the instance's own resources, as a reference there would
/// (`thumbs` is `shop.thumbs`): before, every such name was L0011 "not a resource".
#[test]
fn grants_in_a_module_name_the_instances_resources() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = tmp.path().join("p");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("main.strata"),
        r#"import portable.{ObjectStore, Queue, Service}
stack app { provider = aws { region = "eu-west-1" } }
module Shop {
  resource photos: ObjectStore {}
  resource thumbs: Queue {}
  resource worker: Service {
    image  = "ghcr.io/acme/worker:1.0.0"
    env    = { QUEUE_URL = thumbs.url, BUCKET = photos.name }
    grants = { thumbs = "read", photos = "none" }
  }
}
module shop: Shop {}
"#,
    )
    .expect("write");
    let out = tmp.path().join("out");
    compile_project(&project, &[], &out);
    let t = Template::load(&out.join("cloudformation/app.template.json"));
    let role = role_of(&t, &task_of(&t, "ShopWorker"), "TaskRoleArn");
    let sts = statements(&t, &role);
    let actions: BTreeSet<&str> = sts
        .iter()
        .flat_map(|(_, a, _)| a.iter().map(String::as_str))
        .collect();
    assert!(actions.contains("sqs:ReceiveMessage"), "{sts:?}");
    assert!(!actions.contains("sqs:SendMessage"), "read only: {sts:?}");
    assert!(
        !actions.iter().any(|a| a.starts_with("s3:")),
        "photos = \"none\": {sts:?}"
    );
}

/// L0018: a GCP consumer given the queue's `url` (the topic) is warned, with `receive_url` as
/// the way out; the same program on AWS (where both are the queue) and a GCP producer are not.
#[test]
fn a_gcp_consumer_given_the_topic_is_warned() {
    let program = |provider: &str, env: &str, grant: &str| {
        format!(
            "import portable.{{Queue, Service}}\nstack s {{ provider = {provider} }}\nresource jobs: Queue {{}}\nresource worker: Service {{\n  image  = \"ghcr.io/acme/worker:1.0.0\"\n  env    = {{ JOBS = jobs.{env} }}\n  grants = {{ jobs = \"{grant}\" }}\n}}\n"
        )
    };
    let gcp = "gcp { project = \"p\", region = \"europe-west1\" }";
    let aws = "aws { region = \"eu-west-1\" }";
    for (text, warned) in [
        (program(gcp, "url", "read"), true),
        (program(gcp, "receive_url", "read"), false),
        (program(gcp, "url", "write"), false),
        (program(aws, "url", "read"), false),
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::write(tmp.path().join("main.strata"), &text).expect("write");
        let run = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(["check", "--format", "json"])
            .current_dir(tmp.path())
            .output()
            .expect("run strata");
        let out = String::from_utf8_lossy(&run.stdout);
        assert_eq!(out.contains("\"L0018\""), warned, "{text}\n{out}");
    }
}

/// Whether a body's `depends_on` names the secret version `name`.
fn depends_on_version(body: &str, name: &str) -> bool {
    let version = format!("google_secret_manager_secret_version.{name}");
    body.lines()
        .filter_map(|l| l.strip_prefix("depends_on = ["))
        .any(|l| l.trim_end_matches(']').split(", ").any(|x| x == version))
}

/// GCP: a cache that says `auth = false` has no AUTH string secret, and the function that
/// references it gets no `REDIS_PASSWORD`, no CA certificate and no grant for it (as before).
#[test]
fn gcp_cache_without_auth_has_no_secret() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let no_auth = |s: String| {
        s.replace(
            "resource sessions: Cache {}",
            "resource sessions: Cache { auth = false }",
        )
    };
    let project = function_project(tmp.path(), "gcp", &no_auth);
    let out = tmp.path().join("out");
    compile_project(&project, &[], &out);
    let text = tf_main(&out);
    assert!(
        text.contains("auth_enabled            = false") || text.contains("auth_enabled = false"),
        "the cache has AUTH off"
    );
    for absent in [
        "sessions_auth",
        "REDIS_PASSWORD",
        "REDIS_CA_CERT",
        "auth_string",
    ] {
        assert!(!text.contains(absent), "`{absent}` with `auth = false`");
    }
}
