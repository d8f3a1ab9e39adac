//! Reads the part of hledger's journal syntax that Tieout writes and that people write by hand
//! in an ordinary journal, into a [`Book`]. Whatever would change balances in a way this reader
//! does not follow (includes, aliases, virtual postings, prices, posting dates, balance
//! assignments, amounts without an ISO currency) is refused with the line, never guessed.
//!
//! Read:
//! - transactions: `DATE[=DATE2] [*|!] [(CODE)] DESCRIPTION  [; comment with key:…, kind:…]`,
//!   postings `[*|!] ACCOUNT  AMOUNT  [= ASSERTION]  [; comment]` with at most one posting
//!   without an amount (it takes what balances the others, per currency);
//! - `account NAME  [; type: A, inactive:, currency:EUR]` (tags also on indented lines below),
//!   `commodity …`, `; tieout:lock-date DATE`;
//! - skipped, as they change no balance that `hledger bal` shows: comment lines (`;`, `#`, `*`),
//!   `comment` … `end comment` blocks, `P` prices, `payee` and `tag` declarations,
//!   `decimal-mark .`, periodic (`~`) and auto-posting (`=`) rules.

mod amount;
mod syntax;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::entry::EntryKey;
use tieout_core::money::Currency;

pub(crate) use syntax::unwritable_account;

use crate::book::{Book, Declared, LockDirective, parse_type};

/// The comment line that sets the lock date: `; tieout:lock-date 2026-06-30`.
pub(crate) const LOCK_DATE_TAG: &str = "tieout:lock-date";

/// Whether a comment carries a non-empty `key:` tag (a transaction the sink wrote).
pub(crate) fn has_key_tag(comment: &str) -> bool {
    syntax::tag(Some(comment), "key").is_some_and(|k| !k.is_empty())
}

/// A line the reader cannot read: its number and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadError {
    pub(crate) line: usize,
    pub(crate) message: String,
}

/// How the text ended, which decides whether text appended later can be read on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Nothing, or a blank line: anything may follow.
    Closed,
    /// A complete line of an unfinished item (a transaction without a blank line after it):
    /// what follows can be read on its own if it starts a new item (is not indented).
    Open,
    /// In the middle of a line (no line break at the end): only a full reread is right.
    MidLine,
    /// Inside a `comment` block: whatever follows is a comment, until `end comment`.
    InComment,
}

/// Reads `text`, whose first line is line `first_line` of the file, into `book`. On an error
/// `book` holds part of the text and must be thrown away.
pub(crate) fn read(book: &mut Book, text: &str, first_line: usize) -> Result<Ending, ReadError> {
    let mut reader = Reader { book, context: Context::Top, transaction: None };
    for (number, raw) in (first_line..).zip(text.split_inclusive('\n')) {
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        // A byte-order mark, as some editors write at the start of a file.
        let line = if number == 1 { line.strip_prefix('\u{feff}').unwrap_or(line) } else { line };
        reader.line(number, line)?;
    }
    let in_comment = reader.context == Context::CommentBlock;
    reader.finish_transaction()?;
    let last_is_blank = text.split_inclusive('\n').next_back().is_none_or(|l| l.trim().is_empty());
    Ok(if in_comment {
        Ending::InComment
    } else if !(text.is_empty() || text.ends_with('\n')) {
        Ending::MidLine
    } else if last_is_blank {
        Ending::Closed
    } else {
        Ending::Open
    })
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Context {
    Top,
    /// Under an `account` directive: indented comment lines may carry its tags.
    Account(String),
    /// Under another directive (`commodity`, `payee`, `tag`) or a periodic/auto-posting rule:
    /// indented lines belong to it and change no balance.
    Skipping,
    /// Inside `comment` … `end comment`.
    CommentBlock,
    Transaction,
}

struct Draft<'t> {
    line: usize,
    date: NaiveDate,
    key: Option<EntryKey>,
    postings: Vec<DraftPosting<'t>>,
}

struct DraftPosting<'t> {
    line: usize,
    account: &'t str,
    amount: Option<(Currency, Decimal)>,
}

struct Reader<'b, 't> {
    book: &'b mut Book,
    context: Context,
    transaction: Option<Draft<'t>>,
}

