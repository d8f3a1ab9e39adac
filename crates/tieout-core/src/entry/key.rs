//! Entry keys (DESIGN.md section 8): the same events under the same rules always give the same
//! key, so a re-proposed entry is recognised in the sink and never posted twice.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::EventId;

/// An entry's idempotency key: `t` followed by 20 hex digits (80 bits of SHA-256), 21 characters
/// in all so that it fits QuickBooks' DocNumber.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntryKey(String);

/// What an entry key is derived from.
pub struct KeyInput<'a> {
    pub client: &'a str,
    pub source: &'a str,
    /// The entry's events; the order does not matter.
    pub events: &'a [EventId],
    pub rule_set_version: &'a str,
    /// The entry's position among the entries of the same events (0 for the first).
    pub position: u32,
}

impl EntryKey {
    pub const LEN: usize = 21;

    pub fn derive(input: &KeyInput<'_>) -> Self {
        let mut ids: Vec<&str> = input.events.iter().map(EventId::as_str).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut hasher = Sha256::new();
        // Length-prefix every field so that no two inputs can share a byte stream.
        for part in [input.client, input.source, input.rule_set_version] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        hasher.update((ids.len() as u64).to_le_bytes());
        for id in ids {
            hasher.update((id.len() as u64).to_le_bytes());
            hasher.update(id.as_bytes());
        }
        hasher.update(input.position.to_le_bytes());
        let digest = hasher.finalize();
        let mut key = String::with_capacity(Self::LEN);
        key.push('t');
        for byte in &digest[..10] {
            key.push(char::from(HEX[usize::from(byte >> 4)]));
            key.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        EntryKey(key)
    }

    /// A key read back from the store or a sink.
    pub fn from_raw(key: impl Into<String>) -> Self {
        EntryKey(key.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl fmt::Display for EntryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EntryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntryKey({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(events: &[&str], position: u32) -> EntryKey {
        let events: Vec<EventId> = events.iter().map(|e| EventId::from(*e)).collect();
        EntryKey::derive(&KeyInput {
            client: "acme",
            source: "sim",
            events: &events,
            rule_set_version: "standard@1",
            position,
        })
    }

    #[test]
    fn keys_are_stable_order_free_and_fit_docnumber() {
        let a = key(&["e1", "e2"], 0);
        assert_eq!(a, key(&["e2", "e1"], 0));
        assert_ne!(a, key(&["e1", "e2"], 1));
        assert_ne!(a, key(&["e1e2"], 0));
        assert_eq!(a.as_str().len(), EntryKey::LEN);
        assert!(a.as_str().starts_with('t'));
    }
}
