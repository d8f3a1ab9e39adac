//! Abandon: stop sending a month whose remaining entries cannot be posted without a new proposal
//! (the accounting package refuses an account, and the fix is in the mapping): `sending` →
//! `proposed`, so the month can be reloaded and sent again.
//!
//! Exactly once still holds across it. Posted entries keep their postings: a reload that proposes
//! them again under the same keys finds them posted, and Send never posts them twice (and refuses
//! a proposal that lost one of them, see `send`). The other postings are dropped, so that the new
//! proposal's entries start afresh, but only once the accounting package is known not to hold
//! them: an entry an earlier attempt may have posted (it was claimed) is looked up by its key
//! first, and recorded as posted when found.

use tieout_core::connector::AccountingSink;
use tieout_core::entry::EntryKey;
use tieout_core::ids::ClientId;
use tieout_store::{NewAuditRecord, PeriodStatus, PostingCounts, PostingStatus, Store, YearMonth};

use crate::{Books, PeriodError};

/// What an abandon did.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AbandonReport {
    pub period: YearMonth,
    /// Entries posted to the accounting package: they stay posted.
    pub posted: u64,
    /// Of them, entries found in the accounting package by their key and recorded now (an earlier
    /// attempt had posted them without its answer being recorded).
    pub found: u64,
    /// Entries not in the accounting package whose postings were dropped: the next proposal's
    /// entries are posted afresh.
    pub dropped: u64,
}

impl AbandonReport {
    /// One or more sentences for the user.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "Sending {} was abandoned; the period is proposed again. {} entries stay posted",
            self.period, self.posted
        );
        if self.found > 0 {
            out.push_str(&format!(" ({} of them found in the accounting package just now)", self.found));
        }
        out.push_str(&format!(
            "; {} unposted entries were dropped. Fix the cause (the mapping, or the accounting package), reload the \
             month, then send it: posted entries are never posted twice.",
            self.dropped
        ));
        out
    }
}

/// Abandon: moves a `sending` period back to `proposed` (compare-and-set, audited, in one
/// transaction with the check) — refused while another sender holds a live claim on one of its
/// entries, changing nothing. Then every unposted entry that was ever claimed is looked up in
/// `sink` by its key (found → recorded as posted), and the postings of entries not in the sink
/// are dropped. If a look-up fails, the period stays `proposed` with those entries' postings
/// kept; abandoning again (allowed while such postings are left) finishes the job.
pub async fn abandon(
    store: &Store,
    books: &Books<'_>,
    sink: &dyn AccountingSink,
    period: YearMonth,
    actor: &str,
) -> Result<AbandonReport, PeriodError> {
    let client = books.client;
    let name = client.to_string();
    let status = store.periods().get(client, period).await?.map_or(PeriodStatus::Open, |p| p.status);
    match status {
        PeriodStatus::Sending => stop_sending(store, client, period, actor).await?,
        // An earlier abandon whose look-ups failed: finish it.
        PeriodStatus::Proposed if has_unposted(store, client, period).await? => {}
        status => return Err(PeriodError::CannotAbandon { client: name, period, status }),
    }
    // From here on nothing can claim the period's postings: it is not `sending`.
    let mut report = AbandonReport { period, posted: 0, found: 0, dropped: 0 };
    let mut gone: Vec<EntryKey> = Vec::new();
    let mut failure = None;
    let postings = store.postings().list(client, period).await?;
    let mut left = 0;
    for posting in postings {
        if posting.status == PostingStatus::Posted {
            report.posted += 1;
            continue;
        }
        if posting.attempts == 0 {
            // Never claimed, so never handed to the accounting package.
            gone.push(posting.key);
            continue;
        }
        if failure.is_some() {
            left += 1;
            continue;
        }
        match sink.find_posted(&posting.key).await {
            Ok(Some(external)) => {
                store.postings().mark_posted(client, &posting.key, &external).await?;
                report.posted += 1;
                report.found += 1;
            }
            Ok(None) => gone.push(posting.key),
            Err(error) => {
                tracing::warn!(client = %client, %period, key = %posting.key, error = %error, "Looking an entry up failed; abandon again to finish.");
                failure = Some(error);
                left += 1;
            }
        }
    }
    report.dropped = store.postings().discard_unposted(client, period, &gone).await?;
    tracing::info!(
        client = %client, %period, posted = report.posted, found = report.found, dropped = report.dropped,
        "Abandoned the send."
    );
    match failure {
        Some(error) => Err(PeriodError::AbandonUnfinished { client: name, period, left, error }),
        None => Ok(report),
    }
}

/// `sending` → `proposed` with its audit records, unless a live claim is held: the check and the
/// change are one transaction, which claims (serialized with it on the period's row) cannot
/// slip into.
async fn stop_sending(store: &Store, client: &ClientId, period: YearMonth, actor: &str) -> Result<(), PeriodError> {
    let tx = store.begin().await?;
    tx.periods().transition(client, period, PeriodStatus::Sending, PeriodStatus::Proposed, actor).await?;
    let held = tx.postings().held(client, period).await?;
    if let Some(until) = held.iter().filter_map(|p| p.lease_until).max() {
        tx.rollback().await?;
        return Err(PeriodError::StillSending { client: client.to_string(), period, held: held.len() as u64, until });
    }
    let counts = tx.postings().counts(client, period).await?;
    let subject = format!("period {period}");
    let before = counts_json(PeriodStatus::Sending, &counts);
    let after = format!(r#"{{"status":"{}"}}"#, PeriodStatus::Proposed);
    tx.audit()
        .append(&NewAuditRecord {
            actor,
            action: "period.abandon",
            client: Some(client),
            subject: &subject,
            before: Some(&before),
            after: Some(&after),
        })
        .await?;
    tx.commit().await?;
    Ok(())
}

fn counts_json(status: PeriodStatus, counts: &PostingCounts) -> String {
    format!(
        r#"{{"status":"{status}","posted":{},"sending":{},"pending":{},"failed":{}}}"#,
        counts.posted, counts.sending, counts.pending, counts.failed
    )
}

async fn has_unposted(store: &Store, client: &ClientId, period: YearMonth) -> Result<bool, PeriodError> {
    let counts = store.postings().counts(client, period).await?;
    Ok(counts.total() > counts.posted)
}
