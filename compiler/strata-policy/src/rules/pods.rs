//! Containers and pod specs, read where each type declares them ([`PODS`]): where the pod
//! spec is (`spec.template.spec` in a Deployment, `spec.jobTemplate.spec.template.spec` in a
//! CronJob), and the field names of its family ([`Vocab`]: Kubernetes API camelCase, the
//! Terraform provider's snake_case blocks, the stdlib's containers, ECS container definitions).
//! A field a vocabulary lacks is a setting the type cannot express: the rules that need it
//! do not read the type.
//!
//! The Kubernetes rules (SEC080–SEC087) read through this module; each lists the fields it
//! uses and gets its reads from [`reads`].

use crate::engine::Cx;
use crate::reads::{intern, located, part, value_in, values, Read};
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use strata_base::Span;
use strata_model::sites::{index, key};
use strata_model::{Resource, Value};

/// Field names of a family. Container fields are relative to a container, pod fields to the
/// pod spec. `None`: the family cannot say it.
#[derive(Default)]
pub struct Vocab {
    /// The container lists of a pod spec; `""` when the resource is one container.
    pub containers: &'static [&'static str],
    pub name: Option<&'static str>,
    pub image: Option<&'static str>,
    pub privileged: Option<&'static str>,
    pub run_as_non_root: Option<&'static str>,
    pub run_as_user: Option<&'static str>,
    pub read_only_root: Option<&'static str>,
    pub allow_privilege_escalation: Option<&'static str>,
    pub capabilities_add: Option<&'static str>,
    pub limits_cpu: Option<&'static str>,
    pub limits_memory: Option<&'static str>,
    /// The liveness probe of a container.
    pub liveness: Option<&'static str>,
    /// Environment as a list of `{ name, value }` records: the list, and the two keys.
    pub env_list: Option<(&'static str, &'static str, &'static str)>,
    /// Environment as a map of names to values.
    pub env_map: Option<&'static str>,
    pub pod_run_as_non_root: Option<&'static str>,
    pub pod_run_as_user: Option<&'static str>,
    pub host_network: Option<&'static str>,
    pub host_pid: Option<&'static str>,
    pub host_ipc: Option<&'static str>,
    /// The node paths of the pod's `hostPath` volumes (a fanned path: `volumes[].hostPath.path`).
    pub host_path: Option<&'static str>,
}

/// A field of a [`Vocab`].
pub type Field = fn(&Vocab) -> Option<&'static str>;

/// The environment of a container: its list of `{ name, value }` records, else its map.
pub fn env_field(v: &Vocab) -> Option<&'static str> {
    v.env_list.map(|(list, _, _)| list).or(v.env_map)
}

/// Kubernetes API objects (`kube.*`).
pub static KUBE: Vocab = Vocab {
    containers: &["containers", "initContainers"],
    name: Some("name"),
    image: Some("image"),
    privileged: Some("securityContext.privileged"),
    run_as_non_root: Some("securityContext.runAsNonRoot"),
    run_as_user: Some("securityContext.runAsUser"),
    read_only_root: Some("securityContext.readOnlyRootFilesystem"),
    allow_privilege_escalation: Some("securityContext.allowPrivilegeEscalation"),
    capabilities_add: Some("securityContext.capabilities.add"),
    limits_cpu: Some("resources.limits.cpu"),
    limits_memory: Some("resources.limits.memory"),
    liveness: Some("livenessProbe"),
    env_list: Some(("env", "name", "value")),
    env_map: None,
    pod_run_as_non_root: Some("securityContext.runAsNonRoot"),
    pod_run_as_user: Some("securityContext.runAsUser"),
    host_network: Some("hostNetwork"),
    host_pid: Some("hostPID"),
    host_ipc: Some("hostIPC"),
    host_path: Some("volumes[].hostPath.path"),
};

/// The Terraform Kubernetes provider (`tf.kubernetes_*`).
pub static TF_KUBERNETES: Vocab = Vocab {
    containers: &["container", "init_container"],
    name: Some("name"),
    image: Some("image"),
    privileged: Some("security_context.privileged"),
    run_as_non_root: Some("security_context.run_as_non_root"),
    run_as_user: Some("security_context.run_as_user"),
    read_only_root: Some("security_context.read_only_root_filesystem"),
    allow_privilege_escalation: Some("security_context.allow_privilege_escalation"),
    capabilities_add: Some("security_context.capabilities.add"),
    limits_cpu: Some("resources.limits.cpu"),
    limits_memory: Some("resources.limits.memory"),
    liveness: Some("liveness_probe"),
    env_list: Some(("env", "name", "value")),
    env_map: None,
    pod_run_as_non_root: Some("security_context.run_as_non_root"),
    pod_run_as_user: Some("security_context.run_as_user"),
    host_network: Some("host_network"),
    host_pid: Some("host_pid"),
    host_ipc: Some("host_ipc"),
    host_path: Some("volume[].host_path.path"),
};

