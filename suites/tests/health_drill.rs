//! Server-side health drills:
//!
//! - `a_hook_that_throws_after_save_fails_only_the_error_budget`: a
//!   `PageSaveComplete` hook queues an update that throws once the response
//!   is sent, so every client-side trial stays green while the server logs an
//!   error per edit. The default job must fail `health::error_budget_web`
//!   alone, naming the exception class.
//! - `a_changed_server_is_named`: `$wgServer` is pointed elsewhere for the
//!   drill's requests; `health::config_matches_the_target` must fail naming
//!   the setting and both values.
//!
//! - `a_deploy_and_its_rollback_show_in_compare`: three runs of the page
//!   views and health suites — as the wiki is, after a "deploy" (a changed
//!   site name), after the "rollback". `compare` must find the first run to
//!   the second worse (the config trial failed, Configuration not ready), the
//!   second to the third better, and no change from the first to the third.
//!
//! - `a_stopped_replica_is_drained_and_named_gone`: one of the local wiki's
//!   two php-fpm replicas is stopped (drained, like a pod told to stop) in
//!   the middle of `health::reads_reach_every_replica`'s stream of reads. No
//!   read may fail, and the trial must fail naming `mw-web-2` as gone.
//!
//! A libtest-mimic binary: it accepts the harness's flags and runs only for
//! `local`.

mod common;

use std::ffi::OsString;

use libtest_mimic::Failed;

use common::Override;

/// The class the drill's hook throws.
const DRILL_EXCEPTION: &str = "WikiharnessDrillException";

fn main() {
    common::main(
        vec![
            (
                "a_hook_that_throws_after_save_fails_only_the_error_budget",
                throwing_hook,
            ),
            ("a_changed_server_is_named", changed_server),
            (
                "a_deploy_and_its_rollback_show_in_compare",
                deploy_and_roll_back,
            ),
            (
                "a_stopped_replica_is_drained_and_named_gone",
                stopped_replica,
            ),
        ],
        "health",
    )
}

