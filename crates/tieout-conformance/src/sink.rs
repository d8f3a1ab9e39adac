//! Suites for accounting sinks.
//!
//! [`posting_suite`] checks the posting contract (DESIGN.md section 8): one outcome per entry,
//! in order; posting the same entries twice has one effect and gives the same external refs;
//! `find_posted` finds each entry by key, also after the sink's idempotency window; a per-item
//! failure is that item's outcome and does not fail the others; what the sink can refuse
//! without writing (a batch over `max_batch`, a currency it cannot book, an account missing
//! from or inactive in its chart, a locked period) is refused with nothing written.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::connector::{
    AccountingSink, CurrencySupport, LedgerAccount, PostOutcome, Posting, Retryable, SinkCapabilities, SinkError,
    SinkFactory,
};
use tieout_core::entry::{EntryBuilder, EntryHeader, EntryKey, JournalEntry, KeyInput, LineSource, Side};
use tieout_core::event::EventKind;
use tieout_core::ids::{AccountRef, EventId, ExternalRef};
use tieout_core::money::{Currency, Money};
use tieout_core::role::Role;

use crate::common;
use crate::harness::SinkHarness;
use crate::kit::Kit;
use crate::report::{Fail, Outcome, Report, Run, SuiteFailure, ensure, fail, skip};
use crate::subject::{SinkSubject, Subject};

/// An account no chart has.
const NO_SUCH_ACCOUNT: &str = "tieout-conformance-no-such-account";
/// Currencies tried for "a currency the sink cannot book"; XTS is ISO 4217's code for testing.
const OTHER_CURRENCIES: [&str; 5] = ["XTS", "XXX", "EUR", "USD", "GBP"];
/// The largest batch built to exceed `max_batch`.
const MAX_OVERSIZED: usize = 10_000;

/// The config suite (see the crate docs).
pub async fn config_suite<H: SinkHarness>(harness: &H) -> Result<Report, SuiteFailure> {
    common::config_suite(&SinkSubject(harness)).await.finish()
}

/// The check suite (see the crate docs).
pub async fn check_suite<H: SinkHarness>(harness: &H) -> Result<Report, SuiteFailure> {
    common::check_suite(&SinkSubject(harness)).await.finish()
}

/// The posting suite: the contract of `post`, `find_posted` and `trial_balance`.
pub async fn posting_suite<H: SinkHarness>(harness: &H) -> Result<Report, SuiteFailure> {
    let mut run = Run::new(SinkSubject(harness).subject(), harness.timeout());
    let t = Target { harness };
    run.check("sink.capabilities_are_sane", t.with_sink(None, capabilities_are_sane)).await;
    run.check("sink.post_gives_one_outcome_per_entry", t.with_sink(None, post_gives_one_outcome_per_entry)).await;
    run.check("sink.repost_has_one_effect_and_the_same_refs", t.with_sink(None, repost_is_idempotent)).await;
    run.check("sink.find_posted_finds_each_entry_by_key", t.with_sink(None, find_posted_finds_each)).await;
    run.check("sink.find_posted_outlives_the_idempotency_window", t.with_sink(None, find_posted_outlives_window)).await;
    run.check("sink.trial_balance_reflects_the_posts", t.with_sink(None, trial_balance_reflects_posts)).await;
    run.check("sink.empty_batch_is_harmless", t.with_sink(None, empty_batch_is_harmless)).await;
    match harness.per_item_failure() {
        Some(setup) => {
            let account = setup.account.clone();
            let check = async |c: &Ctx<'_>| per_item_failure_is_surfaced(c, &account).await;
            run.check("sink.per_item_failure_is_that_items_outcome", t.with_sink(Some(setup.config), check)).await;
        }
        None => run.check_sync(
            "sink.per_item_failure_is_that_items_outcome",
            Err(Fail::Skipped("the harness gives no per_item_failure() setup".into())),
        ),
    }
    run.check("sink.oversized_batch_is_refused_before_io", t.with_sink(None, oversized_batch_refused)).await;
    run.check("sink.unbookable_currency_is_refused_before_io", t.with_sink(None, unbookable_currency_refused)).await;
    run.check("sink.unknown_account_is_not_posted", t.with_sink(None, unknown_account_not_posted)).await;
    run.check("sink.inactive_account_is_not_posted", t.with_sink(None, inactive_account_not_posted)).await;
    run.check("sink.locked_period_is_refused", t.with_sink(None, locked_period_refused)).await;
    run.finish()
}

