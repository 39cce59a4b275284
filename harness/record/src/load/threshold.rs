//! k6-style thresholds: `p95 < 500ms`, `p99 < 1.5s`, `error_rate < 1%`,
//! `rps > 20`, optionally for one endpoint: `api siteinfo: p95 < 200ms`.
//! Latency metrics: `p50 p90 p95 p99 max mean` (as measured) and the same with
//! a `co_` prefix (corrected for coordinated omission).

use serde::{Deserialize, Serialize};

use super::stats::{EndpointSummary, LoadSummary, Percentiles};

/// A parsed rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// The rule as written.
    pub rule: String,
    /// Endpoint it applies to (`None` = the scenario total).
    pub endpoint: Option<String>,
    metric: String,
    op: String,
    /// Limit in the metric's base unit (ms, fraction, req/s).
    limit: f64,
}

/// A rule judged against observed figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdResult {
    /// The rule as written.
    pub rule: String,
    /// The observed value, in the rule's base unit.
    pub observed: f64,
    /// `ms`, `%` or `req/s`.
    pub unit: String,
    /// Whether it held.
    pub passed: bool,
    /// The limit, in the rule's base unit (absent in older records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    /// Whether the limit is an upper bound (`<`, `<=`).
    #[serde(default)]
    pub upper: bool,
}

impl ThresholdResult {
    /// Whether the observed value used more than `share` of the room the
    /// limit allows: `p95 < 500ms` observed at 450 ms is near at 0.8;
    /// `rps > 20` is near below 25 req/s. False without a known limit.
    pub fn near_limit(&self, share: f64) -> bool {
        match self.limit {
            Some(limit) if limit > 0.0 && self.upper => self.observed >= share * limit,
            Some(limit) if limit > 0.0 => self.observed <= limit / share,
            _ => false,
        }
    }
}

impl std::fmt::Display for ThresholdResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = if self.unit == "%" {
            self.observed * 100.0
        } else {
            self.observed
        };
        write!(
            f,
            "`{}`: observed {shown:.1} {} ({})",
            self.rule,
            self.unit,
            if self.passed { "met" } else { "VIOLATED" }
        )
    }
}

impl Threshold {
    /// Parses a rule; the error says what is wrong with it.
    pub fn parse(rule: &str) -> Result<Self, String> {
        let (endpoint, expr) = match rule.rsplit_once(':') {
            Some((e, x)) => (Some(e.trim().to_owned()), x.trim()),
            None => (None, rule.trim()),
        };
        let op_at = expr
            .find(['<', '>'])
            .ok_or_else(|| format!("`{rule}`: no comparison (< <= > >=)"))?;
        let metric = expr[..op_at].trim().to_owned();
        let rest = &expr[op_at..];
        let op = if rest.starts_with("<=") || rest.starts_with(">=") {
            &rest[..2]
        } else {
            &rest[..1]
        };
        let value = rest[op.len()..].trim();
        let latency = ["p50", "p90", "p95", "p99", "max", "mean"];
        let base = metric.strip_prefix("co_").unwrap_or(&metric);
        let limit = if latency.contains(&base) {
            parse_duration_ms(value).ok_or_else(|| {
                format!("`{rule}`: `{value}` is not a duration (e.g. 500ms, 1.5s)")
            })?
        } else if metric == "error_rate" {
            match value.strip_suffix('%') {
                Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
                None => value.parse::<f64>(),
            }
            .map_err(|_| format!("`{rule}`: `{value}` is not a rate (e.g. 1% or 0.01)"))?
        } else if metric == "rps" {
            value
                .parse::<f64>()
                .map_err(|_| format!("`{rule}`: `{value}` is not a number"))?
        } else {
            return Err(format!(
                "`{rule}`: unknown metric `{metric}` (p50 p90 p95 p99 max mean, co_p95..., error_rate, rps)"
            ));
        };
        Ok(Threshold {
            rule: rule.trim().to_owned(),
            endpoint,
            metric,
            op: op.to_owned(),
            limit,
        })
    }

    /// Judges the rule on a summary; `None` if its endpoint is not in it.
    pub fn judge(&self, summary: &LoadSummary) -> Option<ThresholdResult> {
        let figures: &EndpointSummary = match &self.endpoint {
            None => &summary.total,
            Some(e) => summary.endpoints.iter().find(|x| &x.endpoint == e)?,
        };
        let pick = |p: &Percentiles, m: &str| match m {
            "p50" => p.p50,
            "p90" => p.p90,
            "p95" => p.p95,
            "p99" => p.p99,
            "max" => p.max,
            _ => p.mean,
        };
        let (observed, unit) = match self.metric.as_str() {
            "error_rate" => (figures.error_rate, "%"),
            "rps" => (figures.throughput_rps, "req/s"),
            m => match m.strip_prefix("co_") {
                Some(base) => (pick(&figures.corrected, base), "ms"),
                None => (pick(&figures.raw, m), "ms"),
            },
        };
        let passed = match self.op.as_str() {
            "<" => observed < self.limit,
            "<=" => observed <= self.limit,
            ">" => observed > self.limit,
            _ => observed >= self.limit,
        };
        Some(ThresholdResult {
            rule: self.rule.clone(),
            observed,
            unit: unit.into(),
            passed,
            limit: Some(self.limit),
            upper: self.op.starts_with('<'),
        })
    }
}

