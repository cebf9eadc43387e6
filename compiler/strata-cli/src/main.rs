//! `strata`: the command line over `strata-driver`. Thin: parses arguments, calls one driver
//! function, prints. The exit codes are the contract of `docs/cli.md`: 0 clean (warnings
//! allowed), 1 findings at error level (policies, budgets, `fmt --check`), 2 invalid input or
//! command line.

mod commands;
mod cost_cmd;
mod init;
mod schema;

use clap::{Parser, Subcommand, ValueEnum};
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
static GLOBAL: strata_base::memory::CountingAlloc<mimalloc::MiMalloc> = strata_base::memory::CountingAlloc(mimalloc::MiMalloc);
#[cfg(not(feature = "mimalloc"))]
#[global_allocator]
static GLOBAL: strata_base::memory::CountingAlloc<std::alloc::System> = strata_base::memory::CountingAlloc(std::alloc::System);

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
        /// A .strata file or a project directory.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The environment (value of the `env` parameter; `[env.NAME]` of strata.toml).
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
    },
    /// Check, then write every target's files (nothing is written if the check fails).
    Compile {
        #[arg(default_value = ".")]
        path: PathBuf,
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
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Format .strata files in place (or, with --check, list those that are not formatted).
    Fmt {
        /// Files or directories (their *.strata files).
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Change nothing; exit 1 and name the files that would change.
        #[arg(long)]
        check: bool,
    },
    /// Print the documentation of a diagnostic code or rule (all codes without one).
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
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// List the types (name and the targets each is written to).
    List {
        /// Only this family: cfn, tf, kube, dm (generated); aws, gcp, azure, k8s (curated);
        /// portable.
        #[arg(long, value_name = "FAMILY")]
        family: Option<String>,
        #[arg(long, value_enum, default_value_t = schema::SchemaFormat::Human)]
        format: schema::SchemaFormat,
    },
    /// Document one type: its properties with types and defaults, its attributes, the
    /// provider's documentation link.
    Show {
        /// The type (`cfn.AWS.S3.Bucket`, `tf.aws_sns_topic`, `aws.s3.Bucket`, `portable.Postgres`).
        #[arg(value_name = "TYPE")]
        name: String,
        #[arg(long, value_enum, default_value_t = schema::SchemaFormat::Human)]
        format: schema::SchemaFormat,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CostFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CfnFormatArg {
    Json,
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

/// Stack size of the thread that runs the pipeline: deep but bounded recursion in the parser
/// and evaluator never comes near it.
const STACK_SIZE: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    strata_base::memory::enable_accounting();
    let cli = match Cli::try_parse() {
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
