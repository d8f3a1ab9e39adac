//! Send: post a proposed month to the accounting package exactly once (DESIGN.md section 8).
//!
//! Each entry has a posting row. A batch is claimed (committed `sending` with an owner and a
//! lease) before the sink is called. A claim that was attempted before is first looked up in the
//! sink by its key (`find_posted`): found means posted, recorded without posting again. Per-item
//! outcomes: posted → `posted` with the external id; a definite refusal → `failed`; an unknown
//! outcome (timeout, sink unavailable) → released, looked up on the next claim.
//!
//! A month whose send was abandoned (see `abandon`) and proposed again keeps the postings of its
//! posted entries: the new proposal must contain each of them under its key, or Send refuses
//! (their events would otherwise be posted a second time under another key).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tieout_core::connector::{AccountMapping, AccountingSink, Dimensions, Posting, Retryable};
use tieout_core::entry::{EntryKey, JournalEntry};
use tieout_store::{ClaimRequest, ClaimedPosting, PeriodStatus, PostingCounts, PostingStatus, Store, YearMonth};

use crate::validate::locked_entries;
use crate::{Books, PeriodError};

/// How a send behaves.
#[derive(Clone, Debug)]
pub struct SendOptions {
    /// How long a claim holds: longer than one sink call can take.
    pub lease: Duration,
    /// Claims per entry before an entry whose outcome stays unknown is marked failed; each Send
    /// that resumes a period gives its failed entries this many claims again.
    pub max_attempts: u32,
    /// Pause before claiming again after an unknown outcome.
    pub retry_pause: Duration,
}

impl Default for SendOptions {
    fn default() -> Self {
        SendOptions { lease: Duration::from_secs(300), max_attempts: 5, retry_pause: Duration::from_secs(2) }
    }
}

/// An entry the accounting package refused.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FailedPosting {
    pub key: EntryKey,
    pub error: String,
    pub retryable: bool,
}

/// What a send did, and where the period is now.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SendReport {
    pub period: YearMonth,
    /// `sent` when every entry is posted; `sending` while some are failed.
    pub status: PeriodStatus,
    /// Entries posted by this call.
    pub posted: u64,
    /// Entries found already in the sink (an earlier attempt got there) and recorded, not posted again.
    pub found: u64,
    /// The period's postings by status, after this call.
    pub counts: PostingCounts,
    /// Entries that failed (this call or earlier), with the sink's reason.
    pub failed: Vec<FailedPosting>,
}

impl SendReport {
    /// One or more sentences for the user.
    pub fn summary(&self) -> String {
        let total = self.counts.total();
        if self.status == PeriodStatus::Sent {
            return format!("Period {} is sent: all {total} entries are posted.", self.period);
        }
        let mut out = format!(
            "Period {} is still sending: {} of {total} entries are posted, {} failed.",
            self.period, self.counts.posted, self.counts.failed
        );
        if self.counts.sending + self.counts.pending > 0 {
            out.push_str(&format!(
                " {} are held by another sender or have an unknown outcome: send again in a few minutes (they are \
                 looked up in the accounting package before being posted again).",
                self.counts.sending + self.counts.pending
            ));
        }
        for failed in &self.failed {
            out.push_str(&format!(" Entry {} failed: {}.", failed.key, failed.error));
        }
        out.push_str(
            " Fix the cause (in the accounting package or the mapping), then send again: failed entries are retried, \
             posted ones are never posted twice.",
        );
        out
    }
}

