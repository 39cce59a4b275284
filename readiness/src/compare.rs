//! What changed between two runs of the same job: trials whose status
//! changed, features whose verdict changed, latency figures that moved
//! beyond a tolerance, and the serving backends seen. The verdict "worse"
//! travels as data ([`Comparison::worse`]); renderers only print it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use wikiharness_record::{Figure, RunRecord, Status, TrialRecord};

use crate::registry::Registry;
use crate::verdict::{Verdict, judge};

/// How far a latency figure may move before it counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tolerance {
    /// Share of the first run's value (0.5: half as much again).
    pub share: f64,
    /// And at least this many milliseconds, so that noise on fast requests
    /// never counts.
    pub floor_ms: f64,
}

impl Default for Tolerance {
    /// Twice as slow and 250 ms more: the load smoke's percentiles come from
    /// a few dozen requests and move that much only when something changed.
    fn default() -> Self {
        Tolerance {
            share: 1.0,
            floor_ms: 250.0,
        }
    }
}

/// The figures compared: latency percentiles of load trials. Times to effect
/// are polled (their steps are the poll interval) and are not compared.
const LATENCY_FIGURES: &[&str] = &["p50", "p95"];

/// A run, as the comparison names it.
#[derive(Debug, Clone, Serialize)]
pub struct RunName {
    /// Run id.
    pub run_id: String,
    /// Target name.
    pub target: String,
    /// RFC 3339 start.
    pub started_at: String,
}

/// A trial whose status differs (or that only one run has).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialChange {
    /// Trial name.
    pub name: String,
    /// Status in the first run, if it ran there.
    pub before: Option<Status>,
    /// Status in the second run, if it ran there.
    pub after: Option<Status>,
    /// The second run's failure message, when it failed.
    pub message: Option<String>,
}

impl TrialChange {
    /// Whether the second run failed where the first did not.
    pub fn worse(&self) -> bool {
        self.after == Some(Status::Failed) && self.before != Some(Status::Failed)
    }
}

/// A feature whose verdict differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureChange {
    /// Owning team.
    pub team: String,
    /// Feature.
    pub feature: String,
    /// Verdict in the first run.
    pub before: Verdict,
    /// Verdict in the second run.
    pub after: Verdict,
}

impl FeatureChange {
    /// Whether the verdict got worse (the order is best to worst).
    pub fn worse(&self) -> bool {
        self.after > self.before
    }
}

/// A latency percentile (ms) of a trial that moved beyond the tolerance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyChange {
    /// Trial name.
    pub trial: String,
    /// Figure name (`p95`, `time_to_effect`, ...).
    pub figure: String,
    /// Value in the first run, ms.
    pub before_ms: f64,
    /// Value in the second run, ms.
    pub after_ms: f64,
}

impl LatencyChange {
    /// Whether it got slower.
    pub fn worse(&self) -> bool {
        self.after_ms > self.before_ms
    }
}

/// What changed from the first run to the second.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The first run (before).
    pub before: RunName,
    /// The second run (after).
    pub after: RunName,
    /// The tolerance latencies were judged with.
    pub tolerance: Tolerance,
    /// Trials whose status changed.
    pub trials: Vec<TrialChange>,
    /// Features whose verdict changed.
    pub features: Vec<FeatureChange>,
    /// Latency figures that moved beyond the tolerance.
    pub latencies: Vec<LatencyChange>,
    /// Serving backends (their families: pod or process ids removed) seen
    /// only in the first run.
    pub backends_gone: Vec<String>,
    /// Serving backends seen only in the second run.
    pub backends_new: Vec<String>,
}

impl Comparison {
    /// Whether the second run is worse: a trial failed that did not, a
    /// feature's verdict worsened, or a latency figure grew beyond the tolerance.
    pub fn worse(&self) -> bool {
        self.trials.iter().any(TrialChange::worse)
            || self.features.iter().any(FeatureChange::worse)
            || self.latencies.iter().any(LatencyChange::worse)
    }

    /// Whether nothing changed that the comparison judges (backends aside).
    pub fn unchanged(&self) -> bool {
        self.trials.is_empty() && self.features.is_empty() && self.latencies.is_empty()
    }
}

