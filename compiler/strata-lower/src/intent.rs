//! What a workload's references imply: the permissions its own identity needs, the secrets the
//! platform injects into it, the database credentials it receives and the private network it
//! must reach — computed from the references of a portable `Service` or `Function` and the
//! types of the resources they point at, never written by hand.
//!
//! The permissions are data, in `[tables]` of the portable lowering files (one table per
//! provider, keyed by the referenced resource's type):
//!
//! | table | rows |
//! | --- | --- |
//! | `grants_<provider>."TYPE".read` / `.write` / `.readwrite` | what the workload's own identity is granted on a resource it references (AWS: policy statements; GCP: IAM bindings; Azure: role assignments, `{ scope, role }`) |
//! | `injected_<provider>."TYPE"` | `{ env, grants }`: a secret's `value` in `env`, injected by the platform (`env`: the platform's reference to it), and what the platform's identity needs to read it |
//! | `credentials_<provider>."TYPE"` | `{ when, env, plain_env, function_env, grants }`: the credential of a referenced database or cache, injected the same way (`plain_env`: what is not secret, a user name; `function_env`: for a Function the platform cannot inject it into, where to read it, the secret's ARN; `when = "PROP"`: only if the referenced resource's `PROP` is not false) |
//!
//! Strings of the rows may name the referenced resource: `${ATTR}` is a reference to its out
//! `ATTR` (`${id}/*`: the objects of a bucket), `${self}` the resource itself,
//! `${lowered:KEY.ATTR}` an out of another resource of the workload's own lowering (its service
//! account), `$Name` its name in PascalCase (statement ids). Rows with a `scope` are grouped
//! under `intent.by_scope.SCOPE` without it (GCP: the service account property they fill). A row with `through = "PROP"` (and `through_types`) is about
//! the resource the referenced one points at with `PROP` (the key of an encrypted bucket), and
//! is left out when it points at none (or at another type).
//!
//! A workload narrows or adds grants with its `grants` map (`grants = { uploads = "read" }`):
//! `read`, `write`, `readwrite` (what a reference implies), `none`.

use crate::codes as c;
use crate::ctx;
use crate::helpers::Tables;
use crate::names;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use strata_base::{did_you_mean, Diagnostic};
use strata_model::{Model, Provider, Ref, Resource, ResourceId, Value};

/// The portable types whose lowering receives an `intent`.
pub fn is_workload(ty: &str) -> bool {
    matches!(ty, "portable.Service" | "portable.Function")
}

/// Properties whose references are not uses of a resource: where the workload runs, how it is
/// reached and where its code comes from (a Function's `source` archive is read by the deployer,
/// not by the function), not what it talks to.
const NOT_USES: &[&str] = &["network", "route", "public", "tags", "grants", "source"];

/// The out of a `portable.Secret` that is its value: injected by the platform, never written.
pub const SECRET_VALUE: (&str, &str) = ("portable.Secret", "value");

/// Private stores: a workload that references one needs a network path to it.
/// A resource reached only through a private network: a workload that uses it runs in that
/// network. On Azure a `Secret` or a private `ObjectStore` with a `network` is too: its vault or
/// storage account admits that network only (a private endpoint); Container Apps reads a Key
/// Vault reference through the app's environment, so an app runs in the network whether it
/// reads a secret with the SDK or has it injected (`env`).
fn is_private_store(r: &Resource, provider: Provider) -> bool {
    match r.ty.as_str() {
        "portable.Postgres" => !r.props.get("public").is_some_and(Value::is_true),
        "portable.Cache" => true,
        "portable.Secret" => {
            provider == Provider::Azure && r.props.get("network").and_then(Value::as_ref).is_some()
        }
        "portable.ObjectStore" => {
            provider == Provider::Azure
                && r.props.get("network").and_then(Value::as_ref).is_some()
                && !r.props.get("public").is_some_and(Value::is_true)
        }
        _ => false,
    }
}

struct Use<'m> {
    res: &'m Resource,
    /// Referenced other than through an injected secret value.
    direct: bool,
    access: String,
}

