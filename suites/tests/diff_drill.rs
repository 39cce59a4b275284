//! Diff-mode drill against the embedded wiki's two fronts (`local`, nginx +
//! php-fpm, and `local-legacy`, PHP's built-in server, on the same database):
//! they must show no difference, and a setting changed on one side only (the
//! site name) must show up as exactly that difference.
//!
//! A libtest-mimic binary: it accepts the harness's flags, which `cargo test --
//! --target NAME` passes to every test binary, and runs only for `local`.

use std::sync::Arc;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use wikiharness_harness::client::{ClientConfig, Session};
use wikiharness_harness::localwiki::LocalWiki;
use wikiharness_harness::target::{Registry, Target};
use wikiharness_harness::{cli, paths};
use wikiharness_suites::diff;

/// The site name the legacy front gets in the drill.
const CHANGED_NAME: &str = "Legacy drill wiki";

fn main() {
    let (opts, rest) = match cli::split_args(std::env::args()) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let mut args = Arguments::from_iter(rest);
    // One at a time: the second trial changes the legacy front's configuration.
    args.test_threads = Some(1);
    let target = opts
        .target
        .clone()
        .or_else(|| std::env::var(cli::TARGET_ENV).ok())
        .unwrap_or_else(|| "local".into());
    let skip = (target != "local")
        .then(|| format!("the drill needs the embedded wiki (target `{target}`)"));
    let trials = vec![
        trial(
            "local_fronts_show_no_difference",
            skip.clone(),
            |base, cand| {
                run(async move {
                    let diffs = compare_all(&base, &cand).await?;
                    if diffs.is_empty() {
                        Ok(())
                    } else {
                        Err(format!("differences: {}", diffs.join("\n")).into())
                    }
                })
            },
        ),
        trial(
            "a_changed_site_name_is_exactly_the_difference",
            skip,
            |base, cand| {
                run(async move {
                    let wiki = LocalWiki::for_target(&cand);
                    let override_file = wiki.state_dir().join("Override.php");
                    let before = std::fs::read_to_string(&override_file).ok();
                    let php = format!(
                        "{}\nif ( getenv( 'WIKIHARNESS_SERVICE' ) === 'mw-legacy' ) {{ $wgSitename = '{CHANGED_NAME}'; }}\n",
                        before.clone().unwrap_or_else(|| "<?php".into())
                    );
                    std::fs::write(&override_file, php).map_err(|e| e.to_string())?;
                    let diffs = compare_all(&base, &cand).await;
                    match before {
                        Some(text) => std::fs::write(&override_file, text),
                        None => std::fs::remove_file(&override_file),
                    }
                    .map_err(|e| format!("cannot restore {}: {e}", override_file.display()))?;
                    let diffs = diffs?;
                    if diffs.is_empty() {
                        return Err(
                            "changing the site name on the legacy front showed no difference"
                                .into(),
                        );
                    }
                    // The name shows as text, and in URLs of the project namespace
                    // ("Legacy_drill_wiki:About"); ResourceLoader's startup module lists
                    // version hashes of modules that embed the site name, which change with it.
                    let hash = regex::Regex::new(r#"^load_startup: -code\[\d+\] = "[0-9a-z]{5}"$"#)
                        .expect("valid");
                    let unrelated: Vec<_> = diffs
                        .iter()
                        .filter(|d| {
                            !d.contains(CHANGED_NAME)
                                && !d.contains(&CHANGED_NAME.replace(' ', "_"))
                                && !hash.is_match(d)
                        })
                        .collect();
                    if !unrelated.is_empty() {
                        return Err(format!(
                            "differences that are not the site name: {unrelated:?}"
                        )
                        .into());
                    }
                    eprintln!(
                        "diff drill: the site name change showed as {} difference(s), e.g. {}",
                        diffs.len(),
                        diffs[0]
                    );
                    Ok(())
                })
            },
        ),
    ];
    libtest_mimic::run(&args, trials).exit();
}

type Body = fn(Arc<Target>, Arc<Target>) -> Result<(), Failed>;

fn trial(name: &str, skip: Option<String>, body: Body) -> Trial {
    Trial::ignorable_test(name, move || {
        if let Some(reason) = skip {
            return Ok(Completion::ignored_with(reason));
        }
        let registry = Registry::load(&[paths::repo_registry()]).map_err(|e| e.to_string())?;
        let base = Arc::new(
            registry
                .get("local-legacy")
                .map_err(|e| e.to_string())?
                .clone(),
        );
        let cand = Arc::new(registry.get("local").map_err(|e| e.to_string())?.clone());
        let _guard = LocalWiki::for_target(&cand)
            .ensure_up(false)
            .map_err(|e| e.to_string())?;
        body(base, cand).map(|()| Completion::Completed)
    })
    .with_kind("diff-drill")
}

fn run(f: impl std::future::Future<Output = Result<(), Failed>>) -> Result<(), Failed> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(f)
}

/// Every non-Lua probe compared; one line per differing field, with both values.
async fn compare_all(base: &Arc<Target>, cand: &Arc<Target>) -> Result<Vec<String>, Failed> {
    let (rules, probes) = diff::probes().map_err(|e| e.to_string())?;
    let bs = Session::new(ClientConfig::for_target(base.clone())).map_err(|e| e.to_string())?;
    let cs = Session::new(ClientConfig::for_target(cand.clone())).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for (probe, form) in probes.iter().filter(|(p, _)| !p.lua_module) {
        let d = diff::compare_probe((&bs, base), (&cs, cand), probe, form, &rules, "")
            .await
            .map_err(|e| e.to_string())?;
        out.extend(
            d.diff
                .lines()
                .filter(|l| l.starts_with('-') && !l.starts_with("---"))
                .map(|l| format!("{}: {l}", probe.name)),
        );
    }
    Ok(out)
}
