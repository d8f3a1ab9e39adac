//! `cargo xtask ci`: everything CI checks, in order, stopping at the first failure.

use std::time::{Duration, Instant};

use anyhow::bail;

/// Dropped from a command when there is no `Cargo.lock` (a fresh checkout before the first build).
const LOCKED: &str = "--locked";

/// One CI step: a name for the summary and the command line to run from the workspace root.
struct Step {
    name: &'static str,
    argv: &'static [&'static str],
}

/// What `--soak` sets for every step: the send's reliability tests run longer (the defaults, 50
/// kills and 3 rounds, are what plain CI runs).
const SOAK_ENV: &[(&str, &str)] = &[
    // crates/tieout-cli/tests/kill_during_send.rs: kill -9 a sending process this many times.
    ("TIEOUT_SOAK_KILLS", "500"),
    // crates/tieout-cli/tests/concurrent_send.rs: rounds of two send processes started together.
    ("TIEOUT_SOAK_CONCURRENT_ROUNDS", "20"),
];

/// The CI pipeline. Adding a step is adding a line.
const STEPS: &[Step] = &[
    Step { name: "fmt", argv: &["cargo", "fmt", "--all", "--", "--check"] },
    Step { name: "clippy", argv: &["cargo", "clippy", "--workspace", "--all-targets", LOCKED, "--", "-D", "warnings"] },
    Step { name: "test", argv: &["cargo", "test", "--workspace", "--all-targets", LOCKED] },
    Step { name: "doctest", argv: &["cargo", "test", "--workspace", "--doc", LOCKED] },
    Step { name: "bench-build", argv: &["cargo", "bench", "--workspace", "--no-run", LOCKED] },
];

/// Runs every step; with `soak`, the reliability tests run longer (see [`SOAK_ENV`]).
pub(crate) fn run(soak: bool) -> anyhow::Result<()> {
    let locked = crate::project_root().join("Cargo.lock").exists();
    if !locked {
        println!("note: no Cargo.lock, running without {LOCKED}");
    }
    let envs = if soak { SOAK_ENV } else { &[] };
    if soak {
        let set: Vec<String> = envs.iter().map(|(name, value)| format!("{name}={value}")).collect();
        println!("soak: {}", set.join(" "));
    }
    crate::tools::ensure_all()?;
    let mut done: Vec<(&str, Duration, bool)> = Vec::new();
    for step in STEPS {
        let argv: Vec<&str> = step.argv.iter().copied().filter(|arg| locked || *arg != LOCKED).collect();
        let command = argv.join(" ");
        println!("==> {}: {command}", step.name);
        let started = Instant::now();
        let result = crate::run_with_env(&argv, envs);
        done.push((step.name, started.elapsed(), result.is_ok()));
        if let Err(error) = result {
            print_summary(&done);
            bail!("CI step `{}` failed: {error:#}", step.name);
        }
    }
    print_summary(&done);
    println!("ci: all {} steps passed", STEPS.len());
    Ok(())
}

fn print_summary(done: &[(&str, Duration, bool)]) {
    println!();
    println!("{:<14} {:<7} {:>9}", "step", "result", "seconds");
    for (name, elapsed, ok) in done {
        let result = if *ok { "ok" } else { "FAILED" };
        println!("{name:<14} {result:<7} {:>9.1}", elapsed.as_secs_f64());
    }
    for step in &STEPS[done.len()..] {
        println!("{:<14} {:<7} {:>9}", step.name, "skipped", "-");
    }
}
