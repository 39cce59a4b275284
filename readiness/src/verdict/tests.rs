use std::collections::BTreeSet;
use std::path::Path;

use wikiharness_record::load::EndpointRecorder;
use wikiharness_record::load::{LoadSummary, Threshold};
use wikiharness_record::{Figure, RunInfo, RunRecord, SkipCause, Status, TrialRecord};

use super::*;
use crate::registry::Registry;
use crate::test_support::{FEATURE, trial};

fn registry() -> Registry {
    let text = format!(
        "[[teams]]\nname = \"Platform\"\n\
         [[teams.features]]\nname = \"A\"\n{FEATURE}trials = [\"s::a1\", \"s::a2\"]\n\
         [[teams.features]]\nname = \"Jobs\"\n{FEATURE}trials = [\"jobs::*\"]\nmax_time_to_effect_ms = 1000\n\
         [[teams]]\nname = \"Editing team\"\n\
         [[teams.features]]\nname = \"Uncovered\"\n{FEATURE}trials = []\n"
    );
    Registry::parse(Path::new("r.toml"), &text).unwrap()
}

fn run(trials: Vec<TrialRecord>) -> RunRecord {
    RunRecord::of(RunInfo::new("r", "local", "http://127.0.0.1/"), trials)
}

fn feature<'a>(r: &'a Readiness, name: &str) -> &'a FeatureReadiness {
    r.teams
        .iter()
        .flat_map(|t| &t.features)
        .find(|f| f.feature.name == name)
        .unwrap()
}

#[test]
fn all_passed_is_ready() {
    let r = judge(
        &registry(),
        &run(vec![
            trial("s::a1", Status::Passed, None),
            trial("s::a2", Status::Passed, None),
        ]),
        &BTreeSet::new(),
    );
    assert_eq!(feature(&r, "A").verdict, Verdict::Ready);
}

#[test]
fn a_failure_is_not_ready_with_the_message() {
    let r = judge(
        &registry(),
        &run(vec![
            trial("s::a1", Status::Passed, None),
            trial("s::a2", Status::Failed, Some("boom")),
        ]),
        &BTreeSet::new(),
    );
    let a = feature(&r, "A");
    assert_eq!(a.verdict, Verdict::NotReady);
    assert_eq!(a.reasons, ["s::a2 failed: boom"]);
    assert_eq!(
        r.teams[0].verdict,
        Verdict::NotReady,
        "the team takes the worst feature"
    );
}

#[test]
fn skipped_by_the_target_is_not_tested_with_reasons() {
    let r = judge(
        &registry(),
        &run(vec![
            trial("s::a1", Status::Skipped, Some("read-only")),
            trial("s::a2", Status::Skipped, Some("read-only")),
        ]),
        &BTreeSet::new(),
    );
    let a = feature(&r, "A");
    assert_eq!(a.verdict, Verdict::NotTested);
    assert_eq!(
        a.reasons,
        ["2 of 2 trials not tested on this target: read-only"]
    );
}

fn not_asked(name: &str, flag: &str) -> TrialRecord {
    let mut t = trial(
        name,
        Status::Skipped,
        Some(&format!("opt-in: run with {flag}")),
    );
    t.skip = Some(SkipCause::NotAsked {
        run_with: flag.into(),
    });
    t
}

#[test]
fn skipped_by_choice_is_not_run_and_names_the_flag() {
    let r = judge(
        &registry(),
        &run(vec![
            not_asked("s::a1", "--load"),
            not_asked("s::a2", "--load"),
        ]),
        &BTreeSet::new(),
    );
    let a = feature(&r, "A");
    assert_eq!(a.verdict, Verdict::NotRun);
    assert_eq!(
        a.reasons,
        ["2 of 2 trials not run in this run: opt-in: run with --load"]
    );
}

#[test]
fn a_partial_run_is_ready_and_lists_what_did_not_run() {
    let r = judge(
        &registry(),
        &run(vec![
            trial("s::a1", Status::Passed, None),
            not_asked("s::a2", "--load"),
        ]),
        &BTreeSet::new(),
    );
    let a = feature(&r, "A");
    assert_eq!(a.verdict, Verdict::Ready);
    assert_eq!(
        a.reasons,
        [
            "the 1 trial that ran passed",
            "1 of 2 trials not run in this run: opt-in: run with --load"
        ]
    );
}

