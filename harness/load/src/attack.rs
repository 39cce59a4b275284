//! A bounded goose attack, configured in code (no goose command line, no
//! telnet or WebSocket controller), with the harness's own latency recording.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use goose::config::GooseConfiguration;
use goose::goose::GooseRequest;
use goose::prelude::*;

use wikiharness_harness::client::backend::serving_backend;
use wikiharness_harness::target::{LoadSettings, MAX_LOAD_DURATION};
use wikiharness_record::load::{EndpointRecorder, EndpointSummary, LoadSummary};

/// Per-endpoint recorders shared by an attack's transactions, and the pacer
/// that caps the attack's request rate.
#[derive(Debug, Default)]
pub struct Recorders {
    endpoints: std::sync::RwLock<BTreeMap<String, Arc<EndpointRecorder>>>,
    expected_interval_us: Option<u64>,
    max_rps: Option<u32>,
    pacer: tokio::sync::Mutex<Option<tokio::time::Interval>>,
}

impl Recorders {
    /// Recorders for an attack with `settings`.
    pub fn new(settings: &LoadSettings) -> Arc<Self> {
        Arc::new(Recorders {
            expected_interval_us: settings.expected_interval_us(),
            max_rps: settings.max_rps,
            ..Default::default()
        })
    }

    /// Waits for the next request slot under the rate cap. Requests leave at
    /// most `max_rps` times a second across all users; the wait happens before
    /// a request's clock starts, so it never counts as latency.
    pub async fn pace(&self) {
        let Some(rps) = self.max_rps.filter(|r| *r > 0) else {
            return;
        };
        let mut pacer = self.pacer.lock().await;
        let interval = pacer.get_or_insert_with(|| {
            let mut i = tokio::time::interval(Duration::from_secs_f64(1.0 / rps as f64));
            i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            i
        });
        interval.tick().await;
    }

    fn endpoint(&self, name: &str) -> Arc<EndpointRecorder> {
        if let Some(r) = self
            .endpoints
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
        {
            return r.clone();
        }
        self.endpoints
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(name.to_owned())
            .or_default()
            .clone()
    }

    /// Records one request under `endpoint` (the total is merged at the end).
    pub fn record(
        &self,
        endpoint: &str,
        latency: Duration,
        status: Option<u16>,
        backend: Option<&str>,
        error: bool,
    ) {
        self.endpoint(endpoint).record(
            latency.as_micros() as u64,
            status,
            backend,
            error,
            self.expected_interval_us,
        );
    }

    /// The summary of everything recorded, over `duration_s`.
    pub fn summary(&self, scenario: &str, duration_s: f64) -> LoadSummary {
        let endpoints: Vec<EndpointSummary> = self
            .endpoints
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(name, r)| r.summary(name, duration_s))
            .collect();
        let total = EndpointSummary::merge("total", &endpoints.iter().collect::<Vec<_>>())
            .unwrap_or_else(|_| EndpointRecorder::default().summary("total", duration_s));
        LoadSummary {
            scenario: scenario.to_owned(),
            users: 0,
            max_rps: None,
            total,
            endpoints,
            thresholds: Vec::new(),
        }
    }
}

/// What one request of a transaction looks like.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    /// Endpoint name for the figures (`page view`, `api parse`, ...).
    pub endpoint: &'a str,
    /// GET or POST.
    pub method: GooseMethod,
    /// Path and query, relative to the attack's host.
    pub path: &'a str,
    /// Form body for POST.
    pub form: Option<Vec<(String, String)>>,
    /// Extra headers (e.g. the target's).
    pub headers: &'a [(String, String)],
}

