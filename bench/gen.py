#!/usr/bin/env python3
"""Write a synthetic Strata project of N resources, for benchmarks.

    bench/gen.py N OUTDIR [--per-file 1000] [--seed 1]
    bench/gen.py --lines 500 OUTDIR            # about that many lines instead of N resources
    bench/gen.py N OUTDIR --mix                # AWS, GCP and Kubernetes stacks: all four targets

The project looks like a real one: AWS stacks of at most `--stack-size` resources (400; a
CloudFormation template holds at most 500), parameters for three environments, and groups
of resources of several stdlib types (KMS keys, S3 buckets, SQS queues with dead-letter queues,
log groups) of six to eight lines each, whose properties reference earlier resources (so the
graph has edges within and across files) and differ by environment. Output is deterministic for a
given seed. With `--mix`, each group also has Pub/Sub topics and subscriptions and a Cloud
Storage bucket in a GCP stack and two ConfigMaps in a Kubernetes stack, so
`strata compile` writes CloudFormation, Deployment Manager, Terraform and Kubernetes manifests
(half the resources AWS, three in ten GCP, two in ten Kubernetes). Resources are split over files of `--per-file` resources each (one namespace).
"""

import argparse
import os
import random
import sys

HEADER = """\
import aws

/// Which environment to deploy.
param env: "dev" | "staging" | "prod" = "dev"

let prod = env == "prod"
let retention = prod ? 365d : 90d
"""

# One AWS stack: CloudFormation takes at most 500 resources per template (Strata reports X0007
# beyond), so the AWS resources are split into stacks of `--stack-size`, each with its own
# access-log bucket and key; references stay within a stack.
AWS_STACK = """\
stack bench_{k} {{
  provider = aws {{ region = "us-east-1" }}
  budget   = prod ? 200000 USD/month : 20000 USD/month
  tags     = {{ project = "bench", env = env, part = "{k}" }}
}}

/// Receives the access logs of the other buckets of stack {k}.
resource access_logs_{k}: aws.s3.Bucket {{
  stack      = bench_{k}
  encryption = logs_key_{k}
  lifecycle  = [{{ expire_after = 90d }}]
}}

resource logs_key_{k}: aws.kms.Key {{
  stack       = bench_{k}
  description = "access logs of stack {k}"
}}
"""

# One group of resources; `{i}` is the group number, `{key}`/`{dlq}` name resources of this
# group or of an earlier one (cross-file references when the project spans several files).
GROUP = [
    (
        "key",
        """\
/// Encryption key of group {i}.
resource key_{i}: aws.kms.Key {{
  stack          = {stack}
  description    = "group {i} data (${{env}})"
  rotation       = true
  pending_window = prod ? 30d : 7d
  tags           = {{ group = "g{i}", tier = "data" }}
}}
""",
    ),
    (
        "bucket",
        """\
/// Uploads of group {i}.
resource bucket_{i}: aws.s3.Bucket {{
  stack      = {stack}
  versioning = true
  encryption = key_{i}
  logging    = {{ bucket = {logs}, prefix = "bucket-{i}/" }}
  lifecycle  = [{{ after = 90d, storage_class = "GLACIER" }}]
  tags       = {{ group = "g{i}" }}
}}
""",
    ),
    (
        "dlq",
        """\
/// Dead letters of group {i}.
resource dlq_{i}: aws.sqs.Queue {{
  stack      = {stack}
  encryption = {key}
  retention  = 14d
  tags       = {{ group = "g{i}", tier = "dead-letter" }}
}}
""",
    ),
    (
        "queue",
        """\
/// Work queue of group {i}.
resource queue_{i}: aws.sqs.Queue {{
  stack              = {stack}
  encryption         = {key}
  visibility_timeout = prod ? 5min : 30s
  dead_letter        = {{ queue = {dlq}, max_receives = 5 }}
  tags               = {{ group = "g{i}" }}
}}
""",
    ),
    (
        "logs",
        """\
/// Logs of group {i}.
resource logs_{i}: aws.logs.LogGroup {{
  stack      = {stack}
  retention  = retention
  encryption = {key}
  tags       = {{ group = "g{i}", queue = "queue-{i}" }}
}}
""",
    ),
]

MIX_HEADER = HEADER.replace("import aws\n", "import aws\nimport gcp\nimport k8s\n") + """
stack bench_gcp {
  provider = gcp { project = "bench-${env}", region = "europe-west1" }
  tags     = { project = "bench", env = env }
}

stack bench_k8s {
  provider = kubernetes { namespace = "bench" }
  tags     = { project = "bench", env = env }
}

resource bench_ns: k8s.Namespace {
  stack = bench_k8s
  name  = "bench"
}

/// Nothing in the namespace takes traffic.
resource bench_deny: k8s.NetworkPolicy {
  stack     = bench_k8s
  name      = "default-deny"
  namespace = "bench"
}

resource gcp_keys: gcp.kms.KeyRing {
  stack     = bench_gcp
  ring_name = "bench-${env}"
}

resource gcp_key: gcp.kms.CryptoKey {
  stack           = bench_gcp
  key_ring        = gcp_keys
  key_name        = "data"
  rotation_period = 90d
}

/// Receives the access logs of every other Cloud Storage bucket.
resource gcp_access_logs: gcp.storage.Bucket {
  stack       = bench_gcp
  bucket_name = "bench-${env}-access-logs"
  versioning  = true
  encryption  = gcp_key
  lifecycle   = [{ action = "Delete", age = 90d }]
}
"""

