//! Load scenarios (goose): readers, API readers, editors, external-binary
//! renders and a job-heavy mix, each a bounded attack whose latencies the
//! harness records itself and judges against thresholds. Plus bursts of
//! simultaneous edits, logins and job fan-outs. All of them need a target
//! that allows load. On a target with `load.smoke`, the default job runs the
//! attacks at that small size; the full size, and the bursts, are opt-in
//! (`--load` or `--include-ignored`).
//!
//! This file registers the trials and judges their summaries;
//! [`goose_wiki`] is the wiki as goose users see it, [`scenarios`] the
//! attacks, [`contention`] the readers beside job and Shellbox load.

mod contention;
mod goose_wiki;
mod scenarios;

use std::time::Duration;

use wikiharness_harness::target::LoadSettings;
use wikiharness_harness::{Capability, TrialCx, TrialError, TrialOutcome, TrialSpec, ensure};
use wikiharness_record::load::{LoadSummary, Threshold};

use crate::SuiteConfig;

/// The flag that asks for the full-size load trials.
const OPT_IN: &str = "--load";
/// Time limit of a load trial (the attack is bounded by the load engine).
const TIMEOUT: Duration = Duration::from_secs(900);
/// Simultaneous edits of the edit burst, per editor.
const EDIT_BURST: usize = 5;
/// Logins of the login burst, per editor.
const LOGIN_BURST: usize = 8;
/// Pages each job fan-out burst edits.
const FANOUT_BURST: usize = 5;

/// An attack: sets up what it needs on the wiki, runs, returns its summary.
type Scenario = fn(
    TrialCx,
    LoadSettings,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<LoadSummary, TrialError>> + Send>,
>;

/// The load trials.
pub fn trials(config: &SuiteConfig) -> Vec<TrialSpec> {
    let load_trial = |check: &str| {
        TrialSpec::build("load", check)
            .needs(Capability::Load)
            .timeout(TIMEOUT)
    };
    // An attack sets up sandbox pages with the bot, then judges the summary
    // against the trial's thresholds. In a smoke run the same attack runs
    // small and is not opt-in.
    let attack_trial = |check: &str, scenario: Scenario| {
        let settings = config.smoke.clone().unwrap_or_else(|| config.load.clone());
        let smoke = config.smoke.is_some();
        let thresholds = thresholds_for(config, &format!("load::{check}"));
        let mut spec = load_trial(check).needs(Capability::Write).account("bot");
        if !smoke {
            spec = spec.opt_in(OPT_IN);
        }
        spec.run(move |cx: TrialCx| {
            let (settings, thresholds) = (settings.clone(), thresholds.clone());
            async move {
                if smoke {
                    cx.note(format!(
                        "smoke run: {} users for {} s (the full-size run: {OPT_IN})",
                        settings.users,
                        settings.duration.as_secs()
                    ));
                }
                let summary = scenario(cx.clone(), settings).await?;
                judge(&cx, summary, &thresholds)
            }
        })
    };
    let with_editors = |mut spec: wikiharness_harness::trial::TrialBuilder| {
        for role in crate::concurrency::EDITORS {
            spec = spec.account(role);
        }
        spec
    };
    vec![
        attack_trial("anonymous_readers", |cx, s| {
            Box::pin(scenarios::readers(cx, s))
        }),
        attack_trial("api_readers", |cx, s| {
            Box::pin(scenarios::api_readers(cx, s))
        }),
        attack_trial("editors", |cx, s| Box::pin(scenarios::editors(cx, s))),
        attack_trial("shellbox_heavy", |cx, s| {
            Box::pin(scenarios::shellbox_heavy(cx, s))
        }),
        attack_trial("job_heavy", |cx, s| Box::pin(scenarios::job_heavy(cx, s))),
        with_editors(
            load_trial("edit_burst_loses_nothing")
                .needs(Capability::Write)
                .opt_in(OPT_IN),
        )
        .run(|cx| crate::concurrency::appends_lose_nothing(cx, EDIT_BURST)),
        with_editors(load_trial("login_burst_keeps_sessions_apart").opt_in(OPT_IN))
            .run(|cx| crate::concurrency::logins_stay_separate(cx, LOGIN_BURST)),
        {
            let (settings, thresholds) = (
                config.load.clone(),
                thresholds_for(config, "load::readers_beside_jobs_and_shellbox"),
            );
            load_trial("readers_beside_jobs_and_shellbox")
                .needs(Capability::Write)
                .account("bot")
                .opt_in(OPT_IN)
                .run(move |cx| {
                    contention::readers_beside_jobs_and_shellbox(
                        cx,
                        settings.clone(),
                        thresholds.clone(),
                    )
                })
        },
        load_trial("job_fanout_burst")
            .needs(Capability::Write)
            .opt_in(OPT_IN)
            .account("bot")
            .run(|cx| async move {
                let bursts = ["Burst A", "Burst B", "Burst C"]
                    .map(|name| tokio::spawn(crate::jobs::fanout(cx.clone(), name, FANOUT_BURST)));
                for burst in bursts {
                    burst.await.map_err(|e| TrialError::fail(e.to_string()))??;
                }
                Ok(())
            }),
    ]
}

/// Thresholds for a trial: the run's rules, plus `error_rate < 1%` unless one
/// already judges the error rate.
fn thresholds_for(config: &SuiteConfig, trial: &str) -> Vec<Threshold> {
    let mut rules = (config.thresholds)(trial);
    if !rules.iter().any(|t| t.rule.contains("error_rate")) {
        rules.push(Threshold::parse("error_rate < 1%").expect("valid rule"));
    }
    rules
}

/// Records the summary, judged, and its figures; fails on violated thresholds.
fn judge(cx: &TrialCx, mut summary: LoadSummary, thresholds: &[Threshold]) -> TrialOutcome {
    summary.judge(thresholds);
    let total = &summary.total;
    for (name, value, unit) in [
        ("requests", total.requests as f64, "requests"),
        ("throughput", total.throughput_rps, "req/s"),
        ("p50", total.raw.p50, "ms"),
        ("p95", total.raw.p95, "ms"),
        ("p99", total.raw.p99, "ms"),
        ("p99 corrected", total.corrected.p99, "ms"),
        ("error_rate", total.error_rate * 100.0, "%"),
    ] {
        cx.figure(name, value, unit);
    }
    cx.note(format!("serving backends: {:?}", total.backends));
    let requests = total.requests;
    let failure = summary.threshold_failure();
    cx.load_summary(summary);
    ensure!(requests > 0, "the attack sent no requests");
    failure.map_or(Ok(()), |m| Err(TrialError::Failed(m)))
}
