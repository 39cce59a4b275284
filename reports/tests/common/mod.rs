//! A small synthetic run for the report tests.
#![allow(missing_docs, dead_code)]

use std::collections::BTreeSet;
use std::path::Path;

use wikiharness_readiness::Registry;
use wikiharness_record::{
    Capability, Exchange, Figure, RunInfo, RunRecord, Status, TrialMeta, TrialRecord,
};

const FEATURE: &str = "need_testing = \"Yes\"\nrisks = \"Risk <b>text</b>\"\ndependencies = { external_services = \"Shellbox\" }\nexisting_testing = \"none\"\ncovers_dependencies = \"yes\"\ntestable_on_test2 = \"Yes\"\nfeasible_to_make_testable = \"y\"\n";

pub fn registry() -> Registry {
    let text = format!(
        "[[teams]]\nname = \"MediaWiki Platform\"\n\
         [[teams.features]]\nname = \"Page views\"\n{FEATURE}trials = [\"pageviews::*\"]\n\
         [[teams.features]]\nname = \"Job queue\"\n{FEATURE}trials = [\"jobs::fanout\"]\n\
         [[teams]]\nname = \"SRE Service Ops\"\n\
         [[teams.features]]\nname = \"Shellbox\"\n{FEATURE}trials = [\"shellbox::highlight\"]\n\
         [[teams.features]]\nname = \"Capacity\"\n{FEATURE}trials = []\n"
    );
    Registry::parse(Path::new("registry.toml"), &text).unwrap()
}

pub fn trial(name: &str, team: &str, status: Status, message: Option<&str>) -> TrialRecord {
    let (suite, _) = name.split_once("::").unwrap();
    TrialRecord {
        meta: TrialMeta {
            name: name.into(),
            suite: suite.into(),
            feature: "F".into(),
            team: team.into(),
            needs: vec![Capability::Read],
            production_safe: true,
        },
        skip: None,
        status,
        message: message.map(Into::into),
        started_at: "2026-11-26T18:00:00Z".into(),
        duration_ms: 1234.0,
        requests: 2,
        backends: BTreeSet::from(["mw-web.local.1".to_string()]),
        evidence: vec![Exchange {
            method: "GET".into(),
            url: "http://127.0.0.1:18080/wiki/X".into(),
            status: Some(500),
            elapsed_ms: 12.0,
            backend: Some("mw-web.local.1".into()),
            excerpt: "<html>Fatal & error</html>".into(),
            symptom: None,
        }],
        figures: vec![],
        notes: vec![],
        attachments: vec![],
        load: None,
    }
}

pub fn run(trials: Vec<TrialRecord>) -> RunRecord {
    let info = RunInfo {
        target_description: "test".into(),
        started_at: "2026-11-26T18:00:00Z".into(),
        command_line: vec!["wiki".into(), "--target".into(), "local".into()],
        harness_version: "0.1.0".into(),
        git_commit: Some("abc123".into()),
        ..RunInfo::new("20261126T180000Z-abcd", "local", "http://127.0.0.1:18080/")
    };
    RunRecord {
        finished_at: Some("2026-11-26T18:01:00Z".into()),
        duration_s: 60.0,
        ..RunRecord::of(info, trials)
    }
}

/// A run with a pass, a failure with a screenshot, a skip and a slow job.
pub fn sample(run_dir: &Path) -> RunRecord {
    std::fs::create_dir_all(run_dir.join("attachments")).unwrap();
    // A 1x1 PNG.
    let png = [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0a, 0x49, 0x44,
        0x41, 0x54, 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0,
        0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    std::fs::write(run_dir.join("attachments/shot.png"), png).unwrap();
    let mut failed = trial(
        "shellbox::highlight",
        "SRE Service Ops",
        Status::Failed,
        Some("no span.k <inside>: pygmentize did not run"),
    );
    failed.attachments.push("attachments/shot.png".into());
    let mut job = trial("jobs::fanout", "MediaWiki Platform", Status::Passed, None);
    job.figures.push(Figure {
        name: "time_to_effect:jobs delivered".into(),
        value: 812.0,
        unit: "ms".into(),
    });
    run(vec![
        trial(
            "pageviews::main",
            "MediaWiki Platform",
            Status::Passed,
            None,
        ),
        trial(
            "pageviews::history",
            "MediaWiki Platform",
            Status::Skipped,
            Some("target `x` is read-only"),
        ),
        job,
        failed,
    ])
}

/// Judges `run` with the test registry and writes every report into `dir`,
/// with `changes` as the changes since the previous run; returns the files.
pub fn write(
    run: &RunRecord,
    dir: &Path,
    changes: wikiharness_readiness::history::Changes,
) -> Vec<std::path::PathBuf> {
    let readiness = wikiharness_readiness::judge(&registry(), run, &BTreeSet::new());
    let flaky = BTreeSet::new();
    wikiharness_reports::write_all(&wikiharness_reports::ReportInput {
        run,
        readiness: &readiness,
        trend: vec![],
        changes: &changes,
        flaky: &flaky,
        run_dir: dir,
    })
    .unwrap()
}
