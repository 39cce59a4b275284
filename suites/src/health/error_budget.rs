//! The error budget of one service: the errors its servers logged since the
//! run started, judged against the target's budget (0 by default).

use std::collections::BTreeMap;

use wikiharness_harness::{TrialCx, TrialError, TrialOutcome};

/// Distinct errors listed in a failure.
const LISTED: usize = 5;

/// Fails when `service` logged more errors than the target's budget allows,
/// listing the first distinct ones (class, message head, count).
pub async fn within_budget(cx: TrialCx, service: String) -> TrialOutcome {
    let errors = cx.server_errors()?;
    let budget = cx.target().error_logs.as_ref().map_or(0, |l| l.budget);
    let (stand_in, mine): (Vec<_>, Vec<_>) = errors
        .iter()
        .filter(|e| e.service == service)
        .partition(|e| e.stand_in.is_some());
    if let Some(first) = stand_in.first() {
        cx.note(format!(
            "{} logged line(s) not counted, as the local stand-in alone logs them: {} ({}: {})",
            stand_in.len(),
            first.stand_in.unwrap_or_default(),
            first.class,
            first.message
        ));
    }
    cx.figure("errors logged", mine.len() as f64, "errors");
    let mut distinct: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    for (i, e) in mine.iter().enumerate() {
        let entry = distinct.entry((&e.class, &e.message)).or_insert((i, 0));
        entry.1 += 1;
    }
    let mut listed: Vec<_> = distinct.into_iter().collect();
    listed.sort_by_key(|(_, (first, _))| *first);
    let shown: Vec<String> = listed
        .iter()
        .take(LISTED)
        .map(|((class, message), (_, n))| format!("{class}: {message} (×{n})"))
        .collect();
    if mine.len() as u64 > u64::from(budget) {
        return Err(TrialError::fail(format!(
            "{service} logged {} errors during the run (budget {budget}), {} distinct: {}",
            mine.len(),
            listed.len(),
            shown.join("; ")
        )));
    }
    if !mine.is_empty() {
        cx.note(format!(
            "within the budget of {budget}: {}",
            shown.join("; ")
        ));
    }
    Ok(())
}
