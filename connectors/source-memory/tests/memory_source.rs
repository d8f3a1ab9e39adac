//! The memory source's own behaviour: paging, cursors, credentials, balances and build errors.

mod support;

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use source_memory::{MemorySource, MemorySourceFactory};
use tieout_conformance::Kit;
use tieout_conformance::SourceHarness;
use tieout_core::connector::{
    BuildError, Cursor, DynSourceFactory, LoanBalance, SecretRef, ServicingSource, SourceError, Typed,
};
use tieout_core::event::{Event, EventHead, EventKind};
use tieout_core::money::Currency;

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, d).unwrap()
}

fn disbursement(id: &str, product: &str) -> Event {
    let head = EventHead {
        id: id.into(),
        loan_id: format!("L-{id}").into(),
        product: product.into(),
        kind: EventKind::Disbursement,
        date: date(1),
        currency: Currency::new("USD").unwrap(),
    };
    Event::new(head, Decimal::from(100), None).unwrap()
}

fn ids(page: &[Event]) -> Vec<&str> {
    page.iter().map(|e| e.id.as_str()).collect()
}

#[tokio::test]
async fn pages_cursors_and_the_end() {
    let events = (1..=5).map(|i| disbursement(&format!("e{i}"), "personal")).collect();
    let source = MemorySource::new(events).with_page_size(2);
    // The page size caps whatever limit is asked.
    let page = source.events(None, 10).await.unwrap();
    assert_eq!(ids(&page.items), ["e1", "e2"]);
    assert_eq!(page.next, Some(Cursor("ev:2".into())));
    let page = source.events(page.next.as_ref(), 10).await.unwrap();
    let page = source.events(page.next.as_ref(), 10).await.unwrap();
    // The last page still says where it ended, so a later sync resumes there.
    assert_eq!(ids(&page.items), ["e5"]);
    assert_eq!(page.next, Some(MemorySource::cursor_at(5)));
    let end = source.events(page.next.as_ref(), 10).await.unwrap();
    assert!(end.items.is_empty() && end.next.is_none());
    let beyond = source.events(Some(&MemorySource::cursor_at(99)), 10).await.unwrap();
    assert!(beyond.items.is_empty() && beyond.next.is_none());
}

#[tokio::test]
async fn bad_cursors_and_limits_are_rejected_clearly() {
    let source = MemorySource::new(vec![disbursement("e1", "p")]);
    for bad in ["", "ev:", "ev:-1", "ev:+1", "bal:0", "garbage"] {
        match source.events(Some(&Cursor(bad.into())), 5).await {
            Err(SourceError::Rejected { message }) => {
                assert!(message.contains(&format!("cursor '{bad}'")) && message.contains("ev:<position>"), "{message}")
            }
            other => panic!("cursor {bad:?}: {other:?}"),
        }
    }
    let err = source.events(None, 0).await.unwrap_err();
    assert!(matches!(err, SourceError::Rejected { .. }), "{err:?}");
}

#[tokio::test]
async fn refused_credentials_fail_every_call() {
    let source = MemorySource::new(vec![disbursement("e1", "p")]).refusing_credentials();
    assert!(matches!(source.check().await, Err(SourceError::Auth { .. })));
    assert!(matches!(source.events(None, 5).await, Err(SourceError::Auth { .. })));
    assert!(matches!(source.products().await, Err(SourceError::Auth { .. })));
    assert!(format!("{source:?}").contains("refused"));
}

#[tokio::test]
async fn products_are_derived_from_events_in_order() {
    let source =
        MemorySource::new(vec![disbursement("a", "gold"), disbursement("b", "personal"), disbursement("c", "gold")]);
    let products = source.products().await.unwrap();
    let names: Vec<&str> = products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(names, ["gold", "personal"]);
}

