//! The run's journal: every result event written to `events.jsonl` as it
//! happens, and the finished trials kept for the summary.

use std::sync::Mutex;

use wikiharness_record::{Event, EventLog, SkipCause, Status, TrialMeta, TrialRecord};

use crate::evidence::Collected;

/// Where events and finished trials go: the event log, as they happen, and memory.
#[derive(Debug)]
pub struct Journal {
    log: EventLog,
    trials: Mutex<Vec<TrialRecord>>,
}

impl Journal {
    /// A journal written to `log`.
    pub fn new(log: EventLog) -> Self {
        Journal {
            log,
            trials: Mutex::default(),
        }
    }

    /// The event log.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    pub(super) fn started(&self, name: &str) {
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

/// The record of a trial that ended with `status`.
pub(super) fn record(
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
