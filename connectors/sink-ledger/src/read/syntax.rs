//! Small pieces of hledger's syntax: dates, comments and their tags, account names.

use chrono::NaiveDate;

/// A full date: `2026-10-05`, `2026/10/05` or `2026.10.05` (leading zeros optional). A date
/// without a year depends on a `Y` directive and is refused.
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let separator = text.chars().find(|c| matches!(c, '-' | '/' | '.')).ok_or_else(|| no_date(text))?;
    let parts: Vec<&str> = text.split(separator).collect();
    if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(no_date(text));
    }
    match parts.as_slice() {
        [year, month, day] => {
            let (Ok(year), Ok(month), Ok(day)) = (year.parse(), month.parse(), day.parse()) else {
                return Err(no_date(text));
            };
            NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| format!("'{text}' is not a date of the calendar"))
        }
        [_, _] => Err(format!("date '{text}' has no year: write the full date, e.g. 2026-10-05")),
        _ => Err(no_date(text)),
    }
}

fn no_date(text: &str) -> String {
    format!("'{text}' is not a date: write YYYY-MM-DD")
}

/// Splits `text` at the first `;`: (before, the comment after the `;`).
pub(crate) fn split_comment(text: &str) -> (&str, Option<&str>) {
    match text.split_once(';') {
        Some((before, comment)) => (before, Some(comment)),
        None => (text, None),
    }
}

/// The tags of a comment, as hledger reads them: `name:value`, where the name is the word
/// right before the colon and the value runs to the next comma.
pub(crate) fn tags(comment: &str) -> impl Iterator<Item = (&str, &str)> {
    comment.split(',').filter_map(|part| {
        let (before, value) = part.split_once(':')?;
        let name = before.rsplit(char::is_whitespace).next().unwrap_or_default();
        (!name.is_empty()).then(|| (name, value.trim()))
    })
}

/// The first tag called `name` in `comment`.
pub(crate) fn tag<'a>(comment: Option<&'a str>, name: &str) -> Option<&'a str> {
    tags(comment?).find(|(n, _)| *n == name).map(|(_, v)| v)
}

/// Splits a posting or directive at the end of its account name: two spaces or a tab.
pub(crate) fn split_account(text: &str) -> (&str, &str) {
    let end = [text.find("  "), text.find('\t')].into_iter().flatten().min().unwrap_or(text.len());
    (&text[..end], text[end..].trim_start())
}

/// Why `name` cannot be written as an hledger account name, if it cannot: hledger ends a name
/// at two spaces or a tab, reads `;` as a comment and brackets as a virtual posting.
pub(crate) fn unwritable_account(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.trim() != name {
        Some("it starts or ends with a space")
    } else if name.contains("  ") {
        Some("it has two spaces in a row")
    } else if name.contains(';') {
        Some("it has a ';'")
    } else if name.chars().any(char::is_control) {
        Some("it has a tab, a line break or another control character")
    } else if name.starts_with(['(', '[']) {
        Some("it starts with a bracket, which hledger reads as a virtual posting")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_full_and_real() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        for text in ["2026-01-05", "2026/1/5", "2026.01.05"] {
            assert_eq!(parse_date(text), Ok(d), "{text}");
        }
        assert!(parse_date("01/05").unwrap_err().contains("no year"));
        assert!(parse_date("2026-02-30").unwrap_err().contains("calendar"));
        assert!(parse_date("2026-01-05x").unwrap_err().contains("not a date"));
        assert!(parse_date("2026-01/05").is_err());
    }

    #[test]
    fn tags_are_read_as_hledger_reads_them() {
        let all: Vec<(&str, &str)> = tags(" key:t0a1, kind:repayment, see class:North branch, note").collect();
        assert_eq!(all, [("key", "t0a1"), ("kind", "repayment"), ("class", "North branch")]);
        assert_eq!(tag(Some(" type: A"), "type"), Some("A"));
        assert_eq!(tag(Some(" inactive:"), "inactive"), Some(""));
        assert_eq!(tag(None, "key"), None);
    }

    #[test]
    fn account_names_end_at_two_spaces_or_a_tab() {
        assert_eq!(split_account("Assets:Bank account  USD 1"), ("Assets:Bank account", "USD 1"));
        assert_eq!(split_account("Assets:Bank\tUSD 1"), ("Assets:Bank", "USD 1"));
        assert_eq!(split_account("Equity:Opening"), ("Equity:Opening", ""));
        assert_eq!(unwritable_account("Assets:Loans:Interest receivable"), None);
        for bad in ["", " Cash", "Cash  Box", "Cash;Box", "Cash\tBox", "(Cash)", "[Cash]"] {
            assert!(unwritable_account(bad).is_some(), "{bad:?}");
        }
    }
}
