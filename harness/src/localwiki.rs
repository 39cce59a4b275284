//! Drives the embedded local wiki (`ci/local-wiki/wiki`): packages,
//! provisioning, starting on demand, and stopping only what this run started.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::SetupError;
use crate::paths;
use crate::target::{CredentialSource, Target};

/// Services of the local wiki, as the control script names them.
pub const SERVICES: &[&str] = &["web", "jobrunner", "shellbox", "legacy"];

/// Environment variable for the state directory (default `<repo>/target/local-wiki`).
pub const STATE_DIR_ENV: &str = "WIKI_STATE_DIR";

/// The local wiki of a managed target.
#[derive(Debug, Clone)]
pub struct LocalWiki {
    script: PathBuf,
    env: Vec<(String, String)>,
    state_dir: PathBuf,
}

impl LocalWiki {
    /// The local wiki serving `target` (ports from its URLs).
    pub fn for_target(target: &Target) -> Self {
        let state_dir = std::env::var_os(STATE_DIR_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                wikiharness_record::paths::repo_root()
                    .join("target")
                    .join("local-wiki")
            });
        let mut env = vec![(STATE_DIR_ENV.to_owned(), state_dir.display().to_string())];
        if let Some(port) = target.base_url.port_or_known_default() {
            let var = if target.local_service == "legacy" {
                "WIKI_LEGACY_PORT"
            } else {
                "WIKI_WEB_PORT"
            };
            env.push((var.into(), port.to_string()));
        }
        if let Some(port) = target
            .shellbox_url
            .as_ref()
            .and_then(|u| u.port_or_known_default())
        {
            env.push(("WIKI_SHELLBOX_PORT".into(), port.to_string()));
        }
        LocalWiki {
            script: paths::local_wiki_script(),
            env,
            state_dir,
        }
    }

    /// The state directory.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.script);
        c.args(args).envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    /// Runs a subcommand with its output on our stderr (stdout is libtest's).
    fn run_visible(&self, args: &[&str]) -> Result<(), SetupError> {
        let status = self
            .command(args)
            .stdout(std::io::stderr())
            .stderr(Stdio::inherit())
            .status()
            .map_err(|e| {
                SetupError::LocalWiki(format!("cannot run {}: {e}", self.script.display()))
            })?;
        if status.success() {
            Ok(())
        } else {
            Err(SetupError::LocalWiki(format!(
                "`{} {}` failed ({status}); its output is above, logs are in {}",
                self.script.display(),
                args.join(" "),
                self.state_dir.display()
            )))
        }
    }

    /// Runs a subcommand and returns its stdout and whether it succeeded.
    fn capture(&self, args: &[&str]) -> Result<(String, bool), SetupError> {
        let out = self
            .command(args)
            .stderr(Stdio::null())
            .output()
            .map_err(|e| {
                SetupError::LocalWiki(format!("cannot run {}: {e}", self.script.display()))
            })?;
        Ok((
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.success(),
        ))
    }

    /// Services that are running and healthy now.
    pub fn running(&self) -> Result<Vec<String>, SetupError> {
        Ok(parse_status(&self.capture(&["status"])?.0))
    }

    /// Installs missing packages (as root) or explains how to.
    pub fn ensure_packages(&self) -> Result<(), SetupError> {
        let present = self
            .command(&["check-packages"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if present {
            return Ok(());
        }
        eprintln!("wikiharness: the local wiki's Debian packages are missing; installing them");
        self.run_visible(&["install-packages"])
    }

    /// Provisions if needed and starts every service not running. The guard
    /// stops what this call started when dropped (unless `keep`).
    pub fn ensure_up(&self, keep: bool) -> Result<WikiGuard, SetupError> {
        self.ensure_packages()?;
        let before = self.running()?;
        let started: Vec<String> = SERVICES
            .iter()
            .filter(|s| !before.iter().any(|b| b == *s))
            .map(|s| s.to_string())
            .collect();
        if !started.is_empty() {
            eprintln!(
                "wikiharness: starting the local wiki ({})",
                started.join(", ")
            );
            let mut args = vec!["up"];
            args.extend(started.iter().map(String::as_str));
            self.run_visible(&args)?;
        }
        Ok(WikiGuard {
            wiki: self.clone(),
            started: if keep { Vec::new() } else { started },
        })
    }

    /// Credentials written at provisioning (`credentials.env`), behind the environment.
    pub fn credentials(&self) -> Result<CredentialSource, SetupError> {
        let path = self.state_dir.join("credentials.env");
        CredentialSource::with_file(&path).map_err(|e| {
            SetupError::LocalWiki(format!(
                "cannot read {}: {e} (run `ci/local-wiki/wiki provision`)",
                path.display()
            ))
        })
    }

    /// Exact job-queue counts by job type, from `wiki jobs`: all jobs, or
    /// only those whose title (DB key) starts with `title_prefix`.
    pub fn job_counts(&self, title_prefix: Option<&str>) -> Result<JobQueue, SetupError> {
        let mut args = vec!["jobs"];
        args.extend(title_prefix);
        match self.capture(&args)? {
            (out, true) => Ok(parse_jobs(&out)),
            (_, false) => Err(SetupError::LocalWiki(
                "`ci/local-wiki/wiki jobs` failed".into(),
            )),
        }
    }

    /// Stops services.
    pub fn down(&self, services: &[String]) -> Result<(), SetupError> {
        let mut args = vec!["down"];
        args.extend(services.iter().map(String::as_str));
        self.run_visible(&args)
    }
}

/// Stops the services a run started, when dropped.
#[derive(Debug)]
pub struct WikiGuard {
    wiki: LocalWiki,
    started: Vec<String>,
}

impl WikiGuard {
    /// The wiki.
    pub fn wiki(&self) -> &LocalWiki {
        &self.wiki
    }

    /// Stops what was started now (idempotent).
    pub fn stop(&mut self) {
        if self.started.is_empty() {
            return;
        }
        let services = std::mem::take(&mut self.started);
        eprintln!(
            "wikiharness: stopping the local wiki services this run started ({})",
            services.join(", ")
        );
        if let Err(e) = self.wiki.down(&services) {
            eprintln!("wikiharness: {e}");
        }
    }
}

impl Drop for WikiGuard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Services reported running by `wiki status` (lines `SERVICE STATE ...`).
fn parse_status(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let (svc, state) = (words.next()?, words.next()?);
            (SERVICES.contains(&svc) && state == "running").then(|| svc.to_owned())
        })
        .collect()
}

