//! The memory source passes every source suite of the conformance kit.

mod support;

use support::Harness;

#[tokio::test]
async fn config_suite() {
    let report = tieout_conformance::source::config_suite(&Harness).await.unwrap();
    assert!(report.skipped().is_empty(), "{report}");
}

#[tokio::test]
async fn check_suite() {
    let report = tieout_conformance::source::check_suite(&Harness).await.unwrap();
    assert!(report.skipped().is_empty(), "{report}");
}

#[tokio::test]
async fn events_suite() {
    let report = tieout_conformance::source::events_suite(&Harness).await.unwrap();
    assert!(report.skipped().is_empty(), "{report}");
}

#[tokio::test]
async fn all_suites_in_one_report() {
    let report = tieout_conformance::source::all(&Harness).await.unwrap();
    assert!(report.checks.len() >= 20, "{report}");
    assert!(report.passed().contains(&"source.resuming_from_every_cursor_gives_the_rest"), "{report}");
}

#[test]
fn the_readme_shows_the_factorys_example() {
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("[source]\n{}", source_memory::EXAMPLE)),
        "README.md must show [source] followed by exactly source_memory::EXAMPLE"
    );
    use tieout_core::connector::SourceFactory;
    assert_eq!(source_memory::MemorySourceFactory::example(), source_memory::EXAMPLE);
}