/// Send: refuses unless the period is `proposed` with zero blocking problems, by a user other
/// than the preparer when the client requires it, and with no entry on or before the sink's lock
/// date; then `proposed` → `sending` and posts every postable entry exactly once, in batches of
/// the sink's `max_batch`. When all are posted the period becomes `sent`. A period already
/// `sending` (a crash, failed entries) is resumed: failed entries are retried, and entries an
/// earlier attempt may have posted are looked up in the sink first. Refusals change nothing.
pub async fn send(
    store: &Store,
    books: &Books<'_>,
    sink: &dyn AccountingSink,
    period: YearMonth,
    actor: &str,
    options: &SendOptions,
) -> Result<SendReport, PeriodError> {
    let client = books.client;
    let name = client.to_string();
    let current = store.periods().get(client, period).await?.ok_or(PeriodError::NotProposed {
        client: name.clone(),
        period,
        status: PeriodStatus::Open,
    })?;
    if books.separation_of_duties
        && matches!(current.status, PeriodStatus::Proposed | PeriodStatus::Sending)
        && current.closed_by.as_deref() == Some(actor)
    {
        return Err(PeriodError::SameUser { client: name, period, user: actor.to_owned() });
    }
    match current.status {
        PeriodStatus::Proposed => {
            let blocking = store.problems().count_blocking(client, period).await?;
            if blocking > 0 {
                return Err(PeriodError::Blocked { client: name, period, blocking });
            }
            let posted_before = check_earlier_postings(store, client, period).await?;
            if let Some(lock_date) = sink.lock_date().await? {
                let entries = store.entries().list(client, period).await?;
                // As the proposal's `locked` check: entries posted before an abandon do not count.
                let locked = locked_entries(entries.iter().map(|e| &e.entry), &posted_before, lock_date);
                if let Some(first) = locked.iter().map(|e| e.date()).min() {
                    return Err(PeriodError::Locked { client: name, period, lock_date, first });
                }
            }
            let moved =
                store.periods().transition(client, period, PeriodStatus::Proposed, PeriodStatus::Sending, actor).await;
            // Another sender won the compare-and-set: help it send rather than fail — or, when it
            // has finished already (`sent`), report that (enqueue and claim below find it sent).
            if let Err(err) = moved
                && !matches!(status_now(store, books, period).await?, PeriodStatus::Sending | PeriodStatus::Sent)
            {
                return Err(err.into());
            }
        }
        PeriodStatus::Sending => {
            // Resumed: entries refused before are tried again (looked up first).
            store.postings().retry_failed(client, period).await?;
        }
        status @ PeriodStatus::Sent => return Err(PeriodError::AlreadySent { client: name, period, status }),
        status => return Err(PeriodError::NotProposed { client: name, period, status }),
    }
    // Again now that the proposal cannot change (a reload may have slipped in before `sending`).
    check_earlier_postings(store, client, period).await?;
    // Idempotent: keys that have a posting keep it (a crash between the two steps loses nothing).
    if let Err(err) = store.postings().enqueue_period(client, period).await {
        finished_by_another(store, books, period, err).await?;
    }

    let owner = claim_owner();
    let batch = sink.capabilities().max_batch.max(1);
    let mut report = SendReport {
        period,
        status: PeriodStatus::Sending,
        posted: 0,
        found: 0,
        counts: PostingCounts::default(),
        failed: Vec::new(),
    };
    let request = ClaimRequest {
        client,
        period,
        owner: &owner,
        lease: options.lease,
        limit: batch as u64,
        max_attempts: options.max_attempts,
        retry_backoff: Duration::ZERO,
    };
    loop {
        let claimed = match store.postings().claim_for_send(&request).await {
            Ok(claimed) => claimed,
            Err(err) => {
                finished_by_another(store, books, period, err).await?;
                break;
            }
        };
        if claimed.is_empty() {
            break;
        }
        let unknown = send_batch(store, books, sink, &owner, options, &claimed, &mut report).await?;
        if unknown && !options.retry_pause.is_zero() {
            tokio::time::sleep(options.retry_pause).await;
        }
    }

    report.counts = store.postings().counts(client, period).await?;
    if status_now(store, books, period).await? == PeriodStatus::Sent {
        report.status = PeriodStatus::Sent;
    } else if report.counts.posted == report.counts.total() {
        let moved = store.periods().transition(client, period, PeriodStatus::Sending, PeriodStatus::Sent, actor).await;
        // Another sender finishing at the same moment marked it sent first.
        if let Err(err) = moved
            && status_now(store, books, period).await? != PeriodStatus::Sent
        {
            return Err(err.into());
        }
        report.status = PeriodStatus::Sent;
    } else {
        report.failed = store
            .postings()
            .list(client, period)
            .await?
            .into_iter()
            .filter(|p| p.status == PostingStatus::Failed)
            .map(|p| FailedPosting { key: p.key, error: p.last_error.unwrap_or_default(), retryable: p.retryable })
            .collect();
    }
    tracing::info!(client = %client, %period, posted = report.posted, found = report.found, status = %report.status, "Send finished.");
    Ok(report)
}

