//! Scale: any loan of a million-loan book is generated on its own, without touching the others
//! and without indexing the book; snapshot pages generate only the loans they return.

mod support;

use source_simulator::Simulator;
use support::*;
use tieout_core::connector::ServicingSource;

const MILLION: &str = "seed = 42\nloans = 1000000\nstart = \"2026-10-01\"\nmonths = 12\ncurrency = \"USD\"\n\
    products = [\"personal\", \"gold\", \"auto\", \"business\", \"export\"]\noffices = [\"HQ\", \"NORTH\"]\n";

#[test]
fn loan_999_999_alone_touches_only_that_loan() {
    let book = Simulator::new(std::sync::Arc::new(validated(MILLION)));
    let events = book.loan_events(999_999).unwrap();
    assert_eq!(book.simulations(), 1, "generating one loan generated others");
    assert!(events.len() >= 2, "{events:?}");
    assert!(events.iter().all(|e| e.loan_id.as_str() == "L-0999999"));
    book.loan_schedule(999_999).unwrap();
    let end = book.settings().end();
    assert!(book.loan_balance(999_999, end, end).unwrap().is_some());
    assert_eq!(book.simulations(), 3);
    // Before its disbursement a loan has no balance, and nothing is generated to say so.
    assert!(book.loan_balance(999_999, d("2027-06-30"), end).unwrap().is_none());
    assert!(book.loan_events(1_000_001).is_err());
    assert_eq!(book.simulations(), 3);
}

#[tokio::test]
async fn snapshot_pages_generate_only_their_loans() {
    let source = source(MILLION);
    let page = source.balances(d("2027-09-30"), None, 25).await.unwrap();
    assert_eq!(page.items.len(), 25);
    assert!(page.next.is_some());
    let page = source.schedules(None, 25).await.unwrap();
    assert_eq!(page.items.len(), 25);
    assert_eq!(source.book().simulations(), 50);
    assert!(format!("{source:?}").contains("indexed: false"), "{source:?}");
}
