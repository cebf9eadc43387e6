//! Pricing of each resource type: which table, which property gives the size or count.

use super::prices::{Found, Prices};
use super::{CostItem, UsageAssumptions};
use crate::facts::Facts;
use strata_model::{Model, Resource, Value};

pub(crate) struct Pcx<'a> {
    pub model: &'a Model,
    pub facts: &'a Facts,
    pub usage: &'a UsageAssumptions,
    pub prices: &'a Prices,
    pub r: &'a Resource,
    pub items: Vec<CostItem>,
    pub notes: Vec<String>,
}

impl<'a> Pcx<'a> {
    fn provider(&self) -> &'static str {
        let t = &self.r.ty;
        if t.starts_with("aws.") {
            "aws"
        } else if t.starts_with("gcp.") {
            "gcp"
        } else if t.starts_with("azure.") {
            "azure"
        } else {
            ""
        }
    }
    fn region(&self) -> Option<&'a str> {
        self.facts.region(self.r.id)
    }
    fn str(&self, name: &str) -> Option<&'a str> {
        self.r.prop(name).and_then(Value::as_str)
    }
    fn num(&self, name: &str) -> Option<f64> {
        self.r.prop(name).and_then(Value::as_f64)
    }
    fn flag(&self, name: &str) -> bool {
        self.r.prop(name).is_some_and(Value::is_true)
    }
    /// A size property in GiB (quantities are stored in bytes; plain numbers are taken as GiB).
    fn gib(&self, name: &str) -> Option<f64> {
        match self.r.prop(name)? {
            Value::Quantity(q) => q.bytes().map(|b| b / 1073741824.0),
            v => v.as_f64(),
        }
    }
    fn hours(&self) -> f64 {
        self.usage
            .for_resource(&self.r.name, "hours")
            .unwrap_or(self.usage.hours_per_month)
    }
    fn usage(&self, key: &str, default: f64) -> f64 {
        self.usage
            .for_resource(&self.r.name, key)
            .unwrap_or(default)
    }
    fn lookup(&self, table: &str, item: &str) -> Option<Found<'a>> {
        self.prices.get(self.provider(), table, self.region(), item)
    }
    /// Add `quantity × price(table, item)`; a note when there is no price.
    fn add(&mut self, what: impl Into<String>, table: &str, item: &str, quantity: f64) -> bool {
        let what = what.into();
        match self.lookup(table, item) {
            Some(f) => {
                let mut source = f.table.source.clone();
                if f.fallback {
                    source = format!(
                        "{source} ({} price: none listed for {})",
                        f.region,
                        self.region().unwrap_or("?")
                    );
                }
                self.items.push(CostItem {
                    what,
                    quantity,
                    unit: f.table.unit.clone(),
                    unit_price: f.price,
                    monthly: quantity * f.price,
                    source,
                });
                true
            }
            None => {
                self.notes.push(format!("no {} price for `{item}`", table));
                false
            }
        }
    }
}

impl<'a> Pcx<'a> {
    /// The first of these properties that holds a string.
    fn str_of(&self, names: &[&str]) -> Option<&'a str> {
        names.iter().find_map(|n| self.str(n))
    }
    /// The first of these properties that holds a number.
    fn num_of(&self, names: &[&str]) -> Option<f64> {
        names.iter().find_map(|n| self.num(n))
    }
    /// The first of these properties that holds a size, in GiB.
    fn gib_of(&self, names: &[&str]) -> Option<f64> {
        names.iter().find_map(|n| self.gib(n))
    }
    /// The props of the resource a property references (`task_definition = td`).
    fn referenced(&self, name: &str) -> Option<&'a Resource> {
        let r = self.r.prop(name)?.as_ref()?;
        self.model.resources.get(r.resource.0 as usize)
    }
    fn hourly(&mut self, what: impl Into<String>, table: &str, item: &str, count: f64) -> bool {
        let h = self.hours();
        self.add(what, table, item, h * count)
    }
    /// The provider a portable resource will be lowered to (its stack's).
    fn stack_provider(&self) -> &'static str {
        match self.model.stack_of(self.r).map(|s| s.provider) {
            Some(strata_model::Provider::Gcp) => "gcp",
            Some(strata_model::Provider::Azure) => "azure",
            Some(strata_model::Provider::Aws) => "aws",
            _ => "",
        }
    }
    fn lookup_in(&self, provider: &str, table: &str, item: &str) -> Option<Found<'a>> {
        self.prices.get(provider, table, self.region(), item)
    }
    fn add_in(
        &mut self,
        provider: &str,
        what: impl Into<String>,
        table: &str,
        item: &str,
        quantity: f64,
    ) -> bool {
        let what = what.into();
        match self.lookup_in(provider, table, item) {
            Some(f) => {
                let mut source = f.table.source.clone();
                if f.fallback {
                    source = format!(
                        "{source} ({} price: none listed for {})",
                        f.region,
                        self.region().unwrap_or("?")
                    );
                }
                self.items.push(CostItem {
                    what,
                    quantity,
                    unit: f.table.unit.clone(),
                    unit_price: f.price,
                    monthly: quantity * f.price,
                    source,
                });
                true
            }
            None => {
                self.notes
                    .push(format!("no {provider} {table} price for `{item}`"));
                false
            }
        }
    }
}

