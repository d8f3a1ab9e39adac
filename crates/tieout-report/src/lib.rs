//! Renders a reconciliation (`tieout_engine::reconcile::Reconciliation`) for people and tools:
//!
//! - [`json`]: DESIGN.md section 12's document (`{"as_of", "client", "accounts": [{"account",
//!   "servicing", "ledger", "sink", "difference", "explained"}], "differences_total"}`, decimal
//!   strings) with the detail; the same document the store keeps per run;
//! - [`csv`]: one row per account, and a drill-down file with one row per loan;
//! - [`xlsx`]: a workbook with sheets `Accounts`, `Loans`, `Unresolved` and `Summary`, amounts as
//!   numeric cells;
//! - [`html`]: one self-contained page (no external assets, no script), differences highlighted,
//!   an inline SVG bar chart of the differences per account.
//!
//! Text from outside (account names, loan ids, problems) is untrusted: in CSV and XLSX a cell that
//! starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so a spreadsheet
//! never runs it as a formula ([`neutralize`]); in HTML everything is escaped. Amounts are never
//! neutralized: Tieout formats them itself (digits, one point, a leading minus), so a negative
//! amount stays a number.
//!
//! Pure: rendering returns bytes or text; writing them is the caller's.

pub mod csv;
mod error;
mod format;
pub mod html;
pub mod json;
mod neutralize;
mod table;
pub mod xlsx;

pub use error::ReportError;
pub use format::{Format, UnknownFormat};
pub use neutralize::neutralize;
pub use table::{Cell, Table, account_table, loan_table, status, summary_table, unresolved_table};

use tieout_engine::reconcile::Reconciliation;

/// The main document of `format`: the accounts CSV for [`Format::Csv`] (the loans are
/// [`csv::loans`]).
pub fn render(reconciliation: &Reconciliation, format: Format) -> Result<Vec<u8>, ReportError> {
    Ok(match format {
        Format::Json => json::render(reconciliation)?.into_bytes(),
        Format::Csv => csv::accounts(reconciliation).into_bytes(),
        Format::Xlsx => xlsx::render(reconciliation)?,
        Format::Html => html::render(reconciliation).into_bytes(),
    })
}

#[cfg(test)]
mod fixture;
