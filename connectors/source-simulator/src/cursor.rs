//! The source's cursors. Opaque to callers; here they are text with the book's fingerprint, so
//! a cursor of another book (other seed, loans, products…) is refused instead of misread.
//!
//! - events: `sim1:ev:<fingerprint>:<day>:<loan>:<seq>`: after the event `seq` of loan `loan`
//!   entered on day `day` (days counted from the book's start);
//! - balances and schedules: `sim1:bal:<fingerprint>:<loan>` / `sim1:sch:…`: the next loan.

use tieout_core::connector::{Cursor, SourceError};

const VERSION: &str = "sim1";

/// A position in the event stream: after this event.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) struct EventPosition {
    pub day: u32,
    pub loan: u32,
    pub seq: u32,
}

/// Which snapshot a paging cursor belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Snapshot {
    Balances,
    Schedules,
}

impl Snapshot {
    fn tag(self) -> &'static str {
        match self {
            Snapshot::Balances => "bal",
            Snapshot::Schedules => "sch",
        }
    }
}

fn rejected(cursor: &Cursor, why: &str) -> SourceError {
    SourceError::Rejected { message: format!("cursor '{}' was not issued by this simulated book: {why}", cursor.0) }
}

pub(crate) fn event_cursor(fingerprint: &str, position: EventPosition) -> Cursor {
    Cursor(format!("{VERSION}:ev:{fingerprint}:{}:{}:{}", position.day, position.loan, position.seq))
}

pub(crate) fn snapshot_cursor(fingerprint: &str, snapshot: Snapshot, next_loan: u32) -> Cursor {
    Cursor(format!("{VERSION}:{}:{fingerprint}:{next_loan}", snapshot.tag()))
}

/// The numbers after `<version>:<tag>:<fingerprint>:`.
fn fields(cursor: &Cursor, tag: &str, fingerprint: &str, count: usize) -> Result<Vec<u32>, SourceError> {
    let mut parts = cursor.0.split(':');
    let (Some(version), Some(found_tag), Some(found)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(rejected(cursor, "it is not a simulator cursor"));
    };
    if version != VERSION {
        return Err(rejected(cursor, "it is not a simulator cursor"));
    }
    if found_tag != tag {
        return Err(rejected(cursor, "it belongs to another kind of read (events, balances or schedules)"));
    }
    if found != fingerprint {
        return Err(rejected(cursor, "it belongs to a book with other settings (seed, loans, dates or products)"));
    }
    let numbers: Vec<u32> =
        parts.map(str::parse).collect::<Result<_, _>>().map_err(|_| rejected(cursor, "it is damaged"))?;
    if numbers.len() != count {
        return Err(rejected(cursor, "it is damaged"));
    }
    Ok(numbers)
}

pub(crate) fn parse_event_cursor(cursor: &Cursor, fingerprint: &str) -> Result<EventPosition, SourceError> {
    let numbers = fields(cursor, "ev", fingerprint, 3)?;
    Ok(EventPosition { day: numbers[0], loan: numbers[1], seq: numbers[2] })
}

pub(crate) fn parse_snapshot_cursor(
    cursor: &Cursor,
    fingerprint: &str,
    snapshot: Snapshot,
) -> Result<u32, SourceError> {
    Ok(fields(cursor, snapshot.tag(), fingerprint, 1)?[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_strangers() {
        let position = EventPosition { day: 12, loan: 345, seq: 6 };
        let cursor = event_cursor("abc", position);
        assert_eq!(cursor.0, "sim1:ev:abc:12:345:6");
        assert_eq!(parse_event_cursor(&cursor, "abc"), Ok(position));
        for (text, why) in [
            ("sim1:ev:xyz:12:345:6", "other settings"),
            ("sim1:bal:abc:12", "another kind of read"),
            ("sim1:ev:abc:12:345", "damaged"),
            ("sim1:ev:abc:12:-1:6", "damaged"),
            ("ev:4", "not a simulator cursor"),
            ("tieout-conformance: not a cursor", "not a simulator cursor"),
        ] {
            let err = parse_event_cursor(&Cursor(text.into()), "abc").unwrap_err();
            assert!(matches!(&err, SourceError::Rejected { message } if message.contains(why)), "{text}: {err}");
        }
        let cursor = snapshot_cursor("abc", Snapshot::Schedules, 7);
        assert_eq!(parse_snapshot_cursor(&cursor, "abc", Snapshot::Schedules), Ok(7));
        assert!(parse_snapshot_cursor(&cursor, "abc", Snapshot::Balances).is_err());
    }
}
