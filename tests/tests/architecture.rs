//! Dependency direction between the workspace crates (DESIGN.md section 3), checked against
//! `cargo metadata`. The rules are data: adding one is adding a line to `RULES`.

use std::{collections::BTreeMap, fmt};

use tieout_tests::{Metadata, cargo_metadata};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Normal,
    Build,
    Dev,
}

/// What ships: normal and build dependencies. Dev-dependencies are only checked where a rule says so.
const LINKED: &[Kind] = &[Kind::Normal, Kind::Build];
const NORMAL: &[Kind] = &[Kind::Normal];
const DEV: &[Kind] = &[Kind::Dev];

/// A set of crates, used both for the packages a rule constrains and for what they may not use.
enum Set {
    /// Crates with exactly these names (ours or third-party).
    Named(&'static [&'static str]),
    /// Crates whose name starts with this (third-party families such as `apalis-*`).
    Prefixed(&'static str),
    /// Every workspace crate under `connectors/`.
    Connectors,
    /// Every workspace crate except these.
    OursExcept(&'static [&'static str]),
}

/// `from` crates must not depend, by any of `kinds`, on `on` crates, because `why`.
struct Rule {
    from: Set,
    on: Set,
    kinds: &'static [Kind],
    why: &'static str,
}

const fn forbid(from: Set, on: Set, kinds: &'static [Kind], why: &'static str) -> Rule {
    Rule { from, on, kinds, why }
}

const RULES: &[Rule] = &[
    forbid(
        Set::Named(&["tieout-core"]),
        Set::OursExcept(&[]),
        LINKED,
        "tieout-core depends on no other workspace crate",
    ),
    forbid(
        Set::Named(&["tieout-engine"]),
        Set::OursExcept(&["tieout-core"]),
        LINKED,
        "tieout-engine depends only on tieout-core",
    ),
    forbid(
        Set::Named(&["tieout-report"]),
        Set::OursExcept(&["tieout-core", "tieout-engine"]),
        LINKED,
        "tieout-report depends only on tieout-core and tieout-engine (it renders; it reads nothing)",
    ),
    forbid(Set::Connectors, Set::OursExcept(&["tieout-core"]), LINKED, "a connector depends only on tieout-core"),
    forbid(Set::Connectors, Set::Connectors, DEV, "a connector never depends on another connector, not even in tests"),
    forbid(
        Set::Connectors,
        Set::Named(&["tieout-store", "tieout-jobs", "tieout-server", "tieout-registry"]),
        DEV,
        "a connector never depends on the store, the jobs, the server or the registry, not even in tests",
    ),
    forbid(
        Set::OursExcept(&["tieout-registry", "tieout-tests"]),
        Set::Connectors,
        LINKED,
        "only tieout-registry lists connectors",
    ),
    forbid(Set::OursExcept(&["tieout-store"]), Set::Prefixed("sea-orm"), LINKED, "only tieout-store knows sea-orm"),
    forbid(Set::OursExcept(&["tieout-jobs"]), Set::Prefixed("apalis"), LINKED, "only tieout-jobs knows apalis"),
    forbid(
        Set::OursExcept(&["tieout-cli", "tieout-server", "tieout-tests", "xtask"]),
        Set::Named(&["anyhow"]),
        NORMAL,
        "library crates return typed errors (thiserror), not anyhow",
    ),
];

/// One broken rule: `package` depends on `dependency`.
#[derive(Debug)]
struct Violation {
    package: String,
    dependency: String,
    kind: Kind,
    why: &'static str,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Normal => "dependency",
            Kind::Build => "build-dependency",
            Kind::Dev => "dev-dependency",
        };
        write!(f, "{} -> {} ({kind}): {}", self.package, self.dependency, self.why)
    }
}

/// Workspace crate name -> whether it is a connector.
struct Workspace(BTreeMap<String, bool>);

impl Set {
    fn contains(&self, name: &str, workspace: &Workspace) -> bool {
        match self {
            Set::Named(names) => names.contains(&name),
            Set::Prefixed(prefix) => name.starts_with(prefix),
            Set::Connectors => workspace.0.get(name).copied().unwrap_or(false),
            Set::OursExcept(names) => workspace.0.contains_key(name) && !names.contains(&name),
        }
    }
}

/// Every (rule, edge) pair in `metadata` that breaks a rule of `RULES`.
fn check(metadata: &Metadata) -> Vec<Violation> {
    let connectors_dir = metadata.workspace_root.join("connectors");
    let workspace = Workspace(
        metadata
            .packages
            .iter()
            .map(|package| (package.name.clone(), package.manifest_path.starts_with(&connectors_dir)))
            .collect(),
    );
    let mut violations = Vec::new();
    for package in &metadata.packages {
        for dependency in &package.dependencies {
            let kind = match dependency.kind.as_deref() {
                None | Some("normal") => Kind::Normal,
                Some("build") => Kind::Build,
                Some("dev") => Kind::Dev,
                Some(other) => panic!("{} -> {}: unknown dependency kind {other:?}", package.name, dependency.name),
            };
            for rule in RULES {
                if rule.kinds.contains(&kind)
                    && rule.from.contains(&package.name, &workspace)
                    && rule.on.contains(&dependency.name, &workspace)
                {
                    violations.push(Violation {
                        package: package.name.clone(),
                        dependency: dependency.name.clone(),
                        kind,
                        why: rule.why,
                    });
                }
            }
        }
    }
    violations
}

