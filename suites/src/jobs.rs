//! Back-end processing: a template edit fans out jobs (refreshLinks,
//! htmlCacheUpdate) that the job runner must run before the transcluding pages
//! show the template's new categories, links and text.

use std::collections::BTreeMap;
use std::time::Duration;

use wikiharness_harness::localwiki::{JobQueue, LocalWiki};
use wikiharness_harness::target::Managed;
use wikiharness_harness::{Capability, TrialCx, TrialError, TrialSpec};

use crate::support::text::capitalise;
use crate::support::{poll, titles, wiki};

/// Pages transcluding the template.
const FANOUT: usize = 3;
/// The job-queue trials.
pub fn trials() -> Vec<TrialSpec> {
    vec![
        TrialSpec::build("jobs", "template_edit_fans_out_to_every_page")
            .needs(Capability::Write)
            .account("bot")
            .timeout(Duration::from_secs(180))
            .run(|cx| async move { fanout(cx, "Fanout", FANOUT).await }),
    ]
}

/// Edits template `name` transcluded by `count` pages and waits until the job
/// runner delivered its new categories, links and text to every page.
pub async fn fanout(cx: TrialCx, name: &str, count: usize) -> Result<(), TrialError> {
    let run = cx.run_id().to_owned();
    let template = titles::in_namespace(&cx, "Template", name)?;
    let category = format!(
        "Category:{}",
        capitalise(&titles::unique_word(&cx, &name.to_lowercase()))
    );
    let link = cx.sandbox_title(&format!("{name} link target"))?;
    let pages: Vec<String> = (1..=count)
        .map(|i| cx.sandbox_title(&format!("{name} page {i}")))
        .collect::<Result<_, _>>()?;
    let bot = cx.login("bot").await?;

    wiki::edit(&cx, &bot, &template, &format!("{name}-v1-{run}"), &[]).await?;
    for page in &pages {
        wiki::edit(&cx, &bot, page, &format!("{{{{{template}}}}}"), &[]).await?;
    }
    let s = cx.session()?;
    poll::until(&cx, "transclusions recorded", || async {
        let missing = pages_without(&s, &pages, "templates", &template).await?;
        Ok(if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("prop=templates lacks the template on {missing:?}"))
        })
    })
    .await?;

    // page_touched and parser-cache times have one-second resolution: a template
    // edit in the same second as a page's own save can leave that page's cached
    // render looking current. Real editors are never that fast; do not race it.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let queue_before = own_jobs(&cx).await;
    wiki::edit(
        &cx,
        &bot,
        &template,
        &format!("{name}-v2-{run}<includeonly>[[{category}]] [[{link}]]</includeonly>"),
        &[],
    )
    .await?;
    if let Some(q) = &queue_before {
        cx.figure(
            "jobs_queued_before_template_edit",
            q.pending() as f64,
            "jobs",
        );
    }

    let waited = poll::until(&cx, "jobs delivered categories and links", || async {
        let members = s
            .api_get(&[("action", "query"), ("list", "categorymembers"), ("cmtitle", &category), ("cmlimit", "max")])
            .await?;
        let members = wiki::titles(&members["query"]["categorymembers"]);
        let not_in_category: Vec<_> = pages.iter().filter(|p| !members.contains(p)).collect();
        let without_link = pages_without(&s, &pages, "links", &link).await?;
        let without_cat = pages_without(&s, &pages, "categories", &category).await?;
        if not_in_category.is_empty() && without_link.is_empty() && without_cat.is_empty() {
            return Ok(Ok(()));
        }
        Ok(Err(format!(
            "list=categorymembers lacks {not_in_category:?}; prop=categories lacks it on {without_cat:?}; prop=links lacks the link on {without_link:?}{}",
            own_jobs(&cx).await.map(|q| format!("; this trial's jobs still queued: {:?}", q.pending_by_type())).unwrap_or_default()
        )))
    })
    .await;
    if let Err(TrialError::Failed(m)) = waited {
        note_abandoned(&cx).await;
        return Err(TrialError::fail(format!("jobs did not run: {m}")));
    }

    let anon = cx.session()?;
    poll::until(&cx, "pages re-rendered with the new template", || async {
        let mut stale = Vec::new();
        for page in &pages {
            if !anon
                .view(page)
                .await?
                .body
                .contains(&format!("{name}-v2-{run}"))
            {
                stale.push(page.clone());
            }
        }
        Ok(if stale.is_empty() {
            Ok(())
        } else {
            Err(format!("still the old text on {stale:?}"))
        })
    })
    .await?;
    if let Some(q) = own_jobs(&cx).await {
        cx.figure("jobs_queued_after", q.pending() as f64, "jobs");
    }
    Ok(())
}

/// Pages whose `prop` (templates, links, categories) does not list `title`.
async fn pages_without(
    s: &wikiharness_harness::client::Session,
    pages: &[String],
    prop: &str,
    title: &str,
) -> Result<Vec<String>, TrialError> {
    let joined = pages.join("|");
    let limit = match prop {
        "templates" => "tllimit",
        "links" => "pllimit",
        _ => "cllimit",
    };
    let v = s
        .api_get(&[
            ("action", "query"),
            ("titles", &joined),
            ("prop", prop),
            (limit, "max"),
        ])
        .await?;
    let listed: BTreeMap<String, Vec<String>> = v["query"]["pages"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p["title"].as_str().unwrap_or_default().to_owned(),
                        wiki::titles(&p[prop]),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(pages
        .iter()
        .filter(|p| !listed.get(*p).is_some_and(|l| l.iter().any(|t| t == title)))
        .cloned()
        .collect())
}

/// The queue as the target exposes it (the managed local wiki only): the
/// jobs of this trial (titles under its prefix), or all of them.
async fn queue(cx: &TrialCx, own: bool) -> Option<JobQueue> {
    if cx.target().managed != Managed::LocalWiki {
        return None;
    }
    let prefix = if own {
        Some(titles::db_key(&cx.trial_prefix().ok()?))
    } else {
        None
    };
    let wiki = LocalWiki::for_target(cx.target());
    tokio::task::spawn_blocking(move || wiki.job_counts(prefix.as_deref()).ok())
        .await
        .ok()
        .flatten()
}

/// The jobs this trial's edits caused that are still in the queue, where the
/// target exposes the queue. Other trials' and earlier runs' jobs never count.
pub async fn own_jobs(cx: &TrialCx) -> Option<JobQueue> {
    queue(cx, true).await
}

/// Leaves a note when the wiki holds abandoned jobs (from anyone, any run):
/// they never drain, so they are reported as what they are, never judged.
pub async fn note_abandoned(cx: &TrialCx) {
    if let Some(text) = queue(cx, false).await.and_then(|q| q.abandoned()) {
        cx.note(format!(
            "the wiki's job queue holds {text}: failed earlier, never retried"
        ));
    }
}
