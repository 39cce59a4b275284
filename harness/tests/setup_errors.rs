//! Bad input stops a run before anything is sent, with one line naming the
//! file, field and target.

use std::path::PathBuf;
use std::sync::Arc;

use wikiharness_harness::context::RunShared;
use wikiharness_harness::runner::{Setup, plan, setup};
use wikiharness_harness::target::{CredentialSource, Target};
use wikiharness_harness::{Capability, SetupError, TrialSpec};
use wikiharness_record::SkipCause;

fn catalog(
    _: &Target,
    _: &wikiharness_harness::cli::RunOptions,
) -> Result<Vec<TrialSpec>, SetupError> {
    let read = TrialSpec::build("pageviews", "main").run(|_| async { Ok(()) });
    let login = TrialSpec::build("api", "edit")
        .needs(Capability::Write)
        .account("bot")
        .run(|_| async { Ok(()) });
    let load = TrialSpec::build("load", "readers")
        .needs(Capability::Load)
        .opt_in("--include-ignored")
        .run(|_| async { Ok(()) });
    let httpbb = TrialSpec::build("httpbb::local", "root").run(|_| async { Ok(()) });
    // Owners, as the readiness registry assigns them in the real catalog.
    let mut trials = vec![read, login, load, httpbb];
    for t in &mut trials {
        t.meta.team = match t.meta.suite.as_str() {
            "load" => "SRE Service Ops",
            _ => "MediaWiki Platform",
        }
        .into();
    }
    Ok(trials)
}

fn argv(extra: &[&str]) -> Vec<String> {
    std::iter::once("wiki")
        .chain(extra.iter().copied())
        .map(String::from)
        .collect()
}

fn try_setup(extra: &[&str]) -> Result<Setup, String> {
    setup(argv(extra), Box::new(catalog)).map_err(|e| e.to_string())
}

fn user_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn unknown_target() {
    let err = try_setup(&["--target", "tset2"]).unwrap_err();
    assert!(
        err.starts_with(
            "unknown target `tset2` (known: local, local-legacy, test2, test2-k8s-mwdebug;"
        ),
        "{err}"
    );
}

#[test]
fn malformed_user_file() {
    let (_d, f) = user_file("[targets.mine\nbase_url = 1\n");
    let err = try_setup(&["--target", "mine", "--targets", f.to_str().unwrap()]).unwrap_err();
    assert!(err.starts_with(&format!("{}:1:", f.display())), "{err}");
}

#[test]
fn missing_field_and_bad_url_name_file_target_and_field() {
    let (_d, f) = user_file("[targets.mine]\nscript_path = \"/w\"\n");
    let err = try_setup(&["--target=mine", "--targets", f.to_str().unwrap()]).unwrap_err();
    assert_eq!(
        err,
        format!(
            "{}:1: target `mine`: field `base_url`: missing (e.g. \"https://test2.wikipedia.org\")",
            f.display()
        )
    );

    let (_d, f) = user_file("[targets.mine]\nbase_url = \"htp:/nowhere\"\n");
    let err = try_setup(&["--target=mine", "--targets", f.to_str().unwrap()]).unwrap_err();
    assert!(err.contains("target `mine`: field `base_url`"), "{err}");
}

#[test]
fn unreadable_user_file() {
    let err = try_setup(&["--targets", "/nonexistent/mine.toml"]).unwrap_err();
    assert!(
        err.starts_with("/nonexistent/mine.toml: cannot read registry file"),
        "{err}"
    );
}

#[test]
fn unknown_team_or_suite() {
    let err = try_setup(&["--team", "Nobody"]).unwrap_err();
    assert_eq!(
        err,
        "command line: --team: unknown name `Nobody` (known: MediaWiki Platform, SRE Service Ops)"
    );
    let err = try_setup(&["--suite", "nope"]).unwrap_err();
    assert!(
        err.contains("--suite: unknown name `nope` (known: api, httpbb::local, load, pageviews)"),
        "{err}"
    );
}

#[test]
fn team_and_suite_select() {
    let s = try_setup(&["--team", "mediawiki platform", "--suite", "api"]).unwrap();
    let names: Vec<_> = s.specs.iter().map(|t| t.meta.name.as_str()).collect();
    assert_eq!(names, ["api::edit"]);
}

#[test]
fn a_suite_name_selects_the_suites_below_it() {
    let s = try_setup(&["--suite", "httpbb"]).unwrap();
    let names: Vec<_> = s.specs.iter().map(|t| t.meta.name.as_str()).collect();
    assert_eq!(names, ["httpbb::local::root"]);
    // Only at a `::` boundary: `http` is not a suite, nor a family of suites.
    let err = try_setup(&["--suite", "http"]).unwrap_err();
    assert!(err.contains("--suite: unknown name `http`"), "{err}");
}

