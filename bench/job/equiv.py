#!/usr/bin/env python3
"""Write issue 17's job (bench/job/gen.py) in Pkl and KCL.

    bench/job/equiv.py RESOURCES OUTDIR      # writes OUTDIR/main.pkl and OUTDIR/main.k

The same configuration as the Strata program bench/job/gen.py writes: N = RESOURCES / 4
services, each an S3 bucket, an SQS queue, the security group of its database and an RDS
Postgres instance (Multi-AZ, a larger class and more storage in prod) with the role of its
Enhanced Monitoring (Strata's default), 100 services per stack.
Each program, evaluated with the environment (`pkl eval -p env=dev`, KCL option `env`),
renders one JSON object with a member per stack, `{"part_0": {template}, ...}`, whose templates
are those `strata compile DIR --target cloudformation` writes to
cloudformation/part_K.template.json: the same logical names, types, deletion policies and
properties (bench/compare/verify.py checks it before anything is timed).

Written the way a user of each language writes it, like the Strata program: typed definitions
of the four kinds with their defaults and value constraints, written once; the per-service
resources produced by a loop over the services of each stack (a comprehension in KCL, a `for`
generator in Pkl); properties that depend on the environment; the database referencing its
security group by name. As in gen.py, the generator writes only the list of stacks and the
number of services; the program is the same at every size.

What Strata does on top, which these programs do not: check every property against the
provider's schema, resolve references (a misspelt name here is a dangling `Fn::GetAtt`), build
the dependency graph, run the security, cost and deploy policies.
"""

import os
import sys

PER_STACK = 100

