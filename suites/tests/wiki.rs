//! `cargo test -- --target NAME`: the wikiharness run.
//!
//! Composes the stages: the harness runner runs the suites' catalog against
//! the target (the readiness registry gives every trial its team and feature
//! first, and its load limits become the load trials' thresholds), and at the
//! end the reports stage judges the run and writes the reports.

use std::process::ExitCode;
use std::sync::Arc;

use wikiharness_harness::SetupError;
use wikiharness_readiness::{Registry, registry};
use wikiharness_record::load::Threshold;
use wikiharness_suites::SuiteConfig;

fn main() -> ExitCode {
    let registry = match Registry::load(&registry::default_path()) {
        Ok(r) => Arc::new(r),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let checked = registry.clone();
    wikiharness_harness::runner::main(
        Box::new(move |target, opts| {
            let mut httpbb_files = wikiharness_suites::httpbb::default_files();
            httpbb_files.extend(
                opts.httpbb_files
                    .iter()
                    .map(|f| wikiharness_record::paths::resolve(f)),
            );
            let config = SuiteConfig {
                load: opts.load_settings(target),
                smoke: opts.smoke_settings(target),
                thresholds: thresholds(&checked, &opts.thresholds)?,
                httpbb_files,
                httpbb_connect: opts.httpbb.clone(),
            };
            let mut trials = wikiharness_suites::catalog(target, &config)?;
            checked
                .assign_owners(&mut trials.iter_mut().map(|t| &mut t.meta).collect::<Vec<_>>())?;
            Ok(trials)
        }),
        Arc::new(move |record, run_dir| wikiharness_reports::publish(&registry, record, run_dir)),
    )
}

/// A trial's thresholds: the `limits` of the registry feature that covers it,
/// then the `--threshold` rules.
fn thresholds(
    registry: &Arc<Registry>,
    flags: &[String],
) -> Result<wikiharness_suites::Thresholds, SetupError> {
    let parse = |rule: &str| {
        Threshold::parse(rule)
            .map_err(|message| SetupError::file(&registry.file, None, format!("limits: {message}")))
    };
    let from_flags: Vec<Threshold> = flags.iter().map(|r| parse(r)).collect::<Result<_, _>>()?;
    let mut by_feature = std::collections::BTreeMap::new();
    for (_, feature) in registry.features() {
        if let Some(limits) = feature.limits {
            let rules: Vec<Threshold> = limits
                .rules()
                .iter()
                .map(|r| parse(r))
                .collect::<Result<_, _>>()?;
            by_feature.insert(feature.name.clone(), rules);
        }
    }
    let registry = registry.clone();
    Ok(Arc::new(move |trial: &str| {
        let mut rules = registry
            .feature_of(trial)
            .and_then(|(_, f)| by_feature.get(&f.name).cloned())
            .unwrap_or_default();
        rules.extend(from_flags.iter().cloned());
        rules
    }))
}
