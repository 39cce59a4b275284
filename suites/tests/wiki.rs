//! `cargo test -- --target NAME`: the wikiharness run.
//!
//! Composes the stages: the harness runner runs the suites' catalog against
//! the target (the readiness registry is checked against the catalog first),
//! and at the end the reports stage judges the results and writes the reports.

use std::process::ExitCode;
use std::sync::Arc;

use wikiharness_readiness::{Registry, registry};

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
        Box::new(move |target| {
            let trials = wikiharness_suites::catalog(target)?;
            checked.validate(&trials.iter().map(|t| t.meta.clone()).collect::<Vec<_>>())?;
            Ok(trials)
        }),
        Arc::new(move |record, run_dir| wikiharness_reports::publish(&registry, record, run_dir)),
    )
}
