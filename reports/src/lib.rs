//! Report renderers: a self-contained HTML report for QA (index plus one page
//! per team), `results.json` for tools, `junit.xml` for CI.
//!
//! [`publish`] is the last stage of a run: it judges the run with the
//! readiness registry, appends to the history, and writes every format.

pub mod compare;
pub mod gate;
mod html;
mod json;
mod junit;
pub mod merge;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use wikiharness_readiness::history::{Changes, History, HistoryEntry, WINDOW};
use wikiharness_readiness::{Readiness, Registry, judge};
use wikiharness_record::FileError;
use wikiharness_record::Published;
use wikiharness_record::RunRecord;

pub use json::RESULTS_SCHEMA;

/// Everything a renderer needs.
#[derive(Debug)]
pub struct ReportInput<'a> {
    /// The run.
    pub run: &'a RunRecord,
    /// Its verdicts.
    pub readiness: &'a Readiness,
    /// Recent runs of the same target, oldest first (the current one last).
    pub trend: Vec<&'a HistoryEntry>,
    /// New failures and fixes against the previous run.
    pub changes: &'a Changes,
    /// Trials that passed and failed on the same code recently.
    pub flaky: &'a BTreeSet<String>,
    /// The run directory (attachments are relative to it).
    pub run_dir: &'a Path,
}

/// Judges `run`, records it in the history next to the run directory, and
/// writes every report. Returns the files written and the probable causes,
/// to be said last on the console.
pub fn publish(
    registry: &Registry,
    run: &RunRecord,
    run_dir: &Path,
) -> Result<Published, FileError> {
    let root = run_dir.parent().unwrap_or(run_dir);
    let mut history = History::load(&History::path_in(root));
    let flaky = history.flaky(run);
    let changes = history.changes(run);
    let readiness = judge(registry, run, &flaky);
    if !run.interrupted {
        history.append(HistoryEntry::of(run, &readiness))?;
    }
    let input = ReportInput {
        run,
        readiness: &readiness,
        trend: history.recent(&run.info.target, WINDOW),
        changes: &changes,
        flaky: &flaky,
        run_dir,
    };
    Ok(Published {
        files: write_all(&input)?,
        last_lines: cause_lines(&readiness),
    })
}

/// At most three probable causes, one line each, and how many more there are.
pub fn cause_lines(readiness: &Readiness) -> Vec<String> {
    const SHOWN: usize = 3;
    let causes = &readiness.causes;
    let mut lines: Vec<String> = causes
        .iter()
        .take(SHOWN)
        .map(|c| {
            format!(
                "probable cause: {} ({} failed trials; owner: {})",
                c.headline,
                c.trials.len(),
                c.owner.as_deref().unwrap_or("not named")
            )
        })
        .collect();
    if causes.len() > SHOWN {
        lines.push(format!(
            "and {} more probable causes in the report",
            causes.len() - SHOWN
        ));
    }
    lines
}

/// Writes `index.html`, `team-<slug>.html`, `results.json` and `junit.xml`.
pub fn write_all(input: &ReportInput<'_>) -> Result<Vec<PathBuf>, FileError> {
    let mut files = Vec::new();
    let mut write = |name: &str, bytes: Vec<u8>| -> Result<(), FileError> {
        let path = input.run_dir.join(name);
        std::fs::write(&path, bytes).map_err(FileError::io(&path))?;
        files.push(path);
        Ok(())
    };
    write("index.html", html::index(input).into_bytes())?;
    for team in &input.readiness.teams {
        write(
            &format!("team-{}.html", team.slug),
            html::team(input, team).into_bytes(),
        )?;
    }
    write("results.json", json::results(input))?;
    write("junit.xml", junit::junit(input))?;
    Ok(files)
}
