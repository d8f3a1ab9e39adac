//! XLSX: a workbook with sheets `Accounts` (one row per account and currency), `Loans` (the
//! drill-down), `Unresolved` (servicing balances on no account) and `Summary`.
//!
//! Amounts are numeric cells, so a spreadsheet sums and sorts them and a negative amount is a
//! number, never a formula. Excel keeps numbers as binary floating point; the conversion is
//! rust_xlsxwriter's own (its `rust_decimal` feature), so Tieout's code never holds a float.
//! A float is exact to 15 significant digits, so an amount with more (a trillion with cents) is
//! written as its exact decimal text instead, rather than as a number that is off by a fraction
//! of a cent. Each amount cell has its currency's number format (`#,##0.00` for USD, `#,##0` for
//! JPY). Text cells from outside are neutralized against formula injection.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Color, Format, Workbook, Worksheet, XlsxError};
use tieout_engine::reconcile::Reconciliation;

use crate::ReportError;
use crate::neutralize::neutralize;
use crate::table::{Cell, Table, account_table, loan_table, status, summary_table, unresolved_table};

/// Significant digits a spreadsheet number keeps exactly.
const EXACT_DIGITS: u32 = 15;

/// The workbook's bytes.
pub fn render(reconciliation: &Reconciliation) -> Result<Vec<u8>, ReportError> {
    build(reconciliation).map_err(|e| ReportError::Xlsx(e.to_string()))
}

fn build(r: &Reconciliation) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let mut formats = Formats::default();
    // Rows whose unexplained remainder is an alert are highlighted on the Accounts sheet.
    let alerts: Vec<bool> = r.accounts.iter().map(|a| status(a, r.tolerance) == "unexplained").collect();
    sheet(workbook.add_worksheet(), "Accounts", &account_table(r), &alerts, &mut formats)?;
    sheet(workbook.add_worksheet(), "Loans", &loan_table(r), &[], &mut formats)?;
    sheet(workbook.add_worksheet(), "Unresolved", &unresolved_table(r), &[], &mut formats)?;
    sheet(workbook.add_worksheet(), "Summary", &summary_table(r), &[], &mut formats)?;
    workbook.save_to_buffer()
}

fn sheet(
    ws: &mut Worksheet,
    name: &str,
    table: &Table,
    highlight: &[bool],
    formats: &mut Formats,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let header = Format::new().set_bold();
    for (col, title) in table.headers.iter().enumerate() {
        ws.write_string_with_format(0, col_num(col), *title, &header)?;
    }
    for (i, row) in table.rows.iter().enumerate() {
        let row_num = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        let alert = highlight.get(i).copied().unwrap_or(false);
        for (col, cell) in row.iter().enumerate() {
            let col = col_num(col);
            match cell {
                Cell::Text(text) => {
                    ws.write_string_with_format(row_num, col, neutralize(text), formats.text(alert))?;
                }
                Cell::Amount(Some(amount), currency) => {
                    let format = formats.amount(currency.minor_units(), alert);
                    if fits_a_number(*amount) {
                        ws.write_with_format(row_num, col, *amount, format)?;
                    } else {
                        // Tieout's own decimal text: exact, and never a formula.
                        ws.write_string_with_format(row_num, col, amount.to_string(), format)?;
                    }
                }
                Cell::Amount(None, _) => {
                    ws.write_blank(row_num, col, formats.text(alert))?;
                }
                Cell::Count(n) => {
                    ws.write_with_format(row_num, col, Decimal::from(*n), formats.amount(0, alert))?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    Ok(())
}

/// Whether a spreadsheet number holds `amount` exactly.
fn fits_a_number(amount: Decimal) -> bool {
    amount.mantissa().unsigned_abs() < 10_u128.pow(EXACT_DIGITS)
}

fn col_num(col: usize) -> u16 {
    // Tables have a dozen columns.
    u16::try_from(col).unwrap_or(u16::MAX)
}

/// Cell formats, made once per kind.
#[derive(Default)]
struct Formats {
    amounts: BTreeMap<(u32, bool), Format>,
    text: Option<Format>,
    alert_text: Option<Format>,
}

const ALERT: Color = Color::RGB(0x00FF_E0E0);

impl Formats {
    fn amount(&mut self, decimals: u32, alert: bool) -> &Format {
        self.amounts.entry((decimals, alert)).or_insert_with(|| {
            let pattern =
                if decimals == 0 { "#,##0".to_owned() } else { format!("#,##0.{}", "0".repeat(decimals as usize)) };
            let format = Format::new().set_num_format(pattern);
            if alert { format.set_background_color(ALERT) } else { format }
        })
    }

    fn text(&mut self, alert: bool) -> &Format {
        if alert {
            self.alert_text.get_or_insert_with(|| Format::new().set_background_color(ALERT))
        } else {
            self.text.get_or_insert_with(Format::new)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use rust_decimal_macros::dec;

    use super::*;
    use crate::fixture;

    /// The XML parts of the workbook, by name.
    fn parts(bytes: &[u8]) -> BTreeMap<String, String> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = BTreeMap::new();
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            if file.read_to_string(&mut text).is_ok() {
                let name = file.name_raw().to_vec();
                out.insert(String::from_utf8_lossy(&name).into_owned(), text);
            }
        }
        out
    }

    #[test]
    fn sheets_hold_numbers_as_numbers_and_text_neutralized() {
        let r = fixture::reconciliation();
        let parts = parts(&render(&r).unwrap());
        let workbook = &parts["xl/workbook.xml"];
        for name in ["Accounts", "Loans", "Unresolved", "Summary"] {
            assert!(workbook.contains(&format!("name=\"{name}\"")), "{workbook}");
        }
        let strings = &parts["xl/sharedStrings.xml"];
        assert!(strings.contains("<t>'=HYPERLINK(\"http://evil.example\",\"click\")</t>"), "{strings}");
        assert!(strings.contains("<t>'-L-2</t>"), "{strings}");
        assert!(!strings.contains("<t>=HYPERLINK"), "{strings}");
        let accounts = &parts["xl/worksheets/sheet1.xml"];
        // Assets:Loans' difference, -75.00, is a number cell (no t="s"), not text.
        assert!(accounts.contains("<v>-75</v>"), "{accounts}");
        assert!(!accounts.contains("<f>"), "no formulas at all");
        let loans = &parts["xl/worksheets/sheet2.xml"];
        assert!(loans.contains("<v>1000</v>") && loans.contains("<v>-5</v>"), "{loans}");
        let styles = &parts["xl/styles.xml"];
        assert!(styles.contains("formatCode=\"#,##0.00\""), "{styles}");
    }

    #[test]
    fn amounts_beyond_a_floats_precision_are_exact_text() {
        assert!(fits_a_number(dec!(9999999999999.99)));
        assert!(fits_a_number(dec!(-1.5)));
        assert!(!fits_a_number(dec!(10000000000000.00)));
        assert!(!fits_a_number(dec!(-123456789012345.67)));
    }
}
