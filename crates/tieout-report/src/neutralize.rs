//! Formula injection (CSV injection): a spreadsheet runs a cell that starts with `=`, `+`, `-` or
//! `@` as a formula (and some read a leading tab or carriage return the same way). Text that
//! comes from outside — an account name from the sink's chart, a loan id from the servicing
//! system — is prefixed with `'`, which spreadsheets show as text. OWASP's recommendation.

use std::borrow::Cow;

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text`, prefixed with `'` when a spreadsheet could take it for a formula.
pub fn neutralize(text: &str) -> Cow<'_, str> {
    if text.starts_with(TRIGGERS) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_prefixed_and_the_rest_is_left_alone() {
        for bad in ["=1+2", "+1", "-2+3", "@SUM(A1)", "\t=x", "\r=x", "=HYPERLINK(\"http://x\")"] {
            assert_eq!(neutralize(bad), format!("'{bad}"), "{bad:?}");
        }
        for fine in ["Assets:Loans", "L-0000001", "", "a=b", "'quoted", "100.00"] {
            assert_eq!(neutralize(fine), fine);
        }
    }
}
