//! Suites for servicing sources.
//!
//! [`events_suite`] checks the reading contract of `ServicingSource::events` (Airbyte's
//! full-refresh and incremental tests): reading the same window twice gives the same events;
//! cursors never go back; a cursor at or beyond the end gives nothing; resuming from every
//! intermediate cursor gives exactly the rest; events are valid canonical events; pages respect
//! the limit; products cover the events; balances and schedules page stably.

use std::collections::{BTreeSet, HashSet};

use chrono::NaiveDate;
use tieout_core::connector::{Cursor, Page, ServicingSource, SourceError};
use tieout_core::event::{Event, parse_event_line, write_event_line};

use crate::common;
use crate::harness::SourceHarness;
use crate::kit::Kit;
use crate::report::{Fail, Outcome, Report, Run, SuiteFailure, ensure, fail, skip};
use crate::subject::{SourceSubject, Subject};

/// The fewest events the source suite needs.
const MIN_EVENTS: usize = 3;
/// A guard against a source whose cursors never reach the end.
const MAX_PAGES: usize = 100_000;
/// Resuming is checked from every cursor of the first this many events.
const MAX_RESUME_POINTS: usize = 500;

/// The config suite (see the crate docs).
pub async fn config_suite<H: SourceHarness>(harness: &H) -> Result<Report, SuiteFailure> {
    common::config_suite(&SourceSubject(harness)).await.finish()
}

/// The check suite (see the crate docs).
pub async fn check_suite<H: SourceHarness>(harness: &H) -> Result<Report, SuiteFailure> {
    common::check_suite(&SourceSubject(harness)).await.finish()
}

/// The events suite: the reading contract of `events`, `products`, `balances`, `schedules`.
pub async fn events_suite<H: SourceHarness>(harness: &H) -> Result<Report, SuiteFailure> {
    let subject = SourceSubject(harness);
    let mut run = Run::new(subject.subject(), harness.timeout());
    let limit = harness.page_limit().max(1);
    let t = Target { harness, limit };
    run.check("source.reads_the_seeded_events", t.with_source(reads_the_seeded_events)).await;
    run.check("source.pages_respect_the_limit", t.with_source(pages_respect_the_limit)).await;
    run.check("source.same_window_twice_gives_the_same_events", t.with_source(same_window_twice)).await;
    run.check("source.event_ids_are_unique", t.with_source(event_ids_are_unique)).await;
    run.check("source.cursor_never_goes_back", t.with_source(cursor_never_goes_back)).await;
    run.check("source.resuming_from_every_cursor_gives_the_rest", t.with_source(resume_from_every_cursor)).await;
    run.check("source.end_cursor_gives_nothing", t.with_source(end_cursor_gives_nothing)).await;
    run.check("source.future_cursor_gives_nothing", t.with_source(future_cursor_gives_nothing)).await;
    run.check("source.malformed_cursor_is_rejected", t.with_source(malformed_cursor_is_rejected)).await;
    run.check("source.events_are_canonical", t.with_source(events_are_canonical)).await;
    run.check("source.products_cover_the_events", t.with_source(products_cover_the_events)).await;
    run.check("source.balances_page_stably", t.with_source(balances_page_stably)).await;
    run.check("source.schedules_page_stably", t.with_source(schedules_page_stably)).await;
    run.finish()
}

/// Every source suite, in one report.
pub async fn all<H: SourceHarness>(harness: &H) -> Result<Report, SuiteFailure> {
    let subject = SourceSubject(harness);
    let mut report = Report { subject: subject.subject(), checks: Vec::new() };
    for result in [config_suite(harness).await, check_suite(harness).await, events_suite(harness).await] {
        report.merge(result.unwrap_or_else(|failure| failure.report));
    }
    report.into_result()
}

/// What every events check gets: the harness, the page limit, and a source freshly built
/// from the good config in its own kit.
struct Target<'a, H> {
    harness: &'a H,
    limit: usize,
}

/// The source under test and the page limit the suite reads with.
struct Ctx<'a, H> {
    harness: &'a H,
    source: &'a dyn ServicingSource,
    limit: usize,
}

impl<H: SourceHarness> Target<'_, H> {
    async fn with_source<F>(&self, check: F) -> Outcome
    where
        F: for<'c> AsyncFnOnce(&'c Ctx<'c, H>) -> Outcome,
    {
        let kit = Kit::new(self.harness.secrets());
        kit.capture(async {
            let cx = kit.context(<H::Factory as tieout_core::connector::SourceFactory>::KIND);
            let source = match SourceSubject(self.harness).build(self.harness.config(), &cx).await {
                Ok(source) => source,
                Err(e) => fail!("building from config() failed: {e}"),
            };
            let ctx = Ctx { harness: self.harness, source: &*source, limit: self.limit };
            check(&ctx).await
        })
        .await
    }
}