/// The stdlib's Kubernetes workloads (`k8s.Deployment`): non-root, read-only root and limits
/// by default, no security context to loosen.
pub static K8S: Vocab = Vocab {
    containers: &["containers"],
    name: Some("name"),
    image: Some("image"),
    privileged: None,
    run_as_non_root: None,
    // `run_as_user: int(1..)`: never root.
    run_as_user: None,
    read_only_root: Some("read_only_root"),
    allow_privilege_escalation: None,
    capabilities_add: None,
    limits_cpu: None,
    limits_memory: None,
    liveness: Some("liveness"),
    env_list: None,
    env_map: Some("env"),
    pod_run_as_non_root: None,
    pod_run_as_user: None,
    host_network: None,
    host_pid: None,
    host_ipc: None,
    host_path: None,
};

/// The stdlib's ECS task definition.
pub static ECS: Vocab = Vocab {
    containers: &["containers"],
    name: Some("name"),
    image: Some("image"),
    read_only_root: Some("read_only_root"),
    env_map: Some("environment"),
    ..EMPTY
};

/// CloudFormation ECS container definitions.
pub static CFN_ECS: Vocab = Vocab {
    containers: &["ContainerDefinitions"],
    name: Some("Name"),
    image: Some("Image"),
    privileged: Some("Privileged"),
    run_as_user: Some("User"),
    read_only_root: Some("ReadonlyRootFilesystem"),
    capabilities_add: Some("LinuxParameters.Capabilities.Add"),
    env_list: Some(("Environment", "Name", "Value")),
    ..EMPTY
};

/// A resource that is one container with `image` and `env` at the top (Cloud Run, Container
/// Apps in the stdlib).
pub static SINGLE: Vocab = Vocab {
    containers: &[""],
    image: Some("image"),
    env_map: Some("env"),
    ..EMPTY
};

/// Lambda in the stdlib: `image` and `environment`.
pub static LAMBDA: Vocab = Vocab {
    containers: &[""],
    image: Some("image"),
    env_map: Some("environment"),
    ..EMPTY
};

/// A function without an image (Cloud Functions): environment only.
pub static ENV_ONLY: Vocab = Vocab {
    containers: &[""],
    env_map: Some("env"),
    ..EMPTY
};

pub static CFN_LAMBDA: Vocab = Vocab {
    containers: &[""],
    image: Some("Code.ImageUri"),
    env_map: Some("Environment.Variables"),
    ..EMPTY
};

pub static TF_LAMBDA: Vocab = Vocab {
    containers: &[""],
    image: Some("image_uri"),
    env_map: Some("environment.variables"),
    ..EMPTY
};

/// Cloud Run v2 and Azure Container Apps in Terraform: a list of containers in `template`.
pub static TF_CLOUD_RUN: Vocab = Vocab {
    containers: &["containers"],
    name: Some("name"),
    image: Some("image"),
    env_list: Some(("env", "name", "value")),
    ..EMPTY
};

pub static TF_CONTAINER_APP: Vocab = Vocab {
    containers: &["container"],
    name: Some("name"),
    image: Some("image"),
    env_list: Some(("env", "name", "value")),
    ..EMPTY
};

const EMPTY: Vocab = Vocab {
    containers: &[],
    name: None,
    image: None,
    privileged: None,
    run_as_non_root: None,
    run_as_user: None,
    read_only_root: None,
    allow_privilege_escalation: None,
    capabilities_add: None,
    limits_cpu: None,
    limits_memory: None,
    liveness: None,
    env_list: None,
    env_map: None,
    pod_run_as_non_root: None,
    pod_run_as_user: None,
    host_network: None,
    host_pid: None,
    host_ipc: None,
    host_path: None,
};

/// Where a type keeps its pod spec, and in which vocabulary.
pub struct Pod {
    pub ty: &'static str,
    /// The pod spec's path; empty when it is the resource itself.
    pub spec: &'static str,
    pub v: &'static Vocab,
}

const fn pod(ty: &'static str, spec: &'static str, v: &'static Vocab) -> Pod {
    Pod { ty, spec, v }
}

