//! `--shard K/N`: a deterministic, balanced share of the trials. With run
//! history, trials are spread by their last recorded durations (longest
//! first, each to the shard with the least work so far); without, by name.
//! Every trial lands in exactly one shard — except load trials, which every
//! shard runs, so that N workers together make the load; their histograms are
//! merged before thresholds are judged.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::SetupError;

/// The shard (1-based) of each name, in the order given.
pub fn assign(names: &[String], durations: &BTreeMap<String, f64>, count: usize) -> Vec<usize> {
    let known: Vec<f64> = names
        .iter()
        .filter_map(|n| durations.get(n).copied())
        .collect();
    if known.is_empty() {
        let mut sorted: Vec<&String> = names.iter().collect();
        sorted.sort();
        let place: BTreeMap<&String, usize> = sorted
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, i % count + 1))
            .collect();
        return names.iter().map(|n| place[n]).collect();
    }
    let mut sorted_known = known.clone();
    sorted_known.sort_by(f64::total_cmp);
    let typical = sorted_known[sorted_known.len() / 2];
    let mut order: Vec<(f64, &String)> = names
        .iter()
        .map(|n| (durations.get(n).copied().unwrap_or(typical), n))
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut load = vec![0.0_f64; count];
    let mut place = BTreeMap::new();
    for (d, n) in order {
        let (i, _) = load
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1).then(a.0.cmp(&b.0)))
            .expect("count >= 1");
        load[i] += d;
        place.insert(n, i + 1);
    }
    names.iter().map(|n| place[n]).collect()
}

/// The last recorded duration of each trial, from `history.jsonl` in the
/// report root (missing or unreadable: none).
pub fn durations(report_root: &Path) -> Result<BTreeMap<String, f64>, SetupError> {
    let path = report_root.join("history.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
            && let Some(m) = v.get("durations_ms").and_then(|d| d.as_object())
        {
            for (k, d) in m {
                if let Some(d) = d.as_f64() {
                    out.insert(k.clone(), d);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("suite::t{i:02}")).collect()
    }

    #[test]
    fn every_trial_in_exactly_one_shard_by_name() {
        let n = names(10);
        let a = assign(&n, &BTreeMap::new(), 3);
        for k in 1..=3 {
            let count = a.iter().filter(|s| **s == k).count();
            assert!((3..=4).contains(&count), "shard {k} has {count}");
        }
        assert_eq!(a, assign(&n, &BTreeMap::new(), 3), "deterministic");
    }

    #[test]
    fn durations_balance_the_work() {
        let n = names(6);
        let d: BTreeMap<String, f64> = n
            .iter()
            .cloned()
            .zip([60.0, 10.0, 10.0, 10.0, 10.0, 10.0])
            .collect();
        let a = assign(&n, &d, 2);
        assert_eq!(a[0], 1, "the long trial gets a shard...");
        assert!(
            a[1..].iter().all(|s| *s == 2),
            "...and the short ones share the other: {a:?}"
        );
    }

    #[test]
    fn history_durations_are_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("history.jsonl"),
            "{\"durations_ms\":{\"a\":5.0}}\nnot json\n{\"durations_ms\":{\"a\":7.0,\"b\":1.0}}\n",
        )
        .unwrap();
        let d = durations(dir.path()).unwrap();
        assert_eq!(d.get("a"), Some(&7.0));
        assert_eq!(d.len(), 2);
    }
}