/// Events read from a cursor to the end, with the cursor after each page.
struct Read {
    events: Vec<Event>,
    /// `(events read so far, the cursor after them)` for every page.
    cursors: Vec<(usize, Cursor)>,
    /// Page sizes, in order.
    pages: Vec<usize>,
    /// The cursor after the last event (where a later sync would resume).
    last: Option<Cursor>,
}

fn call_failed(what: &str, e: &SourceError) -> Fail {
    Fail::Failed(format!("{what} failed: {e}"))
}

/// Reads from `start` until an empty page, checking the paging contract on the way.
async fn read_to_end(source: &dyn ServicingSource, start: Option<&Cursor>, limit: usize) -> Result<Read, Fail> {
    let mut read = Read { events: Vec::new(), cursors: Vec::new(), pages: Vec::new(), last: start.cloned() };
    let mut cursor = start.cloned();
    let mut seen: HashSet<Cursor> = cursor.iter().cloned().collect();
    for _ in 0..MAX_PAGES {
        let page: Page<Event> = source.events(cursor.as_ref(), limit).await.map_err(|e| call_failed("events()", &e))?;
        if page.items.is_empty() {
            ensure!(
                page.next.is_none(),
                "an empty page gave next = {:?}: an empty page means \"nothing after this cursor yet\" and has no next",
                page.next
            );
            return Ok(read);
        }
        ensure!(page.items.len() <= limit, "a page of limit {limit} held {} events", page.items.len());
        let Some(next) = page.next else {
            fail!(
                "a page of {} events gave no next cursor: every page with events gives the cursor after its last \
                 event, also the last page, so that a later sync resumes there",
                page.items.len()
            );
        };
        ensure!(
            seen.insert(next.clone()),
            "cursor {:?} came back after {} events: cursors must move forward",
            next.0,
            read.events.len()
        );
        read.pages.push(page.items.len());
        read.events.extend(page.items);
        read.cursors.push((read.events.len(), next.clone()));
        read.last = Some(next.clone());
        cursor = Some(next);
    }
    fail!("events() gave more than {MAX_PAGES} pages without reaching the end")
}

fn ids(events: &[Event]) -> Vec<&str> {
    events.iter().map(|e| e.id.as_str()).collect()
}

/// The first position where two id lists differ, for messages.
fn first_difference(expected: &[Event], got: &[Event]) -> String {
    let position = expected.iter().zip(got).position(|(a, b)| a.id != b.id).unwrap_or(expected.len().min(got.len()));
    format!(
        "expected {} events, got {}; first difference at position {position}: expected {:?}, got {:?}",
        expected.len(),
        got.len(),
        expected.get(position).map(|e| e.id.as_str()),
        got.get(position).map(|e| e.id.as_str())
    )
}

async fn reads_the_seeded_events<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    let read = read_to_end(c.source, None, c.limit).await?;
    ensure!(
        read.events.len() >= MIN_EVENTS,
        "the source gave {} events: seed at least {MIN_EVENTS} so that reading takes several pages",
        read.events.len()
    );
    Ok(())
}

async fn pages_respect_the_limit<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    for limit in [1, c.limit] {
        let read = read_to_end(c.source, None, limit).await?;
        ensure!(read.pages.iter().all(|n| *n <= limit), "a page exceeded limit {limit}: page sizes {:?}", read.pages);
    }
    Ok(())
}

async fn same_window_twice<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    let first = read_to_end(c.source, None, c.limit).await?;
    let second = read_to_end(c.source, None, c.limit).await?;
    ensure!(
        ids(&first.events) == ids(&second.events),
        "two reads of the same window differ by id: {}",
        first_difference(&first.events, &second.events)
    );
    if let Some((a, b)) = first.events.iter().zip(&second.events).find(|(a, b)| a != b) {
        fail!("event {} changed between two reads: {a:?} then {b:?}", a.id);
    }
    let by_one = read_to_end(c.source, None, 1).await?;
    ensure!(
        ids(&first.events) == ids(&by_one.events),
        "reading by pages of 1 gives other events than by pages of {}: {}",
        c.limit,
        first_difference(&first.events, &by_one.events)
    );
    let cursors: Vec<&Cursor> = first.cursors.iter().map(|(_, c)| c).collect();
    let again: Vec<&Cursor> = second.cursors.iter().map(|(_, c)| c).collect();
    ensure!(cursors == again, "two reads of the same window gave different cursors: {cursors:?} then {again:?}");
    Ok(())
}

