//! Secrets: `{ env = … }` and `{ file = … }` resolve into redacted `SecretString`s, and a
//! resolved value appears in no `Debug` output and no error.

use std::fs;
use std::path::Path;

use tieout_config::{ClientConfig, EnvOverrides, EnvSecrets, load_config_with};
use tieout_core::connector::{ExposeSecret, SecretError, SecretRef, SecretResolver};

const ENV_VALUE: &str = "s3cr3t-from-the-environment";
const FILE_VALUE: &str = "s3cr3t-from-a-file";

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) {}

/// A secret file holding `contents`, mode 0600.
fn secret_file(dir: &Path, name: &str, contents: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    fs::write(&path, contents).unwrap();
    set_mode(&path, 0o600);
    path
}

#[test]
fn env_and_file_secrets_resolve_to_their_values() {
    let dir = tempfile::tempdir().unwrap();
    secret_file(dir.path(), "token", &format!("{FILE_VALUE}\n"));
    secret_file(dir.path(), "crlf", &format!("{FILE_VALUE}\r\n"));
    secret_file(dir.path(), "two-newlines", &format!("{FILE_VALUE}\n\n"));
    let secrets = EnvSecrets::from_vars([("XERO_CLIENT_SECRET", ENV_VALUE)]).with_base_dir(dir.path());

    let env = secrets.resolve(&SecretRef::Env("XERO_CLIENT_SECRET".into())).unwrap();
    assert_eq!(env.expose_secret(), ENV_VALUE);
    // Relative paths start at the base (config) directory; one trailing newline goes.
    let file = secrets.resolve(&SecretRef::File("token".into())).unwrap();
    assert_eq!(file.expose_secret(), FILE_VALUE);
    assert_eq!(secrets.resolve(&SecretRef::File("crlf".into())).unwrap().expose_secret(), FILE_VALUE);
    // Only one: a second newline is part of the value.
    let two = secrets.resolve(&SecretRef::File("two-newlines".into())).unwrap();
    assert_eq!(two.expose_secret(), format!("{FILE_VALUE}\n"));
    // Absolute paths are used as they are.
    let absolute = secrets.resolve(&SecretRef::File(dir.path().join("token"))).unwrap();
    assert_eq!(absolute.expose_secret(), FILE_VALUE);
}

