//! `cargo xtask new-connector <name> --role source|sink`: scaffolds `connectors/<role>-<name>/`
//! from the templates in `xtask/templates/<role>/`, adds the crate to the root manifest's
//! `[workspace.dependencies]` and lists its factory in `tieout-registry` behind the cargo feature
//! `connector-<name>`. The new crate compiles at once and its tests pass: the config suite of the
//! conformance kit passes, and the other suites are asserted to fail only on the placeholder
//! calls (docs/connectors.md, "The scaffold's tests").
//!
//! Everything is planned first (templates rendered, the three workspace files edited in memory,
//! every refusal checked), then written, so a refusal leaves the workspace as it was. Workspace
//! files are edited at marker comments (`# new-connector: …`, `// new-connector: …`), so the
//! edit does not depend on which other connectors are listed around them.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

pub(crate) const USAGE: &str = "usage: cargo xtask new-connector <name> --role source|sink

  <name>         the system's name: lowercase letters, digits and `-`, starting with a letter
                 (`quickbooks`, `my-erp`); the crate is `<role>-<name>`, the kind `<name>`
  --role source  a servicing system Tieout reads loans and events from
  --role sink    an accounting package Tieout posts journal entries to

Creates connectors/<role>-<name>/ and lists it in the workspace and, behind the cargo feature
`connector-<name>`, in tieout-registry. The guide: docs/connectors.md.";

/// The longest accepted name; a crate name, a kind in client files and a feature are made of it.
const MAX_NAME_LEN: usize = 40;

/// Which side of Tieout the connector is on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Source,
    Sink,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Source => "source",
            Role::Sink => "sink",
        }
    }

    /// `Source` / `Sink`, as in the type names `AcmeSourceFactory`, `AcmeSinkFactory`.
    fn title(self) -> &'static str {
        match self {
            Role::Source => "Source",
            Role::Sink => "Sink",
        }
    }

    fn templates(self) -> &'static [Template] {
        match self {
            Role::Source => SOURCE_TEMPLATES,
            Role::Sink => SINK_TEMPLATES,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Invocation {
    Help,
    Scaffold { name: String, role: Role },
}

/// Parses the arguments after `new-connector`: a name and `--role source|sink` (or
/// `--role=…`), in any order.
fn parse_args(args: &[String]) -> anyhow::Result<Invocation> {
    let mut name: Option<&str> = None;
    let mut role: Option<Role> = None;
    let mut args = args.iter().map(String::as_str);
    while let Some(arg) = args.next() {
        let value = match arg {
            "-h" | "--help" | "help" => return Ok(Invocation::Help),
            "--role" => Some(
                args.next()
                    .with_context(|| format!("`--role` needs a value: `--role source` or `--role sink`\n\n{USAGE}"))?,
            ),
            _ => arg.strip_prefix("--role="),
        };
        if let Some(value) = value {
            if role.is_some() {
                bail!("`--role` is given twice: give it once\n\n{USAGE}");
            }
            role = Some(match value {
                "source" => Role::Source,
                "sink" => Role::Sink,
                other => bail!("`--role` is `source` or `sink`, not `{other}`\n\n{USAGE}"),
            });
        } else if arg.starts_with('-') {
            bail!("unknown option `{arg}`\n\n{USAGE}");
        } else if let Some(first) = name {
            bail!("give one name, not `{first}` and `{arg}`\n\n{USAGE}");
        } else {
            name = Some(arg);
        }
    }
    let Some(name) = name else {
        bail!("give the connector's name, e.g. `cargo xtask new-connector acme --role sink`\n\n{USAGE}");
    };
    let Some(role) = role else {
        bail!(
            "give the connector's role: `--role source` (a servicing system Tieout reads from) or `--role sink` \
             (an accounting package Tieout posts to)\n\n{USAGE}"
        );
    };
    check_name(name).map_err(|why| anyhow::anyhow!("`{name}` is not a connector name: {why}\n\n{USAGE}"))?;
    Ok(Invocation::Scaffold { name: name.to_owned(), role })
}

/// Checks a connector name: lowercase ASCII letters, digits and single `-` between them,
/// starting with a letter, at most [`MAX_NAME_LEN`] characters, without a role prefix.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("it is empty".into());
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')) {
        return Err(format!("it has `{c}`; use lowercase letters, digits and `-` (`quickbooks`, `my-erp`)"));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("it must start with a letter".into());
    }
    if name.ends_with('-') || name.contains("--") {
        return Err("a `-` goes between two letters or digits".into());
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!("it is longer than {MAX_NAME_LEN} characters"));
    }
    if let Some(rest) = name.strip_prefix("source-").or_else(|| name.strip_prefix("sink-")) {
        return Err(format!(
            "give the system's name (`{rest}`), not the crate's: `--role` adds the `source-`/`sink-` prefix"
        ));
    }
    Ok(())
}

