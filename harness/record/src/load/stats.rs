//! Per-endpoint latency recording (microseconds) and its summary.

use std::collections::BTreeMap;
use std::sync::Mutex;

use base64::Engine;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use serde::{Deserialize, Serialize};

use super::threshold::{Threshold, ThresholdResult};

/// Highest latency recorded (µs): one hour; longer values are clamped.
const MAX_US: u64 = 3_600_000_000;

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_US, 3).expect("valid bounds")
}

/// Records one endpoint's requests. Memory does not grow with the number of
/// requests: two histograms and a few counters.
#[derive(Debug)]
pub struct EndpointRecorder {
    state: Mutex<Recorded>,
}

#[derive(Debug, Clone)]
struct Recorded {
    raw: Histogram<u64>,
    /// Only used when an expected interval is given; otherwise equal to `raw`.
    corrected: Option<Histogram<u64>>,
    /// By status code; `None` = transport error.
    statuses: BTreeMap<Option<u16>, u64>,
    backends: BTreeMap<String, u64>,
    errors: u64,
}

impl Default for EndpointRecorder {
    fn default() -> Self {
        EndpointRecorder {
            state: Mutex::new(Recorded {
                raw: histogram(),
                corrected: None,
                statuses: BTreeMap::new(),
                backends: BTreeMap::new(),
                errors: 0,
            }),
        }
    }
}

impl EndpointRecorder {
    /// Records one request: its latency, status (`None` for a transport error),
    /// serving backend, and whether it counts as an error. `expected_interval_us`
    /// is the pacing the load meant to keep (for coordinated-omission correction).
    pub fn record(
        &self,
        latency_us: u64,
        status: Option<u16>,
        backend: Option<&str>,
        error: bool,
        expected_interval_us: Option<u64>,
    ) {
        let v = latency_us.clamp(1, MAX_US);
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.raw.saturating_record(v);
        if let Some(i) = expected_interval_us.filter(|i| *i > 0) {
            let _ = s
                .corrected
                .get_or_insert_with(histogram)
                .record_correct(v, i);
        }
        *s.statuses.entry(status).or_default() += 1;
        if let Some(b) = backend {
            match s.backends.get_mut(b) {
                Some(n) => *n += 1,
                None => {
                    s.backends.insert(b.to_owned(), 1);
                }
            }
        }
        if error {
            s.errors += 1;
        }
    }

    /// The summary of what was recorded, over `duration_s`.
    pub fn summary(&self, endpoint: &str, duration_s: f64) -> EndpointSummary {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let corrected = s.corrected.unwrap_or_else(|| s.raw.clone());
        let statuses = s
            .statuses
            .into_iter()
            .map(|(k, v)| {
                (
                    k.map(|c| c.to_string())
                        .unwrap_or_else(|| "transport-error".into()),
                    v,
                )
            })
            .collect();
        EndpointSummary::from_parts(
            endpoint, s.raw, corrected, statuses, s.backends, s.errors, duration_s,
        )
    }
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

impl Percentiles {
    fn of(h: &Histogram<u64>) -> Self {
        let ms = |us: u64| us as f64 / 1000.0;
        if h.is_empty() {
            return Percentiles::default();
        }
        Percentiles {
            p50: ms(h.value_at_quantile(0.50)),
            p90: ms(h.value_at_quantile(0.90)),
            p95: ms(h.value_at_quantile(0.95)),
            p99: ms(h.value_at_quantile(0.99)),
            max: ms(h.max()),
            mean: h.mean() / 1000.0,
        }
    }
}

/// One endpoint's (or a scenario's total) figures, with its histograms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointSummary {
    /// Endpoint name (`page view`, `api siteinfo`, ...) or `total`.
    pub endpoint: String,
    /// Requests recorded.
    pub requests: u64,
    /// Requests that failed (transport error or unexpected answer).
    pub errors: u64,
    /// errors / requests.
    pub error_rate: f64,
    /// Requests per second over the attack.
    pub throughput_rps: f64,
    /// Counts per HTTP status (`transport-error` for none).
    pub statuses: BTreeMap<String, u64>,
    /// Counts per serving backend.
    pub backends: BTreeMap<String, u64>,
    /// Percentiles as measured.
    pub raw: Percentiles,
    /// Percentiles corrected for coordinated omission.
    pub corrected: Percentiles,
    /// Raw histogram, V2+deflate, base64.
    pub histogram: String,
    /// Corrected histogram, V2+deflate, base64.
    pub histogram_corrected: String,
    /// Attack duration the rates refer to.
    pub duration_s: f64,
}

