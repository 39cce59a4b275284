//! Merging shard runs, and the CI gate.

mod common;

use wikiharness_record::Status;
use wikiharness_record::load::EndpointRecorder;
use wikiharness_record::load::{LoadSummary, Threshold};
use wikiharness_reports::merge::merge_runs;

fn load_trial(latency_us: u64) -> wikiharness_record::TrialRecord {
    let rec = EndpointRecorder::default();
    for _ in 0..100 {
        rec.record(latency_us, Some(200), Some("pod"), false, None);
    }
    let mut summary = LoadSummary {
        scenario: "readers".into(),
        users: 2,
        max_rps: Some(10),
        total: rec.summary("total", 10.0),
        endpoints: vec![rec.summary("page view", 10.0)],
        thresholds: vec![],
    };
    summary.thresholds = vec![
        Threshold::parse("p95 < 100ms")
            .unwrap()
            .judge(&summary)
            .unwrap(),
    ];
    let passed = summary.thresholds[0].passed;
    let mut t = common::trial(
        "load::readers",
        "SRE Service Ops",
        if passed {
            Status::Passed
        } else {
            Status::Failed
        },
        None,
    );
    t.load = Some(summary);
    t
}

#[test]
fn trials_of_each_shard_are_kept_once() {
    let a = common::run(vec![common::trial(
        "pageviews::a",
        "MediaWiki Platform",
        Status::Passed,
        None,
    )]);
    let b = common::run(vec![common::trial(
        "pageviews::b",
        "MediaWiki Platform",
        Status::Failed,
        Some("x"),
    )]);
    let m = merge_runs(&[a, b]).unwrap();
    assert_eq!(m.trials.len(), 2);
    assert_eq!((m.counts.passed, m.counts.failed), (1, 1));
    assert_eq!(m.info.shard.as_deref(), Some("merged 2 shards"));
}

#[test]
fn a_trial_in_two_shards_is_an_error() {
    let a = common::run(vec![common::trial(
        "pageviews::a",
        "MediaWiki Platform",
        Status::Passed,
        None,
    )]);
    let err = merge_runs(&[a.clone(), a]).unwrap_err();
    assert!(
        err.contains("`pageviews::a` ran in more than one shard"),
        "{err}"
    );
}

#[test]
fn load_is_judged_on_merged_histograms_not_per_worker() {
    // Each worker alone meets p95 < 100ms only if it was fast; one slow worker
    // among three fast ones still breaks the global p95 when merged...
    let fast = common::run(vec![load_trial(20_000)]);
    let slow = common::run(vec![load_trial(400_000)]);
    let m = merge_runs(&[fast.clone(), fast.clone(), fast.clone(), slow]).unwrap();
    let t = &m.trials[0];
    let l = t.load.as_ref().unwrap();
    assert_eq!(l.total.requests, 400);
    assert_eq!(l.users, 8);
    assert!(
        !l.thresholds[0].passed && t.status == Status::Failed,
        "{:?}",
        l.thresholds
    );
    // ...and four fast workers pass together.
    let m = merge_runs(&[fast.clone(), fast.clone(), fast.clone(), fast]).unwrap();
    assert_eq!(m.trials[0].status, Status::Passed);
}

#[test]
fn gate_fails_only_for_opted_in_teams() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("results.json");
    std::fs::write(
        &f,
        r#"{"teams":[{"name":"Editing","verdict":"not-ready"},{"name":"Web","verdict":"ready"}]}"#,
    )
    .unwrap();
    use wikiharness_reports::gate::not_ready;
    assert_eq!(
        not_ready(&f, &["Web".into()]).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        not_ready(&f, &["web".into(), "Editing".into()]).unwrap(),
        ["Editing"]
    );
    let err = not_ready(&f, &["Nobody".into()]).unwrap_err().to_string();
    assert!(err.contains("no team `Nobody`"), "{err}");
    // `--team "$GATE_TEAMS"` with nobody opted in, or a trailing comma.
    assert_eq!(not_ready(&f, &["".into()]).unwrap(), Vec::<String>::new());
    assert_eq!(
        not_ready(&f, &[" Editing ".into(), "".into()]).unwrap(),
        ["Editing"]
    );
}
