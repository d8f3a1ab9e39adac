//! IANA time zones in client files, with a message that suggests the right spelling.

use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};

/// A time zone as written in a file (`"America/New_York"`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct TzValue(pub Tz);

impl<'de> Deserialize<'de> for TzValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text).map(TzValue).map_err(serde::de::Error::custom)
    }
}

/// Parses an IANA name; the error suggests the name with the right case when there is one.
pub(crate) fn parse(text: &str) -> Result<Tz, String> {
    if let Ok(tz) = text.parse::<Tz>() {
        return Ok(tz);
    }
    let same_but_case = chrono_tz::TZ_VARIANTS.iter().find(|tz| tz.name().eq_ignore_ascii_case(text));
    Err(match same_but_case {
        Some(tz) => format!("unknown time zone '{text}': names are case-sensitive, write \"{}\"", tz.name()),
        None => format!(
            "unknown time zone '{text}': use an IANA name such as \"America/New_York\", \"Europe/London\" or \"UTC\""
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names_parse_and_near_misses_get_a_suggestion() {
        assert_eq!(parse("America/New_York").unwrap(), Tz::America__New_York);
        assert_eq!(parse("utc").unwrap_err(), "unknown time zone 'utc': names are case-sensitive, write \"UTC\"");
        assert!(parse("Amercia/New_York").unwrap_err().contains("use an IANA name"));
    }
}
