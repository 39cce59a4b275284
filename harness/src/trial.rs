//! Trials: a name, what the trial needs, and an async body.
//!
//! Suites build [`TrialSpec`]s with [`TrialSpec::build`]; the runner decides
//! whether each can run against the target and turns it into a libtest trial.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use wikiharness_record::{Capability, TrialMeta};

use crate::context::TrialCx;
use crate::error::TrialOutcome;

/// A boxed trial body future.
pub type TrialFuture = Pin<Box<dyn Future<Output = TrialOutcome> + Send + 'static>>;

type Body = Arc<dyn Fn(TrialCx) -> TrialFuture + Send + Sync>;

/// Default time a trial may take before it fails.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(180);

/// A trial: metadata plus body.
#[derive(Clone)]
pub struct TrialSpec {
    /// Identity and ownership.
    pub meta: TrialMeta,
    /// Account roles it logs in as.
    pub accounts: Vec<String>,
    /// If set, the trial is ignored unless asked for: the flag that asks
    /// (`--load`; `--include-ignored` asks for every such trial).
    pub opt_in: Option<String>,
    /// Time limit.
    pub timeout: Duration,
    /// Starts only after every other trial of the run ended (it judges the
    /// whole run, e.g. the errors the servers logged).
    pub after_all: bool,
    body: Body,
}

impl std::fmt::Debug for TrialSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrialSpec")
            .field("meta", &self.meta)
            .field("accounts", &self.accounts)
            .finish_non_exhaustive()
    }
}

impl TrialSpec {
    /// Starts a trial named `suite::check`. Its team and feature are not the
    /// trial's to say: the readiness registry assigns them to the catalog.
    pub fn build(suite: &str, check: &str) -> TrialBuilder {
        TrialBuilder {
            meta: TrialMeta {
                name: format!("{suite}::{check}"),
                suite: suite.into(),
                feature: String::new(),
                team: String::new(),
                needs: vec![Capability::Read],
                production_safe: true,
            },
            accounts: Vec::new(),
            opt_in: None,
            timeout: DEFAULT_TIMEOUT,
            after_all: false,
        }
    }

    /// Starts the body.
    pub fn start(&self, cx: TrialCx) -> TrialFuture {
        (self.body)(cx)
    }
}

/// Builder for [`TrialSpec`].
#[derive(Debug, Clone)]
pub struct TrialBuilder {
    meta: TrialMeta,
    accounts: Vec<String>,
    opt_in: Option<String>,
    timeout: Duration,
    after_all: bool,
}

impl TrialBuilder {
    /// Adds a needed capability.
    pub fn needs(mut self, cap: Capability) -> Self {
        if !self.meta.needs.contains(&cap) {
            self.meta.needs.push(cap);
            self.meta.needs.sort();
        }
        if cap == Capability::Load {
            self.meta.production_safe = false;
        }
        self
    }

    /// Logs in as the account `role` (adds the `login` capability).
    pub fn account(mut self, role: &str) -> Self {
        self.accounts.push(role.into());
        self.needs(Capability::Login)
    }

    /// Marks the trial unsafe against production wikis.
    pub fn not_for_production(mut self) -> Self {
        self.meta.production_safe = false;
        self
    }

    /// Ignored unless asked for with `flag` (or `--include-ignored`).
    pub fn opt_in(mut self, flag: &str) -> Self {
        self.opt_in = Some(flag.into());
        self
    }

    /// Time limit.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Starts only after every other trial of the run ended.
    pub fn after_all(mut self) -> Self {
        self.after_all = true;
        self
    }

    /// Finishes the trial with its body.
    pub fn run<F, Fut>(self, body: F) -> TrialSpec
    where
        F: Fn(TrialCx) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = TrialOutcome> + Send + 'static,
    {
        TrialSpec {
            meta: self.meta,
            accounts: self.accounts,
            opt_in: self.opt_in,
            timeout: self.timeout,
            after_all: self.after_all,
            body: Arc::new(move |cx| Box::pin(body(cx))),
        }
    }
}