#[tokio::test]
async fn balances_take_each_loans_latest_observation() {
    let balance = |loan: &str, day: u32, principal: i64| LoanBalance {
        loan_id: loan.into(),
        product: "p".into(),
        office: None,
        currency: Currency::new("USD").unwrap(),
        as_of: date(day),
        principal: Decimal::from(principal),
        interest_receivable: Decimal::ZERO,
        fee_receivable: Decimal::ZERO,
        penalty_receivable: Decimal::ZERO,
        overpayment: Decimal::ZERO,
        charged_off: false,
    };
    let source = MemorySource::new(vec![]).with_balances(vec![
        balance("L-2", 1, 500),
        balance("L-1", 1, 1000),
        balance("L-1", 5, 880),
        balance("L-1", 9, 700),
    ]);
    let page = source.balances(date(6), None, 10).await.unwrap();
    let got: Vec<(&str, Decimal, NaiveDate)> =
        page.items.iter().map(|b| (b.loan_id.as_str(), b.principal, b.as_of)).collect();
    assert_eq!(got, [("L-1", Decimal::from(880), date(6)), ("L-2", Decimal::from(500), date(6))]);
    assert!(page.next.is_none());
    let first = source.balances(date(6), None, 1).await.unwrap();
    assert_eq!(first.next, Some(Cursor("bal:1".into())));
}

#[tokio::test]
async fn the_factory_builds_from_files_and_checks_the_token() {
    let kit = Kit::new(support::Harness.secrets());
    let factory = Typed::<MemorySourceFactory>::new();
    let cx = kit.context("memory");
    let source = factory.build(factory.validate(support::config("MEMORY_SOURCE_TOKEN")).unwrap(), &cx).await.unwrap();
    source.check().await.unwrap();
    assert_eq!(source.events(None, 100).await.unwrap().items.len(), 3, "page_size = 3 in the test config");
    let schedules = source.schedules(None, 10).await.unwrap();
    assert_eq!(schedules.items.len(), 3);
    assert_eq!(schedules.items[1].day_count, tieout_core::role::DayCount::Thirty360);
    // One budget permit per call.
    assert_eq!(kit.budget.count(), 3);

    let wrong =
        factory.build(factory.validate(support::config("MEMORY_SOURCE_WRONG_TOKEN")).unwrap(), &cx).await.unwrap();
    let err = wrong.check().await.unwrap_err();
    assert!(matches!(err, SourceError::Auth { .. }), "{err:?}");

    let missing = factory.build(factory.validate(support::config("NOT_SET")).unwrap(), &cx).await.err().unwrap();
    assert!(matches!(missing, BuildError::Secret(_)), "{missing:?}");
    assert!(missing.to_string().contains("NOT_SET"), "{missing}");
}

#[tokio::test]
async fn a_bad_events_file_is_a_build_error_naming_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let good = std::fs::read_to_string(support::data("events.jsonl")).unwrap();
    let mut lines: Vec<String> = good.lines().map(str::to_owned).collect();
    lines[2] = lines[2].replace("\"office\"", "\"ofice\"");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let err = build_from(&path).await;
    assert!(err.contains("line 3, event tx-3") && err.contains("unknown field `ofice`"), "{err}");

    std::fs::write(&path, format!("{}\n{}\n", lines[0], lines[0])).unwrap();
    let err = build_from(&path).await;
    assert!(err.contains("event tx-1 appears twice"), "{err}");

    let err = build_from(&dir.path().join("missing.jsonl")).await;
    assert!(err.contains("missing.jsonl cannot be read"), "{err}");
}

async fn build_from(path: &std::path::Path) -> String {
    let kit = Kit::new(Vec::<(SecretRef, String)>::new());
    let factory = Typed::<MemorySourceFactory>::new();
    let mut config = toml::Table::new();
    config.insert("events_file".into(), path.display().to_string().into());
    let validated = factory.validate(config).unwrap();
    match factory.build(validated, &kit.context("memory")).await {
        Ok(_) => panic!("{} built", path.display()),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn a_spent_budget_is_a_rate_limit() {
    struct Spent;
    #[async_trait::async_trait]
    impl tieout_core::connector::RateBudget for Spent {
        async fn acquire(
            &self,
        ) -> Result<tieout_core::connector::BudgetPermit, tieout_core::connector::BudgetExhausted> {
            Err(tieout_core::connector::BudgetExhausted { scope: "test".into(), retry_after: None })
        }
        fn remaining_today(&self) -> Option<u32> {
            Some(0)
        }
    }
    let source = MemorySource::new(vec![]).with_budget(Arc::new(Spent));
    assert!(matches!(source.check().await, Err(SourceError::RateLimited { retry_after: None })));
}
