//! Close of business end to end, on a temp SQLite store.
//!
//! The simulator (`release = "clock"`, on a clock the test moves day by day) is a lender whose
//! balances are exactly what its events plus the accrual engine's accruals book
//! (connectors/source-simulator/README.md). So COB each morning, then Close month, must leave a
//! staged ledger that equals `balances()` per loan and role, to the cent. A COB that dies half
//! way (an error, or a process gone mid-run) and is run again must end exactly where an
//! uninterrupted one does. A schedule change and a backdated stop from a hand-made source book
//! the adjustments the engine says.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use sink_memory::{MemorySink, Settings};
use source_memory::MemorySource;
use source_simulator::{CATALOGUE, SimulatorConfig, SimulatorSource};
use tieout_conformance::Kit;
use tieout_core::connector::{
    ConnectorRole, Cursor, Installment, LedgerAccount, LoanBalance, LoanSchedule, Page, ProductInfo, ServicingSource,
    SourceCapabilities, SourceError, parse_config,
};
use tieout_core::event::{Event, EventKind, parse_event_line};
use tieout_core::ids::{ClientId, LoanId};
use tieout_core::money::Currency;
use tieout_core::role::{AccountingRule, DayCount, Role};
use tieout_engine::accrual::{AccrualOptions, LoanAccrual, StopReason};
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;
use tieout_engine::summarize::DetailLevel;
use tieout_period::{
    ACCRUAL_SOURCE, Books, COB_JOB, CobError, CobOptions, close_month, run_cob, run_cob_through, run_cob_with,
};
use tieout_store::{JobKey, JobStatus, Store, YearMonth};
use tokio::sync::Notify;

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A client on a temp SQLite store, with the standard rules and `mapping`, at loan level.
struct Client {
    store: Store,
    id: ClientId,
    rules: RuleSet,
    mapping: MappingFile,
    _dir: tempfile::TempDir,
}

impl Client {
    async fn new(mapping: MappingFile) -> Client {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}/tieout.db", dir.path().display())).await.unwrap();
        store.migrate().await.unwrap();
        Client { store, id: ClientId::from("lender"), rules: RuleSet::standard(), mapping, _dir: dir }
    }

    fn books(&self) -> Books<'_> {
        Books {
            client: &self.id,
            rules: &self.rules,
            mapping: &self.mapping,
            detail: DetailLevel::Loan,
            separation_of_duties: false,
        }
    }

    /// The accrual events COB stored, by id.
    async fn accruals(&self) -> BTreeMap<String, Event> {
        let mut out = BTreeMap::new();
        for period in self.store.periods().list(&self.id).await.unwrap() {
            for stored in self.store.events().in_period(&self.id, period.period).await.unwrap() {
                if stored.source == ACCRUAL_SOURCE {
                    out.insert(stored.event.id.to_string(), stored.event);
                }
            }
        }
        for stored in self.store.events().unbooked(&self.id).await.unwrap() {
            if stored.source == ACCRUAL_SOURCE {
                out.insert(stored.event.id.to_string(), stored.event);
            }
        }
        out
    }

    async fn job(&self, date: NaiveDate) -> Option<JobStatus> {
        let key = JobKey { client: self.id.clone(), kind: COB_JOB.to_owned(), business_date: date, partition: 0 };
        self.store.job_runs().get(&key).await.unwrap().map(|run| run.status)
    }
}

// ------------------------------------------------------------------ the simulated lender

/// Every role to an account of its own name; every product under its catalogue rule.
fn simulator_mapping() -> MappingFile {
    let mut text = String::from("[accounts]\n");
    for role in Role::ALL {
        text.push_str(&format!("{role} = \"{role}\"\n"));
    }
    for product in CATALOGUE {
        text.push_str(&format!("[products.{}]\nrule = \"{}\"\n", product.id, product.rule));
    }
    MappingFile::from_toml(&text, "simulator.toml").unwrap()
}

