//! `TIEOUT__…` variables override config files: they win, keep the file's types, and a variable
//! that names no key or no client is an error naming it.

use std::fs;
use std::path::Path;

use tieout_config::{ConfigError, EnvOverrides, LogFormat, Origin, load_app_with, load_client_with, load_config_with};

const CLIENT: &str = r#"
time_zone = "America/New_York"
mapping = "mappings/acme.toml"

[source]
kind = "memory"

[sink]
kind = "memory"
path = "a.journal"
realm_id = "1234"
port = 22
products = ["personal"]
"#;

/// A config dir with clients `acme` and `acme-bank`.
fn config_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |relative: &str, text: &str| {
        let path = dir.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write("default.toml", "[store]\nurl = \"sqlite://data/test.db\"\n[worker]\nconcurrency = 2\n");
    write("clients/acme.toml", CLIENT);
    write("clients/acme-bank.toml", CLIENT);
    write("mappings/acme.toml", "[accounts]\nfund_source = \"Cash\"\n");
    dir
}

fn env(vars: &[(&str, &str)]) -> EnvOverrides {
    EnvOverrides::from_vars(vars.iter().copied())
}

#[test]
fn an_app_override_wins_over_the_file() {
    let dir = config_dir();
    let app = load_app_with(
        dir.path(),
        &env(&[
            ("TIEOUT__STORE__URL", "postgres://tieout:hunter2@db/tieout"),
            ("TIEOUT__WORKER__CONCURRENCY", "8"),
            ("TIEOUT__WORKER__CLIENTS", "acme,acme-bank"),
            ("TIEOUT__LOG__FORMAT", "json"),
            ("TIEOUT__HTTP__REQUEST_TIMEOUT_SECS", "30"),
        ]),
    )
    .unwrap();
    assert_eq!(app.store.url.expose(), "postgres://tieout:hunter2@db/tieout");
    assert_eq!(app.worker.concurrency.get(), 8);
    assert_eq!(app.worker.clients.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["acme", "acme-bank"]);
    assert_eq!(app.log.format, LogFormat::Json);
    assert_eq!(app.http.request_timeout_secs, 30);
    // Without overrides the file's values hold.
    let plain = load_app_with(dir.path(), &EnvOverrides::none()).unwrap();
    assert_eq!(plain.store.url.expose(), "sqlite://data/test.db");
    assert_eq!(plain.worker.concurrency.get(), 2);
    // The password is in no Debug output.
    assert!(!format!("{app:?}").contains("hunter2"));
}

#[test]
fn a_misspelt_app_variable_is_an_error_naming_it() {
    let dir = config_dir();
    let err = load_app_with(dir.path(), &env(&[("TIEOUT__STORE__URLL", "sqlite://other.db")])).unwrap_err();
    match &err {
        ConfigError::Key { origin: Origin::Env { var, file }, key, .. } => {
            assert_eq!(var, "TIEOUT__STORE__URLL");
            assert_eq!(file, &dir.path().join("default.toml"));
            assert_eq!(key, "store.urll");
        }
        other => panic!("expected a key error from the variable, got {other:?}"),
    }
    assert!(err.to_string().contains("correct the variable's name or unset it"), "{err}");
    // A misspelt section too.
    let err = load_app_with(dir.path(), &env(&[("TIEOUT__STROE__URL", "sqlite://other.db")])).unwrap_err();
    assert!(err.to_string().starts_with("environment variable TIEOUT__STROE__URL"), "{err}");
}

#[test]
fn a_wrongly_typed_app_variable_names_it_without_its_value() {
    let dir = config_dir();
    let err = load_app_with(dir.path(), &env(&[("TIEOUT__WORKER__CONCURRENCY", "plenty")])).unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("environment variable TIEOUT__WORKER__CONCURRENCY"), "{message}");
    assert!(message.contains("worker.concurrency"), "{message}");
    assert!(!message.contains("plenty"), "{message}");
}

