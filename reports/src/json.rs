//! `results.json`: the run, its verdicts and every trial, in a versioned schema.

use serde_json::json;
use wikiharness_readiness::RULES;

use crate::ReportInput;

/// Schema identifier of `results.json`; the number changes on incompatible changes.
pub const RESULTS_SCHEMA: &str = "wikiharness-results/1";

/// The `results.json` bytes.
pub fn results(input: &ReportInput<'_>) -> Vec<u8> {
    let run = input.run;
    let doc = json!({
        "schema": RESULTS_SCHEMA,
        "run": {
            "info": run.info,
            "finished_at": run.finished_at,
            "duration_s": run.duration_s,
            "interrupted": run.interrupted,
            "counts": run.counts,
            "cleanup": run.cleanup,
            "backends": run.trials.iter().flat_map(|t| t.backends.iter()).collect::<std::collections::BTreeSet<_>>(),
        },
        "rules": RULES.iter().map(|(v, r)| json!({"verdict": v, "rule": r})).collect::<Vec<_>>(),
        "causes": input.readiness.causes,
        "teams": input.readiness.teams,
        "unmapped_trials": input.readiness.unmapped,
        "changes": input.changes,
        "flaky": input.flaky,
        "trials": run.trials,
    });
    serde_json::to_vec_pretty(&doc).expect("serializes")
}
