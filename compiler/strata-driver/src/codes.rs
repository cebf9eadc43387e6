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
pub const LINK_OUTSIDE: &str = "E4012";
pub const OUT_OUTSIDE: &str = "E4013";
pub const OUT_NOT_OWN: &str = "E4014";
pub const BAD_CRD: &str = "E4020";

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
The project directory holds no `*.strata` file, or the file named on the command line is
`strata.toml` (the settings, not a source). A file named explicitly is otherwise read as
Strata source whatever its extension.

## Why it matters
There is nothing to check or compile; usually the command ran in the wrong directory.

## Example
```sh
strata check docs/
strata check strata.toml
```

## Fix
Pass the directory that holds the `.strata` files, or a single file. `strata init DIR`
creates a starter project.
";

const E4009: &str = "\
## What it checks
A command could not write its output: `strata compile` its output directory, `strata fmt` a
file it reformatted, or any command its standard output (permission denied, disk full, a
file where a directory should be, `> /dev/full`).

## Why it matters
An output that was cut short must not pass for a complete one: the command exits 2. The files
of `strata compile` are written to a staging directory first and switched into place only
when every file is written, so an earlier output stays intact; but this run produced nothing.
A report on standard output may be truncated. (A reader that closes a pipe early, as
`strata graph | head`, is not an error.)

## Example
```sh
strata compile --out /read-only/out
strata check --format json > /mnt/full-disk/report.json
```

## Fix
Choose an output directory you can write (`--out DIR`, or `[compile] out` in `strata.toml`),
free some space, or redirect the output elsewhere.
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

const E4012: &str = "\
## What it checks
A file of the project directory (a `*.strata` file or `strata.toml`), or a file `strata fmt`
finds in a directory, is a symbolic link (or lies under one) that leads outside the project
directory. Strata does not read it. (An import through such a link is refused as well, with
`E1005`.)

## Why it matters
A project is often checked by CI on a pull request from someone else. A link named
`x.strata` to `/proc/self/environ` or `/etc/passwd` would have Strata print that file in its
diagnostics (the CI environment and its secrets, in the build log); a link to a `.strata`
file elsewhere would silently add its resources to the project, and `strata fmt` would
rewrite a file outside the project. Links that stay inside the project are fine.

## Example
```sh
$ ls -l
main.strata
shared.strata -> ../../platform/shared.strata
```

## Fix
Copy the file into the project (or make the project directory the common parent of what it
uses, and import the module with a relative path). The diagnostic names the link, never
what it points to.
";

const E4013: &str = "\
## What it checks
The output directory `strata compile` would use without `--out` is not a directory inside the
project: `[compile] out` in `strata.toml` is an absolute path, climbs out with `..`, or is the
project directory itself; or the output directory (`[compile] out`, else `out/`) is a
symbolic link that leads outside the project.

## Why it matters
`strata compile` replaces the folders of the targets it writes in its output directory. A
setting in the repository (perhaps in someone else's pull request) must not make a plain
`strata compile` replace a folder elsewhere on the machine: `out = \"../infra\"` once deleted
hand-written files next to the project. Writing outside the project is a decision for whoever
runs the command, on the command line.

## Example
```toml
[compile]
out = \"../infra\"
```

## Fix
Name a directory inside the project (`out = \"build\"`), or pass the directory on the command
line: `strata compile --out ../infra`.
";

const E4014: &str = "\
## What it checks
The output directory of `strata compile` is the project directory or the current directory,
or a directory that contains one of them (`--out .`, `--out ..`).

## Why it matters
`strata compile` switches its whole output directory in one step, so that a reader never sees
the targets of two different runs side by side: it builds the new output next to it and
exchanges the two. Done to the project directory, that would rebuild the project around its
sources (and leave your shell in a directory that no longer exists).

## Example
```sh
strata compile --out .
```

## Fix
Give the output a directory of its own: `--out build` (the default is `out/` in the project
directory). Deploy tools can point at `build/terraform/...` as they did at `./terraform/...`.
";

/// Documentation of every code the driver reports.
pub fn codes() -> Vec<CodeDoc> {
    vec![
        CodeDoc {
            code: BAD_CRD,
            name: "invalid-crd",
            severity: Severity::Error,
            doc: "## What it checks\nThe files listed in `[kubernetes] crds` of strata.toml: each must exist inside the project and hold valid YAML (or JSON) with apiextensions.k8s.io/v1 `CustomResourceDefinition` documents (group, kind, versions); no kind may be defined twice.\n\n## Why it matters\nThe kinds of these CRDs become types (`kube.<group>.<version>.<Kind>`); a broken file would leave resources untyped or wrongly typed.\n\n## Example\n```toml\n[kubernetes]\ncrds = [\"crds/missing.yaml\"]\n```\n\n## Fix\nPoint at the CRD files of the operators the cluster runs (kept in the repository), or remove the entry.\n",
        },
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
        CodeDoc {
            code: LINK_OUTSIDE,
            name: "link-outside-project",
            severity: Severity::Error,
            doc: E4012,
        },
        CodeDoc {
            code: OUT_OUTSIDE,
            name: "output-outside-project",
            severity: Severity::Error,
            doc: E4013,
        },
        CodeDoc {
            code: OUT_NOT_OWN,
            name: "output-contains-project",
            severity: Severity::Error,
            doc: E4014,
        },
    ]
}