fn encode(h: &Histogram<u64>) -> String {
    let mut bytes = Vec::new();
    V2DeflateSerializer::new()
        .serialize(h, &mut bytes)
        .expect("serialise to memory");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn decode(s: &str) -> Result<Histogram<u64>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| format!("bad base64 histogram: {e}"))?;
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| format!("bad histogram: {e:?}"))
}

impl EndpointSummary {
    fn from_parts(
        endpoint: &str,
        raw: Histogram<u64>,
        corrected: Histogram<u64>,
        statuses: BTreeMap<String, u64>,
        backends: BTreeMap<String, u64>,
        errors: u64,
        duration_s: f64,
    ) -> Self {
        let requests = raw.len();
        EndpointSummary {
            endpoint: endpoint.to_owned(),
            requests,
            errors,
            error_rate: if requests == 0 {
                0.0
            } else {
                errors as f64 / requests as f64
            },
            throughput_rps: if duration_s > 0.0 {
                requests as f64 / duration_s
            } else {
                0.0
            },
            statuses,
            backends,
            raw: Percentiles::of(&raw),
            corrected: Percentiles::of(&corrected),
            histogram: encode(&raw),
            histogram_corrected: encode(&corrected),
            duration_s,
        }
    }

    /// Merges summaries of the same endpoint (e.g. from several shards that ran
    /// at the same time): histograms and counts add up, the duration is the longest.
    pub fn merge(endpoint: &str, parts: &[&EndpointSummary]) -> Result<Self, String> {
        let (mut raw, mut corrected) = (histogram(), histogram());
        let (mut statuses, mut backends) = (BTreeMap::new(), BTreeMap::new());
        let mut errors = 0;
        let mut duration_s: f64 = 0.0;
        for p in parts {
            raw.add(decode(&p.histogram)?)
                .map_err(|e| format!("{e:?}"))?;
            corrected
                .add(decode(&p.histogram_corrected)?)
                .map_err(|e| format!("{e:?}"))?;
            for (k, v) in &p.statuses {
                *statuses.entry(k.clone()).or_default() += v;
            }
            for (k, v) in &p.backends {
                *backends.entry(k.clone()).or_default() += v;
            }
            errors += p.errors;
            duration_s = duration_s.max(p.duration_s);
        }
        Ok(Self::from_parts(
            endpoint, raw, corrected, statuses, backends, errors, duration_s,
        ))
    }
}

/// A load trial's results: per endpoint and in total, plus threshold verdicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadSummary {
    /// Scenario name.
    pub scenario: String,
    /// Simulated users.
    pub users: usize,
    /// Request-rate cap applied (requests per second), if any.
    pub max_rps: Option<u32>,
    /// All endpoints together.
    pub total: EndpointSummary,
    /// Per endpoint.
    pub endpoints: Vec<EndpointSummary>,
    /// Thresholds judged.
    pub thresholds: Vec<ThresholdResult>,
}

impl LoadSummary {
    /// Judges `rules` on these figures, replacing earlier verdicts. A rule for
    /// an endpoint the summary lacks is left out.
    pub fn judge(&mut self, rules: &[Threshold]) {
        self.thresholds = rules.iter().filter_map(|t| t.judge(self)).collect();
    }

    /// The rules judged so far, parsed again (to judge them on merged figures).
    pub fn rules(&self) -> Vec<Threshold> {
        self.thresholds
            .iter()
            .filter_map(|r| Threshold::parse(&r.rule).ok())
            .collect()
    }

    /// The thresholds that did not hold.
    pub fn violations(&self) -> impl Iterator<Item = &ThresholdResult> {
        self.thresholds.iter().filter(|r| !r.passed)
    }

