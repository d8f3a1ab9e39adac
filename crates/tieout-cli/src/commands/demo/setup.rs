//! The demo's config directory: the shipped demo files (`tieout_config::DEMO_FILES`) written
//! under `DIR/config/`, with the book's size, its dates and its files filled in.
//!
//! The book's dates are chosen once, when the directory is made (by default the `months` whole
//! months before the current one). A later run reads them back from the client file, so a demo resumed
//! next week (or next month) finishes the same book instead of starting a different one.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{Months, NaiveDate};
use toml_edit::{DocumentMut, Item, value};

/// The demo client's name: its file is `clients/demo.toml`.
pub const CLIENT: &str = "demo";

/// Where the demo keeps everything, and the book it simulates.
#[derive(Clone, Debug)]
pub struct DemoSetup {
    pub dir: PathBuf,
    pub config: PathBuf,
    pub journal: PathBuf,
    pub database: PathBuf,
    pub reports: PathBuf,
    pub loans: u32,
    pub months: u32,
    /// The first simulated day: the first of a month.
    pub start: NaiveDate,
    /// Months over which loans are disbursed (0: all on the first day); `None` keeps the demo
    /// client's own setting.
    pub disburse_months: Option<u32>,
}

impl DemoSetup {
    /// The last simulated day: the end of the last month.
    pub fn end(&self) -> NaiveDate {
        self.start + Months::new(self.months) - chrono::Days::new(1)
    }

    /// Writes the config directory, or checks that the one already there is for this book.
    /// `start` is the first day of a new demo's book (a demo already there keeps its own).
    pub fn prepare(dir: &Path, loans: u32, months: u32, start: NaiveDate) -> anyhow::Result<DemoSetup> {
        Self::prepare_book(dir, loans, months, start, None)
    }

    /// [`prepare`](Self::prepare), with loans disbursed over `disburse_months` (`tieout bench`
    /// disburses them all on the first day, so that every loan accrues every day).
    pub fn prepare_book(
        dir: &Path,
        loans: u32,
        months: u32,
        start: NaiveDate,
        disburse_months: Option<u32>,
    ) -> anyhow::Result<DemoSetup> {
        if loans == 0 {
            bail!("--loans must be at least 1");
        }
        if !(1..=120).contains(&months) {
            bail!("--months must be between 1 and 120, got {months}");
        }
        fs::create_dir_all(dir).with_context(|| format!("creating the demo directory {}", dir.display()))?;
        let dir = dir.canonicalize().with_context(|| format!("reading the demo directory {}", dir.display()))?;
        let config = dir.join("config");
        let client_file = config.join("clients").join(format!("{CLIENT}.toml"));
        let setup = if client_file.exists() {
            let existing = Self::read(&dir, &client_file)?;
            if existing.loans != loans || existing.months != months {
                bail!(
                    "{} holds a demo of {} loans over {} months; run `tieout demo --dir {} --loans {} --months {}` to \
                     finish it, or choose another --dir for a new one",
                    dir.display(),
                    existing.loans,
                    existing.months,
                    dir.display(),
                    existing.loans,
                    existing.months
                );
            }
            existing
        } else {
            let mut setup = Self::paths(&dir, loans, months, start);
            setup.disburse_months = disburse_months;
            setup.write()?;
            setup
        };
        fs::create_dir_all(&setup.reports)
            .with_context(|| format!("creating the reports directory {}", setup.reports.display()))?;
        Ok(setup)
    }

    /// Holds `DIR/demo.lock` until dropped: one demo at a time per directory (the pipeline takes
    /// over what a killed run left half-done, which is only safe when nothing else runs). The
    /// operating system releases the lock when the process dies, even by `kill -9`.
    pub fn lock(&self) -> anyhow::Result<fs::File> {
        let path = self.dir.join("demo.lock");
        let file = fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(fs::TryLockError::WouldBlock) => bail!(
                "another `tieout demo` is running in {}: wait for it to finish, or stop it first",
                self.dir.display()
            ),
            Err(fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("locking {}", path.display())),
        }
    }

    fn paths(dir: &Path, loans: u32, months: u32, start: NaiveDate) -> DemoSetup {
        DemoSetup {
            dir: dir.to_path_buf(),
            config: dir.join("config"),
            journal: dir.join("ledger.journal"),
            database: dir.join("tieout.db"),
            reports: dir.join("reports"),
            loans,
            months,
            start,
            disburse_months: None,
        }
    }

    /// Writes every demo file; the client file last, so that a run killed half-way through
    /// writing starts over rather than finding a client file with no mapping beside it.
    fn write(&self) -> anyhow::Result<()> {
        let mut client = None;
        for (relative, text) in tieout_config::DEMO_FILES {
            let text = match relative {
                "default.toml" => self.default_toml(text)?,
                "clients/demo.toml" => {
                    client = Some(self.client_toml(text)?);
                    continue;
                }
                _ => text.to_owned(),
            };
            write_file(&self.config.join(relative), &text)?;
        }
        let client = client.context("the embedded demo files have no clients/demo.toml")?;
        write_file(&self.config.join("clients").join(format!("{CLIENT}.toml")), &client)
    }

    fn default_toml(&self, text: &str) -> anyhow::Result<String> {
        let mut doc: DocumentMut = text.parse().context("the embedded default.toml")?;
        doc["store"]["url"] = value(format!("sqlite://{}", self.database.display()));
        Ok(doc.to_string())
    }

    fn client_toml(&self, text: &str) -> anyhow::Result<String> {
        let mut doc: DocumentMut = text.parse().context("the embedded clients/demo.toml")?;
        let source = &mut doc["source"];
        source["loans"] = value(i64::from(self.loans));
        source["months"] = value(i64::from(self.months));
        source["start"] = value(self.start.to_string());
        if let Some(months) = self.disburse_months {
            source["disburse_months"] = value(i64::from(months));
        }
        // COB walks the book day by day: each day's events arrive the morning after, as they
        // would from a real servicing system.
        source["release"] = value("clock");
        doc["sink"]["path"] = value(self.journal.display().to_string());
        Ok(doc.to_string())
    }

    /// The demo in `dir` as its client file describes it.
    fn read(dir: &Path, client_file: &Path) -> anyhow::Result<DemoSetup> {
        let text = fs::read_to_string(client_file).with_context(|| format!("reading {}", client_file.display()))?;
        let doc: DocumentMut = text.parse().with_context(|| format!("parsing {}", client_file.display()))?;
        let source = &doc["source"];
        let number = |key: &str| -> anyhow::Result<u32> {
            source[key]
                .as_integer()
                .and_then(|n| u32::try_from(n).ok())
                .with_context(|| format!("{}: [source] {key} is not a positive whole number", client_file.display()))
        };
        let start = item_str(&source["start"])
            .and_then(|s| s.parse::<NaiveDate>().ok())
            .with_context(|| format!("{}: [source] start is not a date (YYYY-MM-DD)", client_file.display()))?;
        Ok(Self::paths(dir, number("loans")?, number("months")?, start))
    }
}

fn item_str(item: &Item) -> Option<&str> {
    item.as_str()
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    // Written under a temporary name and renamed, so a killed run never leaves half a file.
    let partial = path.with_extension("toml.partial");
    fs::write(&partial, text).with_context(|| format!("writing {}", partial.display()))?;
    fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))
}
