//! Periods: a client's accounting months and their status (DESIGN.md section 7).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use tieout_core::ids::ClientId;

use super::{find_period, insert_rows, status_error};
use crate::codec::{now, parse_stored};
use crate::conn::Conn;
use crate::entity::{audit_log, periods, postings};
use crate::error::StoreError;
use crate::types::{PeriodStatus, PostingStatus, YearMonth};

/// A period as stored.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Period {
    pub client: ClientId,
    pub period: YearMonth,
    pub status: PeriodStatus,
    /// Who clicked Close (or Reload) last: the preparer.
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Who clicked Send: the approver.
    pub sent_by: Option<String>,
    /// When the last entry was posted and the period became `sent`.
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<periods::Model> for Period {
    type Error = StoreError;
    fn try_from(m: periods::Model) -> Result<Self, StoreError> {
        Ok(Period {
            client: ClientId::from(m.client_id),
            period: parse_stored("period", &m.period)?,
            status: parse_stored("period status", &m.status)?,
            closed_by: m.closed_by,
            closed_at: m.closed_at,
            sent_by: m.sent_by,
            sent_at: m.sent_at,
            updated_at: m.updated_at,
        })
    }
}

/// The periods table.
pub struct Periods<'a> {
    conn: Conn<'a>,
}

impl<'a> Periods<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        Periods { conn }
    }

    /// The period, created `open` if it does not exist yet.
    pub async fn ensure(&self, client: &ClientId, period: YearMonth) -> Result<Period, StoreError> {
        let insert = insert_rows(
            periods::Entity,
            &[periods::Column::ClientId, periods::Column::Period, periods::Column::Status, periods::Column::UpdatedAt],
            [vec![
                Expr::val(client.as_str()),
                Expr::val(period.to_string()),
                Expr::val(PeriodStatus::Open.as_str()),
                Expr::val(now()),
            ]],
            Some(OnConflict::columns([periods::Column::ClientId, periods::Column::Period]).do_nothing().to_owned()),
        )?;
        self.conn.execute(&insert).await?;
        self.get(client, period)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("period {period} of client {client}")))
    }

    pub async fn get(&self, client: &ClientId, period: YearMonth) -> Result<Option<Period>, StoreError> {
        let row = periods::Entity::find()
            .filter(periods::Column::ClientId.eq(client.as_str()))
            .filter(periods::Column::Period.eq(period.to_string()))
            .one(&self.conn)
            .await?;
        row.map(Period::try_from).transpose()
    }

    /// A client's periods, oldest first.
    pub async fn list(&self, client: &ClientId) -> Result<Vec<Period>, StoreError> {
        let rows = periods::Entity::find()
            .filter(periods::Column::ClientId.eq(client.as_str()))
            .order_by_asc(periods::Column::Period)
            .all(&self.conn)
            .await?;
        rows.into_iter().map(Period::try_from).collect()
    }

    /// The oldest `open` period: where late and backdated events are booked.
    pub async fn first_open(&self, client: &ClientId) -> Result<Option<Period>, StoreError> {
        let row = periods::Entity::find()
            .filter(periods::Column::ClientId.eq(client.as_str()))
            .filter(periods::Column::Status.eq(PeriodStatus::Open.as_str()))
            .order_by_asc(periods::Column::Period)
            .one(&self.conn)
            .await?;
        row.map(Period::try_from).transpose()
    }

    /// Moves the period from `from` to `to` if, and only if, it is `from` now (compare-and-set):
    /// of two callers racing from the same status, exactly one succeeds; the other gets
    /// [`StoreError::PeriodStatus`] and nothing changes. The change and its audit record (actor,
    /// before, after) commit together. Entering `proposing` records `actor` as the preparer
    /// (`closed_by`); entering `sending` records the approver (`sent_by`); reopening clears the
    /// preparer; `sent` stamps `sent_at` and is refused ([`StoreError::Unsent`]) while any of
    /// the period's postings is not posted.
    pub async fn transition(
        &self,
        client: &ClientId,
        period: YearMonth,
        from: PeriodStatus,
        to: PeriodStatus,
        actor: &str,
    ) -> Result<Period, StoreError> {
        if !from.can_go_to(to) {
            let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
            return Err(StoreError::InvalidTransition {
                from: from.to_string(),
                to: to.to_string(),
                allowed: if allowed.is_empty() { "none".to_owned() } else { allowed.join(", ") },
            });
        }
        let at = now();
        let tx = self.conn.begin_write().await?;
        let mut update = periods::Entity::update_many()
            .col_expr(periods::Column::Status, Expr::val(to.as_str()))
            .col_expr(periods::Column::UpdatedAt, Expr::val(at));
        match to {
            PeriodStatus::Proposing => {
                update = update
                    .col_expr(periods::Column::ClosedBy, Expr::val(actor))
                    .col_expr(periods::Column::ClosedAt, Expr::val(at));
            }
            PeriodStatus::Open => {
                update = update
                    .col_expr(periods::Column::ClosedBy, Expr::val(Option::<String>::None))
                    .col_expr(periods::Column::ClosedAt, Expr::val(Option::<DateTime<Utc>>::None));
            }
            PeriodStatus::Sending => {
                update = update.col_expr(periods::Column::SentBy, Expr::val(actor));
            }
            PeriodStatus::Sent => {
                update = update.col_expr(periods::Column::SentAt, Expr::val(at));
            }
            PeriodStatus::Proposed => {}
        }
        let result = update
            .filter(periods::Column::ClientId.eq(client.as_str()))
            .filter(periods::Column::Period.eq(period.to_string()))
            .filter(periods::Column::Status.eq(from.as_str()))
            .exec(&tx)
            .await?;
        if result.rows_affected != 1 {
            let actual = find_period(&tx, client, period).await?;
            drop(tx);
            return Err(match actual {
                None => StoreError::NotFound(format!("period {period} of client {client}")),
                Some(row) => status_error(client, period, from.as_str(), row.status, &format!("moving it to {to}")),
            });
        }
        if to == PeriodStatus::Sent {
            // Sent means every entry is in the sink. Checked after the status change, under its
            // row lock, so no posting can be enqueued or claimed in between.
            let unsent = postings::Entity::find()
                .filter(postings::Column::ClientId.eq(client.as_str()))
                .filter(postings::Column::PeriodId.eq(self_get_id(&tx, client, period).await?))
                .filter(postings::Column::Status.ne(PostingStatus::Posted.as_str()))
                .count(&tx)
                .await?;
            if unsent > 0 {
                drop(tx);
                return Err(StoreError::Unsent { client: client.to_string(), period: period.to_string(), unsent });
            }
        }
        let audit = insert_rows(
            audit_log::Entity,
            &[
                audit_log::Column::At,
                audit_log::Column::Actor,
                audit_log::Column::Action,
                audit_log::Column::ClientId,
                audit_log::Column::Subject,
                audit_log::Column::Before,
                audit_log::Column::After,
            ],
            [vec![
                Expr::val(at),
                Expr::val(actor),
                Expr::val(format!("period.{to}")),
                Expr::val(client.as_str()),
                Expr::val(format!("period {period}")),
                Expr::val(format!(r#"{{"status":"{from}"}}"#)),
                Expr::val(format!(r#"{{"status":"{to}"}}"#)),
            ]],
            None,
        )?;
        tx.execute(&audit).await?;
        let updated = self_get(&tx, client, period).await?;
        tx.commit().await?;
        Ok(updated)
    }
}

async fn self_get<C: ConnectionTrait>(conn: &C, client: &ClientId, period: YearMonth) -> Result<Period, StoreError> {
    let row = periods::Entity::find()
        .filter(periods::Column::ClientId.eq(client.as_str()))
        .filter(periods::Column::Period.eq(period.to_string()))
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("period {period} of client {client}")))?;
    Period::try_from(row)
}

async fn self_get_id<C: ConnectionTrait>(conn: &C, client: &ClientId, period: YearMonth) -> Result<i64, StoreError> {
    Ok(super::require_period(conn, client, period).await?.id)
}