PKL = '''\
// bench/job/equiv.py: issue 17's job in Pkl (the Strata program is bench/job/gen.py's).
import "pkl:math"

const local env: "dev" | "staging" | "prod" = read?("prop:env") ?? "dev"
const local prod = env == "prod"
const local services: Int = %(services)d
const local perStack: Int = %(per_stack)d

typealias OnDelete = "retain" | "delete" | "snapshot"
typealias StorageClass = "STANDARD_IA" | "ONEZONE_IA" | "INTELLIGENT_TIERING" | "GLACIER" | "GLACIER_IR" | "DEEP_ARCHIVE"

const local function policy(p: OnDelete): String =
  if (p == "retain") "Retain" else if (p == "snapshot") "Snapshot" else "Delete"

/// One CloudFormation stack: services [first, last].
class Stack {
  name: String
  tags: Map<String, String>
}

abstract class Resource {
  hidden stack: Stack
  hidden tags: Map<String, String> = Map()
  hidden on_delete: OnDelete?
  Type: String
  DeletionPolicy: String? = if (on_delete != null) policy(on_delete!!) else null
  UpdateReplacePolicy: String? = DeletionPolicy
  Properties: Dynamic
  hidden tagList: Listing<Dynamic> = let (m = stack.tags + tags)
    new { for (k in m.keys.toList().sort()) { new Dynamic { Key = k; Value = m[k] } } }
}

class LifecycleRule {
  after: Int(isPositive)
  storage_class: StorageClass
}

class Bucket extends Resource {
  hidden versioning: Boolean = false
  hidden lifecycle: Listing<LifecycleRule> = new {}
  Type = "AWS::S3::Bucket"
  Properties = new {
    BucketEncryption {
      ServerSideEncryptionConfiguration { new { ServerSideEncryptionByDefault { SSEAlgorithm = "AES256" } } }
    }
    when (!lifecycle.isEmpty) {
      LifecycleConfiguration {
        Rules {
          for (i, r in lifecycle) {
            new {
              AbortIncompleteMultipartUpload { DaysAfterInitiation = 7 }
              Id = "rule-\\(i)"
              Status = "Enabled"
              Transitions { new { StorageClass = r.storage_class; TransitionInDays = r.after } }
            }
          }
        }
      }
    }
    OwnershipControls { Rules { new { ObjectOwnership = "BucketOwnerEnforced" } } }
    PublicAccessBlockConfiguration {
      BlockPublicAcls = true
      BlockPublicPolicy = true
      IgnorePublicAcls = true
      RestrictPublicBuckets = true
    }
    Tags = outer.tagList
    when (versioning) { VersioningConfiguration { Status = "Enabled" } }
  }
}

class Queue extends Resource {
  hidden retention: Int(isBetween(60, 1209600)) = 345600
  hidden visibility_timeout: Int(isBetween(0, 43200)) = 30
  Type = "AWS::SQS::Queue"
  Properties = new {
    DelaySeconds = 0
    MaximumMessageSize = 262144
    MessageRetentionPeriod = retention
    ReceiveMessageWaitTimeSeconds = 0
    SqsManagedSseEnabled = true
    Tags = outer.tagList
    VisibilityTimeout = visibility_timeout
  }
}

class SecurityGroup extends Resource {
  hidden description: String(length <= 255)
  Type = "AWS::EC2::SecurityGroup"
  Properties = new {
    GroupDescription = description
    Tags = outer.tagList
  }
}

class DBInstance extends Resource {
  hidden engine_version: String
  hidden instance_class: String(startsWith("db."))
  hidden allocated_storage: Int(isBetween(20, 65536))
  hidden multi_az: Boolean = false
  hidden security_groups: Listing<String> = new {}
  hidden monitoring_role: String
  Type = "AWS::RDS::DBInstance"
  Properties = new {
    AllocatedStorage = allocated_storage.toString()
    AutoMinorVersionUpgrade = true
    BackupRetentionPeriod = 7
    CopyTagsToSnapshot = true
    DBInstanceClass = instance_class
    DeletionProtection = true
    EnableIAMDatabaseAuthentication = true
    EnablePerformanceInsights = true
    Engine = "postgres"
    EngineVersion = engine_version
    ManageMasterUserPassword = true
    MasterUsername = "dbadmin"
    MonitoringInterval = 60
    MonitoringRoleArn = new Dynamic { ["Fn::GetAtt"] { monitoring_role; "Arn" } }
    MultiAZ = multi_az
    PerformanceInsightsRetentionPeriod = 7
    PubliclyAccessible = false
    StorageEncrypted = true
    StorageType = "gp3"
    Tags = outer.tagList
    VPCSecurityGroups { for (g in security_groups) { new Dynamic { ["Fn::GetAtt"] { g; "GroupId" } } } }
  }
}

/// The role RDS publishes an instance's Enhanced Monitoring metrics with (Strata's default).
class MonitoringRole extends Resource {
  Type = "AWS::IAM::Role"
  Properties = new {
    AssumeRolePolicyDocument {
      Statement { new { Action = "sts:AssumeRole"; Effect = "Allow"; Principal { Service = "monitoring.rds.amazonaws.com" } } }
      Version = "2012-10-17"
    }
    Description = "RDS publishes the instance's Enhanced Monitoring metrics to CloudWatch Logs"
    ManagedPolicyArns { "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" }
    Tags = outer.tagList
  }
}

class Template {
  hidden st: Stack
  hidden part: Int
  AWSTemplateFormatVersion = "2010-09-09"
  Description = "Strata stack `\\(st.name)` (environment `\\(env)`)"
  Resources: Mapping<String, Resource> = new {
    for (i in IntSeq(part * perStack, math.min((part + 1) * perStack, services) - 1)) {
      // Uploads of each service.
      ["Bucket\\(i)"] = new Bucket {
        stack = st
        versioning = true
        lifecycle { new { after = 90; storage_class = "GLACIER" } }
        tags = Map("service", "svc-\\(i)", "env", env)
        on_delete = if (prod) "retain" else "delete"
      }
      // Work queue of each service.
      ["Queue\\(i)"] = new Queue {
        stack = st
        retention = 4 * 86400
        visibility_timeout = if (prod) 300 else 30
        tags = Map("service", "svc-\\(i)", "env", env)
      }
      // The database's firewall.
      ["Firewall\\(i)"] = new SecurityGroup {
        stack = st
        description = "database of svc-\\(i)"
        tags = Map("service", "svc-\\(i)", "env", env)
      }
      // Each service's Postgres: Multi-AZ in prod.
      ["Db\\(i)"] = new DBInstance {
        stack = st
        engine_version = "16.9"
        instance_class = if (prod) "db.r6g.large" else "db.t4g.medium"
        allocated_storage = if (prod) 100 else 20
        multi_az = prod
        security_groups { "Firewall\\(i)" }
        monitoring_role = "Db\\(i)MonitoringRole"
        tags = Map("service", "svc-\\(i)", "env", env)
        on_delete = "snapshot"
      }
      ["Db\\(i)MonitoringRole"] = new MonitoringRole {
        stack = st
        tags = Map("service", "svc-\\(i)", "env", env)
        on_delete = "delete"
      }
    }
  }
}

// The stacks (the generator writes this list, as bench/job/gen.py writes the Strata stacks).
local stacks: Listing<Stack> = new {
%(pkl_stacks)s}

output {
  value = new Mapping {
    for (k, s in stacks) { [s.name] = new Template { st = s; part = k } }
  }
  renderer = new JsonRenderer {}
}
'''