#[test]
fn a_client_override_wins_and_keeps_the_files_types() {
    let dir = config_dir();
    let vars = env(&[
        ("TIEOUT__CLIENTS__ACME__SINK__PATH", "b.journal"),
        ("TIEOUT__CLIENTS__ACME__SINK__REALM_ID", "5678"),
        ("TIEOUT__CLIENTS__ACME__SINK__PORT", "2222"),
        ("TIEOUT__CLIENTS__ACME__SINK__PRODUCTS", "personal, gold"),
        ("TIEOUT__CLIENTS__ACME__TIME_ZONE", "Europe/London"),
        ("TIEOUT__CLIENTS__ACME__SCHEDULES__COB__CRON", "0 0 2 * * *"),
        ("TIEOUT__CLIENTS__ACME_BANK__DETAIL", "loan"),
    ]);
    let loaded = load_config_with(dir.path(), &vars).unwrap();
    let acme = &loaded.client("acme").unwrap().config;
    let expected: toml::Table =
        toml::from_str("path = \"b.journal\"\nrealm_id = \"5678\"\nport = 2222\nproducts = [\"personal\", \"gold\"]\n")
            .unwrap();
    assert_eq!(acme.sink.settings(), &expected);
    assert_eq!(acme.sink.overridden_by("path"), Some("TIEOUT__CLIENTS__ACME__SINK__PATH"));
    assert_eq!(acme.sink.overridden_by("kind"), None);
    assert_eq!(acme.time_zone, chrono_tz::Tz::Europe__London);
    let cob = acme.schedules.cob.as_ref().unwrap();
    assert_eq!(cob.cron.as_str(), "0 0 2 * * *");
    // A schedule without its own zone follows the client's, overridden or not.
    assert_eq!(cob.time_zone, chrono_tz::Tz::Europe__London);
    // Each client gets only its own variables: NAME is the name in upper case, '-' as '_'.
    let bank = &loaded.client("acme-bank").unwrap().config;
    assert_eq!(bank.detail, tieout_engine::summarize::DetailLevel::Loan);
    assert_eq!(bank.sink.settings().get("path").and_then(|v| v.as_str()), Some("a.journal"));
    assert_eq!(acme.detail, tieout_engine::summarize::DetailLevel::ProductDay);
}

#[test]
fn load_client_applies_overrides_and_refuses_unknown_clients() {
    let dir = config_dir();
    let vars = env(&[("TIEOUT__CLIENTS__ACME__SINK__PATH", "c.journal")]);
    let acme = load_client_with(dir.path(), "acme", &vars).unwrap();
    assert_eq!(acme.config.sink.settings().get("path").and_then(|v| v.as_str()), Some("c.journal"));
    let err = load_client_with(dir.path(), "acne", &EnvOverrides::none()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "there is no client 'acne' in {}: the clients are acme, acme-bank; use one of them or add \
             clients/acne.toml",
            dir.path().join("clients").display()
        )
    );
    let err = load_client_with(dir.path(), "acme", &env(&[("TIEOUT__CLIENTS__ACNE__SINK__PATH", "x")])).unwrap_err();
    assert!(err.to_string().contains("names no client"), "{err}");
}

#[test]
fn a_missing_config_directory_says_where_to_point() {
    let err = load_config_with(Path::new("/nonexistent/tieout-config"), &EnvOverrides::none()).unwrap_err();
    assert!(err.to_string().starts_with("/nonexistent/tieout-config/default.toml: cannot be read"), "{err}");
    assert!(err.to_string().contains("--config"), "{err}");
    let err = load_client_with(Path::new("/nonexistent/tieout-config"), "acme", &EnvOverrides::none()).unwrap_err();
    assert!(err.to_string().contains("point --config at the config directory"), "{err}");
}

#[test]
fn the_worker_serves_its_clients_only() {
    let dir = config_dir();
    let loaded = load_config_with(dir.path(), &env(&[("TIEOUT__WORKER__CLIENTS", "acme-bank")])).unwrap();
    assert_eq!(loaded.served().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["acme-bank"]);
    let all = load_config_with(dir.path(), &EnvOverrides::none()).unwrap();
    assert_eq!(all.served().count(), 2);
    // An empty variable is an empty list: every client.
    let emptied = load_config_with(dir.path(), &env(&[("TIEOUT__WORKER__CLIENTS", "")])).unwrap();
    assert!(emptied.app.worker.clients.is_empty());
    assert_eq!(emptied.served().count(), 2);
    let err = load_config_with(dir.path(), &env(&[("TIEOUT__WORKER__CLIENTS", "acme,acne")])).unwrap_err();
    assert!(err.to_string().starts_with("environment variable TIEOUT__WORKER__CLIENTS"), "{err}");
}
