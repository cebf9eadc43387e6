//! The driver's own diagnostic codes (`E4xxx`: project and I/O) and their documentation.

use strata_base::{CodeDoc, Severity};

pub const PATH_NOT_FOUND: &str = "E4001";
pub const UNREADABLE: &str = "E4002";
pub const FILE_TOO_LARGE: &str = "E4003";
pub const INVALID_UTF8: &str = "E4004";
pub const BAD_CONFIG: &str = "E4005";
pub const NO_SOURCES: &str = "E4008";
pub const WRITE_FAILED: &str = "E4009";
pub const TARGET_UNUSED: &str = "E4011";

const E4001: &str = "\
## What it checks
The `PATH` given to `strata check`, `compile`, `cost` or `graph` does not exist.

## Why it matters
There is nothing to check. In a script or a CI job this usually means the command ran in the
wrong directory.

## Example
```sh
strata check infra/      # but the project is in ./infrastructure
```

## Fix
Pass a `.strata` file or a project directory. Without `PATH`, the current directory is used;
`strata init DIR` creates a starter project.
";

const E4002: &str = "\
## What it checks
A project file, directory or `strata.toml` exists but cannot be read: permission denied, a
dangling symbolic link, or something that is not a regular file (a FIFO, a device).

## Why it matters
Strata reads every `*.strata` file of the project directory; one it cannot read would
silently drop resources, so it is an error.

## Example
```sh
$ ls -l main.strata
--w------- 1 ci ci 412 main.strata
```

## Fix
Make the file readable (`chmod u+r main.strata`), repair or remove the link, or rename the
entry so that its name does not end in `.strata`.
";

const E4003: &str = "\
## What it checks
A source file (or `strata.toml`) is larger than 16 MiB.

## Why it matters
The limit keeps every run fast and bounded in memory whatever the input, so that a stray
generated or binary file cannot stall a pre-commit hook or the editor. Real projects are far
below it: 10,000 resources take about 1 MiB.

## Example
A 50 MB data dump saved as `data.strata` in the project directory.

## Fix
Split the project into several files or imported modules, or move the file out of the
project directory.
";

const E4004: &str = "\
## What it checks
A source file (or `strata.toml`) is not valid UTF-8. The diagnostic points at the first
invalid byte.

## Why it matters
Strata sources are UTF-8 text; guessing another encoding would change names and strings
without notice.

## Example
A file saved as Latin-1 containing `tags = { owner = \"José\" }`.

## Fix
Re-save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 main.strata > tmp && mv tmp main.strata`.
";

const E4005: &str = "\
## What it checks
`strata.toml` is not valid TOML or does not follow the settings format: an unknown table or
key, a value of the wrong type, an unknown target, an invalid rule level.

## Why it matters
A misspelt setting would otherwise be ignored silently, and a build would use defaults the
team did not choose.

## Example
```toml
[compile]
targets = [\"terraform\", \"kubernetis\"]
```

## Fix
Correct the entry. The format: `[env.NAME.params]` (parameter values per environment),
`[rules]` (`CODE = \"off\" | \"info\" | \"warning\" | \"error\"`), `[compile]` (`targets`, `out`,
`cfn_format`). See `docs/strata-toml.md`.
";

const E4008: &str = "\
## What it checks
The project directory holds no `*.strata` file.

## Why it matters
There is nothing to check or compile; usually the command ran in the wrong directory.

## Example
```sh
strata check docs/
```

## Fix
Pass the directory that holds the `.strata` files, or a single file. `strata init DIR`
creates a starter project.
";

const E4009: &str = "\
## What it checks
`strata compile` could not write its output directory (permission denied, disk full, a file
where a directory should be).

## Why it matters
The output is written to a temporary directory first and moved into place only when every
file is written, so an earlier output stays intact; but this run produced nothing.

## Example
```sh
strata compile --out /read-only/out
```

## Fix
Choose an output directory you can write (`--out DIR`, or `[compile] out` in `strata.toml`).
";

const E4011: &str = "\
## What it checks
`strata compile --target LIST` (or `[compile] targets` in `strata.toml`) asks for a target
that no stack of the project compiles to: Kubernetes manifests for a project whose stacks are
all AWS, Deployment Manager for an AWS stack.

## Why it matters
The command succeeds but writes nothing for that target (its folder is emptied), which is
rarely what was meant: a CI step that deploys the folder would deploy nothing.

## Example
```sh
strata compile --target kubernetes     # but every stack says `provider = aws { ... }`
```

## Fix
Ask for the targets of the stacks' providers (AWS: `cloudformation`, `terraform`; GCP:
`deployment-manager`, `terraform`; Azure: `terraform`; Kubernetes: `kubernetes`), or add a stack
with the provider the target needs.
";

/// Documentation of every code the driver reports.
pub fn codes() -> Vec<CodeDoc> {
    vec![
        CodeDoc {
            code: PATH_NOT_FOUND,
            name: "path-not-found",
            severity: Severity::Error,
            doc: E4001,
        },
        CodeDoc {
            code: UNREADABLE,
            name: "unreadable-file",
            severity: Severity::Error,
            doc: E4002,
        },
        CodeDoc {
            code: FILE_TOO_LARGE,
            name: "file-too-large",
            severity: Severity::Error,
            doc: E4003,
        },
        CodeDoc {
            code: INVALID_UTF8,
            name: "invalid-utf8",
            severity: Severity::Error,
            doc: E4004,
        },
        CodeDoc {
            code: BAD_CONFIG,
            name: "invalid-config",
            severity: Severity::Error,
            doc: E4005,
        },
        CodeDoc {
            code: NO_SOURCES,
            name: "no-source-files",
            severity: Severity::Error,
            doc: E4008,
        },
        CodeDoc {
            code: WRITE_FAILED,
            name: "output-not-written",
            severity: Severity::Error,
            doc: E4009,
        },
        CodeDoc {
            code: TARGET_UNUSED,
            name: "target-without-stack",
            severity: Severity::Warning,
            doc: E4011,
        },
    ]
}
