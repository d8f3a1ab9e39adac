//! The sink: settings, the checks on a batch and on each entry, and `AccountingSink`.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::NaiveDate;
use tieout_core::connector::{
    AccountBalance, AccountingSink, ConnectorContext, CurrencySupport, LedgerAccount, PostFailure, PostOutcome,
    Posting, RateBudget, SinkCapabilities, SinkError, Unlimited,
};
use tieout_core::entry::{EntryKey, JournalEntry};
use tieout_core::ids::ExternalRef;
use tieout_core::money::Currency;

use crate::book::Book;
use crate::config::{DEFAULT_MAX_BATCH, KIND, ValidatedLedgerSink};
use crate::error::JournalError;
use crate::journal::{Journal, Options};
use crate::read::unwritable_account;
use crate::render;

/// What the sink does; build one in code with `Settings::new(path)` and struct update syntax.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Settings {
    pub path: PathBuf,
    /// Create a missing journal (and its folder).
    pub create: bool,
    /// Entries dated on or before it are refused; the journal's `; tieout:lock-date` line may
    /// set a later one.
    pub lock_date: Option<NaiveDate>,
    pub currencies: CurrencySupport,
    /// Accounts declared in the journal when it is opened, if it lacks them.
    pub declare_accounts: Vec<String>,
    /// Declare an undeclared account instead of refusing the entry.
    pub declare_new_accounts: bool,
    pub max_batch: usize,
    /// Dimension names written as posting tags.
    pub dimensions: Vec<String>,
}

impl Settings {
    /// The defaults of the config for the journal at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Settings {
            path: path.into(),
            create: true,
            lock_date: None,
            currencies: CurrencySupport::Any,
            declare_accounts: Vec::new(),
            declare_new_accounts: false,
            max_batch: DEFAULT_MAX_BATCH,
            dimensions: vec!["class".into(), "location".into()],
        }
    }
}

/// An accounting sink over an hledger journal file. See the crate docs.
pub struct LedgerSink {
    settings: Settings,
    /// Opened by the first call.
    journal: Mutex<Option<Journal>>,
    budget: Arc<dyn RateBudget>,
    span: tracing::Span,
}

impl fmt::Debug for LedgerSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // try_lock: formatting must never wait for (or deadlock with) a post in progress.
        let counts =
            self.journal.try_lock().ok().and_then(|j| j.as_ref().map(|j| (j.book().transactions(), j.book().tagged())));
        let s = &self.settings;
        f.debug_struct("LedgerSink")
            .field("path", &s.path)
            .field("create", &s.create)
            .field("lock_date", &s.lock_date)
            .field("currencies", &s.currencies)
            .field("declare_new_accounts", &s.declare_new_accounts)
            .field("max_batch", &s.max_batch)
            .field("transactions_and_tagged", &counts)
            .finish()
    }
}

/// What a post does with one entry of the batch.
enum Plan {
    /// Already in the journal under its key.
    Known(ExternalRef),
    Refused(String),
    /// Appended by this post.
    Written,
}

impl LedgerSink {
    /// A sink with these settings and no API budget. Touches no file: the first call opens the
    /// journal.
    pub fn new(settings: Settings) -> Self {
        LedgerSink { settings, journal: Mutex::new(None), budget: Arc::new(Unlimited), span: tracing::Span::none() }
    }

    /// The sink of a validated config, with the context's budget and span.
    pub fn build(validated: ValidatedLedgerSink, cx: &ConnectorContext) -> Self {
        let mut sink = LedgerSink::new(validated.settings);
        sink.budget = cx.budget.clone();
        sink.span = cx.span.clone();
        tracing::info!(parent: &sink.span, file = %sink.settings.path.display(), "Ledger sink ready.");
        sink
    }

    /// Each call takes one permit from `budget`.
    pub fn with_budget(mut self, budget: Arc<dyn RateBudget>) -> Self {
        self.budget = budget;
        self
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn path(&self) -> &Path {
        &self.settings.path
    }

    /// Opens the journal now, as the first call would: creates it, cuts off a torn tail,
    /// declares the configured accounts, reads it. Returns how many transactions it holds.
    pub fn open(&self) -> Result<usize, JournalError> {
        self.with_journal(true, |journal| Ok(journal.book().transactions()))
    }

    /// How many transactions the journal holds now (also those written by hand or by others).
    pub fn transactions(&self) -> Result<usize, JournalError> {
        self.with_journal(false, |journal| Ok(journal.book().transactions()))
    }

    fn lock_state(&self) -> MutexGuard<'_, Option<Journal>> {
        self.journal.lock().unwrap_or_else(|poisoned| {
            // A panic mid-call may have left what was read half updated: read the file again.
            let mut state = poisoned.into_inner();
            *state = None;
            state
        })
    }

