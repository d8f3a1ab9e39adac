//! Problems of a period's proposal: data with a code, a plain sentence and the fix.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use tieout_core::ids::{AccountRef, ClientId, EventId, ProductId};
use tieout_core::role::Role;

use super::{find_period, insert_rows, require_period, rows_per_statement};
use crate::codec::{now, parse_stored};
use crate::conn::Conn;
use crate::entity::problems;
use crate::error::StoreError;
use crate::types::{Severity, YearMonth};

/// One problem, e.g. code `unmapped_role`, sentence "Product 'Gold' has no account for
/// interest_receivable", fix "add it under [products.gold] in the mapping, or upload a mapping
/// sheet".
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Problem {
    pub code: String,
    pub severity: Severity,
    pub sentence: String,
    pub fix: String,
    pub event: Option<EventId>,
    pub product: Option<ProductId>,
    pub role: Option<Role>,
    pub account: Option<AccountRef>,
}

/// The problems table.
pub struct Problems<'a> {
    conn: Conn<'a>,
}

const COLUMNS: [problems::Column; 11] = [
    problems::Column::ClientId,
    problems::Column::PeriodId,
    problems::Column::Code,
    problems::Column::Severity,
    problems::Column::Sentence,
    problems::Column::Fix,
    problems::Column::EventId,
    problems::Column::Product,
    problems::Column::Role,
    problems::Column::Account,
    problems::Column::CreatedAt,
];

impl<'a> Problems<'a> {
    pub(crate) fn new(conn: Conn<'a>) -> Self {
        Problems { conn }
    }

    /// Replaces the period's problems with `found`, in one transaction.
    pub async fn replace_for_period(
        &self,
        client: &ClientId,
        period: YearMonth,
        found: &[Problem],
    ) -> Result<(), StoreError> {
        let tx = self.conn.begin_write().await?;
        let row = require_period(&tx, client, period).await?;
        problems::Entity::delete_many().filter(problems::Column::PeriodId.eq(row.id)).exec(&tx).await?;
        let at = now();
        for chunk in found.chunks(rows_per_statement(self.conn.backend(), COLUMNS.len())) {
            let rows = chunk.iter().map(|p| {
                vec![
                    Expr::val(client.as_str()),
                    Expr::val(row.id),
                    Expr::val(p.code.as_str()),
                    Expr::val(p.severity.as_str()),
                    Expr::val(p.sentence.as_str()),
                    Expr::val(p.fix.as_str()),
                    Expr::val(p.event.as_ref().map(|e| e.as_str())),
                    Expr::val(p.product.as_ref().map(|e| e.as_str())),
                    Expr::val(p.role.map(|r| r.as_str())),
                    Expr::val(p.account.as_ref().map(|e| e.as_str())),
                    Expr::val(at),
                ]
            });
            tx.execute(&insert_rows(problems::Entity, &COLUMNS, rows, None)?).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The period's problems, errors first, in the order they were found.
    pub async fn list(&self, client: &ClientId, period: YearMonth) -> Result<Vec<Problem>, StoreError> {
        let Some(row) = find_period(&self.conn, client, period).await? else {
            return Ok(Vec::new());
        };
        let rows = problems::Entity::find()
            .filter(problems::Column::PeriodId.eq(row.id))
            .order_by_asc(problems::Column::Id)
            .all(&self.conn)
            .await?;
        let mut out = rows
            .into_iter()
            .map(|m| {
                Ok(Problem {
                    code: m.code,
                    severity: parse_stored("severity", &m.severity)?,
                    sentence: m.sentence,
                    fix: m.fix,
                    event: m.event_id.map(EventId::from),
                    product: m.product.map(ProductId::from),
                    role: m.role.map(|r| parse_stored("role", &r)).transpose()?,
                    account: m.account.map(AccountRef::from),
                })
            })
            .collect::<Result<Vec<Problem>, StoreError>>()?;
        out.sort_by_key(|p| p.severity != Severity::Error);
        Ok(out)
    }

    /// Problems that block sending (errors, not warnings).
    pub async fn count_blocking(&self, client: &ClientId, period: YearMonth) -> Result<u64, StoreError> {
        let Some(row) = find_period(&self.conn, client, period).await? else {
            return Ok(0);
        };
        Ok(problems::Entity::find()
            .filter(problems::Column::PeriodId.eq(row.id))
            .filter(problems::Column::Severity.eq(Severity::Error.as_str()))
            .count(&self.conn)
            .await?)
    }
}
