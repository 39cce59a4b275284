//! Load-threshold drill: one reader attack against the embedded wiki through
//! the harness's own entry (the `wiki` binary, as `cargo test -- --load` runs
//! it), once as the wiki is and once with every request of the drill slowed by
//! a sleep in the wiki's configuration. The first must meet the readiness
//! registry's latency limits; the second must fail them with the observed
//! value, and the owning feature's readiness must turn "not ready".
//!
//! Only requests that carry the drill's header are slowed, so nothing else
//! using the wiki meanwhile is. A libtest-mimic binary: it accepts the
//! harness's flags and runs only for `local`.

mod common;

use std::path::Path;
use std::process::ExitStatus;

use libtest_mimic::Failed;
use serde_json::Value;

use common::Override;

/// The attack of the drill.
const SCENARIO: &str = "load::anonymous_readers";
/// Added to every drill request; above the registry's p95 limit for readers (800 ms).
const DELAY_MS: u64 = 1000;

fn main() {
    common::main(
        vec![("a_slowed_wiki_fails_the_latency_threshold", slowed_wiki)],
        "load-drill",
    )
}

fn slowed_wiki() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let tmp = tempfile::tempdir()?;
    let targets = tmp.path().join("targets.toml");
    std::fs::write(
        &targets,
        r#"[targets.local-drill]
extends = "local"
description = "The local wiki; every request carries the load drill's header"
headers = { "X-Wikiharness-Drill" = "slow" }
load = { users = 2, duration_secs = 4, max_rps = 20 }
"#,
    )?;

    let (status, as_is) = attack(&targets, &tmp.path().join("as-is"))?;
    let trial = common::trial_result(&as_is, SCENARIO)?;
    if !status.success() || trial["status"] != "passed" {
        return Err(format!(
            "the control run (wiki as it is) did not pass ({status}): {}",
            trial["message"]
        )
        .into());
    }

    let (status, slowed) = {
        let _slow = Override::add(&format!(
            "if ( ( $_SERVER['HTTP_X_WIKIHARNESS_DRILL'] ?? '' ) === 'slow' ) {{ usleep( {} ); }}",
            DELAY_MS * 1000
        ))?;
        attack(&targets, &tmp.path().join("slowed"))?
    };
    let trial = common::trial_result(&slowed, SCENARIO)?;
    let message = trial["message"].as_str().unwrap_or_default();
    if status.success() || trial["status"] != "failed" {
        return Err(format!(
            "the slowed wiki did not fail the trial ({status}): {}, figures {}",
            trial["status"], trial["figures"]
        )
        .into());
    }
    if !(message.contains("p95") && message.contains("VIOLATED")) {
        return Err(format!("failed, but not on the p95 threshold: {message}").into());
    }
    let verdict = feature_verdict(&slowed)?;
    if verdict != "not-ready" {
        return Err(format!("the feature's verdict is {verdict}, not not-ready").into());
    }
    eprintln!("load drill: slowed by {DELAY_MS} ms, {SCENARIO} failed: {message}");
    Ok(())
}

/// Runs the scenario through the `wiki` binary; its exit status and results.
fn attack(targets: &Path, root: &Path) -> Result<(ExitStatus, Value), Failed> {
    let args = [
        "--targets".into(),
        targets.into(),
        "--target".into(),
        "local-drill".into(),
        "--load".into(),
        "--exact".into(),
        SCENARIO.into(),
    ];
    common::run_wiki(&args, root)
}

/// The verdict of the feature the scenario covers.
fn feature_verdict(results: &Value) -> Result<String, Failed> {
    results["teams"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|team| team["features"].as_array().into_iter().flatten())
        .find(|f| {
            f["results"]
                .as_array()
                .is_some_and(|r| r.iter().any(|n| n == SCENARIO))
        })
        .and_then(|f| f["verdict"].as_str().map(str::to_owned))
        .ok_or_else(|| format!("no feature lists {SCENARIO} among its results").into())
}
