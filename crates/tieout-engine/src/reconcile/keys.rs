//! Accounts in a currency, numbered as they are met, so that per-loan work handles a `u32`
//! rather than an account name.

use rustc_hash::FxHashMap;
use tieout_core::ids::AccountRef;
use tieout_core::money::Currency;

/// An account in one currency: what a reconciliation row is about.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct AccountKey {
    pub account: AccountRef,
    pub currency: Currency,
}

#[derive(Default, Debug)]
pub(crate) struct Keys {
    index: FxHashMap<AccountKey, u32>,
    keys: Vec<AccountKey>,
}

impl Keys {
    /// The number of `account` in `currency`, numbering it if new.
    pub(crate) fn intern(&mut self, account: &AccountRef, currency: Currency) -> u32 {
        let key = AccountKey { account: account.clone(), currency };
        if let Some(ix) = self.index.get(&key) {
            return *ix;
        }
        let ix = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        self.keys.push(key.clone());
        self.index.insert(key, ix);
        ix
    }

    pub(crate) fn find(&self, account: &AccountRef, currency: Currency) -> Option<u32> {
        self.index.get(&AccountKey { account: account.clone(), currency }).copied()
    }

    pub(crate) fn get(&self, ix: u32) -> &AccountKey {
        &self.keys[ix as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}