async fn event_ids_are_unique<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    let read = read_to_end(c.source, None, c.limit).await?;
    let mut seen = BTreeSet::new();
    for event in &read.events {
        ensure!(seen.insert(event.id.as_str()), "event id {} appears twice: ids are unique per source", event.id);
    }
    Ok(())
}

async fn cursor_never_goes_back<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    // read_to_end already fails when a cursor repeats; here each cursor is also re-read: the
    // page after it starts exactly where the previous page ended and gives the same next cursor.
    let read = read_to_end(c.source, None, 1).await?;
    for window in read.cursors.windows(2).take(MAX_RESUME_POINTS) {
        let ((at, cursor), (_, following)) = (&window[0], &window[1]);
        let page = c.source.events(Some(cursor), 1).await.map_err(|e| call_failed("events()", &e))?;
        let Some(first) = page.items.first() else {
            fail!("the cursor after {at} events gave nothing, though {} events follow", read.events.len() - at);
        };
        ensure!(
            first.id == read.events[*at].id,
            "the cursor after {at} events went back or skipped: it gave {} instead of {}",
            first.id,
            read.events[*at].id
        );
        ensure!(
            page.next.as_ref() == Some(following),
            "re-reading from the cursor after {at} events gave another next cursor ({:?} instead of {:?}): cursors \
             are stable positions",
            page.next.map(|c| c.0),
            following.0
        );
    }
    Ok(())
}

async fn resume_from_every_cursor<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    let by_one = read_to_end(c.source, None, 1).await?;
    for (at, cursor) in by_one.cursors.iter().take(MAX_RESUME_POINTS) {
        let rest = read_to_end(c.source, Some(cursor), c.limit).await?;
        let expected = &by_one.events[*at..];
        ensure!(
            ids(&rest.events) == ids(expected),
            "resuming from the cursor after {at} events did not give exactly the rest: {}",
            first_difference(expected, &rest.events)
        );
    }
    Ok(())
}

async fn end_cursor_gives_nothing<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    let read = read_to_end(c.source, None, c.limit).await?;
    let Some(last) = read.last else { skip!("the source gave no events") };
    for _ in 0..2 {
        let page = c.source.events(Some(&last), c.limit).await.map_err(|e| call_failed("events()", &e))?;
        ensure!(
            page.items.is_empty() && page.next.is_none(),
            "reading from the cursor after the last event gave {} events and next = {:?}",
            page.items.len(),
            page.next
        );
    }
    Ok(())
}

async fn future_cursor_gives_nothing<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    let Some(cursor) = c.harness.cursor_beyond_end() else { skip!("the harness gives no cursor_beyond_end()") };
    match c.source.events(Some(&cursor), c.limit).await {
        Ok(page) => {
            ensure!(page.items.is_empty(), "a cursor beyond the end ({:?}) gave {} events", cursor.0, page.items.len())
        }
        Err(e) => fail!("a cursor beyond the end ({:?}) is an error ({e}); it should give nothing", cursor.0),
    }
    Ok(())
}

async fn malformed_cursor_is_rejected<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    let cursor = Cursor("tieout-conformance: not a cursor".into());
    match c.source.events(Some(&cursor), c.limit).await {
        Ok(page) => fail!("a cursor the source never issued was accepted ({} events)", page.items.len()),
        Err(SourceError::Rejected { message }) => {
            ensure!(!message.trim().is_empty(), "the rejection of a malformed cursor says nothing");
        }
        Err(e) => fail!("a malformed cursor gave {e:?}; expected SourceError::Rejected (not retryable)"),
    }
    Ok(())
}

async fn events_are_canonical<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    let read = read_to_end(c.source, None, c.limit).await?;
    for event in &read.events {
        if let Err(problem) = event.check() {
            fail!("event {}: {problem}", event.id);
        }
        ensure!(
            event.portions.sum() == event.amount,
            "event {}: amount {} is not the sum of its portions ({})",
            event.id,
            event.amount,
            event.portions.sum()
        );
        ensure!(
            !event.amount.is_sign_negative() || event.amount.is_zero() || event.kind.is_signed(),
            "event {}: amount {} is negative, and {} is not a signed kind",
            event.id,
            event.amount,
            event.kind
        );
        ensure!(
            event.currency.is_representable(event.amount),
            "event {}: amount {} has more decimals than {} allows",
            event.id,
            event.amount,
            event.currency
        );
        for (name, value) in
            [("id", event.id.as_str()), ("loan_id", event.loan_id.as_str()), ("product", event.product.as_str())]
        {
            ensure!(!value.trim().is_empty(), "event {}: {name} is empty", event.id);
        }
        let line = write_event_line(event);
        match parse_event_line(&line, None) {
            Ok(again) => ensure!(&again == event, "event {} does not survive JSON Lines: {line}", event.id),
            Err(e) => fail!("event {} written as JSON Lines does not parse: {e}", event.id),
        }
    }
    Ok(())
}

