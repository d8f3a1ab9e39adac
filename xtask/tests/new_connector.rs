//! `cargo xtask new-connector` in a copy of the workspace: a sink and a source of one system are
//! scaffolded; both are rustfmt- and clippy-clean, pass their own tests (the config suite, and the
//! other suites failing only on the placeholders), keep the workspace's dependency and tidy rules,
//! and `tieout-registry` builds and validates their examples with the feature `connector-acme`.
//!
//! The copy and its build directory live under `CARGO_TARGET_TMPDIR` (`target/tmp/scaffold-test`),
//! so the real workspace is never touched and the outer `cargo test` never waits on the inner
//! builds' lock. The copy keeps the files' modification times and its path between runs, so the
//! inner builds reuse everything but the scaffolded crates: the first run compiles the
//! dependencies (a few minutes on two cores), later runs take well under a minute.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// The real workspace: the parent of xtask's folder.
fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

/// Copies `from` into `to`, without `target/` folders and `.git`, keeping modification times
/// (so that cargo finds the copied crates unchanged since the previous run).
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display())) {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let (source, destination) = (entry.path(), to.join(&name));
        if source.is_dir() {
            copy_tree(&source, &destination);
        } else if source.is_file() {
            fs::copy(&source, &destination).unwrap_or_else(|e| panic!("cannot copy {}: {e}", source.display()));
            let modified = fs::metadata(&source).and_then(|m| m.modified()).unwrap();
            fs::File::options().write(true).open(&destination).and_then(|f| f.set_modified(modified)).unwrap();
        }
    }
}

/// Runs cargo in the copy with its own build directory, printing the time it took.
fn cargo(workspace: &Path, target: &Path, args: &[&str]) -> Output {
    let started = Instant::now();
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(args)
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo {}: {e}", args.join(" ")));
    println!("cargo {} ({:.1} s, {})", args.join(" "), started.elapsed().as_secs_f64(), output.status);
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs cargo and fails the test, with cargo's output, unless it succeeds; returns its stdout.
fn cargo_ok(workspace: &Path, target: &Path, args: &[&str]) -> String {
    let output = cargo(workspace, target, args);
    assert!(
        output.status.success(),
        "cargo {} failed in {} ({}):\n{}\n{}",
        args.join(" "),
        workspace.display(),
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Runs cargo, expects it to fail, and returns its stderr.
fn cargo_refused(workspace: &Path, target: &Path, args: &[&str]) -> String {
    let output = cargo(workspace, target, args);
    assert!(!output.status.success(), "cargo {} succeeded:\n{}", args.join(" "), text(&output.stdout));
    text(&output.stderr)
}

/// The files under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn scaffolded_connectors_build_pass_their_tests_and_register() {
    let started = Instant::now();
    let root = workspace_root();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scaffold-test");
    fs::create_dir_all(&scratch).unwrap();
    // One run at a time: two would share the copy and its build directory.
    let lock = fs::File::create(scratch.join("lock")).unwrap();
    lock.lock().unwrap();
    let (ws, target) = (scratch.join("workspace"), scratch.join("target"));
    if ws.exists() {
        fs::remove_dir_all(&ws).unwrap();
    }
    copy_tree(&root, &ws);
    let ws = ws.as_path();
    let target = target.as_path();

    let out = cargo_ok(ws, target, &["xtask", "new-connector", "acme", "--role", "sink"]);
    assert!(out.contains("created connectors/sink-acme/ (sink 'acme', crate sink-acme)"), "{out}");
    assert!(out.contains("Cargo.lock"), "the lock file was not updated:\n{out}");
    assert!(!out.contains("warning"), "{out}");
    let out = cargo_ok(ws, target, &["xtask", "new-connector", "--role=source", "acme"]);
    assert!(out.contains("feature connector-acme now also enables source-acme"), "{out}");

    // Refusals, with the workspace left as it was.
    let manifest = fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    let err = cargo_refused(ws, target, &["xtask", "new-connector", "acme", "--role", "sink"]);
    assert!(err.contains("connectors/sink-acme already exists"), "{err}");
    let err = cargo_refused(ws, target, &["xtask", "new-connector", "Acme", "--role", "sink"]);
    assert!(err.contains("`Acme` is not a connector name"), "{err}");
    let err = cargo_refused(ws, target, &["xtask", "new-connector", "beta"]);
    assert!(err.contains("give the connector's role"), "{err}");
    assert_eq!(fs::read_to_string(ws.join("Cargo.toml")).unwrap(), manifest);
    assert!(!ws.join("connectors/sink-beta").exists() && !ws.join("connectors/sink-Acme").exists());

    let expected = |role: &str| {
        let mut files = vec!["Cargo.toml", "README.md", "src/config.rs", "src/lib.rs", "tests/conformance.rs"];
        files.push(if role == "sink" { "src/sink.rs" } else { "src/source.rs" });
        files.sort_unstable();
        files
    };
    assert_eq!(files_under(&ws.join("connectors/sink-acme")), expected("sink"));
    assert_eq!(files_under(&ws.join("connectors/source-acme")), expected("source"));

    cargo_ok(ws, target, &["fmt", "-p", "sink-acme", "-p", "source-acme", "--", "--check"]);
    let clippy = "clippy --locked -p sink-acme -p source-acme -p tieout-registry \
                  --features tieout-registry/connector-acme --all-targets -- -D warnings";
    cargo_ok(ws, target, &clippy.split_whitespace().collect::<Vec<_>>());
    let out = cargo_ok(ws, target, &["test", "--locked", "-p", "sink-acme", "-p", "source-acme"]);
    for test in
        ["config_suite", "check_suite", "posting_suite", "events_suite", "the_readme_shows_the_factorys_example"]
    {
        assert!(out.contains(&format!("test {test} ... ok")), "{test} did not pass:\n{out}");
    }
    // The registry lists both factories behind the feature, and their examples validate there.
    let out = cargo_ok(
        ws,
        target,
        &[
            "test",
            "--locked",
            "-p",
            "tieout-registry",
            "--features",
            "connector-acme",
            "every_builtin_example_validates",
        ],
    );
    assert!(out.contains("test tests::every_builtin_example_validates ... ok"), "{out}");
    // The scaffolded crates keep the dependency rules and the tidy conventions.
    cargo_ok(ws, target, &["test", "--locked", "-p", "tieout-tests", "--test", "architecture", "--test", "tidy"]);

    assert!(!root.join("connectors/sink-acme").exists(), "the real workspace was changed");
    fs::remove_dir_all(ws).unwrap();
    println!("scaffold test: {:.1} s", started.elapsed().as_secs_f64());
}