/// Every sink suite, in one report.
pub async fn all<H: SinkHarness>(harness: &H) -> Result<Report, SuiteFailure> {
    let mut report = Report { subject: SinkSubject(harness).subject(), checks: Vec::new() };
    for result in [config_suite(harness).await, check_suite(harness).await, posting_suite(harness).await] {
        report.merge(result.unwrap_or_else(|failure| failure.report));
    }
    report.into_result()
}

struct Target<'a, H> {
    harness: &'a H,
}

/// What a posting check works with: a sink freshly built in its own kit, its chart and
/// capabilities, and the suite's test books.
struct Ctx<'a> {
    kit: &'a Kit,
    sink: &'a dyn AccountingSink,
    caps: SinkCapabilities,
    chart: Vec<LedgerAccount>,
    lock_date: Option<NaiveDate>,
    books: Books,
}

impl<H: SinkHarness> Target<'_, H> {
    async fn with_sink<F>(&self, config: Option<toml::Table>, check: F) -> Outcome
    where
        F: for<'c> AsyncFnOnce(&'c Ctx<'c>) -> Outcome,
    {
        let h = self.harness;
        let kit = Kit::new(h.secrets());
        kit.capture(async {
            let cx = kit.context(H::Factory::KIND);
            let sink = match SinkSubject(h).build(config.unwrap_or_else(|| h.config()), &cx).await {
                Ok(sink) => sink,
                Err(e) => fail!("building the sink failed: {e}"),
            };
            let caps = sink.capabilities();
            let chart = sink.chart_of_accounts().await.map_err(|e| failed("chart_of_accounts()", &e))?;
            let lock_date = sink.lock_date().await.map_err(|e| failed("lock_date()", &e))?;
            let books = Books::new(h, &caps, &chart, lock_date)?;
            let ctx = Ctx { kit: &kit, sink: &*sink, caps, chart, lock_date, books };
            check(&ctx).await
        })
        .await
    }
}

fn failed(what: &str, e: &SinkError) -> Fail {
    Fail::Failed(format!("{what} failed: {e}"))
}

/// Makes the suite's test entries: balanced two-line entries between two accounts of the chart,
/// with keys unique to this run (so that a sink that keeps its books between runs is not
/// confused by an earlier run).
struct Books {
    run: String,
    debit: AccountRef,
    credit: AccountRef,
    currency: Currency,
    date: NaiveDate,
}

impl Books {
    fn new<H: SinkHarness>(
        h: &H,
        caps: &SinkCapabilities,
        chart: &[LedgerAccount],
        lock_date: Option<NaiveDate>,
    ) -> Result<Books, Fail> {
        let active = |account: &AccountRef| chart.iter().any(|a| &a.account == account && a.active);
        let (debit, credit) = match h.accounts() {
            Some((debit, credit)) => {
                for account in [&debit, &credit] {
                    ensure!(active(account), "the harness's account '{account}' is not an active account of the chart");
                }
                (debit, credit)
            }
            None => {
                let mut usable = chart.iter().filter(|a| a.active);
                match (usable.next(), usable.next()) {
                    (Some(a), Some(b)) => (a.account.clone(), b.account.clone()),
                    _ => fail!("the chart has fewer than two active accounts to post test entries to"),
                }
            }
        };
        let tied = chart.iter().filter(|a| a.account == debit || a.account == credit).find_map(|a| a.currency);
        let currency = match (tied, &caps.currencies) {
            (Some(currency), _) => currency,
            (None, CurrencySupport::BaseOnly(base)) => *base,
            (None, CurrencySupport::Enabled(list)) if !list.is_empty() => list[0],
            _ => usd(),
        };
        let default = NaiveDate::from_ymd_opt(2026, 10, 5).unwrap_or_default();
        let date = h.entry_date().unwrap_or_else(|| match lock_date.and_then(|d| d.succ_opt()) {
            Some(after_lock) if after_lock > default => after_lock,
            _ => default,
        });
        Ok(Books { run: run_id(), debit, credit, currency, date })
    }

