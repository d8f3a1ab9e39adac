//! `cargo xtask bench`: the engine's criterion benchmarks.

use std::path::PathBuf;

pub(crate) fn run(extra: &[String]) -> anyhow::Result<()> {
    let mut argv = vec!["cargo", "bench", "-p", "tieout-engine"];
    argv.extend(extra.iter().map(String::as_str));
    println!("==> bench: {}", argv.join(" "));
    crate::run(&argv)?;

    // A relative CARGO_TARGET_DIR is relative to where cargo ran: the project root.
    let target_dir = crate::project_root()
        .join(std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from));
    println!();
    println!("criterion reports: {}", target_dir.join("criterion").display());
    println!(
        "record the results, the machine and this command in {}",
        crate::project_root().join("docs/BENCHMARKS.md").display()
    );
    Ok(())
}
