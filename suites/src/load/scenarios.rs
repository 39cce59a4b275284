//! The five attacks: what each sets up on the wiki, and the weighted
//! transactions its goose users run. Each returns the attack's summary,
//! unjudged.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use wikiharness_harness::target::LoadSettings;
use wikiharness_harness::{TrialCx, TrialError};
use wikiharness_load::attack::{self, Plan, Step, step_fn};
use wikiharness_record::load::LoadSummary;

use super::goose_wiki::{GooseWiki, api_ok, form, get_step, login_step, step};
use crate::support::text::capitalise;
use crate::support::titles::route_title;
use crate::support::{poll, titles, wiki};

/// Request-rate cap for scenarios that write.
const WRITE_RPS: u32 = 5;
/// Request-rate cap for the scenario that runs external binaries.
const SHELLBOX_RPS: u32 = 10;
/// Pages read by the reader scenarios.
const READ_PAGES: usize = 5;
/// Pages the API readers read.
const API_PAGES: usize = 2;
/// Pages transcluding the job-heavy template.
const JOB_PAGES: usize = 8;
/// The ResourceLoader startup module, under the script path.
const STARTUP_MODULE: &str = "/load.php?modules=startup&only=scripts&raw=1&skin=vector";
/// A static asset, under the script path.
const STATIC_ASSET: &str = "/resources/assets/poweredby_mediawiki_88x31.png";

/// Anonymous readers: page views, the ResourceLoader startup module, a static asset.
pub(super) async fn readers(
    cx: TrialCx,
    settings: LoadSettings,
) -> Result<LoadSummary, TrialError> {
    let run = cx.run_id().to_owned();
    let pages = make_pages(&cx, "Load read", READ_PAGES, |i| format!("Reader page {i} of run {run}.\n\n* [[Main Page]]\n* '''bold''' text\n\n== Section ==\nMore text.")).await?;
    let goose_wiki = GooseWiki::new(&cx, &settings, pages);
    // The startup module and the asset warmed like the pages.
    let reader = cx.session()?;
    for path in [STARTUP_MODULE, STATIC_ASSET] {
        reader
            .get_path(&format!("{}{path}", goose_wiki.script))
            .await?;
    }
    let steps = vec![
        get_step(
            &goose_wiki,
            "page view",
            6,
            |w, _| w.view_path(w.page()),
            |status, body| status == 200 && body.contains("mw-content-text"),
        ),
        get_step(
            &goose_wiki,
            "load.php startup",
            2,
            |w, _| format!("{}{STARTUP_MODULE}", w.script),
            |status, body| status == 200 && body.contains("mw.loader"),
        ),
        get_step(
            &goose_wiki,
            "static asset",
            2,
            |w, _| format!("{}{STATIC_ASSET}", w.script),
            |status, _| status == 200,
        ),
    ];
    run_attack(&cx, "anonymous_readers", settings, &goose_wiki, steps).await
}

/// API readers: siteinfo, parse, and the REST page and HTML routes.
pub(super) async fn api_readers(
    cx: TrialCx,
    settings: LoadSettings,
) -> Result<LoadSummary, TrialError> {
    let run = cx.run_id().to_owned();
    let pages = make_pages(&cx, "Load API", API_PAGES, |i| {
        format!("API page {i} of run {run}. [[Main Page]]")
    })
    .await?;
    let goose_wiki = GooseWiki::new(&cx, &settings, pages);
    let steps = vec![
        get_step(
            &goose_wiki,
            "api siteinfo",
            3,
            |w, _| w.api("action=query&meta=siteinfo&siprop=general|statistics"),
            api_ok,
        ),
        get_step(
            &goose_wiki,
            "api parse",
            2,
            |w, _| {
                w.api("action=parse&contentmodel=wikitext&title=Load&text=%27%27%27bold%27%27%27+%7B%7B%23if%3Ax%7Cyes%7Cno%7D%7D")
            },
            |status, body| api_ok(status, body) && body.contains("<b>bold</b>"),
        ),
        get_step(
            &goose_wiki,
            "rest page",
            2,
            |w, _| format!("{}/rest.php/v1/page/{}", w.script, route_title(w.page())),
            |status, body| status == 200 && body.contains("\"source\""),
        ),
        get_step(
            &goose_wiki,
            "rest html",
            1,
            |w, _| {
                format!(
                    "{}/rest.php/v1/page/{}/html",
                    w.script,
                    route_title(w.page())
                )
            },
            |status, body| status == 200 && body.contains("<body"),
        ),
    ];
    run_attack(&cx, "api_readers", settings, &goose_wiki, steps).await
}