/// The `intent` of a workload's template context, and diagnostics about its `grants`.
pub fn intent(
    model: &Model,
    r: &Resource,
    provider: Provider,
    tables: &Tables,
) -> (Json, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let p = provider.as_str();
    let grants = tables.get(&format!("grants_{p}"));
    let injected = tables.get(&format!("injected_{p}"));
    let credentials = tables.get(&format!("credentials_{p}"));

    // The explicit access levels (`grants = { uploads = "read" }`), by resource name.
    let explicit: BTreeMap<String, String> = r
        .props
        .get("grants")
        .and_then(Value::as_record)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default();

    // Environment variables of a workload whose whole value is a secret's value: injected by the
    // platform where it can (`injected_<provider>."portable.Secret".workloads`, a Service when
    // the row does not say; Lambda cannot, so a Function's secret value stays in its
    // environment on AWS and is L0010 when its references are rewritten).
    let env = r.props.get("env").and_then(Value::as_record);
    let mut secret_values: BTreeMap<String, ResourceId> = BTreeMap::new();
    let injects = |secret_ty: &str| -> bool {
        match injected
            .and_then(|t| t.get(secret_ty))
            .and_then(|s| s.get("workloads"))
            .and_then(Json::as_array)
        {
            Some(list) => list.iter().any(|w| w.as_str() == Some(r.ty.as_str())),
            None => r.ty == "portable.Service",
        }
    };
    if let Some(env) = env {
        for (k, v) in env {
            if let Value::Ref(x) = v {
                let t = model.resource(x.resource);
                if (t.ty.as_str(), x.attr.as_deref()) == (SECRET_VALUE.0, Some(SECRET_VALUE.1))
                    && injects(&t.ty)
                {
                    secret_values.insert(k.clone(), x.resource);
                }
            }
        }
    }

    // Every resource the workload references, in declaration order.
    let mut used: BTreeMap<u32, bool> = BTreeMap::new();
    for (k, v) in &r.props {
        if NOT_USES.contains(&k.as_str()) {
            continue;
        }
        if k == "env" {
            if let Some(env) = env {
                for (name, x) in env {
                    if secret_values.contains_key(name) {
                        used.entry(x.as_ref().map_or(0, |x| x.resource.0))
                            .or_insert(false);
                        continue;
                    }
                    x.visit_refs(&mut |x| {
                        used.insert(x.resource.0, true);
                    });
                }
            }
            continue;
        }
        v.visit_refs(&mut |x| {
            used.insert(x.resource.0, true);
        });
    }
    used.remove(&r.id.0);
    // A name in `grants` is resolved like a reference where the workload is declared: inside a
    // module instance (`shop.api`) `uploads` is the instance's own `shop.uploads` first, then
    // an enclosing instance's, then the program's.
    let mut access_of: BTreeMap<u32, String> = BTreeMap::new();
    for (name, access) in &explicit {
        let found = module_prefixes(&r.name)
            .into_iter()
            .map(|prefix| format!("{prefix}.{name}"))
            .chain(std::iter::once(name.clone()))
            .find_map(|full| {
                model
                    .resources
                    .iter()
                    .find(|x| x.lowered_from.is_none() && x.name == full && x.id != r.id)
            });
        match found {
            Some(x) => {
                used.entry(x.id.0).or_insert(true);
                access_of.insert(x.id.0, access.clone());
            }
            None => {
                let mut d = Diagnostic::error(
                    c::UNKNOWN_GRANT,
                    format!(
                        "`grants` of `{}` names `{name}`, which is not a resource",
                        r.name
                    ),
                    r.prop_span("grants"),
                )
                .with_label("no resource of this name")
                .with_help("name a resource of the program (`grants = { uploads = \"read\" }`)");
                let names = model
                    .resources
                    .iter()
                    .filter(|x| x.lowered_from.is_none())
                    .map(|x| x.name.as_str());
                if let Some(s) = did_you_mean(name, names) {
                    d = d.with_note(format!("did you mean `{s}`?"));
                }
                diags.push(d);
            }
        }
    }
    // A consumer on GCP given where producers send: a Pub/Sub topic cannot be pulled.
    if p == "gcp" {
        for (name, v) in env.into_iter().flatten() {
            let Value::Ref(x) = v else { continue };
            let q = model.resource(x.resource);
            if q.ty != "portable.Queue"
                || x.attr.as_deref() != Some("url")
                || access_of.get(&q.id.0).map(String::as_str) != Some("read")
            {
                continue;
            }
            let at = model
                .sites
                .get(r.id)
                .and_then(|s| s.value_span(&strata_model::sites::key("env", name)))
                .unwrap_or_else(|| r.prop_span("env"));
            diags.push(
                Diagnostic::warning(
                    c::CONSUMER_GIVEN_TOPIC,
                    format!(
                        "`{}` receives from `{}` (`grants` says \"read\") but `{name}` is its `url`, the Pub/Sub topic producers publish to",
                        r.name, q.name
                    ),
                    at,
                )
                .with_label("a topic cannot be pulled")
                .with_help("give a consumer `receive_url`, the pull subscription (`QUEUE.receive_url`; the same as `url` on AWS and Azure)"),
            );
        }
    }
    let uses: Vec<Use> = used
        .iter()
        .filter_map(|(&id, &direct)| {
            let res = model.resources.get(id as usize)?;
            let access = access_of
                .get(&id)
                .cloned()
                .unwrap_or_else(|| "readwrite".to_string());
            Some(Use {
                res,
                direct,
                access,
            })
        })
        .collect();

    // The workload's own grants.
    let mut own: Vec<Json> = Vec::new();
    for u in uses.iter().filter(|u| u.direct && u.access != "none") {
        let rows = grants
            .and_then(|t| t.get(&u.res.ty))
            .and_then(|t| t.get(&u.access))
            .and_then(Json::as_array);
        for row in rows.into_iter().flatten() {
            if let Some(x) = expand_row(model, u.res, row) {
                push_unique(&mut own, x);
            }
        }
    }

    unique_sids(&mut own);

    // Secrets and credentials injected by the platform, and what the platform needs for them.
    let mut platform: Vec<Json> = Vec::new();
    let mut secret_env: Map<String, Json> = Map::new();
    for (name, id) in &secret_values {
        let t = model.resource(*id);
        let Some(spec) = injected.and_then(|x| x.get(&t.ty)) else {
            continue;
        };
        if let Some(v) = spec.get("env").and_then(|e| expand(&t.name, t, e)) {
            secret_env.insert(ctx::escape_key(name), v);
        }
        for row in spec
            .get("grants")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(x) = expand_row(model, t, row) {
                push_unique(&mut platform, x);
            }
        }
    }
    let mut credential_env: Vec<(String, String, Json)> = Vec::new();
    let mut credential_plain: Vec<(String, String, Json)> = Vec::new();
    for u in uses.iter().filter(|u| u.access != "none") {
        let Some(spec) = credentials.and_then(|x| x.get(&u.res.ty)) else {
            continue;
        };
        // `when = "auth"`: a credential the resource has only with that setting on.
        if let Some(prop) = spec.get("when").and_then(Json::as_str) {
            if u.res.props.get(prop).and_then(Value::as_bool) == Some(false) {
                continue;
            }
        }
        if let Some(Json::Object(e)) = spec.get("env") {
            for (k, v) in e {
                if let Some(v) = expand(&u.res.name, u.res, v) {
                    credential_env.push((k.clone(), u.res.name.clone(), v));
                }
            }
        }
        if let Some(Json::Object(e)) = spec.get("plain_env") {
            for (k, v) in e {
                if let Some(v) = expand(&u.res.name, u.res, v) {
                    credential_plain.push((k.clone(), u.res.name.clone(), v));
                }
            }
        }
        // A Function the platform cannot inject the credential into (Lambda) gets where to read
        // it instead (the secret's ARN), and its role the grants to read it.
        if r.ty == "portable.Function" {
            if let Some(Json::Object(e)) = spec.get("function_env") {
                for (k, v) in e {
                    if let Some(v) = expand(&u.res.name, u.res, v) {
                        credential_plain.push((k.clone(), u.res.name.clone(), v));
                    }
                }
            }
        }
        for row in spec
            .get("grants")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(x) = expand_row(model, u.res, row) {
                push_unique(&mut platform, x);
            }
        }
    }
    unique_sids(&mut platform);
    // One database: `PGPASSWORD`; several: `PGPASSWORD_<NAME>` each. Variables the team sets
    // in `env` win.
    for (k, owner, v) in &credential_env {
        let shared = credential_env.iter().filter(|(x, _, _)| x == k).count() > 1;
        let key = if shared {
            format!("{k}_{}", names::snake(owner).to_ascii_uppercase())
        } else {
            k.clone()
        };
        if env.is_some_and(|e| e.contains_key(&key)) {
            continue;
        }
        secret_env.insert(ctx::escape_key(&key), v.clone());
    }

    // The plain environment: everything but the injected values, then what the credentials of
    // the referenced databases add in plain text (a user name or where to read the secret,
    // never a password), unless the team sets the variable. A variable that differs between
    // two databases (a Lambda's `PGSECRET_ARN`) is `<KEY>_<NAME>` for each; one that does not
    // (GCP's `PGUSER`, the same account everywhere) stays one.
    let mut plain = Map::new();
    for (k, owner, v) in &credential_plain {
        let differs = credential_plain
            .iter()
            .any(|(x, o, y)| x == k && o != owner && y != v);
        let key = if differs {
            format!("{k}_{}", names::snake(owner).to_ascii_uppercase())
        } else {
            k.clone()
        };
        if !env.is_some_and(|e| e.contains_key(&key)) {
            plain.insert(ctx::escape_key(&key), v.clone());
        }
    }
    if let Some(env) = env {
        for (k, v) in env {
            if !secret_values.contains_key(k) {
                plain.insert(ctx::escape_key(k), ctx::to_ctx(v));
            }
        }
    }

    // Grants of one identity (where the platform runs as the workload's identity), and by scope.
    let mut all = own.clone();
    for x in &platform {
        push_unique(&mut all, x.clone());
    }
    // One policy (a Lambda role's): a statement id the two lists share is made unique.
    unique_sids(&mut all);
    let by_scope = by_scope(&all);

    // The private network to reach: the workload's own, or that of the first private store.
    let stores: Vec<&Resource> = uses
        .iter()
        .filter(|u| {
            (u.direct || u.res.ty == "portable.Secret") && is_private_store(u.res, provider)
        })
        .map(|u| u.res)
        .collect();
    let network: Option<&Ref> = if stores.is_empty() {
        None
    } else {
        r.props.get("network").and_then(Value::as_ref).or_else(|| {
            stores
                .iter()
                .find_map(|s| s.props.get("network").and_then(Value::as_ref))
        })
    };
    let vpc = network.map_or(Json::Null, |n| ctx::ref_marker(n.resource.0, None));
    // Its address range (`portable.Network`'s default when unset), and the workload's ordinal
    // among the workloads (services and functions) of its stack: where the platform needs a
    // subnet per workload (Azure: a Container Apps environment's infrastructure subnet, a
    // function app's integration subnet), the slot it is carved at.
    let vpc_cidr = network.map_or(Json::Null, |n| {
        model
            .resources
            .get(n.resource.0 as usize)
            .and_then(|x| x.props.get("cidr"))
            .map_or_else(|| Json::String("10.0.0.0/16".into()), ctx::to_ctx)
    });
    let slot = if network.is_some() {
        model
            .resources
            .iter()
            .take_while(|x| x.id != r.id)
            .filter(|x| is_workload(&x.ty) && x.stack == r.stack)
            .count()
    } else {
        0
    };

    let databases: Vec<Json> = uses
        .iter()
        .filter(|u| u.direct && u.access != "none" && u.res.ty == "portable.Postgres")
        .map(|u| use_json(u.res, &u.access))
        .collect();
    let caches: Vec<Json> = uses
        .iter()
        .filter(|u| u.direct && u.access != "none" && u.res.ty == "portable.Cache")
        .map(|u| use_json(u.res, &u.access))
        .collect();
    let uses_json: Vec<Json> = uses.iter().map(|u| use_json(u.res, &u.access)).collect();
    let unset = |k: &str| r.props.get(k).is_none_or(Value::is_null);
    let worker = r.ty == "portable.Service" && unset("port") && unset("public") && unset("route");

    // A Kubernetes workload that uses resources of a cloud stack: its pods' cloud identity.
    let identity = if provider == Provider::Kubernetes {
        pod_identity(model, r, &uses, tables, &mut diags)
    } else {
        Json::Null
    };
    let pod_env = identity
        .get("aws")
        .or_else(|| identity.get("gcp"))
        .and_then(|a| a.get("env"));
    if let Some(Json::Object(e)) = pod_env {
        for (k, v) in e {
            if !env.is_some_and(|x| x.contains_key(k)) {
                plain.insert(ctx::escape_key(k), v.clone());
            }
        }
    }

    let json = serde_json::json!({
        "identity": identity,
        "worker": worker,
        "env": Json::Object(plain),
        "secret_env": Json::Object(secret_env),
        "grants": own,
        "platform": platform,
        "all": all,
        "by_scope": by_scope,
        "databases": databases,
        "caches": caches,
        "uses": uses_json,
        "vpc": vpc,
        "vpc_cidr": vpc_cidr,
        "slot": slot,
    });
    (json, diags)
}

