//! `tieout period …` end to end: a client with the memory source over the example book and the
//! ledger sink, a SQLite store, every step a separate process (as a user would run them), and
//! the journal checked by the real hledger.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::config_dir::{ConfigDir, declared_accounts};
use common::text;

struct Setup {
    dir: ConfigDir,
}

impl Setup {
    fn new(separation_of_duties: bool) -> Self {
        let dir = ConfigDir::new("acme", "examples/mapping.toml", |tmp| {
            format!(
                r#"time_zone = "America/New_York"
mapping = "mappings/acme.toml"
separation_of_duties = {separation_of_duties}

[source]
kind = "memory"
events_file = "{events}"

[sink]
kind = "ledger"
path = "{journal}"
declare_accounts = [{accounts}]
"#,
                events = common::root().join("config/examples/events.jsonl").display(),
                journal = tmp.join("ledger.journal").display(),
                accounts = declared_accounts("examples/mapping.toml"),
            )
        });
        Setup { dir }
    }

    fn tieout(&self, args: &[&str]) -> Output {
        self.dir.tieout(args)
    }

    fn journal(&self) -> PathBuf {
        self.dir.path("ledger.journal")
    }
}

#[test]
fn close_then_send_posts_the_month_once_and_hledger_reads_it() {
    let s = Setup::new(false);
    let out = s.tieout(&["period", "close", "--client", "acme", "--period", "2026-10", "--as", "alice"]);
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Proposed 2026-10 for acme: 18 new events synced"), "{stdout}");
    assert!(stdout.contains("No problems"), "{stdout}");

    let out = s.tieout(&["period", "send", "--client", "acme", "--period", "2026-10", "--as", "bob"]);
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).starts_with("Period 2026-10 is sent: all"), "{}", text(&out.stdout));

    let journal = std::fs::read_to_string(s.journal()).expect("journal");
    let keys: Vec<&str> =
        journal.lines().filter(|l| l.starts_with("20")).filter_map(|l| l.split("key:").nth(1)).collect();
    assert!(!keys.is_empty());
    let mut unique = keys.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "every entry posted once");

    let check = Command::new("hledger")
        .arg("-f")
        .arg(s.journal())
        .args(["check", "--strict"])
        .output()
        .expect("hledger is installed (cargo xtask ci installs it)");
    assert!(check.status.success(), "{}", text(&check.stderr));

    let again = s.tieout(&["period", "send", "--client", "acme", "--period", "2026-10", "--as", "bob"]);
    assert_eq!(again.status.code(), Some(1), "a sent period is refused");
    assert!(text(&again.stderr).contains("2026-10"), "{}", text(&again.stderr));
    assert_eq!(std::fs::read_to_string(s.journal()).expect("journal"), journal, "nothing changed");

    let list = s.tieout(&["period", "list", "--client", "acme"]);
    assert!(list.status.success());
    assert!(text(&list.stdout).contains("2026-10  sent       sent by bob"), "{}", text(&list.stdout));
}

#[test]
fn the_closer_cannot_send_under_separation_of_duties() {
    let s = Setup::new(true);
    let out = s.tieout(&["period", "close", "--client", "acme", "--period", "2026-10", "--as", "alice"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = s.tieout(&["period", "send", "--client", "acme", "--period", "2026-10", "--as", "alice"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("alice"), "{}", text(&out.stderr));
    let transactions = |journal: &Path| {
        std::fs::read_to_string(journal).unwrap_or_default().lines().filter(|l| l.starts_with("20")).count()
    };
    assert_eq!(transactions(&s.journal()), 0, "nothing was posted");
    let out = s.tieout(&["period", "send", "--client", "acme", "--period", "2026-10", "--as", "bob"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(transactions(&s.journal()) > 0);
}

#[test]
fn a_send_the_accounting_package_refuses_in_part_is_abandoned_fixed_and_sent_once() {
    // The memory sink refuses every line on the card clearing account: card repayments fail.
    let s = common::Setup::new(20, None);
    s.edit_config("clients/acme.toml", |client| {
        format!("{client}faults = {{ fail_accounts = [\"Assets:Bank:Card clearing\"] }}\n")
    });
    let expected = common::expected_keys(20);
    s.close(&expected);
    let period = ["--client", "acme", "--period", "2026-10"];
    let run = |command: &str, user: &str| {
        let mut args = vec!["period", command];
        args.extend(period);
        args.extend(["--as", user]);
        s.tieout(&args)
    };

    let out = run("send", "bob");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("is still sending") && stdout.contains("Card clearing"), "{stdout}");
    let posted_before = s.posted_keys();
    assert!(!posted_before.is_empty() && posted_before.len() < expected.len(), "{stdout}");

    let out = run("abandon", "bob");
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with(&format!(
            "Sending 2026-10 was abandoned; the period is proposed again. {} entries stay posted; {} unposted \
             entries were dropped.",
            posted_before.len(),
            expected.len() - posted_before.len()
        )),
        "{}",
        text(&out.stdout)
    );
    let list = s.tieout(&["period", "list", "--client", "acme"]);
    assert!(text(&list.stdout).contains("2026-10  proposed"), "{}", text(&list.stdout));
    let again = run("abandon", "bob");
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("only a period being sent (sending) can be abandoned"),
        "{}",
        text(&again.stderr)
    );

    // The fix is in the mapping: card payments to the ACH clearing account. Close again, send.
    s.edit_config("mappings/acme.toml", |mapping| {
        mapping.replace("card = \"Assets:Bank:Card clearing\"", "card = \"Assets:Bank:ACH clearing\"")
    });
    s.close(&expected);
    let out = run("send", "bob");
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), format!("Period 2026-10 is sent: all {} entries are posted.", expected.len()));
    s.assert_each_posted_once(&expected);
    assert_eq!(s.posted_keys()[..posted_before.len()], posted_before, "the entries posted first stayed as they were");
}
