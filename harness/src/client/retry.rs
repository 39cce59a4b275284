//! When to retry: HTTP 429/503 with `Retry-After`, API `maxlag` and `ratelimited`.
//! Transport errors are never retried: a wiki that stops answering must fail
//! the trial, not be papered over.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Bounded retries with back-off.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Longest single wait, whatever `Retry-After` asks.
    pub max_wait: Duration,
    /// First back-off when the server names no wait; doubles per attempt.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            max_wait: Duration::from_secs(30),
            backoff: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (attempt counts from 1), from
    /// `Retry-After` when the server gave one.
    pub fn wait(&self, attempt: u32, headers: &HeaderMap) -> Duration {
        let exp = self
            .backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(10));
        retry_after(headers).unwrap_or(exp).min(self.max_wait)
    }
}

/// `Retry-After` in seconds (the HTTP-date form is treated as absent).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_wins_and_is_capped() {
        let p = RetryPolicy {
            max_wait: Duration::from_secs(10),
            ..Default::default()
        };
        let mut h = HeaderMap::new();
        assert_eq!(p.wait(1, &h), Duration::from_secs(1));
        assert_eq!(p.wait(3, &h), Duration::from_secs(4));
        h.insert(RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(p.wait(1, &h), Duration::from_secs(3));
        h.insert(RETRY_AFTER, "3600".parse().unwrap());
        assert_eq!(p.wait(1, &h), Duration::from_secs(10));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(p.wait(2, &h), Duration::from_secs(2));
    }
}
