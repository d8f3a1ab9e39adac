//! `tieout cob` end to end: a client with a simulated book (everything released at once) and a
//! SQLite store, each run a separate process.

mod common;

use std::process::Output;

use common::config_dir::ConfigDir;
use common::text;

struct Setup {
    dir: ConfigDir,
}

impl Setup {
    fn new() -> Self {
        let dir = ConfigDir::new("lender", "mappings/demo.toml", |tmp| {
            format!(
                r#"time_zone = "America/New_York"
mapping = "mappings/lender.toml"

[source]
kind = "simulator"
seed = 42
loans = 60
start = "2026-10-01"
months = 2
disburse_months = 1
currency = "USD"
products = ["personal", "gold", "auto"]
offices = ["HQ", "NORTH"]
release = "all"

[sink]
kind = "ledger"
path = "{journal}"
"#,
                journal = tmp.join("ledger.journal").display(),
            )
        });
        Setup { dir }
    }

    fn tieout(&self, args: &[&str]) -> Output {
        self.dir.tieout(args)
    }
}

/// The number before `what` in `line` ("12 loans accrued" → 12).
fn count_before(line: &str, what: &str) -> u64 {
    let before = line.split(what).next().unwrap_or_default();
    before.split_whitespace().last().and_then(|n| n.trim_start_matches('(').parse().ok()).unwrap_or_else(|| {
        panic!("no number before '{what}' in: {line}");
    })
}

#[test]
fn cob_runs_a_date_once_in_order_and_catches_up_through_a_date() {
    let s = Setup::new();
    let first = s.tieout(&["cob", "--client", "lender", "--date", "2026-10-05"]);
    assert!(first.status.success(), "{}\n{}", text(&first.stdout), text(&first.stderr));
    let line = text(&first.stdout);
    assert!(line.starts_with("COB 2026-10-05 for lender: "), "{line}");
    assert!(count_before(&line, "loans accrued") > 0, "{line}");
    assert!(count_before(&line, "accrual events made") > 0, "{line}");
    assert!(count_before(&line, "source events synced") > 0, "{line}");

    let again = s.tieout(&["cob", "--client", "lender", "--date", "2026-10-05"]);
    assert!(again.status.success());
    assert_eq!(text(&again.stdout), "COB 2026-10-05 for lender had already run: nothing to do.\n");

    let skip = s.tieout(&["cob", "--client", "lender", "--date", "2026-10-08"]);
    assert!(!skip.status.success(), "a date that skips two is refused");
    let stderr = text(&skip.stderr);
    assert!(stderr.contains("2026-10-06") && stderr.contains("--through 2026-10-08"), "{stderr}");

    let through = s.tieout(&["cob", "--client", "lender", "--through", "2026-10-10"]);
    assert!(through.status.success(), "{}\n{}", text(&through.stdout), text(&through.stderr));
    let out = text(&through.stdout);
    let days: Vec<&str> = out.lines().filter(|l| l.starts_with("COB 2026-")).collect();
    assert_eq!(days.len(), 5, "{out}");
    assert!(days[0].starts_with("COB 2026-10-06 for lender: ") && days[4].starts_with("COB 2026-10-10"), "{out}");
    let made: u64 = days.iter().map(|l| count_before(l, "accrual events made")).sum();
    assert!(
        out.ends_with(&format!("COB of lender ran 5 day(s) through 2026-10-10: {made} accrual events made.\n")),
        "{out}"
    );

    let nothing = s.tieout(&["cob", "--client", "lender", "--through", "2026-10-09"]);
    assert_eq!(text(&nothing.stdout), "COB of lender has run through 2026-10-10: nothing to do through 2026-10-09.\n");

    let neither = s.tieout(&["cob", "--client", "lender"]);
    assert_eq!(neither.status.code(), Some(2), "clap refuses a missing date");
    assert!(text(&neither.stderr).contains("--date"), "{}", text(&neither.stderr));
}