    /// Runs `f` on the journal, up to date, under a shared or exclusive file lock.
    fn with_journal<T>(
        &self,
        exclusive: bool,
        f: impl FnOnce(&mut Journal) -> Result<T, JournalError>,
    ) -> Result<T, JournalError> {
        let mut state = self.lock_state();
        let journal = match &mut *state {
            Some(journal) => journal,
            empty => empty.insert(Journal::open(self.options(), self.span.clone())?),
        };
        let _lock = journal.lock(exclusive)?;
        journal.catch_up(exclusive)?;
        f(journal)
    }

    fn options(&self) -> Options {
        let commodities = match &self.settings.currencies {
            CurrencySupport::Any => Vec::new(),
            CurrencySupport::BaseOnly(base) => vec![*base],
            CurrencySupport::Enabled(list) => list.clone(),
        };
        Options {
            path: self.settings.path.clone(),
            create: self.settings.create,
            declare_accounts: self.settings.declare_accounts.clone(),
            commodities,
        }
    }

    /// One call: a permit from the API budget (a file has no rate limit, but the host counts calls).
    async fn call(&self) -> Result<(), SinkError> {
        let _permit = self.budget.acquire().await.map_err(|e| SinkError::RateLimited { retry_after: e.retry_after })?;
        Ok(())
    }

