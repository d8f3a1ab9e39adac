//! The source itself.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use tieout_core::connector::{
    BuildError, ConnectorContext, Cursor, ExposeSecret, LoanBalance, LoanSchedule, Page, ProductInfo, RateBudget,
    ServicingSource, SourceCapabilities, SourceError, Unlimited,
};
use tieout_core::event::{Event, parse_events};
use tieout_core::ids::EventId;
use tieout_core::role::DayCount;

use crate::config::ValidatedMemorySource;
use crate::wire::{BalanceLine, ScheduleLine, read_lines};

/// What a cursor points into; each has its own prefix so that one cannot be used for another.
#[derive(Clone, Copy)]
enum Stream {
    Events,
    Balances,
    Schedules,
}

impl Stream {
    fn prefix(self) -> &'static str {
        match self {
            Stream::Events => "ev:",
            Stream::Balances => "bal:",
            Stream::Schedules => "sch:",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Stream::Events => "events",
            Stream::Balances => "balances",
            Stream::Schedules => "schedules",
        }
    }
}

/// A servicing source held in memory. See the crate docs.
pub struct MemorySource {
    events: Arc<[Event]>,
    products: Option<Vec<ProductInfo>>,
    balances: Vec<LoanBalance>,
    schedules: Vec<LoanSchedule>,
    page_size: usize,
    accrues: bool,
    /// Whether the presented credential was refused; the token itself is never kept.
    refused: bool,
    budget: Arc<dyn RateBudget>,
    span: tracing::Span,
}

impl fmt::Debug for MemorySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemorySource")
            .field("events", &self.events.len())
            .field("products", &self.products.as_ref().map(Vec::len))
            .field("balances", &self.balances.len())
            .field("schedules", &self.schedules.len())
            .field("page_size", &self.page_size)
            .field("accrues", &self.accrues)
            .field("credential", &if self.refused { "refused" } else { "accepted" })
            .finish()
    }
}

impl MemorySource {
    /// A source serving `events` in this order, with products derived from them, pages of at
    /// most 100, no balances or schedules, accepted credentials and no API budget.
    pub fn new(events: Vec<Event>) -> Self {
        MemorySource {
            events: events.into(),
            products: None,
            balances: Vec::new(),
            schedules: Vec::new(),
            page_size: 100,
            accrues: false,
            refused: false,
            budget: Arc::new(Unlimited),
            span: tracing::Span::none(),
        }
    }

    /// Reports these products instead of deriving them from the events.
    pub fn with_products(mut self, products: Vec<ProductInfo>) -> Self {
        self.products = Some(products);
        self
    }

    /// Balance observations; a read as of a date takes each loan's latest one on or before it.
    pub fn with_balances(mut self, balances: Vec<LoanBalance>) -> Self {
        self.balances = balances;
        self
    }

    pub fn with_schedules(mut self, schedules: Vec<LoanSchedule>) -> Self {
        self.schedules = schedules;
        self
    }

    /// The largest page returned, whatever limit is asked (at least 1).
    pub fn with_page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    pub fn with_accrues(mut self, accrues: bool) -> Self {
        self.accrues = accrues;
        self
    }

    /// Every call fails with [`SourceError::Auth`], as with a wrong token.
    pub fn refusing_credentials(mut self) -> Self {
        self.refused = true;
        self
    }

    /// Each call takes one permit from `budget`.
    pub fn with_budget(mut self, budget: Arc<dyn RateBudget>) -> Self {
        self.budget = budget;
        self
    }

    /// The events cursor positioned after the first `position` events (for tests: a cursor
    /// beyond the end is `cursor_at(len + 1)`).
    pub fn cursor_at(position: usize) -> Cursor {
        cursor(Stream::Events, position)
    }

