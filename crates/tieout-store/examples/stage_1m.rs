//! Stages 1,000,000 entry lines once into SQLite (synchronous=FULL) and once into Postgres, and
//! prints lines per second: the number the criterion bench (`benches/stage.rs`, smaller sizes)
//! cannot afford to sample ten times.
//!
//! cargo run --release -p tieout-store --example stage_1m [-- --lines N] [--backend sqlite|postgres]

#[path = "../benches/support/workload.rs"]
mod workload;

use std::time::{Duration, Instant};

use tieout_core::ids::ClientId;
use tieout_engine::summarize::DetailLevel;
use tieout_store::YearMonth;
use workload::Target;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let lines: usize = value("--lines").map_or(1_000_000, |v| v.parse().expect("--lines takes a number"));
    let backends: Vec<String> = match value("--backend") {
        Some(one) => vec![one],
        None => vec!["sqlite".into(), "postgres".into()],
    };
    let built = Instant::now();
    let proposals = workload::proposals(lines);
    println!("built {} entries ({} lines) in {} s", proposals.len(), lines, secs(built.elapsed()));
    for backend in backends {
        let target = match backend.as_str() {
            "sqlite" => Target::sqlite().await,
            "postgres" => Target::postgres().await,
            other => panic!("unknown backend {other}: use sqlite or postgres"),
        };
        let client = ClientId::from("bench");
        let period: YearMonth = "2026-10".parse().expect("a month");
        target.store.clients().ensure(&client, "Bench").await.expect("client");
        target.store.periods().ensure(&client, period).await.expect("period");
        let started = Instant::now();
        let report =
            target.store.entries().stage(&client, period, DetailLevel::Loan, &proposals).await.expect("staged");
        let first = started.elapsed();
        println!(
            "{:<8} stage {} lines ({} entries): {} s, {} lines/s",
            target.name,
            report.lines,
            report.entries,
            secs(first),
            per_second(report.lines, first)
        );
        let started = Instant::now();
        let report =
            target.store.entries().stage(&client, period, DetailLevel::Loan, &proposals).await.expect("restaged");
        let again = started.elapsed();
        println!(
            "{:<8} re-stage (write the new, switch, delete the old) {} lines: {} s, {} lines/s",
            target.name,
            report.lines,
            secs(again),
            per_second(report.lines, again)
        );
        target.drop_it().await;
    }
}

/// Seconds with two decimals, in integers (no floats in this workspace).
fn secs(elapsed: Duration) -> String {
    format!("{}.{:02}", elapsed.as_secs(), elapsed.subsec_millis() / 10)
}

fn per_second(count: u64, elapsed: Duration) -> u128 {
    u128::from(count) * 1_000_000_000 / elapsed.as_nanos().max(1)
}
