//! A reconciliation as tables: the columns every tabular format shares, so CSV, XLSX and HTML
//! say the same thing under the same headers.

use rust_decimal::Decimal;
use tieout_core::money::Currency;
use tieout_engine::reconcile::{AccountRow, Reconciliation};

/// One cell.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Cell {
    /// Text; from outside, so neutralized in spreadsheets and escaped in HTML.
    Text(String),
    /// An amount in a currency; empty when `None` (no servicing figure for the account).
    Amount(Option<Decimal>, Currency),
    /// A count.
    Count(u64),
}

impl Cell {
    fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    fn amount(value: Decimal, currency: Currency) -> Cell {
        Cell::Amount(Some(value), currency)
    }

    /// The cell as plain text: amounts as Tieout's decimal strings, empty for no amount.
    pub fn plain(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Amount(Some(amount), _) => amount.to_string(),
            Cell::Amount(None, _) => String::new(),
            Cell::Count(n) => n.to_string(),
        }
    }
}

/// Headers and rows.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// An account row's state: `tied` (no difference), `explained` (a difference, all explained),
/// `within tolerance` (an unexplained remainder no larger than the tolerance) or `unexplained`.
pub fn status(row: &AccountRow, tolerance: Decimal) -> &'static str {
    if row.unexplained.is_zero() {
        if row.difference.is_zero() { "tied" } else { "explained" }
    } else if row.is_alert(tolerance) {
        "unexplained"
    } else {
        "within tolerance"
    }
}

/// One row per account and currency.
pub fn account_table(r: &Reconciliation) -> Table {
    let headers = vec![
        "account",
        "currency",
        "roles",
        "servicing",
        "ledger",
        "staged",
        "failed",
        "backdated",
        "sink",
        "difference",
        "explained",
        "unexplained",
        "status",
        "explanations",
    ];
    let rows = r
        .accounts
        .iter()
        .map(|a| {
            let c = a.currency;
            let roles: Vec<&str> = a.roles.iter().map(|role| role.as_str()).collect();
            let explanations: Vec<String> =
                a.explanations.iter().map(|e| format!("{} {}", e.kind.label(), e.amount)).collect();
            vec![
                Cell::text(a.account.as_str()),
                Cell::text(c.code()),
                Cell::text(roles.join(" ")),
                Cell::Amount(a.servicing, c),
                Cell::amount(a.ledger, c),
                Cell::amount(a.staged, c),
                Cell::amount(a.failed, c),
                Cell::amount(a.backdated, c),
                Cell::amount(a.sink, c),
                Cell::amount(a.difference, c),
                Cell::amount(a.explained, c),
                Cell::amount(a.unexplained, c),
                Cell::text(status(a, r.tolerance)),
                Cell::text(explanations.join("; ")),
            ]
        })
        .collect();
    Table { headers, rows }
}

/// The drill-down: one row per account and loan listed.
pub fn loan_table(r: &Reconciliation) -> Table {
    let headers =
        vec!["account", "currency", "loan", "servicing", "ledger", "staged", "backdated", "difference", "unexplained"];
    let rows = r
        .drill_down
        .iter()
        .flat_map(|d| {
            let c = d.currency;
            d.loans.iter().map(move |l| {
                vec![
                    Cell::text(d.account.as_str()),
                    Cell::text(c.code()),
                    Cell::text(l.loan.as_str()),
                    Cell::amount(l.servicing, c),
                    Cell::amount(l.ledger, c),
                    Cell::amount(l.staged, c),
                    Cell::amount(l.backdated, c),
                    Cell::amount(l.difference, c),
                    Cell::amount(l.unexplained, c),
                ]
            })
        })
        .collect();
    Table { headers, rows }
}

/// Servicing balances on no account.
pub fn unresolved_table(r: &Reconciliation) -> Table {
    let headers = vec!["product", "office", "role", "currency", "amount", "loans", "problem"];
    let rows = r
        .unresolved
        .iter()
        .map(|u| {
            vec![
                Cell::text(u.product.as_str()),
                Cell::text(u.office.as_ref().map_or("", |o| o.as_str())),
                Cell::text(u.role.as_str()),
                Cell::text(u.currency.code()),
                Cell::amount(u.amount, u.currency),
                Cell::Count(u.loans),
                Cell::text(u.problem.as_str()),
            ]
        })
        .collect();
    Table { headers, rows }
}

/// The run's facts, one per row, and per drilled account how many loans differ (the loan table
/// lists at most the options' maximum of them).
pub fn summary_table(r: &Reconciliation) -> Table {
    let mut rows = vec![
        vec![Cell::text("client"), Cell::text(r.client.as_str())],
        vec![Cell::text("as of"), Cell::text(r.as_of.to_string())],
        vec![Cell::text("loans"), Cell::Count(r.loans)],
        vec![Cell::text("accounts"), Cell::Count(r.accounts.len() as u64)],
        vec![Cell::text("differences total"), Cell::Text(r.differences_total.to_string())],
        vec![Cell::text("unexplained total"), Cell::Text(r.unexplained_total.to_string())],
        vec![Cell::text("tolerance"), Cell::Text(r.tolerance.to_string())],
        vec![Cell::text("alerts"), Cell::Count(r.alerts() as u64)],
    ];
    for d in &r.drill_down {
        rows.push(vec![
            Cell::Text(format!("loans differing on {} ({})", d.account, d.currency)),
            Cell::Count(d.loans_differing),
        ]);
        rows.push(vec![
            Cell::Text(format!("loans unexplained on {} ({})", d.account, d.currency)),
            Cell::Count(d.loans_unexplained),
        ]);
    }
    Table { headers: vec!["item", "value"], rows }
}
