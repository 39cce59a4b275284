//! A session: one cookie jar, the target's headers and concurrency cap, and
//! evidence recording for every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::cookie::Jar;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::Semaphore;
use url::Url;

use super::backend::serving_backend;
use super::retry::RetryPolicy;
use super::user_agent::user_agent;
use crate::error::ClientError;
use crate::evidence::{Collector, excerpt};
use crate::redact::redact;
use crate::target::{Target, loopback_only};
use wikiharness_record::Exchange;

/// What every session of a run shares.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The target.
    pub target: Arc<Target>,
    /// Requests in flight to the target, across all sessions.
    pub limiter: Arc<Semaphore>,
    /// Where the session's requests are recorded (one per trial).
    pub evidence: Option<Arc<Collector>>,
    /// Retry policy for throttling.
    pub retry: RetryPolicy,
    /// Connect to this address for this host name, keeping the name in the URL
    /// and the Host header (httpbb's `--host`).
    pub resolve: Option<(String, std::net::SocketAddr)>,
    /// Answers as the server sent them (httpbb's semantics): no
    /// `Accept-Encoding` is added and the headers keep `Content-Encoding`;
    /// a body the server compressed (because the request asked) is still
    /// decoded for [`Fetched::body`].
    pub as_sent: bool,
}

impl ClientConfig {
    /// A configuration with its own limiter sized from the target.
    pub fn for_target(target: Arc<Target>) -> Self {
        ClientConfig {
            limiter: Arc::new(Semaphore::new(target.max_concurrent_requests)),
            target,
            evidence: None,
            retry: RetryPolicy::default(),
            resolve: None,
            as_sent: false,
        }
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Full URL.
    pub url: Url,
    /// Form body (`application/x-www-form-urlencoded`).
    pub form: Option<Vec<(String, String)>>,
    /// JSON body.
    pub json: Option<Value>,
    /// A file sent with the form, as `multipart/form-data` (uploads).
    pub file: Option<FilePart>,
    /// Extra headers for this request.
    pub headers: Vec<(String, String)>,
    /// Follow redirects (default true).
    pub follow_redirects: bool,
    /// This request's timeout, instead of the target's `timeout_secs`.
    pub timeout: Option<Duration>,
}

impl Request {
    /// A GET of `url`.
    pub fn get(url: Url) -> Self {
        Request {
            method: Method::GET,
            url,
            form: None,
            json: None,
            file: None,
            headers: Vec::new(),
            follow_redirects: true,
            timeout: None,
        }
    }

