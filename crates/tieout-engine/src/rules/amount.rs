//! Which portions of an event a leg carries: `amount` (all five) or a sum such as
//! `principal + overpayment`.

use std::fmt;

use rust_decimal::Decimal;
use tieout_core::event::{Portion, Portions};

/// A set of portions, as a bit mask indexed by [`Portion::index`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PortionSet(u8);

impl PortionSet {
    pub const EMPTY: PortionSet = PortionSet(0);
    pub const ALL: PortionSet = PortionSet(0b1_1111);

    pub fn single(portion: Portion) -> Self {
        PortionSet(1 << portion.index())
    }

    pub fn contains(self, portion: Portion) -> bool {
        self.0 & (1 << portion.index()) != 0
    }

    pub fn union(self, other: PortionSet) -> PortionSet {
        PortionSet(self.0 | other.0)
    }

    pub fn intersects(self, other: PortionSet) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Portion> {
        Portion::ALL.into_iter().filter(move |p| self.contains(*p))
    }

    /// The sum of the event's portions in this set.
    pub fn of(self, portions: &Portions) -> Decimal {
        if self == PortionSet::ALL {
            return portions.sum();
        }
        self.iter().map(|p| portions.get(p)).sum()
    }

    /// Parses `amount`, `principal`, or `principal + interest`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut set = PortionSet::EMPTY;
        for part in text.split('+').map(str::trim) {
            let next = if part == "amount" { PortionSet::ALL } else { PortionSet::single(part.parse()?) };
            if set.intersects(next) {
                return Err(format!("'{text}' names a portion twice"));
            }
            set = set.union(next);
        }
        Ok(set)
    }
}

impl fmt::Display for PortionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == PortionSet::ALL {
            return f.write_str("amount");
        }
        let names: Vec<&str> = self.iter().map(Portion::as_str).collect();
        f.write_str(&names.join(" + "))
    }
}

impl fmt::Debug for PortionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sums_and_refuses_repeats() {
        assert_eq!(PortionSet::parse("amount"), Ok(PortionSet::ALL));
        let set = PortionSet::parse("principal + overpayment").unwrap();
        assert!(set.contains(Portion::Principal) && set.contains(Portion::Overpayment));
        assert_eq!(set.to_string(), "principal + overpayment");
        assert!(PortionSet::parse("amount + fee").is_err());
        assert!(PortionSet::parse("principle").is_err());
    }
}