impl<'t> Reader<'_, 't> {
    fn line(&mut self, number: usize, line: &'t str) -> Result<(), ReadError> {
        let at = |message: String| ReadError { line: number, message };
        if self.context == Context::CommentBlock {
            if line.trim_end() == "end comment" {
                self.context = Context::Top;
            }
            return Ok(());
        }
        if line.trim().is_empty() {
            return self.end_item();
        }
        if line.starts_with([' ', '\t']) {
            return self.indented(number, line.trim()).map_err(at);
        }
        self.end_item()?;
        let first = line.chars().next().unwrap_or(' ');
        let read = if matches!(first, ';' | '#' | '*') {
            self.top_comment(number, line)
        } else if first.is_ascii_digit() {
            self.header(number, line)
        } else {
            self.directive(number, line)
        };
        read.map_err(at)
    }

    /// Ends the transaction or directive before a blank or a new top-level line.
    fn end_item(&mut self) -> Result<(), ReadError> {
        self.finish_transaction()?;
        self.context = Context::Top;
        Ok(())
    }

    fn top_comment(&mut self, number: usize, line: &str) -> Result<(), String> {
        let text = line.trim_start_matches([';', '#', '*']).trim();
        if let Some(rest) = text.strip_prefix(LOCK_DATE_TAG) {
            let rest = rest.trim_start_matches(':').trim();
            let date = syntax::parse_date(rest.split_whitespace().next().unwrap_or_default())
                .map_err(|e| format!("{LOCK_DATE_TAG} needs a date ({e})"))?;
            self.book.set_lock(LockDirective { date, line: number });
        }
        Ok(())
    }

    fn indented(&mut self, number: usize, text: &'t str) -> Result<(), String> {
        let is_comment = text.starts_with([';', '#']);
        match &self.context {
            Context::Transaction if is_comment => {
                if syntax::tag(Some(text), "date").is_some() || syntax::tag(Some(text), "date2").is_some() {
                    return Err(posting_date());
                }
                Ok(())
            }
            Context::Transaction => self.posting(number, text),
            Context::Account(name) => {
                if is_comment {
                    let name = name.clone();
                    let tags = account_tags(Some(&text[1..]))?;
                    if let Some(declared) = self.book.account_mut(&name) {
                        declared.account_type = tags.account_type.or(declared.account_type);
                        declared.inactive |= tags.inactive;
                        declared.currency = tags.currency.or(declared.currency);
                    }
                }
                Ok(())
            }
            Context::Skipping => Ok(()),
            Context::Top if is_comment => Ok(()),
            Context::Top | Context::CommentBlock => Err(format!(
                "'{text}' is indented but follows no transaction or directive: postings go right under their \
                 transaction's date line, without a blank line between"
            )),
        }
    }

    fn header(&mut self, number: usize, line: &str) -> Result<(), String> {
        let (head, comment) = syntax::split_comment(line);
        let date_text = head.split_whitespace().next().unwrap_or_default();
        let primary = date_text.split('=').next().unwrap_or_default();
        let date = syntax::parse_date(primary)?;
        let key = syntax::tag(comment, "key").filter(|k| !k.is_empty()).map(EntryKey::from_raw);
        self.transaction = Some(Draft { line: number, date, key, postings: Vec::new() });
        self.context = Context::Transaction;
        Ok(())
    }

    fn posting(&mut self, number: usize, text: &'t str) -> Result<(), String> {
        let text = text.strip_prefix(['*', '!']).map_or(text, str::trim_start);
        if text.starts_with(['(', '[']) {
            return Err(format!(
                "'{text}' is a virtual posting: the sink reads real postings only; write it as an ordinary posting"
            ));
        }
        let (account, rest) = syntax::split_account(text);
        if account.contains(';') {
            return Err(format!(
                "'{account}' runs into a comment: put two spaces between the account (or amount) and the ';'"
            ));
        }
        let (amount_text, comment) = syntax::split_comment(rest);
        if syntax::tag(comment, "date").is_some() || syntax::tag(comment, "date2").is_some() {
            return Err(posting_date());
        }
        for (mark, what) in [('@', "a price (@)"), ('{', "a lot price ({…})"), ('(', "an expression")] {
            if amount_text.contains(mark) {
                return Err(format!("'{}' has {what}, which the sink does not read", amount_text.trim()));
            }
        }
        let (amount_text, assertion) = match amount_text.split_once('=') {
            Some((amount, assertion)) => (amount, Some(assertion)),
            None => (amount_text, None),
        };
        let amount = if amount_text.trim().is_empty() {
            if assertion.is_some() {
                return Err(format!(
                    "the posting to '{account}' is a balance assignment (no amount, only '= …'): write the amount"
                ));
            }
            None
        } else {
            Some(amount::parse_amount(amount_text)?)
        };
        if let Some(draft) = &mut self.transaction {
            draft.postings.push(DraftPosting { line: number, account, amount });
        }
        Ok(())
    }

    fn directive(&mut self, number: usize, line: &str) -> Result<(), String> {
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match word {
            "account" => {
                let (name, after) = syntax::split_account(rest.trim());
                if name.is_empty() {
                    return Err("an account directive without an account name".into());
                }
                if name.contains(';') {
                    return Err(format!(
                        "'{name}' runs into a comment: put two spaces between the account name and the ';'"
                    ));
                }
                let (code, comment) = syntax::split_comment(after);
                let code = code.trim();
                let mut tags = account_tags(comment)?;
                if !code.is_empty() {
                    tags.account_type = Some(
                        parse_type(code)
                            .ok_or_else(|| format!("'{code}' after account {name} is not an account type"))?,
                    );
                }
                self.book.declare_account(Declared {
                    name: name.to_owned(),
                    account_type: tags.account_type,
                    inactive: tags.inactive,
                    currency: tags.currency,
                    line: number,
                });
                self.context = Context::Account(name.to_owned());
                Ok(())
            }
            "commodity" => {
                if let Some(symbol) = commodity_symbol(syntax::split_comment(rest).0) {
                    self.book.declare_commodity(symbol);
                }
                self.context = Context::Skipping;
                Ok(())
            }
            "comment" if rest.trim().is_empty() => {
                self.context = Context::CommentBlock;
                Ok(())
            }
            "decimal-mark" if rest.trim() == "." => Ok(()),
            "decimal-mark" => {
                Err("decimal-mark other than '.' is not read by the sink: write amounts as 1234.56".into())
            }
            "P" | "payee" | "tag" | "~" | "=" => {
                self.context = Context::Skipping;
                Ok(())
            }
            _ => Err(format!(
                "'{}' is not read by the sink: it reads transactions and the account, commodity, P, payee, tag and \
                 comment directives; a directive such as include, alias, apply account, D or Y would change \
                 amounts, accounts or dates in a way it does not follow",
                line.trim()
            )),
        }
    }

    /// Checks and records the transaction being read, if any.
    fn finish_transaction(&mut self) -> Result<(), ReadError> {
        let Some(draft) = self.transaction.take() else { return Ok(()) };
        let at = |message: String| ReadError { line: draft.line, message };
        let mut sums: Vec<(Currency, Decimal)> = Vec::new();
        let mut missing: Option<&DraftPosting<'t>> = None;
        for posting in &draft.postings {
            match posting.amount {
                Some((currency, amount)) => match sums.iter_mut().find(|(c, _)| *c == currency) {
                    Some((_, sum)) => *sum += amount,
                    None => sums.push((currency, amount)),
                },
                None if missing.is_some() => {
                    return Err(ReadError {
                        line: posting.line,
                        message: "a second posting without an amount: only one posting of a transaction may \
                                  leave its amount out"
                            .into(),
                    });
                }
                None => missing = Some(posting),
            }
        }
        let mut postings: Vec<(&str, Currency, Decimal)> = draft
            .postings
            .iter()
            .filter_map(|p| p.amount.map(|(currency, amount)| (p.account, currency, amount)))
            .collect();
        match missing {
            Some(posting) => {
                for (currency, sum) in &sums {
                    postings.push((posting.account, *currency, -*sum));
                }
            }
            None => {
                let unbalanced: Vec<String> =
                    sums.iter().filter(|(_, s)| !s.is_zero()).map(|(c, s)| format!("{c} {s}")).collect();
                if !unbalanced.is_empty() {
                    return Err(at(format!(
                        "the transaction does not balance: its postings sum to {} instead of zero",
                        unbalanced.join(", ")
                    )));
                }
            }
        }
        self.book.add_transaction(draft.line, draft.date, draft.key, postings);
        Ok(())
    }
}