    fn key(&self, tag: &str) -> EntryKey {
        EntryKey::derive(&KeyInput {
            client: "tieout-conformance",
            source: &self.run,
            events: &[EventId::from(tag)],
            rule_set_version: "conformance@1",
            position: 0,
        })
    }

    /// An entry debiting `debit` and crediting `credit` with `amount` (whole units, so that it
    /// is representable in every currency).
    fn entry_with(
        &self,
        tag: &str,
        amount: i64,
        debit: &AccountRef,
        credit: &AccountRef,
        currency: Currency,
        date: NaiveDate,
    ) -> Result<JournalEntry, Fail> {
        let header = EntryHeader {
            date,
            currency,
            kind: EventKind::Disbursement,
            memo: format!("tieout-conformance {tag}"),
            postable: true,
        };
        let source = LineSource {
            product: "conformance".into(),
            office: None,
            loan: None,
            events: vec![EventId::from(tag)].into(),
        };
        let money = Money::new(Decimal::from(amount), currency);
        let mut builder = EntryBuilder::new(header);
        builder.push(Side::Debit, money, Role::LoanPortfolio, debit.clone(), source.clone()).push(
            Side::Credit,
            money,
            Role::FundSource,
            credit.clone(),
            source,
        );
        builder.build(self.key(tag)).map_err(|e| Fail::Failed(format!("the kit could not build a test entry: {e}")))
    }

    fn entry(&self, tag: &str, amount: i64) -> Result<JournalEntry, Fail> {
        self.entry_with(tag, amount, &self.debit, &self.credit, self.currency, self.date)
    }

    fn entries(&self, tag: &str, n: usize) -> Result<Vec<JournalEntry>, Fail> {
        (0..n).map(|i| self.entry(&format!("{tag}-{i}"), 10 + i64::try_from(i).unwrap_or(0))).collect()
    }
}

fn usd() -> Currency {
    // Three upper-case letters: Currency::new accepts them.
    Currency::new("USD").expect("USD is a currency code")
}

/// A string unique to this run of the suite.
fn run_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}-{nanos}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst))
}

fn postings(entries: &[JournalEntry]) -> Vec<Posting<'_>> {
    entries.iter().map(|entry| Posting { entry, dimensions: BTreeMap::new() }).collect()
}

type Balances = BTreeMap<(AccountRef, Currency), Decimal>;

async fn trial_balance(c: &Ctx<'_>, as_of: NaiveDate) -> Result<Balances, Fail> {
    let rows = c.sink.trial_balance(as_of).await.map_err(|e| failed("trial_balance()", &e))?;
    let mut out = Balances::new();
    for row in rows {
        *out.entry((row.account, row.currency)).or_default() += row.balance;
    }
    Ok(out)
}

/// Per account: after − before, without zeros.
fn delta(before: &Balances, after: &Balances) -> Balances {
    let keys: BTreeSet<&(AccountRef, Currency)> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let d = after.get(k).copied().unwrap_or_default() - before.get(k).copied().unwrap_or_default();
            (!d.is_zero()).then(|| (k.clone(), d))
        })
        .collect()
}