/// A book of `loans` loans of every product from 2026-10-01, released day by day on `kit`'s clock.
fn simulator(kit: &Kit, seed: u64, loans: u32, months: u32) -> SimulatorSource {
    let text = format!(
        "seed = {seed}\nloans = {loans}\nstart = \"2026-10-01\"\nmonths = {months}\ndisburse_months = 2\n\
         currency = \"USD\"\nproducts = [\"personal\", \"gold\", \"auto\", \"business\", \"export\"]\n\
         offices = [\"HQ\", \"NORTH\"]\npage_size = 10000\nrelease = \"clock\"\n"
    );
    let table: toml::Table = toml::from_str(&text).unwrap();
    let validated = parse_config::<SimulatorConfig>(ConnectorRole::Source, "simulator", table)
        .and_then(SimulatorConfig::check)
        .unwrap();
    SimulatorSource::build(Arc::new(validated), &kit.context("simulator"))
}

/// COB for `day` runs early the next morning: the source then shows everything entered by `day`.
fn morning_after(kit: &Kit, day: NaiveDate) -> NaiveDate {
    let morning = day + Days::new(1);
    kit.clock.set(Utc.from_utc_datetime(&morning.and_hms_opt(6, 30, 0).unwrap()));
    morning
}

/// A sink whose chart has every account of `mapping`.
fn sink(mapping: &MappingFile) -> MemorySink {
    let accounts = mapping
        .accounts()
        .into_iter()
        .map(|account| LedgerAccount {
            name: account.to_string(),
            account,
            account_type: None,
            currency: None,
            active: true,
        })
        .collect();
    MemorySink::new(Settings { accounts, ..Settings::default() }).unwrap()
}

const ROLES: [Role; 5] = [
    Role::LoanPortfolio,
    Role::InterestReceivable,
    Role::FeeReceivable,
    Role::PenaltyReceivable,
    Role::OverpaymentLiability,
];

/// Per loan, the five roles of every staged entry that is sent (postable) dated by `as_of`:
/// what the accounting package will hold. (Accrual activities the mapping does not post are
/// staged for drill-down only.)
async fn staged_ledger(client: &Client, as_of: NaiveDate) -> BTreeMap<LoanId, [Decimal; 5]> {
    let mut out: BTreeMap<LoanId, [Decimal; 5]> = BTreeMap::new();
    for period in client.store.periods().list(&client.id).await.unwrap() {
        for staged in client.store.entries().list(&client.id, period.period).await.unwrap() {
            let entry = &staged.entry;
            if !entry.is_postable() || entry.date() > as_of {
                continue;
            }
            for line in entry.lines() {
                let Some(role) = ROLES.iter().position(|r| *r == line.role()) else { continue };
                let sign = if line.role() == Role::OverpaymentLiability { -Decimal::ONE } else { Decimal::ONE };
                let loan = line.loan().expect("loan-level entries name their loan").clone();
                out.entry(loan).or_default()[role] += line.signed_amount() * sign;
            }
        }
    }
    out
}

async fn balances(source: &dyn ServicingSource, as_of: NaiveDate) -> Vec<LoanBalance> {
    let mut items = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = source.balances(as_of, cursor.as_ref(), 10_000).await.unwrap();
        items.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return items,
        }
    }
}

/// Asserts the ledger equals the source's balances for every loan; returns the loans compared.
fn assert_ties_out(balances: &[LoanBalance], ledger: &BTreeMap<LoanId, [Decimal; 5]>, as_of: NaiveDate) -> usize {
    let zero = [Decimal::ZERO; 5];
    for balance in balances {
        let source = [
            balance.principal,
            balance.interest_receivable,
            balance.fee_receivable,
            balance.penalty_receivable,
            balance.overpayment,
        ];
        assert_eq!(
            &source,
            ledger.get(&balance.loan_id).unwrap_or(&zero),
            "loan {} ({}) as of {as_of}: the source's [principal, interest, fee, penalty, overpayment] differ from \
             the staged ledger's",
            balance.loan_id,
            balance.product
        );
    }
    for (loan, booked) in ledger {
        if !balances.iter().any(|b| &b.loan_id == loan) {
            assert_eq!(booked, &zero, "loan {loan} has ledger balances as of {as_of} but no source balance");
        }
    }
    balances.len()
}

