//! Postings: the exactly-once send of DESIGN.md section 8, one row per entry key.
//!
//! ```text
//! pending ──claim──▶ sending ──mark_posted──▶ posted (final)
//!    ▲                 │  ▲
//!    │                 │  └──claim (lease expired or released: look the key up in the sink first)
//!    │                 └──mark_failed──▶ failed ──claim (retryable, after the backoff)──▶ sending
//!    └──────────────── retry_failed ──────┘
//! ```
//!
//! Two counters per posting: `attempts` counts every claim ever made, so a posting claimed
//! before is looked up in the sink before it is posted again (an earlier attempt may have
//! reached it); `tries_since_retry` counts the claims since the posting was created or put back
//! by [`Postings::retry_failed`], and is what `max_attempts` caps. Resetting `attempts` instead
//! would skip the look-up; never resetting anything would leave a posting that gave up once
//! unable to be tried again.
//!
//! A claim is a lease: [`Postings::claim_for_send`] moves claimable postings to `sending`, stamps
//! the owner and the lease's end, and commits before the caller calls the sink. Two processes
//! sending the same period never hold the same posting: the claim is one write transaction
//! (`BEGIN IMMEDIATE` on SQLite; `FOR UPDATE SKIP LOCKED` plus a compare-and-set on Postgres).
//! Keep the lease longer than the sink call's timeout ([`Postings::renew`] extends it): a posting
//! whose lease ran out is taken by the next claim, which must ask the sink for the key first.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, LockBehavior, LockType, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tieout_core::entry::EntryKey;
use tieout_core::ids::{ClientId, ExternalRef};

use super::{insert_rows, lock_period, require_period, rows_per_statement, status_error};
use crate::codec::{after, count_u32, now, parse_stored};
use crate::conn::Conn;
use crate::entity::{periods, postings, staged_entries};
use crate::error::StoreError;
use crate::types::{Backend, PeriodStatus, PostingStatus, YearMonth};

/// A posting as stored.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PostingRecord {
    pub key: EntryKey,
    pub period: YearMonth,
    pub status: PostingStatus,
    /// For a failed posting: whether a later claim may try it again.
    pub retryable: bool,
    pub external_ref: Option<ExternalRef>,
    /// Claims so far (each is at most one call to the sink).
    pub attempts: u32,
    /// Claims since it was created or put back by [`Postings::retry_failed`].
    pub tries_since_retry: u32,
    pub last_error: Option<String>,
    pub claimed_by: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub posted_at: Option<DateTime<Utc>>,
}

/// What to claim.
#[derive(Clone, Debug)]
pub struct ClaimRequest<'r> {
    pub client: &'r ClientId,
    pub period: YearMonth,
    /// Who claims: unique per process start (e.g. `host:pid:start-time`).
    pub owner: &'r str,
    /// How long the claim holds: longer than the sink call's timeout.
    pub lease: Duration,
    /// At most this many (the sink's batch size).
    pub limit: u64,
    /// Retryable failures are claimed again only while `tries_since_retry < max_attempts` …
    pub max_attempts: u32,
    /// … and only this long after they failed.
    pub retry_backoff: Duration,
}

/// One claimed posting: now `sending`, held by the claimer until the lease ends.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ClaimedPosting {
    pub key: EntryKey,
    /// Including this claim.
    pub attempts: u32,
    /// Claims since the posting was created or put back by [`Postings::retry_failed`], including
    /// this one: what a sender compares with its `max_attempts`.
    pub tries_since_retry: u32,
    /// An earlier attempt may have reached the sink: ask the sink for the key
    /// (`AccountingSink::find_posted`) before posting it again.
    pub must_look_up: bool,
}

/// What [`Postings::mark_posted`] did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PostedOutcome {
    Recorded,
    /// It was already recorded with the same external id (a repeated report).
    AlreadyPosted,
}