/// What posting `entries` once does to the trial balance.
fn effect(entries: &[&JournalEntry]) -> Balances {
    let mut out = Balances::new();
    for entry in entries {
        for line in entry.lines() {
            *out.entry((line.account().clone(), entry.currency())).or_default() += line.signed_amount();
        }
    }
    out.retain(|_, v| !v.is_zero());
    out
}

fn show(balances: &Balances) -> String {
    let parts: Vec<String> = balances.iter().map(|((a, c), v)| format!("{a} {v} {c}")).collect();
    if parts.is_empty() { "no change".into() } else { parts.join(", ") }
}

/// Posts and checks the outcomes' shape: one per entry, in order, keyed by the entry.
async fn post(c: &Ctx<'_>, entries: &[JournalEntry]) -> Result<Vec<PostOutcome>, Fail> {
    let outcomes = c.sink.post(&postings(entries)).await.map_err(|e| failed("post()", &e))?;
    ensure!(outcomes.len() == entries.len(), "post() of {} entries gave {} outcomes", entries.len(), outcomes.len());
    for (i, (outcome, entry)) in outcomes.iter().zip(entries).enumerate() {
        ensure!(
            &outcome.key == entry.key(),
            "outcome {i} is for key {} but entry {i} has key {}: outcomes come one per entry, in order",
            outcome.key,
            entry.key()
        );
    }
    Ok(outcomes)
}

/// The external refs of outcomes that must all have succeeded.
fn refs(outcomes: &[PostOutcome]) -> Result<Vec<ExternalRef>, Fail> {
    outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(r) => Ok(r.clone()),
            Err(e) => Err(Fail::Failed(format!("entry {} was not posted: {}", o.key, e.message))),
        })
        .collect()
}

async fn capabilities_are_sane(c: &Ctx<'_>) -> Outcome {
    ensure!(c.caps.max_batch >= 1, "capabilities().max_batch is 0");
    if let CurrencySupport::Enabled(list) = &c.caps.currencies {
        ensure!(!list.is_empty(), "capabilities().currencies enables no currency");
    }
    let unique: BTreeSet<&String> = c.caps.dimensions.iter().collect();
    ensure!(unique.len() == c.caps.dimensions.len(), "capabilities().dimensions lists a name twice");
    let accounts: BTreeSet<&AccountRef> = c.chart.iter().map(|a| &a.account).collect();
    ensure!(accounts.len() == c.chart.len(), "chart_of_accounts() lists an account twice");
    Ok(())
}

async fn post_gives_one_outcome_per_entry(c: &Ctx<'_>) -> Outcome {
    let entries = c.books.entries("outcomes", c.caps.max_batch.min(3))?;
    let outcomes = post(c, &entries).await?;
    let refs = refs(&outcomes)?;
    let unique: BTreeSet<&ExternalRef> = refs.iter().collect();
    ensure!(unique.len() == refs.len(), "different entries got the same external ref: {refs:?}");
    Ok(())
}

async fn repost_is_idempotent(c: &Ctx<'_>) -> Outcome {
    let entries = c.books.entries("repost", c.caps.max_batch.min(3))?;
    let before = trial_balance(c, c.books.date).await?;
    let first = refs(&post(c, &entries).await?)?;
    let once = trial_balance(c, c.books.date).await?;
    let second = refs(&post(c, &entries).await?)?;
    let twice = trial_balance(c, c.books.date).await?;
    ensure!(
        first == second,
        "posting the same entries again gave other external refs ({first:?}, then {second:?}): the second post \
         must be recognised by its keys"
    );
    let expected = effect(&entries.iter().collect::<Vec<_>>());
    ensure!(
        delta(&before, &once) == expected,
        "the first post changed the trial balance by {} instead of {}",
        show(&delta(&before, &once)),
        show(&expected)
    );
    ensure!(
        delta(&once, &twice).is_empty(),
        "posting the same entries again changed the trial balance by {}: it had a second effect",
        show(&delta(&once, &twice))
    );
    Ok(())
}