/// Sends one claimed batch; returns whether some outcome stayed unknown (released for a retry).
async fn send_batch(
    store: &Store,
    books: &Books<'_>,
    sink: &dyn AccountingSink,
    owner: &str,
    options: &SendOptions,
    claimed: &[ClaimedPosting],
    report: &mut SendReport,
) -> Result<bool, PeriodError> {
    let client = books.client;
    let postings = store.postings();
    let mut unknown = false;
    let mut to_post: Vec<&EntryKey> = Vec::with_capacity(claimed.len());
    for claim in claimed {
        // Tries since the last retry, not attempts ever: a Send that resumes the period gives a
        // failed entry `max_attempts` more (each looked up first, as `must_look_up` says).
        if claim.tries_since_retry > options.max_attempts {
            let error = format!(
                "the accounting package's answer stayed unknown after {} attempts; it was looked up each time and \
                 not found",
                claim.tries_since_retry - 1
            );
            postings.mark_failed(client, &claim.key, owner, &error, true).await?;
            continue;
        }
        if !claim.must_look_up {
            to_post.push(&claim.key);
            continue;
        }
        match sink.find_posted(&claim.key).await {
            Ok(Some(external)) => {
                postings.mark_posted(client, &claim.key, &external).await?;
                report.found += 1;
            }
            Ok(None) => to_post.push(&claim.key),
            Err(e) => {
                tracing::warn!(key = %claim.key, error = %e, "Looking an entry up failed; it is tried again later.");
                postings.release(client, &claim.key, owner).await?;
                unknown = true;
                if !e.is_retryable() {
                    release_all(store, books, owner, &to_post).await?;
                    return Err(e.into());
                }
            }
        }
    }
    if to_post.is_empty() {
        return Ok(unknown);
    }
    let keys: Vec<EntryKey> = to_post.iter().map(|k| (*k).clone()).collect();
    let staged = store.entries().by_keys(client, &keys).await?;
    let by_key: BTreeMap<&EntryKey, &JournalEntry> = staged.iter().map(|s| (s.entry.key(), &s.entry)).collect();
    let mut batch: Vec<Posting<'_>> = Vec::with_capacity(to_post.len());
    for key in &to_post {
        match by_key.get(key) {
            Some(entry) => batch.push(Posting { entry, dimensions: dimensions(books, entry) }),
            None => {
                let error = "the entry is no longer in the period's proposal: reopen the period, propose it again, \
                             then send";
                postings.mark_failed(client, key, owner, error, false).await?;
            }
        }
    }
    if batch.is_empty() {
        return Ok(unknown);
    }
    match sink.post(&batch).await {
        Ok(outcomes) => {
            let mut answered: BTreeMap<&EntryKey, bool> = batch.iter().map(|p| (p.entry.key(), false)).collect();
            for outcome in &outcomes {
                let Some(seen) = answered.get_mut(&outcome.key) else { continue };
                *seen = true;
                match &outcome.result {
                    Ok(external) => {
                        postings.mark_posted(client, &outcome.key, external).await?;
                        report.posted += 1;
                    }
                    Err(failure) => {
                        postings.mark_failed(client, &outcome.key, owner, &failure.message, failure.retryable).await?;
                    }
                }
            }
            for (key, seen) in answered {
                if !seen {
                    postings.release(client, key, owner).await?;
                    unknown = true;
                }
            }
            Ok(unknown)
        }
        Err(e) => {
            let keys: Vec<&EntryKey> = batch.iter().map(|p| p.entry.key()).collect();
            release_all(store, books, owner, &keys).await?;
            if e.is_retryable() {
                tracing::warn!(error = %e, "Posting a batch had no clear answer; its entries are looked up and tried again.");
                Ok(true)
            } else {
                Err(e.into())
            }
        }
    }
}

