//! `team-<slug>.html`: the team's features in the readiness template's
//! columns, then every covering trial with its evidence.

use base64::Engine;
use maud::{Markup, PreEscaped, html};
use wikiharness_readiness::{TeamReadiness, Verdict};
use wikiharness_record::{Status, TrialRecord};

use super::index::anchor;
use super::{filters, in_table_order, page, rules, status_badge, status_slug, svg, verdict_badge};
use crate::ReportInput;

/// A team's page.
pub fn team(input: &ReportInput<'_>, team: &TeamReadiness) -> String {
    let trials = in_table_order(
        team.features
            .iter()
            .flat_map(|f| f.results.iter())
            .filter_map(|name| input.run.trials.iter().find(|t| &t.meta.name == name)),
        input.readiness,
    );
    let body = html! {
        nav { a href="index.html" { "← All teams" } }
        h1 { (team.name) " " (verdict_badge(team.verdict)) }
        p.muted { "Target " code { (input.run.info.target) } ", run " code { (input.run.info.run_id) } @if !team.contact.is_empty() { ", contact " (team.contact) } }
        p { @for v in Verdict::WORST_FIRST { @if let Some(n) = team.counts.get(&v) { (verdict_badge(v)) " " (n) "  " } } }

        h2 { "Features" }
        (filters(&[("verdict", "Verdict", Verdict::WORST_FIRST.iter().map(|v| (v.slug().to_owned(), v.label().to_owned())).collect())]))
        div.wide { table.features {
            thead { tr {
                th { "Feature" } th { "Verdict and why" } th { "Need testing?" } th { "What are the risks?" } th { "Dependencies" }
                th { "Existing regression or smoke testing strategy" } th { "Does it cover the dependencies?" }
                th { "Can it be tested on test2wiki?" } th { "Feasible to make it testable?" } th { "Notes and links" } th { "Trials" }
            } }
            tbody {
                @for f in &team.features {
                    @let d = &f.feature.dependencies;
                    tr data-row="" data-verdict=(f.verdict.slug()) id=(format!("feature-{}", wikiharness_readiness::verdict::slug(&f.feature.name))) {
                        td { strong { (f.feature.name) } }
                        td { (verdict_badge(f.verdict)) ul.reasons { @for r in &f.reasons { li { (r) } } } }
                        td { (f.feature.need_testing) }
                        td { (f.feature.risks) }
                        td { ul.reasons {
                            li { "External services: " (d.external_services) }
                            li { "Back-end processing: " (d.backend_processing) }
                            li { "External binaries: " (d.external_binaries) }
                            li { "Filesystem: " (d.filesystem) }
                        } }
                        td { (f.feature.existing_testing) }
                        td { (f.feature.covers_dependencies) }
                        td { (f.feature.testable_on_test2) }
                        td { (f.feature.feasible_to_make_testable) }
                        td { (f.feature.notes) @for l in &f.feature.links { br; a href=(l) { (l) } } }
                        td { @for n in &f.results { a href={ "#" (anchor(n)) } { code { (n) } } br; } @if f.results.is_empty() { span.muted { "none" } } }
                    }
                }
            }
        } }

        @let effects = time_to_effect(&trials);
        @if !effects.is_empty() {
            h2 { "Time to effect" }
            (svg::bars(&format!("Time to effect, {}", team.name), &effects))
        }

        h2 { "Trials" }
        (filters(&[("status", "Status", ["failed", "skipped", "passed"].iter().map(|s| (s.to_string(), s.to_string())).collect())]))
        @for t in &trials { (trial(input, t)) }
        (rules())
    };
    page(&format!("{} — wikiharness readiness", team.name), body)
}

fn time_to_effect(trials: &[&TrialRecord]) -> Vec<svg::Bar> {
    trials
        .iter()
        .flat_map(|t| {
            t.figures
                .iter()
                .filter(|f| f.name.starts_with("time_to_effect"))
                .map(|f| {
                    (
                        format!(
                            "{}: {}",
                            t.meta.name,
                            f.name.trim_start_matches("time_to_effect:")
                        ),
                        f.value,
                        f.unit.clone(),
                    )
                })
        })
        .collect()
}