fn is_month_end(day: NaiveDate) -> bool {
    (day + Days::new(1)).day() == 1
}

/// Four months of a 150-loan book: COB every morning, Close month (and reload of the earlier
/// months, which books what arrived late for them) every ten days and at every month end; the
/// staged ledger then equals the source's balances for every loan. Re-running a date adds nothing.
#[tokio::test]
async fn cob_every_day_and_close_every_month_tie_out_with_the_source() {
    let kit = Kit::new(Vec::new());
    let source = simulator(&kit, 11, 150, 4);
    let client = Client::new(simulator_mapping()).await;
    let sink = sink(&client.mapping);
    let (start, end) = (d("2026-10-01"), d("2027-01-31"));

    let mut compared = 0;
    let mut accrued = 0;
    let mut not_accrued = 0;
    for day in start.iter_days().take_while(|day| *day <= end) {
        let today = morning_after(&kit, day);
        let report = run_cob(&client.store, &client.books(), &source, day).await.unwrap();
        assert!(report.ran, "{day}");
        let accrual = report.accrual.expect("the simulator does not accrue: Tieout does");
        assert!(!accrual.has_warnings(), "{day}: {accrual:?}");
        assert_eq!(accrual.rescheduled, 0, "the simulator's schedules are final: none changes");
        accrued += accrual.events;
        not_accrued = not_accrued.max(accrual.not_accrued);

        if is_month_end(day) || day.day() % 10 == 0 {
            let mut month = YearMonth::of(start);
            while month <= YearMonth::of(day) {
                let closed =
                    close_month(&client.store, &client.books(), &source, &sink, month, "pat", today).await.unwrap();
                assert_eq!(closed.cob.days_run(), 0, "COB already ran through {day}");
                assert_eq!(closed.proposal.blocking(), 0, "{month}: {:#?}", closed.proposal.problems);
                month = month.next();
            }
            let ledger = staged_ledger(&client, day).await;
            compared += assert_ties_out(&balances(&source, day).await, &ledger, day);
        }
    }
    assert!(compared > 1_000, "{compared} loan-days compared");
    assert!(accrued > 5_000, "{accrued} accrual events");
    assert!(not_accrued > 0, "cash (gold) loans are in the book and do not accrue");
    let stored = client.accruals().await;
    assert_eq!(stored.len() as u64, accrued, "every accrual event made is stored once");
    assert!(stored.values().all(|e| e.product.as_str() != "gold"), "cash products never accrue");
    for kind in [EventKind::Accrual, EventKind::AccrualActivity] {
        assert!(stored.values().any(|e| e.kind == kind), "the book has {kind} events");
    }

    // Running a date again adds nothing, and says so.
    for day in [start, d("2026-11-15"), end] {
        let again = run_cob(&client.store, &client.books(), &source, day).await.unwrap();
        assert!(!again.ran && again.accrual.is_none(), "{again:?}");
    }
    let through = run_cob_through(&client.store, &client.books(), &source, end).await.unwrap();
    assert_eq!((through.days_run(), through.previously_through), (0, Some(end)));
    assert_eq!(client.accruals().await.len(), stored.len());
}

// ------------------------------------------------------------------ crashes

/// The simulator, except that its `n`-th `schedules` call fails or never returns.
struct Dying<'a> {
    inner: &'a SimulatorSource,
    calls: std::sync::atomic::AtomicUsize,
    at: usize,
    hang: bool,
    reached: Notify,
}

impl<'a> Dying<'a> {
    fn new(inner: &'a SimulatorSource, at: usize, hang: bool) -> Self {
        Dying { inner, calls: Default::default(), at, hang, reached: Notify::new() }
    }
}

