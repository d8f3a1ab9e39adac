//! Staged entries and their lines.
//!
//! A period's entries are replaced as a whole by [`Entries::stage`], and the replacement is
//! atomic even though it is written in many transactions: the new entries go into a new
//! *staging* (chunk by chunk, one transaction per chunk), and one small transaction then points
//! the period at it (a compare-and-set on the period's status and previous staging). Readers only
//! ever see the staging the period points at, so they see the old entries or the new ones, never a
//! mix. Stagings left behind by a crash are invisible and are deleted by a later staging.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use tieout_core::entry::{EntryBuilder, EntryHeader, EntryKey, JournalEntry, Line, LineSource, Side};
use tieout_core::event::EventKind;
use tieout_core::ids::{AccountRef, ClientId, EventId, LoanId, OfficeId, ProductId};
use tieout_core::money::{Currency, Money};
use tieout_core::role::Role;
use tieout_engine::summarize::{DetailLevel, Proposed};
use tokio::task::JoinSet;

use super::{find_period, insert_rows, require_period, rows_per_statement, status_error};
use crate::codec::{Amount, now, parse_stored};
use crate::conn::Conn;
use crate::entity::{periods, staged_entries, staged_lines, stagings};
use crate::error::StoreError;
use crate::types::{Backend, PeriodStatus, YearMonth};

/// A proposed entry as stored, with the period it belongs to and the detail level it was
/// summarized at (`loan` when it is itself loan-level).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StagedEntry {
    pub entry: JournalEntry,
    pub period: YearMonth,
    pub detail_level: DetailLevel,
}

/// What [`Entries::stage`] wrote.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct StageReport {
    /// Entries proposed (what is sent).
    pub entries: u64,
    /// Loan-level entries kept under summarized ones, for drill-down.
    pub detail_entries: u64,
    /// Lines of both.
    pub lines: u64,
    /// Whether the period had staged entries before (now replaced).
    pub replaced: bool,
}

/// The current staging of a period.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StagingInfo {
    pub detail_level: DetailLevel,
    pub entries: u64,
    pub lines: u64,
    pub staged_at: DateTime<Utc>,
}

/// Lines written per transaction (several multi-row statements on SQLite, two COPYs on Postgres):
/// few enough that a transaction stays short, many enough that the commits' syncs do not dominate.
const LINES_PER_TX: usize = 25_000;

/// Postgres connections loading one staging's chunks at the same time.
const COPY_CONNECTIONS: usize = 2;

/// Entries per transaction when deleting a replaced staging.
const DELETE_ENTRIES_PER_TX: i32 = 20_000;

/// A staging that never finished is taken for abandoned (its process died) after this long.
const ABANDONED_AFTER_HOURS: i64 = 6;

const ENTRY_COLUMNS: [staged_entries::Column; 15] = [
    staged_entries::Column::StagingId,
    staged_entries::Column::EntryNo,
    staged_entries::Column::ClientId,
    staged_entries::Column::PeriodId,
    staged_entries::Column::Key,
    staged_entries::Column::IsDetail,
    staged_entries::Column::SummaryNo,
    staged_entries::Column::DetailCount,
    staged_entries::Column::Date,
    staged_entries::Column::Kind,
    staged_entries::Column::Currency,
    staged_entries::Column::Memo,
    staged_entries::Column::Postable,
    staged_entries::Column::DetailLevel,
    staged_entries::Column::Total,
];

const LINE_COLUMNS: [staged_lines::Column; 11] = [
    staged_lines::Column::StagingId,
    staged_lines::Column::EntryNo,
    staged_lines::Column::LineNo,
    staged_lines::Column::Side,
    staged_lines::Column::Role,
    staged_lines::Column::Account,
    staged_lines::Column::Amount,
    staged_lines::Column::Product,
    staged_lines::Column::Office,
    staged_lines::Column::Loan,
    staged_lines::Column::EventIds,
];

/// One entry to write: the entry, its number in the staging, and where it sits.
struct Flat<'p> {
    entry: &'p JournalEntry,
    no: i32,
    summary_no: Option<i32>,
    /// Detail entries that follow a summary (numbered right after it).
    details: i32,
    level: DetailLevel,
}

/// The staged_entries and staged_lines tables.
pub struct Entries<'a> {
    conn: Conn<'a>,
}

