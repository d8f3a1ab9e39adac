//! `tieout period …` end to end: a client with the memory source over the example book and the
//! ledger sink, a SQLite store, every step a separate process (as a user would run them), and
//! the journal checked by the real hledger.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(separation_of_duties: bool) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("config");
        std::fs::create_dir_all(config.join("clients")).expect("clients");
        std::fs::create_dir_all(config.join("mappings")).expect("mappings");
        std::fs::copy(root().join("config/default.toml"), config.join("default.toml")).expect("default.toml");
        std::fs::copy(root().join("config/examples/mapping.toml"), config.join("mappings/acme.toml")).expect("mapping");
        let client = format!(
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
            events = root().join("config/examples/events.jsonl").display(),
            journal = dir.path().join("ledger.journal").display(),
            accounts = declared_accounts(),
        );
        std::fs::write(config.join("clients/acme.toml"), client).expect("client");
        Setup { dir }
    }

    fn tieout(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tieout"))
            .arg("--config")
            .arg(self.dir.path().join("config"))
            .args(args)
            .env("TIEOUT__STORE__URL", format!("sqlite://{}", self.dir.path().join("tieout.db").display()))
            .output()
            .expect("tieout runs")
    }

    fn journal(&self) -> PathBuf {
        self.dir.path().join("ledger.journal")
    }
}

/// Every account the example mapping names, declared in the journal as a bookkeeper would.
fn declared_accounts() -> String {
    let text = std::fs::read_to_string(root().join("config/examples/mapping.toml")).expect("mapping");
    let mapping = tieout_engine::mapping::MappingFile::from_toml(&text, "mapping.toml").expect("mapping parses");
    mapping.accounts().iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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
