//! The readiness registry file and its validation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;
use wikiharness_record::FileError;
use wikiharness_record::TrialMeta;

/// The registry shipped with the repository.
pub fn default_path() -> PathBuf {
    wikiharness_record::paths::repo_root()
        .join("readiness")
        .join("registry.toml")
}

/// External dependencies of a feature (template column "Dependencies").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependencies {
    /// External services.
    #[serde(default)]
    pub external_services: String,
    /// Back-end processing (jobs, deferred updates).
    #[serde(default)]
    pub backend_processing: String,
    /// External binaries.
    #[serde(default)]
    pub external_binaries: String,
    /// Filesystem.
    #[serde(default)]
    pub filesystem: String,
}

/// Latency and error limits for load scenarios.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Median latency limit.
    pub p50_ms: Option<f64>,
    /// 95th percentile limit.
    pub p95_ms: Option<f64>,
    /// 99th percentile limit.
    pub p99_ms: Option<f64>,
    /// Error-rate limit (0.01 = 1 %).
    pub error_rate: Option<f64>,
}

impl Limits {
    /// The limits as k6-style threshold rules (`p95 < 500ms`, `error_rate < 0.01`).
    pub fn rules(&self) -> Vec<String> {
        let ms = [
            ("p50", self.p50_ms),
            ("p95", self.p95_ms),
            ("p99", self.p99_ms),
        ];
        ms.iter()
            .filter_map(|(m, v)| v.map(|v| format!("{m} < {v}ms")))
            .chain(self.error_rate.map(|r| format!("error_rate < {r}")))
            .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    teams: Vec<RawTeam>,
    #[serde(default)]
    causes: Vec<RawCause>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCause {
    evidence: Spanned<String>,
    says: String,
    owner: Spanned<String>,
}

/// What one kind of evidence says is broken, and who owns it (`[[causes]]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CauseRule {
    /// Evidence key or prefix pattern (`api-error:readonly`, `no-answer:shellbox:*`).
    pub evidence: String,
    /// What is broken, in a QA engineer's words.
    pub says: String,
    /// The team owning the broken component (a team of this registry).
    pub owner: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTeam {
    name: Spanned<String>,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    features: Vec<RawFeature>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeature {
    name: Spanned<String>,
    need_testing: String,
    risks: String,
    dependencies: Dependencies,
    existing_testing: String,
    covers_dependencies: String,
    testable_on_test2: String,
    feasible_to_make_testable: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    links: Vec<String>,
    trials: Vec<Spanned<String>>,
    max_time_to_effect_ms: Option<f64>,
    limits: Option<Limits>,
}

/// A feature with its template fields and covering trials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feature {
    /// Feature name.
    pub name: String,
    /// "Need testing?"
    pub need_testing: String,
    /// "What are the risks?"
    pub risks: String,
    /// "Dependencies".
    pub dependencies: Dependencies,
    /// "Existing regression or smoke testing strategy".
    pub existing_testing: String,
    /// "Does it cover the dependencies?"
    pub covers_dependencies: String,
    /// "Can it be tested on test2wiki?"
    pub testable_on_test2: String,
    /// "Feasible to make it testable?"
    pub feasible_to_make_testable: String,
    /// Notes.
    pub notes: String,
    /// Links.
    pub links: Vec<String>,
    /// Trial names and patterns (`suite::*`) as written.
    pub trials: Vec<String>,
    /// Time to effect above which the feature is at risk.
    pub max_time_to_effect_ms: Option<f64>,
    /// Load limits.
    pub limits: Option<Limits>,
}

/// A team and its features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Team {
    /// Team name.
    pub name: String,
    /// Where to reach the team.
    pub contact: String,
    /// Its features.
    pub features: Vec<Feature>,
}

/// The whole registry, parsed (not yet checked against a catalog).
#[derive(Debug, Clone)]
pub struct Registry {
    /// The file read.
    pub file: PathBuf,
    /// The teams, in file order.
    pub teams: Vec<Team>,
    /// Probable-cause rules, in file order (the first match wins).
    pub causes: Vec<CauseRule>,
    /// 1-based line of each trial pattern, for validation messages.
    pattern_lines: Vec<(String, usize)>,
}

impl Registry {
    /// Reads and structurally checks `path`.
    pub fn load(path: &Path) -> Result<Self, FileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(path, None, format!("cannot read readiness registry: {e}")))?;
        Self::parse(path, &text)
    }

    /// Parses registry text (`path` is for messages).
    pub fn parse(path: &Path, text: &str) -> Result<Self, FileError> {
        let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let raw: RawFile = toml::from_str(text).map_err(|e: toml::de::Error| {
            err(
                path,
                e.span().map(|s| line(s.start)),
                e.message().trim().to_owned(),
            )
        })?;
        let mut teams = Vec::new();
        let mut seen_features: BTreeMap<String, usize> = BTreeMap::new();
        let mut seen_teams: BTreeSet<String> = BTreeSet::new();
        let mut pattern_lines = Vec::new();
        for team in raw.teams {
            let team_line = line(team.name.span().start);
            let team_name = team.name.into_inner();
            if !seen_teams.insert(team_name.clone()) {
                return Err(err(
                    path,
                    Some(team_line),
                    format!("team `{team_name}` is listed twice"),
                ));
            }
            if team.features.is_empty() {
                return Err(err(
                    path,
                    Some(team_line),
                    format!("team `{team_name}` has no features"),
                ));
            }
            let mut features = Vec::new();
            for f in team.features {
                let f_line = line(f.name.span().start);
                let name = f.name.into_inner();
                if let Some(first) = seen_features.insert(name.clone(), f_line) {
                    return Err(err(
                        path,
                        Some(f_line),
                        format!("feature `{name}` is listed twice (first at line {first})"),
                    ));
                }
                let trials: Vec<String> = f
                    .trials
                    .into_iter()
                    .map(|t| {
                        pattern_lines.push((t.get_ref().clone(), line(t.span().start)));
                        t.into_inner()
                    })
                    .collect();
                features.push(Feature {
                    name,
                    need_testing: f.need_testing,
                    risks: f.risks,
                    dependencies: f.dependencies,
                    existing_testing: f.existing_testing,
                    covers_dependencies: f.covers_dependencies,
                    testable_on_test2: f.testable_on_test2,
                    feasible_to_make_testable: f.feasible_to_make_testable,
                    notes: f.notes,
                    links: f.links,
                    trials,
                    max_time_to_effect_ms: f.max_time_to_effect_ms,
                    limits: f.limits,
                });
            }
            teams.push(Team {
                name: team_name,
                contact: team.contact,
                features,
            });
        }
        let mut causes = Vec::new();
        for c in raw.causes {
            let kind = c.evidence.get_ref().split(':').next().unwrap_or_default();
            if !crate::causes::KINDS.contains(&kind) {
                return Err(err(
                    path,
                    Some(line(c.evidence.span().start)),
                    format!(
                        "cause evidence `{}` does not start with one of {}",
                        c.evidence.get_ref(),
                        crate::causes::KINDS.join(", ")
                    ),
                ));
            }
            if !seen_teams.contains(c.owner.get_ref()) {
                return Err(err(
                    path,
                    Some(line(c.owner.span().start)),
                    format!(
                        "cause owner `{}` is not a team of this registry",
                        c.owner.get_ref()
                    ),
                ));
            }
            causes.push(CauseRule {
                evidence: c.evidence.into_inner(),
                says: c.says,
                owner: c.owner.into_inner(),
            });
        }
        Ok(Registry {
            file: path.to_owned(),
            teams,
            causes,
            pattern_lines,
        })
    }

    /// Checks every trial name or pattern against the catalog.
    pub fn validate(&self, catalog: &[TrialMeta]) -> Result<(), FileError> {
        for (pattern, line) in &self.pattern_lines {
            if !catalog.iter().any(|t| matches(pattern, &t.name)) {
                let hint = catalog
                    .iter()
                    .map(|t| t.name.as_str())
                    .find(|n| n.split("::").next() == pattern.split("::").next())
                    .map(|n| format!(" (suite has e.g. `{n}`)"))
                    .unwrap_or_default();
                return Err(err(
                    &self.file,
                    Some(*line),
                    format!("unknown trial `{pattern}`{hint}"),
                ));
            }
        }
        Ok(())
    }

    /// Gives every trial of the catalog the team and feature whose `trials`
    /// name it (the first, in file order): trials do not declare their owners,
    /// so this file is the one place ownership is written. Every name and
    /// pattern must match a trial ([`Self::validate`]), and a trial that no
    /// feature names is an error naming it.
    pub fn assign_owners(&self, catalog: &mut [&mut TrialMeta]) -> Result<(), FileError> {
        let names: Vec<TrialMeta> = catalog.iter().map(|m| (**m).clone()).collect();
        self.validate(&names)?;
        for meta in catalog.iter_mut() {
            let Some((team, feature)) = self.feature_of(&meta.name) else {
                return Err(err(
                    &self.file,
                    None,
                    format!(
                        "trial `{}` belongs to no feature: add it (or `{}::*`) to the `trials` of the feature it covers",
                        meta.name, meta.suite
                    ),
                ));
            };
            meta.team = team.name.clone();
            meta.feature = feature.name.clone();
        }
        Ok(())
    }

    /// Every feature with its team.
    pub fn features(&self) -> impl Iterator<Item = (&Team, &Feature)> {
        self.teams
            .iter()
            .flat_map(|t| t.features.iter().map(move |f| (t, f)))
    }

    /// The feature covering a trial, if any.
    pub fn feature_of(&self, trial: &str) -> Option<(&Team, &Feature)> {
        self.features()
            .find(|(_, f)| f.trials.iter().any(|p| matches(p, trial)))
    }
}