#[async_trait]
impl ServicingSource for Dying<'_> {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
    fn capabilities(&self) -> SourceCapabilities {
        self.inner.capabilities()
    }
    async fn check(&self) -> Result<(), SourceError> {
        self.inner.check().await
    }
    async fn products(&self) -> Result<Vec<ProductInfo>, SourceError> {
        self.inner.products().await
    }
    async fn events(&self, cursor: Option<&Cursor>, limit: usize) -> Result<Page<Event>, SourceError> {
        self.inner.events(cursor, limit).await
    }
    async fn balances(
        &self,
        as_of: NaiveDate,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page<LoanBalance>, SourceError> {
        self.inner.balances(as_of, cursor, limit).await
    }
    async fn schedules(&self, cursor: Option<&Cursor>, limit: usize) -> Result<Page<LoanSchedule>, SourceError> {
        let call = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if call == self.at {
            self.reached.notify_one();
            if self.hang {
                std::future::pending::<()>().await;
            }
            return Err(SourceError::Unavailable { message: "the connection dropped".into() });
        }
        self.inner.schedules(cursor, limit).await
    }
}

/// A COB that fails after two chunks, and one whose process is gone after two chunks (its
/// future dropped mid-run, its run left `running`), are each run again; the store then holds
/// exactly what a COB that never stopped stored: the same accrual events, the same states.
#[tokio::test]
async fn a_cob_that_dies_half_way_resumes_without_accruing_anything_twice() {
    let kit = Kit::new(Vec::new());
    let source = simulator(&kit, 5, 120, 3);
    let (crashed, clean) = (Client::new(simulator_mapping()).await, Client::new(simulator_mapping()).await);
    // Small chunks and pages, so a day is many transactions.
    let options = CobOptions { chunk_loans: 20, page_size: 20, ..CobOptions::default() };
    let (fail_on, kill_on) = (d("2026-11-10"), d("2026-11-20"));

    for day in d("2026-10-01").iter_days().take_while(|day| *day <= d("2026-11-30")) {
        morning_after(&kit, day);
        let uninterrupted = run_cob_with(&clean.store, &clean.books(), &source, day, &options).await.unwrap();
        let made = uninterrupted.accrual.map_or(0, |a| a.events);
        if day == fail_on {
            let dying = Dying::new(&source, 3, false);
            let err = run_cob_with(&crashed.store, &crashed.books(), &dying, day, &options).await.unwrap_err();
            assert!(matches!(err, CobError::Source(_)) && err.is_retryable(), "{err}");
            assert_eq!(crashed.job(day).await, Some(JobStatus::Failed));
            let partial = crashed.accruals().await.values().filter(|e| e.date == day).count();
            let all = clean.accruals().await.values().filter(|e| e.date == day).count();
            assert!(0 < partial && partial < all, "two chunks of {day} were stored: {partial} of {all} events");
        }
        if day == kill_on {
            let dying = Dying::new(&source, 3, true);
            let books = crashed.books();
            tokio::select! {
                result = run_cob_with(&crashed.store, &books, &dying, day, &options) => {
                    panic!("the source never answers the third call: {result:?}")
                }
                () = dying.reached.notified() => {}
            }
            assert_eq!(crashed.job(day).await, Some(JobStatus::Running), "the dead run is left running");
            let err = run_cob_with(&crashed.store, &crashed.books(), &source, day, &options).await.unwrap_err();
            assert!(matches!(err, CobError::Running { .. }), "a live-looking run is not taken over: {err}");
            assert!(err.to_string().contains("--take-over"), "{err}");
            let take_over = CobOptions { stale_after: Duration::ZERO, ..options.clone() };
            let resumed = run_cob_with(&crashed.store, &crashed.books(), &source, day, &take_over).await.unwrap();
            assert!(resumed.ran);
            // The loans of the chunks stored before the process died post nothing again.
            let again = resumed.accrual.unwrap();
            assert!(again.events < made && again.new_events == again.events, "{again:?} of {made}");
            continue;
        }
        let report = run_cob_with(&crashed.store, &crashed.books(), &source, day, &options).await.unwrap();
        assert!(report.ran, "{day}");
    }
    assert_eq!(crashed.job(fail_on).await, Some(JobStatus::Done));
    assert_eq!(crashed.job(kill_on).await, Some(JobStatus::Done));

    let (got, want) = (crashed.accruals().await, clean.accruals().await);
    assert!(want.len() > 1_000, "{} accrual events", want.len());
    assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>());
    assert_eq!(got, want);
    let loans: Vec<LoanId> = (1..=120).map(source_simulator::loan_id).collect();
    let states = |client: &Client| {
        let (store, id, loans) = (client.store.clone(), client.id.clone(), loans.clone());
        async move {
            let mut records = store.accruals().load(&id, &loans).await.unwrap();
            records.sort_by(|a, b| a.loan.cmp(&b.loan));
            records
        }
    };
    assert_eq!(states(&crashed).await, states(&clean).await);
}

