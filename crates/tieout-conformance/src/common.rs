//! The config and check suites, written once for sources and sinks.

use tieout_core::connector::SecretRef;

use crate::kit::Kit;
use crate::report::{Outcome, Run, ensure, fail, skip};
use crate::subject::{CallError, Subject};

/// A key no connector has.
pub(crate) const UNKNOWN_KEY: &str = "tieout_conformance_unknown_key";
/// Logged by the kit itself, to prove that log capture works.
const MARKER: &str = "tieout-conformance log capture is on";
/// The shortest secret value the kit can search for without false alarms.
const MIN_SECRET_LEN: usize = 8;

/// The config suite: the README example parses and validates; an unknown key is refused with
/// an error naming it; secrets are references in the config and never show in `Debug`,
/// errors or logs.
pub(crate) async fn config_suite<S: Subject>(s: &S) -> Run {
    let mut run = Run::new(s.subject(), s.timeout());
    run.check_sync("config.example_validates", example_validates(s));
    run.check_sync("config.test_configs_validate", test_configs_validate(s));
    run.check_sync("config.unknown_key_is_refused_by_name", unknown_key_is_refused_by_name(s));
    run.check_sync("config.secrets_are_references", secrets_are_references(s));
    run.check_sync("config.config_debug_hides_secrets", config_debug_hides_secrets(s));
    run.check("config.secrets_never_show", secrets_never_show(s)).await;
    run
}

/// The check suite: good credentials pass; bad ones give a typed, non-retryable auth error,
/// promptly and without a retry loop.
pub(crate) async fn check_suite<S: Subject>(s: &S) -> Run {
    let mut run = Run::new(s.subject(), s.timeout());
    run.check("check.good_credentials_pass", good_credentials_pass(s)).await;
    run.check("check.bad_credentials_give_an_auth_error", bad_credentials_give_an_auth_error(s)).await;
    run
}

fn example_validates<S: Subject>(s: &S) -> Outcome {
    let text = s.example();
    let mut table: toml::Table = match toml::from_str(text) {
        Ok(table) => table,
        Err(e) => fail!("example() is not a TOML table: {}", e.message()),
    };
    match table.remove("kind") {
        Some(toml::Value::String(kind)) if kind == s.kind() => {}
        Some(other) => fail!("example() says kind = {other}, but the factory's kind is \"{}\"", s.kind()),
        None => fail!("example() must start with kind = \"{}\", as a client file's section does", s.kind()),
    }
    if let Err(e) = s.validate(table) {
        fail!("example() does not validate: {e}");
    }
    Ok(())
}

fn test_configs_validate<S: Subject>(s: &S) -> Outcome {
    if let Err(e) = s.validate(s.config()) {
        fail!("the harness's config() does not validate: {e}");
    }
    if let Err(e) = s.validate(s.bad_credentials()) {
        fail!(
            "bad_credentials() does not validate ({e}): a wrong credential is refused by the system, not by validate"
        );
    }
    Ok(())
}

fn unknown_key_is_refused_by_name<S: Subject>(s: &S) -> Outcome {
    let mut config = s.config();
    config.insert(UNKNOWN_KEY.into(), toml::Value::Integer(1));
    match s.validate(config) {
        Ok(_) => fail!("a config with the unknown key {UNKNOWN_KEY} validated: add #[serde(deny_unknown_fields)]"),
        Err(e) => {
            let message = e.to_string();
            ensure!(message.contains(UNKNOWN_KEY), "the error for an unknown key does not name it: {message}");
        }
    }
    Ok(())
}

/// The secret values to look for; fails when one is too short to search for.
fn secret_values<S: Subject>(s: &S) -> Result<Vec<String>, crate::report::Fail> {
    let secrets: Vec<(SecretRef, String)> = s.secrets();
    if secrets.is_empty() {
        skip!("the harness names no secrets (the connector takes no credentials)");
    }
    for (reference, value) in &secrets {
        ensure!(
            value.chars().count() >= MIN_SECRET_LEN,
            "the test value of {reference} is shorter than {MIN_SECRET_LEN} characters: use a longer one so that \
             the kit can search for it"
        );
    }
    Ok(secrets.into_iter().map(|(_, value)| value).collect())
}

/// Fails when any secret value occurs in `text`.
fn assert_hidden(values: &[String], what: &str, text: &str) -> Outcome {
    for value in values {
        ensure!(!text.contains(value.as_str()), "a secret value shows in {what}: {}", redact(text, values));
    }
    Ok(())
}

