//! The explicit list of connector factories (research/architecture.md §4: Arroyo's and
//! Quickwit's explicit registries, not link-time magic). This is the only crate that depends on
//! every connector; adding one is a line in [`Registry::builtin`]. A connector scaffolded by
//! `cargo xtask new-connector` is listed behind its cargo feature `connector-<name>`
//! (docs/connectors.md).
//!
//! It also makes what connectors are built with: the HTTP client ([`http_client`]) and API
//! budgets ([`TokenBudget`]).

mod budget;
mod http;

use tieout_core::connector::{ConfigError, ConnectorRole, DynSinkFactory, DynSourceFactory, Typed, Validated};

pub use budget::{BudgetLimits, TokenBudget};
pub use http::{HttpSettings, http_client};

/// A connector kind that is not registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {role} kind '{kind}': known {role} kinds are {}", known.join(", "))]
pub struct UnknownKind {
    pub role: ConnectorRole,
    pub kind: String,
    pub known: Vec<&'static str>,
}

/// Errors of the registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    UnknownKind(#[from] UnknownKind),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// The connector factories Tieout knows.
pub struct Registry {
    sources: Vec<Box<dyn DynSourceFactory>>,
    sinks: Vec<Box<dyn DynSinkFactory>>,
}

impl Registry {
    /// Every connector shipped with Tieout.
    pub fn builtin() -> Self {
        Registry {
            sources: vec![
                Box::new(Typed::<source_memory::MemorySourceFactory>::new()),
                Box::new(Typed::<source_simulator::SimulatorFactory>::new()),
                // new-connector: sources (`cargo xtask new-connector` adds entries above this line)
            ],
            sinks: vec![
                Box::new(Typed::<sink_memory::MemorySinkFactory>::new()),
                Box::new(Typed::<sink_ledger::LedgerSinkFactory>::new()),
                // new-connector: sinks (`cargo xtask new-connector` adds entries above this line)
            ],
        }
    }

    /// A registry of the given factories (tests, embedders).
    pub fn new(sources: Vec<Box<dyn DynSourceFactory>>, sinks: Vec<Box<dyn DynSinkFactory>>) -> Self {
        Registry { sources, sinks }
    }

    pub fn source_kinds(&self) -> Vec<&'static str> {
        self.sources.iter().map(|f| f.kind()).collect()
    }

    pub fn sink_kinds(&self) -> Vec<&'static str> {
        self.sinks.iter().map(|f| f.kind()).collect()
    }

    pub fn source(&self, kind: &str) -> Result<&dyn DynSourceFactory, UnknownKind> {
        self.sources.iter().find(|f| f.kind() == kind).map(|f| &**f).ok_or_else(|| UnknownKind {
            role: ConnectorRole::Source,
            kind: kind.to_owned(),
            known: self.source_kinds(),
        })
    }

    pub fn sink(&self, kind: &str) -> Result<&dyn DynSinkFactory, UnknownKind> {
        self.sinks.iter().find(|f| f.kind() == kind).map(|f| &**f).ok_or_else(|| UnknownKind {
            role: ConnectorRole::Sink,
            kind: kind.to_owned(),
            known: self.sink_kinds(),
        })
    }

    /// Validates a `[source]` section (its keys other than `kind`). Pure.
    pub fn validate_source(&self, kind: &str, section: toml::Table) -> Result<Validated, RegistryError> {
        Ok(self.source(kind)?.validate(section)?)
    }

    /// Validates a `[sink]` section (its keys other than `kind`). Pure.
    pub fn validate_sink(&self, kind: &str, section: toml::Table) -> Result<Validated, RegistryError> {
        Ok(self.sink(kind)?.validate(section)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_kind_lists_the_known_ones() {
        let registry = Registry::builtin();
        let err = registry.validate_source("fineract-typo", toml::Table::new()).unwrap_err();
        assert_eq!(err.to_string(), "unknown source kind 'fineract-typo': known source kinds are memory, simulator");
        let err = registry.sink("xeroo").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("unknown sink kind 'xeroo': known sink kinds are memory, ledger"), "{err}");
    }

    #[test]
    fn every_builtin_example_validates() {
        let registry = Registry::builtin();
        for kind in registry.source_kinds() {
            let factory = registry.source(kind).unwrap();
            let mut table: toml::Table = toml::from_str(factory.example()).unwrap();
            table.remove("kind");
            factory.validate(table).unwrap_or_else(|e| panic!("source {kind}: {e}"));
        }
        for kind in registry.sink_kinds() {
            let factory = registry.sink(kind).unwrap();
            let mut table: toml::Table = toml::from_str(factory.example()).unwrap();
            table.remove("kind");
            factory.validate(table).unwrap_or_else(|e| panic!("sink {kind}: {e}"));
        }
    }
}
