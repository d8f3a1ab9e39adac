//! Refusing floating-point numbers anywhere in a config file, connector sections included.
//! Money is exact in Tieout (DESIGN.md section 3); a `0.1` in a config file would either be
//! rounded silently (the config crate turns `3.5` into `4` for an integer key) or become a
//! binary fraction on its way to a Decimal.

use std::path::Path;

use toml::{Table, Value};

use crate::env::Override;
use crate::error::ConfigError;
use crate::message::key_error;

/// The first float in `table`, as an error naming its key.
pub(crate) fn refuse_floats(table: &Table, file: &Path, overrides: &[Override]) -> Result<(), ConfigError> {
    match find_in_table(table, "") {
        Some(key) => Err(key_error(
            &key,
            "is a floating-point number, which Tieout refuses: write an amount as a decimal string (\"0.50\") \
             and a count as a whole number",
            file,
            overrides,
        )),
        None => Ok(()),
    }
}

fn find_in_table(table: &Table, prefix: &str) -> Option<String> {
    table.iter().find_map(|(key, value)| {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        find(value, path)
    })
}

fn find(value: &Value, path: String) -> Option<String> {
    match value {
        Value::Float(_) => Some(path),
        Value::Table(t) => find_in_table(t, &path),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| find(v, format!("{path}[{i}]"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_float_is_found_at_any_depth() {
        let t: Table = toml::from_str("a = 1\n[b]\nc = [1, { d = 0.5 }]\n").unwrap();
        let err = refuse_floats(&t, Path::new("f.toml"), &[]).unwrap_err();
        assert!(err.to_string().starts_with("f.toml: b.c[1].d: is a floating-point number"), "{err}");
        let ok: Table = toml::from_str("a = \"0.5\"\n").unwrap();
        assert!(refuse_floats(&ok, Path::new("f.toml"), &[]).is_ok());
    }
}