    /// A form POST to `url`.
    pub fn post_form<K: ToString, V: ToString>(url: Url, form: &[(K, V)]) -> Self {
        Request {
            method: Method::POST,
            form: Some(
                form.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            ..Request::get(url)
        }
    }

    /// A request with a JSON body.
    pub fn json(method: Method, url: Url, body: Value) -> Self {
        Request {
            method,
            json: Some(body),
            ..Request::get(url)
        }
    }

    /// Do not follow redirects: the 3xx answer is returned.
    pub fn no_redirects(mut self) -> Self {
        self.follow_redirects = false;
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A file in a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub struct FilePart {
    /// The form field (`file` for the action API's upload).
    pub field: String,
    /// The file name sent.
    pub file_name: String,
    /// Its media type (`image/png`).
    pub mime: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// A complete answer.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Final URL (after redirects), redacted.
    pub url: String,
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body as text (lossy for binary bodies).
    pub body: String,
    /// Body as sent (images, PDFs).
    pub raw: Vec<u8>,
    /// Serving backend, where the body names one.
    pub backend: Option<String>,
    /// Time to the full answer.
    pub elapsed: Duration,
}

impl Fetched {
    /// A header's value as text (empty if absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// `Content-Type`.
    pub fn content_type(&self) -> &str {
        self.header(CONTENT_TYPE.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Result<Value, ClientError> {
        serde_json::from_str(&self.body).map_err(|e| ClientError::Malformed {
            url: self.url.clone(),
            status: self.status.as_u16(),
            message: format!("not JSON: {e}"),
            excerpt: excerpt(&self.body),
        })
    }
}

/// One user's session with the target: its own cookies and tokens.
#[derive(Debug, Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: ClientConfig,
    follow: reqwest::Client,
    no_follow: reqwest::Client,
    pub(super) tokens: Mutex<HashMap<String, String>>,
    /// One token fetch at a time per session: concurrent first fetches would
    /// each create a token secret in the session, and only the last one saved
    /// stays valid (`badtoken` for the others).
    pub(super) token_fetch: tokio::sync::Mutex<()>,
    pub(super) user: Mutex<Option<String>>,
}

impl Session {
    /// A new anonymous session.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let jar = Arc::new(Jar::default());
        let build = |policy: reqwest::redirect::Policy| {
            let mut b = reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .redirect(policy)
                .gzip(!config.as_sent)
                .user_agent(user_agent())
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(config.target.timeout_secs));
            if config.target.is_loopback() {
                b = b.no_proxy();
            }
            if let Some((host, addr)) = &config.resolve {
                b = b.resolve(host, *addr);
                if addr.ip().is_loopback() {
                    b = b.no_proxy();
                }
            }
            b.build().map_err(|e| ClientError::Transport {
                method: "-".into(),
                url: config.target.base_url.to_string(),
                message: format!("cannot build HTTP client: {e}"),
            })
        };
        let follow = build(reqwest::redirect::Policy::limited(10))?;
        let no_follow = build(reqwest::redirect::Policy::none())?;
        Ok(Session {
            inner: Arc::new(Inner {
                config,
                follow,
                no_follow,
                tokens: Mutex::default(),
                token_fetch: tokio::sync::Mutex::const_new(()),
                user: Mutex::default(),
            }),
        })
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.inner.config.target
    }

    pub(super) fn retry(&self) -> &RetryPolicy {
        &self.inner.config.retry
    }

    pub(super) async fn token_fetch(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.token_fetch.lock().await
    }

    pub(super) fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.inner.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn set_user(&self, user: Option<String>) {
        *self.inner.user.lock().unwrap_or_else(|e| e.into_inner()) = user;
    }

    /// The logged-in user name, if any.
    pub fn user(&self) -> Option<String> {
        self.inner
            .user
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Sends a request; retries on 429 and on 503 with `Retry-After`.
    pub async fn send(&self, req: Request) -> Result<Fetched, ClientError> {
        let policy = self.retry().clone();
        let mut attempt = 1;
        loop {
            let fetched = self.send_once(&req).await?;
            let throttled = fetched.status == StatusCode::TOO_MANY_REQUESTS
                || (fetched.status == StatusCode::SERVICE_UNAVAILABLE
                    && fetched.headers.contains_key(reqwest::header::RETRY_AFTER));
            if !throttled {
                return Ok(fetched);
            }
            if attempt >= policy.max_attempts {
                return Err(ClientError::Throttled {
                    url: fetched.url,
                    attempts: attempt,
                    reason: format!("HTTP {}", fetched.status.as_u16()),
                });
            }
            tokio::time::sleep(policy.wait(attempt, &fetched.headers)).await;
            attempt += 1;
        }
    }

    /// One attempt, recorded as evidence.
    async fn send_once(&self, req: &Request) -> Result<Fetched, ClientError> {
        let method = req.method.to_string();
        let shown_url = redact(req.url.as_str());
        let resolved_to_loopback =
            self.inner
                .config
                .resolve
                .as_ref()
                .is_some_and(|(host, addr)| {
                    req.url.host_str() == Some(host.as_str()) && addr.ip().is_loopback()
                });
        if loopback_only() && !crate::target::is_loopback_url(&req.url) && !resolved_to_loopback {
            return Err(ClientError::Refused {
                method,
                url: shown_url,
                reason: format!(
                    "{} is set and the host is not loopback",
                    crate::target::LOOPBACK_ONLY_ENV
                ),
            });
        }
        let client = if req.follow_redirects {
            &self.inner.follow
        } else {
            &self.inner.no_follow
        };
        let mut builder = client.request(req.method.clone(), req.url.clone());
        for (k, v) in self
            .target()
            .headers
            .iter()
            .chain(req.headers.iter().map(|(k, v)| (k, v)))
        {
            builder = builder.header(k.as_str(), v.as_str());
        }
        match (&req.form, &req.file) {
            (form, Some(file)) => builder = builder.multipart(multipart(form.as_deref(), file)?),
            (Some(form), None) => builder = builder.form(form),
            (None, None) => {}
        }
        if let Some(json) = &req.json {
            builder = builder.json(json);
        }
        if let Some(timeout) = req.timeout {
            builder = builder.timeout(timeout);
        }
        let _permit = self
            .inner
            .config
            .limiter
            .acquire()
            .await
            .expect("limiter is never closed");
        let started = Instant::now();
        let result = async {
            let resp = builder.send().await?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let url = resp.url().clone();
            let raw = resp.bytes().await?.to_vec();
            Ok::<_, reqwest::Error>((status, headers, url, raw))
        }
        .await;
        let elapsed = started.elapsed();
        drop(_permit);
        match result {
            Ok((status, headers, url, raw)) => {
                let content_type = headers
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let text = if self.inner.config.as_sent {
                    decoded(&headers, &raw)
                } else {
                    std::borrow::Cow::Borrowed(raw.as_slice())
                };
                let body = String::from_utf8_lossy(&text).into_owned();
                let shown = if is_binary(content_type) {
                    format!("({} bytes of {content_type})", raw.len())
                } else {
                    excerpt(&body)
                };
                let backend = serving_backend(content_type, &body);
                let symptom = super::symptom::of_answer(status.as_u16(), content_type, &body);
                let fetched = Fetched {
                    url: redact(url.as_str()),
                    status,
                    headers,
                    body,
                    raw,
                    backend,
                    elapsed,
                };
                self.record(Exchange {
                    method: method.clone(),
                    url: fetched.url.clone(),
                    status: Some(status.as_u16()),
                    elapsed_ms: elapsed.as_secs_f64() * 1000.0,
                    backend: fetched.backend.clone(),
                    excerpt: shown,
                    symptom,
                });
                Ok(fetched)
            }
            Err(e) => {
                let err = if e.is_timeout() {
                    ClientError::Timeout {
                        method: method.clone(),
                        url: shown_url.clone(),
                        elapsed,
                    }
                } else if e.is_connect() {
                    ClientError::Connect {
                        method: method.clone(),
                        url: shown_url.clone(),
                        message: error_chain(&e),
                    }
                } else {
                    ClientError::Transport {
                        method: method.clone(),
                        url: shown_url.clone(),
                        message: error_chain(&e),
                    }
                };
                let symptom = super::symptom::of_failure(&err, &req.url);
                self.record(Exchange {
                    method: method.clone(),
                    url: shown_url.clone(),
                    status: None,
                    elapsed_ms: elapsed.as_secs_f64() * 1000.0,
                    backend: None,
                    excerpt: err.to_string(),
                    symptom,
                });
                Err(err)
            }
        }
    }

    fn record(&self, exchange: Exchange) {
        if let Some(r) = &self.inner.config.evidence {
            r.exchange(exchange, self.target().serving_backend.as_ref());
        }
    }

    /// GET a URL.
    pub async fn get(&self, url: Url) -> Result<Fetched, ClientError> {
        self.send(Request::get(url)).await
    }

    /// GET a path (with optional query) on the target's host.
    pub async fn get_path(&self, path_and_query: &str) -> Result<Fetched, ClientError> {
        self.get(self.target().url(path_and_query)).await
    }

    /// View a page under the article path.
    pub async fn view(&self, title: &str) -> Result<Fetched, ClientError> {
        self.get(self.target().article_url(title)).await
    }

    /// GET `index.php` with query parameters.
    pub async fn index(&self, params: &[(&str, &str)]) -> Result<Fetched, ClientError> {
        let mut url = self.target().index_url();
        url.query_pairs_mut().extend_pairs(params);
        self.get(url).await
    }

    /// GET a REST route (`/v1/page/Foo`).
    pub async fn rest_get(&self, route: &str) -> Result<Fetched, ClientError> {
        self.get(self.target().rest_url(route)).await
    }

    /// Send JSON to a REST route.
    pub async fn rest_send(
        &self,
        method: Method,
        route: &str,
        body: Value,
    ) -> Result<Fetched, ClientError> {
        self.send(Request::json(method, self.target().rest_url(route), body))
            .await
    }
}

/// The error and its sources, one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !out.contains(&s_text) {
            out.push_str(": ");
            out.push_str(&s_text);
        }
        source = s.source();
    }
    redact(&out)
}

/// A body as its `Content-Encoding` (gzip, deflate) packed it, unpacked; as
/// it is for other encodings and when it does not unpack.
fn decoded<'a>(headers: &reqwest::header::HeaderMap, raw: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
    use std::io::Read;
    let encoding = headers
        .get(reqwest::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let mut out = Vec::new();
    let unpacked = match encoding.as_str() {
        "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(raw).read_to_end(&mut out),
        "deflate" => flate2::read::ZlibDecoder::new(raw).read_to_end(&mut out),
        _ => return std::borrow::Cow::Borrowed(raw),
    };
    match unpacked {
        Ok(_) => std::borrow::Cow::Owned(out),
        Err(_) => std::borrow::Cow::Borrowed(raw),
    }
}

/// Whether a body of this type is not text (its evidence is its size).
fn is_binary(content_type: &str) -> bool {
    [
        "image/",
        "application/pdf",
        "application/octet-stream",
        "video/",
        "audio/",
    ]
    .iter()
    .any(|t| content_type.starts_with(t))
}

/// The form fields and the file as a multipart body.
fn multipart(
    form: Option<&[(String, String)]>,
    file: &FilePart,
) -> Result<reqwest::multipart::Form, ClientError> {
    let mut body = reqwest::multipart::Form::new();
    for (k, v) in form.unwrap_or_default() {
        body = body.text(k.clone(), v.clone());
    }
    let part = reqwest::multipart::Part::bytes(file.bytes.clone())
        .file_name(file.file_name.clone())
        .mime_str(&file.mime)
        .map_err(|e| ClientError::Refused {
            method: "POST".into(),
            url: String::new(),
            reason: format!("media type `{}`: {e}", file.mime),
        })?;
    Ok(body.part(file.field.clone(), part))
}
