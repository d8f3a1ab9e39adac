//! Building simulated books and reading them to the end, shared by the test files.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::NaiveDate;
use source_simulator::{SimulatorConfig, SimulatorSource, ValidatedSimulator};
use tieout_conformance::Kit;
use tieout_core::connector::{ConnectorRole, Cursor, LoanBalance, LoanSchedule, ServicingSource, parse_config};
use tieout_core::event::Event;

pub fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A config section (without `kind`) from TOML text.
pub fn table(text: &str) -> toml::Table {
    toml::from_str(text).unwrap_or_else(|e| panic!("test config is not TOML: {e}\n{text}"))
}

pub fn validated(text: &str) -> ValidatedSimulator {
    parse_config::<SimulatorConfig>(ConnectorRole::Source, "simulator", table(text))
        .and_then(SimulatorConfig::check)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A book of `loans` loans of every product over `months` months from 2026-10-01.
pub fn book_text(seed: u64, loans: u32, months: u32) -> String {
    format!(
        "seed = {seed}\nloans = {loans}\nstart = \"2026-10-01\"\nmonths = {months}\ncurrency = \"USD\"\n\
         products = [\"personal\", \"gold\", \"auto\", \"business\", \"export\"]\n\
         offices = [\"HQ\", \"NORTH\", \"SOUTH\"]\npage_size = 10000\n"
    )
}

/// The source built from `text` in `kit`.
pub fn source_in(kit: &Kit, text: &str) -> SimulatorSource {
    SimulatorSource::build(Arc::new(validated(text)), &kit.context("simulator"))
}

pub fn source(text: &str) -> SimulatorSource {
    source_in(&Kit::new(Vec::new()), text)
}

/// Every event from `cursor` to an empty page, with the cursor after the last one.
pub async fn events_from(
    source: &dyn ServicingSource,
    cursor: Option<Cursor>,
    limit: usize,
) -> (Vec<Event>, Option<Cursor>) {
    let mut events = Vec::new();
    let mut cursor = cursor;
    loop {
        let page = source.events(cursor.as_ref(), limit).await.unwrap();
        if page.items.is_empty() {
            assert!(page.next.is_none());
            return (events, cursor);
        }
        events.extend(page.items);
        cursor = page.next;
        assert!(cursor.is_some(), "a page with events has a next cursor");
    }
}

pub async fn all_events(source: &dyn ServicingSource, limit: usize) -> Vec<Event> {
    events_from(source, None, limit).await.0
}

pub async fn all_balances(source: &dyn ServicingSource, as_of: NaiveDate, limit: usize) -> Vec<LoanBalance> {
    let mut items = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = source.balances(as_of, cursor.as_ref(), limit).await.unwrap();
        items.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return items,
        }
    }
}

pub async fn all_schedules(source: &dyn ServicingSource, limit: usize) -> Vec<LoanSchedule> {
    let mut items = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = source.schedules(cursor.as_ref(), limit).await.unwrap();
        items.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return items,
        }
    }
}

/// An events cursor after everything the book can ever emit.
pub fn beyond_end(book: &ValidatedSimulator) -> Cursor {
    book.events_cursor_after(book.end() + chrono::Days::new(1))
}
