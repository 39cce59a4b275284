//! The reports parse back with the expected structure: HTML (scraper),
//! results.json (serde_json), junit.xml (quick-xml).

mod common;

use quick_xml::events::Event;
use scraper::{Html, Selector};
use wikiharness_readiness::history::Changes;
use wikiharness_reports::RESULTS_SCHEMA;

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&sel(css))
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

struct Written {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
}

fn write_sample() -> Written {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let run = common::sample(&dir);
    let changes = Changes {
        new_failures: vec!["shellbox::highlight".into()],
        fixed: vec![],
    };
    let files = common::write(&run, &dir, changes);
    let names: Vec<_> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "index.html",
            "team-mediawiki-platform.html",
            "team-sre-service-ops.html",
            "results.json",
            "junit.xml"
        ]
    );
    Written { _dir: tmp, dir }
}

#[test]
fn index_has_metadata_grid_and_links() {
    let w = write_sample();
    let doc = Html::parse_document(&std::fs::read_to_string(w.dir.join("index.html")).unwrap());
    let rows: Vec<_> = doc
        .select(&sel("#teams ~ table tbody tr[data-verdict]"))
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].value().attr("data-verdict"),
        Some("ready"),
        "a skipped trial is listed but does not lower Platform's verdict"
    );
    assert_eq!(rows[1].value().attr("data-verdict"), Some("not-ready"));
    for link in doc.select(&sel("#teams ~ table a")) {
        let href = link.value().attr("href").unwrap();
        let file = href.split('#').next().unwrap();
        assert!(w.dir.join(file).exists(), "{href} does not exist");
    }
    let meta = texts(&doc, "#run ~ table th");
    for want in [
        "Target",
        "Serving backends seen",
        "Started / finished",
        "Harness",
        "Command line",
    ] {
        assert!(meta.iter().any(|m| m == want), "missing {want} in {meta:?}");
    }
    assert!(
        texts(&doc, "#run ~ table td")
            .iter()
            .any(|t| t.contains("mw-web.local.1"))
    );
    assert_eq!(
        doc.select(&sel("tr[data-row][data-status=failed]")).count(),
        1
    );
    assert!(texts(&doc, "h3").iter().any(|t| t == "New failures (1)"));
    assert!(
        texts(&doc, "#rules ~ dl dt")
            .iter()
            .any(|t| t == "Not covered")
    );
}

#[test]
fn pages_are_self_contained() {
    let w = write_sample();
    for name in [
        "index.html",
        "team-mediawiki-platform.html",
        "team-sre-service-ops.html",
    ] {
        let doc = Html::parse_document(&std::fs::read_to_string(w.dir.join(name)).unwrap());
        assert_eq!(
            doc.select(&sel("script[src], link[rel=stylesheet], link[href]"))
                .count(),
            0,
            "{name} loads external files"
        );
        for img in doc.select(&sel("img")) {
            assert!(
                img.value()
                    .attr("src")
                    .unwrap()
                    .starts_with("data:image/png;base64,"),
                "{name}: image not embedded"
            );
        }
    }
}

#[test]
fn team_page_has_template_columns_evidence_and_screenshot() {
    let w = write_sample();
    let doc = Html::parse_document(
        &std::fs::read_to_string(w.dir.join("team-sre-service-ops.html")).unwrap(),
    );
    let headers = texts(&doc, "thead th");
    for col in [
        "Need testing?",
        "What are the risks?",
        "Dependencies",
        "Existing regression or smoke testing strategy",
        "Does it cover the dependencies?",
        "Can it be tested on test2wiki?",
        "Feasible to make it testable?",
    ] {
        assert!(headers.iter().any(|h| h == col), "missing column {col}");
    }
    let verdicts: Vec<_> = doc
        .select(&sel("tr[data-verdict]"))
        .map(|r| r.value().attr("data-verdict").unwrap().to_owned())
        .collect();
    assert_eq!(verdicts, ["not-ready", "not-covered"]);
    let failed = doc
        .select(&sel("details#shellbox--highlight[open]"))
        .next()
        .expect("failed trial is open");
    let text: String = failed.text().collect();
    assert!(
        text.contains("no span.k <inside>"),
        "message is escaped text, not markup"
    );
    assert!(
        text.contains("http://127.0.0.1:18080/wiki/X") && text.contains("Fatal & error"),
        "evidence shown"
    );
    assert_eq!(
        failed.select(&sel("img.shot")).count(),
        1,
        "screenshot embedded"
    );
    let risks = texts(&doc, "tbody td");
    assert!(
        risks.iter().any(|t| t == "Risk <b>text</b>"),
        "registry text is escaped"
    );
}

#[test]
fn time_to_effect_is_charted() {
    let w = write_sample();
    let doc = Html::parse_document(
        &std::fs::read_to_string(w.dir.join("team-mediawiki-platform.html")).unwrap(),
    );
    let svg = doc.select(&sel("svg")).next().expect("a chart");
    let labels: String = svg.text().collect();
    assert!(
        labels.contains("jobs::fanout: jobs delivered") && labels.contains("812 ms"),
        "{labels}"
    );
}

