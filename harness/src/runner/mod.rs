//! The run: list → plan → run → report, driven by libtest-mimic.
//!
//! [`main`] is what a `harness = false` test binary calls with the suites'
//! catalog and the report stage. The stages are kept apart: [`plan`] decides
//! what runs, [`execute`] runs and records, and the `finish` callback (readiness
//! verdicts and renderers, which live in later crates) turns the [`RunRecord`]
//! into reports — at the end of the run, or on Ctrl-C.

pub mod cleanup;
mod command_line;
mod execute;
pub mod plan;
pub mod shard;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use libtest_mimic::Arguments;

use crate::cli;
use crate::context::RunShared;
use crate::error::SetupError;
use crate::events::{Counts, Event, EventLog, RunInfo, RunRecord};
use crate::localwiki::{LocalWiki, WikiGuard};
use crate::target::{CredentialSource, DEFAULT_TARGET, Managed, Registry, Target};
use crate::trial::TrialSpec;
use crate::{paths, run_dir};

pub use execute::{Results, now};

/// Builds the trials for a target and the run's options (the suites' catalog).
pub type Catalog = dyn FnOnce(&Target, &cli::RunOptions) -> Result<Vec<TrialSpec>, SetupError>;

/// Turns a finished (or interrupted) run into reports.
pub type Finish = dyn Fn(&RunRecord, &Path) -> Result<Published, SetupError> + Send + Sync;

/// What the reporters wrote, and what they want said last on the console.
#[derive(Debug, Default)]
pub struct Published {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Lines printed after the run's summary line (the probable causes).
    pub last_lines: Vec<String>,
}

/// Runs the harness: parses flags, runs the catalog's trials against the
/// target, writes events and `summary.json`, calls `finish`, and returns the
/// exit code (2 for setup errors, 1 for failed trials, 130 on Ctrl-C).
pub fn main(catalog: Box<Catalog>, finish: Arc<Finish>) -> ExitCode {
    match run(catalog, finish) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// A run's inputs, resolved and validated: nothing has been sent yet.
#[derive(Debug)]
pub struct Setup {
    /// The command line as given.
    pub argv: Vec<String>,
    /// The harness's options (environment fallbacks applied).
    pub opts: cli::RunOptions,
    /// libtest's arguments.
    pub args: Arguments,
    /// The target.
    pub target: Arc<Target>,
    /// The baseline of diff mode (`--baseline`).
    pub baseline: Option<Arc<Target>>,
    /// The trials selected by `--team` / `--suite`.
    pub specs: Vec<TrialSpec>,
}

/// Parses `argv`, reads the registries, picks the target and builds the catalog.
pub fn setup(argv: Vec<String>, catalog: Box<Catalog>) -> Result<Setup, SetupError> {
    let (mut opts, mut libtest_args) = cli::split_args(argv.clone())?;
    if libtest_args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "wikiharness flags (before or after the test name filter):\n{}\nlibtest flags:",
            cli::help()
        );
    }
    opts.target = opts.target.or_else(|| {
        std::env::var(cli::TARGET_ENV)
            .ok()
            .filter(|v| !v.is_empty())
    });
    opts.targets_file = opts
        .targets_file
        .or_else(|| std::env::var_os(cli::TARGETS_FILE_ENV).map(PathBuf::from));

    let mut files = vec![paths::repo_registry()];
    files.extend(opts.targets_file.as_deref().map(paths::resolve));
    let registry = Registry::load(&files)?;
    let target = Arc::new(
        registry
            .get(opts.target.as_deref().unwrap_or(DEFAULT_TARGET))?
            .clone(),
    );
    let baseline = opts
        .baseline
        .as_deref()
        .map(|b| registry.get(b).map(|t| Arc::new(t.clone())))
        .transpose()?;

    if !libtest_args.iter().any(|a| a.starts_with("--test-threads")) {
        libtest_args.push(format!(
            "--test-threads={}",
            target.max_concurrent_requests.max(2)
        ));
    }
    let args = Arguments::from_iter(libtest_args);
    let mut specs = plan::select(catalog(&target, &opts)?, &opts)?;
    if let Some(shard) = opts.shard {
        let root = opts
            .report_dir
            .as_deref()
            .map(paths::resolve)
            .unwrap_or_else(paths::default_report_root);
        let durations = shard::durations(&root)?;
        let names: Vec<String> = specs.iter().map(|s| s.meta.name.clone()).collect();
        let places = shard::assign(&names, &durations, shard.count);
        let mut place = places.into_iter();
        specs.retain(|s| {
            let mine = place.next() == Some(shard.index);
            mine || s.meta.needs.contains(&crate::events::Capability::Load)
        });
    }
    if opts.load {
        for s in specs
            .iter_mut()
            .filter(|s| s.meta.needs.contains(&crate::events::Capability::Load))
        {
            s.opt_in = None;
        }
    }
    Ok(Setup {
        argv,
        opts,
        args,
        target,
        baseline,
        specs,
    })
}

