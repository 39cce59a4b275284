//! Readiness: which features of which team are ready for the Kubernetes move.
//!
//! [`registry`] reads `readiness/registry.toml` (teams, features, the QA
//! readiness template's fields, the trials covering each feature) and checks
//! it against the trial catalog; [`verdict`] judges a run's results per feature
//! and team by written rules; [`causes`] groups failures by shared evidence
//! into probable causes; [`history`] keeps a summary of every run so that
//! trends, new failures, fixes and flaky trials can be shown; [`soak`] tallies
//! repeated runs, counting flaky trials as [`outcomes`] defines them for both.

pub mod causes;
pub mod compare;
pub mod history;
pub mod outcomes;
pub mod registry;
pub mod soak;
pub mod verdict;

#[cfg(test)]
mod test_support;

pub use causes::Cause;
pub use compare::{Comparison, Tolerance, compare};
pub use history::{History, HistoryEntry};
pub use registry::{Feature, Registry, Team};
pub use verdict::{FeatureReadiness, RULES, Readiness, TeamReadiness, Verdict, judge};
