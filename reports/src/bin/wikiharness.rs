//! `wikiharness`: tools around runs — merging shard reports and gating CI.
//!
//! ```text
//! wikiharness merge --out DIR SHARD_DIR...        one report from N shard runs
//! wikiharness gate RESULTS.json [--team NAME]...  exit 1 if an opted-in team is not ready
//! wikiharness soak RUN_DIR...                     per-trial passes/failures over N runs
//! wikiharness compare RUN_A RUN_B                 what changed; exit 1 if RUN_B is worse
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use wikiharness_readiness::{Registry, Tolerance, registry, soak};

#[derive(Parser)]
#[command(
    name = "wikiharness",
    version,
    about = "Merge shard reports, gate CI on readiness, tally soak runs, compare two runs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Merge the run directories of N shards into one report (load histograms
    /// merged before thresholds are judged).
    Merge {
        /// Output directory for the merged report.
        #[arg(long)]
        out: PathBuf,
        /// Shard run directories (each with a summary.json).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
    },
    /// Fail (exit 1) when one of the given teams is "not ready" in a results.json.
    Gate {
        /// The results.json of a run.
        results: PathBuf,
        /// Teams that opted in to failing the job (repeatable; also comma-separated).
        #[arg(long = "team", value_delimiter = ',')]
        teams: Vec<String>,
    },
    /// Tally N runs of the same job (ci/soak makes them): trial, passes,
    /// failures, skips, distinct failure messages. Exit 1 if any trial failed.
    Soak {
        /// Run directories (each with a summary.json), oldest first.
        #[arg(required = true)]
        runs: Vec<PathBuf>,
    },
    /// What changed from RUN_A to RUN_B: trials whose status changed, features
    /// whose verdict changed, latency figures that moved beyond the tolerance,
    /// serving backends. Prints it, writes an HTML page; exit 1 if RUN_B is worse.
    Compare {
        /// The first run's directory (before).
        before: PathBuf,
        /// The second run's directory (after).
        after: PathBuf,
        /// The page to write (default: RUN_B/compare.html).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Share by which a latency figure must move to count (0.5 = 50%).
        #[arg(long, default_value_t = Tolerance::default().share)]
        tolerance: f64,
        /// And at least this many milliseconds.
        #[arg(long, default_value_t = Tolerance::default().floor_ms)]
        floor_ms: f64,
    },
}

fn soak(dirs: &[PathBuf]) -> Result<ExitCode, wikiharness_record::FileError> {
    let runs = dirs
        .iter()
        .map(|d| wikiharness_record::run_dir::read_summary(d))
        .collect::<Result<Vec<_>, _>>()?;
    let rows = soak::tally(&runs);
    print!("{}", soak::table(&rows));
    let failing = rows.iter().filter(|r| r.outcomes.failures > 0).count();
    let flaky = soak::flaky(&rows);
    println!(
        "\n{} runs, {} trials: {} failed at least once, {} flaky{}",
        runs.len(),
        rows.len(),
        failing,
        flaky.len(),
        if flaky.is_empty() {
            String::new()
        } else {
            format!(" ({})", flaky.into_iter().collect::<Vec<_>>().join(", "))
        }
    );
    Ok(if failing == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Merge { out, shards } => Registry::load(&registry::default_path())
            .and_then(|r| wikiharness_reports::merge::merge_dirs(&r, &out, &shards))
            .map(|files| {
                for f in files {
                    eprintln!("wikiharness: wrote {}", f.display());
                }
                ExitCode::SUCCESS
            }),
        Command::Gate { results, teams } => wikiharness_reports::gate::not_ready(&results, &teams)
            .map(|bad| {
                if bad.is_empty() {
                    let checked = wikiharness_reports::gate::opted_in(&teams).count();
                    eprintln!("wikiharness: gate passed ({checked} team(s) opted in and checked)");
                    ExitCode::SUCCESS
                } else {
                    eprintln!("wikiharness: gate failed: not ready: {}", bad.join(", "));
                    ExitCode::FAILURE
                }
            }),
        Command::Soak { runs } => soak(&runs),
        Command::Compare {
            before,
            after,
            out,
            tolerance,
            floor_ms,
        } => {
            let tolerance = Tolerance {
                share: tolerance,
                floor_ms,
            };
            Registry::load(&registry::default_path())
                .and_then(|r| {
                    wikiharness_reports::compare::compare_dirs(
                        &r,
                        &before,
                        &after,
                        tolerance,
                        out.as_deref(),
                    )
                })
                .map(|(comparison, file)| {
                    print!("{}", wikiharness_reports::compare::text(&comparison));
                    eprintln!("wikiharness: wrote {}", file.display());
                    if comparison.worse() {
                        ExitCode::FAILURE
                    } else {
                        ExitCode::SUCCESS
                    }
                })
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}