fn run(catalog: Box<Catalog>, finish: Arc<Finish>) -> Result<ExitCode, SetupError> {
    let clock = Instant::now();
    let Setup {
        argv,
        opts,
        args,
        target,
        baseline,
        specs,
    } = setup(std::env::args().collect(), catalog)?;

    let run_id = run_dir::new_run_id();
    let report_root = opts
        .report_dir
        .as_deref()
        .map(paths::resolve)
        .unwrap_or_else(paths::default_report_root);
    let run_dir = report_root.join(&run_id);
    let anything_runs = !args.list && specs.iter().any(|s| plan::libtest_selects(&args, s));

    // The embedded wiki serves both fronts (web and legacy): start it for
    // whichever of the target and the baseline it manages.
    let managed = [Some(&target), baseline.as_ref()]
        .into_iter()
        .flatten()
        .find(|t| t.managed == Managed::LocalWiki);
    let wiki = match managed {
        Some(t) if anything_runs => Some(LocalWiki::for_target(t).ensure_up(opts.keep_wiki)?),
        _ => None,
    };
    let credentials = match &wiki {
        Some(w) => w.wiki().credentials()?,
        None => CredentialSource::env_only(),
    };
    let shared = Arc::new(
        RunShared::new(target.clone(), run_id.clone(), run_dir.clone(), credentials)
            .with_baseline(baseline),
    );
    let planned = plan::plan(specs, &args, &shared, &opts)?;

    if args.list {
        let trials = planned.into_iter().map(|p| {
            execute::to_libtest(
                p,
                shared.clone(),
                tokio_handle_for_listing(),
                Arc::new(Results::new(EventLog::sink())),
            )
        });
        let _ = libtest_mimic::run(&args, trials.collect());
        return Ok(ExitCode::SUCCESS);
    }

    run_dir::create(&report_root, &run_id)?;
    let results = Arc::new(Results::new(EventLog::create(
        &run_dir.join("events.jsonl"),
    )?));
    let info = run_info(&target, &run_id, &argv, &opts, &args);
    results
        .log()
        .emit(&Event::RunStarted(Box::new(info.clone())));
    eprintln!(
        "wikiharness: run {run_id} against `{}` ({}); results in {}",
        target.name,
        target.base_url,
        run_dir.display()
    );
    for p in &planned {
        if p.selected
            && let plan::Disposition::Skip(reason, _) = &p.disposition
        {
            eprintln!("wikiharness: will skip {}: {reason}", p.spec.meta.name);
        }
        if !p.selected
            && p.spec.opt_in.is_some()
            && !args.is_filtered_out(&libtest_mimic::Trial::test(
                p.spec.meta.name.clone(),
                || Ok(()),
            ))
        {
            let flag = p.spec.opt_in.clone().unwrap_or_default();
            results.skipped(
                &p.spec.meta,
                &format!("opt-in: run with {flag} (or --include-ignored)"),
                crate::events::SkipCause::NotAsked { run_with: flag },
            );
        }
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .map_err(|e| SetupError::LocalWiki(format!("cannot start the async runtime: {e}")))?;
    let closing = Arc::new(Closing {
        info,
        clock,
        run_dir: run_dir.clone(),
        report_root,
        results: results.clone(),
        finish,
        wiki: Mutex::new(wiki),
        cleanup: Mutex::default(),
        done: AtomicBool::new(false),
    });
    // ctrlc allows one handler per process: installed first, it also keeps
    // goose from taking SIGINT over during load trials.
    let (on_signal, signal_shared, keep_pages) = (closing.clone(), shared.clone(), opts.keep_pages);
    let handle = rt.handle().clone();
    let handler = ctrlc::set_handler(move || {
        eprintln!(
            "\nwikiharness: interrupted; cleaning up and writing the report of what finished"
        );
        let cleanup = on_signal.clean_up(&signal_shared, keep_pages);
        let _ = handle.block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(20), cleanup).await
        });
        on_signal.close(true);
        std::process::exit(130);
    });
    if let Err(e) = handler {
        eprintln!(
            "wikiharness: cannot handle Ctrl-C ({e}); an interrupted run will not write its report"
        );
    }

    // Trials that run alone go first, so that none waits for others to drain.
    let mut planned = planned;
    planned.sort_by_key(|p| !execute::runs_alone(&p.spec));
    let trials = planned
        .into_iter()
        .map(|p| execute::to_libtest(p, shared.clone(), rt.handle().clone(), results.clone()))
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    rt.block_on(closing.clean_up(&shared, opts.keep_pages));
    let failed = closing.close(false);
    Ok(if conclusion.has_failed() || failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `--list` never runs a body; a current-thread runtime handle satisfies the type.
fn tokio_handle_for_listing() -> tokio::runtime::Handle {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    })
    .handle()
    .clone()
}