fn posting_date() -> String {
    "a posting date (date: or date2: tag) moves a posting to another day, which the sink does not follow: \
     book it as its own transaction on that date"
        .into()
}

#[derive(Default)]
struct AccountTags {
    account_type: Option<tieout_core::role::AccountType>,
    inactive: bool,
    currency: Option<Currency>,
}

fn account_tags(comment: Option<&str>) -> Result<AccountTags, String> {
    let mut tags = AccountTags::default();
    if let Some(value) = syntax::tag(comment, "type") {
        tags.account_type = Some(parse_type(value).ok_or_else(|| {
            format!("type:{value} is not an account type: use A, L, E, R, X (or Asset, Liability, …)")
        })?);
    }
    tags.inactive = syntax::tag(comment, "inactive").is_some();
    if let Some(value) = syntax::tag(comment, "currency") {
        tags.currency =
            Some(Currency::new(value).map_err(|e| format!("currency:{value} on an account directive: {e}"))?);
    }
    Ok(tags)
}

/// The commodity a `commodity` directive declares: `USD`, `1,000.00 USD`, `USD 1000.00`, `$1000`.
fn commodity_symbol(text: &str) -> Option<&str> {
    let text = text.trim().trim_start_matches(['-', '+']);
    let is_number = |c: char| c.is_ascii_digit() || matches!(c, '.' | ',' | ' ');
    let symbol = if text.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        text.trim_start_matches(is_number)
    } else {
        let end = text.find(|c: char| c.is_whitespace() || c.is_ascii_digit() || c == '-').unwrap_or(text.len());
        &text[..end]
    };
    let symbol = symbol.trim().trim_matches('"');
    (!symbol.is_empty()).then_some(symbol)
}

#[cfg(test)]
mod tests;
