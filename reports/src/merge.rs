//! Merging the run directories of N shards into one report. Trials that ran in
//! one shard are taken as they are; a load trial that every shard ran gets its
//! histograms merged and its thresholds judged again on the merged figures, so
//! the verdict is global rather than per worker.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use wikiharness_readiness::Registry;
use wikiharness_record::FileError;
use wikiharness_record::load::LoadSummary;
use wikiharness_record::run_dir;
use wikiharness_record::{Counts, RunRecord, Status, TrialRecord};

/// Merges shard runs into one run record.
pub fn merge_runs(runs: &[RunRecord]) -> Result<RunRecord, String> {
    let first = runs.first().ok_or("no shard runs to merge")?;
    if let Some(other) = runs.iter().find(|r| r.info.target != first.info.target) {
        return Err(format!(
            "shards ran against different targets: `{}` and `{}`",
            first.info.target, other.info.target
        ));
    }
    let mut by_name: BTreeMap<&str, Vec<&TrialRecord>> = BTreeMap::new();
    for r in runs {
        for t in &r.trials {
            by_name.entry(t.meta.name.as_str()).or_default().push(t);
        }
    }
    let mut trials = Vec::new();
    for (name, parts) in by_name {
        trials.push(match parts.as_slice() {
            [one] => (*one).clone(),
            many if many.iter().all(|t| t.load.is_some()) => merge_load(many)?,
            many if many.iter().all(|t| t.status == Status::Skipped) => many[0].clone(),
            _ => return Err(format!("trial `{name}` ran in more than one shard")),
        });
    }
    let mut info = first.info.clone();
    info.run_id = format!("merged-{}", first.info.run_id);
    info.shard = Some(match runs.len() {
        1 => "merged from 1 run directory".to_owned(),
        n => format!("merged {n} shards"),
    });
    info.started_at = runs
        .iter()
        .map(|r| r.info.started_at.clone())
        .min()
        .unwrap_or_default();
    Ok(RunRecord {
        info,
        finished_at: runs.iter().filter_map(|r| r.finished_at.clone()).max(),
        duration_s: runs.iter().map(|r| r.duration_s).fold(0.0, f64::max),
        interrupted: runs.iter().any(|r| r.interrupted),
        counts: Counts::of(&trials),
        trials,
        cleanup: None,
    })
}

/// One load trial run by several workers at once.
fn merge_load(parts: &[&TrialRecord]) -> Result<TrialRecord, String> {
    let summaries: Vec<&LoadSummary> = parts.iter().filter_map(|t| t.load.as_ref()).collect();
    let mut merged = LoadSummary::merge(&summaries)?;
    merged.judge(&summaries.first().map(|s| s.rules()).unwrap_or_default());
    let mut out = parts[0].clone();
    // A part that failed without a violated threshold failed for another
    // reason, which the merged trial keeps.
    let violated_in = |t: &TrialRecord| {
        t.load
            .as_ref()
            .is_some_and(|l| l.violations().next().is_some())
    };
    let other_failure = parts
        .iter()
        .filter(|t| t.status == Status::Failed && !violated_in(t))
        .find_map(|t| t.message.clone());
    (out.status, out.message) = match other_failure.or_else(|| merged.threshold_failure()) {
        Some(m) => (Status::Failed, Some(m)),
        None => (Status::Passed, None),
    };
    out.duration_ms = parts.iter().map(|t| t.duration_ms).fold(0.0, f64::max);
    out.requests = parts.iter().map(|t| t.requests).sum();
    out.backends = parts
        .iter()
        .flat_map(|t| t.backends.iter().cloned())
        .collect();
    out.notes.push(format!(
        "merged from {} workers: histograms added, thresholds judged on the merged figures",
        parts.len()
    ));
    out.load = Some(merged);
    Ok(out)
}

/// Reads each shard directory's `summary.json`, merges them into `out`
/// (attachments copied), and writes every report there.
pub fn merge_dirs(
    registry: &Registry,
    out: &Path,
    shards: &[PathBuf],
) -> Result<Vec<PathBuf>, FileError> {
    let mut runs = Vec::new();
    for dir in shards {
        runs.push(run_dir::read_summary(dir)?);
        let attachments = dir.join(run_dir::ATTACHMENTS);
        if attachments.is_dir() {
            let to = out.join(run_dir::ATTACHMENTS);
            std::fs::create_dir_all(&to).map_err(FileError::io(&to))?;
            for entry in std::fs::read_dir(&attachments)
                .map_err(FileError::io(&attachments))?
                .flatten()
            {
                std::fs::copy(entry.path(), to.join(entry.file_name()))
                    .map_err(FileError::io(entry.path()))?;
            }
        }
    }
    let merged = merge_runs(&runs).map_err(|message| FileError::Invalid {
        file: out.to_owned(),
        line: None,
        message,
    })?;
    std::fs::create_dir_all(out).map_err(FileError::io(out))?;
    let mut files = vec![run_dir::write_summary(out, &merged)?];
    files.extend(crate::publish(registry, &merged, out)?.files);
    Ok(files)
}
