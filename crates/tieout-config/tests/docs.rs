//! docs/configuration.md stays true: its example files parse, and the error messages it shows
//! are the ones the fixtures produce today.

use std::fs;
use std::path::{Path, PathBuf};

use tieout_config::{ClientConfig, EnvOverrides, load_app_with};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fenced blocks of `lang` in `text` (`""` for blocks without a language), without fences.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        match (line.strip_prefix("```"), current.take()) {
            (Some(opener), None) => current = Some((opener.trim().to_owned(), String::new())),
            (Some(_), Some((block_lang, body))) => {
                if block_lang == lang {
                    out.push(body);
                }
            }
            (None, Some((block_lang, mut body))) => {
                body.push_str(line);
                body.push('\n');
                current = Some((block_lang, body));
            }
            (None, None) => {}
        }
    }
    assert!(current.is_none(), "unclosed code block");
    out
}

#[test]
fn the_example_files_in_the_guide_parse() {
    let guide = fs::read_to_string(repo().join("docs/configuration.md")).unwrap();
    let mut seen = (0, 0);
    for block in blocks(&guide, "toml") {
        let block = block.as_str();
        let first = block.lines().next().unwrap_or_default();
        if first == "# default.toml" {
            let dir = tempfile::tempdir().unwrap();
            fs::write(dir.path().join("default.toml"), block).unwrap();
            let app = load_app_with(dir.path(), &EnvOverrides::none()).unwrap_or_else(|e| panic!("{e}"));
            // The guide shows the defaults.
            assert_eq!(app, tieout_config::AppConfig::default());
            seen.0 += 1;
        } else if let Some(file) = first.strip_prefix("# clients/") {
            let config = ClientConfig::from_toml(block, file).unwrap_or_else(|e| panic!("{e}"));
            assert!(config.schedules.iter().count() == 3 && config.users.len() == 2);
            seen.1 += 1;
        }
    }
    assert_eq!(seen, (1, 1), "the guide should show one default.toml and one client file");
}

#[test]
fn the_error_messages_in_the_guide_are_the_real_ones() {
    let guide = fs::read_to_string(repo().join("docs/configuration.md")).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let real: Vec<String> = fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| {
            fs::read_to_string(e.unwrap().path().join("expected.txt")).unwrap().trim_end().replace("<dir>", "config")
        })
        .collect();
    let error_blocks = blocks(&guide, "text");
    let shown: Vec<&str> = error_blocks
        .iter()
        .flat_map(|b| b.lines())
        .filter(|l| l.starts_with("config/") || l.starts_with("environment variable TIEOUT__"))
        .collect();
    assert!(shown.len() >= 8, "the guide's error examples went missing");
    for line in shown {
        assert!(real.iter().any(|r| r == line), "the guide shows a message no fixture produces:\n{line}");
    }
}