fn throwing_hook() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let dir = tempfile::tempdir()?;
    let results = {
        let _broken = Override::add(&format!(
            "class {DRILL_EXCEPTION} extends RuntimeException {{}}\n\
             $wgHooks['PageSaveComplete'][] = static function () {{\n\
             \tDeferredUpdates::addCallableUpdate( static function () {{\n\
             \t\tthrow new {DRILL_EXCEPTION}( 'thrown after the page was saved' );\n\
             \t}} );\n\
             }};"
        ))?;
        let args: Vec<OsString> = common::as_is_args(dir.path(), 30)?;
        common::run_wiki(&args, &dir.path().join("runs"))?.1
    };
    let failed: Vec<(&str, &str)> = results["trials"]
        .as_array()
        .ok_or("no trials")?
        .iter()
        .filter(|t| t["status"] == "failed")
        .map(|t| {
            (
                t["name"].as_str().unwrap_or_default(),
                t["message"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    match failed.as_slice() {
        [("health::error_budget_web", message)] if message.contains(DRILL_EXCEPTION) => {
            eprintln!("health drill: only the web error budget failed: {message}");
            Ok(())
        }
        _ => Err(format!(
            "expected only health::error_budget_web to fail, naming {DRILL_EXCEPTION}; failed: {failed:?}"
        )
        .into()),
    }
}

fn changed_server() -> Result<(), Failed> {
    let dir = tempfile::tempdir()?;
    let mark = "changed-server";
    let php = format!(
        "if ( {} ) {{ $wgServer = 'http://wiki.invalid'; }}",
        common::drill_request(mark)
    );
    let (_, entry) = common::passes_then_fails(
        dir.path(),
        mark,
        "",
        &[],
        "health::config_matches_the_target",
        &php,
    )?;
    let message = entry["message"].as_str().unwrap_or_default();
    let want = "`$wgServer` is http://wiki.invalid, the target is http://127.0.0.1:18080";
    if !message.contains(want) {
        return Err(format!("the config trial does not say `{want}`: {message}").into());
    }
    eprintln!("health drill: {message}");
    Ok(())
}

fn deploy_and_roll_back() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let dir = tempfile::tempdir()?;
    let registry =
        wikiharness_readiness::Registry::load(&wikiharness_readiness::registry::default_path())?;
    let run = |name: &str| -> Result<std::path::PathBuf, Failed> {
        let mut args: Vec<OsString> = common::as_is_args(dir.path(), 30)?;
        args.extend(["--suite", "pageviews", "--suite", "health"].map(OsString::from));
        let root = dir.path().join(name);
        common::run_wiki(&args, &root)?;
        Ok(std::fs::canonicalize(root.join("latest"))?)
    };
    let first = run("first")?;
    let deployed = {
        let _deploy = Override::add("$wgSitename = 'Wikipedia (deployed)';")?;
        run("deployed")?
    };
    let rolled_back = run("rolled-back")?;
    let compare = |a: &std::path::Path, b: &std::path::Path| {
        wikiharness_reports::compare::compare_dirs(&registry, a, b, Default::default(), None)
            .map(|(c, _)| c)
    };
    let to_deploy = compare(&first, &deployed)?;
    let changed: Vec<&str> = to_deploy.trials.iter().map(|t| t.name.as_str()).collect();
    if !to_deploy.worse() || changed != ["health::config_matches_the_target"] {
        return Err(format!(
            "first -> deployed should be worse by the config trial alone: {}",
            wikiharness_reports::compare::text(&to_deploy)
        )
        .into());
    }
    if !to_deploy
        .features
        .iter()
        .any(|f| f.feature == "Configuration" && f.worse())
    {
        return Err("the Configuration feature did not get worse".into());
    }
    let back = compare(&deployed, &rolled_back)?;
    if back.worse() || back.unchanged() {
        return Err(format!(
            "deployed -> rolled back should be better: {}",
            wikiharness_reports::compare::text(&back)
        )
        .into());
    }
    let round_trip = compare(&first, &rolled_back)?;
    if !round_trip.unchanged() {
        return Err(format!(
            "first -> rolled back should show no change: {}",
            wikiharness_reports::compare::text(&round_trip)
        )
        .into());
    }
    eprintln!(
        "health drill: deploy {}",
        wikiharness_reports::compare::text(&to_deploy)
    );
    Ok(())
}

fn stopped_replica() -> Result<(), Failed> {
    const READS: usize = 600;
    const STOP_AFTER: usize = 100;
    let _wiki = common::wiki_up()?;
    let dir = tempfile::tempdir()?;
    let trial = "health::reads_reach_every_replica";
    let targets = common::drill_target(
        dir.path(),
        "replica",
        &format!(
            "managed = \"no\"\nreplicas = {{ count = 2, identity = '^(mw-web-[0-9]+)\\.local\\.', reads = {READS} }}\n"
        ),
    )?;
    let args: Vec<OsString> = vec![
        "--targets".into(),
        targets.into(),
        "--target".into(),
        common::DRILL_TARGET.into(),
        "--exact".into(),
        trial.into(),
    ];
    let access_log = common::local_wiki()?
        .state_dir()
        .join("logs/nginx-access.log");
    let before = std::fs::metadata(&access_log)?.len();
    let root = dir.path().join("runs");
    let mut run = common::spawn_wiki(&args, &root)?;
    // Stop web-2 once the stream is under way.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while reads_since(&access_log, before)? < STOP_AFTER {
        if std::time::Instant::now() > deadline || run.try_wait()?.is_some() {
            let _ = run.kill();
            return Err(format!("the stream did not reach {STOP_AFTER} reads").into());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let stopped_at = reads_since(&access_log, before)?;
    let down = common::ServiceDown::stop("web-2")?;
    let status = run.wait()?;
    let reads_at_end = reads_since(&access_log, before)?;
    drop(down);
    let results = common::results(&root.join("latest"))?;
    let entry = common::trial_result(&results, trial)?;
    let message = entry["message"].as_str().unwrap_or_default();
    eprintln!(
        "health drill: web-2 stopped after {stopped_at} of {reads_at_end} reads ({status}): {message}"
    );
    if reads_at_end < stopped_at + READS / 4 {
        return Err(format!(
            "web-2 stopped too late to judge: after {stopped_at} of {reads_at_end} reads"
        )
        .into());
    }
    let failed = entry["figures"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == "reads failed"))
        .and_then(|f| f["value"].as_f64());
    if entry["status"] != "failed" || !message.contains("mw-web-2 is gone") {
        return Err(format!("the trial did not name mw-web-2 as gone: {}", entry).into());
    }
    if failed != Some(0.0) || message.contains("reads failed") {
        return Err(format!("reads failed while web-2 drained: {}", entry).into());
    }
    Ok(())
}

/// Reads of the balancing trial (siteinfo) in the front end's access log
/// since byte `from`.
fn reads_since(log: &std::path::Path, from: u64) -> Result<usize, Failed> {
    let text = std::fs::read(log)?;
    let new = text.get(from as usize..).unwrap_or_default();
    Ok(String::from_utf8_lossy(new)
        .lines()
        .filter(|l| l.contains("meta=siteinfo"))
        .count())
}
