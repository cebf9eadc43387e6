//! The diagnostics of the lowering stage (`strata explain L0001`).

use strata_base::{CodeDoc, Severity};

pub const NO_LOWERING: &str = "L0001";
pub const LOWERED_INVALID: &str = "L0002";
pub const CROSS_STACK: &str = "L0003";
pub const NO_MAPPING: &str = "L0004";
pub const MAPPING: &str = "L0005";
pub const DUPLICATE_NAME: &str = "L0006";
pub const NO_STACK: &str = "L0007";
pub const NOT_EMITTED: &str = "L0008";
pub const TARGET_CANNOT_HOLD: &str = "L0009";
pub const SECRET_AS_TEXT: &str = "L0010";
pub const UNKNOWN_GRANT: &str = "L0011";
pub const RETENTION: &str = "L0012";
pub const AMBIGUOUS_DEFAULT: &str = "L0013";
pub const STACK_SETTING: &str = "L0014";
pub const POD_IDENTITY: &str = "L0015";
pub const NOT_ON_PROVIDER: &str = "L0016";
pub const KEY_AGENTS_NOT_GRANTED: &str = "L0017";
pub const CONSUMER_GIVEN_TOPIC: &str = "L0018";
pub const REDIS_AUTH_BY_HAND: &str = "L0019";

/// The process holds more memory than its budget (strata_base::memory): reported once per
/// stack (identical diagnostics are merged) instead of the allocator aborting the process.
pub fn out_of_memory(at: strata_base::Span) -> strata_base::Diagnostic {
    strata_base::Diagnostic::error(
        "E2007",
        format!("the project needs more than {} MiB of memory to compile", strata_base::memory::budget() >> 20),
        at,
    )
    .with_label("too big to lower in one process")
    .with_help("split the project into several stacks compiled separately, or raise the budget with STRATA_MEMORY_LIMIT (bytes, or with a K/M/G suffix) on a machine with more memory")
}

