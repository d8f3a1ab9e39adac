//! Tieout's ledger for reconciliation: sums of staged lines per account (and per loan), by where
//! their entry is in the send, aggregated in SQL so that a million loans' lines never come into
//! memory. Only the current staging of each period counts, and only postable entries (the daily
//! accruals an accrual activity summarizes are staged but never sent).
//!
//! Exact sums on both backends: Postgres sums `NUMERIC`. SQLite keeps amounts as decimal text and
//! its `SUM` of text goes through a binary float, so there each amount is split at the point into
//! its integer part and its first nine decimals (an entry's amounts never have more than the
//! currency's minor unit, at most four), both summed as 64-bit integers, and put together again
//! as a `Decimal` here. Line amounts are never negative (the side carries the sign).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};
use tieout_core::ids::{AccountRef, ClientId, EventId, LoanId};
use tieout_core::money::Currency;
use tieout_engine::reconcile::{AccountLedger, Backdated, LoanLedger};

use crate::codec::{Amount, parse_stored};
use crate::conn::Conn;
use crate::error::StoreError;
use crate::types::{Backend, PostingStatus};

/// The memo mark of an entry booked for an event that arrived late (the month close writes
/// "original date YYYY-MM-DD" into it): a cheap filter before the event ids are checked.
const LATE_MEMO: &str = "%original date %";

/// Reconciliation queries over staged entries and postings.
pub struct Ledger<'a> {
    conn: Conn<'a>,
}

