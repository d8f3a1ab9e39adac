//! The job-run ledger (DESIGN.md section 10): one row per (client, kind, business date,
//! partition), made unique by the database, so a double-fired cron tick or a re-delivered job
//! finds the run already done or running instead of doing it twice.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use tieout_core::ids::ClientId;

use super::insert_rows;
use crate::codec::{count_u32, now, parse_stored};
use crate::conn::Conn;
use crate::entity::job_runs;
use crate::error::StoreError;
use crate::types::JobStatus;

/// Which run: a job kind (`cob`, `accrual_activity`, `reconcile`, `propose`, `send`) of a client
/// for a business date, and a partition of the loans (0 when the job is not split).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct JobKey {
    pub client: ClientId,
    pub kind: String,
    pub business_date: NaiveDate,
    pub partition: u32,
}

/// A run as stored.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct JobRun {
    pub key: JobKey,
    pub status: JobStatus,
    pub attempts: u32,
    pub owner: Option<String>,
    pub last_error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// What [`JobRuns::start`] found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum JobStart {
    /// The caller owns the run now: do the work, then `finish` or `fail` it.
    Started(JobRun),
    /// Done before: nothing to do.
    AlreadyDone(JobRun),
    /// Another worker is running it (and started it less than `stale_after` ago).
    AlreadyRunning(JobRun),
}

/// The job_runs table.
pub struct JobRuns<'a> {
    conn: Conn<'a>,
}

