//! What the sink knows about the journal, read from the file: the declared accounts and
//! commodities, the lock date directive, the key of every tagged transaction and where it is,
//! and the balance movements per day.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;
use tieout_core::connector::{AccountBalance, LedgerAccount};
use tieout_core::entry::EntryKey;
use tieout_core::ids::ExternalRef;
use tieout_core::money::Currency;
use tieout_core::role::AccountType;

/// An `account` directive.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Declared {
    pub(crate) name: String,
    /// From a `type:` tag (or the old `account NAME  A` form).
    pub(crate) account_type: Option<AccountType>,
    /// Tagged `inactive:`: entries on it are refused.
    pub(crate) inactive: bool,
    /// Tagged `currency:EUR`: it books only that commodity.
    pub(crate) currency: Option<Currency>,
    /// The line of the (last) directive.
    pub(crate) line: usize,
}

/// A `; tieout:lock-date DATE` line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct LockDirective {
    pub(crate) date: NaiveDate,
    pub(crate) line: usize,
}

/// The external ref of the transaction whose header is on `line`.
pub(crate) fn external_ref(line: usize) -> ExternalRef {
    ExternalRef::new(format!("ledger:{line}"))
}

/// The journal as the sink reads it.
#[derive(Default, Debug)]
pub(crate) struct Book {
    accounts: Vec<Declared>,
    declared: HashMap<String, usize>,
    commodities: HashSet<String>,
    lock: Option<LockDirective>,
    /// Key → line of the first transaction tagged with it.
    refs: HashMap<EntryKey, usize>,
    /// Tagged transactions whose key was already in the journal.
    duplicates: usize,
    names: Vec<String>,
    ids: HashMap<String, u32>,
    /// Per day: (account id, currency) → debits minus credits.
    days: BTreeMap<NaiveDate, HashMap<(u32, Currency), Decimal>>,
    transactions: usize,
}

impl Book {
    pub(crate) fn declare_account(&mut self, declared: Declared) {
        match self.declared.get(&declared.name) {
            Some(&i) => {
                // A later directive for the same account adds to what the first said.
                let known = &mut self.accounts[i];
                known.account_type = declared.account_type.or(known.account_type);
                known.inactive |= declared.inactive;
                known.currency = declared.currency.or(known.currency);
                known.line = declared.line;
            }
            None => {
                self.declared.insert(declared.name.clone(), self.accounts.len());
                self.accounts.push(declared);
            }
        }
    }

    /// The last declared account, for tags on the indented lines under its directive.
    pub(crate) fn account_mut(&mut self, name: &str) -> Option<&mut Declared> {
        let i = *self.declared.get(name)?;
        self.accounts.get_mut(i)
    }

    pub(crate) fn declare_commodity(&mut self, symbol: &str) {
        if !self.commodities.contains(symbol) {
            self.commodities.insert(symbol.to_owned());
        }
    }

    pub(crate) fn set_lock(&mut self, lock: LockDirective) {
        // The last directive in the file wins, so that a later line can also reopen a period.
        self.lock = Some(lock);
    }

    /// Records a transaction: its key (if tagged) and its postings.
    pub(crate) fn add_transaction<'a>(
        &mut self,
        line: usize,
        date: NaiveDate,
        key: Option<EntryKey>,
        postings: impl IntoIterator<Item = (&'a str, Currency, Decimal)>,
    ) {
        self.transactions += 1;
        if let Some(key) = key {
            match self.refs.entry(key) {
                Entry::Occupied(_) => self.duplicates += 1,
                Entry::Vacant(slot) => {
                    slot.insert(line);
                }
            }
        }
        for (account, currency, amount) in postings {
            if amount.is_zero() {
                continue;
            }
            let id = self.account_id(account);
            *self.days.entry(date).or_default().entry((id, currency)).or_default() += amount;
        }
    }

    fn account_id(&mut self, account: &str) -> u32 {
        if let Some(&id) = self.ids.get(account) {
            return id;
        }
        // More than 4 billion distinct accounts cannot be in a file this sink can read.
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(account.to_owned());
        self.ids.insert(account.to_owned(), id);
        id
    }

    pub(crate) fn declared(&self, name: &str) -> Option<&Declared> {
        self.declared.get(name).map(|&i| &self.accounts[i])
    }

    pub(crate) fn has_commodity(&self, symbol: &str) -> bool {
        self.commodities.contains(symbol)
    }

    pub(crate) fn lock(&self) -> Option<LockDirective> {
        self.lock
    }

    pub(crate) fn find(&self, key: &EntryKey) -> Option<ExternalRef> {
        self.refs.get(key).map(|&line| external_ref(line))
    }

    pub(crate) fn transactions(&self) -> usize {
        self.transactions
    }

    pub(crate) fn tagged(&self) -> usize {
        self.refs.len()
    }

    pub(crate) fn duplicates(&self) -> usize {
        self.duplicates
    }

