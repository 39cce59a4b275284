//! N local processes as shards of one run, merged, equal a single-process run
//! in trial set and verdicts.
//!
//! A libtest-mimic binary: it accepts the harness's flags, which `cargo test --
//! --target NAME` passes to every test binary, and runs only for `local`.

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Child;

use libtest_mimic::Failed;
use wikiharness_readiness::{Registry as Readiness, registry};

use common::results;

/// Shards in the test.
const SHARDS: usize = 3;
/// Suites of the comparison (a quick, mixed set: reads, writes, logins).
const SUITES: &[&str] = &["pageviews", "api", "rest", "httpbb::local"];

fn main() {
    common::main(
        vec![("merged_shards_equal_a_single_run", shards_equal_single)],
        "shards",
    )
}

/// Starts a run of [`SUITES`] reporting under `root`, with `extra` arguments.
fn run_wiki(root: &Path, extra: Option<String>) -> Result<Child, Failed> {
    let mut args: Vec<OsString> = vec!["--test-threads=4".into()];
    for s in SUITES {
        args.extend(["--suite".into(), (*s).into()]);
    }
    args.extend(extra.map(OsString::from));
    common::spawn_wiki(&args, root)
}

/// Sorted (name, value) pairs.
type Pairs = Vec<(String, String)>;

/// (trial name → status) and (team → verdict) of a results.json.
fn outcome(v: &serde_json::Value) -> (Pairs, Pairs) {
    let pairs = |list: &serde_json::Value, k: &str, val: &str| -> Pairs {
        let mut out: Pairs = list
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        (
                            x[k].as_str().unwrap_or_default().to_owned(),
                            x[val].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    };
    (
        pairs(&v["trials"], "name", "status"),
        pairs(&v["teams"], "name", "verdict"),
    )
}

fn shards_equal_single() -> Result<(), Failed> {
    // Held for the whole test, so that no shard stops the wiki the others use.
    let _wiki = common::wiki_up()?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;

    let single_root = tmp.path().join("single");
    let status = run_wiki(&single_root, None)?.wait()?;
    eprintln!("single run exited with {status}");
    let single = results(&single_root.join("latest"))?;

    let roots: Vec<PathBuf> = (1..=SHARDS)
        .map(|k| tmp.path().join(format!("shard-{k}")))
        .collect();
    let children: Vec<_> = roots
        .iter()
        .enumerate()
        .map(|(i, root)| run_wiki(root, Some(format!("--shard={}/{SHARDS}", i + 1))))
        .collect::<Result<_, _>>()?;
    for c in children {
        c.wait_with_output().map_err(|e| e.to_string())?;
    }
    let shard_dirs: Vec<PathBuf> = roots.iter().map(|r| r.join("latest")).collect();
    for (dir, k) in shard_dirs.iter().zip(1..) {
        let n = results(dir)?["trials"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
        if n == 0 {
            return Err(format!("shard {k} ran no trial").into());
        }
    }
    let readiness = Readiness::load(&registry::default_path()).map_err(|e| e.to_string())?;
    let merged_dir = tmp.path().join("merged").join("run");
    wikiharness_reports::merge::merge_dirs(&readiness, &merged_dir, &shard_dirs)
        .map_err(|e| e.to_string())?;
    let merged = results(&merged_dir)?;

    let (single_trials, single_teams) = outcome(&single);
    let (merged_trials, merged_teams) = outcome(&merged);
    if single_trials != merged_trials {
        return Err(format!(
            "trial sets or statuses differ:\nsingle: {single_trials:?}\nmerged: {merged_trials:?}"
        )
        .into());
    }
    if single_teams != merged_teams {
        return Err(format!(
            "team verdicts differ:\nsingle: {single_teams:?}\nmerged: {merged_teams:?}"
        )
        .into());
    }
    eprintln!(
        "shards: {} trials in {SHARDS} shards merged to the same statuses and {} team verdicts as one process",
        merged_trials.len(),
        merged_teams.len()
    );
    Ok(())
}
