//! `index.html`: run metadata, the team × verdict grid, totals, changes, every trial.

use std::collections::{BTreeMap, BTreeSet};

use maud::{Markup, html};
use wikiharness_readiness::{Cause, Verdict};

use super::{filters, in_table_order, page, rules, status_badge, status_slug, svg, verdict_badge};
use crate::ReportInput;

/// One probable cause: what is broken, what it explains, who owns it.
fn cause_block(input: &ReportInput<'_>, c: &Cause) -> Markup {
    let team_link = |name: &str| {
        let slug = input
            .readiness
            .teams
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.slug.clone());
        html! { @match slug { Some(s) => a href={ "team-" (s) ".html" } { (name) }, None => (name) } }
    };
    html! {
        section.cause data-cause=(c.key) {
            p.headline { strong { (c.headline) } }
            p {
                "Explains " (c.trials.len()) " failed trials of "
                @for (i, t) in c.teams.iter().enumerate() { @if i > 0 { ", " } (team_link(t)) }
                ". Owner of the broken component: "
                @if let Some(o) = &c.owner { strong { (team_link(o)) } }
                @else { "not named (add a [[causes]] rule for " code { (c.key) } " to readiness/registry.toml)" }
            }
            details { summary { "Trials" } ul { @for t in &c.trials {
                @let page = input.readiness.feature_of(t).map(|(team, _)| format!("team-{}.html#{}", team.slug, anchor(t)));
                li { @if let Some(p) = &page { a href=(p) { code { (t) } } } @else { code { (t) } } }
            } } }
        }
    }
}

