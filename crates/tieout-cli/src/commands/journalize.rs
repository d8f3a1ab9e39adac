//! `tieout journalize`: canonical events → entries, the integrator's and accountant's preview.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use tieout_core::event::{Event, parse_event_line};
use tieout_engine::journal::{Journalizer, KeyScope};
use tieout_engine::summarize::{DetailLevel, summarize};

use crate::input::{load_mapping, load_rules, read_text};
use crate::render;

/// Exit code when `--keep-going` journalized what it could but some events had problems.
const EXIT_PARTIAL: u8 = 3;

#[derive(clap::Args)]
pub struct Args {
    /// Canonical events as JSON Lines (DESIGN.md section 4); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    events: PathBuf,
    /// The client's mapping file (TOML): roles to accounts.
    #[arg(long, value_name = "FILE")]
    mapping: PathBuf,
    /// Rule set: `standard`, `fineract`, or the path of a rule-set file.
    #[arg(long, value_name = "standard|fineract|FILE", default_value = "standard")]
    rules: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Detail level: one entry per event, or per product, office, kind and day or month.
    #[arg(long, value_name = "loan|product-day|product-month", default_value = "product-day")]
    detail: DetailLevel,
    /// Report every problem on stderr and journalize the other events (exit code 3 when there
    /// were problems). Without it, any problem means exit code 1 and nothing on stdout.
    #[arg(long)]
    keep_going: bool,
    /// Client name, part of every entry key.
    #[arg(long, default_value = "local")]
    client: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Entries as JSON, amounts as decimal strings.
    Json,
    /// A table for people.
    Table,
    /// An hledger journal of the postable entries, readable by `hledger -f -`.
    Hledger,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rules = load_rules(&args.rules)?;
    let mapping = load_mapping(&args.mapping)?;
    let text = read_text(&args.events, "events")?;

    let mut events: Vec<Event> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    let mut problems: Vec<(usize, String)> = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match parse_event_line(line, Some(i + 1)) {
            Ok(event) => {
                lines.push(i + 1);
                events.push(event);
            }
            Err(err) => problems.push((i + 1, err.to_string())),
        }
    }

    let scope = KeyScope { client: args.client.clone(), source: "events".into() };
    let journal = Journalizer::new(&rules, &mapping, scope.clone()).journalize(&events);
    for p in &journal.problems {
        let line = lines[p.index];
        problems.push((line, format!("line {line}, {p}")));
    }
    problems.sort_by_key(|(line, _)| *line);
    tracing::info!(events = events.len(), entries = journal.entries.len(), problems = problems.len(), "Journalized.");

    if !problems.is_empty() && !args.keep_going {
        report_problems(&problems, "nothing was written; fix them, or use --keep-going to journalize the rest");
        return Ok(ExitCode::FAILURE);
    }

    let proposals = summarize(journal.entries, args.detail, &scope, &rules.id())
        .context("summarizing the entries (a bug: loan-level entries always summarize)")?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match args.format {
        Format::Json => render::json::write(&mut out, &proposals, &rules.id(), args.detail, journal.no_entry),
        Format::Table => render::table::write(&mut out, &proposals),
        Format::Hledger => render::hledger::write(&mut out, &proposals),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => {}
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("writing the entries to standard output"),
    }

    if problems.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        report_problems(&problems, "the other events were journalized");
        Ok(ExitCode::from(EXIT_PARTIAL))
    }
}

#[expect(clippy::print_stderr, reason = "problems are the command's report to the user")]
fn report_problems(problems: &[(usize, String)], outcome: &str) {
    for (_, message) in problems {
        eprintln!("error: {message}");
    }
    let n = problems.len();
    eprintln!("{n} problem{}: {outcome}", if n == 1 { "" } else { "s" });
}
