//! The policy stage on real compiler output: a project parsed and evaluated by semantics,
//! lowered by strata-lower, graphed, then checked — spans, defaults, lowered resources and
//! suppression comments as the CLI sees them.

use strata_base::SourceMap;
use strata_graph::testkit::render_inline;

/// Compile a project through semantics and lowering; the model, schemas and sources.
fn compile(
    name: &str,
    text: &str,
) -> (
    strata_model::Model,
    strata_model::Schemas,
    SourceMap,
    strata_base::FileId,
) {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text, false);
    let (analysis, diags) = strata_semantics::analyze(
        &mut sources,
        &[file],
        &strata_semantics::NoImports,
        &strata_semantics::Options::default(),
    );
    assert!(
        diags
            .iter()
            .all(|d| d.severity != strata_base::Severity::Error),
        "semantics: {diags:#?}"
    );
    let (model, diags) = strata_lower::lower_portable(analysis.model, &analysis.schemas);
    assert!(
        diags
            .iter()
            .all(|d| d.severity != strata_base::Severity::Error),
        "lowering: {diags:#?}"
    );
    (model, analysis.schemas, sources, file)
}

#[test]
fn gcp_and_kubernetes() {
    let (model, schemas, sources, file) = compile("gcp.strata", include_str!("gcp.strata"));
    let (graph, diags) = strata_graph::build(&model);
    assert!(diags.is_empty(), "{diags:?}");
    let findings = strata_policy::check_with_sources(
        &model,
        &schemas,
        &graph,
        &strata_policy::PolicyConfig::default(),
        &sources,
        &[],
    );
    let codes: Vec<&str> = findings.iter().map(|d| d.code.as_str()).collect();
    for expected in [
        "SEC010", "SEC016", "SEC020", "SEC080", "SEC085", "SEC086", "COST002", "COST003", "SEC013",
    ] {
        assert!(codes.contains(&expected), "{expected} missing: {codes:?}");
    }
    assert!(
        findings.iter().all(|d| d.primary.span.file == file),
        "{findings:#?}"
    );
    insta::assert_snapshot!("gcp", render_inline(&sources, &findings));
    let report = strata_policy::estimate(
        &model,
        &schemas,
        &strata_policy::UsageAssumptions::default(),
    );
    insta::assert_snapshot!("gcp_cost", strata_policy::cost::to_table(&report));
}

#[test]
fn shop() {
    let text = include_str!("shop.strata");
    let mut sources = SourceMap::new();
    let file = sources.add("shop.strata", text, false);
    let (analysis, diags) = strata_semantics::analyze(
        &mut sources,
        &[file],
        &strata_semantics::NoImports,
        &strata_semantics::Options::default(),
    );
    assert!(
        diags
            .iter()
            .all(|d| d.severity != strata_base::Severity::Error),
        "semantics: {diags:#?}"
    );
    let (model, diags) = strata_lower::lower_portable(analysis.model, &analysis.schemas);
    assert!(
        diags
            .iter()
            .all(|d| d.severity != strata_base::Severity::Error),
        "lowering: {diags:#?}"
    );
    let (graph, diags) = strata_graph::build(&model);
    assert!(diags.is_empty(), "{diags:?}");
    let findings = strata_policy::check_with_sources(
        &model,
        &analysis.schemas,
        &graph,
        &strata_policy::PolicyConfig::default(),
        &sources,
        &[],
    );
    let codes: Vec<&str> = findings.iter().map(|d| d.code.as_str()).collect();
    // The mistakes written in the file are found, at the lines they are written on.
    for expected in ["SEC040", "SEC085", "SEC086", "SEC020", "COST001"] {
        assert!(codes.contains(&expected), "{expected} missing: {codes:?}");
    }
    // The suppressed public replica is not reported by SEC010, and the suppression is used.
    assert!(
        !codes.contains(&"SEC010") && !codes.contains(&"POL001"),
        "{codes:?}"
    );
    // Every finding points into the project file.
    assert!(
        findings.iter().all(|d| d.primary.span.file == file),
        "{findings:#?}"
    );
    insta::assert_snapshot!("shop", render_inline(&sources, &findings));
    let report = strata_policy::estimate(
        &model,
        &analysis.schemas,
        &strata_policy::UsageAssumptions::default(),
    );
    insta::assert_snapshot!("shop_cost", strata_policy::cost::to_table(&report));
}

/// `compile` with `--env ENV`.
fn compile_env(
    name: &str,
    text: &str,
    env: &str,
) -> (strata_model::Model, strata_model::Schemas, SourceMap) {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text, false);
    let options = strata_semantics::Options {
        env: Some(env.to_string()),
        ..strata_semantics::Options::default()
    };
    let (analysis, diags) = strata_semantics::analyze(
        &mut sources,
        &[file],
        &strata_semantics::NoImports,
        &options,
    );
    assert!(
        diags
            .iter()
            .all(|d| d.severity != strata_base::Severity::Error),
        "semantics: {diags:#?}"
    );
    let (model, diags) = strata_lower::lower_portable(analysis.model, &analysis.schemas);
    assert!(
        diags
            .iter()
            .all(|d| d.severity != strata_base::Severity::Error),
        "lowering: {diags:#?}"
    );
    (model, analysis.schemas, sources)
}

