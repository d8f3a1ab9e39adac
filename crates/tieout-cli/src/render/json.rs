//! Entries as JSON: amounts as decimal strings, every line with its role, account and sources.

use std::io::{self, Write};

use serde::Serialize;
use tieout_core::entry::{JournalEntry, Line};
use tieout_engine::summarize::{DetailLevel, Proposed};

#[derive(Serialize)]
struct Output<'a> {
    rule_set: &'a str,
    detail: &'a str,
    no_entry: usize,
    entries: Vec<EntryOut<'a>>,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    key: &'a str,
    date: String,
    kind: &'a str,
    currency: &'a str,
    memo: &'a str,
    postable: bool,
    total: String,
    lines: Vec<LineOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    detail: Vec<EntryOut<'a>>,
}

#[derive(Serialize)]
struct LineOut<'a> {
    side: &'a str,
    role: &'a str,
    account: &'a str,
    amount: String,
    product: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    office: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    loan: Option<&'a str>,
    events: Vec<&'a str>,
}

fn entry(e: &JournalEntry) -> EntryOut<'_> {
    EntryOut {
        key: e.key().as_str(),
        date: e.date().to_string(),
        kind: e.kind().as_str(),
        currency: e.header().currency.code(),
        memo: e.memo(),
        postable: e.is_postable(),
        total: e.total().to_string(),
        lines: e.lines().iter().map(line).collect(),
        detail: Vec::new(),
    }
}

fn line(l: &Line) -> LineOut<'_> {
    LineOut {
        side: l.side().as_str(),
        role: l.role().as_str(),
        account: l.account().as_str(),
        amount: l.amount().to_string(),
        product: l.product().as_str(),
        office: l.office().map(|o| o.as_str()),
        loan: l.loan().map(|o| o.as_str()),
        events: l.events().iter().map(|e| e.as_str()).collect(),
    }
}

pub fn write(
    out: &mut impl Write,
    proposals: &[Proposed],
    rule_set: &str,
    detail: DetailLevel,
    no_entry: usize,
) -> io::Result<()> {
    let entries = proposals
        .iter()
        .map(|p| {
            let mut e = entry(&p.entry);
            e.detail = p.detail.iter().map(entry).collect();
            e
        })
        .collect();
    let output = Output { rule_set, detail: detail.as_str(), no_entry, entries };
    serde_json::to_writer_pretty(&mut *out, &output).map_err(io::Error::other)?;
    writeln!(out)
}