/// The names derived from a connector's name and role, as the templates use them.
#[derive(Debug)]
struct Names {
    role: Role,
    /// `acme`: the kind in client files.
    name: String,
    /// `sink-acme`: the crate and its folder under `connectors/`.
    crate_name: String,
    /// `sink_acme`: the crate in Rust paths.
    crate_ident: String,
    /// `Acme`: the prefix of the types (`AcmeSink`, `AcmeSinkFactory`).
    type_prefix: String,
    /// `ACME`: the prefix of the example's environment variables (`ACME_TOKEN`).
    env_prefix: String,
    /// `connector-acme`: the registry's cargo feature, shared by a system's source and sink.
    feature: String,
}

impl Names {
    fn new(name: &str, role: Role) -> Self {
        let crate_name = format!("{}-{name}", role.as_str());
        let type_prefix = name
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
            })
            .collect();
        Names {
            role,
            name: name.to_owned(),
            crate_ident: crate_name.replace('-', "_"),
            crate_name,
            type_prefix,
            env_prefix: name.to_ascii_uppercase().replace('-', "_"),
            feature: format!("connector-{name}"),
        }
    }

    /// `connectors/sink-acme`, relative to the workspace root.
    fn dir(&self) -> String {
        format!("connectors/{}", self.crate_name)
    }

    /// `sink_acme::AcmeSinkFactory`.
    fn factory_path(&self) -> String {
        format!("{}::{}{}Factory", self.crate_ident, self.type_prefix, self.role.title())
    }

    /// What each `{{placeholder}}` of the templates becomes.
    fn substitutions(&self) -> [(&'static str, &str); 6] {
        [
            ("{{name}}", &self.name),
            ("{{crate}}", &self.crate_name),
            ("{{crate_ident}}", &self.crate_ident),
            ("{{Name}}", &self.type_prefix),
            ("{{NAME}}", &self.env_prefix),
            ("{{feature}}", &self.feature),
        ]
    }
}

/// One file of the new crate: its path inside the crate's folder and its template.
struct Template {
    path: &'static str,
    text: &'static str,
}

const SOURCE_TEMPLATES: &[Template] = &[
    Template { path: "Cargo.toml", text: include_str!("../templates/source/Cargo.toml.tmpl") },
    Template { path: "README.md", text: include_str!("../templates/source/README.md.tmpl") },
    Template { path: "src/lib.rs", text: include_str!("../templates/source/src/lib.rs.tmpl") },
    Template { path: "src/config.rs", text: include_str!("../templates/source/src/config.rs.tmpl") },
    Template { path: "src/source.rs", text: include_str!("../templates/source/src/source.rs.tmpl") },
    Template { path: "tests/conformance.rs", text: include_str!("../templates/source/tests/conformance.rs.tmpl") },
];

const SINK_TEMPLATES: &[Template] = &[
    Template { path: "Cargo.toml", text: include_str!("../templates/sink/Cargo.toml.tmpl") },
    Template { path: "README.md", text: include_str!("../templates/sink/README.md.tmpl") },
    Template { path: "src/lib.rs", text: include_str!("../templates/sink/src/lib.rs.tmpl") },
    Template { path: "src/config.rs", text: include_str!("../templates/sink/src/config.rs.tmpl") },
    Template { path: "src/sink.rs", text: include_str!("../templates/sink/src/sink.rs.tmpl") },
    Template { path: "tests/conformance.rs", text: include_str!("../templates/sink/tests/conformance.rs.tmpl") },
];