fn run_info(
    target: &Target,
    run_id: &str,
    argv: &[String],
    opts: &cli::RunOptions,
    args: &Arguments,
) -> RunInfo {
    let host_port = crate::client::symptom::host_port;
    let mut services =
        std::collections::BTreeMap::from([("web".to_owned(), host_port(&target.base_url))]);
    if let Some(url) = &target.shellbox_url {
        services.insert("shellbox".into(), host_port(url));
    }
    RunInfo {
        services,
        selection: selection(opts, args),
        target_description: target.description.clone(),
        started_at: now(),
        command_line: command_line::shown(argv),
        git_commit: git_commit(),
        baseline: opts.baseline.clone(),
        shard: opts.shard.map(|s| format!("{}/{}", s.index, s.count)),
        ..RunInfo::new(run_id, &target.name, target.base_url.as_str())
    }
}

/// The options that narrowed the run, as the user wrote them.
fn selection(opts: &cli::RunOptions, args: &Arguments) -> Vec<String> {
    let flagged = |flag: &str, names: &[String]| {
        names
            .iter()
            .map(|n| format!("{flag} {n}"))
            .collect::<Vec<_>>()
    };
    let mut s = flagged("--team", &opts.teams);
    s.extend(flagged("--suite", &opts.suites));
    s.extend(flagged("--skip", &args.skip));
    if let Some(f) = &args.filter {
        s.push(if args.exact {
            format!("--exact {f}")
        } else {
            f.clone()
        });
    }
    if opts.shard.is_some() {
        s.push("--shard".into());
    }
    s
}

fn git_commit() -> Option<String> {
    if let Ok(c) = std::env::var("WIKIHARNESS_GIT_COMMIT") {
        return Some(c);
    }
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(paths::repo_root())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The end of a run, reached once: normally or on Ctrl-C.
struct Closing {
    info: RunInfo,
    clock: Instant,
    run_dir: PathBuf,
    report_root: PathBuf,
    results: Arc<Results>,
    finish: Arc<Finish>,
    wiki: Mutex<Option<WikiGuard>>,
    cleanup: Mutex<Option<cleanup::Cleanup>>,
    done: AtomicBool,
}

impl Closing {
    /// Deletes the pages the run created (unless kept) and remembers the outcome.
    async fn clean_up(&self, shared: &RunShared, keep_pages: bool) {
        if keep_pages {
            eprintln!(
                "wikiharness: --keep-pages: leaving the {} pages this run created",
                shared.created_pages().len()
            );
            return;
        }
        let report = cleanup::delete_created(shared).await;
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
        *self.cleanup.lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
    }

    /// Writes `summary.json` and the reports, stops what the run started.
    /// Returns true if writing a report failed.
    fn close(&self, interrupted: bool) -> bool {
        if self.done.swap(true, Ordering::SeqCst) {
            return false;
        }
        let trials = self.results.snapshot();
        let counts = Counts::of(&trials);
        let finished_at = now();
        self.results.log().emit(&Event::RunFinished {
            at: finished_at.clone(),
            counts,
            interrupted,
        });
        let record = RunRecord {
            info: self.info.clone(),
            finished_at: Some(finished_at),
            duration_s: self.clock.elapsed().as_secs_f64(),
            interrupted,
            counts,
            trials,
            cleanup: self
                .cleanup
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(),
        };
        let mut report_failed = false;
        let summary = self.run_dir.join("summary.json");
        let written = std::fs::write(
            &summary,
            serde_json::to_vec_pretty(&record).expect("serializes"),
        )
        .map_err(SetupError::io(&summary))
        .and_then(|_| (self.finish)(&record, &self.run_dir));
        let last_lines = match written {
            Ok(published) => {
                for f in std::iter::once(&summary).chain(&published.files) {
                    eprintln!("wikiharness: wrote {}", f.display());
                }
                published.last_lines
            }
            Err(e) => {
                eprintln!("error: {e}");
                report_failed = true;
                Vec::new()
            }
        };
        print_load_table(&record);
        if let Some(mut wiki) = self.wiki.lock().unwrap_or_else(|e| e.into_inner()).take() {
            wiki.stop();
        }
        eprintln!(
            "wikiharness: {} passed, {} failed, {} skipped against `{}` in {:.1} s; report: {}",
            counts.passed,
            counts.failed,
            counts.skipped,
            self.info.target,
            record.duration_s,
            self.report_root.join("latest").display()
        );
        for line in last_lines {
            eprintln!("wikiharness: {line}");
        }
        report_failed
    }
}

/// A short table of the run's load trials, on stderr.
fn print_load_table(record: &RunRecord) {
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
        let violated = l.thresholds.iter().filter(|r| !r.passed).count();
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