fn trial(input: &ReportInput<'_>, t: &TrialRecord) -> Markup {
    html! {
        details id=(anchor(&t.meta.name)) data-row="" data-status=(status_slug(t.status)) open[t.status == Status::Failed] {
            summary { (status_badge(t.status)) " " code { (t.meta.name) } " — " (t.meta.feature) " (" (format!("{:.2} s", t.duration_ms / 1000.0)) ")" }
            @if let Some(m) = &t.message { pre { (m) } }
            p.muted {
                (t.requests) " requests"
                @if !t.backends.is_empty() { "; served by " @for b in &t.backends { code { (b) } " " } }
                "; needs " (t.meta.needs.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "))
            }
            @if !t.figures.is_empty() {
                table { thead { tr { th { "Figure" } th { "Value" } } }
                    tbody { @for f in &t.figures { tr { td { (f.name) } td.num { (format!("{:.1} {}", f.value, f.unit)) } } } } }
            }
            @if let Some(l) = &t.load { (load(l)) }
            @for n in &t.notes { p { (n) } }
            @for a in &t.attachments { (attachment(input, a)) }
            @if !t.evidence.is_empty() {
                table {
                    thead { tr { th { "Request" } th { "Status" } th { "Time" } th { "Backend" } th { "Response excerpt" } } }
                    tbody { @for e in &t.evidence { tr {
                        td { code { (e.method) " " (e.url) } }
                        td { (e.status.map(|s| s.to_string()).unwrap_or_else(|| "no answer".into())) }
                        td.num { (format!("{:.0} ms", e.elapsed_ms)) }
                        td { (e.backend.as_deref().unwrap_or("—")) }
                        td { pre { (e.excerpt) } }
                    } } }
                }
            }
        }
    }
}

/// Screenshots are embedded (the page stays self-contained); other files are linked.
fn attachment(input: &ReportInput<'_>, rel: &std::path::Path) -> Markup {
    let is_png = rel.extension().is_some_and(|e| e == "png");
    match std::fs::read(input.run_dir.join(rel)) {
        Ok(bytes) if is_png => {
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            html! { figure { img.shot alt={ "screenshot " (rel.display()) } src=(PreEscaped(format!("data:image/png;base64,{data}"))); figcaption { (rel.display()) } } }
        }
        Ok(bytes) if rel.extension().is_some_and(|e| e == "txt" || e == "diff") => html! {
            figure { figcaption { (rel.display()) } pre.diff { (String::from_utf8_lossy(&bytes)) } }
        },
        _ => html! { p { "Attachment: " a href=(rel.display().to_string()) { (rel.display()) } } },
    }
}

/// A load trial's thresholds, latency chart and per-endpoint table.
fn load(l: &wikiharness_record::load::LoadSummary) -> Markup {
    html! {
        h4 { "Load: " (l.scenario) ", " (l.users) " users" @if let Some(r) = l.max_rps { ", at most " (r) " req/s" } }
        @if !l.thresholds.is_empty() {
            ul { @for r in &l.thresholds { li { (status_badge(if r.passed { Status::Passed } else { Status::Failed })) " " (r.to_string()) } } }
        }
        (svg::percentiles(&format!("Latency of {}", l.scenario), &l.total.raw, &l.total.corrected))
        table {
            thead { tr {
                th { "Endpoint" } th { "Requests" } th { "req/s" } th { "Errors" }
                th { "p50" } th { "p95" } th { "p99" } th { "p99 corrected" } th { "max" } th { "Statuses" } th { "Backends" }
            } }
            tbody { @for e in l.endpoints.iter().chain(std::iter::once(&l.total)) { tr {
                td { @if e.endpoint == "total" { strong { "total" } } @else { (e.endpoint) } }
                td.num { (e.requests) }
                td.num { (format!("{:.1}", e.throughput_rps)) }
                td.num { (format!("{:.2} %", e.error_rate * 100.0)) }
                td.num { (format!("{:.1}", e.raw.p50)) }
                td.num { (format!("{:.1}", e.raw.p95)) }
                td.num { (format!("{:.1}", e.raw.p99)) }
                td.num { (format!("{:.1}", e.corrected.p99)) }
                td.num { (format!("{:.1}", e.raw.max)) }
                td { (e.statuses.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ")) }
                td { (e.backends.len()) " (" (e.backends.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ")) ")" }
            } } }
        }
    }
}