PKL_STACK = '  new { name = "part_%(k)d"; tags = Map("project", "job", "part", "%(k)d") }\n'

KCL = '''\
# bench/job/equiv.py: issue 17's job in KCL (the Strata program is bench/job/gen.py's).
_env: "dev" | "staging" | "prod" = option("env") or "dev"
_prod = _env == "prod"
_services = %(services)d
_per_stack = %(per_stack)d

schema Stack:
    name: str
    tags: {str:str}

schema LifecycleRule:
    after: int
    storage_class: "STANDARD_IA" | "ONEZONE_IA" | "INTELLIGENT_TIERING" | "GLACIER" | "GLACIER_IR" | "DEEP_ARCHIVE"
    check:
        after > 0, "a transition happens after a positive number of days"

schema Resource:
    stack: Stack
    tags: {str:str} = {}
    on_delete?: "retain" | "delete" | "snapshot"

schema Bucket(Resource):
    versioning: bool = False
    lifecycle: [LifecycleRule] = []

schema Queue(Resource):
    retention: int = 345600
    visibility_timeout: int = 30
    check:
        60 <= retention <= 1209600, "retention must be 1 minute to 14 days"
        0 <= visibility_timeout <= 43200, "visibility_timeout must be at most 12 hours"

schema SecurityGroup(Resource):
    description: str
    check:
        len(description) <= 255, "a group description has at most 255 characters"

schema DBInstance(Resource):
    engine_version: str
    instance_class: str
    allocated_storage: int
    multi_az: bool = False
    security_groups: [str] = []
    monitoring_role: str
    check:
        instance_class.startswith("db."), "an RDS instance class starts with db."
        20 <= allocated_storage <= 65536, "allocated_storage must be 20 to 65536 GiB"

_policies = {retain = "Retain", delete = "Delete", snapshot = "Snapshot"}

_tag_list = lambda r: Resource -> [{str:str}] {
    _m = r.stack.tags | r.tags
    [{Key = k, Value = _m[k]} for k in sorted(_m)]
}
_resource = lambda r: Resource, t: str, p: {str:} -> {str:} {
    {
        Type = t
        if r.on_delete:
            DeletionPolicy = _policies[r.on_delete]
            UpdateReplacePolicy = _policies[r.on_delete]
        Properties = p
    }
}
_bucket = lambda b: Bucket -> {str:} {
    _resource(b, "AWS::S3::Bucket", {
        BucketEncryption.ServerSideEncryptionConfiguration = [{ServerSideEncryptionByDefault.SSEAlgorithm = "AES256"}]
        if b.lifecycle:
            LifecycleConfiguration.Rules = [{
                AbortIncompleteMultipartUpload.DaysAfterInitiation = 7
                Id = "rule-${i}"
                Status = "Enabled"
                Transitions = [{StorageClass = r.storage_class, TransitionInDays = r.after}]
            } for i, r in b.lifecycle]
        OwnershipControls.Rules = [{ObjectOwnership = "BucketOwnerEnforced"}]
        PublicAccessBlockConfiguration = {
            BlockPublicAcls = True
            BlockPublicPolicy = True
            IgnorePublicAcls = True
            RestrictPublicBuckets = True
        }
        Tags = _tag_list(b)
        if b.versioning:
            VersioningConfiguration.Status = "Enabled"
    })
}
_queue = lambda q: Queue -> {str:} {
    _resource(q, "AWS::SQS::Queue", {
        DelaySeconds = 0
        MaximumMessageSize = 262144
        MessageRetentionPeriod = q.retention
        ReceiveMessageWaitTimeSeconds = 0
        SqsManagedSseEnabled = True
        Tags = _tag_list(q)
        VisibilityTimeout = q.visibility_timeout
    })
}
_security_group = lambda g: SecurityGroup -> {str:} {
    _resource(g, "AWS::EC2::SecurityGroup", {GroupDescription = g.description, Tags = _tag_list(g)})
}
_db = lambda d: DBInstance -> {str:} {
    _resource(d, "AWS::RDS::DBInstance", {
        AllocatedStorage = str(d.allocated_storage)
        AutoMinorVersionUpgrade = True
        BackupRetentionPeriod = 7
        CopyTagsToSnapshot = True
        DBInstanceClass = d.instance_class
        DeletionProtection = True
        EnableIAMDatabaseAuthentication = True
        EnablePerformanceInsights = True
        Engine = "postgres"
        EngineVersion = d.engine_version
        ManageMasterUserPassword = True
        MasterUsername = "dbadmin"
        MonitoringInterval = 60
        MonitoringRoleArn = {"Fn::GetAtt" = [d.monitoring_role, "Arn"]}
        MultiAZ = d.multi_az
        PerformanceInsightsRetentionPeriod = 7
        PubliclyAccessible = False
        StorageEncrypted = True
        StorageType = "gp3"
        Tags = _tag_list(d)
        VPCSecurityGroups = [{"Fn::GetAtt" = [g, "GroupId"]} for g in d.security_groups]
    })
}
_monitoring_role = lambda r: Resource -> {str:} {
    _resource(r, "AWS::IAM::Role", {
        AssumeRolePolicyDocument = {
            Statement = [{Action = "sts:AssumeRole", Effect = "Allow", Principal.Service = "monitoring.rds.amazonaws.com"}]
            Version = "2012-10-17"
        }
        Description = "RDS publishes the instance's Enhanced Monitoring metrics to CloudWatch Logs"
        ManagedPolicyArns = ["arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"]
        Tags = _tag_list(r)
    })
}

# The resources of the services of one stack.
_template = lambda s: Stack, part: int -> {str:} {
    _ids = range(part * _per_stack, min((part + 1) * _per_stack, _services))
    _tags = lambda i: int -> {str:str} { {service = "svc-${i}", env = _env} }
    {
        AWSTemplateFormatVersion = "2010-09-09"
        Description = "Strata stack `${s.name}` (environment `${_env}`)"
        Resources = {
            # Uploads of each service.
            **{"Bucket${i}" = _bucket(Bucket {
                stack = s
                versioning = True
                lifecycle = [{after = 90, storage_class = "GLACIER"}]
                tags = _tags(i)
                on_delete = "retain" if _prod else "delete"
            }) for i in _ids}
            # Work queue of each service.
            **{"Queue${i}" = _queue(Queue {
                stack = s
                retention = 4 * 86400
                visibility_timeout = 300 if _prod else 30
                tags = _tags(i)
            }) for i in _ids}
            # The database's firewall.
            **{"Firewall${i}" = _security_group(SecurityGroup {
                stack = s
                description = "database of svc-${i}"
                tags = _tags(i)
            }) for i in _ids}
            # Each service's Postgres: Multi-AZ in prod.
            **{"Db${i}" = _db(DBInstance {
                stack = s
                engine_version = "16.9"
                instance_class = "db.r6g.large" if _prod else "db.t4g.medium"
                allocated_storage = 100 if _prod else 20
                multi_az = _prod
                security_groups = ["Firewall${i}"]
                monitoring_role = "Db${i}MonitoringRole"
                tags = _tags(i)
                on_delete = "snapshot"
            }) for i in _ids}
            # The role of each database's Enhanced Monitoring (Strata's default).
            **{"Db${i}MonitoringRole" = _monitoring_role(Resource {
                stack = s
                tags = _tags(i)
                on_delete = "delete"
            }) for i in _ids}
        }
    }
}

# The stacks (the generator writes this list, as bench/job/gen.py writes the Strata stacks).
%(kcl_stacks)s'''

KCL_STACK = 'part_%(k)d = _template(Stack {name = "part_%(k)d", tags = {project = "job", part = "%(k)d"}}, %(k)d)\n'


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    resources, out = int(sys.argv[1]), sys.argv[2]
    if resources % 4:
        sys.exit("RESOURCES must be a multiple of 4")
    services = resources // 4
    parts = range((services + PER_STACK - 1) // PER_STACK)
    os.makedirs(out, exist_ok=True)
    v = {
        "services": services,
        "per_stack": PER_STACK,
        "pkl_stacks": "".join(PKL_STACK % {"k": k} for k in parts),
        "kcl_stacks": "".join(KCL_STACK % {"k": k} for k in parts),
    }
    with open(os.path.join(out, "main.pkl"), "w") as f:
        f.write(PKL % v)
    with open(os.path.join(out, "main.k"), "w") as f:
        f.write(KCL % v)


if __name__ == "__main__":
    main()