/// Fills in a template; fails on a `{{placeholder}}` it does not know (a typo in a template).
fn render(template: &str, names: &Names) -> anyhow::Result<String> {
    let mut text = template.to_owned();
    for (placeholder, value) in names.substitutions() {
        text = text.replace(placeholder, value);
    }
    if let Some(left) = leftover_placeholder(&text) {
        bail!("the template has an unknown placeholder `{left}`");
    }
    Ok(text)
}

/// The first `{{word}}` in `text`, if any (`{{ env` or a `format!` escape is not one).
fn leftover_placeholder(text: &str) -> Option<&str> {
    text.match_indices("{{").find_map(|(start, _)| {
        let rest = &text[start + 2..];
        let end = rest.find("}}")?;
        let word = &rest[..end];
        (!word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| &text[start..start + 2 + end + 2])
    })
}

/// The root manifest: the crate goes into `[workspace.dependencies]`.
const ROOT_MANIFEST: &str = "Cargo.toml";
const ROOT_MARKER: &str = "# new-connector: connectors";
/// The registry's manifest: an optional dependency and a feature.
const REGISTRY_MANIFEST: &str = "crates/tieout-registry/Cargo.toml";
const DEPENDENCIES_MARKER: &str = "# new-connector: dependencies";
const FEATURES_MARKER: &str = "# new-connector: features";
/// The registry's list of factories.
const REGISTRY_LIB: &str = "crates/tieout-registry/src/lib.rs";
const SOURCES_MARKER: &str = "// new-connector: sources";
const SINKS_MARKER: &str = "// new-connector: sinks";

/// A workspace file to rewrite.
#[derive(Debug)]
struct Edit {
    /// Relative to the workspace root.
    path: &'static str,
    text: String,
    /// What changed, for the summary.
    what: String,
}

