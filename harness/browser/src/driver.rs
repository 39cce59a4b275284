//! ChromeDriver on a free loopback port, a headless Chromium session through
//! fantoccini, and what fantoccini lacks: the browser console log.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

use super::{CHROMEDRIVER, CHROMIUM, HEADLESS_FLAGS, installed};

/// A running ChromeDriver; killed when dropped.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Starts ChromeDriver on a free loopback port and waits until it answers.
    pub async fn start() -> Result<Driver, String> {
        if !installed() {
            return Err(format!(
                "{CHROMIUM} or {CHROMEDRIVER} is not installed (as root: ci/install-packages)"
            ));
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}"))?;
        let driver = Driver { child, port };
        let status = format!("http://127.0.0.1:{port}/status");
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(r) = http.get(&status).send().await
                && r.status().is_success()
            {
                return Ok(driver);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "{CHROMEDRIVER} did not answer on port {port} within 15 s"
        ))
    }

    /// A new headless browser session (own profile, console logging on).
    pub async fn session(&self) -> Result<Browser, String> {
        let profile = std::env::temp_dir().join(format!(
            "wikiharness-chrome-{}-{}",
            std::process::id(),
            self.port
        ));
        let mut args: Vec<String> = HEADLESS_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(caps) = caps else {
            unreachable!("a JSON object")
        };
        let client = ClientBuilder::rustls()
            .map_err(|e| format!("TLS setup: {e}"))?
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .map_err(|e| format!("cannot start a browser session: {e}"))?;
        Ok(Browser { client, profile })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session.
#[derive(Debug)]
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    profile: PathBuf,
}

/// One browser console entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleEntry {
    /// `SEVERE`, `WARNING`, `INFO`, ...
    pub level: String,
    /// `javascript`, `console-api`, `network`, ...
    pub source: String,
    /// The message (starts with the script URL for script errors).
    pub message: String,
}

/// ChromeDriver's log endpoint (not in the W3C protocol, so not in fantoccini).
#[derive(Debug)]
struct GetLog;

impl WebDriverCompatibleCommand for GetLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

impl Browser {
    /// Console entries since the last call (ChromeDriver clears them on read).
    pub async fn console(&self) -> Result<Vec<ConsoleEntry>, String> {
        let v = self
            .client
            .issue_cmd(GetLog)
            .await
            .map_err(|e| format!("cannot read the browser log: {e}"))?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .map(|e| ConsoleEntry {
                        level: e["level"].as_str().unwrap_or_default().to_owned(),
                        source: e["source"].as_str().unwrap_or_default().to_owned(),
                        message: e["message"].as_str().unwrap_or_default().to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// A PNG screenshot of the viewport.
    pub async fn screenshot(&self) -> Result<Vec<u8>, String> {
        self.client
            .screenshot()
            .await
            .map_err(|e| format!("screenshot failed: {e}"))
    }

    /// Ends the session and removes its profile.
    pub async fn close(self) {
        let _ = self.client.close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// JavaScript errors among `entries` that come from pages or scripts under `origin`.
pub fn script_errors<'a>(entries: &'a [ConsoleEntry], origin: &str) -> Vec<&'a ConsoleEntry> {
    entries
        .iter()
        .filter(|e| {
            e.level == "SEVERE"
                && matches!(e.source.as_str(), "javascript" | "console-api")
                && e.message.starts_with(origin)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(level: &str, source: &str, message: &str) -> ConsoleEntry {
        ConsoleEntry {
            level: level.into(),
            source: source.into(),
            message: message.into(),
        }
    }

    #[test]
    fn only_script_errors_of_the_wiki_count() {
        let origin = "http://127.0.0.1:18080";
        let entries = [
            entry(
                "SEVERE",
                "javascript",
                "http://127.0.0.1:18080/w/load.php?modules=x 12:3 Uncaught TypeError: x is undefined",
            ),
            entry(
                "SEVERE",
                "network",
                "http://127.0.0.1:18080/favicon.ico - Failed to load resource: 404",
            ),
            entry(
                "SEVERE",
                "javascript",
                "chrome-extension://abc/x.js 1:1 Uncaught Error",
            ),
            entry(
                "WARNING",
                "console-api",
                "http://127.0.0.1:18080/w/load.php 1:1 \"deprecated\"",
            ),
            entry(
                "SEVERE",
                "console-api",
                "http://127.0.0.1:18080/w/load.php 1:1 \"boom\"",
            ),
        ];
        let errs = script_errors(&entries, origin);
        assert_eq!(errs.len(), 2);
        assert!(errs[0].message.contains("TypeError"));
    }
}
