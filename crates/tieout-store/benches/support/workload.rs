//! The staging workload shared by `benches/stage.rs` and `examples/stage_1m.rs`: loan-level
//! repayment entries of four lines each (cash in; principal, interest and fee out), one event per
//! entry, with the dimensions a real entry carries.

#![allow(dead_code)]

use std::sync::Arc;

use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, Database};
use tieout_core::entry::{EntryBuilder, EntryHeader, EntryKey, KeyInput, LineSource, Side};
use tieout_core::event::EventKind;
use tieout_core::ids::EventId;
use tieout_core::money::{Currency, Money};
use tieout_core::role::Role;
use tieout_engine::summarize::Proposed;
use tieout_store::Store;

pub const LINES_PER_ENTRY: usize = 4;

/// Entries with `lines` lines in all (rounded down to whole entries).
pub fn proposals(lines: usize) -> Vec<Proposed> {
    let usd = Currency::new("USD").expect("USD");
    let first = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("a date");
    (0..lines / LINES_PER_ENTRY)
        .map(|i| {
            let id = EventId::from(format!("tx-{i:08}"));
            let events: Arc<[EventId]> = Arc::from(vec![id]);
            let source = LineSource {
                product: if i % 3 == 0 { "gold".into() } else { "personal".into() },
                office: Some("HQ".into()),
                loan: Some(format!("L-{:06}", i % 100_000).into()),
                events: events.clone(),
            };
            let date = first + chrono::Days::new((i % 31) as u64);
            let header =
                EntryHeader { date, currency: usd, kind: EventKind::Repayment, memo: String::new(), postable: true };
            let cents = 10_000 + (i % 50_000) as i64;
            let principal = Decimal::new(cents, 2);
            let interest = Decimal::new(cents / 7, 2);
            let fee = Decimal::new(500, 2);
            let mut builder = EntryBuilder::new(header);
            builder
                .push(
                    Side::Debit,
                    Money::new(principal + interest + fee, usd),
                    Role::FundSource,
                    "Bank".into(),
                    source.clone(),
                )
                .push(Side::Credit, Money::new(principal, usd), Role::LoanPortfolio, "Loans".into(), source.clone())
                .push(
                    Side::Credit,
                    Money::new(interest, usd),
                    Role::InterestReceivable,
                    "IntRec".into(),
                    source.clone(),
                )
                .push(Side::Credit, Money::new(fee, usd), Role::FeeReceivable, "FeeRec".into(), source);
            let key = EntryKey::derive(&KeyInput {
                client: "bench",
                source: "sim",
                events: &events,
                rule_set_version: "standard@1",
                position: 0,
            });
            Proposed { entry: builder.build(key).expect("a balanced entry"), detail: Vec::new() }
        })
        .collect()
}

/// A database to stage into, removed by [`Target::drop_it`].
pub struct Target {
    pub store: Store,
    pub name: &'static str,
    cleanup: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Target {
    pub async fn sqlite() -> Target {
        let dir = tempfile::tempdir().expect("a temp dir");
        let url = format!("sqlite://{}/bench.db", dir.path().display());
        let store = Store::connect(&url).await.expect("a SQLite store");
        store.migrate().await.expect("migrated");
        Target { store, name: "sqlite", cleanup: None, _dir: Some(dir) }
    }

    pub async fn postgres() -> Target {
        let admin_url = std::env::var("TIEOUT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let admin = Database::connect(admin_url.as_str()).await.unwrap_or_else(|e| {
            panic!("Postgres at {admin_url} is not reachable ({e}): run `cargo xtask ci` to start it")
        });
        let schema = format!("tieout_bench_{}", std::process::id());
        admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await.expect("drop");
        admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let store = Store::connect(&format!("{admin_url}{separator}options=-c%20search_path%3D{schema}"))
            .await
            .expect("a Postgres store");
        store.migrate().await.expect("migrated");
        Target { store, name: "postgres", cleanup: Some((admin_url, schema)), _dir: None }
    }

    pub async fn drop_it(self) {
        if let Some((admin_url, schema)) = self.cleanup {
            self.store.close().await.ok();
            if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await.ok();
            }
        }
    }
}
