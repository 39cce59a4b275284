//! Every line the runner shows the user, on stderr (libtest owns stdout).
//! The other stages return data; only this file prints it.

use std::path::{Path, PathBuf};

use wikiharness_record::{Cleanup, RunRecord};

use crate::cli;
use crate::target::Target;

/// `--help`: the harness's flags, printed before libtest's own.
pub(super) fn help() {
    println!(
        "wikiharness flags (before or after the test name filter):\n{}\nlibtest flags:",
        cli::help()
    );
}

/// An error that stops the run (or its report).
pub(super) fn error(e: &dyn std::fmt::Display) {
    eprintln!("error: {e}");
}

/// The run began: its id, target and directory.
pub(super) fn started(run_id: &str, target: &Target, run_dir: &Path) {
    eprintln!(
        "wikiharness: run {run_id} against `{}` ({}); results in {}",
        target.name,
        target.base_url,
        run_dir.display()
    );
}

/// A selected trial the target will not run, and why.
pub(super) fn will_skip(trial: &str, reason: &str) {
    eprintln!("wikiharness: will skip {trial}: {reason}");
}

/// Ctrl-C arrived.
pub(super) fn interrupted() {
    eprintln!("\nwikiharness: interrupted; cleaning up and writing the report of what finished");
}

/// Ctrl-C cannot be handled in this process.
pub(super) fn no_interrupt_handler(why: &str) {
    eprintln!(
        "wikiharness: cannot handle Ctrl-C ({why}); an interrupted run will not write its report"
    );
}

/// `--keep-pages`: clean-up left the run's pages.
pub(super) fn kept_pages(pages: usize) {
    eprintln!("wikiharness: --keep-pages: leaving the {pages} pages this run created");
}

/// What clean-up deleted, skipped and failed to delete.
pub(super) fn cleaned_up(report: &Cleanup) {
    eprintln!(
        "wikiharness: clean-up: deleted {} of {} pages created by the run{}{}",
        report.deleted,
        report.pages,
        report
            .skipped
            .as_ref()
            .map(|s| format!("; skipped: {s}"))
            .unwrap_or_default(),
        if report.failures.is_empty() {
            String::new()
        } else {
            format!("; failed: {}", report.failures.join("; "))
        }
    );
}

/// The files the run wrote.
pub(super) fn wrote<'a>(files: impl IntoIterator<Item = &'a PathBuf>) {
    for f in files {
        eprintln!("wikiharness: wrote {}", f.display());
    }
}

/// The run's last lines: counts, time, where the report is, then what the
/// report stage wants said (the probable causes).
pub(super) fn finished(record: &RunRecord, latest: &Path, last_lines: &[String]) {
    let counts = record.counts;
    eprintln!(
        "wikiharness: {} passed, {} failed, {} skipped against `{}` in {:.1} s; report: {}",
        counts.passed,
        counts.failed,
        counts.skipped,
        record.info.target,
        record.duration_s,
        latest.display()
    );
    for line in last_lines {
        eprintln!("wikiharness: {line}");
    }
}

/// A short table of the run's load trials.
pub(super) fn load_table(record: &RunRecord) {
    let loads: Vec<_> = record
        .trials
        .iter()
        .filter_map(|t| t.load.as_ref().map(|l| (t, l)))
        .collect();
    if loads.is_empty() {
        return;
    }
    eprintln!(
        "\n{:<34} {:>5} {:>8} {:>7} {:>8} {:>8} {:>8} {:>9} {:>7}  thresholds",
        "load scenario",
        "users",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "co p99 ms",
        "errors"
    );
    for (t, l) in loads {
        let tot = &l.total;
        let violated = l.violations().count();
        let verdict = if l.thresholds.is_empty() {
            "none".to_string()
        } else if violated == 0 {
            format!("{} met", l.thresholds.len())
        } else {
            format!("{violated} VIOLATED")
        };
        eprintln!(
            "{:<34} {:>5} {:>8} {:>7.1} {:>8.1} {:>8.1} {:>8.1} {:>9.1} {:>6.2}%  {verdict}",
            t.meta.name,
            l.users,
            tot.requests,
            tot.throughput_rps,
            tot.raw.p50,
            tot.raw.p95,
            tot.raw.p99,
            tot.corrected.p99,
            tot.error_rate * 100.0
        );
    }
    eprintln!();
}