#[test]
fn missing_and_empty_secrets_are_errors_that_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    secret_file(dir.path(), "empty", "\n");
    let secrets = EnvSecrets::from_vars([("BLANK", "  ")]).with_base_dir(dir.path());

    let err = secrets.resolve(&SecretRef::Env("NOT_SET".into())).unwrap_err();
    assert_eq!(err, SecretError::Missing { secret: "environment variable NOT_SET".into() });
    assert!(err.to_string().contains("export it"), "{err}");
    assert!(matches!(secrets.resolve(&SecretRef::Env("BLANK".into())), Err(SecretError::Empty { .. })));
    assert!(matches!(secrets.resolve(&SecretRef::File("empty".into())), Err(SecretError::Empty { .. })));
    assert!(matches!(secrets.resolve(&SecretRef::File("absent".into())), Err(SecretError::Missing { .. })));
    let err = secrets.resolve(&SecretRef::File(".".into())).unwrap_err();
    assert!(err.to_string().contains("is not a regular file"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_secret_file_others_can_change_is_refused_and_one_they_can_read_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = secret_file(dir.path(), "token", FILE_VALUE);
    let secrets = EnvSecrets::from_vars::<String, String>([]).with_base_dir(dir.path());
    for mode in [0o620, 0o602, 0o666] {
        set_mode(&path, mode);
        let err = secrets.resolve(&SecretRef::File("token".into())).unwrap_err();
        assert!(err.to_string().contains("run chmod go-w on it"), "{mode:o}: {err}");
    }
    // Docker mounts secrets 0444 and Kubernetes 0644: readable by all, writable by none else.
    for mode in [0o400, 0o640, 0o644, 0o444] {
        set_mode(&path, mode);
        assert_eq!(secrets.resolve(&SecretRef::File("token".into())).unwrap().expose_secret(), FILE_VALUE);
    }
}

#[test]
fn a_resolved_secret_appears_in_no_debug_output_and_no_error() {
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "token", &format!("{FILE_VALUE}\n"));
    let big = secret_file(dir.path(), "big", &format!("{FILE_VALUE}{}", "x".repeat(70 * 1024)));
    let not_text = dir.path().join("binary");
    fs::write(&not_text, [FILE_VALUE.as_bytes(), &[0xff, 0xfe]].concat()).unwrap();
    set_mode(&not_text, 0o600);
    let secrets = EnvSecrets::from_vars([("TOKEN", ENV_VALUE), ("BLANK", "")]).with_base_dir(dir.path());

    let mut shown = Vec::new();
    let env = secrets.resolve(&SecretRef::Env("TOKEN".into())).unwrap();
    let file = secrets.resolve(&SecretRef::File(token.clone())).unwrap();
    shown.push(format!("{env:?} {file:?} {secrets:?} {secrets:#?}"));
    shown.push(format!("{:?}", SecretRef::Env("TOKEN".into())));

    // Errors while reading files holding the value, and around variables holding it.
    let mut errors = vec![
        secrets.resolve(&SecretRef::File(big)).unwrap_err(),
        secrets.resolve(&SecretRef::File(not_text)).unwrap_err(),
        secrets.resolve(&SecretRef::Env("BLANK".into())).unwrap_err(),
    ];
    #[cfg(unix)]
    {
        set_mode(&token, 0o666);
        errors.push(secrets.resolve(&SecretRef::File(token)).unwrap_err());
    }
    for err in &errors {
        shown.push(format!("{err} {err:?}"));
    }

    // A client whose sink refers to the secrets, and one that (wrongly) holds a value itself:
    // neither the config nor a loaded directory shows a value in Debug.
    let client = format!(
        "time_zone = \"UTC\"\nmapping = \"m.toml\"\n[source]\nkind = \"memory\"\n\
         [sink]\nkind = \"memory\"\ntoken = {{ env = \"TOKEN\" }}\npassword = \"{ENV_VALUE}\"\n\
         [[users]]\nname = \"a\"\nrole = \"admin\"\n\
         password_hash = \"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA\"\n"
    );
    let config = ClientConfig::from_toml(&client, "clients/x.toml").unwrap();
    shown.push(format!("{config:?} {config:#?}"));
    let config_dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(config_dir.path().join("clients")).unwrap();
    fs::write(config_dir.path().join("default.toml"), "").unwrap();
    fs::write(config_dir.path().join("clients/x.toml"), &client).unwrap();
    fs::write(config_dir.path().join("m.toml"), "").unwrap();
    let overrides =
        EnvOverrides::from_vars([("TIEOUT__STORE__URL", format!("postgres://tieout:{ENV_VALUE}@db/tieout"))]);
    let loaded = load_config_with(config_dir.path(), &overrides).unwrap();
    shown.push(format!("{loaded:?} {overrides:?} {}", loaded.app.store.url));
    // An override whose value does not fit: the error names the variable, not the value.
    let wrong = EnvOverrides::from_vars([("TIEOUT__CLIENTS__X__SEPARATION_OF_DUTIES", ENV_VALUE)]);
    let err = load_config_with(config_dir.path(), &wrong).unwrap_err();
    shown.push(format!("{err} {err:?}"));
    let wrong = EnvOverrides::from_vars([("TIEOUT__SERVER__ADDRESS", ENV_VALUE)]);
    let err = load_config_with(config_dir.path(), &wrong).unwrap_err();
    shown.push(format!("{err} {err:?}"));

    for text in &shown {
        assert!(!text.contains(ENV_VALUE) && !text.contains(FILE_VALUE), "a secret value leaked:\n{text}");
        assert!(!text.contains("aGFzaA"), "a password hash leaked:\n{text}");
    }
    // And the values were really there to leak.
    assert_eq!(env.expose_secret(), ENV_VALUE);
    assert_eq!(file.expose_secret(), FILE_VALUE);
}
