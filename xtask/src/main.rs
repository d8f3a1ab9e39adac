//! Project automation, run as `cargo xtask <command>` (see `.cargo/config.toml`).
//!
//! Plain `std::env::args` parsing and `std::process::Command`: this crate is compiled before it
//! can do anything, so it stays small and nearly dependency-free.

mod bench;
mod ci;
mod new_connector;
mod tools;

use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use anyhow::{Context, bail};

const USAGE: &str = "\
usage: cargo xtask <command> [args]

commands:
  ci [--soak]    install missing test tools (hledger) and start Postgres, then fmt check, clippy, tests,
                 doc tests, bench build; if this passes, CI is green. --soak runs the send's
                 reliability tests longer: 500 kills of a sending process (TIEOUT_SOAK_KILLS) and
                 20 rounds of two concurrent senders (TIEOUT_SOAK_CONCURRENT_ROUNDS)
  bench [ARGS]   run the engine benchmarks (`cargo bench -p tieout-engine [ARGS]`);
                 record results in docs/BENCHMARKS.md
  new-connector NAME --role source|sink
                 scaffold connectors/<role>-NAME (config, factory, README, conformance
                 test) and list it in tieout-registry behind the feature connector-NAME;
                 see docs/connectors.md
  help           print this message";

#[expect(clippy::print_stderr, reason = "a command-line tool reports its failure on stderr")]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run_command(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_command(args: &[String]) -> anyhow::Result<()> {
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (Some(command.as_str()), rest),
        None => (None, &[][..]),
    };
    match command {
        None | Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some("ci") => match rest {
            [] => ci::run(false),
            [flag] if flag == "--soak" => ci::run(true),
            _ => bail!("`ci` takes only --soak, got {rest:?}\n\n{USAGE}"),
        },
        Some("bench") => bench::run(rest),
        Some("new-connector") => new_connector::run(rest),
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

/// The workspace root: the parent of this crate's directory.
fn project_root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}

/// Runs `argv` from the workspace root with inherited stdio and fails unless it exits with 0.
///
/// `argv[0] == "cargo"` means the cargo that runs us (`$CARGO`), so nested commands use the same
/// toolchain.
fn run(argv: &[&str]) -> anyhow::Result<()> {
    run_with_env(argv, &[])
}

/// [`run`], with `envs` set for the command (and what it starts) on top of ours.
fn run_with_env(argv: &[&str], envs: &[(&str, &str)]) -> anyhow::Result<()> {
    let (program, args) = argv.split_first().context("empty command")?;
    let program = if *program == "cargo" {
        std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
    } else {
        (*program).into()
    };
    let status = Command::new(&program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(project_root())
        .status()
        .with_context(|| format!("cannot start `{}`", argv.join(" ")))?;
    if !status.success() {
        bail!("`{}` ended with {status}", argv.join(" "));
    }
    Ok(())
}
