//! Applying environment overrides to a parsed client file.
//!
//! An override takes the type of the value it replaces: a string stays a string even when it
//! looks like a number (a QuickBooks realm id `"1234"` must not become an integer), an integer
//! must be given as digits, a list of strings is given comma-separated. A key the file does not
//! have is read as an integer or a boolean when it looks like one, else as a string. The
//! connector sections are untyped here, which is why the file's own types are the guide.

use std::path::Path;

use toml::{Table, Value};

use crate::env::Override;
use crate::error::ConfigError;
use crate::message::key_error;

/// Sets each override's key in `table`, creating sections that do not exist.
pub(crate) fn apply(table: &mut Table, overrides: &[Override], file: &Path) -> Result<(), ConfigError> {
    for o in overrides {
        let err = |at: &str, message: String| key_error(at, &message, file, std::slice::from_ref(o));
        let Some((last, parents)) = o.path.split_last() else {
            // `EnvOverrides` never yields an override without a key; nothing to set.
            continue;
        };
        let mut current = &mut *table;
        for (i, part) in parents.iter().enumerate() {
            let entry = current.entry(part.clone()).or_insert_with(|| Value::Table(Table::new()));
            match entry {
                Value::Table(inner) => current = inner,
                other => {
                    let at = o.path[..=i].join(".");
                    return Err(err(
                        &at,
                        format!(
                            "is {} in the file, not a section, so the variable cannot set a key inside it: \
                             correct the variable's name",
                            describe(other)
                        ),
                    ));
                }
            }
        }
        let value = match current.get(last) {
            Some(existing) => coerce(existing, &o.value, &o.var).map_err(|m| err(&o.key(), m))?,
            None => infer(&o.value),
        };
        current.insert(last.clone(), value);
    }
    Ok(())
}

fn coerce(existing: &Value, text: &str, var: &str) -> Result<Value, String> {
    match existing {
        Value::String(_) => Ok(Value::String(text.to_owned())),
        Value::Integer(_) => text
            .trim()
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| "is a whole number in the file: set the variable to digits only".to_owned()),
        Value::Boolean(_) => parse_bool(text)
            .map(Value::Boolean)
            .ok_or_else(|| "is true or false in the file: set the variable to true or false".to_owned()),
        Value::Datetime(_) => text.trim().parse::<toml::value::Datetime>().map(Value::Datetime).map_err(|_| {
            "is a date in the file: set the variable to a TOML date or date-time such as 2026-10-01".to_owned()
        }),
        Value::Array(items) if items.iter().all(Value::is_str) => Ok(Value::Array(
            text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.to_owned())).collect(),
        )),
        Value::Array(_) => Err("is a list of tables or numbers in the file; a variable can only replace a list \
                                of strings (comma-separated): edit the file instead"
            .to_owned()),
        Value::Table(_) => Err(format!("is a section in the file: override its keys one by one, as {var}__<KEY>")),
        Value::Float(_) => Err("is a floating-point number in the file, which Tieout refuses: write it in the file \
                                as a string (\"0.50\") or a whole number"
            .to_owned()),
    }
}

fn infer(text: &str) -> Value {
    if let Some(b) = parse_bool(text) {
        return Value::Boolean(b);
    }
    match text.trim().parse::<i64>() {
        Ok(n) => Value::Integer(n),
        Err(_) => Value::String(text.to_owned()),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// "a string", "a whole number", … for messages.
pub(crate) fn describe(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a floating-point number",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a section",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn over(var: &str, path: &[&str], value: &str) -> Override {
        Override { var: var.into(), path: path.iter().map(|s| (*s).to_owned()).collect(), value: value.into() }
    }

    fn table(text: &str) -> Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn an_override_keeps_the_files_type() {
        let mut t = table("[sink]\nrealm_id = \"1234\"\nport = 22\nverify = true\nproducts = [\"a\"]\n");
        let overrides = [
            over("V1", &["sink", "realm_id"], "5678"),
            over("V2", &["sink", "port"], "2222"),
            over("V3", &["sink", "verify"], "FALSE"),
            over("V4", &["sink", "products"], "gold, auto"),
            over("V5", &["sink", "new_key"], "17"),
            over("V6", &["schedules", "cob", "cron"], "0 0 1 * * *"),
        ];
        apply(&mut t, &overrides, Path::new("c.toml")).unwrap();
        let expected = table(
            "[sink]\nrealm_id = \"5678\"\nport = 2222\nverify = false\nproducts = [\"gold\", \"auto\"]\nnew_key = 17\n\
             [schedules.cob]\ncron = \"0 0 1 * * *\"\n",
        );
        assert_eq!(t, expected);
    }

    #[test]
    fn a_value_of_the_wrong_type_names_the_variable_but_not_the_value() {
        let mut t = table("[sink]\nport = 22\n");
        let err =
            apply(&mut t, &[over("TIEOUT__CLIENTS__X__SINK__PORT", &["sink", "port"], "s3cret")], Path::new("c.toml"))
                .unwrap_err()
                .to_string();
        assert_eq!(
            err,
            "environment variable TIEOUT__CLIENTS__X__SINK__PORT (overriding c.toml): sink.port: is a whole number \
             in the file: set the variable to digits only"
        );
    }

    #[test]
    fn a_key_inside_a_plain_value_is_refused() {
        let mut t = table("time_zone = \"UTC\"\n");
        let err = apply(&mut t, &[over("V", &["time_zone", "x"], "1")], Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("time_zone: is a string in the file, not a section"), "{err}");
    }
}