impl<'a> Ledger<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        Ledger { conn }
    }

    /// Per account and currency, the lines of the client's proposed postable entries dated on or
    /// before `as_of`, split by their posting's status: posted, sending, unsent (pending, or not
    /// enqueued yet) and failed.
    pub async fn accounts(&self, client: &ClientId, as_of: NaiveDate) -> Result<Vec<AccountLedger>, StoreError> {
        let backend = self.conn.backend();
        let sql = format!(
            "SELECT l.account AS account, e.currency AS currency, p.status AS status, {sums} \
             FROM periods pe CROSS JOIN {proposed} CROSS JOIN staged_lines l \
             LEFT JOIN postings p ON p.client_id = e.client_id AND p.entry_key = e.key \
             WHERE e.staging_id = pe.staging_id AND l.staging_id = e.staging_id AND l.entry_no = e.entry_no \
             AND pe.client_id = ? AND e.is_detail = ? AND e.postable = ? AND e.date <= ? \
             GROUP BY l.account, e.currency, p.status",
            sums = sum_columns(backend, "total", None),
            proposed = proposed_entries(backend),
        );
        let values = vec![Value::from(client.as_str()), Value::from(false), Value::from(true), Value::from(as_of)];
        let rows = self.conn.query_all_raw(statement(backend, &sql, values)).await?;
        let mut out: BTreeMap<(String, Currency), AccountLedger> = BTreeMap::new();
        for row in rows {
            let account: String = row.try_get("", "account")?;
            let currency: Currency = parse_stored("currency", &row.try_get::<String>("", "currency")?)?;
            let status: Option<String> = row.try_get("", "status")?;
            let status: Option<PostingStatus> = status.map(|s| parse_stored("posting status", &s)).transpose()?;
            let amount = read_sum(backend, &row, "total")?;
            let ledger = out
                .entry((account.clone(), currency))
                .or_insert_with(|| AccountLedger::zero(AccountRef::from(account), currency));
            match status {
                Some(PostingStatus::Posted) => ledger.posted += amount,
                Some(PostingStatus::Sending) => ledger.sending += amount,
                Some(PostingStatus::Failed) => ledger.failed += amount,
                Some(PostingStatus::Pending) | None => ledger.unsent += amount,
            }
        }
        Ok(out.into_values().collect())
    }

    /// Per account, currency and loan, the lines of the client's loan-level postable entries
    /// (the detail under summarized entries, or the entries themselves at the `loan` level)
    /// dated on or before `as_of`, on the given accounts: all of them, and the part whose
    /// proposed entry is posted.
    pub async fn loans(
        &self,
        client: &ClientId,
        as_of: NaiveDate,
        accounts: &[AccountRef],
    ) -> Result<Vec<LoanLedger>, StoreError> {
        if accounts.is_empty() {
            return Ok(Vec::new());
        }
        let backend = self.conn.backend();
        let placeholders = vec!["?"; accounts.len()].join(", ");
        let sql = format!(
            "SELECT l.account AS account, e.currency AS currency, l.loan AS loan, {all}, {posted} \
             FROM periods pe \
             JOIN staged_entries e ON e.staging_id = pe.staging_id \
             JOIN staged_lines l ON l.staging_id = e.staging_id AND l.entry_no = e.entry_no \
             JOIN staged_entries s ON s.staging_id = e.staging_id AND s.entry_no = COALESCE(e.summary_no, e.entry_no) \
             LEFT JOIN postings p ON p.client_id = s.client_id AND p.entry_key = s.key \
             WHERE pe.client_id = ? AND e.detail_level = 'loan' AND e.postable = ? AND e.date <= ? \
             AND l.loan IS NOT NULL AND l.account IN ({placeholders}) \
             GROUP BY l.account, e.currency, l.loan",
            all = sum_columns(backend, "total", None),
            posted = sum_columns(backend, "posted", Some("p.status = 'posted'")),
        );
        let mut values = vec![Value::from(client.as_str()), Value::from(true), Value::from(as_of)];
        values.extend(accounts.iter().map(|a| Value::from(a.as_str())));
        let rows = self.conn.query_all_raw(statement(backend, &sql, values)).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let total = read_sum(backend, &row, "total")?;
            let posted = read_sum(backend, &row, "posted")?;
            out.push(LoanLedger {
                account: AccountRef::from(row.try_get::<String>("", "account")?),
                currency: parse_stored("currency", &row.try_get::<String>("", "currency")?)?,
                loan: LoanId::from(row.try_get::<String>("", "loan")?),
                posted,
                unposted: total - posted,
            });
        }
        Ok(out)
    }

    /// Lines booked after `as_of` for events value-dated on or before it (events that arrived
    /// after their month was sent or locked, booked on a later period's first day), per account,
    /// currency and loan, whatever their posting's status.
    pub async fn backdated(&self, client: &ClientId, as_of: NaiveDate) -> Result<Vec<Backdated>, StoreError> {
        let backend = self.conn.backend();
        let late_sql = "SELECT source_id FROM events \
                        WHERE client_id = ? AND booked_on IS NOT NULL AND booked_on > ? AND value_date <= ?";
        let values = vec![Value::from(client.as_str()), Value::from(as_of), Value::from(as_of)];
        let late: BTreeSet<EventId> = self
            .conn
            .query_all_raw(statement(backend, late_sql, values))
            .await?
            .into_iter()
            .map(|row| row.try_get::<String>("", "source_id").map(EventId::from))
            .collect::<Result<_, _>>()?;
        if late.is_empty() {
            return Ok(Vec::new());
        }
        // Few rows: the loan-level lines of late bookings, in the periods the late events are
        // booked into (entries first, then their lines), whose event ids are checked here.
        let sql = "SELECT l.account AS account, e.currency AS currency, l.loan AS loan, l.side AS side, \
                   l.amount AS amount, l.event_ids AS event_ids \
                   FROM periods pe CROSS JOIN staged_entries e CROSS JOIN staged_lines l \
                   WHERE e.staging_id = pe.staging_id AND l.staging_id = e.staging_id AND l.entry_no = e.entry_no \
                   AND pe.client_id = ? AND pe.id IN (SELECT period_id FROM events \
                   WHERE client_id = ? AND booked_on IS NOT NULL AND booked_on > ? AND value_date <= ?) \
                   AND e.detail_level = 'loan' AND e.postable = ? AND e.date > ? AND e.memo LIKE ?";
        let values = vec![
            Value::from(client.as_str()),
            Value::from(client.as_str()),
            Value::from(as_of),
            Value::from(as_of),
            Value::from(true),
            Value::from(as_of),
            Value::from(LATE_MEMO),
        ];
        let mut sums: BTreeMap<(String, Currency, Option<String>), Decimal> = BTreeMap::new();
        for row in self.conn.query_all_raw(statement(backend, sql, values)).await? {
            let events: String = row.try_get("", "event_ids")?;
            let ids: Vec<EventId> = serde_json::from_str(&events)
                .map_err(|e| StoreError::corrupt(format!("event ids '{events}' of a staged line: {e}")))?;
            if !ids.iter().any(|id| late.contains(id)) {
                continue;
            }
            let amount: Amount = row.try_get("", "amount")?;
            let side: String = row.try_get("", "side")?;
            let signed = if side == "debit" { amount.0 } else { -amount.0 };
            let currency: Currency = parse_stored("currency", &row.try_get::<String>("", "currency")?)?;
            let key = (row.try_get::<String>("", "account")?, currency, row.try_get::<Option<String>>("", "loan")?);
            *sums.entry(key).or_default() += signed;
        }
        Ok(sums
            .into_iter()
            .map(|((account, currency, loan), amount)| Backdated {
                account: AccountRef::from(account),
                currency,
                loan: loan.map(LoanId::from),
                amount,
            })
            .collect())
    }
}

