//! What a trial body gets: the target, sessions, logins, sandbox titles, and
//! a place to put figures and notes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::client::{ClientConfig, RetryPolicy, Session};
use crate::error::TrialError;
use crate::evidence::Collector;
use crate::server_logs::{LoggedError, ServerLogs};
use crate::target::{CredentialSource, Credentials, Target};
use wikiharness_record::TrialMeta;

/// State shared by all trials of a run.
#[derive(Debug)]
pub struct RunShared {
    /// The target.
    pub target: Arc<Target>,
    /// The run id.
    pub run_id: String,
    /// The run directory (attachments go here).
    pub run_dir: PathBuf,
    /// Where credentials come from.
    pub credentials: CredentialSource,
    /// The target's concurrency cap, shared by every session.
    pub limiter: Arc<Semaphore>,
    /// Retry policy for every session.
    pub retry: RetryPolicy,
    /// The baseline target of diff mode, with its own concurrency cap.
    pub baseline: Option<(Arc<Target>, Arc<Semaphore>)>,
    /// The target's error logs as they were when the run started, or why
    /// they cannot be read.
    pub server_logs: Result<ServerLogs, String>,
    created_pages: Mutex<Vec<String>>,
}

impl RunShared {
    /// Shared state for a run.
    pub fn new(
        target: Arc<Target>,
        run_id: String,
        run_dir: PathBuf,
        credentials: CredentialSource,
    ) -> Self {
        RunShared {
            server_logs: ServerLogs::mark(&target),
            limiter: Arc::new(Semaphore::new(target.max_concurrent_requests)),
            target,
            run_id,
            run_dir,
            credentials,
            retry: RetryPolicy::default(),
            baseline: None,
            created_pages: Mutex::default(),
        }
    }

    /// The same, with a baseline target for diff mode.
    pub fn with_baseline(mut self, baseline: Option<Arc<Target>>) -> Self {
        self.baseline = baseline.map(|b| {
            let cap = Arc::new(Semaphore::new(b.max_concurrent_requests));
            (b, cap)
        });
        self
    }

    /// Credentials of the account `role`.
    pub fn credentials(&self, role: &str) -> Result<Credentials, String> {
        let account = self.target.accounts.get(role).ok_or_else(|| {
            format!(
                "target `{}` defines no account `{role}` (accounts.{role} in {})",
                self.target.name,
                self.target.file.display()
            )
        })?;
        self.credentials.resolve(account).map_err(|(field, var)| {
            format!(
                "account `{role}` of target `{}`: environment variable {var} is not set (accounts.{role}.{field} in {})",
                self.target.name,
                self.target.file.display()
            )
        })
    }

    /// A session that collects evidence into `evidence`.
    pub fn session(&self, evidence: Option<Arc<Collector>>) -> Result<Session, TrialError> {
        Ok(Session::new(ClientConfig {
            target: self.target.clone(),
            limiter: self.limiter.clone(),
            evidence,
            retry: self.retry.clone(),
            resolve: None,
            as_sent: false,
        })?)
    }

    /// Pages created by this run, for clean-up.
    pub fn created_pages(&self) -> Vec<String> {
        self.created_pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The sandbox prefix of this run, or why there is none.
    pub fn sandbox_prefix(&self) -> Result<String, String> {
        let user = ["bot", "user"]
            .iter()
            .find_map(|r| self.credentials(r).ok())
            .map(|c| c.wiki_user().to_owned());
        self.target
            .write
            .prefix_for(&self.run_id, user.as_deref())
            .ok_or_else(|| {
                format!(
                    "target `{}` is read-only (write.policy in {})",
                    self.target.name,
                    self.target.file.display()
                )
            })
    }
}

/// A trial's view of the run.
#[derive(Debug, Clone)]
pub struct TrialCx {
    run: Arc<RunShared>,
    evidence: Arc<Collector>,
    meta: Arc<TrialMeta>,
}

impl TrialCx {
    /// The context of one trial.
    pub fn new(run: Arc<RunShared>, evidence: Arc<Collector>, meta: Arc<TrialMeta>) -> Self {
        TrialCx {
            run,
            evidence,
            meta,
        }
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.run.target
    }

    /// The run id (put it in content so that no cache answers for us).
    pub fn run_id(&self) -> &str {
        &self.run.run_id
    }

    /// The trial's metadata.
    pub fn meta(&self) -> &TrialMeta {
        &self.meta
    }

    /// The run directory.
    pub fn run_dir(&self) -> &Path {
        &self.run.run_dir
    }

    /// A new anonymous session.
    pub fn session(&self) -> Result<Session, TrialError> {
        self.run.session(Some(self.evidence.clone()))
    }