async fn find_posted_finds_each(c: &Ctx<'_>) -> Outcome {
    let entries = c.books.entries("find", c.caps.max_batch.min(3))?;
    let refs = refs(&post(c, &entries).await?)?;
    for (entry, posted) in entries.iter().zip(&refs) {
        let found = c.sink.find_posted(entry.key()).await.map_err(|e| failed("find_posted()", &e))?;
        ensure!(
            found.as_ref() == Some(posted),
            "find_posted({}) gave {found:?}; post() had answered {posted}",
            entry.key()
        );
    }
    let unknown = c.books.key("never-posted");
    let found = c.sink.find_posted(&unknown).await.map_err(|e| failed("find_posted()", &e))?;
    ensure!(found.is_none(), "find_posted() of a key never posted gave {found:?}");
    Ok(())
}

async fn find_posted_outlives_window(c: &Ctx<'_>) -> Outcome {
    let Some(window) = c.caps.idempotency_window else {
        skip!("capabilities() gives no idempotency_window to outlive")
    };
    let entry = c.books.entry("outlive", 10)?;
    let posted = refs(&post(c, std::slice::from_ref(&entry)).await?)?;
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(3650));
    c.kit.clock.advance(window + chrono::Duration::minutes(1));
    let found = c.sink.find_posted(entry.key()).await.map_err(|e| failed("find_posted()", &e))?;
    ensure!(
        found.as_ref() == posted.first(),
        "after the idempotency window, find_posted({}) gave {found:?} instead of {:?}: it is what guards a re-send \
         once the sink has forgotten the key",
        entry.key(),
        posted.first()
    );
    Ok(())
}

async fn trial_balance_reflects_posts(c: &Ctx<'_>) -> Outcome {
    let day_before = c.books.date.pred_opt().unwrap_or(c.books.date);
    let before = trial_balance(c, c.books.date).await?;
    let before_day_before = trial_balance(c, day_before).await?;
    let entry = c.books.entry("trial-balance", 7)?;
    refs(&post(c, std::slice::from_ref(&entry)).await?)?;
    let after = trial_balance(c, c.books.date).await?;
    let expected = effect(&[&entry]);
    ensure!(
        delta(&before, &after) == expected,
        "posting one entry changed the trial balance by {} instead of {}",
        show(&delta(&before, &after)),
        show(&expected)
    );
    let mut totals: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for ((_, currency), balance) in &after {
        *totals.entry(*currency).or_default() += balance;
    }
    for (currency, total) in totals {
        ensure!(total.is_zero(), "the trial balance in {currency} does not sum to zero ({total})");
    }
    let after_day_before = trial_balance(c, day_before).await?;
    ensure!(
        delta(&before_day_before, &after_day_before).is_empty(),
        "the trial balance as of {day_before} changed by {} for an entry dated {}",
        show(&delta(&before_day_before, &after_day_before)),
        c.books.date
    );
    Ok(())
}

async fn empty_batch_is_harmless(c: &Ctx<'_>) -> Outcome {
    let before = trial_balance(c, c.books.date).await?;
    let outcomes = c.sink.post(&[]).await.map_err(|e| failed("post() of no entries", &e))?;
    ensure!(outcomes.is_empty(), "post() of no entries gave {} outcomes", outcomes.len());
    let after = trial_balance(c, c.books.date).await?;
    ensure!(delta(&before, &after).is_empty(), "post() of no entries changed the trial balance");
    Ok(())
}

