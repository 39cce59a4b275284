//! Verdicts per feature and team, by the rules in [`RULES`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use wikiharness_harness::events::{RunRecord, Status, TrialRecord};

use crate::registry::{Feature, Registry, matches};

/// The rules, as shown in the reports.
pub const RULES: &[(&str, &str)] = &[
    (
        "Not covered",
        "No automated trial covers the feature. Never shown as ready.",
    ),
    (
        "Not ready",
        "At least one covering trial failed (including a violated latency or error-rate threshold).",
    ),
    (
        "At risk",
        "Covering trials passed, but the coverage is partial (some were skipped), a trial is flaky (passed and failed on the same code in recent runs), or an effect took longer than the feature's max_time_to_effect_ms.",
    ),
    (
        "Not tested on this target",
        "Every covering trial was skipped here (read-only target, no credentials, no load allowed, ...) or none ran in this run; the reasons are listed.",
    ),
    (
        "Ready",
        "Every covering trial ran and passed, within the feature's limits, and none is flaky.",
    ),
    (
        "Team",
        "A team's verdict is the worst of its features' verdicts, in the order Not ready, At risk, Not covered, Not tested on this target, Ready.",
    ),
];

/// A verdict; the order is from best to worst.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every covering trial passed.
    Ready,
    /// Nothing could run here.
    NotTested,
    /// No trial covers it.
    NotCovered,
    /// Partial, flaky or slow.
    AtRisk,
    /// A failure.
    NotReady,
}

impl Verdict {
    /// All verdicts, worst first.
    pub const WORST_FIRST: [Verdict; 5] = [
        Verdict::NotReady,
        Verdict::AtRisk,
        Verdict::NotCovered,
        Verdict::NotTested,
        Verdict::Ready,
    ];

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ready => "Ready",
            Verdict::NotTested => "Not tested on this target",
            Verdict::NotCovered => "Not covered",
            Verdict::AtRisk => "At risk",
            Verdict::NotReady => "Not ready",
        }
    }

    /// CSS / URL-safe name.
    pub fn slug(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::NotTested => "not-tested",
            Verdict::NotCovered => "not-covered",
            Verdict::AtRisk => "at-risk",
            Verdict::NotReady => "not-ready",
        }
    }
}

/// A feature's verdict and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureReadiness {
    /// The registry entry.
    #[serde(flatten)]
    pub feature: Feature,
    /// Verdict.
    pub verdict: Verdict,
    /// Why (one line each).
    pub reasons: Vec<String>,
    /// Covering trials that ran or were skipped in this run.
    pub results: Vec<String>,
}

/// A team's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamReadiness {
    /// Team name.
    pub name: String,
    /// URL-safe name (`team-<slug>.html`).
    pub slug: String,
    /// Contact.
    pub contact: String,
    /// Worst feature verdict.
    pub verdict: Verdict,
    /// Number of features per verdict.
    pub counts: BTreeMap<Verdict, usize>,
    /// Its features.
    pub features: Vec<FeatureReadiness>,
}

/// Verdicts of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    /// Teams in registry order.
    pub teams: Vec<TeamReadiness>,
    /// Trials of the run that no feature lists.
    pub unmapped: Vec<String>,
}

impl Readiness {
    /// The feature covering `trial`, with its team.
    pub fn feature_of(&self, trial: &str) -> Option<(&TeamReadiness, &FeatureReadiness)> {
        self.teams
            .iter()
            .flat_map(|t| t.features.iter().map(move |f| (t, f)))
            .find(|(_, f)| f.feature.trials.iter().any(|p| matches(p, trial)))
    }
}

