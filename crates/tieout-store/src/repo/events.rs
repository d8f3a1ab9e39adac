//! Events: the raw canonical events of each client, deduplicated by source id.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use tieout_core::event::{Event, parse_event_line, write_event_line};
use tieout_core::ids::{ClientId, EventId};

use super::{insert_rows, require_period, rows_per_statement};
use crate::codec::{Amount, now, parse_stored};
use crate::conn::Conn;
use crate::entity::{events, periods};
use crate::error::StoreError;
use crate::types::YearMonth;

/// An event as stored: the event itself plus where it came from and where it was booked.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StoredEvent {
    pub event: Event,
    /// The source connector's name for the client (`fineract`, `files`).
    pub source: String,
    pub received_at: DateTime<Utc>,
    /// The period the event is booked into, once journalized.
    pub period: Option<YearMonth>,
    /// The date it is booked on: its value date, or the first day of the first open period when
    /// it arrived for a period already sent or locked.
    pub booked_on: Option<NaiveDate>,
}

impl StoredEvent {
    /// The event's own date when it was booked on another one (late or backdated), for the memo.
    pub fn original_date(&self) -> Option<NaiveDate> {
        self.booked_on.filter(|booked| *booked != self.event.date).map(|_| self.event.date)
    }
}

/// What [`Events::insert_batch`] did.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct InsertReport {
    /// Events stored now.
    pub new: u64,
    /// Events whose source id the client already had (or that repeated within the batch).
    pub duplicates: u64,
}

/// Where one event is booked.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Booking {
    pub event: EventId,
    pub period: YearMonth,
    pub booked_on: NaiveDate,
}

/// The events table.
pub struct Events<'a> {
    conn: Conn<'a>,
}

const INSERT_COLUMNS: [events::Column; 11] = [
    events::Column::ClientId,
    events::Column::Source,
    events::Column::SourceId,
    events::Column::Raw,
    events::Column::Kind,
    events::Column::Loan,
    events::Column::Product,
    events::Column::ValueDate,
    events::Column::Amount,
    events::Column::Currency,
    events::Column::ReceivedAt,
];