# The GCP and Kubernetes resources of a group (`--mix`).
MIX_GROUP = [
    (
        "topic",
        """\
/// Events of group {i}.
resource topic_{i}: gcp.pubsub.Topic {{
  stack      = bench_gcp
  encryption = gcp_key
  retention  = prod ? 7d : 1d
  tags       = {{ group = "g{i}" }}
}}
""",
    ),
    (
        "subscription",
        """\
/// Consumers of group {i}'s events.
resource subscription_{i}: gcp.pubsub.Subscription {{
  stack        = bench_gcp
  topic        = topic_{i}
  ack_deadline = 60s
  dead_letter  = {{ topic = {topic}, max_attempts = 5 }}
  tags         = {{ group = "g{i}" }}
}}
""",
    ),
    (
        "gcs",
        """\
/// Exports of group {i}.
resource exports_{i}: gcp.storage.Bucket {{
  stack       = bench_gcp
  bucket_name = "bench-${{env}}-exports-{i}"
  versioning  = true
  encryption  = gcp_key
  logging     = {{ bucket = gcp_access_logs, prefix = "exports-{i}" }}
  lifecycle   = [{{ action = "Delete", age = 365d }}]
}}
""",
    ),
    (
        "config",
        """\
/// Settings of group {i}'s workers.
resource config_{i}: k8s.ConfigMap {{
  stack     = bench_k8s
  name      = "group-{i}"
  namespace = "bench"
  data      = {{ GROUP = "g{i}", QUEUE = "queue-{i}", LOG_LEVEL = prod ? "info" : "debug" }}
}}
""",
    ),
    (
        "flags",
        """\
/// Feature flags of group {i}.
resource flags_{i}: k8s.ConfigMap {{
  stack     = bench_k8s
  name      = "group-{i}-flags"
  namespace = "bench"
  labels    = {{ group = "g{i}" }}
  data      = {{ NEW_PARSER = prod ? "off" : "on" }}
}}
""",
    ),
]

TOML = """\
[env.dev]
[env.staging]
[env.prod]

[cost]
object_storage_gib = 50
"""


def generate(n, out, per_file, seed, mix=False, stack_size=400):
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.endswith(".strata"):
            os.remove(os.path.join(out, f))
    with open(os.path.join(out, "strata.toml"), "w") as f:
        f.write(TOML)
    files = []
    header = MIX_HEADER if mix else HEADER
    group_templates = GROUP + MIX_GROUP if mix else GROUP
    groups_per_stack = max(1, stack_size // len(GROUP))
    current = [header]
    count = 0
    group = 0
    lines = header.count("\n")
    while count < n:
        k, first = group // groups_per_stack, group - group % groups_per_stack
        if group == first:
            text = AWS_STACK.format(k=k)
            current.append(text)
            lines += text.count("\n") + 1

        # References: mostly this group, sometimes an earlier one of the same stack (cross-file
        # edges when the project spans several files).
        def pick(i):
            return i if i == first or rng.random() < 0.7 else rng.randrange(first, i)

        names = {"i": group, "stack": f"bench_{k}", "logs": f"access_logs_{k}", "key": f"key_{pick(group)}", "dlq": f"dlq_{pick(group)}"}
        if mix:
            names["topic"] = f"topic_{pick(group)}"
        for _, template in group_templates:
            if count >= n:
                break
            text = template.format(**names)
            current.append(text)
            lines += text.count("\n") + 1
            count += 1
            if count % per_file == 0:
                files.append(current)
                current = []
        group += 1
    if current:
        files.append(current)
    for idx, parts in enumerate(files):
        name = "main.strata" if idx == 0 else f"part_{idx:04d}.strata"
        with open(os.path.join(out, name), "w") as f:
            f.write("\n".join(parts))
    return count, lines, len(files)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, help="number of resources")
    ap.add_argument("out", help="output directory (its .strata files are replaced)")
    ap.add_argument("--lines", type=int, help="generate about this many lines instead of N resources")
    ap.add_argument("--per-file", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mix", action="store_true", help="AWS, GCP and Kubernetes stacks (all four targets)")
    ap.add_argument("--stack-size", type=int, default=400, help="AWS resources per stack (CloudFormation allows 500 per template)")
    a = ap.parse_args()
    if a.lines is not None:
        group_templates = GROUP + MIX_GROUP if a.mix else GROUP
        header = (MIX_HEADER if a.mix else HEADER).count("\n")
        per_resource = sum(t.count("\n") + 1 for _, t in group_templates) / len(group_templates)
        n = max(1, round((a.lines - header) / per_resource))
    elif a.n is not None:
        n = a.n
    else:
        ap.error("give N or --lines")
    # Whole groups only, so that every reference resolves.
    size = len(GROUP) + (len(MIX_GROUP) if a.mix else 0)
    n = max(size, n - n % size)
    count, lines, files = generate(n, a.out, a.per_file, a.seed, a.mix, a.stack_size)
    print(f"{a.out}: {count} resources, {lines} lines, {files} files", file=sys.stderr)


if __name__ == "__main__":
    main()
