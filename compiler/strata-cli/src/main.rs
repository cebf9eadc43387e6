//! `strata`: the command line over `strata-driver`. Thin: parses arguments, calls one driver
//! function, prints. The exit codes are the contract of `docs/cli.md`: 0 clean (warnings
//! allowed), 1 findings at error level (policies, budgets, `fmt --check`), 2 invalid input or
//! command line.

mod check;
mod commands;
mod cost_cmd;
mod init;
mod schema;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use strata_cli::render::ColorChoice;
use strata_model::Target;

/// The syntax tree and the model are many small allocations; mimalloc makes them markedly
/// cheaper than the system allocator (see docs/performance.md).
/// Counted, so that lowering and emission can stop with an error before the process runs out of
/// memory (strata_base::memory).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: strata_base::memory::CountingAlloc<mimalloc::MiMalloc> =
    strata_base::memory::CountingAlloc(mimalloc::MiMalloc);
#[cfg(not(feature = "mimalloc"))]
#[global_allocator]
static GLOBAL: strata_base::memory::CountingAlloc<std::alloc::System> =
    strata_base::memory::CountingAlloc(std::alloc::System);

/// mimalloc's settings that must precede its first allocation (no transparent huge pages:
/// `strata_cli::allocator::configure_early`), from a constructor of a lower priority number than
/// mimalloc's own (101 built by clang, 65535 by gcc), which the linker orders first.
#[cfg(all(feature = "mimalloc", target_os = "linux"))]
#[used]
#[link_section = ".init_array.00100"]
static CONFIGURE_EARLY: extern "C" fn() = {
    extern "C" fn configure_early() {
        strata_cli::allocator::configure_early();
    }
    configure_early
};

#[derive(Parser, Debug)]
#[command(
    name = "strata",
    version,
    about = "Strata: a typed language for cloud infrastructure",
    long_about = "Strata type-checks an infrastructure description, builds its dependency graph, checks security and cost policies, and emits CloudFormation, Deployment Manager, Terraform and Kubernetes files.\n\nExit codes: 0 clean (warnings allowed), 1 findings at error level (policies, budgets), 2 invalid input or command line.",
    propagate_version = true
)]
pub struct Cli {
    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse, type-check, build the graph and run every policy.
    Check {
        /// Project directories or files; a file stands for its project (the nearest directory
        /// above it with a strata.toml, else its own directory). Each project is checked once.
        #[arg(default_value = ".", value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The environment (value of the `env` parameter; `[env.NAME]` of strata.toml).
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        /// How to print the diagnostics.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Apply the machine-applicable fixes (misspelt names, policy settings) to the files,
        /// then check again and report what is left.
        #[arg(long)]
        fix: bool,
    },
    /// Check, then write every target's files (nothing is written if the check fails).
    Compile {
        /// A .strata file or a project directory.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The environment (value of the `env` parameter; `[env.NAME]` of strata.toml).
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        /// Output directory [default: `[compile] out` of strata.toml, else out/, in the project
        /// directory].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Targets to write, comma-separated: cloudformation, deployment-manager, terraform,
        /// kubernetes (or cfn, dm, tf, k8s) [default: every target the stacks support].
        #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_target)]
        target: Vec<Target>,
        /// CloudFormation template syntax [default: json].
        #[arg(long, value_enum)]
        cfn_format: Option<CfnFormatArg>,
    },
    /// Estimate the monthly cost per resource and in total.
    Cost {
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        #[arg(long, value_enum, default_value_t = CostFormat::Table)]
        format: CostFormat,
        /// An earlier `strata cost --format json` (e.g. of the base branch): show both totals,
        /// the difference and each resource added, removed or changed.
        #[arg(long, value_name = "BASE.json")]
        compare_to: Option<PathBuf>,
    },
    /// Print the resource dependency graph.
    Graph {
        /// A .strata file or a project directory.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The environment (value of the `env` parameter; `[env.NAME]` of strata.toml).
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        /// The graph language.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Format .strata files in place (or, with --check, list those that are not formatted).
    Fmt {
        /// Files or directories (their *.strata files).
        #[arg(default_value = ".", value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Change nothing; exit 1 and name the files that would change.
        #[arg(long)]
        check: bool,
        /// With --check: print a unified diff of each file that would change (implies --check).
        #[arg(long)]
        diff: bool,
    },
    /// Print the documentation of a diagnostic code, a rule or a type (all codes without one).
    Explain {
        /// A code (`E2001`, `SEC001`), a rule name (`dependency-cycle`) or a type
        /// (`aws.s3.Bucket`, `cfn.AWS.SNS.Topic`).
        code: Option<String>,
    },
    /// The type reference: every type of the generated, curated and portable layers.
    Schema {
        #[command(subcommand)]
        command: SchemaCommand,
    },
    /// Run the language server on stdin/stdout.
    Lsp,
    /// Create a starter project (portable types, three environments) in DIR.
    Init {
        /// Where to create the project (created if missing; must hold no Strata project yet).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Print a shell completion script (e.g. `strata completions bash > ~/.local/share/bash-completion/completions/strata`).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff; `strata man | man -l -`).
    Man,
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// List the types (name and the targets each is written to).
    List {
        /// Only this family: cfn, tf, kube, dm (generated); aws, gcp, azure, k8s (curated);
        /// portable.
        #[arg(long, value_name = "FAMILY")]
        family: Option<String>,
        /// How to print the list.
        #[arg(long, value_enum, default_value_t = schema::SchemaFormat::Human)]
        format: schema::SchemaFormat,
    },
    /// Document one type: its properties with types and defaults, its attributes, the
    /// provider's documentation link.
    Show {
        /// The type (`cfn.AWS.S3.Bucket`, `tf.aws_sns_topic`, `aws.s3.Bucket`, `portable.Postgres`).
        #[arg(value_name = "TYPE")]
        name: String,
        /// How to print the documentation.
        #[arg(long, value_enum, default_value_t = schema::SchemaFormat::Human)]
        format: schema::SchemaFormat,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Reports with source snippets on stderr, like rustc.
    Human,
    /// One JSON object on stdout (diagnostics with their fixes, and a summary).
    Json,
    /// A SARIF 2.1.0 log on stdout (code scanning); paths relative to the repository root.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::message`) on stdout: annotations.
    Github,
}

/// `strata completions SHELL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash (`strata completions bash > ~/.local/share/bash-completion/completions/strata`).
    Bash,
    /// Zsh (write `_strata` into a directory of `$fpath`).
    Zsh,
    /// fish (`strata completions fish > ~/.config/fish/completions/strata.fish`).
    Fish,
    /// PowerShell (`strata completions powershell | Out-String | Invoke-Expression`).
    Powershell,
    /// Elvish.
    Elvish,
}

impl Shell {
    pub fn generator(self) -> clap_complete::Shell {
        match self {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::Powershell => clap_complete::Shell::PowerShell,
            Shell::Elvish => clap_complete::Shell::Elvish,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CostFormat {
    /// An aligned table for the terminal.
    Table,
    /// One JSON object (resources, totals, stacks).
    Json,
    /// A Markdown table (for a pull-request comment).
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CfnFormatArg {
    /// JSON templates (`*.template.json`).
    Json,
    /// YAML templates (`*.template.yaml`).
    Yaml,
}

fn parse_target(s: &str) -> Result<Target, String> {
    Target::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Target::ALL.iter().map(|t| t.dir_name()).collect();
        format!(
            "unknown target `{s}` (the targets are {})",
            names.join(", ")
        )
    })
}

/// Help shared by the arguments of several commands, for those declared without their own
/// (`PATH`, `--env`, `--format`): every argument of `strata --help` has a help line.
const SHARED_HELP: &[(&str, &str)] = &[
    ("path", "A .strata file or a project directory"),
    (
        "env",
        "The environment (value of the `env` parameter; `[env.NAME]` of strata.toml)",
    ),
    ("format", "The output format"),
];

/// The command line: the derived definition, with [`SHARED_HELP`] filled in where an argument
/// has none. Parsing, completions and the manual page all use it.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |mut sub| {
            for (id, help) in SHARED_HELP {
                let missing = sub
                    .get_arguments()
                    .any(|a| a.get_id() == *id && a.get_help().is_none());
                if missing {
                    sub = sub.mut_arg(*id, |a| a.help(*help));
                }
            }
            sub
        });
    }
    cmd
}

