//! Rendering benchmark: 10,000 trial results into every report format.
//! Run with `cargo bench -p wikiharness-reports`; prints times and sizes.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use wikiharness_readiness::history::Changes;
use wikiharness_readiness::{Registry, judge};
use wikiharness_record::{
    Capability, Exchange, Figure, RunInfo, RunRecord, Status, TrialMeta, TrialRecord,
};
use wikiharness_reports::{ReportInput, write_all};

const TRIALS: usize = 10_000;
const SUITES: usize = 100;
const TEAMS: usize = 8;

fn main() {
    let registry = registry();
    let run = run();
    let dir = tempfile::tempdir().expect("temp dir");
    let t0 = Instant::now();
    let readiness = judge(&registry, &run, &BTreeSet::new());
    let judged = t0.elapsed();
    let (changes, flaky) = (Changes::default(), BTreeSet::new());
    let input = ReportInput {
        run: &run,
        readiness: &readiness,
        trend: vec![],
        changes: &changes,
        flaky: &flaky,
        run_dir: dir.path(),
    };
    let t1 = Instant::now();
    let files = write_all(&input).expect("reports written");
    let written = t1.elapsed();
    println!("render benchmark: {TRIALS} trials, {SUITES} suites, {TEAMS} teams");
    println!(
        "  judge (verdicts)      {:>8.1} ms",
        judged.as_secs_f64() * 1000.0
    );
    println!(
        "  write all formats     {:>8.1} ms",
        written.as_secs_f64() * 1000.0
    );
    let mut total = 0;
    for f in &files {
        let size = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        total += size;
        if !f
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("team-"))
        {
            println!(
                "  {:<22}{:>8.1} KiB",
                f.file_name().unwrap().to_string_lossy(),
                size as f64 / 1024.0
            );
        }
    }
    println!(
        "  {} team pages, all files {:.1} MiB",
        files.len() - 3,
        total as f64 / 1048576.0
    );
    println!(
        "  per trial             {:>8.1} µs",
        (judged + written).as_secs_f64() * 1e6 / TRIALS as f64
    );
}

fn registry() -> Registry {
    let mut text = String::new();
    for team in 0..TEAMS {
        text.push_str(&format!("[[teams]]\nname = \"Team {team}\"\n"));
        for suite in (0..SUITES).filter(|s| s % TEAMS == team) {
            text.push_str(&format!(
                "[[teams.features]]\nname = \"Feature {suite}\"\nneed_testing = \"Yes\"\nrisks = \"r\"\ndependencies = {{}}\nexisting_testing = \"e\"\ncovers_dependencies = \"c\"\ntestable_on_test2 = \"Yes\"\nfeasible_to_make_testable = \"y\"\ntrials = [\"suite{suite}::*\"]\nmax_time_to_effect_ms = 5000\n"
            ));
        }
    }
    Registry::parse(Path::new("bench.toml"), &text).expect("registry")
}

fn run() -> RunRecord {
    let trials: Vec<TrialRecord> = (0..TRIALS)
        .map(|i| {
            let suite = i % SUITES;
            let status = match i % 50 {
                0 => Status::Failed,
                1 => Status::Skipped,
                _ => Status::Passed,
            };
            TrialRecord {
                meta: TrialMeta {
                    name: format!("suite{suite}::check_{i}"),
                    suite: format!("suite{suite}"),
                    feature: format!("Feature {suite}"),
                    team: format!("Team {}", suite % TEAMS),
                    needs: vec![Capability::Read],
                    production_safe: true,
                },
                skip: None,
                status,
                message: (status != Status::Passed).then(|| format!("message of trial {i}")),
                started_at: "2026-11-26T18:00:00Z".into(),
                duration_ms: (i % 1000) as f64,
                requests: 3,
                backends: BTreeSet::from([format!("mw-web.local.{}", i % 4)]),
                evidence: (0..3)
                    .map(|k| Exchange {
                        method: "GET".into(),
                        url: format!("http://127.0.0.1:18080/wiki/Page_{i}_{k}"),
                        status: Some(200),
                        elapsed_ms: 12.5,
                        backend: Some("mw-web.local.1".into()),
                        excerpt: "<html>".repeat(40),
                        symptom: None,
                    })
                    .collect(),
                figures: vec![Figure {
                    name: "time_to_effect:x".into(),
                    value: (i % 7000) as f64,
                    unit: "ms".into(),
                }],
                notes: vec![],
                attachments: vec![],
                load: None,
            }
        })
        .collect();
    RunRecord::of(
        RunInfo::new("bench", "local", "http://127.0.0.1:18080/"),
        trials,
    )
}
