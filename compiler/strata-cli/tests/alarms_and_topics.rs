//! Issue 12 leftovers, checked on the emitted files:
//!
//! - the portable outs that name what CloudWatch and Cloud Monitoring file metrics under
//!   (`Service.name`/`cluster`/`load_balancer`/`target_group`, `Postgres.id`, `Cache.id`), as
//!   `examples/ragonometrics-{aws,gcp}` use them: every alarm names the resource it watches
//!   and notifies the encrypted topic, whose key admits CloudWatch; every alert policy's filter
//!   names its service, database or cache and notifies the e-mail channel;
//! - an SNS topic delivering to an SQS queue of another stack: a clear error at the
//!   subscription (not an error at the queue), and the way out, the queue's `subscribe_to`,
//!   which writes the subscription and the policy admitting the topic in the queue's stack
//!   (CloudFormation and Terraform), and admits SNS in the queue's key.

use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[path = "support/emitted.rs"]
mod emitted;
use emitted::*;

fn strata_compile(project: &Path, args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("compile")
        .arg(project)
        .args(args)
        .arg("--out")
        .arg(out)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata")
}

fn compile_ok(project: &Path, args: &[&str], out: &Path) {
    let run = strata_compile(project, args, out);
    assert!(
        run.status.success(),
        "strata compile {} {args:?}:\n{}",
        project.display(),
        String::from_utf8_lossy(&run.stderr)
    );
}

