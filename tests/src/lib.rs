//! Helpers shared by the end-to-end and workspace-wide suites in `tests/tests/`.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde::Deserialize;

/// The workspace root: the parent of this package's directory.
pub fn workspace_root() -> PathBuf {
    let tests_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    tests_dir.parent().unwrap_or(tests_dir).to_path_buf()
}

/// The parts of `cargo metadata --format-version 1 --no-deps` the suites read.
#[derive(Debug, Deserialize)]
pub struct Metadata {
    pub workspace_root: PathBuf,
    /// With `--no-deps`: exactly the workspace members.
    pub packages: Vec<Package>,
}

#[derive(Debug, Deserialize)]
pub struct Package {
    pub name: String,
    pub manifest_path: PathBuf,
    /// `Some([])` means `publish = false`; `None` means publishable anywhere.
    pub publish: Option<Vec<String>>,
    pub dependencies: Vec<Dependency>,
}

#[derive(Debug, Deserialize)]
pub struct Dependency {
    /// The package name, even when the dependency is renamed.
    pub name: String,
    /// `None` for a normal dependency, else `"dev"` or `"build"`.
    pub kind: Option<String>,
}

/// Runs `cargo metadata --format-version 1 --no-deps` in the workspace root and parses it.
///
/// # Panics
/// When cargo cannot be run, fails, or prints something that is not metadata: the suites that
/// call this cannot check anything without it.
pub fn cargo_metadata() -> Metadata {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(workspace_root())
        .output()
        .expect("cannot run `cargo metadata`");
    assert!(
        output.status.success(),
        "`cargo metadata` failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("`cargo metadata` printed unexpected JSON")
}