/// Every type with containers the rules read.
#[rustfmt::skip]
pub static PODS: &[Pod] = &[
    pod("k8s.Deployment", "", &K8S),
    pod("k8s.StatefulSet", "", &K8S),
    pod("k8s.CronJob", "", &K8S),
    pod("aws.ecs.TaskDefinition", "", &ECS),
    pod("gcp.run.Service", "", &SINGLE),
    pod("azure.containerapp.App", "", &SINGLE),
    pod("aws.lambda.Function", "", &LAMBDA),
    pod("gcp.cloudfunctions.Function", "", &ENV_ONLY),
    pod("kube.core.v1.Pod", "spec", &KUBE),
    pod("kube.core.v1.ReplicationController", "spec.template.spec", &KUBE),
    pod("kube.apps.v1.Deployment", "spec.template.spec", &KUBE),
    pod("kube.apps.v1.StatefulSet", "spec.template.spec", &KUBE),
    pod("kube.apps.v1.DaemonSet", "spec.template.spec", &KUBE),
    pod("kube.apps.v1.ReplicaSet", "spec.template.spec", &KUBE),
    pod("kube.batch.v1.Job", "spec.template.spec", &KUBE),
    pod("kube.batch.v1.CronJob", "spec.jobTemplate.spec.template.spec", &KUBE),
    pod("tf.kubernetes_pod", "spec", &TF_KUBERNETES),
    pod("tf.kubernetes_pod_v1", "spec", &TF_KUBERNETES),
    pod("tf.kubernetes_deployment", "spec.template.spec", &TF_KUBERNETES),
    pod("tf.kubernetes_deployment_v1", "spec.template.spec", &TF_KUBERNETES),
    pod("tf.kubernetes_stateful_set", "spec.template.spec", &TF_KUBERNETES),
    pod("tf.kubernetes_stateful_set_v1", "spec.template.spec", &TF_KUBERNETES),
    pod("tf.kubernetes_daemonset", "spec.template.spec", &TF_KUBERNETES),
    pod("tf.kubernetes_daemon_set_v1", "spec.template.spec", &TF_KUBERNETES),
    pod("tf.kubernetes_replication_controller", "spec.template.spec", &TF_KUBERNETES),
    pod("tf.kubernetes_replication_controller_v1", "spec.template.spec", &TF_KUBERNETES),
    pod("tf.kubernetes_job", "spec.template.spec", &TF_KUBERNETES),
    pod("tf.kubernetes_job_v1", "spec.template.spec", &TF_KUBERNETES),
    pod("tf.kubernetes_cron_job", "spec.job_template.spec.template.spec", &TF_KUBERNETES),
    pod("tf.kubernetes_cron_job_v1", "spec.job_template.spec.template.spec", &TF_KUBERNETES),
    pod("cfn.AWS.ECS.TaskDefinition", "", &CFN_ECS),
    pod("cfn.AWS.Lambda.Function", "", &CFN_LAMBDA),
    pod("tf.aws_lambda_function", "", &TF_LAMBDA),
    pod("tf.google_cloud_run_v2_service", "template", &TF_CLOUD_RUN),
    pod("tf.azurerm_container_app", "template", &TF_CONTAINER_APP),
];

/// The pod shape of a type.
pub fn pod_of(ty: &str) -> Option<&'static Pod> {
    PODS.iter().find(|p| p.ty == ty)
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}.{b}"),
    }
}

/// The path of a container list of a pod shape (`spec.template.spec.containers[]`), or of the
/// resource itself (`""`).
fn list_path(p: &Pod, list: &str) -> String {
    if list.is_empty() {
        p.spec.to_string()
    } else {
        join(p.spec, &format!("{list}[]"))
    }
}