/// Waits for a slot under the rate cap, sends one request through goose
/// (which counts it too), times it to the full body, and records status,
/// backend and whether `ok` accepts the answer. Returns the status and body.
pub async fn timed(
    user: &mut GooseUser,
    rec: &Recorders,
    call: Call<'_>,
    ok: impl Fn(u16, &str) -> bool,
) -> Result<(u16, String), Box<TransactionError>> {
    let mut builder = user.get_request_builder(&call.method, call.path)?;
    for (k, v) in call.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    if let Some(form) = &call.form {
        builder = builder.form(form);
    }
    let request = GooseRequest::builder()
        .method(call.method)
        .path(call.path)
        .name(call.endpoint)
        .set_request_builder(builder)
        .build();
    rec.pace().await;
    let started = Instant::now();
    let response = user.request(request).await?;
    let (status, body, content_type) = match response.response {
        Ok(r) => {
            let status = r.status().as_u16();
            let ct = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            match r.text().await {
                Ok(body) => (Some(status), body, ct),
                Err(_) => (Some(status), String::new(), ct),
            }
        }
        Err(_) => (None, String::new(), String::new()),
    };
    let elapsed = started.elapsed();
    let backend = serving_backend(&content_type, &body);
    let good = status.is_some_and(|s| ok(s, &body));
    rec.record(call.endpoint, elapsed, status, backend.as_deref(), !good);
    Ok((status.unwrap_or(0), body))
}

/// One transaction of a scenario: name, weight, function.
pub struct Step {
    /// Transaction name.
    pub name: String,
    /// Relative weight.
    pub weight: usize,
    /// The function.
    pub function: TransactionFunction,
    /// Runs once per user before the others (e.g. a login).
    pub on_start: bool,
}

/// An attack: a scenario's steps against a host, with settings.
pub struct Plan {
    /// Scenario name.
    pub scenario: String,
    /// Host (scheme, host, port).
    pub host: String,
    /// Size and length.
    pub settings: LoadSettings,
    /// The transactions.
    pub steps: Vec<Step>,
}

/// A transaction function from a closure returning a boxed future over the
/// user (`step_fn(move |user| Box::pin(async move { ... }))`).
pub fn step_fn<F>(f: F) -> TransactionFunction
where
    F: for<'r> Fn(
            &'r mut GooseUser,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = TransactionResult> + Send + 'r>,
        > + Send
        + Sync
        + 'static,
{
    Arc::new(f)
}

/// Runs the attack to completion (bounded by [`MAX_LOAD_DURATION`]) and returns
/// its summary, unjudged ([`LoadSummary::judge`] judges it).
pub async fn run(plan: Plan, rec: Arc<Recorders>) -> Result<LoadSummary, String> {
    let err = |e: GooseError| format!("goose: {e}");
    let mut scenario = Scenario::new(&plan.scenario);
    for step in plan.steps {
        let mut t = Transaction::new(step.function)
            .set_name(&step.name)
            .set_weight(step.weight)
            .map_err(err)?;
        if step.on_start {
            t = t.set_on_start();
        }
        scenario = scenario.register_transaction(t);
    }
    let duration = plan.settings.duration.min(MAX_LOAD_DURATION);
    let users = plan.settings.users.max(1);
    let attack = GooseAttack::initialize_with_config(GooseConfiguration::default())
        .map_err(err)?
        .register_scenario(scenario)
        .set_default(GooseDefault::Host, plan.host.as_str())
        .map_err(err)?
        .set_default(GooseDefault::Users, users)
        .map_err(err)?
        // Every user starts within a tenth of a second: the attack's length is
        // its run time, not a ramp (the run time counts once all have started).
        .set_default(
            GooseDefault::IncreaseRate,
            (users * 10).to_string().as_str(),
        )
        .map_err(err)?
        .set_default(GooseDefault::RunTime, duration.as_secs().max(1) as usize)
        .map_err(err)?
        .set_default(GooseDefault::NoTelnet, true)
        .map_err(err)?
        .set_default(GooseDefault::NoWebSocket, true)
        .map_err(err)?
        .set_default(GooseDefault::NoPrintMetrics, true)
        .map_err(err)?
        // The harness records every request itself; goose's own per-request
        // metrics would only cost CPU (a channel message per request).
        .set_default(GooseDefault::NoMetrics, true)
        .map_err(err)?
        .set_default(GooseDefault::Quiet, 1)
        .map_err(err)?
        .set_default(GooseDefault::Timeout, "30")
        .map_err(err)?;
    let started = Instant::now();
    attack.execute().await.map_err(err)?;
    let mut summary = rec.summary(&plan.scenario, started.elapsed().as_secs_f64());
    summary.users = plan.settings.users;
    summary.max_rps = plan.settings.max_rps;
    Ok(summary)
}
