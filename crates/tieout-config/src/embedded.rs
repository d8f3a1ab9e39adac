//! The shipped config files, compiled in, so `tieout demo` runs with no config directory: the
//! CLI writes [`DEMO_FILES`] into a directory and loads it like any other.

/// `config/default.toml`.
pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");
/// `config/clients/demo.toml`.
pub const DEMO_CLIENT_TOML: &str = include_str!("../../../config/clients/demo.toml");
/// `config/mappings/demo.toml`.
pub const DEMO_MAPPING_TOML: &str = include_str!("../../../config/mappings/demo.toml");

/// A complete config directory for the demo: (path relative to the directory, contents).
pub const DEMO_FILES: [(&str, &str); 3] = [
    ("default.toml", DEFAULT_TOML),
    ("clients/demo.toml", DEMO_CLIENT_TOML),
    ("mappings/demo.toml", DEMO_MAPPING_TOML),
];
