//! Deferred updates: what a save changes after the response (recent changes,
//! category counts, links tables, edit counts, page_touched). Each effect is
//! polled with a deadline and its time to effect recorded.

use std::time::Duration;

use wikiharness_harness::client::Session;
use wikiharness_harness::{Capability, TrialCx, TrialError, TrialSpec};

use crate::support::text::capitalise;
use crate::support::{poll, titles, wiki};

/// The deferred-update trials.
pub fn trials() -> Vec<TrialSpec> {
    let t = |check: &str| {
        TrialSpec::build("deferred", check)
            .needs(Capability::Write)
            .account("bot")
    };
    vec![
        t("recent_changes_entry_appears").run(|cx| async move {
            let (bot, title, saved) = edited(&cx, "RC", "").await?;
            poll::until(&cx, "recent changes entry", || async {
                let v = bot
                    .api_get(&[
                        ("action", "query"),
                        ("list", "recentchanges"),
                        ("rctitle", &title),
                        ("rcprop", "ids"),
                    ])
                    .await?;
                let ids: Vec<u64> = v["query"]["recentchanges"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|r| r["revid"].as_u64()).collect())
                    .unwrap_or_default();
                Ok(if ids.contains(&saved) {
                    Ok(())
                } else {
                    Err(format!("rc revids {ids:?}"))
                })
            })
            .await
        }),
        t("category_count_changes").run(|cx| async move {
            let category = format!(
                "Category:{}",
                capitalise(&titles::unique_word(&cx, "count"))
            );
            let (bot, _, _) = edited(&cx, "Counted 1", &format!("[[{category}]]")).await?;
            wait_count(&cx, &bot, &category, 1).await?;
            edited(&cx, "Counted 2", &format!("[[{category}]]")).await?;
            wait_count(&cx, &bot, &category, 2).await
        }),
        t("links_tables_record_new_links").run(|cx| async move {
            let target = cx.sandbox_title("Link target")?;
            let (bot, title, _) = edited(&cx, "Linker", &format!("[[{target}]]")).await?;
            poll::until(&cx, "prop=links and list=backlinks", || async {
                let links = wiki::titles(
                    &wiki::page_query(&bot, &title, &[("prop", "links")]).await?["links"],
                );
                let v = bot
                    .api_get(&[
                        ("action", "query"),
                        ("list", "backlinks"),
                        ("bltitle", &target),
                    ])
                    .await?;
                let back = wiki::titles(&v["query"]["backlinks"]);
                Ok(if links.contains(&target) && back.contains(&title) {
                    Ok(())
                } else {
                    Err(format!("links {links:?}, backlinks {back:?}"))
                })
            })
            .await
        }),
        t("user_edit_count_increases").run(|cx| async move {
            let bot = cx.login("bot").await?;
            let user = bot.user().unwrap_or_default();
            let before = edit_count(&bot, &user).await?;
            let title = cx.sandbox_title("Edit count")?;
            wiki::edit(
                &cx,
                &bot,
                &title,
                &format!("Counting edits in run {}.", cx.run_id()),
                &[],
            )
            .await?;
            poll::until(&cx, "user edit count", || async {
                let now = edit_count(&bot, &user).await?;
                Ok(if now > before {
                    Ok(())
                } else {
                    Err(format!("editcount still {now} (was {before})"))
                })
            })
            .await
        }),
        t("page_touched_moves").run(|cx| async move {
            let (bot, title, _) = edited(&cx, "Touched", "").await?;
            let first = touched(&bot, &title).await?;
            tokio::time::sleep(Duration::from_millis(1100)).await; // timestamps have one-second resolution
            wiki::edit(
                &cx,
                &bot,
                &title,
                &format!("Second version, run {}.", cx.run_id()),
                &[],
            )
            .await?;
            poll::until(&cx, "page_touched moved", || async {
                let now = touched(&bot, &title).await?;
                Ok(if now > first {
                    Ok(())
                } else {
                    Err(format!("touched still {now} (was {first})"))
                })
            })
            .await
        }),
    ]
}

/// Logs in as the bot and saves a sandbox page `name` with `extra` wikitext.
async fn edited(
    cx: &TrialCx,
    name: &str,
    extra: &str,
) -> Result<(Session, String, u64), TrialError> {
    let title = cx.sandbox_title(name)?;
    let bot = cx.login("bot").await?;
    let saved = wiki::edit(
        cx,
        &bot,
        &title,
        &format!("Deferred-update check, run {}. {extra}", cx.run_id()),
        &[],
    )
    .await?;
    Ok((bot, title, saved.revid))
}

async fn wait_count(
    cx: &TrialCx,
    s: &Session,
    category: &str,
    want: u64,
) -> Result<(), TrialError> {
    poll::until(cx, &format!("category count {want}"), || async {
        let p = wiki::page_query(s, category, &[("prop", "categoryinfo")]).await?;
        let pages = p["categoryinfo"]["pages"].as_u64().unwrap_or(0);
        Ok(if pages == want {
            Ok(())
        } else {
            Err(format!("categoryinfo.pages = {pages}"))
        })
    })
    .await
}

async fn edit_count(s: &Session, user: &str) -> Result<u64, TrialError> {
    let v = s
        .api_get(&[
            ("action", "query"),
            ("list", "users"),
            ("ususers", user),
            ("usprop", "editcount"),
        ])
        .await?;
    v["query"]["users"][0]["editcount"]
        .as_u64()
        .ok_or_else(|| TrialError::fail(format!("no editcount for `{user}`: {v}")))
}

async fn touched(s: &Session, title: &str) -> Result<String, TrialError> {
    let p = wiki::page_query(s, title, &[("prop", "info")]).await?;
    p["touched"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| TrialError::fail(format!("no `touched` for [[{title}]]")))
}