fn check_only(
    model: &strata_model::Model,
    schemas: &strata_model::Schemas,
    sources: &SourceMap,
    codes: &[&str],
) -> Vec<strata_base::Diagnostic> {
    use strata_policy::Level;
    let mut config = strata_policy::PolicyConfig::default().with_level("all", Level::Off);
    for c in codes {
        config = config.with_level(
            c,
            Level::On(
                strata_policy::registry::find(c)
                    .map_or(strata_base::Severity::Warning, |r| r.severity),
            ),
        );
    }
    let (graph, diags) = strata_graph::build(model);
    assert!(diags.is_empty(), "{diags:?}");
    strata_policy::check_with_sources(model, schemas, &graph, &config, sources, &[])
}

/// SEC053 reports an ElastiCache replication group declared without `auth_token` and a
/// portable `Cache` with `auth = false` (on AWS and on GCP, the fix on the portable resource);
/// a portable `Cache` left as it is has an AUTH token from its own generated secret.
/// Memorystore's defaults are AUTH and TLS.
#[test]
fn elasticache_without_auth() {
    let (model, schemas, sources, _) = compile("caches.strata", include_str!("caches.strata"));
    let findings = check_only(&model, &schemas, &sources, &["SEC051", "SEC053"]);
    let got: Vec<(&str, &str)> = findings
        .iter()
        .map(|d| (d.code.as_str(), sources.snippet(d.primary.span)))
        .collect();
    let sec053: Vec<&str> = got
        .iter()
        .filter(|(c, _)| *c == "SEC053")
        .map(|(_, s)| *s)
        .collect();
    assert_eq!(sec053.len(), 4, "{got:?}");
    for name in ["sessions", "plain"] {
        assert!(sec053.contains(&name), "{got:?}");
    }
    // `open_jobs` and `open_reports` are reported at their `auth = false`, with that fix.
    assert_eq!(
        sec053.iter().filter(|s| s.starts_with("auth")).count(),
        2,
        "{got:?}"
    );
    for d in findings.iter().filter(|d| d.code == "SEC053") {
        if sources.snippet(d.primary.span).starts_with("auth") {
            assert!(
                d.help.as_deref().is_some_and(|h| h.contains("auth = true")),
                "{d:?}"
            );
        }
    }
    assert_eq!(
        got.iter().filter(|(c, _)| *c == "SEC051").count(),
        1,
        "{got:?}"
    );
    assert!(
        !got.iter().any(|(_, s)| *s == "reports" || *s == "jobs"),
        "{got:?}"
    );
    // The default portable Cache's replication group reads its token from its own secret.
    let jobs = model
        .resources
        .iter()
        .find(|r| r.name == "jobs" && r.ty == "aws.elasticache.ReplicationGroup")
        .expect("jobs lowered");
    let token = jobs.props.get("auth_token").and_then(|v| v.as_ref());
    assert!(
        token.is_some_and(|t| model.resource(t.resource).ty == "aws.secretsmanager.Secret"),
        "{:?}",
        jobs.props.get("auth_token")
    );
    insta::assert_snapshot!("caches", render_inline(&sources, &findings));
}

/// SEC060 agrees with the Kubernetes lowering, which always writes TLS for `k8s.Ingress`.
/// SEC063 agrees with the AWS lowering of a public `Service`: its load balancer keeps access
/// logs (a bucket of its own with ELB's log-delivery policy) unless `public.access_logs` is
/// false.
#[test]
fn public_service_load_balancer_logs() {
    let (model, schemas, sources, _) = compile(
        "public_lb_logs.strata",
        include_str!("public_lb_logs.strata"),
    );
    let findings = check_only(&model, &schemas, &sources, &["SEC063"]);
    let reported: Vec<String> = findings
        .iter()
        .map(|d| sources.snippet(d.primary.span).to_string())
        .collect();
    // At `public` of `admin` (the second service), with the setting to remove.
    assert_eq!(reported, ["public"], "{findings:#?}");
    assert!(
        findings[0].primary.span.start as usize
            > include_str!("public_lb_logs.strata")
                .find("resource admin")
                .unwrap_or(usize::MAX)
            && findings[0].message.contains("admin.lb"),
        "{findings:#?}"
    );
    assert!(
        findings[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("access_logs = false")),
        "{findings:#?}"
    );
    let lowered = |name: &str| model.resources.iter().find(|r| r.name == name);
    let lb = lowered("api.lb").expect("api.lb");
    let bucket = lb
        .props
        .get("access_logs")
        .and_then(|v| v.as_record())
        .and_then(|r| r.get("bucket"))
        .and_then(|v| v.as_ref())
        .map(|x| model.resource(x.resource).name.clone());
    assert_eq!(bucket.as_deref(), Some("api.lb_logs"));
    assert!(lowered("api.lb_logs_policy").is_some());
    assert!(lowered("admin.lb_logs").is_none() && lowered("admin.lb_logs_policy").is_none());
}

