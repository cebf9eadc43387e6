#!/usr/bin/env python3
"""Write the Strata program of issue 17's benchmark job.

    bench/job/gen.py RESOURCES OUTDIR        # RESOURCES = 4 x services (400, 4000, 40000)

N services, each an S3 bucket, an SQS queue, an RDS Postgres instance (Multi-AZ in prod) and
the security group of the instance: 4N resources, rendered to CloudFormation. Written the way
a user would write it: one `resource NAME[i in range(services)]` per kind, services bucketed
into stacks of 100 (400 resources; a CloudFormation template holds at most 500) with integer
division, `on_delete` on the stateful resources. The generator only writes the stack
declarations (one per 100 services) and the parameter's default; the program is the same at
every size. Clean under every policy (strata.toml turns off the two bucket findings the job
does not address: customer-managed keys and access logs).
"""

import sys

PER_STACK = 100  # services per stack: 400 resources per template

PROGRAM = """\
import aws

/// Which environment to deploy.
param env: "dev" | "staging" | "prod" = "dev"
/// How many services.
param services: int({services}..{services}) = {services}

let prod = env == "prod"
let per_stack = {per_stack}

{stacks}
/// Uploads of each service.
resource bucket[i in range(services)]: aws.s3.Bucket {{
  stack = "part_${{i ~/ per_stack}}"
  versioning = true
  lifecycle = [{{ after = 90d, storage_class = "GLACIER" }}]
  tags = {{ service = "svc-${{i}}", env = env }}
  on_delete = prod ? "retain" : "delete"
}}

/// Work queue of each service.
resource queue[i in range(services)]: aws.sqs.Queue {{
  stack = "part_${{i ~/ per_stack}}"
  retention = 4d
  visibility_timeout = prod ? 5min : 30s
  tags = {{ service = "svc-${{i}}", env = env }}
}}

/// The database's firewall.
resource firewall[i in range(services)]: aws.ec2.SecurityGroup {{
  stack = "part_${{i ~/ per_stack}}"
  description = "database of svc-${{i}}"
  tags = {{ service = "svc-${{i}}", env = env }}
}}

/// Each service's Postgres: Multi-AZ in prod.
resource db[i in range(services)]: aws.rds.DBInstance {{
  stack = "part_${{i ~/ per_stack}}"
  engine_version = "16.9"
  instance_class = prod ? "db.r6g.large" : "db.t4g.medium"
  allocated_storage = prod ? 100 GiB : 20 GiB
  multi_az = prod
  security_groups = [firewall[i]]
  tags = {{ service = "svc-${{i}}", env = env }}
  on_delete = "snapshot"
}}
"""

STACK = """\
stack part_{k} {{
  provider = aws {{ region = "us-east-1" }}
  tags = {{ project = "job", part = "{k}" }}
}}
"""

TOML = """\
# The job's buckets use S3-managed keys and write no access logs.
[rules]
SEC002 = "off"
SEC004 = "off"
"""


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    resources, out = int(sys.argv[1]), sys.argv[2]
    if resources % 4:
        sys.exit("RESOURCES must be a multiple of 4")
    services = resources // 4
    stacks = "\n".join(STACK.format(k=k) for k in range((services + PER_STACK - 1) // PER_STACK))
    import os

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "main.strata"), "w") as f:
        f.write(PROGRAM.format(services=services, per_stack=PER_STACK, stacks=stacks))
    with open(os.path.join(out, "strata.toml"), "w") as f:
        f.write(TOML)


if __name__ == "__main__":
    main()
