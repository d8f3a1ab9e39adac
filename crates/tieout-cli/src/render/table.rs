//! Entries as a table for people: one block per entry, debits then credits.

use std::io::{self, Write};

use tieout_core::entry::Side;
use tieout_engine::summarize::Proposed;

pub fn write(out: &mut impl Write, proposals: &[Proposed]) -> io::Result<()> {
    let role_width = proposals.iter().flat_map(|p| p.entry.lines()).map(|l| l.role().as_str().len()).max().unwrap_or(0);
    let account_width =
        proposals.iter().flat_map(|p| p.entry.lines()).map(|l| l.account().as_str().len()).max().unwrap_or(0);
    let amount_width =
        proposals.iter().flat_map(|p| p.entry.lines()).map(|l| l.amount().to_string().len()).max().unwrap_or(0);
    let mut staged = 0;
    for p in proposals {
        let e = &p.entry;
        let description = if e.memo().is_empty() { describe(p) } else { e.memo().to_owned() };
        let status = if e.is_postable() {
            String::new()
        } else {
            staged += 1;
            "  [staged, not sent: summarized by accrual activity]".to_owned()
        };
        writeln!(out, "{}  {}  {}  key {}{}", e.date(), e.kind(), description, e.key(), status)?;
        let mut lines: Vec<_> = e.lines().iter().collect();
        lines.sort_by_key(|l| l.side() == Side::Credit);
        for l in lines {
            let side = if l.side() == Side::Debit { "Dr" } else { "Cr" };
            writeln!(
                out,
                "    {side}  {:<role_width$}  {:<account_width$}  {:>amount_width$} {}",
                l.role().as_str(),
                l.account().as_str(),
                l.amount().to_string(),
                e.currency()
            )?;
        }
        writeln!(out)?;
    }
    let total = proposals.len();
    writeln!(
        out,
        "{total} entr{}{}",
        if total == 1 { "y" } else { "ies" },
        if staged > 0 { format!(", {staged} staged only") } else { String::new() }
    )
}

/// A loan-level entry's description: loan, product and event.
fn describe(p: &Proposed) -> String {
    let first = &p.entry.lines()[0];
    let loan = first.loan().map_or(String::new(), |l| format!("loan {l} "));
    let events: Vec<&str> = first.events().iter().map(|e| e.as_str()).collect();
    format!("{loan}{} event {}", first.product(), events.join(","))
}