    /// A new anonymous httpbb session: it connects to `addr` for URLs on
    /// `host`, keeping `host` in the URL and the Host header (httpbb's
    /// `--host`), and sees answers as sent (no transparent decoding). When
    /// `addr` is not the target's own (`target_addr` false), answers are not
    /// held to the target's serving-backend pattern.
    pub fn httpbb_session(
        &self,
        host: &str,
        addr: std::net::SocketAddr,
        target_addr: bool,
    ) -> Result<Session, TrialError> {
        let mut target = self.run.target.clone();
        if !target_addr {
            let mut other = (*target).clone();
            other.serving_backend = None;
            target = Arc::new(other);
        }
        Ok(Session::new(ClientConfig {
            target,
            limiter: self.run.limiter.clone(),
            evidence: Some(self.evidence.clone()),
            retry: self.run.retry.clone(),
            resolve: Some((host.to_owned(), addr)),
            as_sent: true,
        })?)
    }

    /// A new anonymous session with the baseline target (a skip without `--baseline`).
    pub fn baseline_session(&self) -> Result<Session, TrialError> {
        let (target, limiter) = self
            .run
            .baseline
            .clone()
            .ok_or_else(|| TrialError::skip("diff mode needs --baseline TARGET"))?;
        Ok(Session::new(ClientConfig {
            target,
            limiter,
            evidence: Some(self.evidence.clone()),
            retry: self.run.retry.clone(),
            resolve: None,
            as_sent: false,
        })?)
    }

    /// The baseline target, if any.
    pub fn baseline(&self) -> Option<&Target> {
        self.run.baseline.as_ref().map(|(t, _)| t.as_ref())
    }

    /// Credentials of account `role` (a skip if they are not available).
    pub fn credentials(&self, role: &str) -> Result<Credentials, TrialError> {
        self.run.credentials(role).map_err(TrialError::Skipped)
    }

    /// A new session logged in as account `role`.
    pub async fn login(&self, role: &str) -> Result<Session, TrialError> {
        let creds = self.credentials(role)?;
        let session = self.session()?;
        session
            .login(&creds)
            .await
            .map_err(|e| TrialError::fail(e.to_string()))?;
        Ok(session)
    }

    /// A page title that belongs to this trial: `<run prefix><suite>/<check>/<name>`
    /// (underscores of the check shown as spaces, as MediaWiki normalises them).
    /// Two trials asking for the same `name` get different pages, so no trial
    /// counts another one's revisions, links or category members. A skip on a
    /// read-only target.
    pub fn sandbox_title(&self, name: &str) -> Result<String, TrialError> {
        Ok(format!("{}{name}", self.trial_prefix()?))
    }

    /// A file name of this trial's sandbox, `File:` included: the sandbox
    /// title of `name` with `/` and `:` as `-` (file names are flat), e.g.
    /// `File:Wikiharness-<run>-media-upload png-Upload.png`, or
    /// `File:User-Alice-Wikiharness-<run>-...` under a user-space prefix.
    /// A skip on a read-only target.
    pub fn sandbox_file(&self, name: &str) -> Result<String, TrialError> {
        let flat = self.sandbox_title(name)?.replace(['/', ':'], "-");
        Ok(format!("File:{flat}"))
    }

    /// The title prefix of this trial's pages (`<run prefix><suite>/<check>/`),
    /// e.g. to find the jobs its edits caused.
    pub fn trial_prefix(&self) -> Result<String, TrialError> {
        let prefix = self.run.sandbox_prefix().map_err(TrialError::Skipped)?;
        let trial = self.meta.name.replace("::", "/").replace('_', " ");
        Ok(format!("{prefix}{trial}/"))
    }

    /// A short tag of letters and digits unique to this trial's name (FNV-1a,
    /// hex), for words that must not be shared between trials of a run
    /// (category names, search terms) but must stay one token.
    pub fn trial_tag(&self) -> String {
        let hash = self.meta.name.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        format!("{hash:08x}")
    }

    /// The errors the target's servers logged since the run started; a skip
    /// naming the source when the harness cannot read it.
    pub fn server_errors(&self) -> Result<&[LoggedError], TrialError> {
        match &self.run.server_logs {
            Ok(logs) => Ok(logs.errors()),
            Err(why) => Err(TrialError::skip(why.clone())),
        }
    }

    /// Registers a page this run created, for clean-up at the end.
    pub fn created(&self, title: &str) {
        let mut pages = self
            .run
            .created_pages
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if !pages.iter().any(|p| p == title) {
            pages.push(title.to_owned());
        }
    }

    /// Records a figure (e.g. `time_to_effect`, `ms`).
    pub fn figure(&self, name: &str, value: f64, unit: &str) {
        self.evidence.figure(name, value, unit);
    }