/// The cloud identity of a Kubernetes workload's pods (`identity` of its stack's settings), for
/// the resources of cloud stacks it uses: `{ aws: { provider, role_name, arn, namespace, name,
/// grants, env } }` (IRSA: the role is created in the stack of the OIDC provider `provider`, its
/// grants the `grants_aws` rows of each use, and the pod's credentials of a database or cache:
/// `credentials_pods_aws`, else `credentials_aws`), `{ aws: { cluster, role_name, namespace,
/// name, grants, env } }` (EKS Pod Identity, `eks_pod_identity`: the same role in the stack of
/// the EKS cluster `cluster`, and its association) or `{ gcp: { cluster, account_id, email,
/// namespace, name, by_scope, databases, env } }` (GKE Workload Identity, `gke_identity`).
/// Null when it uses none; an error (L0015) when the stack names no identity, or one that
/// cannot hold the grants.
fn pod_identity(
    model: &Model,
    r: &Resource,
    uses: &[Use],
    tables: &Tables,
    diags: &mut Vec<Diagnostic>,
) -> Json {
    let Some(stack) = model.stack_of(r) else {
        return Json::Null;
    };
    let cloud: Vec<&Use> = uses
        .iter()
        .filter(|u| u.access != "none")
        .filter(|u| {
            model.stack_of(u.res).is_some_and(|s| {
                s.name != stack.name
                    && matches!(s.provider, Provider::Aws | Provider::Gcp | Provider::Azure)
            })
        })
        .collect();
    let Some(first) = cloud.first() else {
        return Json::Null;
    };
    let stack_of = |x: &Resource| {
        model
            .stack_of(x)
            .map_or("", |s| s.name.as_str())
            .to_string()
    };
    let identity = stack
        .provider_config
        .get("identity")
        .and_then(Value::as_record);
    let Some(identity) = identity else {
        diags.push(
            Diagnostic::error(
                c::POD_IDENTITY,
                format!(
                    "`{}` uses `{}` of stack `{}`, but the pods of stack `{}` have no cloud identity",
                    r.name,
                    first.res.name,
                    stack_of(first.res),
                    stack.name
                ),
                uses_span(r, first.res),
            )
            .with_label("a use of a cloud resource")
            .with_secondary(stack.span, "this Kubernetes stack names no `identity`")
            .with_help(format!(
                "give the stack's pods an identity the grants go to: `provider = kubernetes {{ namespace = \"{}\", identity = {}",
                stack
                    .provider_config
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("default"),
                if model.stack_of(first.res).map(|s| s.provider) == Some(Provider::Gcp) {
                    "gke { cluster = CLUSTER } }`, CLUSTER being the `gcp.container.Cluster` the pods run in (GKE Workload Identity)"
                } else {
                    "pod_identity { cluster = CLUSTER } }`, CLUSTER being the `aws.eks.Cluster` the pods run in (EKS Pod Identity, pods on nodes), or `identity = irsa { provider = OIDC }`, OIDC being the cluster's `aws.eks.OidcProvider` (IAM roles for service accounts, which also reach pods on Fargate)"
                }
            )),
        );
        return Json::Null;
    };
    // The cloud resource the identity hangs off: the OIDC provider (IRSA), the EKS cluster (EKS
    // Pod Identity) or the GKE cluster; the role or account is created in its stack. `cluster`
    // is an EKS or a GKE cluster (`pod_identity` or `gke`), told apart by the type it refers to.
    let cluster = identity.get("cluster").and_then(Value::as_ref);
    let Some(anchor) = cluster.or_else(|| identity.get("provider").and_then(Value::as_ref)) else {
        return Json::Null;
    };
    let Some(anchor_res) = model.resources.get(anchor.resource.0 as usize) else {
        return Json::Null;
    };
    let Some(home) = model.stack_of(anchor_res) else {
        return Json::Null;
    };
    let eks = cluster.filter(|_| anchor_res.ty == "aws.eks.Cluster");
    let gke = cluster.filter(|_| eks.is_none());
    let (what, of) = if gke.is_some() {
        ("Google service account", "GKE cluster")
    } else if eks.is_some() {
        ("role", "EKS cluster")
    } else {
        ("role", "OIDC provider")
    };
    // The role or account holds references to what it is granted: they must be in its stack.
    let mut ok = true;
    for u in &cloud {
        let s = stack_of(u.res);
        if s != home.name {
            ok = false;
            diags.push(
                Diagnostic::error(
                    c::POD_IDENTITY,
                    format!(
                        "`{}` uses `{}` of stack `{s}`, but its pods' {what} is created in stack `{}` (that of the {of} `{}`)",
                        r.name, u.res.name, home.name, anchor_res.name
                    ),
                    uses_span(r, u.res),
                )
                .with_label("a use of a resource of another stack")
                .with_secondary(stack.span, format!("the stack's `identity` names the {of}"))
                .with_help(format!(
                    "the {what} can only name resources of its own stack: move `{}` into stack `{}`, or the {of} into stack `{s}`",
                    u.res.name, home.name
                )),
            );
        }
    }
    if let Some(cluster) = gke {
        if !ok {
            return Json::Null;
        }
        return gke_identity(model, r, stack, home, &cloud, cluster, tables, diags);
    }
    if let Some(cluster) = eks {
        if !ok {
            return Json::Null;
        }
        return eks_pod_identity(model, r, stack, home, &cloud, cluster, tables, diags);
    }
    let oidc = anchor;
    let account = identity
        .get("account")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            match home
                .provider_config
                .get("accounts")
                .and_then(Value::as_list)
            {
                Some(list) if list.len() == 1 => list[0].as_str().map(str::to_string),
                _ => None,
            }
        });
    let Some(account) = account else {
        diags.push(
            Diagnostic::error(
                c::POD_IDENTITY,
                format!(
                    "the service account of `{}` must name its role by ARN, and the account of stack `{}` is not known",
                    r.name, home.name
                ),
                stack.span,
            )
            .with_label("`identity = irsa { ... }` is set here")
            .with_secondary(home.span, "the role's stack names no single account")
            .with_help(format!(
                "write the account: `identity = irsa {{ provider = {}, account = \"123456789012\" }}`, or `accounts = [\"123456789012\"]` in stack `{}`'s `aws {{ ... }}`",
                anchor_res.name, home.name
            )),
        );
        return Json::Null;
    };
    if !ok {
        return Json::Null;
    }
    let (region, partition) = region_partition(home);
    let namespace = namespace_of(stack);
    let name = names::kebab(&r.name);
    let role_name = format!("{}-{name}", names::kebab(&stack.name));
    let vars = [
        ("$Partition", partition.to_string()),
        ("$Region", region.clone()),
        ("$Account", account.clone()),
        ("$DbUser", name.replace('-', "_")),
    ];

    let (mut rows, env) = pod_grants(model, &cloud, "aws", &vars, tables);
    unique_sids(&mut rows);
    serde_json::json!({
        "aws": {
            "provider": ctx::ref_marker(oidc.resource.0, None),
            "role_name": role_name,
            "arn": format!("arn:{partition}:iam::{account}:role/{role_name}"),
            "namespace": namespace,
            "name": name,
            "grants": rows,
            "env": env,
        }
    })
}