    /// The failure message of a load trial whose thresholds did not all hold
    /// (`thresholds violated: …`), or `None`. Readers tell a threshold failure
    /// by [`Self::violations`], never by this text.
    pub fn threshold_failure(&self) -> Option<String> {
        let violated: Vec<String> = self.violations().map(|r| r.to_string()).collect();
        (!violated.is_empty()).then(|| format!("thresholds violated: {}", violated.join("; ")))
    }

    /// Merges the summaries of one scenario run by several workers at once;
    /// thresholds are left empty, to be judged on the merged figures.
    pub fn merge(parts: &[&LoadSummary]) -> Result<Self, String> {
        let first = parts.first().ok_or("nothing to merge")?;
        let mut names: Vec<&str> = parts
            .iter()
            .flat_map(|p| p.endpoints.iter().map(|e| e.endpoint.as_str()))
            .collect();
        names.sort_unstable();
        names.dedup();
        let endpoints = names
            .iter()
            .map(|n| {
                let same: Vec<_> = parts
                    .iter()
                    .flat_map(|p| p.endpoints.iter().filter(|e| e.endpoint == *n))
                    .collect();
                EndpointSummary::merge(n, &same)
            })
            .collect::<Result<_, _>>()?;
        Ok(LoadSummary {
            scenario: first.scenario.clone(),
            users: parts.iter().map(|p| p.users).sum(),
            max_rps: parts.iter().map(|p| p.max_rps).sum(),
            total: EndpointSummary::merge(
                "total",
                &parts.iter().map(|p| &p.total).collect::<Vec<_>>(),
            )?,
            endpoints,
            thresholds: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_keep_precision_above_100ms() {
        let r = EndpointRecorder::default();
        for us in [123_456u64, 234_567, 345_678, 456_789] {
            r.record(us, Some(200), Some("mw-web.1"), false, None);
        }
        let s = r.summary("x", 1.0);
        assert!((s.raw.max - 456.789).abs() < 0.5, "{}", s.raw.max);
        assert!((s.raw.p50 - 234.567).abs() < 0.5, "{}", s.raw.p50);
        assert_eq!(s.requests, 4);
        assert_eq!(s.backends.get("mw-web.1"), Some(&4));
    }

    #[test]
    fn coordinated_omission_correction_adds_the_missed_samples() {
        let r = EndpointRecorder::default();
        for _ in 0..99 {
            r.record(1_000, Some(200), None, false, Some(10_000));
        }
        // One 1 s stall while requests were due every 10 ms.
        r.record(1_000_000, Some(200), None, false, Some(10_000));
        let s = r.summary("x", 2.0);
        assert!(s.raw.p95 < 2.0, "raw p95 {}", s.raw.p95);
        assert!(s.corrected.p95 > 400.0, "corrected p95 {}", s.corrected.p95);
    }

    #[test]
    fn errors_statuses_and_rates() {
        let r = EndpointRecorder::default();
        r.record(1000, Some(200), None, false, None);
        r.record(1000, Some(503), None, true, None);
        r.record(1000, None, None, true, None);
        r.record(1000, Some(200), None, false, None);
        let s = r.summary("x", 2.0);
        assert_eq!(s.error_rate, 0.5);
        assert_eq!(s.throughput_rps, 2.0);
        assert_eq!(s.statuses.get("transport-error"), Some(&1));
    }

    #[test]
    fn histograms_round_trip_and_merge() {
        let (a, b) = (EndpointRecorder::default(), EndpointRecorder::default());
        for i in 0..1000 {
            a.record(1_000 + i, Some(200), Some("pod-a"), false, None);
            b.record(500_000 + i, Some(200), Some("pod-b"), i % 10 == 0, None);
        }
        let (sa, sb) = (a.summary("page", 10.0), b.summary("page", 10.0));
        let m = EndpointSummary::merge("page", &[&sa, &sb]).unwrap();
        assert_eq!(m.requests, 2000);
        assert_eq!(m.errors, 100);
        assert_eq!(m.backends.len(), 2);
        assert!((m.throughput_rps - 200.0).abs() < 1e-9);
        // Half the requests are slow: the merged p95 is slow, the fast part's is not.
        assert!(
            m.raw.p95 > 400.0 && sa.raw.p95 < 2.0,
            "{} {}",
            m.raw.p95,
            sa.raw.p95
        );
        assert!(decode("not base64!").is_err());
    }
}