async fn per_item_failure_is_surfaced(c: &Ctx<'_>, failing: &AccountRef) -> Outcome {
    ensure!(
        c.chart.iter().any(|a| &a.account == failing && a.active),
        "per_item_failure()'s account '{failing}' must be an active account of the chart, so that only the simulated \
         failure refuses it"
    );
    let other = if &c.books.credit == failing { &c.books.debit } else { &c.books.credit };
    let good_a = c.books.entry("item-good-a", 11)?;
    let bad = c.books.entry_with("item-bad", 12, failing, other, c.books.currency, c.books.date)?;
    let good_b = c.books.entry("item-good-b", 13)?;
    let before = trial_balance(c, c.books.date).await?;
    let batches: Vec<Vec<JournalEntry>> = if c.caps.max_batch >= 3 {
        vec![vec![good_a.clone(), bad.clone(), good_b.clone()]]
    } else {
        vec![vec![good_a.clone()], vec![bad.clone()], vec![good_b.clone()]]
    };
    let mut outcomes = Vec::new();
    for batch in &batches {
        match c.sink.post(&postings(batch)).await {
            Ok(list) => {
                ensure!(list.len() == batch.len(), "post() of {} entries gave {} outcomes", batch.len(), list.len());
                outcomes.extend(list);
            }
            Err(e) => {
                fail!("a batch with one failing entry failed as a whole ({e}): the failure is that entry's outcome")
            }
        }
    }
    let [a, b, d] = [&outcomes[0], &outcomes[1], &outcomes[2]];
    ensure!(a.key == *good_a.key() && b.key == *bad.key() && d.key == *good_b.key(), "outcomes are not in entry order");
    ensure!(
        b.result.is_err(),
        "the entry on '{failing}' was reported posted ({:?}): the failure was swallowed",
        b.result
    );
    ensure!(
        a.result.is_ok() && d.result.is_ok(),
        "one entry's failure marked the others failed: {:?}, {:?}",
        a.result,
        d.result
    );
    for entry in [&good_a, &good_b] {
        let found = c.sink.find_posted(entry.key()).await.map_err(|e| failed("find_posted()", &e))?;
        ensure!(found.is_some(), "entry {} was reported posted but find_posted() does not find it", entry.key());
    }
    let found = c.sink.find_posted(bad.key()).await.map_err(|e| failed("find_posted()", &e))?;
    ensure!(found.is_none(), "the failed entry {} is found as posted ({found:?})", bad.key());
    let after = trial_balance(c, c.books.date).await?;
    let expected = effect(&[&good_a, &good_b]);
    ensure!(
        delta(&before, &after) == expected,
        "the trial balance changed by {} instead of {} (the good entries only)",
        show(&delta(&before, &after)),
        show(&expected)
    );
    Ok(())
}

/// Checks that none of `entries` was written: none is found, the trial balance is unchanged.
async fn nothing_written(c: &Ctx<'_>, entries: &[JournalEntry], before: &Balances, as_of: NaiveDate) -> Outcome {
    for entry in entries {
        let found = c.sink.find_posted(entry.key()).await.map_err(|e| failed("find_posted()", &e))?;
        ensure!(found.is_none(), "entry {} was written ({found:?}) although the post was refused", entry.key());
    }
    let after = trial_balance(c, as_of).await?;
    ensure!(
        delta(before, &after).is_empty(),
        "the trial balance changed by {} although the post was refused",
        show(&delta(before, &after))
    );
    Ok(())
}

/// A refusal of the whole call that a retry cannot change.
fn expect_refusal(what: &str, result: Result<Vec<PostOutcome>, SinkError>) -> Outcome {
    match result {
        Ok(outcomes) => fail!(
            "{what} was accepted ({} outcomes): the sink knows before any IO that it cannot take it, and must refuse \
             the call",
            outcomes.len()
        ),
        Err(e) if e.is_retryable() => fail!("{what} was refused with a retryable error ({e}): a retry cannot help"),
        Err(SinkError::Auth { message }) => fail!("{what} was refused as an auth error ({message})"),
        Err(_) => Ok(()),
    }
}

