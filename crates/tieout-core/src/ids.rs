//! Identifiers. Each is a cheap-to-clone shared string so that lines, entries and events can
//! refer to the same loan or event without copying it.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Arc<str>);

        impl $name {
            pub fn new(value: impl Into<Arc<str>>) -> Self {
                Self(value.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", &*self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

string_id!(
    /// A client: one lender's books.
    ClientId
);
string_id!(
    /// A servicing transaction's id, unique and stable within its source.
    EventId
);
string_id!(
    /// A loan's id in the servicing source.
    LoanId
);
string_id!(
    /// A loan product's name as the source reports it (`personal`, `gold`).
    ProductId
);
string_id!(
    /// An office or branch.
    OfficeId
);
string_id!(
    /// A payment type (`ach`, `cash`, `card`), used to pick the fund source account.
    PaymentType
);
string_id!(
    /// A charge's name (`late-fee`), used to pick a per-charge income account.
    ChargeName
);
string_id!(
    /// An account of the sink's chart: a QuickBooks account number or name, a Xero account code,
    /// an hledger account name. The sink resolves it.
    AccountRef
);
string_id!(
    /// The id a sink gave a posted entry (QuickBooks JournalEntry Id, Xero ManualJournalID,
    /// a ledger file's transaction position).
    ExternalRef
);
