//! The ledger sink's behaviour on real files.

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rust_decimal::Decimal;
use sink_ledger::{JournalError, LedgerSink, Settings};
use support::*;
use tieout_core::connector::{AccountingSink, CurrencySupport, Dimensions, Posting, SinkError};
use tieout_core::role::AccountType;

fn journal(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let path = dir.path().join("books.journal");
    std::fs::write(&path, text).unwrap();
    path
}

fn sink(path: &Path) -> LedgerSink {
    LedgerSink::new(Settings::new(path))
}

fn append(path: &Path, text: &str) {
    std::fs::OpenOptions::new().append(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

#[tokio::test]
async fn posts_are_tagged_transactions_found_again_by_any_instance() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal(&dir, CHART);
    let first = sink(&path);
    let entries = [entry("a", 500_000), entry("b", 1_234)];
    let posted = refs(&first.post(&postings(&entries)).await.unwrap());
    assert_eq!(posted, ["ledger:9", "ledger:13"]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        &text[CHART.len()..],
        "commodity USD 1000.00\n\n\
         2026-10-05 disbursement L-a ev-a  ; key:t-a, kind:disbursement\n\
         \x20   Assets:Loans   USD 5000.00  ; role:loan_portfolio, loan:L-a\n\
         \x20   Assets:Bank   USD -5000.00  ; role:fund_source, loan:L-a\n\n\
         2026-10-05 disbursement L-b ev-b  ; key:t-b, kind:disbursement\n\
         \x20   Assets:Loans   USD 12.34  ; role:loan_portfolio, loan:L-b\n\
         \x20   Assets:Bank   USD -12.34  ; role:fund_source, loan:L-b\n\n"
    );
    // The same entries again: the same refs, nothing written.
    assert_eq!(refs(&first.post(&postings(&entries)).await.unwrap()), posted);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // Another instance (another process) finds them by key, and does not post them again either.
    let second = sink(&path);
    assert_eq!(
        second.find_posted(entries[1].key()).await.unwrap().map(|r| r.to_string()).as_deref(),
        Some("ledger:13")
    );
    assert_eq!(second.find_posted(entry("c", 1).key()).await.unwrap(), None);
    assert_eq!(refs(&second.post(&postings(&entries)).await.unwrap()), posted);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // The first instance sees what the second posts.
    refs(&second.post(&postings(&[entry("c", 100)])).await.unwrap());
    assert_eq!(
        first.find_posted(entry("c", 1).key()).await.unwrap().map(|r| r.to_string()).as_deref(),
        Some("ledger:17")
    );
    assert_eq!(first.transactions().unwrap(), 3);
}

#[tokio::test]
async fn a_refused_entry_fails_alone_and_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal(&dir, CHART);
    let sink = LedgerSink::new(Settings { lock_date: Some(date(9, 30)), ..Settings::new(&path) });
    let batch = [
        entry("good-1", 100),
        entry_on("locked", 100, "Assets:Loans", "Assets:Bank", date(9, 30), usd()),
        entry_on("undeclared", 100, "Assets:Loans:Typo", "Assets:Bank", date(10, 5), usd()),
        entry_on("inactive", 100, "Assets:Old", "Assets:Bank", date(10, 5), usd()),
        entry_on("tied", 100, "Assets:Euro", "Assets:Bank", date(10, 5), usd()),
        entry_on("two-spaces", 100, "Assets:Loans  x", "Assets:Bank", date(10, 5), usd()),
        entry("good-2", 200),
    ];
    let outcomes = sink.post(&postings(&batch)).await.unwrap();
    let keys: Vec<&str> = outcomes.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, batch.iter().map(|e| e.key().as_str()).collect::<Vec<_>>());
    let messages: Vec<String> = outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(r) => format!("ok {r}"),
            Err(e) => {
                assert!(!e.retryable, "{}", e.message);
                e.message.clone()
            }
        })
        .collect();
    for (message, says) in [
        (&messages[0], "ok ledger:"),
        (&messages[1], "on or before the lock date 2026-09-30 (lock_date in the sink's config)"),
        (&messages[2], "account 'Assets:Loans:Typo' is not declared in the journal"),
        (&messages[3], "account 'Assets:Old' is inactive (tagged inactive: on line 4"),
        (&messages[4], "account 'Assets:Euro' books only EUR"),
        (&messages[5], "two spaces in a row"),
        (&messages[6], "ok ledger:"),
    ] {
        assert!(message.contains(says), "{message}");
    }
    assert_eq!(keys_in(&path), ["t-good-1", "t-good-2"]);
    for refused in &batch[1..6] {
        assert_eq!(sink.find_posted(refused.key()).await.unwrap(), None);
    }
    // Once the chart has the account, the same entry posts.
    append(&path, "account Assets:Loans:Typo\n\n");
    let again = sink.post(&postings(&batch[2..3])).await.unwrap();
    assert!(again[0].result.is_ok(), "{again:?}");
}