/// The reads of a rule that uses these container fields and pod fields: for every type whose
/// vocabulary has any of them, a row per field it has (per container list for container
/// fields). `key` names the rule (the rows are built once).
pub fn reads(key: &'static str, container: &[Field], pod: &[Field]) -> &'static [Read] {
    cached(key, || {
        let mut out = Vec::new();
        for p in PODS {
            for f in container.iter().filter_map(|f| f(p.v)) {
                for list in p.v.containers {
                    out.push(part(p.ty, intern(join(&list_path(p, list), f)), key));
                }
            }
            for f in pod.iter().filter_map(|f| f(p.v)) {
                out.push(part(p.ty, intern(join(p.spec, f)), key));
            }
        }
        out
    })
}

/// The read rows of rule `key`, built once by `build` and kept for the process.
fn cached(key: &'static str, build: impl FnOnce() -> Vec<Read>) -> &'static [Read] {
    type Cache = Mutex<BTreeMap<&'static str, &'static [Read]>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(r) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(key)
    {
        return r;
    }
    let out: &'static [Read] = Box::leak(build().into_boxed_slice());
    cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, out);
    out
}

/// The reads of a rule that uses one container field of the main containers (the first list
/// of the vocabulary: `containers`, not `initContainers`) of these types only.
pub fn reads_main(key: &'static str, types: &[&str], f: Field) -> &'static [Read] {
    cached(key, || {
        let mut out = Vec::new();
        for p in PODS.iter().filter(|p| types.contains(&p.ty)) {
            if let (Some(field), Some(list)) = (f(p.v), p.v.containers.first()) {
                out.push(part(p.ty, intern(join(&list_path(p, list), field)), key));
            }
        }
        out
    })
}

/// A container of a resource.
pub struct Container<'r> {
    pub r: &'r Resource,
    pub v: &'static Vocab,
    /// The container record; `None` when the resource is the container.
    rec: Option<&'r Value>,
    /// The pod spec record; `None` when the pod spec is the resource.
    spec: Option<&'r Value>,
    /// Where the container is (`spec.template.spec.containers[1]`, `containers[0]`); the pod
    /// spec's path (empty: the resource) when the resource is the container.
    pub path: String,
    /// Where the pod spec is (empty: the resource).
    spec_path: &'static str,
    pub name: String,
    /// One of the pod's main containers (its vocabulary's first list), not an init container.
    pub main: bool,
}

/// An environment variable of a container: its name, its value, and where it is (the list
/// element `env[2]` or the map entry `env.API_KEY`, for `Cx::span_at`).
pub struct EnvVar<'r> {
    pub name: String,
    pub value: &'r Value,
    pub path: String,
}

impl<'r> Container<'r> {
    /// A container field of the vocabulary.
    pub fn get(&self, f: Field) -> Option<&'r Value> {
        let path = f(self.v)?;
        match self.rec {
            Some(c) => value_in(c, path),
            None => values(self.r, path).into_iter().next(),
        }
    }
    /// A pod field of the vocabulary.
    pub fn pod(&self, f: Field) -> Option<&'r Value> {
        let path = f(self.v)?;
        match self.spec {
            Some(s) => value_in(s, path),
            None => values(self.r, path).into_iter().next(),
        }
    }
    /// Every value of a fanned pod field (`volumes[].hostPath.path`), with its path from the
    /// resource (for [`Cx::span_at`]).
    pub fn pod_located(&self, f: Field) -> Vec<(String, &'r Value)> {
        match f(self.v) {
            Some(path) => located(self.r, &join(self.spec_path, path)),
            None => Vec::new(),
        }
    }
    /// Whether the vocabulary has the field (the type can say it).
    pub fn can(&self, f: Field) -> bool {
        f(self.v).is_some()
    }
    /// `container web of x`, or `x` for a one-container resource.
    pub fn label(&self) -> String {
        if self.rec.is_some() {
            format!("container `{}` of `{}`", self.name, self.r.name)
        } else {
            format!("`{}`", self.r.name)
        }
    }
    /// The path of a container field in this container
    /// (`spec.template.spec.containers[1].securityContext.privileged`), or of the container
    /// when the vocabulary lacks the field.
    pub fn at(&self, f: Field) -> String {
        join(&self.path, f(self.v).unwrap_or(""))
    }
    /// The path of a pod field of this container's pod (`spec.hostNetwork`).
    pub fn pod_at(&self, f: Field) -> String {
        join(self.spec_path, f(self.v).unwrap_or(""))
    }
    /// Where a container field is written, else the deepest written part on its path (the
    /// container element, the property), as [`Cx::span_at`]; `origin` as there.
    pub fn span(&self, cx: &Cx<'_>, f: Field, origin: &[&str]) -> Span {
        cx.span_at(self.r, &self.at(f), origin)
    }
    /// Where a pod field is written, as [`Container::span`].
    pub fn pod_span(&self, cx: &Cx<'_>, f: Field) -> Span {
        cx.span_at(self.r, &self.pod_at(f), &[])
    }
    /// Every environment variable, whatever its value is (a reference, an interpolation, a
    /// literal; `NAME = { value = ... }` gives the inner value).
    pub fn env_values(&self) -> Vec<EnvVar<'r>> {
        let mut out = Vec::new();
        if let Some((list, k, v)) = self.v.env_list {
            for (path, item) in self.located(&format!("{list}[]")) {
                if let (Some(name), Some(value)) =
                    (value_in(item, k).and_then(Value::as_str), value_in(item, v))
                {
                    out.push(EnvVar {
                        name: name.to_string(),
                        value,
                        path,
                    });
                }
            }
        }
        if let Some(map) = self.v.env_map {
            let m = match self.rec {
                Some(c) => value_in(c, map),
                None => values(self.r, map).into_iter().next(),
            };
            if let Some(m) = m.and_then(Value::as_record) {
                let at = join(&self.path, map);
                for (name, val) in m {
                    out.push(EnvVar {
                        name: name.clone(),
                        value: value_in(val, "value").unwrap_or(val),
                        path: key(&at, name),
                    });
                }
            }
        }
        out
    }
    /// The environment variables written as literal strings: (variable, value).
    pub fn env(&self) -> Vec<(EnvVar<'r>, &'r str)> {
        self.env_values()
            .into_iter()
            .filter_map(|e| e.value.as_str().map(|s| (e, s)))
            .collect()
    }
    /// The values at `rel` (with fan-outs) below the container, with their concrete paths.
    fn located(&self, rel: &str) -> Vec<(String, &'r Value)> {
        match self.rec {
            Some(c) => {
                let mut out = Vec::new();
                located_in(c, &self.path, rel, &mut out);
                out
            }
            None => located(self.r, rel),
        }
    }
}

