//! Reports and failures read well, and the kit's pieces behave.

use tieout_conformance::{CheckRecord, Kit, ManualClock, MapSecrets, Report, Status};
use tieout_core::connector::{Clock, ExposeSecret, SecretError, SecretRef, SecretResolver};

fn report() -> Report {
    Report {
        subject: "sink 'demo'".into(),
        checks: vec![
            CheckRecord { name: "sink.a".into(), status: Status::Passed },
            CheckRecord { name: "sink.b".into(), status: Status::Failed("expected x, got y".into()) },
            CheckRecord { name: "sink.c".into(), status: Status::Skipped("no lock date".into()) },
        ],
    }
}

#[test]
fn a_failure_names_each_failed_check_in_display_and_debug() {
    let failure = report().into_result().unwrap_err();
    let expected = "conformance of sink 'demo': 3 checks, 1 passed, 1 skipped, 1 failed\n  FAILED sink.b: expected x, got y\n  skipped sink.c: no lock date";
    assert_eq!(failure.to_string(), expected);
    assert_eq!(format!("{failure:?}"), expected, "unwrap() in a test prints this");
    assert_eq!(failure.failed_checks(), ["sink.b"]);
    assert_eq!(failure.message("sink.b"), Some("expected x, got y"));
    assert_eq!(failure.message("sink.a"), None);
}

#[test]
fn a_report_without_failures_is_ok() {
    let mut passing = report();
    passing.checks.remove(1);
    let ok = passing.into_result().unwrap();
    assert_eq!(ok.passed(), ["sink.a"]);
    assert_eq!(ok.skipped(), [("sink.c", "no lock date")]);
}

#[test]
fn secrets_come_from_the_map_never_the_environment() {
    let secrets = MapSecrets::new([(SecretRef::Env("PATH".into()), "from-the-map".into())]);
    assert_eq!(secrets.resolve(&SecretRef::Env("PATH".into())).unwrap().expose_secret(), "from-the-map");
    let missing = secrets.resolve(&SecretRef::Env("HOME".into())).unwrap_err();
    assert!(matches!(missing, SecretError::Missing { .. }));
}

#[test]
fn the_clock_moves_only_when_told() {
    let clock = ManualClock::default();
    let start = clock.now();
    assert_eq!(start.to_rfc3339(), "2026-11-22T12:00:00+00:00");
    clock.advance(chrono::Duration::minutes(5));
    assert_eq!((clock.now() - start).num_seconds(), 300);
}

#[tokio::test]
async fn the_kit_captures_logs_within_the_connector_span() {
    let kit = Kit::new(Vec::<(SecretRef, String)>::new());
    kit.capture(async {
        let cx = kit.context("demo");
        tracing::info!(parent: &cx.span, records = 3, "Connector read its data.");
    })
    .await;
    tracing::info!("Outside the capture.");
    let logs = kit.logs();
    assert!(logs.contains("connector{client=\"conformance\" connector=\"demo\"}"), "{logs}");
    assert!(logs.contains("Connector read its data. records=3"), "{logs}");
    assert!(!logs.contains("Outside"), "{logs}");
}