/// Postings of a period by status.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PostingCounts {
    pub pending: u64,
    pub sending: u64,
    pub posted: u64,
    pub failed: u64,
}

impl PostingCounts {
    pub fn total(&self) -> u64 {
        self.pending + self.sending + self.posted + self.failed
    }
}

/// The postings table.
pub struct Postings<'a> {
    conn: Conn<'a>,
}

impl<'a> Postings<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        Postings { conn }
    }

    /// Creates a `pending` posting for every postable proposed entry of the period's current
    /// staging that has none yet (a key posted before keeps its posting: it is never sent
    /// again). Only while the period is `sending`. Refuses, enqueueing nothing, when a key
    /// already has a posting of another period ([`StoreError::DuplicateKey`]: the same events
    /// were booked into two months). Returns how many were created.
    pub async fn enqueue_period(&self, client: &ClientId, period: YearMonth) -> Result<u64, StoreError> {
        let tx = self.conn.begin_write().await?;
        let row = lock_period(&tx, client, period).await?;
        if row.status != PeriodStatus::Sending {
            return Err(status_error(client, period, "sending", row.status, "enqueueing its entries"));
        }
        let Some(staging_id) = row.staging_id else {
            tx.commit().await?;
            return Ok(0);
        };
        let keys: Vec<String> = staged_entries::Entity::find()
            .select_only()
            .column(staged_entries::Column::Key)
            .filter(staged_entries::Column::StagingId.eq(staging_id))
            .filter(staged_entries::Column::IsDetail.eq(false))
            .filter(staged_entries::Column::Postable.eq(true))
            .order_by_asc(staged_entries::Column::EntryNo)
            .into_tuple()
            .all(&tx)
            .await?;
        let at = now();
        let columns = [
            postings::Column::ClientId,
            postings::Column::PeriodId,
            postings::Column::EntryKey,
            postings::Column::Status,
            postings::Column::Retryable,
            postings::Column::Attempts,
            postings::Column::TriesSinceRetry,
            postings::Column::CreatedAt,
            postings::Column::UpdatedAt,
        ];
        let mut created = 0;
        for chunk in keys.chunks(rows_per_statement(self.conn.backend(), columns.len())) {
            let rows = chunk.iter().map(|key| {
                vec![
                    Expr::val(client.as_str()),
                    Expr::val(row.id),
                    Expr::val(key.as_str()),
                    Expr::val(PostingStatus::Pending.as_str()),
                    Expr::val(false),
                    Expr::val(0),
                    Expr::val(0),
                    Expr::val(at),
                    Expr::val(at),
                ]
            });
            let insert = insert_rows(
                postings::Entity,
                &columns,
                rows,
                Some(
                    OnConflict::columns([postings::Column::ClientId, postings::Column::EntryKey])
                        .do_nothing()
                        .to_owned(),
                ),
            )?;
            let inserted = tx.execute(&insert).await?.rows_affected();
            created += inserted;
            if inserted < chunk.len() as u64 {
                // Some keys have a posting already: fine if it is this period's (a send resumed),
                // refused if another period's (the same events booked in two months).
                let other = postings::Entity::find()
                    .filter(postings::Column::ClientId.eq(client.as_str()))
                    .filter(postings::Column::EntryKey.is_in(chunk.iter().map(String::as_str)))
                    .filter(postings::Column::PeriodId.ne(row.id))
                    .one(&tx)
                    .await?;
                if let Some(other) = other {
                    let other_period = periods::Entity::find_by_id(other.period_id)
                        .one(&tx)
                        .await?
                        .map_or_else(|| format!("row {}", other.period_id), |p| p.period);
                    return Err(StoreError::DuplicateKey {
                        client: client.to_string(),
                        key: other.entry_key,
                        other_period,
                    });
                }
            }
        }
        tx.commit().await?;
        Ok(created)
    }

    /// Claims up to `limit` postings of a `sending` period: pending ones, ones whose lease ran
    /// out (or was released), and retryable failures past their backoff. Each is moved to
    /// `sending` with the claimer and the lease's end, and its attempts counted, in one committed
    /// transaction, before the caller calls the sink. Never returns a posting another live claim
    /// holds.
    pub async fn claim_for_send(&self, request: &ClaimRequest<'_>) -> Result<Vec<ClaimedPosting>, StoreError> {
        let ClaimRequest { client, period, owner, lease, limit, max_attempts, retry_backoff } = *request;
        let at = now();
        let until = after(at, lease);
        let retry_before = at - chrono::Duration::from_std(retry_backoff).unwrap_or(chrono::Duration::zero());
        let tx = self.conn.begin_write().await?;
        let row = lock_period(&tx, client, period).await?;
        if row.status != PeriodStatus::Sending {
            return Err(status_error(client, period, "sending", row.status, "claiming entries to send"));
        }
        let claimable = claimable(at, retry_before, max_attempts);
        let mut select = Query::select();
        select
            .columns([
                postings::Column::Id,
                postings::Column::EntryKey,
                postings::Column::Attempts,
                postings::Column::TriesSinceRetry,
            ])
            .from(postings::Entity)
            .and_where(Expr::col(postings::Column::PeriodId).eq(row.id))
            .and_where(Expr::col(postings::Column::ClientId).eq(client.as_str()))
            .cond_where(claimable.clone())
            .order_by(postings::Column::Id, sea_orm::Order::Asc)
            .limit(limit);
        if self.conn.backend() == Backend::Postgres {
            // Rows another claimer is updating right now are skipped, not waited for.
            select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let candidates = tx.query_all(&select).await?;
        let mut chosen: Vec<(i64, String, i32, i32)> = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            chosen.push((
                candidate.try_get("", "id")?,
                candidate.try_get("", "entry_key")?,
                candidate.try_get("", "attempts")?,
                candidate.try_get("", "tries_since_retry")?,
            ));
        }
        if chosen.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = chosen.iter().map(|c| c.0).collect();
        let updated = postings::Entity::update_many()
            .col_expr(postings::Column::Status, Expr::val(PostingStatus::Sending.as_str()))
            .col_expr(postings::Column::Attempts, Expr::col(postings::Column::Attempts).add(1))
            .col_expr(postings::Column::TriesSinceRetry, Expr::col(postings::Column::TriesSinceRetry).add(1))
            .col_expr(postings::Column::ClaimedBy, Expr::val(owner))
            .col_expr(postings::Column::LeaseUntil, Expr::val(until))
            .col_expr(postings::Column::UpdatedAt, Expr::val(at))
            .filter(postings::Column::Id.is_in(ids.iter().copied()))
            // The compare-and-set: still claimable (a no-op check under the locks, but it keeps
            // the statement correct on its own).
            .filter(claimable)
            .exec(&tx)
            .await?;
        if updated.rows_affected != ids.len() as u64 {
            // Not expected under the locks; if it happens, claim nothing and let the caller retry
            // (an empty answer would mean "nothing left to send").
            drop(tx);
            return Err(StoreError::Database {
                failure: crate::error::DbFailure::Serialization,
                message: "postings changed while being claimed; claim again".to_owned(),
            });
        }
        tx.commit().await?;
        chosen
            .into_iter()
            .map(|(_, key, attempts, tries)| {
                Ok(ClaimedPosting {
                    key: EntryKey::from_raw(key),
                    attempts: count_u32("attempts", attempts)? + 1,
                    tries_since_retry: count_u32("tries_since_retry", tries)? + 1,
                    must_look_up: attempts > 0,
                })
            })
            .collect()
    }

    /// Records that the sink holds the entry under `external_ref`: `posted`, the id and the time
    /// in one transaction. Whoever reports it (the claimer, or a later claimer that found it in
    /// the sink), the first report wins and a repeat of it is harmless; a report with another
    /// external id is [`StoreError::PostedTwice`].
    pub async fn mark_posted(
        &self,
        client: &ClientId,
        key: &EntryKey,
        external_ref: &ExternalRef,
    ) -> Result<PostedOutcome, StoreError> {
        let at = now();
        // Update first, then look: of two reports racing, the first one's update wins and the
        // second finds it posted (under the row lock on Postgres, serialized on SQLite).
        let tx = self.conn.begin_write().await?;
        let result = postings::Entity::update_many()
            .col_expr(postings::Column::Status, Expr::val(PostingStatus::Posted.as_str()))
            .col_expr(postings::Column::ExternalRef, Expr::val(external_ref.as_str()))
            .col_expr(postings::Column::PostedAt, Expr::val(at))
            .col_expr(postings::Column::UpdatedAt, Expr::val(at))
            .col_expr(postings::Column::ClaimedBy, Expr::val(Option::<String>::None))
            .col_expr(postings::Column::LeaseUntil, Expr::val(Option::<DateTime<Utc>>::None))
            .col_expr(postings::Column::LastError, Expr::val(Option::<String>::None))
            .filter(postings::Column::ClientId.eq(client.as_str()))
            .filter(postings::Column::EntryKey.eq(key.as_str()))
            .filter(postings::Column::Status.ne(PostingStatus::Posted.as_str()))
            .exec(&tx)
            .await?;
        if result.rows_affected == 1 {
            tx.commit().await?;
            return Ok(PostedOutcome::Recorded);
        }
        let current = self.find(&tx, client, key).await?;
        tx.commit().await?;
        match current.external_ref {
            Some(recorded) if recorded == external_ref.as_str() => Ok(PostedOutcome::AlreadyPosted),
            recorded => Err(StoreError::PostedTwice {
                client: client.to_string(),
                key: key.to_string(),
                recorded: recorded.unwrap_or_default(),
                reported: external_ref.to_string(),
            }),
        }
    }

    /// Records that the sink refused the entry. Only the claim's owner may, while it holds it
    /// ([`StoreError::LostClaim`] otherwise). Use it only for a definite refusal: when the outcome
    /// is unknown (a timeout), [`Postings::release`] it instead, so the next claim looks it up.
    pub async fn mark_failed(
        &self,
        client: &ClientId,
        key: &EntryKey,
        owner: &str,
        error: &str,
        retryable: bool,
    ) -> Result<(), StoreError> {
        let at = now();
        let result = postings::Entity::update_many()
            .col_expr(postings::Column::Status, Expr::val(PostingStatus::Failed.as_str()))
            .col_expr(postings::Column::Retryable, Expr::val(retryable))
            .col_expr(postings::Column::LastError, Expr::val(error))
            .col_expr(postings::Column::ClaimedBy, Expr::val(Option::<String>::None))
            .col_expr(postings::Column::LeaseUntil, Expr::val(Option::<DateTime<Utc>>::None))
            .col_expr(postings::Column::UpdatedAt, Expr::val(at))
            .filter(owned(client, key, owner))
            .exec(&self.conn)
            .await?;
        self.check_owned(result.rows_affected, client, key, owner).await
    }

    /// Gives a claim up without knowing whether the sink got the entry: it stays `sending`, its
    /// lease ends now, and the next claim takes it (and looks it up first).
    pub async fn release(&self, client: &ClientId, key: &EntryKey, owner: &str) -> Result<(), StoreError> {
        let at = now();
        let result = postings::Entity::update_many()
            .col_expr(postings::Column::ClaimedBy, Expr::val(Option::<String>::None))
            .col_expr(postings::Column::LeaseUntil, Expr::val(at))
            .col_expr(postings::Column::UpdatedAt, Expr::val(at))
            .filter(owned(client, key, owner))
            .exec(&self.conn)
            .await?;
        self.check_owned(result.rows_affected, client, key, owner).await
    }

    /// Extends every lease `owner` holds for the client to `now + lease`; returns how many.
    pub async fn renew(&self, client: &ClientId, owner: &str, lease: Duration) -> Result<u64, StoreError> {
        let at = now();
        let result = postings::Entity::update_many()
            .col_expr(postings::Column::LeaseUntil, Expr::val(after(at, lease)))
            .filter(postings::Column::ClientId.eq(client.as_str()))
            .filter(postings::Column::ClaimedBy.eq(owner))
            .filter(postings::Column::Status.eq(PostingStatus::Sending.as_str()))
            .filter(postings::Column::LeaseUntil.gte(at))
            .exec(&self.conn)
            .await?;
        Ok(result.rows_affected)
    }

    /// Postings left `sending` whose claim has ended: a process died (or timed out) between
    /// marking and recording. Each must be looked up in the sink before it is sent again.
    pub async fn stuck_sending(
        &self,
        client: &ClientId,
        period: Option<YearMonth>,
    ) -> Result<Vec<PostingRecord>, StoreError> {
        let at = now();
        let mut query = postings::Entity::find()
            .filter(postings::Column::ClientId.eq(client.as_str()))
            .filter(postings::Column::Status.eq(PostingStatus::Sending.as_str()))
            .filter(
                Condition::any().add(postings::Column::LeaseUntil.is_null()).add(postings::Column::LeaseUntil.lt(at)),
            );
        if let Some(period) = period {
            let row = require_period(&self.conn, client, period).await?;
            query = query.filter(postings::Column::PeriodId.eq(row.id));
        }
        let rows = query.order_by_asc(postings::Column::Id).all(&self.conn).await?;
        self.records(rows).await
    }

    /// The period's postings held by a live claim right now (`sending`, lease not ended): a sender
    /// is (or may be) calling the sink for them.
    pub async fn held(&self, client: &ClientId, period: YearMonth) -> Result<Vec<PostingRecord>, StoreError> {
        let row = require_period(&self.conn, client, period).await?;
        let rows = postings::Entity::find()
            .filter(postings::Column::PeriodId.eq(row.id))
            .filter(postings::Column::Status.eq(PostingStatus::Sending.as_str()))
            .filter(postings::Column::LeaseUntil.gte(now()))
            .order_by_asc(postings::Column::Id)
            .all(&self.conn)
            .await?;
        self.records(rows).await
    }

    /// Deletes the period's postings of `keys` that are not posted, so that the period's next
    /// proposal starts them afresh (an abandoned send). Only once the period has left `sending`
    /// (then nothing can claim them), and only for postings known not to be in the sink: never
    /// claimed, or looked up there and absent — a new posting of the same key is posted without a
    /// look-up. Posted postings and live claims are kept. Returns how many were deleted.
    pub async fn discard_unposted(
        &self,
        client: &ClientId,
        period: YearMonth,
        keys: &[EntryKey],
    ) -> Result<u64, StoreError> {
        let tx = self.conn.begin_write().await?;
        let row = lock_period(&tx, client, period).await?;
        if matches!(row.status, PeriodStatus::Sending | PeriodStatus::Sent) {
            return Err(status_error(
                client,
                period,
                "open, proposing or proposed",
                row.status,
                "discarding its unposted entries",
            ));
        }
        let at = now();
        let mut deleted = 0;
        for chunk in keys.chunks(rows_per_statement(self.conn.backend(), 1)) {
            let result = postings::Entity::delete_many()
                .filter(postings::Column::PeriodId.eq(row.id))
                .filter(postings::Column::EntryKey.is_in(chunk.iter().map(EntryKey::as_str)))
                .filter(postings::Column::Status.ne(PostingStatus::Posted.as_str()))
                .filter(
                    Condition::any()
                        .add(postings::Column::Status.ne(PostingStatus::Sending.as_str()))
                        .add(postings::Column::LeaseUntil.is_null())
                        .add(postings::Column::LeaseUntil.lt(at)),
                )
                .exec(&tx)
                .await?;
            deleted += result.rows_affected;
        }
        tx.commit().await?;
        Ok(deleted)
    }

    /// Puts the period's failed postings back to `pending` (after the cause was fixed), each with
    /// `max_attempts` tries again (`tries_since_retry` is reset). Attempts are kept, so the next
    /// claim of one that was attempted before looks it up in the sink first.
    pub async fn retry_failed(&self, client: &ClientId, period: YearMonth) -> Result<u64, StoreError> {
        let row = require_period(&self.conn, client, period).await?;
        let result = postings::Entity::update_many()
            .col_expr(postings::Column::Status, Expr::val(PostingStatus::Pending.as_str()))
            .col_expr(postings::Column::Retryable, Expr::val(false))
            .col_expr(postings::Column::TriesSinceRetry, Expr::val(0))
            .col_expr(postings::Column::UpdatedAt, Expr::val(now()))
            .filter(postings::Column::PeriodId.eq(row.id))
            .filter(postings::Column::Status.eq(PostingStatus::Failed.as_str()))
            .exec(&self.conn)
            .await?;
        Ok(result.rows_affected)
    }

    pub async fn get(&self, client: &ClientId, key: &EntryKey) -> Result<Option<PostingRecord>, StoreError> {
        let row = postings::Entity::find()
            .filter(postings::Column::ClientId.eq(client.as_str()))
            .filter(postings::Column::EntryKey.eq(key.as_str()))
            .one(&self.conn)
            .await?;
        match row {
            Some(row) => Ok(self.records(vec![row]).await?.pop()),
            None => Ok(None),
        }
    }

    /// The period's postings in the order they were enqueued.
    pub async fn list(&self, client: &ClientId, period: YearMonth) -> Result<Vec<PostingRecord>, StoreError> {
        let row = require_period(&self.conn, client, period).await?;
        let rows = postings::Entity::find()
            .filter(postings::Column::PeriodId.eq(row.id))
            .order_by_asc(postings::Column::Id)
            .all(&self.conn)
            .await?;
        self.records(rows).await
    }

    pub async fn counts(&self, client: &ClientId, period: YearMonth) -> Result<PostingCounts, StoreError> {
        let row = require_period(&self.conn, client, period).await?;
        let query = Query::select()
            .column(postings::Column::Status)
            .expr_as(Expr::col(postings::Column::Id).count(), Alias::new("n"))
            .from(postings::Entity)
            .and_where(Expr::col(postings::Column::PeriodId).eq(row.id))
            .group_by_col(postings::Column::Status)
            .to_owned();
        let mut counts = PostingCounts::default();
        for result in self.conn.query_all(&query).await? {
            let status: String = result.try_get("", "status")?;
            let n: i64 = result.try_get("", "n")?;
            let n = u64::try_from(n).unwrap_or(0);
            match parse_stored::<PostingStatus>("posting status", &status)? {
                PostingStatus::Pending => counts.pending = n,
                PostingStatus::Sending => counts.sending = n,
                PostingStatus::Posted => counts.posted = n,
                PostingStatus::Failed => counts.failed = n,
            }
        }
        Ok(counts)
    }

    /// The client's periods with at least one posted entry, oldest first, whatever their status:
    /// besides the `sent` and `sending` ones, a period whose send was abandoned part-way (proposed
    /// again) or then reopened. Booking needs them: a new event booked into such a month could join
    /// an entry posted already and change its key. One indexed look-up per period
    /// (`ix_postings_period_status`), however many postings a month has.
    pub async fn periods_with_posted(&self, client: &ClientId) -> Result<Vec<YearMonth>, StoreError> {
        let posted = Query::select()
            .expr(Expr::val(1))
            .from(postings::Entity)
            .and_where(
                Expr::col((postings::Entity, postings::Column::PeriodId))
                    .equals((periods::Entity, periods::Column::Id)),
            )
            .and_where(Expr::col((postings::Entity, postings::Column::Status)).eq(PostingStatus::Posted.as_str()))
            .to_owned();
        let rows = periods::Entity::find()
            .filter(periods::Column::ClientId.eq(client.as_str()))
            .filter(Expr::exists(posted))
            .order_by_asc(periods::Column::Period)
            .all(&self.conn)
            .await?;
        rows.iter().map(|row| parse_stored("period", &row.period)).collect()
    }

    async fn find<C: ConnectionTrait>(
        &self,
        conn: &C,
        client: &ClientId,
        key: &EntryKey,
    ) -> Result<postings::Model, StoreError> {
        postings::Entity::find()
            .filter(postings::Column::ClientId.eq(client.as_str()))
            .filter(postings::Column::EntryKey.eq(key.as_str()))
            .one(conn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("posting {key} of client {client}")))
    }

    async fn check_owned(&self, rows: u64, client: &ClientId, key: &EntryKey, owner: &str) -> Result<(), StoreError> {
        if rows == 1 {
            return Ok(());
        }
        let current = self.find(&self.conn, client, key).await?;
        let status = match current.claimed_by {
            Some(holder) => format!("{} by {holder}", current.status),
            None => current.status,
        };
        Err(StoreError::LostClaim { client: client.to_string(), key: key.to_string(), owner: owner.to_owned(), status })
    }

    async fn records(&self, rows: Vec<postings::Model>) -> Result<Vec<PostingRecord>, StoreError> {
        let mut names: std::collections::BTreeMap<i64, YearMonth> = std::collections::BTreeMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            let period = match names.get(&m.period_id) {
                Some(p) => *p,
                None => {
                    let row = periods::Entity::find_by_id(m.period_id)
                        .one(&self.conn)
                        .await?
                        .ok_or_else(|| StoreError::corrupt(format!("posting {} has no period", m.entry_key)))?;
                    let p: YearMonth = parse_stored("period", &row.period)?;
                    names.insert(m.period_id, p);
                    p
                }
            };
            out.push(PostingRecord {
                key: EntryKey::from_raw(m.entry_key),
                period,
                status: parse_stored("posting status", &m.status)?,
                retryable: m.retryable,
                external_ref: m.external_ref.map(ExternalRef::from),
                attempts: count_u32("attempts", m.attempts)?,
                tries_since_retry: count_u32("tries_since_retry", m.tries_since_retry)?,
                last_error: m.last_error,
                claimed_by: m.claimed_by,
                lease_until: m.lease_until,
                updated_at: m.updated_at,
                posted_at: m.posted_at,
            });
        }
        Ok(out)
    }
}

