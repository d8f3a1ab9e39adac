//! Staging entry lines into SQLite (synchronous=FULL) and Postgres: multi-row INSERTs on SQLite,
//! COPY on Postgres, one transaction per chunk. Each iteration stages 100,000 lines (25,000
//! four-line entries) into a new client's empty month, so it measures writing, not replacing.
//! The 1,000,000-line figure comes from `examples/stage_1m.rs` (measured once; too slow to sample).
//!
//! cargo bench -p tieout-store --bench stage
//! Postgres: TIEOUT_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); `cargo xtask ci` starts it.

#[path = "support/workload.rs"]
mod workload;

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use tieout_core::ids::ClientId;
use tieout_engine::summarize::DetailLevel;
use tieout_store::YearMonth;
use workload::Target;

const LINES: usize = 100_000;

fn stage(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let proposals = workload::proposals(LINES);
    let period: YearMonth = "2026-10".parse().expect("a month");
    let mut group = c.benchmark_group("stage");
    // About half a second per iteration: flat sampling, ten samples.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(LINES as u64));
    for backend in ["sqlite", "postgres"] {
        let target = runtime.block_on(async {
            match backend {
                "sqlite" => Target::sqlite().await,
                _ => Target::postgres().await,
            }
        });
        let mut run = 0u64;
        group.bench_function(backend, |b| {
            b.iter_custom(|iterations| {
                runtime.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iterations {
                        run += 1;
                        let client = ClientId::from(format!("bench-{run}"));
                        target.store.clients().ensure(&client, "Bench").await.expect("client");
                        target.store.periods().ensure(&client, period).await.expect("period");
                        let started = Instant::now();
                        let report = target
                            .store
                            .entries()
                            .stage(&client, period, DetailLevel::Loan, &proposals)
                            .await
                            .expect("staged");
                        total += started.elapsed();
                        assert_eq!(report.lines, LINES as u64);
                    }
                    total
                })
            })
        });
        runtime.block_on(target.drop_it());
    }
    group.finish();
}

criterion_group!(benches, stage);
criterion_main!(benches);