/// The region of an AWS stack and its partition (`aws`, `aws-cn`, `aws-us-gov`).
fn region_partition(home: &strata_model::Stack) -> (String, &'static str) {
    let region = home
        .provider_config
        .get("region")
        .and_then(Value::as_str)
        .unwrap_or("us-east-1")
        .to_string();
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    (region, partition)
}

/// The namespace of a Kubernetes stack (`default` when its settings name none).
fn namespace_of(stack: &strata_model::Stack) -> String {
    stack
        .provider_config
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string()
}

/// The add-on EKS Pod Identity needs on every node of the cluster.
const POD_IDENTITY_AGENT: &str = "eks-pod-identity-agent";

/// Whether the program installs the `eks-pod-identity-agent` add-on on `cluster`: an
/// `aws.eks.Addon` (or the generated `AWS::EKS::Addon` / `aws_eks_addon`) of that name that
/// refers to the cluster, or names it by its literal `cluster_name`.
fn has_pod_identity_agent(model: &Model, cluster: &Resource) -> bool {
    let cluster_name = cluster.props.get("cluster_name").and_then(Value::as_str);
    model.resources.iter().any(|x| {
        let (name, of) = match x.ty.as_str() {
            "aws.eks.Addon" => (x.props.get("addon_name"), None),
            "tf.aws_eks_addon" => (x.props.get("addon_name"), x.props.get("cluster_name")),
            "cfn.AWS.EKS.Addon" => (x.props.get("AddonName"), x.props.get("ClusterName")),
            _ => return false,
        };
        name.and_then(Value::as_str) == Some(POD_IDENTITY_AGENT)
            && (x
                .references()
                .iter()
                .any(|(to, _)| to.resource == cluster.id)
                || (cluster_name.is_some() && of.and_then(Value::as_str) == cluster_name))
    })
}

