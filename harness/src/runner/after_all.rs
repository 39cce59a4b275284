//! Trials that judge the whole run (`TrialSpec::after_all`) start once every
//! other trial libtest will run has ended. They are handed to libtest last, so
//! the trials they wait for already hold their threads: no one waits on a
//! trial that cannot start.

use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

use super::plan::Planned;

/// How many trials are still to end before the after-all trials start.
#[derive(Debug)]
pub struct AfterAll {
    others: AtomicUsize,
    ended: Notify,
}

impl AfterAll {
    /// Counts the selected trials that are not after-all trials.
    pub fn new(planned: &[Planned]) -> Self {
        AfterAll {
            others: AtomicUsize::new(
                planned
                    .iter()
                    .filter(|p| p.selected && !p.spec.after_all)
                    .count(),
            ),
            ended: Notify::new(),
        }
    }

    /// One of the others ended (passed, failed, skipped or panicked).
    pub fn one_ended(&self) {
        let before = self.others.fetch_sub(1, Ordering::SeqCst);
        if before <= 1 {
            self.others.store(0, Ordering::SeqCst);
            self.ended.notify_waiters();
        }
    }

    /// Waits until every other trial ended.
    pub async fn wait(&self) {
        loop {
            let mut notified = pin!(self.ended.notified());
            notified.as_mut().enable();
            if self.others.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// Calls [`AfterAll::one_ended`] when dropped: also when the trial panics.
pub struct Ended<'a>(pub &'a AfterAll);

impl Drop for Ended<'_> {
    fn drop(&mut self) {
        self.0.one_ended();
    }
}
