//! COB runs in the job-run ledger: one per client and business date (kind `cob`, partition 0),
//! in date order, each done once.

use chrono::NaiveDate;
use tieout_core::connector::ServicingSource;
use tieout_core::ids::ClientId;
use tieout_store::{JobKey, JobRun, JobStart, JobStatus, Store};

use super::accrue::accrue_day;
use super::{COB_JOB, CobError, CobOptions, CobReport, CobThroughReport};
use crate::sync::{ensure_client, sync_events};
use crate::{Books, SYNC_PAGE_SIZE};

/// Runs COB for `business_date` (DESIGN.md section 6; the module docs say what each step does).
///
/// - The date has run: nothing is done, and the report says so (`ran: false`).
/// - The client's first COB may be any date; after that, `business_date` must be the day after
///   the last one that ran ([`CobError::OutOfOrder`] otherwise: use [`run_cob_through_with`]),
///   and never before it ([`CobError::AfterLaterDate`]).
/// - Another process is running the date: [`CobError::Running`], unless it started longer than
///   `options.stale_after` ago (it died): then this run takes it over and finishes it.
/// - A failure is recorded on the run (with its message) and returned; running the date again
///   resumes it.
pub async fn run_cob_with(
    store: &Store,
    books: &Books<'_>,
    source: &dyn ServicingSource,
    business_date: NaiveDate,
    options: &CobOptions,
) -> Result<CobReport, CobError> {
    let client = books.client;
    ensure_client(store, client).await?;
    let runs = all_runs(store, client).await?;
    let not_run = |synced| CobReport { business_date, ran: false, source_cob: None, synced, accrual: None };
    if runs.iter().any(|r| r.key.business_date == business_date && r.status == JobStatus::Done) {
        tracing::info!(client = %client, business_date = %business_date, job = COB_JOB, "COB had already run.");
        return Ok(not_run(Default::default()));
    }
    if let Some(last_done) = last_done(&runs) {
        if last_done > business_date {
            return Err(CobError::AfterLaterDate {
                client: client.to_string(),
                date: business_date,
                latest: last_done,
            });
        }
        let first_missing = last_done.succ_opt().unwrap_or(last_done);
        if first_missing < business_date {
            return Err(CobError::OutOfOrder {
                client: client.to_string(),
                date: business_date,
                last_done,
                first_missing,
            });
        }
    }

    let key = JobKey { client: client.clone(), kind: COB_JOB.to_owned(), business_date, partition: 0 };
    match store.job_runs().start(&key, &options.owner, options.stale_after).await? {
        JobStart::Started(run) => {
            if run.attempts > 1 {
                tracing::info!(
                    client = %client, business_date = %business_date, job = COB_JOB, attempt = run.attempts,
                    "Resuming a COB that did not finish."
                );
            }
        }
        JobStart::AlreadyDone(_) => return Ok(not_run(Default::default())),
        JobStart::AlreadyRunning(run) => {
            return Err(CobError::Running {
                client: client.to_string(),
                date: business_date,
                owner: run.owner.unwrap_or_default(),
                since: run.started_at,
                stale_minutes: options.stale_after.as_secs().div_ceil(60),
            });
        }
    }
    match run_steps(store, books, source, business_date, options).await {
        Ok(report) => {
            store.job_runs().finish(&key, &options.owner).await?;
            tracing::info!(
                client = %client, business_date = %business_date, job = COB_JOB,
                loans = report.accrual.as_ref().map_or(0, |a| a.loans),
                events = report.accrual.as_ref().map_or(0, |a| a.events),
                "COB done."
            );
            Ok(report)
        }
        Err(err) => {
            if let Err(record) = store.job_runs().fail(&key, &options.owner, &err.to_string()).await {
                tracing::warn!(
                    client = %client, business_date = %business_date, job = COB_JOB, error = %record,
                    "Could not record a failed COB; it is taken over once stale."
                );
            }
            Err(err)
        }
    }
}

async fn run_steps(
    store: &Store,
    books: &Books<'_>,
    source: &dyn ServicingSource,
    business_date: NaiveDate,
    options: &CobOptions,
) -> Result<CobReport, CobError> {
    let capabilities = source.capabilities();
    let source_cob = if capabilities.runs_cob { Some(source.run_cob(business_date).await?) } else { None };
    let synced = sync_events(store, books.client, source, SYNC_PAGE_SIZE).await?;
    let accrual =
        if capabilities.accrues { None } else { Some(accrue_day(store, books, source, business_date, options).await?) };
    Ok(CobReport { business_date, ran: true, source_cob, synced, accrual })
}

/// Runs every date from the day after the last COB that finished through `through`, in order
/// (each as [`run_cob_with`]). Before the client's first COB, it starts on the day of the
/// earliest disbursement among the source's events (synced first), or, with none, on `through`.
/// With every date through `through` run already, it runs nothing.
pub async fn run_cob_through_with(
    store: &Store,
    books: &Books<'_>,
    source: &dyn ServicingSource,
    through: NaiveDate,
    options: &CobOptions,
) -> Result<CobThroughReport, CobError> {
    let client = books.client;
    ensure_client(store, client).await?;
    let previously_through = last_done(&all_runs(store, client).await?);
    let mut synced_new = 0;
    let start = match previously_through {
        Some(last) => last.succ_opt().unwrap_or(last),
        None => {
            synced_new += sync_events(store, client, source, SYNC_PAGE_SIZE).await?.new;
            store.accruals().first_disbursement(client).await?.unwrap_or(through).min(through)
        }
    };
    let mut days = Vec::new();
    for date in start.iter_days().take_while(|date| *date <= through) {
        let day = run_cob_with(store, books, source, date, options).await?;
        synced_new += day.synced.new;
        days.push(day);
    }
    Ok(CobThroughReport { through, previously_through, days, synced_new })
}

/// Every COB run of the client (a few thousand rows after ten years of daily runs).
async fn all_runs(store: &Store, client: &ClientId) -> Result<Vec<JobRun>, CobError> {
    // Dates every backend stores; business dates are far inside them.
    let (from, to) = (NaiveDate::from_ymd_opt(1900, 1, 1), NaiveDate::from_ymd_opt(9999, 12, 31));
    let (Some(from), Some(to)) = (from, to) else { return Ok(Vec::new()) };
    Ok(store.job_runs().list(client, COB_JOB, from, to).await?)
}

fn last_done(runs: &[JobRun]) -> Option<NaiveDate> {
    runs.iter().filter(|r| r.status == JobStatus::Done).map(|r| r.key.business_date).max()
}
