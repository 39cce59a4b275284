//! Verdicts per feature and team, by the rules in [`RULES`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use wikiharness_record::{RunRecord, SkipCause, Status, TrialRecord};

use crate::registry::{Feature, Registry, matches};

/// The rules, as shown in the reports.
pub const RULES: &[(&str, &str)] = &[
    (
        "Not ready",
        "At least one covering trial failed (including a violated latency or error-rate threshold).",
    ),
    (
        "At risk",
        "Every covering trial that ran passed, but there is evidence of risk: a trial is flaky (passed and failed on the same code in recent runs), a load threshold was met within 20% of its limit, or an effect took longer than the feature's max_time_to_effect_ms.",
    ),
    (
        "Not covered",
        "No automated trial covers the feature. Never shown as ready.",
    ),
    (
        "Not tested on this target",
        "No covering trial could run because the target's own rules forbid it (production safety, a read-only target, no load allowed) or the target lacks what it needs (no browser, no Shellbox URL); the reasons are listed.",
    ),
    (
        "Not run in this run",
        "No covering trial ran because of a choice of this run: opt-in trials not asked for, diff mode without --baseline, credentials not given, or a --suite/--team/name filter. The reasons name the flag that runs them.",
    ),
    (
        "Ready",
        "Every covering trial that ran passed, within the feature's limits, with no evidence of risk. Trials this run chose not to run, or the target forbids, are listed but do not lower the verdict.",
    ),
    (
        "Team",
        "A team's verdict is the worst of its features' verdicts, in the order Not ready, At risk, Not covered, Not tested on this target, Not run in this run, Ready; features not run in this run count only when none of the team's features ran.",
    ),
];

/// Share of a threshold's limit beyond which a met threshold is a risk.
pub const NEAR_LIMIT: f64 = 0.8;

/// A verdict; the order is from best to worst.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every covering trial that ran passed.
    Ready,
    /// Nothing ran, by a choice of this run.
    NotRun,
    /// Nothing could run on this target.
    NotTested,
    /// No trial covers it.
    NotCovered,
    /// Passed, with evidence of risk.
    AtRisk,
    /// A failure.
    NotReady,
}

