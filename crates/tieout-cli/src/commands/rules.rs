//! `tieout rules show`: a rule set as a table an accountant can approve.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use tieout_engine::rules::{RULE_TABLE_HEADERS as HEADERS, RuleRow, rule_rows};

use crate::input::load_rules;
use crate::render::csv::record;

#[derive(Subcommand)]
pub enum RulesCommand {
    /// Print a rule set: per accounting rule and event kind, what is debited and credited.
    Show {
        /// Rule set: `standard`, `fineract`, or the path of a rule-set file.
        #[arg(long, value_name = "standard|fineract|FILE", default_value = "standard")]
        rules: String,
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum TableFormat {
    /// Aligned columns for a terminal.
    Table,
    /// A Markdown table.
    Md,
    /// CSV (RFC 4180).
    Csv,
}

pub fn run(cmd: RulesCommand) -> anyhow::Result<ExitCode> {
    let RulesCommand::Show { rules, format } = cmd;
    let set = load_rules(&rules)?;
    let rows = rule_rows(&set);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match format {
        TableFormat::Table => {
            writeln!(out, "Rule set {}: {}\n", set.id(), set.description()).and_then(|()| table(&mut out, &rows))
        }
        TableFormat::Md => markdown(&mut out, &rows),
        TableFormat::Csv => csv(&mut out, &rows),
    };
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing the rule table"),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Aligned columns; the rule and kind are printed only where they change, so each posting
/// reads as a block.
fn table(out: &mut impl Write, rows: &[RuleRow]) -> std::io::Result<()> {
    let mut widths = HEADERS.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row.cells()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: [&str; 7]| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, HEADERS)?;
    let dashes = widths.map(|w| "-".repeat(w));
    line(
        out,
        [&dashes[0], &dashes[1], &dashes[2], &dashes[3], &dashes[4], &dashes[5], &dashes[6]].map(String::as_str),
    )?;
    let mut previous: Option<(&str, &str, &str)> = None;
    for row in rows {
        let head = (row.rule.as_str(), row.kind.as_str(), row.when.as_str());
        let mut cells = row.cells();
        if previous == Some(head) {
            cells[0] = "";
            cells[1] = "";
            cells[2] = "";
        } else if previous.is_some_and(|p| p.0 != head.0) {
            writeln!(out)?;
        }
        previous = Some(head);
        line(out, cells)?;
    }
    Ok(())
}

fn markdown(out: &mut impl Write, rows: &[RuleRow]) -> std::io::Result<()> {
    writeln!(out, "| {} |", HEADERS.join(" | "))?;
    writeln!(out, "|{}", " --- |".repeat(HEADERS.len()))?;
    for row in rows {
        let cells: Vec<String> = row.cells().iter().map(|c| c.replace('|', "\\|")).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

fn csv(out: &mut impl Write, rows: &[RuleRow]) -> std::io::Result<()> {
    record(out, &HEADERS)?;
    for row in rows {
        record(out, &row.cells())?;
    }
    Ok(())
}
