//! Debian's Chromium, headless and offline: installing it when missing and
//! rendering a page to its DOM with the console messages it printed.

mod driver;

use std::path::Path;
use std::process::{Command, Stdio};

use wikiharness_record::paths;

pub use driver::{Browser, ConsoleEntry, Driver, script_errors};

/// No browser can be used here: Chromium is missing and cannot be installed,
/// or cannot be started. The text says what to do.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(String);

/// Debian's Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's ChromeDriver.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Flags that let Chromium run headless, as root, without network.
pub const HEADLESS_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1280,800",
];

/// Whether Chromium and ChromeDriver are installed.
pub fn installed() -> bool {
    Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()
}

/// Installs Chromium and ChromeDriver with the project's package script when
/// they are missing (as root), or says how to.
pub fn ensure_installed() -> Result<(), Unavailable> {
    static ONE_INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE_INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if installed() {
        return Ok(());
    }
    let script = paths::repo_root().join("ci").join("install-packages");
    eprintln!(
        "wikiharness: Chromium is missing; running {}",
        script.display()
    );
    let status = Command::new(&script)
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| Unavailable(format!("cannot run {}: {e}", script.display())))?;
    if status.success() && installed() {
        Ok(())
    } else {
        Err(Unavailable(format!(
            "Chromium is not installed ({CHROMIUM}, {CHROMEDRIVER}); as root run {}",
            script.display()
        )))
    }
}

/// A page as headless Chromium rendered it.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The DOM after scripts ran.
    pub dom: String,
    /// Console messages (`console.*` calls and uncaught errors).
    pub console: Vec<String>,
}

/// Loads `url` in headless Chromium and returns the DOM and console messages.
pub fn render(url: &str) -> Result<Rendered, Unavailable> {
    ensure_installed()?;
    // One profile per call: Chromium refuses a profile another instance holds.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let profile = std::env::temp_dir().join(format!(
        "wikiharness-chromium-{}-{call}",
        std::process::id()
    ));
    let out = Command::new(CHROMIUM)
        .args(HEADLESS_FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom", url])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Unavailable(format!("cannot run {CHROMIUM}: {e}")))?;
    let _ = std::fs::remove_dir_all(&profile);
    let stderr = String::from_utf8_lossy(&out.stderr);
    Ok(Rendered {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console: stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(|l| l.split_once("] ").map_or(l, |(_, m)| m).to_owned())
            .collect(),
    })
}
