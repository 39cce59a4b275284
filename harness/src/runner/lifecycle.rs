//! The order of a run's stages, from setup to the exit code.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use libtest_mimic::{Arguments, Trial};
use wikiharness_record::{Event, EventLog, SkipCause, run_dir};

use super::closing::Closing;
use super::journal::Journal;
use super::setup::{Setup, report_root, setup};
use super::{Catalog, Finish, console, execute, info, plan, signals};
use crate::context::RunShared;
use crate::error::SetupError;
use crate::localwiki::LocalWiki;
use crate::target::{CredentialSource, Managed};

/// Runs the harness: parses flags, runs the catalog's trials against the
/// target, writes events and `summary.json`, calls `finish`, and returns the
/// exit code (2 for setup errors, 1 for failed trials, 130 on Ctrl-C).
pub fn main(catalog: Box<Catalog>, finish: Arc<Finish>) -> ExitCode {
    match run(catalog, finish) {
        Ok(code) => code,
        Err(e) => {
            console::error(&e);
            ExitCode::from(2)
        }
    }
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
    let report_root = report_root(&opts);
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
        list(planned, &shared, &args);
        return Ok(ExitCode::SUCCESS);
    }

    run_dir::create(&report_root, &run_id)?;
    let journal = Arc::new(Journal::new(EventLog::create(
        &run_dir.join(run_dir::EVENTS),
    )?));
    let info = info::run_info(&target, &run_id, &argv, &opts, &args);
    journal
        .log()
        .emit(&Event::RunStarted(Box::new(info.clone())));
    console::started(&run_id, &target, &run_dir);
    record_unasked(&planned, &args, &journal);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .map_err(|e| SetupError::LocalWiki(format!("cannot start the async runtime: {e}")))?;
    let closing = Arc::new(Closing::new(
        info,
        clock,
        run_dir,
        report_root,
        journal.clone(),
        finish,
        wiki,
    ));
    signals::close_on_interrupt(
        closing.clone(),
        shared.clone(),
        opts.keep_pages,
        rt.handle().clone(),
    );

    let mut planned = planned;
    planned.sort_by_key(|p| execute::queue_place(&p.spec));
    let trials = execute::to_libtest_all(planned, &shared, rt.handle(), &journal);
    let conclusion = libtest_mimic::run(&args, trials);
    rt.block_on(closing.clean_up(&shared, opts.keep_pages));
    let failed = closing.close(false);
    Ok(if conclusion.has_failed() || failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `--list`: libtest prints the names; no body runs and nothing is recorded.
fn list(planned: Vec<plan::Planned>, shared: &Arc<RunShared>, args: &Arguments) {
    // A current-thread runtime satisfies the type; no trial body runs.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime starts");
    let journal = Arc::new(Journal::new(EventLog::sink()));
    let trials = execute::to_libtest_all(planned, shared, rt.handle(), &journal);
    let _ = libtest_mimic::run(args, trials);
}

/// Records opt-in trials this run did not ask for (and libtest did not filter
/// out) as skipped by choice, naming the flag that runs them; says which
/// selected trials the target will not run.
fn record_unasked(planned: &[plan::Planned], args: &Arguments, journal: &Journal) {
    for p in planned {
        if p.selected
            && let plan::Disposition::Skip(reason, _) = &p.disposition
        {
            console::will_skip(&p.spec.meta.name, reason);
        }
        let filtered_out = args.is_filtered_out(&Trial::test(p.spec.meta.name.clone(), || Ok(())));
        if let (false, Some(flag), false) = (p.selected, &p.spec.opt_in, filtered_out) {
            journal.skipped(
                &p.spec.meta,
                &format!("opt-in: run with {flag} (or --include-ignored)"),
                SkipCause::NotAsked {
                    run_with: flag.clone(),
                },
            );
        }
    }
}