/// Logged-in editors: each appends to its own page and reads it back.
pub(super) async fn editors(
    cx: TrialCx,
    settings: LoadSettings,
) -> Result<LoadSummary, TrialError> {
    let settings = capped(settings, WRITE_RPS);
    let creds = cx.credentials("bot")?;
    let pages: Vec<String> = (0..settings.users)
        .map(|i| cx.sandbox_title(&format!("Load editor {i}")))
        .collect::<Result<_, _>>()?;
    for p in &pages {
        cx.created(p);
    }
    let goose_wiki = GooseWiki::new(&cx, &settings, pages);
    let editing = goose_wiki.clone();
    let steps = vec![
        login_step(&goose_wiki, &creds),
        step(
            "edit",
            1,
            step_fn(move |user| {
                let wiki = editing.clone();
                Box::pin(async move {
                    let title = wiki.own_page(user).to_owned();
                    let n = wiki.counter.fetch_add(1, Ordering::Relaxed);
                    let line = format!("\n* edit {n} of run {}", wiki.run_id);
                    wiki.edit(user, "api edit", &title, "appendtext", &line)
                        .await?;
                    Ok(())
                })
            }),
        ),
        get_step(
            &goose_wiki,
            "read own page",
            4,
            |w, user| w.view_path(w.own_page(user)),
            |status, _| status == 200 || status == 404,
        ),
    ];
    run_attack(&cx, "editors", settings, &goose_wiki, steps).await
}

/// Renders that run external binaries through Shellbox: SyntaxHighlight
/// (pygmentize) and Scribunto (Lua), each render unique so no cache answers.
pub(super) async fn shellbox_heavy(
    cx: TrialCx,
    settings: LoadSettings,
) -> Result<LoadSummary, TrialError> {
    let settings = capped(settings, SHELLBOX_RPS);
    let module = titles::in_namespace(&cx, "Module", "Load")?;
    let bot = cx.login("bot").await?;
    wiki::edit(&cx, &bot, &module, "local p = {}\nfunction p.hello(frame)\n  return 'Lua says ' .. frame.args[1]\nend\nreturn p", &[("contentmodel", "Scribunto")]).await?;
    let invoke_name = module.trim_start_matches("Module:").to_owned();
    let goose_wiki = GooseWiki::new(&cx, &settings, vec![invoke_name]);
    let (highlighting, invoking) = (goose_wiki.clone(), goose_wiki.clone());
    let steps = vec![
        step(
            "syntaxhighlight",
            1,
            step_fn(move |user| {
                let wiki = highlighting.clone();
                Box::pin(async move {
                    let n = wiki.counter.fetch_add(1, Ordering::Relaxed);
                    let code = format!(
                        "<syntaxhighlight lang=\"python\">def f_{}_{n}(x):\n    return x</syntaxhighlight>",
                        wiki.run_id.replace('-', "_")
                    );
                    let fields = form(&[
                        ("action", "parse"),
                        ("title", "Load"),
                        ("contentmodel", "wikitext"),
                        ("text", &code),
                    ]);
                    wiki.post(user, "parse syntaxhighlight", fields, |status, body| {
                        api_ok(status, body)
                            && body.contains("mw-highlight")
                            && body.contains("class=\\\"k\\\"")
                    })
                    .await?;
                    Ok(())
                })
            }),
        ),
        step(
            "scribunto",
            1,
            step_fn(move |user| {
                let wiki = invoking.clone();
                Box::pin(async move {
                    let n = wiki.counter.fetch_add(1, Ordering::Relaxed);
                    let text = format!(
                        "{{{{#invoke:{}|hello|{}-{n}}}}}",
                        wiki.pages[0], wiki.run_id
                    );
                    let fields = form(&[
                        ("action", "parse"),
                        ("title", "Load"),
                        ("contentmodel", "wikitext"),
                        ("text", &text),
                    ]);
                    wiki.post(user, "parse invoke", fields, |status, body| {
                        api_ok(status, body) && body.contains("Lua says")
                    })
                    .await?;
                    Ok(())
                })
            }),
        ),
    ];
    run_attack(&cx, "shellbox_heavy", settings, &goose_wiki, steps).await
}