/// The proposed entries of a staging, read through the index on `(staging_id, is_detail, key)`
/// so that the loan-level detail entries (most rows, by far) are never visited. SQLite without
/// statistics would scan the staging by primary key instead, so it is told; Postgres' planner
/// has statistics. (If a migration renames the index, SQLite refuses the query: the tests see it.)
fn proposed_entries(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "staged_entries e INDEXED BY ux_staged_entries_staging_key",
        Backend::Postgres => "staged_entries e",
    }
}

/// A statement with `?` placeholders, numbered `$1, $2, …` for Postgres.
fn statement(backend: Backend, sql: &str, values: Vec<Value>) -> Statement {
    match backend {
        Backend::Sqlite => Statement::from_sql_and_values(DbBackend::Sqlite, sql, values),
        Backend::Postgres => {
            let mut numbered = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    numbered.push('$');
                    numbered.push_str(&n.to_string());
                } else {
                    numbered.push(c);
                }
            }
            Statement::from_sql_and_values(DbBackend::Postgres, numbered, values)
        }
    }
}

/// The signed sum (debits minus credits) of `l.amount`, over the rows where `only` holds (all
/// when `None`), as column `name` (Postgres) or `name_units` and `name_nanos` (SQLite).
fn sum_columns(backend: Backend, name: &str, only: Option<&str>) -> String {
    let sign = "CASE WHEN l.side = 'debit' THEN 1 ELSE -1 END";
    let sign = match only {
        Some(condition) => format!("(CASE WHEN {condition} THEN {sign} ELSE 0 END)"),
        None => format!("({sign})"),
    };
    match backend {
        Backend::Postgres => format!("SUM({sign} * l.amount) AS {name}"),
        Backend::Sqlite => {
            let point = "instr(l.amount, '.')";
            let units = format!(
                "CAST(CASE WHEN {point} > 0 THEN substr(l.amount, 1, {point} - 1) ELSE l.amount END AS INTEGER)"
            );
            let nanos = format!(
                "CAST(substr(CASE WHEN {point} > 0 THEN substr(l.amount, {point} + 1) ELSE '' END || '000000000', 1, 9) AS INTEGER)"
            );
            format!("SUM({sign} * {units}) AS {name}_units, SUM({sign} * {nanos}) AS {name}_nanos")
        }
    }
}

/// Reads a sum written by [`sum_columns`].
fn read_sum(backend: Backend, row: &QueryResult, name: &str) -> Result<Decimal, StoreError> {
    match backend {
        Backend::Postgres => Ok(row.try_get::<Option<Amount>>("", name)?.map_or(Decimal::ZERO, |a| a.0)),
        Backend::Sqlite => {
            let units: Option<i64> = row.try_get("", &format!("{name}_units"))?;
            let nanos: Option<i64> = row.try_get("", &format!("{name}_nanos"))?;
            let sum = Decimal::from(units.unwrap_or(0)) + Decimal::new(nanos.unwrap_or(0), 9);
            Ok(sum.normalize())
        }
    }
}
