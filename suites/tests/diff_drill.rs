//! Diff-mode drill against the embedded wiki's two fronts (`local`, nginx +
//! php-fpm, and `local-legacy`, PHP's built-in server, on the same database):
//! they must show no difference, and a setting changed on one side only (the
//! site name) must show up as exactly that difference.
//!
//! A libtest-mimic binary: it accepts the harness's flags, which `cargo test --
//! --target NAME` passes to every test binary, and runs only for `local`.

mod common;

use std::sync::Arc;

use libtest_mimic::Failed;
use wikiharness_harness::client::{ClientConfig, Session};
use wikiharness_harness::target::Target;
use wikiharness_suites::diff;

use common::{Override, block_on};

/// The site name the legacy front gets in the drill.
const CHANGED_NAME: &str = "Legacy drill wiki";

fn main() {
    common::main(
        vec![
            ("local_fronts_show_no_difference", no_difference),
            (
                "a_changed_site_name_is_exactly_the_difference",
                changed_site_name,
            ),
        ],
        "diff-drill",
    )
}

/// The baseline (`local-legacy`) and the candidate (`local`), with the wiki up.
fn fronts() -> Result<(Arc<Target>, Arc<Target>), Failed> {
    Ok((
        Arc::new(common::target("local-legacy")?),
        Arc::new(common::target("local")?),
    ))
}

fn no_difference() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let (base, cand) = fronts()?;
    let diffs = block_on(compare_all(&base, &cand))?;
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(format!("differences: {}", diffs.join("\n")).into())
    }
}

fn changed_site_name() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let (base, cand) = fronts()?;
    let diffs = {
        let _changed = Override::add(&format!(
            "if ( getenv( 'WIKIHARNESS_SERVICE' ) === 'mw-legacy' ) {{ $wgSitename = '{CHANGED_NAME}'; }}"
        ))?;
        block_on(compare_all(&base, &cand))?
    };
    if diffs.is_empty() {
        return Err("changing the site name on the legacy front showed no difference".into());
    }
    // The name shows as text, and in URLs of the project namespace
    // ("Legacy_drill_wiki:About"); ResourceLoader's startup module lists
    // version hashes of modules that embed the site name, which change with it.
    let hash = regex::Regex::new(r#"^load_startup: -code\[\d+\] = "[0-9a-z]{5}"$"#).expect("valid");
    let unrelated: Vec<_> = diffs
        .iter()
        .filter(|d| {
            !d.contains(CHANGED_NAME)
                && !d.contains(&CHANGED_NAME.replace(' ', "_"))
                && !hash.is_match(d)
        })
        .collect();
    if !unrelated.is_empty() {
        return Err(format!("differences that are not the site name: {unrelated:?}").into());
    }
    eprintln!(
        "diff drill: the site name change showed as {} difference(s), e.g. {}",
        diffs.len(),
        diffs[0]
    );
    Ok(())
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