/// vCPUs and memory (GB) of a Cloud SQL tier.
fn cloudsql_shape(tier: &str) -> Option<(f64, f64)> {
    if let Some(rest) = tier.strip_prefix("db-custom-") {
        let mut it = rest.split('-');
        let cpu: f64 = it.next()?.parse().ok()?;
        let mib: f64 = it.next()?.parse().ok()?;
        return Some((cpu, mib / 1024.0));
    }
    if let Some(n) = tier.strip_prefix("db-n1-standard-") {
        let n: f64 = n.parse().ok()?;
        return Some((n, n * 3.75));
    }
    if let Some(n) = tier.strip_prefix("db-n1-highmem-") {
        let n: f64 = n.parse().ok()?;
        return Some((n, n * 6.5));
    }
    None
}

/// ECS/Fargate CPU: `256` CPU units or `0.25` vCPU.
fn vcpus_of(v: f64) -> f64 {
    if v >= 64.0 {
        v / 1024.0
    } else {
        v
    }
}

/// Memory in GB: a size quantity, or a number of MiB (ECS task definitions).
fn memory_gb(v: &Value) -> Option<f64> {
    match v {
        Value::Quantity(q) => q.bytes().map(|b| b / 1073741824.0),
        v => v.as_f64().map(|m| if m > 64.0 { m / 1024.0 } else { m }),
    }
}