    /// The declared accounts, with their types: a `type:` tag, else the nearest declared parent's
    /// tag, else hledger's reading of the top-level name (Assets, Liabilities, Equity,
    /// Income/Revenue, Expenses).
    pub(crate) fn chart(&self) -> Vec<LedgerAccount> {
        self.accounts
            .iter()
            .map(|a| LedgerAccount {
                account: a.name.as_str().into(),
                name: a.name.clone(),
                account_type: self.account_type(&a.name),
                active: !a.inactive,
                currency: a.currency,
            })
            .collect()
    }

    fn account_type(&self, name: &str) -> Option<AccountType> {
        let mut current = name;
        loop {
            if let Some(t) = self.declared(current).and_then(|a| a.account_type) {
                return Some(t);
            }
            match current.rfind(':') {
                Some(i) => current = &current[..i],
                None => return inferred_type(name),
            }
        }
    }

    /// Debits minus credits per account and currency over the transactions dated on or before
    /// `as_of`, without zero balances, sorted by account and currency.
    pub(crate) fn trial_balance(&self, as_of: NaiveDate) -> Vec<AccountBalance> {
        let mut sums: BTreeMap<(&str, Currency), Decimal> = BTreeMap::new();
        for movements in self.days.range(..=as_of).map(|(_, m)| m) {
            for (&(id, currency), amount) in movements {
                let name = usize::try_from(id).ok().and_then(|i| self.names.get(i)).map_or("", String::as_str);
                *sums.entry((name, currency)).or_default() += amount;
            }
        }
        sums.into_iter()
            .filter(|(_, balance)| !balance.is_zero())
            .map(|((account, currency), balance)| AccountBalance { account: account.into(), currency, balance })
            .collect()
    }
}

/// The type hledger gives an account by its top-level name.
pub(crate) fn inferred_type(name: &str) -> Option<AccountType> {
    let top = name.split(':').next().unwrap_or_default().to_ascii_lowercase();
    match top.as_str() {
        "asset" | "assets" => Some(AccountType::Asset),
        "liability" | "liabilities" | "debt" | "debts" => Some(AccountType::Liability),
        "equity" => Some(AccountType::Equity),
        "income" | "incomes" | "revenue" | "revenues" => Some(AccountType::Income),
        "expense" | "expenses" => Some(AccountType::Expense),
        _ => None,
    }
}

/// An hledger account type code or name (`A`, `Asset`, `R`, `Revenue`, `C` for cash …).
pub(crate) fn parse_type(text: &str) -> Option<AccountType> {
    match text.trim().to_ascii_lowercase().as_str() {
        "a" | "asset" | "assets" | "c" | "cash" => Some(AccountType::Asset),
        "l" | "liability" | "liabilities" => Some(AccountType::Liability),
        "e" | "equity" | "v" | "conversion" => Some(AccountType::Equity),
        "r" | "revenue" | "revenues" | "income" => Some(AccountType::Income),
        "x" | "expense" | "expenses" => Some(AccountType::Expense),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(name: &str, account_type: Option<AccountType>) -> Declared {
        Declared { name: name.into(), account_type, inactive: false, currency: None, line: 1 }
    }

    #[test]
    fn types_come_from_tags_then_parents_then_names() {
        let mut book = Book::default();
        book.declare_account(declared("Assets:Bank", None));
        book.declare_account(declared("Funding", Some(AccountType::Liability)));
        book.declare_account(declared("Funding:Line A", None));
        book.declare_account(declared("Misc", None));
        book.declare_account(declared("Revenue:Fees", None));
        let types: Vec<Option<AccountType>> = book.chart().iter().map(|a| a.account_type).collect();
        assert_eq!(
            types,
            [
                Some(AccountType::Asset),
                Some(AccountType::Liability),
                Some(AccountType::Liability),
                None,
                Some(AccountType::Income)
            ]
        );
    }

    #[test]
    fn balances_are_as_of_a_date_and_zeros_vanish() {
        let usd = Currency::new("USD").unwrap();
        let d = |day| NaiveDate::from_ymd_opt(2026, 10, day).unwrap();
        let mut book = Book::default();
        let post = |a: &'static str, n: i64| (a, usd, Decimal::new(n, 2));
        book.add_transaction(3, d(1), Some(EntryKey::from_raw("k1")), [post("Cash", -500), post("Loans", 500)]);
        book.add_transaction(7, d(2), Some(EntryKey::from_raw("k1")), [post("Cash", 500), post("Loans", -500)]);
        assert_eq!(book.find(&EntryKey::from_raw("k1")).map(|r| r.to_string()).as_deref(), Some("ledger:3"));
        assert_eq!((book.transactions(), book.tagged(), book.duplicates()), (2, 1, 1));
        let day1: Vec<(String, Decimal)> =
            book.trial_balance(d(1)).into_iter().map(|b| (b.account.to_string(), b.balance)).collect();
        assert_eq!(day1, [("Cash".to_owned(), Decimal::new(-500, 2)), ("Loans".to_owned(), Decimal::new(500, 2))]);
        assert!(book.trial_balance(d(2)).is_empty());
        assert!(book.trial_balance(d(1).pred_opt().unwrap()).is_empty());
    }
}
