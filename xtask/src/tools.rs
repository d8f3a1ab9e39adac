//! The external programs and servers the test suites talk to, installed (and started) when
//! missing. CI machines start bare, so `cargo xtask ci` makes sure each is there and says what it
//! did.

use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A program the tests need and the Debian package that provides it.
struct Tool {
    program: &'static str,
    version_arg: &'static str,
    debian_package: &'static str,
    used_by: &'static str,
}

/// Adding a tool is adding a line.
const TOOLS: &[Tool] = &[Tool {
    program: "hledger",
    version_arg: "--version",
    debian_package: "hledger",
    used_by: "the journalize tests read Tieout's journals back with the real hledger",
}];

/// A server the tests connect to, started (and installed) when it is not accepting connections.
struct Service {
    name: &'static str,
    address: &'static str,
    debian_package: &'static str,
    used_by: &'static str,
    /// An environment variable that points the tests at another server: then this one is not needed.
    override_var: &'static str,
}

/// Adding a service is adding a line (and its start in [`start`]).
const SERVICES: &[Service] = &[Service {
    name: "postgres",
    address: "127.0.0.1:5432",
    debian_package: "postgresql",
    used_by: "the store's tests run on Postgres as well as SQLite",
    override_var: "TIEOUT_TEST_POSTGRES_URL",
}];

/// How long a started service may take to accept connections.
const SERVICE_START_TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) fn ensure_all() -> anyhow::Result<()> {
    for tool in TOOLS {
        ensure(tool)?;
    }
    for service in SERVICES {
        ensure_service(service)?;
    }
    Ok(())
}

fn ensure_service(service: &Service) -> anyhow::Result<()> {
    if let Ok(value) = std::env::var(service.override_var)
        && !value.is_empty()
    {
        println!(
            "services: {} not checked: the tests use {} from {}",
            service.name,
            redact(&value),
            service.override_var
        );
        return Ok(());
    }
    if accepts(service.address) {
        println!("services: {} accepting connections on {}", service.name, service.address);
        return Ok(());
    }
    let installed = package_installed(service.debian_package);
    if installed {
        println!("services: {} not running on {}; starting it ({})", service.name, service.address, service.used_by);
    } else {
        println!(
            "services: {} not running and Debian package {} not installed ({}); installing it",
            service.name, service.debian_package, service.used_by
        );
        apt(&["update", "-qq"]).and_then(|()| apt(&["install", "-y", "-qq", service.debian_package])).with_context(
            || format!("installing {}: install it by hand (apt-get install {})", service.name, service.debian_package),
        )?;
    }
    let started = Instant::now();
    start(service, !installed)?;
    while !accepts(service.address) {
        if started.elapsed() > SERVICE_START_TIMEOUT {
            bail!(
                "{} was started but does not accept connections on {} after {} s",
                service.name,
                service.address,
                SERVICE_START_TIMEOUT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    println!(
        "services: {} accepting connections on {} ({} in {} ms)",
        service.name,
        service.address,
        if installed { "started" } else { "installed and started" },
        started.elapsed().as_millis()
    );
    Ok(())
}

/// Starts the service; `fresh` when it was just installed and needs the tests' setup.
fn start(service: &Service, fresh: bool) -> anyhow::Result<()> {
    match service.name {
        "postgres" => start_postgres(fresh),
        other => bail!("no start procedure for service {other}"),
    }
}

/// Starts Debian's `main` cluster of the installed Postgres version. On a fresh install, also sets
/// what the tests expect (TESTING-NOTES): trust authentication on loopback and a `test` database.
fn start_postgres(fresh: bool) -> anyhow::Result<()> {
    let version = postgres_version()?;
    if fresh {
        let hba = format!("/etc/postgresql/{version}/main/pg_hba.conf");
        let current = std::fs::read_to_string(&hba).with_context(|| format!("reading {hba}"))?;
        let trust = "# tieout tests: trust on loopback\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n";
        if !current.contains("# tieout tests") {
            std::fs::write(&hba, format!("{trust}{current}")).with_context(|| format!("writing {hba}"))?;
            println!("services: postgres: loopback connections trusted ({hba})");
        }
    }
    // The package's own scripts may have started it already (then a new pg_hba.conf needs a reload).
    let action = if accepts("127.0.0.1:5432") { "reload" } else { "start" };
    let cluster = format!("pg_ctlcluster --skip-systemctl-redirect {version} main {action}");
    println!("services: postgres: {cluster}");
    let status = Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", &version, "main", action])
        .stdin(Stdio::null())
        .status()
        .context("cannot run pg_ctlcluster (Debian's postgresql-common)")?;
    if !status.success() {
        bail!("`{cluster}` ended with {status}");
    }
    if fresh {
        let started = Instant::now();
        while !accepts("127.0.0.1:5432") && started.elapsed() < SERVICE_START_TIMEOUT {
            std::thread::sleep(Duration::from_millis(250));
        }
        let created = Command::new("runuser")
            .args(["-u", "postgres", "--", "createdb", "test"])
            .stdin(Stdio::null())
            .status()
            .context("cannot run createdb")?;
        if created.success() {
            println!("services: postgres: created database test");
        }
    }
    Ok(())
}

/// The one Postgres version under /etc/postgresql (the newest if several).
fn postgres_version() -> anyhow::Result<String> {
    let mut versions: Vec<String> = std::fs::read_dir("/etc/postgresql")
        .context("no /etc/postgresql: is the postgresql package installed?")?
        .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .collect();
    versions.sort_by_key(|v| v.split('.').map(|n| n.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>());
    versions.pop().context("no Postgres cluster under /etc/postgresql")
}

fn accepts(address: &str) -> bool {
    address
        .parse::<SocketAddr>()
        .is_ok_and(|address| TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_ok())
}

fn package_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(_)) => match rest.split_once('@') {
            Some((user, host)) => format!("{scheme}://{}@{host}", user.split(':').next().unwrap_or("")),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

fn apt(args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .status()
        .context("cannot run apt-get")?;
    if !status.success() {
        bail!("`apt-get {}` ended with {status}", args.join(" "));
    }
    Ok(())
}

fn ensure(tool: &Tool) -> anyhow::Result<()> {
    if let Some(version) = version(tool) {
        println!("tools: {} found ({version})", tool.program);
        return Ok(());
    }
    println!("tools: {} not found ({}); installing Debian package {}", tool.program, tool.used_by, tool.debian_package);
    apt(&["update", "-qq"]).and_then(|()| apt(&["install", "-y", "-qq", tool.debian_package])).with_context(|| {
        format!("installing {}: install it by hand (apt-get install {})", tool.program, tool.debian_package)
    })?;
    match version(tool) {
        Some(version) => {
            println!("tools: installed {} ({version})", tool.program);
            Ok(())
        }
        None => bail!("{} is still not on PATH after installing {}", tool.program, tool.debian_package),
    }
}

fn version(tool: &Tool) -> Option<String> {
    let out = Command::new(tool.program).arg(tool.version_arg).stdin(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").trim().to_owned())
}
