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