/// Lower-case, dash-separated name for files and anchors.
pub fn slug(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Judges `run` against `registry`; `flaky` names trials that passed and failed
/// on the same code in the history window.
pub fn judge(registry: &Registry, run: &RunRecord, flaky: &BTreeSet<String>) -> Readiness {
    let teams = registry
        .teams
        .iter()
        .map(|team| {
            let features: Vec<_> = team
                .features
                .iter()
                .map(|f| judge_feature(f, &run.trials, flaky))
                .collect();
            let mut counts = BTreeMap::new();
            for f in &features {
                *counts.entry(f.verdict).or_insert(0) += 1;
            }
            TeamReadiness {
                name: team.name.clone(),
                slug: slug(&team.name),
                contact: team.contact.clone(),
                verdict: features
                    .iter()
                    .map(|f| f.verdict)
                    .max()
                    .unwrap_or(Verdict::NotCovered),
                counts,
                features,
            }
        })
        .collect();
    let unmapped = run
        .trials
        .iter()
        .filter(|t| registry.feature_of(&t.meta.name).is_none())
        .map(|t| t.meta.name.clone())
        .collect();
    Readiness { teams, unmapped }
}

fn judge_feature(
    feature: &Feature,
    trials: &[TrialRecord],
    flaky: &BTreeSet<String>,
) -> FeatureReadiness {
    let covering: Vec<&TrialRecord> = trials
        .iter()
        .filter(|t| feature.trials.iter().any(|p| matches(p, &t.meta.name)))
        .collect();
    let results = covering.iter().map(|t| t.meta.name.clone()).collect();
    let (verdict, reasons) = verdict_of(feature, &covering, flaky);
    FeatureReadiness {
        feature: feature.clone(),
        verdict,
        reasons,
        results,
    }
}

fn verdict_of(
    feature: &Feature,
    covering: &[&TrialRecord],
    flaky: &BTreeSet<String>,
) -> (Verdict, Vec<String>) {
    if feature.trials.is_empty() {
        return (
            Verdict::NotCovered,
            vec!["no automated trial covers this feature".into()],
        );
    }
    if covering.is_empty() {
        return (
            Verdict::NotTested,
            vec!["none of its trials ran in this run (filtered out)".into()],
        );
    }
    let with = |s: Status| covering.iter().filter(move |t| t.status == s);
    let failed: Vec<String> = with(Status::Failed)
        .map(|t| {
            format!(
                "{} failed: {}",
                t.meta.name,
                t.message.as_deref().unwrap_or("no message")
            )
        })
        .collect();
    if !failed.is_empty() {
        return (Verdict::NotReady, failed);
    }
    let skip_reasons: BTreeSet<String> = with(Status::Skipped)
        .map(|t| {
            t.message
                .clone()
                .unwrap_or_else(|| "no reason given".into())
        })
        .collect();
    let skipped = with(Status::Skipped).count();
    if skipped == covering.len() {
        return (
            Verdict::NotTested,
            skip_reasons
                .into_iter()
                .map(|r| format!("skipped: {r}"))
                .collect(),
        );
    }
    let mut risks = Vec::new();
    if skipped > 0 {
        risks.push(format!(
            "partially covered: {skipped} of {} trials skipped ({})",
            covering.len(),
            skip_reasons.into_iter().collect::<Vec<_>>().join("; ")
        ));
    }
    for t in covering.iter().filter(|t| flaky.contains(&t.meta.name)) {
        risks.push(format!(
            "flaky: {} passed and failed on the same code in recent runs",
            t.meta.name
        ));
    }
    if let Some(max) = feature.max_time_to_effect_ms {
        for t in covering {
            for f in t
                .figures
                .iter()
                .filter(|f| f.name.starts_with("time_to_effect") && f.value > max)
            {
                risks.push(format!(
                    "slow: {} took {:.0} ms for {} (limit {max:.0} ms)",
                    t.meta.name,
                    f.value,
                    f.name.trim_start_matches("time_to_effect:")
                ));
            }
        }
    }
    if risks.is_empty() {
        (
            Verdict::Ready,
            vec![format!("all {} covering trials passed", covering.len())],
        )
    } else {
        (Verdict::AtRisk, risks)
    }
}

#[cfg(test)]
mod tests;
