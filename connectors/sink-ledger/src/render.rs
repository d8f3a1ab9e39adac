//! What the sink appends, as hledger journal text: a header for a new file, `account` and
//! `commodity` directives, and one transaction per entry. Every item ends with a blank line,
//! which is how the sink later tells a complete transaction from one torn by a crash.

use std::collections::BTreeMap;
use std::fmt::Write;

use rust_decimal::Decimal;
use tieout_core::connector::Dimensions;
use tieout_core::entry::JournalEntry;
use tieout_core::money::Currency;

use crate::read::LOCK_DATE_TAG;

/// Events named in a description before "and N more".
const EVENTS_IN_DESCRIPTION: usize = 3;

/// The comment block at the top of a journal the sink creates.
pub(crate) fn header(out: &mut String) {
    out.push_str("; Accounting journal kept by Tieout (sink kind \"ledger\"). Each posted entry is one\n");
    out.push_str("; transaction tagged key:<entry key>; hledger reads the file as it is (hledger -f FILE bal).\n");
    out.push_str("; Transactions may be added by hand; Tieout reads them into its trial balance.\n");
    let _ = writeln!(out, "; To close the books up to a date, add a line: ; {LOCK_DATE_TAG} 2026-06-30");
    out.push('\n');
}

/// `commodity USD 1000.00`: declares the currency with its minor unit, so that hledger shows
/// it with those decimals and `hledger check --strict` accepts it.
pub(crate) fn commodity(out: &mut String, currency: Currency) {
    let places = currency.minor_units() as usize;
    let _ = writeln!(out, "commodity {currency} {:.places$}", Decimal::ONE_THOUSAND);
}

/// `account NAME`. The name has been checked with `read::unwritable_account`.
pub(crate) fn account(out: &mut String, name: &str) {
    let _ = writeln!(out, "account {name}");
}

/// The transaction of one entry, with its blank line. Amounts are signed (debits positive) with
/// the currency's decimals; tags: `key` and `kind` on the date line, `role`, `loan` and the
/// dimensions of the line's office on each posting.
pub(crate) fn transaction(
    out: &mut String,
    entry: &JournalEntry,
    dimensions: &BTreeMap<String, Dimensions>,
    allowed: &[String],
) {
    let _ = writeln!(out, "{} {}  ; key:{}, kind:{}", entry.date(), description(entry), entry.key(), entry.kind());
    let currency = entry.currency();
    let places = currency.minor_units() as usize;
    let amounts: Vec<String> =
        entry.lines().iter().map(|l| format!("{currency} {:.places$}", l.signed_amount())).collect();
    let width = entry.lines().iter().map(|l| l.account().as_str().chars().count()).max().unwrap_or(0);
    let amount_width = amounts.iter().map(String::len).max().unwrap_or(0);
    for (line, amount) in entry.lines().iter().zip(&amounts) {
        let mut tags = format!("role:{}", line.role());
        if let Some(loan) = line.loan() {
            let _ = write!(tags, ", loan:{}", tag_value(loan.as_str()));
        }
        if let Some(office_dimensions) = line.office().and_then(|o| dimensions.get(o.as_str())) {
            for (name, value) in office_dimensions.iter().filter(|(name, _)| allowed.contains(name)) {
                let _ = write!(tags, ", {name}:{}", tag_value(value));
            }
        }
        let _ = writeln!(out, "    {:<width$}  {amount:>amount_width$}  ; {tags}", line.account().as_str());
    }
    out.push('\n');
}