    /// Builds the source from a validated config: reads the files strictly and checks the
    /// token against the accepted digest (a wrong one is not an error here; calls will fail
    /// with `Auth`, as a real API's would).
    pub fn build(validated: ValidatedMemorySource, cx: &ConnectorContext) -> Result<Self, BuildError> {
        let ValidatedMemorySource { config, page_size, credential } = validated;
        let refused = match credential {
            None => false,
            Some((secret, accepted)) => {
                let token = cx.secrets.resolve(&secret)?;
                let digest: [u8; 32] = Sha256::digest(token.expose_secret().as_bytes()).into();
                digest != accepted
            }
        };
        let events_path = config.events_file.display().to_string();
        let text = read_file(&config.events_file, "events_file")?;
        let mut events = Vec::new();
        let mut seen: BTreeMap<EventId, usize> = BTreeMap::new();
        for (index, event) in parse_events(&text).enumerate() {
            let event = event.map_err(|e| BuildError::Setup(format!("events_file {events_path}: {e}")))?;
            if let Some(first) = seen.insert(event.id.clone(), index) {
                return Err(BuildError::Setup(format!(
                    "events_file {events_path}: event {} appears twice (events {} and {}): ids must be unique",
                    event.id,
                    first + 1,
                    index + 1
                )));
            }
            events.push(event);
        }
        let balances: Vec<BalanceLine> = match &config.balances_file {
            Some(path) => read_lines(&read_file(path, "balances_file")?, &path.display().to_string())
                .map_err(|e| BuildError::Setup(format!("balances_file {e}")))?,
            None => Vec::new(),
        };
        let schedules: Vec<ScheduleLine> = match &config.schedules_file {
            Some(path) => read_lines(&read_file(path, "schedules_file")?, &path.display().to_string())
                .map_err(|e| BuildError::Setup(format!("schedules_file {e}")))?,
            None => Vec::new(),
        };
        let products = config.products.map(|list| {
            list.into_iter()
                .map(|p| ProductInfo {
                    name: p.name.unwrap_or_else(|| p.id.clone()),
                    id: p.id.into(),
                    currency: p.currency,
                    accounting_rule: p.accounting_rule,
                    day_count: p.day_count.unwrap_or(DayCount::ActualActual),
                    accrual_activity_posting: p.accrual_activity_posting,
                })
                .collect()
        });
        tracing::info!(
            parent: &cx.span,
            events = events.len(),
            balances = balances.len(),
            schedules = schedules.len(),
            file = %events_path,
            "Memory source loaded its data."
        );
        Ok(MemorySource {
            events: events.into(),
            products,
            balances: balances.into_iter().map(Into::into).collect(),
            schedules: schedules.into_iter().map(Into::into).collect(),
            page_size,
            accrues: config.accrues,
            refused,
            budget: cx.budget.clone(),
            span: cx.span.clone(),
        })
    }

    /// One API call: takes a budget permit, then checks the credential.
    async fn call(&self) -> Result<(), SourceError> {
        let _permit =
            self.budget.acquire().await.map_err(|e| SourceError::RateLimited { retry_after: e.retry_after })?;
        if self.refused {
            tracing::warn!(parent: &self.span, "Memory source refused the token.");
            return Err(SourceError::Auth {
                message: "the token does not match accepted_token_sha256 of the memory source".into(),
            });
        }
        Ok(())
    }

    fn derived_products(&self) -> Vec<ProductInfo> {
        let mut products: Vec<ProductInfo> = Vec::new();
        for event in self.events.iter() {
            if !products.iter().any(|p| p.id == event.product) {
                products.push(ProductInfo {
                    id: event.product.clone(),
                    name: event.product.to_string(),
                    currency: event.currency,
                    accounting_rule: None,
                    day_count: DayCount::ActualActual,
                    accrual_activity_posting: false,
                });
            }
        }
        products
    }