/// EKS Pod Identity: an IAM role `STACK-NAME` in the cluster's stack, which only
/// `pods.eks.amazonaws.com` may assume for exactly this cluster, namespace and service account
/// (`assumed_by.pod_identity`: conditions on the session tags and `aws:SourceAccount`), with the
/// `grants_aws` rows of the uses and the pod's database credential (`credentials_pods_aws`),
/// and an `aws.eks.PodIdentityAssociation` binding it to the service account, which carries
/// no annotation. `{ aws: { cluster, role_name, namespace, name, grants, env } }`. Errors
/// (L0015): the cluster runs no `eks-pod-identity-agent` add-on (with the declaration to add
/// as a fix), a Fargate profile of the cluster takes the namespace's pods (Pod Identity does
/// not reach Fargate), a grant names the account (`$Account`: IAM database authentication's
/// user ARN) while the cluster's stack names no single account.
#[allow(clippy::too_many_arguments)]
fn eks_pod_identity(
    model: &Model,
    r: &Resource,
    stack: &strata_model::Stack,
    home: &strata_model::Stack,
    cloud: &[&Use],
    cluster: &Ref,
    tables: &Tables,
    diags: &mut Vec<Diagnostic>,
) -> Json {
    let cluster_res = model.resource(cluster.resource);
    let namespace = namespace_of(stack);
    let mut ok = true;
    // The agent, which hands the pods their credentials.
    if !has_pod_identity_agent(model, cluster_res) {
        ok = false;
        let taken = |n: &str| model.resources.iter().any(|x| x.name == n);
        let addon = if taken("pod_identity_agent") {
            format!("{}_pod_identity_agent", names::snake(&cluster_res.name))
        } else {
            "pod_identity_agent".to_string()
        };
        let declaration = format!(
            "resource {addon}: aws.eks.Addon {{\n  stack = {}\n  cluster = {}\n  addon_name = \"{POD_IDENTITY_AGENT}\"\n}}",
            home.name, cluster_res.name
        );
        let mut d = Diagnostic::error(
            c::POD_IDENTITY,
            format!(
                "the pods of stack `{}` get their roles through EKS Pod Identity, but cluster `{}` runs no `{POD_IDENTITY_AGENT}` add-on",
                stack.name, cluster_res.name
            ),
            stack.span,
        )
        .with_label("`identity = pod_identity { ... }` is set here")
        .with_secondary(cluster_res.name_span, "no `aws.eks.Addon` of this cluster installs the agent")
        .with_help(format!(
            "install the agent, which hands the pods their credentials: `resource {addon}: aws.eks.Addon {{ stack = {}, cluster = {}, addon_name = \"{POD_IDENTITY_AGENT}\" }}`",
            home.name, cluster_res.name
        ));
        // A cluster declared at the top of a file (not by a module) gets the declaration
        // written after it.
        let plain = !cluster_res.name.contains(['.', '[']) && cluster_res.lowered_from.is_none();
        if plain && !taken(&addon) {
            let at = cluster_res.span;
            d = d.with_fix(strata_base::Fix::replace(
                format!(
                    "Add the `{POD_IDENTITY_AGENT}` add-on to `{}`",
                    cluster_res.name
                ),
                strata_base::Span {
                    start: at.end,
                    ..at
                },
                format!("\n\n{declaration}"),
                strata_base::Applicability::MachineApplicable,
            ));
        }
        diags.push(d);
    }
    // Fargate: Pod Identity gives its pods no credentials (the agent is a DaemonSet).
    for p in model.resources.iter().filter(|x| {
        x.ty == "aws.eks.FargateProfile"
            && x.props
                .get("cluster")
                .and_then(Value::as_ref)
                .map(|x| x.resource)
                == Some(cluster_res.id)
    }) {
        let takes_all = p
            .props
            .get("selectors")
            .and_then(Value::as_list)
            .into_iter()
            .flatten()
            .filter_map(Value::as_record)
            .any(|s| {
                s.get("namespace")
                    .and_then(Value::as_str)
                    .is_some_and(|pattern| glob_match(pattern, &namespace))
                    && s.get("labels")
                        .and_then(Value::as_record)
                        .is_none_or(|l| l.is_empty())
            });
        if takes_all {
            ok = false;
            diags.push(
                Diagnostic::error(
                    c::POD_IDENTITY,
                    format!(
                        "the pods of stack `{}` get their roles through EKS Pod Identity, but Fargate profile `{}` runs the pods of namespace `{namespace}` on Fargate, where Pod Identity gives no credentials",
                        stack.name, p.name
                    ),
                    stack.span,
                )
                .with_label("`identity = pod_identity { ... }` is set here")
                .with_secondary(p.prop_span("selectors"), "this profile selects the namespace")
                .with_help("use IAM roles for service accounts, which reach Fargate pods: `identity = irsa { provider = OIDC }`, OIDC being the cluster's `aws.eks.OidcProvider`"),
            );
        }
    }
    let (region, partition) = region_partition(home);
    let name = names::kebab(&r.name);
    let account = match home
        .provider_config
        .get("accounts")
        .and_then(Value::as_list)
    {
        Some(list) if list.len() == 1 => list[0].as_str().map(str::to_string),
        _ => None,
    };
    let mut vars = vec![
        ("$Partition", partition.to_string()),
        ("$Region", region),
        ("$DbUser", name.replace('-', "_")),
    ];
    if let Some(account) = &account {
        vars.push(("$Account", account.clone()));
    }
    let (mut rows, env) = pod_grants(model, cloud, "aws", &vars, tables);
    unique_sids(&mut rows);
    // A row that names the account (the `rds-db:connect` ARN of a database user) while the
    // stack names none: the role would hold a placeholder.
    let unresolved =
        account.is_none() && serde_json::to_string(&rows).is_ok_and(|s| s.contains("$Account"));
    if let Some(u) = cloud
        .iter()
        .find(|u| u.res.ty == "portable.Postgres")
        .or(cloud.first())
        .filter(|_| unresolved)
    {
        ok = false;
        diags.push(
            Diagnostic::error(
                c::POD_IDENTITY,
                format!(
                    "`{}` uses `{}`, whose grant (IAM database authentication) names the account of stack `{}` in an ARN, and that account is not known",
                    r.name, u.res.name, home.name
                ),
                uses_span(r, u.res),
            )
            .with_label("a use whose grant names the account")
            .with_secondary(home.span, "the stack names no single account")
            .with_help(format!(
                "write the account in stack `{}`'s settings: `aws {{ ..., accounts = [\"123456789012\"] }}`",
                home.name
            )),
        );
    }
    if !ok {
        return Json::Null;
    }
    serde_json::json!({
        "aws": {
            "cluster": ctx::ref_marker(cluster.resource.0, None),
            "role_name": format!("{}-{name}", names::kebab(&stack.name)),
            "namespace": namespace,
            "name": name,
            "grants": rows,
            "env": env,
        }
    })
}

