//! The load engine end to end: a real goose attack against an in-process
//! server, latencies recorded by the harness, thresholds judged.

use std::sync::Arc;
use std::time::Duration;

use goose::prelude::GooseMethod;
use wikiharness_harness::target::LoadSettings;
use wikiharness_load::Recorders;
use wikiharness_load::attack::{self, Call, Plan, Step, step_fn};
use wikiharness_record::load::Threshold;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn attack_with_delay(
    delay: Duration,
    rules: &[&str],
) -> wikiharness_record::load::LoadSummary {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/wiki/Page"))
        .respond_with(ResponseTemplate::new(200).set_delay(delay).set_body_raw(
            r#"<div id="mw-content-text"></div><script>{"wgHostname":"mw-web.test.1"}</script>"#,
            "text/html",
        ))
        .mount(&server)
        .await;
    let settings = LoadSettings {
        users: 2,
        duration: Duration::from_secs(2),
        max_rps: Some(20),
    };
    let rec = Recorders::new(&settings);
    let r = rec.clone();
    let view = step_fn(move |user| {
        let r = r.clone();
        Box::pin(async move {
            let call = Call {
                endpoint: "page view",
                method: GooseMethod::Get,
                path: "/wiki/Page",
                form: None,
                headers: &[],
            };
            attack::timed(user, &r, call, |s, body| {
                s == 200 && body.contains("mw-content-text")
            })
            .await?;
            Ok(())
        })
    });
    let plan = Plan {
        scenario: "readers".into(),
        host: server.uri(),
        settings,
        steps: vec![Step {
            name: "view".into(),
            weight: 1,
            function: view,
            on_start: false,
        }],
    };
    let thresholds: Vec<Threshold> = rules.iter().map(|r| Threshold::parse(r).unwrap()).collect();
    let mut summary = attack::run(plan, Arc::clone(&rec)).await.unwrap();
    summary.judge(&thresholds);
    summary
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_server_violates_the_latency_threshold() {
    let s = attack_with_delay(
        Duration::from_millis(150),
        &["p95 < 100ms", "error_rate < 1%"],
    )
    .await;
    assert!(s.total.requests >= 4, "requests: {}", s.total.requests);
    let p95 = &s.thresholds[0];
    assert!(!p95.passed, "{p95}");
    assert!(p95.observed >= 150.0, "observed {}", p95.observed);
    assert!(s.thresholds[1].passed, "{}", s.thresholds[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fast_server_meets_it_and_backends_and_rates_are_recorded() {
    let s = attack_with_delay(Duration::ZERO, &["p95 < 100ms", "rps > 5"]).await;
    assert!(s.thresholds.iter().all(|t| t.passed), "{:?}", s.thresholds);
    assert_eq!(s.endpoints.len(), 1);
    assert_eq!(
        s.total.backends.get("mw-web.test.1").copied(),
        Some(s.total.requests)
    );
    assert_eq!(s.total.statuses.get("200").copied(), Some(s.total.requests));
    // The 20 req/s cap holds (with slack for start-up and rounding).
    assert!(
        s.total.throughput_rps <= 24.0,
        "{} req/s",
        s.total.throughput_rps
    );
}