impl Verdict {
    /// All verdicts, worst first.
    pub const WORST_FIRST: [Verdict; 6] = [
        Verdict::NotReady,
        Verdict::AtRisk,
        Verdict::NotCovered,
        Verdict::NotTested,
        Verdict::NotRun,
        Verdict::Ready,
    ];

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ready => "Ready",
            Verdict::NotRun => "Not run in this run",
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
            Verdict::NotRun => "not-run",
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
    /// Those of them that passed with evidence of risk.
    pub risky: Vec<String>,
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
    /// Probable causes of the failures, the largest first.
    pub causes: Vec<crate::causes::Cause>,
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
                .map(|f| judge_feature(f, run, flaky))
                .collect();
            let mut counts = BTreeMap::new();
            for f in &features {
                *counts.entry(f.verdict).or_insert(0) += 1;
            }
            TeamReadiness {
                name: team.name.clone(),
                slug: slug(&team.name),
                contact: team.contact.clone(),
                verdict: team_verdict(&features),
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
    Readiness {
        teams,
        unmapped,
        causes: crate::causes::probable_causes(registry, run),
    }
}

/// The worst feature verdict; features not run count only when none ran.
fn team_verdict(features: &[FeatureReadiness]) -> Verdict {
    let worst = |run_only: bool| {
        features
            .iter()
            .map(|f| f.verdict)
            .filter(|v| !run_only || *v != Verdict::NotRun)
            .max()
    };
    worst(true)
        .or_else(|| worst(false))
        .unwrap_or(Verdict::NotCovered)
}

fn judge_feature(feature: &Feature, run: &RunRecord, flaky: &BTreeSet<String>) -> FeatureReadiness {
    let covering: Vec<&TrialRecord> = run
        .trials
        .iter()
        .filter(|t| feature.trials.iter().any(|p| matches(p, &t.meta.name)))
        .collect();
    let results = covering.iter().map(|t| t.meta.name.clone()).collect();
    let (verdict, reasons, risky) = verdict_of(feature, &covering, &run.info.selection, flaky);
    FeatureReadiness {
        feature: feature.clone(),
        verdict,
        reasons,
        results,
        risky,
    }
}

/// A skipped trial's cause; records without one were skipped at run time.
fn cause(t: &TrialRecord) -> SkipCause {
    t.skip.clone().unwrap_or(SkipCause::Unavailable)
}

/// `n of m trials <what>: reason; reason`, the reasons deduplicated.
fn skip_line(what: &str, skipped: &[&&TrialRecord], of: usize) -> Option<String> {
    if skipped.is_empty() {
        return None;
    }
    let reasons: BTreeSet<&str> = skipped
        .iter()
        .map(|t| t.message.as_deref().unwrap_or("no reason given"))
        .collect();
    Some(format!(
        "{} of {of} {} {what}: {}",
        skipped.len(),
        if of == 1 { "trial" } else { "trials" },
        reasons.into_iter().collect::<Vec<_>>().join("; ")
    ))
}

fn verdict_of(
    feature: &Feature,
    covering: &[&TrialRecord],
    selection: &[String],
    flaky: &BTreeSet<String>,
) -> (Verdict, Vec<String>, Vec<String>) {
    if feature.trials.is_empty() {
        return (
            Verdict::NotCovered,
            vec!["no automated trial covers this feature".into()],
            vec![],
        );
    }
    if covering.is_empty() {
        let why = if selection.is_empty() {
            "none of its trials is in this run".to_owned()
        } else {
            format!(
                "not selected by {}: run without it to include them",
                selection.join(" ")
            )
        };
        return (Verdict::NotRun, vec![why], vec![]);
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
    let ran: Vec<&&TrialRecord> = with(Status::Passed).collect();
    let risks = risks(feature, &ran, flaky);
    let risky: BTreeSet<String> = risks.iter().map(|(t, _)| t.clone()).collect();
    let risky: Vec<String> = risky.into_iter().collect();
    if !failed.is_empty() {
        return (Verdict::NotReady, failed, risky);
    }
    let (chosen, forbidden): (Vec<_>, Vec<_>) =
        with(Status::Skipped).partition(|t| cause(t).is_choice());
    let n = covering.len();
    let skips: Vec<String> = [
        skip_line("not run in this run", &chosen, n),
        skip_line("not tested on this target", &forbidden, n),
    ]
    .into_iter()
    .flatten()
    .collect();
    if ran.is_empty() {
        let verdict = if forbidden.is_empty() {
            Verdict::NotRun
        } else {
            Verdict::NotTested
        };
        return (verdict, skips, risky);
    }
    if risks.is_empty() {
        let mut reasons = vec![match ran.len() {
            1 => "the 1 trial that ran passed".to_owned(),
            n => format!("all {n} trials that ran passed"),
        }];
        reasons.extend(skips);
        (Verdict::Ready, reasons, risky)
    } else {
        let reasons = risks.into_iter().map(|(_, r)| r).collect();
        (Verdict::AtRisk, reasons, risky)
    }
}

/// Evidence of risk among passed trials (flaky, near a threshold, slow
/// effects), as (trial, reason), trial by trial.
fn risks(
    feature: &Feature,
    ran: &[&&TrialRecord],
    flaky: &BTreeSet<String>,
) -> Vec<(String, String)> {
    let mut risks = Vec::new();
    for t in ran.iter().filter(|t| flaky.contains(&t.meta.name)) {
        risks.push((
            t.meta.name.clone(),
            format!(
                "flaky: {} passed and failed on the same code in recent runs",
                t.meta.name
            ),
        ));
    }
    for t in ran {
        let near = t
            .load
            .iter()
            .flat_map(|l| &l.thresholds)
            .filter(|r| r.passed && r.near_limit(NEAR_LIMIT));
        for r in near {
            risks.push((
                t.meta.name.clone(),
                format!(
                    "near its limit: {} met {r}, within {:.0}% of the limit",
                    t.meta.name,
                    (1.0 - NEAR_LIMIT) * 100.0
                ),
            ));
        }
    }
    if let Some(max) = feature.max_time_to_effect_ms {
        for t in ran {
            for f in t
                .figures
                .iter()
                .filter(|f| f.name.starts_with("time_to_effect") && f.value > max)
            {
                risks.push((
                    t.meta.name.clone(),
                    format!(
                        "slow: {} took {:.0} ms for {} (limit {max:.0} ms)",
                        t.meta.name,
                        f.value,
                        f.name.trim_start_matches("time_to_effect:")
                    ),
                ));
            }
        }
    }
    risks
}

#[cfg(test)]
mod tests;
