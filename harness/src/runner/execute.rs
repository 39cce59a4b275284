//! Runs one trial inside libtest-mimic: start event, body on the shared tokio
//! runtime with a time limit, evidence, finish event.

use std::sync::Arc;
use std::time::Instant;

use libtest_mimic::{Completion, Failed, Trial};

use wikiharness_record::{Capability, Status};

use super::after_all::{AfterAll, Ended};
use super::journal::{Journal, now, record};
use super::plan::{Disposition, Planned};
use crate::context::{RunShared, TrialCx};
use crate::error::TrialError;
use crate::evidence::Collector;
use crate::trial::TrialSpec;

/// The libtest trials of a plan, in its order; after-all trials wait for
/// the others of this plan.
pub fn to_libtest_all(
    planned: Vec<Planned>,
    run: &Arc<RunShared>,
    rt: &tokio::runtime::Handle,
    journal: &Arc<Journal>,
) -> Vec<Trial> {
    let order = Arc::new(AfterAll::new(&planned));
    planned
        .into_iter()
        .map(|p| to_libtest(p, run.clone(), rt.clone(), journal.clone(), order.clone()))
        .collect()
}

/// The libtest trial for a planned trial.
fn to_libtest(
    p: Planned,
    run: Arc<RunShared>,
    rt: tokio::runtime::Handle,
    journal: Arc<Journal>,
    order: Arc<AfterAll>,
) -> Trial {
    let name = p.spec.meta.name.clone();
    let ignored = p.spec.opt_in.is_some();
    let after_all = p.spec.after_all;
    let trial = match p.disposition {
        Disposition::Skip(reason, cause) => {
            let meta = p.spec.meta.clone();
            Trial::ignorable_test(name, move || {
                let _ended = (!after_all).then(|| Ended(&order));
                journal.skipped(&meta, &reason, cause.clone());
                Ok(Completion::ignored_with(reason))
            })
        }
        Disposition::Run => Trial::ignorable_test(name, move || {
            if after_all {
                rt.block_on(order.wait());
            }
            let _ended = (!after_all).then(|| Ended(&order));
            run_one(&p.spec, run, &rt, &journal)
        }),
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

/// Where a trial goes in libtest's queue: those that run alone first (so that
/// none waits for others to drain), those that judge the whole run last.
pub fn queue_place(spec: &TrialSpec) -> u8 {
    match (runs_alone(spec), spec.after_all) {
        (true, _) => 0,
        (false, false) => 1,
        (false, true) => 2,
    }
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
    journal: &Journal,
) -> Result<Completion, Failed> {
    // Waiting for a turn is neither the trial's time nor its time limit.
    let _turn = rt.block_on(turn(spec));
    let meta = Arc::new(spec.meta.clone());
    journal.started(&meta.name);
    let started_at = now();
    let clock = Instant::now();
    let collector = Arc::new(Collector::new());
    let cx = TrialCx::new(run, collector.clone(), meta.clone());
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
    let mut collected = collector.take();
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
    journal.finished(record(
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
