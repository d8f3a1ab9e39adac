//! Reading the command's input files, with errors that say which file.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;

/// Reads a file, or standard input for `-`.
pub fn read_text(path: &Path, what: &str) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).with_context(|| format!("reading {what} from standard input"))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).with_context(|| format!("reading {what} from {}", path.display()))
}

/// `standard`, `fineract`, or the path of a rule-set file.
pub fn load_rules(spec: &str) -> anyhow::Result<RuleSet> {
    match spec {
        "standard" => Ok(RuleSet::standard()),
        "fineract" => Ok(RuleSet::fineract()),
        path => {
            let text = read_text(Path::new(path), "the rule set")
                .context("--rules takes standard, fineract or the path of a rule-set TOML file")?;
            Ok(RuleSet::from_toml(&text, path)?)
        }
    }
}

pub fn load_mapping(path: &Path) -> anyhow::Result<MappingFile> {
    let text = read_text(path, "the mapping")?;
    Ok(MappingFile::from_toml(&text, &path.display().to_string())?)
}