/// Whether `text` matches `pattern`, where `*` is any run of characters and `?` one (the
/// wildcards of a Fargate profile's namespace selector, `prod-*`).
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // The classic two-pointer match with backtracking to the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// GKE Workload Identity: a Google service account `STACK-NAME` (cut to 30) in the cluster's
/// stack, acted as by exactly the pod's Kubernetes service account, with the `grants_gcp` rows
/// of its uses by scope (`by_scope`, for the `gcp_workload_roles` fragment) and a Cloud SQL IAM
/// user on each database it uses (`credentials_pods_gcp`, else `credentials_gcp`).
#[allow(clippy::too_many_arguments)]
fn gke_identity(
    model: &Model,
    r: &Resource,
    stack: &strata_model::Stack,
    home: &strata_model::Stack,
    cloud: &[&Use],
    cluster: &Ref,
    tables: &Tables,
    diags: &mut Vec<Diagnostic>,
) -> Json {
    let cluster_res = model.resource(cluster.resource);
    if cluster_res
        .props
        .get("workload_identity")
        .and_then(Value::as_bool)
        == Some(false)
    {
        diags.push(
            Diagnostic::error(
                c::POD_IDENTITY,
                format!(
                    "the pods of stack `{}` act as Google service accounts through cluster `{}`, which has Workload Identity off",
                    stack.name, cluster_res.name
                ),
                cluster_res.prop_span("workload_identity"),
            )
            .with_label("Workload Identity is off")
            .with_secondary(stack.span, "the stack's `identity` names this cluster")
            .with_help(format!(
                "remove `workload_identity = false` from `{}`",
                cluster_res.name
            )),
        );
        return Json::Null;
    }
    let Some(project) = home.provider_config.get("project").and_then(Value::as_str) else {
        return Json::Null;
    };
    let namespace = namespace_of(stack);
    let name = names::kebab(&r.name);
    // An account id: 6 to 30 lower-case letters, digits and dashes, a letter first.
    let mut account_id: String = format!("{}-{name}", names::kebab(&stack.name))
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
        .take(30)
        .collect();
    while account_id.ends_with('-') {
        account_id.pop();
    }
    if !account_id.starts_with(|c: char| c.is_ascii_lowercase()) {
        account_id.insert(0, 'k');
    }
    while account_id.len() < 6 {
        account_id.push('0');
    }
    account_id.truncate(30);
    let email = format!("{account_id}@{project}.iam.gserviceaccount.com");
    let vars = [
        ("$AccountId", account_id.clone()),
        ("$Project", project.to_string()),
    ];
    let (rows, env) = pod_grants(model, cloud, "gcp", &vars, tables);
    let by_scope = by_scope(&rows);
    let databases: Vec<Json> = cloud
        .iter()
        .filter(|u| u.res.ty == "portable.Postgres")
        .map(|u| use_json(u.res, &u.access))
        .collect();
    serde_json::json!({
        "gcp": {
            "cluster": ctx::ref_marker(cluster.resource.0, None),
            "account_id": account_id,
            "email": email,
            "namespace": namespace,
            "name": name,
            "by_scope": by_scope,
            "databases": databases,
            "env": env,
        }
    })
}

