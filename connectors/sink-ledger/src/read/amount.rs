//! Amounts: `USD 12.34`, `USD -12.34`, `-USD 12.34`, `12.34 USD`, `1,234.56 USD`. The
//! commodity must be an ISO 4217 code, because a trial balance is in currencies; a number
//! must be unambiguous (`1,000` could be a thousand or one, so it is refused).

use rust_decimal::Decimal;
use tieout_core::money::Currency;

/// Reads one amount; the error says what is wrong and how to write it.
pub(crate) fn parse_amount(text: &str) -> Result<(Currency, Decimal), String> {
    let text = text.trim();
    if text.contains('"') {
        return Err(format!("amount '{text}' has a quoted commodity: use an ISO 4217 code such as USD"));
    }
    let (outer_negative, rest) = sign(text);
    let starts_with_number = rest.starts_with(|c: char| c.is_ascii_digit() || c == '.');
    let (symbol, number_text, inner_negative) = if starts_with_number {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(rest.len());
        (rest[end..].trim(), &rest[..end], false)
    } else {
        let end = rest
            .find(|c: char| c.is_whitespace() || c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | ','))
            .unwrap_or(rest.len());
        let (negative, number) = sign(rest[end..].trim_start());
        (&rest[..end], number, negative)
    };
    if outer_negative && inner_negative {
        return Err(format!("amount '{text}' has two signs"));
    }
    if symbol.is_empty() {
        return Err(format!("amount '{text}' has no commodity: write it with a currency, e.g. USD {text}"));
    }
    let currency = Currency::new(symbol).map_err(|_| {
        format!("commodity '{symbol}' in '{text}' is not an ISO 4217 currency code: write USD, EUR, … instead")
    })?;
    let number = parse_number(number_text).map_err(|why| format!("amount '{text}': {why}"))?;
    Ok((currency, if outer_negative || inner_negative { -number } else { number }))
}

/// Splits a leading `-` or `+`.
fn sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, text[1..].trim_start()),
        Some(b'+') => (false, text[1..].trim_start()),
        _ => (false, text),
    }
}

/// Digits with an optional `.` decimal mark, and `,` digit groups only when a decimal mark
/// follows them (`1,234.50`).
fn parse_number(text: &str) -> Result<Decimal, String> {
    if text.is_empty() || !text.bytes().any(|b| b.is_ascii_digit()) {
        return Err("there is no number".into());
    }
    if let Some(bad) = text.chars().find(|c| !(c.is_ascii_digit() || *c == '.' || *c == ',')) {
        return Err(format!("'{bad}' cannot be part of a number"));
    }
    if text.matches('.').count() > 1 {
        return Err(format!("'{text}' has more than one decimal mark (write 1234.56 or 1,234.56)"));
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    if whole.contains(',') {
        if fraction.is_none() || fraction.is_some_and(|f| f.contains(',')) {
            return Err(format!(
                "'{text}' is ambiguous (is ',' a decimal mark or a digit group?): write {} or add the decimals, e.g. {text}.00",
                text.replace(',', "")
            ));
        }
        let mut groups = whole.split(',');
        let first = groups.next().unwrap_or_default();
        if first.is_empty() || first.len() > 3 || groups.any(|g| g.len() != 3) {
            return Err(format!("'{text}' has digit groups that are not of three digits"));
        }
    } else if fraction.is_some_and(|f| f.contains(',')) {
        return Err(format!("'{text}' has a ',' after the decimal mark"));
    }
    let mut plain = whole.replace(',', "");
    if plain.is_empty() {
        plain.push('0');
    }
    if let Some(fraction) = fraction.filter(|f| !f.is_empty()) {
        plain.push('.');
        plain.push_str(fraction);
    }
    Decimal::from_str_exact(&plain).map_err(|e| format!("'{text}' is not a number Tieout can hold exactly ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Result<String, String> {
        parse_amount(text).map(|(c, n)| format!("{c} {n}"))
    }

    #[test]
    fn the_usual_ways_of_writing_an_amount_are_read() {
        for (text, expected) in [
            ("USD 12.34", "USD 12.34"),
            ("USD -12.34", "USD -12.34"),
            ("-USD 12.34", "USD -12.34"),
            ("USD12", "USD 12"),
            ("12.34 USD", "USD 12.34"),
            ("-12.34 USD", "USD -12.34"),
            ("12.34USD", "USD 12.34"),
            ("+5 EUR", "EUR 5"),
            ("USD 1,234,567.89", "USD 1234567.89"),
            ("USD .5", "USD 0.5"),
            ("JPY 1000", "JPY 1000"),
            ("  KWD 1.005  ", "KWD 1.005"),
        ] {
            assert_eq!(amount(text).as_deref(), Ok(expected), "{text}");
        }
    }

    #[test]
    fn what_could_be_misread_is_refused() {
        for (text, why) in [
            ("12.34", "no commodity"),
            ("$12.34", "not an ISO 4217"),
            ("12 usd", "not an ISO 4217"),
            ("\"AAPL 2\" 3", "quoted"),
            ("USD 1,000", "ambiguous"),
            ("USD 1,5", "ambiguous"),
            ("USD 12,34.00", "three digits"),
            ("USD 1.2.3", "more than one decimal mark"),
            ("-USD -1", "two signs"),
            ("USD 1E3", "cannot be part of a number"),
            ("USD", "no number"),
            ("USD 12 EUR", "cannot be part of a number"),
        ] {
            let err = amount(text).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
        }
    }
}
