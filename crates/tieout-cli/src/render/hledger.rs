//! Entries as an hledger journal that the real `hledger` reads as it is: account directives
//! first (so `hledger check accounts` passes), then one transaction per postable entry, tagged
//! with its key.

use std::collections::BTreeSet;
use std::io::{self, Write};

use rust_decimal::Decimal;
use tieout_core::money::Currency;
use tieout_engine::summarize::Proposed;

pub fn write(out: &mut impl Write, proposals: &[Proposed]) -> io::Result<()> {
    let postable: Vec<&Proposed> = proposals.iter().filter(|p| p.entry.is_postable()).collect();
    let accounts: BTreeSet<&str> =
        postable.iter().flat_map(|p| p.entry.lines()).map(|l| l.account().as_str()).collect();
    for account in &accounts {
        check_account(account)?;
    }
    let currencies: BTreeSet<Currency> = postable.iter().map(|p| p.entry.currency()).collect();
    writeln!(out, "; Written by tieout journalize. Staged-only entries are left out.")?;
    for currency in &currencies {
        // Declares the commodity with its minor unit, so hledger displays and checks it.
        let sample = Decimal::new(1000, 0).round_dp(currency.minor_units());
        writeln!(out, "commodity {currency} {sample:.prec$}", prec = currency.minor_units() as usize)?;
    }
    for account in &accounts {
        writeln!(out, "account {account}")?;
    }
    for p in postable {
        let e = &p.entry;
        writeln!(out)?;
        let description = if e.memo().is_empty() { default_description(p) } else { e.memo().replace('|', "/") };
        writeln!(out, "{} {}  ; key:{}, kind:{}", e.date(), description, e.key(), e.kind())?;
        let width = e.lines().iter().map(|l| l.account().as_str().len()).max().unwrap_or(0);
        for l in e.lines() {
            writeln!(out, "    {:<width$}  {} {}", l.account().as_str(), e.currency(), l.signed_amount())?;
        }
    }
    Ok(())
}

fn default_description(p: &Proposed) -> String {
    let first = &p.entry.lines()[0];
    let loan = first.loan().map_or(String::new(), |l| format!(" {l}"));
    let events: Vec<&str> = first.events().iter().map(|e| e.as_str()).collect();
    format!("{}{loan} {}", p.entry.kind(), events.join(",")).replace('|', "/")
}

/// hledger ends an account name at two spaces, a tab or a `;`: such a name cannot be written.
fn check_account(account: &str) -> io::Result<()> {
    if account.contains("  ") || account.contains('\t') || account.contains(';') || account.trim() != account {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "account '{account}' cannot be written to an hledger journal (two spaces, a tab, a ';' or edge spaces): rename it in the mapping"
            ),
        ));
    }
    Ok(())
}