/// `text` with the secret values replaced, for failure messages.
fn redact(text: &str, values: &[String]) -> String {
    let mut out = text.to_owned();
    for value in values {
        out = out.replace(value.as_str(), "<SECRET>");
    }
    out
}

fn secrets_are_references<S: Subject>(s: &S) -> Outcome {
    let values = secret_values(s)?;
    for (name, config) in [("config()", s.config()), ("bad_credentials()", s.bad_credentials())] {
        let text = toml::to_string(&config).unwrap_or_default();
        ensure!(
            !values.iter().any(|v| text.contains(v.as_str())),
            "{name} holds a secret value itself: a config names where a secret is ({{ env = \"…\" }} or \
             {{ file = \"…\" }}), never the value"
        );
    }
    Ok(())
}

fn config_debug_hides_secrets<S: Subject>(s: &S) -> Outcome {
    let values = secret_values(s)?;
    match s.config_debug(s.config()) {
        Ok(debug) => assert_hidden(&values, "the config's Debug", &debug)?,
        Err(e) => fail!("config() does not parse: {e}"),
    }
    let validated = s.validate(s.config());
    assert_hidden(&values, "the validated config's Debug", &format!("{validated:?}"))
}

async fn secrets_never_show<S: Subject>(s: &S) -> Outcome {
    let values = secret_values(s)?;
    let kit = Kit::new(s.secrets());
    let mut seen = Vec::new();
    kit.capture(async {
        tracing::info!("{MARKER}");
        let cx = kit.context(s.kind());
        match s.built_debug(s.config(), &cx).await {
            Ok(debug) => seen.push(("the built connector's Debug", debug)),
            Err(e) => seen.push(("the build error", e)),
        }
        for (name, config) in [("good", s.config()), ("bad", s.bad_credentials())] {
            match s.build(config, &cx).await {
                Ok(built) => {
                    if let Err(e) = s.check(&built).await {
                        seen.push(("check's error", format!("{} {}", e.display, e.debug)));
                    }
                }
                Err(e) => seen.push(("the build error", format!("{name}: {e}"))),
            }
        }
        // Without its secrets, the build (or the first call) fails: that error must not show
        // another secret either.
        let empty = Kit::new(Vec::<(SecretRef, String)>::new());
        let cx = empty.context(s.kind());
        match s.build(s.config(), &cx).await {
            Ok(built) => {
                if let Err(e) = s.check(&built).await {
                    seen.push(("check's error without secrets", format!("{} {}", e.display, e.debug)));
                }
            }
            Err(e) => seen.push(("the build error without secrets", e)),
        }
    })
    .await;
    let logs = kit.logs();
    ensure!(logs.contains(MARKER), "the kit captured no log output: is another subscriber set globally?");
    for (what, text) in &seen {
        assert_hidden(&values, what, text)?;
    }
    assert_hidden(&values, "the logs of build and check", &logs)
}

async fn good_credentials_pass<S: Subject>(s: &S) -> Outcome {
    let kit = Kit::new(s.secrets());
    kit.capture(async {
        let cx = kit.context(s.kind());
        let built = match s.build(s.config(), &cx).await {
            Ok(built) => built,
            Err(e) => fail!("building from config() failed: {e}"),
        };
        match s.check(&built).await {
            Ok(()) => Ok(()),
            Err(e) => fail!("check() with good credentials failed: {}", e.display),
        }
    })
    .await
}

async fn bad_credentials_give_an_auth_error<S: Subject>(s: &S) -> Outcome {
    let kit = Kit::new(s.secrets());
    kit.capture(async {
        let cx = kit.context(s.kind());
        let built = match s.build(s.bad_credentials(), &cx).await {
            Ok(built) => built,
            Err(e) => fail!(
                "building with bad credentials failed ({e}): build only reads the secret; the system's refusal \
                 is check()'s typed Auth error"
            ),
        };
        for attempt in ["first", "second"] {
            let before = kit.budget.count();
            let result = s.check(&built).await;
            let calls = kit.budget.count() - before;
            match result {
                Ok(()) => fail!("check() with bad credentials passed ({attempt} call)"),
                Err(CallError { panicked: Some(message), .. }) => {
                    fail!("check() with bad credentials panicked: {message}; return SourceError::Auth/SinkError::Auth")
                }
                Err(e) => {
                    ensure!(e.auth, "check() with bad credentials gave a non-auth error: {}", e.display);
                    ensure!(!e.retryable, "the auth error says a retry can help: {}", e.display);
                }
            }
            ensure!(
                calls <= s.max_calls(),
                "check() with bad credentials made {calls} calls (at most {} expected): it retries a refusal",
                s.max_calls()
            );
        }
        Ok(())
    })
    .await
}