    fn page_bounds(
        &self,
        stream: Stream,
        cursor: Option<&Cursor>,
        limit: usize,
        len: usize,
    ) -> Result<(usize, usize), SourceError> {
        if limit == 0 {
            return Err(SourceError::Rejected {
                message: format!("a page of {} needs a limit of at least 1", stream.name()),
            });
        }
        let start = match cursor {
            None => 0,
            Some(c) => position(stream, c)?,
        };
        let start = start.min(len);
        let end = start.saturating_add(limit.min(self.page_size)).min(len);
        Ok((start, end))
    }
}

fn read_file(path: &std::path::Path, key: &str) -> Result<String, BuildError> {
    std::fs::read_to_string(path)
        .map_err(|e| BuildError::Setup(format!("{key} {} cannot be read: {e}", path.display())))
}

fn cursor(stream: Stream, position: usize) -> Cursor {
    Cursor(format!("{}{position}", stream.prefix()))
}

/// The position a cursor of `stream` points at.
fn position(stream: Stream, cursor: &Cursor) -> Result<usize, SourceError> {
    let digits =
        cursor.0.strip_prefix(stream.prefix()).filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    digits.and_then(|d| d.parse().ok()).ok_or_else(|| SourceError::Rejected {
        message: format!(
            "cursor '{}' was not issued by the memory source for {} (expected {}<position>): resume from a cursor \
             the source returned, or from no cursor to read from the start",
            cursor.0,
            stream.name(),
            stream.prefix()
        ),
    })
}

#[async_trait]
impl ServicingSource for MemorySource {
    fn kind(&self) -> &'static str {
        "memory"
    }

    fn capabilities(&self) -> SourceCapabilities {
        SourceCapabilities {
            accrues: self.accrues,
            runs_cob: false,
            posts_repayments: false,
            max_page_size: self.page_size,
        }
    }

    async fn check(&self) -> Result<(), SourceError> {
        self.call().await
    }

    async fn products(&self) -> Result<Vec<ProductInfo>, SourceError> {
        self.call().await?;
        Ok(self.products.clone().unwrap_or_else(|| self.derived_products()))
    }

    /// `next` is the position after the page's last event, also on the last page, so that a
    /// caller can resume from it later and get only newer events; an empty page has none.
    async fn events(&self, cursor: Option<&Cursor>, limit: usize) -> Result<Page<Event>, SourceError> {
        self.call().await?;
        let (start, end) = self.page_bounds(Stream::Events, cursor, limit, self.events.len())?;
        let items = self.events[start..end].to_vec();
        let next = (!items.is_empty()).then(|| self::cursor(Stream::Events, end));
        Ok(Page { items, next })
    }

    async fn balances(
        &self,
        as_of: NaiveDate,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page<LoanBalance>, SourceError> {
        self.call().await?;
        // Each loan's latest observation on or before `as_of`, by loan id.
        let mut latest: BTreeMap<&str, &LoanBalance> = BTreeMap::new();
        for balance in self.balances.iter().filter(|b| b.as_of <= as_of) {
            let slot = latest.entry(balance.loan_id.as_str()).or_insert(balance);
            if balance.as_of >= slot.as_of {
                *slot = balance;
            }
        }
        let all: Vec<LoanBalance> = latest.into_values().map(|b| LoanBalance { as_of, ..b.clone() }).collect();
        let (start, end) = self.page_bounds(Stream::Balances, cursor, limit, all.len())?;
        let next = (end < all.len()).then(|| self::cursor(Stream::Balances, end));
        Ok(Page { items: all[start..end].to_vec(), next })
    }

    async fn schedules(&self, cursor: Option<&Cursor>, limit: usize) -> Result<Page<LoanSchedule>, SourceError> {
        self.call().await?;
        let (start, end) = self.page_bounds(Stream::Schedules, cursor, limit, self.schedules.len())?;
        let next = (end < self.schedules.len()).then(|| self::cursor(Stream::Schedules, end));
        Ok(Page { items: self.schedules[start..end].to_vec(), next })
    }
}