impl<'a> JobRuns<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        JobRuns { conn }
    }

    /// Starts the run unless it is done or running. A failed run, or one left `running` longer
    /// than `stale_after` (its worker died), is taken over, counting an attempt; of two callers
    /// racing for the same run, exactly one gets `Started`.
    pub async fn start(&self, key: &JobKey, owner: &str, stale_after: Duration) -> Result<JobStart, StoreError> {
        let at = now();
        let partition = i32::try_from(key.partition).map_err(|_| StoreError::corrupt("partition above 2^31"))?;
        let insert = insert_rows(
            job_runs::Entity,
            &[
                job_runs::Column::ClientId,
                job_runs::Column::Kind,
                job_runs::Column::BusinessDate,
                job_runs::Column::Partition,
                job_runs::Column::Status,
                job_runs::Column::Attempts,
                job_runs::Column::Owner,
                job_runs::Column::StartedAt,
            ],
            [vec![
                Expr::val(key.client.as_str()),
                Expr::val(key.kind.as_str()),
                Expr::val(key.business_date),
                Expr::val(partition),
                Expr::val(JobStatus::Running.as_str()),
                Expr::val(1),
                Expr::val(owner),
                Expr::val(at),
            ]],
            Some(
                OnConflict::columns([
                    job_runs::Column::ClientId,
                    job_runs::Column::Kind,
                    job_runs::Column::BusinessDate,
                    job_runs::Column::Partition,
                ])
                .do_nothing()
                .to_owned(),
            ),
        )?;
        let tx = self.conn.begin_write().await?;
        let inserted = tx.execute(&insert).await?.rows_affected() == 1;
        let current = find(&tx, key).await?.ok_or_else(|| StoreError::NotFound(format!("job run {key:?}")))?;
        if inserted {
            tx.commit().await?;
            return Ok(JobStart::Started(to_run(current)?));
        }
        let status: JobStatus = parse_stored("job status", &current.status)?;
        let stale = current.started_at + chrono::Duration::from_std(stale_after).unwrap_or(chrono::Duration::MAX) < at;
        let outcome = match status {
            JobStatus::Done => JobStart::AlreadyDone(to_run(current)?),
            JobStatus::Running if !stale => JobStart::AlreadyRunning(to_run(current)?),
            JobStatus::Running | JobStatus::Failed => {
                // Take it over: compare-and-set on what we read.
                let result = job_runs::Entity::update_many()
                    .col_expr(job_runs::Column::Status, Expr::val(JobStatus::Running.as_str()))
                    .col_expr(job_runs::Column::Attempts, Expr::col(job_runs::Column::Attempts).add(1))
                    .col_expr(job_runs::Column::Owner, Expr::val(owner))
                    .col_expr(job_runs::Column::StartedAt, Expr::val(at))
                    .col_expr(job_runs::Column::FinishedAt, Expr::val(Option::<DateTime<Utc>>::None))
                    .filter(job_runs::Column::Id.eq(current.id))
                    .filter(job_runs::Column::Status.eq(current.status.as_str()))
                    .filter(job_runs::Column::Attempts.eq(current.attempts))
                    .exec(&tx)
                    .await?;
                let now_row = find(&tx, key).await?.ok_or_else(|| StoreError::NotFound(format!("job run {key:?}")))?;
                if result.rows_affected == 1 {
                    JobStart::Started(to_run(now_row)?)
                } else {
                    JobStart::AlreadyRunning(to_run(now_row)?)
                }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Marks the caller's run done.
    pub async fn finish(&self, key: &JobKey, owner: &str) -> Result<JobRun, StoreError> {
        self.end(key, owner, JobStatus::Done, None).await
    }

    /// Marks the caller's run failed with `error`; a later `start` takes it over.
    pub async fn fail(&self, key: &JobKey, owner: &str, error: &str) -> Result<JobRun, StoreError> {
        self.end(key, owner, JobStatus::Failed, Some(error)).await
    }

    async fn end(
        &self,
        key: &JobKey,
        owner: &str,
        status: JobStatus,
        error: Option<&str>,
    ) -> Result<JobRun, StoreError> {
        let tx = self.conn.begin_write().await?;
        let current = find(&tx, key).await?.ok_or_else(|| StoreError::NotFound(format!("job run {key:?}")))?;
        let mut update = job_runs::Entity::update_many()
            .col_expr(job_runs::Column::Status, Expr::val(status.as_str()))
            .col_expr(job_runs::Column::FinishedAt, Expr::val(now()));
        if let Some(error) = error {
            update = update.col_expr(job_runs::Column::LastError, Expr::val(error));
        }
        let result = update
            .filter(job_runs::Column::Id.eq(current.id))
            .filter(job_runs::Column::Status.eq(JobStatus::Running.as_str()))
            .filter(job_runs::Column::Owner.eq(owner))
            .exec(&tx)
            .await?;
        if result.rows_affected != 1 {
            return Err(StoreError::LostClaim {
                client: key.client.to_string(),
                key: format!("{} {} partition {}", key.kind, key.business_date, key.partition),
                owner: owner.to_owned(),
                status: format!("{} by {}", current.status, current.owner.unwrap_or_default()),
            });
        }
        let run = find(&tx, key).await?.ok_or_else(|| StoreError::NotFound(format!("job run {key:?}")))?;
        tx.commit().await?;
        to_run(run)
    }

    pub async fn get(&self, key: &JobKey) -> Result<Option<JobRun>, StoreError> {
        find(&self.conn, key).await?.map(to_run).transpose()
    }

    /// A client's runs of `kind` with business dates in `from..=to`, by date then partition.
    pub async fn list(
        &self,
        client: &ClientId,
        kind: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<JobRun>, StoreError> {
        let rows = job_runs::Entity::find()
            .filter(job_runs::Column::ClientId.eq(client.as_str()))
            .filter(job_runs::Column::Kind.eq(kind))
            .filter(job_runs::Column::BusinessDate.between(from, to))
            .order_by_asc(job_runs::Column::BusinessDate)
            .order_by_asc(job_runs::Column::Partition)
            .all(&self.conn)
            .await?;
        rows.into_iter().map(to_run).collect()
    }
}

async fn find<C: ConnectionTrait>(conn: &C, key: &JobKey) -> Result<Option<job_runs::Model>, StoreError> {
    let partition = i32::try_from(key.partition).map_err(|_| StoreError::corrupt("partition above 2^31"))?;
    Ok(job_runs::Entity::find()
        .filter(job_runs::Column::ClientId.eq(key.client.as_str()))
        .filter(job_runs::Column::Kind.eq(key.kind.as_str()))
        .filter(job_runs::Column::BusinessDate.eq(key.business_date))
        .filter(job_runs::Column::Partition.eq(partition))
        .one(conn)
        .await?)
}

fn to_run(m: job_runs::Model) -> Result<JobRun, StoreError> {
    Ok(JobRun {
        key: JobKey {
            client: ClientId::from(m.client_id),
            kind: m.kind,
            business_date: m.business_date,
            partition: count_u32("partition", m.partition)?,
        },
        status: parse_stored("job status", &m.status)?,
        attempts: count_u32("attempts", m.attempts)?,
        owner: m.owner,
        last_error: m.last_error,
        started_at: m.started_at,
        finished_at: m.finished_at,
    })
}