/// `$Partition`, `$Region`, `$Account`, `$DbUser` in the strings of a row.
/// Grant rows grouped by their `scope` (the resource a GCP binding is written on), the `scope`
/// key removed and each row once per scope.
fn by_scope(rows: &[Json]) -> BTreeMap<String, Vec<Json>> {
    let mut out: BTreeMap<String, Vec<Json>> = BTreeMap::new();
    for x in rows {
        if let Some(s) = x.get("scope").and_then(Json::as_str) {
            let mut row = x.clone();
            if let Json::Object(o) = &mut row {
                o.remove("scope");
            }
            let list = out.entry(s.to_string()).or_default();
            if !list.contains(&row) {
                list.push(row);
            }
        }
    }
    out
}

/// What a pod's cloud identity holds for its uses: the `grants_PROVIDER` rows of each use's
/// access, and for a database or cache the credential spec (`credentials_pods_PROVIDER`, else
/// `credentials_PROVIDER`; skipped when its `when` property is false): its grant rows and the
/// plain environment it gives the pod. `vars` fill the rows' placeholders.
fn pod_grants(
    model: &Model,
    cloud: &[&Use],
    provider: &str,
    vars: &[(&str, String)],
    tables: &Tables,
) -> (Vec<Json>, Map<String, Json>) {
    let grants = tables.get(&format!("grants_{provider}"));
    let pods = tables.get(&format!("credentials_pods_{provider}"));
    let credentials = tables.get(&format!("credentials_{provider}"));
    let mut rows: Vec<Json> = Vec::new();
    let mut env = Map::new();
    for u in cloud {
        for row in grants
            .and_then(|t| t.get(&u.res.ty))
            .and_then(|t| t.get(&u.access))
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(x) = expand_row(model, u.res, &substitute(row, vars)) {
                push_unique(&mut rows, x);
            }
        }
        // The credential of a database or cache: what the pod's identity needs to obtain it.
        let Some(spec) = pods
            .and_then(|x| x.get(&u.res.ty))
            .or_else(|| credentials.and_then(|x| x.get(&u.res.ty)))
        else {
            continue;
        };
        if let Some(prop) = spec.get("when").and_then(Json::as_str) {
            if u.res.props.get(prop).and_then(Value::as_bool) == Some(false) {
                continue;
            }
        }
        if let Some(Json::Object(e)) = spec.get("plain_env") {
            for (k, v) in e {
                if let Some(v) = expand(&u.res.name, u.res, &substitute(v, vars)) {
                    env.insert(k.clone(), v);
                }
            }
        }
        for row in spec
            .get("grants")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(x) = expand_row(model, u.res, &substitute(row, vars)) {
                push_unique(&mut rows, x);
            }
        }
    }
    (rows, env)
}