// ------------------------------------------------------------------ order

#[tokio::test]
async fn dates_run_in_order_and_through_catches_up_from_the_first_disbursement() {
    let kit = Kit::new(Vec::new());
    let source = simulator(&kit, 3, 40, 2);
    let client = Client::new(simulator_mapping()).await;
    morning_after(&kit, d("2026-10-20"));

    // The first COB may be any date; after it, a date that would skip one is refused.
    run_cob(&client.store, &client.books(), &source, d("2026-10-05")).await.unwrap();
    let skip = run_cob(&client.store, &client.books(), &source, d("2026-10-08")).await.unwrap_err();
    assert!(matches!(skip, CobError::OutOfOrder { first_missing, .. } if first_missing == d("2026-10-06")), "{skip}");
    assert!(skip.to_string().contains("--through 2026-10-08"), "{skip}");
    let back = run_cob(&client.store, &client.books(), &source, d("2026-10-04")).await.unwrap_err();
    assert!(matches!(back, CobError::AfterLaterDate { .. }), "{back}");
    assert!(!skip.is_retryable() && !back.is_retryable());

    let through = run_cob_through(&client.store, &client.books(), &source, d("2026-10-12")).await.unwrap();
    let dates: Vec<NaiveDate> = through.days.iter().map(|r| r.business_date).collect();
    assert_eq!(dates, d("2026-10-06").iter_days().take(7).collect::<Vec<_>>());
    assert_eq!(through.previously_through, Some(d("2026-10-05")));

    // A client that never ran COB starts on its first disbursement.
    let fresh = Client::new(simulator_mapping()).await;
    let through = run_cob_through(&fresh.store, &fresh.books(), &source, d("2026-10-03")).await.unwrap();
    assert_eq!(through.days.first().map(|r| r.business_date), Some(d("2026-10-01")));
    assert_eq!(through.days_run(), 3);
    assert!(through.synced_new > 0);
}

// ------------------------------------------------------------------ schedule changes and stops

fn usd() -> Currency {
    Currency::new("USD").unwrap()
}

/// Loan L-1, disbursed 1 October 2026: two monthly installments, `interest` each.
fn schedule(interest: [i64; 2]) -> LoanSchedule {
    let dates = [d("2026-10-01"), d("2026-11-01"), d("2026-12-01")];
    LoanSchedule {
        loan_id: "L-1".into(),
        product: "personal".into(),
        office: None,
        currency: usd(),
        day_count: DayCount::ActualActual,
        disbursed_on: dates[0],
        installments: (0..2)
            .map(|i| Installment {
                number: u32::try_from(i + 1).unwrap(),
                start: dates[i],
                due: dates[i + 1],
                principal: Decimal::new(50_000, 2),
                interest: Decimal::new(interest[i], 2),
                fee: Decimal::ZERO,
                penalty: Decimal::ZERO,
            })
            .collect(),
    }
}