/// Jobs of one type in the queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobTypeCounts {
    /// Waiting for a runner.
    pub queued: u64,
    /// Claimed by a runner and still being tried.
    pub claimed: u64,
    /// Claimed, out of attempts: they never run again (MediaWiki prunes them after a week).
    pub abandoned: u64,
    /// Claim time (MediaWiki timestamp) of the oldest abandoned one.
    pub oldest_abandoned: Option<String>,
}

/// Job-queue counts by job type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobQueue(pub std::collections::BTreeMap<String, JobTypeCounts>);

impl JobQueue {
    /// Jobs still to run (queued or being tried).
    pub fn pending(&self) -> u64 {
        self.0.values().map(|c| c.queued + c.claimed).sum()
    }

    /// Pending jobs by type, for messages (`{"refreshLinks": 3}`).
    pub fn pending_by_type(&self) -> std::collections::BTreeMap<&str, u64> {
        self.0
            .iter()
            .map(|(t, c)| (t.as_str(), c.queued + c.claimed))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Abandoned jobs, said as what they are: `26 jobs abandoned (refreshLinksPrioritized 26), the oldest claimed 2026-12-05 10:10:10 UTC`.
    pub fn abandoned(&self) -> Option<String> {
        let total: u64 = self.0.values().map(|c| c.abandoned).sum();
        if total == 0 {
            return None;
        }
        let types: Vec<String> = self
            .0
            .iter()
            .filter(|(_, c)| c.abandoned > 0)
            .map(|(t, c)| format!("{t} {}", c.abandoned))
            .collect();
        let oldest = self
            .0
            .values()
            .filter_map(|c| c.oldest_abandoned.as_deref())
            .min()
            .map(|ts| format!(", the oldest claimed {}", mw_timestamp(ts)))
            .unwrap_or_default();
        Some(format!(
            "{total} job{} abandoned ({}){oldest}",
            if total == 1 { "" } else { "s" },
            types.join(", ")
        ))
    }
}

/// `20261205101010` as `2026-12-05 10:10:10 UTC` (other text as it is).
fn mw_timestamp(ts: &str) -> String {
    if ts.len() == 14 && ts.bytes().all(|b| b.is_ascii_digit()) {
        format!(
            "{}-{}-{} {}:{}:{} UTC",
            &ts[..4],
            &ts[4..6],
            &ts[6..8],
            &ts[8..10],
            &ts[10..12],
            &ts[12..]
        )
    } else {
        ts.to_owned()
    }
}

/// Job counts from `wiki jobs` lines
/// (`TYPE queued=N claimed=M abandoned=K [oldest_abandoned=TS]`, then `total N`).
fn parse_jobs(stdout: &str) -> JobQueue {
    JobQueue(
        stdout
            .lines()
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                let kind = words.next().filter(|k| *k != "total")?;
                let mut c = JobTypeCounts::default();
                for (key, value) in words.filter_map(|w| w.split_once('=')) {
                    let n = || value.parse::<u64>().unwrap_or(0);
                    match key {
                        "queued" => c.queued = n(),
                        "claimed" => c.claimed = n(),
                        "abandoned" => c.abandoned = n(),
                        "oldest_abandoned" => c.oldest_abandoned = Some(value.to_owned()),
                        _ => {}
                    }
                }
                Some((kind.to_owned(), c))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn job_lines_are_parsed() {
        let out = "htmlCacheUpdate              queued=2 claimed=1 abandoned=0\nrefreshLinksPrioritized      queued=0 claimed=0 abandoned=26 oldest_abandoned=20261205101010\nrefreshLinks                 queued=3 claimed=0 abandoned=0\ntotal 6\n";
        let q = super::parse_jobs(out);
        assert_eq!(q.0.len(), 3);
        assert_eq!(q.pending(), 6, "abandoned jobs are not pending");
        assert_eq!(
            q.pending_by_type(),
            [("htmlCacheUpdate", 3), ("refreshLinks", 3)].into()
        );
        assert_eq!(
            q.abandoned().as_deref(),
            Some(
                "26 jobs abandoned (refreshLinksPrioritized 26), the oldest claimed 2026-12-05 10:10:10 UTC"
            )
        );
        assert_eq!(super::parse_jobs("total 0\n").abandoned(), None);
    }

    #[test]
    fn status_lines_are_parsed() {
        let out = "web        running   port=18080 nginx=1 php-fpm=2\njobrunner  stopped   -\nshellbox   unhealthy port=18081\n";
        assert_eq!(super::parse_status(out), ["web"]);
    }
}
