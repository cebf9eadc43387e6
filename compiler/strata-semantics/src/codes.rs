//! Documentation of the codes semantics reports (`strata explain CODE`).

use strata_base::{CodeDoc, Severity};

macro_rules! code {
    ($code:literal, $name:literal, $what:literal, $why:literal, $example:literal, $fix:literal) => {
        CodeDoc {
            code: $code,
            name: $name,
            severity: Severity::Error,
            doc: concat!(
                "## What it checks\n",
                $what,
                "\n\n## Why it matters\n",
                $why,
                "\n\n## Example\n```strata\n",
                $example,
                "\n```\n\n## Fix\n",
                $fix,
                "\n"
            ),
        }
    };
}

pub(crate) fn codes() -> Vec<CodeDoc> {
    vec![
        CodeDoc {
            code: "E2014",
            name: "untyped-resource",
            severity: Severity::Info,
            doc: "## What it checks\nA resource of one of the untyped forms (`cfn.Untyped`, `tf.Untyped`, `kube.Untyped`, `dm.Untyped`): the target's type is named in a property and the body is written as given.\n\n## Why it matters\nNothing checks its properties: a misspelled property reaches the target, which rejects it at deploy time (or ignores it).\n\n## Example\n```strata\nimport cfn\nresource seed: cfn.Untyped {\n  Type = \"Custom::DatabaseSeed\"\n  Properties = { ServiceToken = \"arn:aws:lambda:us-east-1:123456789012:function:seed\" }\n}\n```\n\n## Fix\nUse a generated type where one exists (`strata schema list`); for Kubernetes custom resources, list the CRD files in strata.toml so their kinds are typed.\n",
        },
        code!("E1001", "unknown-name", "A name that is not declared in scope: no `let`, `param`, `resource`, module instance, loop variable or import of that name.",
            "The program cannot be evaluated; usually a typo.", "let a = prdo   // `prod` was meant", "Fix the spelling (the help line suggests the closest name) or declare the name."),
        code!("E1002", "duplicate-name", "Two declarations with one name in one scope, a property set twice, or a schema declared twice.",
            "Which of the two is meant would be a guess.", "resource db: Postgres { }\nresource db: Postgres { }", "Rename or remove one of them."),
        code!("E1003", "unknown-type", "A type or resource type that does not exist or is not imported.",
            "Resources are checked against their schema; without one nothing can be checked or emitted.",
            "resource b: aws.s3.Buckt { }", "Fix the name (see the suggestion) or add the missing `import aws`."),
        code!("E1004", "unknown-import", "An `import` of a stdlib package, or of a name inside one, that does not exist.",
            "The names it should bring into scope would be missing.", "import portable.{Postgress}", "Use a package among aws, gcp, azure, k8s, portable and a name it offers."),
        code!("E1005", "import-failed", "An import of a project file or directory that is missing, unreadable, empty, or outside the project directory.",
            "A project must be self-contained: a build on another machine sees only the project.", "import \"../shared/net\" as net", "Point the import at a path inside the project, relative to the importing file."),
        code!("E1006", "import-cycle", "Modules that import each other, directly or through others.",
            "Evaluation order between them is undefined.", "// a.strata: import \"./b\" as b\n// b.strata: import \"./a\" as a", "Move what both need into a third module."),
        code!("E1007", "evaluation-cycle", "A value that depends on itself: lets referring to each other, a recursive type, a module instantiating itself, or a resource reading its own properties.",
            "The value has no defined result.", "let a = b + 1\nlet b = a + 1", "Break the chain; to wire resources together use references to output attributes, which become graph edges."),
        code!("E1008", "not-a-module", "A module instance whose type is not a module.",
            "Only modules can be instantiated with `module name: M { ... }`.", "module web: Postgres { }", "Instantiate a `module` declaration, or declare a resource with `resource`."),
        code!("E1009", "resource-in-import", "A resource, stack, param, output or module instance at the top level of an imported file.",
            "Imported files provide declarations; what they would deploy is not part of the project and would silently be lost.",
            "// modules/net.strata, imported:\nresource vpc: aws.ec2.Vpc { cidr = 10.0.0.0/16 }",
            "Wrap the resources in a `module` and instantiate it from the project."),
        code!("E1010", "existing-not-available", "`existing resource` names a type that cannot be referred to as an existing resource: not a type of the generated layer (`cfn.*`, `tf.*`, `kube.*`, `dm.*`), or a Terraform type without a data source of the same name.",
            "An existing resource is only looked up or named, never created; Strata needs the schema of what identifies it (a Terraform data source, a CloudFormation primary identifier, a Kubernetes or Google resource name).",
            "import tf\nexisting resource logs: tf.aws_s3_bucket_policy { bucket = \"acme-logs\" }",
            "Refer to the resource through a type that has a data source (`tf.aws_s3_bucket`), or write its identifier as a literal string where it is used."),
        code!("E2001", "unknown-property", "A property that the resource's schema (or the record type, or the module) does not declare.",
            "A misspelled property would otherwise be silently ignored and the default used: `versoning = true` would leave versioning off.",
            "resource b: ObjectStore { versoning = true }", "Use the property the help line suggests."),
        code!("E2002", "type-mismatch", "A value of the wrong type: a string where a bool is expected, a reference to the wrong kind of resource, an operator applied to incompatible values.",
            "The cloud would reject it at deploy time, or worse, interpret it differently.", "resource k: aws.kms.Key { rotation = \"yes\" }", "Write a value of the expected type (shown in the message)."),
        code!("E2003", "unit-mismatch", "A quantity of the wrong dimension, or a plain number where a quantity is expected.",
            "Units make sizes, durations and money unambiguous: `30` could be days, seconds or gigabytes.", "resource q: Queue { retention = 30 GiB }", "Write the quantity with a unit of the right dimension, e.g. `4d`."),
        code!("E2004", "missing-property", "A required property (no default, not optional) that is not set, or a module argument that is not given.",
            "The resource cannot be created without it.", "resource s: Service { }   // `image` is required", "Set the property."),
        code!("E2005", "value-not-allowed", "A value outside the allowed set or range, or a string not matching the required pattern or length.",
            "Providers reject such values at deploy time; catching them here saves a failed deploy.", "resource d: Postgres { version = \"9\" }", "Use one of the allowed values listed in the help line."),
        code!("E2006", "param-without-value", "A parameter with neither a default nor a value from the environment (`strata.toml`).",
            "The program cannot be evaluated without it.", "param region: string", "Give it a default or set it under `[env.NAME.params]` in strata.toml."),
        code!("E2007", "invalid-operation", "An operation that fails on its values: index out of range, division by zero, overflow, a built-in function given bad arguments, duplicate keys.",
            "The value is undefined.", "let x = [1, 2][5]", "Fix the operands (the message says which)."),
        code!("E2008", "unknown-function", "A call to a function that is not built in.",
            "Strata has a small, fixed set of functions (see docs/language.md).", "let n = len(xs)", "Use the suggested built-in (here `length`)."),
        code!("E2009", "output-assigned", "Setting an `out` attribute of a schema, which the cloud assigns.",
            "It cannot be chosen; the assignment would be ignored.", "resource b: aws.s3.Bucket { arn = \"x\" }", "Remove the line; read the attribute elsewhere as `b.arn`."),
        code!("E2010", "stack-invalid", "A stack without a valid provider, a `backend` that is not one of the Terraform backends (`s3`, `gcs`, `azurerm`, `remote`), or a portable resource that belongs to no stack (or to an ambiguous one).",
            "Portable resources are lowered to the stack's provider: without one Strata cannot tell which cloud to build. A backend Terraform does not know would only fail at `terraform init`.",
            "stack main { budget = 100 USD/month }\nstack shop {\n  provider = aws { region = \"us-east-1\" }\n  backend  = s4 { bucket = \"acme-tfstate\", key = \"shop.tfstate\", region = \"us-east-1\" }\n}", "Add `provider = aws { region = \"us-east-1\" }` (or gcp/azure/kubernetes), or `stack = NAME` on the resource; name a backend Strata knows (`backend = s3 { ... }`, see docs/language.md, \"Terraform state\")."),
        code!("E2011", "invalid-cidr", "A CIDR block that is not an address with a valid prefix length.", "Networks with invalid ranges cannot be created.",
            "resource v: aws.ec2.Vpc { cidr = 10.0.0.0/33 }", "Write e.g. `10.0.0.0/16`."),
        code!("E2012", "invalid-environment", "`--env` given without an `env` parameter, an environment value the parameter does not allow, or strata.toml setting an undeclared parameter.",
            "The environment decides what is built; a wrong one must not silently fall back to the default.",
            "param env: \"dev\" | \"prod\" = \"dev\"\n// strata check --env production", "Use an allowed environment name or declare the parameter."),
        code!("E2013", "unknown-attribute", "Reading a field that a record, module instance or resource does not have.",
            "The reference would be dangling.", "output url = api.endpoint   // Service has `url`", "Use an attribute the resource declares (`out` fields and properties)."),
    ]
}