fn event(id: &str, kind: &str, date: &str, amount: &str) -> Event {
    let portions =
        if kind == "disbursement" { format!(r#","portions":{{"principal":"{amount}"}}"#) } else { String::new() };
    parse_event_line(
        &format!(
            r#"{{"id":"{id}","loan_id":"L-1","product":"personal","kind":"{kind}","date":"{date}","currency":"USD","amount":"{amount}"{portions}}}"#
        ),
        None,
    )
    .unwrap()
}

fn memory(events: &[Event], schedule: LoanSchedule) -> MemorySource {
    let product = ProductInfo {
        id: "personal".into(),
        name: "Personal".into(),
        currency: usd(),
        accounting_rule: Some(AccountingRule::AccrualPeriodic),
        day_count: DayCount::ActualActual,
        accrual_activity_posting: false,
    };
    MemorySource::new(events.to_vec()).with_products(vec![product]).with_schedules(vec![schedule])
}

/// What the stored accrual events dated by `as_of` recognize: accruals plus (signed)
/// adjustments; activities only summarize accruals.
fn accrued(events: &BTreeMap<String, Event>, as_of: NaiveDate) -> Decimal {
    events.values().filter(|e| e.date <= as_of && e.kind != EventKind::AccrualActivity).map(|e| e.amount).sum()
}

/// A schedule change reported with a backdated reschedule, then a backdated charge-off: COB
/// books adjustments so that what is recognized equals what the final schedule earns through
/// the stop, the engine's own figure; nothing accrues after the stop.
#[tokio::test]
async fn a_changed_schedule_and_a_backdated_stop_are_booked_as_adjustments() {
    let mapping = MappingFile::from_toml("default_rule = \"accrual-periodic\"\n", "m.toml").unwrap();
    let client = Client::new(mapping).await;
    let books = client.books();
    let mut events = vec![event("d1", "disbursement", "2026-10-01", "1000.00")];
    let first = schedule([1_000, 900]);
    let source = memory(&events, first.clone());
    run_cob_through(&client.store, &books, &source, d("2026-10-10")).await.unwrap();

    // On the 11th the source reports a new schedule (more interest), rescheduled as of the 8th.
    events.push(event("r1", "reschedule", "2026-10-08", "0.00"));
    let second = schedule([1_240, 900]);
    let source = memory(&events, second.clone());
    let report = run_cob(&client.store, &books, &source, d("2026-10-11")).await.unwrap();
    let accrual = report.accrual.unwrap();
    assert_eq!((accrual.rescheduled, accrual.stopped), (1, 0));
    let stored = client.accruals().await;
    let adjustment = stored.get("acradj:L-1:2026-10-10:1").expect("adjusted as of the last accrued day");
    assert_eq!(adjustment.kind, EventKind::AccrualAdjustment);
    assert!(adjustment.amount > Decimal::ZERO, "more interest: {adjustment:?}");

    // On the 14th a charge-off dated the 12th arrives: the 13th is reversed, nothing accrues after.
    events.push(event("c1", "charge_off", "2026-10-12", "0.00"));
    let source = memory(&events, second.clone());
    let report = run_cob_through(&client.store, &books, &source, d("2026-10-20")).await.unwrap();
    assert_eq!(report.days.first().and_then(|r| r.accrual.as_ref()).map(|a| a.stopped), Some(1));
    let stored = client.accruals().await;
    let mut engine = LoanAccrual::new(&second, AccrualOptions::periodic(), &[]).unwrap();
    engine.accrue(d("2026-10-12"), &mut Vec::new()).unwrap();
    assert_eq!(accrued(&stored, d("2026-10-20")), engine.accrued().total(), "{stored:#?}");
    assert!(stored.values().all(|e| e.kind != EventKind::Accrual || e.date <= d("2026-10-13")), "{stored:#?}");
    let states = client.store.accruals().load(&client.id, &["L-1".into()]).await.unwrap();
    assert_eq!(states[0].state.stopped(), Some((d("2026-10-12"), StopReason::ChargeOff)));
    assert!(!states[0].active, "a stopped loan past its stop is finished");
    assert_eq!(client.job(d("2026-10-20")).await, Some(JobStatus::Done));
}
