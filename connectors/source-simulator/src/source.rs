//! The `ServicingSource` over a simulated book.

use std::fmt;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use chrono::NaiveDate;
use tieout_core::connector::{
    Clock, ConnectorContext, Cursor, LoanBalance, LoanSchedule, Page, ProductInfo, RateBudget, ServicingSource,
    SourceCapabilities, SourceError,
};
use tieout_core::event::Event;

use crate::book::{BookError, Simulator};
use crate::config::{Release, ValidatedSimulator};
use crate::cursor::{
    EventPosition, Snapshot, event_cursor, parse_event_cursor, parse_snapshot_cursor, snapshot_cursor,
};
use crate::day_count::{add_days, days_between};
use crate::index::DayIndex;

/// The simulator as a servicing source. See the crate docs for what it emits and the rules its
/// events, schedules and balances follow.
pub struct SimulatorSource {
    book: Arc<Simulator>,
    index: OnceLock<DayIndex>,
    clock: Arc<dyn Clock>,
    budget: Arc<dyn RateBudget>,
    span: tracing::Span,
}

impl fmt::Debug for SimulatorSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = self.book.settings();
        f.debug_struct("SimulatorSource")
            .field("loans", &settings.loans())
            .field("start", &settings.start())
            .field("end", &settings.end())
            .field("release", &settings.release())
            .field("indexed", &self.index.get().is_some())
            .finish()
    }
}

fn book_error(e: BookError) -> SourceError {
    SourceError::InvalidData { message: e.to_string() }
}

impl SimulatorSource {
    /// The source over `validated`, using the context's clock (for `release = "clock"`), API
    /// budget (one permit per call, as a remote system would take) and tracing span.
    pub fn build(validated: Arc<ValidatedSimulator>, cx: &ConnectorContext) -> Self {
        SimulatorSource {
            book: Arc::new(Simulator::new(validated)),
            index: OnceLock::new(),
            clock: cx.clock.clone(),
            budget: cx.budget.clone(),
            span: cx.span.clone(),
        }
    }

    /// The book behind the source (to generate single loans, or count what calls generate).
    pub fn book(&self) -> &Simulator {
        &self.book
    }

    fn settings(&self) -> &ValidatedSimulator {
        self.book.settings()
    }

    /// The last day whose entries are visible, or `None` before the first.
    pub fn visible_through(&self) -> Option<NaiveDate> {
        let settings = self.settings();
        let through = match settings.release {
            Release::All => settings.end,
            Release::Clock => add_days(self.clock.now().date_naive(), -1).min(settings.end),
        };
        (through >= settings.start).then_some(through)
    }

    fn index(&self) -> &DayIndex {
        self.index.get_or_init(|| {
            let _enter = self.span.enter();
            tracing::debug!(loans = self.settings().loans, "indexing the simulated book's event days");
            DayIndex::build(&self.book)
        })
    }

    async fn permit(&self) -> Result<tieout_core::connector::BudgetPermit, SourceError> {
        self.budget.acquire().await.map_err(|e| SourceError::RateLimited { retry_after: e.retry_after })
    }

    fn day(&self, offset: u32) -> NaiveDate {
        add_days(self.settings().start, i64::from(offset))
    }