/// The index page.
pub fn index(input: &ReportInput<'_>) -> String {
    let run = input.run;
    let info = &run.info;
    let backends: BTreeSet<&String> = run.trials.iter().flat_map(|t| t.backends.iter()).collect();
    let mut feature_totals: BTreeMap<Verdict, usize> = BTreeMap::new();
    for t in &input.readiness.teams {
        for (v, n) in &t.counts {
            *feature_totals.entry(*v).or_default() += n;
        }
    }
    let teams: BTreeSet<&str> = run.trials.iter().map(|t| t.meta.team.as_str()).collect();
    let suites: BTreeSet<&str> = run.trials.iter().map(|t| t.meta.suite.as_str()).collect();
    let body = html! {
        h1 { "Readiness: " (info.target) }
        p.muted { (info.target_description) }
        @if run.interrupted { p { strong { "This run was interrupted: only the trials that finished are reported." } } }
        nav { a href="#teams" { "Teams" } " · " a href="#changes" { "Changes" } " · " a href="#trials" { "Trials" } " · " a href="#rules" { "Rules" } }
        @if !input.readiness.causes.is_empty() {
            h2 id="causes" { "Probable causes" }
            @for c in &input.readiness.causes { (cause_block(input, c)) }
        }

        h2 id="run" { "Run" }
        table {
            tr { th { "Target" } td { (info.target) " — " code { (info.base_url) } } }
            tr { th { "Serving backends seen" } td { @if backends.is_empty() { "none recorded" } @else { @for b in &backends { code { (b) } " " } } } }
            tr { th { "Started / finished" } td { (info.started_at) " / " (run.finished_at.as_deref().unwrap_or("—")) " (" (format!("{:.1}", run.duration_s)) " s)" } }
            tr { th { "Harness" } td { "wikiharness " (info.harness_version) ", commit " code { (info.git_commit.as_deref().unwrap_or("unknown")) } } }
            tr { th { "Command line" } td { code { (info.command_line.join(" ")) } } }
            tr { th { "Run id" } td { code { (info.run_id) } } }
            @if let Some(b) = &info.baseline { tr { th { "Compared with (baseline)" } td { (b) } } }
            @if let Some(s) = &info.shard { tr { th { "Shard" } td { (s) } } }
            tr { th { "Trials" } td { (run.counts.passed) " passed, " (run.counts.failed) " failed, " (run.counts.skipped) " skipped" } }
            @if let Some(c) = &run.cleanup {
                tr { th { "Clean-up" } td { "deleted " (c.deleted) " of " (c.pages) " pages created by the run"
                    @if let Some(s) = &c.skipped { "; skipped: " (s) }
                    @for f in &c.failures { br; (f) } } }
            }
        }

        h2 id="teams" { "Teams" }
        table {
            thead { tr { th { "Team" } th { "Verdict" } @for v in Verdict::WORST_FIRST { th { (v.label()) } } th { "Last runs" } } }
            tbody {
                @for t in &input.readiness.teams {
                    tr data-verdict=(t.verdict.slug()) {
                        td { a href={ "team-" (t.slug) ".html" } { (t.name) } }
                        td { (verdict_badge(t.verdict)) }
                        @for v in Verdict::WORST_FIRST { td.num { (t.counts.get(&v).copied().unwrap_or(0)) } }
                        td { (svg::trend(&trend_cells(input, &t.name))) }
                    }
                }
                tr {
                    th { "All features" } td {}
                    @for v in Verdict::WORST_FIRST { td.num { strong { (feature_totals.get(&v).copied().unwrap_or(0)) } } }
                    td {}
                }
            }
        }

        h2 id="changes" { "Changes since the previous run" }
        (list("New failures", &input.changes.new_failures))
        (list("Fixed", &input.changes.fixed))
        (list("Flaky (passed and failed on the same code in recent runs)", &input.flaky.iter().cloned().collect::<Vec<_>>()))
        @if !input.readiness.unmapped.is_empty() { (list("Trials no feature lists", &input.readiness.unmapped)) }

        h2 id="trials" { "All trials" }
        (filters(&[
            ("status", "Status", ["failed", "skipped", "passed"].iter().map(|s| (s.to_string(), s.to_string())).collect()),
            ("team", "Team", teams.iter().map(|t| (t.to_string(), t.to_string())).collect()),
            ("suite", "Suite", suites.iter().map(|s| (s.to_string(), s.to_string())).collect()),
        ]))
        table {
            thead { tr { th { "Trial" } th { "Status" } th { "Team" } th { "Feature" } th { "Time" } th { "Message" } } }
            tbody {
                @for t in in_table_order(&input.run.trials, input.readiness) {
                    @let page = input.readiness.teams.iter().find(|x| x.name == t.meta.team).map(|x| format!("team-{}.html#{}", x.slug, anchor(&t.meta.name)));
                    tr data-row="" data-status=(status_slug(t.status)) data-team=(t.meta.team) data-suite=(t.meta.suite) {
                        td { @if let Some(p) = &page { a href=(p) { code { (t.meta.name) } } } @else { code { (t.meta.name) } } }
                        td { (status_badge(t.status)) }
                        td { (t.meta.team) }
                        td { (t.meta.feature) }
                        td.num { (format!("{:.2} s", t.duration_ms / 1000.0)) }
                        td { (t.message.as_deref().map(|m| m.lines().next().unwrap_or("")).unwrap_or("")) }
                    }
                }
            }
        }
        (rules())
    };
    page(&format!("wikiharness readiness — {}", info.target), body)
}

/// The anchor of a trial on its team page.
pub fn anchor(trial: &str) -> String {
    trial.replace("::", "--")
}

fn trend_cells(input: &ReportInput<'_>, team: &str) -> Vec<(String, &'static str, &'static str)> {
    input
        .trend
        .iter()
        .filter_map(|e| {
            e.teams
                .get(team)
                .map(|v| (e.run_id.clone(), v.slug(), v.label()))
        })
        .collect()
}

fn list(title: &str, items: &[String]) -> Markup {
    html! {
        h3 { (title) " (" (items.len()) ")" }
        @if items.is_empty() { p.muted { "none" } }
        @else { ul { @for i in items { li { code { (i) } } } } }
    }
}