/// Stack size of the thread that runs the pipeline: deep but bounded recursion in the parser
/// and evaluator never comes near it.
const STACK_SIZE: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    #[cfg(feature = "mimalloc")]
    strata_cli::allocator::configure();
    strata_base::memory::enable_accounting();
    let cli = match command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            // Usage errors exit 2 (the contract); --help and --version print and exit 0, or 2
            // when stdout cannot be written (a closed pipe is not an error: see commands::out).
            let printed = e.print().and_then(|()| std::io::stdout().flush());
            return match printed {
                Err(w) if !e.use_stderr() && w.kind() != std::io::ErrorKind::BrokenPipe => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "error[E4009]: cannot write to standard output: {}",
                        strata_driver::io_message(&w)
                    );
                    ExitCode::from(2)
                }
                _ => ExitCode::from(if e.use_stderr() { 2 } else { 0 }),
            };
        }
    };
    let worker = std::thread::Builder::new()
        .name("strata".into())
        .stack_size(STACK_SIZE)
        .spawn(move || commands::run(cli));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(_)) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: strata crashed (a bug); please report it with the input that caused it"
            );
            ExitCode::from(101)
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot start: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every argument, option and possible value of every command has a help line.
    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name());
            if cmd.get_about().is_none() {
                missing.push(format!("{path}: no about"));
            }
            for a in cmd.get_arguments() {
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path} {}", a.get_id()));
                }
                for v in a.get_possible_values() {
                    if !v.is_hide_set() && v.get_help().is_none() {
                        missing.push(format!("{path} {} value {}", a.get_id(), v.get_name()));
                    }
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &path, missing);
            }
        }
        let mut cmd = command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "", &mut missing);
        assert!(missing.is_empty(), "without help: {missing:#?}");
        cmd.debug_assert();
    }
}
