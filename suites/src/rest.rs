//! The REST API (`rest.php`): page source, HTML (Parsoid), search, and page
//! create/update with a CSRF token (and 400 without one).

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use wikiharness_harness::{Capability, TrialError, TrialSpec, ensure};

use crate::support::titles::route_title;
use crate::support::{poll, text, titles, wiki};

/// The REST trials.
pub fn trials() -> Vec<TrialSpec> {
    let t = |check: &str| TrialSpec::build("rest", check);
    vec![
        t("page_source").run(|cx| async move {
            let main = cx.target().main_page.clone();
            let f = cx.session()?.rest_get(&format!("/v1/page/{}", route_title(&main))).await?;
            ensure!(f.status == 200, "GET /v1/page/{main}: HTTP {}", f.status);
            let v = f.json()?;
            ensure!(v["title"].as_str() == Some(main.as_str()), "title is {}", v["title"]);
            ensure!(v["latest"]["id"].as_u64().is_some_and(|id| id > 0), "no latest.id: {v}");
            ensure!(v["source"].as_str().is_some_and(|s| !s.trim().is_empty()), "empty source");
            Ok(())
        }),
        t("page_with_html").run(|cx| async move {
            let main = cx.target().main_page.clone();
            let f = cx.session()?.rest_get(&format!("/v1/page/{}/with_html", route_title(&main))).await?;
            ensure!(f.status == 200, "with_html: HTTP {}", f.status);
            let html = f.json()?["html"].as_str().unwrap_or_default().to_owned();
            ensure!(html.contains("<body") && html.contains("mw:"), "with_html has no Parsoid HTML: {}", text::excerpt(&html));
            Ok(())
        }),
        t("page_html_is_parsoid").run(|cx| async move {
            let main = cx.target().main_page.clone();
            let f = cx.session()?.rest_get(&format!("/v1/page/{}/html", route_title(&main))).await?;
            ensure!(f.status == 200, "html: HTTP {}", f.status);
            ensure!(f.content_type().starts_with("text/html"), "content type `{}`", f.content_type());
            ensure!(f.body.contains("mw:pageId") || f.body.contains("typeof=\"mw:"), "not Parsoid HTML: {}", text::excerpt(&f.body));
            Ok(())
        }),
        t("search_page_finds_page_of_this_run").needs(Capability::Write).account("bot").timeout(Duration::from_secs(120)).run(|cx| async move {
            let title = cx.sandbox_title("REST search target")?;
            let word = titles::unique_word(&cx, "rest");
            let bot = cx.login("bot").await?;
            wiki::edit(&cx, &bot, &title, &format!("REST search finds {word}."), &[]).await?;
            let s = cx.session()?;
            poll::until(&cx, "REST search has the page", || async {
                let f = s.rest_get(&format!("/v1/search/page?q={word}&limit=10")).await?;
                let found = wiki::titles(&f.json()?["pages"]);
                Ok(if found.contains(&title) { Ok(()) } else { Err(format!("HTTP {}, pages {found:?}", f.status)) })
            })
            .await
        }),
        t("create_and_update_with_token").needs(Capability::Write).account("bot").run(|cx| async move {
            let title = cx.sandbox_title("REST page")?;
            let bot = cx.login("bot").await?;
            let run = cx.run_id().to_owned();
            let no_token = bot.rest_send(Method::POST, "/v1/page", json!({"title": title, "source": "no token", "comment": "x"})).await?;
            ensure!(no_token.status == 400, "create without a token: HTTP {} (expected 400): {}", no_token.status, text::excerpt(&no_token.body));
            let token = bot.token("csrf").await?;
            let created = bot
                .rest_send(Method::POST, "/v1/page", json!({"title": title, "source": format!("Created over REST, run {run}."), "comment": format!("wikiharness {run}"), "token": token}))
                .await?;
            cx.created(&title);
            ensure!(created.status == 201, "create: HTTP {} (expected 201): {}", created.status, text::excerpt(&created.body));
            let latest = created.json()?["latest"]["id"].as_u64().ok_or_else(|| TrialError::fail("create answer has no latest.id"))?;
            let updated = bot
                .rest_send(
                    Method::PUT,
                    &format!("/v1/page/{}", route_title(&title)),
                    json!({"source": format!("Updated over REST, run {run}."), "comment": "update", "latest": {"id": latest}, "token": token}),
                )
                .await?;
            ensure!(updated.status == 200, "update: HTTP {}: {}", updated.status, text::excerpt(&updated.body));
            let (text, _) = wiki::current(&bot, &title).await?.ok_or_else(|| TrialError::fail("page missing after REST create"))?;
            ensure!(text == format!("Updated over REST, run {run}."), "stored text is {text:?}");
            Ok(())
        }),
    ]
}