/// The values at `rel` (`env[]`, `a.b`) under `v`, which is at `at`, with their paths.
fn located_in<'v>(v: &'v Value, at: &str, rel: &str, out: &mut Vec<(String, &'v Value)>) {
    if rel.is_empty() {
        if !v.is_null() {
            out.push((at.to_string(), v));
        }
        return;
    }
    let (head, rest) = rel.split_once('.').unwrap_or((rel, ""));
    let i = head.find(['[', '{']).unwrap_or(head.len());
    let (name, fans) = head.split_at(i);
    let Some(x) = v.as_record().and_then(|m| m.get(name)) else {
        return;
    };
    let mut cur = vec![(join(at, name), x)];
    let mut f = fans;
    while !f.is_empty() {
        let mut next = Vec::new();
        for (p, x) in cur {
            if f.starts_with("[]") {
                for (i, e) in x.as_list().unwrap_or(&[]).iter().enumerate() {
                    next.push((index(&p, i), e));
                }
            } else if let Some(m) = x.as_record() {
                for (k, e) in m {
                    next.push((key(&p, k), e));
                }
            }
        }
        cur = next;
        f = &f[2.min(f.len())..];
    }
    for (p, x) in cur {
        located_in(x, &p, rest, out);
    }
}

/// The containers of a resource (none for a type without a pod shape).
pub fn containers(r: &Resource) -> Vec<Container<'_>> {
    let Some(p) = pod_of(&r.ty) else {
        return Vec::new();
    };
    let spec = if p.spec.is_empty() {
        None
    } else {
        match values(r, p.spec).into_iter().next() {
            Some(s) => Some(s),
            None => return Vec::new(),
        }
    };
    let mut out = Vec::new();
    for (n, list) in p.v.containers.iter().enumerate() {
        if list.is_empty() {
            out.push(Container {
                r,
                v: p.v,
                rec: None,
                spec,
                path: p.spec.to_string(),
                spec_path: p.spec,
                name: r.name.clone(),
                main: true,
            });
            continue;
        }
        for (i, (path, c)) in located(r, &list_path(p, list)).into_iter().enumerate() {
            if c.as_record().is_none() {
                continue;
            }
            let name =
                p.v.name
                    .and_then(|n| value_in(c, n))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("#{i}"));
            out.push(Container {
                r,
                v: p.v,
                rec: Some(c),
                spec,
                path,
                spec_path: p.spec,
                name,
                main: n == 0,
            });
        }
    }
    out
}

/// A user id that is root: `0`, `"0"` or `"root"` (ECS `User` is a string).
pub fn is_root_user(v: &Value) -> bool {
    v.as_i64() == Some(0)
        || v.as_str()
            .is_some_and(|s| matches!(s.split(':').next(), Some("0" | "root")))
}

/// A user id that is not root.
pub fn is_non_root_user(v: &Value) -> bool {
    v.as_i64().is_some_and(|i| i > 0)
        || v.as_str().is_some_and(|s| {
            s.split(':')
                .next()
                .and_then(|u| u.parse::<i64>().ok())
                .is_some_and(|i| i > 0)
        })
}