#[tokio::test]
async fn what_the_capabilities_say_is_refused_whole_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal(&dir, CHART);
    let settings = Settings { currencies: CurrencySupport::Enabled(vec![usd()]), max_batch: 2, ..Settings::new(&path) };
    let sink = LedgerSink::new(settings);
    let too_many = [entry("1", 1), entry("2", 1), entry("3", 1)];
    let in_eur = [entry("4", 1), entry_on("5", 1, "Assets:Loans", "Assets:Bank", date(10, 5), eur())];
    let unknown_dimension = [entry("6", 1)];
    let dims = BTreeMap::from([("HQ".to_owned(), Dimensions::from([("cost_centre".to_owned(), "7".to_owned())]))]);
    let with_dims: Vec<Posting<'_>> =
        unknown_dimension.iter().map(|entry| Posting { entry, dimensions: dims.clone() }).collect();
    for (result, says) in [
        (sink.post(&postings(&too_many)).await, "a batch of 3 entries is more than this sink takes (2)"),
        (sink.post(&postings(&in_eur)).await, "is in EUR, which this ledger does not book (currencies = [USD])"),
        (sink.post(&with_dims).await, "dimension 'cost_centre'"),
    ] {
        match result {
            Err(SinkError::Rejected { message }) => assert!(message.contains(says), "{message}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), CHART);
    // A key twice in one batch is written once, and both outcomes name it.
    let twice = [entry("same", 5), entry("same", 5)];
    let posted = refs(&sink.post(&postings(&twice)).await.unwrap());
    assert_eq!(posted[0], posted[1]);
    assert_eq!(tagged(&path, "t-same"), 1);
    // An empty batch does nothing.
    assert!(sink.post(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn dimensions_and_loans_become_posting_tags() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal(&dir, CHART);
    let sink = sink(&path);
    let e = entry("dims", 700);
    let dims = BTreeMap::from([("HQ".to_owned(), Dimensions::from([("class".to_owned(), "Head office".to_owned())]))]);
    sink.post(&[Posting { entry: &e, dimensions: dims }]).await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("USD 7.00  ; role:loan_portfolio, loan:L-dims, class:Head office\n"), "{text}");
    hledger_check(&path, false);
    let tagged = hledger(&["-f", path.to_str().unwrap(), "reg", "tag:class=Head office", "-O", "csv"]);
    assert_eq!(tagged.lines().count(), 3, "{tagged}");
}

#[tokio::test]
async fn the_lock_date_can_come_from_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal(&dir, CHART);
    let sink = LedgerSink::new(Settings { lock_date: Some(date(6, 30)), ..Settings::new(&path) });
    assert_eq!(sink.lock_date().await.unwrap(), Some(date(6, 30)));
    append(&path, "; tieout:lock-date 2026-10-31\n");
    assert_eq!(sink.lock_date().await.unwrap(), Some(date(10, 31)));
    let outcomes = sink.post(&postings(&[entry("october", 100)])).await.unwrap();
    let message = outcomes[0].result.as_ref().unwrap_err().message.clone();
    assert!(message.contains("lock date 2026-10-31 (the tieout:lock-date line 7 of the journal)"), "{message}");
    // An earlier line in the file does not reopen what the config closed; a later one wins over an earlier one.
    append(&path, "; tieout:lock-date 2026-01-31\n");
    assert_eq!(sink.lock_date().await.unwrap(), Some(date(6, 30)));
    assert!(sink.post(&postings(&[entry("october", 100)])).await.unwrap()[0].result.is_ok());
}

#[tokio::test]
async fn the_chart_is_the_account_directives() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal(&dir, &format!("{CHART}account Liabilities:Overpayments\naccount Suspense  ; type:L\n\n"));
    let chart = sink(&path).chart_of_accounts().await.unwrap();
    let rows: Vec<(String, Option<AccountType>, bool, Option<String>)> = chart
        .iter()
        .map(|a| (a.account.to_string(), a.account_type, a.active, a.currency.map(|c| c.to_string())))
        .collect();
    assert_eq!(
        rows,
        [
            ("Assets:Bank".to_owned(), Some(AccountType::Asset), true, None),
            ("Assets:Loans".to_owned(), Some(AccountType::Asset), true, None),
            ("Income:Interest".to_owned(), Some(AccountType::Income), true, None),
            ("Assets:Old".to_owned(), Some(AccountType::Asset), false, None),
            ("Assets:Euro".to_owned(), Some(AccountType::Asset), true, Some("EUR".to_owned())),
            ("Liabilities:Overpayments".to_owned(), Some(AccountType::Liability), true, None),
            ("Suspense".to_owned(), Some(AccountType::Liability), true, None),
        ]
    );
}

#[tokio::test]
async fn a_hand_written_transaction_shows_in_the_trial_balance() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal(&dir, CHART);
    let sink = sink(&path);
    sink.post(&postings(&[entry("loan", 100_000)])).await.unwrap();
    let before = balances(sink.trial_balance(date(12, 31)).await.unwrap());
    // Someone types a manual journal into the file, in hledger's other spellings.
    append(&path, "2026/10/20 * Write-down, by hand\n    Expenses:Losses     25.50 USD\n    Assets:Loans\n\n");
    let after = balances(sink.trial_balance(date(12, 31)).await.unwrap());
    let mut expected = before.clone();
    *expected.get_mut(&("Assets:Loans".into(), usd())).unwrap() -= Decimal::new(2550, 2);
    expected.insert(("Expenses:Losses".into(), usd()), Decimal::new(2550, 2));
    assert_eq!(after, expected);
    assert_eq!(balances(sink.trial_balance(date(10, 19)).await.unwrap()), before);
    assert_eq!(sink.transactions().unwrap(), 2);
    assert_eq!(hledger_balances(&path, Some(date(12, 31))), after);
    // The sink posts after it as before, and hledger still reads the whole.
    sink.post(&postings(&[entry("after", 100)])).await.unwrap();
    hledger_check(&path, false);
}

