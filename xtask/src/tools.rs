//! The external programs the test suites talk to, installed when missing. CI machines start
//! bare, so `cargo xtask ci` makes sure each is there and says what it did.

use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// A program the tests need and the Debian package that provides it.
struct Tool {
    program: &'static str,
    version_arg: &'static str,
    debian_package: &'static str,
    used_by: &'static str,
}

/// Adding a tool is adding a line.
const TOOLS: &[Tool] = &[Tool {
    program: "hledger",
    version_arg: "--version",
    debian_package: "hledger",
    used_by: "the journalize tests read Tieout's journals back with the real hledger",
}];

pub(crate) fn ensure_all() -> anyhow::Result<()> {
    for tool in TOOLS {
        ensure(tool)?;
    }
    Ok(())
}

fn ensure(tool: &Tool) -> anyhow::Result<()> {
    if let Some(version) = version(tool) {
        println!("tools: {} found ({version})", tool.program);
        return Ok(());
    }
    println!("tools: {} not found ({}); installing Debian package {}", tool.program, tool.used_by, tool.debian_package);
    let apt = |args: &[&str]| -> anyhow::Result<()> {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .status()
            .context("cannot run apt-get")?;
        if !status.success() {
            bail!("`apt-get {}` ended with {status}", args.join(" "));
        }
        Ok(())
    };
    apt(&["update", "-qq"]).and_then(|()| apt(&["install", "-y", "-qq", tool.debian_package])).with_context(|| {
        format!("installing {}: install it by hand (apt-get install {})", tool.program, tool.debian_package)
    })?;
    match version(tool) {
        Some(version) => {
            println!("tools: installed {} ({version})", tool.program);
            Ok(())
        }
        None => bail!("{} is still not on PATH after installing {}", tool.program, tool.debian_package),
    }
}

fn version(tool: &Tool) -> Option<String> {
    let out = Command::new(tool.program).arg(tool.version_arg).stdin(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").trim().to_owned())
}
