//! The memory sink passes every sink suite of the conformance kit, in memory and with a state file.

mod support;

use support::Harness;

#[tokio::test]
async fn config_suite() {
    let report = tieout_conformance::sink::config_suite(&Harness::in_memory()).await.unwrap();
    assert!(report.skipped().is_empty(), "{report}");
}

#[tokio::test]
async fn check_suite() {
    let report = tieout_conformance::sink::check_suite(&Harness::in_memory()).await.unwrap();
    assert!(report.skipped().is_empty(), "{report}");
}

#[tokio::test]
async fn posting_suite() {
    let report = tieout_conformance::sink::posting_suite(&Harness::in_memory()).await.unwrap();
    assert!(report.skipped().is_empty(), "{report}");
}

#[tokio::test]
async fn every_suite_with_a_state_file() {
    // Every build reopens the same file, so the checks share one set of books: the suites
    // still pass because each check uses its own keys and compares trial balances.
    let dir = tempfile::tempdir().unwrap();
    let harness = Harness { state_file: Some(dir.path().join("ledger.jsonl")), idempotency: None };
    let report = tieout_conformance::sink::all(&harness).await.unwrap();
    assert!(report.skipped().is_empty(), "{report}");
    let text = std::fs::read_to_string(dir.path().join("ledger.jsonl")).unwrap();
    assert!(text.lines().count() >= 10, "the suites posted into the state file:\n{text}");
}

#[tokio::test]
async fn a_sink_without_idempotency_passes_with_keys_remembered_by_count() {
    // A window of 100 posts is enough for the suite's "post twice" check.
    let harness = Harness { state_file: None, idempotency: Some("idempotency_window_posts = 100") };
    let report = tieout_conformance::sink::posting_suite(&harness).await.unwrap();
    assert_eq!(
        report.skipped(),
        [("sink.find_posted_outlives_the_idempotency_window", "capabilities() gives no idempotency_window to outlive")]
    );
}

#[test]
fn the_readme_shows_the_factorys_example() {
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("[sink]\n{}", sink_memory::EXAMPLE)),
        "README.md must show [sink] followed by exactly sink_memory::EXAMPLE"
    );
    use tieout_core::connector::SinkFactory;
    assert_eq!(sink_memory::MemorySinkFactory::example(), sink_memory::EXAMPLE);
}
