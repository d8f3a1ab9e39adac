//! Turning serde's messages into ones an operator can act on, and deciding whether a wrong key
//! came from the file or from an environment variable that overrides it.

use std::path::Path;

use crate::env::Override;
use crate::error::{ConfigError, Origin};

/// Where a key path's value came from: the override that set it (or a key inside it, or a
/// section holding it), else the file.
pub(crate) fn origin_of<'o>(key: &str, file: &Path, overrides: &'o [Override]) -> (Origin, Option<&'o Override>) {
    let hit = overrides.iter().find(|o| overlaps(key, &o.key()));
    match hit {
        Some(o) => (Origin::Env { var: o.var.clone(), file: file.to_owned() }, Some(o)),
        None => (Origin::File(file.to_owned()), None),
    }
}

fn overlaps(a: &str, b: &str) -> bool {
    let inside = |outer: &str, inner: &str| {
        inner.len() > outer.len()
            && inner.starts_with(outer)
            && matches!(inner.as_bytes().get(outer.len()), Some(b'.' | b'['))
    };
    a == b || inside(a, b) || inside(b, a)
}

/// A [`ConfigError::Key`] for `key`, attributed to the variable that set it if one did. An
/// override's value is scrubbed from the message: it may be a credential set in the wrong place.
pub(crate) fn key_error(key: &str, message: &str, file: &Path, overrides: &[Override]) -> ConfigError {
    let (origin, hit) = origin_of(key, file, overrides);
    let mut message = message.to_owned();
    if let Some(o) = hit
        && !o.value.is_empty()
    {
        message = message.replace(&o.value, "…");
    }
    ConfigError::Key { origin, key: key.to_owned(), message }
}

/// A [`ConfigError::Key`] from a deserializer's error at `path` (serde_path_to_error's form:
/// `.` for the root, `a.b`, `a[0].b`).
pub(crate) fn serde_error(path: &str, raw: &str, file: &Path, overrides: &[Override]) -> ConfigError {
    let raw = clean(raw);
    let parent = if path == "." || path.is_empty() { None } else { Some(path) };
    // A missing field is reported at its parent; name the field itself.
    let key = match (quoted_after(&raw, "missing field `"), parent) {
        (Some(field), Some(parent)) => format!("{parent}.{field}"),
        (Some(field), None) => field.to_owned(),
        (None, Some(parent)) => parent.to_owned(),
        (None, None) => "(top level)".to_owned(),
    };
    let from_env = origin_of(&key, file, overrides).1.is_some();
    key_error(&key, &explain(&raw, from_env), file, overrides)
}

/// The first line of a deserializer's message, without the config crate's ` for key `…``
/// suffix (the key is named separately).
fn clean(raw: &str) -> String {
    let line = raw.lines().next().unwrap_or_default();
    match line.find(" for key `") {
        Some(pos) => line[..pos].to_owned(),
        None => line.to_owned(),
    }
}

/// Adds the fix to serde's standard messages; custom messages of this crate already have one.
fn explain(raw: &str, from_env: bool) -> String {
    if raw.starts_with("unknown field `") {
        let known = raw.split_once(", expected ").map(|(_, rest)| rest);
        let keys = match known {
            Some(list) if list.starts_with("one of ") => format!("the keys here are {}", &list["one of ".len()..]),
            // serde writes two names as "`a` or `b`".
            Some(list) if list.contains(" or ") => format!("the keys here are {}", list.replace(" or ", ", ")),
            Some(list) if list.starts_with('`') => format!("the only key here is {list}"),
            _ => "this section takes no keys".to_owned(),
        };
        let fix =
            if from_env { "correct the variable's name or unset it" } else { "correct the spelling or remove it" };
        return format!("unknown key; {keys}: {fix}");
    }
    if raw.starts_with("missing field `") {
        return "is required: add it (docs/configuration.md describes every key)".to_owned();
    }
    if let Some(rest) = raw.strip_prefix("unknown variant ") {
        return format!("unknown value {rest}: use one of those");
    }
    if raw.starts_with("invalid type:") || raw.starts_with("invalid value:") || raw.starts_with("invalid length") {
        return format!("{raw}; docs/configuration.md gives each key's type");
    }
    raw.to_owned()
}

/// The text between `prefix` and the next backtick.
fn quoted_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let start = text.find(prefix)? + prefix.len();
    let len = text[start..].find('`')?;
    Some(&text[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_overlap_only_at_separators() {
        assert!(overlaps("store.url", "store.url"));
        assert!(overlaps("store", "store.url"));
        assert!(overlaps("users[0].role", "users"));
        assert!(!overlaps("store.url", "store.urls"));
        assert!(!overlaps("sink", "sinks.path"));
    }

    #[test]
    fn unknown_fields_get_the_known_keys_and_a_fix() {
        assert_eq!(
            explain("unknown field `urll`, expected `url`", true),
            "unknown key; the only key here is `url`: correct the variable's name or unset it"
        );
        assert_eq!(
            explain("unknown field `cronn`, expected one of `cron`, `time_zone`, `x`", false),
            "unknown key; the keys here are `cron`, `time_zone`, `x`: correct the spelling or remove it"
        );
        assert_eq!(
            explain("unknown field `cronn`, expected `cron` or `time_zone`", false),
            "unknown key; the keys here are `cron`, `time_zone`: correct the spelling or remove it"
        );
        assert_eq!(
            explain("unknown field `x`, there are no fields", false),
            "unknown key; this section takes no keys: correct the spelling or remove it"
        );
    }

    #[test]
    fn a_missing_field_is_named_under_its_parent() {
        let file = Path::new("c.toml");
        let err = serde_error("schedules.cob", "missing field `cron`", file, &[]);
        assert_eq!(
            err.to_string(),
            "c.toml: schedules.cob.cron: is required: add it (docs/configuration.md describes every key)"
        );
        let err = serde_error(".", "missing field `mapping`", file, &[]);
        assert!(err.to_string().starts_with("c.toml: mapping: is required"), "{err}");
    }

    #[test]
    fn the_config_crates_key_suffix_is_dropped() {
        assert_eq!(
            clean("invalid type: string \"x\", expected an integer for key `worker.concurrency` in the environment"),
            "invalid type: string \"x\", expected an integer"
        );
    }
}