#[test]
fn results_json_is_versioned_and_complete() {
    let w = write_sample();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(v["schema"], RESULTS_SCHEMA);
    assert_eq!(v["trials"].as_array().unwrap().len(), 4);
    assert_eq!(v["run"]["counts"]["failed"], 1);
    assert_eq!(v["teams"][1]["verdict"], "not-ready");
    assert_eq!(v["teams"][1]["features"][1]["verdict"], "not-covered");
    assert_eq!(v["teams"][0]["features"][0]["need_testing"], "Yes");
    assert_eq!(
        v["rules"].as_array().unwrap().len(),
        wikiharness_readiness::RULES.len()
    );
}

#[test]
fn junit_parses_with_suites_cases_failures_skips_and_attachments() {
    let w = write_sample();
    let xml = std::fs::read_to_string(w.dir.join("junit.xml")).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut suites, mut cases, mut failures, mut skipped) =
        (Vec::new(), Vec::new(), 0, Vec::new());
    let mut outs = String::new();
    let mut in_out = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |k: &str| {
                    e.try_get_attribute(k)
                        .unwrap()
                        .map(|a| a.unescape_value().unwrap().into_owned())
                };
                match e.name().as_ref() {
                    b"testsuite" => suites.push(attr("name").unwrap()),
                    b"testcase" => cases.push((
                        attr("classname").unwrap(),
                        attr("name").unwrap(),
                        attr("time").unwrap(),
                    )),
                    b"failure" => failures += 1,
                    b"skipped" => skipped.push(attr("message").unwrap()),
                    b"system-out" => in_out = true,
                    _ => {}
                }
            }
            Event::Text(t) if in_out => outs.push_str(&t.decode().unwrap()),
            Event::End(e) if e.name().as_ref() == b"system-out" => in_out = false,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(suites, ["jobs", "pageviews", "shellbox"]);
    assert!(
        cases.contains(&("pageviews".into(), "main".into(), "1.234".into())),
        "{cases:?}"
    );
    assert_eq!(failures, 1);
    assert_eq!(skipped, ["target `x` is read-only"]);
    assert!(
        outs.contains("[[ATTACHMENT|") && outs.contains("attachments/shot.png]]"),
        "{outs}"
    );
}

#[test]
fn load_trials_show_latency_chart_table_and_thresholds() {
    use wikiharness_record::load::EndpointRecorder;
    use wikiharness_record::load::{LoadSummary, Threshold};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    std::fs::create_dir_all(&dir).unwrap();
    let rec = EndpointRecorder::default();
    for i in 0..100 {
        rec.record(
            20_000 + i * 1000,
            Some(200),
            Some("mw-web.local.7"),
            false,
            Some(50_000),
        );
    }
    let mut summary = LoadSummary {
        scenario: "anonymous_readers".into(),
        users: 4,
        max_rps: Some(40),
        total: rec.summary("total", 10.0),
        endpoints: vec![rec.summary("page view", 10.0)],
        thresholds: vec![],
    };
    summary.thresholds = ["p95 < 50ms", "error_rate < 1%"]
        .iter()
        .map(|r| Threshold::parse(r).unwrap().judge(&summary).unwrap())
        .collect();
    let mut t = common::trial(
        "pageviews::load",
        "MediaWiki Platform",
        wikiharness_record::Status::Failed,
        Some("thresholds violated"),
    );
    t.load = Some(summary);
    let run = common::run(vec![t]);
    common::write(&run, &dir, Changes::default());
    let doc = Html::parse_document(
        &std::fs::read_to_string(dir.join("team-mediawiki-platform.html")).unwrap(),
    );
    let text: String = doc.root_element().text().collect();
    assert!(
        text.contains("`p95 < 50ms`: observed") && text.contains("VIOLATED"),
        "threshold verdicts shown"
    );
    assert!(
        text.contains("corrected for coordinated omission"),
        "latency chart with both series"
    );
    let endpoints = texts(&doc, "details table tbody tr td:first-child");
    assert!(endpoints.iter().any(|e| e == "page view"), "{endpoints:?}");
}

#[test]
fn probable_causes_open_the_index_and_are_in_results_json() {
    use wikiharness_record::{Status, Symptom};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    std::fs::create_dir_all(&dir).unwrap();
    let down = |name: &str| {
        let mut t = common::trial(name, "SRE Service Ops", Status::Failed, Some("boom"));
        t.evidence[0].symptom = Some(Symptom::NoAnswer {
            failure: "connect".into(),
            host_port: "127.0.0.1:18081".into(),
        });
        t
    };
    let mut run = common::run(vec![
        down("shellbox::highlight"),
        down("shellbox::lua"),
        common::trial(
            "pageviews::main",
            "MediaWiki Platform",
            Status::Passed,
            None,
        ),
    ]);
    run.info.services = [("shellbox".to_owned(), "127.0.0.1:18081".to_owned())].into();
    common::write(&run, &dir, Changes::default());

    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let (cause, teams) = (
        html.find("class=\"cause\"").unwrap(),
        html.find("id=\"teams\"").unwrap(),
    );
    assert!(cause < teams, "the cause block comes before the team table");
    let doc = Html::parse_document(&html);
    let headline = texts(&doc, "section.cause .headline");
    assert_eq!(
        headline,
        ["shellbox at 127.0.0.1:18081 refuses connections"]
    );

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(json["causes"][0]["key"], "no-answer:shellbox:connect");
    assert_eq!(
        json["causes"][0]["trials"],
        serde_json::json!(["shellbox::highlight", "shellbox::lua"])
    );
}
