use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};

use super::*;

fn parse(text: &str) -> Result<CheckFile, String> {
    CheckFile::parse(Path::new("suites/x.yaml"), text).map_err(|e| e.to_string())
}

fn fetched(status: u16, headers: &[(&'static str, &str)], body: &str) -> Fetched {
    let mut h = HeaderMap::new();
    for (k, v) in headers {
        h.insert(*k, HeaderValue::from_str(v).unwrap());
    }
    Fetched {
        url: "http://127.0.0.1/x".into(),
        status: StatusCode::from_u16(status).unwrap(),
        headers: h,
        body: body.into(),
        raw: body.as_bytes().to_vec(),
        backend: None,
        elapsed: Duration::ZERO,
    }
}

fn vars() -> Vars {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), "[targets.t]\nbase_url = \"http://127.0.0.1\"\nscript_path = \"/w\"\narticle_path = \"/wiki/\"\nmain_page = \"Main Page\"\n").unwrap();
    let reg = crate::target::Registry::load(&[f.path().to_owned()]).unwrap();
    Vars::for_target(reg.get("t").unwrap())
}

const GOOD: &str = r#"
suite: pageviews
cases:
  - name: root
    path: /
    assert_status: 301
    assert_headers_regex:
      location: '{article_path}{main_page}$'
  - name: main
    path: "{article_path}{main_page}"
    assert_status: 200
    assert_body_contains: ['id="mw-content-text"', 'wgHostname']
    assert_backend: true
"#;

#[test]
fn a_good_file_gives_one_trial_per_case() {
    let file = parse(GOOD).unwrap();
    let trials = file.trials();
    let names: Vec<_> = trials.iter().map(|t| t.meta.name.as_str()).collect();
    assert_eq!(names, ["pageviews::root", "pageviews::main"]);
    assert!(
        trials[0].meta.team.is_empty(),
        "ownership comes from the readiness registry"
    );
}

#[test]
fn ownership_keys_are_refused_by_name() {
    let err = parse("suite: s\nteam: t\ncases: []\n").unwrap_err();
    assert!(err.contains("unknown field `team`"), "{err}");
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let err =
        parse("suite: s\ncases:\n  - name: a\n    path: /\n    assert_staus: 200\n").unwrap_err();
    assert!(err.starts_with("suites/x.yaml:"), "{err}");
    assert!(err.contains("unknown field `assert_staus`"), "{err}");
    let line: usize = err.split(':').nth(1).unwrap().parse().unwrap();
    assert!((3..=5).contains(&line), "line {line} in {err}");
}

#[test]
fn bad_yaml_names_the_line() {
    let err =
        parse("suite: s\ncases:\n  - name: a\n    path: /\n  assert_status: [\n").unwrap_err();
    assert!(
        err.starts_with("suites/x.yaml:5:") || err.starts_with("suites/x.yaml:6:"),
        "{err}"
    );
}

#[test]
fn case_errors_are_named() {
    let cases = [
        ("    path: /\n", "asserts nothing"),
        ("    path: /\n    assert_body_regex: '('\n", "bad regex"),
        (
            "    path: x\n    assert_status: 200\n",
            "must start with `/`",
        ),
        (
            "    path: /\n    method: 'G T'\n    assert_status: 200\n",
            "not an HTTP method",
        ),
    ];
    for (body, expected) in cases {
        let err = parse(&format!("suite: s\ncases:\n  - name: a\n{body}")).unwrap_err();
        assert!(
            err.contains("case `a`") && err.contains(expected),
            "{body}: {err}"
        );
    }
    let err = parse("suite: s\ncases:\n  - name: a\n    path: /\n    assert_status: 1\n  - name: a\n    path: /\n    assert_status: 1\n").unwrap_err();
    assert!(err.contains("duplicate case name `a`"), "{err}");
}

#[test]
fn assertions_pass_and_fail_for_the_right_reasons() {
    let file = parse(GOOD).unwrap();
    let v = vars();
    let root = &file.cases[0];
    assert!(
        root.check(
            &fetched(301, &[("location", "http://127.0.0.1/wiki/Main_Page")], ""),
            &v
        )
        .is_ok()
    );
    let err = root.check(&fetched(200, &[], "hello"), &v).unwrap_err();
    assert!(
        err.contains("status 200 (expected 301)") && err.contains("header location"),
        "{err}"
    );

    let main = &file.cases[1];
    let mut ok = fetched(
        200,
        &[],
        r#"<div id="mw-content-text"></div>"wgHostname":"mw1""#,
    );
    ok.backend = Some("mw1".into());
    assert!(main.check(&ok, &v).is_ok());
    let err = main.check(&fetched(200, &[], "<div>"), &v).unwrap_err();
    assert!(
        err.contains("does not contain `id=\"mw-content-text\"`"),
        "{err}"
    );
    assert!(err.contains("names no serving backend"), "{err}");
}

#[test]
fn absent_and_exact_headers_and_not_contains() {
    let file = parse("suite: s\ncases:\n  - name: a\n    path: /\n    assert_headers: {content-type: text/css}\n    assert_headers_absent: [x-debug]\n    assert_body_not_contains: Fatal error\n").unwrap();
    let v = vars();
    let c = &file.cases[0];
    assert!(
        c.check(&fetched(200, &[("content-type", "text/css")], "a{}"), &v)
            .is_ok()
    );
    let err = c
        .check(
            &fetched(
                200,
                &[("content-type", "text/html"), ("x-debug", "1")],
                "Fatal error",
            ),
            &v,
        )
        .unwrap_err();
    assert!(
        err.contains("header content-type")
            && err.contains("x-debug is present")
            && err.contains("body contains `Fatal error`"),
        "{err}"
    );
}
