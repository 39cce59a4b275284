//! `wikiharness compare RUN_A RUN_B`: the comparison of two runs printed as
//! text and written as a self-contained HTML page.

use std::path::{Path, PathBuf};

use maud::html;
use wikiharness_readiness::{Comparison, Registry, Tolerance, compare};
use wikiharness_record::{FileError, Status, run_dir};

use crate::html::{page, status_slug, verdict_badge};

/// The file written beside the second run's reports.
pub const FILE: &str = "compare.html";

/// Reads both run directories, compares them, writes `out` (default: the
/// second run's `compare.html`). Returns the comparison and the file.
pub fn compare_dirs(
    registry: &Registry,
    before: &Path,
    after: &Path,
    tolerance: Tolerance,
    out: Option<&Path>,
) -> Result<(Comparison, PathBuf), FileError> {
    let (a, b) = (
        run_dir::read_summary(before)?,
        run_dir::read_summary(after)?,
    );
    let comparison = compare(registry, &a, &b, tolerance);
    let file = out.map_or_else(|| after.join(FILE), Path::to_owned);
    std::fs::write(&file, html(&comparison)).map_err(FileError::io(&file))?;
    Ok((comparison, file))
}

/// A status, or `absent` when the trial is not in that run.
fn status(s: Option<Status>) -> &'static str {
    s.map_or("absent", status_slug)
}

/// One line per change, then the verdict.
pub fn text(c: &Comparison) -> String {
    let mut out = format!(
        "compare {} ({}) -> {} ({}), target `{}`\n",
        c.before.run_id, c.before.started_at, c.after.run_id, c.after.started_at, c.after.target
    );
    for t in &c.trials {
        out.push_str(&format!(
            "  trial {}: {} -> {}{}\n",
            t.name,
            status(t.before),
            status(t.after),
            t.message
                .as_ref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        ));
    }
    for f in &c.features {
        out.push_str(&format!(
            "  feature {} / {}: {} -> {}\n",
            f.team,
            f.feature,
            f.before.label(),
            f.after.label()
        ));
    }
    for l in &c.latencies {
        out.push_str(&format!(
            "  latency {} {}: {:.0} ms -> {:.0} ms\n",
            l.trial, l.figure, l.before_ms, l.after_ms
        ));
    }
    if !c.backends_gone.is_empty() || !c.backends_new.is_empty() {
        out.push_str(&format!(
            "  backends: gone {:?}, new {:?}\n",
            c.backends_gone, c.backends_new
        ));
    }
    out.push_str(if c.worse() {
        "the second run is worse\n"
    } else if c.unchanged() {
        "no change\n"
    } else {
        "changed, not worse\n"
    });
    out
}

/// The comparison as a page.
pub fn html(c: &Comparison) -> String {
    let title = format!("Compare {} → {}", c.before.run_id, c.after.run_id);
    page(
        &title,
        html! {
            h1 { (title) }
            p {
                "Target " code { (c.after.target) } ". "
                @if c.worse() { strong { "The second run is worse." } }
                @else if c.unchanged() { "No change." }
                @else { "Changed, not worse." }
                " Latency figures count when they move by more than "
                (format!("{:.0}% and {:.0} ms", c.tolerance.share * 100.0, c.tolerance.floor_ms)) "."
            }
            h2 { "Trials whose status changed (" (c.trials.len()) ")" }
            table {
                tr { th { "trial" } th { "before" } th { "after" } th { "message" } }
                @for t in &c.trials {
                    tr { td { code { (t.name) } } td { (status(t.before)) } td { (status(t.after)) } td { (t.message.as_deref().unwrap_or("")) } }
                }
            }
            h2 { "Features whose verdict changed (" (c.features.len()) ")" }
            table {
                tr { th { "team" } th { "feature" } th { "before" } th { "after" } }
                @for f in &c.features {
                    tr { td { (f.team) } td { (f.feature) } td { (verdict_badge(f.before)) } td { (verdict_badge(f.after)) } }
                }
            }
            h2 { "Latency figures that moved (" (c.latencies.len()) ")" }
            table {
                tr { th { "trial" } th { "figure" } th { "before ms" } th { "after ms" } }
                @for l in &c.latencies {
                    tr { td { code { (l.trial) } } td { (l.figure) } td.num { (format!("{:.0}", l.before_ms)) } td.num { (format!("{:.0}", l.after_ms)) } }
                }
            }
            h2 { "Serving backends" }
            p { "Only before: " (c.backends_gone.join(", ")) }
            p { "Only after: " (c.backends_new.join(", ")) }
        },
    )
}
