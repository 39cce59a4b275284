//! The wiki client against an in-process fake server: throttling, maxlag,
//! timeouts, malformed answers, API errors, logins, and evidence.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use wikiharness_harness::ClientError;
use wikiharness_harness::client::{ClientConfig, Request, RetryPolicy, Session};
use wikiharness_harness::evidence::Collector;
use wikiharness_harness::target::{AccountKind, Credentials, Registry};
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn target_for(server: &MockServer, extra: &str) -> Arc<wikiharness_harness::target::Target> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    std::fs::write(
        &file,
        format!("[targets.fake]\nbase_url = \"{}\"\nscript_path = \"/w\"\narticle_path = \"/wiki/\"\ntimeout_secs = 2\n{extra}\n", server.uri()),
    )
    .unwrap();
    Arc::new(
        Registry::load(&[file])
            .unwrap()
            .get("fake")
            .unwrap()
            .clone(),
    )
}

fn session(server: &MockServer, extra: &str, evidence: Option<Arc<Collector>>) -> Session {
    let mut cfg = ClientConfig::for_target(target_for(server, extra));
    cfg.retry = RetryPolicy {
        max_attempts: 3,
        max_wait: Duration::from_secs(2),
        backoff: Duration::from_millis(50),
    };
    cfg.evidence = evidence;
    Session::new(cfg).unwrap()
}

#[tokio::test]
async fn http_429_with_retry_after_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/wiki/Main_Page"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/wiki/Main_Page"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let s = session(&server, "", None);
    let t0 = Instant::now();
    let f = s.view("Main Page").await.unwrap();
    assert_eq!(f.status.as_u16(), 200);
    assert!(
        t0.elapsed() >= Duration::from_secs(1),
        "Retry-After was not honoured"
    );
}

#[tokio::test]
async fn http_429_forever_gives_throttled_after_bounded_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429))
        .expect(3)
        .mount(&server)
        .await;
    let s = session(&server, "", None);
    let err = s.view("X").await.unwrap_err();
    assert!(
        matches!(err, ClientError::Throttled { attempts: 3, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn maxlag_error_is_retried_and_maxlag_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path("/w/api.php")).and(query_param("maxlag", "5"))
        .respond_with(ResponseTemplate::new(200).insert_header("Retry-After", "0")
            .set_body_json(json!({"error": {"code": "maxlag", "info": "Waiting for a database server: 7 seconds lagged."}})))
        .up_to_n_times(1).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/w/api.php"))
        .and(query_param("maxlag", "5"))
        .and(query_param("servedby", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"batchcomplete": true, "servedby": "mw-api-int.eqiad.main-1-a"}),
            ),
        )
        .mount(&server)
        .await;
    let s = session(&server, "maxlag = 5", None);
    let v = s
        .api_get(&[("action", "query"), ("meta", "siteinfo")])
        .await
        .unwrap();
    assert_eq!(v["servedby"], "mw-api-int.eqiad.main-1-a");
}

#[tokio::test]
async fn ratelimited_forever_is_throttled_with_the_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/w/api.php"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"error": {"code": "ratelimited", "info": "slow down"}})),
        )
        .expect(3)
        .mount(&server)
        .await;
    let s = session(&server, "", None);
    let err = s.api_post(&[("action", "edit")]).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, ClientError::Throttled { .. }) && text.contains("ratelimited"),
        "{text}"
    );
}

#[tokio::test]
async fn api_errors_are_typed_with_code_and_info() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/w/api.php"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"error": {"code": "badtoken", "info": "Invalid CSRF token."}}),
            ),
        )
        .mount(&server)
        .await;
    let s = session(&server, "", None);
    match s
        .api_post(&[("action", "edit"), ("token", "+\\")])
        .await
        .unwrap_err()
    {
        ClientError::Api { code, info, .. } => {
            assert_eq!(code, "badtoken");
            assert_eq!(info, "Invalid CSRF token.");
        }
        other => panic!("expected Api error, got {other}"),
    }
}

#[tokio::test]
async fn malformed_json_is_reported_with_an_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/w/api.php"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("<html>Fatal error: Allowed memory size exhausted</html>"),
        )
        .mount(&server)
        .await;
    let s = session(&server, "", None);
    let err = s.api_get(&[("action", "query")]).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ClientError::Malformed { .. }), "{text}");
    assert!(text.contains("Fatal error"), "{text}");
}

