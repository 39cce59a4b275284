//! The close of a run, reached once (normally or on Ctrl-C): clean-up,
//! `summary.json`, the reports, stopping what the run started.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use wikiharness_record::{Cleanup, Counts, Event, RunInfo, RunRecord, run_dir};

use super::journal::{Journal, now};
use super::{Finish, cleanup, console};
use crate::context::RunShared;
use crate::localwiki::WikiGuard;

/// The end of a run, reached once: normally or on Ctrl-C.
pub(super) struct Closing {
    info: RunInfo,
    clock: Instant,
    run_dir: PathBuf,
    report_root: PathBuf,
    journal: Arc<Journal>,
    finish: Arc<Finish>,
    wiki: Mutex<Option<WikiGuard>>,
    cleanup: Mutex<Option<Cleanup>>,
    done: AtomicBool,
}

impl Closing {
    /// The close of the run described by `info`, started at `clock`, whose
    /// trials are in `journal`; `wiki` is stopped at the end when the run
    /// started it.
    pub(super) fn new(
        info: RunInfo,
        clock: Instant,
        run_dir: PathBuf,
        report_root: PathBuf,
        journal: Arc<Journal>,
        finish: Arc<Finish>,
        wiki: Option<WikiGuard>,
    ) -> Self {
        Closing {
            info,
            clock,
            run_dir,
            report_root,
            journal,
            finish,
            wiki: Mutex::new(wiki),
            cleanup: Mutex::default(),
            done: AtomicBool::new(false),
        }
    }

    /// Deletes the pages the run created (unless kept) and remembers the outcome.
    pub(super) async fn clean_up(&self, shared: &RunShared, keep_pages: bool) {
        if keep_pages {
            console::kept_pages(shared.created_pages().len());
            return;
        }
        let report = cleanup::delete_created(shared).await;
        console::cleaned_up(&report);
        *self.cleanup.lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
    }

    /// Writes `summary.json` and the reports, stops what the run started.
    /// Returns true if writing a report failed.
    pub(super) fn close(&self, interrupted: bool) -> bool {
        if self.done.swap(true, Ordering::SeqCst) {
            return false;
        }
        let trials = self.journal.snapshot();
        let counts = Counts::of(&trials);
        let finished_at = now();
        self.journal.log().emit(&Event::RunFinished {
            at: finished_at.clone(),
            counts,
            interrupted,
        });
        let record = RunRecord {
            info: self.info.clone(),
            finished_at: Some(finished_at),
            duration_s: self.clock.elapsed().as_secs_f64(),
            interrupted,
            counts,
            trials,
            cleanup: self
                .cleanup
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(),
        };
        let written = run_dir::write_summary(&self.run_dir, &record).and_then(|summary| {
            let published = (self.finish)(&record, &self.run_dir)?;
            Ok((summary, published))
        });
        let (report_failed, last_lines) = match written {
            Ok((summary, published)) => {
                console::wrote(std::iter::once(&summary).chain(&published.files));
                (false, published.last_lines)
            }
            Err(e) => {
                console::error(&e);
                (true, Vec::new())
            }
        };
        console::load_table(&record);
        if let Some(mut wiki) = self.wiki.lock().unwrap_or_else(|e| e.into_inner()).take() {
            wiki.stop();
        }
        console::finished(
            &record,
            &self.report_root.join(run_dir::LATEST),
            &last_lines,
        );
        report_failed
    }
}
