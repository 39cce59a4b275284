//! Load-threshold drills: one reader attack against the embedded wiki through
//! the harness's own entry (the `wiki` binary, as `cargo test` runs it), once
//! as the wiki is and once slowed by a sleep in the wiki's configuration. The
//! first must meet the readiness registry's latency limits; the second must
//! fail them with the observed value, and the owning feature's readiness must
//! turn "not ready". Two slowdowns: every request by 1 s, in the full-size run
//! (`--load`); and 1 request in 10 by 0.8 s, in the default job's load smoke.
//!
//! Only requests that carry the drill's header are slowed, so nothing else
//! using the wiki meanwhile is. A libtest-mimic binary: it accepts the
//! harness's flags and runs only for `local`.

mod common;

use std::path::Path;

use libtest_mimic::Failed;
use serde_json::Value;

/// The attack of the drill.
const SCENARIO: &str = "load::anonymous_readers";
/// Added to every drill request; above the registry's p95 limit for readers (800 ms).
const DELAY_MS: u64 = 1000;
/// Added to one request in ten in the smoke drill: "slow by ~0.8 s".
const SOMETIMES_DELAY_MS: u64 = 800;

fn main() {
    common::main(
        vec![
            ("a_slowed_wiki_fails_the_latency_threshold", slowed_wiki),
            (
                "one_slow_request_in_ten_fails_the_default_job",
                sometimes_slow_wiki,
            ),
        ],
        "load-drill",
    )
}

fn slowed_wiki() -> Result<(), Failed> {
    let tmp = tempfile::tempdir()?;
    let slow = format!(
        "if ( {} ) {{ usleep( {} ); }}",
        common::drill_request("slow"),
        DELAY_MS * 1000
    );
    let extra = "load = { users = 2, duration_secs = 4, max_rps = 20 }\n";
    let message = control_then_slowed(tmp.path(), "slow", extra, &["--load"], &slow)?;
    eprintln!("load drill: slowed by {DELAY_MS} ms, {SCENARIO} failed: {message}");
    Ok(())
}

/// The default job's load smoke (no `--load`, the size of `load.smoke` in
/// the local target) against a wiki that sleeps in every tenth request.
fn sometimes_slow_wiki() -> Result<(), Failed> {
    let tmp = tempfile::tempdir()?;
    let counter = tmp.path().join("requests");
    let slow = format!(
        "if ( {} ) {{
            $f = fopen( {counter:?}, 'c+' );
            flock( $f, LOCK_EX );
            $n = (int)stream_get_contents( $f ) + 1;
            ftruncate( $f, 0 ); rewind( $f ); fwrite( $f, (string)$n );
            flock( $f, LOCK_UN ); fclose( $f );
            if ( $n % 10 === 0 ) {{ usleep( {} ); }}
        }}",
        common::drill_request("sometimes"),
        SOMETIMES_DELAY_MS * 1000,
    );
    let message = control_then_slowed(tmp.path(), "sometimes", "", &[], &slow)?;
    let slowed: u64 = std::fs::read_to_string(&counter)?.trim().parse()?;
    eprintln!(
        "load drill: {} of {slowed} requests slowed by {SOMETIMES_DELAY_MS} ms, {SCENARIO} failed: {message}",
        slowed / 10
    );
    Ok(())
}

/// Runs the scenario as the wiki is (it must pass) and with `slow_php` in
/// the wiki's configuration (it must fail its p95 threshold, and its feature
/// must be not ready); the failure message.
fn control_then_slowed(
    dir: &Path,
    mark: &str,
    extra_fields: &str,
    flags: &[&str],
    slow_php: &str,
) -> Result<String, Failed> {
    let (slowed, trial) =
        common::passes_then_fails(dir, mark, extra_fields, flags, SCENARIO, slow_php)?;
    let message = trial["message"].as_str().unwrap_or_default();
    if !(message.contains("p95") && message.contains("VIOLATED")) {
        return Err(format!("failed, but not on the p95 threshold: {message}").into());
    }
    let verdict = feature_verdict(&slowed)?;
    if verdict != "not-ready" {
        return Err(format!("the feature's verdict is {verdict}, not not-ready").into());
    }
    Ok(message.to_owned())
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
