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
