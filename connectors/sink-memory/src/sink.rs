//! The sink itself: settings, simulated faults and the `AccountingSink` implementation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::connector::{
    AccountBalance, AccountingSink, BuildError, Clock, ConnectorContext, CurrencySupport, LedgerAccount, PostFailure,
    PostOutcome, Posting, RateBudget, SinkCapabilities, SinkError, SystemClock, Unlimited,
};
use tieout_core::entry::{EntryKey, JournalEntry};
use tieout_core::ids::{AccountRef, ExternalRef};

use crate::config::ValidatedMemorySink;
use crate::ledger::{Ledger, LedgerError, PostedEntry, PostedLine};

/// How long the sink remembers an idempotency key: a repeated post of a key within the window
/// returns the first post's external ref; after it, the repeat creates a second entry (as
/// QuickBooks' `requestid` and Xero's `Idempotency-Key` do after minutes). Only `find_posted`
/// protects against that.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum IdempotencyWindow {
    /// Keys never expire.
    #[default]
    Forever,
    /// A key expires once this many entries have been posted after it (0: no idempotency).
    Posts(u64),
    /// A key expires this long after its post, by the sink's clock (the context clock).
    Time(Duration),
}

/// Simulated faults.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Faults {
    /// An entry with a line on one of these accounts fails on its own (a per-item failure in a
    /// successful response); the other entries of the batch post.
    pub fail_accounts: Vec<AccountRef>,
    /// An entry with one of these keys fails on its own.
    pub fail_keys: Vec<EntryKey>,
    /// Every n-th post call writes its entries, then answers `SinkError::Unavailable` (a
    /// timeout after the write).
    pub timeout_after_write_every: Option<u64>,
    /// Every n-th call answers `SinkError::RateLimited` without doing anything.
    pub rate_limited_every: Option<u64>,
    /// The `retry_after` of a simulated rate limit.
    pub retry_after: Duration,
}

/// What the sink holds and how it behaves. Build one in code with
/// `MemorySink::new(Settings { accounts: …, ..Settings::default() })`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Settings {
    /// The chart of accounts. Lines on an account missing from it, inactive, or tied to
    /// another currency fail per entry.
    pub accounts: Vec<LedgerAccount>,
    pub currencies: CurrencySupport,
    /// Dimension names the sink understands; a post with any other is refused.
    pub dimensions: Vec<String>,
    pub max_batch: usize,
    /// Entries dated on or before it are refused with `SinkError::Locked`.
    pub lock_date: Option<NaiveDate>,
    pub idempotency: IdempotencyWindow,
    pub faults: Faults,
    /// Whether the credentials are refused (every call fails with `SinkError::Auth`).
    pub refuse_credentials: bool,
    /// Where the ledger persists; in memory only when `None`.
    pub state_file: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            accounts: Vec::new(),
            currencies: CurrencySupport::Any,
            dimensions: Vec::new(),
            max_batch: 100,
            lock_date: None,
            idempotency: IdempotencyWindow::Forever,
            faults: Faults::default(),
            refuse_credentials: false,
            state_file: None,
        }
    }
}

/// An accounting sink held in memory. See the crate docs.
pub struct MemorySink {
    settings: Settings,
    ledger: Mutex<Ledger>,
    calls: AtomicU64,
    post_calls: AtomicU64,
    clock: Arc<dyn Clock>,
    budget: Arc<dyn RateBudget>,
    span: tracing::Span,
}

impl fmt::Debug for MemorySink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // try_lock: formatting must never wait for (or deadlock with) a post in progress.
        let ledger = self.ledger.try_lock().ok();
        f.debug_struct("MemorySink")
            .field("accounts", &self.settings.accounts.len())
            .field("currencies", &self.settings.currencies)
            .field("max_batch", &self.settings.max_batch)
            .field("lock_date", &self.settings.lock_date)
            .field("idempotency", &self.settings.idempotency)
            .field("faults", &self.settings.faults)
            .field("credential", &if self.settings.refuse_credentials { "refused" } else { "accepted" })
            .field("state_file", &self.settings.state_file)
            .field("entries", &ledger.map(|l| l.entries().len()))
            .finish()
    }
}

