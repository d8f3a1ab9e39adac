//! Deliberately wrong config directories (tests/fixtures/<case>/), each loaded as `tieout`
//! would load it. Every case's error must name the file (or variable), the key and the fix
//! given in its `case.toml`, and equal its `expected.txt` word for word (paths below the case
//! directory are written `<dir>`). `UPDATE_EXPECT=1 cargo test -p tieout-config --test
//! fixtures` rewrites the `expected.txt` files; review the diff like code.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tieout_config::{EnvOverrides, load_config_with};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case shows.
    about: String,
    /// Text naming the file or variable, which the message must contain.
    file: String,
    /// Text naming the key.
    key: String,
    /// Text of the fix.
    fix: String,
    /// `TIEOUT__…` variables in force.
    #[serde(default)]
    env: BTreeMap<String, String>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_wrong_config_is_refused_naming_file_key_and_fix() {
    let mut dirs: Vec<PathBuf> = fs::read_dir(fixtures()).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    assert!(dirs.len() >= 20, "fixtures went missing: {dirs:?}");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let case: Case = toml::from_str(&fs::read_to_string(dir.join("case.toml")).unwrap())
            .unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
        assert!(!case.about.is_empty());
        let env = EnvOverrides::from_vars(case.env.clone());
        let message = match load_config_with(dir, &env) {
            Ok(_) => {
                failures.push(format!("{name}: loaded without error ({})", case.about));
                continue;
            }
            Err(e) => e.to_string().replace(&dir.display().to_string(), "<dir>"),
        };
        for (what, text) in [("file", &case.file), ("key", &case.key), ("fix", &case.fix)] {
            if !message.contains(text.as_str()) {
                failures.push(format!("{name}: the message does not name the {what} ({text:?}):\n    {message}"));
            }
        }
        for value in case.env.values() {
            if message.contains(value.as_str()) {
                failures.push(format!("{name}: the message repeats a variable's value:\n    {message}"));
            }
        }
        let expected_file = dir.join("expected.txt");
        if update {
            fs::write(&expected_file, format!("{message}\n")).unwrap();
        } else {
            let expected = fs::read_to_string(&expected_file).unwrap_or_default();
            if expected.trim_end() != message {
                failures.push(format!(
                    "{name}: the message changed (UPDATE_EXPECT=1 to accept):\n    was: {}\n    now: {message}",
                    expected.trim_end()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_fixture_fixed_loads() {
    // The cases differ from a valid directory by one mistake: the shared part must load, or a
    // case could pass for the wrong reason.
    let dir = tempfile::tempdir().unwrap();
    let case = fixtures().join("bad-rules");
    fs::create_dir_all(dir.path().join("clients")).unwrap();
    fs::create_dir_all(dir.path().join("mappings")).unwrap();
    for file in ["default.toml", "mappings/acme.toml"] {
        fs::copy(case.join(file), dir.path().join(file)).unwrap();
    }
    let client = fs::read_to_string(case.join("clients/acme.toml")).unwrap().replace("standart", "standard");
    fs::write(dir.path().join("clients/acme.toml"), client).unwrap();
    let loaded = load_config_with(dir.path(), &EnvOverrides::none()).unwrap();
    assert_eq!(loaded.clients.len(), 1);
    assert_eq!(loaded.client("acme").unwrap().config.source.kind(), "memory");
}