/// Whether `pattern` (a full name or `suite::*`) names `trial`.
pub fn matches(pattern: &str, trial: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => trial.starts_with(prefix),
        None => pattern == trial,
    }
}

fn err(path: &Path, line: Option<usize>, message: String) -> FileError {
    FileError::Invalid {
        file: path.to_owned(),
        line,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{FEATURE, meta};

    fn parse(text: &str) -> Result<Registry, String> {
        Registry::parse(Path::new("readiness/registry.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn the_shipped_registry_parses() {
        let r = Registry::load(&default_path()).unwrap();
        assert!(r.teams.len() >= 5);
        let multimedia: Vec<&str> = r
            .features()
            .filter(|(t, f)| t.name == "Multimedia" && !f.trials.is_empty())
            .map(|(_, f)| f.name.as_str())
            .collect();
        assert_eq!(
            multimedia,
            ["Uploads", "Thumbnails", "PDF", "File description pages"]
        );
    }

    #[test]
    fn unknown_trial_names_its_line() {
        let text = format!(
            "[[teams]]\nname = \"T\"\n[[teams.features]]\nname = \"F\"\n{FEATURE}trials = [\n  \"api::siteinfo\",\n  \"api::no_such\",\n]\n"
        );
        let r = parse(&text).unwrap();
        let err = r
            .validate(&[meta("api::siteinfo")])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "readiness/registry.toml:14: unknown trial `api::no_such` (suite has e.g. `api::siteinfo`)"
        );
    }

    #[test]
    fn duplicate_feature_names_both_lines() {
        let text = format!(
            "[[teams]]\nname = \"T\"\n[[teams.features]]\nname = \"F\"\n{FEATURE}trials = []\n[[teams.features]]\nname = \"F\"\n{FEATURE}trials = []\n"
        );
        let err = parse(&text).unwrap_err();
        assert_eq!(
            err,
            "readiness/registry.toml:14: feature `F` is listed twice (first at line 4)"
        );
    }

    #[test]
    fn team_without_features_is_an_error() {
        let err = parse("[[teams]]\nname = \"Lonely\"\n").unwrap_err();
        assert_eq!(
            err,
            "readiness/registry.toml:2: team `Lonely` has no features"
        );
    }

    #[test]
    fn missing_template_field_and_unknown_key_are_named() {
        let err = parse("[[teams]]\nname = \"T\"\n[[teams.features]]\nname = \"F\"\ntrials = []\n")
            .unwrap_err();
        assert!(
            err.starts_with("readiness/registry.toml:3:")
                && err.contains("missing field `need_testing`"),
            "{err}"
        );
        let err = parse(&format!("[[teams]]\nname = \"T\"\n[[teams.features]]\nname = \"F\"\n{FEATURE}trials = []\nowner = \"x\"\n")).unwrap_err();
        assert!(err.contains("unknown field `owner`"), "{err}");
    }

    #[test]
    fn owners_come_from_the_registry_and_an_unowned_trial_is_named() {
        let text = format!(
            "[[teams]]\nname = \"T\"\n[[teams.features]]\nname = \"F\"\n{FEATURE}trials = [\"api::*\"]\n"
        );
        let r = parse(&text).unwrap();
        let (mut a, mut b) = (meta("api::siteinfo"), meta("api::parse"));
        a.team = "stale".into();
        r.assign_owners(&mut [&mut a, &mut b]).unwrap();
        assert_eq!((a.team.as_str(), a.feature.as_str()), ("T", "F"));
        assert_eq!((b.team.as_str(), b.feature.as_str()), ("T", "F"));
        let mut lost = meta("rest::page");
        let err = r
            .assign_owners(&mut [&mut a, &mut lost])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "readiness/registry.toml: trial `rest::page` belongs to no feature: add it (or `rest::*`) to the `trials` of the feature it covers"
        );
    }

    #[test]
    fn suite_patterns_match_by_prefix() {
        assert!(matches("deferred::*", "deferred::page_touched_moves"));
        assert!(!matches("deferred::*", "jobs::x"));
        assert!(matches("api::x", "api::x") && !matches("api::x", "api::xy"));
    }
}
