//! The same settings give the same book: the same events (ids, order, content), cursors,
//! schedules and balances, whatever the page size, build or machine; a loan generated alone is
//! the same as in the stream; a day-by-day release adds up to the whole stream.

mod support;

use chrono::{Days, TimeZone, Utc};
use support::*;
use tieout_conformance::Kit;
use tieout_core::connector::{Cursor, ServicingSource};
use tieout_core::event::{Event, write_event_line};

/// FNV-1a over the JSON Lines of `events`: a digest that is the same on every machine.
fn digest(events: &[Event]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for event in events {
        for byte in write_event_line(event).bytes().chain([b'\n']) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

async fn pages(source: &dyn ServicingSource, limit: usize) -> (Vec<Vec<String>>, Vec<Cursor>) {
    let mut pages = Vec::new();
    let mut cursors = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = source.events(cursor.as_ref(), limit).await.unwrap();
        if page.items.is_empty() {
            return (pages, cursors);
        }
        pages.push(page.items.iter().map(write_event_line).collect());
        let next = page.next.unwrap();
        cursors.push(next.clone());
        cursor = Some(next);
    }
}

#[tokio::test]
async fn two_builds_give_identical_pages_schedules_and_balances() {
    let text = book_text(42, 120, 6);
    let (a, b) = (source(&text), source(&text));
    assert_eq!(pages(&a, 37).await, pages(&b, 37).await);
    assert_eq!(all_schedules(&a, 13).await, all_schedules(&b, 13).await);
    for as_of in ["2026-10-15", "2026-12-31", "2027-03-31"] {
        assert_eq!(all_balances(&a, d(as_of), 13).await, all_balances(&b, d(as_of), 7).await);
    }
    assert_eq!(a.book().products(), b.book().products());
}

#[tokio::test]
async fn page_size_does_not_change_the_stream() {
    let source = source(&book_text(5, 40, 6));
    let whole = all_events(&source, 10_000).await;
    assert_eq!(all_events(&source, 1).await, whole);
    assert_eq!(all_events(&source, 7).await, whole);
    assert_eq!(all_balances(&source, d("2027-01-31"), 1).await, all_balances(&source, d("2027-01-31"), 1000).await);
    assert_eq!(all_schedules(&source, 1).await, all_schedules(&source, 1000).await);
}

#[tokio::test]
async fn another_seed_gives_another_book() {
    let a = all_events(&source(&book_text(1, 30, 3)), 1000).await;
    let b = all_events(&source(&book_text(2, 30, 3)), 1000).await;
    assert_ne!(digest(&a), digest(&b));
}

/// Pinned: if this changes, every simulated book changed. Do it on purpose only, and say so.
#[tokio::test]
async fn the_book_is_pinned() {
    let events = all_events(&source(&book_text(42, 25, 4)), 1000).await;
    assert_eq!((events.len(), digest(&events).as_str()), (PINNED_COUNT, PINNED_DIGEST));
    assert_eq!(events[0].id.as_str(), "L-0000001-001");
}

const PINNED_COUNT: usize = 82;
const PINNED_DIGEST: &str = "9618bd33c4c29745";

#[tokio::test]
async fn a_loan_generated_alone_is_the_loan_in_the_stream() {
    let source = source(&book_text(9, 60, 12));
    let stream = all_events(&source, 10_000).await;
    let schedules = all_schedules(&source, 1000).await;
    let book = source.book();
    for number in 1..=book.loans() {
        let loan = book.loan_id(number);
        let in_stream: Vec<&Event> = stream.iter().filter(|e| e.loan_id == loan).collect();
        let alone = book.loan_events(number).unwrap();
        assert_eq!(in_stream, alone.iter().collect::<Vec<_>>(), "loan {loan}");
        assert_eq!(schedules[number as usize - 1], book.loan_schedule(number).unwrap());
    }
}

/// Released day by day (`release = "clock"`), read each morning from the last cursor, the
/// stream adds up to exactly the stream released all at once.
#[tokio::test]
async fn a_day_by_day_release_adds_up_to_the_whole_stream() {
    let whole = all_events(&source(&book_text(3, 50, 4)), 1000).await;
    let kit = Kit::new(Vec::new());
    let clocked = source_in(&kit, &format!("{}release = \"clock\"\n", book_text(3, 50, 4)));
    let mut day = d("2026-09-20");
    let mut cursor = None;
    let mut read = Vec::new();
    while day <= d("2027-02-15") {
        kit.clock.set(Utc.from_utc_datetime(&day.and_hms_opt(1, 30, 0).unwrap()));
        let (events, last) = events_from(&clocked, cursor.clone(), 9).await;
        // Nothing entered today or later is visible yet.
        assert!(events.iter().all(|e| e.date < day), "an event dated {day} or later was visible on {day}");
        read.extend(events);
        cursor = last;
        day = day + Days::new(1);
    }
    assert_eq!(read, whole);
}
