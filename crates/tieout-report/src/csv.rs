//! CSV (RFC 4180): the accounts, one row per account and currency, and the drill-down, one row
//! per account and loan. Text cells are neutralized against formula injection; amounts are
//! written as Tieout's decimal strings (`-12.50`), which every spreadsheet reads as numbers.

use tieout_engine::reconcile::Reconciliation;

use crate::neutralize::neutralize;
use crate::table::{Cell, Table, account_table, loan_table};

/// One row per account and currency.
pub fn accounts(reconciliation: &Reconciliation) -> String {
    write(&account_table(reconciliation))
}

/// The drill-down: one row per account and loan listed.
pub fn loans(reconciliation: &Reconciliation) -> String {
    write(&loan_table(reconciliation))
}

fn write(table: &Table) -> String {
    let mut out = String::new();
    record(&mut out, table.headers.iter().map(|h| (*h).to_owned()));
    for row in &table.rows {
        record(&mut out, row.iter().map(cell));
    }
    out
}

fn cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => neutralize(text).into_owned(),
        other => other.plain(),
    }
}

/// Fields with a comma, quote or line break are quoted, quotes doubled; CRLF line ends.
fn record(out: &mut String, cells: impl Iterator<Item = String>) {
    let quoted: Vec<String> = cells
        .map(|c| if c.contains([',', '"', '\n', '\r']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c })
        .collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    /// Splits RFC 4180 text into records of fields (enough for these tests: quoted fields
    /// with doubled quotes and commas, no line breaks inside).
    fn parse(text: &str) -> Vec<Vec<String>> {
        text.split_terminator("\r\n")
            .map(|line| {
                let mut fields = Vec::new();
                let mut field = String::new();
                let mut quoted = false;
                let mut chars = line.chars().peekable();
                while let Some(c) = chars.next() {
                    match (c, quoted) {
                        ('"', true) if chars.peek() == Some(&'"') => {
                            field.push('"');
                            chars.next();
                        }
                        ('"', _) => quoted = !quoted,
                        (',', false) => fields.push(std::mem::take(&mut field)),
                        (c, _) => field.push(c),
                    }
                }
                fields.push(field);
                fields
            })
            .collect()
    }

    #[test]
    fn one_row_per_account_with_amounts_as_numbers_and_text_neutralized() {
        let r = fixture::reconciliation();
        let rows = parse(&accounts(&r));
        assert_eq!(rows[0][..6], ["account", "currency", "roles", "servicing", "ledger", "staged"]);
        assert_eq!(rows.len(), 1 + r.accounts.len());
        let hostile = rows.iter().find(|row| row[0].contains("HYPERLINK")).unwrap();
        assert_eq!(hostile[0], "'=HYPERLINK(\"http://evil.example\",\"click\")", "neutralized, quotes kept");
        let loans = rows.iter().find(|row| row[0] == "Assets:Loans").unwrap();
        // A negative amount is data: no quote mark, parses as a number.
        assert_eq!(loans[9], "-75.00");
        assert!(loans[9].parse::<rust_decimal::Decimal>().is_ok());
        assert_eq!(loans[12], "explained");
        assert_eq!(loans[13], "posted outside Tieout -75.00");
        let cash = rows.iter().find(|row| row[0] == "Assets:Cash").unwrap();
        assert_eq!(cash[3], "", "no servicing figure");
    }

    #[test]
    fn the_drill_down_has_a_row_per_loan_and_neutralizes_ids() {
        let r = fixture::reconciliation();
        let rows = parse(&loans(&r));
        assert_eq!(
            rows[0],
            ["account", "currency", "loan", "servicing", "ledger", "staged", "backdated", "difference", "unexplained"]
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1][2], "L-1");
        assert_eq!(rows[2][2], "'-L-2", "a loan id starting with - is text");
        assert_eq!(rows[1][7], "1000.00");
    }
}