/// The entry's memo, or its kind with the loan and events (or the product and office of a
/// summarized entry), made safe for a description line.
fn description(entry: &JournalEntry) -> String {
    let text = if entry.memo().trim().is_empty() {
        let first = &entry.lines()[0];
        let events = entry.events();
        let mut named: Vec<&str> = events.iter().take(EVENTS_IN_DESCRIPTION).map(|e| e.as_str()).collect();
        let more = events.len().saturating_sub(EVENTS_IN_DESCRIPTION);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        match first.loan() {
            Some(loan) => format!("{} {loan} {}{more}", entry.kind(), named.join(",")),
            None => {
                let office = first.office().map(|o| format!(" {o}")).unwrap_or_default();
                let count = events.len();
                named.clear();
                format!(
                    "{} {}{office}, {count} event{}",
                    entry.kind(),
                    first.product(),
                    if count == 1 { "" } else { "s" }
                )
            }
        }
    } else {
        entry.memo().to_owned()
    };
    let safe: String = text
        .chars()
        .map(|c| match c {
            ';' => ',',
            '|' => '/',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let safe = safe.trim();
    if safe.is_empty() { entry.kind().to_string() } else { safe.to_owned() }
}

/// A tag value: hledger ends one at a comma, and a line break would end the comment.
fn tag_value(text: &str) -> String {
    text.chars().map(|c| if c == ',' || c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use chrono::NaiveDate;
    use tieout_core::entry::{EntryBuilder, EntryHeader, EntryKey, LineSource, Side};
    use tieout_core::event::EventKind;
    use tieout_core::ids::EventId;
    use tieout_core::money::Money;
    use tieout_core::role::Role;

    fn entry(memo: &str, loan: Option<&str>, events: &[&str], currency: &str, amount: Decimal) -> JournalEntry {
        let currency = Currency::new(currency).unwrap();
        let header = EntryHeader {
            date: NaiveDate::from_ymd_opt(2026, 10, 5).unwrap(),
            currency,
            kind: EventKind::Repayment,
            memo: memo.into(),
            postable: true,
        };
        let source = LineSource {
            product: "personal".into(),
            office: Some("HQ".into()),
            loan: loan.map(Into::into),
            events: Arc::from(events.iter().map(|e| EventId::from(*e)).collect::<Vec<_>>()),
        };
        let money = Money::new(amount, currency);
        let mut b = EntryBuilder::new(header);
        b.push(Side::Debit, money, Role::FundSource, "Assets:Bank".into(), source.clone()).push(
            Side::Credit,
            money,
            Role::LoanPortfolio,
            "Assets:Loans:Principal".into(),
            source,
        );
        b.build(EntryKey::from_raw("t0123")).unwrap()
    }

    #[test]
    fn a_transaction_is_tagged_signed_and_ends_with_a_blank_line() {
        let mut out = String::new();
        let dims = BTreeMap::from([(
            "HQ".to_owned(),
            Dimensions::from([("class".to_owned(), "Head, office".to_owned()), ("cost".to_owned(), "x".to_owned())]),
        )]);
        let e = entry("", Some("L-1"), &["tx-1"], "USD", Decimal::new(12345, 2));
        transaction(&mut out, &e, &dims, &["class".to_owned()]);
        assert_eq!(
            out,
            "2026-10-05 repayment L-1 tx-1  ; key:t0123, kind:repayment\n\
             \x20   Assets:Bank              USD 123.45  ; role:fund_source, loan:L-1, class:Head  office\n\
             \x20   Assets:Loans:Principal  USD -123.45  ; role:loan_portfolio, loan:L-1, class:Head  office\n\n"
        );
    }

    #[test]
    fn descriptions_are_safe_and_say_what_the_entry_is() {
        let e = entry("reversal of tx-9; oops|x\nmore", None, &["tx-9"], "JPY", Decimal::from(500));
        assert_eq!(description(&e), "reversal of tx-9, oops/x more");
        let e = entry("", None, &["a", "b"], "USD", Decimal::ONE);
        assert_eq!(description(&e), "repayment personal HQ, 2 events");
        let e = entry("", Some("L-7"), &["a", "b", "c", "d", "e"], "USD", Decimal::ONE);
        assert_eq!(description(&e), "repayment L-7 a,b,c and 2 more");
        let mut out = String::new();
        transaction(&mut out, &entry("", None, &["a"], "JPY", Decimal::from(500)), &BTreeMap::new(), &[]);
        assert!(out.contains("JPY 500  ;") && out.contains("JPY -500  ;"), "{out}");
    }

    #[test]
    fn directives_declare_the_minor_unit() {
        let mut out = String::new();
        commodity(&mut out, Currency::new("USD").unwrap());
        commodity(&mut out, Currency::new("JPY").unwrap());
        commodity(&mut out, Currency::new("KWD").unwrap());
        account(&mut out, "Assets:Bank");
        assert_eq!(out, "commodity USD 1000.00\ncommodity JPY 1000\ncommodity KWD 1000.000\naccount Assets:Bank\n");
    }
}