pub fn codes() -> Vec<CodeDoc> {
    vec![
        CodeDoc {
            code: NO_LOWERING,
            name: "portable-type-not-available",
            severity: Severity::Error,
            doc: "## What it checks\nA portable resource (`portable.Postgres`, `portable.Queue`, ...) sits in a stack whose provider has no lowering for its type.\n\n## Why it matters\nPortable types become provider resources when compiled. Not every type exists on every provider: there is no managed object store in a Kubernetes cluster, for example.\n\n## Example\n```strata\nstack web { provider = kubernetes { namespace = \"web\" } }\nresource uploads: ObjectStore {}\n```\n\n## Fix\nPut the resource in a stack of a provider that offers it (the help line lists them), or use that provider's own types directly.\n",
        },
        CodeDoc {
            code: LOWERED_INVALID,
            name: "lowered-value-invalid",
            severity: Severity::Error,
            doc: "## What it checks\nThe provider resources a portable resource is lowered to are checked against the provider's schema. A value that the portable type accepts may still be out of range for one provider (GCP Pub/Sub allows 5 to 100 delivery attempts before dead-lettering; SQS allows 1 to 1000).\n\n## Why it matters\nThe deployment would be rejected by the cloud.\n\n## Example\n```strata\nstack g { provider = gcp { project = \"p\", region = \"europe-west1\" } }\nresource jobs: Queue { dead_letter = { max_receives = 2 } }\n```\n\n## Fix\nChange the value on the portable resource (the diagnostic points at it), or declare the provider resource directly.\n",
        },
        CodeDoc {
            code: CROSS_STACK,
            name: "cross-document-reference",
            severity: Severity::Error,
            doc: "## What it checks\nA resource, output or `depends_on` refers to a resource that is written to another deployment document: another stack, or another provider (a Kubernetes object referring to an AWS attribute).\n\n## Why it matters\nEach stack and target becomes its own document (a CloudFormation template, a Terraform root module, a manifest); a reference cannot cross from one to another.\n\n## Example\n```strata\nstack a { provider = aws { region = \"us-east-1\" } }\nstack b { provider = aws { region = \"eu-west-1\" } }\nresource key: aws.kms.Key { stack = a }\nresource bucket: aws.s3.Bucket { stack = b, encryption = key }\n```\n\n## Fix\nMove both resources into one stack, or pass the value as a literal. An SNS topic that delivers to an SQS queue of another stack: remove the subscription from the topic and subscribe the queue to the topic by ARN (`subscribe_to = [{ topic = \"arn:aws:sns:REGION:ACCOUNT:NAME\" }]` on the `aws.sqs.Queue`): the subscription and the queue policy admitting the topic are then both in the queue's stack (deploy the topic's stack first).\n",
        },
        CodeDoc {
            code: NO_MAPPING,
            name: "no-target-mapping",
            severity: Severity::Error,
            doc: "## What it checks\nA provider resource whose type has no mapping to one of the targets its provider is written to (AWS: CloudFormation and Terraform; GCP: Deployment Manager and Terraform; Azure: Terraform; Kubernetes: manifests).\n\n## Why it matters\nThe resource would be missing from that target's output.\n\n## Example\nA project schema `@provider = \"aws\" schema acme.Thing { ... }` without a lowering table.\n\n## Fix\nAdd `[[schema.\"TYPE\".TARGET]]` entries to a table under `stdlib/lower` (see `stdlib/README.md`), or choose targets with `--target`.\n",
        },
        CodeDoc {
            code: MAPPING,
            name: "lowering-table-error",
            severity: Severity::Error,
            doc: "## What it checks\nAn error inside the standard library's lowering tables: a template that fails to render or renders invalid JSON, an out that is not mapped, a reference to an entry that is not produced.\n\n## Why it matters\nThe output would be wrong; nothing is written.\n\n## Example\nNone in a correct standard library: the stdlib's tests render every mapping.\n\n## Fix\nReport it, with the program that triggers it.\n",
        },
        CodeDoc {
            code: DUPLICATE_NAME,
            name: "duplicate-target-name",
            severity: Severity::Error,
            doc: "## What it checks\nTwo resources whose names become the same name in a target (`a.b` and `a_b` are both `a_b` in Terraform, `AB` in CloudFormation).\n\n## Why it matters\nThe target document would define one name twice.\n\n## Example\n```strata\nresource a_b: aws.sqs.Queue {}\nmodule a: M {}   // declares resource b\n```\n\n## Fix\nRename one of them.\n",
        },
        CodeDoc {
            code: NO_STACK,
            name: "resource-without-stack",
            severity: Severity::Error,
            doc: "## What it checks\nA provider resource that belongs to no stack while the program has several.\n\n## Why it matters\nEvery document is written per stack; a resource without one would be dropped.\n\n## Example\nTwo `aws` stacks and a resource without `stack = ...`.\n\n## Fix\nAdd `stack = NAME` to the resource or its module instance.\n",
        },
        CodeDoc {
            code: NOT_EMITTED,
            name: "resource-not-emitted",
            severity: Severity::Warning,
            doc: "## What it checks\nA resource of a project schema that names no provider.\n\n## Why it matters\nIt is type-checked and takes part in policies, but no target receives it.\n\n## Example\n```strata\nschema acme.Note { text: string }\nresource n: acme.Note { text = \"hi\" }\n```\n\n## Fix\nAdd `@provider` to the schema and a lowering table, or remove the resource.\n",
        },
        CodeDoc {
            code: TARGET_CANNOT_HOLD,
            name: "target-cannot-hold-type",
            severity: Severity::Error,
            doc: "## What it checks\n`--target` (or `[compile] targets` in strata.toml) leaves out the one target a resource of the generated layer can be written to: `cfn.*` types only exist in CloudFormation, `tf.*` in Terraform, `kube.*` in Kubernetes manifests, `dm.*` in Deployment Manager. Or a curated resource sets something its lowering cannot write to one of the stack's targets (a `refuse` entry of the lowering tables): `kubernetes_accounts` of a `gcp.iam.ServiceAccount` (Workload Identity) in Deployment Manager, which has no binding type on a service account.\n\n## Why it matters\nThe resource (or the setting) would silently be missing from the output.\n\n## Example\n```strata\nimport cfn\nresource topic: cfn.AWS.SNS.Topic {}\n```\ncompiled with `--target terraform`.\n\n## Fix\nAdd the type's target to `--target`, or use a curated type (`aws.sns.Topic`, ...) or the other family's type (`tf.aws_sns_topic`).\n",
        },
        CodeDoc {
            code: SECRET_AS_TEXT,
            name: "secret-value-as-text",
            severity: Severity::Error,
            doc: "## What it checks\nA secret's `value` (`portable.Secret`) used anywhere but as the whole value of an environment variable of a portable `Service` lowered to AWS, GCP, Azure or Kubernetes, or of a portable `Function` lowered to GCP or Azure: inside a longer string, in another property, an output, or on a platform that cannot inject it (AWS Lambda: its environment is plain text in the function's configuration).\n\n## Why it matters\nThe platform injects a secret's value into a container at run time (ECS `secrets`/`valueFrom`, Cloud Run `secretKeyRef`, a Cloud Function's secret environment variable, an Azure Functions Key Vault reference, a Container Apps secret referencing the Key Vault secret and the variable's `secretRef`, a Kubernetes `secretKeyRef` to the Secret's `value` key); anywhere else the value would have to be written into the templates as text, where anyone who reads them (or the Terraform state) sees it.\n\n## Example\n```strata\nresource key: Secret {}\nresource api: Service { image = \"api:1\", env = { AUTH = \"Bearer ${key.value}\" } }\n```\n\n## Fix\nPass the value alone (`OPENAI_API_KEY = key.value`) and build the string in the application, or pass the secret's name (`key.name`) and read it with the cloud's SDK (the service is granted that).\n",
        },
        CodeDoc {
            code: UNKNOWN_GRANT,
            name: "unknown-grant",
            severity: Severity::Error,
            doc: "## What it checks\nA name in the `grants` of a portable `Service` or `Function` that is not a resource of the program.\n\n## Why it matters\n`grants` narrows (`read`, `write`, `none`) or adds the permissions a workload's references imply; a misspelled name would silently leave the implied permissions as they are.\n\n## Example\n```strata\nresource uploads: ObjectStore {}\nresource api: Service { image = \"api:1\", env = { BUCKET = uploads.name }, grants = { uplods = \"read\" } }\n```\n\n## Fix\nName the resource as it is declared (`grants = { uploads = \"read\" }`).\n",
        },
        CodeDoc {
            code: RETENTION,
            name: "retention-not-lowered",
            severity: Severity::Warning,
            doc: "## What it checks\nA resource's `on_delete` / `on_replace` that a target cannot honour: `\"snapshot\"` on a resource CloudFormation cannot snapshot (only databases, caches, Redshift clusters and EBS volumes: an error), or `\"retain\"`/`\"snapshot\"` on a resource written to Kubernetes manifests or Deployment Manager, which have no per-object deletion policy (a warning; nothing is written).\n\n## Why it matters\nThe object would be deleted although the program says to keep it.\n\n## Example\n```strata\nresource uploads: aws.s3.Bucket { on_delete = \"snapshot\" }\n```\n\n## Fix\nUse `\"retain\"` where a snapshot is not possible; on Kubernetes keep data in a PersistentVolume whose StorageClass has `reclaimPolicy: Retain`; delete a Deployment Manager deployment with `--delete-policy=ABANDON`, or compile the GCP stack to Terraform.\n",
        },
        CodeDoc {
            code: AMBIGUOUS_DEFAULT,
            name: "ambiguous-default-network",
            severity: Severity::Error,
            doc: "## What it checks\nA portable resource that needs a network (`Postgres`, `Cache`, a `Service` on AWS, a `Secret` or `ObjectStore` on Azure, ...) sets no `network`, and its stack declares more than one `portable.Network`.\n\n## Why it matters\nWith no `network`, a resource goes into the stack's one declared `Network`, or into a default network created with the stack when it declares none. With two or more, any choice could put a database in the network its services do not run in.\n\n## Example\n```strata\nresource blue: Network {}\nresource green: Network {}\nresource db: Postgres {}\n```\n\n## Fix\nSay which: `network = blue`.\n",
        },
        CodeDoc {
            code: STACK_SETTING,
            name: "stack-setting-missing",
            severity: Severity::Error,
            doc: "## What it checks\nA stack setting that some of the stack's resources need and the stack does not set: `tenant_id` of an Azure stack, which Entra ID authentication needs (a portable `Postgres`, a `Secret`'s Key Vault, a `Service` that uses the database). One finding per stack, naming every resource that needs the setting.\n\n## Why it matters\nThe resources cannot be written without it; reported on each resource it would look like a fault of the resource, which has no such property.\n\n## Example\n```strata\nstack shop { provider = azure { location = \"westeurope\" } }\nresource db: Postgres {}\n```\n\n## Fix\nSet it on the stack: `provider = azure { location = \"westeurope\", tenant_id = \"00000000-0000-0000-0000-000000000000\" }` (your Entra tenant's id, `az account show --query tenantId`).\n",
        },
        CodeDoc {
            code: POD_IDENTITY,
            name: "pods-without-cloud-identity",
            severity: Severity::Error,
            doc: "## What it checks\nA portable `Service` of a Kubernetes stack uses (references, or names in its `grants`) a resource of a cloud stack, and its pods cannot be given a cloud identity holding what that use implies: the Kubernetes stack names no `identity`, the resource is not in the stack of the identity's OIDC provider, EKS cluster or GKE cluster (where the role or Google service account is created), the AWS account the service account's annotation (IRSA) or a database user's ARN names is not known, the EKS cluster of `pod_identity` runs no `eks-pod-identity-agent` add-on or has a Fargate profile taking the namespace's pods (Pod Identity does not reach Fargate), or the GKE cluster has Workload Identity off.\n\n## Why it matters\nWithout an identity the pods get no permission at all (the application fails with access denied at run time), or someone writes a broad role by hand.\n\n## Example\n```strata\nstack cloud { provider = aws { region = \"us-east-1\" } }\nstack pods { provider = kubernetes { namespace = \"shop\" } }\nresource uploads: ObjectStore { stack = cloud }\nresource api: Service { stack = pods, image = \"api:1\", grants = { uploads = \"read\" } }\n```\n\n## Fix\nName the identity in the stack's settings: `provider = kubernetes { namespace = \"shop\", identity = pod_identity { cluster = cluster } }`, `cluster` being the `aws.eks.Cluster` in the stack of the resources, with an `aws.eks.Addon { cluster = cluster, addon_name = \"eks-pod-identity-agent\" }` (EKS Pod Identity, pods on nodes); or `identity = irsa { provider = oidc }`, `oidc` being the cluster's `aws.eks.OidcProvider` in the stack of the resources, whose `aws { accounts = [\"123456789012\"] }` names the account (or `irsa { provider = oidc, account = \"123456789012\" }`); on GKE `identity = gke { cluster = gke }`, the `gcp.container.Cluster` in the stack of the resources.\n",
        },
        CodeDoc {
            code: NOT_ON_PROVIDER,
            name: "not-lowered-on-this-cloud",
            severity: Severity::Info,
            doc: "## What it checks\nA portable resource asks for something its stack's cloud cannot give that type, and the lowering writes the resource without it: a customer-managed key (`encryption`, e.g. a `portable.Key`) on a `Secret`, a `Postgres` or a `Cache` lowered to Azure (Key Vault secrets take no customer key; Azure Cache for Redis takes one in its Enterprise tiers only; the flexible server's customer key is not lowered yet). The entries are `notice` rows of `stdlib/lower/portable/*.toml`.\n\n## Why it matters\nThe resource is encrypted with the provider's own keys on that cloud, while the same program uses the customer key on the others. It is information, not a fault: a program shared by several clouds cannot write it otherwise.\n\n## Example\n```strata\nstack s { provider = azure { location = \"westeurope\", tenant_id = \"7c1f3b52-9d4e-4a8b-b6e0-2f5d8a1c9e43\" } }\nresource key: Key {}\nresource sessions: Cache { encryption = key }\n```\n\n## Fix\nNothing to fix for a shared program. For a customer key on that cloud, declare the provider's own type (an `azure.postgres.FlexibleServer`, an Azure Managed Redis) instead of the portable one.\n",
        },
        CodeDoc {
            code: CONSUMER_GIVEN_TOPIC,
            name: "consumer-given-topic",
            severity: Severity::Warning,
            doc: "## What it checks\nA portable `Service` or `Function` in a GCP stack that only receives from a `Queue` (`grants = { jobs = \"read\" }`) and is given the queue's `url` in its `env`.\n\n## Why it matters\nOn GCP a `Queue` is a Pub/Sub topic with a pull subscription: `url` is the topic, where producers publish, and a topic cannot be pulled. The worker starts, and never receives a message. On AWS and Azure both addresses are the same queue, so the program looks right there.\n\n## Example\n```strata\nimport portable.{Queue, Service}\nstack g { provider = gcp { project = \"p\", region = \"europe-west1\" } }\nresource jobs: Queue {}\nresource worker: Service {\n  image  = \"ghcr.io/acme/worker:1.0.0\"\n  env    = { JOBS = jobs.url }\n  grants = { jobs = \"read\" }\n}\n```\n\n## Fix\nGive a consumer `receive_url` (the subscription on GCP, the queue URL elsewhere): `env = { JOBS = jobs.receive_url }`.\n",
        },
        CodeDoc {
            code: KEY_AGENTS_NOT_GRANTED,
            name: "key-agents-not-granted",
            severity: Severity::Info,
            doc: "## What it checks\nA `gcp.kms.CryptoKey` that Google services use (a bucket, topic, database, repository, secret, cache, cluster, ... names it as its customer-managed key) is written to Deployment Manager.\n\n## Why it matters\nEach such service encrypts with the key through its service agent (`service-PROJECT_NUMBER@gs-project-accounts.iam.gserviceaccount.com` for Cloud Storage, `@gcp-sa-pubsub` for Pub/Sub, ...), which needs `roles/cloudkms.cryptoKeyEncrypterDecrypter` on the key, or creating the resource fails. Terraform grants it (the key's `google_kms_crypto_key_iam_member`s, which the resources wait for); a Deployment Manager config cannot name the agent, whose e-mail holds the project number.\n\n## Example\n```strata\nstack g { provider = gcp { project = \"p\", region = \"europe-west1\" } }\nresource ring: gcp.kms.KeyRing {}\nresource key: gcp.kms.CryptoKey { key_ring = ring }\nresource data: gcp.storage.Bucket { encryption = key }\n```\n\n## Fix\nOnce per project, before the first deployment, run the commands of the help (`gcloud storage service-agent --authorize-cmek KEY` for Cloud Storage, `gcloud kms keys add-iam-policy-binding` for the others), or compile the stack to Terraform only.\n",
        },
        CodeDoc {
            code: REDIS_AUTH_BY_HAND,
            name: "redis-auth-by-hand",
            severity: Severity::Info,
            doc: "## What it checks\nA portable `Cache` with `auth` (the default) in a GCP stack written to Deployment Manager: its AUTH string goes into a Secret Manager secret of its own, which the Cloud Run services and Cloud Functions that reference the cache mount as `REDIS_PASSWORD`.\n\n## Why it matters\nThe Memorystore API returns the AUTH string from `getAuthString` only, never in the instance, so a Deployment Manager config cannot copy it into the secret: the secret has no version, and Cloud Run refuses a revision whose secret has none. Terraform writes the version itself (write-only, from the instance's `auth_string`).\n\n## Example\n```strata\nimport portable.{Cache, Service}\nstack g { provider = gcp { project = \"p\", region = \"europe-west1\" } }\nresource sessions: Cache {}\nresource api: Service { image = \"ghcr.io/acme/api:1\", env = { REDIS_URL = sessions.url } }\n```\n\n## Fix\nAfter the first deployment, run the command of the help (`gcloud redis instances get-auth-string ... | gcloud secrets versions add SECRET --data-file=-`) and deploy again; or compile the stack to Terraform only; or `auth = false` on the cache if its network is enough.\n",
        },
    ]
}
