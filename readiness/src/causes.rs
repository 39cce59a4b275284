//! Probable causes: failed trials grouped by the evidence their answers carry
//! (an API error code, an exception class, a service that did not answer, a
//! server error status and the script that gave it), never by message text,
//! since production hides exception messages. A group of two or more trials
//! is a cause; the registry's `[[causes]]` rules say what it means and which
//! team owns the broken component.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use wikiharness_record::{RunRecord, Status, Symptom, TrialRecord};

use crate::registry::{Registry, matches};

/// The evidence kinds a `[[causes]]` rule can name, as its key's first part.
pub const KINDS: [&str; 5] = [
    "no-answer",
    "api-error",
    "login-refused",
    "exception",
    "http",
];

/// Failed trials that share one piece of evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cause {
    /// The evidence as a key (`api-error:readonly`, `no-answer:shellbox:connect`,
    /// `exception:MWException`, `http:503:index.php`).
    pub key: String,
    /// What is broken and the evidence, in one sentence.
    pub headline: String,
    /// The evidence alone (`API error `readonly` from api.php`).
    pub evidence: String,
    /// The team that owns the broken component, when a rule names it.
    pub owner: Option<String>,
    /// The failed trials it explains.
    pub trials: Vec<String>,
    /// The teams of those trials.
    pub teams: Vec<String>,
}

/// The probable causes of `run`'s failures, the one explaining most trials
/// first. A failure whose evidence no other failure shares is not a cause.
pub fn probable_causes(registry: &Registry, run: &RunRecord) -> Vec<Cause> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for t in run.trials.iter().filter(|t| t.status == Status::Failed) {
        let Some((symptom, script, status)) = evidence_of(t) else {
            continue;
        };
        let key = key(symptom, script, &run.info.services);
        let g = groups.entry(key).or_insert_with(|| Group {
            symptom: symptom.clone(),
            scripts: BTreeSet::new(),
            statuses: BTreeSet::new(),
            trials: Vec::new(),
        });
        g.scripts.insert(script.to_owned());
        g.statuses.extend(status);
        g.trials.push(t);
    }
    let mut causes: Vec<Cause> = groups
        .into_iter()
        .filter(|(_, g)| g.trials.len() > 1)
        .map(|(key, g)| cause(registry, run, key, g))
        .collect();
    causes.sort_by(|a, b| b.trials.len().cmp(&a.trials.len()).then(a.key.cmp(&b.key)));
    causes
}

struct Group<'a> {
    symptom: Symptom,
    scripts: BTreeSet<String>,
    statuses: BTreeSet<u16>,
    trials: Vec<&'a TrialRecord>,
}

/// A failed trial's evidence: the last symptom among its exchanges, with the
/// script of the URL that showed it and the status.
fn evidence_of(t: &TrialRecord) -> Option<(&Symptom, &str, Option<u16>)> {
    t.evidence
        .iter()
        .rev()
        .find_map(|e| e.symptom.as_ref().map(|s| (s, script(&e.url), e.status)))
}

/// The PHP entry point of a URL (`api.php`, `rest.php`), else its last path
/// segment (`shellbox`, an article path's page).
fn script(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let path = path.split_once("://").map_or(path, |(_, rest)| rest);
    let mut segments = path.split('/').skip(1).filter(|s| !s.is_empty());
    let last = segments.clone().last().unwrap_or_default();
    segments.find(|s| s.ends_with(".php")).unwrap_or(last)
}

/// The service a `host:port` belongs to, by the run's service map.
fn service<'a>(host_port: &'a str, services: &'a BTreeMap<String, String>) -> &'a str {
    services
        .iter()
        .find(|(_, hp)| *hp == host_port)
        .map(|(name, _)| name.as_str())
        .unwrap_or(host_port)
}

fn key(s: &Symptom, script: &str, services: &BTreeMap<String, String>) -> String {
    match s {
        Symptom::NoAnswer { failure, host_port } => {
            format!("no-answer:{}:{failure}", service(host_port, services))
        }
        Symptom::ApiError { code } => format!("api-error:{code}"),
        Symptom::LoginRefused { code } => format!("login-refused:{code}"),
        Symptom::Exception { class } => format!("exception:{class}"),
        Symptom::HttpStatus { status } => format!("http:{status}:{script}"),
    }
}

fn evidence_words(g: &Group<'_>, services: &BTreeMap<String, String>) -> String {
    let scripts = g.scripts.iter().cloned().collect::<Vec<_>>().join(", ");
    let answer = if g.scripts.len() == 1 {
        "answers"
    } else {
        "answer"
    };
    let statuses = g
        .statuses
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join("/");
    match &g.symptom {
        Symptom::NoAnswer { failure, host_port } => {
            let what = match failure.as_str() {
                "connect" => "refuses connections",
                "timeout" => "does not answer in time",
                _ => "breaks connections",
            };
            match service(host_port, services) {
                name if name == host_port => format!("{host_port} {what}"),
                name => format!("{name} at {host_port} {what}"),
            }
        }
        Symptom::ApiError { code } => format!("API error `{code}` from {scripts}"),
        Symptom::LoginRefused { code } => format!("logins refused (`{code}`) by {scripts}"),
        Symptom::Exception { class } if g.statuses.iter().any(|s| *s >= 500) => {
            format!("{scripts} {answer} HTTP {statuses} ({class})")
        }
        Symptom::Exception { class } => format!("{scripts} {answer} with the exception {class}"),
        Symptom::HttpStatus { status } => format!("{scripts} {answer} HTTP {status}"),
    }
}

fn cause(registry: &Registry, run: &RunRecord, key: String, g: Group<'_>) -> Cause {
    let evidence = evidence_words(&g, &run.info.services);
    let rule = registry.causes.iter().find(|r| matches(&r.evidence, &key));
    let teams: BTreeSet<String> = g
        .trials
        .iter()
        .map(|t| {
            registry
                .feature_of(&t.meta.name)
                .map(|(team, _)| team.name.clone())
                .unwrap_or_else(|| t.meta.team.clone())
        })
        .collect();
    Cause {
        headline: match rule {
            Some(r) => format!("{}: {evidence}", r.says),
            None => evidence.clone(),
        },
        evidence,
        owner: rule.map(|r| r.owner.clone()),
        trials: g.trials.iter().map(|t| t.meta.name.clone()).collect(),
        teams: teams.into_iter().collect(),
        key,
    }
}

#[cfg(test)]
mod tests;