    fn read_events(&self, after: Option<EventPosition>, limit: usize) -> Result<Page<Event>, SourceError> {
        let Some(visible) = self.visible_through() else { return Ok(Page { items: Vec::new(), next: None }) };
        let last_day = u32::try_from(days_between(self.settings().start, visible)).unwrap_or(0);
        let mut items = Vec::with_capacity(limit.min(1024));
        let mut last: Option<EventPosition> = None;
        let (mut day, mut after_loan, mut after_seq) = after.map_or((0, 0, 0), |p| (p.day, p.loan, p.seq));
        if day > last_day {
            return Ok(Page { items, next: None });
        }
        let index = self.index();
        'days: while day <= last_day {
            let date = self.day(day);
            let loans = index.loans_on(day);
            let first = loans.partition_point(|loan| *loan < after_loan);
            for &number in &loans[first..] {
                let history = self.book.history(number, date);
                let loan = self.book.loan_id(number);
                for record in history.records.iter().filter(|r| r.emitted == date) {
                    if number == after_loan && record.seq <= after_seq {
                        continue;
                    }
                    items.push(self.book.event(&history, &loan, record).map_err(book_error)?);
                    last = Some(EventPosition { day, loan: number, seq: record.seq });
                    if items.len() >= limit {
                        break 'days;
                    }
                }
            }
            day += 1;
            after_loan = 0;
            after_seq = 0;
        }
        let next = last.map(|position| event_cursor(&self.settings().fingerprint, position));
        Ok(Page { items, next })
    }

    /// Loans from `from`, disbursed by `cutoff`, up to `limit` items made by `make`.
    fn read_snapshot<T>(
        &self,
        snapshot: Snapshot,
        cursor: Option<&Cursor>,
        limit: usize,
        cutoff: NaiveDate,
        mut make: impl FnMut(u32) -> Result<Option<T>, BookError>,
    ) -> Result<Page<T>, SourceError> {
        let settings = self.settings();
        let mut number = match cursor {
            None => 1,
            Some(cursor) => parse_snapshot_cursor(cursor, &settings.fingerprint, snapshot)?,
        };
        let mut items = Vec::with_capacity(limit.min(1024));
        // Loans are disbursed in number order: the first one after the cutoff ends the read.
        while number >= 1 && number <= settings.loans && self.book.disbursed_on(number) <= cutoff {
            if items.len() >= limit {
                return Ok(Page { items, next: Some(snapshot_cursor(&settings.fingerprint, snapshot, number)) });
            }
            if let Some(item) = make(number).map_err(book_error)? {
                items.push(item);
            }
            number += 1;
        }
        Ok(Page { items, next: None })
    }

    fn page_limit(&self, limit: usize) -> Result<usize, SourceError> {
        if limit == 0 {
            return Err(SourceError::Rejected {
                message: "a page limit of 0 reads nothing: ask for at least 1".into(),
            });
        }
        Ok(limit.min(self.settings().page_size))
    }
}

#[async_trait]
impl ServicingSource for SimulatorSource {
    fn kind(&self) -> &'static str {
        crate::config::KIND
    }

    fn capabilities(&self) -> SourceCapabilities {
        SourceCapabilities {
            accrues: false,
            runs_cob: false,
            posts_repayments: false,
            max_page_size: self.settings().page_size,
        }
    }

    /// Always fine: the simulator runs in-process and takes no credentials.
    async fn check(&self) -> Result<(), SourceError> {
        let _permit = self.permit().await?;
        Ok(())
    }

    async fn products(&self) -> Result<Vec<ProductInfo>, SourceError> {
        let _permit = self.permit().await?;
        Ok(self.book.products())
    }

    async fn events(&self, cursor: Option<&Cursor>, limit: usize) -> Result<Page<Event>, SourceError> {
        let _permit = self.permit().await?;
        let limit = self.page_limit(limit)?;
        let after = cursor.map(|c| parse_event_cursor(c, &self.settings().fingerprint)).transpose()?;
        self.read_events(after, limit)
    }

    async fn balances(
        &self,
        as_of: NaiveDate,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page<LoanBalance>, SourceError> {
        let _permit = self.permit().await?;
        let limit = self.page_limit(limit)?;
        let Some(visible) = self.visible_through() else {
            // A cursor is still checked, so a foreign one is refused even before day one.
            if let Some(cursor) = cursor {
                parse_snapshot_cursor(cursor, &self.settings().fingerprint, Snapshot::Balances)?;
            }
            return Ok(Page { items: Vec::new(), next: None });
        };
        let cutoff = as_of.min(visible);
        self.read_snapshot(Snapshot::Balances, cursor, limit, cutoff, |number| {
            self.book.loan_balance(number, as_of, visible)
        })
    }

    /// Every loan disbursed by the last visible day, with its schedule as it stands at the
    /// book's last day (see the crate docs: it accrues the same as any earlier version).
    async fn schedules(&self, cursor: Option<&Cursor>, limit: usize) -> Result<Page<LoanSchedule>, SourceError> {
        let _permit = self.permit().await?;
        let limit = self.page_limit(limit)?;
        let Some(visible) = self.visible_through() else {
            if let Some(cursor) = cursor {
                parse_snapshot_cursor(cursor, &self.settings().fingerprint, Snapshot::Schedules)?;
            }
            return Ok(Page { items: Vec::new(), next: None });
        };
        self.read_snapshot(Snapshot::Schedules, cursor, limit, visible, |number| {
            self.book.loan_schedule(number).map(Some)
        })
    }
}
