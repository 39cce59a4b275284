//! Comparing a candidate's answer with the baseline's, with noise cancellation.

use std::collections::BTreeSet;

use similar::TextDiff;

use super::canonical::Snapshot;

/// The outcome of one probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeDiff {
    /// Paths that differed between two fetches of the baseline (ignored).
    pub volatile: BTreeSet<String>,
    /// Paths that differ between baseline and candidate (volatile ones excluded).
    pub differing: BTreeSet<String>,
    /// A unified diff of the normalised answers (empty when equal).
    pub diff: String,
}

/// Compares `candidate` with `baseline`; `baseline_again` is a second fetch of
/// the baseline whose differences from the first mark volatile paths.
pub fn compare(
    baseline: &Snapshot,
    baseline_again: &Snapshot,
    candidate: &Snapshot,
    labels: (&str, &str),
) -> ProbeDiff {
    let volatile = baseline.differing_paths(baseline_again);
    let differing: BTreeSet<String> = baseline
        .differing_paths(candidate)
        .difference(&volatile)
        .cloned()
        .collect();
    let diff = if differing.is_empty() {
        String::new()
    } else {
        let (a, b) = (baseline.lines(&volatile), candidate.lines(&volatile));
        TextDiff::from_lines(&a, &b)
            .unified_diff()
            .context_radius(2)
            .header(labels.0, labels.1)
            .to_string()
    };
    ProbeDiff {
        volatile,
        differing,
        diff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Rules;

    fn snap(body: &str) -> Snapshot {
        Snapshot::of(
            200,
            &[],
            "application/json",
            body,
            &Rules {
                json_ignore: vec![],
                rules: vec![],
            },
            &["h"],
        )
    }

    #[test]
    fn baseline_noise_is_ignored_and_reported() {
        let a = snap(r#"{"t":"10:00:01","name":"Wiki","n":1}"#);
        let a2 = snap(r#"{"t":"10:00:02","name":"Wiki","n":1}"#);
        let c = snap(r#"{"t":"10:00:03","name":"Other wiki","n":1}"#);
        let d = compare(&a, &a2, &c, ("baseline", "candidate"));
        assert_eq!(d.volatile, ["body.t".to_string()].into());
        assert_eq!(d.differing, ["body.name".to_string()].into());
        assert!(
            d.diff.contains("-body.name = \"Wiki\"")
                && d.diff.contains("+body.name = \"Other wiki\""),
            "{}",
            d.diff
        );
        assert!(
            !d.diff.contains("body.t"),
            "volatile fields stay out of the diff"
        );
    }

    #[test]
    fn equal_answers_have_no_diff() {
        let a = snap(r#"{"x":1}"#);
        let d = compare(&a, &a, &a, ("b", "c"));
        assert!(d.differing.is_empty() && d.diff.is_empty());
    }
}