impl<'a> Events<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        Events { conn }
    }

    /// Stores the events the client does not have yet (by source id) and reports how many were
    /// new. Multi-row inserts sized under the bind-parameter limit; on the pool each statement
    /// commits on its own (a crash keeps the chunks already written, and inserting the batch
    /// again stores the rest), inside a [`crate::Tx`] all of them commit with it.
    pub async fn insert_batch(
        &self,
        client: &ClientId,
        source: &str,
        batch: &[Event],
    ) -> Result<InsertReport, StoreError> {
        let received_at = now();
        let per_statement = rows_per_statement(self.conn.backend(), INSERT_COLUMNS.len());
        let mut report = InsertReport::default();
        for chunk in batch.chunks(per_statement) {
            let rows = chunk.iter().map(|event| {
                vec![
                    Expr::val(client.as_str()),
                    Expr::val(source),
                    Expr::val(event.id.as_str()),
                    Expr::val(write_event_line(event)),
                    Expr::val(event.kind.as_str()),
                    Expr::val(event.loan_id.as_str()),
                    Expr::val(event.product.as_str()),
                    Expr::val(event.date),
                    Expr::val(Amount(event.amount)),
                    Expr::val(event.currency.code()),
                    Expr::val(received_at),
                ]
            });
            let insert = insert_rows(
                events::Entity,
                &INSERT_COLUMNS,
                rows,
                Some(OnConflict::columns([events::Column::ClientId, events::Column::SourceId]).do_nothing().to_owned()),
            )?;
            // One statement: atomic on its own, so no explicit transaction is needed per chunk.
            let new = self.conn.execute(&insert).await?.rows_affected();
            report.new += new;
            report.duplicates += chunk.len() as u64 - new;
        }
        Ok(report)
    }

    pub async fn get(&self, client: &ClientId, id: &EventId) -> Result<Option<StoredEvent>, StoreError> {
        let row = events::Entity::find()
            .filter(events::Column::ClientId.eq(client.as_str()))
            .filter(events::Column::SourceId.eq(id.as_str()))
            .one(&self.conn)
            .await?;
        match row {
            Some(row) => Ok(Some(self.to_stored(row, &mut PeriodNames::default()).await?)),
            None => Ok(None),
        }
    }

    /// Events not booked into a period yet, by value date then arrival.
    pub async fn unbooked(&self, client: &ClientId) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = events::Entity::find()
            .filter(events::Column::ClientId.eq(client.as_str()))
            .filter(events::Column::PeriodId.is_null())
            .order_by_asc(events::Column::ValueDate)
            .order_by_asc(events::Column::Id)
            .all(&self.conn)
            .await?;
        let mut names = PeriodNames::default();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.to_stored(row, &mut names).await?);
        }
        Ok(out)
    }

    /// Events booked into `period`, by booking date then arrival.
    pub async fn in_period(&self, client: &ClientId, period: YearMonth) -> Result<Vec<StoredEvent>, StoreError> {
        let Some(row) = super::find_period(&self.conn, client, period).await? else {
            return Ok(Vec::new());
        };
        let rows = events::Entity::find()
            .filter(events::Column::ClientId.eq(client.as_str()))
            .filter(events::Column::PeriodId.eq(row.id))
            .order_by_asc(events::Column::BookedOn)
            .order_by_asc(events::Column::Id)
            .all(&self.conn)
            .await?;
        let mut names = PeriodNames::default();
        names.0.insert(row.id, period);
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.to_stored(row, &mut names).await?);
        }
        Ok(out)
    }

    /// Books events into periods (which must exist), all in one transaction; returns how many
    /// events were updated (an unknown event id updates nothing).
    pub async fn book(&self, client: &ClientId, bookings: &[Booking]) -> Result<u64, StoreError> {
        // Group by (period, date) so that one UPDATE ... WHERE source_id IN (...) books many.
        let mut groups: BTreeMap<(YearMonth, NaiveDate), Vec<&str>> = BTreeMap::new();
        for booking in bookings {
            groups.entry((booking.period, booking.booked_on)).or_default().push(booking.event.as_str());
        }
        let tx = self.conn.begin_write().await?;
        let mut period_ids: BTreeMap<YearMonth, i64> = BTreeMap::new();
        let per_statement = rows_per_statement(self.conn.backend(), 1).saturating_sub(8);
        let mut updated = 0;
        for ((period, booked_on), ids) in groups {
            let period_id = match period_ids.get(&period) {
                Some(id) => *id,
                None => {
                    let id = require_period(&tx, client, period).await?.id;
                    period_ids.insert(period, id);
                    id
                }
            };
            for chunk in ids.chunks(per_statement) {
                let result = events::Entity::update_many()
                    .col_expr(events::Column::PeriodId, Expr::val(period_id))
                    .col_expr(events::Column::BookedOn, Expr::val(booked_on))
                    .filter(events::Column::ClientId.eq(client.as_str()))
                    .filter(events::Column::SourceId.is_in(chunk.iter().copied()))
                    .exec(&tx)
                    .await?;
                updated += result.rows_affected;
            }
        }
        tx.commit().await?;
        Ok(updated)
    }

    /// How many events the client has.
    pub async fn count(&self, client: &ClientId) -> Result<u64, StoreError> {
        Ok(events::Entity::find().filter(events::Column::ClientId.eq(client.as_str())).count(&self.conn).await?)
    }

    async fn to_stored(&self, row: events::Model, names: &mut PeriodNames) -> Result<StoredEvent, StoreError> {
        let event = parse_event_line(&row.raw, None)
            .map_err(|e| StoreError::corrupt(format!("event {} of client {}: {e}", row.source_id, row.client_id)))?;
        let period = match row.period_id {
            Some(id) => Some(names.name(&self.conn, id).await?),
            None => None,
        };
        Ok(StoredEvent { event, source: row.source, received_at: row.received_at, period, booked_on: row.booked_on })
    }
}

/// Period names by row id, looked up once per call.
#[derive(Default)]
struct PeriodNames(BTreeMap<i64, YearMonth>);

impl PeriodNames {
    async fn name(&mut self, conn: &Conn<'_>, id: i64) -> Result<YearMonth, StoreError> {
        if let Some(name) = self.0.get(&id) {
            return Ok(*name);
        }
        let row = periods::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| StoreError::corrupt(format!("an event is booked into period row {id}, which is missing")))?;
        let name: YearMonth = parse_stored("period", &row.period)?;
        self.0.insert(id, name);
        Ok(name)
    }
}
