//! Loading a config directory: `default.toml`, every `clients/<name>.toml`, and the mapping and
//! rule files the clients name (relative to the directory). Everything is checked at load, so a
//! typo stops `tieout` at start instead of failing a job at 2 a.m.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;

use crate::app::{AppConfig, load_app_with};
use crate::client::{self, ClientConfig, ClientName, RulesChoice};
use crate::env::{EnvOverrides, Override};
use crate::error::ConfigError;
use crate::message::key_error;
use crate::read::read_text;
use crate::secrets::EnvSecrets;

/// The config directory when none is given (`--config DIR`).
pub const DEFAULT_DIR: &str = "config";
/// The directory of client files inside the config directory.
pub const CLIENTS_DIR: &str = "clients";

/// A loaded config directory.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The config directory.
    pub dir: PathBuf,
    /// `default.toml` with its overrides.
    pub app: AppConfig,
    /// Every client, by name.
    pub clients: BTreeMap<ClientName, Client>,
}

/// A loaded client: its file and the mapping and rule set it names.
#[derive(Clone, Debug)]
pub struct Client {
    /// The client's name (its file's stem).
    pub name: ClientName,
    /// Its file, `<dir>/clients/<name>.toml`.
    pub file: PathBuf,
    /// The file with its overrides.
    pub config: ClientConfig,
    /// The mapping file `config.mapping` names.
    pub mapping: MappingFile,
    /// The rule set `config.rules` names.
    pub rules: RuleSet,
}

impl Loaded {
    /// The client `name`, or an error listing the clients there are.
    pub fn client(&self, name: &str) -> Result<&Client, ConfigError> {
        self.clients.get(name).ok_or_else(|| ConfigError::UnknownClient {
            name: name.to_owned(),
            dir: self.dir.join(CLIENTS_DIR),
            known: self.clients.keys().map(|c| c.to_string()).collect(),
        })
    }

    /// The clients this process's worker serves (`[worker] clients`; all when empty).
    pub fn served(&self) -> impl Iterator<Item = &Client> {
        self.clients.values().filter(|c| self.app.worker.serves(&c.name))
    }

    /// A secret resolver reading the process environment and files, relative file paths
    /// starting at the config directory.
    pub fn secrets(&self) -> EnvSecrets {
        EnvSecrets::from_process().with_base_dir(&self.dir)
    }
}

/// Loads `dir` with the process's `TIEOUT__…` overrides.
pub fn load_config(dir: impl AsRef<Path>) -> Result<Loaded, ConfigError> {
    load_config_with(dir, &EnvOverrides::from_process()?)
}

/// Loads `dir` with the overrides in `env`.
pub fn load_config_with(dir: impl AsRef<Path>, env: &EnvOverrides) -> Result<Loaded, ConfigError> {
    let dir = dir.as_ref();
    let app = load_app_with(dir, env)?;
    let files = client_files(dir)?;
    let names: Vec<ClientName> = files.iter().map(|(name, _)| name.clone()).collect();
    env.check_client_names(&names)?;
    if let Some(unknown) = app.worker.clients.iter().find(|c| !names.contains(c)) {
        let known: Vec<&str> = names.iter().map(ClientName::as_str).collect();
        let message = format!(
            "'{unknown}' has no file {CLIENTS_DIR}/{unknown}.toml; the clients are [{}]: correct the name or \
             add the file",
            known.join(", ")
        );
        return Err(key_error("worker.clients", &message, &dir.join(crate::app::APP_FILE), &env.app()?));
    }
    let mut clients = BTreeMap::new();
    for (name, file) in files {
        let client = load_file(dir, name.clone(), file, env)?;
        clients.insert(name, client);
    }
    Ok(Loaded { dir: dir.to_owned(), app, clients })
}

/// Loads one client of `dir` with the process's `TIEOUT__…` overrides.
pub fn load_client(dir: impl AsRef<Path>, name: &str) -> Result<Client, ConfigError> {
    load_client_with(dir, name, &EnvOverrides::from_process()?)
}

/// Loads one client of `dir` with the overrides in `env`. An unknown name is an error listing
/// the clients there are; variables naming no client are refused as in [`load_config_with`].
pub fn load_client_with(dir: impl AsRef<Path>, name: &str, env: &EnvOverrides) -> Result<Client, ConfigError> {
    let dir = dir.as_ref();
    let files = client_files(dir)?;
    let names: Vec<ClientName> = files.iter().map(|(n, _)| n.clone()).collect();
    env.check_client_names(&names)?;
    match files.into_iter().find(|(n, _)| n.as_str() == name) {
        Some((name, file)) => load_file(dir, name, file, env),
        None => Err(ConfigError::UnknownClient {
            name: name.to_owned(),
            dir: dir.join(CLIENTS_DIR),
            known: names.iter().map(|c| c.to_string()).collect(),
        }),
    }
}