/// Price one resource into `cx.items` (nothing for free or usage-only resources).
pub(crate) fn price(cx: &mut Pcx<'_>) {
    let ty = cx.r.ty.clone();
    match ty.as_str() {
        // ---- AWS
        "aws.ec2.Instance" => {
            if let Some(t) = cx.str_of(&["instance_type", "type", "class"]) {
                cx.hourly(format!("instance {t}"), "ec2", t, 1.0);
            }
            if let Some(g) = cx.gib_of(&["root_volume_size", "volume_size", "disk_size"]) {
                cx.add("root volume gp3", "ebs", "gp3", g);
            }
        }
        "aws.rds.DBInstance" => rds(cx),
        "aws.elasticache.ReplicationGroup"
        | "aws.elasticache.CacheCluster"
        | "aws.elasticache.Cluster" => {
            let Some(t) = cx.str_of(&["node_type", "class"]) else {
                return;
            };
            let nodes = if ty.ends_with("ReplicationGroup") {
                match (cx.num("num_node_groups"), cx.num("replicas_per_node_group")) {
                    (Some(shards), Some(rep)) => shards * (1.0 + rep),
                    // `replicas` counts the replicas besides the primary.
                    _ => cx
                        .num("replicas")
                        .map(|r| r + 1.0)
                        .or_else(|| cx.num_of(&["num_cache_clusters", "nodes"]))
                        .unwrap_or(1.0),
                }
            } else {
                cx.num_of(&["num_cache_nodes", "nodes"]).unwrap_or(1.0)
            };
            cx.hourly(format!("{nodes} × node {t}"), "elasticache", t, nodes);
        }
        "aws.ec2.NatGateway" => {
            cx.hourly("NAT gateway", "network", "nat_gateway", 1.0);
            let gib = cx.usage("nat_gib", cx.usage.nat_gib);
            if gib > 0.0 {
                cx.add(
                    "NAT data processed (assumed)",
                    "network_data",
                    "nat_gateway",
                    gib,
                );
            }
        }
        "aws.ec2.Eip" | "aws.ec2.EIP" | "aws.ec2.ElasticIp" => {
            cx.hourly("public IPv4 address", "network", "public_ipv4", 1.0);
        }
        "aws.elbv2.LoadBalancer" | "aws.lb.LoadBalancer" | "aws.elb.LoadBalancer" => {
            let kind = cx
                .str_of(&["type", "load_balancer_type"])
                .unwrap_or("application")
                .to_ascii_lowercase();
            cx.hourly(format!("{kind} load balancer"), "elb", &kind, 1.0);
        }
        "aws.eks.Cluster" => {
            cx.hourly("EKS control plane", "eks", "cluster", 1.0);
        }
        "aws.eks.NodeGroup" | "aws.eks.Nodegroup" => {
            let t =
                cx.r.prop("instance_types")
                    .and_then(|v| v.as_list())
                    .and_then(|l| l.first())
                    .and_then(Value::as_str)
                    .or_else(|| cx.str_of(&["instance_type"]));
            let n = cx
                .num_of(&["desired_size", "desired", "min_size"])
                .or_else(|| {
                    cx.r.prop("scaling")
                        .and_then(|s| s.get_path("desired"))
                        .and_then(Value::as_f64)
                })
                .unwrap_or(1.0);
            if let Some(t) = t {
                cx.hourly(format!("{n} × instance {t}"), "ec2", t, n);
            }
        }
        "aws.ecs.Service" => {
            let launch = cx.str_of(&["launch_type"]).unwrap_or("FARGATE");
            if !launch.eq_ignore_ascii_case("FARGATE") {
                cx.notes
                    .push("EC2 launch type: priced through its instances".into());
                return;
            }
            let count = cx
                .num_of(&["desired_count", "replicas", "count"])
                .unwrap_or(1.0);
            let td = cx.referenced("task_definition");
            let cpu = cx.num("cpu").or_else(|| {
                td.and_then(|t| t.prop("cpu")).and_then(|v| {
                    v.as_f64()
                        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                })
            });
            let mem = cx.r.prop("memory").and_then(memory_gb).or_else(|| {
                td.and_then(|t| t.prop("memory")).and_then(|v| {
                    memory_gb(v).or_else(|| {
                        v.as_str()
                            .and_then(|s| s.parse::<f64>().ok())
                            .map(|m| m / 1024.0)
                    })
                })
            });
            fargate(cx, count, cpu.map(vcpus_of), mem);
        }
        "aws.s3.Bucket" => {
            let gib = cx.usage("storage_gib", cx.usage.object_storage_gib);
            if gib > 0.0 {
                cx.add("storage STANDARD (assumed)", "s3", "STANDARD", gib);
            }
        }
        "aws.ec2.Volume" | "aws.ebs.Volume" => {
            let t = cx
                .str_of(&["type", "volume_type"])
                .unwrap_or("gp3")
                .to_string();
            if let Some(g) = cx.gib_of(&["size", "storage"]) {
                cx.add(format!("volume {t}"), "ebs", &t, g);
            }
        }
        "aws.kms.Key" => {
            cx.add("customer managed key", "kms", "key", 1.0);
        }
        "aws.route53.HostedZone" | "aws.route53.Zone" => {
            cx.add("hosted zone", "route53", "hosted_zone", 1.0);
        }
        "aws.wafv2.WebACL" => {
            cx.add("web ACL", "waf", "web_acl", 1.0);
            let rules = ["rules", "managed_rules"]
                .iter()
                .filter_map(|p| cx.r.prop(p).and_then(Value::as_list))
                .map(|l| l.len())
                .sum::<usize>();
            if rules > 0 {
                cx.add(format!("{rules} rule(s)"), "waf", "rule", rules as f64);
            }
        }
        "aws.secretsmanager.Secret" => {
            cx.add("secret", "secretsmanager", "secret", 1.0);
        }
        "aws.cloudwatch.Alarm" | "aws.cloudwatch.MetricAlarm" => {
            cx.add("alarm", "cloudwatch", "alarm", 1.0);
        }
        // ---- GCP
        "gcp.compute.Instance" => {
            if let Some(t) = cx.str_of(&["machine_type"]) {
                cx.hourly(format!("VM {t}"), "compute", t, 1.0);
            }
        }
        "gcp.sql.DatabaseInstance" => cloudsql(cx, "gcp"),
        "gcp.redis.Instance" => memorystore(cx, "gcp"),
        "gcp.run.Service" => cloudrun(cx, "gcp"),
        "gcp.container.Cluster" => {
            cx.hourly("GKE cluster management", "gke", "cluster", 1.0);
        }
        "gcp.container.NodePool" => {
            let t = cx.str_of(&["machine_type"]).or_else(|| {
                cx.r.prop("node_config")
                    .and_then(|c| c.get_path("machine_type"))
                    .and_then(Value::as_str)
            });
            let n = cx
                .num_of(&["node_count", "initial_node_count", "min_node_count"])
                .unwrap_or(1.0);
            if let Some(t) = t {
                cx.hourly(format!("{n} × VM {t}"), "compute", t, n);
            }
        }
        "gcp.storage.Bucket" => {
            let gib = cx.usage("storage_gib", cx.usage.object_storage_gib);
            if gib > 0.0 {
                let class = cx
                    .str_of(&["storage_class"])
                    .unwrap_or("STANDARD")
                    .to_string();
                cx.add(format!("storage {class} (assumed)"), "gcs", &class, gib);
            }
        }
        "gcp.compute.GlobalForwardingRule" | "gcp.compute.ForwardingRule" => {
            cx.hourly("forwarding rule", "load_balancing", "forwarding_rule", 1.0);
        }
        "gcp.compute.RouterNat" => {
            let gib = cx.usage("nat_gib", cx.usage.nat_gib);
            if gib > 0.0 {
                cx.add(
                    "NAT data processed (assumed)",
                    "nat_data",
                    "nat_gateway",
                    gib,
                );
            }
        }
        "gcp.kms.CryptoKey" => {
            cx.add("key version", "kms", "key_version", 1.0);
        }
        "gcp.secretmanager.Secret" => {
            cx.add("secret version", "secretmanager", "secret_version", 1.0);
        }
        "gcp.dns.ManagedZone" => {
            cx.add("managed zone", "dns", "managed_zone", 1.0);
        }
        "gcp.compute.SecurityPolicy" => {
            cx.add("Cloud Armor policy", "armor", "policy", 1.0);
            let rules =
                cx.r.prop("rules")
                    .and_then(Value::as_list)
                    .map_or(0, |l| l.len());
            if rules > 0 {
                cx.add(format!("{rules} rule(s)"), "armor", "rule", rules as f64);
            }
        }
        // ---- Azure
        "azure.compute.VirtualMachine" | "azure.compute.LinuxVirtualMachine" => {
            if let Some(t) = cx.str_of(&["size", "vm_size"]) {
                cx.hourly(format!("VM {t}"), "vm", t, 1.0);
            }
        }
        "azure.redis.Cache" => {
            let sku = cx
                .str_of(&["sku", "sku_name"])
                .unwrap_or("Basic")
                .to_string();
            let family = cx.str_of(&["family"]).unwrap_or("C").to_string();
            let capacity = cx.num_of(&["capacity"]).unwrap_or(0.0);
            let item = format!("{sku}_{family}{capacity}");
            cx.hourly(format!("cache {item}"), "redis", &item, 1.0);
        }
        "azure.storage.Account" => {
            let gib = cx.usage("storage_gib", cx.usage.object_storage_gib);
            if gib > 0.0 {
                cx.add("blob storage Hot (assumed)", "blob", "Hot", gib);
            }
        }
        "azure.containerservice.KubernetesCluster" | "azure.aks.Cluster" => {
            let tier = cx
                .str_of(&["sku_tier", "tier"])
                .unwrap_or("free")
                .to_ascii_lowercase();
            if tier != "free" {
                cx.hourly("AKS cluster management", "aks", &tier, 1.0);
            }
        }
        // ---- Portable types not (yet) lowered: priced as the stack's provider would run them.
        "portable.Postgres" | "portable.MySQL" | "portable.Database" => match cx.stack_provider() {
            "gcp" => cloudsql(cx, "gcp"),
            "aws" => rds(cx),
            _ => {}
        },
        "portable.Cache" | "portable.Redis" => match cx.stack_provider() {
            "gcp" => memorystore(cx, "gcp"),
            "aws" => {
                if let Some(t) = cx.str_of(&["class", "node_type"]) {
                    let n = cx.num_of(&["replicas", "nodes"]).unwrap_or(1.0);
                    cx.hourly(format!("{n} × node {t}"), "elasticache", t, n);
                }
            }
            _ => {}
        },
        "portable.Service" => match cx.stack_provider() {
            "gcp" => cloudrun(cx, "gcp"),
            "aws" => {
                let count = cx.num_of(&["replicas", "min_replicas"]).unwrap_or(1.0);
                let cpu = cx.num("cpu");
                let mem = cx.r.prop("memory").and_then(memory_gb);
                fargate(cx, count, cpu, mem);
            }
            _ => {}
        },
        "portable.ObjectStore" | "portable.Bucket" => {
            let gib = cx.usage("storage_gib", cx.usage.object_storage_gib);
            if gib > 0.0 {
                match cx.stack_provider() {
                    "gcp" => {
                        cx.add_in("gcp", "storage STANDARD (assumed)", "gcs", "STANDARD", gib);
                    }
                    "aws" => {
                        cx.add_in("aws", "storage STANDARD (assumed)", "s3", "STANDARD", gib);
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn fargate(cx: &mut Pcx<'_>, count: f64, cpu: Option<f64>, mem: Option<f64>) {
    let cpu = cpu.unwrap_or_else(|| {
        cx.notes.push("CPU not set: assumed 0.25 vCPU".into());
        0.25
    });
    let mem = mem.unwrap_or_else(|| {
        cx.notes.push("memory not set: assumed 0.5 GB".into());
        0.5
    });
    let h = cx.hours();
    if cx.add_in(
        "aws",
        format!("Fargate {count} × {cpu} vCPU"),
        "fargate",
        "vcpu",
        count * cpu * h,
    ) {
        relabel(cx, "vCPU-hour");
    }
    if cx.add_in(
        "aws",
        format!("Fargate {count} × {mem} GB"),
        "fargate",
        "memory_gb",
        count * mem * h,
    ) {
        relabel(cx, "GB-hour");
    }
}

/// Set the unit of the item just added (tables priced per vCPU or GB carry `hour`).
fn relabel(cx: &mut Pcx<'_>, unit: &str) {
    if let Some(last) = cx.items.last_mut() {
        last.unit = unit.to_string();
    }
}

fn rds(cx: &mut Pcx<'_>) {
    let Some(class) = cx.str_of(&["instance_class", "class"]) else {
        cx.notes.push("no instance class".into());
        return;
    };
    let engine = cx
        .str_of(&["engine"])
        .unwrap_or(if cx.r.ty.contains("MySQL") {
            "mysql"
        } else {
            "postgres"
        })
        .to_ascii_lowercase();
    let table = if engine.contains("mysql") || engine.contains("mariadb") {
        "rds_mysql"
    } else {
        "rds_postgres"
    };
    let az = if cx.flag("multi_az") || cx.flag("high_availability") {
        2.0
    } else {
        1.0
    };
    let label = if az > 1.0 {
        format!("instance {class} (Multi-AZ: ×2)")
    } else {
        format!("instance {class}")
    };
    let h = cx.hours();
    cx.add_in("aws", label, table, class, h * az);
    if let Some(g) = cx.gib_of(&["allocated_storage", "storage", "storage_size"]) {
        let st = cx.str_of(&["storage_type"]).unwrap_or("gp3").to_string();
        cx.add_in(
            "aws",
            format!(
                "storage {st}{}",
                if az > 1.0 { " (Multi-AZ: ×2)" } else { "" }
            ),
            "rds_storage",
            &st,
            g * az,
        );
    }
    let replicas = cx.num_of(&["read_replicas", "replicas"]).unwrap_or(0.0);
    if replicas > 0.0 {
        cx.add_in(
            "aws",
            format!("{replicas} read replica(s) {class}"),
            table,
            class,
            h * replicas,
        );
    }
}

fn cloudsql(cx: &mut Pcx<'_>, p: &str) {
    let Some(tier) = cx.str_of(&["tier", "class"]) else {
        cx.notes.push("no tier".into());
        return;
    };
    let ha = cx
        .str_of(&["availability_type"])
        .is_some_and(|a| a.eq_ignore_ascii_case("REGIONAL"))
        || cx.flag("high_availability")
        || cx.flag("multi_az");
    let m = if ha { 2.0 } else { 1.0 };
    let suffix = if ha { " (HA: ×2)" } else { "" };
    let h = cx.hours();
    if let Some((cpu, mem)) = cloudsql_shape(tier) {
        if cx.add_in(
            p,
            format!("{tier}: {cpu} vCPU{suffix}"),
            "cloudsql",
            "vcpu",
            cpu * h * m,
        ) {
            relabel(cx, "vCPU-hour");
        }
        if cx.add_in(
            p,
            format!("{tier}: {mem} GB memory{suffix}"),
            "cloudsql",
            "memory_gb",
            mem * h * m,
        ) {
            relabel(cx, "GB-hour");
        }
    } else {
        cx.add_in(
            p,
            format!("instance {tier}{suffix}"),
            "cloudsql",
            tier,
            h * m,
        );
    }
    if let Some(g) = cx.gib_of(&["disk_size", "storage", "disk_size_gb"]) {
        let dt = cx.str_of(&["disk_type"]).unwrap_or("PD_SSD").to_string();
        cx.add_in(
            p,
            format!("storage {dt}{suffix}"),
            "cloudsql_storage",
            &dt,
            g * m,
        );
    }
}

fn memorystore(cx: &mut Pcx<'_>, p: &str) {
    let tier = cx.str_of(&["tier"]).unwrap_or("BASIC").to_ascii_uppercase();
    let tier = if tier.starts_with("STANDARD") {
        "STANDARD_HA"
    } else {
        "BASIC"
    };
    let Some(gb) = cx.gib_of(&["memory_size_gb", "memory", "memory_size", "capacity"]) else {
        cx.notes.push("no memory size".into());
        return;
    };
    let band = if gb <= 4.0 {
        "M1"
    } else if gb <= 10.0 {
        "M2"
    } else {
        "M3+"
    };
    let h = cx.hours();
    cx.add_in(
        p,
        format!("{tier} {gb} GB ({band})"),
        "memorystore",
        &format!("{tier}_{band}"),
        gb * h,
    );
}

fn cloudrun(cx: &mut Pcx<'_>, p: &str) {
    let min = cx
        .num_of(&["min_instances", "min_replicas", "replicas"])
        .or_else(|| {
            cx.r.prop("scaling")
                .and_then(|s| s.get_path("min"))
                .and_then(Value::as_f64)
        })
        .unwrap_or(0.0);
    if min <= 0.0 {
        cx.notes
            .push("scales to zero: billed per request (usage-based)".into());
        return;
    }
    let cpu = cx.num_of(&["cpu"]).unwrap_or(1.0);
    let mem = cx.r.prop("memory").and_then(memory_gb).unwrap_or(0.5);
    let secs = cx.hours() * 3600.0;
    if cx.add_in(
        p,
        format!("{min} always-on instance(s) × {cpu} vCPU"),
        "cloudrun",
        "vcpu",
        min * cpu * secs,
    ) {
        relabel(cx, "vCPU-second");
    }
    if cx.add_in(
        p,
        format!("{min} always-on instance(s) × {mem} GiB"),
        "cloudrun",
        "memory_gib",
        min * mem * secs,
    ) {
        relabel(cx, "GiB-second");
    }
}
