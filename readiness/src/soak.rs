//! A soak: the same job run N times against one target, tallied per trial so
//! that a flaky trial is found before a release, not during one.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use wikiharness_record::RunRecord;

use crate::outcomes::Outcomes;

/// One trial's row of the soak table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SoakRow {
    /// Trial name.
    pub trial: String,
    /// Its outcomes over the runs.
    #[serde(flatten)]
    pub outcomes: Outcomes,
}

/// Tallies `runs`: one row per trial, flaky ones first, then ones that always
/// failed, then the rest, each by name. Failure messages are normalised so
/// that a run's id or a per-run number does not make a message distinct.
pub fn tally(runs: &[RunRecord]) -> Vec<SoakRow> {
    let mut rows: BTreeMap<String, Outcomes> = BTreeMap::new();
    for run in runs {
        for t in &run.trials {
            let message = t.message.as_deref().map(|m| normalise(m, &run.info.run_id));
            rows.entry(t.meta.name.clone())
                .or_default()
                .add(t.status, message.as_deref());
        }
    }
    let mut rows: Vec<SoakRow> = rows
        .into_iter()
        .map(|(trial, outcomes)| SoakRow { trial, outcomes })
        .collect();
    rows.sort_by_key(|r| (!r.outcomes.flaky(), r.outcomes.failures == 0));
    rows
}

/// The flaky trials of a tally (the history's definition: passed and failed).
pub fn flaky(rows: &[SoakRow]) -> BTreeSet<String> {
    rows.iter()
        .filter(|r| r.outcomes.flaky())
        .map(|r| r.trial.clone())
        .collect()
}

/// The first line of a message, with the run id as `<run>` and every run of
/// four or more digits as `#`.
fn normalise(message: &str, run_id: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let first = if run_id.is_empty() {
        first.to_owned()
    } else {
        first.replace(run_id, "<run>")
    };
    let mut out = String::with_capacity(first.len());
    let mut digits = String::new();
    for c in first.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() >= 4 {
            out.push('#');
        } else {
            out.push_str(&digits);
        }
        digits.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// The soak table as text: trial, passes, failures, skips, distinct failure
/// messages (with counts).
pub fn table(rows: &[SoakRow]) -> String {
    let width = rows.iter().map(|r| r.trial.len()).max().unwrap_or(5).max(5);
    let mut out = format!(
        "{:width$}  {:>6}  {:>8}  {:>5}  distinct failure messages\n",
        "trial", "passes", "failures", "skips"
    );
    for r in rows {
        let o = &r.outcomes;
        let messages: Vec<String> = o
            .messages
            .iter()
            .map(|(m, n)| format!("{n}x {m}"))
            .collect();
        out.push_str(&format!(
            "{:width$}  {:>6}  {:>8}  {:>5}  {}{}\n",
            r.trial,
            o.passes,
            o.failures,
            o.skips,
            if o.flaky() { "FLAKY " } else { "" },
            messages.join(" | ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use wikiharness_record::{RunInfo, Status};

    use super::*;
    use crate::history::{History, HistoryEntry};
    use crate::test_support::trial;

    fn run(id: &str, trials: &[(&str, Status, Option<&str>)]) -> RunRecord {
        let mut info = RunInfo::new(id, "local", "http://127.0.0.1/");
        info.git_commit = Some("abc".into());
        let trials = trials
            .iter()
            .map(|(name, status, message)| trial(name, *status, *message))
            .collect();
        RunRecord::of(info, trials)
    }

    fn runs() -> Vec<RunRecord> {
        use Status::*;
        vec![
            run(
                "R1",
                &[
                    ("a", Passed, None),
                    (
                        "b",
                        Failed,
                        Some("page Wikiharness/R1/b lost 12345 bytes\nmore"),
                    ),
                    ("c", Failed, Some("down")),
                    ("d", Skipped, Some("opt-in")),
                ],
            ),
            run(
                "R2",
                &[
                    ("a", Passed, None),
                    ("b", Passed, None),
                    ("c", Failed, Some("down")),
                    ("d", Skipped, Some("opt-in")),
                ],
            ),
            run(
                "R3",
                &[
                    ("a", Passed, None),
                    ("b", Failed, Some("page Wikiharness/R3/b lost 67890 bytes")),
                    ("c", Failed, Some("down")),
                    ("d", Skipped, Some("opt-in")),
                ],
            ),
        ]
    }

    #[test]
    fn tallies_outcomes_and_distinct_messages() {
        let rows = tally(&runs());
        let names: Vec<_> = rows.iter().map(|r| r.trial.as_str()).collect();
        assert_eq!(names, ["b", "c", "a", "d"], "flaky, failing, then the rest");
        let b = &rows[0].outcomes;
        assert_eq!((b.passes, b.failures, b.skips), (1, 2, 0));
        assert_eq!(
            b.messages,
            [("page Wikiharness/<run>/b lost # bytes".to_string(), 2)].into()
        );
        assert!(b.flaky() && !rows[1].outcomes.flaky());
        let text = table(&rows);
        assert!(
            text.contains("FLAKY 2x page Wikiharness/<run>/b lost # bytes"),
            "{text}"
        );
        assert!(text.lines().nth(2).unwrap().contains("3x down"), "{text}");
    }

    #[test]
    fn agrees_with_the_history() {
        let runs = runs();
        let mut history = History {
            path: PathBuf::new(),
            entries: vec![],
        };
        let registry =
            crate::Registry::parse(std::path::Path::new("r.toml"), "teams = []").unwrap();
        let (last, earlier) = runs.split_last().unwrap();
        for r in earlier {
            let readiness = crate::judge(&registry, r, &BTreeSet::new());
            history.entries.push(HistoryEntry::of(r, &readiness));
        }
        assert_eq!(history.flaky(last), flaky(&tally(&runs)));
        assert_eq!(flaky(&tally(&runs)), ["b".to_string()].into());
    }
}