fn shared(target: &Arc<Target>) -> RunShared {
    RunShared::new(
        target.clone(),
        "r1".into(),
        PathBuf::from("/tmp/r1"),
        CredentialSource::env_only(),
    )
}

const MINE: &str = "[targets.mine]\nbase_url = \"http://127.0.0.1:9\"\nwrite = { policy = \"sandbox\", prefix = \"T/{run_id}/\" }\n\
    accounts.bot = { kind = \"bot-password\", user_env = \"WH_SETUP_TEST_UNSET_USER\", password_env = \"WH_SETUP_TEST_UNSET_PW\" }\n";

#[test]
fn missing_credentials_for_a_selected_trial_is_an_error() {
    let (_d, f) = user_file(MINE);
    let s = try_setup(&["--target", "mine", "--targets", f.to_str().unwrap()]).unwrap();
    let err = plan::plan(s.specs, &s.args, &shared(&s.target), &s.opts)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "target `mine`: trial `api::edit` needs account `bot`, but environment variable WH_SETUP_TEST_UNSET_USER is not set (field `accounts.bot.user_env` in {}); set it, or pass --skip-missing-credentials",
            f.display()
        )
    );
}

#[test]
fn missing_credentials_skip_when_asked_or_not_selected() {
    let (_d, f) = user_file(MINE);
    let s = try_setup(&[
        "--target",
        "mine",
        "--targets",
        f.to_str().unwrap(),
        "--skip-missing-credentials",
    ])
    .unwrap();
    let planned = plan::plan(s.specs, &s.args, &shared(&s.target), &s.opts).unwrap();
    let edit = planned
        .iter()
        .find(|p| p.spec.meta.name == "api::edit")
        .unwrap();
    assert_eq!(
        edit.disposition,
        plan::Disposition::Skip(
            "no credentials: account `bot` needs WH_SETUP_TEST_UNSET_USER".into(),
            SkipCause::NotAsked {
                run_with: "WH_SETUP_TEST_UNSET_USER".into()
            }
        )
    );

    // Filtered out by name: its credentials do not matter.
    let s = try_setup(&[
        "--target",
        "mine",
        "--targets",
        f.to_str().unwrap(),
        "pageviews",
    ])
    .unwrap();
    assert!(plan::plan(s.specs, &s.args, &shared(&s.target), &s.opts).is_ok());
}

#[test]
fn capabilities_the_target_lacks_are_skips_with_reasons() {
    let s = try_setup(&["--target", "test2", "--include-ignored"]).unwrap();
    let planned = plan::plan(s.specs, &s.args, &shared(&s.target), &s.opts).unwrap();
    let by_name = |n: &str| {
        planned
            .iter()
            .find(|p| p.spec.meta.name == n)
            .unwrap()
            .disposition
            .clone()
    };
    assert_eq!(by_name("pageviews::main"), plan::Disposition::Run);
    // test2 says on_missing_credentials = "skip".
    assert!(
        matches!(by_name("api::edit"), plan::Disposition::Skip(r, SkipCause::NotAsked { .. }) if r.starts_with("no credentials: account `bot` needs WIKI_TEST2_BOT_USER"))
    );
    assert!(
        matches!(by_name("load::readers"), plan::Disposition::Skip(r, SkipCause::TargetRules) if r == "not safe against production target `test2`")
    );

    let (_d, f) = user_file("[targets.ro]\nbase_url = \"http://127.0.0.1:9\"\n");
    let s = try_setup(&[
        "--target",
        "ro",
        "--targets",
        f.to_str().unwrap(),
        "--include-ignored",
    ])
    .unwrap();
    let planned = plan::plan(s.specs, &s.args, &shared(&s.target), &s.opts).unwrap();
    let reasons: Vec<_> = planned
        .iter()
        .map(|p| format!("{}: {:?}", p.spec.meta.name, p.disposition))
        .collect();
    assert!(
        reasons[1].contains("target `ro` is read-only (write.policy in"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].contains("target `ro` does not allow load (allow_load in"),
        "{reasons:?}"
    );
}

#[test]
fn default_threads_follow_the_target_cap() {
    let s = try_setup(&["--target", "test2"]).unwrap();
    assert_eq!(s.args.test_threads, Some(3));
    let s = try_setup(&["--test-threads", "1"]).unwrap();
    assert_eq!(s.args.test_threads, Some(1));
}

#[test]
fn listing_needs_no_credentials() {
    let (_d, f) = user_file(MINE);
    let s = try_setup(&[
        "--target",
        "mine",
        "--targets",
        f.to_str().unwrap(),
        "--list",
    ])
    .unwrap();
    assert!(plan::plan(s.specs, &s.args, &shared(&s.target), &s.opts).is_ok());
}