#[tokio::test]
async fn slow_answer_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let s = session(&server, "", None);
    let err = s.view("Slow").await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout { .. }), "{err}");
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_not_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    std::fs::write(
        &file,
        format!("[targets.gone]\nbase_url = \"http://127.0.0.1:{port}\"\n"),
    )
    .unwrap();
    let target = Arc::new(
        Registry::load(&[file])
            .unwrap()
            .get("gone")
            .unwrap()
            .clone(),
    );
    let evidence = Arc::new(Collector::new());
    let mut cfg = ClientConfig::for_target(target);
    cfg.evidence = Some(evidence.clone());
    let err = Session::new(cfg).unwrap().view("X").await.unwrap_err();
    assert!(matches!(err, ClientError::Connect { .. }), "{err}");
    let c = evidence.take();
    assert_eq!(c.requests, 1, "a refused connection is not retried");
    assert_eq!(c.exchanges[0].status, None);
}

#[tokio::test]
async fn bot_login_sends_credentials_once_and_never_records_them() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/w/api.php"))
        .and(query_param("type", "login"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"query": {"tokens": {"logintoken": "lt-abc123+\\"}}, "servedby": "mw1"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/w/api.php"))
        .and(body_string_contains("action=login"))
        .and(body_string_contains("lgpassword=pw-zz9-super-secret"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Set-Cookie", "wikiSession=sess-value-1; path=/")
                .set_body_json(json!({"login": {"result": "Success", "lgusername": "Admin"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/w/api.php"))
        .and(query_param("type", "csrf"))
        .and(wiremock::matchers::header(
            "cookie",
            "wikiSession=sess-value-1",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"query": {"tokens": {"csrftoken": "csrf-xyz789+\\"}}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let evidence = Arc::new(Collector::new());
    let s = session(&server, "", Some(evidence.clone()));
    let creds = Credentials {
        user: "Admin@harness".into(),
        password: wikiharness_harness::redact::Secret::new("pw-zz9-super-secret"),
        kind: AccountKind::BotPassword,
    };
    s.login(&creds).await.unwrap();
    assert_eq!(s.user().as_deref(), Some("Admin"));
    assert_eq!(s.token("csrf").await.unwrap(), "csrf-xyz789+\\");
    assert_eq!(
        s.token("csrf").await.unwrap(),
        "csrf-xyz789+\\",
        "second call is cached"
    );
    let evidence = serde_json::to_string(&evidence.take().exchanges).unwrap();
    for secret in ["pw-zz9-super-secret", "csrf-xyz789", "lt-abc123"] {
        assert!(
            !evidence.contains(secret),
            "{secret} leaked into evidence: {evidence}"
        );
    }
}

#[tokio::test]
async fn failed_login_is_a_typed_error_without_the_password() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/w/api.php"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"query": {"tokens": {"logintoken": "t+\\"}}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/w/api.php"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"clientlogin": {"status": "FAIL", "message": "Incorrect username or password entered."}})))
        .mount(&server).await;
    let s = session(&server, "", None);
    let creds = Credentials {
        user: "Tester".into(),
        password: wikiharness_harness::redact::Secret::new("wrong-password-42"),
        kind: AccountKind::Main,
    };
    let err = s.login(&creds).await.unwrap_err().to_string();
    assert_eq!(
        err,
        "login as `Tester` failed: FAIL: Incorrect username or password entered."
    );
}

#[tokio::test]
async fn target_headers_go_on_every_request_and_backends_are_recorded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/wiki/X"))
        .and(wiremock::matchers::header(
            "X-Wikimedia-Debug",
            "backend=k8s-mwdebug",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"<script>RLCONF={"wgHostname":"mw1414"};</script>"#,
            "text/html; charset=UTF-8",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let evidence = Arc::new(Collector::new());
    let s = session(
        &server,
        "headers = { X-Wikimedia-Debug = \"backend=k8s-mwdebug\" }\nserving_backend = \"^mw-[a-z]\"",
        Some(evidence.clone()),
    );
    let f = s.view("X").await.unwrap();
    assert_eq!(f.backend.as_deref(), Some("mw1414"));
    let c = evidence.take();
    assert!(
        c.backend_mismatch.unwrap().contains("mw1414"),
        "bare metal must be flagged against a k8s pattern"
    );
}

#[tokio::test]
async fn concurrency_cap_is_shared_by_sessions() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(300)))
        .mount(&server)
        .await;
    let cfg = ClientConfig::for_target(target_for(&server, "max_concurrent_requests = 2"));
    let t0 = Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let s = Session::new(cfg.clone()).unwrap();
            tokio::spawn(async move { s.view(&format!("P{i}")).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    // 4 requests of 300 ms through 2 slots take two rounds.
    assert!(
        t0.elapsed() >= Duration::from_millis(600),
        "cap not applied: {:?}",
        t0.elapsed()
    );
}

#[tokio::test]
async fn loopback_guard_refuses_other_hosts() {
    // SAFETY: the variable is read by this test binary's client only; no other
    // test in this file depends on it being unset for non-loopback hosts.
    unsafe { std::env::set_var(wikiharness_harness::target::LOOPBACK_ONLY_ENV, "1") };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    std::fs::write(&file, "[targets.far]\nbase_url = \"http://192.0.2.1\"\n").unwrap();
    let target = Arc::new(Registry::load(&[file]).unwrap().get("far").unwrap().clone());
    let err = Session::new(ClientConfig::for_target(target))
        .unwrap()
        .view("X")
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Refused { .. }), "{err}");
}

#[tokio::test]
async fn concurrent_first_token_requests_fetch_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/w/api.php"))
        .and(query_param("type", "csrf"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_millis(100))
                .set_body_json(json!({"query": {"tokens": {"csrftoken": "one+\\"}}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let s = session(&server, "max_concurrent_requests = 8", None);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.token("csrf").await.unwrap() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), "one+\\");
    }
}

/// A gzip body of `text`.
fn gzipped(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

#[tokio::test]
async fn an_as_sent_session_shows_headers_as_the_server_sent_them() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/packed"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Content-Encoding", "gzip")
                .insert_header("Content-Type", "text/html")
                .set_body_bytes(gzipped("<p>unpacked</p>")),
        )
        .mount(&server)
        .await;
    let mut cfg = ClientConfig::for_target(target_for(&server, ""));
    cfg.as_sent = true;
    let s = Session::new(cfg).unwrap();
    let url = |p: &str| url::Url::parse(&format!("{}{p}", server.uri())).unwrap();
    let f = s
        .send(Request::get(url("/packed")).header("Accept-Encoding", "gzip"))
        .await
        .unwrap();
    assert_eq!(f.header("Content-Encoding"), "gzip", "kept as sent");
    assert_eq!(
        f.body, "<p>unpacked</p>",
        "the body is decoded for assertions"
    );
    s.send(Request::get(url("/packed"))).await.unwrap();
    let asked: Vec<Option<String>> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.headers
                .get("accept-encoding")
                .map(|v| v.to_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        asked,
        [Some("gzip".to_owned()), None],
        "Accept-Encoding only when the request sends it"
    );

    // A default session decodes transparently: the header is gone.
    let decoding = session(&server, "", None);
    let f = decoding.send(Request::get(url("/packed"))).await.unwrap();
    assert_eq!(f.body, "<p>unpacked</p>");
    assert_eq!(f.header("Content-Encoding"), "");
}

/// `/slow-once` answers after 3 s the first time, at once after that.
async fn slow_once(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/slow-once"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .up_to_n_times(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/slow-once"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(server)
        .await;
}

#[tokio::test]
async fn httpbb_sends_a_timed_out_request_once_more_when_asked() {
    let server = MockServer::start().await;
    slow_once(&server).await;
    let s = session(&server, "", None);
    let mut req = Request::get(url::Url::parse(&format!("{}/slow-once", server.uri())).unwrap());
    req.timeout = Some(Duration::from_millis(300));
    let (fetched, retried) =
        wikiharness_harness::checks::httpbb::send(&s, req.clone(), false).await;
    assert!(
        matches!(fetched, Err(ClientError::Timeout { .. })),
        "{fetched:?}"
    );
    assert!(!retried);
    server.reset().await;
    slow_once(&server).await;
    let (fetched, retried) = wikiharness_harness::checks::httpbb::send(&s, req, true).await;
    assert_eq!(fetched.unwrap().body, "ok");
    assert!(retried);
}
