use std::path::Path;

use wikiharness_record::{Exchange, RunInfo, RunRecord, Status, Symptom, TrialRecord};

use super::*;
use crate::test_support::{FEATURE, trial};

fn registry() -> Registry {
    let text = format!(
        "[[teams]]\nname = \"Platform\"\n\
         [[teams.features]]\nname = \"Edits\"\n{FEATURE}trials = [\"api::*\", \"forms::*\"]\n\
         [[teams]]\nname = \"Service Ops\"\n\
         [[teams.features]]\nname = \"Shellbox\"\n{FEATURE}trials = [\"shellbox::*\"]\n\
         [[causes]]\nevidence = \"api-error:readonly\"\nsays = \"the wiki is read-only\"\nowner = \"Service Ops\"\n\
         [[causes]]\nevidence = \"no-answer:shellbox:*\"\nsays = \"Shellbox is down\"\nowner = \"Service Ops\"\n"
    );
    Registry::parse(Path::new("r.toml"), &text).unwrap()
}

/// A failed trial whose exchanges end with `answers` (URL, status, symptom).
fn failed(name: &str, answers: &[(&str, Option<u16>, Option<Symptom>)]) -> TrialRecord {
    let message = format!("{name} went wrong in its own words");
    TrialRecord {
        requests: answers.len() as u64,
        evidence: answers
            .iter()
            .map(|(url, status, symptom)| Exchange {
                method: "POST".into(),
                url: (*url).into(),
                status: *status,
                elapsed_ms: 1.0,
                backend: None,
                excerpt: String::new(),
                symptom: symptom.clone(),
            })
            .collect(),
        ..trial(name, Status::Failed, Some(&message))
    }
}

fn run(trials: Vec<TrialRecord>) -> RunRecord {
    let mut info = RunInfo::new("r", "local", "http://127.0.0.1:18080/");
    info.services = [
        ("web".to_owned(), "127.0.0.1:18080".to_owned()),
        ("shellbox".to_owned(), "127.0.0.1:18081".to_owned()),
    ]
    .into();
    RunRecord::of(info, trials)
}

const API: &str = "http://127.0.0.1:18080/w/api.php";

/// A call to Shellbox whose connection was refused.
fn shellbox_refused() -> (&'static str, Option<u16>, Option<Symptom>) {
    (
        "http://127.0.0.1:18081/shellbox/call",
        None,
        Some(Symptom::NoAnswer {
            failure: "connect".into(),
            host_port: "127.0.0.1:18081".into(),
        }),
    )
}

fn readonly() -> Option<Symptom> {
    Some(Symptom::ApiError {
        code: "readonly".into(),
    })
}

#[test]
fn failures_sharing_evidence_are_one_cause_with_its_owner() {
    let ok = || (API, Some(200), None);
    let r = run(vec![
        failed("api::edit", &[ok(), (API, Some(200), readonly())]),
        failed("forms::save", &[(API, Some(200), readonly()), ok()]),
        failed("shellbox::highlight", &[shellbox_refused()]),
        failed(
            "shellbox::lua",
            &[("http://127.0.0.1:18080/wiki/X", Some(200), None)],
        ),
    ]);
    let causes = probable_causes(&registry(), &r);
    assert_eq!(causes.len(), 1, "{causes:#?}");
    let c = &causes[0];
    assert_eq!(c.key, "api-error:readonly");
    assert_eq!(
        c.headline,
        "the wiki is read-only: API error `readonly` from api.php"
    );
    assert_eq!(c.owner.as_deref(), Some("Service Ops"));
    assert_eq!(c.trials, ["api::edit", "forms::save"]);
    assert_eq!(c.teams, ["Platform"]);
}

#[test]
fn a_service_that_does_not_answer_is_named_with_its_address() {
    let down = |name| failed(name, &[shellbox_refused()]);
    let causes = probable_causes(&registry(), &run(vec![down("shellbox::a"), down("api::b")]));
    assert_eq!(
        causes[0].headline,
        "Shellbox is down: shellbox at 127.0.0.1:18081 refuses connections"
    );
    assert_eq!(causes[0].teams, ["Platform", "Service Ops"]);
}

#[test]
fn exceptions_group_by_class_across_scripts_and_unknown_evidence_has_no_owner() {
    let exception = |name, url| {
        failed(
            name,
            &[(
                url,
                Some(500),
                Some(Symptom::Exception {
                    class: "MWException".into(),
                }),
            )],
        )
    };
    let r = run(vec![
        exception(
            "forms::a",
            "http://127.0.0.1:18080/w/index.php?title=X&action=submit",
        ),
        exception("forms::b", "http://127.0.0.1:18080/w/index.php"),
        exception("api::c", "http://127.0.0.1:18080/w/rest.php/v1/page/X"),
    ]);
    let causes = probable_causes(&registry(), &r);
    assert_eq!(causes.len(), 1);
    assert_eq!(causes[0].key, "exception:MWException");
    assert_eq!(
        causes[0].headline,
        "index.php, rest.php answer HTTP 500 (MWException)"
    );
    assert_eq!(causes[0].owner, None);
}

#[test]
fn the_largest_cause_comes_first_and_passed_trials_never_count() {
    let status = |name, s| {
        failed(
            name,
            &[(
                "http://127.0.0.1:18080/w/index.php",
                Some(s),
                Some(Symptom::HttpStatus { status: s }),
            )],
        )
    };
    let mut passed = status("forms::p", 503);
    passed.status = Status::Passed;
    let r = run(vec![
        status("forms::a", 502),
        status("forms::b", 502),
        status("forms::c", 503),
        status("forms::d", 503),
        status("forms::e", 503),
        passed,
    ]);
    let causes = probable_causes(&registry(), &r);
    let keys: Vec<_> = causes.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["http:503:index.php", "http:502:index.php"]);
    assert_eq!(causes[0].trials.len(), 3);
    assert_eq!(causes[0].headline, "index.php answers HTTP 503");
}

#[test]
fn rules_must_name_a_known_kind_and_a_team() {
    let base = format!(
        "[[teams]]\nname = \"Platform\"\n[[teams.features]]\nname = \"F\"\n{FEATURE}trials = []\n"
    );
    let bad_kind =
        format!("{base}[[causes]]\nevidence = \"oops:x\"\nsays = \"s\"\nowner = \"Platform\"\n");
    let err = Registry::parse(Path::new("r.toml"), &bad_kind)
        .unwrap_err()
        .to_string();
    assert!(err.contains("r.toml:") && err.contains("`oops:x`"), "{err}");
    let bad_owner =
        format!("{base}[[causes]]\nevidence = \"http:*\"\nsays = \"s\"\nowner = \"Nobody\"\n");
    let err = Registry::parse(Path::new("r.toml"), &bad_owner)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`Nobody` is not a team"), "{err}");
}