/// The period's postings made before its proposal (a send that was abandoned, then the month
/// reloaded): each must be a proposed, postable entry of this period under the same key — a
/// posted one is then recognized and never posted again; an unposted one is looked up first.
/// Returns the keys already posted. Cheap when there are none (every first send).
async fn check_earlier_postings(
    store: &Store,
    client: &tieout_core::ids::ClientId,
    period: YearMonth,
) -> Result<BTreeSet<EntryKey>, PeriodError> {
    let postings = store.postings().list(client, period).await?;
    if postings.is_empty() {
        return Ok(BTreeSet::new());
    }
    let keys: Vec<EntryKey> = postings.iter().map(|p| p.key.clone()).collect();
    let proposed: BTreeSet<EntryKey> = store
        .entries()
        .by_keys(client, &keys)
        .await?
        .into_iter()
        .filter(|s| s.period == period && s.entry.is_postable())
        .map(|s| s.entry.key().clone())
        .collect();
    let mut posted = BTreeSet::new();
    let (mut lost, mut leftover) = (Vec::new(), Vec::new());
    for posting in postings {
        match (posting.status == PostingStatus::Posted, proposed.contains(&posting.key)) {
            (true, true) => {
                posted.insert(posting.key);
            }
            (true, false) => lost.push(posting.key),
            // Left by an abandon whose look-ups failed: claimed, it would fail as "no longer proposed".
            (false, false) => leftover.push(posting.key),
            (false, true) => {}
        }
    }
    if let Some(first) = lost.first() {
        return Err(PeriodError::PostedNotProposed {
            client: client.to_string(),
            period,
            count: lost.len() as u64,
            first: first.clone(),
        });
    }
    if let Some(first) = leftover.first() {
        return Err(PeriodError::AbandonLeftovers {
            client: client.to_string(),
            period,
            count: leftover.len() as u64,
            first: first.clone(),
        });
    }
    Ok(posted)
}

/// Ok when `err` came from another sender having finished the period (it is `sent` now).
async fn finished_by_another(
    store: &Store,
    books: &Books<'_>,
    period: YearMonth,
    err: tieout_store::StoreError,
) -> Result<(), PeriodError> {
    if matches!(err, tieout_store::StoreError::PeriodStatus { .. })
        && status_now(store, books, period).await? == PeriodStatus::Sent
    {
        Ok(())
    } else {
        Err(err.into())
    }
}

async fn status_now(store: &Store, books: &Books<'_>, period: YearMonth) -> Result<PeriodStatus, PeriodError> {
    let current = store.periods().get(books.client, period).await?;
    Ok(current.map_or(PeriodStatus::Open, |p| p.status))
}

async fn release_all(store: &Store, books: &Books<'_>, owner: &str, keys: &[&EntryKey]) -> Result<(), PeriodError> {
    for key in keys {
        store.postings().release(books.client, key, owner).await?;
    }
    Ok(())
}

/// The dimensions of the offices on an entry's lines, as the mapping gives them.
fn dimensions(books: &Books<'_>, entry: &JournalEntry) -> BTreeMap<String, Dimensions> {
    let mut out = BTreeMap::new();
    for line in entry.lines() {
        if let Some(office) = line.office()
            && let Some(dims) = books.mapping.office_dimensions(office)
        {
            out.insert(office.to_string(), dims.clone());
        }
    }
    out
}

/// A claim owner unique to this call: process id, start time and a counter.
fn claim_owner() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("send:{}:{nanos}:{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}