#[test]
fn dependency_direction() {
    let violations = check(&cargo_metadata());
    let report: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(report.is_empty(), "dependency direction broken (DESIGN.md section 3):\n  {}", report.join("\n  "));
}

/// A small workspace laid out as DESIGN.md section 3 says, plus `extra` edges
/// `(package, dependency, kind)`.
fn fake_metadata(extra: &[(&str, &str, Option<&str>)]) -> Metadata {
    let mut edges: Vec<(&str, &str, Option<&str>)> = vec![
        ("tieout-core", "rust_decimal", None),
        ("tieout-core", "thiserror", None),
        ("tieout-engine", "tieout-core", None),
        ("tieout-engine", "criterion", Some("dev")),
        ("tieout-store", "tieout-core", None),
        ("tieout-store", "sea-orm", None),
        ("tieout-store", "sea-orm-migration", None),
        ("tieout-jobs", "tieout-core", None),
        ("tieout-jobs", "tieout-store", None),
        ("tieout-jobs", "apalis", None),
        ("tieout-jobs", "apalis-sql", None),
        ("tieout-conformance", "tieout-core", None),
        ("sink-ledger", "tieout-core", None),
        ("sink-ledger", "tieout-conformance", Some("dev")),
        ("sink-ledger", "tempfile", Some("dev")),
        ("source-simulator", "tieout-core", None),
        ("tieout-registry", "tieout-core", None),
        ("tieout-registry", "sink-ledger", None),
        ("tieout-registry", "source-simulator", None),
        ("tieout-server", "tieout-registry", None),
        ("tieout-server", "tieout-jobs", None),
        ("tieout-server", "anyhow", None),
        ("tieout-cli", "tieout-server", None),
        ("tieout-cli", "anyhow", None),
        ("tieout-tests", "source-simulator", Some("dev")),
        ("xtask", "anyhow", None),
    ];
    edges.extend_from_slice(extra);
    let mut packages: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
    for (package, dependency, kind) in edges {
        packages.entry(package).or_default().push(serde_json::json!({ "name": dependency, "kind": kind }));
    }
    let packages: Vec<serde_json::Value> = packages
        .into_iter()
        .map(|(name, dependencies)| {
            let manifest_path = match name {
                "sink-ledger" | "source-simulator" => format!("/ws/connectors/{name}/Cargo.toml"),
                "tieout-tests" => "/ws/tests/Cargo.toml".to_owned(),
                "xtask" => "/ws/xtask/Cargo.toml".to_owned(),
                _ => format!("/ws/crates/{name}/Cargo.toml"),
            };
            serde_json::json!({
                "name": name,
                "manifest_path": manifest_path,
                "publish": [],
                "dependencies": dependencies,
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({ "workspace_root": "/ws", "packages": packages }))
        .expect("fake metadata matches the Metadata shape")
}

#[test]
fn checker_accepts_the_designed_layout() {
    let violations = check(&fake_metadata(&[]));
    assert!(violations.is_empty(), "false alarms: {violations:#?}");
}

#[test]
fn checker_reports_each_kind_of_violation() {
    #[rustfmt::skip]
    let bad_edges: &[(&str, &str, Option<&str>)] = &[
        ("sink-ledger", "tieout-store", None),
        ("sink-ledger", "tieout-engine", None),
        ("sink-ledger", "tieout-jobs", Some("dev")),
        ("sink-ledger", "source-simulator", Some("dev")),
        ("tieout-core", "tieout-engine", Some("build")),
        ("tieout-engine", "tieout-store", None),
        ("tieout-engine", "anyhow", None),
        ("tieout-cli", "sink-ledger", None),
        ("tieout-server", "sea-orm", None),
        ("tieout-cli", "apalis-core", None),
    ];
    for &(package, dependency, kind) in bad_edges {
        let violations = check(&fake_metadata(&[(package, dependency, kind)]));
        assert!(!violations.is_empty(), "{package} -> {dependency} ({kind:?}) went unreported");
        for violation in &violations {
            assert_eq!(
                (violation.package.as_str(), violation.dependency.as_str()),
                (package, dependency),
                "reported an edge that was not added: {violation}"
            );
            let message = violation.to_string();
            assert!(
                message.contains(package) && message.contains(dependency),
                "message does not name the edge: {message}"
            );
        }
    }
}
