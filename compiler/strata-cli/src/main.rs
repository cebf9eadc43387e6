//! `strata`: the command line over `strata-driver`. Thin: parses arguments, calls one driver
//! function, prints. The exit codes are the contract of `docs/cli.md`: 0 clean (warnings
//! allowed), 1 findings at error level (policies, budgets, `fmt --check`), 2 invalid input or
//! command line.

mod commands;
mod init;
mod render;

use clap::{Parser, Subcommand, ValueEnum};
use render::ColorChoice;
use std::path::PathBuf;
use std::process::ExitCode;
use strata_model::Target;

/// The syntax tree and the model are many small allocations; mimalloc makes them markedly
/// cheaper than the system allocator (see docs/performance.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        /// Output directory [default: `[compile] out` of strata.toml, else out/].
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
        /// A code (`E2001`, `SEC001`) or rule name (`dependency-cycle`).
        code: Option<String>,
    },
    /// Run the language server on stdin/stdout.
    Lsp,
    /// Create a starter project (portable types, three environments) in DIR.
    Init {
        #[arg(default_value = ".")]
        dir: PathBuf,
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Usage errors exit 2 (the contract); --help and --version print and exit 0.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let worker = std::thread::Builder::new()
        .name("strata".into())
        .stack_size(STACK_SIZE)
        .spawn(move || commands::run(cli));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(_)) => {
            eprintln!(
                "error: strata crashed (a bug); please report it with the input that caused it"
            );
            ExitCode::from(101)
        }
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            ExitCode::from(2)
        }
    }
}
