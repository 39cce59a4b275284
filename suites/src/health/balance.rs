//! Load balancing: a stream of reads through the target's front end, tallied
//! by the replica that served each one (`servedby`), judged against the
//! target's `replicas`: every replica expected answers, none stopped
//! answering part-way (gone: drained or dead), and no more reads failed than
//! the target allows.

use std::collections::BTreeMap;

use wikiharness_harness::target::{ReplicaCount, Replicas};
use wikiharness_harness::{TrialCx, TrialError, TrialOutcome};

/// Distinct failures quoted in a message.
const QUOTED_FAILURES: usize = 3;

/// One read of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// Answered by this replica.
    Served(String),
    /// Answered, but by a backend the identity regex does not name (or none).
    Unnamed(Option<String>),
    /// Not answered: the error.
    Failed(String),
}

/// What one replica served of the stream.
#[derive(Debug, Clone, Copy)]
pub struct Served {
    /// Reads it answered.
    pub reads: u32,
    /// Index of the last one.
    pub last: usize,
}

/// Reads, tallied.
#[derive(Debug, Default)]
pub struct Spread {
    /// Per replica, what it served.
    pub replicas: BTreeMap<String, Served>,
    /// Failed reads (index, error).
    pub failed: Vec<(usize, String)>,
    /// Answers no replica is named in.
    pub unnamed: Vec<Option<String>>,
    /// Reads in all.
    pub reads: usize,
}

impl Spread {
    /// Tallies a stream in the order it was read.
    pub fn of(reads: &[Read]) -> Self {
        let mut s = Spread {
            reads: reads.len(),
            ..Spread::default()
        };
        for (i, read) in reads.iter().enumerate() {
            match read {
                Read::Served(r) => {
                    let served = s
                        .replicas
                        .entry(r.clone())
                        .or_insert(Served { reads: 0, last: i });
                    served.reads += 1;
                    served.last = i;
                }
                Read::Unnamed(b) => s.unnamed.push(b.clone()),
                Read::Failed(e) => s.failed.push((i, e.clone())),
            }
        }
        s
    }

    /// `mw-web-1 30 (50%), mw-web-2 30 (50%)`.
    pub fn summary(&self) -> String {
        let answered: u32 = self.replicas.values().map(|s| s.reads).sum();
        self.replicas
            .iter()
            .map(|(name, s)| {
                format!(
                    "{name} {} ({:.0}%)",
                    s.reads,
                    100.0 * f64::from(s.reads) / f64::from(answered.max(1))
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Replicas that answered, then none of the last reads: the last quarter
    /// of the stream, and at least ten reads per expected replica. A front end
    /// that takes replicas in turn (or at random) gives each one several of
    /// those even when other clients' requests interleave with the stream:
    /// with two replicas, 20 reads all missing one by chance has odds of
    /// about 1 in 500 000.
    pub fn gone(&self, expected: usize) -> Vec<(&str, Served)> {
        let tail = (self.reads / 4).max(10 * expected).min(self.reads);
        let tail_start = self.reads - tail;
        self.replicas
            .iter()
            .filter(|(_, s)| s.last < tail_start)
            .map(|(name, s)| (name.as_str(), *s))
            .collect()
    }

    /// What is wrong against `replicas`; empty when nothing is.
    pub fn problems(&self, replicas: &Replicas) -> Vec<String> {
        let mut wrong = Vec::new();
        let seen = self.replicas.len();
        let reads = self.reads;
        match replicas.count {
            ReplicaCount::Exactly(n) => {
                for (name, served) in self.gone(n) {
                    wrong.push(format!(
                        "{name} is gone: it served {} reads, the last one read {} of {reads}, then none",
                        served.reads,
                        served.last + 1
                    ));
                }
                if seen != n {
                    wrong.push(format!("{seen} replicas answered, the target has {n}"));
                }
            }
            ReplicaCount::AtLeast(n) if seen < n => {
                wrong.push(format!(
                    "{seen} replicas answered, the target expects at least {n}"
                ));
            }
            ReplicaCount::AtLeast(_) => {}
        }
        let failed = self.failed.len();
        if failed > replicas.failures_allowed as usize {
            let mut quoted: Vec<&str> = Vec::new();
            for (_, e) in &self.failed {
                if !quoted.contains(&e.as_str()) && quoted.len() < QUOTED_FAILURES {
                    quoted.push(e);
                }
            }
            wrong.push(format!(
                "{failed} of {reads} reads failed (allowance {}), first at read {}: {}",
                replicas.failures_allowed,
                self.failed[0].0 + 1,
                quoted.join("; ")
            ));
        }
        if let Some(first) = self.unnamed.first() {
            wrong.push(format!(
                "{} answers name no replica (e.g. servedby {}): the target's replicas.identity does not match",
                self.unnamed.len(),
                first.as_deref().map_or("missing".into(), |b| format!("`{b}`"))
            ));
        }
        wrong
    }
}

/// Sends the target's `replicas.reads` reads one after the other (siteinfo,
/// which names its `servedby`) and judges how they spread.
pub async fn reads_reach_every_replica(cx: TrialCx) -> TrialOutcome {
    let target = cx.target();
    let Some(replicas) = target.replicas.clone() else {
        return Err(TrialError::skip(format!(
            "target `{}` names no replicas (replicas in {})",
            target.name,
            target.file.display()
        )));
    };
    let session = cx.session()?;
    let mut reads = Vec::with_capacity(replicas.reads as usize);
    for _ in 0..replicas.reads {
        let answer = session
            .api_get(&[("action", "query"), ("meta", "siteinfo")])
            .await;
        reads.push(match answer {
            Ok(v) => {
                let backend = v["servedby"].as_str();
                match backend.and_then(|b| replicas.replica_of(b)) {
                    Some(replica) => Read::Served(replica),
                    None => Read::Unnamed(backend.map(str::to_owned)),
                }
            }
            Err(e) => Read::Failed(e.to_string()),
        });
    }
    let spread = Spread::of(&reads);
    cx.figure("replicas answering", spread.replicas.len() as f64, "");
    cx.figure("reads failed", spread.failed.len() as f64, "");
    cx.note(format!(
        "{} reads: {}; {} failed",
        spread.reads,
        spread.summary(),
        spread.failed.len()
    ));
    let wrong = spread.problems(&replicas);
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(TrialError::fail(format!(
            "{} (spread: {})",
            wrong.join("; "),
            spread.summary()
        )))
    }
}