    /// Leaves a note for readers of the report.
    pub fn note(&self, text: impl Into<String>) {
        self.evidence.note(text);
    }

    /// Attaches a load trial's summary (figures and histograms).
    pub fn load_summary(&self, summary: wikiharness_record::load::LoadSummary) {
        self.evidence.load(summary);
    }

    /// Writes `bytes` as an attachment `name` in the run directory and records it.
    pub fn attach(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, TrialError> {
        let rel = PathBuf::from("attachments")
            .join(format!("{}-{name}", self.meta.name.replace("::", "-")));
        let abs = self.run.run_dir.join(&rel);
        std::fs::create_dir_all(abs.parent().expect("has parent"))
            .and_then(|_| std::fs::write(&abs, bytes))
            .map_err(|e| {
                TrialError::fail(format!("cannot write attachment {}: {e}", abs.display()))
            })?;
        self.evidence.attach(rel.clone());
        Ok(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Registry;
    use wikiharness_record::Capability;

    fn cx(run: &Arc<RunShared>, trial: &str) -> TrialCx {
        let (suite, _) = trial.split_once("::").unwrap();
        let meta = TrialMeta {
            name: trial.into(),
            suite: suite.into(),
            feature: "f".into(),
            team: "t".into(),
            needs: vec![Capability::Write],
            production_safe: true,
        };
        TrialCx::new(run.clone(), Arc::new(Collector::new()), Arc::new(meta))
    }

    fn run(target: &str) -> Arc<RunShared> {
        let file = crate::paths::repo_registry();
        let target = Registry::load(&[file])
            .unwrap()
            .get(target)
            .unwrap()
            .clone();
        Arc::new(RunShared::new(
            Arc::new(target),
            "20261206T080737Z-b9cf".into(),
            PathBuf::new(),
            CredentialSource::env_only(),
        ))
    }

    #[test]
    fn a_sandbox_title_belongs_to_one_trial() {
        let run = run("local");
        let (a, b) = (
            cx(&run, "concurrency::simultaneous_edits_lose_nothing"),
            cx(&run, "load::edit_burst_loses_nothing"),
        );
        let (ta, tb) = (
            a.sandbox_title("Concurrent appends").unwrap(),
            b.sandbox_title("Concurrent appends").unwrap(),
        );
        assert_eq!(
            ta,
            "Wikiharness/20261206T080737Z-b9cf/concurrency/simultaneous edits lose nothing/Concurrent appends"
        );
        assert_ne!(ta, tb, "two trials of one run must not share a page");
        assert_eq!(ta, a.sandbox_title("Concurrent appends").unwrap());
        assert!(ta.starts_with(&a.trial_prefix().unwrap()));
        assert!(!tb.starts_with(&a.trial_prefix().unwrap()));
    }

    #[test]
    fn a_sandbox_file_is_flat_and_in_the_sandbox() {
        let run = run("local");
        let file = cx(&run, "media::upload_png")
            .sandbox_file("Dot.png")
            .unwrap();
        assert_eq!(
            file,
            "File:Wikiharness-20261206T080737Z-b9cf-media-upload png-Dot.png"
        );
    }

    #[test]
    fn a_production_sandbox_file_is_in_user_space() {
        let run = run("test2");
        let file = cx(&run, "media::upload_png")
            .sandbox_file("Dot.png")
            .unwrap();
        assert!(
            file.starts_with("File:User-") && file.contains("-Wikiharness-20261206T080737Z-b9cf-"),
            "{file}"
        );
    }

    #[test]
    fn trial_tags_are_short_words_that_differ_between_trials() {
        let run = run("local");
        let a = cx(&run, "api::parse_renders_wikitext").trial_tag();
        let b = cx(&run, "shellbox::syntaxhighlight_parse_has_token_spans").trial_tag();
        assert_ne!(a, b);
        assert_eq!(a, cx(&run, "api::parse_renders_wikitext").trial_tag());
        assert!(
            a.len() == 8 && a.chars().all(|c| c.is_ascii_alphanumeric()),
            "{a}"
        );
    }

    #[test]
    fn a_read_only_target_gives_no_sandbox_title() {
        let run = Arc::new({
            let mut t = (*run("test2").target).clone();
            t.write = crate::target::WritePolicy::ReadOnly;
            RunShared::new(
                Arc::new(t),
                "r".into(),
                PathBuf::new(),
                CredentialSource::env_only(),
            )
        });
        let err = cx(&run, "api::edit_create_append_section")
            .sandbox_title("X")
            .unwrap_err();
        assert!(
            matches!(err, TrialError::Skipped(ref r) if r.contains("read-only")),
            "{err:?}"
        );
    }
}