#[test]
fn kubernetes_ingress_has_tls() {
    let (model, schemas, sources, _) = compile("ingress.strata", include_str!("ingress.strata"));
    let findings = check_only(&model, &schemas, &sources, &["SEC060", "SEC095"]);
    let got: Vec<(&str, &str)> = findings
        .iter()
        .map(|d| (d.code.as_str(), sources.snippet(d.primary.span)))
        .collect();
    assert_eq!(
        got,
        [("SEC060", "spec")],
        "only the API ingress without TLS:\n{}",
        render_inline(&sources, &findings)
    );
    insta::assert_snapshot!("ingress", render_inline(&sources, &findings));
    // What the lowering writes, so that this test fails if it ever stops writing TLS.
    let (programs, _) =
        strata_lower::to_targets(&model, &schemas, Some(&[strata_model::Target::Kubernetes]));
    let text = format!("{programs:?}");
    assert!(
        text.contains("default-secret-tls") && text.contains("api-example-com-tls"),
        "the Ingress manifests have no tls secret:\n{text}"
    );
}

/// `[prod]` applies only when checking prod, `[gcp]` only to projects on GCP; out of scope a
/// suppression neither hides nor is unused. An unscoped unused one is POL001 (with a note on
/// scopes); a misspelt scope is POL003.
#[test]
fn scoped_suppressions() {
    let text = include_str!("scoped.strata");
    let mut out = String::new();
    for env in ["dev", "prod"] {
        let (model, schemas, sources) = compile_env("scoped.strata", text, env);
        let findings = check_only(
            &model,
            &schemas,
            &sources,
            &["SEC040", "POL001", "POL002", "POL003"],
        );
        let got: Vec<(&str, &str)> = findings
            .iter()
            .map(|d| (d.code.as_str(), sources.snippet(d.primary.span)))
            .collect();
        // `audit` is unrotated only in prod, where `[prod]` suppresses it; in dev it is inert.
        assert!(
            !got.iter().any(|(c, s)| *c == "SEC040" && *s != "typo"),
            "{env}: {got:?}"
        );
        assert_eq!(
            got.iter()
                .filter(|(c, _)| *c == "POL001")
                .map(|(_, s)| *s)
                .collect::<Vec<_>>(),
            ["SEC040"],
            "{env}: only `other`'s suppression is unused: {got:?}"
        );
        assert_eq!(
            got.iter()
                .filter(|(c, _)| *c == "POL003")
                .map(|(_, s)| *s)
                .collect::<Vec<_>>(),
            ["prdo"],
            "{env}: {got:?}"
        );
        out.push_str(&format!(
            "--- env {env}\n{}",
            render_inline(&sources, &findings)
        ));
    }
    // The `[prod]` suppression is what hides `audit` in prod: scoped elsewhere, it shows.
    let (model, schemas, sources) = compile_env(
        "scoped.strata",
        &text.replace("strata-ignore[prod]", "strata-ignore[staging]"),
        "prod",
    );
    let findings = check_only(&model, &schemas, &sources, &["SEC040"]);
    assert_eq!(
        findings
            .iter()
            .map(|d| sources.snippet(d.primary.span))
            .collect::<Vec<_>>(),
        ["rotation"],
        "{findings:#?}"
    );
    insta::assert_snapshot!("scoped", out);
}

/// A path policy over a portable type reports the portable resource once, not once per
/// resource it is lowered to (instance, subnet group, security group, secret, ...).
#[test]
fn path_policy_reports_a_lowered_resource_once() {
    let text = r#"import portable.{Postgres}
param env: "dev" | "prod" = "prod"
stack main { provider = aws { region = "us-east-1" } }
resource db: Postgres { version = "16", class = "db.t4g.medium", storage = 20 GiB, public = true }
policy "no public databases" { deny path(internet ~> Postgres) }
"#;
    let (model, schemas, sources) = compile_env("once.strata", text, "prod");
    let lowered = model
        .resources
        .iter()
        .filter(|r| r.lowered_from.is_some())
        .count();
    assert!(lowered >= 2, "Postgres is lowered to several resources");
    let findings = check_only(&model, &schemas, &sources, &[]);
    let policy: Vec<_> = findings
        .iter()
        .filter(|d| d.code.starts_with("POLICY"))
        .collect();
    assert_eq!(policy.len(), 1, "{findings:#?}");
    insta::assert_snapshot!("lowered_once", render_inline(&sources, &findings));
}

/// The data services a new user writes with generated types (OpenSearch, DynamoDB, Redshift,
/// Aurora), through semantics: priced from the tables where they list a price, and otherwise
/// listed as not estimated (Aurora; DynamoDB outside us-east-1), never at another service's
/// rates.
#[test]
fn data_services_cost() {
    let (model, schemas, _, _) =
        compile("data_services.strata", include_str!("data_services.strata"));
    let report = strata_policy::estimate(
        &model,
        &schemas,
        &strata_policy::UsageAssumptions::default(),
    );
    insta::assert_snapshot!("data_services_cost", strata_policy::cost::to_table(&report));
}
