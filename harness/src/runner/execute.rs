//! Runs one trial inside libtest-mimic: start event, body on the shared tokio
//! runtime with a time limit, evidence, finish event.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use libtest_mimic::{Completion, Failed, Trial};

use super::plan::{Disposition, Planned};
use crate::context::{RunShared, TrialCx};
use crate::events::{Capability, Event, EventLog, SkipCause, Status, TrialMeta, TrialRecord};
use crate::evidence::{Collected, Recorder};
use crate::trial::{TrialError, TrialSpec};

/// Where finished trials go: the event log (as they happen) and memory.
#[derive(Debug)]
pub struct Results {
    log: EventLog,
    trials: Mutex<Vec<TrialRecord>>,
}

impl Results {
    /// Results written to `log`.
    pub fn new(log: EventLog) -> Self {
        Results {
            log,
            trials: Mutex::default(),
        }
    }

    /// The event log.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    fn started(&self, name: &str) {
        self.log.emit(&Event::TrialStarted {
            trial: name.into(),
            at: now(),
        });
    }

    /// Records a finished trial.
    pub fn finished(&self, record: TrialRecord) {
        self.log
            .emit(&Event::TrialFinished(Box::new(record.clone())));
        self.trials
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record);
    }

    /// Records a trial that was not run, with its reason and cause.
    pub fn skipped(&self, meta: &TrialMeta, reason: &str, cause: SkipCause) {
        let mut r = record(
            meta,
            Status::Skipped,
            Some(reason.into()),
            now(),
            0.0,
            Collected::default(),
        );
        r.skip = Some(cause);
        self.finished(r);
    }

    /// Every trial finished so far.
    pub fn snapshot(&self) -> Vec<TrialRecord> {
        self.trials
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// RFC 3339 now, to the second (UTC).
pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn record(
    meta: &TrialMeta,
    status: Status,
    message: Option<String>,
    started_at: String,
    duration_ms: f64,
    c: Collected,
) -> TrialRecord {
    TrialRecord {
        meta: meta.clone(),
        skip: (status == Status::Skipped).then_some(SkipCause::Unavailable),
        status,
        message,
        started_at,
        duration_ms,
        requests: c.requests,
        backends: c.backends,
        evidence: c.exchanges,
        figures: c.figures,
        notes: c.notes,
        attachments: c.attachments,
        load: c.load,
    }
}

/// The libtest trial for a planned trial.
pub fn to_libtest(
    p: Planned,
    run: Arc<RunShared>,
    rt: tokio::runtime::Handle,
    results: Arc<Results>,
) -> Trial {
    let name = p.spec.meta.name.clone();
    let ignored = p.spec.opt_in.is_some();
    let trial = match p.disposition {
        Disposition::Skip(reason, cause) => {
            let meta = p.spec.meta.clone();
            Trial::ignorable_test(name, move || {
                results.skipped(&meta, &reason, cause.clone());
                Ok(Completion::ignored_with(reason))
            })
        }
        Disposition::Run => {
            Trial::ignorable_test(name, move || run_one(&p.spec, run, &rt, &results))
        }
    };
    trial.with_ignored_flag(ignored)
}

/// Trials that need [`Capability::Load`] run alone: each takes this lock for
/// writing, every other trial for reading, so that a load trial neither
/// measures the others nor slows them down. The lock is fair, so a waiting
/// load trial holds back trials that start after it.
static ALONE: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// Either side of [`ALONE`], held for a trial's whole run.
#[expect(dead_code, reason = "held only to be dropped when the trial ends")]
enum Turn {
    Alone(tokio::sync::RwLockWriteGuard<'static, ()>),
    Shared(tokio::sync::RwLockReadGuard<'static, ()>),
}

/// Whether the trial runs with no other trial beside it.
pub fn runs_alone(spec: &TrialSpec) -> bool {
    spec.meta.needs.contains(&Capability::Load)
}

async fn turn(spec: &TrialSpec) -> Turn {
    if runs_alone(spec) {
        Turn::Alone(ALONE.write().await)
    } else {
        Turn::Shared(ALONE.read().await)
    }
}

fn run_one(
    spec: &TrialSpec,
    run: Arc<RunShared>,
    rt: &tokio::runtime::Handle,
    results: &Results,
) -> Result<Completion, Failed> {
    // Waiting for a turn is neither the trial's time nor its time limit.
    let _turn = rt.block_on(turn(spec));
    let meta = Arc::new(spec.meta.clone());
    results.started(&meta.name);
    let started_at = now();
    let clock = Instant::now();
    let recorder = Arc::new(Recorder::new());
    let cx = TrialCx::new(run, recorder.clone(), meta.clone());
    let future = spec.start(cx);
    let limit = spec.timeout;
    let outcome = rt.block_on(async move {
        let task = tokio::spawn(future);
        let abort = task.abort_handle();
        match tokio::time::timeout(limit, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(TrialError::fail(format!(
                "the trial panicked: {}",
                panic_message(join)
            ))),
            Err(_) => {
                abort.abort();
                Err(TrialError::fail(format!(
                    "did not finish within {} s",
                    limit.as_secs()
                )))
            }
        }
    });
    let duration_ms = clock.elapsed().as_secs_f64() * 1000.0;
    let mut collected = recorder.take();
    let outcome = match (outcome, collected.backend_mismatch.take()) {
        (Ok(()), Some(mismatch)) => Err(TrialError::Failed(mismatch)),
        (outcome, _) => outcome,
    };
    let (status, message) = match &outcome {
        Ok(()) => (Status::Passed, None),
        Err(TrialError::Failed(m)) => (Status::Failed, Some(crate::redact::redact(m))),
        Err(TrialError::Skipped(r)) => (Status::Skipped, Some(r.clone())),
    };
    let last = collected
        .exchanges
        .last()
        .map(|e| format!("\n  last request: {}", e.summary()));
    results.finished(record(
        &meta,
        status,
        message.clone(),
        started_at,
        duration_ms,
        collected,
    ));
    match outcome {
        Ok(()) => Ok(Completion::Completed),
        Err(TrialError::Skipped(r)) => Ok(Completion::ignored_with(r)),
        Err(TrialError::Failed(_)) => Err(format!(
            "{}{}",
            message.unwrap_or_default(),
            last.unwrap_or_default()
        )
        .into()),
    }
}

fn panic_message(join: tokio::task::JoinError) -> String {
    match join.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "non-text panic".into()),
        Err(e) => e.to_string(),
    }
}
