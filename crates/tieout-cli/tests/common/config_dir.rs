//! A config directory in a temp folder for one test: `default.toml`, one mapping, one client
//! file, and the SQLite store beside it; `tieout` runs against it as a separate process, as a
//! user would run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::root;

pub struct ConfigDir {
    dir: tempfile::TempDir,
}

impl ConfigDir {
    /// `mapping` (a path under the repository's `config/`) becomes `mappings/<client>.toml`;
    /// `client_toml` gets the temp folder (for the journal, events or state files it names) and
    /// returns the client file, which refers to its mapping as `mappings/<client>.toml`.
    pub fn new(client: &str, mapping: &str, client_toml: impl FnOnce(&Path) -> String) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("config");
        std::fs::create_dir_all(config.join("clients")).expect("clients");
        std::fs::create_dir_all(config.join("mappings")).expect("mappings");
        std::fs::copy(root().join("config/default.toml"), config.join("default.toml")).expect("default.toml");
        std::fs::copy(root().join("config").join(mapping), config.join(format!("mappings/{client}.toml")))
            .expect("mapping");
        std::fs::write(config.join(format!("clients/{client}.toml")), client_toml(dir.path())).expect("client");
        ConfigDir { dir }
    }

    /// A file in the temp folder (not in the config directory).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tieout"));
        command
            .arg("--config")
            .arg(self.dir.path().join("config"))
            .args(args)
            .env_remove("TIEOUT_CONFIG")
            .env("TIEOUT__STORE__URL", format!("sqlite://{}", self.path("tieout.db").display()));
        command
    }

    pub fn tieout(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("tieout runs")
    }
}

/// Every account a mapping under `config/` names, quoted and comma-separated: the ledger sink's
/// `declare_accounts`, as a bookkeeper would declare them.
pub fn declared_accounts(mapping: &str) -> String {
    let text = std::fs::read_to_string(root().join("config").join(mapping)).expect("mapping");
    let mapping = tieout_engine::mapping::MappingFile::from_toml(&text, mapping).expect("mapping parses");
    mapping.accounts().iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ")
}
