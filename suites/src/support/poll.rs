//! Waiting for an effect that happens later (jobs, deferred updates, search
//! index): poll with back-off until a deadline, and record the time it took.

use std::future::Future;
use std::time::{Duration, Instant};

use wikiharness_harness::{TrialCx, TrialError};

/// First wait between probes; doubles up to [`MAX_STEP`].
const FIRST_STEP: Duration = Duration::from_millis(100);
const MAX_STEP: Duration = Duration::from_secs(2);

/// Polls `probe` until it returns `Ok(Ok(value))` or the target's effect
/// deadline (`effect_deadline_secs`) passes.
///
/// `probe` returns `Ok(Err(seen))` while the effect is not there yet, with a
/// description of what it saw; that description ends up in the failure message.
/// The time to effect is recorded as figure `time_to_effect:<effect>` (ms).
pub async fn until<T, F, Fut>(cx: &TrialCx, effect: &str, mut probe: F) -> Result<T, TrialError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Result<T, String>, TrialError>>,
{
    let deadline = cx.target().effect_deadline;
    let start = Instant::now();
    let mut step = FIRST_STEP;
    let mut probes = 0u32;
    loop {
        probes += 1;
        match probe().await? {
            Ok(value) => {
                let ms = start.elapsed().as_secs_f64() * 1000.0;
                cx.figure(&format!("time_to_effect:{effect}"), ms, "ms");
                return Ok(value);
            }
            Err(seen) if start.elapsed() >= deadline => {
                return Err(TrialError::fail(format!(
                    "{effect}: not seen within {:.0} s ({probes} probes); last seen: {seen}",
                    deadline.as_secs_f64()
                )));
            }
            Err(_) => {
                tokio::time::sleep(
                    step.min(deadline.saturating_sub(start.elapsed()) + Duration::from_millis(10)),
                )
                .await;
                step = (step * 2).min(MAX_STEP);
            }
        }
    }
}
