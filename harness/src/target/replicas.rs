//! `replicas`: how many serving backends the front end of a target balances
//! over, how to tell them apart, and how the balancing trial reads them.

use regex::Regex;

use super::raw::RawReplicas;

/// Reads the balancing trial sends when the target does not say.
const DEFAULT_READS: u32 = 60;

/// How many replicas must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaCount {
    /// Exactly this many (a fixed set, like the embedded wiki's php-fpm
    /// masters); one that stops answering is reported gone.
    Exactly(usize),
    /// At least this many (a production Service whose pods come and go).
    AtLeast(usize),
}

impl ReplicaCount {
    /// The number of replicas named.
    pub fn number(self) -> usize {
        match self {
            ReplicaCount::Exactly(n) | ReplicaCount::AtLeast(n) => n,
        }
    }
}

/// The replicas behind a target's front end.
#[derive(Debug, Clone)]
pub struct Replicas {
    /// How many must answer.
    pub count: ReplicaCount,
    /// Which part of a serving-backend name (`servedby`) names the replica:
    /// the first group of this regex; the whole name when `None` (a pod name
    /// is one replica; the embedded wiki's `mw-web-2.local.<pid>` is the pid
    /// of one of replica 2's children, so its regex keeps `mw-web-2`).
    pub identity: Option<Regex>,
    /// Reads in the trial's stream.
    pub reads: u32,
    /// Reads of the stream that may fail (while a replica drains) before the
    /// trial fails.
    pub failures_allowed: u32,
}

impl Replicas {
    /// The replica a serving-backend name belongs to, if the identity regex
    /// matches it.
    pub fn replica_of(&self, backend: &str) -> Option<String> {
        match &self.identity {
            None => Some(backend.to_owned()),
            Some(re) => re
                .captures(backend)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().to_owned()),
        }
    }
}

/// Validates the table; errors are `(field, message)` below `replicas`.
pub(super) fn parse(raw: RawReplicas) -> Result<Replicas, (&'static str, String)> {
    let count = match (raw.count, raw.min) {
        (Some(n), None) => ReplicaCount::Exactly(n),
        (None, Some(n)) => ReplicaCount::AtLeast(n),
        (Some(_), Some(_)) => {
            return Err(("count", "give `count` or `min`, not both".into()));
        }
        (None, None) => {
            return Err((
                "count",
                "missing: `count` (exactly) or `min` (at least)".into(),
            ));
        }
    };
    if count.number() == 0 {
        return Err(("count", "must be at least 1".into()));
    }
    let identity = raw
        .identity
        .map(|p| {
            let re = Regex::new(&p).map_err(|e| ("identity", format!("bad regex: {e}")))?;
            if re.captures_len() < 2 {
                return Err((
                    "identity",
                    format!("`{p}` has no group: its first group names the replica"),
                ));
            }
            Ok(re)
        })
        .transpose()?;
    let reads = raw.reads.unwrap_or(DEFAULT_READS);
    let least = 10 * count.number() as u32;
    if !(least..=10_000).contains(&reads) {
        return Err((
            "reads",
            format!("{reads} is not between {least} (10 per replica) and 10000"),
        ));
    }
    let failures_allowed = raw.failures_allowed.unwrap_or(0);
    if failures_allowed >= reads {
        return Err((
            "failures_allowed",
            format!("{failures_allowed} is not below reads ({reads})"),
        ));
    }
    Ok(Replicas {
        count,
        identity,
        reads,
        failures_allowed,
    })
}