/// Template edits that fan out refreshLinks jobs to every transcluding page,
/// while readers view those pages; then the queue must drain.
pub(super) async fn job_heavy(
    cx: TrialCx,
    settings: LoadSettings,
) -> Result<LoadSummary, TrialError> {
    let settings = capped(settings, WRITE_RPS);
    let creds = cx.credentials("bot")?;
    let template = titles::in_namespace(&cx, "Template", "Load jobs")?;
    let category = format!(
        "Category:{}",
        capitalise(&titles::unique_word(&cx, "loadjobs"))
    );
    let bot = cx.login("bot").await?;
    wiki::edit(&cx, &bot, &template, "jobload-start", &[]).await?;
    let transclusion = format!("{{{{{template}}}}}");
    let pages = make_pages(&cx, "Load jobs page", JOB_PAGES, |_| transclusion.clone()).await?;
    let goose_wiki = GooseWiki::new(&cx, &settings, pages.clone());
    let (editing, edited, added) = (goose_wiki.clone(), template.clone(), category.clone());
    let steps = vec![
        login_step(&goose_wiki, &creds),
        step(
            "template edit",
            1,
            step_fn(move |user| {
                let (wiki, template, category) = (editing.clone(), edited.clone(), added.clone());
                Box::pin(async move {
                    let n = wiki.counter.fetch_add(1, Ordering::Relaxed) + 1;
                    let text = format!(
                        "jobload-{n}-{}<includeonly>[[{category}]]</includeonly>",
                        wiki.run_id
                    );
                    wiki.edit(user, "template edit", &template, "text", &text)
                        .await?;
                    Ok(())
                })
            }),
        ),
        get_step(
            &goose_wiki,
            "transcluding page view",
            3,
            |w, _| w.view_path(w.page()),
            |status, body| status == 200 && body.contains("mw-content-text"),
        ),
    ];
    let summary = run_attack(&cx, "job_heavy", settings, &goose_wiki, steps).await?;
    drained(&cx, &pages, &category).await?;
    Ok(summary)
}

/// Every page must be in the category the template adds (refreshLinks jobs),
/// and where the target exposes the queue, none of the jobs this trial's
/// edits caused may still be queued. Other trials' jobs and old abandoned
/// ones are not this trial's work: a note, never the verdict.
async fn drained(cx: &TrialCx, pages: &[String], category: &str) -> Result<(), TrialError> {
    let started = Instant::now();
    let anon = cx.session()?;
    let drained = poll::until(cx, "queue drained after load", || async {
        let members = anon
            .api_get(&[
                ("action", "query"),
                ("list", "categorymembers"),
                ("cmtitle", category),
                ("cmlimit", "max"),
            ])
            .await?;
        let members = wiki::titles(&members["query"]["categorymembers"]);
        let missing = pages.iter().filter(|p| !members.contains(p)).count();
        let own = crate::jobs::own_jobs(cx).await;
        if let Some(abandoned) = own.as_ref().and_then(|q| q.abandoned()) {
            return Err(TrialError::fail(format!(
                "{abandoned} among the jobs of this trial: they failed and will never run"
            )));
        }
        let pending = own.as_ref().map(|q| q.pending()).unwrap_or(0);
        Ok(if missing == 0 && pending == 0 {
            Ok(())
        } else {
            Err(format!(
                "{missing} of {} pages not yet in {category}{}",
                pages.len(),
                own.map(|q| format!(
                    "; this trial's jobs still queued: {:?}",
                    q.pending_by_type()
                ))
                .unwrap_or_default()
            ))
        })
    })
    .await;
    cx.figure(
        "queue drain after load",
        started.elapsed().as_secs_f64() * 1000.0,
        "ms",
    );
    crate::jobs::note_abandoned(cx).await;
    drained.map_err(|e| e.context("jobs did not drain after the load"))
}

/// Creates `n` sandbox pages named `name N` with the bot, then views each
/// once, as a reader would have before (the attack measures a warm wiki, as
/// production's is, not the first parse of new pages); returns their titles.
async fn make_pages(
    cx: &TrialCx,
    name: &str,
    n: usize,
    text: impl Fn(usize) -> String,
) -> Result<Vec<String>, TrialError> {
    let bot = cx.login("bot").await?;
    let reader = cx.session()?;
    let mut pages = Vec::new();
    for i in 1..=n {
        let title = cx.sandbox_title(&format!("{name} {i}"))?;
        wiki::edit(cx, &bot, &title, &text(i), &[]).await?;
        reader.view(&title).await?;
        pages.push(title);
    }
    Ok(pages)
}

/// The same settings with the request rate capped at `rps`.
fn capped(mut settings: LoadSettings, rps: u32) -> LoadSettings {
    settings.max_rps = Some(settings.max_rps.map_or(rps, |r| r.min(rps)));
    settings
}

async fn run_attack(
    cx: &TrialCx,
    scenario: &str,
    settings: LoadSettings,
    goose_wiki: &Arc<GooseWiki>,
    steps: Vec<Step>,
) -> Result<LoadSummary, TrialError> {
    let plan = Plan {
        scenario: scenario.into(),
        host: cx
            .target()
            .base_url
            .as_str()
            .trim_end_matches('/')
            .to_owned(),
        settings,
        steps,
    };
    attack::run(plan, goose_wiki.recorders.clone())
        .await
        .map_err(TrialError::Failed)
}