#[tokio::test]
async fn a_journal_ending_mid_line_or_without_a_blank_line_is_appended_to_safely() {
    let dir = tempfile::tempdir().unwrap();
    let hand = "2026-10-01 by hand\n    Assets:Bank  USD 10\n    Income:Interest";
    for tail in [hand.to_owned(), format!("{hand}\n")] {
        let path = journal(&dir, &format!("{CHART}{tail}"));
        let sink = sink(&path);
        refs(&sink.post(&postings(&[entry("next", 100)])).await.unwrap());
        hledger_check(&path, false);
        assert_eq!(sink.transactions().unwrap(), 2);
        assert_eq!(LedgerSink::new(Settings::new(&path)).transactions().unwrap(), 2);
    }
}

#[tokio::test]
async fn a_line_it_cannot_read_is_an_error_naming_it_until_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal(&dir, &format!("{CHART}include other.journal\n"));
    let sink = sink(&path);
    match sink.check().await {
        Err(SinkError::InvalidData { message }) => {
            assert!(message.contains("books.journal, line 7: 'include other.journal' is not read"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(sink.post(&postings(&[entry("x", 1)])).await, Err(SinkError::InvalidData { .. })));
    assert!(sink.trial_balance(date(12, 31)).await.is_err());
    std::fs::write(&path, CHART).unwrap();
    sink.check().await.unwrap();
    assert!(sink.post(&postings(&[entry("x", 1)])).await.unwrap()[0].result.is_ok());
}

#[tokio::test]
async fn a_journal_ending_inside_a_comment_block_is_not_written_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal(&dir, &format!("{CHART}comment\nnotes\n"));
    match sink(&path).post(&postings(&[entry("x", 1)])).await {
        Err(SinkError::Rejected { message }) => assert!(message.contains("end comment"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_journal_replaced_by_an_editor_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal(&dir, CHART);
    let sink = sink(&path);
    let a = entry("a", 100);
    sink.post(&postings(std::slice::from_ref(&a))).await.unwrap();
    assert!(sink.find_posted(a.key()).await.unwrap().is_some());
    // An editor writes a new file and renames it over the journal: here without the entry.
    let edited = dir.path().join("books.journal.tmp");
    std::fs::write(&edited, format!("{CHART}2026-10-02 typed\n    Assets:Bank  USD 3\n    Income:Interest\n\n"))
        .unwrap();
    std::fs::rename(&edited, &path).unwrap();
    assert_eq!(sink.find_posted(a.key()).await.unwrap(), None);
    assert_eq!(sink.transactions().unwrap(), 1);
    // Edited in place, same length: read again too.
    let text = std::fs::read_to_string(&path).unwrap().replace("USD 3", "USD 4");
    std::fs::write(&path, text).unwrap();
    let tb = balances(sink.trial_balance(date(12, 31)).await.unwrap());
    assert_eq!(tb.get(&("Assets:Bank".into(), usd())), Some(&Decimal::from(4)));
    // Posting again writes the entry again, once.
    sink.post(&postings(std::slice::from_ref(&a))).await.unwrap();
    assert_eq!(tagged(&path, "t-a"), 1);
}

#[tokio::test]
async fn a_missing_journal_is_created_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.journal");
    let refusing = LedgerSink::new(Settings { create: false, ..Settings::new(&missing) });
    match refusing.check().await {
        Err(SinkError::Rejected { message }) => assert!(message.contains("does not exist"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(refusing.open(), Err(JournalError::Missing { .. })));
    assert!(!missing.exists());

    let path = dir.path().join("books").join("2026").join("ledger.journal");
    let settings = Settings {
        currencies: CurrencySupport::Enabled(vec![usd(), eur()]),
        declare_accounts: vec!["Assets:Bank".into(), "Assets:Loans".into()],
        ..Settings::new(&path)
    };
    let creating = LedgerSink::new(settings.clone());
    creating.check().await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("; Accounting journal kept by Tieout"), "{text}");
    assert!(text.contains("commodity USD 1000.00\ncommodity EUR 1000.00\n"), "{text}");
    assert!(text.ends_with("account Assets:Bank\naccount Assets:Loans\n\n"), "{text}");
    // Opened again, nothing is declared twice.
    LedgerSink::new(settings).check().await.unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    refs(&creating.post(&postings(&[entry("first", 100)])).await.unwrap());
    hledger_check(&path, true);
}

#[tokio::test]
async fn new_accounts_can_be_declared_as_they_come() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.journal");
    let sink = LedgerSink::new(Settings { declare_new_accounts: true, ..Settings::new(&path) });
    let entries = [entry("a", 100), entry_on("b", 100, "Expenses:New", "Assets:Bank", date(10, 6), eur())];
    refs(&sink.post(&postings(&entries)).await.unwrap());
    let chart: Vec<String> = sink.chart_of_accounts().await.unwrap().iter().map(|a| a.account.to_string()).collect();
    assert_eq!(chart, ["Assets:Loans", "Assets:Bank", "Expenses:New"]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("commodity EUR 1000.00\naccount Expenses:New\n\n2026-10-06"), "{text}");
    hledger_check(&path, true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_posting_at_once_never_write_a_key_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal(&dir, CHART);
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let sink = sink(&path);
        tasks.push(tokio::spawn(async move {
            let mut refs = BTreeMap::new();
            for i in 0..15 {
                // Every worker posts the same 15 keys, in a different order, two at a time.
                let a = entry(&format!("k{}", (i + worker * 4) % 15), 100);
                let b = entry(&format!("own-{worker}-{i}"), 1);
                for outcome in sink.post(&postings(&[a, b])).await.unwrap() {
                    refs.insert(outcome.key.to_string(), outcome.result.unwrap().to_string());
                }
            }
            refs
        }));
    }
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for task in tasks {
        for (key, r) in task.await.unwrap() {
            let first = seen.entry(key.clone()).or_insert_with(|| r.clone());
            assert_eq!(*first, r, "{key} was given two refs");
        }
    }
    let keys = keys_in(&path);
    assert_eq!(keys.len(), 15 + 60);
    let unique: std::collections::BTreeSet<&String> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "a key was written twice");
    hledger_check(&path, false);
}