fn parse_duration_ms(v: &str) -> Option<f64> {
    let v = v.trim();
    if let Some(ms) = v.strip_suffix("ms") {
        return ms.trim().parse().ok();
    }
    if let Some(us) = v.strip_suffix("us").or_else(|| v.strip_suffix("µs")) {
        return us.trim().parse::<f64>().ok().map(|x| x / 1000.0);
    }
    if let Some(s) = v.strip_suffix('s') {
        return s.trim().parse::<f64>().ok().map(|x| x * 1000.0);
    }
    v.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::stats::EndpointRecorder;

    fn summary(latencies_us: &[u64], errors: usize) -> LoadSummary {
        let r = EndpointRecorder::default();
        for (i, l) in latencies_us.iter().enumerate() {
            r.record(*l, Some(200), None, i < errors, None);
        }
        let total = r.summary("total", 10.0);
        LoadSummary {
            scenario: "s".into(),
            users: 1,
            max_rps: None,
            endpoints: vec![r.summary("page view", 10.0)],
            total,
            thresholds: vec![],
        }
    }

    #[test]
    fn parses_k6_style_rules() {
        for (rule, ok) in [
            ("p95 < 500ms", true),
            ("p99<1.5s", true),
            ("error_rate < 1%", true),
            ("error_rate <= 0.02", true),
            ("rps > 20", true),
            ("page view: co_p95 < 800ms", true),
            ("p95 = 5", false),
            ("p42 < 5ms", false),
            ("p95 < fast", false),
        ] {
            assert_eq!(
                Threshold::parse(rule).is_ok(),
                ok,
                "{rule}: {:?}",
                Threshold::parse(rule)
            );
        }
        assert_eq!(Threshold::parse("p99<1.5s").unwrap().limit, 1500.0);
        assert_eq!(Threshold::parse("error_rate < 1%").unwrap().limit, 0.01);
    }

    #[test]
    fn judged_with_observed_values() {
        let s = summary(&[100_000; 100], 0);
        let r = Threshold::parse("p95 < 50ms").unwrap().judge(&s).unwrap();
        assert!(!r.passed);
        assert!((r.observed - 100.0).abs() < 0.2);
        assert!(
            r.to_string().contains("observed 100.0 ms (VIOLATED)"),
            "{r}"
        );
        assert!(
            Threshold::parse("p95 < 150ms")
                .unwrap()
                .judge(&s)
                .unwrap()
                .passed
        );

        let s = summary(&[1_000; 100], 5);
        let r = Threshold::parse("error_rate < 1%")
            .unwrap()
            .judge(&s)
            .unwrap();
        assert!(!r.passed && r.to_string().contains("observed 5.0 %"), "{r}");
        assert!(
            Threshold::parse("rps >= 10")
                .unwrap()
                .judge(&s)
                .unwrap()
                .passed
        );
        assert!(
            Threshold::parse("page view: p50 < 2ms")
                .unwrap()
                .judge(&s)
                .unwrap()
                .passed
        );
        assert!(
            Threshold::parse("nope: p50 < 2ms")
                .unwrap()
                .judge(&s)
                .is_none()
        );
    }

    #[test]
    fn a_summary_judged_says_its_violations_as_data_and_as_a_failure() {
        let mut s = summary(&[100_000; 100], 0);
        let rules = ["p95 < 50ms", "error_rate < 1%"].map(|r| Threshold::parse(r).unwrap());
        s.judge(&rules);
        let violated: Vec<&str> = s.violations().map(|r| r.rule.as_str()).collect();
        assert_eq!(violated, ["p95 < 50ms"]);
        let failure = s.threshold_failure().unwrap();
        assert!(
            failure.starts_with("thresholds violated: `p95 < 50ms`: observed 100.0 ms"),
            "{failure}"
        );
        assert_eq!(s.rules(), rules, "rules parse back from their verdicts");
        s.judge(&rules[1..]);
        assert!(s.threshold_failure().is_none() && s.violations().next().is_none());
    }

    #[test]
    fn near_limit_measures_the_room_used() {
        let s = summary(&[450_000; 100], 0);
        let judged = |rule: &str| Threshold::parse(rule).unwrap().judge(&s).unwrap();
        assert!(judged("p95 < 500ms").near_limit(0.8), "450 of 500 ms");
        assert!(!judged("p95 < 1s").near_limit(0.8), "450 of 1000 ms");
        assert!(!judged("error_rate < 1%").near_limit(0.8), "no errors");
        let rps = judged("rps > 1");
        assert!(rps.passed);
        assert_eq!(rps.near_limit(0.8), rps.observed <= 1.25, "{rps}");
        let mut old = judged("p95 < 500ms");
        old.limit = None;
        assert!(!old.near_limit(0.8), "older records carry no limit");
    }
}
