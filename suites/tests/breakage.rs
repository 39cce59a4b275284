//! Breakage drills: each suite goes red for the right reason. Every drill
//! breaks one thing of the embedded wiki (stops the job runner, stops
//! Shellbox, points Scribunto at a missing Lua binary, puts the wiki in
//! read-only mode), runs the suites that depend on it through the harness's
//! own entry (the `wiki` binary) against the wiki as it is, and requires:
//! the trials that rely on the broken part fail, with a message that names
//! the cause; every other trial passes (or, for read-only mode, fails for
//! that same cause). The wiki is repaired after each drill, also on panic.
//! One more drill stops the web front in the middle of a browser trial (once
//! the browser asks for VisualEditor) and requires the failure to carry a
//! screenshot, shown on the team page and attached in JUnit.
//!
//! A libtest-mimic binary: it accepts the harness's flags and runs only for
//! `local`.

mod common;

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
            (
                "web_front_stopped_mid_browser_trial_leaves_a_screenshot",
                web_down_mid_browser_trial,
            ),
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
    print_causes(&results);
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
    print_causes(&results);
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
    first_cause_says(&results, "the wiki is read-only: API error `readonly`")?;
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

/// The browser trial whose middle the web front is stopped in.
const BROWSER_TRIAL: &str = "browser::visualeditor_edit_and_save";

fn web_down_mid_browser_trial() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let tmp = tempfile::tempdir()?;
    let access_log = common::local_wiki()?
        .state_dir()
        .join("logs/nginx-access.log");
    let seen = std::fs::metadata(&access_log).map(|m| m.len()).unwrap_or(0);
    let root = tmp.path().join("reports");
    let mut args = common::as_is_args(tmp.path(), EFFECT_DEADLINE_SECS)?;
    args.extend(["--exact".into(), BROWSER_TRIAL.into()]);
    let mut run = common::spawn_wiki(&args, &root)?;
    // Mid-trial: once the browser has asked for the VisualEditor, stop the front.
    let status = {
        let opened = wait_for_log(&access_log, seen, |l| {
            l.contains("HeadlessChrome") && l.contains("veaction=edit")
        });
        let _down = ServiceDown::stop("web")?;
        let status = run.wait()?;
        opened?;
        status
    };
    if status.success() {
        return Err(format!("the run passed ({status}) with the web front stopped").into());
    }
    let run_dir = root.join("latest");
    let results = common::results(&run_dir)?;
    let trial = common::trial_result(&results, BROWSER_TRIAL)?;
    if trial["status"] != "failed" {
        return Err(format!("{BROWSER_TRIAL} is {}, not failed", trial["status"]).into());
    }
    let shots: Vec<&str> = trial["attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let png = shots
        .iter()
        .any(|s| std::fs::read(run_dir.join(s)).is_ok_and(|b| b.starts_with(b"\x89PNG")));
    if !png {
        return Err(format!("no PNG screenshot attached: {shots:?}").into());
    }
    let page = std::fs::read_to_string(run_dir.join("team-editing.html"))?;
    let junit = std::fs::read_to_string(run_dir.join("junit.xml"))?;
    if !page.contains("<img") || !junit.contains("[[ATTACHMENT|") {
        return Err("the screenshot is not on the team page or in the JUnit report".into());
    }
    eprintln!(
        "breakage: {BROWSER_TRIAL} failed with the front stopped mid-trial: {}",
        trial["message"]
            .as_str()
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or_default()
    );
    Ok(())
}

/// Waits (at most 120 s) until a line written to `log` after byte `from` matches.
fn wait_for_log(
    log: &std::path::Path,
    from: u64,
    matches: impl Fn(&str) -> bool,
) -> Result<(), Failed> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        let text = std::fs::read(log)?;
        let new = String::from_utf8_lossy(text.get(from as usize..).unwrap_or_default());
        if new.lines().any(&matches) {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Err(format!(
        "{} never showed the browser opening VisualEditor",
        log.display()
    )
    .into())
}

/// Runs `suites` against the wiki as it is; its results and the report page `page`.
fn run(suites: &[&str], page: &str) -> Result<(Value, String), Failed> {
    let tmp = tempfile::tempdir()?;
    let mut args = common::as_is_args(tmp.path(), EFFECT_DEADLINE_SECS)?;
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

fn print_causes(results: &Value) {
    for c in results["causes"].as_array().into_iter().flatten() {
        eprintln!("cause: {} {} {}", c["headline"], c["owner"], c["trials"]);
    }
}

/// The report's first probable cause must start with `headline`.
fn first_cause_says(results: &Value, headline: &str) -> Result<(), Failed> {
    let first = &results["causes"][0];
    let said = first["headline"].as_str().unwrap_or("no probable cause");
    if !said.starts_with(headline) {
        return Err(format!("the first probable cause is `{said}`, not `{headline}…`").into());
    }
    eprintln!(
        "breakage drill: first probable cause: {said} ({} trials, owner {})",
        first["trials"].as_array().map_or(0, Vec::len),
        first["owner"]
    );
    Ok(())
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