/// Everything the command will write, computed before anything is.
#[derive(Debug)]
struct Plan {
    names: Names,
    /// The new crate's files: path inside its folder, text.
    files: Vec<(&'static str, String)>,
    edits: Vec<Edit>,
}

fn read(root: &Path, path: &str) -> anyhow::Result<String> {
    fs::read_to_string(root.join(path)).with_context(|| format!("cannot read {path}"))
}

/// Whether a manifest line declares `key` (`key = …` or `key.workspace = …`).
fn declares(line: &str, key: &str) -> bool {
    line.trim_start().strip_prefix(key).is_some_and(|rest| {
        let rest = rest.trim_start();
        rest.starts_with('=') || rest.starts_with('.')
    })
}

/// Inserts `lines` before the line that starts (after its indentation) with `marker`, each
/// with the marker line's indentation.
fn insert_before_marker(text: &str, path: &str, marker: &str, lines: &[String]) -> anyhow::Result<String> {
    let mut found = text.lines().enumerate().filter(|(_, line)| line.trim_start().starts_with(marker));
    let Some((index, marker_line)) = found.next() else {
        bail!(
            "{path} has no line starting with `{marker}`: `cargo xtask new-connector` inserts new connectors \
             before it; put it back (docs/connectors.md, \"Registering\")"
        );
    };
    if found.next().is_some() {
        bail!("{path} has `{marker}` twice: keep one");
    }
    let indent = &marker_line[..marker_line.len() - marker_line.trim_start().len()];
    let mut out: Vec<String> = text.lines().map(str::to_owned).collect();
    for (offset, line) in lines.iter().enumerate() {
        out.insert(index + offset, format!("{indent}{line}"));
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    Ok(joined)
}

/// Adds `dep:<crate>` to the feature `connector-<name>`: to its line when the system's other
/// role already made it, else as a new line before the features marker.
fn add_feature(text: &str, names: &Names) -> anyhow::Result<(String, String)> {
    let dep = format!("\"dep:{}\"", names.crate_name);
    let Some(line) = text.lines().find(|line| declares(line, &names.feature)) else {
        let line = format!("{} = [{dep}]", names.feature);
        let text = insert_before_marker(text, REGISTRY_MANIFEST, FEATURES_MARKER, std::slice::from_ref(&line))?;
        return Ok((text, format!("feature {}", names.feature)));
    };
    if line.contains(&dep) {
        bail!("{REGISTRY_MANIFEST}: the feature {} already enables {}", names.feature, names.crate_name);
    }
    let trimmed = line.trim_end();
    let Some(list) = trimmed.strip_suffix(']') else {
        bail!(
            "{REGISTRY_MANIFEST}: the feature {} is not on one line (`{} = [\"dep:…\"]`); add {dep} to it by hand, \
             or put it on one line",
            names.feature,
            names.feature
        );
    };
    let separator = if list.trim_end().ends_with('[') { "" } else { ", " };
    let new_line = format!("{}{separator}{dep}]", list.trim_end());
    let text = text.replacen(line, &new_line, 1);
    Ok((text, format!("feature {} now also enables {}", names.feature, names.crate_name)))
}

/// Renders the crate and edits the workspace files in memory; refuses an existing folder or a
/// crate the workspace already lists.
fn plan(root: &Path, name: &str, role: Role) -> anyhow::Result<Plan> {
    let names = Names::new(name, role);
    let dir = names.dir();
    if root.join(&dir).exists() {
        bail!("{dir} already exists: pick another name, or remove the folder to scaffold it again");
    }

    let files = role
        .templates()
        .iter()
        .map(|t| Ok((t.path, render(t.text, &names).with_context(|| format!("rendering {}", t.path))?)))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let crate_name = &names.crate_name;
    let mut edits = Vec::new();

    let manifest = read(root, ROOT_MANIFEST)?;
    if manifest.lines().any(|line| declares(line, crate_name)) {
        bail!("{ROOT_MANIFEST} already lists {crate_name}: remove that line, or pick another name");
    }
    let line = format!("{crate_name} = {{ path = \"{dir}\" }}");
    edits.push(Edit {
        path: ROOT_MANIFEST,
        text: insert_before_marker(&manifest, ROOT_MANIFEST, ROOT_MARKER, &[line])?,
        what: format!("[workspace.dependencies] {crate_name}"),
    });

    let registry = read(root, REGISTRY_MANIFEST)?;
    if registry.lines().any(|line| declares(line, crate_name)) {
        bail!("{REGISTRY_MANIFEST} already lists {crate_name}: remove that line, or pick another name");
    }
    let line = format!("{crate_name} = {{ workspace = true, optional = true }}");
    let registry = insert_before_marker(&registry, REGISTRY_MANIFEST, DEPENDENCIES_MARKER, &[line])?;
    let (registry, feature) = add_feature(&registry, &names)?;
    edits.push(Edit {
        path: REGISTRY_MANIFEST,
        text: registry,
        what: format!("optional dependency {crate_name}, {feature}"),
    });

    let lib = read(root, REGISTRY_LIB)?;
    if lib.contains(&format!("{}::", names.crate_ident)) {
        bail!("{REGISTRY_LIB} already names {}: remove that entry, or pick another name", names.crate_ident);
    }
    let marker = match role {
        Role::Source => SOURCES_MARKER,
        Role::Sink => SINKS_MARKER,
    };
    let entry = [
        format!("#[cfg(feature = \"{}\")]", names.feature),
        format!("Box::new(Typed::<{}>::new()),", names.factory_path()),
    ];
    edits.push(Edit {
        path: REGISTRY_LIB,
        text: insert_before_marker(&lib, REGISTRY_LIB, marker, &entry)?,
        what: format!("Registry::builtin lists {} when {} is on", names.factory_path(), names.feature),
    });

    Ok(Plan { names, files, edits })
}

/// Writes the plan: the new folder (which must not exist) and its files, then the edits.
fn apply(root: &Path, plan: &Plan) -> anyhow::Result<()> {
    let dir = root.join(plan.names.dir());
    fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (path, text) in &plan.files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    for edit in &plan.edits {
        fs::write(root.join(edit.path), &edit.text).with_context(|| format!("cannot write {}", edit.path))?;
    }
    Ok(())
}

/// Runs a tool from the workspace root with its output hidden; `Err` holds what it printed.
fn quietly(root: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Result<(), String> {
    let output = Command::new(program)
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start it: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{}\n{}", output.status, String::from_utf8_lossy(&output.stderr).trim_end()))
    }
}

/// `cargo xtask new-connector …`.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let (name, role) = match parse_args(args)? {
        Invocation::Help => {
            println!("{USAGE}");
            return Ok(());
        }
        Invocation::Scaffold { name, role } => (name, role),
    };
    let root = crate::project_root();
    let plan = plan(&root, &name, role)?;
    apply(&root, &plan)?;
    let names = &plan.names;
    let dir = names.dir();

