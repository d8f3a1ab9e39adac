//! Every file under the repository's `config/` directory parses with the parser for its place,
//! and a file in no known place fails the test: nothing unparsed can be committed there.

use std::fs;
use std::path::{Path, PathBuf};

use tieout_config::{EnvOverrides, load_app_with, load_config_with};
use tieout_core::event::parse_events;
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;

fn config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_file_under_config_parses_with_the_parser_for_its_place() {
    let dir = config_dir();
    let mut all = Vec::new();
    files(&dir, &mut all);
    all.sort();
    let no_env = EnvOverrides::none();
    // Loading the directory parses default.toml, every client file and the mapping and rule
    // files the clients name, each through the loader `tieout` uses.
    let loaded = load_config_with(&dir, &no_env).unwrap_or_else(|e| panic!("{e}"));

    let mut parsed = Vec::new();
    let mut unknown = Vec::new();
    for path in &all {
        let relative = path.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
        let text = || fs::read_to_string(path).unwrap();
        let (folder, name) = relative.rsplit_once('/').unwrap_or(("", relative.as_str()));
        match (folder, name.rsplit_once('.').map(|(_, ext)| ext)) {
            ("", _) if name == "default.toml" => {
                load_app_with(&dir, &no_env).unwrap_or_else(|e| panic!("{e}"));
            }
            ("clients", Some("toml")) => {
                let stem = name.trim_end_matches(".toml");
                let client = loaded.client(stem).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(client.file, *path);
            }
            ("mappings" | "examples", Some("toml")) => {
                MappingFile::from_toml(&text(), &relative).unwrap_or_else(|e| panic!("{e}"));
            }
            ("rules", Some("toml")) => {
                RuleSet::from_toml(&text(), &relative).unwrap_or_else(|e| panic!("{e}"));
            }
            ("examples", Some("jsonl")) => {
                let text = text();
                let events: Vec<_> = parse_events(&text).collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{e}"));
                assert!(!events.is_empty(), "{relative} has no events");
            }
            _ => {
                unknown.push(relative);
                continue;
            }
        }
        parsed.push(relative);
    }
    assert!(
        unknown.is_empty(),
        "files under config/ that no test parses: {unknown:?}; put them where a parser reads them \
         (default.toml, clients/, mappings/, rules/, examples/) or teach this test their format"
    );
    for expected in ["default.toml", "clients/demo.toml", "mappings/demo.toml", "rules/standard.toml"] {
        assert!(parsed.iter().any(|p| p == expected), "{expected} was not parsed: {parsed:?}");
    }
}

#[test]
fn the_demo_client_is_what_its_file_says() {
    let loaded = load_config_with(config_dir(), &EnvOverrides::none()).unwrap();
    let demo = loaded.client("demo").unwrap();
    assert_eq!(demo.config.source.kind(), "simulator");
    assert_eq!(demo.config.sink.kind(), "ledger");
    assert_eq!(demo.config.sink.settings().get("path").and_then(|v| v.as_str()), Some("data/demo.journal"));
    assert_eq!(demo.config.time_zone, chrono_tz::Tz::America__New_York);
    assert_eq!(demo.rules.name(), "standard");
    // Every product the simulator is told to lend is mapped.
    let products = demo.config.source.settings().get("products").and_then(|v| v.as_array()).unwrap();
    let mapped: Vec<&str> = demo.mapping.products().map(|p| p.as_str()).collect();
    for product in products {
        let product = product.as_str().unwrap();
        assert!(mapped.contains(&product), "{product} is not in mappings/demo.toml");
    }
    let cob = demo.config.schedules.cob.as_ref().unwrap();
    assert_eq!(cob.cron.as_str(), "0 30 1 * * *");
    assert_eq!(cob.time_zone, chrono_tz::Tz::America__New_York);
}

#[test]
fn the_embedded_demo_files_load_as_a_directory() {
    // `tieout demo` writes DEMO_FILES into a directory and loads it; nothing else may be needed.
    let dir = tempfile::tempdir().unwrap();
    for (relative, contents) in tieout_config::DEMO_FILES {
        let path = dir.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }
    let loaded = load_config_with(dir.path(), &EnvOverrides::none()).unwrap();
    assert_eq!(loaded.clients.keys().map(|c| c.as_str()).collect::<Vec<_>>(), ["demo"]);
    assert_eq!(loaded.app, load_app_with(config_dir(), &EnvOverrides::none()).unwrap());
}
