//! Server-side health: what no client-side check sees. The errors the
//! target's servers logged while the run went on (an error budget per
//! service), and whether the wiki's own configuration is the one the target
//! file describes, and whether its front end spreads reads over every
//! replica it has.

pub mod balance;
mod config;
mod error_budget;

use wikiharness_harness::TrialSpec;

/// Services whose logged errors are budgeted, one trial each.
const SERVICES: &[&str] = &["web", "jobrunner", "shellbox"];

/// The health trials.
pub fn trials() -> Vec<TrialSpec> {
    let mut trials = vec![
        TrialSpec::build("health", "config_matches_the_target").run(config::matches_the_target),
        TrialSpec::build("health", "reads_reach_every_replica")
            .run(balance::reads_reach_every_replica),
    ];
    trials.extend(SERVICES.iter().map(|service| {
        let service = (*service).to_owned();
        TrialSpec::build("health", &format!("error_budget_{service}"))
            .after_all()
            .run(move |cx| error_budget::within_budget(cx, service.clone()))
    }));
    trials
}
