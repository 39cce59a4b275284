//! Evidence collected while a trial runs: requests, backends, figures, notes.

use std::collections::{BTreeSet, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;

use regex::Regex;

use wikiharness_record::{Exchange, Figure};

/// How many exchanges a trial keeps (the most recent ones).
const KEEP_EXCHANGES: usize = 12;
/// How many characters of a body an exchange keeps.
pub const EXCERPT_CHARS: usize = 600;

/// Collects a trial's evidence; shared by the trial's sessions.
#[derive(Debug, Default)]
pub struct Collector {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    exchanges: VecDeque<Exchange>,
    requests: u64,
    backends: BTreeSet<String>,
    backend_mismatch: Option<String>,
    figures: Vec<Figure>,
    notes: Vec<String>,
    attachments: Vec<PathBuf>,
    load: Option<wikiharness_record::load::LoadSummary>,
}

/// Everything a collector collected.
#[derive(Debug, Default)]
pub struct Collected {
    /// Recent exchanges, oldest first.
    pub exchanges: Vec<Exchange>,
    /// Requests sent.
    pub requests: u64,
    /// Backends seen.
    pub backends: BTreeSet<String>,
    /// The first response whose backend did not match the target's pattern.
    pub backend_mismatch: Option<String>,
    /// Figures.
    pub figures: Vec<Figure>,
    /// Notes.
    pub notes: Vec<String>,
    /// Attachments.
    pub attachments: Vec<PathBuf>,
    /// Load summary.
    pub load: Option<wikiharness_record::load::LoadSummary>,
}

impl Collector {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records one request and its answer; `expected` is the serving-backend
    /// pattern of the target that answered (a mismatch fails the trial).
    pub fn exchange(&self, exchange: Exchange, expected: Option<&Regex>) {
        let mut s = self.state();
        s.requests += 1;
        if let Some(backend) = &exchange.backend {
            s.backends.insert(backend.clone());
            if let Some(p) = expected
                && !p.is_match(backend)
                && s.backend_mismatch.is_none()
            {
                s.backend_mismatch = Some(format!(
                    "{} {} was served by `{backend}`, which does not match the target's serving_backend /{}/",
                    exchange.method,
                    exchange.url,
                    p.as_str()
                ));
            }
        }
        if s.exchanges.len() == KEEP_EXCHANGES {
            s.exchanges.pop_front();
        }
        s.exchanges.push_back(exchange);
    }

    /// Records a figure.
    pub fn figure(&self, name: &str, value: f64, unit: &str) {
        self.state().figures.push(Figure {
            name: name.into(),
            value,
            unit: unit.into(),
        });
    }

    /// Records a note for readers of the report.
    pub fn note(&self, text: impl Into<String>) {
        self.state().notes.push(crate::redact::redact(&text.into()));
    }

    /// Records an attached file (path relative to the run directory).
    pub fn attach(&self, path: PathBuf) {
        self.state().attachments.push(path);
    }

    /// Records a load trial's summary.
    pub fn load(&self, summary: wikiharness_record::load::LoadSummary) {
        self.state().load = Some(summary);
    }

    /// Takes everything collected so far.
    pub fn take(&self) -> Collected {
        let mut s = self.state();
        let s = std::mem::take(&mut *s);
        Collected {
            exchanges: s.exchanges.into(),
            requests: s.requests,
            backends: s.backends,
            backend_mismatch: s.backend_mismatch,
            figures: s.figures,
            notes: s.notes,
            attachments: s.attachments,
            load: s.load,
        }
    }
}

/// The first `EXCERPT_CHARS` characters of `body`, redacted.
pub fn excerpt(body: &str) -> String {
    let cut: String = body.chars().take(EXCERPT_CHARS).collect();
    let mut out = crate::redact::redact(&cut);
    if body.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(backend: Option<&str>) -> Exchange {
        Exchange {
            method: "GET".into(),
            url: "http://127.0.0.1/wiki/X".into(),
            status: Some(200),
            elapsed_ms: 1.0,
            backend: backend.map(Into::into),
            excerpt: String::new(),
            symptom: None,
        }
    }

    #[test]
    fn backend_mismatch_is_caught_once() {
        let r = Collector::new();
        let p = Regex::new("^mw-web").unwrap();
        r.exchange(ex(Some("mw-web.local.1")), Some(&p));
        r.exchange(ex(None), Some(&p));
        r.exchange(ex(Some("mw1414")), Some(&p));
        r.exchange(ex(Some("mw1415")), Some(&p));
        let c = r.take();
        assert_eq!(c.requests, 4);
        assert_eq!(c.backends.len(), 3);
        let m = c.backend_mismatch.unwrap();
        assert!(m.contains("`mw1414`") && m.contains("/^mw-web/"), "{m}");
    }

    #[test]
    fn keeps_only_recent_exchanges() {
        let r = Collector::new();
        for _ in 0..(KEEP_EXCHANGES + 5) {
            r.exchange(ex(None), None);
        }
        let c = r.take();
        assert_eq!(c.exchanges.len(), KEEP_EXCHANGES);
        assert_eq!(c.requests, (KEEP_EXCHANGES + 5) as u64);
    }

    #[test]
    fn excerpt_is_cut_and_redacted() {
        let body = format!("{{\"csrftoken\":\"abc\"}}{}", "x".repeat(2000));
        let e = excerpt(&body);
        assert!(e.ends_with('…'));
        assert!(!e.contains("abc"));
        assert!(e.chars().count() <= EXCERPT_CHARS + 20);
    }
}
