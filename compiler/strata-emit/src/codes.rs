//! The diagnostics of the emit stage (`X0001`..). All are errors: an emitter that cannot write
//! a program faithfully writes nothing.

use strata_base::{CodeDoc, Severity};

pub(crate) const DM_LITERAL_REF: &str = "X0001";
pub(crate) const NON_FINITE: &str = "X0002";
pub(crate) const DUPLICATE: &str = "X0003";
pub(crate) const UNKNOWN_REF: &str = "X0004";
pub(crate) const INVALID_NAME: &str = "X0005";
pub(crate) const UNSUPPORTED: &str = "X0006";
pub(crate) const TEMPLATE_QUOTA: &str = "X0007";

/// Every code this crate can report, with its documentation (`strata explain X0001`).
pub fn codes() -> Vec<CodeDoc> {
    vec![
        CodeDoc {
            code: DM_LITERAL_REF,
            name: "dm-literal-reference",
            severity: Severity::Error,
            doc: "## What it checks\n\
A string written to a Deployment Manager config contains the text `$(ref.`.\n\n\
## Why it matters\n\
Deployment Manager expands `$(ref.NAME.FIELD)` anywhere in a property string and has no escape \
for it, so the text would be replaced by another resource's field (or rejected) instead of \
being kept as written.\n\n\
## Example\n\
```\nresource startup: gcp.compute.Instance { metadata = { script = \"echo $(ref.x.y)\" } }\n```\n\n\
## Fix\n\
Change the text (for example `$( ref.`), or pass it through a file or a base64-encoded value.",
        },
        CodeDoc {
            code: NON_FINITE,
            name: "non-finite-number",
            severity: Severity::Error,
            doc: "## What it checks\n\
A number is NaN or infinite.\n\n\
## Why it matters\n\
JSON, HCL, CloudFormation and Deployment Manager have no way to write it; writing `null` or a \
string instead would change the value.\n\n\
## Example\n\
```\nlet ratio = 1.0 / 0.0\n```\n\n\
## Fix\n\
Compute a finite value, or leave the property unset.",
        },
        CodeDoc {
            code: DUPLICATE,
            name: "duplicate-name",
            severity: Severity::Error,
            doc: "## What it checks\n\
Two resources, parameters or outputs of one target document have the same name, or two \
programs would write the same file.\n\n\
## Why it matters\n\
Templates are keyed by name: one of them would silently replace the other.\n\n\
## Example\n\
```\nresource db: Postgres {}\nmodule other { resource db: Postgres {} }   // both lowered to `Db`\n```\n\n\
## Fix\n\
Rename one of them.",
        },
        CodeDoc {
            code: UNKNOWN_REF,
            name: "unknown-reference",
            severity: Severity::Error,
            doc: "## What it checks\n\
A reference or an explicit dependency names a resource or parameter that the target document \
does not define.\n\n\
## Why it matters\n\
The deployment tool would reject the file (`Unresolved resource dependencies`, `Reference to \
undeclared resource`), or resolve the name to something else.\n\n\
## Example\n\
```\nresource api: Service { env = { DB = db.url } }   // `db` lowered for another target only\n```\n\n\
## Fix\n\
Make sure the referenced resource exists for the same target and stack.",
        },
        CodeDoc {
            code: INVALID_NAME,
            name: "invalid-target-name",
            severity: Severity::Error,
            doc: "## What it checks\n\
A name cannot be written in the target format: a CloudFormation logical id that is not \
alphanumeric, a Terraform resource, variable or argument name that is not an identifier, a \
Deployment Manager name that cannot appear in `$(ref.NAME.FIELD)`, a stack name that is not a \
safe file name, or a Terraform type constraint that is not one.\n\n\
## Why it matters\n\
The tools reject such names, or the reference syntax would break.\n\n\
## Example\n\
```\nstack \"my stack\" { ... }\n```\n\n\
## Fix\n\
Use letters, digits and `_`/`-` as the target allows.",
        },
        CodeDoc {
            code: UNSUPPORTED,
            name: "unsupported-in-target",
            severity: Severity::Error,
            doc: "## What it checks\n\
A value uses something the target format has no way to express: a reference without a field \
in Deployment Manager, a reference to another object's attribute in a Kubernetes manifest, or \
a parameter without a default value in a format that has no parameters (Deployment Manager \
configs, Kubernetes manifests).\n\n\
## Why it matters\n\
Writing it anyway would produce a file that means something else.\n\n\
## Example\n\
```\nparam image: String            // no default\nresource web: k8s.Deployment { ... image = image ... }\n```\n\n\
## Fix\n\
Give the parameter a default (or a value for the environment), or refer to a field the \
target can express.",
        },
        CodeDoc {
            code: TEMPLATE_QUOTA,
            name: "template-over-quota",
            severity: Severity::Error,
            doc: "## What it checks\n\
A CloudFormation template would exceed a quota of the service: more than 500 resources, 200 \
parameters or 200 outputs, or more than 1,000,000 bytes (the limit for a template uploaded \
through S3). Portable types count with everything they are lowered to.\n\n\
## Why it matters\n\
CloudFormation rejects the whole template when the stack is created (cfn-lint reports it as \
E3010 and friends): the compile would look fine and the deploy would fail.\n\n\
## Example\n\
```\nstack app { provider = aws { region = \"eu-west-1\" } }\nresource queues[i in range(600)]: aws.sqs.Queue {}\n```\n\n\
## Fix\n\
Split the stack: declare another `stack` with the same provider and give some resources \
`stack = NAME`. Each stack becomes its own template; pass values between them by name or \
through outputs.",
        },
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_unique_documented_and_kebab_case() {
        let codes = super::codes();
        let mut seen = std::collections::BTreeSet::new();
        for c in &codes {
            assert!(seen.insert(c.code), "{} twice", c.code);
            assert!(c.code.starts_with('X') && c.code.len() == 5, "{}", c.code);
            assert!(
                c.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                c.name
            );
            for section in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## Fix",
            ] {
                assert!(c.doc.contains(section), "{} lacks {section}", c.code);
            }
        }
        assert_eq!(codes.len(), 7);
    }
}