/// Compares run `after` with run `before`.
pub fn compare(
    registry: &Registry,
    before: &RunRecord,
    after: &RunRecord,
    tolerance: Tolerance,
) -> Comparison {
    let name = |r: &RunRecord| RunName {
        run_id: r.info.run_id.clone(),
        target: r.info.target.clone(),
        started_at: r.info.started_at.clone(),
    };
    let (a, b) = (by_name(before), by_name(after));
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut trials = Vec::new();
    let mut latencies = Vec::new();
    for name in names {
        let (ta, tb) = (a.get(name), b.get(name));
        let (sa, sb) = (ta.map(|t| t.status), tb.map(|t| t.status));
        if sa != sb {
            trials.push(TrialChange {
                name: name.clone(),
                before: sa,
                after: sb,
                message: tb.and_then(|t| t.message.clone()),
            });
        }
        let (Some(ta), Some(tb)) = (ta, tb) else {
            continue;
        };
        let compared = |f: &&Figure| f.unit == "ms" && LATENCY_FIGURES.contains(&f.name.as_str());
        for fb in tb.figures.iter().filter(compared) {
            let Some(fa) = ta
                .figures
                .iter()
                .find(|f| f.name == fb.name && f.unit == "ms")
            else {
                continue;
            };
            let moved = (fb.value - fa.value).abs();
            if moved > tolerance.floor_ms && moved > tolerance.share * fa.value {
                latencies.push(LatencyChange {
                    trial: name.clone(),
                    figure: fb.name.clone(),
                    before_ms: fa.value,
                    after_ms: fb.value,
                });
            }
        }
    }
    let verdicts = |r: &RunRecord| {
        judge(registry, r, &BTreeSet::new())
            .teams
            .into_iter()
            .flat_map(|t| {
                let team = t.name;
                t.features
                    .into_iter()
                    .map(move |f| ((team.clone(), f.feature.name), f.verdict))
            })
            .collect::<BTreeMap<_, _>>()
    };
    let (va, vb) = (verdicts(before), verdicts(after));
    let features = vb
        .iter()
        .filter_map(|(key, after)| {
            let before = va.get(key)?;
            (before != after).then(|| FeatureChange {
                team: key.0.clone(),
                feature: key.1.clone(),
                before: *before,
                after: *after,
            })
        })
        .collect();
    let (ba, bb) = (backend_families(before), backend_families(after));
    Comparison {
        before: name(before),
        after: name(after),
        tolerance,
        trials,
        features,
        latencies,
        backends_gone: ba.difference(&bb).cloned().collect(),
        backends_new: bb.difference(&ba).cloned().collect(),
    }
}

fn by_name(run: &RunRecord) -> BTreeMap<String, &TrialRecord> {
    run.trials
        .iter()
        .map(|t| (t.meta.name.clone(), t))
        .collect()
}

/// The serving backends of a run without what changes on every restart or
/// deploy: a process id (`mw-web.local.1234`) or a pod's suffixes
/// (`mw-web.eqiad.main-84b746899f-t5dd8`).
fn backend_families(run: &RunRecord) -> BTreeSet<String> {
    run.trials
        .iter()
        .flat_map(|t| t.backends.iter())
        .map(|b| family(b))
        .collect()
}

/// A backend's family name.
pub fn family(backend: &str) -> String {
    let without_pid = match backend.rsplit_once('.') {
        Some((head, pid)) if pid.chars().all(|c| c.is_ascii_digit()) => head,
        _ => backend,
    };
    let parts: Vec<&str> = without_pid.rsplitn(3, '-').collect();
    match parts.as_slice() {
        [pod, replicaset, head]
            if pod.len() == 5
                && replicaset.len() >= 8
                && replicaset.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            (*head).to_owned()
        }
        _ => without_pid.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{FEATURE, trial};
    use wikiharness_record::RunInfo;

    fn registry() -> Registry {
        let text = format!(
            "[[teams]]\nname = \"T\"\n[[teams.features]]\nname = \"F\"\n{FEATURE}trials = [\"a::*\"]\n"
        );
        Registry::parse(std::path::Path::new("r.toml"), &text).unwrap()
    }

    fn run(id: &str, status: Status, p95: f64, backend: &str) -> RunRecord {
        let mut t = trial(
            "a::x",
            status,
            (status == Status::Failed).then_some("broke"),
        );
        t.figures.push(Figure {
            name: "p95".into(),
            value: p95,
            unit: "ms".into(),
        });
        t.backends.insert(backend.into());
        RunRecord::of(RunInfo::new(id, "local", "http://127.0.0.1"), vec![t])
    }

    #[test]
    fn a_failure_a_worse_verdict_and_a_slower_figure_make_it_worse() {
        let (reg, tol) = (registry(), Tolerance::default());
        let a = run("a", Status::Passed, 200.0, "mw-web.local.10");
        let b = run("b", Status::Failed, 700.0, "mw-web.local.99");
        let c = compare(&reg, &a, &b, tol);
        assert!(c.worse());
        assert_eq!(c.trials.len(), 1);
        assert!(c.trials[0].worse() && c.trials[0].message.as_deref() == Some("broke"));
        assert_eq!(
            (c.features[0].before, c.features[0].after),
            (Verdict::Ready, Verdict::NotReady)
        );
        assert_eq!(c.latencies[0].after_ms, 700.0);
        assert!(c.backends_new.is_empty(), "process ids are not backends");
        let back = compare(&reg, &b, &a, tol);
        assert!(!back.worse(), "recovering is not worse");
        assert!(!back.unchanged());
    }

    #[test]
    fn noise_within_the_tolerance_is_no_change() {
        let reg = registry();
        let a = run("a", Status::Passed, 200.0, "mw1414");
        let b = run(
            "b",
            Status::Passed,
            290.0,
            "mw-web.eqiad.main-84b746899f-t5dd8",
        );
        let c = compare(&reg, &a, &b, Tolerance::default());
        assert!(c.unchanged() && !c.worse(), "{c:?}");
        assert_eq!(c.backends_gone, ["mw1414"]);
        assert_eq!(c.backends_new, ["mw-web.eqiad.main"]);
    }
}