impl MemorySink {
    /// A sink with these settings, the system clock and no API budget. Opens (or creates) the
    /// state file when there is one.
    pub fn new(settings: Settings) -> Result<Self, LedgerError> {
        let ledger = match &settings.state_file {
            Some(path) => {
                let (ledger, repaired) = Ledger::open(path)?;
                if repaired {
                    tracing::warn!(file = %path.display(), "Memory sink cut off a torn last line of its state file.");
                }
                ledger
            }
            None => Ledger::in_memory(),
        };
        Ok(MemorySink {
            settings,
            ledger: Mutex::new(ledger),
            calls: AtomicU64::new(0),
            post_calls: AtomicU64::new(0),
            clock: Arc::new(SystemClock),
            budget: Arc::new(Unlimited),
            span: tracing::Span::none(),
        })
    }

    /// Builds the sink from a validated config, with the context's clock, budget and span.
    pub fn build(validated: ValidatedMemorySink, cx: &ConnectorContext) -> Result<Self, BuildError> {
        let ValidatedMemorySink { mut settings, credential } = validated;
        if let Some((secret, accepted)) = credential {
            let token = cx.secrets.resolve(&secret)?;
            settings.refuse_credentials = !crate::config::token_matches(&token, &accepted);
        }
        let state_file = settings.state_file.clone();
        let mut sink = MemorySink::new(settings).map_err(|e| BuildError::Setup(e.to_string()))?;
        sink.clock = cx.clock.clone();
        sink.budget = cx.budget.clone();
        sink.span = cx.span.clone();
        tracing::info!(
            parent: &sink.span,
            accounts = sink.settings.accounts.len(),
            entries = sink.entries().map(|e| e.len()).unwrap_or_default(),
            state_file = %state_file.as_deref().map(|p| p.display().to_string()).unwrap_or_else(|| "(none)".into()),
            "Memory sink ready."
        );
        Ok(sink)
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Each call takes one permit from `budget`.
    pub fn with_budget(mut self, budget: Arc<dyn RateBudget>) -> Self {
        self.budget = budget;
        self
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Every entry in the ledger, oldest first, including what other processes sharing the
    /// state file have posted. A key posted twice (after its idempotency window) shows twice.
    pub fn entries(&self) -> Result<Vec<PostedEntry>, LedgerError> {
        let mut ledger = self.lock_ledger();
        ledger.refresh()?;
        Ok(ledger.entries().to_vec())
    }

    /// How many entries the ledger holds for `key` (more than one is a duplicate post).
    pub fn posted_count(&self, key: &EntryKey) -> Result<usize, LedgerError> {
        let mut ledger = self.lock_ledger();
        ledger.refresh()?;
        Ok(ledger.by_key(key).count())
    }

    /// Calls made to the sink so far (each `AccountingSink` method is one call).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    fn lock_ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        // A panic while the ledger was locked leaves it consistent: entries are only ever pushed whole.
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One API call: a budget permit, the credential, then the simulated rate limit.
    async fn call(&self) -> Result<(), SinkError> {
        let _permit = self.budget.acquire().await.map_err(|e| SinkError::RateLimited { retry_after: e.retry_after })?;
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if self.settings.refuse_credentials {
            tracing::warn!(parent: &self.span, "Memory sink refused the token.");
            return Err(SinkError::Auth {
                message: "the token does not match accepted_token_sha256 of the memory sink".into(),
            });
        }
        if let Some(every) = self.settings.faults.rate_limited_every
            && every > 0
            && n.is_multiple_of(every)
        {
            tracing::info!(parent: &self.span, call = n, "Memory sink simulates a rate limit.");
            return Err(SinkError::RateLimited { retry_after: Some(self.settings.faults.retry_after) });
        }
        Ok(())
    }

    fn ledger_error(e: LedgerError) -> SinkError {
        SinkError::Unavailable { message: e.to_string() }
    }

    /// What can be refused without touching the ledger: the whole call fails, nothing is written.
    fn check_batch(&self, batch: &[Posting<'_>]) -> Result<(), SinkError> {
        let s = &self.settings;
        if batch.len() > s.max_batch {
            return Err(SinkError::Rejected {
                message: format!("a batch of {} entries is more than this sink takes ({})", batch.len(), s.max_batch),
            });
        }
        let mut keys = BTreeSet::new();
        for posting in batch {
            let entry = posting.entry;
            if !keys.insert(entry.key()) {
                return Err(SinkError::Rejected {
                    message: format!("entry {} appears twice in one batch", entry.key()),
                });
            }
            if !s.currencies.allows(entry.currency()) {
                return Err(SinkError::Rejected {
                    message: format!(
                        "entry {} is in {}, which this sink cannot book ({})",
                        entry.key(),
                        entry.currency(),
                        describe_currencies(&s.currencies)
                    ),
                });
            }
            if let Some(lock_date) = s.lock_date
                && entry.date() <= lock_date
            {
                return Err(SinkError::Locked {
                    lock_date,
                    message: format!("entry {} is dated {}", entry.key(), entry.date()),
                });
            }
            for dimensions in posting.dimensions.values() {
                if let Some(name) = dimensions.keys().find(|name| !s.dimensions.contains(name)) {
                    return Err(SinkError::Rejected {
                        message: format!(
                            "entry {} has dimension '{name}', which this sink does not know (it knows: {})",
                            entry.key(),
                            if s.dimensions.is_empty() { "none".to_owned() } else { s.dimensions.join(", ") }
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Why one entry fails on its own, if it does.
    fn item_failure(&self, entry: &JournalEntry) -> Option<PostFailure> {
        let s = &self.settings;
        let refuse = |message: String| Some(PostFailure { message, retryable: false });
        if s.faults.fail_keys.contains(entry.key()) {
            return refuse(format!("entry {} was refused (simulated per-item failure)", entry.key()));
        }
        for line in entry.lines() {
            let account = line.account();
            if s.faults.fail_accounts.contains(account) {
                return refuse(format!("account '{account}' refused the line (simulated per-item failure)"));
            }
            match s.accounts.iter().find(|a| &a.account == account) {
                None => return refuse(format!("account '{account}' is not in the chart of accounts")),
                Some(a) if !a.active => return refuse(format!("account '{account}' is inactive")),
                Some(LedgerAccount { currency: Some(currency), .. }) if *currency != entry.currency() => {
                    return refuse(format!("account '{account}' is in {currency}, the entry in {}", entry.currency()));
                }
                Some(_) => {}
            }
        }
        None
    }

    /// Whether `previous` (the latest post of a key) is still within the idempotency window.
    fn remembered(&self, previous: &PostedEntry, ledger_len: u64) -> bool {
        match self.settings.idempotency {
            IdempotencyWindow::Forever => true,
            IdempotencyWindow::Posts(n) => ledger_len - previous.seq < n,
            IdempotencyWindow::Time(window) => {
                let age = self.clock.now() - previous.posted_at;
                age.to_std().map_or(true, |age| age < window)
            }
        }
    }

    fn post_one(
        &self,
        ledger: &mut Ledger,
        posting: &Posting<'_>,
    ) -> Result<Result<ExternalRef, PostFailure>, LedgerError> {
        let entry = posting.entry;
        if let Some(failure) = self.item_failure(entry) {
            return Ok(Err(failure));
        }
        let len = ledger.entries().len() as u64;
        if let Some(previous) = ledger.by_key(entry.key()).last()
            && self.remembered(previous, len)
        {
            return Ok(Ok(previous.external_ref.clone()));
        }
        let seq = len + 1;
        let lines = entry
            .lines()
            .iter()
            .map(|line| PostedLine {
                account: line.account().clone(),
                side: line.side(),
                amount: line.amount(),
                dimensions: line
                    .office()
                    .and_then(|office| posting.dimensions.get(office.as_str()))
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect();
        let posted = PostedEntry {
            seq,
            external_ref: ExternalRef::new(format!("mem-{seq:06}")),
            key: entry.key().clone(),
            date: entry.date(),
            currency: entry.currency(),
            memo: entry.memo().to_owned(),
            lines,
            posted_at: self.clock.now(),
        };
        let external_ref = posted.external_ref.clone();
        ledger.append(posted)?;
        Ok(Ok(external_ref))
    }
}

fn describe_currencies(currencies: &CurrencySupport) -> String {
    match currencies {
        CurrencySupport::Any => "any currency".into(),
        CurrencySupport::BaseOnly(base) => format!("only {base}"),
        CurrencySupport::Enabled(list) => {
            format!("only {}", list.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
        }
    }
}

#[async_trait]
impl AccountingSink for MemorySink {
    fn kind(&self) -> &'static str {
        "memory"
    }

    fn capabilities(&self) -> SinkCapabilities {
        SinkCapabilities {
            max_batch: self.settings.max_batch,
            rate_limit: None,
            dimensions: self.settings.dimensions.clone(),
            currencies: self.settings.currencies.clone(),
            idempotency_window: match self.settings.idempotency {
                IdempotencyWindow::Time(window) => Some(window),
                IdempotencyWindow::Forever | IdempotencyWindow::Posts(_) => None,
            },
        }
    }

    async fn check(&self) -> Result<(), SinkError> {
        self.call().await
    }

    async fn chart_of_accounts(&self) -> Result<Vec<LedgerAccount>, SinkError> {
        self.call().await?;
        Ok(self.settings.accounts.clone())
    }

    async fn lock_date(&self) -> Result<Option<NaiveDate>, SinkError> {
        self.call().await?;
        Ok(self.settings.lock_date)
    }

    async fn post(&self, batch: &[Posting<'_>]) -> Result<Vec<PostOutcome>, SinkError> {
        self.call().await?;
        self.check_batch(batch)?;
        let n = self.post_calls.fetch_add(1, Ordering::SeqCst) + 1;
        let mut outcomes = Vec::with_capacity(batch.len());
        {
            let mut ledger = self.lock_ledger();
            ledger
                .with_write_lock(|ledger| {
                    for posting in batch {
                        let result = self.post_one(ledger, posting)?;
                        outcomes.push(PostOutcome { key: posting.entry.key().clone(), result });
                    }
                    Ok(())
                })
                .map_err(Self::ledger_error)?;
        }
        let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
        tracing::debug!(parent: &self.span, entries = batch.len(), failed, "Memory sink took a batch.");
        if let Some(every) = self.settings.faults.timeout_after_write_every
            && every > 0
            && n.is_multiple_of(every)
        {
            tracing::info!(parent: &self.span, call = n, "Memory sink simulates a timeout after the write.");
            return Err(SinkError::Unavailable {
                message: "the request timed out (simulated, after the entries were written)".into(),
            });
        }
        Ok(outcomes)
    }

    async fn find_posted(&self, key: &EntryKey) -> Result<Option<ExternalRef>, SinkError> {
        self.call().await?;
        let mut ledger = self.lock_ledger();
        ledger.refresh().map_err(Self::ledger_error)?;
        Ok(ledger.by_key(key).next().map(|e| e.external_ref.clone()))
    }

    async fn trial_balance(&self, as_of: NaiveDate) -> Result<Vec<AccountBalance>, SinkError> {
        self.call().await?;
        let mut ledger = self.lock_ledger();
        ledger.refresh().map_err(Self::ledger_error)?;
        let mut sums: BTreeMap<(AccountRef, tieout_core::money::Currency), Decimal> = BTreeMap::new();
        for entry in ledger.entries().iter().filter(|e| e.date <= as_of) {
            for line in &entry.lines {
                let signed = match line.side {
                    tieout_core::entry::Side::Debit => line.amount,
                    tieout_core::entry::Side::Credit => -line.amount,
                };
                *sums.entry((line.account.clone(), entry.currency)).or_default() += signed;
            }
        }
        Ok(sums
            .into_iter()
            .map(|((account, currency), balance)| AccountBalance { account, currency, balance })
            .collect())
    }
}
