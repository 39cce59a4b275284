//! Fixtures shared by the crate's unit tests.

use wikiharness_record::{SkipCause, Status, TrialMeta, TrialRecord};

/// The readiness template's required fields, for a feature of a test registry.
pub const FEATURE: &str = "need_testing = \"Yes\"\nrisks = \"r\"\ndependencies = {}\nexisting_testing = \"e\"\ncovers_dependencies = \"c\"\ntestable_on_test2 = \"Yes\"\nfeasible_to_make_testable = \"y\"\n";

/// Metadata of trial `suite::check`.
pub fn meta(name: &str) -> TrialMeta {
    TrialMeta {
        name: name.into(),
        suite: name.split("::").next().unwrap().into(),
        feature: "f".into(),
        team: "t".into(),
        needs: vec![],
        production_safe: true,
    }
}

/// A trial record with no evidence; a skipped one is skipped by the target's rules.
pub fn trial(name: &str, status: Status, message: Option<&str>) -> TrialRecord {
    TrialRecord {
        meta: meta(name),
        skip: (status == Status::Skipped).then_some(SkipCause::TargetRules),
        status,
        message: message.map(Into::into),
        started_at: String::new(),
        duration_ms: 1.0,
        requests: 1,
        backends: Default::default(),
        evidence: vec![],
        figures: vec![],
        notes: vec![],
        attachments: vec![],
        load: None,
    }
}