/// The whole call refused, or this one entry refused on its own; either way not retryable.
fn expect_entry_refused(what: &str, result: Result<Vec<PostOutcome>, SinkError>) -> Outcome {
    match result {
        Ok(outcomes) => match outcomes.as_slice() {
            [one] => match &one.result {
                Ok(r) => fail!("{what} was posted as {r}"),
                Err(e) if e.retryable => fail!("{what} failed as retryable ({}): a retry cannot help", e.message),
                Err(_) => Ok(()),
            },
            other => fail!("post() of one entry gave {} outcomes", other.len()),
        },
        Err(e) => expect_refusal(what, Err(e)),
    }
}

async fn oversized_batch_refused(c: &Ctx<'_>) -> Outcome {
    let n = c.caps.max_batch + 1;
    if n > MAX_OVERSIZED {
        skip!("max_batch is {}: too large a batch to build", c.caps.max_batch);
    }
    let entries = c.books.entries("oversized", n)?;
    let before = trial_balance(c, c.books.date).await?;
    let result = c.sink.post(&postings(&entries)).await;
    expect_refusal(&format!("a batch of {n} entries (max_batch {})", c.caps.max_batch), result)?;
    nothing_written(c, &entries, &before, c.books.date).await
}

async fn unbookable_currency_refused(c: &Ctx<'_>) -> Outcome {
    let Some(other) =
        OTHER_CURRENCIES.iter().filter_map(|code| Currency::new(code).ok()).find(|cur| !c.caps.currencies.allows(*cur))
    else {
        skip!("the sink books any currency")
    };
    let bad = c.books.entry_with("currency-bad", 10, &c.books.debit, &c.books.credit, other, c.books.date)?;
    let mut entries = vec![bad];
    if c.caps.max_batch >= 2 {
        entries.insert(0, c.books.entry("currency-good", 10)?);
    }
    let before = trial_balance(c, c.books.date).await?;
    let result = c.sink.post(&postings(&entries)).await;
    expect_refusal(&format!("a batch with an entry in {other}, which the sink cannot book,"), result)?;
    nothing_written(c, &entries, &before, c.books.date).await
}

async fn refused_account(c: &Ctx<'_>, account: &AccountRef, what: &str, tag: &str) -> Outcome {
    let entry = c.books.entry_with(tag, 10, account, &c.books.credit, c.books.currency, c.books.date)?;
    let before = trial_balance(c, c.books.date).await?;
    let result = c.sink.post(&postings(std::slice::from_ref(&entry))).await;
    expect_entry_refused(&format!("an entry on {what} '{account}'"), result)?;
    nothing_written(c, std::slice::from_ref(&entry), &before, c.books.date).await
}

async fn unknown_account_not_posted(c: &Ctx<'_>) -> Outcome {
    let account = AccountRef::from(NO_SUCH_ACCOUNT);
    ensure!(!c.chart.iter().any(|a| a.account == account), "the chart has an account named {NO_SUCH_ACCOUNT}");
    refused_account(c, &account, "the missing account", "unknown-account").await
}

async fn inactive_account_not_posted(c: &Ctx<'_>) -> Outcome {
    let Some(inactive) = c.chart.iter().find(|a| !a.active) else { skip!("the chart has no inactive account") };
    refused_account(c, &inactive.account.clone(), "the inactive account", "inactive-account").await
}

async fn locked_period_refused(c: &Ctx<'_>) -> Outcome {
    let Some(lock_date) = c.lock_date else { skip!("the sink reports no lock date") };
    let entry = c.books.entry_with("locked", 10, &c.books.debit, &c.books.credit, c.books.currency, lock_date)?;
    let before = trial_balance(c, lock_date).await?;
    let result = c.sink.post(&postings(std::slice::from_ref(&entry))).await;
    expect_entry_refused(&format!("an entry dated on the lock date {lock_date}"), result)?;
    nothing_written(c, std::slice::from_ref(&entry), &before, lock_date).await
}
