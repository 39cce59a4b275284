//! Media drills: the file store and Shellbox break, and the report names it.
//!
//! - `unwritable_store_fails_the_uploads`: the local wiki's public zone is
//!   pointed at a directory that cannot be created (a store that is not
//!   mounted); the whole default job runs. Every media trial that uploads must
//!   fail with the storage error MediaWiki gives, grouped by its API error code
//!   into one probable cause, and every other suite must still pass.
//! - `shellbox_down_fails_pdf_metadata_only`: Shellbox is stopped; the media
//!   suite runs. The PDF metadata trial (pdfinfo and pdftotext run in
//!   Shellbox) must fail, and the raster thumbnail trial must not.
//!
//! A libtest-mimic binary: it accepts the harness's flags and runs only for
//! `local`.

mod common;

use std::ffi::OsString;

use libtest_mimic::Failed;
use serde_json::Value;

use common::{Override, ServiceDown};

/// Where the drill points the public zone: a directory no one can create.
const UNMOUNTED: &str = "/proc/wikiharness-file-store-not-mounted";
/// The evidence MediaWiki's answer gives when it cannot create the store's
/// directories: the upload API's error code.
const STORAGE_ERROR: &str = "api-error:directorycreateerror";

fn main() {
    common::main(
        vec![
            ("unwritable_store_fails_the_uploads", unwritable_store),
            ("shellbox_down_fails_pdf_metadata_only", shellbox_down),
        ],
        "media",
    )
}

fn unwritable_store() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let dir = tempfile::tempdir()?;
    let results = {
        let _broken = Override::add(&format!("$wgLocalFileRepo['directory'] = '{UNMOUNTED}';"))?;
        run(&[], dir.path())?
    };
    let trials = results["trials"].as_array().ok_or("no trials")?;
    let media: Vec<&Value> = trials.iter().filter(|t| t["suite"] == "media").collect();
    let not_failed: Vec<String> = media
        .iter()
        .filter(|t| t["status"] != "failed")
        .map(|t| format!("{} ({})", t["name"], t["status"]))
        .collect();
    if media.is_empty() || !not_failed.is_empty() {
        return Err(format!(
            "media trials that did not fail on an unwritable store: {not_failed:?}"
        )
        .into());
    }
    let others: Vec<String> = trials
        .iter()
        .filter(|t| t["suite"] != "media" && t["status"] == "failed")
        .map(|t| format!("{}: {}", t["name"], t["message"]))
        .collect();
    if !others.is_empty() {
        return Err(format!("other suites failed too: {others:?}").into());
    }
    // One probable cause, by the API's error code, explains every upload.
    let causes = results["causes"].as_array().ok_or("no causes")?;
    let storage = causes
        .iter()
        .find(|c| c["key"] == STORAGE_ERROR)
        .ok_or_else(|| format!("no cause `{STORAGE_ERROR}` among {causes:?}"))?;
    let explained: Vec<&str> = storage["trials"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let unexplained: Vec<&str> = media
        .iter()
        .filter_map(|t| t["name"].as_str())
        .filter(|n| !explained.contains(n))
        .collect();
    if !unexplained.is_empty() {
        return Err(format!(
            "the storage cause `{}` does not explain {unexplained:?}",
            storage["key"]
        )
        .into());
    }
    if storage["owner"] != "SRE Service Ops" {
        return Err(format!(
            "the storage cause names owner {}, not SRE Service Ops",
            storage["owner"]
        )
        .into());
    }
    eprintln!(
        "media drill: {} media trials failed by `{}`: {}",
        media.len(),
        storage["key"],
        storage["headline"]
    );
    Ok(())
}

fn shellbox_down() -> Result<(), Failed> {
    let _wiki = common::wiki_up()?;
    let dir = tempfile::tempdir()?;
    let results = {
        let _down = ServiceDown::stop("shellbox")?;
        run(&["--suite", "media"], dir.path())?
    };
    let status = |name: &str| {
        common::trial_result(&results, name).map(|t| {
            (
                t["status"].as_str().unwrap_or_default().to_owned(),
                t["message"].to_string(),
            )
        })
    };
    let (pdf, why) = status("media::pdf_metadata_through_shellbox")?;
    if pdf != "failed" {
        return Err(format!("with Shellbox down the PDF metadata trial is {pdf}: {why}").into());
    }
    let (raster, raster_why) = status("media::thumbnail_has_the_asked_width")?;
    if raster != "passed" {
        return Err(format!(
            "with Shellbox down the raster thumbnail trial is {raster}: {raster_why}"
        )
        .into());
    }
    eprintln!(
        "media drill: Shellbox down fails the PDF metadata ({why}), not the raster thumbnail"
    );
    Ok(())
}

/// The default job (plus `flags`) against the local wiki as it is; its results.
fn run(flags: &[&str], dir: &std::path::Path) -> Result<Value, Failed> {
    let mut args: Vec<OsString> = common::as_is_args(dir, 30)?;
    args.extend(flags.iter().map(Into::into));
    let (_, results) = common::run_wiki(&args, &dir.join("runs"))?;
    Ok(results)
}