    /// What refuses the whole call, before the file is touched: what the caller could know from
    /// `capabilities()`.
    fn check_batch(&self, batch: &[Posting<'_>]) -> Result<(), SinkError> {
        let s = &self.settings;
        if batch.len() > s.max_batch {
            return Err(SinkError::Rejected {
                message: format!("a batch of {} entries is more than this sink takes ({})", batch.len(), s.max_batch),
            });
        }
        for posting in batch {
            let entry = posting.entry;
            if !s.currencies.allows(entry.currency()) {
                return Err(SinkError::Rejected {
                    message: format!(
                        "entry {} is in {}, which this ledger does not book ({}); nothing was written",
                        entry.key(),
                        entry.currency(),
                        describe(&s.currencies)
                    ),
                });
            }
            for dimensions in posting.dimensions.values() {
                if let Some(name) = dimensions.keys().find(|name| !s.dimensions.contains(name)) {
                    return Err(SinkError::Rejected {
                        message: format!(
                            "entry {} has dimension '{name}', which this sink does not write (dimensions = [{}])",
                            entry.key(),
                            s.dimensions.join(", ")
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// The lock date in force and where it comes from.
    fn lock(&self, book: &Book) -> Option<(NaiveDate, String)> {
        let from_config = self.settings.lock_date.map(|d| (d, "lock_date in the sink's config".to_owned()));
        let from_file = book.lock().map(|l| (l.date, format!("the tieout:lock-date line {} of the journal", l.line)));
        match (from_config, from_file) {
            (Some(c), Some(f)) => Some(if f.0 > c.0 { f } else { c }),
            (c, f) => c.or(f),
        }
    }

    /// Why one entry cannot be posted, if it cannot. Refused entries are never written.
    fn refusal(&self, book: &Book, entry: &JournalEntry) -> Option<String> {
        let key = entry.key().as_str();
        if key.is_empty() || key.chars().any(|c| c.is_whitespace() || c.is_control() || c == ',' || c == ';') {
            return Some(format!("entry key '{key}' cannot be written as an hledger tag"));
        }
        if let Some((lock_date, source)) = self.lock(book)
            && entry.date() <= lock_date
        {
            return Some(format!(
                "entry {key} is dated {}, on or before the lock date {lock_date} ({source}): book it in an open period",
                entry.date()
            ));
        }
        for line in entry.lines() {
            let name = line.account().as_str();
            if let Some(why) = unwritable_account(name) {
                return Some(format!(
                    "account '{name}' cannot be written to an hledger journal ({why}): rename it in the mapping"
                ));
            }
            match book.declared(name) {
                None if !self.settings.declare_new_accounts => {
                    return Some(format!(
                        "account '{name}' is not declared in the journal {}: add `account {name}` to it (or to \
                         declare_accounts), correct the mapping, or set declare_new_accounts = true",
                        self.settings.path.display()
                    ));
                }
                None => {}
                Some(declared) if declared.inactive => {
                    return Some(format!(
                        "account '{name}' is inactive (tagged inactive: on line {} of the journal)",
                        declared.line
                    ));
                }
                Some(declared) => {
                    if let Some(only) = declared.currency.filter(|c| *c != entry.currency()) {
                        return Some(format!(
                            "account '{name}' books only {only} (tagged currency:{only} on line {} of the journal); \
                             the entry is in {}",
                            declared.line,
                            entry.currency()
                        ));
                    }
                }
            }
        }
        None
    }

    /// Posts under the exclusive lock: decides each entry, appends the new ones in one write,
    /// reads them back, and answers from what the journal now says.
    fn post_locked(&self, journal: &mut Journal, batch: &[Posting<'_>]) -> Result<Vec<PostOutcome>, JournalError> {
        let mut text = String::new();
        let mut plans = Vec::with_capacity(batch.len());
        {
            let book = journal.book();
            let mut writing: HashSet<&EntryKey> = HashSet::new();
            let mut new_accounts: HashSet<&str> = HashSet::new();
            let mut new_commodities: HashSet<Currency> = HashSet::new();
            for posting in batch {
                let entry = posting.entry;
                let plan = if let Some(posted) = book.find(entry.key()) {
                    Plan::Known(posted)
                } else if writing.contains(entry.key()) {
                    Plan::Written
                } else if let Some(why) = self.refusal(book, entry) {
                    Plan::Refused(why)
                } else {
                    let mut directives = String::new();
                    let currency = entry.currency();
                    if !book.has_commodity(currency.code()) && new_commodities.insert(currency) {
                        render::commodity(&mut directives, currency);
                    }
                    for line in entry.lines() {
                        let name = line.account().as_str();
                        if book.declared(name).is_none() && new_accounts.insert(name) {
                            render::account(&mut directives, name);
                        }
                    }
                    if !directives.is_empty() {
                        text.push_str(&directives);
                        text.push('\n');
                    }
                    render::transaction(&mut text, entry, &posting.dimensions, &self.settings.dimensions);
                    writing.insert(entry.key());
                    Plan::Written
                };
                plans.push(plan);
            }
        }
        if !text.is_empty() {
            journal.append(&text)?;
            journal.catch_up(true)?;
        }
        let book = journal.book();
        batch
            .iter()
            .zip(plans)
            .map(|(posting, plan)| {
                let key = posting.entry.key().clone();
                let result = match plan {
                    Plan::Known(posted) => Ok(posted),
                    Plan::Refused(message) => Err(PostFailure { message, retryable: false }),
                    Plan::Written => match book.find(&key) {
                        Some(posted) => Ok(posted),
                        None => {
                            return Err(JournalError::Unwritable {
                                path: journal.path().display().to_string(),
                                message: format!("entry {key} was appended but is not found when read back"),
                            });
                        }
                    },
                };
                Ok(PostOutcome { key, result })
            })
            .collect()
    }
}

fn describe(currencies: &CurrencySupport) -> String {
    match currencies {
        CurrencySupport::Any => "it books any currency".into(),
        CurrencySupport::BaseOnly(base) => format!("it books only {base}"),
        CurrencySupport::Enabled(list) => {
            format!("currencies = [{}]", list.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
        }
    }
}

#[async_trait]
impl AccountingSink for LedgerSink {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn capabilities(&self) -> SinkCapabilities {
        SinkCapabilities {
            max_batch: self.settings.max_batch,
            rate_limit: None,
            dimensions: self.settings.dimensions.clone(),
            currencies: self.settings.currencies.clone(),
            // The journal is the memory: a key is recognised for as long as its transaction is there.
            idempotency_window: None,
        }
    }

    /// Opens the journal as a post would (creating it when allowed, cutting off a torn tail),
    /// reads all of it and checks that it can be locked for writing. Posts nothing.
    async fn check(&self) -> Result<(), SinkError> {
        self.call().await?;
        let transactions = self.with_journal(true, |journal| Ok(journal.book().transactions()))?;
        tracing::debug!(parent: &self.span, transactions, "Ledger sink checked its journal.");
        Ok(())
    }

    async fn chart_of_accounts(&self) -> Result<Vec<LedgerAccount>, SinkError> {
        self.call().await?;
        Ok(self.with_journal(false, |journal| Ok(journal.book().chart()))?)
    }

    async fn lock_date(&self) -> Result<Option<NaiveDate>, SinkError> {
        self.call().await?;
        Ok(self.with_journal(false, |journal| Ok(self.lock(journal.book()).map(|(date, _)| date)))?)
    }

    async fn post(&self, batch: &[Posting<'_>]) -> Result<Vec<PostOutcome>, SinkError> {
        self.call().await?;
        self.check_batch(batch)?;
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let outcomes = self.with_journal(true, |journal| self.post_locked(journal, batch))?;
        let refused = outcomes.iter().filter(|o| o.result.is_err()).count();
        tracing::debug!(parent: &self.span, entries = batch.len(), refused, "Ledger sink took a batch.");
        Ok(outcomes)
    }

    async fn find_posted(&self, key: &EntryKey) -> Result<Option<ExternalRef>, SinkError> {
        self.call().await?;
        Ok(self.with_journal(false, |journal| Ok(journal.book().find(key)))?)
    }

    async fn trial_balance(&self, as_of: NaiveDate) -> Result<Vec<AccountBalance>, SinkError> {
        self.call().await?;
        Ok(self.with_journal(false, |journal| Ok(journal.book().trial_balance(as_of)))?)
    }
}
