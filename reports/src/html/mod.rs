//! The HTML report: self-contained pages (inline CSS, SVG and a small filter
//! script; no external fonts, scripts or images), readable without JavaScript
//! and printable.

mod index;
mod svg;
mod team;

use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::collections::BTreeSet;

use wikiharness_readiness::{Readiness, Verdict};
use wikiharness_record::{Status, TrialRecord};

pub use index::index;
pub use team::team;

const CSS: &str = r#"
:root { --ready:#1a7f37; --not-run:#57606a; --not-tested:#6e7781; --not-covered:#8250df; --at-risk:#bf8700; --not-ready:#cf222e; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1400px; padding: 1rem 1.5rem; color: #1f2328; }
h1 { font-size: 1.6rem; margin: .2rem 0 .6rem; } h2 { font-size: 1.25rem; margin-top: 1.8rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; } th, td { border: 1px solid #d0d7de; padding: .3rem .45rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
td code { overflow-wrap: anywhere; }
.wide { overflow-x: auto; } table.features { font-size: .85rem; } table.features td:first-child { min-width: 7rem; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; color: #fff; font-weight: 600; font-size: .85rem; white-space: nowrap; }
.v-ready { background: var(--ready); } .v-not-run { background: var(--not-run); } .v-not-tested { background: var(--not-tested); } .v-not-covered { background: var(--not-covered); }
.v-at-risk { background: var(--at-risk); } .v-not-ready { background: var(--not-ready); }
.cause { border-left: 4px solid var(--not-ready); background: #fff5f5; padding: .2rem .8rem; margin: .6rem 0; } .cause p { margin: .3rem 0; }
.s-passed { background: var(--ready); } .s-failed { background: var(--not-ready); } .s-skipped { background: var(--not-tested); }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: .4rem; margin: .2rem 0; font-size: .8rem; max-height: 18rem; overflow: auto; }
details { border: 1px solid #d0d7de; border-radius: 6px; padding: .3rem .6rem; margin: .4rem 0; } summary { cursor: pointer; }
.filters { margin: .5rem 0; display: flex; gap: 1rem; flex-wrap: wrap; } .muted { color: #59636e; } .reasons { margin: 0; padding-left: 1.1rem; }
.trend span { display: inline-block; width: .9rem; height: .9rem; margin-right: 2px; border-radius: 2px; }
img.shot { max-width: 100%; border: 1px solid #d0d7de; }
@media print { .filters, nav { display: none; } details { break-inside: avoid; } details > * { display: block; } a { color: inherit; text-decoration: none; } body { max-width: none; } }
"#;

/// Filters rows that carry `data-row` by the `select[data-filter]` values.
const FILTER_JS: &str = r#"
(function () {
  var selects = document.querySelectorAll('select[data-filter]');
  function apply() {
    var want = {};
    selects.forEach(function (s) { if (s.value) { want[s.getAttribute('data-filter')] = s.value; } });
    document.querySelectorAll('[data-row]').forEach(function (row) {
      var show = Object.keys(want).every(function (k) { return row.getAttribute('data-' + k) === want[k]; });
      row.hidden = !show;
    });
  }
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  document.querySelectorAll('.filters').forEach(function (f) { f.hidden = false; });
}());
"#;

/// A whole page around `body`.
pub(crate) fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                (body)
                script { (PreEscaped(FILTER_JS)) }
            }
        }
    }
    .into_string()
}

/// One filter control: the `data-` key it filters on, its label, and its
/// options as (value, text).
type Filter<'a> = (&'a str, &'a str, Vec<(String, String)>);

/// Filter controls (hidden until the script shows them, so the page reads without JS).
fn filters(controls: &[Filter<'_>]) -> Markup {
    html! {
        div.filters hidden {
            @for (key, label, options) in controls {
                label {
                    (label) " "
                    select data-filter=(key) {
                        option value="" { "all" }
                        @for (value, text) in options { option value=(value) { (text) } }
                    }
                }
            }
        }
    }
}

/// `trials` in table order: failures, then passes with evidence of risk, then
/// passes, then skips; the run's order within each.
fn in_table_order<'a>(
    trials: impl IntoIterator<Item = &'a TrialRecord>,
    readiness: &Readiness,
) -> Vec<&'a TrialRecord> {
    let risky: BTreeSet<&str> = readiness
        .teams
        .iter()
        .flat_map(|t| &t.features)
        .flat_map(|f| f.risky.iter().map(String::as_str))
        .collect();
    let mut v: Vec<&TrialRecord> = trials.into_iter().collect();
    v.sort_by_key(|t| match t.status {
        Status::Failed => 0,
        Status::Passed if risky.contains(t.meta.name.as_str()) => 1,
        Status::Passed => 2,
        Status::Skipped => 3,
    });
    v
}

pub(crate) fn verdict_badge(v: Verdict) -> Markup {
    html! { span class={ "badge v-" (v.slug()) } { (v.label()) } }
}

fn status_badge(s: Status) -> Markup {
    let (class, text) = match s {
        Status::Passed => ("s-passed", "passed"),
        Status::Failed => ("s-failed", "failed"),
        Status::Skipped => ("s-skipped", "skipped"),
    };
    html! { span class={ "badge " (class) } { (text) } }
}

pub(crate) fn status_slug(s: Status) -> &'static str {
    match s {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
    }
}

fn rules() -> Markup {
    html! {
        h2 id="rules" { "How verdicts are decided" }
        dl {
            @for (verdict, rule) in wikiharness_readiness::RULES {
                dt { strong { (verdict) } }
                dd { (rule) }
            }
        }
    }
}