impl<'a> Entries<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        Entries { conn }
    }

    /// Replaces the period's staged entries with `proposals` (each proposed entry with the
    /// loan-level entries summarized into it), atomically for readers. Allowed while the period
    /// is `open` or `proposing`; refused once it is proposed or beyond. Keys come from the
    /// proposals, so proposing the same events again stores the same keys; a key appears once
    /// in a staging (a unique index). That no key is in two periods is checked when a period is
    /// enqueued for sending ([`crate::Postings::enqueue_period`]).
    ///
    /// On the pool the entries are written one transaction per chunk (multi-row inserts under the
    /// bind-parameter limit), then switched to in one more; inside a [`crate::Tx`] all of it is
    /// in the caller's transaction.
    pub async fn stage(
        &self,
        client: &ClientId,
        period: YearMonth,
        level: DetailLevel,
        proposals: &[Proposed],
    ) -> Result<StageReport, StoreError> {
        let row = require_period(&self.conn, client, period).await?;
        if !row.status.accepts_staging() {
            return Err(status_error(client, period, "open or proposing", row.status, "staging entries"));
        }
        let old_staging = row.staging_id;
        let started_at = now();
        let staging = stagings::ActiveModel {
            id: ActiveValue::NotSet,
            client_id: ActiveValue::Set(client.to_string()),
            period_id: ActiveValue::Set(row.id),
            detail_level: ActiveValue::Set(level.as_str().to_owned()),
            started_at: ActiveValue::Set(started_at),
            finished_at: ActiveValue::Set(None),
            entries: ActiveValue::Set(0),
            lines: ActiveValue::Set(0),
        }
        .insert(&self.conn)
        .await?;
        let staging_id = staging.id;

        let written = self.write_staging(client, row.id, staging_id, level, proposals).await;
        let report = match written {
            Ok(report) => report,
            Err(e) => {
                // Best effort: a leftover staging is invisible and collected later anyway.
                let _ = self.delete_staging(staging_id).await;
                return Err(e);
            }
        };
        match self.switch_to(client, period, row.id, old_staging, staging_id, &report).await {
            Ok(()) => {}
            Err(e) => {
                let _ = self.delete_staging(staging_id).await;
                return Err(e);
            }
        }
        // The old entries are unreachable now; delete them (and any abandoned staging).
        if let Some(old) = old_staging {
            self.delete_staging(old).await?;
        }
        self.collect_abandoned(row.id, staging_id).await?;
        Ok(StageReport { replaced: old_staging.is_some(), ..report })
    }

    async fn write_staging(
        &self,
        client: &ClientId,
        period_id: i64,
        staging_id: i64,
        level: DetailLevel,
        proposals: &[Proposed],
    ) -> Result<StageReport, StoreError> {
        let lines_per_chunk = LINES_PER_TX;
        let mut report = StageReport { entries: 0, detail_entries: 0, lines: 0, replaced: false };
        let mut chunk: Vec<Flat<'_>> = Vec::new();
        let mut chunk_lines = 0usize;
        let mut in_flight = JoinSet::new();
        let mut next_no: i32 = 0;
        let mut take_no = || -> Result<i32, StoreError> {
            let no = next_no;
            next_no =
                next_no.checked_add(1).ok_or_else(|| StoreError::corrupt("more than 2^31 entries in a period"))?;
            Ok(no)
        };
        for proposal in proposals {
            let no = take_no()?;
            let details = i32::try_from(proposal.detail.len())
                .map_err(|_| StoreError::corrupt("more than 2^31 entries under one summary"))?;
            let mut group = vec![Flat { entry: &proposal.entry, no, summary_no: None, details, level }];
            for detail in &proposal.detail {
                group.push(Flat {
                    entry: detail,
                    no: take_no()?,
                    summary_no: Some(no),
                    details: 0,
                    level: DetailLevel::Loan,
                });
            }
            report.entries += 1;
            report.detail_entries += proposal.detail.len() as u64;
            for flat in group {
                let lines = flat.entry.lines().len();
                if chunk_lines + lines > lines_per_chunk && !chunk.is_empty() {
                    self.flush(client, period_id, staging_id, &chunk, &mut in_flight).await?;
                    chunk.clear();
                    chunk_lines = 0;
                }
                chunk_lines += lines;
                report.lines += lines as u64;
                chunk.push(flat);
            }
        }
        if !chunk.is_empty() {
            self.flush(client, period_id, staging_id, &chunk, &mut in_flight).await?;
        }
        while let Some(done) = in_flight.join_next().await {
            done.map_err(copy_task_failed)??;
        }
        Ok(report)
    }

    /// Writes a chunk: on Postgres (pool) as a COPY on one of up to [`COPY_CONNECTIONS`]
    /// connections working side by side (the next chunk is formatted while they load), elsewhere
    /// in line.
    async fn flush(
        &self,
        client: &ClientId,
        period_id: i64,
        staging_id: i64,
        chunk: &[Flat<'_>],
        in_flight: &mut JoinSet<Result<(), StoreError>>,
    ) -> Result<(), StoreError> {
        match (self.conn.backend(), self.conn) {
            (Backend::Postgres, Conn::Pool(db)) => {
                let (entries, lines) = copy_rows(client, period_id, staging_id, chunk)?;
                while in_flight.len() >= COPY_CONNECTIONS {
                    if let Some(done) = in_flight.join_next().await {
                        done.map_err(copy_task_failed)??;
                    }
                }
                let pool = db.get_postgres_connection_pool().clone();
                in_flight.spawn(async move { copy_chunk(&pool, entries, lines).await });
                Ok(())
            }
            _ => self.write_chunk(client, period_id, staging_id, chunk).await,
        }
    }

    /// Writes one chunk of entries and their lines in one transaction.
    async fn write_chunk(
        &self,
        client: &ClientId,
        period_id: i64,
        staging_id: i64,
        chunk: &[Flat<'_>],
    ) -> Result<(), StoreError> {
        let backend = self.conn.backend();
        let tx = match self.conn {
            Conn::Pool(_) => Some(self.conn.begin_write().await?),
            Conn::Tx(_) => None,
        };
        let run: Conn<'_> = match &tx {
            Some(tx) => Conn::Tx(tx),
            None => self.conn,
        };
        for entries in chunk.chunks(rows_per_statement(backend, ENTRY_COLUMNS.len())) {
            let rows = entries.iter().map(|flat| {
                let e = flat.entry;
                vec![
                    Expr::val(staging_id),
                    Expr::val(flat.no),
                    Expr::val(client.as_str()),
                    Expr::val(period_id),
                    Expr::val(e.key().as_str()),
                    Expr::val(flat.summary_no.is_some()),
                    Expr::val(flat.summary_no),
                    Expr::val(flat.details),
                    Expr::val(e.date()),
                    Expr::val(e.kind().as_str()),
                    Expr::val(e.currency().code()),
                    Expr::val(e.memo()),
                    Expr::val(e.is_postable()),
                    Expr::val(flat.level.as_str()),
                    Expr::val(Amount(e.total())),
                ]
            });
            run.execute(&insert_rows(staged_entries::Entity, &ENTRY_COLUMNS, rows, None)?).await?;
        }
        let mut rows = Vec::with_capacity(chunk.iter().map(|f| f.entry.lines().len()).sum());
        for flat in chunk {
            let mut events_json = EventsJson::default();
            for (line_no, line) in flat.entry.lines().iter().enumerate() {
                rows.push(vec![
                    Expr::val(staging_id),
                    Expr::val(flat.no),
                    Expr::val(line_no as i32),
                    Expr::val(line.side().as_str()),
                    Expr::val(line.role().as_str()),
                    Expr::val(line.account().as_str()),
                    Expr::val(Amount(line.amount())),
                    Expr::val(line.product().as_str()),
                    Expr::val(line.office().map(|o| o.as_str())),
                    Expr::val(line.loan().map(|l| l.as_str())),
                    Expr::val(events_json.of(line)?),
                ]);
            }
        }
        let per_statement = rows_per_statement(backend, LINE_COLUMNS.len());
        while !rows.is_empty() {
            let rest = rows.split_off(rows.len().min(per_statement));
            let statement_rows = std::mem::replace(&mut rows, rest);
            run.execute(&insert_rows(staged_lines::Entity, &LINE_COLUMNS, statement_rows, None)?).await?;
        }
        if let Some(tx) = tx {
            tx.commit().await?;
        }
        Ok(())
    }

    /// Points the period at the new staging, if it still accepts staging and still points at
    /// `old` (compare-and-set), after checking no key is staged in another period.
    async fn switch_to(
        &self,
        client: &ClientId,
        period: YearMonth,
        period_id: i64,
        old: Option<i64>,
        new: i64,
        report: &StageReport,
    ) -> Result<(), StoreError> {
        let tx = self.conn.begin_write().await?;
        let at = now();
        let mut update = periods::Entity::update_many()
            .col_expr(periods::Column::StagingId, Expr::val(new))
            .col_expr(periods::Column::UpdatedAt, Expr::val(at))
            .filter(periods::Column::Id.eq(period_id))
            .filter(periods::Column::Status.is_in([PeriodStatus::Open.as_str(), PeriodStatus::Proposing.as_str()]));
        update = match old {
            Some(old) => update.filter(periods::Column::StagingId.eq(old)),
            None => update.filter(periods::Column::StagingId.is_null()),
        };
        if update.exec(&tx).await?.rows_affected != 1 {
            let now_row = find_period(&tx, client, period).await?;
            drop(tx);
            return Err(match now_row {
                Some(row) if !row.status.accepts_staging() => {
                    status_error(client, period, "open or proposing", row.status, "staging entries")
                }
                _ => StoreError::StagingConflict { client: client.to_string(), period: period.to_string() },
            });
        }
        stagings::Entity::update_many()
            .col_expr(stagings::Column::FinishedAt, Expr::val(at))
            .col_expr(stagings::Column::Entries, Expr::val((report.entries + report.detail_entries) as i64))
            .col_expr(stagings::Column::Lines, Expr::val(report.lines as i64))
            .filter(stagings::Column::Id.eq(new))
            .exec(&tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a staging's lines and entries in bounded transactions, then the staging.
    async fn delete_staging(&self, staging_id: i64) -> Result<(), StoreError> {
        let max_row = self
            .conn
            .query_one(
                Query::select()
                    .expr_as(Expr::col(staged_entries::Column::EntryNo).max(), Alias::new("m"))
                    .from(staged_entries::Entity)
                    .and_where(Expr::col(staged_entries::Column::StagingId).eq(staging_id)),
            )
            .await?;
        let max_no: Option<i32> = match max_row {
            Some(row) => row.try_get("", "m")?,
            None => None,
        };
        let mut low = 0;
        while let Some(max_no) = max_no {
            if low > max_no {
                break;
            }
            let high = low.saturating_add(DELETE_ENTRIES_PER_TX);
            let tx = self.conn.begin_write().await?;
            staged_lines::Entity::delete_many()
                .filter(staged_lines::Column::StagingId.eq(staging_id))
                .filter(staged_lines::Column::EntryNo.gte(low))
                .filter(staged_lines::Column::EntryNo.lt(high))
                .exec(&tx)
                .await?;
            staged_entries::Entity::delete_many()
                .filter(staged_entries::Column::StagingId.eq(staging_id))
                .filter(staged_entries::Column::EntryNo.gte(low))
                .filter(staged_entries::Column::EntryNo.lt(high))
                .exec(&tx)
                .await?;
            tx.commit().await?;
            low = high;
        }
        stagings::Entity::delete_by_id(staging_id).exec(&self.conn).await?;
        Ok(())
    }

    /// Deletes stagings of the period that are neither current nor recent.
    async fn collect_abandoned(&self, period_id: i64, current: i64) -> Result<(), StoreError> {
        let cutoff = now() - ChronoDuration::hours(ABANDONED_AFTER_HOURS);
        let stale = stagings::Entity::find()
            .filter(stagings::Column::PeriodId.eq(period_id))
            .filter(stagings::Column::Id.ne(current))
            .filter(
                Condition::any()
                    .add(stagings::Column::FinishedAt.is_not_null())
                    .add(stagings::Column::StartedAt.lt(cutoff)),
            )
            .all(&self.conn)
            .await?;
        for staging in stale {
            self.delete_staging(staging.id).await?;
        }
        Ok(())
    }

    /// The period's proposed entries (not the loan-level detail under them), in staging order.
    pub async fn list(&self, client: &ClientId, period: YearMonth) -> Result<Vec<StagedEntry>, StoreError> {
        let Some(row) = find_period(&self.conn, client, period).await? else {
            return Ok(Vec::new());
        };
        let Some(staging_id) = row.staging_id else {
            return Ok(Vec::new());
        };
        let entries = staged_entries::Entity::find()
            .filter(staged_entries::Column::StagingId.eq(staging_id))
            .filter(staged_entries::Column::IsDetail.eq(false))
            .order_by_asc(staged_entries::Column::EntryNo)
            .all(&self.conn)
            .await?;
        let lines = staged_lines::Entity::find()
            .filter(staged_lines::Column::StagingId.eq(staging_id))
            .filter(
                staged_lines::Column::EntryNo.in_subquery(
                    Query::select()
                        .column(staged_entries::Column::EntryNo)
                        .from(staged_entries::Entity)
                        .and_where(Expr::col(staged_entries::Column::StagingId).eq(staging_id))
                        .and_where(Expr::col(staged_entries::Column::IsDetail).eq(false))
                        .to_owned(),
                ),
            )
            .order_by_asc(staged_lines::Column::EntryNo)
            .order_by_asc(staged_lines::Column::LineNo)
            .all(&self.conn)
            .await?;
        assemble(entries, lines)?
            .into_iter()
            .map(|(entry, level)| Ok(StagedEntry { entry, period, detail_level: level }))
            .collect()
    }

    /// The proposed entry with this key in the client's current stagings.
    pub async fn get(&self, client: &ClientId, key: &EntryKey) -> Result<Option<StagedEntry>, StoreError> {
        Ok(self.by_keys(client, std::slice::from_ref(key)).await?.into_iter().next())
    }

    /// The proposed entries with these keys in the client's current stagings (a batch to send),
    /// in the order of `keys`; keys not staged are left out.
    pub async fn by_keys(&self, client: &ClientId, keys: &[EntryKey]) -> Result<Vec<StagedEntry>, StoreError> {
        let mut found: BTreeMap<String, StagedEntry> = BTreeMap::new();
        let per_statement = rows_per_statement(self.conn.backend(), 1).saturating_sub(16);
        for chunk in keys.chunks(per_statement.max(1)) {
            let rows = staged_entries::Entity::find()
                .filter(staged_entries::Column::ClientId.eq(client.as_str()))
                .filter(staged_entries::Column::IsDetail.eq(false))
                .filter(staged_entries::Column::Key.is_in(chunk.iter().map(EntryKey::as_str)))
                .filter(staged_entries::Column::StagingId.in_subquery(current_stagings(client)))
                .order_by_asc(staged_entries::Column::StagingId)
                .order_by_asc(staged_entries::Column::EntryNo)
                .all(&self.conn)
                .await?;
            for staged in self.with_lines(rows).await? {
                found.insert(staged.entry.key().as_str().to_owned(), staged);
            }
        }
        Ok(keys.iter().filter_map(|key| found.remove(key.as_str())).collect())
    }

    /// The loan-level entries summarized into the proposed entry `key` (empty for a loan-level
    /// entry or an unknown key).
    pub async fn detail(&self, client: &ClientId, key: &EntryKey) -> Result<Vec<JournalEntry>, StoreError> {
        let summary = staged_entries::Entity::find()
            .filter(staged_entries::Column::ClientId.eq(client.as_str()))
            .filter(staged_entries::Column::IsDetail.eq(false))
            .filter(staged_entries::Column::Key.eq(key.as_str()))
            .filter(staged_entries::Column::StagingId.in_subquery(current_stagings(client)))
            .one(&self.conn)
            .await?;
        let Some(summary) = summary else {
            return Ok(Vec::new());
        };
        // Detail entries are numbered right after their summary: a range of the primary key.
        let details = staged_entries::Entity::find()
            .filter(staged_entries::Column::StagingId.eq(summary.staging_id))
            .filter(staged_entries::Column::EntryNo.gt(summary.entry_no))
            .filter(staged_entries::Column::EntryNo.lte(summary.entry_no.saturating_add(summary.detail_count)))
            .filter(staged_entries::Column::SummaryNo.eq(summary.entry_no))
            .order_by_asc(staged_entries::Column::EntryNo)
            .all(&self.conn)
            .await?;
        Ok(self.with_lines(details).await?.into_iter().map(|s| s.entry).collect())
    }

    /// The period's current staging: when, at which level, how many entries and lines.
    pub async fn staging(&self, client: &ClientId, period: YearMonth) -> Result<Option<StagingInfo>, StoreError> {
        let Some(row) = find_period(&self.conn, client, period).await? else {
            return Ok(None);
        };
        let Some(staging_id) = row.staging_id else {
            return Ok(None);
        };
        let Some(staging) = stagings::Entity::find_by_id(staging_id).one(&self.conn).await? else {
            return Ok(None);
        };
        Ok(Some(StagingInfo {
            detail_level: parse_stored("detail level", &staging.detail_level)?,
            entries: u64::try_from(staging.entries).unwrap_or(0),
            lines: u64::try_from(staging.lines).unwrap_or(0),
            staged_at: staging.finished_at.unwrap_or(staging.started_at),
        }))
    }

    /// Reads the lines of `rows` (entries of any stagings) and builds the entries.
    async fn with_lines(&self, rows: Vec<staged_entries::Model>) -> Result<Vec<StagedEntry>, StoreError> {
        let mut by_staging: BTreeMap<i64, Vec<staged_entries::Model>> = BTreeMap::new();
        for row in rows {
            by_staging.entry(row.staging_id).or_default().push(row);
        }
        let mut out = Vec::new();
        let per_statement = rows_per_statement(self.conn.backend(), 1).saturating_sub(16).max(1);
        for (staging_id, entries) in by_staging {
            let period_id = entries.first().map(|e| e.period_id).unwrap_or_default();
            let period_row = periods::Entity::find_by_id(period_id)
                .one(&self.conn)
                .await?
                .ok_or_else(|| StoreError::corrupt(format!("staging {staging_id} belongs to no period")))?;
            let period: YearMonth = parse_stored("period", &period_row.period)?;
            let mut lines = Vec::new();
            for numbers in entries.chunks(per_statement) {
                lines.extend(
                    staged_lines::Entity::find()
                        .filter(staged_lines::Column::StagingId.eq(staging_id))
                        .filter(staged_lines::Column::EntryNo.is_in(numbers.iter().map(|e| e.entry_no)))
                        .order_by_asc(staged_lines::Column::EntryNo)
                        .order_by_asc(staged_lines::Column::LineNo)
                        .all(&self.conn)
                        .await?,
                );
            }
            for (entry, level) in assemble(entries, lines)? {
                out.push(StagedEntry { entry, period, detail_level: level });
            }
        }
        Ok(out)
    }
}

/// `SELECT staging_id FROM periods WHERE client_id = ? AND staging_id IS NOT NULL`.
fn current_stagings(client: &ClientId) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(periods::Column::StagingId)
        .from(periods::Entity)
        .and_where(Expr::col(periods::Column::ClientId).eq(client.as_str()))
        .and_where(Expr::col(periods::Column::StagingId).is_not_null())
        .to_owned()
}

/// Builds entries from their rows and their lines (both ordered by entry number).
fn assemble(
    entries: Vec<staged_entries::Model>,
    lines: Vec<staged_lines::Model>,
) -> Result<Vec<(JournalEntry, DetailLevel)>, StoreError> {
    let mut lines = lines.into_iter().peekable();
    let mut out = Vec::with_capacity(entries.len());
    for row in entries {
        let currency: Currency = parse_stored("currency", &row.currency)?;
        let kind: EventKind = parse_stored("event kind", &row.kind)?;
        let level: DetailLevel = parse_stored("detail level", &row.detail_level)?;
        let header = EntryHeader { date: row.date, currency, kind, memo: row.memo, postable: row.postable };
        let mut builder = EntryBuilder::new(header);
        let mut shared: Option<(String, Arc<[EventId]>)> = None;
        while let Some(line) = lines.next_if(|l| l.entry_no == row.entry_no) {
            let side: Side = match line.side.as_str() {
                "debit" => Side::Debit,
                "credit" => Side::Credit,
                other => return Err(StoreError::corrupt(format!("line side '{other}'"))),
            };
            let role: Role = parse_stored("role", &line.role)?;
            let events: Arc<[EventId]> = match &shared {
                Some((json, ids)) if *json == line.event_ids => ids.clone(),
                _ => {
                    let ids: Vec<String> = serde_json::from_str(&line.event_ids)
                        .map_err(|e| StoreError::corrupt(format!("event ids of entry {}: {e}", row.key)))?;
                    let ids: Arc<[EventId]> = ids.into_iter().map(EventId::from).collect();
                    shared = Some((line.event_ids.clone(), ids.clone()));
                    ids
                }
            };
            let source = LineSource {
                product: ProductId::from(line.product),
                office: line.office.map(OfficeId::from),
                loan: line.loan.map(LoanId::from),
                events,
            };
            builder.push(side, Money::new(line.amount.0, currency), role, AccountRef::from(line.account), source);
        }
        let entry = builder
            .build(EntryKey::from_raw(row.key.clone()))
            .map_err(|e| StoreError::corrupt(format!("staged entry {}: {e}", row.key)))?;
        if entry.total() != row.total.0 {
            return Err(StoreError::corrupt(format!(
                "staged entry {}: total {} but its lines sum to {}",
                row.key,
                row.total.0,
                entry.total()
            )));
        }
        out.push((entry, level));
    }
    Ok(out)
}

/// JSON arrays of a line's event ids; summarized lines share one list, encoded once.
#[derive(Default)]
struct EventsJson {
    last: Option<(Arc<[EventId]>, String)>,
}

impl EventsJson {
    fn of(&mut self, line: &Line) -> Result<String, StoreError> {
        let events = &line.source().events;
        if let Some((ids, json)) = &self.last
            && Arc::ptr_eq(ids, events)
        {
            return Ok(json.clone());
        }
        let json = serde_json::to_string(&**events).map_err(|e| StoreError::corrupt(format!("event ids: {e}")))?;
        self.last = Some((events.clone(), json.clone()));
        Ok(json)
    }
}

/// A chunk's entries and lines in COPY's text format.
fn copy_rows(
    client: &ClientId,
    period_id: i64,
    staging_id: i64,
    chunk: &[Flat<'_>],
) -> Result<(String, String), StoreError> {
    use std::fmt::Write as _;
    let mut entries = String::with_capacity(chunk.len() * 160);
    let mut lines = String::with_capacity(chunk.len() * 4 * 120);
    let write_err = |_| StoreError::corrupt("formatting a COPY row");
    for flat in chunk {
        let e = flat.entry;
        let summary = flat.summary_no.map_or_else(|| "\\N".to_owned(), |n| n.to_string());
        writeln!(
            entries,
            "{staging_id}\t{}\t{}\t{period_id}\t{}\t{}\t{summary}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            flat.no,
            copy_text(client.as_str()),
            copy_text(e.key().as_str()),
            if flat.summary_no.is_some() { 't' } else { 'f' },
            flat.details,
            e.date(),
            e.kind().as_str(),
            e.currency().code(),
            copy_text(e.memo()),
            if e.is_postable() { 't' } else { 'f' },
            flat.level.as_str(),
            e.total(),
        )
        .map_err(write_err)?;
        let mut events_json = EventsJson::default();
        for (line_no, line) in e.lines().iter().enumerate() {
            writeln!(
                lines,
                "{staging_id}\t{}\t{line_no}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                flat.no,
                line.side().as_str(),
                line.role().as_str(),
                copy_text(line.account().as_str()),
                line.amount(),
                copy_text(line.product().as_str()),
                line.office().map_or_else(|| "\\N".into(), |o| copy_text(o.as_str())),
                line.loan().map_or_else(|| "\\N".into(), |l| copy_text(l.as_str())),
                copy_text(&events_json.of(line)?),
            )
            .map_err(write_err)?;
        }
    }
    Ok((entries, lines))
}

/// Postgres: writes a chunk with `COPY … FROM STDIN` (text format) in one transaction, several
/// times faster than multi-row INSERTs of the same rows. COPY has no schema-builder statement.
async fn copy_chunk(pool: &sea_orm::sqlx::PgPool, entries: String, lines: String) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let mut copy = tx
        .copy_in_raw(
            "COPY staged_entries (staging_id, entry_no, client_id, period_id, key, is_detail, summary_no, detail_count, \
             date, kind, currency, memo, postable, detail_level, total) FROM STDIN",
        )
        .await?;
    copy.send(entries.as_bytes()).await?;
    copy.finish().await?;
    let mut copy = tx
        .copy_in_raw(
            "COPY staged_lines (staging_id, entry_no, line_no, side, role, account, amount, product, office, loan, \
             event_ids) FROM STDIN",
        )
        .await?;
    copy.send(lines.as_bytes()).await?;
    copy.finish().await?;
    tx.commit().await?;
    Ok(())
}

/// A value in COPY's text format: backslash, tab, newline and carriage return escaped.
fn copy_text(value: &str) -> std::borrow::Cow<'_, str> {
    if !value.contains(['\\', '\t', '\n', '\r']) {
        return std::borrow::Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn copy_task_failed(e: tokio::task::JoinError) -> StoreError {
    StoreError::Database {
        failure: crate::error::DbFailure::Other,
        message: format!("a COPY task ended abnormally: {e}"),
    }
}