fn resources(p: &Path) -> BTreeMap<String, Json> {
    let v: Json = serde_json::from_str(&read(p)).expect("template JSON");
    v["Resources"]
        .as_object()
        .expect("Resources")
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The logical ids a value refers to (`Ref`, `Fn::GetAtt`, `${X}` in `Fn::Sub`), with the
/// attribute: `Web.Name`, `WebLb.LoadBalancerFullName`, `Db`.
fn refs(v: &Json, out: &mut BTreeSet<String>) {
    match v {
        Json::Object(o) => {
            if let Some(Json::String(r)) = o.get("Ref") {
                out.insert(r.clone());
            }
            if let Some(Json::Array(a)) = o.get("Fn::GetAtt") {
                let parts: Vec<&str> = a.iter().filter_map(Json::as_str).collect();
                out.insert(parts.join("."));
            }
            if let Some(Json::String(s)) = o.get("Fn::Sub") {
                out.insert(format!("Sub:{s}"));
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

/// An alarm's dimensions (of its metric, or of the metric math's first metric) as
/// name → the references of the value.
fn dimensions(alarm: &Json) -> BTreeMap<String, BTreeSet<String>> {
    let p = &alarm["Properties"];
    let dims = if p["Dimensions"].is_array() {
        p["Dimensions"].clone()
    } else {
        p["Metrics"]
            .as_array()
            .and_then(|m| m.iter().find(|x| x["MetricStat"].is_object()))
            .map(|m| m["MetricStat"]["Metric"]["Dimensions"].clone())
            .unwrap_or(Json::Null)
    };
    dims.as_array()
        .unwrap_or_else(|| panic!("no dimensions: {alarm}"))
        .iter()
        .map(|d| {
            (
                d["Name"].as_str().unwrap_or("").to_string(),
                refs_of(&d["Value"]),
            )
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn ragonometrics_aws_alarms_name_what_they_watch() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (env, nodes) in [("prod", vec!["001", "002"]), ("dev", vec!["001"])] {
        let out = tmp.path().join(env);
        compile_ok(
            Path::new("examples/ragonometrics-aws"),
            &["--env", env],
            &out,
        );
        let t = resources(&out.join("cloudformation/ragonometrics.template.json"));
        let alarms: BTreeMap<&String, &Json> = t
            .iter()
            .filter(|(_, v)| v["Type"] == "AWS::CloudWatch::Alarm")
            .collect();
        assert_eq!(
            alarms.len(),
            9 + 3 * nodes.len(),
            "{env}: {:?}",
            alarms.keys()
        );
        for (name, a) in &alarms {
            let p = &a["Properties"];
            assert_eq!(refs_of(&p["AlarmActions"]), set(&["Alerts"]), "{name}");
            assert_eq!(refs_of(&p["OKActions"]), set(&["Alerts"]), "{name}");
        }
        let lb = BTreeMap::from([
            (
                "LoadBalancer".to_string(),
                set(&["WebLb.LoadBalancerFullName"]),
            ),
            (
                "TargetGroup".to_string(),
                set(&["WebTargets.TargetGroupFullName"]),
            ),
        ]);
        assert_eq!(dimensions(t.get("Web5xxRate").expect("Web5xxRate")), lb);
        assert_eq!(dimensions(t.get("WebUnhealthy").expect("WebUnhealthy")), lb);
        for (alarm, svc) in [
            ("ServiceCpuWeb", "Web"),
            ("ServiceMemoryWeb", "Web"),
            ("ServiceCpuWorker", "Worker"),
            ("ServiceMemoryWorker", "Worker"),
        ] {
            assert_eq!(t[svc]["Type"], "AWS::ECS::Service");
            assert_eq!(
                dimensions(&t[alarm]),
                BTreeMap::from([
                    ("ClusterName".to_string(), set(&[&format!("{svc}Cluster")])),
                    ("ServiceName".to_string(), set(&[&format!("{svc}.Name")])),
                ]),
                "{alarm}"
            );
            // The service's own cluster is the one its tasks run in.
            assert_eq!(
                refs_of(&t[svc]["Properties"]["Cluster"]),
                set(&[&format!("{svc}Cluster")])
            );
        }
        for alarm in ["DbCpu", "DbFreeStorage", "DbConnections"] {
            assert_eq!(
                dimensions(&t[alarm]),
                BTreeMap::from([("DBInstanceIdentifier".to_string(), set(&["Db"]))]),
                "{alarm}"
            );
        }
        assert_eq!(t["Db"]["Type"], "AWS::RDS::DBInstance");
        assert_eq!(t["Queue"]["Type"], "AWS::ElastiCache::ReplicationGroup");
        for n in &nodes {
            for kind in ["Memory", "Cpu", "Evictions"] {
                let alarm = format!("Redis{kind}{n}");
                assert_eq!(
                    dimensions(&t[&alarm]),
                    BTreeMap::from([(
                        "CacheClusterId".to_string(),
                        set(&[&format!("Sub:${{Queue}}-{n}")])
                    )]),
                    "{alarm}"
                );
            }
        }
        // The topic is encrypted with a key whose policy admits CloudWatch (DEP001).
        assert_eq!(
            refs_of(&t["Alerts"]["Properties"]["KmsMasterKeyId"]),
            set(&["AlertsKey.Arn"])
        );
        let services: BTreeSet<String> = t["AlertsKey"]["Properties"]["KeyPolicy"]["Statement"]
            .as_array()
            .expect("key policy")
            .iter()
            .filter_map(|s| s["Principal"]["Service"].as_str().map(str::to_string))
            .collect();
        assert_eq!(services, set(&["cloudwatch.amazonaws.com"]));

        // Terraform: the same dimensions, by the resources' attributes.
        let tf = tf_blocks(&read(&out.join("terraform/ragonometrics/main.tf")));
        let web_cpu = body(&tf, "aws_cloudwatch_metric_alarm", "service_cpu_web");
        assert!(
            web_cpu.contains("ClusterName = aws_ecs_cluster.web_cluster.name")
                && web_cpu.contains("ServiceName = aws_ecs_service.web.name"),
            "{web_cpu}"
        );
        let unhealthy = body(&tf, "aws_cloudwatch_metric_alarm", "web_unhealthy");
        assert!(
            unhealthy.contains("LoadBalancer = aws_lb.web_lb.arn_suffix")
                && unhealthy.contains("TargetGroup = aws_lb_target_group.web_targets.arn_suffix"),
            "{unhealthy}"
        );
        let db = body(&tf, "aws_cloudwatch_metric_alarm", "db_cpu");
        assert!(
            db.contains("DBInstanceIdentifier = aws_db_instance.db.identifier"),
            "{db}"
        );
        let redis = body(&tf, "aws_cloudwatch_metric_alarm", "redis_memory_001");
        assert!(
            redis
                .contains("CacheClusterId = \"${aws_elasticache_replication_group.queue.id}-001\""),
            "{redis}"
        );
    }
}

#[test]
fn ragonometrics_gcp_alert_policies_name_what_they_watch() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("gcp");
    compile_ok(
        Path::new("examples/ragonometrics-gcp"),
        &["--env", "prod"],
        &out,
    );
    let tf = tf_blocks(&read(&out.join("terraform/ragonometrics/main.tf")));
    let channel = body(&tf, "google_monitoring_notification_channel", "oncall");
    assert!(channel.contains("type = \"email\""), "{channel}");
    assert!(channel.contains("email_address ="), "{channel}");
    let policies: Vec<(&String, &String)> = tf
        .iter()
        .filter(|((ty, _), _)| ty == "google_monitoring_alert_policy")
        .map(|((_, name), b)| (name, b))
        .collect();
    assert_eq!(
        policies.len(),
        11,
        "{:?}",
        policies.iter().map(|p| p.0).collect::<Vec<_>>()
    );
    for (name, b) in &policies {
        assert!(
            b.contains(
                "notification_channels = [google_monitoring_notification_channel.oncall.name]"
            ),
            "{name}: {b}"
        );
        let watched = if name.contains("web") {
            "resource.labels.service_name = \\\"${google_cloud_run_v2_service.web.name}\\\""
        } else if name.contains("worker") {
            "resource.labels.service_name = \\\"${google_cloud_run_v2_service.worker.name}\\\""
        } else if name.starts_with("db_") {
            "resource.labels.database_id = \\\"ragonometrics-prod:${google_sql_database_instance.db.name}\\\""
        } else {
            "resource.labels.instance_id = \\\"projects/ragonometrics-prod/locations/us-central1/instances/${google_redis_instance.queue.name}\\\""
        };
        assert!(b.contains(watched), "{name} watches {watched}: {b}");
    }
    let dm = read(&out.join("deployment-manager/ragonometrics.yaml"));
    assert!(dm.contains("type: gcp-types/monitoring-v3:projects.notificationChannels"));
    assert!(dm.contains("\"$(ref.oncall.name)\""));
}

fn project(dir: &Path, text: &str) -> PathBuf {
    fs::create_dir_all(dir).expect("project dir");
    fs::write(dir.join("strata.toml"), "").expect("strata.toml");
    fs::write(dir.join("main.strata"), text).expect("main.strata");
    dir.to_path_buf()
}

const STACKS: &str = r#"import aws

stack events {
  provider = aws { region = "us-east-1" }
}
stack workers {
  provider = aws { region = "us-east-1" }
}

resource key: aws.kms.Key {
  stack = workers
  description = "jobs queue"
}
"#;

#[test]
fn sns_to_an_encrypted_queue_of_another_stack() {
    let tmp = tempfile::tempdir().expect("tempdir");

    // The topic subscribes the queue by reference: the queue's policy (its stack) would need
    // the topic's ARN, the subscription (the topic's stack) the queue's. One clear error at
    // the subscription, saying the way out, and none at the queue.
    let broken = project(
        &tmp.path().join("broken"),
        &format!(
            "{STACKS}
resource jobs: aws.sqs.Queue {{
  stack = workers
  encryption = key
}}

resource orders: aws.sns.Topic {{
  stack = events
  topic_name = \"orders\"
  subscriptions = [{{ protocol = \"sqs\", endpoint = jobs.arn }}]
}}
"
        ),
    );
    let run = strata_compile(&broken, &[], &tmp.path().join("broken-out"));
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(
        err.contains("topic `orders` (stack `events`) delivers to queue `jobs` of stack `workers`"),
        "{err}"
    );
    // The help, with the renderer's line breaks undone.
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "write `subscribe_to = [{ topic = \"arn:aws:sns:REGION:ACCOUNT:orders\" }]` on `jobs`"
        ) && flat.contains("deploy `events` first"),
        "{err}"
    );
    assert!(!err.contains("`jobs` refers to `orders`"), "{err}");

    // The way out: the queue subscribes itself to the topic, by ARN.
    let fixed = project(
        &tmp.path().join("fixed"),
        &format!(
            "{STACKS}
resource jobs: aws.sqs.Queue {{
  stack = workers
  encryption = key
  subscribe_to = [{{ topic = \"arn:aws:sns:us-east-1:123456789012:orders\", raw = true }}]
}}

resource orders: aws.sns.Topic {{
  stack = events
  topic_name = \"orders\"
}}
"
        ),
    );
    let out = tmp.path().join("fixed-out");
    compile_ok(&fixed, &[], &out);
    let topic_arn = "arn:aws:sns:us-east-1:123456789012:orders";

    let t = resources(&out.join("cloudformation/workers.template.json"));
    let subs: Vec<&Json> = t
        .values()
        .filter(|v| v["Type"] == "AWS::SNS::Subscription")
        .collect();
    assert_eq!(subs.len(), 1);
    let sub = &subs[0]["Properties"];
    assert_eq!(sub["TopicArn"], topic_arn);
    assert_eq!(sub["Protocol"], "sqs");
    assert_eq!(sub["RawMessageDelivery"], true);
    assert_eq!(refs_of(&sub["Endpoint"]), set(&["Jobs.Arn"]));
    let policy = &t["JobsFromTopics"];
    assert_eq!(policy["Type"], "AWS::SQS::QueuePolicy");
    let stmt = &policy["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(stmt["Principal"]["Service"], "sns.amazonaws.com");
    assert_eq!(stmt["Action"], "sqs:SendMessage");
    assert_eq!(
        stmt["Condition"]["ArnEquals"]["aws:SourceArn"],
        serde_json::json!([topic_arn])
    );
    let key_services: BTreeSet<String> = t["Key"]["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .expect("key policy")
        .iter()
        .filter_map(|s| s["Principal"]["Service"].as_str().map(str::to_string))
        .collect();
    assert_eq!(key_services, set(&["sns.amazonaws.com"]));
    // The topic's stack holds the topic only.
    let events = resources(&out.join("cloudformation/events.template.json"));
    assert_eq!(
        events.keys().cloned().collect::<BTreeSet<_>>(),
        set(&["Orders"])
    );

    let tf = tf_blocks(&read(&out.join("terraform/workers/main.tf")));
    let sub = body(&tf, "aws_sns_topic_subscription", "jobs_subscription_0");
    assert!(
        sub.contains(&format!("topic_arn = \"{topic_arn}\""))
            && sub.contains("endpoint = aws_sqs_queue.jobs.arn")
            && sub.contains("protocol = \"sqs\""),
        "{sub}"
    );
    let policy = body(&tf, "aws_sqs_queue_policy", "jobs");
    assert!(
        policy.contains(&format!("\"aws:SourceArn\" = [\"{topic_arn}\"]")),
        "{policy}"
    );
    let key = body(&tf, "aws_kms_key", "key");
    assert!(key.contains("Service = \"sns.amazonaws.com\""), "{key}");
}

/// The `depends_on` list of a formatted Terraform block body.
fn depends_on(body: &str) -> BTreeSet<String> {
    body.lines()
        .find_map(|l| l.strip_prefix("depends_on = ["))
        .map(|l| {
            l.trim_end_matches(']')
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// First deploy on GCP: a Cloud Run service (and a Cloud Function) is created after every role
/// binding of its service account — Cloud Run refuses a revision whose account cannot read the
/// secret it mounts, and Terraform would otherwise create both at once.
#[test]
fn gcp_workloads_are_created_after_their_role_bindings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("gcp");
    compile_ok(
        Path::new("examples/deploy-ready/gcp"),
        &["--env", "prod"],
        &out,
    );
    let tf = tf_blocks(&read(&out.join("terraform/shop/main.tf")));
    let mut checked = 0;
    for svc in ["api", "worker"] {
        let prefix = format!("{svc}_identity_");
        let bindings: BTreeSet<String> = tf
            .keys()
            .filter(|(ty, name)| ty.ends_with("_iam_member") && name.starts_with(&prefix))
            .map(|(ty, name)| format!("{ty}.{name}"))
            .collect();
        assert!(!bindings.is_empty(), "{svc}: no bindings");
        let deps = depends_on(body(&tf, "google_cloud_run_v2_service", svc));
        assert!(bindings.is_subset(&deps), "{svc}: {bindings:?} ⊄ {deps:?}");
        checked += bindings.len();
    }
    // The API's secret binding is among them (the one Cloud Run checks when it deploys).
    assert!(depends_on(body(&tf, "google_cloud_run_v2_service", "api"))
        .contains("google_secret_manager_secret_iam_member.api_identity_secret_role_0"));
    assert!(checked >= 8, "{checked}");

    // The same for a Cloud Function (tests/fixtures/function-intent on GCP).
    let fixture = repo_root().join("compiler/strata-cli/tests/fixtures/function-intent");
    let dir = tmp.path().join("fn");
    fs::create_dir_all(&dir).expect("dir");
    fs::copy(fixture.join("app.strata"), dir.join("app.strata")).expect("copy app");
    fs::copy(fixture.join("stack-gcp.strata"), dir.join("stack.strata")).expect("copy stack");
    let fn_out = tmp.path().join("fn-out");
    compile_ok(&dir, &[], &fn_out);
    let tf_dir = fs::read_dir(fn_out.join("terraform"))
        .expect("terraform")
        .filter_map(Result::ok)
        .next()
        .expect("a stack")
        .path();
    let tf = tf_blocks(&read(&tf_dir.join("main.tf")));
    let (name, f) = tf
        .iter()
        .find(|((ty, _), _)| ty == "google_cloudfunctions2_function")
        .map(|((_, n), b)| (n.clone(), b.clone()))
        .expect("a Cloud Function");
    let prefix = format!("{name}_identity_");
    let bindings: BTreeSet<String> = tf
        .keys()
        .filter(|(ty, n)| ty.ends_with("_iam_member") && n.starts_with(&prefix))
        .map(|(ty, n)| format!("{ty}.{n}"))
        .collect();
    assert!(bindings.len() >= 3, "{bindings:?}");
    let deps = depends_on(&f);
    assert!(bindings.is_subset(&deps), "{bindings:?} ⊄ {deps:?}");
}
