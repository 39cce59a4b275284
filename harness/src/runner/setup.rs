//! Setup: the command line and the registries resolved into what a run needs,
//! before anything is sent.

use std::path::PathBuf;
use std::sync::Arc;

use libtest_mimic::Arguments;
use wikiharness_record::{Capability, paths};

use super::{Catalog, plan, shard};
use crate::cli;
use crate::error::SetupError;
use crate::target::{DEFAULT_TARGET, Registry, Target};
use crate::trial::TrialSpec;

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
    /// The trials selected by `--team` / `--suite` (and `--shard`).
    pub specs: Vec<TrialSpec>,
}

/// Parses `argv`, reads the registries, picks the target and builds the catalog.
pub fn setup(argv: Vec<String>, catalog: Box<Catalog>) -> Result<Setup, SetupError> {
    let (mut opts, mut libtest_args) = cli::split_args(argv.clone())?;
    if libtest_args.iter().any(|a| a == "--help" || a == "-h") {
        super::console::help();
    }
    opts.target = opts.target.or_else(|| {
        std::env::var(cli::TARGET_ENV)
            .ok()
            .filter(|v| !v.is_empty())
    });
    opts.targets_file = opts
        .targets_file
        .or_else(|| std::env::var_os(cli::TARGETS_FILE_ENV).map(PathBuf::from));

    let mut files = vec![crate::paths::repo_registry()];
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
    let is_load = |s: &TrialSpec| s.meta.needs.contains(&Capability::Load);
    if let Some(shard) = opts.shard {
        let durations = shard::durations(&report_root(&opts))?;
        let names: Vec<String> = specs.iter().map(|s| s.meta.name.clone()).collect();
        let places = shard::assign(&names, &durations, shard.count);
        let mut place = places.into_iter();
        specs.retain(|s| {
            let mine = place.next() == Some(shard.index);
            mine || is_load(s)
        });
    }
    if opts.load {
        for s in specs.iter_mut().filter(|s| is_load(s)) {
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

/// Where this run's directory goes: `--report-dir`, or the default root.
pub(super) fn report_root(opts: &cli::RunOptions) -> PathBuf {
    opts.report_dir
        .as_deref()
        .map(paths::resolve)
        .unwrap_or_else(paths::default_report_root)
}