async fn products_cover_the_events<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    let products = c.source.products().await.map_err(|e| call_failed("products()", &e))?;
    let mut listed = BTreeSet::new();
    for product in &products {
        ensure!(listed.insert(product.id.as_str()), "product {} is listed twice", product.id);
    }
    let read = read_to_end(c.source, None, c.limit).await?;
    for event in &read.events {
        ensure!(
            listed.contains(event.product.as_str()),
            "event {} is of product '{}', which products() does not list",
            event.id,
            event.product
        );
    }
    Ok(())
}

async fn balances_as_of<H: SourceHarness>(c: &Ctx<'_, H>) -> Result<NaiveDate, Fail> {
    if let Some(date) = c.harness.balances_as_of() {
        return Ok(date);
    }
    let read = read_to_end(c.source, None, c.limit).await?;
    match read.events.iter().map(|e| e.date).max() {
        Some(date) => Ok(date),
        None => skip!("no events to take a date from; give balances_as_of()"),
    }
}

/// Reads a snapshot paging (`balances`, `schedules`) to the end: `next` is `None` on the last page.
async fn read_snapshot<T, F>(what: &str, limit: usize, mut page: F) -> Result<Vec<T>, Fail>
where
    F: AsyncFnMut(Option<&Cursor>, usize) -> Result<Page<T>, SourceError>,
{
    let mut items = Vec::new();
    let mut cursor: Option<Cursor> = None;
    let mut seen = HashSet::new();
    for _ in 0..MAX_PAGES {
        let p = match page(cursor.as_ref(), limit).await {
            Ok(p) => p,
            Err(e) => return Err(call_failed(what, &e)),
        };
        ensure!(p.items.len() <= limit, "{what}: a page of limit {limit} held {} items", p.items.len());
        items.extend(p.items);
        match p.next {
            None => return Ok(items),
            Some(next) => {
                ensure!(seen.insert(next.clone()), "{what}: cursor {:?} came back", next.0);
                cursor = Some(next);
            }
        }
    }
    fail!("{what} gave more than {MAX_PAGES} pages")
}

async fn balances_page_stably<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    let as_of = balances_as_of(c).await?;
    let source = c.source;
    let by_one =
        read_snapshot("balances()", 1, async |cursor, limit| source.balances(as_of, cursor, limit).await).await?;
    let by_page =
        read_snapshot("balances()", c.limit, async |cursor, limit| source.balances(as_of, cursor, limit).await).await?;
    let loans =
        |list: &[tieout_core::connector::LoanBalance]| list.iter().map(|b| b.loan_id.clone()).collect::<Vec<_>>();
    ensure!(
        loans(&by_one) == loans(&by_page),
        "balances read by pages of 1 and of {} differ: {:?} vs {:?}",
        c.limit,
        loans(&by_one),
        loans(&by_page)
    );
    let mut seen = BTreeSet::new();
    for balance in &by_one {
        ensure!(seen.insert(balance.loan_id.clone()), "loan {} has two balances as of {as_of}", balance.loan_id);
        ensure!(
            balance.as_of <= as_of,
            "loan {}: a balance as of {} was asked for {as_of}",
            balance.loan_id,
            balance.as_of
        );
    }
    Ok(())
}

async fn schedules_page_stably<H: SourceHarness>(c: &Ctx<'_, H>) -> Outcome {
    let source = c.source;
    let by_one = match source.schedules(None, 1).await {
        Err(SourceError::Unsupported { .. }) => skip!("the source has no schedules (it accrues itself)"),
        Err(e) => fail!("schedules() failed: {e}"),
        Ok(_) => read_snapshot("schedules()", 1, async |cursor, limit| source.schedules(cursor, limit).await).await?,
    };
    let by_page =
        read_snapshot("schedules()", c.limit, async |cursor, limit| source.schedules(cursor, limit).await).await?;
    ensure!(by_one == by_page, "schedules read by pages of 1 and of {} differ", c.limit);
    for schedule in &by_one {
        for pair in schedule.installments.windows(2) {
            ensure!(
                pair[0].due <= pair[1].due,
                "loan {}: installment {} is due after installment {}",
                schedule.loan_id,
                pair[0].number,
                pair[1].number
            );
        }
        for installment in &schedule.installments {
            ensure!(
                installment.start <= installment.due,
                "loan {}: installment {} starts after it is due",
                schedule.loan_id,
                installment.number
            );
        }
    }
    Ok(())
}