fn substitute(v: &Json, vars: &[(&str, String)]) -> Json {
    match v {
        Json::String(s) => {
            let mut s = s.clone();
            for (k, x) in vars {
                s = s.replace(k, x);
            }
            Json::String(s)
        }
        Json::Array(a) => Json::Array(a.iter().map(|x| substitute(x, vars)).collect()),
        Json::Object(o) => Json::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), substitute(x, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Where `r` uses `target`: the property referencing it, else its `grants`.
fn uses_span(r: &Resource, target: &Resource) -> strata_base::Span {
    r.references()
        .into_iter()
        .find(|(x, _)| x.resource == target.id)
        .map_or_else(|| r.prop_span("grants"), |(_, s)| s)
}

fn use_json(r: &Resource, access: &str) -> Json {
    serde_json::json!({
        "name": r.name,
        "names": { "pascal": names::pascal(&r.name), "snake": names::snake(&r.name), "kebab": names::kebab(&r.name) },
        "type": r.ty,
        "self": ctx::ref_marker(r.id.0, None),
        "access": access,
    })
}

/// Statement ids are unique within a policy: the second `UploadsKey` becomes `UploadsKey2`.
fn unique_sids(list: &mut [Json]) {
    let mut seen = BTreeSet::new();
    for x in list.iter_mut() {
        let Some(Json::String(sid)) = x.get_mut("sid") else {
            continue;
        };
        let base = sid.clone();
        let mut k = 2;
        while !seen.insert(sid.clone()) {
            *sid = format!("{base}{k}");
            k += 1;
        }
    }
}

fn push_unique(list: &mut Vec<Json>, x: Json) {
    if !list.contains(&x) {
        list.push(x);
    }
}

/// A row about `target`: follows `through`, drops the row's own keys, expands its strings.
fn expand_row(model: &Model, target: &Resource, row: &Json) -> Option<Json> {
    let owner = target.name.as_str();
    let mut target = target;
    let mut row = row.clone();
    if let Json::Object(o) = &mut row {
        let through = o.remove("through");
        let types = o.remove("through_types");
        if let Some(prop) = through.as_ref().and_then(Json::as_str) {
            let x = target.props.get(prop).and_then(Value::as_ref)?;
            let next = model.resources.get(x.resource.0 as usize)?;
            if let Some(Json::Array(types)) = &types {
                if !types.iter().any(|t| t.as_str() == Some(next.ty.as_str())) {
                    return None;
                }
            }
            target = next;
        }
    }
    expand(owner, target, &row)
}

/// Strings of a row with `${ATTR}` (a reference to `target`'s out) and `$Name` (`owner` in
/// PascalCase) expanded.
fn expand(owner: &str, target: &Resource, v: &Json) -> Option<Json> {
    Some(match v {
        Json::String(s) => expand_str(owner, target, s),
        Json::Array(a) => Json::Array(a.iter().filter_map(|x| expand(owner, target, x)).collect()),
        Json::Object(o) => Json::Object(
            o.iter()
                .filter_map(|(k, x)| expand(owner, target, x).map(|x| (k.clone(), x)))
                .collect(),
        ),
        other => other.clone(),
    })
}

fn expand_str(owner: &str, target: &Resource, s: &str) -> Json {
    let s = s.replace("$Name", &names::pascal(owner));
    let mut parts: Vec<Json> = Vec::new();
    let mut rest = s.as_str();
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        if start > 0 {
            parts.push(Json::String(rest[..start].to_string()));
        }
        let attr = rest[start + 2..start + end].trim();
        if let Some(sibling) = attr.strip_prefix("lowered:") {
            // `${lowered:KEY.ATTR}`: an out of another resource of the workload's own lowering.
            let (key, out) = sibling.split_once('.').unwrap_or((sibling, ""));
            let out = if out.is_empty() {
                Json::Null
            } else {
                Json::String(out.to_string())
            };
            parts.push(ctx::marker(
                "$lowered",
                Json::Array(vec![Json::String(key.to_string()), Json::Null, out]),
            ));
            rest = &rest[start + end + 1..];
            continue;
        }
        let attr = (attr != "self" && !attr.is_empty()).then_some(attr);
        parts.push(ctx::ref_marker(target.id.0, attr));
        rest = &rest[start + end + 1..];
    }
    if !rest.is_empty() {
        parts.push(Json::String(rest.to_string()));
    }
    match parts.len() {
        0 => Json::String(String::new()),
        1 => parts.remove(0),
        _ => ctx::marker("$interp", Json::Array(parts)),
    }
}

/// The workloads (services and functions) among the referrers of a resource, once each, in
/// model order: `clients` of its template context (an AWS database or cache admits each
/// client's security group; a Lambda function that references a private store runs in the
/// network with a security group of its own).
pub fn clients(model: &Model, referrers: &[(ResourceId, String)]) -> Json {
    let mut seen = BTreeSet::new();
    let list: Vec<Json> = referrers
        .iter()
        .filter(|(id, _)| seen.insert(id.0))
        .map(|(id, _)| model.resource(*id))
        .filter(|x| is_workload(&x.ty))
        .map(|x| {
            serde_json::json!({
                "name": x.name,
                "names": { "pascal": names::pascal(&x.name), "snake": names::snake(&x.name), "kebab": names::kebab(&x.name) },
                "type": x.ty,
                "self": ctx::ref_marker(x.id.0, None),
            })
        })
        .collect();
    Json::Array(list)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn fargate_namespace_patterns() {
        for (p, t, m) in [
            ("shop", "shop", true),
            ("shop", "shops", false),
            ("shop-*", "shop-jobs", true),
            ("shop-*", "shop-", true),
            ("shop-*", "shop", false),
            ("*", "anything", true),
            ("s?op", "shop", true),
            ("*-jobs", "community-jobs", true),
            ("*-jobs", "community-api", false),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
        ] {
            assert_eq!(glob_match(p, t), m, "{p} ~ {t}");
        }
    }
}

/// The module instances a resource is declared in, innermost first: `site.api` → `["site"]`,
/// `a.b["x.y"].api` → `["a.b[\"x.y\"]", "a"]` (a dot inside a loop key separates nothing).
fn module_prefixes(name: &str) -> Vec<&str> {
    let mut cuts = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    for (i, c) in name.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            '.' if !quoted && depth == 0 => cuts.push(i),
            _ => {}
        }
    }
    cuts.iter().rev().map(|&i| &name[..i]).collect()
}

#[cfg(test)]
mod module_prefix_tests {
    use super::module_prefixes;

    #[test]
    fn prefixes_innermost_first() {
        assert!(module_prefixes("api").is_empty());
        assert_eq!(module_prefixes("site.api"), vec!["site"]);
        assert_eq!(module_prefixes("a.b.api"), vec!["a.b", "a"]);
        assert_eq!(
            module_prefixes("a.b[\"x.y\"].api"),
            vec!["a.b[\"x.y\"]", "a"]
        );
    }
}