    // The templates are formatted, but a long name can push a line past rustfmt.toml's width.
    let rust_files: Vec<String> =
        plan.files.iter().filter(|(path, _)| path.ends_with(".rs")).map(|(path, _)| format!("{dir}/{path}")).collect();
    let mut rustfmt_args = vec!["--edition", "2024"];
    rustfmt_args.extend(rust_files.iter().map(String::as_str));
    let formatted = quietly(&root, "rustfmt", &rustfmt_args);
    // Cargo.lock gains the new crate now, so that `--locked` commands (`cargo xtask`) still run.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let locked = quietly(&root, &cargo, &["metadata", "--format-version", "1", "--quiet"]);

    println!("created {dir}/ ({} '{}', crate {}):", role.as_str(), names.name, names.crate_name);
    for (path, _) in &plan.files {
        println!("  {dir}/{path}");
    }
    println!("edited:");
    for edit in &plan.edits {
        println!("  {:<36} {}", edit.path, edit.what);
    }
    match &locked {
        Ok(()) => println!("  {:<36} gains {}", "Cargo.lock", names.crate_name),
        Err(e) => println!("warning: could not update Cargo.lock ({e}); run `cargo update --workspace`"),
    }
    if let Err(e) = &formatted {
        println!("warning: rustfmt failed ({e}); run `cargo fmt -p {}`", names.crate_name);
    }
    let (crate_name, feature, file) = (&names.crate_name, &names.feature, format!("src/{}.rs", role.as_str()));
    let (suites, cli) = match role {
        Role::Source => ("check and events", "source check"),
        Role::Sink => ("check and posting", "sink check"),
    };
    println!(
        "
next steps (docs/connectors.md walks through each):
  1. cargo test -p {crate_name}
     the config suite passes; the {suites} suites are asserted to fail only on the placeholders
  2. shape the config in {dir}/src/config.rs; keep README.md's example equal to EXAMPLE (a test checks)
  3. implement the calls in {dir}/{file} against a test double named in tests/conformance.rs;
     when a suite passes, its test says so: replace `still_a_placeholder(…)` with `.unwrap()`
  4. try it from a client file: cargo run -p tieout-cli --features tieout-registry/{feature} -- {cli} --client C
  5. when every suite passes: fill README.md's capability table, drop the FIXME(scaffold) notes, add
     \"{feature}\" to `default` in {REGISTRY_MANIFEST}, and run cargo xtask ci"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn parse(list: &[&str]) -> Result<Invocation, String> {
        parse_args(&args(list)).map_err(|e| e.to_string())
    }

    #[test]
    fn names_are_lowercase_words_joined_by_dashes() {
        for good in ["acme", "quickbooks", "my-erp", "x2", "a-1-b", &"a".repeat(MAX_NAME_LEN)] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        let bad = [
            ("", "empty"),
            ("Acme", "has `A`"),
            ("my_erp", "has `_`"),
            ("my erp", "has ` `"),
            ("ünicode", "has `ü`"),
            ("2fa", "start with a letter"),
            ("-acme", "start with a letter"),
            ("acme-", "between"),
            ("my--erp", "between"),
            ("sink-acme", "not the crate's"),
            ("source-acme", "(`acme`)"),
        ];
        for (name, why) in bad {
            let err = check_name(name).unwrap_err();
            assert!(err.contains(why), "{name:?}: {err}");
        }
        assert!(check_name(&"a".repeat(MAX_NAME_LEN + 1)).unwrap_err().contains("longer than"));
    }

    #[test]
    fn arguments_in_any_order() {
        let sink = Ok(Invocation::Scaffold { name: "acme".into(), role: Role::Sink });
        assert_eq!(parse(&["acme", "--role", "sink"]), sink);
        assert_eq!(parse(&["--role", "sink", "acme"]), sink);
        assert_eq!(parse(&["--role=sink", "acme"]), sink);
        assert_eq!(
            parse(&["my-erp", "--role=source"]),
            Ok(Invocation::Scaffold { name: "my-erp".into(), role: Role::Source })
        );
        assert_eq!(parse(&["--help"]), Ok(Invocation::Help));
        assert_eq!(parse(&["acme", "-h"]), Ok(Invocation::Help));
    }

    #[test]
    fn wrong_arguments_say_what_to_give() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "give the connector's name"),
            (&["--role", "sink"], "give the connector's name"),
            (&["acme"], "give the connector's role: `--role source`"),
            (&["acme", "--role"], "`--role` needs a value"),
            (&["acme", "--role", "target"], "`--role` is `source` or `sink`, not `target`"),
            (&["acme", "--role", "sink", "--role", "source"], "given twice"),
            (&["acme", "beta", "--role", "sink"], "give one name, not `acme` and `beta`"),
            (&["acme", "--force", "--role", "sink"], "unknown option `--force`"),
            (&["Acme", "--role", "sink"], "`Acme` is not a connector name: it has `A`"),
            (&["sink-acme", "--role", "sink"], "give the system's name (`acme`)"),
        ];
        for (list, expected) in cases {
            let err = parse(list).unwrap_err();
            assert!(err.contains(expected), "{list:?}: {err}");
            assert!(err.contains("usage: cargo xtask new-connector"), "{list:?} does not show the usage: {err}");
        }
    }

    #[test]
    fn derived_names() {
        let names = Names::new("my-erp2", Role::Sink);
        assert_eq!(names.crate_name, "sink-my-erp2");
        assert_eq!(names.crate_ident, "sink_my_erp2");
        assert_eq!(names.type_prefix, "MyErp2");
        assert_eq!(names.env_prefix, "MY_ERP2");
        assert_eq!(names.feature, "connector-my-erp2");
        assert_eq!(names.dir(), "connectors/sink-my-erp2");
        assert_eq!(names.factory_path(), "sink_my_erp2::MyErp2SinkFactory");
        assert_eq!(Names::new("x2-go", Role::Source).factory_path(), "source_x2_go::X2GoSourceFactory");
    }

    #[test]
    fn every_template_renders_without_placeholders_left() {
        for role in [Role::Source, Role::Sink] {
            let names = Names::new("my-erp", role);
            for template in role.templates() {
                let text = render(template.text, &names).unwrap();
                assert!(leftover_placeholder(&text).is_none(), "{}", template.path);
                assert!(!text.contains("acme") && !text.contains("Acme"), "{} names a sample system", template.path);
                if template.path.ends_with(".rs") {
                    for line in text.lines() {
                        let code = line.split_once("//").map_or(line, |(code, _)| code);
                        // What tidy (tests/tests/tidy.rs) and the workspace lints refuse in a
                        // connector; split so that tidy does not find them here.
                        let refused = [concat!("#[", "ignore"), concat!("#[", "should_panic"), "f64", "f32", "todo!"];
                        for word in refused.into_iter().chain(["unimplemented!", "dbg!", "eprintln!"]) {
                            assert!(!code.contains(word), "{}: {line}", template.path);
                        }
                    }
                }
            }
            let text = render(role.templates()[1].text, &names).unwrap();
            assert!(text.contains(&format!("[{}]\nkind = \"my-erp\"\n", role.as_str())), "README example header");
        }
        assert!(render("{{nmae}}", &Names::new("a", Role::Sink)).unwrap_err().to_string().contains("`{{nmae}}`"));
        assert_eq!(leftover_placeholder("format!(\"{{ env = {x} }}\")"), None);
    }

    #[test]
    fn insertion_keeps_the_markers_indentation_and_other_entries() {
        let lib = "        sinks: vec![\n            Box::new(Typed::<sink_ledger::LedgerSinkFactory>::new()),\n            // new-connector: sinks (…)\n        ],\n";
        let out =
            insert_before_marker(lib, "lib.rs", SINKS_MARKER, &["#[cfg(x)]".into(), "Box::new(a),".into()]).unwrap();
        assert_eq!(
            out,
            "        sinks: vec![\n            Box::new(Typed::<sink_ledger::LedgerSinkFactory>::new()),\n            #[cfg(x)]\n            Box::new(a),\n            // new-connector: sinks (…)\n        ],\n"
        );
        let err = insert_before_marker("x = 1\n", "Cargo.toml", ROOT_MARKER, &["y = 2".into()]).unwrap_err();
        assert!(err.to_string().contains("has no line starting with `# new-connector: connectors`"), "{err}");
        let twice = format!("{ROOT_MARKER}\n{ROOT_MARKER}\n");
        assert!(
            insert_before_marker(&twice, "Cargo.toml", ROOT_MARKER, &[]).unwrap_err().to_string().contains("twice")
        );
    }

    #[test]
    fn one_feature_per_system() {
        let manifest = format!("[features]\ndefault = []\n{FEATURES_MARKER}\n");
        let (manifest, what) = add_feature(&manifest, &Names::new("files", Role::Source)).unwrap();
        assert_eq!(what, "feature connector-files");
        let (manifest, what) = add_feature(&manifest, &Names::new("files", Role::Sink)).unwrap();
        assert_eq!(what, "feature connector-files now also enables sink-files");
        assert_eq!(
            manifest,
            format!(
                "[features]\ndefault = []\nconnector-files = [\"dep:source-files\", \"dep:sink-files\"]\n{FEATURES_MARKER}\n"
            )
        );
        let err = add_feature(&manifest, &Names::new("files", Role::Sink)).unwrap_err();
        assert!(err.to_string().contains("already enables sink-files"), "{err}");
        let split = "connector-x = [\n  \"dep:source-x\",\n]\n";
        assert!(add_feature(split, &Names::new("x", Role::Sink)).unwrap_err().to_string().contains("not on one line"));
        assert!(declares("sink-x.workspace = true", "sink-x"));
        assert!(declares("  sink-x = { path = \"connectors/sink-x\" }", "sink-x"));
        assert!(!declares("sink-x2 = { path = \"connectors/sink-x2\" }", "sink-x"));
    }

    /// A scratch directory removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(tag: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("xtask-new-connector-{tag}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn write(&self, path: &str, text: &str) {
            let path = self.0.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }

        fn read(&self, path: &str) -> String {
            fs::read_to_string(self.0.join(path)).unwrap()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// A workspace with the three files the command edits, as the project has them (with the
    /// entries other connectors add around the markers).
    fn fake_workspace(tag: &str) -> Scratch {
        let ws = Scratch::new(tag);
        ws.write(
            ROOT_MANIFEST,
            "[workspace.dependencies]\nsink-memory = { path = \"connectors/sink-memory\" }\nsink-ledger = { path = \"connectors/sink-ledger\" }\n# new-connector: connectors (…)\ntieout-store = { path = \"crates/tieout-store\" }\n",
        );
        ws.write(
            REGISTRY_MANIFEST,
            "[dependencies]\nsink-memory.workspace = true\n# new-connector: dependencies (…)\n\n[features]\ndefault = []\n# new-connector: features (…)\n",
        );
        ws.write(
            REGISTRY_LIB,
            "        Registry {\n            sources: vec![\n                Box::new(Typed::<source_memory::MemorySourceFactory>::new()),\n                // new-connector: sources (…)\n            ],\n            sinks: vec![\n                Box::new(Typed::<sink_memory::MemorySinkFactory>::new()),\n                // new-connector: sinks (…)\n            ],\n        }\n",
        );
        fs::create_dir_all(ws.0.join("connectors/sink-memory")).unwrap();
        ws
    }

    #[test]
    fn plans_and_writes_a_source_and_a_sink_of_one_system() {
        let ws = fake_workspace("plan");
        let root = ws.0.as_path();
        apply(root, &plan(root, "acme", Role::Sink).unwrap()).unwrap();
        apply(root, &plan(root, "acme", Role::Source).unwrap()).unwrap();
        for dir in ["connectors/sink-acme", "connectors/source-acme"] {
            for file in ["Cargo.toml", "README.md", "src/lib.rs", "src/config.rs", "tests/conformance.rs"] {
                assert!(root.join(dir).join(file).is_file(), "{dir}/{file}");
            }
        }
        assert!(ws.read("connectors/sink-acme/src/sink.rs").contains("impl AccountingSink for AcmeSink"));
        assert!(ws.read("connectors/source-acme/src/source.rs").contains("impl ServicingSource for AcmeSource"));
        assert!(ws.read("connectors/sink-acme/Cargo.toml").contains("name = \"sink-acme\""));
        assert!(ws.read("connectors/sink-acme/README.md").contains("[sink]\nkind = \"acme\"\n"));

        let root_manifest = ws.read(ROOT_MANIFEST);
        assert!(
            root_manifest.contains("sink-ledger = { path = \"connectors/sink-ledger\" }\nsink-acme = { path = \"connectors/sink-acme\" }\nsource-acme = { path = \"connectors/source-acme\" }\n# new-connector: connectors"),
            "{root_manifest}"
        );
        let registry = ws.read(REGISTRY_MANIFEST);
        assert!(registry.contains("sink-acme = { workspace = true, optional = true }\nsource-acme = { workspace = true, optional = true }\n# new-connector: dependencies"), "{registry}");
        assert!(
            registry.contains("connector-acme = [\"dep:sink-acme\", \"dep:source-acme\"]\n# new-connector: features"),
            "{registry}"
        );
        let lib = ws.read(REGISTRY_LIB);
        assert!(lib.contains("                Box::new(Typed::<source_memory::MemorySourceFactory>::new()),\n                #[cfg(feature = \"connector-acme\")]\n                Box::new(Typed::<source_acme::AcmeSourceFactory>::new()),\n                // new-connector: sources"), "{lib}");
        assert!(lib.contains("                #[cfg(feature = \"connector-acme\")]\n                Box::new(Typed::<sink_acme::AcmeSinkFactory>::new()),\n                // new-connector: sinks"), "{lib}");
    }

    #[test]
    fn refusals_leave_the_workspace_as_it_was() {
        let ws = fake_workspace("refuse");
        let root = ws.0.as_path();
        let snapshot = || [ROOT_MANIFEST, REGISTRY_MANIFEST, REGISTRY_LIB].map(|p| ws.read(p));
        let before = snapshot();

        let err = plan(root, "memory", Role::Sink).unwrap_err().to_string();
        assert_eq!(
            err,
            "connectors/sink-memory already exists: pick another name, or remove the folder to scaffold it again"
        );

        let err = plan(root, "ledger", Role::Sink).unwrap_err().to_string();
        assert!(err.starts_with("Cargo.toml already lists sink-ledger"), "{err}");

        ws.write(REGISTRY_LIB, &before[2].replace("// new-connector: sinks", "// sinks"));
        let err = plan(root, "acme", Role::Sink).unwrap_err().to_string();
        assert!(
            err.contains("crates/tieout-registry/src/lib.rs has no line starting with `// new-connector: sinks`"),
            "{err}"
        );
        assert!(!root.join("connectors/sink-acme").exists(), "a refused plan wrote the crate");
        ws.write(REGISTRY_LIB, &before[2]);
        assert_eq!(snapshot(), before);
    }
}
