//! Breakage drills: each suite goes red for the right reason. Every drill
//! breaks one thing of the embedded wiki (stops the job runner, stops
//! Shellbox, points Scribunto at a missing Lua binary, puts the wiki in
//! read-only mode), runs the suites that depend on it through the harness's
//! own entry (the `wiki` binary) against the wiki as it is, and requires:
//! the trials that rely on the broken part fail, with a message that names
//! the cause; every other trial passes (or, for read-only mode, fails for
//! that same cause). The wiki is repaired after each drill, also on panic.
//!
//! A libtest-mimic binary: it accepts the harness's flags and runs only for
//! `local`.

mod common;

use std::ffi::OsString;

use libtest_mimic::Failed;
use regex::Regex;
use serde_json::Value;

use common::{Override, ServiceDown};

/// Back-end effects are given this long here (the job runner is down on purpose).
const EFFECT_DEADLINE_SECS: u64 = 8;

fn main() {
    common::main(
        vec![
            ("job_runner_down_fails_jobs", job_runner_down),
            ("shellbox_down_fails_its_features", shellbox_down),
            ("missing_lua_binary_fails_scribunto", missing_lua),
            ("read_only_wiki_fails_the_writes", read_only),
        ],
        "breakage",
    )
}

fn job_runner_down() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let (results, html) = {
        let _down = ServiceDown::stop("jobrunner")?;
        run(&["jobs"], "team-mediawiki-platform.html")?
    };
    expect(
        &results,
        &Expectation {
            must_fail: &["jobs::template_edit_fans_out_to_every_page"],
            may_fail: &|_| false,
            reason: r"^jobs did not run: .*lacks",
        },
    )?;
    // The owning team's page turns red, with the evidence on it.
    let verdict = team_verdict(&results, "MediaWiki Platform")?;
    if verdict != "not-ready" {
        return Err(format!("MediaWiki Platform is {verdict}, not not-ready").into());
    }
    for needle in ["Not ready", "jobs did not run", "Response excerpt"] {
        if !html.contains(needle) {
            return Err(format!("the team page lacks `{needle}`").into());
        }
    }
    Ok(())
}

fn shellbox_down() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let (results, _) = {
        let _down = ServiceDown::stop("shellbox")?;
        run(&["shellbox"], "index.html")?
    };
    expect(
        &results,
        &Expectation {
            must_fail: &[
                "shellbox::shellbox_service_health",
                "shellbox::syntaxhighlight_parse_has_token_spans",
                "shellbox::syntaxhighlight_page_view_has_token_spans",
            ],
            may_fail: &|_| false,
            reason: r"ConnectException|Connection refused",
        },
    )
}

fn missing_lua() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let (results, _) = {
        let _lua = Override::add(
            "$wgScribuntoEngineConf['luastandalone']['luaPath'] = '/nonexistent/lua5.1';",
        )?;
        run(&["shellbox"], "index.html")?
    };
    expect(
        &results,
        &Expectation {
            must_fail: &["shellbox::scribunto_invoke_runs_lua"],
            may_fail: &|_| false,
            reason: r"scribunto-luastandalone-exited",
        },
    )
}

fn read_only() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let (results, _) = {
        let _ro = Override::add("$wgReadOnly = 'wikiharness breakage drill';")?;
        run(&["api", "rest", "forms"], "index.html")?
    };
    expect(
        &results,
        &Expectation {
            must_fail: &[
                "api::edit_create_append_section",
                "rest::create_and_update_with_token",
                "forms::edit_form_saves_and_history_shows_it",
            ],
            // Trials that only read must pass; those that log in or write may fail.
            may_fail: &|t| {
                t["needs"]
                    .as_array()
                    .is_some_and(|n| n.iter().any(|c| c == "write" || c == "login"))
            },
            reason: r"readonly|read-only mode|locked for maintenance",
        },
    )
}

/// Runs `suites` against the wiki as it is; its results and the report page `page`.
fn run(suites: &[&str], page: &str) -> Result<(Value, String), Failed> {
    let tmp = tempfile::tempdir()?;
    let registry = common::as_is_registry(tmp.path(), EFFECT_DEADLINE_SECS)?;
    let mut args: Vec<OsString> = vec![
        "--targets".into(),
        registry.into(),
        "--target".into(),
        "local-as-is".into(),
    ];
    for s in suites {
        args.extend(["--suite".into(), (*s).into()]);
    }
    let root = tmp.path().join("reports");
    let (status, results) = common::run_wiki(&args, &root)?;
    if status.success() {
        return Err(format!("the run passed ({status}) with the wiki broken").into());
    }
    let page = root.join("latest").join(page);
    let html = std::fs::read_to_string(&page).map_err(|e| format!("{}: {e}", page.display()))?;
    Ok((results, html))
}

/// What a drill requires of a run's trials.
struct Expectation<'a> {
    /// Trials that must fail.
    must_fail: &'a [&'a str],
    /// Other trials allowed to fail (all others must pass).
    may_fail: &'a dyn Fn(&Value) -> bool,
    /// Every failure's message must match this regex.
    reason: &'a str,
}

fn expect(results: &Value, e: &Expectation<'_>) -> Result<(), Failed> {
    let reason = Regex::new(e.reason).map_err(|x| x.to_string())?;
    let trials = results["trials"].as_array().cloned().unwrap_or_default();
    let mut wrong = Vec::new();
    for name in e.must_fail {
        if !trials.iter().any(|t| t["name"] == *name) {
            wrong.push(format!("{name}: did not run"));
        }
    }
    for t in &trials {
        let name = t["name"].as_str().unwrap_or_default();
        let message = t["message"].as_str().unwrap_or_default();
        let status = t["status"].as_str().unwrap_or_default();
        let must = e.must_fail.contains(&name);
        match status {
            "failed" if !reason.is_match(message) => wrong.push(format!(
                "{name}: failed for another reason than /{}/: {message}",
                e.reason
            )),
            "failed" if must || (e.may_fail)(t) => {}
            "failed" => wrong.push(format!("{name}: failed but does not depend on it")),
            _ if must => wrong.push(format!("{name}: {status}, not failed")),
            "passed" => {}
            other => wrong.push(format!("{name}: {other}: {message}")),
        }
    }
    if wrong.is_empty() {
        eprintln!(
            "breakage: {} trial(s) failed for the right reason, {} passed",
            trials.iter().filter(|t| t["status"] == "failed").count(),
            trials.iter().filter(|t| t["status"] == "passed").count()
        );
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// The verdict of team `name` in a run's results.
fn team_verdict(results: &Value, name: &str) -> Result<String, Failed> {
    results["teams"]
        .as_array()
        .and_then(|teams| teams.iter().find(|t| t["name"] == name))
        .and_then(|t| t["verdict"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("team {name} is not in the results").into())
}