/// What a claim may take at `at`.
fn claimable(at: DateTime<Utc>, retry_before: DateTime<Utc>, max_attempts: u32) -> Condition {
    let max_attempts = i32::try_from(max_attempts).unwrap_or(i32::MAX);
    Condition::any()
        .add(postings::Column::Status.eq(PostingStatus::Pending.as_str()))
        .add(
            Condition::all().add(postings::Column::Status.eq(PostingStatus::Sending.as_str())).add(
                Condition::any().add(postings::Column::LeaseUntil.is_null()).add(postings::Column::LeaseUntil.lt(at)),
            ),
        )
        .add(
            Condition::all()
                .add(postings::Column::Status.eq(PostingStatus::Failed.as_str()))
                .add(postings::Column::Retryable.eq(true))
                .add(postings::Column::TriesSinceRetry.lt(max_attempts))
                .add(postings::Column::UpdatedAt.lte(retry_before)),
        )
}

/// The posting, `sending` and held by `owner`.
fn owned(client: &ClientId, key: &EntryKey, owner: &str) -> Condition {
    Condition::all()
        .add(postings::Column::ClientId.eq(client.as_str()))
        .add(postings::Column::EntryKey.eq(key.as_str()))
        .add(postings::Column::Status.eq(PostingStatus::Sending.as_str()))
        .add(postings::Column::ClaimedBy.eq(owner))
}