/// The clients of `dir`: the stems of `clients/*.toml`, sorted. A file that is not a client
/// file (wrong extension, a name that is not a client name, a directory) is an error, so a
/// misnamed client is never silently left out. Dotfiles (`.gitkeep`, editor swap files) are
/// skipped.
pub fn client_names(dir: impl AsRef<Path>) -> Result<Vec<ClientName>, ConfigError> {
    Ok(client_files(dir.as_ref())?.into_iter().map(|(name, _)| name).collect())
}

fn client_files(dir: &Path) -> Result<Vec<(ClientName, PathBuf)>, ConfigError> {
    if let Err(e) = fs::metadata(dir) {
        return Err(ConfigError::read(dir, &e, "point --config at the config directory (default ./config)"));
    }
    let clients_dir = dir.join(CLIENTS_DIR);
    let entries = match fs::read_dir(&clients_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ConfigError::read(&clients_dir, &e, "let the user running Tieout read it")),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| ConfigError::read(&clients_dir, &e, "check the directory and try again"))?;
        let path = entry.path();
        let layout = |message: String| ConfigError::Layout { path: path.clone(), message };
        let Some(file_name) = entry.file_name().to_str().map(str::to_owned) else {
            return Err(layout("the file name is not UTF-8: rename the file to <client-name>.toml".to_owned()));
        };
        if file_name.starts_with('.') {
            continue;
        }
        let metadata = fs::metadata(&path).map_err(|e| ConfigError::read(&path, &e, "check the file"))?;
        if metadata.is_dir() {
            return Err(layout(format!(
                "a directory has no place in {CLIENTS_DIR}/: a client is one file, {CLIENTS_DIR}/<name>.toml; \
                 move the directory elsewhere"
            )));
        }
        let Some(stem) = file_name.strip_suffix(".toml") else {
            return Err(layout(format!(
                "only client files (<name>.toml) belong in {CLIENTS_DIR}/: move this file elsewhere"
            )));
        };
        let name = ClientName::parse(stem).map_err(|message| {
            let suggestion: String = stem.to_lowercase().replace([' ', '_', '.'], "-");
            let hint = match ClientName::parse(&suggestion) {
                Ok(good) => format!(", e.g. to {good}.toml"),
                Err(_) => String::new(),
            };
            layout(format!("the client's name is the file name without .toml, and {message}: rename the file{hint}"))
        })?;
        files.push((name, path));
    }
    files.sort();
    Ok(files)
}

fn load_file(dir: &Path, name: ClientName, file: PathBuf, env: &EnvOverrides) -> Result<Client, ConfigError> {
    let overrides = env.for_client(&name)?;
    let text = read_text(&file, "check the file and try again")?;
    let config = client::parse(&text, &file, &overrides)?;
    let mapping = load_mapping(dir, &file, &config, &overrides)?;
    let rules = load_rules(dir, &file, &config, &overrides)?;
    Ok(Client { name, file, config, mapping, rules })
}

fn load_mapping(
    dir: &Path,
    file: &Path,
    config: &ClientConfig,
    overrides: &[Override],
) -> Result<MappingFile, ConfigError> {
    let path = dir.join(&config.mapping);
    let text = read_referenced(dir, file, &path, "mapping", overrides, "docs/mapping.md describes the format")?;
    MappingFile::from_toml(&text, &path.display().to_string())
        .map_err(|error| ConfigError::Mapping { client_file: file.to_owned(), error })
}

fn load_rules(dir: &Path, file: &Path, config: &ClientConfig, overrides: &[Override]) -> Result<RuleSet, ConfigError> {
    match &config.rules {
        RulesChoice::Standard => Ok(RuleSet::standard()),
        RulesChoice::Fineract => Ok(RuleSet::fineract()),
        RulesChoice::File(relative) => {
            let path = dir.join(relative);
            let text = read_referenced(
                dir,
                file,
                &path,
                "rules",
                overrides,
                "copy config/rules/standard.toml as a start; docs/rules.md describes the format",
            )?;
            RuleSet::from_toml(&text, &path.display().to_string())
                .map_err(|error| ConfigError::Rules { client_file: file.to_owned(), error })
        }
    }
}

/// Reads a file a client names under `key`; a missing one is an error about that key.
fn read_referenced(
    dir: &Path,
    file: &Path,
    path: &Path,
    key: &str,
    overrides: &[Override],
    format_hint: &str,
) -> Result<String, ConfigError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(key_error(
            key,
            &format!(
                "{} does not exist: create it ({format_hint}) or correct the path; a relative path starts at the \
                 config directory {}",
                path.display(),
                dir.display()
            ),
            file,
            overrides,
        )),
        Err(e) => Err(ConfigError::read(path, &e, "let the user running Tieout read it, as UTF-8 text")),
    }
}