#[test]
fn a_team_ignores_features_not_run_unless_none_ran() {
    let r = judge(
        &registry(),
        &run(vec![trial("jobs::x", Status::Passed, None)]),
        &BTreeSet::new(),
    );
    assert_eq!(feature(&r, "A").verdict, Verdict::NotRun);
    assert_eq!(r.teams[0].verdict, Verdict::Ready);

    let r = judge(
        &registry(),
        &run(vec![not_asked("s::a1", "--load")]),
        &BTreeSet::new(),
    );
    assert_eq!(
        r.teams[0].verdict,
        Verdict::NotRun,
        "nothing of the team ran"
    );
}

/// A load summary of 100 requests of `latency_ms`, judged by `p95 < 500ms`.
fn p95_of(latency_ms: u64) -> LoadSummary {
    let rec = EndpointRecorder::default();
    for _ in 0..100 {
        rec.record(latency_ms * 1000, Some(200), None, false, None);
    }
    let mut summary = LoadSummary {
        scenario: "readers".into(),
        users: 1,
        max_rps: None,
        total: rec.summary("total", 1.0),
        endpoints: vec![],
        thresholds: vec![],
    };
    let judged = Threshold::parse("p95 < 500ms").unwrap().judge(&summary);
    summary.thresholds = vec![judged.unwrap()];
    summary
}

#[test]
fn flaky_near_limit_and_slow_are_at_risk() {
    let flaky: BTreeSet<String> = ["s::a1".to_string()].into();
    let r = judge(
        &registry(),
        &run(vec![
            trial("s::a1", Status::Passed, None),
            trial("s::a2", Status::Passed, None),
        ]),
        &flaky,
    );
    assert_eq!(feature(&r, "A").verdict, Verdict::AtRisk);

    let with_p95 = |latency_ms| {
        let mut t = trial("s::a1", Status::Passed, None);
        t.load = Some(p95_of(latency_ms));
        judge(
            &registry(),
            &run(vec![t, trial("s::a2", Status::Passed, None)]),
            &BTreeSet::new(),
        )
    };
    let near = with_p95(450);
    assert_eq!(feature(&near, "A").verdict, Verdict::AtRisk);
    assert!(
        feature(&near, "A").reasons[0].starts_with("near its limit: s::a1"),
        "{:?}",
        feature(&near, "A").reasons
    );
    assert_eq!(feature(&with_p95(300), "A").verdict, Verdict::Ready);

    let mut slow = trial("jobs::fanout", Status::Passed, None);
    slow.figures.push(Figure {
        name: "time_to_effect:jobs delivered".into(),
        value: 2500.0,
        unit: "ms".into(),
    });
    let r = judge(&registry(), &run(vec![slow]), &BTreeSet::new());
    let jobs = feature(&r, "Jobs");
    assert_eq!(jobs.verdict, Verdict::AtRisk);
    assert!(
        jobs.reasons[0].contains("took 2500 ms for jobs delivered (limit 1000 ms)"),
        "{:?}",
        jobs.reasons
    );
}

#[test]
fn no_trials_is_not_covered_and_never_ready() {
    let r = judge(&registry(), &run(vec![]), &BTreeSet::new());
    assert_eq!(feature(&r, "Uncovered").verdict, Verdict::NotCovered);
    assert_eq!(r.teams[1].verdict, Verdict::NotCovered);
    assert_eq!(r.teams[1].slug, "editing-team");
    assert_eq!(
        feature(&r, "A").verdict,
        Verdict::NotRun,
        "filtered out of the run"
    );
}

#[test]
fn unmapped_trials_are_listed() {
    let r = judge(
        &registry(),
        &run(vec![trial("other::x", Status::Passed, None)]),
        &BTreeSet::new(),
    );
    assert_eq!(r.unmapped, ["other::x"]);
}

#[test]
fn severity_order() {
    let mut v = Verdict::WORST_FIRST.to_vec();
    v.sort();
    assert_eq!(
        v,
        [
            Verdict::Ready,
            Verdict::NotRun,
            Verdict::NotTested,
            Verdict::NotCovered,
            Verdict::AtRisk,
            Verdict::NotReady
        ]
    );
}
